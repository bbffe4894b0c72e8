/* lading honeypot: run the service emulations; lading honeypot report: analyse event logs. */
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define RULES_FILE "honeypot-rules.conf"

static int run_serve(int argc, char **argv);
static int run_report(int argc, char **argv);

/* The service's options come from the library (lading_honeypot_option_at: its listeners, one
 * per emulated service, then the others), filled in before main runs so that help, man pages
 * and completions see them; --config and --ready-file are the CLI's own. */
#define SERVE_OPTIONS_MAX 64

static cli_option serve_options[SERVE_OPTIONS_MAX + 1];
static char serve_option_names[SERVE_OPTIONS_MAX][40];

static const cli_option cli_own_options[] = {
	{"--config", NULL, "FILE", "'OPTION VALUE' lines with the options below (flags given later win)",
	 CLI_C_FILE, NULL},
	{"--ready-file", NULL, "FILE", "write 'SERVICE ADDR' lines there once listening (for scripts)",
	 CLI_C_FILE, NULL},
};

__attribute__((constructor)) static void serve_options_fill(void)
{
	size_t n = 0;
	for (size_t i = 0; i < lading_honeypot_option_count() && n < SERVE_OPTIONS_MAX - 2; i++) {
		const lading_honeypot_option_info *in = lading_honeypot_option_at(i);
		cli_option *o = &serve_options[n];
		snprintf(serve_option_names[n], sizeof(serve_option_names[n]), "--%s", in->name);
		o->name = serve_option_names[n];
		o->arg = in->arg;
		o->help = in->help;
		o->complete = in->arg && !strcmp(in->arg, "FILE") ? CLI_C_FILE : CLI_C_NONE;
		n++;
		if (!strcmp(in->name, "log")) /* the CLI's own after --log */
			for (size_t k = 0; k < sizeof(cli_own_options) / sizeof(cli_own_options[0]); k++)
				serve_options[n++] = cli_own_options[k];
	}
}

static const cli_option report_options[] = {
	{"--rules", NULL, "FILE",
	 "classification rules (default: $LADING_HONEYPOT_RULES, else\n" RULES_FILE
	 " in the data directory: $LADING_DATA_DIR, else ../share/lading\n"
	 "or ../data beside the binary)",
	 CLI_C_FILE, NULL},
	{"--geoip", NULL, "FILE", "MMDB country database (MaxMind or ip-location-db layout)", CLI_C_FILE,
	 NULL},
	{"--format", NULL, "F", "table (default), json, html", CLI_C_WORDS, "table json html"},
	{"--output", "-o", "FILE", "write the report to FILE instead of standard output", CLI_C_FILE,
	 NULL},
	{"--top", NULL, "N", "entries in the top lists (default 10)", CLI_C_NONE, NULL},
	{0},
};

static const cli_command honeypot_report = {
	.name = "report",
	.summary = "analyse event logs: classification, campaigns, sources",
	.synopsis = "LOG... [--geoip FILE.mmdb] [--rules FILE] [--format table|json|html]\n"
		    " [-o FILE] [--top N]",
	.options = report_options,
	.operands = CLI_C_FILE,
	.run = run_report,
};

static const cli_command *const honeypot_subs[] = {&honeypot_report, NULL};

const cli_command cli_cmd_honeypot = {
	.name = "honeypot",
	.summary = "emulate cloud-native services, record and analyse attacks",
	.synopsis = "LISTENER... --log FILE [--config FILE] [--ready-file FILE] [OPTION VALUE...]",
	.description = "Service (runs until SIGINT/SIGTERM; never runs or fetches what clients send):\n"
		       "a LISTENER is one of the service options below with its ADDR, which is PORT\n"
		       "(on 127.0.0.1), IPV4:PORT, [IPV6]:PORT or *:PORT; a service may repeat\n"
		       "(e.g. --kube 6443 --kube 10250).",
	.options = serve_options,
	.run = run_serve,
	.subs = honeypot_subs,
};

static lading_honeypot *g_hp;

static void on_signal(int sig)
{
	(void)sig;
	if (g_hp)
		lading_honeypot_stop(g_hp);
}

/* The library's option of this name (NULL: not one of its). */
static const lading_honeypot_option_info *library_option(const char *name)
{
	for (size_t i = 0; i < lading_honeypot_option_count(); i++)
		if (!strcmp(lading_honeypot_option_at(i)->name, name))
			return lading_honeypot_option_at(i);
	return NULL;
}

/* argv[*i] as a library option (--NAME VALUE, --NAME=VALUE, or --NAME for a flag), set on o:
 * 1 done, 0 not a library option, -1 a usage error (printed). */
static int library_arg(int argc, char **argv, int *i, lading_honeypot_options *o, lading_ctx *ctx)
{
	const lading_honeypot_option_info *in;
	const char *a = argv[*i], *val = "true";
	char opt[64];
	size_t n = strcspn(a + 2, "=");
	if (n + 3 > sizeof(opt))
		return 0;
	memcpy(opt, a, n + 2);
	opt[n + 2] = '\0';
	if (!(in = library_option(opt + 2)))
		return 0;
	if (in->arg ? !cli_opt(argc, argv, i, opt, &val) : !cli_flag(argv, *i, opt))
		return 0;
	if (!val) {
		cli_usage("%s needs a value", opt);
		return -1;
	}
	if (lading_honeypot_options_set(o, opt + 2, val, ctx) != 0) {
		cli_usage("%s", lading_ctx_error(ctx)->msg);
		return -1;
	}
	return 1;
}

/* The ready file: written as -o is (cli_write_file): an O_EXCL|O_NOFOLLOW temporary beside it
 * renamed only over a regular file or a new path; a FIFO, device or symlink written in place. */
static int write_ready(const char *path, lading_honeypot *hp)
{
	char text[8192];
	size_t len = 0;
	for (size_t i = 0; i < lading_honeypot_listener_count(hp); i++) {
		const char *svc;
		char addr[128];
		int k;
		if (lading_honeypot_listener(hp, i, &svc, addr, sizeof(addr)) != 0)
			continue;
		k = snprintf(text + len, sizeof(text) - len, "%s %s\n", svc, addr);
		if (k < 0 || (size_t)k >= sizeof(text) - len)
			return -1;
		len += (size_t)k;
	}
	/* same rules as -o: a regular file is replaced atomically, a FIFO or device written in place */
	return cli_write_file(path, text, len);
}

static int run_serve(int argc, char **argv)
{
	lading_honeypot_options o;
	lading_ctx *ctx = NULL;
	const char *ready = NULL, *val;
	lading_honeypot_stats st;
	struct sigaction sa;
	int rc;

	if (lading_ctx_new(&ctx) != 0)
		return EXIT_ERROR;
	lading_honeypot_options_init(&o);
	/* the configuration file first, so that flags override it */
	for (int i = 1; i < argc; i++)
		if (cli_opt(argc, argv, &i, "--config", &val) &&
		    (!val || lading_honeypot_options_load(&o, val, ctx) != 0)) {
			rc = val ? cli_fail(ctx, -1) : cli_usage("--config needs a file");
			goto out;
		}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_honeypot);
			rc = EXIT_OK;
			goto out;
		}
		if (cli_opt(argc, argv, &i, "--config", &val))
			continue;
		if (cli_opt(argc, argv, &i, "--ready-file", &val)) {
			if (!val) {
				rc = cli_usage("--ready-file needs a file");
				goto out;
			}
			ready = val;
			continue;
		}
		if (!strncmp(a, "--", 2)) {
			int r = library_arg(argc, argv, &i, &o, ctx);
			if (r > 0)
				continue;
			if (r < 0) {
				rc = EXIT_USAGE;
				goto out;
			}
		}
		rc = cli_usage("honeypot: unexpected argument '%s' (see lading honeypot --help)",
			       a);
		goto out;
	}
	if ((rc = lading_honeypot_new(&g_hp, &o, ctx)) != 0) {
		rc = lading_ctx_error(ctx)->code == LADING_EUSAGE
			     ? cli_usage("%s", lading_ctx_error(ctx)->msg)
			     : cli_fail(ctx, rc);
		goto out;
	}
	cli_print_warnings(ctx, true);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < lading_honeypot_listener_count(g_hp); i++) {
		const char *svc;
		char addr[128];
		if (lading_honeypot_listener(g_hp, i, &svc, addr, sizeof(addr)) == 0)
			fprintf(stderr, "lading honeypot: %s listening on %s\n", svc, addr);
	}
	if (ready && write_ready(ready, g_hp) != 0) {
		fprintf(stderr, "lading: cannot write %s\n", ready);
		rc = EXIT_ERROR;
		goto out;
	}
	rc = lading_honeypot_run(g_hp, ctx);
	lading_honeypot_get_stats(g_hp, &st);
	fprintf(stderr,
		"lading honeypot: %llu connections served, %llu refused by limits, %llu events "
		"logged "
		"(%llu durable), %llu bytes in\n",
		(unsigned long long)st.accepted, (unsigned long long)st.refused,
		(unsigned long long)st.events, (unsigned long long)st.events_durable,
		(unsigned long long)st.bytes_in);
	rc = rc ? cli_fail(ctx, rc) : EXIT_OK;
out:
	lading_honeypot_free(g_hp);
	g_hp = NULL;
	lading_ctx_free(ctx);
	return rc;
}

/* The rules file: $LADING_HONEYPOT_RULES, else in the data directory (cli_data_file). */
static bool default_rules(char *out, size_t outsz)
{
	const char *env = getenv("LADING_HONEYPOT_RULES");
	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return true;
	}
	return cli_data_file(RULES_FILE, out, outsz) == 0;
}

static int run_report(int argc, char **argv)
{
	lading_honeypot_report_options o = LADING_HONEYPOT_REPORT_OPTIONS_INIT;
	lading_honeypot_report *r = NULL;
	lading_ctx *ctx = NULL;
	const char *format = "table", *output = NULL, *val;
	const char **logs = calloc((size_t)argc, sizeof(*logs));
	char rules[PATH_MAX];
	size_t nlogs = 0;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!logs || lading_ctx_new(&ctx) != 0) {
		free(logs);
		return EXIT_ERROR;
	}
	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_honeypot);
			rc = EXIT_OK;
			goto out;
		} else if (cli_opt(argc, argv, &i, "--geoip", &val)) {
			o.geoip_path = val;
		} else if (cli_opt(argc, argv, &i, "--rules", &val)) {
			o.rules_path = val;
		} else if (cli_opt(argc, argv, &i, "--format", &val)) {
			format = val;
		} else if (cli_opt(argc, argv, &i, "-o", &val) ||
			   cli_opt(argc, argv, &i, "--output", &val)) {
			output = val;
		} else if (cli_opt(argc, argv, &i, "--top", &val)) {
			char *end;
			long n = strtol(val, &end, 10);
			if (*end || n < 1 || n > 100000) {
				rc = cli_usage("--top: a number from 1 to 100000");
				goto out;
			}
			o.top = (size_t)n;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = cli_usage("honeypot report: unknown option '%s'", argv[i]);
			goto out;
		} else {
			logs[nlogs++] = argv[i];
		}
	}
	if (!nlogs) {
		rc = cli_usage("honeypot report: give at least one event log");
		goto out;
	}
	if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "html")) {
		rc = cli_usage("--format: table, json or html");
		goto out;
	}
	if (!o.rules_path) {
		if (!default_rules(rules, sizeof(rules))) {
			rc = cli_usage("no classification rules found (%s): give --rules FILE "
				       "(data/" RULES_FILE " in the source tree)",
				       rules);
			goto out;
		}
		o.rules_path = rules;
	}
	if ((rc = lading_honeypot_report_build(&r, logs, nlogs, &o, ctx)) != 0 ||
	    (rc = lading_honeypot_report_write(r, format, &text, &len, ctx)) != 0) {
		rc = cli_fail(ctx, rc);
		goto out;
	}
	cli_print_warnings(ctx, false);
	rc = cli_write_output(output, text, len) == 0 ? EXIT_OK : EXIT_ERROR;
out:
	free(text);
	lading_honeypot_report_free(r);
	lading_ctx_free(ctx);
	free(logs);
	return rc;
}

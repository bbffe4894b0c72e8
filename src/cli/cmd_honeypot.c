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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lading honeypot [--docker ADDR] [--redis ADDR] [--kube ADDR] [--etcd "
		"ADDR]\n"
		"                       [--elasticsearch ADDR] [--mysql ADDR] --log FILE [--config "
		"FILE]\n"
		"                       [--sensor NAME] [--user USER] [--kube-tls] [--ready-file "
		"FILE] [OPTION VALUE...]\n"
		"       lading honeypot report LOG... [--geoip FILE.mmdb] [--rules FILE] [--format "
		"table|json|html]\n"
		"                       [-o FILE] [--top N]\n"
		"\n"
		"Service (runs until SIGINT/SIGTERM; never runs or fetches what clients send):\n"
		"  ADDR               PORT (on 127.0.0.1), IPV4:PORT, [IPV6]:PORT or *:PORT; a "
		"service may repeat\n"
		"                     (e.g. --kube 6443 --kube 10250). Ports usually: docker 2375, "
		"redis 6379,\n"
		"                     kube 6443/10250, etcd 2379, elasticsearch 9200, mysql 3306\n"
		"  --log FILE         JSON-lines event log (appended; fsync'd in batches; rotated "
		"by size)\n"
		"  --config FILE      'OPTION VALUE' lines with the options below (flags given "
		"later win)\n"
		"  --kube-tls         Kubernetes listeners speak TLS (self-signed certificate made "
		"at start)\n"
		"  --user USER        started as root: switch to USER after binding (default "
		"nobody)\n"
		"  --sensor NAME      sensor name in every event (default: host name)\n"
		"  --ready-file FILE  write 'SERVICE ADDR' lines there once listening (for "
		"scripts)\n"
		"  limits: --max-sessions N (1024) --source-conns N (32) --source-conn-rate N/s "
		"(50)\n"
		"          --source-byte-rate BYTES/s (256K; 0 = none) --session-keep BYTES (1M)\n"
		"          --max-buffered BYTES (64M) --max-sources N (65536) --idle-timeout S "
		"(60)\n"
		"          --session-timeout S (600) --session-events N (1000; 0 = none)\n"
		"          --source-log-rate BYTES/s (1K; 0 = none) --source-log-burst BYTES (2M)\n"
		"  --mysql-accept USER:PASSWORD  let this login in (repeatable): its queries are "
		"recorded\n"
		"  log:    --rotate-size BYTES (100M; 0 = never) --rotate-keep N (10) --flush-ms "
		"MS (100)\n"
		"\n"
		"Report:\n"
		"  --rules FILE       classification rules (default: $LADING_HONEYPOT_RULES, else\n"
		"                     " RULES_FILE
		" in ../share/lading or ../data beside the binary)\n"
		"  --geoip FILE       MMDB country database (MaxMind or ip-location-db layout)\n"
		"  --format F         table (default), json, html\n"
		"  --top N            entries in the top lists (default 10)\n");
}

static lading_honeypot *g_hp;

static void on_signal(int sig)
{
	(void)sig;
	if (g_hp)
		lading_honeypot_stop(g_hp);
}

/* Long options that take a value and are passed to the library by name. */
static bool library_option(const char *name)
{
	static const char *const names[] = {"docker",
					    "redis",
					    "kube",
					    "etcd",
					    "elasticsearch",
					    "mysql",
					    "log",
					    "sensor",
					    "user",
					    "rotate-size",
					    "rotate-keep",
					    "flush-ms",
					    "max-sessions",
					    "max-sources",
					    "source-conns",
					    "source-conn-rate",
					    "source-byte-rate",
					    "session-keep",
					    "max-buffered",
					    "idle-timeout",
					    "session-timeout",
					    "session-events",
					    "source-log-rate",
					    "source-log-burst",
					    "mysql-accept"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* The ready file: written to an unpredictable temporary beside it (mkstemp: O_EXCL, never
 * through a planted symlink) and renamed over PATH only when PATH is a regular file or absent;
 * anything else (a FIFO, a device, a symlink the user chose) is written in place. */
static int write_ready(const char *path, lading_honeypot *hp)
{
	char tmp[PATH_MAX];
	struct stat st;
	bool in_place = lstat(path, &st) == 0 && !S_ISREG(st.st_mode);
	FILE *f = NULL;
	int fd;
	if (in_place) {
		f = fopen(path, "w");
	} else {
		if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
			return -1;
		fd = mkstemp(tmp);
		if (fd >= 0 && !(f = fdopen(fd, "w"))) {
			close(fd);
			unlink(tmp);
		}
	}
	if (!f)
		return -1;
	for (size_t i = 0; i < lading_honeypot_listener_count(hp); i++) {
		const char *svc;
		char addr[128];
		if (lading_honeypot_listener(hp, i, &svc, addr, sizeof(addr)) == 0)
			fprintf(f, "%s %s\n", svc, addr);
	}
	if (in_place)
		return fclose(f) == 0 ? 0 : -1;
	{
		bool ok = fchmod(fileno(f), 0644) == 0; /* mkstemp made it 0600 */
		ok = fclose(f) == 0 && ok;
		if (!ok || rename(tmp, path) != 0) {
			unlink(tmp);
			return -1;
		}
	}
	return 0;
}

static int serve(int argc, char **argv)
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
			usage(stdout);
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
		if (cli_flag(argv, i, "--kube-tls")) {
			o.kube_tls = true;
			continue;
		}
		if (!strncmp(a, "--", 2)) {
			char opt[64];
			size_t n = strcspn(a + 2, "=");
			if (n + 3 <= sizeof(opt)) {
				memcpy(opt, a, n + 2);
				opt[n + 2] = '\0';
				if (library_option(opt + 2) && cli_opt(argc, argv, &i, opt, &val)) {
					if (!val) {
						rc = cli_usage("%s needs a value", opt);
						goto out;
					}
					if (lading_honeypot_options_set(&o, opt + 2, val, ctx) !=
					    0) {
						rc = cli_usage("%s", lading_ctx_error(ctx)->msg);
						goto out;
					}
					continue;
				}
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

/* The rules file beside an installed (bin/../share/lading) or in-tree (build/../data) binary. */
static bool default_rules(char *out, size_t outsz)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("LADING_HONEYPOT_RULES");
	static const char *const rel[] = {"/../share/lading/" RULES_FILE, "/../data/" RULES_FILE,
					  "/share/lading/" RULES_FILE, "/data/" RULES_FILE};
	ssize_t n;
	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(out, outsz, "%s%s", exe, rel[i]);
		if (access(out, R_OK) == 0)
			return true;
	}
	return false;
}

static int report(int argc, char **argv)
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
			usage(stdout);
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
			rc = cli_usage("no classification rules found beside the binary; give "
				       "--rules FILE "
				       "(data/" RULES_FILE " in the source tree)");
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

int cmd_honeypot(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "report"))
		return report(argc - 1, argv + 1);
	return serve(argc, argv);
}

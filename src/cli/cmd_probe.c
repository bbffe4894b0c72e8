/* lading probe TARGET...: read product and version from network services (lading/census.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"

#define PROBE_MAX_TARGETS 65536

/* --census FILE: the deprecated alias of --store */
static bool census_alias(int argc, char **argv, int *i, const char **val)
{
	if (!cli_opt(argc, argv, i, "--census", val))
		return false;
	fprintf(stderr, "lading: --census is deprecated: use --store (the census lives in the inventory store)\n");
	return true;
}

static int run_probe(int argc, char **argv);

static const cli_option probe_options[] = {
	{"--ports", "-p", "LIST",
	 "ports for targets without one: 22,80,8000-8100 (default: the\n"
	 "ports of the services lading knows)",
	 CLI_C_NONE, NULL},
	{"--timeout", NULL, "MS", "connect timeout and time allowed for each exchange (3000)",
	 CLI_C_NONE, NULL},
	{"--banner-wait", NULL, "MS",
	 "how long to wait for a greeting on a port with no known\n"
	 "service before speaking first (800)",
	 CLI_C_NONE, NULL},
	{"--concurrency", NULL, "N", "connections open at once (256)", CLI_C_NONE, NULL},
	{"--max-bytes", NULL, "N", "bytes read from one service, all exchanges together (65536)",
	 CLI_C_NONE, NULL},
	{"--format", "-f", "F", "table (default) or json: one record per open port", CLI_C_WORDS,
	 "table json"},
	{"--output", "-o", "FILE", "write the records to FILE instead of standard output", CLI_C_FILE,
	 NULL},
	{"--save", NULL, NULL, "also add the records to the census store (see 'lading census')",
	 CLI_C_NONE, NULL},
	{"--store", NULL, "URL",
	 "the store the census lives in (default: $LADING_STORE, else\n"
	 "$XDG_DATA_HOME/lading/store.sqlite)",
	 CLI_C_FILE, NULL},
	{"--census", NULL, "FILE", "deprecated alias of --store", CLI_C_FILE, NULL},
	{"--verbose", "-v", NULL, "print the statistics and every warning", CLI_C_NONE, NULL},
	{0},
};

const cli_command cli_cmd_probe = {
	.name = "probe",
	.summary = "read product and version from network services",
	.synopsis = "TARGET... [--ports LIST] [--timeout MS] [--banner-wait MS]\n"
		    " [--concurrency N] [--max-bytes N] [--format json|table] [-o FILE]\n"
		    " [--save] [--store URL] [-v]",
	.description = "TARGET is HOST:PORT, [IPV6]:PORT, HOST or A.B.C.D/NN (the last two with --ports).",
	.options = probe_options,
	.notes = "Exit status: 0 done (whatever the ports said), 2 usage, 3 error.",
	.run = run_probe,
};

/* A count from 1 to max. */
static bool parse_num(const char *s, unsigned long max, unsigned long *out)
{
	unsigned v;
	if (!cli_parse_count(s, (unsigned)max, &v) || !v)
		return false;
	*out = v;
	return true;
}

/* Many connections need many descriptors: raise the soft limit as far as the hard one allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int run_probe(int argc, char **argv)
{
	lading_probe_options o = LADING_PROBE_OPTIONS_INIT;
	const char **targets = NULL, *format = "table", *output = NULL, *census = NULL, *val;
	size_t ntargets = 0;
	lading_format fmt;
	char names[128];
	lading_ctx *ctx = NULL;
	lading_census *c = NULL;
	char path[4096], *out = NULL;
	size_t len = 0;
	unsigned long n;
	bool save = false, verbose = false;
	int rc, ret = EXIT_OK;

	targets = calloc((size_t)argc, sizeof(*targets));
	if (!targets) {
		fprintf(stderr, "lading: out of memory\n");
		return EXIT_ERROR;
	}
	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_probe);
			free(targets);
			return EXIT_OK;
		} else if (cli_opt(argc, argv, &i, "--ports", &val) || cli_opt(argc, argv, &i, "-p", &val)) {
			if (!val)
				goto need_value;
			o.ports = val;
		} else if (cli_opt(argc, argv, &i, "--timeout", &val)) {
			if (!parse_num(val, 600000, &n)) {
				ret = cli_usage("--timeout takes milliseconds (1-600000)");
				goto out;
			}
			o.timeout_ms = (unsigned)n;
		} else if (cli_opt(argc, argv, &i, "--banner-wait", &val)) {
			if (!parse_num(val, 600000, &n)) {
				ret = cli_usage("--banner-wait takes milliseconds (1-600000)");
				goto out;
			}
			o.banner_ms = (unsigned)n;
		} else if (cli_opt(argc, argv, &i, "--concurrency", &val)) {
			if (!parse_num(val, 65536, &n)) {
				ret = cli_usage("--concurrency takes a number (1-65536)");
				goto out;
			}
			o.concurrency = (unsigned)n;
		} else if (cli_opt(argc, argv, &i, "--max-bytes", &val)) {
			if (!parse_num(val, 64ul << 20, &n)) {
				ret = cli_usage("--max-bytes takes a number of bytes (1-67108864)");
				goto out;
			}
			o.max_bytes = n;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!val)
				goto need_value;
			format = val;
		} else if (cli_opt(argc, argv, &i, "--output", &val) || cli_opt(argc, argv, &i, "-o", &val)) {
			if (!val)
				goto need_value;
			output = val;
		} else if (cli_opt(argc, argv, &i, "--store", &val) || census_alias(argc, argv, &i, &val)) {
			if (!val)
				goto need_value;
			census = val;
		} else if (cli_flag(argv, i, "--save")) {
			save = true;
		} else if (cli_flag(argv, i, "-v") || cli_flag(argv, i, "--verbose")) {
			verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_help(stderr, &cli_cmd_probe);
			ret = cli_usage("unknown option %s", argv[i]);
			goto out;
		} else if (ntargets >= PROBE_MAX_TARGETS) {
			ret = cli_usage("at most %d targets on the command line (use CIDR ranges)",
					PROBE_MAX_TARGETS);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (!ntargets) {
		cli_help(stderr, &cli_cmd_probe);
		ret = EXIT_USAGE;
		goto out;
	}
	if (lading_format_for(LADING_REPORT_LIST, format, &fmt)) {
		lading_format_names(LADING_REPORT_LIST, names, sizeof(names));
		ret = cli_usage("unknown probe format '%s' (%s)", format, names);
		goto out;
	}
	if (save) {
		if (census)
			snprintf(path, sizeof(path), "%s", census);
		else if (lading_census_default_path(path, sizeof(path))) {
			ret = cli_usage("no store: give --store URL or set LADING_STORE");
			goto out;
		}
	}
	if (lading_ctx_new(&ctx)) {
		fprintf(stderr, "lading: out of memory\n");
		ret = EXIT_ERROR;
		goto out;
	}
	raise_fd_limit();
	if ((rc = lading_probe(&c, ctx, targets, ntargets, &o))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	if (save && (rc = lading_census_save(path, c, ctx))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	if ((rc = lading_census_records_write(&out, &len, ctx, c, fmt))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	ret = cli_write_output(output, out, len);
	{
		const lading_probe_stats *s = lading_census_probe_stats(c);
		if (verbose || fmt == LADING_FORMAT_TABLE)
			fprintf(stderr,
				"lading: %llu probed in %.2f s: %llu open (%llu identified, %llu with a "
				"version), %llu refused, %llu timed out, %llu failed; %llu connections, "
				"%llu bytes read\n",
				(unsigned long long)s->targets, s->seconds, (unsigned long long)s->open,
				(unsigned long long)s->identified, (unsigned long long)s->versioned,
				(unsigned long long)s->refused, (unsigned long long)s->timeout,
				(unsigned long long)s->failed, (unsigned long long)s->connections,
				(unsigned long long)s->bytes_read);
	}
	cli_print_warnings(ctx, verbose);
	goto out;
need_value:
	ret = cli_usage("an option needs a value");
out:
	free(out);
	lading_census_free(c);
	lading_ctx_free(ctx);
	free(targets);
	return ret;
}

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

/* The command line of a probe. */
typedef struct probe_args {
	lading_probe_options o;
	const char **targets, *format, *output, *census;
	size_t ntargets;
	lading_format fmt;
	char path[4096];
	bool save, verbose;
} probe_args;

/* A numeric option: 1 taken (*ret set on a bad value), 0 not this option. */
static int num_opt(int argc, char **argv, int *i, const char *name, unsigned long max, const char *usage,
		   unsigned long *out, int *ret)
{
	const char *val;
	if (!cli_opt(argc, argv, i, name, &val))
		return 0;
	if (!parse_num(val, max, out))
		*ret = cli_usage("%s", usage);
	return 1;
}

/* The options and the targets: 0, -1 when help was printed, else an exit status. */
static int parse_args(probe_args *a, int argc, char **argv)
{
	const char *val;
	unsigned long n;
	int ret = 0;

	for (int i = 1; i < argc && !ret; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_probe);
			return -1;
		} else if (cli_opt(argc, argv, &i, "--ports", &val) || cli_opt(argc, argv, &i, "-p", &val)) {
			if (!(a->o.ports = val))
				return cli_usage("an option needs a value");
		} else if (num_opt(argc, argv, &i, "--timeout", 600000, "--timeout takes milliseconds (1-600000)", &n,
				   &ret)) {
			a->o.timeout_ms = (unsigned)n;
		} else if (num_opt(argc, argv, &i, "--banner-wait", 600000,
				   "--banner-wait takes milliseconds (1-600000)", &n, &ret)) {
			a->o.banner_ms = (unsigned)n;
		} else if (num_opt(argc, argv, &i, "--concurrency", 65536, "--concurrency takes a number (1-65536)",
				   &n, &ret)) {
			a->o.concurrency = (unsigned)n;
		} else if (num_opt(argc, argv, &i, "--max-bytes", 64ul << 20,
				   "--max-bytes takes a number of bytes (1-67108864)", &n, &ret)) {
			a->o.max_bytes = n;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!(a->format = val))
				return cli_usage("an option needs a value");
		} else if (cli_opt(argc, argv, &i, "--output", &val) || cli_opt(argc, argv, &i, "-o", &val)) {
			if (!(a->output = val))
				return cli_usage("an option needs a value");
		} else if (cli_opt(argc, argv, &i, "--store", &val) || census_alias(argc, argv, &i, &val)) {
			if (!(a->census = val))
				return cli_usage("an option needs a value");
		} else if (cli_flag(argv, i, "--save")) {
			a->save = true;
		} else if (cli_flag(argv, i, "-v") || cli_flag(argv, i, "--verbose")) {
			a->verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_help(stderr, &cli_cmd_probe);
			return cli_usage("unknown option %s", argv[i]);
		} else if (a->ntargets >= PROBE_MAX_TARGETS) {
			return cli_usage("at most %d targets on the command line (use CIDR ranges)", PROBE_MAX_TARGETS);
		} else {
			a->targets[a->ntargets++] = argv[i];
		}
	}
	return ret;
}

/* Targets are given, the format is one of a probe's, --save has a store. */
static int check_args(probe_args *a)
{
	if (!a->ntargets) {
		cli_help(stderr, &cli_cmd_probe);
		return EXIT_USAGE;
	}
	if (lading_format_for(LADING_REPORT_LIST, a->format, &a->fmt)) {
		char names[128];
		lading_format_names(LADING_REPORT_LIST, names, sizeof(names));
		return cli_usage("unknown probe format '%s' (%s)", a->format, names);
	}
	if (a->save) {
		if (a->census)
			snprintf(a->path, sizeof(a->path), "%s", a->census);
		else if (lading_census_default_path(a->path, sizeof(a->path)))
			return cli_usage("no store: give --store URL or set LADING_STORE");
	}
	return 0;
}

static void print_stats(const lading_probe_stats *s)
{
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

/* Probe, save when asked, write the records. */
static int probe(const probe_args *a, lading_ctx *ctx)
{
	lading_census *c = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc, ret;

	raise_fd_limit();
	if ((rc = lading_probe(&c, ctx, a->targets, a->ntargets, &a->o))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	if (a->save && (rc = lading_census_save(a->path, c, ctx))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	if ((rc = lading_census_records_write(&out, &len, ctx, c, a->fmt))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	ret = cli_write_output(a->output, out, len);
	if (a->verbose || a->fmt == LADING_FORMAT_TABLE)
		print_stats(lading_census_probe_stats(c));
	cli_print_warnings(ctx, a->verbose);
out:
	free(out);
	lading_census_free(c);
	return ret;
}

static int run_probe(int argc, char **argv)
{
	probe_args a = {.o = LADING_PROBE_OPTIONS_INIT, .format = "table"};
	lading_ctx *ctx = NULL;
	int ret;

	a.targets = calloc((size_t)argc, sizeof(*a.targets));
	if (!a.targets) {
		fprintf(stderr, "lading: out of memory\n");
		return EXIT_ERROR;
	}
	if ((ret = parse_args(&a, argc, argv)) != 0 || (ret = check_args(&a)) != 0) {
		ret = ret < 0 ? EXIT_OK : ret;
		goto out;
	}
	if (lading_ctx_new(&ctx)) {
		fprintf(stderr, "lading: out of memory\n");
		ret = EXIT_ERROR;
		goto out;
	}
	ret = probe(&a, ctx);
out:
	lading_ctx_free(ctx);
	free(a.targets);
	return ret;
}

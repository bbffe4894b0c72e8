/* lading worker: takes inventory jobs from the store's queue (docs/service.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_INSECURE 32

static int run_worker(int argc, char **argv);

static const cli_option worker_options[] = {
	{"--store", NULL, "URL", "the store holding the queue (PostgreSQL: any number of workers)",
	 CLI_C_FILE, NULL},
	{"--db", NULL, "FILE", "vulnerability database the jobs match against", CLI_C_FILE, NULL},
	{"--jobs", NULL, "N", "jobs run at once (default 1)", CLI_C_NONE, NULL},
	{"--insecure-registry", NULL, "HOST:PORT",
	 "plain HTTP or unverified TLS for this registry only (repeatable)", CLI_C_NONE, NULL},
	{"--lease", NULL, "SECONDS", "lease of a job, renewed by heartbeat (default 30, at most 300)",
	 CLI_C_NONE, NULL},
	{"--rescan-interval", NULL, "DURATION",
	 "queue a rescan of the whole fleet every DURATION (90s, 15m, 6h, 1d), one\n"
	 "for all processes, and one when the database file changes",
	 CLI_C_NONE, NULL},
	{"--max-rescans", NULL, "N", "rescans running at once in the whole fleet (default 1); submitted\n"
	 "jobs always go first", CLI_C_NONE, NULL},
	{"--once", NULL, NULL, "stop when the queue is empty", CLI_C_NONE, NULL},
	{0},
};

const cli_command cli_cmd_worker = {
	.name = "worker",
	.summary = "take inventory jobs from the store's queue (leases, retries, LISTEN/NOTIFY)",
	.synopsis = "[--store URL] [--jobs N] [--db FILE] [--insecure-registry HOST:PORT]...\n"
		    " [--lease SECONDS] [--once] [--rescan-interval DURATION] [--max-rescans N]",
	.description = "Also sends the webhooks' deliveries ('lading webhook'); with --once, those due\n"
		       "when the queue is empty. With $LADING_MIRROR set and no vulnerability database\n"
		       "yet, one is built from that copy of the feeds first.",
	.options = worker_options,
	.run = run_worker,
};

static int parse_worker(int argc, char **argv, lading_worker_options *o, const char **insecure)
{
	const char *v;
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--store", &o->store) || cli_opt(argc, argv, &i, "--db", &o->db_path))
			continue;
		if (cli_opt(argc, argv, &i, "--insecure-registry", &v)) {
			if (o->insecure_count >= MAX_INSECURE)
				return cli_usage("at most %d --insecure-registry", MAX_INSECURE);
			insecure[o->insecure_count++] = v;
		} else if (cli_opt(argc, argv, &i, "--jobs", &v)) {
			if (!cli_parse_count(v, 1024, &o->jobs) || !o->jobs)
				return cli_usage("--jobs: a number from 1");
		} else if (cli_opt(argc, argv, &i, "--lease", &v)) {
			if (!cli_parse_count(v, 300, &o->lease_s) || !o->lease_s)
				return cli_usage("--lease: seconds, 1 to 300");
		} else if (cli_opt(argc, argv, &i, "--rescan-interval", &v)) {
			if (!v || lading_duration_parse(v, &o->rescan_interval_s))
				return cli_usage("--rescan-interval: a duration from 1s to 30d (90s, 15m, 6h, 1d)");
		} else if (cli_opt(argc, argv, &i, "--max-rescans", &v)) {
			if (!cli_parse_count(v, 64, &o->max_rescans) || !o->max_rescans)
				return cli_usage("--max-rescans: 1 to 64");
		} else if (cli_flag(argv, i, "--once")) {
			o->once = 1;
		} else if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_worker);
			return -1;
		} else {
			cli_help(stderr, &cli_cmd_worker);
			return cli_usage("worker: unknown argument '%s'", argv[i]);
		}
	}
	return 0;
}

static int run_worker(int argc, char **argv)
{
	lading_worker_options o = LADING_WORKER_OPTIONS_INIT;
	const char *insecure[MAX_INSECURE];
	lading_ctx *ctx = NULL;
	int rc;

	if ((rc = parse_worker(argc, argv, &o, insecure)))
		return rc < 0 ? EXIT_OK : rc;
	o.insecure_registries = insecure;
	o.log = cli_log_line;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	cli_progress_install(ctx);
	if (cli_ensure_db_from_mirror(ctx, o.db_path)) {
		lading_ctx_free(ctx);
		return EXIT_ERROR;
	}
	cli_install_stop_signals();
	rc = lading_worker_run(ctx, &o, &cli_stop_flag);
	rc = rc ? cli_fail(ctx, rc) : EXIT_OK;
	lading_ctx_free(ctx);
	return rc;
}

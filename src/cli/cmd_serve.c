/* lading serve: the HTTP service (docs/service.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_INSECURE 32
#define MAX_VEX 64

static int run_serve(int argc, char **argv);

static const cli_option serve_options[] = {
	{"--listen", NULL, "ADDR", "PORT (on 127.0.0.1), IPV4:PORT, [IPV6]:PORT or *:PORT", CLI_C_NONE, NULL},
	{"--store", NULL, "URL", "the inventory store (as lading inventory takes it)", CLI_C_FILE, NULL},
	{"--tls-cert", NULL, "FILE", "serve HTTPS with this certificate (PEM) ...", CLI_C_FILE, NULL},
	{"--tls-key", NULL, "FILE", "... and this key (PEM)", CLI_C_FILE, NULL},
	{"--tls-client-ca", NULL, "FILE",
	 "with TLS: a client certificate this CA (PEM) verifies may call\n"
	 "admission without a token (the API server's webhook client config)",
	 CLI_C_FILE, NULL},
	{"--db", NULL, "FILE", "vulnerability database the jobs match against", CLI_C_FILE, NULL},
	{"--insecure-registry", NULL, "HOST:PORT",
	 "plain HTTP or unverified TLS for this registry only (repeatable)", CLI_C_NONE, NULL},
	{"--workers", NULL, "N",
	 "job threads in the server (default 2 with a SQLite store, 0 with\n"
	 "PostgreSQL: run 'lading worker' on any number of machines)",
	 CLI_C_NONE, NULL},
	{"--threads", NULL, "N", "HTTP threads (default: the library's)", CLI_C_NONE, NULL},
	{"--token-rate", NULL, "N", "requests per second per token (default 1000, bursts of twice that)",
	 CLI_C_NONE, NULL},
	{"--fail-on", NULL, "SEV",
	 "admission (POST /api/v1/admission): deny a pod whose image has a finding\n"
	 "at SEV or above, as scan does",
	 CLI_C_WORDS, "unknown low medium high critical"},
	{"--fail-on-kev", NULL, NULL, "admission: deny a pod whose image has a known-exploited finding",
	 CLI_C_NONE, NULL},
	{"--ignore-file", NULL, "F",
	 "admission: findings this ignore file names do not deny (as scan's)", CLI_C_FILE, NULL},
	{"--vex", NULL, "F",
	 "admission: OpenVEX or CycloneDX VEX; not_affected/fixed do not deny\n"
	 "(repeatable, as scan's)",
	 CLI_C_FILE, NULL},
	{"--rescan-interval", NULL, "DURATION",
	 "queue a rescan of the whole fleet every DURATION (90s, 15m, 6h, 1d), one\n"
	 "for all processes, and one when the database file changes",
	 CLI_C_NONE, NULL},
	{"--max-rescans", NULL, "N", "rescans running at once in the whole fleet (default 1); submitted\n"
	 "jobs always go first", CLI_C_NONE, NULL},
	{"--admission-unknown", NULL, "allow|deny",
	 "an image still not in the store at the webhook's timeout (it is\n"
	 "scanned meanwhile when the server runs jobs; default deny)",
	 CLI_C_WORDS, "allow deny"},
	{0},
};

const cli_command cli_cmd_serve = {
	.name = "serve",
	.summary = "the HTTP service: API with tokens, job queue, fleet dashboard, admission webhook",
	.synopsis = "--listen ADDR [--store URL] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
		    " [--db FILE] [--insecure-registry HOST:PORT]... [--workers N] [--threads N]\n"
		    " [--fail-on SEV] [--fail-on-kev] [--ignore-file F] [--vex F]... [--admission-unknown allow|deny]\n"
		    " [--rescan-interval DURATION] [--max-rescans N]",
	.description = "API: docs/service.md and docs/openapi.yaml. Tokens: 'lading token create'.\n"
		       "Sends the webhooks' deliveries ('lading webhook'). Runs until SIGINT or SIGTERM.\n"
		       "With $LADING_MIRROR set and no vulnerability database yet, one is built from\n"
		       "that copy of the feeds first.",
	.options = serve_options,
	.run = run_serve,
};

static int parse_serve(int argc, char **argv, lading_serve_options *o, const char **insecure, const char **vex)
{
	const char *v;
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--store", &o->store) || cli_opt(argc, argv, &i, "--listen", &o->listen) ||
		    cli_opt(argc, argv, &i, "--tls-cert", &o->tls_cert) ||
		    cli_opt(argc, argv, &i, "--tls-client-ca", &o->tls_client_ca) ||
		    cli_opt(argc, argv, &i, "--ignore-file", &o->ignore_file) ||
		    cli_opt(argc, argv, &i, "--tls-key", &o->tls_key) || cli_opt(argc, argv, &i, "--db", &o->db_path))
			continue;
		if (cli_opt(argc, argv, &i, "--insecure-registry", &v)) {
			if (o->insecure_count >= MAX_INSECURE)
				return cli_usage("at most %d --insecure-registry", MAX_INSECURE);
			insecure[o->insecure_count++] = v;
		} else if (cli_opt(argc, argv, &i, "--vex", &v)) {
			if (!v)
				return cli_usage("--vex needs a file");
			if (o->vex_count >= MAX_VEX)
				return cli_usage("at most %d --vex files", MAX_VEX);
			vex[o->vex_count++] = v;
		} else if (cli_opt(argc, argv, &i, "--workers", &v)) {
			if (!cli_parse_count(v, 1024, &o->workers))
				return cli_usage("--workers: a number");
		} else if (cli_opt(argc, argv, &i, "--token-rate", &v)) {
			if (!cli_parse_count(v, 10000000, &o->token_rate) || !o->token_rate)
				return cli_usage("--token-rate: requests per second, 1 to 10000000");
		} else if (cli_opt(argc, argv, &i, "--fail-on", &v)) {
			lading_severity sev;
			if (!v || lading_severity_parse(v, &sev))
				return cli_usage("--fail-on takes unknown, low, medium, high or critical");
			o->fail_on = (int)sev;
		} else if (cli_flag(argv, i, "--fail-on-kev")) {
			o->fail_on_kev = 1;
		} else if (cli_opt(argc, argv, &i, "--admission-unknown", &v)) {
			if (!v || (strcmp(v, "allow") && strcmp(v, "deny")))
				return cli_usage("--admission-unknown: allow or deny");
			o->admission_unknown_allow = !strcmp(v, "allow");
		} else if (cli_opt(argc, argv, &i, "--rescan-interval", &v)) {
			if (!v || lading_duration_parse(v, &o->rescan_interval_s))
				return cli_usage("--rescan-interval: a duration from 1s to 30d (90s, 15m, 6h, 1d)");
		} else if (cli_opt(argc, argv, &i, "--max-rescans", &v)) {
			if (!cli_parse_count(v, 64, &o->max_rescans) || !o->max_rescans)
				return cli_usage("--max-rescans: 1 to 64");
		} else if (cli_opt(argc, argv, &i, "--threads", &v)) {
			if (!cli_parse_count(v, 1024, &o->threads))
				return cli_usage("--threads: a number");
		} else if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_serve);
			return -1;
		} else {
			cli_help(stderr, &cli_cmd_serve);
			return cli_usage("serve: unknown argument '%s'", argv[i]);
		}
	}
	if (!o->listen)
		return cli_usage("serve: --listen ADDR is required");
	return 0;
}

static int run_serve(int argc, char **argv)
{
	lading_serve_options o = LADING_SERVE_OPTIONS_INIT;
	const char *insecure[MAX_INSECURE], *vex[MAX_VEX];
	lading_service *svc = NULL;
	lading_ctx *ctx = NULL;
	int rc;

	if ((rc = parse_serve(argc, argv, &o, insecure, vex)))
		return rc < 0 ? EXIT_OK : rc;
	o.insecure_registries = insecure;
	o.vex_files = vex;
	o.log = cli_log_line;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	cli_progress_install(ctx);
	if (cli_ensure_db_from_mirror(ctx, o.db_path)) {
		lading_ctx_free(ctx);
		return EXIT_ERROR;
	}
	cli_install_stop_signals();
	if ((rc = lading_service_start(&svc, ctx, &o))) {
		rc = cli_fail(ctx, rc);
		lading_ctx_free(ctx);
		return rc;
	}
	printf("lading serve: listening on %s\n", lading_service_address(svc));
	fflush(stdout);
	while (!cli_stop_flag)
		pause();
	lading_service_stop(svc);
	lading_ctx_free(ctx);
	return EXIT_OK;
}

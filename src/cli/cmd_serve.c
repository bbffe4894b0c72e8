/* lading serve | worker | token: the HTTP service, its job workers and its API tokens. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define MAX_INSECURE 32

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Access log and job lines on stderr, with a UTC time. */
static void log_stderr(void *opaque, const char *line)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	(void)opaque;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s\n", ts, line);
}

static int serve_usage(void)
{
	fprintf(stderr,
		"usage: lading serve --listen ADDR [--store URL] [--tls-cert FILE --tls-key FILE]\n"
		"                    [--db FILE] [--insecure-registry HOST:PORT]... [--workers N] [--threads N]\n"
		"  ADDR: PORT (on 127.0.0.1), IPV4:PORT, [IPV6]:PORT or *:PORT\n"
		"  --workers N   job threads in the server (default 2 with a SQLite store, 0 with\n"
		"                PostgreSQL: run 'lading worker' on any number of machines)\n"
		"  --token-rate N  requests per second per token (default 1000, bursts of twice that)\n"
		"  --fail-on SEV, --fail-on-kev   admission (POST /api/v1/admission): deny a pod whose\n"
		"                image has a finding at SEV or above / known exploited, as scan does\n"
		"  --admission-unknown allow|deny an image still not in the store at the webhook's\n"
		"                timeout (it is scanned meanwhile when the server runs jobs; default deny)\n"
		"API: docs/service.md. Tokens: lading token create --name N --scope read|write|admin\n");
	return EXIT_USAGE;
}

static int parse_uint(const char *v, unsigned *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 1024)
		return -1;
	*out = (unsigned)n;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	lading_serve_options o = LADING_SERVE_OPTIONS_INIT;
	const char *insecure[MAX_INSECURE];
	lading_service *svc = NULL;
	lading_ctx *ctx = NULL;
	const char *v;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--store", &o.store) || cli_opt(argc, argv, &i, "--listen", &o.listen) ||
		    cli_opt(argc, argv, &i, "--tls-cert", &o.tls_cert) ||
		    cli_opt(argc, argv, &i, "--tls-key", &o.tls_key) || cli_opt(argc, argv, &i, "--db", &o.db_path))
			continue;
		if (cli_opt(argc, argv, &i, "--insecure-registry", &v)) {
			if (o.insecure_count >= MAX_INSECURE)
				return cli_usage("at most %d --insecure-registry", MAX_INSECURE);
			insecure[o.insecure_count++] = v;
		} else if (cli_opt(argc, argv, &i, "--workers", &v)) {
			if (parse_uint(v, &o.workers))
				return cli_usage("--workers: a number");
		} else if (cli_opt(argc, argv, &i, "--token-rate", &v)) {
			char *end;
			long r = strtol(v, &end, 10);
			if (!*v || *end || r < 1 || r > 10000000)
				return cli_usage("--token-rate: requests per second, 1 to 10000000");
			o.token_rate = (unsigned)r;
		} else if (cli_opt(argc, argv, &i, "--fail-on", &v)) {
			lading_severity sev;
			if (lading_severity_parse(v, &sev))
				return cli_usage("--fail-on takes unknown, low, medium, high or critical");
			o.fail_on = (int)sev;
		} else if (cli_flag(argv, i, "--fail-on-kev")) {
			o.fail_on_kev = 1;
		} else if (cli_opt(argc, argv, &i, "--admission-unknown", &v)) {
			if (strcmp(v, "allow") && strcmp(v, "deny"))
				return cli_usage("--admission-unknown: allow or deny");
			o.admission_unknown_allow = !strcmp(v, "allow");
		} else if (cli_opt(argc, argv, &i, "--threads", &v)) {
			if (parse_uint(v, &o.threads))
				return cli_usage("--threads: a number");
		} else if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			serve_usage();
			return EXIT_OK;
		} else {
			fprintf(stderr, "lading: serve: unknown argument '%s'\n", argv[i]);
			return serve_usage();
		}
	}
	if (!o.listen)
		return serve_usage();
	o.insecure_registries = insecure;
	o.log = log_stderr;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	install_signals();
	if ((rc = lading_service_start(&svc, ctx, &o))) {
		rc = cli_fail(ctx, rc);
		lading_ctx_free(ctx);
		return rc;
	}
	printf("lading serve: listening on %s\n", lading_service_address(svc));
	fflush(stdout);
	while (!stop_flag)
		pause();
	lading_service_stop(svc);
	lading_ctx_free(ctx);
	return EXIT_OK;
}

int cmd_worker(int argc, char **argv)
{
	lading_worker_options o = LADING_WORKER_OPTIONS_INIT;
	const char *insecure[MAX_INSECURE];
	lading_ctx *ctx = NULL;
	const char *v;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--store", &o.store) || cli_opt(argc, argv, &i, "--db", &o.db_path))
			continue;
		if (cli_opt(argc, argv, &i, "--insecure-registry", &v)) {
			if (o.insecure_count >= MAX_INSECURE)
				return cli_usage("at most %d --insecure-registry", MAX_INSECURE);
			insecure[o.insecure_count++] = v;
		} else if (cli_opt(argc, argv, &i, "--jobs", &v)) {
			if (parse_uint(v, &o.jobs) || !o.jobs)
				return cli_usage("--jobs: a number from 1");
		} else if (cli_opt(argc, argv, &i, "--lease", &v)) {
			if (parse_uint(v, &o.lease_s) || !o.lease_s || o.lease_s > 300)
				return cli_usage("--lease: seconds, 1 to 300");
		} else if (cli_flag(argv, i, "--once")) {
			o.once = 1;
		} else {
			fprintf(stderr, "usage: lading worker [--store URL] [--jobs N] [--db FILE]\n"
					"                     [--insecure-registry HOST:PORT]... [--lease SECONDS] [--once]\n"
					"  takes jobs from the store's queue (PostgreSQL: any number of workers)\n");
			return cli_flag(argv, i, "--help") ? EXIT_OK : EXIT_USAGE;
		}
	}
	o.insecure_registries = insecure;
	o.log = log_stderr;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	install_signals();
	rc = lading_worker_run(ctx, &o, &stop_flag);
	rc = rc ? cli_fail(ctx, rc) : EXIT_OK;
	lading_ctx_free(ctx);
	return rc;
}

static int token_usage(void)
{
	fprintf(stderr, "usage: lading token create --name NAME --scope read|write|admin [--store URL]\n"
			"       lading token list [--format table|json] [--store URL]\n"
			"       lading token revoke NAME [--store URL]\n");
	return EXIT_USAGE;
}

int cmd_token(int argc, char **argv)
{
	const char *store = NULL, *name = NULL, *scope = NULL, *format = "table";
	lading_store *s = NULL;
	lading_ctx *ctx = NULL;
	lading_format fmt;
	int rc, ret = EXIT_OK;

	if (argc < 2)
		return token_usage();
	for (int i = 2; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--store", &store) || cli_opt(argc, argv, &i, "--name", &name) ||
		    cli_opt(argc, argv, &i, "--scope", &scope) || cli_opt(argc, argv, &i, "--format", &format))
			continue;
		if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return token_usage();
	}
	if (lading_format_parse(format, &fmt) || (fmt != LADING_FORMAT_TABLE && fmt != LADING_FORMAT_JSON))
		return cli_usage("--format: table or json");
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if ((rc = lading_store_open(&s, ctx, store))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	if (!strcmp(argv[1], "create")) {
		char tok[LADING_TOKEN_LEN];
		if (!name || !scope) {
			ret = token_usage();
			goto out;
		}
		if ((rc = lading_token_create(s, ctx, name, scope, tok))) {
			ret = cli_fail(ctx, rc);
			goto out;
		}
		printf("token '%s' (%s): shown once, the store keeps only its hash:\n%s\n", name, scope, tok);
		memset(tok, 0, sizeof(tok));
	} else if (!strcmp(argv[1], "list")) {
		char *out = NULL;
		size_t len = 0;
		if ((rc = lading_token_list(s, ctx, fmt, &out, &len)))
			ret = cli_fail(ctx, rc);
		else
			fwrite(out, 1, len, stdout);
		free(out);
	} else if (!strcmp(argv[1], "revoke")) {
		if (!name) {
			ret = token_usage();
			goto out;
		}
		if ((rc = lading_token_revoke(s, ctx, name)))
			ret = cli_fail(ctx, rc);
		else
			printf("token '%s' revoked\n", name);
	} else {
		ret = token_usage();
	}
out:
	lading_store_close(s);
	lading_ctx_free(ctx);
	return ret;
}

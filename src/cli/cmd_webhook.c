/* lading webhook add | list | remove | deliveries | deliver: notifications of the fleet's findings
 * (docs/service.md "Notifications"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SECRET_FILE_MAX 4096

typedef struct webhook_opts {
	const char *store, *url, *secret_file, *events, *format, *out_format, *id, *limit;
	int all_images;
	lading_format fmt;
} webhook_opts;

/* Whether the subcommand takes the option (each takes its own only). */
static bool takes(const cli_command *cmd, const char *arg)
{
	for (const cli_option *op = cmd->options; op && op->name; op++)
		if (!strcmp(op->name, arg) ||
		    (!strncmp(arg, op->name, strlen(op->name)) && arg[strlen(op->name)] == '='))
			return true;
	return false;
}

static int parse_webhook(int argc, char **argv, const cli_command *cmd, webhook_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->out_format = "table";
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2] &&
		    strcmp(argv[i], "--help") && !takes(cmd, argv[i])) {
			cli_help(stderr, cmd);
			return cli_usage("webhook %s: unknown option '%s'", cmd->name, argv[i]);
		}
		if (cli_opt(argc, argv, &i, "--store", &o->store) ||
		    cli_opt(argc, argv, &i, "--url", &o->url) ||
		    cli_opt(argc, argv, &i, "--secret-file", &o->secret_file) ||
		    cli_opt(argc, argv, &i, "--events", &o->events) ||
		    cli_opt(argc, argv, &i, "--webhook", &o->id) ||
		    cli_opt(argc, argv, &i, "--limit", &o->limit))
			continue;
		if (cli_opt(argc, argv, &i, "--format",
			    !strcmp(cmd->name, "add") ? &o->format : &o->out_format))
			continue;
		if (cli_flag(argv, i, "--all-images")) {
			o->all_images = 1;
			continue;
		}
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, cmd);
			return -1;
		}
		if (argv[i][0] != '-' && !o->id) {
			o->id = argv[i];
			continue;
		}
		cli_help(stderr, cmd);
		return cli_usage("webhook %s: unknown argument '%s'", cmd->name, argv[i]);
	}
	if (!o->out_format || lading_format_parse(o->out_format, &o->fmt) ||
	    (o->fmt != LADING_FORMAT_TABLE && o->fmt != LADING_FORMAT_JSON))
		return cli_usage("--format: table or json");
	return 0;
}

static int with_store(const webhook_opts *o,
		      int (*fn)(const webhook_opts *, lading_store *, lading_ctx *))
{
	lading_store *s = NULL;
	lading_ctx *ctx = NULL;
	int rc, ret;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if ((rc = lading_store_open(&s, ctx, o->store)))
		ret = cli_fail(ctx, rc);
	else
		ret = fn(o, s, ctx);
	lading_store_close(s);
	lading_ctx_free(ctx);
	return ret;
}

/* The secret: the file's bytes without a final newline. */
static int read_secret(const char *path, char *buf, size_t bufsz, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f)
		return cli_usage("--secret-file %s: %s", path, strerror(errno));
	n = fread(buf, 1, bufsz, f);
	fclose(f);
	if (n >= bufsz)
		return cli_usage("--secret-file %s: over %d bytes", path, SECRET_FILE_MAX);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (!n)
		return cli_usage("--secret-file %s: empty", path);
	*len = n;
	return 0;
}

static bool parse_id(const char *v, int64_t *id)
{
	unsigned u;
	if (!v || !cli_parse_count(v, 2000000000u, &u) || !u)
		return false;
	*id = u;
	return true;
}

static int do_add(const webhook_opts *o, lading_store *s, lading_ctx *ctx)
{
	lading_webhook_options wo = LADING_WEBHOOK_OPTIONS_INIT;
	char secret[SECRET_FILE_MAX + 1];
	size_t slen = 0;
	int64_t id = 0;
	int rc;
	if ((rc = read_secret(o->secret_file, secret, sizeof(secret), &slen)))
		return rc;
	wo.url = o->url;
	wo.secret = secret;
	wo.secret_len = slen;
	wo.events = o->events;
	wo.all_images = o->all_images;
	wo.format = o->format;
	rc = lading_webhook_add(s, ctx, &wo, &id);
	memset(secret, 0, sizeof(secret));
	if (rc)
		return cli_fail(ctx, rc);
	printf("webhook %lld added\n", (long long)id);
	return EXIT_OK;
}

static int print_doc(lading_ctx *ctx, int rc, char *out, size_t len)
{
	if (rc)
		return cli_fail(ctx, rc);
	fwrite(out, 1, len, stdout);
	free(out);
	return EXIT_OK;
}

static int do_list(const webhook_opts *o, lading_store *s, lading_ctx *ctx)
{
	char *out = NULL;
	size_t len = 0;
	int rc = lading_webhook_list(s, ctx, o->fmt, &out, &len);
	return print_doc(ctx, rc, out, len);
}

static int do_remove(const webhook_opts *o, lading_store *s, lading_ctx *ctx)
{
	int64_t id = 0;
	int rc;
	if (!parse_id(o->id, &id))
		return cli_usage("webhook remove ID (a number, as webhook list shows)");
	if ((rc = lading_webhook_remove(s, ctx, id)))
		return cli_fail(ctx, rc);
	printf("webhook %lld removed\n", (long long)id);
	return EXIT_OK;
}

static int do_deliveries(const webhook_opts *o, lading_store *s, lading_ctx *ctx)
{
	char *out = NULL;
	size_t len = 0;
	int64_t id = 0;
	unsigned limit = 0;
	int rc;
	if (o->id && !parse_id(o->id, &id))
		return cli_usage("--webhook ID: a number, as webhook list shows");
	if (o->limit && (!cli_parse_count(o->limit, 100000, &limit) || !limit))
		return cli_usage("--limit: 1 to 100000");
	rc = lading_webhook_deliveries(s, ctx, id, limit, o->fmt, &out, &len);
	return print_doc(ctx, rc, out, len);
}

static int do_retry(const webhook_opts *o, lading_store *s, lading_ctx *ctx)
{
	int64_t id = 0;
	size_t n = 0;
	int rc;
	if (o->id && !parse_id(o->id, &id))
		return cli_usage("webhook retry [ID]: a delivery id, as webhook deliveries shows");
	if ((rc = lading_webhook_retry(s, ctx, id, &n)))
		return cli_fail(ctx, rc);
	printf("%zu parked deliver%s queued again\n", n, n == 1 ? "y" : "ies");
	return EXIT_OK;
}

static int do_deliver(const webhook_opts *o, lading_store *s, lading_ctx *ctx)
{
	size_t sent = 0, failed = 0;
	int rc;
	(void)o;
	if ((rc = lading_webhook_deliver(s, ctx, &sent, &failed)))
		return cli_fail(ctx, rc);
	printf("%zu delivered, %zu failed (retried later with backoff, or parked after the last "
	       "attempt)\n",
	       sent, failed);
	return EXIT_OK;
}

#define STORE_OPT                                                                                  \
	{                                                                                          \
		"--store", NULL, "URL", "the inventory store", CLI_C_FILE, NULL                    \
	}
#define OUT_FORMAT_OPT                                                                             \
	{                                                                                          \
		"--format", NULL, "F", "table (default) or json", CLI_C_WORDS, "table json"        \
	}

static const cli_option add_options[] = {
	{"--url", NULL, "URL", "where the events are POSTed (http:// or https://; no redirects)",
	 CLI_C_NONE, NULL},
	{"--secret-file", NULL, "FILE",
	 "the HMAC-SHA256 key of X-Lading-Signature (the file's bytes)", CLI_C_FILE, NULL},
	{"--events", NULL, "LIST",
	 "finding.new, finding.resolved, kev.added, separated by commas (default: all)", CLI_C_NONE,
	 NULL},
	{"--all-images", NULL, NULL, "every stored image (default: images with running containers)",
	 CLI_C_NONE, NULL},
	{"--format", NULL, "F", "the body: lading (JSON, default) or slack (Slack-compatible)",
	 CLI_C_WORDS, "lading slack"},
	STORE_OPT,
	{0},
};

static const cli_option list_options[] = {OUT_FORMAT_OPT, STORE_OPT, {0}};
static const cli_option remove_options[] = {STORE_OPT, {0}};
static const cli_option deliveries_options[] = {
	{"--webhook", NULL, "ID", "this webhook's deliveries only", CLI_C_NONE, NULL},
	{"--limit", NULL, "N", "the newest N (default 100)", CLI_C_NONE, NULL},
	OUT_FORMAT_OPT,
	STORE_OPT,
	{0},
};
static const cli_option deliver_options[] = {STORE_OPT, {0}};
static const cli_option retry_options[] = {STORE_OPT, {0}};

static int run_add(int argc, char **argv);
static int run_list(int argc, char **argv);
static int run_remove(int argc, char **argv);
static int run_deliveries(int argc, char **argv);
static int run_deliver(int argc, char **argv);
static int run_retry(int argc, char **argv);

static const cli_command webhook_add = {
	.name = "add",
	.summary = "send finding.new, finding.resolved and kev.added events to a URL",
	.synopsis = "--url URL --secret-file FILE [--events LIST] [--all-images] [--format "
		    "lading|slack]\n"
		    " [--store URL]",
	.description =
		"The first webhook records the fleet's findings as they are: events are the\n"
		"changes from then on.",
	.options = add_options,
	.run = run_add,
};

static const cli_command webhook_list = {
	.name = "list",
	.summary = "the webhooks (never their secrets)",
	.synopsis = "[--format table|json] [--store URL]",
	.options = list_options,
	.run = run_list,
};

static const cli_command webhook_remove = {
	.name = "remove",
	.summary = "remove a webhook by id; its delivery log stays",
	.synopsis = "ID [--store URL]",
	.options = remove_options,
	.run = run_remove,
};

static const cli_command webhook_deliveries = {
	.name = "deliveries",
	.summary = "the delivery log: state, attempts, last status and error, times",
	.synopsis = "[--webhook ID] [--limit N] [--format table|json] [--store URL]",
	.options = deliveries_options,
	.run = run_deliveries,
};

static const cli_command webhook_deliver = {
	.name = "deliver",
	.summary =
		"send the deliveries due now and return (serve and worker send them by themselves)",
	.synopsis = "[--store URL]",
	.options = deliver_options,
	.run = run_deliver,
};

static const cli_command webhook_retry = {
	.name = "retry",
	.summary = "queue parked (failed) deliveries again: one by id, or all",
	.synopsis = "[ID] [--store URL]",
	.options = retry_options,
	.run = run_retry,
};

static const cli_command *const webhook_subs[] = {
	&webhook_add,	&webhook_list, &webhook_remove, &webhook_deliveries, &webhook_deliver,
	&webhook_retry, NULL};

const cli_command cli_cmd_webhook = {
	.name = "webhook",
	.summary = "notifications: webhooks for new, resolved and known-exploited findings",
	.subs = webhook_subs,
};

static int run_add(int argc, char **argv)
{
	webhook_opts o;
	int rc = parse_webhook(argc, argv, &webhook_add, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.url || !o.secret_file)
		return cli_usage("webhook add: --url URL and --secret-file FILE");
	return with_store(&o, do_add);
}

static int run_list(int argc, char **argv)
{
	webhook_opts o;
	int rc = parse_webhook(argc, argv, &webhook_list, &o);
	return rc ? (rc < 0 ? EXIT_OK : rc) : with_store(&o, do_list);
}

static int run_remove(int argc, char **argv)
{
	webhook_opts o;
	int rc = parse_webhook(argc, argv, &webhook_remove, &o);
	return rc ? (rc < 0 ? EXIT_OK : rc) : with_store(&o, do_remove);
}

static int run_deliveries(int argc, char **argv)
{
	webhook_opts o;
	int rc = parse_webhook(argc, argv, &webhook_deliveries, &o);
	return rc ? (rc < 0 ? EXIT_OK : rc) : with_store(&o, do_deliveries);
}

static int run_deliver(int argc, char **argv)
{
	webhook_opts o;
	int rc = parse_webhook(argc, argv, &webhook_deliver, &o);
	return rc ? (rc < 0 ? EXIT_OK : rc) : with_store(&o, do_deliver);
}

static int run_retry(int argc, char **argv)
{
	webhook_opts o;
	int rc = parse_webhook(argc, argv, &webhook_retry, &o);
	return rc ? (rc < 0 ? EXIT_OK : rc) : with_store(&o, do_retry);
}

/* lading token create | list | revoke: the service's API tokens (the store keeps their hashes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct token_opts {
	const char *store, *name, *scope, *format;
	lading_format fmt;
} token_opts;

static int parse_token(int argc, char **argv, const cli_command *cmd, token_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = "table";
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--store", &o->store) || cli_opt(argc, argv, &i, "--name", &o->name) ||
		    cli_opt(argc, argv, &i, "--scope", &o->scope) || cli_opt(argc, argv, &i, "--format", &o->format))
			continue;
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, cmd);
			return -1;
		}
		if (argv[i][0] != '-' && !o->name) {
			o->name = argv[i];
			continue;
		}
		cli_help(stderr, cmd);
		return cli_usage("token %s: unknown argument '%s'", cmd->name, argv[i]);
	}
	if (lading_format_for(LADING_REPORT_LIST, o->format, &o->fmt))
		return cli_usage("--format: table or json");
	return 0;
}

/* Open the store named by the options and run one token operation on it. */
static int with_store(const token_opts *o, int (*fn)(const token_opts *, lading_store *, lading_ctx *))
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

static int do_create(const token_opts *o, lading_store *s, lading_ctx *ctx)
{
	char tok[LADING_TOKEN_LEN];
	int rc = lading_token_create(s, ctx, o->name, o->scope, tok);
	if (rc)
		return cli_fail(ctx, rc);
	/* the token alone on the last line, so scripts can take it with tail -n 1 */
	printf("token '%s' (%s): shown once, the store keeps only its hash:\n%s\n", o->name, o->scope, tok);
	memset(tok, 0, sizeof(tok));
	return EXIT_OK;
}

static int do_list(const token_opts *o, lading_store *s, lading_ctx *ctx)
{
	char *out = NULL;
	size_t len = 0;
	int rc = lading_token_list(s, ctx, o->fmt, &out, &len);
	if (rc)
		return cli_fail(ctx, rc);
	fwrite(out, 1, len, stdout);
	free(out);
	return EXIT_OK;
}

static int do_revoke(const token_opts *o, lading_store *s, lading_ctx *ctx)
{
	int rc = lading_token_revoke(s, ctx, o->name);
	if (rc)
		return cli_fail(ctx, rc);
	printf("token '%s' revoked\n", o->name);
	return EXIT_OK;
}

static const cli_option create_options[] = {
	{"--name", NULL, "NAME", "what the token is for (shown in the access log)", CLI_C_NONE, NULL},
	{"--scope", NULL, "SCOPE", "read, write or admin", CLI_C_WORDS, "read write admin"},
	{"--store", NULL, "URL", "the inventory store", CLI_C_FILE, NULL},
	{0},
};

static const cli_option list_options[] = {
	{"--format", NULL, "F", "table (default) or json", CLI_C_WORDS, "table json"},
	{"--store", NULL, "URL", "the inventory store", CLI_C_FILE, NULL},
	{0},
};

static const cli_option revoke_options[] = {
	{"--store", NULL, "URL", "the inventory store", CLI_C_FILE, NULL},
	{0},
};

static int run_create(int argc, char **argv);
static int run_list(int argc, char **argv);
static int run_revoke(int argc, char **argv);

static const cli_command token_create = {
	.name = "create",
	.summary = "make a token; it is printed once, alone on the last line",
	.synopsis = "--name NAME --scope read|write|admin [--store URL]",
	.options = create_options,
	.run = run_create,
};

static const cli_command token_list = {
	.name = "list",
	.summary = "the tokens (names, scopes, times; never the tokens)",
	.synopsis = "[--format table|json] [--store URL]",
	.options = list_options,
	.run = run_list,
};

static const cli_command token_revoke = {
	.name = "revoke",
	.summary = "revoke a token by name",
	.synopsis = "NAME [--store URL]",
	.options = revoke_options,
	.run = run_revoke,
};

static const cli_command *const token_subs[] = {&token_create, &token_list, &token_revoke, NULL};

const cli_command cli_cmd_token = {
	.name = "token",
	.summary = "API tokens of lading serve: create, list, revoke",
	.subs = token_subs,
};

static int run_create(int argc, char **argv)
{
	token_opts o;
	int rc = parse_token(argc, argv, &token_create, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.name || !o.scope)
		return cli_usage("token create: --name NAME and --scope read|write|admin");
	return with_store(&o, do_create);
}

static int run_list(int argc, char **argv)
{
	token_opts o;
	int rc = parse_token(argc, argv, &token_list, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	return with_store(&o, do_list);
}

static int run_revoke(int argc, char **argv)
{
	token_opts o;
	int rc = parse_token(argc, argv, &token_revoke, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.name)
		return cli_usage("token revoke NAME");
	return with_store(&o, do_revoke);
}

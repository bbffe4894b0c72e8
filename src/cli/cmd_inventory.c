/* lading inventory add|rescan|query|list|containers|prune|check: the fleet inventory. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_JOBS 64
#define MAX_PLATFORMS 64
#define MAX_SNAPSHOT_BYTES ((size_t)512 << 20)

extern const cli_command cli_cmd_inventory;

typedef struct inv_opts {
	const char *store, *db, *format, *output;
	const char *cve, *package, *type, *image, *severity, *before, *from, *source, *repos, *tags, *page_size;
	const char *kubeconfig, *context, *push, *token_file;
	const char *platforms[MAX_PLATFORMS];
	size_t nplatforms;
	bool kev, no_match, crawled;
	unsigned jobs;
	cli_image_opts img;
	const char *argv_buf[4096];
	const char **args; /* argv_buf, or the references a crawl found */
	size_t nargs;
	lading_format fmt;
} inv_opts;

static int parse_value(int argc, char **argv, int *i, const char *name, const char **out, int *ret)
{
	const char *val;
	if (!cli_opt(argc, argv, i, name, &val))
		return 0;
	if (!val) {
		*ret = cli_usage("%s needs a value", name);
		return -1;
	}
	*out = val;
	return 1;
}

static int parse(int argc, char **argv, inv_opts *o)
{
	const char *jobs = NULL;
	int ret = 0, r;

	memset(o, 0, sizeof(*o));
	o->args = o->argv_buf;
	o->format = "table";
	o->jobs = 1;
	for (int i = 1; i < argc; i++) {
		const char *const names[] = {"--store", "--db",	      "--format", "-o",	       "--cve",
					     "--package", "--type",   "--image",  "--severity", "--before",
					     "--from",	  "--source", "--jobs",	  "--repos",    "--tags",
					     "--page-size", "--kubeconfig", "--context", "--push", "--token-file"};
		const char **dst[] = {&o->store,   &o->db,     &o->format, &o->output,   &o->cve,
				      &o->package, &o->type,   &o->image,  &o->severity, &o->before,
				      &o->from,	   &o->source, &jobs,	   &o->repos,	 &o->tags,
				      &o->page_size, &o->kubeconfig, &o->context, &o->push, &o->token_file};
		bool done = false;
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_inventory);
			return -1;
		}
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]) && !done; k++) {
			if ((r = parse_value(argc, argv, &i, names[k], dst[k], &ret)) < 0)
				return ret;
			done = r > 0;
		}
		if (done)
			continue;
		if (cli_opt(argc, argv, &i, "--platform", &o->platforms[o->nplatforms])) {
			if (!o->platforms[o->nplatforms])
				return cli_usage("--platform needs a value");
			if (++o->nplatforms == MAX_PLATFORMS)
				return cli_usage("--platform: at most %d", MAX_PLATFORMS - 1);
		} else if (cli_flag(argv, i, "--kev")) {
			o->kev = true;
		} else if (cli_flag(argv, i, "--quiet") || cli_flag(argv, i, "-q")) {
			cli_quiet = true;
		} else if (cli_flag(argv, i, "--no-match")) {
			o->no_match = true;
		} else if ((r = cli_image_flag(argc, argv, &i, &o->img)) != 0) {
			if (r != 1)
				return r;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage("unknown option %s", argv[i]);
		} else if (o->nargs < sizeof(o->argv_buf) / sizeof(o->argv_buf[0])) {
			o->argv_buf[o->nargs++] = argv[i];
		} else {
			return cli_usage("too many arguments");
		}
	}
	if (jobs) {
		char *end;
		unsigned long n = strtoul(jobs, &end, 10);
		if (*end || n < 1 || n > MAX_JOBS)
			return cli_usage("--jobs: a number from 1 to %d", MAX_JOBS);
		o->jobs = (unsigned)n;
	}
	if (!o->db)
		o->db = getenv("LADING_DB");
	if (lading_format_for(LADING_REPORT_LIST, o->format, &o->fmt))
		return cli_usage("--format: table or json");
	return 0;
}

static int open_store(const inv_opts *o, lading_ctx *ctx, lading_store **s)
{
	int rc = lading_store_open(s, ctx, o->store);
	return rc ? cli_fail(ctx, rc) : 0;
}

/* Queue the webhooks' events for what changed (nothing when no webhook is configured); they are
 * sent by a running serve or worker, or by 'lading webhook deliver'. */
static int notify(lading_store *s, lading_ctx *ctx, const char *trigger)
{
	lading_notify_result r;
	int rc = lading_notify_evaluate(s, ctx, trigger, NULL, &r);
	if (rc)
		return cli_fail(ctx, rc);
	if (r.events && !cli_quiet)
		fprintf(stderr, "notifications: %zu event%s for %zu image%s, %zu deliver%s queued\n", r.events,
			r.events == 1 ? "" : "s", r.images, r.images == 1 ? "" : "s", r.deliveries,
			r.deliveries == 1 ? "y" : "ies");
	return EXIT_OK;
}

/* ---- add ---- */

typedef struct add_job {
	const inv_opts *o;
	lading_image_options io;
	pthread_mutex_t mu;
	size_t next, failed, recorded;
} add_job;

static void *add_worker(void *arg)
{
	add_job *j = arg;
	lading_ctx *ctx = NULL;
	lading_store *s = NULL;
	lading_inventory_options opts = LADING_INVENTORY_OPTIONS_INIT;
	int rc;

	opts.db_path = j->o->db;
	opts.image = &j->io;
	opts.no_match = j->o->no_match;
	if (lading_ctx_new(&ctx))
		return NULL;
	cli_image_ctx(&j->o->img, ctx);
	cli_progress_install(ctx);
	if ((rc = lading_store_open(&s, ctx, j->o->store))) {
		pthread_mutex_lock(&j->mu);
		cli_fail(ctx, rc);
		j->failed += j->o->nargs;
		j->next = j->o->nargs;
		pthread_mutex_unlock(&j->mu);
		lading_ctx_free(ctx);
		return NULL;
	}
	for (;;) {
		lading_inventory_added a;
		size_t i;
		pthread_mutex_lock(&j->mu);
		i = j->next < j->o->nargs ? j->next++ : (size_t)-1;
		pthread_mutex_unlock(&j->mu);
		if (i == (size_t)-1)
			break;
		pthread_mutex_lock(&j->mu);
		cli_progress_step("images", i, j->o->nargs);
		pthread_mutex_unlock(&j->mu);
		rc = lading_inventory_add(s, ctx, j->o->args[i], &opts, &a);
		pthread_mutex_lock(&j->mu);
		cli_progress_done();
		if (rc) {
			fprintf(stderr, "lading: %s: %s\n", j->o->args[i], lading_ctx_error(ctx)->msg);
			j->failed++;
		} else if (j->recorded++, !a.layers_read) {
			printf("%s %s: known, not read again%s\n", a.digest, j->o->args[i], a.matched ? "" : " (not matched)");
		} else {
			printf("%s %s: %s, %zu packages, %zu findings%s\n", a.digest, j->o->args[i],
			       a.new_image ? "recorded" : "recorded again", a.packages, a.findings,
			       a.matched ? "" : " (not matched)");
		}
		fflush(stdout);
		pthread_mutex_unlock(&j->mu);
	}
	lading_store_close(s);
	lading_ctx_free(ctx);
	return NULL;
}

/* The day's fleet summary for report fleet --history (rescans write one each). */
static int add_history(const inv_opts *o)
{
	lading_ctx *ctx = NULL;
	lading_store *s = NULL;
	int rc, ret = EXIT_OK;

	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if ((rc = lading_store_open(&s, ctx, o->store)) || (rc = lading_inventory_history(s, ctx, 1)))
		ret = cli_fail(ctx, rc);
	else
		ret = notify(s, ctx, "add");
	lading_store_close(s);
	lading_ctx_free(ctx);
	return ret;
}

static int do_add(inv_opts *o)
{
	add_job j;
	pthread_t th[MAX_JOBS];
	unsigned n;
	int ret;

	if (!o->nargs)
		return cli_usage("inventory add: name at least one IMAGE");
	memset(&j, 0, sizeof(j));
	j.o = o;
	j.io = (lading_image_options)LADING_IMAGE_OPTIONS_INIT;
	if ((ret = cli_image_apply(&o->img, &j.io)))
		return ret;
	if (o->nplatforms > 1 && !o->crawled)
		return cli_usage("inventory add: one --platform (the image an index names for it)");
	j.io.platform = o->nplatforms && !o->crawled ? o->platforms[0] : NULL;
	pthread_mutex_init(&j.mu, NULL);
	n = o->jobs < o->nargs ? o->jobs : (unsigned)o->nargs;
	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, add_worker, &j)) {
			n = i;
			break;
		}
	if (!n)
		add_worker(&j);
	for (unsigned i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&j.mu);
	cli_image_release(&o->img);
	if (j.recorded && (ret = add_history(o)))
		return ret;
	return j.failed ? EXIT_ERROR : EXIT_OK;
}

/* crawl REGISTRY: list the registry's selected tags, then record them as add does (an image
 * already stored is not fetched again, so an interrupted crawl re-run goes on where it stopped) */
static int do_crawl(inv_opts *o)
{
	lading_crawl_options co = LADING_CRAWL_OPTIONS_INIT;
	lading_image_options io = LADING_IMAGE_OPTIONS_INIT;
	lading_ctx *ctx = NULL;
	char **refs = NULL;
	size_t n = 0;
	int rc, ret;

	if (o->nargs != 1)
		return cli_usage("inventory crawl REGISTRY (HOST[:PORT])");
	co.repos = o->repos;
	co.tags = o->tags;
	co.platforms = o->platforms;
	co.platform_count = o->nplatforms;
	if (o->page_size) {
		char *end;
		unsigned long v = strtoul(o->page_size, &end, 10);
		if (*end || !v || v > 100000)
			return cli_usage("--page-size: 1 to 100000");
		co.page_size = (unsigned)v;
	}
	if ((ret = cli_image_apply(&o->img, &io)))
		return ret;
	co.image = &io;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	cli_progress_install(ctx);
	rc = lading_registry_crawl_list(&refs, &n, ctx, o->args[0], &co);
	cli_progress_done();
	cli_print_warnings(ctx, false);
	if (rc) {
		ret = cli_fail(ctx, rc);
		lading_ctx_free(ctx);
		cli_image_release(&o->img);
		return ret;
	}
	lading_ctx_free(ctx);
	fprintf(stderr, "crawl %s: %zu images selected\n", o->argv_buf[0], n);
	o->args = (const char **)refs;
	o->nargs = n;
	o->crawled = true;
	ret = n ? do_add(o) : EXIT_OK;
	if (!n)
		cli_image_release(&o->img);
	o->args = o->argv_buf;
	lading_registry_crawl_list_free(refs, n);
	return ret;
}

/* ---- documents ---- */

static int write_doc(const inv_opts *o, char *out, size_t len)
{
	int ret = cli_write_output(o->output, out, len);
	free(out);
	return ret;
}

static int do_query(inv_opts *o, lading_ctx *ctx, lading_store *s)
{
	lading_inventory_query q = {0, NULL, NULL};
	char *out = NULL;
	size_t len = 0;
	int kinds = (o->cve != NULL) + (o->package != NULL) + (o->image != NULL) + o->kev + (o->severity != NULL);
	int rc;

	if (kinds != 1)
		return cli_usage("inventory query: one of --cve, --package, --image, --kev, --severity");
	if (o->type && !o->package)
		return cli_usage("--type goes with --package");
	if (o->cve)
		q = (lading_inventory_query){LADING_QUERY_CVE, o->cve, NULL};
	else if (o->package)
		q = (lading_inventory_query){LADING_QUERY_PACKAGE, o->package, o->type};
	else if (o->image)
		q = (lading_inventory_query){LADING_QUERY_IMAGE, o->image, NULL};
	else if (o->kev)
		q = (lading_inventory_query){LADING_QUERY_KEV, NULL, NULL};
	else
		q = (lading_inventory_query){LADING_QUERY_SEVERITY, o->severity, NULL};
	if ((rc = lading_inventory_query_run(s, ctx, &q, o->fmt, &out, &len)))
		return cli_fail(ctx, rc);
	return write_doc(o, out, len);
}

static int do_list(inv_opts *o, lading_ctx *ctx, lading_store *s)
{
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (o->nargs != 1)
		return cli_usage("inventory list images|containers|layers");
	if ((rc = lading_inventory_list(s, ctx, o->args[0], o->fmt, &out, &len)))
		return cli_fail(ctx, rc);
	return write_doc(o, out, len);
}

static int do_rescan(inv_opts *o, lading_ctx *ctx, lading_store *s)
{
	lading_inventory_options opts = LADING_INVENTORY_OPTIONS_INIT;
	lading_rescan_result r;
	char *out = NULL;
	size_t len = 0;
	int rc;

	opts.db_path = o->db;
	cli_progress_install(ctx);
	rc = lading_inventory_rescan(s, ctx, &opts, o->fmt, &out, &len, &r);
	cli_progress_done();
	if (rc)
		return cli_fail(ctx, rc);
	fprintf(stderr, "rescan: %zu images, %zu package lists, %zu distinct packages matched: %zu new, %zu resolved"
			" (%zu newly known exploited)\n",
		r.images, r.package_lists, r.packages, r.new_findings, r.resolved, r.kev_new);
	if ((rc = write_doc(o, out, len)))
		return rc;
	return notify(s, ctx, "rescan");
}

/* Images the snapshot's containers run that the store lacks: from the engine or the registry. */
static int snapshot_images(inv_opts *o, lading_ctx *ctx, lading_store *s, const lading_containers *c)
{
	lading_image_options io = LADING_IMAGE_OPTIONS_INIT;
	lading_inventory_options opts = LADING_INVENTORY_OPTIONS_INIT;
	size_t added = 0, failed = 0;
	int rc;
	if ((rc = cli_image_apply(&o->img, &io)))
		return rc;
	opts.db_path = o->db;
	opts.image = &io;
	opts.no_match = o->no_match;
	rc = lading_inventory_snapshot_images(s, ctx, c, &opts, &added, &failed);
	cli_print_warnings(ctx, false);
	if (rc)
		return cli_fail(ctx, rc);
	if (added || failed)
		printf("images of the snapshot: %zu recorded, %zu could not be read\n", added, failed);
	return failed ? EXIT_ERROR : EXIT_OK;
}

/* One snapshot from the source the options name. */
static int read_containers(const inv_opts *o, lading_ctx *ctx, lading_containers **c)
{
	lading_containers_options co = LADING_CONTAINERS_OPTIONS_INIT;
	int rc;
	co.from_file = o->from;
	co.docker_host = o->img.docker_host;
	co.kubeconfig = o->kubeconfig;
	co.kube_context = o->context;
	co.source_name = o->source;
	co.insecure = o->img.insecure;
	if (!!co.from_file + !!co.docker_host + !!co.kubeconfig != 1)
		return cli_usage("inventory containers: one of --docker-host URL, --kubeconfig FILE, --from FILE|-");
	if ((rc = lading_containers_read(c, ctx, &co)))
		return cli_fail(ctx, rc);
	return EXIT_OK;
}

/* The token of --token-file (first line), else $LADING_TOKEN: never a command-line word, which
 * other users of the machine could read in the process list. */
static int push_token(const inv_opts *o, char *tok, size_t toksz)
{
	const char *env = getenv("LADING_TOKEN");
	if (o->token_file) {
		FILE *f = fopen(o->token_file, "r");
		if (!f || !fgets(tok, (int)toksz, f)) {
			if (f)
				fclose(f);
			return cli_usage("--token-file %s: cannot read a token from it", o->token_file);
		}
		fclose(f);
		tok[strcspn(tok, "\r\n")] = '\0';
	} else if (env && *env) {
		snprintf(tok, toksz, "%s", env);
	} else {
		return cli_usage("--push needs a write token: --token-file FILE or $LADING_TOKEN");
	}
	return EXIT_OK;
}

/* An agent: the snapshot goes to a server (POST /api/v1/containers), no local store. */
static int do_push(inv_opts *o)
{
	lading_push_options po = LADING_PUSH_OPTIONS_INIT;
	lading_containers *c = NULL;
	lading_ctx *ctx = NULL;
	char tok[1024], *answer = NULL;
	size_t alen = 0;
	int rc, ret;

	if ((ret = push_token(o, tok, sizeof(tok))) != EXIT_OK)
		return ret;
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if ((ret = read_containers(o, ctx, &c)) != EXIT_OK)
		goto out;
	po.url = o->push;
	po.token = tok;
	if ((rc = lading_containers_push(c, ctx, &po, &answer, &alen))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	if (o->fmt == LADING_FORMAT_JSON)
		fwrite(answer, 1, alen, stdout);
	else
		printf("snapshot of %s: %zu containers pushed to %s\n", lading_containers_source(c),
		       lading_containers_count(c), o->push);
out:
	explicit_bzero(tok, sizeof(tok));
	free(answer);
	lading_containers_free(c);
	lading_ctx_free(ctx);
	return ret;
}

static int do_containers(inv_opts *o, lading_ctx *ctx, lading_store *s)
{
	lading_containers *c = NULL;
	lading_snapshot snap;
	lading_snapshot_result r;
	int rc, ret = EXIT_OK;

	if ((ret = read_containers(o, ctx, &c)) != EXIT_OK)
		return ret;
	memset(&snap, 0, sizeof(snap));
	snap.source = lading_containers_source(c);
	snap.containers = lading_containers_items(c);
	snap.count = lading_containers_count(c);
	if ((rc = lading_inventory_record_snapshot(s, ctx, &snap, &r))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	printf("snapshot of %s: %zu containers, %zu new, %zu updated, %zu gone\n", snap.source, r.seen, r.added,
	       r.updated, r.gone);
	ret = snapshot_images(o, ctx, s, c);
	if (ret == EXIT_OK)
		ret = notify(s, ctx, "snapshot");
out:
	lading_containers_free(c);
	return ret;
}

static int do_prune(inv_opts *o, lading_ctx *ctx, lading_store *s)
{
	lading_prune_result r;
	int rc;
	if (!o->before)
		return cli_usage("inventory prune: --before DATE");
	if ((rc = lading_inventory_prune(s, ctx, o->before, &r)))
		return cli_fail(ctx, rc);
	printf("pruned: %zu images, %zu references, %zu containers, %zu package lists, %zu matches, %zu layers\n",
	       r.images, r.refs, r.containers, r.package_lists, r.matches, r.layers);
	return EXIT_OK;
}

static int do_check(inv_opts *o, lading_ctx *ctx, lading_store *s)
{
	char *out = NULL;
	size_t len = 0;
	int rc = lading_inventory_check(s, ctx, o->fmt, &out, &len);
	int ret = out ? cli_write_output(o->output, out, len) : EXIT_OK;
	free(out);
	if (rc)
		return cli_fail(ctx, rc);
	return ret;
}

/* One subcommand: argv[0] is its word. */
static int run_sub(int argc, char **argv, int (*fn)(inv_opts *, lading_ctx *, lading_store *))
{
	inv_opts o;
	lading_ctx *ctx = NULL;
	lading_store *s = NULL;
	int ret;

	if ((ret = parse(argc, argv, &o)))
		return ret < 0 ? EXIT_OK : ret;
	if (!fn)
		return do_add(&o);
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if (!(ret = open_store(&o, ctx, &s)))
		ret = fn(&o, ctx, s);
	lading_store_close(s);
	lading_ctx_free(ctx);
	return ret;
}

static int run_add(int argc, char **argv)
{
	return run_sub(argc, argv, NULL);
}

static int run_crawl(int argc, char **argv)
{
	inv_opts o;
	int ret = parse(argc, argv, &o);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	return do_crawl(&o);
}

static int run_rescan(int argc, char **argv)
{
	return run_sub(argc, argv, do_rescan);
}

static int run_query(int argc, char **argv)
{
	return run_sub(argc, argv, do_query);
}

static int run_list(int argc, char **argv)
{
	return run_sub(argc, argv, do_list);
}

static int run_containers(int argc, char **argv)
{
	inv_opts o;
	int ret;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--push") || !strncmp(argv[i], "--push=", 7)) {
			if ((ret = parse(argc, argv, &o)))
				return ret < 0 ? EXIT_OK : ret;
			return do_push(&o);
		}
	return run_sub(argc, argv, do_containers);
}

static int run_prune(int argc, char **argv)
{
	return run_sub(argc, argv, do_prune);
}

static int run_check(int argc, char **argv)
{
	return run_sub(argc, argv, do_check);
}

/* Every subcommand reads the same options (parse); each lists those it uses. */
#define STORE_OPTION {"--store", NULL, "URL", "the inventory store (see below)", CLI_C_FILE, NULL}
#define DB_OPTION                                                                                  \
	{"--db", NULL, "FILE",                                                                     \
	 "vulnerability database (default: $LADING_DB, else the cache's);\n"                      \
	 "add and containers match new images against it, rescan matches\n"                        \
	 "the whole fleet against it",                                                             \
	 CLI_C_FILE, NULL}
#define FORMAT_OPTION {"--format", NULL, "F", "table (default) or json", CLI_C_WORDS, "table json"}
#define OUTPUT_OPTION {"-o", NULL, "FILE", "write the document to FILE", CLI_C_FILE, NULL}

static const cli_option add_options[] = {
	{"--jobs", NULL, "N", "images recorded in parallel (default 1)", CLI_C_NONE, NULL},
	{"--platform", NULL, "P", "platform to pick from a multi-platform index (default linux/amd64)",
	 CLI_C_NONE, NULL},
	{"--no-match", NULL, NULL, "record without matching (no database needed)", CLI_C_NONE, NULL},
	STORE_OPTION,
	DB_OPTION,
	CLI_IMAGE_OPTIONS,
	CLI_QUIET_OPTION,
	{0},
};

static const cli_option crawl_options[] = {
	{"--repos", NULL, "GLOB", "repositories to record (e.g. 'library/*'; default all)", CLI_C_NONE,
	 NULL},
	{"--tags", NULL, "T", "latest (default), all, or N: the N last tags (lexical order)",
	 CLI_C_NONE, NULL},
	{"--page-size", NULL, "N", "names asked for per catalog/tags request (default 1000)",
	 CLI_C_NONE, NULL},
	{"--platform", NULL, "OS/ARCH[/VARIANT]",
	 "record only this platform of multi-platform indexes (and single\n"
	 "images whose config says it); repeatable; default every platform",
	 CLI_C_NONE, NULL},
	{"--jobs", NULL, "N", "images recorded in parallel (default 1)", CLI_C_NONE, NULL},
	{"--no-match", NULL, NULL, "record without matching (no database needed)", CLI_C_NONE, NULL},
	STORE_OPTION,
	DB_OPTION,
	CLI_IMAGE_OPTIONS,
	CLI_QUIET_OPTION,
	{0},
};

static const cli_option rescan_options[] = {
	STORE_OPTION, DB_OPTION, FORMAT_OPTION, OUTPUT_OPTION, CLI_QUIET_OPTION,
	{0},
};

static const cli_option query_options[] = {
	{"--cve", NULL, "ID", "images with this vulnerability (a CVE or any alias: GHSA, GO-, ...)", CLI_C_NONE, NULL},
	{"--package", NULL, "NAME[@VERSION]", "images with this package", CLI_C_NONE, NULL},
	{"--type", NULL, "T", "with --package: the purl type (deb, apk, npm, ...)", CLI_C_NONE,
	 NULL},
	{"--image", NULL, "REF|DIGEST", "what the store knows of one image", CLI_C_NONE, NULL},
	{"--kev", NULL, NULL, "images with known-exploited (KEV) vulnerabilities", CLI_C_NONE, NULL},
	{"--severity", NULL, "SEV", "images with findings of this severity or above", CLI_C_WORDS,
	 "critical high medium low unknown"},
	STORE_OPTION,
	FORMAT_OPTION,
	OUTPUT_OPTION,
	{0},
};

static const cli_option doc_options[] = {
	STORE_OPTION, FORMAT_OPTION, OUTPUT_OPTION, {0},
};

static const cli_option containers_options[] = {
	{"--from", NULL, "FILE|-",
	 "a snapshot file: docker ps --format json lines, docker inspect, crictl ps -o json,\n"
	 "kubectl get pods -o json of all namespaces, or lading's own container list",
	 CLI_C_FILE, NULL},
	{"--kubeconfig", NULL, "FILE", "Kubernetes API: the pods of all namespaces (current context)",
	 CLI_C_FILE, NULL},
	{"--context", NULL, "NAME", "kubeconfig context to use instead of the current one", CLI_C_NONE,
	 NULL},
	{"--source", NULL, "NAME", "the host or cluster the snapshot is of (default: derived from it)",
	 CLI_C_NONE, NULL},
	{"--no-match", NULL, NULL, "record new images without matching (no database needed)", CLI_C_NONE,
	 NULL},
	{"--push", NULL, "URL",
	 "send the snapshot to a lading server (http[s]://HOST:PORT) instead of a local\n"
	 "store: an agent on each host (POST /api/v1/containers)",
	 CLI_C_NONE, NULL},
	{"--token-file", NULL, "FILE", "with --push: a file holding a write token (else $LADING_TOKEN)",
	 CLI_C_FILE, NULL},
	STORE_OPTION,
	DB_OPTION,
	CLI_IMAGE_OPTIONS,
	CLI_QUIET_OPTION,
	{0},
};

static const cli_option prune_options[] = {
	{"--before", NULL, "DATE", "remove what was last seen before DATE (YYYY-MM-DD or\nYYYY-MM-DDTHH:MM:SSZ, UTC) and what nothing uses any more", CLI_C_NONE, NULL},
	STORE_OPTION,
	{0},
};

static const cli_command inv_add = {
	.name = "add",
	.summary = "read images and record them (packages, layers, findings)",
	.synopsis = "IMAGE... [--jobs N]",
	.description = "IMAGE: anything 'lading scan' takes, sbom:FILE too (an SBOM recorded and matched\n"
		       "as POST /api/v1/sboms does). An image already in the store is not read\n"
		       "again; layers of new images that were read before come from the layer cache.",
	.options = add_options,
	.operands = CLI_C_IMAGE,
	.run = run_add,
};

static const cli_command inv_crawl = {
	.name = "crawl",
	.summary = "record the images of a registry (/v2/_catalog, tags lists, resumable)",
	.synopsis = "REGISTRY [--repos GLOB] [--tags latest|all|N] [--platform OS/ARCH[/VARIANT]]...\n"
		    " [--jobs N] [--insecure] [--insecure-registry HOST:PORT]",
	.description = "REGISTRY: HOST[:PORT]. The catalog and tags lists are read page by page (the\n"
		       "Link header's next page, else n and last), with the registry's Basic or Bearer\n"
		       "token authentication. Every selected tag is resolved to its manifest digest, one\n"
		       "per platform of a multi-platform index, and each image is recorded as add does;\n"
		       "an image already stored is not fetched again, so an interrupted crawl run again\n"
		       "goes on where it stopped.",
	.options = crawl_options,
	.run = run_crawl,
};

static const cli_command inv_rescan = {
	.name = "rescan",
	.summary = "match every stored image against the database again, reading no image",
	.synopsis = "",
	.options = rescan_options,
	.run = run_rescan,
};

static const cli_command inv_query = {
	.name = "query",
	.summary = "which images have a vulnerability, a package, KEV or a severity",
	.synopsis = "(--cve ID | --package NAME[@VERSION] [--type T] |\n"
		    " --image REF|DIGEST | --kev | --severity SEV)",
	.options = query_options,
	.run = run_query,
};

static const cli_command inv_list = {
	.name = "list",
	.summary = "the stored images, containers or layers",
	.synopsis = "images|containers|layers",
	.options = doc_options,
	.operands = CLI_C_WORDS,
	.operand_words = "images containers layers",
	.run = run_list,
};

static const cli_command inv_containers = {
	.name = "containers",
	.summary = "record a snapshot of the containers of a host or cluster, and their images",
	.synopsis = "(--docker-host URL | --kubeconfig FILE | --from FILE|-) [--source NAME]\n"
		    " [--push URL [--token-file FILE]]",
	.description = "A container absent from a later snapshot of the same source is marked gone, never\n"
		       "deleted. Images the store lacks are then read: from the engine (--docker-host)\n"
		       "or from their registry by digest (--kubeconfig); file snapshots record containers\n"
		       "only.",
	.options = containers_options,
	.run = run_containers,
};

static const cli_command inv_prune = {
	.name = "prune",
	.summary = "remove what was last seen before a date",
	.synopsis = "--before DATE",
	.options = prune_options,
	.run = run_prune,
};

static const cli_command inv_check = {
	.name = "check",
	.summary = "check the store's foreign keys and invariants",
	.synopsis = "",
	.options = doc_options,
	.run = run_check,
};

static const cli_command *const inventory_subs[] = {
	&inv_add, &inv_crawl, &inv_rescan, &inv_query, &inv_list, &inv_containers, &inv_prune, &inv_check, NULL,
};

const cli_command cli_cmd_inventory = {
	.name = "inventory",
	.summary = "the fleet inventory: add, crawl, rescan, query, list, containers, prune, check",
	.notes = "--store URL is a path or sqlite:PATH (SQLite), or postgres://USER@HOST:PORT/DB?...\n"
		 "(default: $LADING_STORE, else $XDG_DATA_HOME/lading/store.sqlite,\n"
		 "else ~/.local/share/lading/store.sqlite).\n"
		 "Exit status: 0 ok, 2 usage, 3 error (check: the store is not consistent).",
	.subs = inventory_subs,
};

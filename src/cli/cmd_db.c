/* lading db build|update|info: the vulnerability database (public API: lading/vulndb.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define DB_MAX_SOURCES 32

static void human_bytes(uint64_t n, char *out, size_t outsz)
{
	if (n >= 1000000)
		snprintf(out, outsz, "%.1f MB", (double)n / 1e6);
	else if (n >= 1000)
		snprintf(out, outsz, "%.1f kB", (double)n / 1e3);
	else
		snprintf(out, outsz, "%llu B", (unsigned long long)n);
}

static void human_age(int64_t s, char *out, size_t outsz)
{
	if (s < 0)
		snprintf(out, outsz, "in the future: check the clock");
	else if (s < 120)
		snprintf(out, outsz, "%lld seconds ago", (long long)s);
	else if (s < 7200)
		snprintf(out, outsz, "%lld minutes ago", (long long)(s / 60));
	else if (s < 172800)
		snprintf(out, outsz, "%lld hours ago", (long long)(s / 3600));
	else
		snprintf(out, outsz, "%lld days ago", (long long)(s / 86400));
}

static int print_report(const lading_db_report *r, bool json, bool update)
{
	char size[32];
	if (json) {
		char *doc;
		size_t len;
		int rc;
		if (lading_db_report_json(r, &doc, &len) != 0) {
			fprintf(stderr, "lading: out of memory\n");
			return EXIT_ERROR;
		}
		rc = cli_write_output(NULL, doc, len);
		free(doc);
		return rc;
	}
	printf("%-18s %-8s %9s %8s %9s  %-27s%s\n", "FEED", "STATUS", "RECORDS", "SKIPPED",
	       "WITHDRAWN", "SNAPSHOT", update ? "  HTTP" : "");
	for (size_t i = 0; i < r->nfeeds; i++) {
		const lading_db_feed_report *f = &r->feeds[i];
		printf("%-18s %-8s %9llu %8llu %9llu  %-27s", f->name, f->status,
		       (unsigned long long)f->records, (unsigned long long)f->skipped,
		       (unsigned long long)f->withdrawn, f->snapshot ? f->snapshot : "-");
		if (update)
			printf("  %u downloaded, %u not modified, %u missing, %u retries",
			       f->downloaded, f->not_modified, f->missing, f->retries);
		printf("\n");
		if (f->message && strcmp(f->status, "ok"))
			printf("    %s%s\n",
			       !strcmp(f->status, "carried") ? "previous data kept: " : "",
			       f->message);
	}
	human_bytes(r->db_bytes, size, sizeof(size));
	printf("database %s (%s) written in %.1f s", r->db_path, size, r->seconds);
	if (r->carried || r->failed)
		printf("; %zu feed%s carried over, %zu failed", r->carried,
		       r->carried == 1 ? "" : "s", r->failed);
	printf("\n");
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

static int build_or_update(int argc, char **argv, bool update)
{
	lading_db_options o = LADING_DB_OPTIONS_INIT;
	const char *sources[DB_MAX_SOURCES];
	size_t nsources = 0;
	bool json = false, verbose = false;
	lading_ctx *ctx = NULL;
	lading_db_report *rep = NULL;
	int rc, ex;

	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (cli_flag(argv, i, "--json")) {
			json = true;
		} else if (cli_flag(argv, i, "-v") || cli_flag(argv, i, "--verbose")) {
			verbose = true;
		} else if (cli_flag(argv, i, "-q") || cli_flag(argv, i, "--quiet")) {
			cli_quiet = true;
		} else if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_db);
			return EXIT_OK;
		} else if (cli_opt(argc, argv, &i, "--db", &v)) {
			if (!v || !*v)
				return cli_usage("--db needs a file");
			o.db_path = v;
		} else if (cli_opt(argc, argv, &i, "--threads", &v)) {
			if (!cli_parse_count(v, 64, &o.threads))
				return cli_usage("--threads needs a number");
		} else if (!update && cli_opt(argc, argv, &i, "--mirror", &v)) {
			if (!v || !*v)
				return cli_usage("--mirror needs a directory");
			o.mirror = v;
		} else if (update && cli_opt(argc, argv, &i, "--source", &v)) {
			if (!v || !*v)
				return cli_usage("--source needs NAME or NAME=URL");
			if (nsources >= DB_MAX_SOURCES)
				return cli_usage("too many --source options");
			sources[nsources++] = v;
		} else if (update && cli_opt(argc, argv, &i, "--cache", &v)) {
			if (!v || !*v)
				return cli_usage("--cache needs a directory");
			o.cache_dir = v;
		} else if (update && cli_opt(argc, argv, &i, "--retries", &v)) {
			unsigned r;
			if (!cli_parse_count(v, 20, &r))
				return cli_usage("--retries needs a number (0-20)");
			o.retries = (int)r;
		} else if (update && cli_opt(argc, argv, &i, "--connect-timeout", &v)) {
			if (!cli_parse_count(v, 3600, &o.connect_timeout_s) || !o.connect_timeout_s)
				return cli_usage("--connect-timeout needs seconds (1-3600)");
		} else if (update && cli_opt(argc, argv, &i, "--read-timeout", &v)) {
			if (!cli_parse_count(v, 3600, &o.read_timeout_s) || !o.read_timeout_s)
				return cli_usage("--read-timeout needs seconds (1-3600)");
		} else {
			return cli_usage("db %s: unknown option '%s' (see 'lading db --help')",
					 update ? "update" : "build", argv[i]);
		}
	}
	if (!update && !o.mirror)
		return cli_usage("db build needs --mirror DIR");
	o.sources = sources;
	o.nsources = nsources;
	if (lading_ctx_new(&ctx) != 0) {
		fprintf(stderr, "lading: out of memory\n");
		return EXIT_ERROR;
	}
	cli_progress_install(ctx);
	rc = update ? lading_db_update(&o, &rep, ctx) : lading_db_build(&o, &rep, ctx);
	cli_progress_done();
	if (rc) {
		ex = cli_fail(ctx, rc);
		cli_print_warnings(ctx, verbose);
		lading_ctx_free(ctx);
		return ex;
	}
	cli_print_warnings(ctx, verbose);
	ex = print_report(rep, json, update);
	/* an update that could not refresh a feed that had data says so and exits 3; a build
	 * carrying over a damaged feed is a success (its mirror is what it is) */
	for (size_t i = 0; update && i < rep->nfeeds; i++) {
		const lading_db_feed_report *f = &rep->feeds[i];
		if (f->stale)
			fprintf(stderr, "lading: %s could not be refreshed (%s); %s\n", f->name,
				f->message ? f->message : "?",
				!strcmp(f->status, "carried") ? "its previous data is kept"
							      : "it has no previous data");
	}
	if (ex == EXIT_OK && update && rep->stale)
		ex = EXIT_ERROR;
	if (rep->failed) {
		fprintf(stderr, "lading: %zu feed%s failed with no previous data to keep\n",
			rep->failed, rep->failed == 1 ? "" : "s");
		ex = EXIT_ERROR;
	}
	lading_db_report_free(rep);
	lading_ctx_free(ctx);
	return ex;
}

static int run_info(int argc, char **argv)
{
	const char *db = NULL;
	bool json = false;
	lading_ctx *ctx = NULL;
	lading_db_info *info = NULL;
	char size[32], age[64];
	int rc, ex = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (cli_flag(argv, i, "--json")) {
			json = true;
		} else if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_db);
			return EXIT_OK;
		} else if (cli_opt(argc, argv, &i, "--db", &v)) {
			if (!v || !*v)
				return cli_usage("--db needs a file");
			db = v;
		} else {
			return cli_usage("db info: unknown option '%s'", argv[i]);
		}
	}
	if (lading_ctx_new(&ctx) != 0) {
		fprintf(stderr, "lading: out of memory\n");
		return EXIT_ERROR;
	}
	if ((rc = lading_db_info_get(db, &info, ctx))) {
		ex = cli_fail(ctx, rc);
		lading_ctx_free(ctx);
		return ex;
	}
	if (json) {
		char *doc;
		size_t len;
		if (lading_db_info_json(info, &doc, &len) != 0) {
			fprintf(stderr, "lading: out of memory\n");
			ex = EXIT_ERROR;
		} else {
			ex = cli_write_output(NULL, doc, len);
			free(doc);
		}
		goto out;
	}
	human_bytes(info->file_bytes, size, sizeof(size));
	human_age(info->age_seconds, age, sizeof(age));
	printf("database  %s (%s)\n", info->path, size);
	printf("built     %s (%s) by lading %s, schema %d\n", info->built_at ? info->built_at : "?",
	       age, info->lading_version ? info->lading_version : "?", info->schema_version);
	printf("\n%-18s %-8s %-27s %9s %8s %9s\n", "FEED", "STATUS", "SNAPSHOT", "RECORDS",
	       "SKIPPED", "WITHDRAWN");
	for (size_t i = 0; i < info->nfeeds; i++) {
		const lading_db_feed_info *f = &info->feeds[i];
		printf("%-18s %-8s %-27s %9llu %8llu %9llu\n", f->name, f->status,
		       f->snapshot ? f->snapshot : "-", (unsigned long long)f->records,
		       (unsigned long long)f->skipped, (unsigned long long)f->withdrawn);
		for (size_t k = 0; k < info->ncounts; k++) {
			const lading_db_count_info *c = &info->counts[k];
			if (strcmp(c->feed, f->name))
				continue;
			printf("    %-24s %7llu advisories %7llu packages %8llu entries\n",
			       c->ecosystem, (unsigned long long)c->advisories,
			       (unsigned long long)c->packages, (unsigned long long)c->affected);
		}
		if (f->message)
			printf("    %s (imported %s)\n", f->message,
			       f->imported_at ? f->imported_at : "?");
	}
	if (fflush(stdout) != 0)
		ex = EXIT_ERROR;
out:
	lading_db_info_free(info);
	lading_ctx_free(ctx);
	return ex;
}

static int run_build(int argc, char **argv)
{
	return build_or_update(argc, argv, false);
}

static int run_update(int argc, char **argv)
{
	return build_or_update(argc, argv, true);
}

#define DB_OPTION                                                                                  \
	{"--db", NULL, "FILE", "the database (default: $LADING_DB, else\n"                         \
			       "$XDG_CACHE_HOME/lading/db.sqlite, else ~/.cache/lading/db.sqlite)", \
	 CLI_C_FILE, NULL}
#define JSON_OPTION {"--json", NULL, NULL, "print the report as JSON", CLI_C_NONE, NULL}
#define VERBOSE_OPTION                                                                             \
	{"--verbose", "-v", NULL, "print every warning (malformed records skipped)", CLI_C_NONE, NULL}
#define THREADS_OPTION                                                                             \
	{"--threads", NULL, "N", "feeds imported in parallel (default: the number of CPUs; 1-64)",  \
	 CLI_C_NONE, NULL}

static const cli_option build_options[] = {
	{"--mirror", NULL, "DIR", "the copy of the feeds to build from", CLI_C_DIR, NULL},
	DB_OPTION,
	THREADS_OPTION,
	JSON_OPTION,
	VERBOSE_OPTION,
	CLI_QUIET_OPTION,
	{0},
};

static const cli_option update_options[] = {
	{"--source", NULL, "NAME[=URL]",
	 "fetch only this source (repeatable), from URL when given: a base URL\n"
	 "serving that source's folder of the mirror layout (as build --mirror DIR)",
	 CLI_C_WORDS, "osv alpine-secdb debian kev epss nvd"},
	DB_OPTION,
	{"--cache", NULL, "DIR", "where the downloaded feeds are kept (default FILE.feeds/)", CLI_C_DIR,
	 NULL},
	{"--retries", NULL, "N", "retries of a failed download (0-20)", CLI_C_NONE, NULL},
	{"--connect-timeout", NULL, "S", "seconds to wait for a connection (1-3600)", CLI_C_NONE, NULL},
	{"--read-timeout", NULL, "S", "seconds to wait for data on a connection (1-3600)", CLI_C_NONE,
	 NULL},
	THREADS_OPTION,
	JSON_OPTION,
	VERBOSE_OPTION,
	CLI_QUIET_OPTION,
	{0},
};

static const cli_option info_options[] = {
	DB_OPTION,
	JSON_OPTION,
	{0},
};

static const cli_command db_build = {
	.name = "build",
	.summary = "build the database offline from DIR",
	.synopsis = "--mirror DIR [--db FILE] [--threads N] [--json] [-v] [-q]",
	.description = "DIR is laid out like the upstream feeds:\n"
		       "osv/<Ecosystem>/all.zip, alpine-secdb/v3.X/*.json|yaml, debian/DSA.list,\n"
		       "debian/DLA.list, kev/, epss/, nvd/ (see docs/vulndb.md)",
	.options = build_options,
	.run = run_build,
};

static const cli_command db_update = {
	.name = "update",
	.summary = "download the feeds from their upstream URLs and rebuild",
	.synopsis = "[--source NAME[=URL] ...] [--db FILE] [--cache DIR]\n"
		    " [--retries N] [--connect-timeout S] [--read-timeout S] [--json] [-v] [-q]",
	.description = "Conditional requests against the copies kept in the cache (FILE.feeds/ by\n"
		       "default). With --source, only the named sources are fetched; NAME=URL reads\n"
		       "them from a mirror in the layout of build --mirror (e.g.\n"
		       "--source epss=http://host/vulndata/epss), its files found from the server's\n"
		       "directory listing or by their known names. The others keep their previous\n"
		       "data. Sources: osv, alpine-secdb, debian, kev, epss, nvd.\n"
		       "A feed that had data keeps it unless a newer copy was imported whole: not\n"
		       "modified (304) keeps it as it is; a failed download or import keeps it and\n"
		       "makes the exit status 3, naming the feed and the reason.",
	.options = update_options,
	.run = run_update,
};

static const cli_command db_info = {
	.name = "info",
	.summary = "what the database holds: feeds, snapshot dates, record counts, age",
	.synopsis = "[--db FILE] [--json]",
	.options = info_options,
	.run = run_info,
};

static const cli_command *const db_subs[] = {&db_build, &db_update, &db_info, NULL};

const cli_command cli_cmd_db = {
	.name = "db",
	.summary = "manage the vulnerability database: build, update, info",
	.notes = "The database is FILE, else $LADING_DB, else $XDG_CACHE_HOME/lading/db.sqlite, else\n"
		 "~/.cache/lading/db.sqlite. It is replaced atomically; a feed that fails keeps its\n"
		 "previous data. Exit status: 0 done, 2 usage, 3 error (including a feed that failed\n"
		 "with no previous data, and an update that could not refresh a feed: the new\n"
		 "database is installed all the same, with the old data of that feed).",
	.subs = db_subs,
};

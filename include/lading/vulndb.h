/* lading: the vulnerability database (one SQLite file; docs/vulndb.md describes it).
 *
 * Build it offline from a directory laid out like the upstream feeds (lading_db_build) or
 * refresh it from the upstream URLs (lading_db_update). Either way the new database is written
 * to a temporary file beside the target, flushed to disk and renamed over it: a process killed at
 * any moment leaves the previous database intact, and readers that have it open keep reading it.
 * A feed that cannot be read fails alone; when a previous database exists at the target, that
 * feed's rows are carried over from it (and reported as such). */
#ifndef LADING_VULNDB_H
#define LADING_VULNDB_H

#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The database path to use when none is given: $LADING_DB, else $XDG_CACHE_HOME/lading/db.sqlite,
 * else $HOME/.cache/lading/db.sqlite. LADING_ENOTFOUND when none of these variables is set,
 * LADING_ELIMIT when the path does not fit. */
LADING_EXTERN(int) lading_db_default_path(char *out, size_t outsz);

#define LADING_DB_OPTIONS_VERSION 1

typedef struct lading_db_options {
	unsigned version;    /* LADING_DB_OPTIONS_VERSION */
	const char *db_path; /* NULL = lading_db_default_path() */
	/* build */
	const char *mirror; /* directory laid out like the upstream feeds (see docs/vulndb.md) */
	/* update */
	const char *const
		*sources; /* "NAME" or "NAME=URL" (NAME: osv, alpine-secdb, debian, kev, epss,
			     nvd). When given, only these sources are fetched (from URL when set,
			     a base URL serving that source's folder of the mirror layout) and the
			     others are carried over from the previous database. */
	size_t nsources;
	const char *cache_dir; /* where downloads are kept between updates (conditional requests
				  need the previous copy); NULL = "<db_path>.feeds" */
	unsigned connect_timeout_s; /* 0 = 30 */
	unsigned read_timeout_s;    /* 0 = 60 */
	int retries;		    /* attempts after the first on network errors, 429 and 5xx;
				       < 0 = the default of 3 */
	unsigned threads;	    /* feeds imported in parallel; 0 = min(2, CPUs) */
} lading_db_options;

#define LADING_DB_OPTIONS_INIT \
	{LADING_DB_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, 0, 0, -1, 0}

/* What happened to one feed (import unit: "osv/PyPI", "alpine-secdb", "nvd", ...). */
typedef struct lading_db_feed_report {
	const char *name;
	const char *status;   /* "ok" (imported, or not modified since its rows were imported),
				 "carried" (failed or not fetched; previous rows kept), "failed" (no
				 data), "absent" (not published at the source, no previous data) */
	int stale;	      /* a refresh was due and failed (status carried or failed); the
				 message says why */
	const char *origin;   /* path or URL */
	const char *message;  /* why it failed / was carried over, or NULL */
	const char *snapshot; /* newest date in the feed */
	uint64_t records, skipped, withdrawn;
	/* update: HTTP requests for this feed's files */
	unsigned downloaded;   /* 200 */
	unsigned not_modified; /* 304: the cached copy was current */
	unsigned missing;      /* 404 */
	unsigned retries;      /* extra attempts made */
	uint64_t bytes;	       /* bytes downloaded */
} lading_db_feed_report;

typedef struct lading_db_report {
	const char *db_path;
	lading_db_feed_report *feeds;
	size_t nfeeds;
	size_t failed;	   /* feeds with status "failed" */
	size_t carried;	   /* feeds with status "carried" */
	size_t stale;	   /* feeds whose refresh failed (their previous rows, if any, kept) */
	uint64_t db_bytes; /* size of the new database file */
	double seconds;	   /* wall time */
} lading_db_report;

/* Build the database from `opts->mirror`. Returns 0 when the new database is in place (check the
 * report for failed or carried feeds), < 0 when nothing was replaced. */
LADING_EXTERN(int)
lading_db_build(const lading_db_options *opts, lading_db_report **out, lading_ctx *ctx);
/* Download the feeds (conditional requests against the cached copies) and rebuild. */
LADING_EXTERN(int)
lading_db_update(const lading_db_options *opts, lading_db_report **out, lading_ctx *ctx);
LADING_EXTERN(void) lading_db_report_free(lading_db_report *r);
/* The report as a JSON document (pretty-printed, ends with a newline); free() it. */
LADING_EXTERN(int) lading_db_report_json(const lading_db_report *r, char **out, size_t *len);

/* The database policy of commands that need one (lading scan): a database is obtained when there
 * is none at `opts->db_path` (or, with `rebuild`, replaced: one of another schema version) --
 * built from `opts->mirror` when set, else downloaded (lading_db_update; with opts->retries < 0,
 * one retry: an offline machine hears so soon). A result without a single usable feed is a
 * failure (it would report every image clean; a new file is removed again). *failed_feeds gets
 * the feeds that could not be read (0 when nothing was done). On failure the context has a
 * message ("no feed could be downloaded" when no step gave one). lading_db_present says whether
 * anything needs to be done without rebuild, so a caller can say what is about to happen. */
LADING_EXTERN(int) lading_db_present(const char *db_path);
LADING_EXTERN(int)
lading_db_ensure(const lading_db_options *opts, int rebuild, size_t *failed_feeds, lading_ctx *ctx);

/* ---- what a database holds (`lading db info`) */

typedef struct lading_db_feed_info {
	const char *name, *status, *origin, *snapshot, *imported_at, *message;
	uint64_t records, skipped, withdrawn;
} lading_db_feed_info;

typedef struct lading_db_count_info {
	const char *feed, *ecosystem;
	uint64_t advisories, packages, affected;
} lading_db_count_info;

typedef struct lading_db_info {
	const char *path;
	int schema_version;
	const char *built_at; /* RFC 3339 UTC */
	int64_t built_epoch;
	int64_t age_seconds; /* now - built_epoch */
	const char *lading_version;
	uint64_t file_bytes;
	const lading_db_feed_info *feeds;
	size_t nfeeds;
	const lading_db_count_info *counts; /* per feed and ecosystem */
	size_t ncounts;
} lading_db_info;

/* NULL db_path = the default path. */
LADING_EXTERN(int) lading_db_info_get(const char *db_path, lading_db_info **out, lading_ctx *ctx);
/* The info as a JSON document (pretty-printed, ends with a newline); free() it. */
LADING_EXTERN(int) lading_db_info_json(const lading_db_info *info, char **out, size_t *len);
LADING_EXTERN(void) lading_db_info_free(lading_db_info *info);

#ifdef __cplusplus
}
#endif
#endif

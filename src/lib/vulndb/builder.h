/* The build pipeline shared by `db build` (builder.c) and `db update` (update.c): import a list
 * of feeds into a new database file, carry failed ones over from the previous database, and
 * replace the target atomically. */
#ifndef LD_VDB_BUILDER_H
#define LD_VDB_BUILDER_H

#include <stdbool.h>
#include <stdint.h>

#include "lading/vulndb.h"
#include "util/arena.h"
#include "vulndb/vdb.h"

typedef int (*ld_vdb_import_fn)(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
				lading_ctx *ctx);

/* Where a feed is and what it needs (sources.c: one line per feed). */
typedef int (*ld_vdb_name_fn)(void *opaque, const char *rel);
typedef struct ld_vdb_feed_desc {
	const char *name;   /* feed name; ending in '/' ("osv/"): one feed per subdirectory of dir */
	const char *family; /* the --source NAME: "osv", "alpine-secdb", "debian", "kev", ... */
	const char *dir;    /* its directory in the mirror layout (and in the update cache) */
	const char *files;  /* a one-file feed: the file's accepted names in dir, '|'-separated,
			       first preferred; NULL: the feed is the directory */
	const char *upstream; /* upstream URL of dir, or of the file of a one-file feed */
	/* directory feeds: does it need the listed entry `rel` (a path under dir)? */
	bool (*want)(const char *rel, bool dir);
	/* directory feeds: the names (under dir) to ask for where no listing is served;
	 * `upstream`: for the upstream server rather than a mirror */
	int (*known)(ld_vdb_name_fn add, void *opaque, bool upstream);
	ld_vdb_import_fn fn;
	/* optional: of the files found (sorted), which to fetch (keep[i] = false drops rels[i]),
	 * when the importer reads only some of them */
	void (*pick)(const char *const *rels, size_t n, bool *keep);
} ld_vdb_feed_desc;

const ld_vdb_feed_desc *ld_vdb_feed_descs(size_t *n);
/* The line of the feed named `name` ("osv/PyPI" -> the "osv/" line), or NULL. */
const ld_vdb_feed_desc *ld_vdb_feed_find(const char *name);

/* What a feed is: its name, family (the --source NAME) and importer. */
typedef struct ld_vdb_feed_kind {
	const char *family;  /* "osv", "alpine-secdb", "debian", "kev", "epss", "nvd" */
	ld_vdb_import_fn fn; /* NULL: this build has no importer for it */
} ld_vdb_feed_kind;

/* IMPORT it; CARRY its previous rows (status "carried"); ABSENT: nothing to import or keep;
 * KEEP: not modified since its previous rows were imported: keep them (status "ok"). */
enum { LD_JOB_IMPORT = 0, LD_JOB_CARRY, LD_JOB_ABSENT, LD_JOB_KEEP };

typedef struct ld_vdb_job {
	char name[64]; /* "osv/PyPI", "alpine-secdb", "debian-dsa", ... */
	char family[32];
	char path[4096];   /* what to import */
	char origin[1024]; /* shown in reports: path or URL */
	ld_vdb_import_fn fn;
	uint64_t cost;	/* input bytes, to schedule big feeds first */
	int action;	/* LD_JOB_* decided before the build */
	char why[1024]; /* for CARRY/ABSENT/KEEP: why not imported */
	bool stale;	/* a refresh was due and failed: carrying it over is a failure */
	/* results */
	int rc;
	char msg[1024];
	ld_vdb_import_result res;
	const char *status; /* "ok", "carried", "failed", "absent" */
	/* update statistics */
	unsigned downloaded, not_modified, missing, retries;
	uint64_t bytes;
} ld_vdb_job;

/* The feed named `name` ("osv/PyPI" -> family osv): its kind, or NULL if unknown. */
int ld_vdb_feed_lookup(const char *name, ld_vdb_feed_kind *out);

/* Resolve opts->db_path (or the default) into out; create its directory. */
int ld_vdb_resolve_db_path(const lading_db_options *opts, char *out, size_t outsz, lading_ctx *ctx);

/* Exclusive lock on "<db>.lock" for the whole build/update; *fd to pass to ld_vdb_unlock. */
int ld_vdb_lock(const char *db_path, int *fd, lading_ctx *ctx);
void ld_vdb_unlock(int fd);

/* Feed names stored in the database at `path` (arena strings). n = 0 when there is none. */
int ld_vdb_prev_feeds(const char *path, ld_arena *a, const char ***names, size_t *n);

/* Import the jobs into a temporary file beside db_path, carry over what failed (and the jobs
 * marked CARRY) from the database currently at db_path, and rename the new file into place.
 * Fills *out. Returns < 0 only when no new database was installed. */
int ld_vdb_build_run(ld_vdb_job *jobs, size_t njobs, const char *db_path, unsigned threads,
		     double t0, lading_db_report **out, lading_ctx *ctx);

/* The feeds present in a directory laid out like ../shared/vulndata (docs/vulndb.md), as import
 * jobs (free() the array). */
int ld_vdb_mirror_jobs(const char *mirror, ld_vdb_job **out, size_t *n, lading_ctx *ctx);

double ld_vdb_now(void);

#endif

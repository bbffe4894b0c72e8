/* rpm's sqlite backend (rpm >= 4.16, var/lib/rpm/rpmdb.sqlite): table Packages(hnum INTEGER
 * PRIMARY KEY, blob BLOB), one header blob per row. Opened from memory with sqlite3_deserialize,
 * read-only; no file is created. */
#include <sqlite3.h>

#include "util/common.h"

#include "catalog/rpmdb.h"

/* Named limits. The DB is attacker-controlled: besides corrupt pages (which SQLite detects) it can
 * declare Packages as a view or give it generated columns, so queries are bounded in time and
 * value size, and Packages must be a plain table. */
#define RPMDB_SQLITE_MAX_BYTES	    ((size_t)1 << 30) /* DB size */
#define RPMDB_SQLITE_MAX_BLOB	    (32 << 20)	      /* one value (a header is <= ~17 MiB) */
#define RPMDB_SQLITE_PROGRESS_EVERY 1000	      /* VM steps between budget checks */
#define RPMDB_SQLITE_MAX_STEPS	    ((uint64_t)200 * 1000 * 1000) /* VM steps for the whole read */

/* File header byte offsets: "file format write/read version", 2 = WAL. */
#define SQLITE_HDR_WRITE_VERSION 18
#define SQLITE_HDR_READ_VERSION	 19

typedef struct budget {
	uint64_t steps;
	bool exceeded;
} budget;

static int progress(void *opaque)
{
	budget *b = opaque;
	b->steps += RPMDB_SQLITE_PROGRESS_EVERY;
	if (b->steps > RPMDB_SQLITE_MAX_STEPS) {
		b->exceeded = true;
		return 1; /* interrupt */
	}
	return 0;
}

static int db_error(sqlite3 *db, budget *b, lading_ctx *ctx, const char *label, const char *what)
{
	if (b->exceeded)
		return ld_error_set(ctx, LADING_ELIMIT,
				    "%s: %s: more than %" PRIu64 " sqlite steps", label, what,
				    RPMDB_SQLITE_MAX_STEPS);
	return ld_error_set(ctx, LADING_EINVALID, "%s: %s: %s", label, what,
			    db ? sqlite3_errmsg(db) : "cannot open an in-memory sqlite handle");
}

/* rpm runs the DB in WAL mode; SQLite's in-memory VFS cannot open a WAL database ("unable to
 * open database file"), so work on a copy whose header says rollback journal. The -wal file is
 * not part of the input: a DB with uncheckpointed WAL content is read as of its last checkpoint. */
static unsigned char *rollback_copy(const uint8_t *p, size_t len)
{
	unsigned char *copy = malloc(len);

	if (!copy)
		return NULL;
	memcpy(copy, p, len);
	if (copy[SQLITE_HDR_WRITE_VERSION] == 2)
		copy[SQLITE_HDR_WRITE_VERSION] = 1;
	if (copy[SQLITE_HDR_READ_VERSION] == 2)
		copy[SQLITE_HDR_READ_VERSION] = 1;
	return copy;
}

/* An in-memory, read-only, defensive handle on the copy, with the work budget. */
static int open_db(sqlite3 **db, unsigned char *copy, size_t len, budget *b, lading_ctx *ctx, const char *label)
{
	if (sqlite3_open_v2(":memory:", db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return db_error(*db, b, ctx, label, "open");
	sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(*db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
	sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
	sqlite3_limit(*db, SQLITE_LIMIT_LENGTH, RPMDB_SQLITE_MAX_BLOB);
	sqlite3_progress_handler(*db, RPMDB_SQLITE_PROGRESS_EVERY, progress, b);
	if (sqlite3_deserialize(*db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
		return db_error(*db, b, ctx, label, "cannot load the database");
	(void)sqlite3_exec(*db, "PRAGMA cell_size_check=ON", NULL, NULL, NULL);
	return 0;
}

/* Packages must be an ordinary table (a view could run arbitrary queries). */
static int check_packages_table(sqlite3 *db, budget *b, lading_ctx *ctx, const char *label)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *type;
	int rc = 0, src;

	if (sqlite3_prepare_v2(db, "SELECT type FROM sqlite_schema WHERE name = 'Packages'", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(db, b, ctx, label, "cannot read the schema");
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? ld_error_set(ctx, LADING_EINVALID, "%s: no Packages table", label)
					: db_error(db, b, ctx, label, "cannot read the schema");
	} else {
		type = sqlite3_column_text(st, 0);
		if (!type || strcmp((const char *)type, "table") != 0)
			rc = ld_error_set(ctx, LADING_EINVALID, "%s: Packages is not a table", label);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Each row's header blob to fn; rows read before a damaged page are still good packages. */
static int read_packages(sqlite3 *db, budget *b, ld_rpmdb_blob_fn fn, void *opaque, lading_ctx *ctx,
			 const char *label)
{
	sqlite3_stmt *st = NULL;
	size_t rows = 0;
	int rc = 0, src;

	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK)
		return db_error(db, b, ctx, label, "cannot query Packages");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);
		rows++;
		if (hnum <= 0 || !blob || n <= 0) {
			ld_warn(ctx, "%s: skipped Packages row with hnum %lld: no header blob",
				label, (long long)hnum);
			continue;
		}
		if ((rc = fn(opaque, (uint64_t)hnum, blob, (size_t)n)) != 0)
			goto out;
	}
	if (src != SQLITE_DONE) {
		if (rows == 0 || b->exceeded || src == SQLITE_NOMEM || src == SQLITE_TOOBIG) {
			rc = src == SQLITE_TOOBIG
				     ? ld_error_set(ctx, LADING_ELIMIT,
						    "%s: a Packages value exceeds %d bytes", label,
						    RPMDB_SQLITE_MAX_BLOB)
				     : db_error(db, b, ctx, label, "reading Packages");
			goto out;
		}
		ld_warn(ctx, "%s: stopped reading Packages after %zu rows: %s", label, rows,
			sqlite3_errmsg(db));
	}
out:
	sqlite3_finalize(st);
	return rc;
}

int ld_rpmdb_sqlite_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			    lading_ctx *ctx, const char *label)
{
	sqlite3 *db = NULL;
	unsigned char *copy = NULL;
	budget b = {0, false};
	int rc;

	if (len < 100 || memcmp(p, "SQLite format 3", 16) != 0)
		return ld_error_set(ctx, LADING_EINVALID, "%s: not a sqlite database", label);
	if (len > RPMDB_SQLITE_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %zu bytes (limit %zu)", label, len,
				    RPMDB_SQLITE_MAX_BYTES);
	if (!(copy = rollback_copy(p, len)))
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", label);
	if (!(rc = open_db(&db, copy, len, &b, ctx, label)) && !(rc = check_packages_table(db, &b, ctx, label)))
		rc = read_packages(db, &b, fn, opaque, ctx, label);
	sqlite3_close(db);
	free(copy);
	return rc;
}

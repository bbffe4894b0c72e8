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

int ld_rpmdb_sqlite_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			    lading_ctx *ctx, const char *label)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *copy = NULL;
	const unsigned char *type;
	budget b = {0, false};
	size_t rows = 0;
	int rc, src;

	if (len < 100 || memcmp(p, "SQLite format 3", 16) != 0)
		return ld_error_set(ctx, LADING_EINVALID, "%s: not a sqlite database", label);
	if (len > RPMDB_SQLITE_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %zu bytes (limit %zu)", label, len,
				    RPMDB_SQLITE_MAX_BYTES);
	/* rpm runs the DB in WAL mode; SQLite's in-memory VFS cannot open a WAL database
	 * ("unable to open database file"), so work on a copy whose header says rollback journal.
	 * The -wal file is not part of the input: a DB with uncheckpointed WAL content is read as
	 * of its last checkpoint. */
	if (!(copy = malloc(len)))
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", label);
	memcpy(copy, p, len);
	if (copy[SQLITE_HDR_WRITE_VERSION] == 2)
		copy[SQLITE_HDR_WRITE_VERSION] = 1;
	if (copy[SQLITE_HDR_READ_VERSION] == 2)
		copy[SQLITE_HDR_READ_VERSION] = 1;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = db_error(db, &b, ctx, label, "open");
		goto out;
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, RPMDB_SQLITE_MAX_BLOB);
	sqlite3_progress_handler(db, RPMDB_SQLITE_PROGRESS_EVERY, progress, &b);
	if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		rc = db_error(db, &b, ctx, label, "cannot load the database");
		goto out;
	}
	(void)sqlite3_exec(db, "PRAGMA cell_size_check=ON", NULL, NULL, NULL);

	/* Packages must be an ordinary table (a view could run arbitrary queries). */
	if (sqlite3_prepare_v2(db, "SELECT type FROM sqlite_schema WHERE name = 'Packages'", -1,
			       &st, NULL) != SQLITE_OK) {
		rc = db_error(db, &b, ctx, label, "cannot read the schema");
		goto out;
	}
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE
			     ? ld_error_set(ctx, LADING_EINVALID, "%s: no Packages table", label)
			     : db_error(db, &b, ctx, label, "cannot read the schema");
		goto out;
	}
	type = sqlite3_column_text(st, 0);
	if (!type || strcmp((const char *)type, "table") != 0) {
		rc = ld_error_set(ctx, LADING_EINVALID, "%s: Packages is not a table", label);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(db, &b, ctx, label, "cannot query Packages");
		goto out;
	}
	rc = 0;
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
		/* Salvage: rows read before a damaged page are still good packages. */
		if (rows == 0 || b.exceeded || src == SQLITE_NOMEM || src == SQLITE_TOOBIG) {
			rc = src == SQLITE_TOOBIG
				     ? ld_error_set(ctx, LADING_ELIMIT,
						    "%s: a Packages value exceeds %d bytes", label,
						    RPMDB_SQLITE_MAX_BLOB)
				     : db_error(db, &b, ctx, label, "reading Packages");
			goto out;
		}
		ld_warn(ctx, "%s: stopped reading Packages after %zu rows: %s", label, rows,
			sqlite3_errmsg(db));
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(copy);
	return rc;
}

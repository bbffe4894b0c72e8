/* The SQLite schema of the vulnerability database (documented in docs/vulndb.md), shared by the
 * writer and the query side. The only user of SQLite in the vulndb stage. */
#ifndef LD_VDB_SCHEMA_H
#define LD_VDB_SCHEMA_H

#include <sqlite3.h>

#include "lading/common.h"

/* Bumped on every incompatible change; readers refuse another version (rebuild the DB). */
#define LD_VDB_SCHEMA_VERSION 1

/* Tables, created before the bulk load. */
extern const char ld_vdb_schema_tables[];
/* Secondary indexes and the statistics, created after it. */
extern const char ld_vdb_schema_indexes[];

/* Run SQL without results; on failure the SQLite message goes to ctx as LADING_EDB. */
int ld_vdb_sql_exec(sqlite3 *db, const char *sql, lading_ctx *ctx, const char *what);
/* Report a SQLite failure ("what: sqlite message") as LADING_EDB (or ENOMEM/EIO). */
int ld_vdb_sql_fail(sqlite3 *db, int rc, lading_ctx *ctx, const char *what);
/* "file:" URI for a path (percent-encoding what URIs reserve), with `query` appended. */
int ld_vdb_sql_uri(char *out, size_t outsz, const char *path, const char *query);

#endif

/* The SQLite schema of the vulnerability database (documented in docs/vulndb.md), shared by the
 * writer and the query side. The only user of SQLite in the vulndb stage. */
#ifndef LD_VDB_SCHEMA_H
#define LD_VDB_SCHEMA_H

#include <sqlite3.h>

#include "lading/common.h"

/* Bumped on every incompatible change; readers refuse another version (rebuild the DB). */
#define LD_VDB_SCHEMA_VERSION 2 /* 2: affected_packed */

/* Packed affected entries (affected_packed.data), in `affected` order (advisory, seq). Each:
 * the advisory key (8 bytes, little-endian), a flags byte (bit 0: a CVSS score follows), the
 * score (IEEE-754 double, 8 bytes, little-endian), then LD_VDB_PACKED_TEXTS texts, each a
 * varint (0 = NULL, else its length + 1), its bytes and a NUL. Text order: */
enum {
	LD_VDB_PK_SOURCE,
	LD_VDB_PK_ADVISORY_ID,
	LD_VDB_PK_INFORMATIONAL,
	LD_VDB_PK_NAME,
	LD_VDB_PK_PURL,
	LD_VDB_PK_STATUS,
	LD_VDB_PK_SEVERITY,
	LD_VDB_PK_SEVERITY_RAW,
	LD_VDB_PK_CVSS_VECTOR,
	LD_VDB_PK_EXTRA,
	LD_VDB_PK_RANGES,
	LD_VDB_PK_VERSIONS,
	LD_VDB_PACKED_TEXTS
};
#define LD_VDB_PACKED_MAX ((size_t)256 << 20) /* bytes of one package's packed entries */

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

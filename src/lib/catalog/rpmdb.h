/* RPM package databases read from memory: the three on-disk formats (sqlite, Berkeley DB hash,
 * ndb) and the header blobs they store. No host file is opened and no global state is kept;
 * see docs/rpmdb.md for the formats and for why librpm is not used. */
#ifndef LD_CATALOG_RPMDB_H
#define LD_CATALOG_RPMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/arena.h"

/* One installed package. Strings are NUL-terminated, NULL when the tag is absent. */
typedef struct ld_rpm_pkg {
	const char *name, *version, *release, *arch, *sourcerpm, *vendor, *license,
		*modularitylabel;
	int32_t epoch;
	bool has_epoch;
	uint64_t size; /* LONGSIZE when present, else SIZE, else 0 */
	const char *
		*files; /* full paths: dirnames[dirindexes[i]] + basenames[i] (or OLDFILENAMES) */
	size_t nfiles;
} ld_rpm_pkg;

typedef enum { LD_RPMDB_AUTO, LD_RPMDB_SQLITE, LD_RPMDB_BDB, LD_RPMDB_NDB } ld_rpmdb_kind;

/* Parse one header blob as stored in the DBs (the "immutable header region" form: il, dl, index
 * entries, data store; no lead, no 8-byte header magic). All strings and arrays are allocated in
 * `a`. Returns LADING_EINVALID (malformed), LADING_ELIMIT (a named limit exceeded) or
 * LADING_ENOMEM / the arena's error, with detail on ctx. */
int ld_rpm_header_parse(const uint8_t *p, size_t len, ld_arena *a, ld_rpm_pkg *out,
			lading_ctx *ctx);

/* Read a whole DB from memory (kind detected from magic when AUTO). Headers that fail to parse
 * are skipped with ld_warn; fails only when the DB as a whole is unreadable (or the arena is
 * exhausted). `label` names the DB in messages (e.g. its path in the image). *out is an array
 * of *n packages in DB order, allocated in `a`. */
int ld_rpmdb_read(const uint8_t *p, size_t len, ld_rpmdb_kind kind, ld_arena *a, ld_rpm_pkg **out,
		  size_t *n, lading_ctx *ctx, const char *label);

/* The kind of DB `p` holds judging by its magic, or LD_RPMDB_AUTO when none matches. */
ld_rpmdb_kind ld_rpmdb_detect(const uint8_t *p, size_t len);

/* --- Backends (rpmdb_sqlite.c, rpmdb_bdb.c, rpmdb_ndb.c) --------------------------------------
 * Each walks one format and hands every stored header blob to `fn` with the record's id (hnum,
 * BDB key, ndb package index) for messages. The blob is only valid during the call. `fn` returns
 * 0 to go on or a negative code to stop; the backend then returns that code. A damaged record
 * is ld_warn'ed and skipped; a damaged DB is an error. */
typedef int (*ld_rpmdb_blob_fn)(void *opaque, uint64_t id, const uint8_t *blob, size_t len);

int ld_rpmdb_sqlite_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			    lading_ctx *ctx, const char *label);
int ld_rpmdb_bdb_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			 lading_ctx *ctx, const char *label);
int ld_rpmdb_ndb_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			 lading_ctx *ctx, const char *label);

#endif

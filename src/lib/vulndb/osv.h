/* OSV importer (https://ossf.github.io/osv-schema/): the osv.dev bucket's <Ecosystem>/all.zip or a
 * directory of OSV JSON records. How OSV maps onto the schema is in docs/vulndb.md ("OSV"). */
#ifndef LD_VDB_OSV_H
#define LD_VDB_OSV_H

#include <stdbool.h>
#include <stddef.h>

#include "lading/common.h"
#include "util/arena.h"
#include "vulndb/vdb.h"

/* One record parsed, everything allocated in the caller's arena. */
typedef struct ld_vdb_osv_record {
	ld_vdb_advisory adv;	/* source "osv"; ready for ld_vdb_put_advisory */
	bool withdrawn;		/* the record says `withdrawn`: not to be stored (adv.id is set) */
	size_t entries_dropped; /* affected entries without a usable package or any range/version */
} ld_vdb_osv_record;

/* Parse one OSV JSON record. `name` names the input in errors. LADING_EINVALID (with the record's
 * ID in the message when it has one) for a record that is not usable: not a JSON object, no ID,
 * wrong types of required fields; LADING_ELIMIT beyond the parser's limits. */
int ld_vdb_osv_parse(ld_vdb_osv_record *out, ld_arena *arena, const char *p, size_t len,
		     const char *name, lading_ctx *ctx);

/* Import a zip of OSV records (all.zip), a directory holding all.zip, a directory tree of *.json
 * records, or one .json record. Records that fail to parse are skipped with a warning naming the
 * file and the ID and counted in res->skipped; withdrawn ones are counted in res->withdrawn.
 * An unreadable input (missing, not a zip, truncated archive) fails as a whole. */
int ld_vdb_import_osv(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		      lading_ctx *ctx);

#endif

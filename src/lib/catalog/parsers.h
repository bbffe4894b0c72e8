/* Package-database parsers behind the OS catalogers, exposed for unit tests and fuzzing.
 * Each takes (ptr, len) and calls back once per record with slices into the input. */
#ifndef LD_CATALOG_PARSERS_H
#define LD_CATALOG_PARSERS_H

#include "util/slice.h"
#include "lading/common.h"

/* ---- dpkg status (var/lib/dpkg/status, status.d/<pkg>) ---- */
typedef struct ld_dpkg_stanza {
	ld_slice package, version, arch, source, status, maintainer;
	size_t line;           /* first line of the stanza, for messages */
} ld_dpkg_stanza;
/* fn returns 0 to continue, non-zero to stop (returned). Malformed stanzas (no Package) are
 * skipped with a warning on ctx. */
int ld_dpkg_parse(ld_slice text, int (*fn)(void *opaque, const ld_dpkg_stanza *s), void *opaque,
		  lading_ctx *ctx, const char *what);
/* "openssl (3.0.11-1)" -> name "openssl", version "3.0.11-1" (empty when absent). */
void ld_dpkg_split_source(ld_slice src, ld_slice *name, ld_slice *version);
/* "1:2.5.1-4" -> epoch 1, upstream "2.5.1", revision "4". epoch -1 when absent. */
void ld_dpkg_split_version(ld_slice v, int *epoch, ld_slice *upstream, ld_slice *revision);

/* ---- apk installed database (lib/apk/db/installed) ---- */
typedef struct ld_apk_record {
	ld_slice name, version, arch, origin, license, maintainer, commit;
	/* owned files: the record's raw text, walked with ld_apk_files() */
	ld_slice raw;
	size_t line;
} ld_apk_record;
int ld_apk_parse(ld_slice text, int (*fn)(void *opaque, const ld_apk_record *r), void *opaque,
		 lading_ctx *ctx, const char *what);
/* Owned files of a record: F: sets the directory, R: names a file in it. */
int ld_apk_files(const ld_apk_record *r, int (*fn)(void *opaque, ld_slice dir, ld_slice file), void *opaque);

#endif

/* Helpers shared by the feed importers (secdb.c, debian_lists.c, debian_tracker.c, kev.c,
 * epss.c, nvd.c): record emission through a sink, whole-file reads with decompression and digest
 * checks, directory listings, and a tree-less JSON cursor that walks the top levels of a large
 * document so that only one record at a time becomes an ld_json tree. */
#ifndef LD_VULNDB_FEED_H
#define LD_VULNDB_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/slice.h"
#include "vulndb/importers.h"

/* ---- emission: to the sink's tap, if any */
int ld_feed_advisory(const ld_vdb_sink *out, const ld_vdb_advisory *a);
int ld_feed_kev(const ld_vdb_sink *out, const ld_vdb_kev *k);
int ld_feed_epss(const ld_vdb_sink *out, const char *cve, double score, double percentile);
int ld_feed_nvd(const ld_vdb_sink *out, const ld_vdb_nvd *n);
int ld_feed_cpe_match(const ld_vdb_sink *out, const ld_vdb_cpe_match *m);

#define LD_FEED_COUNT(out, field, n)                                                               \
	do {                                                                                       \
		if ((out) && (out)->stats)                                                         \
			(out)->stats->field += (n);                                                \
	} while (0)

void ld_feed_result_reset(ld_vdb_import_result *res);
/* Raise res->snapshot to `date` when it sorts after the current one (ISO 8601 dates and
 * timestamps of one feed compare correctly as strings). */
void ld_feed_snapshot(ld_vdb_import_result *res, const char *date, size_t len);

/* ---- files */
/* Read the whole file, gunzipping/unzstding it when its magic says so, into `out` (appended).
 * `max` bounds the decompressed size; out->max must leave 64 KiB of room above it (reads grow the
 * buffer in 64 KiB steps). With `digest` ("sha256:<hex>") the decompressed bytes are
 * checked against it, and against `size` when >= 0. Errors name the file. */
#define LD_FEED_BUF_MAX(max)                                                                       \
	((max) + ((size_t)128 << 10)) /* an ld_buf cap fit for ld_feed_read(max) */
int ld_feed_read(const char *path, size_t max, const char *digest, int64_t size, ld_buf *out,
		 lading_ctx *ctx);
/* A text feed file (CSV, list) holds no NUL byte: one that does is damaged (a download
 * overwritten, a disk error), and importing the rest of it would lose rows silently.
 * LADING_EINVALID naming the offset. */
int ld_feed_text_check(const char *p, size_t len, const char *name, lading_ctx *ctx);
/* 1 directory, 0 other file, < 0 error (LADING_ENOTFOUND with a message). */
int ld_feed_stat(const char *path, lading_ctx *ctx);

typedef struct ld_feed_dir {
	char **names; /* sorted (strcmp), regular files and directories, no "." entries */
	size_t n;
} ld_feed_dir;
int ld_feed_dir_list(ld_feed_dir *d, const char *path, lading_ctx *ctx);
void ld_feed_dir_release(ld_feed_dir *d);
/* "dir/name" into out; LADING_ELIMIT when too long. */
int ld_feed_join(char *out, size_t outsz, const char *dir, const char *name, lading_ctx *ctx);

/* ---- JSON cursor over one object or array of a large document, so that only one member or item
 * at a time becomes an ld_json tree.
 * ld_feed_jopen() expects `open` ('{' or '[') as the first non-blank byte (a UTF-8 BOM is allowed).
 * ld_feed_jstep() moves to the next member (key: the raw bytes between the quotes, escapes not
 * decoded) or item (key empty) and leaves the cursor at its value; then exactly one of:
 *   ld_feed_jskipval()  skip the value (bracket/string scanner, not validated) and give its bytes,
 *   ld_feed_jtree()     parse the value into a tree (validated, no second pass over the bytes),
 *   ld_feed_jenter()    open a cursor on the value (an object or array) and, once that cursor has
 *                       returned 0, ld_feed_jleave() to continue after it.
 * ld_feed_jnext() = ld_feed_jstep() + ld_feed_jskipval().
 * Returns 1 with a member, 0 at the closing bracket, LADING_EINVALID on malformed/truncated input
 * (with a message on ctx naming `what` and the byte offset). */
typedef struct ld_feed_jcur {
	const char *base, *p, *end;
	char close;
	bool first;
	lading_ctx *ctx;
	const char *what;
} ld_feed_jcur;
int ld_feed_jopen(ld_feed_jcur *c, const char *p, size_t len, char open, lading_ctx *ctx,
		  const char *what);
int ld_feed_jstep(ld_feed_jcur *c, ld_slice *key);
int ld_feed_jskipval(ld_feed_jcur *c, ld_slice *val);
int ld_feed_jtree(ld_feed_jcur *c, ld_arena *a, const ld_json_limits *lim, ld_json **out);
int ld_feed_jenter(ld_feed_jcur *c, ld_feed_jcur *sub, char open);
void ld_feed_jleave(ld_feed_jcur *c, const ld_feed_jcur *sub);
int ld_feed_jnext(ld_feed_jcur *c, ld_slice *key, ld_slice *val);
/* Where the value starting at p ends (just past it), or NULL when it is malformed/truncated. */
const char *ld_feed_jskip(const char *p, const char *end);

/* ---- IDs */
/* "CVE-" 4 digits "-" 4 or more digits, nothing else. */
bool ld_feed_is_cve(ld_slice s);
/* A printable, bounded copy of `s` for warnings (non-printable bytes become '?'). */
void ld_feed_printable(char *out, size_t outsz, ld_slice s);

#endif

/* Feed importers of the vulndb stage other than OSV: Alpine secdb, Debian (DSA/DLA lists and the
 * security-tracker JSON export), CISA KEV, EPSS and NVD. One source file per feed; each reads its
 * feed in the upstream layout (../shared/vulndata mirrors it) and hands records to the writer
 * through the ld_vdb_put_* functions of vulndb/vdb.h. How each feed maps onto the schema is in
 * docs/vulndb.md ("Feed importers").
 *
 * Two levels per feed:
 *  - ld_vdb_import_<feed>(w, path, res, ctx): what the builder calls. `path` is the file or the
 *    directory of the mirror layout. *res is reset, then filled (records, skipped, snapshot).
 *    A feed unreadable as a whole (missing, no usable file, not the expected format) returns a
 *    negative LADING_E* with a message on ctx; the builder then keeps that source's previous data.
 *    A malformed record is skipped with ld_warn(ctx, "<file>: <record id>: why") and counted in
 *    res->skipped.
 *  - ld_vdb_parse_<feed>(out, p, len, name, res, ctx): one file already in memory (uncompressed).
 *    Used by the importers, the unit tests and the fuzz harnesses. `name` names the input in
 *    warnings and errors. Counts are ADDED to *res (so a directory accumulates), the snapshot is
 *    raised to the newest date seen.
 */
#ifndef LD_VULNDB_IMPORTERS_H
#define LD_VULNDB_IMPORTERS_H

#include <stddef.h>

#include "lading/common.h"
#include "vulndb/vdb.h"

/* ------------------------------------------------------------------ where records go */

/* Optional observer of every record a parser produces (unit tests assert on exactly what was
 * emitted, independent of the SQLite schema). The pointers are valid during the call only.
 * A callback returning < 0 stops the parse with that code. Any callback may be NULL. */
typedef struct ld_vdb_tap {
	int (*advisory)(void *opaque, const ld_vdb_advisory *a);
	int (*kev)(void *opaque, const ld_vdb_kev *k);
	int (*epss)(void *opaque, const char *cve, double score, double percentile);
	int (*nvd)(void *opaque, const ld_vdb_nvd *n);
	int (*cpe_match)(void *opaque, const ld_vdb_cpe_match *m);
	void *opaque;
} ld_vdb_tap;

/* Detail counts beyond ld_vdb_import_result, for the builder's report and for tests. Every field
 * is added to, never reset, by the parsers. */
typedef struct ld_vdb_feed_stats {
	size_t files;	       /* files read */
	size_t packages;       /* secdb: pkg entries; debian lists: [release] package lines */
	size_t fixed_versions; /* secdb: secfixes keys; debian: fixed versions (not markers) */
	size_t ids;	       /* advisory/CVE IDs read (after splitting) */
	size_t ids_normalized; /* IDs rewritten to canonical form ("CVE 2018-1", "CVE_2019-2",
				  "CVE-2017-8073.patch", "CVE-2017-17434-1", free text cut off) */
	size_t ids_dropped;    /* tokens that are not IDs ("CVE-????-?????", "XPTI", "(BGP)") */
	size_t rows;	       /* epss rows, kev entries, nvd CVE items seen (before dedup) */
	size_t duplicates;     /* nvd: CVEs seen again in a later/older file and not re-emitted */
	size_t cpe_matches;    /* nvd: vulnerable CPE matches emitted */
} ld_vdb_feed_stats;

/* The destination of a parser. Both fields optional: with no tap, a parser only validates and
 * counts (fuzzing, dry runs). */
typedef struct ld_vdb_sink {
	const ld_vdb_tap *tap;	  /* where records go: a test's observer or ld_vdb_tap_writer() */
	ld_vdb_feed_stats *stats; /* detail counts */
} ld_vdb_sink;

/* A tap that stores every record with the ld_vdb_put_* functions into `w` (importers.c; kept
 * apart so that parsers, tests and fuzzers link without the SQLite writer). */
void ld_vdb_tap_writer(ld_vdb_tap *tap, ld_vdb_writer *w);

/* ------------------------------------------------------------------ Alpine secdb (secdb.c) */

/* `path`: the alpine-secdb/ directory (v3.X/{main,community}.{json,yaml}; JSON preferred when both
 * exist), or one .json/.yaml file. Source "alpine-secdb"; ecosystem "Alpine:v3.X" from
 * `distroversion`; one advisory per ID with one affected entry per (branch, package, fixed key). */
int ld_vdb_import_secdb(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			lading_ctx *ctx);
int ld_vdb_import_secdb_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			   lading_ctx *ctx);
/* The JSON served by secdb.alpinelinux.org. */
int ld_vdb_parse_secdb_json(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			    ld_vdb_import_result *res, lading_ctx *ctx);
/* The YAML of the alpine-secdb repository (same data as the JSON, via util/yaml.h). */
int ld_vdb_parse_secdb_yaml(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			    ld_vdb_import_result *res, lading_ctx *ctx);

/* Canonical form of one secdb/Debian ID token: "CVE 2018-16859", "CVE_2019-2426" and
 * "cve-2019-1" become "CVE-YYYY-N..."; "CVE-2017-8073.patch" and "CVE-2017-17434-1" lose their
 * suffix; other IDs (XSA-207, TALOS-2017-0497, wnpa-sec-2017-18) are kept as written.
 * Returns 1 if written unchanged, 2 if normalized, 0 if the token is not an ID (placeholder
 * "CVE-????-?????", bare words). */
int ld_vdb_id_normalize(const char *tok, size_t len, char *out, size_t outsz);

/* ------------------------------------------------------------------ Debian (debian_*.c) */

/* data/DSA/list and data/DLA/list of the security tracker. Source "debian-dsa" / "debian-dla";
 * one advisory per header (ID "DSA-5380-1", aliases the CVEs), one affected entry per
 * "[codename] - package version" line, ecosystem "Debian:<n>" ("Debian:unstable" for sid). */
int ld_vdb_import_debian_dsa(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			     lading_ctx *ctx);
int ld_vdb_import_debian_dla(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			     lading_ctx *ctx);
int ld_vdb_import_debian_list_to(const ld_vdb_sink *out, const char *path, const char *source,
				 ld_vdb_import_result *res, lading_ctx *ctx);
/* `source` is "debian-dsa" or "debian-dla". */
int ld_vdb_parse_debian_list(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			     const char *source, ld_vdb_import_result *res, lading_ctx *ctx);

/* https://security-tracker.debian.org/tracker/data/json (file may be gzip/zstd-compressed).
 * Source "debian-tracker"; one advisory per CVE/TEMP ID with one affected entry per (release,
 * source package). */
int ld_vdb_import_debian_tracker(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
				 lading_ctx *ctx);
int ld_vdb_import_debian_tracker_to(const ld_vdb_sink *out, const char *path,
				    ld_vdb_import_result *res, lading_ctx *ctx);
int ld_vdb_parse_debian_tracker(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
				ld_vdb_import_result *res, lading_ctx *ctx);

/* Debian codename -> "Debian:<n>" ("buzz" -> "Debian:1.1", "bookworm" -> "Debian:12",
 * "sid"/"unstable" -> "Debian:unstable"); NULL when unknown. */
const char *ld_vdb_debian_ecosystem(const char *codename, size_t len);

/* ------------------------------------------------------------------ CISA KEV (kev.c) */

/* `path`: kev/known_exploited_vulnerabilities.json or its directory. Snapshot = dateReleased
 * (else catalogVersion). */
int ld_vdb_import_kev(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		      lading_ctx *ctx);
int ld_vdb_import_kev_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			 lading_ctx *ctx);
int ld_vdb_parse_kev(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		     ld_vdb_import_result *res, lading_ctx *ctx);

/* ------------------------------------------------------------------ EPSS (epss.c) */

/* `path`: the epss/ directory (CVE_<YEAR>_EPSS.csv, and/or epss_scores-YYYY-MM-DD.csv[.gz]; when a
 * daily file is present the newest one is used alone), or one such file. Snapshot = score_date. */
int ld_vdb_import_epss(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		       lading_ctx *ctx);
int ld_vdb_import_epss_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			  lading_ctx *ctx);
/* Either CSV form, detected from the content (";" rows, or "#model_version" / "cve,epss,..."). */
int ld_vdb_parse_epss(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		      ld_vdb_import_result *res, lading_ctx *ctx);

/* ------------------------------------------------------------------ NVD (nvd.c) */

/* `path`: the nvd/ directory (nvdcve-1.1-*.json.gz with .meta, and/or nvdcve-2.0-*.json[.gz]) or
 * one such file. A .meta file's sha256 (and size) of the uncompressed JSON is verified. Files are
 * read one at a time. modified/recent files go first and win; a CVE is emitted once. Snapshot =
 * newest CVE_data_timestamp / timestamp. */
int ld_vdb_import_nvd(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		      lading_ctx *ctx);
int ld_vdb_import_nvd_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			 lading_ctx *ctx);
/* NVD JSON 1.1 (CVE_Items) or 2.0 (vulnerabilities), detected from the content. */
int ld_vdb_parse_nvd(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		     ld_vdb_import_result *res, lading_ctx *ctx);

/* Split a CPE 2.3 formatted string into its components, unescaping "\:" "\\" "\." etc.
 * fields[0..10] = part, vendor, product, version, update, edition, language, sw_edition,
 * target_sw, target_hw, other; each NUL-terminated in `buf` (size >= strlen(cpe23) + 1).
 * Returns 0 or LADING_EINVALID (no "cpe:2.3:" prefix, fewer than 5 components). */
int ld_vdb_cpe23_split(const char *cpe23, char *buf, size_t bufsz, const char *fields[11]);

#endif

/* Internal API of the vulnerability-database stage, shared by the importers (one file per feed),
 * the builder (db build/update), and the query side used by the matcher.
 * The schema behind it is documented in docs/vulndb.md. */
#ifndef LD_VDB_H
#define LD_VDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/arena.h"

/* ------------------------------------------------------------------ writing (importers) */

typedef struct ld_vdb_writer ld_vdb_writer;

typedef struct ld_vdb_event {
	const char *kind;    /* "introduced", "fixed", "last_affected", "limit" */
	const char *version; /* as the feed gives it ("0" = from the beginning) */
} ld_vdb_event;

typedef struct ld_vdb_range {
	const char *type; /* "ECOSYSTEM" or "SEMVER" (GIT ranges are never stored) */
	const ld_vdb_event *events;
	size_t nevents;
	/* true for a range that only refines the others (Go's ecosystem_specific.custom_ranges:
	 * pseudo-version bounds the SEMVER ranges cannot express); see docs/vulndb.md */
	bool custom;
} ld_vdb_range;

typedef struct ld_vdb_affected {
	const char *ecosystem; /* normalized with ld_vdb_ecosystem_normalize(): "Alpine:v3.9",
				  "Debian:11", "AlmaLinux:8", "PyPI", "npm", "Go", "crates.io",
				  "Maven", ... */
	const char *package;   /* the key the ecosystem uses: Alpine origin, Debian source package,
				  PEP 503-normalized PyPI name, Go module path, "groupId:artifactId"
				  ... */
	const char *purl;      /* optional */
	const ld_vdb_range *ranges;
	size_t nranges;
	const char *const *versions; /* explicit affected versions (OSV `versions`) */
	size_t nversions;
	/* NULL: the ranges decide. Otherwise one of: "unfixed" (affected, no fix yet), "wontfix"
	 * (affected, the distribution will not fix: Debian no-dsa/ignored), "not-affected",
	 * "undetermined". */
	const char *status;
	const char *severity; /* this package's own rating (normalized: low|medium|high|critical) */
	const char *severity_raw; /* the feed's text for it, e.g. Debian urgency "unimportant" */
	/* Optional, added later (all may stay NULL): */
	const char *cvss_vector; /* this package's own CVSS vector (Bitnami); the writer computes
				    the score and, when `severity` is NULL, the severity from it */
	const char *extra_json;	 /* JSON object kept verbatim (OSV
				    ecosystem_specific/database_specific) */
} ld_vdb_affected;

typedef struct ld_vdb_advisory {
	const char *source; /* feed name: "osv", "alpine-secdb", "debian-tracker", "debian-dsa",
			       "debian-dla" (see docs/vulndb.md) */
	const char *id; /* feed's ID: "PYSEC-2021-1", "ALSA-2024:8127", "DSA-5000-1", "CVE-..." */
	const char *const *aliases; /* aliases + related + upstream, CVE IDs included */
	size_t naliases;
	const char *summary;
	const char *details;
	const char *published; /* RFC 3339 or date as given */
	const char *modified;
	const char *url;      /* primary URL (advisory page) */
	const char *severity; /* the feed's own rating, normalized: low|medium|high|critical|NULL */
	const char *severity_raw;
	const char *cvss_vector; /* the best CVSS vector the record carries (v3.x > v4.0 > v2) */
	double cvss_score;	 /* base score computed from it with vulndb/cvss.h, < 0 when none */
	const char *informational; /* crates.io "unmaintained" | "unsound" | "notice"; NULL = a
				      vulnerability */
	const char *extra_json;	   /* optional JSON object kept verbatim (references,
				      database_specific...) */
	const ld_vdb_affected *affected;
	size_t naffected;
	/* Optional, added later: when the feed tells them apart, `aliases` holds only true aliases
	 * and these hold OSV `related` and `upstream` IDs (stored with their kind; queries return
	 * all). */
	const char *const *related;
	size_t nrelated;
	const char *const *upstream;
	size_t nupstream;
} ld_vdb_advisory;

/* Store one advisory. The writer normalizes ecosystem and package names itself (idempotent, so
 * importers may pass them raw or normalized) and computes CVSS scores from the vectors (a score
 * passed in is used only when the vector cannot be parsed).
 * Putting an advisory whose (source, id) was already stored in this database ADDS its affected
 * entries to that advisory (an identical entry is not stored twice) and its aliases to the alias
 * list; the advisory fields of the first put are kept. So an importer may put one advisory per
 * (release, package) with the same ID, e.g. one CVE fixed in several Alpine branches.
 * Thread-safe: writers of different feeds may run in parallel threads. */
int ld_vdb_put_advisory(ld_vdb_writer *w, const ld_vdb_advisory *adv);

typedef struct ld_vdb_kev {
	const char *cve, *vendor, *product, *name, *date_added, *due_date, *required_action;
	const char *ransomware; /* "Known" | "Unknown" as CISA writes it */
	const char *description;
} ld_vdb_kev;
/* KEV, EPSS and NVD rows are keyed by CVE: a later put for the same CVE replaces the earlier one.
 */
int ld_vdb_put_kev(ld_vdb_writer *w, const ld_vdb_kev *k);

int ld_vdb_put_epss(ld_vdb_writer *w, const char *cve, double score, double percentile);

/* NVD: per-CVE severity (used only for severity and for products no distro feed covers). */
typedef struct ld_vdb_nvd {
	const char *cve, *published, *modified, *description;
	const char *v3_vector;
	double v3_score;
	const char *v3_severity; /* score < 0 = none */
	const char *v2_vector;
	double v2_score;
	const char *v2_severity;
} ld_vdb_nvd;
int ld_vdb_put_nvd(ld_vdb_writer *w, const ld_vdb_nvd *n);

/* NVD configurations, flattened: one vulnerable cpe_match with its version bounds.
 * Order: put the item's ld_vdb_put_nvd first, then its CPE matches. A later ld_vdb_put_nvd of the
 * same CVE (the modified/recent feeds after the yearly ones) replaces the NVD row and drops the CPE
 * matches stored for that CVE before it. */
typedef struct ld_vdb_cpe_match {
	const char *cve;
	const char *cpe23; /* cpe:2.3:a:openssl:openssl:1.0.1:*:... */
	const char *part, *vendor, *product,
		*version; /* parsed from cpe23; version "*" or "-" as given */
	const char *start_incl, *start_excl, *end_incl, *end_excl; /* NULL when absent */
} ld_vdb_cpe_match;
int ld_vdb_put_cpe_match(ld_vdb_writer *w, const ld_vdb_cpe_match *m);

/* Normalize an ecosystem name once, at import ("alpine:v3.9", "Alpine" + branch, "debian:11",
 * "bullseye", "AlmaLinux:8", "pypi"...). Writes into out; returns 0 or LADING_EINVALID. */
int ld_vdb_ecosystem_normalize(const char *in, char *out, size_t outsz);
/* Normalize a package name where the (normalized) ecosystem defines a canonical form: PyPI per
 * PEP 503 (lowercase, runs of -_. become -), NuGet and Packagist lowercase; others unchanged.
 * Returns 0, LADING_EINVALID (empty) or LADING_ELIMIT (does not fit). */
int ld_vdb_package_normalize(const char *ecosystem, const char *in, char *out, size_t outsz);
#define LD_VDB_NAME_MAX 512 /* ecosystem and package names longer than this are refused */

/* Each importer reads one feed and reports how it went. A malformed record is skipped with
 * ld_warn naming the file and the record ID (counted in `skipped`); a feed unreadable as a whole
 * returns an error and the builder keeps that source's previous data. */
typedef struct ld_vdb_import_result {
	size_t records;	   /* records stored */
	size_t skipped;	   /* malformed records skipped */
	char snapshot[64]; /* newest date the feed carries (modified/catalogVersion/...), if any */
	size_t withdrawn;  /* records the feed itself withdrew (OSV `withdrawn`), not stored */
} ld_vdb_import_result;

/* ------------------------------------------------------------------ the database being built */

/* A new database file being written (one per build). Feeds are imported through per-feed
 * writers, possibly from several threads; ld_vdb_store_finish() creates the indexes and the
 * statistics and closes the file. Atomic replacement of the live DB is the builder's job
 * (ld_vdb_build_*, builder.c); tests may use a store directly on a scratch path:
 *
 *     ld_vdb_store *st; ld_vdb_writer *w; ld_vdb_import_result res = {0};
 *     ld_vdb_store_open(&st, "/tmp/t.sqlite", ctx);
 *     ld_vdb_store_feed_begin(st, "alpine-secdb", "fixtures/secdb", &w);
 *     rc = ld_vdb_import_secdb(w, "fixtures/secdb", &res, ctx);
 *     ld_vdb_store_feed_end(st, w, rc, &res);    // rc < 0: the feed's rows are removed
 *     ld_vdb_store_finish(st);                   // then query it with query.h
 *     ld_vdb_store_free(st);
 */
typedef struct ld_vdb_store ld_vdb_store;

/* Create (truncate) `path` and the schema. Bulk-load settings: no journal, no fsync (the builder
 * fsyncs the finished file before renaming it into place). */
int ld_vdb_store_open(ld_vdb_store **out, const char *path, lading_ctx *ctx);
/* Start a feed: `feed` names the import unit ("osv/PyPI", "alpine-secdb", "nvd"...), `origin` the
 * path or URL it came from (for `db info`). The writer is valid until ld_vdb_store_feed_end. */
int ld_vdb_store_feed_begin(ld_vdb_store *st, const char *feed, const char *origin,
			    ld_vdb_writer **out);
/* End a feed with the importer's return code: on rc < 0 every row the feed wrote is removed and
 * the feed is recorded as failed with the ctx's error message. Frees the writer. */
int ld_vdb_store_feed_end(ld_vdb_store *st, ld_vdb_writer *w, int rc,
			  const ld_vdb_import_result *res);
/* Copy a feed's rows from a previous database (same schema version) into this one and record it
 * as carried over; `why` says why (shown by `db info`). LADING_ENOTFOUND when `prev` lacks it.
 * `res` (optional) receives the carried feed's counts and snapshot. */
int ld_vdb_store_carry_over(ld_vdb_store *st, const char *prev_path, const char *feed,
			    const char *why, ld_vdb_import_result *res);
/* The same with the feed's status given ("carried", or "ok" for a feed not modified since its
 * rows were imported). */
int ld_vdb_store_carry_over_as(ld_vdb_store *st, const char *prev_path, const char *feed,
			       const char *why, const char *status, ld_vdb_import_result *res);
/* Indexes, statistics, records counted from the tables, metadata; closes the database. */
int ld_vdb_store_finish(ld_vdb_store *st);
/* Close without finishing (the file is left incomplete: callers delete it). */
void ld_vdb_store_free(ld_vdb_store *st);
/* Errors of ld_vdb_put_* go to the store's ctx unless the writer is given another (a worker
 * thread's); ld_vdb_store_feed_end reads the failure message from it. */
void ld_vdb_writer_set_ctx(ld_vdb_writer *w, lading_ctx *ctx);

#endif

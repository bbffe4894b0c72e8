/* Read side of the vulnerability database, for the matcher and `lading db info`.
 *
 * A handle opens the database read-only and immutable: lading never modifies a database file in
 * place (an update writes a new file and renames it over the old one), so readers take no locks,
 * an open handle keeps reading the file it opened while an update replaces it, and the next open
 * sees the new one. A handle is not thread-safe: open one per thread (opening is cheap).
 * No global state. Results are allocated in the caller's arena and stay valid until it is
 * released; strings are NUL-terminated, absent values are NULL (scores: < 0). */
#ifndef LD_VDB_QUERY_H
#define LD_VDB_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/arena.h"
#include "vulndb/vdb.h"

typedef struct ld_vdb ld_vdb;

/* LADING_ENOTFOUND when the file does not exist, LADING_EDB when it is not a lading database,
 * LADING_EUNSUPPORTED when its schema version is not this build's (run `lading db build`). */
int ld_vdb_open(ld_vdb **out, const char *path, lading_ctx *ctx);
void ld_vdb_close(ld_vdb *db);

/* One affected entry: "package P of ecosystem E is affected by advisory A when its version is in
 * one of `ranges` or listed in `versions`" (status NULL), or the distribution's own verdict
 * (status "unfixed" | "wontfix" | "not-affected" | "undetermined"). */
typedef struct ld_vdb_q_affected {
	int64_t advisory;   /* key for ld_vdb_advisory_get() */
	const char *source; /* advisory's feed family: "osv", "alpine-secdb", "debian-dsa"... */
	const char *id;	    /* advisory's ID: "PYSEC-2021-1", "ALSA-2024:8127", "CVE-..." */
	const char *informational; /* crates.io "unmaintained" | "unsound" | "notice"; NULL =
				      vulnerability */
	const char *ecosystem;	   /* normalized, as queried */
	const char *package;	   /* normalized key, as queried */
	const char *name;	   /* the name as the feed wrote it */
	const char *purl;
	const ld_vdb_range
		*ranges; /* events in feed order; `custom` ranges refine, see docs/vulndb.md */
	size_t nranges;
	const char *const *versions; /* explicit affected versions */
	size_t nversions;
	const char *status;
	const char *severity; /* this package's own rating: none|low|medium|high|critical */
	const char *severity_raw;
	const char *cvss_vector; /* this package's own vector (Bitnami), with its computed score */
	double cvss_score;
	const char *extra_json; /* OSV affected[].ecosystem_specific/database_specific, verbatim */
} ld_vdb_q_affected;

/* Every affected entry for (ecosystem, package), in advisory order. Both names are normalized
 * here (ld_vdb_ecosystem_normalize, ld_vdb_package_normalize), so callers pass them as they find
 * them ("alpine:3.9", "Django"). One index probe. *n = 0 when nothing is known. */
int ld_vdb_affected_get(ld_vdb *db, const char *ecosystem, const char *package, ld_arena *arena,
			ld_vdb_q_affected **out, size_t *n, lading_ctx *ctx);
/* Decode `count` packed entries (schema.h, affected_packed.data) of one (eco, pkg) into the
 * arena: what ld_vdb_affected_get does with the row it reads. Exposed for fuzzing; trusts
 * nothing of blob or count (LADING_EDB: "damaged database ..."). */
int ld_vdb_affected_unpack(const void *blob, size_t len, int64_t count, const char *eco,
			   const char *pkg, ld_arena *arena, ld_vdb_q_affected **out, lading_ctx *ctx);

typedef struct ld_vdb_q_advisory {
	int64_t key;
	const char *source, *id;
	const char *feed;	    /* import unit that stored it ("osv/PyPI") */
	const char *const *aliases; /* aliases, related and upstream IDs: CVE IDs first (sorted),
				       then the others in stored order; each once */
	const char *const *alias_kinds; /* parallel to aliases: "alias" | "related" | "upstream" */
	size_t naliases;
	const char *summary, *details, *published, *modified, *url;
	const char
		*severity; /* the source's own rating, normalized: none|low|medium|high|critical */
	const char *severity_raw;  /* the source's own text ("Important", "Medium", ...) */
	const char *cvss_vector;   /* best vector the record carries (v3.x > v4.0 > v2) */
	const char *cvss_version;  /* "3.1", "4.0", "2.0" */
	double cvss_score;	   /* base score computed from cvss_vector, < 0 when none */
	const char *informational; /* NULL for a vulnerability */
	bool is_informational;
	const char *extra_json; /* references, database_specific... verbatim (JSON object) */
} ld_vdb_q_advisory;

/* LADING_ENOTFOUND when `key` names no advisory. */
int ld_vdb_advisory_get(ld_vdb *db, int64_t key, ld_arena *arena, ld_vdb_q_advisory **out,
			lading_ctx *ctx);
/* Advisory keys whose ID is `id` or that list `id` among their aliases (e.g. every advisory about
 * CVE-2021-44228), ascending, each once. `source` NULL = any. */
int ld_vdb_advisory_find(ld_vdb *db, const char *source, const char *id, ld_arena *arena,
			 int64_t **keys, size_t *n, lading_ctx *ctx);

/* Per-CVE data. *out = NULL (and 0 returned) when the CVE is not in that table. */
int ld_vdb_kev_get(ld_vdb *db, const char *cve, ld_arena *arena, ld_vdb_kev **out, lading_ctx *ctx);
typedef struct ld_vdb_q_epss {
	double score, percentile;
} ld_vdb_q_epss;
int ld_vdb_epss_get(ld_vdb *db, const char *cve, ld_arena *arena, ld_vdb_q_epss **out,
		    lading_ctx *ctx);
int ld_vdb_nvd_get(ld_vdb *db, const char *cve, ld_arena *arena, ld_vdb_nvd **out, lading_ctx *ctx);
/* NVD CPE matches for (vendor, product) as NVD spells them ("openssl", "openssl"). */
int ld_vdb_cpe_matches(ld_vdb *db, const char *vendor, const char *product, ld_arena *arena,
		       ld_vdb_cpe_match **out, size_t *n, lading_ctx *ctx);

/* Distinct ecosystems that have affected entries, sorted. */
int ld_vdb_ecosystems(ld_vdb *db, ld_arena *arena, const char *const **out, size_t *n,
		      lading_ctx *ctx);

typedef struct ld_vdb_q_feed {
	const char *name;     /* "osv/PyPI", "alpine-secdb", "nvd"... */
	const char *status;   /* "ok" | "carried" (previous data kept) | "failed" (no data) */
	const char *origin;   /* path or URL it was read from */
	const char *snapshot; /* newest date in the feed */
	const char *
		imported_at; /* when its rows were imported (for carried feeds: the earlier time) */
	const char *message; /* why it failed or was carried over */
	uint64_t records, skipped, withdrawn;
} ld_vdb_q_feed;

typedef struct ld_vdb_q_count {
	const char *feed, *ecosystem;
	uint64_t advisories, packages, affected;
} ld_vdb_q_count;

typedef struct ld_vdb_q_meta {
	int schema_version;
	const char *built_at; /* RFC 3339 UTC */
	int64_t built_epoch;
	const char *lading_version;
	const ld_vdb_q_feed *feeds;
	size_t nfeeds;
	const ld_vdb_q_count *counts; /* per feed and ecosystem */
	size_t ncounts;
} ld_vdb_q_meta;

int ld_vdb_meta_get(ld_vdb *db, ld_arena *arena, ld_vdb_q_meta **out, lading_ctx *ctx);

#endif

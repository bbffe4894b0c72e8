/* Match stage: packages x advisories -> findings. OS packages are matched only against their
 * distribution's own feed, by the key that feed uses; versions are compared with the
 * ecosystem's own rules (version/). Findings are merged per (package, vulnerability), enriched
 * with KEV, EPSS and NVD data, filtered by policy, and ordered "fix first". */
#ifndef LD_MATCH_H
#define LD_MATCH_H

#include "lading/scan.h"
#include "util/arena.h"
#include "util/vec.h"
#include "version/version.h"
#include "vulndb/query.h"

/* Named limits. */
#define LD_MATCH_MAX_IDS 64          /* IDs kept on one finding */
#define LD_MATCH_MAX_FIXED 16        /* fixed versions kept on one finding */
#define LD_MATCH_MAX_EVENTS 4096     /* events in one range */

typedef struct ld_match_input {
	const lading_os *os;
	const lading_package *const *pkgs;
	size_t npkgs;
} ld_match_input;

typedef struct ld_match_result {
	ld_arena arena;
	ld_vec findings;          /* lading_finding, final order */
	lading_scan_summary summary;
	ld_vec notes;             /* const char * */
	ld_vec expired;           /* const char * */
	int64_t db_age;
} ld_match_result;

void ld_match_result_init(ld_match_result *r);
void ld_match_result_release(ld_match_result *r);

/* Everything: lookups, merge, enrichment, policy, order. */
int ld_match_run(ld_match_result *r, ld_vdb *db, const ld_match_input *in, const lading_scan_options *opts,
		 lading_ctx *ctx);
/* The options' filters (severities, unfixed) drop findings; the ignore file and VEX documents
 * suppress them (policy.c). */
int ld_match_policy(ld_match_result *r, const lading_scan_options *opts, lading_ctx *ctx);

/* The policy alone (policy.c): severity filter, --ignore-unfixed, ignore file, VEX on findings
 * already in r (ld_match_run calls it; admission applies it to stored findings). */
int ld_match_policy(ld_match_result *r, const lading_scan_options *opts, lading_ctx *ctx);

/* Does `version` fall in the affected entry (ranges, explicit versions)? Fixed versions above it
 * are appended to fixed[] (up to maxfixed; *nfixed updated). Exposed for tests. */
bool ld_match_affected(ld_vscheme s, const ld_vdb_q_affected *a, ld_slice version, const char **fixed,
		       size_t maxfixed, size_t *nfixed);

/* Where an OS package is looked up: ecosystem, key, version (NULL ecosystem: no feed). */
typedef struct ld_match_key {
	char ecosystem[64];
	const char *package;
	const char *version;
	ld_vscheme scheme;
} ld_match_key;
bool ld_match_os_key(const lading_os *os, const lading_package *p, ld_match_key *k);
/* Where a language package is looked up: its ecosystem's OSV feed (PyPI, npm, Go with stdlib,
 * Maven "group:artifact", RubyGems, crates.io, Packagist "vendor/name", NuGet). Strings it
 * builds go to `a`. False for other types and for versions the ecosystem cannot compare (Go's
 * "(devel)"). */
bool ld_match_lang_key(const lading_package *p, ld_arena *a, ld_match_key *k);
/* "pkg:maven/org.apache/log4j-core@2.0" -> "org.apache:log4j-core" with sep ':' (namespace
 * segments joined by '/', the name by `sep`, each percent-decoded); NULL when not a purl. */
char *ld_match_purl_name(ld_arena *a, const char *purl, char sep);

/* Binaries: versions against NVD's CPE bounds. Generic order with pre-releases ("-beta1")
 * before their release; with `minor`, a bound with fewer components than the version compares
 * on that many ("4.3.24" vs "4.3" -> equal). */
int ld_match_cpe_vercmp(ld_slice a, ld_slice b, bool minor);
/* Does one CPE match (an exact version, with its update field, or version bounds) cover the
 * version? *fixed gets versionEndExcluding when it does. Only applications (part "a"). */
bool ld_match_cpe(const ld_vdb_cpe_match *cm, ld_slice version, bool minor, const char **fixed);

/* ---- policy (policy.c) ---- */

typedef struct ld_ignore_rule {
	const char *id;
	const char *package;   /* NULL = any */
	const char *until;     /* YYYY-MM-DD or NULL */
	const char *reason;
	const char *line;      /* as written */
	size_t lineno;
} ld_ignore_rule;

/* Parse an ignore file; rules are allocated in `a`. Malformed lines are warned and skipped. */
int ld_ignore_parse(ld_slice text, ld_arena *a, ld_ignore_rule **out, size_t *n, lading_ctx *ctx,
		    const char *what);

typedef struct ld_vex_stmt {
	const char *vuln;       /* CVE / advisory ID */
	const char *const *products; /* purls / bom-refs (empty = every product) */
	size_t nproducts;
	const char *status;     /* "not_affected" | "fixed" (others are not suppressing) */
	const char *reason;     /* justification / impact statement / detail */
} ld_vex_stmt;

/* OpenVEX or CycloneDX (VEX) JSON. Statements are appended to *out (grown with realloc). */
int ld_vex_parse(ld_slice text, ld_arena *a, ld_vex_stmt **out, size_t *n, lading_ctx *ctx, const char *what);
/* A VEX product reference matches a package purl (qualifiers and subpath ignored unless the
 * reference has them). */
bool ld_vex_purl_matches(const char *ref, const char *purl);

#endif

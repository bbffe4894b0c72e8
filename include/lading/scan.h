/* lading: vulnerability findings for an inventory, policies (ignore file, VEX, CI gates), reports. */
#ifndef LADING_SCAN_H
#define LADING_SCAN_H

#include "lading/common.h"
#include "lading/sbom.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Lowest first; UNKNOWN = no source rates it. */
typedef enum lading_severity {
	LADING_SEVERITY_UNKNOWN = 0,
	LADING_SEVERITY_LOW,
	LADING_SEVERITY_MEDIUM,
	LADING_SEVERITY_HIGH,
	LADING_SEVERITY_CRITICAL
} lading_severity;

LADING_EXTERN(const char *) lading_severity_name(lading_severity s);
LADING_EXTERN(int) lading_severity_parse(const char *name, lading_severity *out);

#define LADING_STATUS_FIXED "fixed"                  /* a fixed version exists */
#define LADING_STATUS_NOFIX "fix not yet available"
#define LADING_STATUS_WONTFIX "will not fix"

typedef struct lading_finding {
	const char *id;                 /* the CVE when there is one, else the advisory ID */
	const char *const *aliases;     /* every other ID (CVE first, then advisories, GHSA...) */
	size_t alias_count;
	const lading_package *package;  /* in the scanned inventory */
	size_t package_index;
	const char *const *fixed_versions;
	size_t fixed_count;
	const char *status;             /* LADING_STATUS_* */
	lading_severity severity;
	const char *severity_source;    /* feed that gave the rating: "debian-tracker", "osv", "nvd"... */
	const char *cvss_vector;        /* NULL when none */
	double cvss_score;              /* < 0 when none */
	const char *cvss_source;
	int kev;                        /* in CISA's Known Exploited Vulnerabilities catalog */
	const char *kev_date_added;
	const char *kev_due_date;
	int kev_ransomware;             /* "knownRansomwareCampaignUse": Known */
	double epss_score;              /* probability of exploitation in 30 days, < 0 unknown */
	double epss_percentile;
	const char *title;
	const char *url;
	const char *const *advisories;  /* "source:ID" of every advisory behind this finding */
	size_t advisory_count;
	const char *suppressed;         /* NULL, or "ignore-file" / "vex" */
	const char *suppressed_reason;
} lading_finding;

typedef struct lading_scan_summary {
	size_t total;                   /* reported findings (not suppressed) */
	size_t by_severity[5];          /* indexed by lading_severity */
	size_t kev;
	size_t fixable;
	size_t suppressed;
	size_t packages;                /* packages in the inventory */
	size_t packages_checked;        /* packages some feed of the database covers */
} lading_scan_summary;

typedef struct lading_scan_options {
	unsigned version;          /* LADING_SCAN_OPTIONS_VERSION */
	const char *db_path;       /* NULL = lading_db_default_path() */
	unsigned severities;       /* report only these: bit (1u << lading_severity); 0 = all */
	int ignore_unfixed;        /* drop findings without a fixed version */
	const char *ignore_file;   /* lines "ID [package] [until YYYY-MM-DD] [# reason]" */
	const char *const *vex_files; /* OpenVEX or CycloneDX VEX documents */
	size_t vex_count;
	const char *today;         /* "YYYY-MM-DD" for ignore-file expiry; NULL = today (UTC) */
	/* version 2: */
	int include_os_managed;    /* also match language packages that OS packages installed
				      (LADING_PKG_OS_MANAGED) against their language's feed */
} lading_scan_options;
#define LADING_SCAN_OPTIONS_VERSION 2
#define LADING_SCAN_OPTIONS_INIT {LADING_SCAN_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL, 0, NULL, 0}

typedef struct lading_scan lading_scan;

/* Match the inventory against the database. The sbom must outlive the scan. LADING_EUNSUPPORTED
 * means, and only means, that the database has another schema version (rebuild or update it). */
LADING_EXTERN(int) lading_scan_run(lading_scan **out, lading_ctx *ctx, const lading_sbom *sbom,
				   const lading_scan_options *opts);
LADING_EXTERN(void) lading_scan_free(lading_scan *scan);
/* Findings in "fix first" order (KEV, EPSS, severity, fixable first); suppressed ones included
 * (their `suppressed` is set) after the reported ones. */
LADING_EXTERN(size_t) lading_scan_finding_count(const lading_scan *scan);
LADING_EXTERN(const lading_finding *) lading_scan_finding(const lading_scan *scan, size_t i);
LADING_EXTERN(const lading_scan_summary *) lading_scan_get_summary(const lading_scan *scan);
LADING_EXTERN(const lading_sbom *) lading_scan_sbom(const lading_scan *scan);
/* Age of the database in seconds, and its path. */
LADING_EXTERN(int64_t) lading_scan_db_age(const lading_scan *scan);
/* Ignore-file entries that expired (they no longer apply), as written in the file. */
LADING_EXTERN(size_t) lading_scan_expired_count(const lading_scan *scan);
LADING_EXTERN(const char *) lading_scan_expired(const lading_scan *scan, size_t i);
/* Notes about coverage ("the database has no advisories for Alpine:v3.20"). */
LADING_EXTERN(size_t) lading_scan_note_count(const lading_scan *scan);
LADING_EXTERN(const char *) lading_scan_note(const lading_scan *scan, size_t i);

/* 1 when a reported finding is at `fail_on` or above (fail_on < 0: no severity gate), or when
 * `fail_on_kev` and a reported finding is known exploited; else 0. */
LADING_EXTERN(int) lading_scan_violates(const lading_scan *scan, int fail_on, int fail_on_kev);

/* Render findings: table, json, sarif, cyclonedx, html. */
LADING_EXTERN(int) lading_scan_report(char **out, size_t *len, lading_ctx *ctx, const lading_scan *scan,
				      lading_format fmt, const lading_report_options *opts);

#ifdef __cplusplus
}
#endif
#endif

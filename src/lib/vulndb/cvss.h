/* CVSS base-score calculators (v2, v3.0, v3.1, v4.0) per the FIRST specifications.
 * OSV records carry CVSS vectors only; lading computes the base score from the vector. */
#ifndef LD_CVSS_H
#define LD_CVSS_H

#include <stddef.h>

#include "lading/common.h"

typedef struct ld_cvss {
	int major, minor;      /* 2.0, 3.0, 3.1, 4.0 */
	double base_score;     /* 0.0 .. 10.0, one decimal as the spec rounds it */
	const char *severity;  /* "none" | "low" | "medium" | "high" | "critical"
				  (v2: low/medium/high per NVD's v2 ranges) */
} ld_cvss;

/* Parse and score a vector: "CVSS:3.1/AV:N/AC:L/...", "CVSS:3.0/...", "CVSS:4.0/AV:N/...", and
 * v2 in both forms "AV:N/AC:L/Au:N/C:P/I:P/A:P" and "(AV:N/...)" or with a "CVSS:2.0/" prefix.
 * Returns 0, or LADING_EINVALID for a malformed vector (unknown metric, missing mandatory base
 * metric, duplicate metric, bad value). Extra temporal/environmental/supplemental metrics are
 * accepted and ignored for the base score (v4: the score computed is CVSS-B, i.e. base metrics
 * only, with threat/environmental at their defaults).
 * Also: metrics may come in any order; blanks around the vector are ignored; on error *out is
 * zeroed (severity NULL). Thread-safe, no allocation. */
int ld_cvss_score(const char *vector, size_t len, ld_cvss *out);

/* Severity word for a score with the given major version's scale (2, 3 or 4); NULL for another
 * major version or a score outside 0..10. */
const char *ld_cvss_severity(int major, double score);

#endif

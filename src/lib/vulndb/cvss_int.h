/* Internals shared by cvss.c (vector parsing, v2, v3.x) and cvss4.c (v4.0), and used by the unit
 * tests. Not for other modules: they use cvss.h. */
#ifndef LD_CVSS_INT_H
#define LD_CVSS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/slice.h"
#include "vulndb/cvss.h"

/* One metric of a version's vector grammar. */
typedef struct ld_cvss_metric_def {
	const char *name;            /* abbreviation as in the vector, e.g. "AV", "Au", "MSI" */
	const char *const *values;   /* allowed values, NULL-terminated */
	bool mandatory;              /* a base metric: must be present, exactly once */
} ld_cvss_metric_def;

/* The most metrics any version defines (v4.0 has 32). */
#define LD_CVSS_MAX_METRICS 40

/* Parse "K:V/K:V/..." (the part after any "CVSS:x.y/" prefix) against `defs`. On success
 * idx[i] is the index of metric i's value in defs[i].values, or -1 when the metric is absent.
 * LADING_EINVALID for an empty component, a component without ':', an unknown metric, a
 * duplicate metric, a value not allowed for its metric, or a missing mandatory metric.
 * Metrics may come in any order. */
int ld_cvss_parse_metrics(ld_slice body, const ld_cvss_metric_def *defs, size_t ndefs, int *idx);

/* v3.0 Roundup: the smallest one-decimal number >= x, as ceil(x * 10) / 10 in binary floating
 * point (what the 3.0 calculator does), so 4.000000000000001 rounds up to 4.1. */
double ld_cvss_roundup30(double x);
/* v3.1 Roundup (specification Appendix A): x is first rounded to 5 decimal places, so floating
 * point noise no longer rounds up: 4.000000000000001 gives 4.0. */
double ld_cvss_roundup31(double x);

/* CVSS v4.0: `body` is the vector after "CVSS:4.0/". With `bte` false the result is CVSS-B
 * (Threat and Environmental metrics read as Not Defined, whatever the vector says); with `bte`
 * true every metric in the vector is used (CVSS-BT / CVSS-BE / CVSS-BTE as the vector has them).
 * *score10 gets the score in tenths (0..100). */
int ld_cvss4_score10(ld_slice body, bool bte, int *score10);

/* Score a whole v4.0 vector ("CVSS:4.0/...") with Threat and Environmental metrics applied:
 * what FIRST's calculator shows for a vector carrying them. Used by the tests to check the
 * scoring against reference vectors that have such metrics. */
int ld_cvss4_score_bte(const char *vector, size_t len, double *score);

#endif

/* lading: the fleet report (docs/fleet.md). The studies' tables for your own fleet: per group
 * (official/community, registry, repository, namespace, source or a label) and overall, the
 * distinct vulnerabilities per image (mean, median, p90), the severity mix, known-exploited and
 * famous vulnerabilities, staleness (image and base-image age, newer base tags, fixable
 * findings), top vulnerabilities and packages, and the containers that run or ran images with
 * known-exploited or critical findings; with --history the trend of the stored summaries.
 *
 * The input is the inventory store (its latest stored match of each image; no vulnerability
 * database is needed) or an exported inventory: a fleet JSON file ("lading_fleet": 1). */
#ifndef LADING_FLEET_H
#define LADING_FLEET_H

#include <stddef.h>

#include "lading/common.h"
#include "lading/sbom.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LADING_FLEET_OPTIONS_VERSION 2
typedef struct lading_fleet_options {
	unsigned version;               /* LADING_FLEET_OPTIONS_VERSION */
	const char *from;               /* an exported inventory (fleet JSON), or NULL */
	const char *store;              /* the inventory store URL when `from` is NULL (NULL: the
					   default store, as lading_store_open) */
	const char *group_by;           /* official (NULL), registry, repo, namespace, source, label:KEY */
	const char *official;           /* POSIX extended regex: references of other registries that are
					   official too (Docker Hub library/ images always are) */
	const char *const *famous_files; /* tables added to data/famous.tsv (same format) */
	size_t famous_count;
	const char *since;              /* RFC 3339 or YYYY-MM-DD: only records seen since then */
	int history;                    /* add the trend of the stored summaries */
	const char *now;                /* RFC 3339: the time ages are computed at; NULL = now */
	/* version 2 */
	const char *db;                 /* vulnerability database for the census section's assessment
					   (behind, vulnerable, known exploited); NULL: the default
					   database when it exists, else those figures stay unknown */
} lading_fleet_options;
#define LADING_FLEET_OPTIONS_INIT                                                                   \
	{LADING_FLEET_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL}

/* Render the fleet report: LADING_FORMAT_TABLE, _JSON or _HTML (one self-contained file).
 * *out is NUL-terminated; free() it. An empty store is an empty report that says so, not an
 * error; a malformed famous table is LADING_EINVALID naming the file and line. */
LADING_EXTERN(int)
lading_fleet_report(char **out, size_t *len, lading_ctx *ctx, const lading_fleet_options *opts,
		    lading_format fmt);

/* Export the fleet data the report reads (`opts->from` or the store; groups, times and famous
 * tables do not apply) as the fleet JSON that `from` reads back: a report made elsewhere, later,
 * or by other tools from the same data. *out is NUL-terminated; free() it. */
LADING_EXTERN(int)
lading_fleet_export(char **out, size_t *len, lading_ctx *ctx, const lading_fleet_options *opts);

#ifdef __cplusplus
}
#endif
#endif

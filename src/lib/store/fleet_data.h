/* The fleet report's input as plain data (docs/fleet.md): every stored image with the findings
 * of its latest match, every container record, the census summary and the dated history
 * summaries. The store fills it (ld_store_load_fleet), an exported inventory is read into it
 * (ld_fleet_data_parse_json, the `report fleet --from FILE` format), and the report stage only
 * reads it: the report never sees SQL or a backend.
 *
 * Every pointer refers to memory of `arena` (or to static strings); releasing the data frees it
 * all at once. Times are Unix seconds (UTC); LD_FLEET_TIME_UNKNOWN when not known. */
#ifndef LD_FLEET_DATA_H
#define LD_FLEET_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/arena.h"
#include "util/buf.h"

#define LD_FLEET_TIME_UNKNOWN INT64_MIN

/* Named limits of the JSON dump reader (hostile exports are fuzzed). */
#define LD_FLEET_MAX_IMAGES 1000000u
#define LD_FLEET_MAX_CONTAINERS 10000000u
#define LD_FLEET_MAX_FINDINGS 100000u  /* per image */
#define LD_FLEET_MAX_LAYERS 1024u      /* per image, as the image reader's limit */
#define LD_FLEET_MAX_LIST 10000u       /* refs, aliases, labels... per record */
#define LD_FLEET_MAX_HISTORY 1000000u
#define LD_FLEET_MAX_INPUT ((size_t)4 << 30)

typedef enum ld_fleet_state {
	LD_FLEET_UNKNOWN_STATE = 0,
	LD_FLEET_RUNNING,
	LD_FLEET_CREATED,
	LD_FLEET_EXITED,
	LD_FLEET_GONE /* absent from a later snapshot of its source */
} ld_fleet_state;

typedef struct ld_fleet_kv {
	const char *key, *value;
} ld_fleet_kv;

/* One finding of an image's latest match (as `scan`'s JSON vulnerabilities[]). */
typedef struct ld_fleet_finding {
	const char *id;              /* the CVE when there is one, else the advisory id */
	const char *const *aliases;  /* every other id */
	size_t alias_count;
	uint8_t severity;            /* lading_severity: 0 unknown .. 4 critical */
	uint8_t kev;                 /* in CISA's KEV catalog */
	uint8_t fixable;             /* a fixed version exists */
	double epss;                 /* < 0: unknown */
	const char *fixed_version;   /* first fixed version, NULL when none */
	const char *pkg_name, *pkg_version, *pkg_type; /* type as scan's JSON: "apk", "deb", "npm"... */
} ld_fleet_finding;

typedef struct ld_fleet_image {
	const char *digest;                    /* config digest: the image's identity */
	const char *const *manifest_digests;   /* manifests seen for it (containers may name these) */
	size_t manifest_count;
	const char *const *refs;               /* every tag reference seen: HOST/REPO:TAG */
	size_t ref_count;
	const char *const *sources;            /* where it was recorded from ("crawl:HOST", "docker:..") */
	size_t source_count;
	const ld_fleet_kv *labels;             /* config labels */
	size_t label_count;
	int64_t created;                       /* config `created` */
	int64_t first_seen, last_seen;         /* over its references */
	const char *const *layers;             /* ordered layer digests (diff_ids or blob digests, the
						  same kind for every image of one store) */
	size_t layer_count;
	const ld_fleet_finding *findings;      /* latest stored match; none when never matched */
	size_t finding_count;
	uint8_t matched;                       /* 0: no match stored yet (not "no findings") */
} ld_fleet_image;

typedef struct ld_fleet_container {
	const char *id, *name, *source, *namespace_name;
	const char *image_digest;  /* config or manifest digest of the image it runs; NULL unknown */
	const char *image_ref;     /* as the source named it, may be NULL */
	uint8_t state;             /* ld_fleet_state */
	int64_t first_seen, last_seen;
} ld_fleet_container;

/* The census (lading census) as the store keeps it; counts are SIZE_MAX when not assessed. */
typedef struct ld_fleet_census_product {
	const char *product, *name;
	size_t hosts, versioned, behind, vulnerable, kev;
} ld_fleet_census_product;

typedef struct ld_fleet_census {
	int present;
	size_t records;
	const ld_fleet_census_product *products;
	size_t product_count;
} ld_fleet_census;

/* One dated summary: what the store keeps per group per rescan (or per day with new records).
 * `group` NULL is the whole store. New and fixed findings are counted against the previous
 * summary of the same group: a finding is a distinct (image, vulnerability) pair. */
typedef struct ld_fleet_summary {
	int64_t time;
	const char *group_by;        /* the --group-by key it was computed for ("official") */
	const char *group;           /* NULL: overall */
	uint64_t images;
	uint64_t vulnerabilities;    /* sum over images of distinct vulnerabilities = findings */
	double vulns_median, vulns_p90;
	uint64_t new_findings, fixed_findings;
	uint64_t kev_images, critical_images, fixable_images;
	uint64_t containers_running;
} ld_fleet_summary;

typedef struct ld_fleet_data {
	ld_arena arena;
	int64_t generated;             /* when the data was taken (export or load time) */
	ld_fleet_image *images;
	size_t image_count;
	ld_fleet_container *containers;
	size_t container_count;
	ld_fleet_census census;
	ld_fleet_summary *history;     /* in time order */
	size_t history_count;
} ld_fleet_data;

void ld_fleet_data_init(ld_fleet_data *d);
void ld_fleet_data_release(ld_fleet_data *d);

/* Read an exported inventory (docs/fleet.md, "The fleet JSON"). `what` names it in errors;
 * a malformed member is LADING_EINVALID with its byte offset or record index. */
int ld_fleet_data_parse_json(ld_fleet_data *d, const char *p, size_t len, lading_ctx *ctx,
			     const char *what);
/* Write `d` in the same format (an export the report reads back with --from). */
int ld_fleet_data_write_json(ld_buf *out, const ld_fleet_data *d);

/* Fill `d` from an open inventory store (store/fleet_load.c): every image with its references,
 * layers and the findings of its current match, every container; one read transaction. */
struct lading_store;
int ld_store_load_fleet(struct lading_store *s, ld_fleet_data *d, lading_ctx *ctx);

/* RFC 3339 ("2024-05-01T12:00:00Z", offsets and fractions allowed) or "YYYY-MM-DD" to Unix
 * seconds; false when malformed. */
bool ld_fleet_parse_time(const char *s, int64_t *out);
/* RFC 3339 UTC, second precision, into out[32]; "" for LD_FLEET_TIME_UNKNOWN. */
void ld_fleet_format_time(int64_t t, char out[32]);
const char *ld_fleet_state_name(unsigned state);

/* ---- vulnerability identity and groups, shared by the report and the store's summaries ---- */

/* A vulnerability is identified across the store: findings whose id or aliases share a CVE id
 * are one vulnerability, named by its smallest CVE id; findings without any CVE id are one
 * vulnerability when they share any id (GHSA-x aliasing GO-y), named by their smallest id. */
typedef struct ld_fleet_vulns ld_fleet_vulns;
/* vuln[image][finding] = vulnerability index; names[index]. */
int ld_fleet_vulns_build(ld_fleet_vulns **out, const ld_fleet_data *d, lading_ctx *ctx);
void ld_fleet_vulns_free(ld_fleet_vulns *v);
size_t ld_fleet_vulns_count(const ld_fleet_vulns *v);
const char *ld_fleet_vulns_name(const ld_fleet_vulns *v, size_t vuln);
uint32_t ld_fleet_vulns_of(const ld_fleet_vulns *v, size_t image, size_t finding);

/* One distinct vulnerability of one image: its worst severity over the image's findings of it,
 * and whether any of them is known exploited / fixable. */
typedef struct ld_fleet_pair {
	uint32_t vuln;
	uint8_t severity, kev, fixable;
} ld_fleet_pair;
/* The distinct vulnerabilities of image `i`, sorted by vulnerability index; `scratch` holds at
 * least the image's finding_count entries. Returns how many. */
size_t ld_fleet_image_pairs(const ld_fleet_vulns *v, const ld_fleet_data *d, size_t i, ld_fleet_pair *scratch);

/* Median (mean of the two middle values when n is even) and p90 (nearest rank: the value at
 * rank ceil(0.9 n) of the sorted values) of sorted values; 0 when n is 0. */
double ld_fleet_median(const uint32_t *sorted, size_t n);
double ld_fleet_p90(const uint32_t *sorted, size_t n);

/* Grouping of images: --group-by official|registry|repo|namespace|source|label:KEY. */
typedef struct ld_fleet_grouping ld_fleet_grouping;
/* `official_re`: POSIX extended regex matched against every reference (NULL: only Docker Hub's
 * library/ images are official). LADING_EUSAGE on an unknown key or a bad regex. */
int ld_fleet_grouping_new(ld_fleet_grouping **out, const char *key, const char *official_re,
			  lading_ctx *ctx);
void ld_fleet_grouping_free(ld_fleet_grouping *g);
const char *ld_fleet_grouping_key(const ld_fleet_grouping *g);
/* The groups `img` belongs to (distinct, sorted): written to names[0..*n), up to `max`, strings
 * of `arena` or static. An image belongs to every group one of its references falls in. */
int ld_fleet_groups_of(const ld_fleet_grouping *g, const ld_fleet_image *img, ld_arena *arena,
		       const char **names, size_t max, size_t *n);

/* Reference parts: registry host (docker.io when none), repository path (library/ added for
 * Docker Hub one-part names), tag. Written into the caller's buffers (truncated). */
void ld_fleet_ref_split(const char *ref, char *host, size_t hn, char *repo, size_t rn, char *tag,
			size_t tn);

/* The summaries of `d` at `time` for the groups of each of the `ngr` groupings `g` and one
 * overall (group NULL, group_by the first grouping's key): the records the store keeps per
 * rescan. Each image's distinct vulnerabilities are worked out once for all groupings.
 * new_findings/fixed_findings are left 0 for the store to fill from its rescan diff. *out lives
 * in `arena`, overall first, then in order of first appearance. */
int ld_fleet_summarize(ld_fleet_summary **out, size_t *n, const ld_fleet_data *d,
		       const ld_fleet_vulns *v, const ld_fleet_grouping *const *g, size_t ngr,
		       int64_t time, ld_arena *arena, lading_ctx *ctx);

#endif

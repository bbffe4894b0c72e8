/* The inventory's documents (query, list, rescan) built from store rows: images with their
 * references and findings, containers with the image digest they resolve to. */
#ifndef LD_API_INVENTORY_DOC_H
#define LD_API_INVENTORY_DOC_H

#include "util/common.h"
#include "util/jsonw.h"
#include "util/map.h"
#include "util/vec.h"
#include "store/store.h"
#include "vulndb/query.h"

typedef struct inv_finding {
	const char *vuln, *fixed, *status, *aliases, *type, *name, *version;
	const char *purl, *source_name; /* what the policy (ignore file, VEX) matches on */
	int severity, kev;
	double epss, cvss; /* < 0 unknown */
	int64_t layer;
} inv_finding;

typedef struct inv_image {
	int64_t id;
	const char *digest, *os, *arch, *variant, *created, *source_type, *first_seen, *last_seen;
	const char *built_at, *os_id, *os_version;
	int64_t npkgs, nlayers, nvulns; /* nvulns: distinct ids of the current match */
	ld_vec tags;      /* const char * */
	ld_vec manifests; /* const char * */
	ld_vec labels;    /* lading_image_label: config labels, by key */
	ld_vec findings;  /* inv_finding */
	bool loaded;      /* image row read */
} inv_image;

typedef struct inv_container {
	const char *source, *cid, *name, *ns, *pod, *node, *owner, *image_ref, *image_digest, *labels;
	const char *state, *created, *started, *first_seen, *last_seen;
	const char *resolved; /* the image's digest when the store has it */
} inv_container;

typedef struct inv_doc {
	ld_arena arena;
	ld_vec images;      /* inv_image *, in order of first appearance */
	ld_map by_id;       /* "ID" -> inv_image * */
	ld_vec containers;  /* inv_container */
	bool collect_all;   /* image rows read in bulk create their images */
} inv_doc;

void inv_doc_init(inv_doc *d);
void inv_doc_release(inv_doc *d);
inv_image *inv_doc_image(inv_doc *d, int64_t id);
/* Rows (image_id, FINDING_COLS...) into findings of their images. */
int inv_doc_finding_rows(void *opaque, const ld_sv *c, size_t n);
/* Image rows (unless !rows: the caller set each image's digest), references and containers of
 * every image of the document. */
int inv_doc_complete(inv_doc *d, lading_store *s, bool rows, bool containers);
/* The image a reference or digest names, with its current findings (query --image). */
int inv_doc_by_image(inv_doc *d, lading_store *s, const char *value);
/* All images with their references (list images). */
int inv_doc_all_images(inv_doc *d, lading_store *s);
/* All containers (list containers). */
int inv_doc_all_containers(inv_doc *d, lading_store *s);

void inv_json_image(ld_jw *w, const inv_image *im, bool findings);
void inv_json_finding(ld_jw *w, const inv_finding *f);
void inv_json_container(ld_jw *w, const inv_container *c, lading_ctx *ctx);
const char *inv_severity_name(int s);

/* add (inventory_rescan.c): a known image's stored package list matched with the database
 * `db` (build `built_at`) and that match stored, without reading the image. */
int ld_inv_match_stored(lading_store *s, lading_ctx *ctx, ld_vdb *db, const char *built_at, const char *digest,
			size_t *findings);

/* The fleet history (store/fleet_data.h): one summary per "official" group and overall, computed
 * over the fleet as stored now, written in one transaction. `deltas` (may be NULL) give each
 * image's new and fixed findings of the rescan that just ran; `once_a_day`: nothing is written
 * when the newest summary is of today (UTC). */
typedef struct inv_delta {
	const char *digest;
	size_t new_findings, fixed_findings;
} inv_delta;
int inv_history_record(lading_store *s, lading_ctx *ctx, const inv_delta *deltas, size_t n, bool once_a_day);

/* v[0..n) joined by sep in the arena; NULL when n is 0 or on no memory. */
const char *ld_inv_join(ld_arena *a, const char *const *v, size_t n, const char *sep);

#endif

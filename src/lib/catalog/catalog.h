/* Catalog stage: catalogers read files from the merged view and add packages. Each cataloger
 * declares the files it needs (exact paths and globs) so the layer stage captures only those. */
#ifndef LD_CATALOG_H
#define LD_CATALOG_H

#include "lading/sbom.h"
#include "layer/layer.h"
#include "util/vec.h"

typedef struct ld_catalog {
	ld_arena arena;
	lading_os os;
	ld_vec pkgs;            /* lading_package */
	const ld_view *view;
	const lading_image_info *image;
	char distro[96];        /* purl distro qualifier, e.g. "debian-12", "alpine-3.20.3" */
	const char *analyzer_names[LD_MAX_ANALYZERS]; /* analyzer id -> name, set by the pipeline */
	size_t nanalyzers;
	ld_map owned;           /* canonical path -> owning OS package (built on first use) */
	ld_map dircache;        /* directory as written -> canonical directory */
	bool owned_ready;
	ld_vec candidates;      /* const ld_vnode *, see ld_catalog_candidates */
	bool candidates_ready;
	/* Read a file of a layer again (copies let go after the read, ld_layer_drop_big), into
	 * `out`; set by the pipeline. */
	int (*reread)(void *opaque, size_t layer, const char *path, ld_layer_filebuf *out);
	void *reread_opaque;
} ld_catalog;

typedef struct ld_cataloger {
	const char *name;
	const char *version;           /* bump when output changes (keys analysis caches) */
	const char *const *wants;      /* exact paths or globs, NULL-terminated */
	size_t max_file;               /* cap on one wanted file */
	int (*run)(ld_catalog *cat, lading_ctx *ctx);
	const ld_analyzer *const *analyzers; /* whole-file analyzers it needs, NULL-terminated, or NULL */
} ld_cataloger;

/* All catalogers, OS detection first; NULL-terminated. */
const ld_cataloger *const *ld_catalogers(void);

/* The catalogers, one per file (catalog.c lists them in the order they run). */
extern const ld_cataloger ld_cataloger_os;
extern const ld_cataloger ld_cataloger_dpkg;
extern const ld_cataloger ld_cataloger_apk;
extern const ld_cataloger ld_cataloger_rpm;
extern const ld_cataloger ld_cataloger_python;
extern const ld_cataloger ld_cataloger_npm;
extern const ld_cataloger ld_cataloger_app;
extern const ld_cataloger ld_cataloger_node_lock;
extern const ld_cataloger ld_cataloger_java;
extern const ld_cataloger ld_cataloger_ruby;
extern const ld_cataloger ld_cataloger_php;
extern const ld_cataloger ld_cataloger_rust_lock;
extern const ld_cataloger ld_cataloger_dotnet;
extern const ld_cataloger ld_cataloger_golang;
extern const ld_cataloger ld_cataloger_rust_audit;
extern const ld_cataloger ld_cataloger_binary;

void ld_catalog_init(ld_catalog *c, const ld_view *view, const lading_image_info *image);
void ld_catalog_release(ld_catalog *c);
/* A new zeroed package (epoch -1, layer -1), or NULL on OOM. */
lading_package *ld_catalog_add(ld_catalog *c);
/* Sort packages by (type, name, version, arch, location) and drop exact duplicates. */
void ld_catalog_sort(ld_catalog *c);

/* The id under which an analyzer (by name) was registered for this run, or -1. */
int ld_catalog_analyzer_id(const ld_catalog *c, const char *name);
/* Regular files of the final view that matched a want (captured or too big) or have analyzer
 * results, sorted by path (const ld_vnode * elements): one walk of the view shared by the
 * catalogers that look for files by pattern. NULL on OOM. */
const ld_vec *ld_catalog_candidates(ld_catalog *c);
/* The OS package that owns a path (as its package database lists it, compared after resolving
 * directory symlinks in the image, e.g. /lib -> usr/lib), or NULL. OS catalogers must have run. */
const lading_package *ld_catalog_owner(ld_catalog *c, const char *path);
/* After every cataloger ran: flag language packages whose location an OS package owns
 * (LADING_PKG_OS_MANAGED). owned.c */
void ld_catalog_mark_os_managed(ld_catalog *c);

/* Every captured version of a file, layer by layer (for "which layer introduced a package").
 * The path is resolved in the final view first. Calls fn(layer index, content) in layer order. */
typedef int (*ld_history_fn)(void *opaque, int layer, ld_slice content);
int ld_catalog_history(const ld_catalog *c, const char *path, ld_history_fn fn, void *opaque);

/* purl helpers: percent-encode a component per the purl spec into the arena. */
char *ld_purl_encode(ld_arena *a, ld_slice s);
/* "pkg:TYPE/NAMESPACE/NAME@VERSION?q1=v1&q2=v2" with qualifiers sorted by key; NULL values and
 * NULL namespace are omitted. quals: key, value pairs, NULL-terminated. */
char *ld_purl_build(ld_arena *a, const char *type, const char *ns, const char *name, const char *version,
		    const char *const *quals);

/* ---- SBOM documents read back (sbomdoc.c) ---- */

#define LD_SBOMDOC_MAX_LAYERS 1024 /* layers an SBOM may name (LD_MAX_LAYERS of the source stage) */

/* What a document says about the image it describes; strings live in the catalog's arena. */
typedef struct ld_sbomdoc_image {
	const char *format;          /* "cyclonedx-1.5", "spdx-2.3", "lading" */
	const char *name;            /* image name or reference, NULL when none */
	const char *config_digest;   /* "sha256:..." when the document gives one */
	const char *manifest_digest;
	const char *platform;        /* "os/arch[/variant]" */
	const char *created;
	const char **layers;         /* layer digests by index (entries may be NULL) */
	size_t nlayers;
} ld_sbomdoc_image;

/* Parse a CycloneDX (1.2-1.6), SPDX (2.2/2.3) or lading.sbom/v1 JSON document of (p,len) into
 * the catalog `c` (initialised with no view): its packages (from purls), its OS, and `img`.
 * Entries without a purl are counted warnings. LADING_EUNSUPPORTED for another kind of
 * document, LADING_ELIMIT past a named limit. Packages are left unsorted. */
int ld_sbomdoc_parse(ld_catalog *c, ld_sbomdoc_image *img, const char *p, size_t len, lading_ctx *ctx,
		     const char *what);

/* Layer attribution from successive versions of a package database: for each package key of
 * the final database, the first layer from which it was present with the same version in every
 * later version of the database. */
typedef struct ld_attrib ld_attrib;
int ld_attrib_new(ld_attrib **out);
void ld_attrib_free(ld_attrib *a);
/* Feed one layer's version of the database: all (key, version) pairs it lists. */
int ld_attrib_begin(ld_attrib *a, int layer);
int ld_attrib_add(ld_attrib *a, const char *key, const char *version);
int ld_attrib_end(ld_attrib *a);
/* Layer for a key of the last version fed, or -1. */
int ld_attrib_layer(const ld_attrib *a, const char *key, const char *version);

#endif

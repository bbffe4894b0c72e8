/* Layer stage: stream each layer (decompress by magic, walk the tar, never unpack to disk),
 * capture only the files catalogers asked for, then merge layers with whiteouts into one view
 * of the final filesystem, resolving symlinks inside that view only. */
#ifndef LD_LAYER_H
#define LD_LAYER_H

#include "source/source.h"
#include "util/map.h"
#include "util/path.h"
#include "util/vec.h"

/* Named limits of the layer walk. */
#define LD_LAYER_MAX_ENTRIES 5000000           /* entries in one layer */
#define LD_LAYER_MAX_CAPTURE ((size_t)2 << 30)  /* bytes of wanted files kept from one layer */
#define LD_SYMLINK_MAX_HOPS 40                  /* as Linux's MAXSYMLINKS */

/* ---- what to capture ---- */

typedef struct ld_wants ld_wants;
int ld_wants_new(ld_wants **out);
void ld_wants_free(ld_wants *w);
/* A canonical path, or a glob (util/path.h) when it contains '*' or '?'. `max_size` caps what is
 * read of one file (larger ones are noted as too big and skipped with a warning). */
int ld_wants_add(ld_wants *w, const char *pattern, size_t max_size);
bool ld_wants_match(const ld_wants *w, ld_slice path, size_t *max_size);

/* ---- one layer ---- */

typedef enum {
	LD_LF_REG = 0,
	LD_LF_DIR,
	LD_LF_SYMLINK,
	LD_LF_HARDLINK, /* resolved to its target's content within the layer when wanted */
	LD_LF_OTHER,
	LD_LF_WHITEOUT, /* path = the path removed from lower layers */
	LD_LF_OPAQUE    /* path = the directory whose lower-layer content is hidden */
} ld_lf_type;

typedef struct ld_lfile {
	const char *path;  /* canonical */
	uint32_t path_len;
	uint8_t type;      /* ld_lf_type */
	bool wanted;       /* matched a want (content captured unless too_big) */
	bool captured;
	bool too_big;
	uint32_t mode;
	uint64_t size;
	const char *link;  /* symlink target (raw) or hardlink target (canonical) */
	const unsigned char *data;
	size_t data_len;
} ld_lfile;

typedef struct ld_layer {
	size_t index;
	ld_arena arena;
	ld_vec files;        /* ld_lfile, in archive order (a later duplicate overrides) */
	ld_comp comp;
	uint64_t bytes_in;   /* bytes as stored */
	uint64_t captured_bytes;
	char blob_digest[LD_DIGEST_STR_LEN]; /* computed, for sources whose layers have no descriptor */
} ld_layer;

static inline ld_lfile *ld_layer_file(const ld_layer *l, size_t i)
{
	return ld_vec_at(&l->files, i);
}

/* Read all layers of `img` (in parallel, up to ld_ctx_threads) capturing the wanted files.
 * *out is an array of info.layer_count layers; free with ld_layers_free. */
int ld_layers_read(ld_layer **out, lading_image *img, const ld_wants *wants, lading_ctx *ctx);
/* Read layer `l` again and capture the given canonical paths too (targets of symlinks found
 * after the merge). */
int ld_layer_fetch(lading_image *img, ld_layer *l, const char *const *paths, size_t n, size_t max_size,
		   lading_ctx *ctx);
void ld_layers_free(ld_layer *layers, size_t n);

/* ---- the merged view ---- */

typedef struct ld_vnode ld_vnode;
struct ld_vnode {
	const char *name;     /* last component ("" for the root) */
	const char *path;     /* canonical full path */
	uint32_t path_len;
	uint8_t type;         /* LD_LF_REG/DIR/SYMLINK/OTHER (hardlinks appear as REG) */
	int layer;            /* index of the layer that last wrote it, -1 for implicit dirs */
	const ld_lfile *file; /* its entry in that layer (NULL for implicit dirs) */
	ld_vnode *parent, *child, *next, *prev; /* tree links (children doubly linked) */
};

typedef struct ld_view {
	ld_arena arena;
	ld_map nodes;         /* canonical path -> ld_vnode */
	ld_vnode *root;
	ld_layer *layers;     /* not owned */
	size_t nlayers;
} ld_view;

int ld_view_build(ld_view **out, ld_layer *layers, size_t n, lading_ctx *ctx);
void ld_view_free(ld_view *v);
/* The node at a canonical path, without following symlinks. */
ld_vnode *ld_view_lookup(const ld_view *v, ld_slice path);
/* Follow symlinks in every component (and the last one when follow_last), inside the image
 * only: absolute targets restart at the image root, ".." stops at the root, loops end after
 * LD_SYMLINK_MAX_HOPS. Returns the node or NULL; `canon` (LD_PATH_MAX) gets the resolved path. */
ld_vnode *ld_view_resolve(const ld_view *v, ld_slice path, bool follow_last, char *canon);
/* Content of a file (following symlinks): 0, LADING_ENOTFOUND (no such file or not a regular
 * file), or LADING_ELIMIT (wanted but too big / not captured). *layer gets the layer index. */
int ld_view_read(const ld_view *v, const char *path, ld_slice *data, int *layer);

#endif

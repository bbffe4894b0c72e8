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
/* Whether the path is wanted by name (not only through a glob). */
bool ld_wants_exact(const ld_wants *w, ld_slice path);

/* Analyzers look at files that are too big or too many to keep (executables, shared libraries,
 * archives): each matching file is read into a reusable buffer, given to `fn`, and only fn's
 * small result (bytes in `a`) is kept on the file's entry. */
typedef int (*ld_analyze_fn)(const unsigned char *data, size_t len, const char *path, ld_arena *a,
			     ld_slice *result);
/* A byte range of a file. */
typedef struct ld_range {
	uint64_t off, len;
} ld_range;
/* Files over the sparse threshold (LD_ANALYZE_SPARSE_MIN) are not kept whole when every
 * analyzer that applies can say, from the file's first LD_ANALYZE_HEAD bytes (or all of it when
 * shorter) and its size, which ranges it reads: the reader keeps only those (and the head) and
 * `fn` sees the file's full length with zeros elsewhere, so an analyzer needs no second code
 * path. Return the number of ranges written to out[max], or -1 when it needs the whole file
 * (e.g. it cannot tell yet). Why: an image's largest executables (compilers, databases) were
 * the peak of `lading sbom`'s memory, read whole only to look at their section table. */
typedef int (*ld_plan_fn)(const unsigned char *head, size_t head_len, uint64_t size, ld_range *out,
			  size_t max);
/* Some formats say where things are only as the file streams past (a zip: each local header
 * names the entry that follows; the directory of them all comes last). For those a sweep is
 * called as the file streams into an address space of its size (m holds its bytes [0, avail),
 * zeros where earlier calls let bytes go) and says what it will not need: the bytes
 * [avail, skip_to) pass without being kept, the bytes of `release` (below avail) are given back;
 * `whole` keeps everything from then on (no more calls). `fn` then sees the file's full length,
 * as with a plan. Used when a sweep is the only analyzer of a file over the sparse threshold. */
#define LD_SWEEP_MAX_RELEASE 64
typedef struct ld_sweep {
	uint64_t state[24];			 /* the analyzer's, zeroed for each file */
	uint64_t skip_to;			 /* out */
	ld_range release[LD_SWEEP_MAX_RELEASE]; /* out */
	size_t nrelease;			 /* out */
	bool whole;				 /* out */
} ld_sweep;
typedef void (*ld_sweep_fn)(ld_sweep *s, const unsigned char *m, uint64_t avail, uint64_t size);
#define LD_ANALYZE_HEAD	       ((size_t)64 << 10)
#define LD_ANALYZE_SPARSE_MIN  ((uint64_t)1 << 20) /* default; LADING_ANALYZE_SPARSE_MIN overrides */
#define LD_ANALYZE_MAX_RANGES  8                   /* per analyzer */
typedef struct ld_analyzer {
	const char *name;     /* also keys cached results: bump `version` when the output changes */
	const char *version;
	const char *pattern;  /* glob on the path; NULL = any regular file */
	bool exec_or_lib;     /* only files with an exec bit or a shared-library name (*.so, *.so.N) */
	const char *magic;    /* leading bytes the file must start with, or NULL */
	size_t magic_len;
	size_t max_size;      /* larger files are skipped (counted) */
	ld_analyze_fn fn;
	ld_plan_fn plan;      /* optional (see above); NULL = reads the whole file */
	ld_sweep_fn sweep;    /* optional (see above), instead of a plan */
	bool (*applies)(ld_slice path); /* optional: false = nothing to look for in this file */
} ld_analyzer;
#define LD_MAX_ANALYZERS 32
/* Register an analyzer; *id gets its index (results carry it). */
int ld_wants_add_analyzer(ld_wants *w, const ld_analyzer *an, int *id);
size_t ld_wants_analyzer_count(const ld_wants *w);
const ld_analyzer *ld_wants_analyzer(const ld_wants *w, size_t id);
/* Bit mask of the analyzers that apply to a path/mode (magic not checked yet). */
uint32_t ld_wants_analyzers_for(const ld_wants *w, ld_slice path, uint32_t mode);
/* Files larger than this are read sparsely when their analyzers allow it (see ld_plan_fn):
 * LD_ANALYZE_SPARSE_MIN, or the environment's LADING_ANALYZE_SPARSE_MIN (bytes; tests compare
 * sparse and whole reads of the same files with it). */
uint64_t ld_wants_sparse_min(const ld_wants *w);
/* Layer cache (cache.c): extra text that keys cached layer analyses, e.g. "dpkg@3" for each
 * cataloger of the run; and the digest of everything that decides what reading a layer
 * produces (wants, their size caps, analyzers with their versions, keys, the reader's version). */
#define LD_LAYER_READER_VERSION "3" /* bump when read.c records entries differently */
int ld_wants_add_key(ld_wants *w, const char *text);
int ld_wants_fingerprint(const ld_wants *w, char out[LD_DIGEST_STR_LEN]);

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

typedef struct ld_lresult ld_lresult;
struct ld_lresult {
	int analyzer;          /* id from ld_wants_add_analyzer */
	ld_slice data;         /* what it returned (in the layer's arena) */
	ld_lresult *next;
};

typedef struct ld_lfile {
	const char *path;  /* canonical */
	uint32_t path_len;
	uint8_t type;      /* ld_lf_type */
	bool wanted;       /* matched a want (content captured unless too_big) */
	bool captured;
	bool too_big;
	bool fetched;      /* captured by ld_layer_fetch (after the merge), not while streaming */
	bool implicit;     /* LD_LF_DIR only: a parent directory the archive did not list */
	bool big;          /* data is a block of its own (LD_CAPTURE_DROP_MIN or more), freed with the layer */
	bool dropped;      /* captured, then let go after the read (ld_layer_drop_big): read it again */
	uint32_t mode;
	uint64_t size;
	const char *link;  /* symlink target (raw) or hardlink target (canonical) */
	const unsigned char *data;
	size_t data_len;
	size_t big_size;       /* bytes of the block of a `big` capture (charged to the budget) */
	ld_lresult *results;   /* analyzers' results, if any applied */
} ld_lfile;

/* Most entries of a large layer are regular files that nothing asked for: of those ("plain"
 * files) a layer keeps only a keyed 64-bit hash of the path (ld_hash64_keyed), 8 bytes each, so
 * that the view can still tell that the path exists, in which layer, and hide lower layers'
 * entries under it. Their paths themselves are kept (front-coded, as the layer cache stores
 * them) only while the layer cache may write the layer. Why: a node_modules layer of 1,000,000
 * files cost 280 MB of entries and nodes (255 bytes each) for nothing any cataloger reads. */
typedef struct ld_plain {
	uint64_t *hash;      /* sorted once the layer is read */
	size_t len, cap;
	ld_buf fc;           /* front-coded paths (LEB128 common prefix, LEB128 length, bytes) */
	ld_slice fc_view;    /* the same bytes, in fc or in the loaded cache file */
	size_t fc_count;
	bool keep_paths;
	size_t last_dir; /* while reading: index + 1 in files of the previous plain file's parent */
	struct ld_budget *budget; /* the hash array (and the layer's records) are charged to it */
	size_t kept;              /* records charged by the reader */
} ld_plain;

typedef struct ld_layer {
	size_t index;
	ld_arena arena;
	ld_vec files;        /* ld_lfile of entries kept whole (everything but plain files), in
			      * archive order (a later duplicate overrides) */
	ld_plain plain;
	ld_vec extra;        /* ld_lfile *: plain files captured later by ld_layer_fetch */
	ld_comp comp;
	uint64_t bytes_in;   /* bytes as stored */
	uint64_t captured_bytes;
	uint64_t analyzed_files, analyzed_bytes, analyze_skipped;
	char blob_digest[LD_DIGEST_STR_LEN]; /* computed, for sources whose layers have no descriptor */
	struct ld_lcache *cache; /* layer cache state (cache.c), in the arena; NULL when not cached */
} ld_layer;

static inline ld_lfile *ld_layer_file(const ld_layer *l, size_t i)
{
	return ld_vec_at(&l->files, i);
}
/* Whether the layer holds a plain file at this hash (binary search: the layer is read). */
bool ld_layer_has_plain(const ld_layer *l, uint64_t hash);
/* The captured record of a file of the layer at `path` (kept whole or fetched later), or NULL. */
const ld_lfile *ld_layer_captured(const ld_layer *l, const char *path);
/* Number of entries the layer recorded (kept whole and plain). */
size_t ld_layer_entry_count(const ld_layer *l);
/* Append a plain file's path to the layer's record (read.c, cache.c). */
int ld_layer_add_plain(ld_layer *l, ld_slice path, char *prev, size_t *prevlen);
/* Sort the plain hashes once all are added (for ld_layer_has_plain). */
void ld_layer_plain_sort(ld_layer *l);

/* Read all layers of `img` (in parallel, up to ld_ctx_threads) capturing the wanted files.
 * *out is an array of info.layer_count layers; free with ld_layers_free. */
int ld_layers_read(ld_layer **out, lading_image *img, const ld_wants *wants, lading_ctx *ctx);
/* Read layer `l` again and capture the given canonical paths too (targets of symlinks found
 * after the merge, of hardlinks), each within its own cap caps[i] (the cap of the want that
 * reached it). The re-read is checked against the layer's digest before anything it captured
 * is used or cached: on any failure nothing it captured stays. */
int ld_layer_fetch(lading_image *img, ld_layer *l, const char *const *paths, const size_t *caps, size_t n,
		   lading_ctx *ctx);
void ld_layers_free(ld_layer *layers, size_t n);
/* Captured files this big (package databases wanted by name, lockfiles matched by a glob) are
 * not kept after their layer is read: the top copy is read again after the merge (ld_layer_fetch,
 * as symlink targets are) and each lower copy only when the history of the file is walked
 * (ld_layer_read_file), one at a time. Why: an image whose 64 MB package database was in eight
 * layers held eight copies; lockfiles up to their 64 MiB cap were held per layer alike. */
#define LD_CAPTURE_DROP_MIN ((size_t)16 << 20)
void ld_layer_drop_big(ld_layer *l, const ld_wants *w);
/* A file read again: its own mapping (freed at once by ld_layer_file_release: a heap block of
 * this size could stay with the process after free), charged to the scan's budget. */
typedef struct ld_layer_filebuf {
	unsigned char *data; /* NUL-terminated */
	size_t len, cap;
	struct ld_budget *budget;
} ld_layer_filebuf;
/* Read one regular file of layer `l` (at most max bytes): 0, LADING_ENOTFOUND, LADING_ELIMIT or a
 * read error. Release *out with ld_layer_file_release in every case. */
int ld_layer_read_file(lading_image *img, const ld_layer *l, const char *path, size_t max,
		       ld_layer_filebuf *out, lading_ctx *ctx);
void ld_layer_file_release(ld_layer_filebuf *b);

/* ---- the merged view ---- */

typedef struct ld_vnode ld_vnode;
struct ld_vnode {
	const char *name;     /* last component ("" for the root) */
	const char *path;     /* canonical full path */
	uint32_t path_len;
	uint8_t type;         /* LD_LF_REG/DIR/SYMLINK/OTHER (hardlinks appear as REG) */
	bool plain;           /* a plain file, made on lookup (not in the tree, never iterated) */
	int layer;            /* index of the layer that last wrote it, -1 for implicit dirs */
	int made;             /* index of the layer that created the node (-1: the root) */
	uint64_t hash;        /* ld_hash64_keyed of the path */
	const ld_lfile *file; /* its entry in that layer (NULL for implicit dirs) */
	ld_vnode *parent, *child, *next, *prev; /* tree links (children doubly linked) */
};

typedef struct ld_view {
	ld_arena arena;
	ld_map nodes;         /* canonical path -> ld_vnode (everything but plain files) */
	ld_map byhash;        /* the same nodes by their hash (plain files of upper layers replace them) */
	ld_map plain;         /* plain-file nodes made by lookups, by path */
	pthread_mutex_t mu;   /* lookups make plain nodes */
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
/* Call fn for every node of the final view but plain files (hash order: sort what you derive).
 * Stops at and returns fn's first non-zero return. */
int ld_view_each(const ld_view *v, int (*fn)(void *opaque, const ld_vnode *n), void *opaque);
/* An analyzer's result for a node (regular files; hardlinks share their target's), or NULL. */
const ld_slice *ld_vnode_result(const ld_vnode *n, int analyzer);

/* Content of a file (following symlinks): 0, LADING_ENOTFOUND (no such file or not a regular
 * file), or LADING_ELIMIT (wanted but too big / not captured). *layer gets the layer index. */
int ld_view_read(const ld_view *v, const char *path, ld_slice *data, int *layer);

#endif

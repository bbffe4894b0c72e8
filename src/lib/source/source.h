/* Source stage: turns an image reference into metadata (manifest, config, layer list) and gives
 * the layer stage one verified byte stream per layer, or, for directories, a walk of entries. */
#ifndef LD_SOURCE_H
#define LD_SOURCE_H

#include "lading/image.h"
#include "util/archive.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/stream.h"

/* Named limits for image metadata (manifests and configs are small documents). */
#define LD_MAX_IMAGE_LABELS 4096       /* config.Labels entries */
#define LD_MAX_LAYERS 1024             /* OCI sets none; real images have < 128 */
#define LD_MAX_MANIFEST_BYTES (4u << 20)
#define LD_MAX_CONFIG_BYTES (8u << 20)
#define LD_MAX_INDEX_DEPTH 4           /* index -> index -> manifest nesting */
#define LD_MAX_INDEX_ENTRIES 4096
#define LD_MAX_OUTER_ENTRIES 1000000   /* members of a docker-archive / oci-archive tar */

typedef struct ld_entries ld_entries;

/* An entry walk: implemented by the layer stage for tar streams and by the source stage for
 * directory sources. */
struct ld_entries {
	/* 1 = next entry in *e, 0 = end, < 0 = error */
	int (*next)(ld_entries *w, ld_ar_entry *e);
	/* Data of the current entry: > 0 bytes, 0 at its end, < 0 error. */
	ssize_t (*read)(ld_entries *w, void *buf, size_t n);
	void (*close)(ld_entries *w);
	uint64_t (*consumed)(ld_entries *w); /* input bytes used so far, for progress */
};

typedef enum {
	LD_SRC_DOCKER_ARCHIVE,
	LD_SRC_OCI_DIR,
	LD_SRC_OCI_ARCHIVE,
	LD_SRC_DIR,
	LD_SRC_ROOTFS_TAR,
	LD_SRC_REGISTRY,
	LD_SRC_DOCKER,      /* an image of a Docker Engine (or Podman) API */
	LD_SRC_DOCKER_DIR   /* skopeo/podman "dir:" layout: manifest.json + blobs named by hex digest */
} ld_src_kind;

/* How a layer's content is checked. */
typedef struct ld_layer_src {
	char blob_digest[LD_DIGEST_STR_LEN]; /* checked on the bytes as stored, when set */
	char diff_id[LD_DIGEST_STR_LEN];     /* from the config; checked on uncompressed bytes when
						`verify_diff_id` (docker legacy layers have no blob digest) */
	bool verify_diff_id;
	int64_t size;                        /* blob size from the descriptor, -1 unknown */
} ld_layer_src;

typedef struct ld_source_ops ld_source_ops;

struct lading_image {
	ld_arena arena;
	ld_src_kind kind;
	lading_image_info info;
	lading_layer_info *layers;   /* info.layers points here */
	ld_layer_src *lsrc;          /* per layer */
	const ld_source_ops *ops;
	void *state;
	lading_ctx *ctx;             /* the context the image was opened with (not owned) */
	/* Caches (registry issue): the cache root ($XDG_CACHE_HOME/lading) or NULL with --no-cache;
	 * `io_parallel` > 0 asks the layer reader for that many layers at once even on fewer
	 * cores (network sources: downloads wait on the network, not the CPU). */
	const char *cache_root;
	unsigned io_parallel;
};

struct ld_source_ops {
	/* Stream of layer i as stored, already wrapped in blob-digest verification when the
	 * descriptor has a digest. NULL for directory sources. */
	int (*open_layer)(lading_image *img, size_t i, ld_stream **out, lading_ctx *ctx);
	/* Entry walk of layer i, for sources that are not tar streams (directories). */
	int (*open_entries)(lading_image *img, size_t i, ld_entries **out, lading_ctx *ctx);
	void (*free)(lading_image *img);
};

/* ---- shared helpers of the source backends ---- */

/* A place to read blobs from: an OCI layout directory or the members of a tar file. */
typedef struct ld_blobstore ld_blobstore;
int ld_blobstore_dir(ld_blobstore **out, const char *dir, lading_ctx *ctx);
int ld_blobstore_tar(ld_blobstore **out, const char *file, lading_ctx *ctx);
/* A tar held by an open descriptor (e.g. a memfd); `name` stands for it in messages. */
int ld_blobstore_tar_fd(ld_blobstore **out, int fd, const char *name, lading_ctx *ctx);
void ld_blobstore_free(ld_blobstore *bs);
bool ld_blobstore_exists(ld_blobstore *bs, const char *name);
/* Read a small member whole (name relative to the layout root, e.g. "index.json"). */
int ld_blobstore_read(ld_blobstore *bs, const char *name, size_t max, ld_buf *out, lading_ctx *ctx);
/* Stream a member; thread-safe for different members. */
int ld_blobstore_open(ld_blobstore *bs, const char *name, ld_stream **out, lading_ctx *ctx);
int64_t ld_blobstore_size(ld_blobstore *bs, const char *name);
/* Read blob "blobs/sha256/<hex>" whole, verified against its digest (and size if >= 0). */
int ld_blobstore_read_blob(ld_blobstore *bs, const char *digest, int64_t size, size_t max, ld_buf *out,
			   lading_ctx *ctx);

/* Parse an image config (OCI or Docker: same fields) into img: os, architecture, variant,
 * created, diff_ids, and created_by of each non-empty history entry. */
int ld_config_apply(lading_image *img, const char *p, size_t len, const char *config_digest,
		    lading_ctx *ctx);
/* OCI layout (in a directory or a tar): pick the manifest (tag, platform), read config and layers. */
int ld_oci_load(lading_image *img, ld_blobstore *bs, const char *tag, const char *platform,
		lading_ctx *ctx);
/* Docker `docker save` layout (manifest.json) in a tar. */
int ld_docker_load(lading_image *img, ld_blobstore *bs, const char *tag, lading_ctx *ctx);
/* skopeo `dir:` / podman `docker-dir` layout: manifest.json (one image manifest), blobs named
 * by their hex digest, a `version` file. */
int ld_docker_dir_load(lading_image *img, ld_blobstore *bs, lading_ctx *ctx);
/* An image of a Docker Engine API (docker.c): NAME, NAME:TAG or an image ID. */
int ld_docker_image_open(lading_image *img, const char *name, const char *host, lading_ctx *ctx);
/* A directory holding a root filesystem: one pseudo-layer walked from the host. */
int ld_rootfs_dir_open(lading_image *img, const char *path, lading_ctx *ctx);

/* ---- manifests and indexes, shared by OCI layouts and registries (oci.c) ---- */

bool ld_mt_is_index(const char *mt);
/* Choose one descriptor of an index document: the one whose ref.name annotation matches `tag`
 * when given, else the one for `platform` (NULL = linux/amd64), skipping attestations.
 * *out points into `index`; its digest is a valid sha256 digest. */
int ld_index_choose(const ld_json *index, const char *tag, const char *platform, const ld_json **out,
		    lading_ctx *ctx);
/* Check an image manifest (Docker schema 2 or OCI; schema 1 and indexes are refused with a
 * clear error), allocate img's layers and fill their descriptors (blob digest, size, media
 * type). *cfgdesc gets the config descriptor, whose digest is valid. `desc_mt` is the media type
 * known from outside (index descriptor, Content-Type) for manifests without one. */
int ld_manifest_apply(lading_image *img, const ld_json *man, const char *digest, const char *desc_mt,
		      const ld_json **cfgdesc, lading_ctx *ctx);

int ld_image_alloc_layers(lading_image *img, size_t n, lading_ctx *ctx);
/* Parse "os/arch[/variant]". */
int ld_platform_parse(const char *s, char *os, size_t osz, char *arch, size_t asz, char *variant,
		      size_t vsz);

#endif

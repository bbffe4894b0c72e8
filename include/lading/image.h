/* lading: opening container images from local sources and registries. */
#ifndef LADING_IMAGE_H
#define LADING_IMAGE_H

#include "lading/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lading_image lading_image;

typedef struct lading_image_options {
	unsigned version;       /* LADING_IMAGE_OPTIONS_VERSION */
	const char *platform;   /* "os/arch[/variant]", NULL = linux/amd64 (only used by indexes) */
	/* version 2: registries and caches (docs/registry.md) */
	int insecure;           /* registries: allow plain HTTP and unverified TLS (loopback hosts
				   may use plain HTTP without it) */
	const char *username;   /* registry credentials; NULL = LADING_REGISTRY_USERNAME/PASSWORD,
				   then ~/.docker/config.json */
	const char *password;
	int no_cache;           /* neither read nor write the blob and layer caches */
	const char *cache_dir;  /* NULL = $XDG_CACHE_HOME/lading, else ~/.cache/lading */
	/* version 3: Docker Engine API images ("docker:NAME[:TAG]", "docker:ID") */
	const char *docker_host; /* "unix:///PATH" or "tcp://HOST:PORT"; NULL = $DOCKER_HOST, else
				    unix:///var/run/docker.sock */
	/* version 4: registries reached over plain HTTP or unverified TLS, as Docker's daemon
	   setting "insecure-registries": "HOST[:PORT]" as the reference names the registry
	   (compared without case; no port = the default port only); every other registry keeps
	   TLS verification */
	const char *const *insecure_registries;
	size_t insecure_registry_count;
} lading_image_options;

#define LADING_IMAGE_OPTIONS_VERSION 4
#define LADING_IMAGE_OPTIONS_INIT {LADING_IMAGE_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, 0}

/* Whether `registry` ("HOST[:PORT]") is one of the options' insecure registries (or --insecure
 * is set). */
LADING_EXTERN(int) lading_image_registry_insecure(const lading_image_options *opts, const char *registry);

typedef struct lading_layer_info {
	const char *digest;      /* content digest of the uncompressed layer (diff_id) when known,
				    else the blob digest */
	const char *blob_digest; /* digest of the blob as stored (compressed), may equal digest */
	const char *media_type;  /* may be NULL (docker legacy) */
	int64_t size;            /* blob size, -1 if unknown */
	const char *created_by;  /* config history entry of this layer, may be NULL */
	const char *compression; /* detected after reading: "gzip", "zstd", "none"... NULL before */
} lading_layer_info;

/* One label of the image config (config.Labels), as the image's author set it. */
typedef struct lading_image_label {
	const char *key;
	const char *value;
} lading_image_label;

typedef struct lading_image_info {
	const char *source_type;     /* "docker-archive", "oci", "oci-archive", "dir", "rootfs-tar",
					"registry", "docker" (engine API), "docker-dir" (skopeo dir:) */
	const char *source_path;     /* file or directory as given */
	const char *ref;             /* tag chosen or found (RepoTags[0], ref.name), may be NULL */
	const char *manifest_digest; /* digest of the image manifest, NULL when the source has none */
	const char *config_digest;   /* image ID: digest of the config blob, NULL for dir/rootfs-tar */
	const char *os;              /* config "os", "architecture", "variant", "created" */
	const char *architecture;
	const char *variant;
	const char *created;
	size_t layer_count;
	const lading_layer_info *layers;
	size_t repo_tag_count;
	const char *const *repo_tags;
	/* "REPO@sha256:..." references the source knows (Docker engine RepoDigests) */
	size_t repo_digest_count;
	const char *const *repo_digests;
	/* config.Labels sorted by key (non-string values skipped); none for dir/rootfs-tar */
	size_t label_count;
	const lading_image_label *labels;
} lading_image_info;

/* Open an image: "docker:NAME[:TAG]" or "docker:ID" (an image of a Docker Engine or Podman API,
 * read from the engine without writing it to disk), "docker-archive:FILE", "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "dir:PATH",
 * "rootfs-tar:FILE" (a root filesystem as one tar, e.g. Alpine's minirootfs), a path whose kind
 * is detected, or a registry image "[registry:|docker://][REGISTRY/]REPO[:TAG|@sha256:DIGEST]"
 * (also without a prefix when no such path exists). Manifests, index and config are read and
 * verified now; layers are read later. */
LADING_EXTERN(int) lading_image_open(lading_image **out, lading_ctx *ctx, const char *ref,
				     const lading_image_options *opts);
LADING_EXTERN(void) lading_image_free(lading_image *img);
LADING_EXTERN(const lading_image_info *) lading_image_get_info(const lading_image *img);

#ifdef __cplusplus
}
#endif
#endif

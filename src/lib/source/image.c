/* Opening images: reference parsing, source detection, the image config. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/common.h"
#include "util/cachedir.h"
#include "util/path.h"
#include "source/registry.h"
#include "source/source.h"

int ld_image_alloc_layers(lading_image *img, size_t n, lading_ctx *ctx)
{
	if (n > LD_MAX_LAYERS)
		return ld_error_set(ctx, LADING_ELIMIT, "image has %zu layers, more than the limit of %d", n,
				    LD_MAX_LAYERS);
	img->layers = n ? ld_arena_array(&img->arena, n, sizeof(*img->layers)) : NULL;
	img->lsrc = n ? ld_arena_array(&img->arena, n, sizeof(*img->lsrc)) : NULL;
	if (n && (!img->layers || !img->lsrc))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		img->layers[i].size = -1;
		img->lsrc[i].size = -1;
	}
	img->info.layers = img->layers;
	img->info.layer_count = n;
	return 0;
}

int ld_platform_parse(const char *s, char *os, size_t osz, char *arch, size_t asz, char *variant, size_t vsz)
{
	ld_slice rest = ld_slice_cstr(s ? s : "linux/amd64"), a, b;
	ld_slice_cut(&rest, '/', &a);
	ld_slice_cut(&rest, '/', &b);
	if (!a.len || !b.len || ld_slice_find(rest, '/') >= 0)
		return LADING_EUSAGE;
	ld_slice_copy(os, osz, a);
	ld_slice_copy(arch, asz, b);
	ld_slice_copy(variant, vsz, rest);
	return 0;
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const lading_image_label *)a)->key, ((const lading_image_label *)b)->key);
}

/* config.Labels (OCI: config.Labels; Docker also writes container_config.Labels, the build's). */
static int config_labels(lading_image *img, const ld_json *cfg, lading_ctx *ctx)
{
	const ld_json *labels = ld_json_getp(cfg, "config", "Labels", NULL);
	const ld_json_member *m;
	lading_image_label *v;
	size_t n = 0;

	if (!ld_json_is(labels, LD_JSON_OBJECT) || !labels->n)
		return 0;
	if (labels->n > LD_MAX_IMAGE_LABELS)
		return ld_error_set(ctx, LADING_ELIMIT, "image config has %u labels, more than the limit of %d",
				    labels->n, LD_MAX_IMAGE_LABELS);
	if (!(v = ld_arena_array(&img->arena, labels->n, sizeof(*v))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_json_foreach_member(labels, i, m) {
		const char *val = ld_json_str(&m->value);
		if (!val || !m->key)
			continue;
		v[n].key = m->key;
		v[n++].value = val;
	}
	qsort(v, n, sizeof(*v), label_cmp);
	/* a key given twice (invalid JSON for Docker, still parsed) is kept once */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1].key, v[i].key))
			v[k++] = v[i];
	n = k;
	img->info.labels = v;
	img->info.label_count = n;
	return 0;
}

int ld_config_apply(lading_image *img, const char *p, size_t len, const char *config_digest, lading_ctx *ctx)
{
	ld_json *cfg;
	const ld_json *diff_ids, *history, *h;
	size_t layer = 0;
	ld_json_limits lim = {.max_depth = 64};
	int rc;

	if ((rc = ld_json_parse(&cfg, &img->arena, p, len, &lim, ctx, "image config")))
		return rc;
	if (!ld_json_is(cfg, LD_JSON_OBJECT))
		return ld_error_set(ctx, LADING_EINVALID, "image config %s is not a JSON object",
				    config_digest ? config_digest : "");
	img->info.config_digest = config_digest ? ld_arena_strdup(&img->arena, config_digest) : NULL;
	img->info.os = ld_json_get_str(cfg, "os");
	img->info.architecture = ld_json_get_str(cfg, "architecture");
	img->info.variant = ld_json_get_str(cfg, "variant");
	img->info.created = ld_json_get_str(cfg, "created");
	if ((rc = config_labels(img, cfg, ctx)))
		return rc;

	diff_ids = ld_json_getp(cfg, "rootfs", "diff_ids", NULL);
	if (ld_json_is(diff_ids, LD_JSON_ARRAY)) {
		if (diff_ids->n != img->info.layer_count)
			return ld_error_set(ctx, LADING_EINVALID,
					    "image config lists %u diff_ids but the manifest has %zu layers",
					    diff_ids->n, img->info.layer_count);
		for (size_t i = 0; i < diff_ids->n; i++) {
			const char *d = ld_json_str(ld_json_at(diff_ids, i));
			if (!ld_digest_valid(d))
				return ld_error_set(ctx, LADING_EINVALID, "image config: diff_id %zu ('%s') is not a sha256 digest",
						    i, d ? d : "");
			ld_strlcpy(img->lsrc[i].diff_id, d, sizeof(img->lsrc[i].diff_id));
			img->layers[i].digest = ld_json_str(ld_json_at(diff_ids, i));
		}
	}
	/* history entries without empty_layer correspond to layers, in order */
	history = ld_json_get(cfg, "history");
	ld_json_foreach_item(history, i, h) {
		if (ld_json_bool(ld_json_get(h, "empty_layer"), false))
			continue;
		if (layer >= img->info.layer_count)
			break;
		img->layers[layer++].created_by = ld_json_get_str(h, "created_by");
	}
	return 0;
}

int lading_image_registry_insecure(const lading_image_options *opts, const char *registry)
{
	if (!opts || !registry)
		return 0;
	if (opts->insecure)
		return 1;
	if (opts->version < 4)
		return 0;
	for (size_t i = 0; i < opts->insecure_registry_count; i++)
		if (opts->insecure_registries[i] && !strcasecmp(opts->insecure_registries[i], registry))
			return 1;
	return 0;
}

static void image_free(lading_image *img)
{
	if (!img)
		return;
	if (img->ops && img->ops->free)
		img->ops->free(img);
	ld_arena_release(&img->arena);
	free(img);
}

void lading_image_free(lading_image *img)
{
	image_free(img);
}

const lading_image_info *lading_image_get_info(const lading_image *img)
{
	return &img->info;
}

/* ---- rootfs-tar: one layer that is the whole file ---- */

typedef struct rootfs_tar_state {
	char path[LD_PATH_MAX];
} rootfs_tar_state;

static int rootfs_tar_open_layer(lading_image *img, size_t i, ld_stream **out, lading_ctx *ctx)
{
	rootfs_tar_state *st = img->state;
	(void)i;
	return ld_stream_file(out, ctx, st->path);
}

static void rootfs_tar_free(lading_image *img)
{
	free(img->state);
	img->state = NULL;
}

static const ld_source_ops rootfs_tar_ops = {rootfs_tar_open_layer, NULL, rootfs_tar_free};

static int rootfs_tar_open(lading_image *img, const char *path, lading_ctx *ctx)
{
	rootfs_tar_state *st = calloc(1, sizeof(*st));
	struct stat sb;
	int rc;
	if (!st)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_strlcpy(st->path, path, sizeof(st->path));
	img->state = st;
	img->ops = &rootfs_tar_ops;
	if ((rc = ld_image_alloc_layers(img, 1, ctx)))
		return rc;
	if (stat(path, &sb) == 0)
		img->layers[0].size = (int64_t)sb.st_size;
	return 0;
}

/* ---- reference parsing and detection ---- */

static const struct {
	const char *prefix;
	ld_src_kind kind;
	const char *name;
} prefixes[] = {
	{"docker-archive:", LD_SRC_DOCKER_ARCHIVE, "docker-archive"},
	{"oci-archive:", LD_SRC_OCI_ARCHIVE, "oci-archive"},
	{"oci:", LD_SRC_OCI_DIR, "oci"},
	{"dir:", LD_SRC_DIR, "dir"},
	{"rootfs-tar:", LD_SRC_ROOTFS_TAR, "rootfs-tar"},
	{"registry:", LD_SRC_REGISTRY, "registry"},
	{"docker://", LD_SRC_REGISTRY, "registry"},
	{"docker:", LD_SRC_DOCKER, "docker"}, /* after docker:// */
	{"docker-dir:", LD_SRC_DOCKER_DIR, "docker-dir"},
};

static const char *kind_name(ld_src_kind k)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(prefixes); i++)
		if (prefixes[i].kind == k)
			return prefixes[i].name;
	return "unknown";
}

static bool is_tar_header(const unsigned char *h, size_t n)
{
	unsigned long sum = 0, want = 0;
	if (n < 512)
		return false;
	if (memcmp(h + 257, "ustar", 5) == 0)
		return true;
	for (int i = 148; i < 156 && h[i]; i++) {
		if (h[i] == ' ')
			continue;
		if (h[i] < '0' || h[i] > '7')
			return false;
		want = want * 8 + (unsigned long)(h[i] - '0');
	}
	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want && want != 0;
}

/* Decide what a file is: a tar with manifest.json (docker-archive), a tar with an OCI layout
 * (oci-archive), or anything else readable as a (possibly compressed) tar (rootfs-tar). */
static int detect_file(const char *path, ld_src_kind *kind, lading_ctx *ctx)
{
	unsigned char head[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path, 0,
					 "cannot open %s: %s", path, strerror(errno));
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0)
		return ld_error_set_path(ctx, LADING_EIO, path, 0, "cannot read %s", path);
	if (ld_comp_detect(head, (size_t)n) != LD_COMP_NONE) {
		*kind = LD_SRC_ROOTFS_TAR;
		return 0;
	}
	if (!is_tar_header(head, (size_t)n))
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, path, 0,
					 "%s is neither a tar archive nor a compressed tar: not an image I can read",
					 path);
	{
		ld_blobstore *bs;
		int rc = ld_blobstore_tar(&bs, path, ctx);
		if (rc)
			return rc;
		if (ld_blobstore_exists(bs, "manifest.json"))
			*kind = LD_SRC_DOCKER_ARCHIVE;
		else if (ld_blobstore_exists(bs, "index.json") && ld_blobstore_exists(bs, "oci-layout"))
			*kind = LD_SRC_OCI_ARCHIVE;
		else
			*kind = LD_SRC_ROOTFS_TAR;
		ld_blobstore_free(bs);
	}
	return 0;
}

static bool dir_has(const char *dir, const char *name, bool want_dir)
{
	char p[LD_PATH_MAX + 64];
	struct stat st;
	ld_snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* A directory is an image layout when it holds a layout's files, a root filesystem when it holds
 * a system's directories. Neither: refuse rather than report an empty image. */
static int detect_dir(const char *path, ld_src_kind *kind, lading_ctx *ctx)
{
	static const char *const rootfs_markers[] = {"etc",  "usr", "bin", "sbin", "lib", "lib64", "var",
							     "opt",  "app", "srv", "home", "root", "tmp", "run"};
	bool rootfs = false;
	for (size_t i = 0; i < LD_ARRAY_LEN(rootfs_markers) && !rootfs; i++)
		rootfs = dir_has(path, rootfs_markers[i], true);
	if (dir_has(path, "oci-layout", false) && dir_has(path, "index.json", false)) {
		*kind = LD_SRC_OCI_DIR;
	} else if (dir_has(path, "oci-layout", false)) {
		*kind = LD_SRC_OCI_DIR; /* its reader says what is missing */
	} else if (!rootfs && dir_has(path, "manifest.json", false)) {
		*kind = LD_SRC_DOCKER_DIR;
	} else if (rootfs) {
		*kind = LD_SRC_DIR;
	} else {
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, path, 0,
					 "%s is neither a root filesystem (no etc/, usr/, bin/, lib/...) nor an image "
					 "layout (no oci-layout + index.json, no manifest.json); name it "
					 "dir:%s to read it as files anyway",
					 path, path);
	}
	return 0;
}

/* "PATH:TAG" for oci and oci-archive: the tag is what follows the last ':' when that part has
 * no '/' and PATH itself exists. */
static void split_tag(const char *ref, char *path, size_t psz, char *tag, size_t tsz)
{
	const char *colon = strrchr(ref, ':');
	struct stat st;
	tag[0] = '\0';
	ld_strlcpy(path, ref, psz);
	if (!colon || strchr(colon, '/') || stat(ref, &st) == 0)
		return;
	ld_slice_copy(path, psz, ld_slice_make(ref, (size_t)(colon - ref)));
	if (stat(path, &st) != 0) {
		ld_strlcpy(path, ref, psz);
		return;
	}
	ld_strlcpy(tag, colon + 1, tsz);
}

/* Was the registry named explicitly (a prefix, or a registry host as the first component)? */
static bool implicit_ok(const char *ref)
{
	const char *slash = strchr(ref, '/');
	if (!strncmp(ref, "registry:", 9) || !strncmp(ref, "docker://", 9))
		return true;
	return slash && (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
			 !strncmp(ref, "localhost/", 10));
}

/* A missing path that reads as a registry reference is one ("alpine:3.20",
 * "ghcr.io/o/r@sha256:..."), unless it looks like a file name: then the user meant a file. */
static bool looks_like_file(const char *s)
{
	static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".gz", ".json"};
	ld_slice r = ld_slice_cstr(s);
	if (s[0] == '/' || s[0] == '.' || s[0] == '~')
		return true;
	for (size_t i = 0; i < LD_ARRAY_LEN(ext); i++)
		if (ld_slice_ends_with(r, ext[i]))
			return true;
	return false;
}

/* What a reference names: its kind, the part after any prefix, the path and tag of a local
 * image, the reference of a registry image. */
typedef struct target {
	ld_src_kind kind;
	const char *rest;
	char path[LD_PATH_MAX];
	char tag[256];
	ld_imgref iref;
} target;

/* Options of older callers: version 1 ends after `platform`, 2 before `docker_host`, 3 before
 * `insecure_registries`. */
static void upgrade_options(lading_image_options *o2, const lading_image_options *opts, const char *platform)
{
	if (opts && opts->version >= 4)
		*o2 = *opts;
	else if (opts && opts->version == 3)
		memcpy(o2, opts, offsetof(lading_image_options, insecure_registries));
	else if (opts && opts->version == 2)
		memcpy(o2, opts, offsetof(lading_image_options, docker_host));
	else
		o2->platform = platform;
}

/* A transport prefix ("oci:", "docker-archive:", ...) names the kind. */
static bool strip_prefix(const char *ref, ld_src_kind *kind, const char **rest)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(prefixes); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(ref, prefixes[i].prefix, n) == 0) {
			/* "docker:5000/repo" is a registry named docker on port 5000, not an engine image */
			if (prefixes[i].kind == LD_SRC_DOCKER && ref[n] >= '0' && ref[n] <= '9' &&
			    ref[n + strspn(ref + n, "0123456789")] == '/')
				continue;
			*kind = prefixes[i].kind;
			*rest = ref + n;
			return true;
		}
	}
	return false;
}

/* With a prefix: the path (and the tag of layouts and archives) or the registry reference. */
static int resolve_prefixed(target *t, lading_ctx *ctx)
{
	int rc;

	t->tag[0] = '\0';
	if (t->kind == LD_SRC_OCI_DIR || t->kind == LD_SRC_OCI_ARCHIVE || t->kind == LD_SRC_DOCKER_ARCHIVE)
		split_tag(t->rest, t->path, sizeof(t->path), t->tag, sizeof(t->tag));
	else
		ld_strlcpy(t->path, t->rest, sizeof(t->path));
	if (strlen(t->rest) >= sizeof(t->path))
		return ld_error_set(ctx, LADING_EUSAGE, "image path too long");
	if (t->kind != LD_SRC_REGISTRY)
		return 0;
	rc = ld_imgref_parse(&t->iref, t->rest, strlen(t->rest));
	if (rc == LADING_EUNSUPPORTED)
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "%s: only sha256 digests are supported", t->rest);
	if (rc)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "'%s' is not an image reference ([REGISTRY/]REPO[:TAG][@sha256:DIGEST])", t->rest);
	return 0;
}

/* Without a prefix: an existing path ("DIR:TAG" too) is detected by its content; a missing one
 * that reads as a registry reference is one. */
static int resolve_unprefixed(target *t, lading_ctx *ctx)
{
	struct stat st;
	int rc;

	t->tag[0] = '\0';
	ld_strlcpy(t->path, t->rest, sizeof(t->path));
	if (strlen(t->rest) >= sizeof(t->path))
		return ld_error_set(ctx, LADING_EUSAGE, "image path too long");
	if (stat(t->path, &st) != 0) {
		/* maybe "DIR:TAG" for an OCI layout */
		split_tag(t->rest, t->path, sizeof(t->path), t->tag, sizeof(t->tag));
		if (!t->tag[0] || stat(t->path, &st) != 0) {
			t->tag[0] = '\0';
			ld_strlcpy(t->path, t->rest, sizeof(t->path));
			rc = looks_like_file(t->rest) ? LADING_EINVALID : ld_imgref_parse(&t->iref, t->rest, strlen(t->rest));
			if (rc == LADING_EUNSUPPORTED)
				return ld_error_set(ctx, LADING_EUNSUPPORTED, "%s: only sha256 digests are supported",
						    t->rest);
			if (rc)
				return ld_error_set_path(ctx, LADING_ENOTFOUND, t->rest, 0,
							 "%s: no such file or directory (images are read from "
							 "docker-archive:FILE, oci:DIR[:TAG], oci-archive:FILE, dir:PATH, "
							 "rootfs-tar:FILE, or a registry as [REGISTRY/]REPO[:TAG])",
							 t->rest);
			t->kind = LD_SRC_REGISTRY;
			return 0;
		}
	}
	if (S_ISDIR(st.st_mode))
		return detect_dir(t->path, &t->kind, ctx);
	return detect_file(t->path, &t->kind, ctx);
}

static int image_new(lading_image **out, const target *t, const lading_image_options *opts, lading_ctx *ctx)
{
	lading_image *img = calloc(1, sizeof(*img));

	*out = img;
	if (!img)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_arena_init(&img->arena, 0);
	img->ctx = ctx;
	img->kind = t->kind;
	img->info.source_type = kind_name(t->kind);
	img->info.source_path = ld_arena_strdup(&img->arena, t->path);
	if (!opts->no_cache) {
		char root[LD_CACHE_PATH_MAX];
		if (ld_cachedir_root(root, sizeof(root), opts->cache_dir) == 0)
			img->cache_root = ld_arena_strdup(&img->arena, root);
	}
	return 0;
}

/* A layout or archive read through a blob store: an OCI index or docker's manifest.json. */
static int open_layout(lading_image *img, const target *t, const char *platform, lading_ctx *ctx)
{
	const char *tag = t->tag[0] ? t->tag : NULL;
	ld_blobstore *bs = NULL;
	int rc;

	rc = t->kind == LD_SRC_OCI_DIR || t->kind == LD_SRC_DOCKER_DIR ? ld_blobstore_dir(&bs, t->path, ctx)
								       : ld_blobstore_tar(&bs, t->path, ctx);
	if (rc)
		return rc;
	if (t->kind == LD_SRC_DOCKER_DIR) {
		rc = ld_docker_dir_load(img, bs, ctx);
	} else if (t->kind == LD_SRC_DOCKER_ARCHIVE) {
		/* newer Docker writes an OCI layout beside manifest.json; either describes the image */
		if (!ld_blobstore_exists(bs, "manifest.json") && ld_blobstore_exists(bs, "index.json"))
			rc = ld_oci_load(img, bs, tag, platform, ctx);
		else
			rc = ld_docker_load(img, bs, tag, ctx);
	} else {
		rc = ld_oci_load(img, bs, tag, platform, ctx);
	}
	if (rc && !img->ops)
		ld_blobstore_free(bs);
	return rc;
}

/* A registry image; when the reference was not plainly one, the error says why it was taken so. */
static int open_registry(lading_image *img, const target *t, const char *ref, const lading_image_options *opts,
			 lading_ctx *ctx)
{
	int rc = ld_registry_open(img, &t->iref, opts, ctx);
	if (rc && !implicit_ok(ref)) {
		/* a typo in a file name must not read as a registry problem only */
		char msg[sizeof(ctx->err.msg)];
		ld_strlcpy(msg, ctx->err.msg, sizeof(msg));
		ld_snprintf(ctx->err.msg, sizeof(ctx->err.msg),
			    "%s (no file or directory '%s' exists, so it was taken as a registry image)", msg, ref);
	}
	return rc;
}

static int open_source(lading_image *img, const target *t, const char *ref, const char *platform,
		       const lading_image_options *opts, lading_ctx *ctx)
{
	switch (t->kind) {
	case LD_SRC_DOCKER:
		return ld_docker_image_open(img, t->rest, opts->docker_host, ctx);
	case LD_SRC_REGISTRY:
		return open_registry(img, t, ref, opts, ctx);
	case LD_SRC_DIR:
		return ld_rootfs_dir_open(img, t->path, ctx);
	case LD_SRC_ROOTFS_TAR:
		return rootfs_tar_open(img, t->path, ctx);
	case LD_SRC_OCI_DIR:
	case LD_SRC_DOCKER_DIR:
	case LD_SRC_OCI_ARCHIVE:
	case LD_SRC_DOCKER_ARCHIVE:
		return open_layout(img, t, platform, ctx);
	default:
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "unsupported source");
	}
}

int lading_image_open(lading_image **out, lading_ctx *ctx, const char *ref, const lading_image_options *opts)
{
	const char *platform = opts && opts->platform ? opts->platform : NULL;
	lading_image_options o2 = LADING_IMAGE_OPTIONS_INIT;
	lading_image *img;
	target t = {.kind = LD_SRC_DIR, .rest = ref};
	int rc;

	*out = NULL;
	ld_error_clear(ctx);
	if (!ref || !*ref)
		return ld_error_set(ctx, LADING_EUSAGE, "no image given");
	upgrade_options(&o2, opts, platform);
	opts = &o2;
	if (platform) {
		char o[64], a[64], v[64];
		if (ld_platform_parse(platform, o, sizeof(o), a, sizeof(a), v, sizeof(v)))
			return ld_error_set(ctx, LADING_EUSAGE, "bad platform '%s' (expected OS/ARCH[/VARIANT])",
					    platform);
	}
	rc = strip_prefix(ref, &t.kind, &t.rest) ? resolve_prefixed(&t, ctx) : resolve_unprefixed(&t, ctx);
	if (rc)
		return rc;
	if ((rc = image_new(&img, &t, opts, ctx)))
		return rc;
	if ((rc = open_source(img, &t, ref, platform, opts, ctx))) {
		image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}

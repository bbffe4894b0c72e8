/* OCI image layouts (directory or tar) and `docker save` archives: manifest selection, config,
 * and verified layer streams from a blob store. */
#include "util/common.h"
#include "source/source.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1"
#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_CONTAINERD_NAME "io.containerd.image.name"

typedef struct store_state {
	ld_blobstore *bs;
	char **member; /* per layer: member name in the store */
} store_state;

static int store_open_layer(lading_image *img, size_t i, ld_stream **out, lading_ctx *ctx)
{
	store_state *st = img->state;
	ld_stream *s;
	char label[160];
	int rc;

	*out = NULL;
	if (i >= img->info.layer_count)
		return ld_error_set(ctx, LADING_EUSAGE, "no layer %zu", i);
	if ((rc = ld_blobstore_open(st->bs, st->member[i], &s, ctx))) {
		if (rc == LADING_ENOTFOUND)
			return ld_error_set(ctx, LADING_ENOTFOUND, "layer %zu (%s) is missing from the image", i + 1,
					    img->lsrc[i].blob_digest[0] ? img->lsrc[i].blob_digest : st->member[i]);
		return rc;
	}
	if (!img->lsrc[i].blob_digest[0]) {
		*out = s;
		return 0;
	}
	ld_snprintf(label, sizeof(label), "layer %zu blob %s", i + 1, img->lsrc[i].blob_digest);
	return ld_stream_verify(out, s, img->lsrc[i].blob_digest, img->lsrc[i].size, label);
}

static void store_free(lading_image *img)
{
	store_state *st = img->state;
	if (!st)
		return;
	ld_blobstore_free(st->bs);
	free(st);
	img->state = NULL;
}

static const ld_source_ops store_ops = {store_open_layer, NULL, store_free};

/* The store reads the image's layers (already allocated by ld_image_alloc_layers). */
static int attach_store(lading_image *img, ld_blobstore *bs, lading_ctx *ctx)
{
	size_t nlayers = img->info.layer_count;
	store_state *st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	st->member = nlayers ? ld_arena_array(&img->arena, nlayers, sizeof(char *)) : NULL;
	if (nlayers && !st->member) {
		free(st);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	st->bs = bs;
	img->state = st;
	img->ops = &store_ops;
	return 0;
}

bool ld_mt_is_index(const char *mt)
{
	return mt && (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST));
}

static bool is_layer_media_type(const char *mt)
{
	if (!mt)
		return true;
	return strstr(mt, "image.layer.") != NULL || strstr(mt, "image.rootfs.") != NULL ||
	       strstr(mt, "docker.image.rootfs.") != NULL;
}

/* ---- OCI layout ---- */

static const char *ref_name(const ld_json *desc)
{
	const ld_json *ann = ld_json_get(desc, "annotations");
	const char *r = ld_json_get_str(ann, ANN_REF_NAME);
	if (!r)
		r = ld_json_get_str(ann, ANN_CONTAINERD_NAME);
	return r;
}

static bool tag_matches(const char *name, const char *tag)
{
	size_t nl, tl;
	const char *colon;
	if (!name || !tag)
		return false;
	if (!strcmp(name, tag))
		return true;
	nl = strlen(name);
	tl = strlen(tag);
	/* "docker.io/library/alpine:3.20" matches tag "3.20" or "alpine:3.20" */
	if (nl > tl && !strcmp(name + nl - tl, tag) && (name[nl - tl - 1] == ':' || name[nl - tl - 1] == '/'))
		return true;
	colon = strrchr(name, ':');
	return colon && !strchr(colon, '/') && !strcmp(colon + 1, tag);
}

static bool platform_matches(const ld_json *desc, const char *os, const char *arch, const char *variant)
{
	const ld_json *p = ld_json_get(desc, "platform");
	const char *dos, *darch, *dvar;
	if (!p)
		return true; /* no platform: a single-platform image */
	dos = ld_json_get_str(p, "os");
	darch = ld_json_get_str(p, "architecture");
	dvar = ld_json_get_str(p, "variant");
	if (!dos || !darch || strcmp(dos, os) || strcmp(darch, arch))
		return false;
	if (variant[0] && dvar && strcmp(variant, dvar))
		return false;
	return true;
}

int ld_index_choose(const ld_json *index, const char *tag, const char *platform, const ld_json **out,
		    lading_ctx *ctx)
{
	const ld_json *mans = ld_json_get(index, "manifests"), *d, *chosen = NULL;
	char os[64], arch[64], variant[64];
	size_t candidates = 0, tagged = 0;
	ld_buf tags = LD_BUF_INIT;
	int rc;

	*out = NULL;
	if (!ld_json_is(mans, LD_JSON_ARRAY) || mans->n == 0)
		return ld_error_set(ctx, LADING_EINVALID, "image index lists no manifests");
	if (mans->n > LD_MAX_INDEX_ENTRIES)
		return ld_error_set(ctx, LADING_ELIMIT, "image index lists %u manifests (limit %d)", mans->n,
				    LD_MAX_INDEX_ENTRIES);
	ld_platform_parse(platform, os, sizeof(os), arch, sizeof(arch), variant, sizeof(variant));

	ld_json_foreach_item(mans, i, d) {
		const char *rn = ref_name(d);
		const char *mt = ld_json_get_str(d, "mediaType");
		if (rn) {
			tagged++;
			if (tags.len < 400)
				ld_buf_addf(&tags, "%s%s", tags.len ? ", " : "", rn);
		}
		if (tag && !tag_matches(rn, tag))
			continue;
		if (tag && !chosen) {
			/* a tag names its image; the platform only decides between several with that tag */
			const ld_json *d2;
			size_t same = 0;
			ld_json_foreach_item(mans, j, d2)
				same += tag_matches(ref_name(d2), tag);
			if (same == 1) {
				chosen = d;
				candidates = 1;
				continue;
			}
		}
		/* attestation manifests (buildx) are not images */
		if (ld_json_get_str(ld_json_get(d, "annotations"), "vnd.docker.reference.type"))
			continue;
		if (mt && !ld_mt_is_index(mt) && !platform_matches(d, os, arch, variant))
			continue;
		if (!chosen)
			chosen = d;
		candidates++;
	}
	if (!chosen) {
		if (tag)
			rc = ld_error_set(ctx, LADING_ENOTFOUND, "no image tagged '%s' in the layout (tags: %s)", tag,
					  tags.len ? ld_buf_cstr(&tags) : "none");
		else
			rc = ld_error_set(ctx, LADING_ENOTFOUND, "no image for platform %s in the index (use --platform)",
					  platform ? platform : "linux/amd64");
		ld_buf_release(&tags);
		return rc;
	}
	if (candidates > 1 && !tag && tagged > 1) {
		rc = ld_error_set(ctx, LADING_EUSAGE, "the layout holds several images; name one as oci:DIR:TAG (tags: %s)",
				  ld_buf_cstr(&tags));
		ld_buf_release(&tags);
		return rc;
	}
	ld_buf_release(&tags);
	if (!ld_digest_valid(ld_json_get_str(chosen, "digest")))
		return ld_error_set(ctx, LADING_EINVALID, "image index: chosen manifest has no valid sha256 digest");
	*out = chosen;
	return 0;
}

static int load_manifest(lading_image *img, ld_blobstore *bs, const ld_json *desc, lading_ctx *ctx);

/* Pick one manifest descriptor from an index; recurse into nested indexes. */
static int select_from_index(lading_image *img, ld_blobstore *bs, const ld_json *index, const char *tag,
			     const char *platform, int depth, lading_ctx *ctx)
{
	const ld_json *chosen;
	int rc;

	if (depth > LD_MAX_INDEX_DEPTH)
		return ld_error_set(ctx, LADING_ELIMIT, "image index nested deeper than %d levels", LD_MAX_INDEX_DEPTH);
	if ((rc = ld_index_choose(index, tag, platform, &chosen, ctx)))
		return rc;
	{
		const char *mt = ld_json_get_str(chosen, "mediaType");
		if (!img->info.ref && ref_name(chosen))
			img->info.ref = ref_name(chosen);
		if (ld_mt_is_index(mt)) {
			ld_buf b = LD_BUF_INIT;
			ld_json *sub;
			int64_t sz = -1;
			ld_json_i64(ld_json_get(chosen, "size"), &sz);
			rc = ld_blobstore_read_blob(bs, ld_json_get_str(chosen, "digest"), sz, LD_MAX_MANIFEST_BYTES, &b, ctx);
			if (!rc)
				rc = ld_json_parse(&sub, &img->arena, b.ptr, b.len, NULL, ctx, "image index");
			ld_buf_release(&b);
			if (rc)
				return rc;
			return select_from_index(img, bs, sub, NULL, platform, depth + 1, ctx);
		}
	}
	return load_manifest(img, bs, chosen, ctx);
}

int ld_manifest_apply(lading_image *img, const ld_json *man, const char *digest, const char *desc_mt,
		      const ld_json **cfgdesc_out, lading_ctx *ctx)
{
	const char *mt;
	const ld_json *layers, *cfgdesc, *l;
	int64_t schema = 0;
	int rc;

	*cfgdesc_out = NULL;
	mt = ld_json_get_str(man, "mediaType");
	if (!mt)
		mt = desc_mt;
	ld_json_i64(ld_json_get(man, "schemaVersion"), &schema);
	if ((mt && !strncmp(mt, MT_DOCKER_V1, strlen(MT_DOCKER_V1))) || (schema == 1 && ld_json_get(man, "fsLayers")))
		return ld_error_set(ctx, LADING_EUNSUPPORTED,
				    "manifest %s is Docker schema 1, which is deprecated and unsupported; "
				    "re-push or convert the image (e.g. skopeo copy)", digest);
	if (ld_mt_is_index(mt))
		return ld_error_set(ctx, LADING_EINVALID, "manifest %s is an image index where an image manifest was expected",
				    digest);
	if (mt && strcmp(mt, MT_OCI_MANIFEST) && strcmp(mt, MT_DOCKER_MANIFEST))
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "manifest %s has unsupported media type %s", digest, mt);
	layers = ld_json_get(man, "layers");
	cfgdesc = ld_json_get(man, "config");
	if (!ld_json_is(layers, LD_JSON_ARRAY) || !ld_json_is(cfgdesc, LD_JSON_OBJECT))
		return ld_error_set(ctx, LADING_EINVALID, "manifest %s has no config or layers", digest);
	if ((rc = ld_image_alloc_layers(img, layers->n, ctx)))
		return rc;
	ld_json_foreach_item(layers, i, l) {
		const char *ld = ld_json_get_str(l, "digest");
		const char *lmt = ld_json_get_str(l, "mediaType");
		int64_t lsz = -1;
		if (!ld_digest_valid(ld))
			return ld_error_set(ctx, LADING_EINVALID, "manifest %s: layer %zu has no valid sha256 digest",
					    digest, i + 1);
		if (!is_layer_media_type(lmt))
			return ld_error_set(ctx, LADING_EUNSUPPORTED, "manifest %s: layer %zu has media type %s, not an image layer",
					    digest, i + 1, lmt);
		ld_json_i64(ld_json_get(l, "size"), &lsz);
		ld_strlcpy(img->lsrc[i].blob_digest, ld, sizeof(img->lsrc[i].blob_digest));
		img->lsrc[i].size = lsz;
		img->layers[i].blob_digest = ld;
		img->layers[i].digest = ld;
		img->layers[i].media_type = lmt;
		img->layers[i].size = lsz;
	}
	if (!ld_digest_valid(ld_json_get_str(cfgdesc, "digest")))
		return ld_error_set(ctx, LADING_EINVALID, "manifest %s: config has no valid sha256 digest", digest);
	*cfgdesc_out = cfgdesc;
	return 0;
}

static int load_manifest(lading_image *img, ld_blobstore *bs, const ld_json *desc, lading_ctx *ctx)
{
	const char *digest = ld_json_get_str(desc, "digest");
	const ld_json *cfgdesc;
	ld_json *man;
	ld_buf b = LD_BUF_INIT;
	int64_t sz = -1;
	int rc;

	ld_json_i64(ld_json_get(desc, "size"), &sz);
	rc = ld_blobstore_read_blob(bs, digest, sz, LD_MAX_MANIFEST_BYTES, &b, ctx);
	if (!rc)
		rc = ld_json_parse(&man, &img->arena, b.ptr, b.len, NULL, ctx, "image manifest");
	ld_buf_release(&b);
	if (rc)
		return rc;
	img->info.manifest_digest = ld_arena_strdup(&img->arena, digest);
	if ((rc = ld_manifest_apply(img, man, digest, ld_json_get_str(desc, "mediaType"), &cfgdesc, ctx)))
		return rc;
	if ((rc = attach_store(img, bs, ctx)))
		return rc;
	for (size_t i = 0; i < img->info.layer_count; i++) {
		store_state *st = img->state;
		st->member[i] = ld_arena_printf(&img->arena, "blobs/sha256/%s", img->lsrc[i].blob_digest + 7);
		if (!st->member[i])
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	{
		const char *cd = ld_json_get_str(cfgdesc, "digest");
		int64_t csz = -1;
		ld_json_i64(ld_json_get(cfgdesc, "size"), &csz);
		rc = ld_blobstore_read_blob(bs, cd, csz, LD_MAX_CONFIG_BYTES, &b, ctx);
		if (!rc)
			rc = ld_config_apply(img, b.ptr, b.len, cd, ctx);
		ld_buf_release(&b); /* also what a failed read had already read */
	}
	return rc;
}

int ld_oci_load(lading_image *img, ld_blobstore *bs, const char *tag, const char *platform, lading_ctx *ctx)
{
	ld_buf b = LD_BUF_INIT;
	ld_json *idx;
	int rc;

	if (ld_blobstore_exists(bs, "oci-layout")) {
		ld_json *lay;
		if ((rc = ld_blobstore_read(bs, "oci-layout", 4096, &b, ctx)))
			goto out;
		if (ld_json_parse(&lay, &img->arena, b.ptr, b.len, NULL, ctx, "oci-layout") == 0) {
			const char *v = ld_json_get_str(lay, "imageLayoutVersion");
			if (v && strncmp(v, "1.", 2)) {
				rc = ld_error_set(ctx, LADING_EUNSUPPORTED, "unsupported OCI layout version %s", v);
				goto out;
			}
		}
		ld_buf_clear(&b);
	}
	if ((rc = ld_blobstore_read(bs, "index.json", LD_MAX_MANIFEST_BYTES, &b, ctx))) {
		if (rc == LADING_ENOTFOUND)
			ld_error_prefix(ctx, "not an OCI layout: ");
		goto out;
	}
	if ((rc = ld_json_parse(&idx, &img->arena, b.ptr, b.len, NULL, ctx, "index.json")))
		goto out;
	img->info.ref = tag ? ld_arena_strdup(&img->arena, tag) : NULL;
	rc = select_from_index(img, bs, idx, tag, platform, 0, ctx);
out:
	ld_buf_release(&b);
	return rc;
}

/* ---- docker save ---- */

/* "blobs/sha256/<hex>" or "<hex>.json" / "<hex>.tar" / "<hex>/layer.tar": the digest a name implies. */
static bool digest_from_name(const char *name, char out[LD_DIGEST_STR_LEN])
{
	ld_slice s = ld_slice_cstr(name), hex;
	if (ld_slice_starts_with(s, "blobs/sha256/"))
		hex = ld_slice_sub(s, 13, s.len);
	else if (ld_slice_ends_with(s, ".json") || ld_slice_ends_with(s, ".tar"))
		hex = ld_slice_make(s.ptr, s.len - (ld_slice_ends_with(s, ".json") ? 5 : 4));
	else
		return false;
	if (hex.len != 64)
		return false;
	ld_snprintf(out, LD_DIGEST_STR_LEN, "sha256:%.*s", 64, hex.ptr);
	return ld_digest_valid(out);
}

/* The manifest.json entry to read: the one tagged `tag`, else the only one. */
static int pick_entry(const ld_json *man, const char *tag, const ld_json **out, lading_ctx *ctx)
{
	const ld_json *entry = NULL, *e;
	ld_buf alltags = LD_BUF_INIT;
	int rc = 0;

	*out = NULL;
	if (!ld_json_is(man, LD_JSON_ARRAY) || man->n == 0)
		return ld_error_set(ctx, LADING_EINVALID, "manifest.json lists no images");
	ld_json_foreach_item(man, i, e) {
		const ld_json *t;
		bool match = false;
		ld_json_foreach_item(ld_json_get(e, "RepoTags"), j, t) {
			const char *s = ld_json_str(t);
			if (alltags.len < 400)
				ld_buf_addf(&alltags, "%s%s", alltags.len ? ", " : "", s ? s : "");
			if (tag && tag_matches(s, tag))
				match = true;
		}
		if ((tag && match) || (!tag && !entry))
			entry = e;
		if (tag && match)
			break;
	}
	if (tag && !entry)
		rc = ld_error_set(ctx, LADING_ENOTFOUND, "no image tagged '%s' in the archive (tags: %s)", tag,
				  ld_buf_cstr(&alltags));
	else if (!tag && man->n > 1)
		rc = ld_error_set(ctx, LADING_EUSAGE,
				  "the archive holds %u images; name one as docker-archive:FILE:TAG (tags: %s)", man->n,
				  ld_buf_cstr(&alltags));
	ld_buf_release(&alltags);
	*out = entry;
	return rc;
}

/* The entry's RepoTags; the image's reference is the tag asked for, else the first. */
static int repo_tags(lading_image *img, const ld_json *entry, const char *tag, lading_ctx *ctx)
{
	const ld_json *tags = ld_json_get(entry, "RepoTags");
	const char **rt;

	if (!ld_json_len(tags))
		return 0;
	if (!(rt = ld_arena_array(&img->arena, tags->n, sizeof(char *))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < tags->n; i++)
		rt[i] = ld_json_str(ld_json_at(tags, i));
	img->info.repo_tags = rt;
	img->info.repo_tag_count = tags->n;
	img->info.ref = tag ? ld_arena_strdup(&img->arena, tag) : rt[0];
	return 0;
}

/* The config: its digest is the image ID; a name that implies a digest must match it. */
static int read_config(ld_blobstore *bs, const char *cfgname, ld_buf *b, char cfgdigest[LD_DIGEST_STR_LEN],
		       lading_ctx *ctx)
{
	char named[LD_DIGEST_STR_LEN];
	int rc;

	if ((rc = ld_blobstore_read(bs, cfgname, LD_MAX_CONFIG_BYTES, b, ctx)))
		return rc;
	ld_sha256_buf(b->ptr, b->len, cfgdigest);
	if (digest_from_name(cfgname, named) && strcmp(named, cfgdigest))
		return ld_error_set(ctx, LADING_EDIGEST, "config %s digest mismatch: expected %s, content has %s",
				    cfgname, named, cfgdigest);
	return 0;
}

/* Each layer's member of the archive, its size, and its digest when its name implies one. */
static int layer_members(lading_image *img, ld_blobstore *bs, const ld_json *layers, lading_ctx *ctx)
{
	store_state *st = img->state;
	char named[LD_DIGEST_STR_LEN];

	for (size_t i = 0; i < layers->n; i++) {
		const char *ln = ld_json_str(ld_json_at(layers, i));
		if (!ln)
			return ld_error_set(ctx, LADING_EINVALID, "manifest.json: layer %zu is not a string", i + 1);
		st->member[i] = (char *)ln;
		if (!strncmp(ln, "blobs/sha256/", 13) && digest_from_name(ln, named)) {
			/* Docker 25+: content-addressed blobs, check the stored bytes */
			ld_strlcpy(img->lsrc[i].blob_digest, named, sizeof(img->lsrc[i].blob_digest));
			img->layers[i].blob_digest = ld_arena_strdup(&img->arena, named);
		}
		img->lsrc[i].size = ld_blobstore_size(bs, ln);
		img->layers[i].size = img->lsrc[i].size;
		if (img->lsrc[i].size < 0)
			return ld_error_set(ctx, LADING_ENOTFOUND,
					    "layer %zu (%s) named in manifest.json is missing from the archive", i + 1, ln);
	}
	return 0;
}

/* Legacy layers carry no blob digest: their uncompressed content is checked against diff_id. */
static int legacy_layers(lading_image *img, size_t n, lading_ctx *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (img->lsrc[i].blob_digest[0])
			continue;
		if (!img->lsrc[i].diff_id[0])
			return ld_error_set(ctx, LADING_EINVALID,
					    "image config has no diff_id for layer %zu: cannot verify it", i + 1);
		img->lsrc[i].verify_diff_id = true;
		img->layers[i].blob_digest = img->layers[i].digest;
	}
	return 0;
}

int ld_docker_load(lading_image *img, ld_blobstore *bs, const char *tag, lading_ctx *ctx)
{
	ld_buf b = LD_BUF_INIT;
	ld_json *man;
	const ld_json *entry = NULL, *layers;
	const char *cfgname;
	char cfgdigest[LD_DIGEST_STR_LEN];
	int rc;

	if ((rc = ld_blobstore_read(bs, "manifest.json", LD_MAX_MANIFEST_BYTES, &b, ctx)))
		goto out;
	if ((rc = ld_json_parse(&man, &img->arena, b.ptr, b.len, NULL, ctx, "manifest.json")))
		goto out;
	if ((rc = pick_entry(man, tag, &entry, ctx)))
		goto out;
	layers = ld_json_get(entry, "Layers");
	cfgname = ld_json_get_str(entry, "Config");
	if (!ld_json_is(layers, LD_JSON_ARRAY) || !cfgname) {
		rc = ld_error_set(ctx, LADING_EINVALID, "manifest.json entry has no Config or Layers");
		goto out;
	}
	if ((rc = ld_image_alloc_layers(img, layers->n, ctx)) || (rc = attach_store(img, bs, ctx)))
		goto out;
	if ((rc = repo_tags(img, entry, tag, ctx)))
		goto out;
	ld_buf_clear(&b);
	if ((rc = read_config(bs, cfgname, &b, cfgdigest, ctx)))
		goto out;
	if ((rc = layer_members(img, bs, layers, ctx)))
		goto out;
	if ((rc = ld_config_apply(img, b.ptr, b.len, cfgdigest, ctx)))
		goto out;
	rc = legacy_layers(img, layers->n, ctx);
out:
	ld_buf_release(&b);
	return rc;
}

/* ---- skopeo dir: / podman save --format docker-dir ---- */

/* A blob of the dir layout, named by its bare hex digest, read whole and verified. */
static int dir_blob(ld_blobstore *bs, const char *digest, int64_t size, size_t max, ld_buf *out, lading_ctx *ctx)
{
	char label[128];
	ld_stream *s, *v;
	int rc;
	if (size > (int64_t)max)
		return ld_error_set(ctx, LADING_ELIMIT, "blob %s: %" PRId64 " bytes exceeds the limit of %zu", digest,
				    size, max);
	if ((rc = ld_blobstore_open(bs, digest + 7, &s, ctx)))
		return rc == LADING_ENOTFOUND ? ld_error_set(ctx, rc, "blob %s is missing from the directory", digest) : rc;
	ld_snprintf(label, sizeof(label), "blob %s", digest);
	if ((rc = ld_stream_verify(&v, s, digest, size, label)))
		return rc;
	rc = ld_stream_read_all(v, out, max, label);
	ld_stream_close(v);
	return rc;
}

int ld_docker_dir_load(lading_image *img, ld_blobstore *bs, lading_ctx *ctx)
{
	ld_buf b = LD_BUF_INIT;
	ld_json *man;
	const ld_json *cfgdesc;
	char mdigest[LD_DIGEST_STR_LEN];
	int64_t csz = -1;
	int rc;

	if ((rc = ld_blobstore_read(bs, "manifest.json", LD_MAX_MANIFEST_BYTES, &b, ctx)))
		goto out;
	if ((rc = ld_json_parse(&man, &img->arena, b.ptr, b.len, NULL, ctx, "manifest.json")))
		goto out;
	if (ld_json_is(man, LD_JSON_ARRAY)) {
		/* an unpacked `docker save`: the same reader as the tar */
		ld_buf_release(&b);
		img->info.source_type = "docker-archive";
		return ld_docker_load(img, bs, NULL, ctx);
	}
	/* the dir transport keeps the manifest's bytes: their digest is the manifest digest */
	ld_sha256_buf(b.ptr, b.len, mdigest);
	img->info.manifest_digest = ld_arena_strdup(&img->arena, mdigest);
	if ((rc = ld_manifest_apply(img, man, mdigest, NULL, &cfgdesc, ctx)) || (rc = attach_store(img, bs, ctx)))
		goto out;
	for (size_t i = 0; i < img->info.layer_count; i++) {
		store_state *st = img->state;
		st->member[i] = ld_arena_strdup(&img->arena, img->lsrc[i].blob_digest + 7);
		if (!st->member[i]) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto out;
		}
	}
	ld_json_i64(ld_json_get(cfgdesc, "size"), &csz);
	ld_buf_clear(&b);
	rc = dir_blob(bs, ld_json_get_str(cfgdesc, "digest"), csz, LD_MAX_CONFIG_BYTES, &b, ctx);
	if (!rc)
		rc = ld_config_apply(img, b.ptr, b.len, ld_json_get_str(cfgdesc, "digest"), ctx);
out:
	ld_buf_release(&b);
	return rc;
}

/* lading_inventory_add / _record: open an image, catalog it, match it, record it. The image's
 * identity is its config digest; an image the store already has (with a match of the current
 * database build) is not read at all. Layers of new images that the store knows are read from
 * the layer cache (layer/cache.c: not downloaded, not decompressed again). */
#include "util/common.h"
#include "util/hash.h"
#include "api/api.h"
#include "api/inventory_doc.h"
#include "lading/vulndb.h"
#include "match/match.h"
#include "source/registry.h"
#include "store/store.h"
#include "vulndb/query.h"

/* Named limits. */
#define INV_MAX_REFS 256 /* references of one image recorded per add */

typedef struct inv_db {
	ld_vdb *db;
	ld_arena arena;
	const char *built_at;
} inv_db;

static int db_open(inv_db *d, const lading_inventory_options *o, lading_ctx *ctx)
{
	char path[4096];
	ld_vdb_q_meta *meta = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	ld_arena_init(&d->arena, 0);
	if (o && o->no_match)
		return 0;
	if (o && o->db_path)
		ld_strlcpy(path, o->db_path, sizeof(path));
	else if (lading_db_default_path(path, sizeof(path)))
		return ld_error_set(ctx, LADING_EUSAGE, "no database path: set --db, LADING_DB or HOME");
	if ((rc = ld_vdb_open(&d->db, path, ctx)))
		return rc;
	if ((rc = ld_vdb_meta_get(d->db, &d->arena, &meta, ctx)))
		return rc;
	if (!meta || !meta->built_at)
		return ld_error_set_path(ctx, LADING_EDB, path, 0, "database %s has no build time", path);
	d->built_at = meta->built_at;
	return 0;
}

static void db_close(inv_db *d)
{
	ld_vdb_close(d->db);
	ld_arena_release(&d->arena);
}

/* "alpine:3.9" -> "docker.io/library/alpine:3.9": one spelling per tag whatever the source. */
static const char *norm_tag(ld_arena *a, const char *t)
{
	ld_imgref r;
	char out[LD_REF_MAX_LEN + 1];
	if (!t || ld_imgref_parse(&r, t, strlen(t)) || !r.tag[0])
		return NULL;
	r.digest[0] = '\0';
	ld_imgref_format(&r, out, sizeof(out));
	return ld_arena_strdup(a, out);
}


/* An image without a config (a root filesystem) is named by its content: the digests of its
 * layers when known, else its package list. */
static const char *content_digest(ld_arena *a, const lading_image_info *info, const lading_sbom *sbom)
{
	ld_sha256 h;
	char d[LD_DIGEST_STR_LEN];
	bool layers = info->layer_count > 0;

	if (info->config_digest)
		return info->config_digest;
	for (size_t i = 0; i < info->layer_count; i++)
		if (!info->layers[i].digest)
			layers = false;
	if (ld_sha256_init(&h))
		return NULL;
	ld_sha256_update(&h, layers ? "lading-layers\n" : "lading-packages\n", layers ? 14 : 16);
	for (size_t i = 0; layers && i < info->layer_count; i++) {
		ld_sha256_update(&h, info->layers[i].digest, strlen(info->layers[i].digest));
		ld_sha256_update(&h, "\n", 1);
	}
	for (size_t i = 0; !layers && sbom && i < lading_sbom_package_count(sbom); i++) {
		const lading_package *p = lading_sbom_package(sbom, i);
		const char *f[4] = {p->type, p->name, p->version, p->location};
		for (size_t k = 0; k < 4; k++) {
			ld_sha256_update(&h, f[k] ? f[k] : "", f[k] ? strlen(f[k]) : 0);
			ld_sha256_update(&h, "\x1f", 1);
		}
	}
	ld_sha256_final(&h, d);
	ld_sha256_release(&h);
	return ld_arena_strdup(a, d);
}

typedef struct inv_refs {
	const char *tags[INV_MAX_REFS];
	size_t ntags;
	const char *manifests[1];
	size_t nmanifests;
} inv_refs;

static void collect_refs(ld_arena *a, const lading_image_info *info, inv_refs *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < info->repo_tag_count && r->ntags < INV_MAX_REFS; i++) {
		const char *t = norm_tag(a, info->repo_tags[i]);
		bool dup = false;
		for (size_t k = 0; t && k < r->ntags; k++)
			dup = dup || !strcmp(r->tags[k], t);
		if (t && !dup)
			r->tags[r->ntags++] = t;
	}
	if (info->manifest_digest)
		r->manifests[r->nmanifests++] = info->manifest_digest;
}

static int to_store_findings(ld_arena *a, const ld_match_result *m, ld_store_finding **out, size_t *n)
{
	size_t k = 0;
	ld_store_finding *v = ld_arena_array(a, m->findings.len ? m->findings.len : 1, sizeof(*v));
	if (!v)
		return LADING_ENOMEM;
	for (size_t i = 0; i < m->findings.len; i++) {
		const lading_finding *f = ld_vec_at(&m->findings, i);
		ld_store_finding *s = &v[k++];
		s->vuln = f->id;
		s->package = f->package_index;
		s->severity = (int)f->severity;
		s->kev = f->kev;
		s->epss = f->epss_score;
		s->cvss = f->cvss_score;
		s->fixed = ld_inv_join(a, f->fixed_versions, f->fixed_count, ", ");
		s->status = f->status;
		s->aliases = ld_inv_join(a, f->aliases, f->alias_count, " ");
	}
	*out = v;
	*n = k;
	return 0;
}

static int record(lading_store *s, lading_ctx *ctx, const lading_sbom *sbom, inv_db *d,
		  lading_inventory_added *out)
{
	const lading_image_info *info = lading_sbom_image(sbom);
	size_t n = lading_sbom_package_count(sbom);
	ld_match_result m;
	ld_store_image si;
	ld_store_put_result pr;
	inv_refs refs;
	ld_arena a;
	const lading_package **pkgs = NULL;
	int rc = 0;

	ld_arena_init(&a, 0);
	ld_match_result_init(&m);
	memset(&si, 0, sizeof(si));
	if (!(pkgs = ld_arena_array(&a, n ? n : 1, sizeof(*pkgs)))) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		pkgs[i] = lading_sbom_package(sbom, i);
	si.digest = content_digest(&a, info, sbom);
	si.os = info->os;
	si.architecture = info->architecture;
	si.variant = info->variant;
	si.created = info->created;
	si.source_type = info->source_type;
	si.layers = info->layers;
	si.labels = info->labels;
	si.nlabels = info->label_count;
	si.nlayers = info->layer_count;
	/* an SBOM may name some layers only (SPDX names those that hold packages): the store keeps
	 * layers by digest, so such a record keeps none (its id is then its package list's) */
	for (size_t i = 0; i < info->layer_count; i++)
		if (!info->layers[i].digest && !info->layers[i].blob_digest)
			si.layers = NULL, si.nlayers = 0;
	collect_refs(&a, info, &refs);
	si.tags = refs.tags;
	si.ntags = refs.ntags;
	si.manifests = refs.manifests;
	si.nmanifests = refs.nmanifests;
	si.osinfo = lading_sbom_os(sbom);
	si.pkgs = pkgs;
	si.npkgs = n;
	if (d->db) {
		ld_match_input in = {si.osinfo, pkgs, n};
		lading_scan_options so = LADING_SCAN_OPTIONS_INIT;
		if ((rc = ld_match_run(&m, d->db, &in, &so, ctx)))
			goto out;
		ld_store_finding *sf;
		if ((rc = to_store_findings(&a, &m, &sf, &si.nfindings))) {
			rc = ld_error_set(ctx, rc, "out of memory");
			goto out;
		}
		si.findings = sf;
		si.dbbuild = d->built_at;
	}
	s->ctx = ctx;
	if ((rc = ld_store_put_image(s, &si, &pr)))
		goto out;
	if (out) {
		ld_strlcpy(out->digest, si.digest, sizeof(out->digest));
		out->new_image = pr.new_image;
		out->layers_read = 1;
		out->packages = n;
		out->findings = si.nfindings;
		out->matched = d->db != NULL;
	}
out:
	ld_match_result_release(&m);
	ld_arena_release(&a);
	return rc;
}

int lading_inventory_record(lading_store *s, lading_ctx *ctx, const lading_sbom *sbom, const char *ref,
			    const lading_inventory_options *opts, lading_inventory_added *out)
{
	inv_db d;
	int rc;

	(void)ref;
	ld_error_clear(ctx);
	if (out)
		memset(out, 0, sizeof(*out));
	if (!(rc = db_open(&d, opts, ctx)))
		rc = record(s, ctx, sbom, &d, out);
	db_close(&d);
	return rc;
}

/* A known image (by config digest): matched from its stored package list when this database
 * build is new to it, and its references touched. *done = nothing more to do. */
static int known_image(lading_store *s, lading_ctx *ctx, inv_db *d, const char *digest, const inv_refs *refs,
		       const lading_image_label *labels, size_t nlabels, bool *done, lading_inventory_added *out)
{
	bool found = false, matched = false;
	int rc;

	*done = false;
	if ((rc = ld_store_image_known(s, digest, d->built_at, &found, &matched)) || !found)
		return rc;
	if (!matched && d->db) {
		size_t nf = 0;
		if ((rc = ld_inv_match_stored(s, ctx, d->db, d->built_at, digest, &nf)))
			return rc;
		matched = true;
		if (out)
			out->findings = nf;
	}
	/* labels an older record lacks are filled in (NULL: a digest reference, no config read) */
	if ((rc = ld_store_touch_image(s, digest, refs->tags, refs->ntags, refs->manifests, refs->nmanifests,
				       labels, nlabels)))
		return rc;
	if (out) {
		ld_strlcpy(out->digest, digest, sizeof(out->digest));
		out->matched = matched;
	}
	*done = true;
	return 0;
}

/* REGISTRY/REPO[:TAG]@DIGEST whose manifest digest the store has: the image is known without
 * asking the registry anything (a crawl run again, every platform of an index). */
static int known_by_manifest(lading_store *s, lading_ctx *ctx, inv_db *d, const char *ref, bool *done,
			     lading_inventory_added *out)
{
	ld_imgref r;
	inv_refs refs;
	char digest[LD_DIGEST_STR_LEN + 16], tagged[LD_REF_MAX_LEN + 1];
	bool found = false;
	int rc;

	static const char *const other[] = {"docker-archive:", "oci-archive:", "oci:", "dir:", "rootfs-tar:",
					    "docker-dir:", "docker:"};
	*done = false;
	if (!strncmp(ref, "registry:", 9) || !strncmp(ref, "docker://", 9))
		ref += 9;
	else
		for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
			if (!strncmp(ref, other[i], strlen(other[i])))
				return 0; /* another kind of source: opened as it says */
	if (ld_imgref_parse(&r, ref, strlen(ref)) || !r.digest[0] || access(ref, F_OK) == 0)
		return 0; /* not a registry reference by digest (or a file of that name) */
	if ((rc = ld_store_image_by_manifest(s, r.digest, digest, sizeof(digest), &found)) || !found)
		return rc;
	memset(&refs, 0, sizeof(refs));
	if (r.tag[0]) {
		ld_snprintf(tagged, sizeof(tagged), "%s/%s:%s", r.registry, r.repo, r.tag);
		refs.tags[refs.ntags++] = tagged;
	}
	refs.manifests[refs.nmanifests++] = r.digest;
	return known_image(s, ctx, d, digest, &refs, NULL, 0, done, out);
}

int lading_inventory_add(lading_store *s, lading_ctx *ctx, const char *ref, const lading_inventory_options *opts,
			 lading_inventory_added *out)
{
	lading_image *img = NULL;
	lading_sbom *sbom = NULL;
	const lading_image_info *info;
	inv_db d;
	ld_arena a;
	bool done = false;
	int rc;

	ld_error_clear(ctx);
	ld_arena_init(&a, 0);
	if (out)
		memset(out, 0, sizeof(*out));
	s->ctx = ctx;
	if ((rc = db_open(&d, opts, ctx)) || (rc = known_by_manifest(s, ctx, &d, ref, &done, out)) || done)
		goto out;
	/* an SBOM document: recorded (and matched) like an image's inventory */
	if (!strncmp(ref, "sbom:", 5)) {
		if (!(rc = lading_sbom_read_file(&sbom, ctx, ref + 5)))
			rc = record(s, ctx, sbom, &d, out);
		goto out;
	}
	if ((rc = lading_image_open(&img, ctx, ref, opts ? opts->image : NULL)))
		goto out;
	info = lading_image_get_info(img);
	/* a known image (by config digest) is not read again */
	if (info->config_digest) {
		inv_refs refs;
		collect_refs(&a, info, &refs);
		if ((rc = known_image(s, ctx, &d, info->config_digest, &refs, info->labels, info->label_count, &done,
				       out)) || done)
			goto out;
	}
	if ((rc = lading_sbom_build(&sbom, ctx, img, NULL)))
		goto out;
	rc = record(s, ctx, sbom, &d, out);
out:
	lading_sbom_free(sbom);
	lading_image_free(img);
	db_close(&d);
	ld_arena_release(&a);
	return rc;
}

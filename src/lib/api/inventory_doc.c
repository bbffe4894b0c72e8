/* Building and writing the inventory's documents from store rows. */
#include "api/inventory_doc.h"
#include "util/json.h"


void inv_doc_init(inv_doc *d)
{
	memset(d, 0, sizeof(*d));
	ld_arena_init(&d->arena, 0);
	ld_vec_init(&d->images, sizeof(inv_image *), 0);
	ld_map_init(&d->by_id);
	ld_vec_init(&d->containers, sizeof(inv_container), 0);
}

void inv_doc_release(inv_doc *d)
{
	for (size_t i = 0; i < d->images.len; i++) {
		inv_image *im = *(inv_image **)ld_vec_at(&d->images, i);
		ld_vec_release(&im->tags);
		ld_vec_release(&im->manifests);
		ld_vec_release(&im->labels);
		ld_vec_release(&im->findings);
	}
	ld_vec_release(&d->images);
	ld_map_release(&d->by_id);
	ld_vec_release(&d->containers);
	ld_arena_release(&d->arena);
}

static const char *sv_dup(inv_doc *d, const ld_sv *v)
{
	const char *s = ld_sv_str(v);
	return s ? ld_arena_strndup(&d->arena, s, v->n) : NULL;
}

static inv_image *find(inv_doc *d, int64_t id)
{
	char key[24];
	ld_snprintf(key, sizeof(key), "%" PRId64, id);
	return ld_map_gets(&d->by_id, key);
}

inv_image *inv_doc_image(inv_doc *d, int64_t id)
{
	inv_image *im = find(d, id), **slot;
	char *key;

	if (im)
		return im;
	if (!(im = ld_arena_alloc(&d->arena, sizeof(*im))) || !(key = ld_arena_printf(&d->arena, "%" PRId64, id)) ||
	    !(slot = ld_vec_push(&d->images)))
		return NULL;
	im->id = id;
	ld_vec_init(&im->tags, sizeof(const char *), 0);
	ld_vec_init(&im->manifests, sizeof(const char *), 0);
	ld_vec_init(&im->labels, sizeof(lading_image_label), 0);
	ld_vec_init(&im->findings, sizeof(inv_finding), 0);
	*slot = im;
	if (ld_map_put(&d->by_id, ld_slice_cstr(key), im, NULL))
		return NULL;
	return im;
}

int inv_doc_finding_rows(void *opaque, const ld_sv *c, size_t n)
{
	inv_doc *d = opaque;
	inv_image *im;
	inv_finding *f;

	if (n < 13)
		return LADING_EDB;
	if (!(im = inv_doc_image(d, ld_sv_i64(&c[0]))) || !(f = ld_vec_push(&im->findings)))
		return LADING_ENOMEM;
	f->vuln = sv_dup(d, &c[1]);
	f->severity = (int)ld_sv_i64(&c[2]);
	f->kev = (int)ld_sv_i64(&c[3]);
	f->epss = c[4].t == LD_SV_NULL ? -1 : ld_sv_f64(&c[4]);
	f->cvss = c[5].t == LD_SV_NULL ? -1 : ld_sv_f64(&c[5]);
	f->fixed = sv_dup(d, &c[6]);
	f->status = sv_dup(d, &c[7]);
	f->aliases = sv_dup(d, &c[8]);
	f->type = sv_dup(d, &c[9]);
	f->name = sv_dup(d, &c[10]);
	f->version = sv_dup(d, &c[11]);
	f->layer = ld_sv_i64(&c[12]);
	f->purl = n > 13 ? sv_dup(d, &c[13]) : NULL;
	f->source_name = n > 14 ? sv_dup(d, &c[14]) : NULL;
	return 0;
}

static int image_row(void *opaque, const ld_sv *c, size_t n)
{
	inv_doc *d = opaque;
	inv_image *im;

	if (n < 14)
		return LADING_EDB;
	im = d->collect_all ? inv_doc_image(d, ld_sv_i64(&c[0])) : find(d, ld_sv_i64(&c[0]));
	if (!im)
		return d->collect_all ? LADING_ENOMEM : 0; /* bulk read: not one of ours */
	im->digest = sv_dup(d, &c[1]);
	im->os = sv_dup(d, &c[2]);
	im->arch = sv_dup(d, &c[3]);
	im->variant = sv_dup(d, &c[4]);
	im->created = sv_dup(d, &c[5]);
	im->source_type = sv_dup(d, &c[6]);
	im->first_seen = sv_dup(d, &c[7]);
	im->last_seen = sv_dup(d, &c[8]);
	im->npkgs = ld_sv_i64(&c[9]);
	im->built_at = sv_dup(d, &c[10]);
	im->nlayers = ld_sv_i64(&c[11]);
	im->os_id = sv_dup(d, &c[12]);
	im->os_version = sv_dup(d, &c[13]);
	im->nvulns = n > 14 ? ld_sv_i64(&c[14]) : 0;
	im->loaded = true;
	return 0;
}

static int ref_row(void *opaque, const ld_sv *c, size_t n)
{
	inv_doc *d = opaque;
	inv_image *im;
	const char **slot, *kind;

	if (n < 3)
		return LADING_EDB;
	if (!(im = find(d, ld_sv_i64(&c[0]))))
		return 0;
	kind = ld_sv_str(&c[1]);
	if (!(slot = ld_vec_push(kind && !strcmp(kind, "manifest") ? &im->manifests : &im->tags)) ||
	    !(*slot = sv_dup(d, &c[2])))
		return LADING_ENOMEM;
	return 0;
}

/* image_id, key, value */
static int label_row(void *opaque, const ld_sv *c, size_t n)
{
	inv_doc *d = opaque;
	inv_image *im;
	lading_image_label *l;

	if (n < 3)
		return LADING_EDB;
	if (!(im = find(d, ld_sv_i64(&c[0]))))
		return 0;
	if (!(l = ld_vec_push(&im->labels)) || !(l->key = sv_dup(d, &c[1])) || !(l->value = sv_dup(d, &c[2])))
		return LADING_ENOMEM;
	return 0;
}

typedef struct cont_ctx {
	inv_doc *d;
	ld_map *digests; /* image or manifest digest -> image digest */
	bool keep_all;   /* keep rows whose image is not in the map too */
} cont_ctx;

static int container_row(void *opaque, const ld_sv *c, size_t n)
{
	cont_ctx *cc = opaque;
	inv_doc *d = cc->d;
	inv_container *k;
	const char *resolved = NULL;

	if (n < 15)
		return LADING_EDB;
	{
		const char *dg = ld_sv_str(&c[8]);
		if (dg)
			resolved = ld_map_get(cc->digests, ld_slice_make(dg, c[8].n));
		if (!resolved && !cc->keep_all)
			return 0;
	}
	if (!(k = ld_vec_push(&d->containers)))
		return LADING_ENOMEM;
	k->source = sv_dup(d, &c[0]);
	k->cid = sv_dup(d, &c[1]);
	k->name = sv_dup(d, &c[2]);
	k->ns = sv_dup(d, &c[3]);
	k->pod = sv_dup(d, &c[4]);
	k->node = sv_dup(d, &c[5]);
	k->owner = sv_dup(d, &c[6]);
	k->image_ref = sv_dup(d, &c[7]);
	k->image_digest = sv_dup(d, &c[8]);
	k->labels = sv_dup(d, &c[9]);
	k->state = sv_dup(d, &c[10]);
	k->created = sv_dup(d, &c[11]);
	k->started = sv_dup(d, &c[12]);
	k->first_seen = sv_dup(d, &c[13]);
	k->last_seen = sv_dup(d, &c[14]);
	/* the map may belong to another document (list containers): the digest is copied */
	k->resolved = resolved ? ld_arena_strdup(&d->arena, resolved) : NULL;
	return 0;
}

static int digest_map(inv_doc *d, ld_map *m)
{
	for (size_t i = 0; i < d->images.len; i++) {
		inv_image *im = *(inv_image **)ld_vec_at(&d->images, i);
		if (!im->digest)
			continue;
		if (ld_map_put(m, ld_slice_cstr(im->digest), (void *)im->digest, NULL))
			return LADING_ENOMEM;
		for (size_t k = 0; k < im->manifests.len; k++)
			if (ld_map_put(m, ld_slice_cstr(*(const char **)ld_vec_at(&im->manifests, k)), (void *)im->digest,
				       NULL))
				return LADING_ENOMEM;
	}
	return 0;
}

/* The document's image ids, or every digest its containers may name, as one JSON array. */
static int id_array(const inv_doc *d, ld_buf *b)
{
	ld_jw w;
	ld_buf_clear(b);
	ld_jw_init(&w, b, false);
	ld_jw_arr(&w);
	for (size_t i = 0; i < d->images.len; i++)
		ld_jw_i64(&w, (*(inv_image **)ld_vec_at(&d->images, i))->id);
	ld_jw_arr_end(&w);
	return ld_buf_error(b) ? LADING_ENOMEM : 0;
}

static int digest_array(const inv_doc *d, ld_buf *b)
{
	ld_jw w;
	ld_buf_clear(b);
	ld_jw_init(&w, b, false);
	ld_jw_arr(&w);
	for (size_t i = 0; i < d->images.len; i++) {
		const inv_image *im = *(inv_image **)ld_vec_at(&d->images, i);
		if (im->digest)
			ld_jw_str(&w, im->digest);
		for (size_t k = 0; k < im->manifests.len; k++)
			ld_jw_str(&w, *(const char **)ld_vec_at(&im->manifests, k));
	}
	ld_jw_arr_end(&w);
	return ld_buf_error(b) ? LADING_ENOMEM : 0;
}

int inv_doc_complete(inv_doc *d, lading_store *s, bool rows, bool containers)
{
	ld_buf b = LD_BUF_INIT;
	ld_sv p;
	ld_map m;
	int rc;

	if (!d->images.len)
		return 0;
	ld_map_init(&m);
	/* three statements whatever the number of images: the sets go as JSON arrays */
	if ((rc = id_array(d, &b)))
		goto out;
	p = ld_sv_textn(b.ptr, b.len);
	if ((rows && (rc = ld_store_exec(s, LD_SQ_IMAGES_BY_IDS, &p, 1, image_row, d, NULL))) ||
	    (rc = ld_store_exec(s, LD_SQ_REFS_BY_IDS, &p, 1, ref_row, d, NULL)) ||
	    (rc = ld_store_exec(s, LD_SQ_LABELS_BY_IDS, &p, 1, label_row, d, NULL)))
		goto out;
	if (!containers)
		goto out;
	if ((rc = digest_map(d, &m)) || (rc = digest_array(d, &b)))
		goto out;
	p = ld_sv_textn(b.ptr, b.len);
	{
		cont_ctx cc = {d, &m, false};
		rc = ld_store_exec(s, LD_SQ_CONTAINERS_BY_DIGESTS, &p, 1, container_row, &cc, NULL);
	}
out:
	ld_map_release(&m);
	ld_buf_release(&b);
	return rc;
}

int inv_doc_all_images(inv_doc *d, lading_store *s)
{
	int rc;
	d->collect_all = true;
	if ((rc = ld_store_exec(s, LD_SQ_LIST_IMAGES, NULL, 0, image_row, d, NULL)) ||
	    (rc = ld_store_exec(s, LD_SQ_LIST_REFS, NULL, 0, ref_row, d, NULL)))
		return rc;
	return ld_store_exec(s, LD_SQ_FLEET_LABELS, NULL, 0, label_row, d, NULL);
}

int inv_doc_all_containers(inv_doc *d, lading_store *s)
{
	inv_doc imgs;
	ld_map m;
	int rc;

	/* every image and its manifests, to say which image each container runs */
	inv_doc_init(&imgs);
	ld_map_init(&m);
	imgs.collect_all = true;
	if ((rc = ld_store_exec(s, LD_SQ_LIST_IMAGES, NULL, 0, image_row, &imgs, NULL)) ||
	    (rc = ld_store_exec(s, LD_SQ_LIST_REFS, NULL, 0, ref_row, &imgs, NULL)) || (rc = digest_map(&imgs, &m)))
		goto out;
	{
		cont_ctx cc = {d, &m, true};
		rc = ld_store_exec(s, LD_SQ_LIST_CONTAINERS, NULL, 0, container_row, &cc, NULL);
	}
out:
	ld_map_release(&m);
	inv_doc_release(&imgs);
	return rc;
}

const char *inv_severity_name(int s)
{
	return lading_severity_name(s >= 0 && s <= LADING_SEVERITY_CRITICAL ? (lading_severity)s
									 : LADING_SEVERITY_UNKNOWN);
}

static void str_list(ld_jw *w, const char *k, const ld_vec *v)
{
	ld_jw_key(w, k);
	ld_jw_arr(w);
	for (size_t i = 0; i < v->len; i++)
		ld_jw_str(w, *(const char **)ld_vec_at(v, i));
	ld_jw_arr_end(w);
}

/* "a, b" or "a b" -> ["a","b"] */
static void split_list(ld_jw *w, const char *k, const char *s, char sep)
{
	ld_jw_key(w, k);
	ld_jw_arr(w);
	while (s && *s) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n)
			ld_jw_strn(w, s, n);
		s = e ? e + 1 : NULL;
		while (s && *s == ' ')
			s++;
	}
	ld_jw_arr_end(w);
}

void inv_json_finding(ld_jw *w, const inv_finding *f)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", f->vuln);
	split_list(w, "aliases", f->aliases, ' ');
	ld_jw_kstr(w, "package", f->name);
	ld_jw_kstr(w, "version", f->version);
	ld_jw_kstr(w, "type", f->type);
	ld_jw_kstr(w, "severity", inv_severity_name(f->severity));
	ld_jw_kbool(w, "kev", f->kev != 0);
	ld_jw_key(w, "epss");
	if (f->epss >= 0)
		ld_jw_fixed(w, f->epss, 5);
	else
		ld_jw_null(w);
	ld_jw_key(w, "cvss");
	if (f->cvss >= 0)
		ld_jw_fixed(w, f->cvss, 1);
	else
		ld_jw_null(w);
	split_list(w, "fixed", f->fixed, ',');
	ld_jw_kstr(w, "status", f->status);
	ld_jw_ki64(w, "layer", f->layer);
	ld_jw_obj_end(w);
}

void inv_json_image(ld_jw *w, const inv_image *im, bool findings)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "digest", im->digest);
	str_list(w, "refs", &im->tags);
	str_list(w, "manifests", &im->manifests);
	ld_jw_kstr(w, "os", im->os_id);
	ld_jw_kstr(w, "os_version", im->os_version);
	ld_jw_kstr(w, "platform_os", im->os);
	ld_jw_kstr(w, "architecture", im->arch);
	ld_jw_kstr_opt(w, "variant", im->variant);
	ld_jw_kstr(w, "created", im->created);
	ld_jw_kstr(w, "source_type", im->source_type);
	ld_jw_key(w, "labels");
	ld_jw_obj(w);
	for (size_t i = 0; i < im->labels.len; i++) {
		const lading_image_label *l = ld_vec_at(&im->labels, i);
		ld_jw_kstr(w, l->key, l->value);
	}
	ld_jw_obj_end(w);
	ld_jw_ki64(w, "layers", im->nlayers);
	ld_jw_ki64(w, "packages", im->npkgs);
	ld_jw_ki64(w, "vulnerabilities", im->nvulns);
	ld_jw_kstr(w, "db_built_at", im->built_at);
	ld_jw_kstr(w, "first_seen", im->first_seen);
	ld_jw_kstr(w, "last_seen", im->last_seen);
	if (findings) {
		ld_jw_key(w, "findings");
		ld_jw_arr(w);
		for (size_t i = 0; i < im->findings.len; i++)
			inv_json_finding(w, ld_vec_at(&im->findings, i));
		ld_jw_arr_end(w);
	}
	ld_jw_obj_end(w);
}

/* Labels are stored as a JSON object the store wrote itself (snapshot.c): copied as is. */
static void labels_json(ld_jw *w, const char *labels)
{
	size_t n = labels ? strlen(labels) : 0;
	ld_jw_key(w, "labels");
	if (n >= 2 && labels[0] == '{' && labels[n - 1] == '}') {
		ld_jw_raw(w, labels, n);
		return;
	}
	ld_jw_obj(w);
	ld_jw_obj_end(w);
}

void inv_json_container(ld_jw *w, const inv_container *c, lading_ctx *ctx)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", c->cid);
	ld_jw_kstr(w, "name", c->name);
	ld_jw_kstr(w, "source", c->source);
	ld_jw_kstr(w, "namespace", c->ns);
	ld_jw_kstr(w, "pod", c->pod);
	ld_jw_kstr(w, "node", c->node);
	ld_jw_kstr(w, "owner", c->owner);
	ld_jw_kstr(w, "image_ref", c->image_ref);
	ld_jw_kstr(w, "image_digest", c->resolved ? c->resolved : c->image_digest);
	labels_json(w, c->labels);
	(void)ctx;
	ld_jw_kstr(w, "state", c->state);
	ld_jw_kstr(w, "created", c->created);
	ld_jw_kstr(w, "started", c->started);
	ld_jw_kstr(w, "first_seen", c->first_seen);
	ld_jw_kstr(w, "last_seen", c->last_seen);
	ld_jw_obj_end(w);
}

const char *ld_inv_join(ld_arena *a, const char *const *v, size_t n, const char *sep)
{
	ld_buf b = LD_BUF_INIT;
	const char *s;
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			ld_buf_adds(&b, sep);
		ld_buf_adds(&b, v[i] ? v[i] : "");
	}
	s = ld_buf_error(&b) ? NULL : ld_arena_strndup(a, b.ptr, b.len);
	ld_buf_release(&b);
	return s;
}

/* The fleet report's input from the inventory store: every image with its references, layers
 * and the findings of its package list's current match, every container, and the census
 * records counted per product, read in one read transaction through the store's numbered
 * statements (no SQL here). Findings are read once per (build, OS, package) and given to each
 * package list holding that package; images with the same list share the list's. */
#include <time.h>

#include "util/common.h"
#include "util/map.h"
#include "util/vec.h"
#include "store/fleet_data.h"
#include "store/store.h"

#define FLEET_LOAD_MAX_ROWS 200000000u /* rows of any one statement */

/* The findings of one package list: a vector while rows come, then an arena array. */
typedef struct list_findings {
	ld_vec v;
	const ld_fleet_finding *f;
	size_t n;
} list_findings;

typedef struct loader {
	ld_fleet_data *d;
	ld_store *s;
	ld_map byid;    /* store image id -> index + 1 */
	ld_map bylist;  /* pkglist id -> list_findings */
	ld_map census;  /* census product -> ld_fleet_census_product */
	ld_vec products; /* ld_fleet_census_product *, in first-seen order */
	ld_vec *refs, *mans, *layers; /* per image: const char * */
	ld_vec *labels;  /* per image: ld_fleet_kv */
	ld_vec history;  /* ld_fleet_summary */
	ld_vec bf;       /* ld_fleet_finding: the findings of the builds in use, in key order */
	ld_map byfkey;   /* (build, os, package) -> finding_range */
	int64_t last_list; /* on_item: the list of the previous item (items come by list) */
	list_findings *last_lf;
	size_t nalloc;  /* images counted (the arrays' size) */
	size_t rows;
} loader;

static const char *col_str(loader *l, const ld_sv *v)
{
	const char *s = ld_sv_str(v);
	return s ? ld_arena_strdup(&l->d->arena, s) : NULL;
}

static int64_t when(const ld_sv *v)
{
	int64_t t;
	const char *s = ld_sv_str(v);
	return s && ld_fleet_parse_time(s, &t) ? t : LD_FLEET_TIME_UNKNOWN;
}

static void *by_int(const ld_map *m, int64_t id)
{
	return ld_map_get(m, ld_slice_make(&id, sizeof(id)));
}

static int put_int(loader *l, ld_map *m, int64_t id, void *val)
{
	int64_t *key = ld_arena_memdup(&l->d->arena, &id, sizeof(id));
	return key && !ld_map_put(m, ld_slice_make(key, sizeof(*key)), val, NULL) ? 0 : LADING_ENOMEM;
}

static int row_count(loader *l)
{
	return ++l->rows > FLEET_LOAD_MAX_ROWS ? LADING_ELIMIT : 0;
}

/* FLEET_IMAGES: id, digest, created, source_type, first_seen, last_seen, dbbuild_id */
static int on_image(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	ld_fleet_image *im;
	const char **src;
	if (n < 7 || row_count(l))
		return LADING_EINVALID;
	if (l->d->image_count >= l->nalloc)
		return 1; /* recorded after the count: stop, it goes in the next report */
	im = &l->d->images[l->d->image_count];
	memset(im, 0, sizeof(*im));
	im->digest = col_str(l, &c[1]);
	im->created = when(&c[2]);
	im->first_seen = when(&c[4]);
	im->last_seen = when(&c[5]);
	im->matched = c[6].t != LD_SV_NULL;
	if (ld_sv_str(&c[3])) {
		if (!(src = ld_arena_alloc(&l->d->arena, sizeof(*src))) || !(src[0] = col_str(l, &c[3])))
			return LADING_ENOMEM;
		im->sources = src;
		im->source_count = 1;
	}
	if (!im->digest || put_int(l, &l->byid, ld_sv_i64(&c[0]), (void *)(uintptr_t)(l->d->image_count + 1)))
		return LADING_ENOMEM;
	l->d->image_count++;
	return 0;
}

static int push_str(ld_vec *v, const char *s)
{
	const char **p = s ? ld_vec_push(v) : NULL;
	if (!p)
		return LADING_ENOMEM;
	*p = s;
	return 0;
}

/* image_id, kind ("tag" | "manifest"), ref, first_seen, last_seen */
static int on_ref(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	uintptr_t i = n >= 3 ? (uintptr_t)by_int(&l->byid, ld_sv_i64(&c[0])) : 0;
	const char *kind = n >= 3 ? ld_sv_str(&c[1]) : NULL;
	if (row_count(l))
		return LADING_ELIMIT;
	if (!i || !kind)
		return 0; /* a reference of an image pruned meanwhile */
	return push_str(!strcmp(kind, "manifest") ? &l->mans[i - 1] : &l->refs[i - 1], col_str(l, &c[2]));
}

/* image_id, position, digest (ordered by position) */
static int on_layer(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	uintptr_t i = n >= 3 ? (uintptr_t)by_int(&l->byid, ld_sv_i64(&c[0])) : 0;
	if (row_count(l))
		return LADING_ELIMIT;
	if (!i)
		return 0;
	if (l->layers[i - 1].len >= LD_FLEET_MAX_LAYERS)
		return LADING_ELIMIT;
	return push_str(&l->layers[i - 1], col_str(l, &c[2]));
}

/* image_id, key, value */
static int on_label(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	uintptr_t i = n >= 3 ? (uintptr_t)by_int(&l->byid, ld_sv_i64(&c[0])) : 0;
	ld_fleet_kv *kv;
	if (row_count(l))
		return LADING_ELIMIT;
	if (!i)
		return 0;
	if (l->labels[i - 1].len >= LD_FLEET_MAX_LIST)
		return LADING_ELIMIT;
	if (!(kv = ld_vec_push(&l->labels[i - 1])) || !(kv->key = col_str(l, &c[1])) ||
	    !(kv->value = col_str(l, &c[2])))
		return LADING_ENOMEM;
	return 0;
}

/* SUMMARY_COLS: time, group_by, grp, images, vulnerabilities, vulns_median, vulns_p90,
 * new_findings, fixed_findings, kev_images, critical_images, fixable_images, containers_running */
static int on_summary(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	ld_fleet_summary *h;
	if (n < 13 || row_count(l))
		return LADING_EINVALID;
	if (l->history.len >= LD_FLEET_MAX_HISTORY)
		return LADING_ELIMIT;
	if (!(h = ld_vec_push(&l->history)))
		return LADING_ENOMEM;
	h->time = when(&c[0]);
	h->group_by = col_str(l, &c[1]);
	h->group = col_str(l, &c[2]);
	h->images = (uint64_t)ld_sv_i64(&c[3]);
	h->vulnerabilities = (uint64_t)ld_sv_i64(&c[4]);
	h->vulns_median = ld_sv_f64(&c[5]);
	h->vulns_p90 = ld_sv_f64(&c[6]);
	h->new_findings = (uint64_t)ld_sv_i64(&c[7]);
	h->fixed_findings = (uint64_t)ld_sv_i64(&c[8]);
	h->kev_images = (uint64_t)ld_sv_i64(&c[9]);
	h->critical_images = (uint64_t)ld_sv_i64(&c[10]);
	h->fixable_images = (uint64_t)ld_sv_i64(&c[11]);
	h->containers_running = (uint64_t)ld_sv_i64(&c[12]);
	return h->group_by ? 0 : LADING_EINVALID;
}

/* Split the store's space-separated aliases into an array. */
static int split_aliases(loader *l, const char *s, ld_fleet_finding *f)
{
	size_t n = 0, k = 0;
	const char **a;
	char *copy;
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++)
		n += *p == ' ';
	if (!(copy = ld_arena_strdup(&l->d->arena, s)) || !(a = ld_arena_array(&l->d->arena, n + 1, sizeof(*a))))
		return LADING_ENOMEM;
	for (char *p = copy, *tok = copy;; p++) {
		if (*p == ' ' || !*p) {
			bool end = !*p;
			*p = '\0';
			if (*tok && k <= n)
				a[k++] = tok;
			tok = p + 1;
			if (end)
				break;
		}
	}
	f->aliases = a;
	f->alias_count = k;
	return 0;
}

/* The findings of one (build, OS, package): bf[start, start + n). */
typedef struct finding_range {
	size_t start, n;
} finding_range;

typedef struct fkey {
	int64_t build, os, pkg;
} fkey;

/* dbbuild_id, os_id, package_id, vuln, severity, kev, epss, cvss, fixed, status, aliases, type,
 * name, version: rows come grouped by (build, os, package) */
static int on_build_finding(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	fkey k;
	finding_range *r;
	ld_fleet_finding *f;
	int64_t sev;
	if (n < 14 || row_count(l))
		return LADING_EINVALID;
	k = (fkey){ld_sv_i64(&c[0]), ld_sv_i64(&c[1]), ld_sv_i64(&c[2])};
	if (!(r = ld_map_get(&l->byfkey, ld_slice_make(&k, sizeof(k))))) {
		fkey *kept = ld_arena_memdup(&l->d->arena, &k, sizeof(k));
		if (!kept || !(r = ld_arena_alloc(&l->d->arena, sizeof(*r))) ||
		    ld_map_put(&l->byfkey, ld_slice_make(kept, sizeof(*kept)), r, NULL))
			return LADING_ENOMEM;
		r->start = l->bf.len;
		r->n = 0;
	}
	if (r->start + r->n != l->bf.len) /* not grouped: the statement broke its promise */
		return LADING_EINVALID;
	if (!(f = ld_vec_push(&l->bf)))
		return LADING_ENOMEM;
	r->n++;
	sev = ld_sv_i64(&c[4]);
	f->id = col_str(l, &c[3]);
	f->severity = (uint8_t)(sev >= 0 && sev <= 4 ? sev : 0);
	f->kev = ld_sv_i64(&c[5]) != 0;
	f->epss = c[6].t == LD_SV_NULL ? -1 : ld_sv_f64(&c[6]);
	f->fixed_version = col_str(l, &c[8]);
	f->fixable = f->fixed_version && *f->fixed_version;
	f->pkg_type = col_str(l, &c[11]);
	f->pkg_name = col_str(l, &c[12]);
	f->pkg_version = col_str(l, &c[13]);
	if (!f->id)
		return LADING_ENOMEM;
	return split_aliases(l, ld_sv_str(&c[10]), f);
}

/* pkglist_id, os_id, dbbuild_id, package_id, layer: the list gets its package's findings under
 * its current build (one copy per item, as a package in two layers is two items) */
static int on_item(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	list_findings *lf;
	const finding_range *r;
	fkey k;
	if (n < 5 || row_count(l))
		return LADING_EINVALID;
	if (c[2].t == LD_SV_NULL) /* never matched */
		return 0;
	k = (fkey){ld_sv_i64(&c[2]), ld_sv_i64(&c[1]), ld_sv_i64(&c[3])};
	if (!(r = ld_map_get(&l->byfkey, ld_slice_make(&k, sizeof(k)))))
		return 0;
	if (l->last_lf && l->last_list == ld_sv_i64(&c[0]))
		lf = l->last_lf;
	else if (!(lf = by_int(&l->bylist, ld_sv_i64(&c[0])))) {
		if (!(lf = ld_arena_alloc(&l->d->arena, sizeof(*lf))))
			return LADING_ENOMEM;
		ld_vec_init(&lf->v, sizeof(ld_fleet_finding), LD_FLEET_MAX_FINDINGS);
		if (put_int(l, &l->bylist, ld_sv_i64(&c[0]), lf))
			return LADING_ENOMEM;
	}
	l->last_list = ld_sv_i64(&c[0]);
	l->last_lf = lf;
	for (size_t i = 0; i < r->n; i++) {
		ld_fleet_finding *f = ld_vec_push(&lf->v);
		if (!f)
			return ld_vec_full(&lf->v) ? LADING_ELIMIT : LADING_ENOMEM;
		*f = *(const ld_fleet_finding *)ld_vec_at(&l->bf, r->start + i);
	}
	return 0;
}

/* image id, digest, pkglist_id: images take their list's findings (shared, not copied) */
static int on_image_list(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	uintptr_t i = n >= 3 ? (uintptr_t)by_int(&l->byid, ld_sv_i64(&c[0])) : 0;
	const list_findings *lf = n >= 3 ? by_int(&l->bylist, ld_sv_i64(&c[2])) : NULL;
	if (row_count(l))
		return LADING_ELIMIT;
	if (i && lf) {
		l->d->images[i - 1].findings = lf->f;
		l->d->images[i - 1].finding_count = lf->n;
	}
	return 0;
}

/* source, cid, name, namespace, image_ref, image_digest, state, first_seen, last_seen */
static int on_container(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	ld_vec *v = (ld_vec *)l->d->containers; /* a vector until the end of the read */
	ld_fleet_container *ct;
	const char *state;
	if (n < 9 || row_count(l))
		return LADING_EINVALID;
	if (!(ct = ld_vec_push(v)))
		return ld_vec_full(v) ? LADING_ELIMIT : LADING_ENOMEM;
	ct->source = col_str(l, &c[0]);
	ct->id = col_str(l, &c[1]);
	ct->name = col_str(l, &c[2]);
	ct->namespace_name = col_str(l, &c[3]);
	ct->image_ref = col_str(l, &c[4]);
	ct->image_digest = col_str(l, &c[5]);
	ct->first_seen = when(&c[7]);
	ct->last_seen = when(&c[8]);
	state = ld_sv_str(&c[6]);
	ct->state = LD_FLEET_UNKNOWN_STATE;
	for (unsigned k = LD_FLEET_RUNNING; state && k <= LD_FLEET_GONE; k++)
		if (!strcmp(state, ld_fleet_state_name(k)))
			ct->state = (uint8_t)k;
	return ct->id ? 0 : LADING_ENOMEM;
}

/* Findings vectors into arena arrays (the report keeps the data, not the loader). */
static int settle_findings(loader *l)
{
	const ld_map_slot *slot;
	for (size_t i = 0; ld_map_next(&l->bylist, &i, &slot);) {
		list_findings *lf = slot->val;
		lf->n = lf->v.len;
		if (lf->n && !(lf->f = ld_arena_memdup(&l->d->arena, lf->v.ptr, lf->n * sizeof(*lf->f))))
			return LADING_ENOMEM;
		ld_vec_release(&lf->v);
	}
	return 0;
}

/* Census records (LD_SQ_CENSUS_LOAD: target, port, transport, service, product, version, ...):
 * counted per product. Behind/vulnerable/known-exploited need the vulnerability database (the
 * census assessment), which the report does not read: they stay unknown here. */
static int on_census(void *opaque, const ld_sv *c, size_t n)
{
	loader *l = opaque;
	const char *product = n >= 6 ? ld_sv_str(&c[4]) : NULL;
	ld_fleet_census_product *p;
	if (row_count(l))
		return LADING_ELIMIT;
	l->d->census.records++;
	if (!product)
		return 0;
	if (!(p = ld_map_gets(&l->census, product))) {
		ld_fleet_census_product **slot = ld_vec_push(&l->products);
		if (!slot || !(p = ld_arena_alloc(&l->d->arena, sizeof(*p))) || !(p->product = col_str(l, &c[4])))
			return LADING_ENOMEM;
		*slot = p;
		p->behind = p->vulnerable = p->kev = SIZE_MAX;
		if (ld_map_put(&l->census, ld_slice_cstr(p->product), p, NULL))
			return LADING_ENOMEM;
	}
	p->hosts++;
	p->versioned += ld_sv_str(&c[5]) != NULL;
	return 0;
}

static int cmp_product(const void *a, const void *b)
{
	const ld_fleet_census_product *x = a, *y = b;
	if (x->hosts != y->hosts)
		return x->hosts < y->hosts ? 1 : -1;
	return strcmp(x->product, y->product);
}

static int settle_census(loader *l)
{
	ld_fleet_census_product *a;
	size_t n = l->products.len;
	l->d->census.present = l->d->census.records > 0;
	if (!n)
		return 0;
	if (!(a = ld_arena_array(&l->d->arena, n, sizeof(*a))))
		return LADING_ENOMEM;
	for (size_t i = 0; i < n; i++)
		a[i] = **(ld_fleet_census_product **)ld_vec_at(&l->products, i);
	qsort(a, n, sizeof(*a), cmp_product);
	l->d->census.products = a;
	l->d->census.product_count = n;
	return 0;
}

/* Move each image's vectors into arena arrays. */
static int settle_images(loader *l)
{
	for (size_t i = 0; i < l->d->image_count; i++) {
		ld_fleet_image *im = &l->d->images[i];
		const ld_vec *v[3] = {&l->refs[i], &l->mans[i], &l->layers[i]};
		const char *const **dst[3] = {&im->refs, &im->manifest_digests, &im->layers};
		size_t *cnt[3] = {&im->ref_count, &im->manifest_count, &im->layer_count};
		for (int k = 0; k < 3; k++) {
			*cnt[k] = v[k]->len;
			if (v[k]->len && !(*dst[k] = ld_arena_memdup(&l->d->arena, v[k]->ptr, v[k]->len * sizeof(char *))))
				return LADING_ENOMEM;
		}
		im->label_count = l->labels[i].len;
		if (im->label_count &&
		    !(im->labels = ld_arena_memdup(&l->d->arena, l->labels[i].ptr, im->label_count * sizeof(ld_fleet_kv))))
			return LADING_ENOMEM;
	}
	if (l->history.len &&
	    !(l->d->history = ld_arena_memdup(&l->d->arena, l->history.ptr, l->history.len * sizeof(ld_fleet_summary))))
		return LADING_ENOMEM;
	l->d->history_count = l->history.len;
	return 0;
}

static int count_images(void *opaque, const ld_sv *c, size_t n)
{
	(void)c;
	(void)n;
	return ++*(size_t *)opaque > LD_FLEET_MAX_IMAGES ? LADING_ELIMIT : 0;
}

static int read_all(loader *l, ld_vec *ctrs)
{
	size_t nimg = 0;
	int rc;
	if ((rc = ld_store_exec(l->s, LD_SQ_FLEET_IMAGES, NULL, 0, count_images, &nimg, NULL)))
		return rc;
	l->nalloc = nimg;
	if (!(l->d->images = ld_arena_array(&l->d->arena, nimg + 1, sizeof(*l->d->images))) ||
	    !(l->refs = calloc(nimg + 1, sizeof(*l->refs))) || !(l->mans = calloc(nimg + 1, sizeof(*l->mans))) ||
	    !(l->layers = calloc(nimg + 1, sizeof(*l->layers))) || !(l->labels = calloc(nimg + 1, sizeof(*l->labels))))
		return LADING_ENOMEM;
	for (size_t i = 0; i <= nimg; i++) {
		ld_vec_init(&l->refs[i], sizeof(char *), LD_FLEET_MAX_LIST);
		ld_vec_init(&l->mans[i], sizeof(char *), LD_FLEET_MAX_LIST);
		ld_vec_init(&l->layers[i], sizeof(char *), LD_FLEET_MAX_LAYERS);
		ld_vec_init(&l->labels[i], sizeof(ld_fleet_kv), LD_FLEET_MAX_LIST);
	}
	l->d->containers = (ld_fleet_container *)ctrs;
	if ((rc = ld_store_exec(l->s, LD_SQ_FLEET_IMAGES, NULL, 0, on_image, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_LIST_REFS, NULL, 0, on_ref, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_FLEET_LAYERS, NULL, 0, on_layer, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_FLEET_LABELS, NULL, 0, on_label, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_SUMMARY_LIST, NULL, 0, on_summary, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_FLEET_BUILD_FINDINGS, NULL, 0, on_build_finding, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_FLEET_ITEMS, NULL, 0, on_item, l, NULL)) ||
	    (rc = settle_findings(l)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_IMAGES_OF_PKGLISTS, NULL, 0, on_image_list, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_FLEET_CONTAINERS, NULL, 0, on_container, l, NULL)) ||
	    (rc = ld_store_exec(l->s, LD_SQ_CENSUS_LOAD, NULL, 0, on_census, l, NULL)) || (rc = settle_census(l)))
		return rc;
	return settle_images(l);
}

static void loader_release(loader *l)
{
	const ld_map_slot *slot;
	for (size_t i = 0; l->refs && l->mans && l->layers && l->labels && i <= l->nalloc; i++) {
		ld_vec_release(&l->refs[i]);
		ld_vec_release(&l->mans[i]);
		ld_vec_release(&l->layers[i]);
		ld_vec_release(&l->labels[i]);
	}
	free(l->labels);
	ld_vec_release(&l->history);
	free(l->refs);
	free(l->mans);
	free(l->layers);
	ld_map_release(&l->byid);
	for (size_t i = 0; ld_map_next(&l->bylist, &i, &slot);)
		ld_vec_release(&((list_findings *)slot->val)->v);
	ld_map_release(&l->bylist);
	ld_map_release(&l->byfkey);
	ld_vec_release(&l->bf);
	ld_map_release(&l->census);
	ld_vec_release(&l->products);
}

int ld_store_load_fleet(ld_store *s, ld_fleet_data *d, lading_ctx *ctx)
{
	loader l = {.d = d, .s = s};
	ld_vec ctrs;
	int rc;
	s->ctx = ctx;
	ld_map_init(&l.byid);
	ld_map_init(&l.bylist);
	ld_map_init(&l.byfkey);
	ld_vec_init(&l.bf, sizeof(ld_fleet_finding), FLEET_LOAD_MAX_ROWS);
	ld_map_init(&l.census);
	ld_vec_init(&l.products, sizeof(ld_fleet_census_product *), LD_FLEET_MAX_LIST);
	ld_vec_init(&l.history, sizeof(ld_fleet_summary), LD_FLEET_MAX_HISTORY);
	ld_vec_init(&ctrs, sizeof(ld_fleet_container), LD_FLEET_MAX_CONTAINERS);
	d->generated = (int64_t)time(NULL);
	if (!(rc = s->ops->begin(s))) {
		rc = read_all(&l, &ctrs);
		s->ops->rollback(s); /* read only */
	}
	d->containers = NULL;
	if (!rc && ctrs.len && !(d->containers = ld_arena_memdup(&d->arena, ctrs.ptr, ctrs.len * sizeof(*d->containers))))
		rc = LADING_ENOMEM;
	d->container_count = rc ? 0 : ctrs.len;
	ld_vec_release(&ctrs);
	loader_release(&l);
	if (rc && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: reading the fleet: %s", s->target, lading_strerror(rc));
	return rc;
}

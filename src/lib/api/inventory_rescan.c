/* lading_inventory_rescan: every stored package list against the current database, without
 * reading any image. Packages are grouped by OS (the OS decides the feed and its key); within a
 * group each distinct package version is matched once for the whole fleet, and its findings
 * are shared by every list that holds it. The new match is stored in one transaction; what
 * changed since each list's previous match is reported per image. */
#include "api/inventory_doc.h"
#include "lading/vulndb.h"
#include "match/match.h"
#include "vulndb/query.h"

/* Named limits. */
#define RS_MAX_ITEMS ((size_t)200 << 20) /* (list, package) rows */

typedef struct rs_item {
	int64_t list, os, old_build, pkg;
} rs_item;

/* One (OS, package): its representative in the OS's match, and its old findings. */
typedef struct rs_pkg {
	int64_t os, pkg;
	size_t rep;       /* index into the group's distinct packages */
	struct rs_group *group;
} rs_pkg;

typedef struct rs_vuln {
	const char *vuln, *name, *version, *type, *fixed, *status;
	int severity, kev;
} rs_vuln;

typedef struct rs_group {
	int64_t os;
	lading_os info;
	ld_vec reps;       /* const lading_package * (distinct by what matching reads) */
	ld_map rep_by_key;
	ld_vec rep_findings; /* per rep: ld_vec of const lading_finding * (allocated lazily) */
	ld_match_result res;
	bool has_res;
} rs_group;

typedef struct rs {
	lading_store *s;
	lading_ctx *ctx;
	ld_arena arena;
	ld_vec items;      /* rs_item */
	ld_map oses;       /* "os" -> lading_os * */
	ld_map pkgs;       /* "pkg" -> lading_package * */
	ld_map groups;     /* "os" -> rs_group * */
	ld_vec group_list; /* rs_group * */
	ld_map pairs;      /* "os:pkg" -> rs_pkg * */
	ld_vec pair_list;  /* rs_pkg * */
	ld_map old;        /* "build:os:pkg" -> ld_vec * of rs_vuln */
	ld_vec old_vecs;   /* ld_vec * to free */
	const char *built_at;
	int64_t build;
	lading_rescan_result *res;
	const char *only; /* one image's list (add), or NULL: the whole fleet */
} rs;

static const char *key3(ld_arena *a, int64_t x, int64_t y, int64_t z)
{
	return ld_arena_printf(a, "%" PRId64 ":%" PRId64 ":%" PRId64, x, y, z);
}

static const char *col(rs *r, const ld_sv *v)
{
	const char *s = ld_sv_str(v);
	return s ? ld_arena_strndup(&r->arena, s, v->n) : NULL;
}

static int item_row(void *opaque, const ld_sv *c, size_t n)
{
	rs *r = opaque;
	rs_item *it;
	if (n < 5)
		return LADING_EDB;
	if (r->items.len >= RS_MAX_ITEMS || !(it = ld_vec_push(&r->items)))
		return LADING_ENOMEM;
	it->list = ld_sv_i64(&c[0]);
	it->os = ld_sv_i64(&c[1]);
	it->old_build = c[2].t == LD_SV_NULL ? 0 : ld_sv_i64(&c[2]);
	it->pkg = ld_sv_i64(&c[3]);
	return 0;
}

static int os_row(void *opaque, const ld_sv *c, size_t n)
{
	rs *r = opaque;
	lading_os *o;
	const char *key;
	if (n < 8)
		return LADING_EDB;
	if (!(o = ld_arena_alloc(&r->arena, sizeof(*o))) || !(key = ld_arena_printf(&r->arena, "%" PRId64, ld_sv_i64(&c[0]))))
		return LADING_ENOMEM;
	o->id = col(r, &c[1]);
	o->version_id = col(r, &c[2]);
	o->version = col(r, &c[3]);
	o->codename = col(r, &c[4]);
	o->name = col(r, &c[5]);
	o->pretty_name = col(r, &c[6]);
	o->id_like = col(r, &c[7]);
	return ld_map_put(&r->oses, ld_slice_cstr(key), o, NULL);
}

static int pkg_row(void *opaque, const ld_sv *c, size_t n)
{
	rs *r = opaque;
	lading_package *p;
	const char *key;
	if (n < 16)
		return LADING_EDB;
	if (!(p = ld_arena_alloc(&r->arena, sizeof(*p))) || !(key = ld_arena_printf(&r->arena, "%" PRId64, ld_sv_i64(&c[0]))))
		return LADING_ENOMEM;
	p->type = col(r, &c[1]);
	p->name = col(r, &c[2]);
	p->version = col(r, &c[3]);
	p->arch = col(r, &c[4]);
	p->purl = col(r, &c[5]);
	p->source_name = col(r, &c[6]);
	p->source_version = col(r, &c[7]);
	p->epoch = (int)ld_sv_i64(&c[8]);
	p->upstream_version = col(r, &c[9]);
	p->release = col(r, &c[10]);
	p->license = col(r, &c[11]);
	p->found_by = col(r, &c[12]);
	p->location = col(r, &c[13]);
	p->flags = (unsigned)ld_sv_i64(&c[14]);
	p->cpe = col(r, &c[15]);
	p->layer = -1;
	return ld_map_put(&r->pkgs, ld_slice_cstr(key), p, NULL);
}

static int old_row(void *opaque, const ld_sv *c, size_t n)
{
	void **a = opaque;
	rs *r = a[0];
	int64_t build = *(int64_t *)a[1];
	const char *key;
	ld_vec *v;
	rs_vuln *x;
	lading_package *p;
	char pk[24];

	if (n < 5)
		return LADING_EDB;
	if (!(key = key3(&r->arena, build, ld_sv_i64(&c[0]), ld_sv_i64(&c[1]))))
		return LADING_ENOMEM;
	if (!(v = ld_map_gets(&r->old, key))) {
		ld_vec **slot;
		if (!(v = calloc(1, sizeof(*v))) || !(slot = ld_vec_push(&r->old_vecs))) {
			free(v);
			return LADING_ENOMEM;
		}
		*slot = v;
		ld_vec_init(v, sizeof(rs_vuln), 0);
		if (ld_map_put(&r->old, ld_slice_cstr(key), v, NULL))
			return LADING_ENOMEM;
	}
	if (!(x = ld_vec_push(v)))
		return LADING_ENOMEM;
	ld_snprintf(pk, sizeof(pk), "%" PRId64, ld_sv_i64(&c[1]));
	p = ld_map_gets(&r->pkgs, pk);
	x->vuln = col(r, &c[2]);
	x->severity = (int)ld_sv_i64(&c[3]);
	x->kev = (int)ld_sv_i64(&c[4]);
	x->name = p ? p->name : NULL;
	x->version = p ? p->version : NULL;
	x->type = p ? p->type : NULL;
	return 0;
}

/* What matching reads of a package (not where it was found): equal keys match equally. */
static const char *match_key(ld_arena *a, const lading_package *p)
{
	return ld_arena_printf(a, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d\x1f%s\x1f%s\x1f%u\x1f%s",
			       p->type ? p->type : "", p->name ? p->name : "", p->version ? p->version : "",
			       p->purl ? p->purl : "", p->source_name ? p->source_name : "",
			       p->source_version ? p->source_version : "", p->epoch,
			       p->upstream_version ? p->upstream_version : "", p->release ? p->release : "", p->flags,
			       p->cpe ? p->cpe : "");
}

static rs_group *group_of(rs *r, int64_t os)
{
	char key[24];
	rs_group *g, **slot;
	const lading_os *info;
	const char *k;

	static const lading_os none;

	ld_snprintf(key, sizeof(key), "%" PRId64, os);
	if ((g = ld_map_gets(&r->groups, key)))
		return g;
	info = os < 0 ? &none : ld_map_gets(&r->oses, key);
	if (!info || !(g = ld_arena_alloc(&r->arena, sizeof(*g))) || !(k = ld_arena_strdup(&r->arena, key)) ||
	    !(slot = ld_vec_push(&r->group_list)))
		return NULL;
	g->os = os;
	g->info = *info;
	ld_vec_init(&g->reps, sizeof(const lading_package *), 0);
	ld_map_init(&g->rep_by_key);
	ld_vec_init(&g->rep_findings, sizeof(ld_vec), 0);
	ld_match_result_init(&g->res);
	*slot = g;
	return ld_map_put(&r->groups, ld_slice_cstr(k), g, NULL) ? NULL : g;
}

/* Language packages and binaries are matched against their ecosystem's feed whatever the OS:
 * they share one group (-1) across the fleet; OS packages are grouped by OS. */
static bool os_independent(rs *r, const lading_package *p)
{
	ld_match_key k;
	return (p->type && !strcmp(p->type, "binary")) || ld_match_lang_key(p, &r->arena, &k);
}

/* Distinct (OS, package) pairs, and per OS the distinct packages to match. */
static int build_groups(rs *r)
{
	for (size_t i = 0; i < r->items.len; i++) {
		rs_item *it = ld_vec_at(&r->items, i);
		const char *pk = key3(&r->arena, 0, it->os, it->pkg);
		char pid[24];
		lading_package *p;
		rs_group *g;
		rs_pkg *pp, **slot;
		const char *mk;
		size_t *rep;

		if (!pk)
			return LADING_ENOMEM;
		if (ld_map_gets(&r->pairs, pk))
			continue;
		ld_snprintf(pid, sizeof(pid), "%" PRId64, it->pkg);
		if (!(p = ld_map_gets(&r->pkgs, pid)) || !(g = group_of(r, os_independent(r, p) ? -1 : it->os)))
			return ld_error_set(r->ctx, LADING_EDB, "store %s: package list %" PRId64 " names a missing"
							    " package or OS (run 'inventory check')", r->s->target, it->list);
		if (!(mk = match_key(&r->arena, p)) || !(pp = ld_arena_alloc(&r->arena, sizeof(*pp))) ||
		    !(slot = ld_vec_push(&r->pair_list)))
			return LADING_ENOMEM;
		if (!(rep = ld_map_gets(&g->rep_by_key, mk))) {
			const lading_package **rp;
			if (!(rep = ld_arena_alloc(&r->arena, sizeof(*rep))) || !(rp = ld_vec_push(&g->reps)) ||
			    !ld_vec_push(&g->rep_findings))
				return LADING_ENOMEM;
			*rp = p;
			*rep = g->reps.len - 1;
			ld_vec_init(ld_vec_at(&g->rep_findings, *rep), sizeof(const lading_finding *), 0);
			if (ld_map_put(&g->rep_by_key, ld_slice_cstr(mk), rep, NULL))
				return LADING_ENOMEM;
		}
		pp->os = it->os;
		pp->pkg = it->pkg;
		pp->rep = *rep;
		pp->group = g;
		*slot = pp;
		if (ld_map_put(&r->pairs, ld_slice_cstr(pk), pp, NULL))
			return LADING_ENOMEM;
	}
	return 0;
}

static int match_groups(rs *r, ld_vdb *db)
{
	lading_scan_options so = LADING_SCAN_OPTIONS_INIT;
	int rc;

	for (size_t i = 0; i < r->group_list.len; i++) {
		rs_group *g = *(rs_group **)ld_vec_at(&r->group_list, i);
		ld_match_input in = {&g->info, g->reps.ptr, g->reps.len};
		ld_progress(r->ctx, "rescan: matching", i, r->group_list.len, i, r->group_list.len);
		if ((rc = ld_match_run(&g->res, db, &in, &so, r->ctx)))
			return rc;
		g->has_res = true;
		r->res->packages += g->reps.len;
		for (size_t k = 0; k < g->res.findings.len; k++) {
			const lading_finding *f = ld_vec_at(&g->res.findings, k);
			const lading_finding **slot;
			if (f->package_index >= g->reps.len)
				continue;
			if (!(slot = ld_vec_push(ld_vec_at(&g->rep_findings, f->package_index))))
				return LADING_ENOMEM;
			*slot = f;
		}
	}
	return 0;
}

static void rs_release(rs *r)
{
	for (size_t i = 0; i < r->group_list.len; i++) {
		rs_group *g = *(rs_group **)ld_vec_at(&r->group_list, i);
		for (size_t k = 0; k < g->rep_findings.len; k++)
			ld_vec_release(ld_vec_at(&g->rep_findings, k));
		ld_vec_release(&g->rep_findings);
		ld_vec_release(&g->reps);
		ld_map_release(&g->rep_by_key);
		ld_match_result_release(&g->res);
	}
	for (size_t i = 0; i < r->old_vecs.len; i++) {
		ld_vec *v = *(ld_vec **)ld_vec_at(&r->old_vecs, i);
		ld_vec_release(v);
		free(v);
	}
	ld_vec_release(&r->old_vecs);
	ld_vec_release(&r->items);
	ld_vec_release(&r->group_list);
	ld_vec_release(&r->pair_list);
	ld_map_release(&r->oses);
	ld_map_release(&r->pkgs);
	ld_map_release(&r->groups);
	ld_map_release(&r->pairs);
	ld_map_release(&r->old);
	ld_arena_release(&r->arena);
}



static const ld_vec *new_findings(rs *r, int64_t os, int64_t pkg)
{
	char k[80];
	rs_pkg *pp;
	ld_snprintf(k, sizeof(k), "0:%" PRId64 ":%" PRId64, os, pkg);
	pp = ld_map_gets(&r->pairs, k);
	return pp ? ld_vec_at(&pp->group->rep_findings, pp->rep) : NULL;
}

/* ---- the write: one transaction for the whole rescan ---- */

/* Rows go to the store in batches, each one statement with the rows as a JSON array. */
#define RS_BATCH 4000

static int flush_findings(ld_store *s, rs *r, ld_buf *b, size_t *n)
{
	ld_sv p[2];
	int rc;
	if (!*n)
		return 0;
	ld_buf_addc(b, ']');
	if (ld_buf_error(b))
		return LADING_ENOMEM;
	p[0] = ld_sv_int(r->build);
	p[1] = ld_sv_textn(b->ptr, b->len);
	rc = ld_store_exec(s, LD_SQ_FINDINGS_INSERT_MANY, p, 2, NULL, NULL, NULL);
	ld_buf_clear(b);
	*n = 0;
	return rc;
}

static void finding_json(ld_buf *b, const rs_pkg *pp, const lading_finding *f, const char *fixed,
			 const char *aliases)
{
	ld_jw w;
	ld_buf_addc(b, b->len ? ',' : '[');
	ld_jw_init(&w, b, false);
	ld_jw_arr(&w);
	ld_jw_i64(&w, pp->os);
	ld_jw_i64(&w, pp->pkg);
	ld_jw_str(&w, f->id);
	ld_jw_i64(&w, f->severity);
	ld_jw_i64(&w, f->kev ? 1 : 0);
	if (f->epss_score >= 0)
		ld_jw_fixed(&w, f->epss_score, 6);
	else
		ld_jw_null(&w);
	if (f->cvss_score >= 0)
		ld_jw_fixed(&w, f->cvss_score, 1);
	else
		ld_jw_null(&w);
	ld_jw_str(&w, fixed);
	ld_jw_str(&w, f->status);
	ld_jw_str(&w, aliases);
	ld_jw_arr_end(&w);
}

static int write_findings(ld_store *s, rs *r)
{
	ld_buf b = LD_BUF_INIT;
	ld_store_batch ab;
	ld_map aliased;
	size_t n = 0;
	int rc = 0;

	ld_map_init(&aliased);
	ld_store_batch_init(&ab, s, LD_SQ_ALIAS_INSERT_MANY, NULL, 0);
	for (size_t i = 0; i < r->pair_list.len && !rc; i++) {
		rs_pkg *pp = *(rs_pkg **)ld_vec_at(&r->pair_list, i);
		const ld_vec *fv = ld_vec_at(&pp->group->rep_findings, pp->rep);
		for (size_t k = 0; k < fv->len && !rc; k++) {
			const lading_finding *f = *(const lading_finding **)ld_vec_at(fv, k);
			const char *fixed = ld_inv_join(&r->arena, f->fixed_versions, f->fixed_count, ", ");
			const char *aliases = ld_inv_join(&r->arena, f->aliases, f->alias_count, " ");
			finding_json(&b, pp, f, fixed, aliases);
			if (++n >= RS_BATCH)
				rc = flush_findings(s, r, &b, &n);
			/* a vulnerability's aliases once per rescan (many packages share it) */
			if (!rc && aliases && !ld_map_gets(&aliased, f->id)) {
				if (!(rc = ld_store_alias_rows(&ab, f->id, aliases)))
					rc = ld_map_put(&aliased, ld_slice_cstr(f->id), (void *)f->id, NULL);
			}
		}
	}
	if (!rc && !(rc = flush_findings(s, r, &b, &n)))
		rc = ld_store_batch_flush(&ab);
	ld_store_batch_release(&ab);
	ld_map_release(&aliased);
	ld_buf_release(&b);
	return rc;
}

static int flush_lists(ld_store *s, rs *r, ld_buf *b, size_t *n, const char *now)
{
	ld_sv p[3];
	int rc;
	if (!*n)
		return 0;
	ld_buf_addc(b, ']');
	if (ld_buf_error(b))
		return LADING_ENOMEM;
	p[0] = ld_sv_textn(b->ptr, b->len);
	p[1] = ld_sv_int(r->build);
	p[2] = ld_sv_text(now);
	if (!(rc = ld_store_exec(s, LD_SQ_MATCH_INSERT_MANY, p, 3, NULL, NULL, NULL)))
		rc = ld_store_exec(s, LD_SQ_PKGLIST_CURRENT_MANY, p, 2, NULL, NULL, NULL);
	ld_buf_clear(b);
	*n = 0;
	return rc;
}

static int write_matches(ld_store *s, rs *r, const char *now)
{
	ld_buf b = LD_BUF_INIT;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < r->items.len && !rc; i++) {
		rs_item *it = ld_vec_at(&r->items, i);
		if (i && ((rs_item *)ld_vec_at(&r->items, i - 1))->list == it->list)
			continue;
		ld_buf_addf(&b, "%c%" PRId64, b.len ? ',' : '[', it->list);
		if (++n >= RS_BATCH)
			rc = flush_lists(s, r, &b, &n, now);
	}
	if (!rc)
		rc = flush_lists(s, r, &b, &n, now);
	ld_buf_release(&b);
	return rc;
}

/* ---- the write: one transaction for the whole rescan ---- */

static int rescan_tx(ld_store *s, void *opaque)
{
	rs *r = opaque;
	ld_sv key = ld_sv_text(r->built_at);
	char now[32];
	int rc;

	ld_store_now(now);
	{
		ld_sv p[2] = {key, ld_sv_text(now)};
		bool found;
		if ((rc = ld_store_exec_id(s, LD_SQ_DBBUILD_GET, &key, 1, &r->build, &found)))
			return rc;
		if (!found && (rc = ld_store_exec_id(s, LD_SQ_DBBUILD_INSERT, p, 2, &r->build, &found)))
			return rc;
		if (!found && (rc = ld_store_exec_id(s, LD_SQ_DBBUILD_GET, &key, 1, &r->build, &found)))
			return rc;
	}
	if ((rc = write_findings(s, r)))
		return rc;
	return write_matches(s, r, now);
}

/* ---- what changed, per list then per image ---- */

typedef struct rs_entry {
	int64_t image;
	const char *digest;
	rs_vuln v;
	int kind; /* 0 new, 1 resolved, 2 newly known exploited */
} rs_entry;

typedef struct rs_img {
	int64_t id, list;
	const char *digest;
} rs_img;

static int img_row(void *opaque, const ld_sv *c, size_t n)
{
	void **a = opaque;
	rs *r = a[0];
	rs_img *im;
	if (n < 3)
		return LADING_EDB;
	if (!(im = ld_vec_push(a[1])))
		return LADING_ENOMEM;
	im->id = ld_sv_i64(&c[0]);
	im->digest = col(r, &c[1]);
	im->list = ld_sv_i64(&c[2]);
	return 0;
}

static void vuln_from_finding(rs_vuln *v, const lading_finding *f, const lading_package *p, ld_arena *a)
{
	v->vuln = f->id;
	v->severity = (int)f->severity;
	v->kev = f->kev;
	v->name = p ? p->name : NULL;
	v->version = p ? p->version : NULL;
	v->type = p ? p->type : NULL;
	v->fixed = ld_inv_join(a, f->fixed_versions, f->fixed_count, ", ");
	v->status = f->status;
}

/* The findings of items [a, b) of one list: vuln -> rs_vuln (the first package met). */
static int list_sets(rs *r, size_t a, size_t b, ld_map *now, ld_map *before)
{
	for (size_t i = a; i < b; i++) {
		rs_item *it = ld_vec_at(&r->items, i);
		const ld_vec *fv = new_findings(r, it->os, it->pkg);
		char pid[24];
		const lading_package *p;
		ld_snprintf(pid, sizeof(pid), "%" PRId64, it->pkg);
		p = ld_map_gets(&r->pkgs, pid);
		for (size_t k = 0; fv && k < fv->len; k++) {
			const lading_finding *f = *(const lading_finding **)ld_vec_at(fv, k);
			rs_vuln *v;
			if (ld_map_gets(now, f->id))
				continue;
			if (!(v = ld_arena_alloc(&r->arena, sizeof(*v))))
				return LADING_ENOMEM;
			vuln_from_finding(v, f, p, &r->arena);
			if (ld_map_put(now, ld_slice_cstr(f->id), v, NULL))
				return LADING_ENOMEM;
		}
		if (it->old_build) {
			char k3[80];
			ld_vec *ov;
			ld_snprintf(k3, sizeof(k3), "%" PRId64 ":%" PRId64 ":%" PRId64, it->old_build, it->os, it->pkg);
			ov = ld_map_gets(&r->old, k3);
			for (size_t k = 0; ov && k < ov->len; k++) {
				rs_vuln *v = ld_vec_at(ov, k);
				if (!ld_map_gets(before, v->vuln) && ld_map_put(before, ld_slice_cstr(v->vuln), v, NULL))
					return LADING_ENOMEM;
			}
		}
	}
	return 0;
}

static int add_entries(ld_vec *out, const ld_vec *imgs, size_t ia, size_t ib, const rs_vuln *v, int kind)
{
	for (size_t i = ia; i < ib; i++) {
		const rs_img *im = ld_vec_at(imgs, i);
		rs_entry *e = ld_vec_push(out);
		if (!e)
			return LADING_ENOMEM;
		e->image = im->id;
		e->digest = im->digest;
		e->v = *v;
		e->kind = kind;
	}
	return 0;
}

static int diff(rs *r, const ld_vec *imgs, ld_vec *out)
{
	ld_map now, before;
	size_t a = 0, ia = 0;
	int rc = 0;

	ld_map_init(&now);
	ld_map_init(&before);
	while (a < r->items.len && !rc) {
		int64_t list = ((rs_item *)ld_vec_at(&r->items, a))->list;
		size_t b = a, ib;
		const ld_map_slot *sl;
		while (b < r->items.len && ((rs_item *)ld_vec_at(&r->items, b))->list == list)
			b++;
		while (ia < imgs->len && ((rs_img *)ld_vec_at(imgs, ia))->list < list)
			ia++;
		for (ib = ia; ib < imgs->len && ((rs_img *)ld_vec_at(imgs, ib))->list == list; ib++)
			;
		ld_map_clear(&now);
		ld_map_clear(&before);
		if ((rc = list_sets(r, a, b, &now, &before)))
			break;
		r->res->package_lists++;
		for (size_t i = 0; !rc && ld_map_next(&now, &i, &sl);) {
			const rs_vuln *v = sl->val, *o = ld_map_gets(&before, v->vuln);
			if (!o)
				rc = add_entries(out, imgs, ia, ib, v, 0);
			else if (v->kev && !o->kev)
				rc = add_entries(out, imgs, ia, ib, v, 2);
		}
		for (size_t i = 0; !rc && ld_map_next(&before, &i, &sl);) {
			const rs_vuln *o = sl->val;
			if (!ld_map_gets(&now, o->vuln))
				rc = add_entries(out, imgs, ia, ib, o, 1);
		}
		a = b;
		ia = ib;
	}
	ld_map_release(&now);
	ld_map_release(&before);
	return rc;
}

static int entry_cmp(const void *x, const void *y)
{
	const rs_entry *a = x, *b = y;
	int c;
	/* known exploited first (newly so before long so), then severity, then by image and id */
	if (a->v.kev != b->v.kev)
		return b->v.kev - a->v.kev;
	if ((a->kind == 2) != (b->kind == 2))
		return (b->kind == 2) - (a->kind == 2);
	if (a->v.severity != b->v.severity)
		return b->v.severity - a->v.severity;
	if ((c = strcmp(a->digest, b->digest)))
		return c;
	return strcmp(a->v.vuln, b->v.vuln);
}

static void json_entry(ld_jw *w, const rs_entry *e, const inv_doc *d)
{
	inv_image *im = ld_map_gets(&d->by_id, ld_arena_printf((ld_arena *)&d->arena, "%" PRId64, e->image));
	ld_jw_obj(w);
	ld_jw_kstr(w, "digest", e->digest);
	ld_jw_key(w, "refs");
	ld_jw_arr(w);
	for (size_t i = 0; im && i < im->tags.len; i++)
		ld_jw_str(w, *(const char **)ld_vec_at(&im->tags, i));
	ld_jw_arr_end(w);
	ld_jw_kstr(w, "id", e->v.vuln);
	ld_jw_kstr(w, "package", e->v.name);
	ld_jw_kstr(w, "version", e->v.version);
	ld_jw_kstr(w, "type", e->v.type);
	ld_jw_kstr(w, "severity", inv_severity_name(e->v.severity));
	ld_jw_kbool(w, "kev", e->v.kev != 0);
	ld_jw_kbool(w, "newly_kev", e->kind == 2 || (e->kind == 0 && e->v.kev));
	ld_jw_kstr(w, "fixed", e->v.fixed);
	ld_jw_obj_end(w);
}

static void render_json(ld_buf *b, const ld_vec *entries, const inv_doc *d, const rs *r, lading_ctx *ctx)
{
	static const char *const names[3] = {"new", "resolved", "kev"};
	ld_jw w;
	ld_jw_init(&w, b, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "db_built_at", r->built_at);
	ld_jw_key(&w, "counts");
	ld_jw_obj(&w);
	ld_jw_ki64(&w, "images", (int64_t)r->res->images);
	ld_jw_ki64(&w, "package_lists", (int64_t)r->res->package_lists);
	ld_jw_ki64(&w, "packages_matched", (int64_t)r->res->packages);
	ld_jw_ki64(&w, "new", (int64_t)r->res->new_findings);
	ld_jw_ki64(&w, "resolved", (int64_t)r->res->resolved);
	ld_jw_ki64(&w, "newly_kev", (int64_t)r->res->kev_new);
	ld_jw_obj_end(&w);
	for (int kind = 0; kind < 3; kind++) {
		ld_jw_key(&w, names[kind]);
		ld_jw_arr(&w);
		for (size_t i = 0; i < entries->len; i++) {
			const rs_entry *e = ld_vec_at(entries, i);
			if (e->kind == kind)
				json_entry(&w, e, d);
		}
		ld_jw_arr_end(&w);
	}
	ld_jw_key(&w, "containers");
	ld_jw_arr(&w);
	for (size_t i = 0; i < d->containers.len; i++)
		inv_json_container(&w, ld_vec_at(&d->containers, i), ctx);
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
}

static void render_table(ld_buf *b, const ld_vec *entries, const inv_doc *d)
{
	static const char *const titles[3] = {"NEW", "RESOLVED", "NOW KNOWN EXPLOITED"};
	for (int kind = 0; kind < 3; kind++) {
		size_t n = 0;
		for (size_t i = 0; i < entries->len; i++)
			n += ((const rs_entry *)ld_vec_at(entries, i))->kind == kind;
		if (!n)
			continue;
		ld_buf_addf(b, "%s (%zu)\n", titles[kind], n);
		for (size_t i = 0; i < entries->len; i++) {
			const rs_entry *e = ld_vec_at(entries, i);
			if (e->kind != kind)
				continue;
			ld_buf_addf(b, "  %.19s  %-20s %-24s %-20s %-9s %s\n", e->digest, e->v.vuln, e->v.name ? e->v.name : "",
				    e->v.version ? e->v.version : "", inv_severity_name(e->v.severity), e->v.kev ? "KEV" : "");
		}
	}
	if (!entries->len)
		ld_buf_adds(b, "no change since the previous match\n");
	if (d->containers.len) {
		ld_buf_addf(b, "\nCONTAINERS ON THESE IMAGES (%zu)\n", d->containers.len);
		for (size_t i = 0; i < d->containers.len; i++) {
			const inv_container *c = ld_vec_at(&d->containers, i);
			ld_buf_addf(b, "  %-24s %-14.12s %-28s %-8s %-20s %.19s\n", c->source ? c->source : "", c->cid ? c->cid : "",
				    c->name ? c->name : "-", c->state ? c->state : "", c->last_seen ? c->last_seen : "",
				    c->resolved ? c->resolved : "");
		}
	}
}

static int load(rs *r)
{
	ld_sv only = ld_sv_text(r->only);
	int rc;
	if ((rc = ld_store_exec(r->s, LD_SQ_RESCAN_OSES, NULL, 0, os_row, r, NULL)) ||
	    (rc = ld_store_exec(r->s, r->only ? LD_SQ_PACKAGES_OF_IMAGE : LD_SQ_RESCAN_PACKAGES, &only, r->only ? 1 : 0,
				pkg_row, r, NULL)) ||
	    (rc = ld_store_exec(r->s, r->only ? LD_SQ_ITEMS_OF_IMAGE : LD_SQ_RESCAN_ITEMS, &only, r->only ? 1 : 0,
				item_row, r, NULL)))
		return rc;
	if (r->only)
		return 0; /* no report: the previous findings are not needed */
	/* the previous findings of every list: one read per build still current somewhere */
	for (size_t i = 0; i < r->items.len; i++) {
		rs_item *it = ld_vec_at(&r->items, i);
		char k[24];
		void *args[2] = {r, &it->old_build};
		ld_sv p = ld_sv_int(it->old_build);
		ld_snprintf(k, sizeof(k), "b%" PRId64, it->old_build);
		if (!it->old_build || ld_map_gets(&r->old, k))
			continue;
		if ((rc = ld_map_put(&r->old, ld_slice_cstr(ld_arena_strdup(&r->arena, k)), r, NULL)) ||
		    (rc = ld_store_exec(r->s, LD_SQ_FINDINGS_OF_BUILD, &p, 1, old_row, args, NULL)))
			return rc;
	}
	return 0;
}

/* The rescan's new and fixed findings per image, then the history rows. */
static int history(rs *r, const ld_vec *entries)
{
	ld_map at; /* digest -> index + 1 in deltas */
	ld_vec deltas;
	int rc = 0;

	ld_map_init(&at);
	ld_vec_init(&deltas, sizeof(inv_delta), 0);
	for (size_t i = 0; i < entries->len && !rc; i++) {
		const rs_entry *e = ld_vec_at(entries, i);
		uintptr_t k = (uintptr_t)ld_map_gets(&at, e->digest);
		inv_delta *dl;
		if (e->kind == 2)
			continue;
		if (!k) {
			if (!(dl = ld_vec_push(&deltas)) ||
			    ld_map_put(&at, ld_slice_cstr(e->digest), (void *)(uintptr_t)deltas.len, NULL)) {
				rc = LADING_ENOMEM;
				break;
			}
			dl->digest = e->digest;
		} else
			dl = ld_vec_at(&deltas, k - 1);
		dl->new_findings += e->kind == 0;
		dl->fixed_findings += e->kind == 1;
	}
	if (!rc)
		rc = inv_history_record(r->s, r->ctx, deltas.ptr, deltas.len, false);
	else
		ld_error_set(r->ctx, rc, "out of memory");
	ld_map_release(&at);
	ld_vec_release(&deltas);
	return rc;
}

static int report(rs *r, lading_format fmt, char **out, size_t *len)
{
	ld_vec imgs, entries;
	inv_doc d;
	ld_buf b;
	void *args[2] = {r, &imgs};
	int rc;

	ld_vec_init(&imgs, sizeof(rs_img), 0);
	ld_vec_init(&entries, sizeof(rs_entry), 0);
	inv_doc_init(&d);
	ld_buf_init(&b, (size_t)1 << 32);
	if ((rc = ld_store_exec(r->s, LD_SQ_IMAGES_OF_PKGLISTS, NULL, 0, img_row, args, NULL)) ||
	    (rc = diff(r, &imgs, &entries)))
		goto out;
	r->res->images = imgs.len;
	if (entries.len)
		qsort(entries.ptr, entries.len, sizeof(rs_entry), entry_cmp);
	for (size_t i = 0; i < entries.len; i++) {
		rs_entry *e = ld_vec_at(&entries, i);
		r->res->new_findings += e->kind == 0;
		r->res->resolved += e->kind == 1;
		r->res->kev_new += e->kind == 2 || (e->kind == 0 && e->v.kev);
		inv_image *im = inv_doc_image(&d, e->image);
		if (!im) {
			rc = LADING_ENOMEM;
			goto out;
		}
		im->digest = e->digest; /* the report needs references and containers, not the rows */
	}
	if ((rc = inv_doc_complete(&d, r->s, false, true)) || (rc = history(r, &entries)))
		goto out;
	if (fmt == LADING_FORMAT_JSON)
		render_json(&b, &entries, &d, r, r->ctx);
	else
		render_table(&b, &entries, &d);
	if (ld_buf_error(&b))
		rc = LADING_ENOMEM;
	else
		*out = ld_buf_detach(&b, len);
out:
	ld_buf_release(&b);
	inv_doc_release(&d);
	ld_vec_release(&imgs);
	ld_vec_release(&entries);
	return rc;
}

static void rs_init(rs *r, lading_store *s, lading_ctx *ctx, lading_rescan_result *res)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->ctx = ctx;
	r->res = res;
	s->ctx = ctx;
	ld_arena_init(&r->arena, 0);
	ld_vec_init(&r->items, sizeof(rs_item), 0);
	ld_vec_init(&r->group_list, sizeof(rs_group *), 0);
	ld_vec_init(&r->pair_list, sizeof(rs_pkg *), 0);
	ld_vec_init(&r->old_vecs, sizeof(ld_vec *), 0);
	ld_map_init(&r->oses);
	ld_map_init(&r->pkgs);
	ld_map_init(&r->groups);
	ld_map_init(&r->pairs);
	ld_map_init(&r->old);
}

/* add: a known image whose list has no match of this build is matched from its stored list. */
int ld_inv_match_stored(lading_store *s, lading_ctx *ctx, ld_vdb *db, const char *built_at, const char *digest,
			size_t *findings)
{
	lading_rescan_result res;
	rs r;
	int rc;

	memset(&res, 0, sizeof(res));
	rs_init(&r, s, ctx, &res);
	r.built_at = built_at;
	r.only = digest;
	if (!(rc = load(&r)) && !(rc = build_groups(&r)) && !(rc = match_groups(&r, db)))
		rc = ld_store_transaction(s, rescan_tx, &r);
	*findings = 0;
	for (size_t i = 0; !rc && i < r.group_list.len; i++)
		*findings += ((rs_group *)*(rs_group **)ld_vec_at(&r.group_list, i))->res.findings.len;
	rs_release(&r);
	return rc;
}

int lading_inventory_rescan(lading_store *s, lading_ctx *ctx, const lading_inventory_options *opts, lading_format fmt,
			    char **out, size_t *len, lading_rescan_result *res)
{
	char path[4096];
	ld_vdb *db = NULL;
	ld_vdb_q_meta *meta = NULL;
	rs r;
	int rc;

	ld_error_clear(ctx);
	*out = NULL;
	memset(res, 0, sizeof(*res));
	if (fmt != LADING_FORMAT_JSON && fmt != LADING_FORMAT_TABLE)
		return ld_error_set(ctx, LADING_EUSAGE, "rescan reports come as table or json");
	if (opts && opts->db_path)
		ld_strlcpy(path, opts->db_path, sizeof(path));
	else if (lading_db_default_path(path, sizeof(path)))
		return ld_error_set(ctx, LADING_EUSAGE, "no database path: set --db, LADING_DB or HOME");
	rs_init(&r, s, ctx, res);
	if ((rc = ld_vdb_open(&db, path, ctx)) || (rc = ld_vdb_meta_get(db, &r.arena, &meta, ctx)))
		goto out;
	if (!meta || !meta->built_at) {
		rc = ld_error_set_path(ctx, LADING_EDB, path, 0, "database %s has no build time", path);
		goto out;
	}
	r.built_at = meta->built_at;
	if ((rc = load(&r)) || (rc = build_groups(&r)) || (rc = match_groups(&r, db)) ||
	    (rc = ld_store_transaction(s, rescan_tx, &r)) || (rc = report(&r, fmt, out, len)))
		goto out;
out:
	if (rc && !ctx->err.code)
		ld_error_set(ctx, rc, "rescan of %s failed", s->target);
	ld_vdb_close(db);
	rs_release(&r);
	return rc;
}

/* Catalog bookkeeping shared by all catalogers: the package list, sorting, file history,
 * purls, and layer attribution. */
#include "util/common.h"
#include "catalog/catalog.h"

static const ld_cataloger *const all[] = {
	&ld_cataloger_os, &ld_cataloger_dpkg, &ld_cataloger_apk, &ld_cataloger_rpm,
	&ld_cataloger_python,
	&ld_cataloger_npm,
	&ld_cataloger_node_lock, /* after npm: skips what is installed */
	&ld_cataloger_java,
	&ld_cataloger_ruby,
	&ld_cataloger_php,
	&ld_cataloger_rust_lock,
	&ld_cataloger_dotnet,
	&ld_cataloger_app, /* after the language catalogers: flags the java package of an app jar */
	&ld_cataloger_golang,
	&ld_cataloger_rust_audit,
	&ld_cataloger_binary, /* last: skips binaries the catalogers above explain */
	NULL,
};

const ld_cataloger *const *ld_catalogers(void)
{
	return all;
}

void ld_catalog_init(ld_catalog *c, const ld_view *view, const lading_image_info *image)
{
	memset(c, 0, sizeof(*c));
	ld_arena_init(&c->arena, 0);
	ld_vec_init(&c->pkgs, sizeof(lading_package), 0);
	ld_map_init(&c->owned);
	ld_map_init(&c->dircache);
	ld_vec_init(&c->candidates, sizeof(const ld_vnode *), 0);
	c->view = view;
	c->image = image;
}

void ld_catalog_release(ld_catalog *c)
{
	ld_map_release(&c->owned);
	ld_map_release(&c->dircache);
	ld_vec_release(&c->candidates);
	ld_vec_release(&c->pkgs);
	ld_arena_release(&c->arena);
}

lading_package *ld_catalog_add(ld_catalog *c)
{
	lading_package *p = ld_vec_push(&c->pkgs);
	if (p) {
		p->epoch = -1;
		p->layer = -1;
	}
	return p;
}

static int cmpstr(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int pkg_cmp(const void *x, const void *y)
{
	const lading_package *a = x, *b = y;
	int r;
	if ((r = cmpstr(a->type, b->type)) || (r = cmpstr(a->name, b->name)) ||
	    (r = cmpstr(a->version, b->version)) || (r = cmpstr(a->arch, b->arch)) ||
	    (r = cmpstr(a->location, b->location)) || (r = cmpstr(a->purl, b->purl)))
		return r;
	return 0;
}

void ld_catalog_sort(ld_catalog *c)
{
	size_t o = 0;
	if (c->pkgs.len > 1)
		qsort(c->pkgs.ptr, c->pkgs.len, sizeof(lading_package), pkg_cmp);
	for (size_t i = 0; i < c->pkgs.len; i++) {
		lading_package *p = ld_vec_at(&c->pkgs, i);
		if (o && pkg_cmp(ld_vec_at(&c->pkgs, o - 1), p) == 0)
			continue;
		if (o != i)
			memcpy(ld_vec_at(&c->pkgs, o), p, sizeof(*p));
		o++;
	}
	c->pkgs.len = o;
}

int ld_catalog_history(const ld_catalog *c, const char *path, ld_history_fn fn, void *opaque)
{
	char canon[LD_PATH_MAX];
	const ld_view *v = c->view;
	int rc;
	if (!ld_view_resolve(v, ld_slice_cstr(path), true, canon))
		return LADING_ENOTFOUND;
	for (size_t i = 0; i < v->nlayers; i++) {
		const ld_layer *l = &v->layers[i];
		const ld_lfile *last = NULL;
		bool dropped = false;
		for (size_t j = 0; j < l->files.len; j++) {
			const ld_lfile *f = ld_layer_file(l, j);
			if ((f->captured || f->dropped) && !strcmp(f->path, canon)) {
				last = f->captured ? f : NULL;
				dropped = f->dropped;
			}
		}
		if (!last && !dropped)
			last = ld_layer_captured(l, canon); /* a plain file fetched later */
		if (last && (rc = fn(opaque, (int)i, ld_slice_make(last->data, last->data_len))))
			return rc;
		if (!last && dropped && c->reread) {
			/* a large copy let go after the read: read it again, use it, let it go */
			ld_layer_filebuf b = {NULL, 0, 0, NULL};
			if (!(rc = c->reread(c->reread_opaque, i, canon, &b)))
				rc = fn(opaque, (int)i, ld_slice_make(b.data, b.len));
			ld_layer_file_release(&b);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- purl ---- */

char *ld_purl_encode(ld_arena *a, ld_slice s)
{
	ld_buf b = LD_BUF_INIT;
	char *r;
	/* unreserved characters of RFC 3986 stay; everything else (':' '/' '@' '+' ...) is encoded */
	ld_buf_add_pct(&b, s);
	r = ld_buf_error(&b) ? NULL : ld_arena_slice(a, ld_buf_slice(&b));
	ld_buf_release(&b);
	return r;
}

char *ld_purl_build(ld_arena *a, const char *type, const char *ns, const char *name, const char *version,
		    const char *const *quals)
{
	ld_buf b = LD_BUF_INIT;
	const char *keys[16], *vals[16];
	size_t nq = 0;
	char *r = NULL, *enc;

	ld_buf_addf(&b, "pkg:%s/", type);
	if (ns && *ns) {
		/* namespace segments are encoded one by one; '/' separates them */
		ld_slice rest = ld_slice_cstr(ns), seg;
		bool first = true;
		while (rest.len) {
			ld_slice_cut(&rest, '/', &seg);
			if (!seg.len)
				continue;
			if (!(enc = ld_purl_encode(a, seg)))
				goto out;
			ld_buf_addf(&b, "%s%s", first ? "" : "/", enc);
			first = false;
		}
		ld_buf_addc(&b, '/');
	}
	if (!(enc = ld_purl_encode(a, ld_slice_cstr(name))))
		goto out;
	ld_buf_adds(&b, enc);
	if (version && *version) {
		if (!(enc = ld_purl_encode(a, ld_slice_cstr(version))))
			goto out;
		ld_buf_addf(&b, "@%s", enc);
	}
	for (size_t i = 0; quals && quals[i] && nq < 16; i += 2) {
		if (!quals[i + 1] || !*quals[i + 1])
			continue;
		keys[nq] = quals[i];
		vals[nq] = quals[i + 1];
		nq++;
	}
	for (size_t i = 1; i < nq; i++) /* sort by key */
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
			t = vals[j];
			vals[j] = vals[j - 1];
			vals[j - 1] = t;
		}
	for (size_t i = 0; i < nq; i++) {
		if (!(enc = ld_purl_encode(a, ld_slice_cstr(vals[i]))))
			goto out;
		ld_buf_addf(&b, "%c%s=%s", i ? '&' : '?', keys[i], enc);
	}
	if (!ld_buf_error(&b))
		r = ld_arena_slice(a, ld_buf_slice(&b));
out:
	ld_buf_release(&b);
	return r;
}

/* ---- layer attribution ---- */

typedef struct attrib_ent {
	char *key;
	char *version;
	int since;     /* first layer of the current unbroken run */
	int seen_in;   /* last layer version that listed it */
} attrib_ent;

struct ld_attrib {
	ld_arena arena;
	ld_map ents;
	int layer;
};

int ld_attrib_new(ld_attrib **out)
{
	ld_attrib *a = calloc(1, sizeof(*a));
	*out = a;
	if (!a)
		return LADING_ENOMEM;
	ld_arena_init(&a->arena, 0);
	ld_map_init(&a->ents);
	a->layer = -1;
	return 0;
}

void ld_attrib_free(ld_attrib *a)
{
	if (!a)
		return;
	ld_map_release(&a->ents);
	ld_arena_release(&a->arena);
	free(a);
}

int ld_attrib_begin(ld_attrib *a, int layer)
{
	a->layer = layer;
	return 0;
}

int ld_attrib_add(ld_attrib *a, const char *key, const char *version)
{
	attrib_ent *e = ld_map_gets(&a->ents, key);
	if (e) {
		/* a run continues only while the version is unchanged in each successive database */
		if (strcmp(e->version, version ? version : "") != 0 || e->seen_in < 0) {
			e->version = ld_arena_strdup(&a->arena, version ? version : "");
			e->since = a->layer;
		}
		e->seen_in = a->layer;
		return e->version ? 0 : LADING_ENOMEM;
	}
	e = ld_arena_alloc(&a->arena, sizeof(*e));
	if (!e || !(e->key = ld_arena_strdup(&a->arena, key)) ||
	    !(e->version = ld_arena_strdup(&a->arena, version ? version : "")))
		return LADING_ENOMEM;
	e->since = a->layer;
	e->seen_in = a->layer;
	return ld_map_put(&a->ents, ld_slice_cstr(e->key), e, NULL);
}

int ld_attrib_end(ld_attrib *a)
{
	/* entries missing from this version break their run */
	size_t i = 0;
	const ld_map_slot *s;
	while (ld_map_next(&a->ents, &i, &s)) {
		attrib_ent *e = s->val;
		if (e->seen_in != a->layer)
			e->seen_in = -1;
	}
	return 0;
}

int ld_attrib_layer(const ld_attrib *a, const char *key, const char *version)
{
	const attrib_ent *e = ld_map_gets(&a->ents, key);
	if (!e || e->seen_in < 0 || strcmp(e->version, version ? version : ""))
		return -1;
	return e->since;
}

int ld_catalog_analyzer_id(const ld_catalog *c, const char *name)
{
	for (size_t i = 0; i < c->nanalyzers; i++)
		if (c->analyzer_names[i] && !strcmp(c->analyzer_names[i], name))
			return (int)i;
	return -1;
}

/* "/lib/x86_64-linux-gnu/libc.so.6" -> "usr/lib/x86_64-linux-gnu/libc.so.6" when lib is a
 * symlink to usr/lib: directories are resolved in the view (cached), the last component kept. */
static const char *canon_path(ld_catalog *c, const char *path)
{
	ld_slice p = ld_slice_cstr(path), dir, base;
	const char *cd;
	while (p.len && p.ptr[0] == '/')
		p = ld_slice_sub(p, 1, p.len);
	dir = ld_path_dir(p);
	base = ld_path_base(p);
	cd = ld_map_get(&c->dircache, dir);
	if (!cd) {
		char canon[LD_PATH_MAX];
		char *key = ld_arena_slice(&c->arena, dir);
		if (!key)
			return NULL;
		if (c->view && ld_view_resolve(c->view, dir, true, canon))
			cd = ld_arena_strdup(&c->arena, canon);
		else
			cd = key;
		if (!cd || ld_map_put(&c->dircache, ld_slice_cstr(key), (void *)cd, NULL))
			return NULL;
	}
	return cd[0] ? ld_arena_printf(&c->arena, "%s/%.*s", cd, (int)base.len, base.ptr)
		     : ld_arena_slice(&c->arena, base);
}

const lading_package *ld_catalog_owner(ld_catalog *c, const char *path)
{
	const char *cp;
	if (!c->owned_ready) {
		c->owned_ready = true;
		for (size_t i = 0; i < c->pkgs.len; i++) {
			lading_package *p = ld_vec_at(&c->pkgs, i);
			if (strcmp(p->type, "deb") && strcmp(p->type, "apk") && strcmp(p->type, "rpm"))
				continue;
			for (size_t j = 0; j < p->file_count; j++) {
				const char *k = canon_path(c, p->files[j]);
				/* an index, not a pointer: the package vector may still grow */
				if (k && ld_map_put(&c->owned, ld_slice_cstr(k), (void *)(uintptr_t)(i + 1), NULL))
					return NULL;
			}
		}
	}
	cp = canon_path(c, path);
	if (!cp)
		return NULL;
	{
		uintptr_t i = (uintptr_t)ld_map_gets(&c->owned, cp);
		return i ? ld_vec_at(&c->pkgs, i - 1) : NULL;
	}
}

static int add_candidate(void *opaque, const ld_vnode *n)
{
	ld_vec *v = opaque;
	const ld_vnode **slot;
	if (n->type != LD_LF_REG || !n->file || (!n->file->wanted && !n->file->results))
		return 0;
	if (!(slot = ld_vec_push(v)))
		return LADING_ENOMEM;
	*slot = n;
	return 0;
}

static int node_path_cmp(const void *a, const void *b)
{
	return strcmp((*(const ld_vnode *const *)a)->path, (*(const ld_vnode *const *)b)->path);
}

const ld_vec *ld_catalog_candidates(ld_catalog *c)
{
	if (!c->candidates_ready) {
		c->candidates.len = 0;
		if (c->view && ld_view_each(c->view, add_candidate, &c->candidates))
			return NULL;
		if (c->candidates.len > 1)
			qsort(c->candidates.ptr, c->candidates.len, sizeof(const ld_vnode *), node_path_cmp);
		c->candidates_ready = true;
	}
	return &c->candidates;
}

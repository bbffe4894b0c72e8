/* Helpers shared by the language package catalogers: finding their captured files and analyzer
 * results in the merged view, adding packages, and the compact blobs analyzers return. */
#include "util/common.h"
#include "util/path.h"
#include "catalog/lang.h"

/* A glob with its literal tail, checked before the matcher (most paths fail there). */
typedef struct lang_glob {
	const char *pattern;
	ld_slice tail;
} lang_glob;

#define LANG_MAX_GLOBS 16

typedef struct lang_collect {
	lang_glob globs[LANG_MAX_GLOBS];
	size_t nglobs;
	int analyzer; /* >= 0: collect nodes with this analyzer's result instead */
	ld_vec files; /* ld_lang_file */
} lang_collect;

static bool glob_hit(const lang_collect *lc, ld_slice path)
{
	for (size_t i = 0; i < lc->nglobs; i++) {
		ld_slice t = lc->globs[i].tail;
		if (t.len &&
		    (path.len < t.len || memcmp(path.ptr + path.len - t.len, t.ptr, t.len)))
			continue;
		if (ld_glob_match(lc->globs[i].pattern, path))
			return true;
	}
	return false;
}

static int collect_node(lang_collect *lc, const ld_vnode *n)
{
	ld_lang_file *f;
	const ld_slice *res = NULL;
	if (lc->analyzer >= 0) {
		if (!n->file->results || !(res = ld_vnode_result(n, lc->analyzer)))
			return 0;
	} else if (!n->file->wanted || !glob_hit(lc, ld_slice_make(n->path, n->path_len))) {
		return 0;
	}
	if (!(f = ld_vec_push(&lc->files)))
		return LADING_ENOMEM;
	f->path = n->path;
	f->layer = n->layer;
	if (res)
		f->data = *res;
	else if (n->file->captured)
		f->data = ld_slice_make(n->file->data, n->file->data_len);
	else
		f->too_big = true;
	return 0;
}

static int walk(ld_catalog *c, lang_collect *lc, lading_ctx *ctx,
		int (*fn)(void *opaque, const ld_lang_file *f), void *opaque)
{
	const ld_vec *cand = ld_catalog_candidates(c);
	int rc = 0;
	ld_vec_init(&lc->files, sizeof(ld_lang_file), 0);
	if (!cand) {
		rc = LADING_ENOMEM;
		goto out;
	}
	/* candidates come sorted by path: so do the files */
	for (size_t i = 0; i < cand->len; i++)
		if ((rc = collect_node(lc, *(const ld_vnode *const *)ld_vec_at(cand, i))))
			goto out;
	for (size_t i = 0; i < lc->files.len; i++) {
		const ld_lang_file *f = ld_vec_at(&lc->files, i);
		if (f->too_big) {
			ld_warn(ctx,
				"/%s: larger than the size limit for package metadata: skipped",
				f->path);
			continue;
		}
		if ((rc = fn(opaque, f)))
			break;
	}
out:
	ld_vec_release(&lc->files);
	return rc == LADING_ENOMEM && ctx ? ld_error_set(ctx, rc, "out of memory") : rc;
}

int ld_lang_files(ld_catalog *c, const char *const *globs, lading_ctx *ctx,
		  int (*fn)(void *opaque, const ld_lang_file *f), void *opaque)
{
	lang_collect lc;
	memset(&lc, 0, sizeof(lc));
	lc.analyzer = -1;
	for (size_t i = 0; globs[i] && lc.nglobs < LANG_MAX_GLOBS; i++) {
		const char *last = globs[i];
		for (const char *p = globs[i]; *p; p++)
			if (*p == '*' || *p == '?')
				last = p + 1;
		lc.globs[lc.nglobs].pattern = globs[i];
		lc.globs[lc.nglobs].tail = ld_slice_cstr(last);
		lc.nglobs++;
	}
	return walk(c, &lc, ctx, fn, opaque);
}

int ld_lang_results(ld_catalog *c, const char *analyzer,
		    int (*fn)(void *opaque, const ld_lang_file *f), void *opaque)
{
	lang_collect lc;
	memset(&lc, 0, sizeof(lc));
	lc.analyzer = ld_catalog_analyzer_id(c, analyzer);
	if (lc.analyzer < 0)
		return 0;
	return walk(c, &lc, NULL, fn, opaque);
}

int ld_lang_parse_file(const ld_lang_file *f, ld_lang_parse_fn parse, ld_lang_fn fn, void *opaque,
		       lading_ctx *ctx)
{
	char what[LD_PATH_MAX + 2];
	int rc;
	ld_snprintf(what, sizeof(what), "/%s", f->path);
	rc = parse(f->data, fn, opaque, ctx, what);
	if (rc && rc != LADING_ENOMEM) {
		/* a broken file is one bad input among many: warn and go on */
		ld_warn(ctx, "%s", ctx->err.msg);
		ld_error_clear(ctx);
		rc = 0;
	}
	return rc;
}

typedef struct lockfile_run {
	ld_catalog *cat;
	lading_ctx *ctx;
	const ld_lang_lockfile *lf;
	const ld_lang_file *file;
} lockfile_run;

static int lockfile_pkg(void *opaque, const ld_lang_pkg *p)
{
	lockfile_run *r = opaque;
	ld_slice ns = LD_SLICE_NULL, name = LD_SLICE_NULL;
	if (r->lf->ns_in_name) {
		name = p->name;
		ld_slice_cut(&name, '/', &ns);
	}
	if (!ld_lang_add(r->cat, r->lf->type, r->lf->found_by, p->name, ns, name, p->version,
			 r->lf->license ? p->license : LD_SLICE_NULL, r->file->path,
			 r->file->layer))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

static int lockfile_file(void *opaque, const ld_lang_file *f)
{
	lockfile_run *r = opaque;
	r->file = f;
	return ld_lang_parse_file(f, r->lf->parse, lockfile_pkg, r, r->ctx);
}

int ld_lang_lockfile_run(ld_catalog *c, lading_ctx *ctx, const char *const *wants,
			 const ld_lang_lockfile *lf)
{
	lockfile_run r = {c, ctx, lf, NULL};
	return ld_lang_files(c, wants, ctx, lockfile_file, &r);
}

lading_package *ld_lang_add(ld_catalog *c, const char *type, const char *found_by, ld_slice name,
			    ld_slice purl_ns, ld_slice purl_name, ld_slice version,
			    ld_slice license, const char *location, int layer)
{
	ld_arena *a = &c->arena;
	lading_package *p = ld_catalog_add(c);
	char *ns = NULL;
	const char *pn;
	if (!p)
		return NULL;
	p->type = type;
	p->found_by = found_by;
	p->layer = layer;
	p->name = ld_arena_slice(a, name);
	p->version = ld_arena_slice(a, version);
	p->license = license.len ? ld_arena_slice(a, license) : NULL;
	p->location =
	    location[0] == '/' ? ld_arena_strdup(a, location) : ld_arena_printf(a, "/%s", location);
	if (purl_ns.len && !(ns = ld_arena_slice(a, purl_ns)))
		return NULL;
	pn = purl_name.len ? ld_arena_slice(a, purl_name) : p->name;
	if (!p->name || !p->version || !p->location || !pn || (license.len && !p->license))
		return NULL;
	p->purl = ld_purl_build(a, type, ns, pn, p->version, NULL);
	return p->purl ? p : NULL;
}

void ld_lang_blob_line(ld_buf *b, const char *kind, const ld_slice *fields, size_t n)
{
	ld_buf_adds(b, kind);
	for (size_t i = 0; i < n; i++) {
		ld_slice f = fields[i];
		ld_buf_addc(b, '\t');
		for (size_t j = 0; j < f.len; j++) {
			char ch = f.ptr[j];
			ld_buf_addc(b, ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch);
		}
	}
	ld_buf_addc(b, '\n');
}

bool ld_lang_blob_next(ld_slice *blob, ld_slice *fields, size_t max, size_t *n)
{
	ld_slice line, rest;
	*n = 0;
	do {
		if (!ld_slice_next_line(blob, &line))
			return false;
	} while (!line.len);
	rest = line;
	while (*n < max) {
		ld_slice f;
		bool more = ld_slice_cut(&rest, '\t', &f);
		fields[(*n)++] = f;
		if (!more)
			break;
	}
	return true;
}

ld_slice ld_lang_unquote(ld_slice s)
{
	s = ld_slice_trim(s);
	if (s.len >= 2 && (s.ptr[0] == '"' || s.ptr[0] == '\'') && s.ptr[s.len - 1] == s.ptr[0])
		s = ld_slice_sub(s, 1, s.len - 2);
	return s;
}

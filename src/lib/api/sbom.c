/* lading_sbom_build: the pipeline source -> layers -> view -> catalogers, behind the public API. */
#include "util/common.h"
#include "catalog/catalog.h"
#include "layer/layer.h"
#include "api/api.h"

/* Wanted files reached through symlinks were not captured while streaming (their real path did
 * not match); read them now from the layers that hold them, each within the cap of the want that
 * reached it (not the largest cap of its layer). */
/* Files to read again after the merge, per layer, each with its cap (for ld_layer_fetch). */
typedef struct fetch_list {
	const char ***need;
	size_t *nneed;
	size_t **caps;
	size_t n;
	ld_arena a;
} fetch_list;

static int fl_init(fetch_list *fl, size_t n)
{
	fl->n = n;
	fl->need = calloc(n ? n : 1, sizeof(char **));
	fl->nneed = calloc(n ? n : 1, sizeof(size_t));
	fl->caps = calloc(n ? n : 1, sizeof(size_t *));
	ld_arena_init(&fl->a, 0);
	return fl->need && fl->nneed && fl->caps ? 0 : LADING_ENOMEM;
}

static int fl_add(fetch_list *fl, size_t l, const char *path, size_t cap)
{
	const char **nv = realloc(fl->need[l], (fl->nneed[l] + 1) * sizeof(char *));
	size_t *nc;
	if (nv)
		fl->need[l] = nv;
	nc = nv ? realloc(fl->caps[l], (fl->nneed[l] + 1) * sizeof(size_t)) : NULL;
	if (!nc)
		return LADING_ENOMEM;
	fl->caps[l] = nc;
	nc[fl->nneed[l]] = cap;
	if (!(nv[fl->nneed[l]] = ld_arena_strdup(&fl->a, path)))
		return LADING_ENOMEM;
	fl->nneed[l]++;
	return 0;
}

static int fl_run(fetch_list *fl, lading_image *img, ld_layer *layers, lading_ctx *ctx)
{
	int rc;
	for (size_t l = 0; l < fl->n; l++)
		if (fl->nneed[l] && (rc = ld_layer_fetch(img, &layers[l], fl->need[l], fl->caps[l], fl->nneed[l], ctx)))
			return rc;
	return 0;
}

static void fl_release(fetch_list *fl)
{
	for (size_t l = 0; l < fl->n; l++) {
		if (fl->need)
			free(fl->need[l]);
		if (fl->caps)
			free(fl->caps[l]);
	}
	free(fl->need);
	free(fl->nneed);
	free(fl->caps);
	ld_arena_release(&fl->a);
}

/* Files wanted by name that the view reaches through a symlink, or that were let go after their
 * layer (ld_layer_drop_big): read from the layer that holds the top copy. */
static int fetch_symlinked(lading_image *img, ld_layer *layers, ld_view *view, lading_ctx *ctx)
{
	const ld_cataloger *const *cats = ld_catalogers();
	fetch_list fl;
	int rc = fl_init(&fl, img->info.layer_count);

	for (size_t c = 0; cats[c] && !rc; c++) {
		for (size_t w = 0; cats[c]->wants[w] && !rc; w++) {
			const char *want = cats[c]->wants[w];
			char canon[LD_PATH_MAX];
			ld_vnode *node;
			if (strpbrk(want, "*?"))
				continue;
			node = ld_view_resolve(view, ld_slice_cstr(want), true, canon);
			if (!node || node->type != LD_LF_REG || !node->file || node->file->captured || node->file->too_big ||
			    node->layer < 0)
				continue;
			rc = fl_add(&fl, (size_t)node->layer, canon, cats[c]->max_file);
		}
	}
	if (!rc)
		rc = fl_run(&fl, img, layers, ctx);
	else
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	fl_release(&fl);
	return rc;
}

typedef struct dropped_walk {
	fetch_list *fl;
	const ld_wants *wants;
} dropped_walk;

static int add_dropped(void *opaque, const ld_vnode *n)
{
	dropped_walk *d = opaque;
	size_t cap = 0;
	if (n->type != LD_LF_REG || !n->file || !n->file->dropped || n->file->captured || n->layer < 0 ||
	    !ld_wants_match(d->wants, ld_slice_make(n->path, n->path_len), &cap))
		return 0;
	return fl_add(d->fl, (size_t)n->layer, n->path, cap);
}

/* The top copies of large files matched by a glob (lockfiles) that were let go after their
 * layer: read again now, one read of each layer that holds some. */
static int fetch_dropped(lading_image *img, ld_layer *layers, ld_view *view, const ld_wants *wants,
			 lading_ctx *ctx)
{
	fetch_list fl;
	dropped_walk d = {&fl, wants};
	int rc = fl_init(&fl, img->info.layer_count);
	if (!rc)
		rc = ld_view_each(view, add_dropped, &d);
	if (rc)
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	else
		rc = fl_run(&fl, img, layers, ctx);
	fl_release(&fl);
	return rc;
}

typedef struct reread_state {
	lading_image *img;
	ld_layer *layers;
	lading_ctx *ctx;
} reread_state;

/* ld_catalog.reread: a layer's copy of a file let go after the read (ld_layer_drop_big). */
static int reread(void *opaque, size_t layer, const char *path, ld_layer_filebuf *out)
{
	reread_state *r = opaque;
	out->budget = ld_ctx_budget(r->ctx);
	return ld_layer_read_file(r->img, &r->layers[layer], path, LD_LAYER_MAX_CAPTURE, out, r->ctx);
}

int lading_sbom_build(lading_sbom **out, lading_ctx *ctx, lading_image *img, const lading_sbom_options *opts)
{
	reread_state rs = {img, NULL, ctx};
	const ld_cataloger *const *cats = ld_catalogers();
	lading_sbom *s = NULL;
	ld_wants *wants = NULL;
	ld_layer *layers = NULL;
	ld_view *view = NULL;
	size_t n = img->info.layer_count;
	int rc;

	(void)opts;
	*out = NULL;
	ld_error_clear(ctx);
	if ((rc = ld_wants_new(&wants)))
		return ld_error_set(ctx, rc, "out of memory");
	for (size_t c = 0; cats[c]; c++)
		for (size_t w = 0; cats[c]->wants[w]; w++)
			if ((rc = ld_wants_add(wants, cats[c]->wants[w], cats[c]->max_file))) {
				rc = ld_error_set(ctx, rc, "cannot register wanted files");
				goto out;
			}
	for (size_t c = 0; cats[c]; c++)
		for (size_t a = 0; cats[c]->analyzers && cats[c]->analyzers[a]; a++)
			if ((rc = ld_wants_add_analyzer(wants, cats[c]->analyzers[a], NULL))) {
				rc = ld_error_set(ctx, rc, "too many analyzers");
				goto out;
			}
	/* [layer cache] cached layer analyses are keyed by the catalogers that asked for them */
	for (size_t c = 0; cats[c]; c++) {
		char key[256];
		ld_snprintf(key, sizeof(key), "%s@%s", cats[c]->name, cats[c]->version ? cats[c]->version : "");
		if ((rc = ld_wants_add_key(wants, key))) {
			rc = ld_error_set(ctx, rc, "out of memory");
			goto out;
		}
	}
	if ((rc = ld_layers_read(&layers, img, wants, ctx)))
		goto out;
	if ((rc = ld_view_build(&view, layers, n, ctx)))
		goto out;
	if ((rc = fetch_symlinked(img, layers, view, ctx)))
		goto out;
	if ((rc = fetch_dropped(img, layers, view, wants, ctx)))
		goto out;

	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	s->image = img;
	ld_catalog_init(&s->cat, view, &img->info);
	ld_arena_set_budget(&s->cat.arena, ld_ctx_budget(ctx)); /* [budget] */
	ld_map_set_budget(&s->cat.owned, ld_ctx_budget(ctx));
	ld_map_set_budget(&s->cat.dircache, ld_ctx_budget(ctx));
	rs.layers = layers;
	s->cat.reread = reread;
	s->cat.reread_opaque = &rs;
	for (size_t a = 0; a < ld_wants_analyzer_count(wants); a++)
		s->cat.analyzer_names[s->cat.nanalyzers++] = ld_wants_analyzer(wants, a)->name;
	for (size_t c = 0; cats[c]; c++) {
		if ((rc = cats[c]->run(&s->cat, ctx))) {
			if (s->cat.arena.over_budget)
				rc = ld_budget_error(ctx, 0, "cataloger %s", cats[c]->name);
			else if (!ctx->err.code)
				ld_error_set(ctx, rc, "cataloger %s failed", cats[c]->name);
			goto out;
		}
	}
	ld_catalog_mark_os_managed(&s->cat);
	ld_catalog_sort(&s->cat);
	/* what reading the layers learned about them */
	for (size_t i = 0; i < n; i++) {
		img->layers[i].compression = ld_comp_name(layers[i].comp);
		if (!img->layers[i].digest && layers[i].blob_digest[0]) {
			img->layers[i].digest = ld_arena_strdup(&img->arena, layers[i].blob_digest);
			img->layers[i].blob_digest = img->layers[i].digest;
		}
		if (img->layers[i].size < 0 && layers[i].bytes_in && img->kind != LD_SRC_DIR)
			img->layers[i].size = (int64_t)layers[i].bytes_in;
	}
	s->cat.view = NULL; /* the view goes now; packages hold copies of what they need */
	/* the result outlives the scan (and may outlive ctx): it leaves the budget */
	ld_arena_set_budget(&s->cat.arena, NULL);
	ld_map_set_budget(&s->cat.owned, NULL);
	ld_map_set_budget(&s->cat.dircache, NULL);
	s->cat.reread = NULL;
out:
	ld_view_free(view);
	ld_layers_free(layers, n);
	ld_wants_free(wants);
	if (rc) {
		lading_sbom_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void lading_sbom_free(lading_sbom *s)
{
	if (!s)
		return;
	ld_catalog_release(&s->cat);
	if (s->owns_image && s->image) {
		ld_arena_release(&s->image->arena);
		free(s->image);
	}
	free(s);
}

const lading_image_info *lading_sbom_image(const lading_sbom *s)
{
	return &s->image->info;
}

const lading_os *lading_sbom_os(const lading_sbom *s)
{
	return &s->cat.os;
}

size_t lading_sbom_package_count(const lading_sbom *s)
{
	return s->cat.pkgs.len;
}

const lading_package *lading_sbom_package(const lading_sbom *s, size_t i)
{
	return i < s->cat.pkgs.len ? ld_vec_at(&s->cat.pkgs, i) : NULL;
}

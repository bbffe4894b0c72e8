/* The merged view: layers applied in order (whiteouts of a layer hide lower layers' files, then
 * the layer's own entries are added), giving the final filesystem with, for each path, the layer
 * that last wrote it. Paths are only ever looked up here, never on the host. */
#include "util/common.h"
#include "layer/layer.h"

static ld_vnode *new_node(ld_view *v, const char *path, size_t len, int made)
{
	ld_vnode *n = ld_arena_alloc(&v->arena, sizeof(*n));
	if (!n)
		return NULL;
	n->path = path;
	n->path_len = (uint32_t)len;
	n->name = ld_path_base(ld_slice_make(path, len)).ptr;
	n->layer = -1;
	n->made = made;
	n->type = LD_LF_DIR;
	n->hash = ld_hash64_keyed(path, len);
	return n;
}

/* Enter a node in both indexes. */
static int index_node(ld_view *v, ld_vnode *n)
{
	int rc;
	if ((rc = ld_map_put(&v->nodes, ld_slice_make(n->path, n->path_len), n, NULL)) ||
	    (rc = ld_map_put(&v->byhash, ld_slice_make(&n->hash, sizeof(n->hash)), n, NULL)))
		return rc;
	return 0;
}

static void unindex_node(ld_view *v, ld_vnode *n)
{
	ld_map_del(&v->nodes, ld_slice_make(n->path, n->path_len));
	ld_map_del(&v->byhash, ld_slice_make(&n->hash, sizeof(n->hash)));
}

static void link_child(ld_vnode *parent, ld_vnode *n)
{
	n->parent = parent;
	n->prev = NULL;
	n->next = parent->child;
	if (parent->child)
		parent->child->prev = n;
	parent->child = n;
}

static void unlink_node(ld_vnode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->prev = n->next = NULL;
	n->parent = NULL;
}

/* Remove a node's descendants from the map. Iterative (trees can be deep): walk down to the
 * first leaf, drop it, and continue from its parent. */
static void drop_children(ld_view *v, ld_vnode *n)
{
	ld_vnode *c = n->child;
	while (c && c != n) {
		if (c->child) {
			c = c->child;
			continue;
		}
		ld_vnode *parent = c->parent;
		unindex_node(v, c);
		unlink_node(c);
		c = parent->child ? parent->child : parent;
	}
	n->child = NULL;
}

static void remove_subtree(ld_view *v, ld_vnode *n)
{
	if (n == v->root)
		return;
	drop_children(v, n);
	unindex_node(v, n);
	unlink_node(n);
}

static ld_vnode *tree_lookup(const ld_view *v, ld_slice path)
{
	if (!path.len)
		return v->root;
	return ld_map_get(&v->nodes, path);
}

/* The directory node for `dir`, creating implicit directories (and replacing non-directories
 * in the way, as a layer that writes below a path makes it a directory). */
static ld_vnode *ensure_dir(ld_view *v, ld_slice dir, int made, lading_ctx *ctx)
{
	ld_vnode *n = tree_lookup(v, dir), *parent;
	char *p;
	if (n && n->type == LD_LF_DIR)
		return n;
	if (n)
		remove_subtree(v, n);
	parent = ensure_dir(v, ld_path_dir(dir), made, ctx);
	if (!parent)
		return NULL;
	p = ld_arena_slice(&v->arena, dir);
	if (!p || !(n = new_node(v, p, dir.len, made))) {
		ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		return NULL;
	}
	link_child(parent, n);
	if (index_node(v, n)) {
		ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		return NULL;
	}
	return n;
}

static int apply_layer(ld_view *v, ld_layer *l, lading_ctx *ctx)
{
	/* whiteouts first: they hide lower layers only, never this layer's own entries */
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		ld_vnode *n;
		if (f->type == LD_LF_WHITEOUT) {
			n = tree_lookup(v, ld_slice_make(f->path, f->path_len));
			if (n)
				remove_subtree(v, n);
		} else if (f->type == LD_LF_OPAQUE) {
			n = tree_lookup(v, ld_slice_make(f->path, f->path_len));
			if (n && n->type == LD_LF_DIR)
				drop_children(v, n);
		}
	}
	/* plain files of this layer replace what lower layers had at their paths (a directory
	 * with all below it, a symlink, a kept file); within one layer, kept entries win */
	for (size_t i = 0; i < l->plain.len; i++) {
		ld_vnode *n = ld_map_get(&v->byhash, ld_slice_make(&l->plain.hash[i], sizeof(uint64_t)));
		if (n && n->made < (int)l->index && n != v->root)
			remove_subtree(v, n);
	}
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		ld_slice path = ld_slice_make(f->path, f->path_len);
		uint8_t type;
		ld_vnode *n, *parent;

		if (f->type == LD_LF_WHITEOUT || f->type == LD_LF_OPAQUE)
			continue;
		if (f->implicit) {
			if (!ensure_dir(v, path, (int)l->index, ctx))
				return ctx->err.code ? ctx->err.code : LADING_ENOMEM;
			continue;
		}
		type = f->type == LD_LF_HARDLINK ? LD_LF_REG : f->type;
		parent = ensure_dir(v, ld_path_dir(path), (int)l->index, ctx);
		if (!parent)
			return ctx->err.code ? ctx->err.code : LADING_ENOMEM;
		n = tree_lookup(v, path);
		if (n && !(n->type == LD_LF_DIR && type == LD_LF_DIR)) {
			remove_subtree(v, n);
			n = NULL;
		}
		if (!n) {
			n = new_node(v, f->path, f->path_len, (int)l->index);
			if (!n)
				return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			link_child(parent, n);
			if (index_node(v, n))
				return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		n->type = type;
		n->layer = (int)l->index;
		n->file = f;
	}
	return 0;
}

/* ---- plain files: found layer by layer, from the top ---- */

/* How layer l's kept entries bear on `path`, of which the layer holds no plain file: 1 when they
 * hide what lower layers have there (a whiteout of it or of a parent, an opaque parent, a
 * non-directory at a parent, or an entry at the path itself, since gone), else 0. */
static int layer_hides(const ld_layer *l, ld_slice path)
{
	for (size_t i = 0; i < l->files.len; i++) {
		const ld_lfile *f = ld_layer_file(l, i);
		bool at = f->path_len == path.len && !memcmp(f->path, path.ptr, path.len);
		bool above = f->path_len < path.len && path.ptr[f->path_len] == '/' &&
			     !memcmp(f->path, path.ptr, f->path_len);
		if (f->type == LD_LF_OPAQUE) {
			if (above || !f->path_len)
				return 1;
		} else if (f->type == LD_LF_WHITEOUT) {
			if (at || above)
				return 1;
		} else if ((at && !f->implicit) || (above && f->type != LD_LF_DIR)) {
			return 1;
		}
	}
	return 0;
}

/* Whether layer l holds a plain file at a parent of `path` (which hides lower layers' path). */
static bool plain_above(const ld_layer *l, ld_slice path)
{
	for (size_t i = 0; i < path.len; i++)
		if (path.ptr[i] == '/' && ld_layer_has_plain(l, ld_hash64_keyed(path.ptr, i)))
			return true;
	return false;
}

/* The record to show for a plain node: what a fetch captured, or a stub saying "not read". */
static void plain_refresh(const ld_view *v, ld_vnode *n, ld_lfile *stub)
{
	const ld_lfile *f = ld_layer_captured(&v->layers[n->layer], n->path);
	n->file = f ? f : stub;
}

/* A plain file at `path` in the final view, as a node made now (kept for later lookups). */
static ld_vnode *plain_lookup(const ld_view *cv, ld_slice path)
{
	ld_view *v = (ld_view *)cv; /* lookups are logically const: they only cache plain nodes */
	ld_vnode *parent = tree_lookup(v, ld_path_dir(path)), *n = NULL;
	uint64_t h;
	int layer = -1;

	if (!parent || parent->type != LD_LF_DIR || !path.len || !v->nlayers)
		return NULL;
	pthread_mutex_lock(&v->mu);
	if ((n = ld_map_get(&v->plain, path))) {
		plain_refresh(v, n, (ld_lfile *)(n + 1));
		goto out;
	}
	h = ld_hash64_keyed(path.ptr, path.len);
	for (size_t i = v->nlayers; i-- > 0;) {
		const ld_layer *l = &v->layers[i];
		if (ld_layer_has_plain(l, h)) {
			layer = (int)i;
			break;
		}
		if (layer_hides(l, path) || plain_above(l, path))
			break;
	}
	if (layer >= 0) {
		/* the node and its stub record in one block */
		ld_lfile *stub;
		char *p = ld_arena_slice(&v->arena, path);
		n = ld_arena_alloc(&v->arena, sizeof(*n) + sizeof(*stub));
		if (!p || !n || ld_map_put(&v->plain, ld_slice_make(p, path.len), n, NULL)) {
			n = NULL;
			goto out;
		}
		stub = (ld_lfile *)(n + 1);
		stub->path = p;
		stub->path_len = (uint32_t)path.len;
		stub->type = LD_LF_REG;
		n->path = p;
		n->path_len = (uint32_t)path.len;
		n->name = ld_path_base(ld_slice_make(p, path.len)).ptr;
		n->type = LD_LF_REG;
		n->plain = true;
		n->layer = n->made = layer;
		n->hash = h;
		n->parent = parent;
		plain_refresh(v, n, stub);
	}
out:
	pthread_mutex_unlock(&v->mu);
	return n;
}

ld_vnode *ld_view_lookup(const ld_view *v, ld_slice path)
{
	ld_vnode *n = tree_lookup(v, path);
	return n ? n : plain_lookup(v, path);
}

int ld_view_build(ld_view **out, ld_layer *layers, size_t n, lading_ctx *ctx)
{
	ld_view *v = calloc(1, sizeof(*v));
	int rc;
	*out = NULL;
	if (!v)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_arena_init(&v->arena, 0);
	ld_map_init(&v->nodes);
	ld_map_init(&v->byhash);
	ld_map_init(&v->plain);
	pthread_mutex_init(&v->mu, NULL);
	v->layers = layers;
	v->nlayers = n;
	v->root = new_node(v, "", 0, -1);
	if (!v->root) {
		ld_view_free(v);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	/* [budget] the view's nodes and their tables are charged to the scan's budget */
	ld_arena_set_budget(&v->arena, ld_ctx_budget(ctx));
	ld_map_set_budget(&v->nodes, ld_ctx_budget(ctx));
	ld_map_set_budget(&v->byhash, ld_ctx_budget(ctx));
	ld_map_set_budget(&v->plain, ld_ctx_budget(ctx));
	for (size_t i = 0; i < n; i++) {
		if ((rc = apply_layer(v, &layers[i], ctx))) {
			if (v->arena.over_budget || v->nodes.over_budget || v->byhash.over_budget)
				rc = ld_budget_error(ctx, sizeof(ld_vnode), "merging layer %zu into the view", i + 1);
			ld_view_free(v);
			return rc;
		}
	}
	*out = v;
	return 0;
}

void ld_view_free(ld_view *v)
{
	if (!v)
		return;
	ld_map_release(&v->nodes);
	ld_map_release(&v->byhash);
	ld_map_release(&v->plain);
	pthread_mutex_destroy(&v->mu);
	ld_arena_release(&v->arena);
	free(v);
}

ld_vnode *ld_view_resolve(const ld_view *v, ld_slice path, bool follow_last, char *canon)
{
	char out[LD_PATH_MAX];
	char rem[2][LD_PATH_MAX * 2];
	size_t olen = 0;
	int cur = 0, hops = 0;
	ld_slice rest;
	ld_vnode *node = v->root;

	if (path.len >= sizeof(rem[0]))
		return NULL;
	memcpy(rem[0], path.ptr, path.len);
	rest = ld_slice_make(rem[0], path.len);
	for (;;) {
		ld_slice comp;
		bool last;
		ld_vnode *n;

		/* next non-empty component */
		do {
			if (!rest.len)
				goto done;
			ld_slice_cut(&rest, '/', &comp);
		} while (!comp.len || ld_slice_eq_cstr(comp, "."));
		if (ld_slice_eq_cstr(comp, "..")) {
			while (olen && out[olen - 1] != '/')
				olen--;
			if (olen)
				olen--;
			continue;
		}
		while (rest.len && rest.ptr[0] == '/')
			rest = ld_slice_sub(rest, 1, rest.len);
		last = !rest.len;
		if (olen + 1 + comp.len >= sizeof(out))
			return NULL;
		{
			size_t nl = olen;
			char cand[LD_PATH_MAX];
			memcpy(cand, out, olen);
			if (nl)
				cand[nl++] = '/';
			memcpy(cand + nl, comp.ptr, comp.len);
			nl += comp.len;
			n = last ? ld_view_lookup(v, ld_slice_make(cand, nl)) : tree_lookup(v, ld_slice_make(cand, nl));
			if (!n)
				return NULL;
			if (n->type == LD_LF_SYMLINK && (!last || follow_last)) {
				const char *target = n->file && n->file->link ? n->file->link : "";
				size_t tl = strlen(target);
				int nxt = 1 - cur;
				if (++hops > LD_SYMLINK_MAX_HOPS)
					return NULL;
				if (tl + 1 + rest.len >= sizeof(rem[0]))
					return NULL;
				memcpy(rem[nxt], target, tl);
				rem[nxt][tl] = '/';
				memcpy(rem[nxt] + tl + 1, rest.ptr, rest.len);
				rest = ld_slice_make(rem[nxt], tl + 1 + rest.len);
				cur = nxt;
				if (target[0] == '/')
					olen = 0;
				continue;
			}
			if (!last && n->type != LD_LF_DIR)
				return NULL;
			memcpy(out, cand, nl);
			olen = nl;
			node = n;
		}
	}
done:
	if (!olen)
		node = v->root;
	else
		node = ld_view_lookup(v, ld_slice_make(out, olen));
	if (canon) {
		memcpy(canon, out, olen);
		canon[olen] = '\0';
	}
	return node;
}

int ld_view_read(const ld_view *v, const char *path, ld_slice *data, int *layer)
{
	ld_vnode *n = ld_view_resolve(v, ld_slice_cstr(path), true, NULL);
	if (!n || n->type != LD_LF_REG || !n->file)
		return LADING_ENOTFOUND;
	if (!n->file->captured)
		return LADING_ELIMIT;
	*data = ld_slice_make(n->file->data, n->file->data_len);
	if (layer)
		*layer = n->layer;
	return 0;
}

int ld_view_each(const ld_view *v, int (*fn)(void *opaque, const ld_vnode *n), void *opaque)
{
	size_t i = 0;
	const ld_map_slot *slot;
	int rc;
	while (ld_map_next(&v->nodes, &i, &slot))
		if ((rc = fn(opaque, slot->val)))
			return rc;
	return 0;
}

const ld_slice *ld_vnode_result(const ld_vnode *n, int analyzer)
{
	for (const ld_lresult *r = n && n->file ? n->file->results : NULL; r; r = r->next)
		if (r->analyzer == analyzer)
			return &r->data;
	return NULL;
}

/* The set of files catalogers want, matched against every entry of every layer: exact paths by
 * hash lookup, globs after a cheap check of their literal suffix. */
#include "util/common.h"
#include "layer/layer.h"

#define WANTS_MAX_GLOBS 512

typedef struct want_glob {
	char *pattern;
	const char *suffix; /* literal tail after the last wildcard, for a quick reject */
	size_t suffix_len;
	size_t max_size;
} want_glob;

typedef struct want_exact {
	char *path;
	size_t max_size;
} want_exact;

struct ld_wants {
	ld_arena arena;
	ld_map exact;
	want_glob globs[WANTS_MAX_GLOBS];
	size_t nglobs;
	ld_analyzer an[LD_MAX_ANALYZERS];
	ld_slice an_tail[LD_MAX_ANALYZERS]; /* literal tail of each pattern, checked before the glob */
	size_t nan;
	ld_buf keys; /* extra cache-key text (ld_wants_add_key), NUL-separated */
	uint64_t sparse_min;
};

int ld_wants_new(ld_wants **out)
{
	ld_wants *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (!w)
		return LADING_ENOMEM;
	ld_arena_init(&w->arena, 0);
	ld_map_init(&w->exact);
	ld_buf_init(&w->keys, 1u << 20);
	w->sparse_min = LD_ANALYZE_SPARSE_MIN;
	{
		const char *env = getenv("LADING_ANALYZE_SPARSE_MIN");
		uint64_t v;
		if (env && ld_slice_to_u64(ld_slice_cstr(env), UINT64_MAX, &v))
			w->sparse_min = v;
	}
	*out = w;
	return 0;
}

void ld_wants_free(ld_wants *w)
{
	if (!w)
		return;
	ld_map_release(&w->exact);
	ld_arena_release(&w->arena);
	ld_buf_release(&w->keys);
	free(w);
}

int ld_wants_add(ld_wants *w, const char *pattern, size_t max_size)
{
	if (strpbrk(pattern, "*?")) {
		want_glob *g;
		const char *last;
		for (size_t i = 0; i < w->nglobs; i++)
			if (!strcmp(w->globs[i].pattern, pattern)) {
				if (max_size > w->globs[i].max_size)
					w->globs[i].max_size = max_size;
				return 0;
			}
		if (w->nglobs >= WANTS_MAX_GLOBS)
			return LADING_ELIMIT;
		g = &w->globs[w->nglobs];
		g->pattern = ld_arena_strdup(&w->arena, pattern);
		if (!g->pattern)
			return LADING_ENOMEM;
		last = g->pattern;
		for (const char *p = g->pattern; *p; p++)
			if (*p == '*' || *p == '?')
				last = p + 1;
		g->suffix = last;
		g->suffix_len = strlen(last);
		g->max_size = max_size;
		w->nglobs++;
		return 0;
	} else {
		want_exact *e = ld_map_gets(&w->exact, pattern);
		if (e) {
			if (max_size > e->max_size)
				e->max_size = max_size;
			return 0;
		}
		e = ld_arena_alloc(&w->arena, sizeof(*e));
		if (!e || !(e->path = ld_arena_strdup(&w->arena, pattern)))
			return LADING_ENOMEM;
		e->max_size = max_size;
		return ld_map_put(&w->exact, ld_slice_cstr(e->path), e, NULL);
	}
}

bool ld_wants_match(const ld_wants *w, ld_slice path, size_t *max_size)
{
	const want_exact *e = ld_map_get(&w->exact, path);
	bool hit = false;
	size_t best = 0;
	if (e) {
		hit = true;
		best = e->max_size;
	}
	for (size_t i = 0; i < w->nglobs; i++) {
		const want_glob *g = &w->globs[i];
		if (g->suffix_len && (path.len < g->suffix_len ||
				      memcmp(path.ptr + path.len - g->suffix_len, g->suffix, g->suffix_len)))
			continue;
		if (ld_glob_match(g->pattern, path)) {
			hit = true;
			if (g->max_size > best)
				best = g->max_size;
		}
	}
	if (hit && max_size)
		*max_size = best;
	return hit;
}

bool ld_wants_exact(const ld_wants *w, ld_slice path)
{
	return ld_map_get(&w->exact, path) != NULL;
}

int ld_wants_add_analyzer(ld_wants *w, const ld_analyzer *an, int *id)
{
	if (w->nan >= LD_MAX_ANALYZERS)
		return LADING_ELIMIT;
	w->an[w->nan] = *an;
	w->an_tail[w->nan] = LD_SLICE_NULL;
	if (an->pattern) {
		const char *last = an->pattern;
		for (const char *p = an->pattern; *p; p++)
			if (*p == '*' || *p == '?')
				last = p + 1;
		w->an_tail[w->nan] = ld_slice_cstr(last);
	}
	if (id)
		*id = (int)w->nan;
	w->nan++;
	return 0;
}

size_t ld_wants_analyzer_count(const ld_wants *w)
{
	return w->nan;
}

const ld_analyzer *ld_wants_analyzer(const ld_wants *w, size_t id)
{
	return id < w->nan ? &w->an[id] : NULL;
}

static bool lib_name(ld_slice path)
{
	ld_slice base = ld_path_base(path);
	ptrdiff_t so = ld_slice_find_str(base, LD_SLICE_LIT(".so"));
	if (so < 0)
		return false;
	/* "libx.so" or "libx.so.1.2" */
	return (size_t)so + 3 == base.len || base.ptr[so + 3] == '.';
}

uint32_t ld_wants_analyzers_for(const ld_wants *w, ld_slice path, uint32_t mode)
{
	uint32_t mask = 0;
	int lib = -1;
	for (size_t i = 0; i < w->nan; i++) {
		const ld_analyzer *a = &w->an[i];
		if (a->exec_or_lib && !(mode & 0111)) {
			if (lib < 0)
				lib = lib_name(path);
			if (!lib)
				continue;
		}
		if (a->applies && !a->applies(path))
			continue;
		if (a->pattern) {
			/* every file of every layer comes here: most fail on the literal tail */
			ld_slice t = w->an_tail[i];
			if (t.len && (path.len < t.len || memcmp(path.ptr + path.len - t.len, t.ptr, t.len)))
				continue;
			if (!ld_glob_match(a->pattern, path))
				continue;
		}
		mask |= 1u << i;
	}
	return mask;
}

uint64_t ld_wants_sparse_min(const ld_wants *w)
{
	return w->sparse_min;
}

/* ---- cache keys (layer cache, cache.c) ---- */

int ld_wants_add_key(ld_wants *w, const char *text)
{
	ld_buf_adds(&w->keys, text);
	ld_buf_addc(&w->keys, '\0');
	return ld_buf_error(&w->keys);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void hash_field(ld_sha256 *h, const char *tag, const void *p, size_t n)
{
	char len[32];
	ld_snprintf(len, sizeof(len), "%s%zu:", tag, n);
	ld_sha256_update(h, len, strlen(len));
	if (n)
		ld_sha256_update(h, p, n);
}

int ld_wants_fingerprint(const ld_wants *w, char out[LD_DIGEST_STR_LEN])
{
	ld_sha256 h;
	const char **paths = NULL;
	size_t np = 0, i = 0;
	const ld_map_slot *slot;
	char num[32];

	if (ld_sha256_init(&h))
		return LADING_ENOMEM;
	hash_field(&h, "reader", LD_LAYER_READER_VERSION, strlen(LD_LAYER_READER_VERSION));
	/* exact paths in a stable order (the map's order is its hash order) */
	if (w->exact.len) {
		paths = calloc(w->exact.len, sizeof(char *));
		if (!paths) {
			ld_sha256_release(&h);
			return LADING_ENOMEM;
		}
		while (np < w->exact.len && ld_map_next(&w->exact, &i, &slot))
			paths[np++] = ((const want_exact *)slot->val)->path;
		qsort(paths, np, sizeof(char *), cmp_str);
	}
	for (size_t k = 0; k < np; k++) {
		const want_exact *e = ld_map_gets(&w->exact, paths[k]);
		hash_field(&h, "exact", paths[k], strlen(paths[k]));
		ld_snprintf(num, sizeof(num), "%zu", e->max_size);
		hash_field(&h, "max", num, strlen(num));
	}
	free(paths);
	for (size_t k = 0; k < w->nglobs; k++) {
		hash_field(&h, "glob", w->globs[k].pattern, strlen(w->globs[k].pattern));
		ld_snprintf(num, sizeof(num), "%zu", w->globs[k].max_size);
		hash_field(&h, "max", num, strlen(num));
	}
	for (size_t k = 0; k < w->nan; k++) {
		const ld_analyzer *a = &w->an[k];
		hash_field(&h, "an", a->name ? a->name : "", a->name ? strlen(a->name) : 0);
		hash_field(&h, "ver", a->version ? a->version : "", a->version ? strlen(a->version) : 0);
		hash_field(&h, "pat", a->pattern ? a->pattern : "", a->pattern ? strlen(a->pattern) : 0);
		hash_field(&h, "magic", a->magic ? a->magic : "", a->magic ? a->magic_len : 0);
		ld_snprintf(num, sizeof(num), "%d/%zu", a->exec_or_lib ? 1 : 0, a->max_size);
		hash_field(&h, "opt", num, strlen(num));
	}
	hash_field(&h, "keys", w->keys.ptr ? w->keys.ptr : "", w->keys.len);
	ld_sha256_final(&h, out);
	return 0;
}

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
	size_t nan;
};

int ld_wants_new(ld_wants **out)
{
	ld_wants *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (!w)
		return LADING_ENOMEM;
	ld_arena_init(&w->arena, 0);
	ld_map_init(&w->exact);
	*out = w;
	return 0;
}

void ld_wants_free(ld_wants *w)
{
	if (!w)
		return;
	ld_map_release(&w->exact);
	ld_arena_release(&w->arena);
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

int ld_wants_add_analyzer(ld_wants *w, const ld_analyzer *an, int *id)
{
	if (w->nan >= LD_MAX_ANALYZERS)
		return LADING_ELIMIT;
	w->an[w->nan] = *an;
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
		if (a->pattern && !ld_glob_match(a->pattern, path))
			continue;
		mask |= 1u << i;
	}
	return mask;
}

/* Vulnerability identity across the store, image groups (--group-by) and the dated summaries
 * the store keeps per rescan: the definitions docs/fleet.md states, in one place for the report
 * and the store. */
#include <regex.h>

#include "util/common.h"
#include "util/map.h"
#include "util/vec.h"
#include "store/fleet_data.h"

#include "lading/scan.h"

#define MAX_GROUPS_PER_IMAGE 64 /* an image with more references counts in the first 64 groups */

/* ---- vulnerability identity ---- */

struct ld_fleet_vulns {
	uint32_t *of;        /* per finding, images in order */
	size_t *first;       /* per image: index of its first finding in `of` */
	const char **names;  /* per vulnerability */
	size_t count;
};

static bool is_cve(const char *s)
{
	return s && !strncmp(s, "CVE-", 4);
}

/* The CVE key of a finding: its id when a CVE, else its smallest CVE alias, else NULL. */
static const char *cve_key(const ld_fleet_finding *f)
{
	const char *best = NULL;
	if (is_cve(f->id))
		return f->id;
	for (size_t i = 0; i < f->alias_count; i++)
		if (is_cve(f->aliases[i]) && (!best || strcmp(f->aliases[i], best) < 0))
			best = f->aliases[i];
	return best;
}

typedef struct uf {
	ld_map ids;       /* id -> node + 1 */
	uint32_t *parent;
	const char **name;
	size_t n, cap;
} uf;

static uint32_t uf_find(uf *u, uint32_t x)
{
	while (u->parent[x] != x) {
		u->parent[x] = u->parent[u->parent[x]];
		x = u->parent[x];
	}
	return x;
}

static int uf_node(uf *u, const char *id, uint32_t *out)
{
	void *v = ld_map_gets(&u->ids, id);
	if (v) {
		*out = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 1024;
		uint32_t *p = realloc(u->parent, cap * sizeof(*p));
		const char **nm;
		if (!p)
			return LADING_ENOMEM;
		u->parent = p;
		if (!(nm = realloc(u->name, cap * sizeof(*nm))))
			return LADING_ENOMEM;
		u->name = nm;
		u->cap = cap;
	}
	if (u->n >= UINT32_MAX - 1 || ld_map_put(&u->ids, ld_slice_cstr(id), (void *)(uintptr_t)(u->n + 1), NULL))
		return LADING_ENOMEM;
	u->parent[u->n] = (uint32_t)u->n;
	u->name[u->n] = id;
	*out = (uint32_t)u->n++;
	return 0;
}

static void uf_union(uf *u, uint32_t a, uint32_t b)
{
	a = uf_find(u, a);
	b = uf_find(u, b);
	if (a == b)
		return;
	/* the root keeps the smallest name: it names the vulnerability */
	if (strcmp(u->name[b], u->name[a]) < 0) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	u->parent[b] = a;
}

/* Node of one finding: its CVE key, or its id joined with all its (non-CVE) aliases. */
static int finding_node(uf *u, const ld_fleet_finding *f, uint32_t *out)
{
	const char *cve = cve_key(f);
	int rc;
	if (cve)
		return uf_node(u, cve, out);
	if ((rc = uf_node(u, f->id, out)))
		return rc;
	for (size_t i = 0; i < f->alias_count; i++) {
		uint32_t a;
		if (!f->aliases[i] || !*f->aliases[i])
			continue;
		if ((rc = uf_node(u, f->aliases[i], &a)))
			return rc;
		uf_union(u, *out, a);
	}
	return 0;
}

static int vulns_number(ld_fleet_vulns *v, uf *u, size_t total)
{
	uint32_t *dense = malloc((u->n ? u->n : 1) * sizeof(*dense));
	if (!dense)
		return LADING_ENOMEM;
	for (size_t i = 0; i < u->n; i++)
		dense[i] = UINT32_MAX;
	if (!(v->names = malloc((u->n ? u->n : 1) * sizeof(*v->names)))) {
		free(dense);
		return LADING_ENOMEM;
	}
	for (size_t i = 0; i < total; i++) {
		uint32_t r = uf_find(u, v->of[i]);
		if (dense[r] == UINT32_MAX) {
			dense[r] = (uint32_t)v->count;
			v->names[v->count++] = u->name[r];
		}
		v->of[i] = dense[r];
	}
	free(dense);
	return 0;
}

int ld_fleet_vulns_build(ld_fleet_vulns **out, const ld_fleet_data *d, lading_ctx *ctx)
{
	ld_fleet_vulns *v = calloc(1, sizeof(*v));
	uf u = {0};
	size_t total = 0;
	int rc = LADING_ENOMEM;
	*out = NULL;
	ld_map_init(&u.ids);
	if (!v || !(v->first = malloc((d->image_count + 1) * sizeof(*v->first))))
		goto out;
	for (size_t i = 0; i < d->image_count; i++) {
		v->first[i] = total;
		if (ld_add_overflow(total, d->images[i].finding_count, &total))
			goto out;
	}
	v->first[d->image_count] = total;
	if (!(v->of = malloc((total ? total : 1) * sizeof(*v->of))))
		goto out;
	for (size_t i = 0, k = 0; i < d->image_count; i++)
		for (size_t j = 0; j < d->images[i].finding_count; j++, k++)
			if ((rc = finding_node(&u, &d->images[i].findings[j], &v->of[k])))
				goto out;
	if ((rc = vulns_number(v, &u, total)))
		goto out;
	*out = v;
	v = NULL;
out:
	ld_map_release(&u.ids);
	free(u.parent);
	free(u.name);
	ld_fleet_vulns_free(v);
	if (rc == LADING_ENOMEM)
		ld_error_set(ctx, rc, "out of memory identifying vulnerabilities");
	return rc;
}

void ld_fleet_vulns_free(ld_fleet_vulns *v)
{
	if (!v)
		return;
	free(v->of);
	free(v->first);
	free(v->names);
	free(v);
}

size_t ld_fleet_vulns_count(const ld_fleet_vulns *v)
{
	return v->count;
}

const char *ld_fleet_vulns_name(const ld_fleet_vulns *v, size_t vuln)
{
	return vuln < v->count ? v->names[vuln] : NULL;
}

uint32_t ld_fleet_vulns_of(const ld_fleet_vulns *v, size_t image, size_t finding)
{
	return v->of[v->first[image] + finding];
}

static int cmp_pair(const void *a, const void *b)
{
	const ld_fleet_pair *x = a, *y = b;
	return (x->vuln > y->vuln) - (x->vuln < y->vuln);
}

size_t ld_fleet_image_pairs(const ld_fleet_vulns *v, const ld_fleet_data *d, size_t i, ld_fleet_pair *s)
{
	const ld_fleet_image *im = &d->images[i];
	size_t n = 0;
	for (size_t j = 0; j < im->finding_count; j++) {
		const ld_fleet_finding *f = &im->findings[j];
		s[j] = (ld_fleet_pair){v->of[v->first[i] + j], f->severity, f->kev, f->fixable};
	}
	if (im->finding_count > 1)
		qsort(s, im->finding_count, sizeof(*s), cmp_pair);
	for (size_t j = 0; j < im->finding_count; j++) {
		if (n && s[n - 1].vuln == s[j].vuln) {
			ld_fleet_pair *p = &s[n - 1];
			p->severity = LD_MAX(p->severity, s[j].severity);
			p->kev |= s[j].kev;
			p->fixable |= s[j].fixable;
		} else {
			s[n++] = s[j];
		}
	}
	return n;
}

double ld_fleet_median(const uint32_t *sorted, size_t n)
{
	if (!n)
		return 0;
	if (n % 2)
		return sorted[n / 2];
	return ((double)sorted[n / 2 - 1] + (double)sorted[n / 2]) / 2;
}

double ld_fleet_p90(const uint32_t *sorted, size_t n)
{
	size_t rank;
	if (!n)
		return 0;
	rank = (9 * n + 9) / 10; /* ceil(0.9 n), exact in integers */
	return sorted[rank - 1];
}

/* ---- references and groups ---- */

static bool is_host(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !memcmp(s, "localhost", 9));
}

void ld_fleet_ref_split(const char *ref, char *host, size_t hn, char *repo, size_t rn, char *tag, size_t tn)
{
	ld_slice r = ld_slice_cstr(ref), first, name;
	ptrdiff_t at = ld_slice_find(r, '@'), slash = ld_slice_find(r, '/'), colon;
	if (at >= 0)
		r.len = (size_t)at;
	ld_slice_copy(tag, tn, LD_SLICE_NULL);
	first = slash >= 0 ? ld_slice_make(r.ptr, (size_t)slash) : r;
	if (slash >= 0 && is_host(first.ptr, first.len)) {
		name = ld_slice_sub(r, (size_t)slash + 1, r.len);
		ld_slice_copy(host, hn, first);
		if (!strcmp(host, "index.docker.io") || !strcmp(host, "registry-1.docker.io"))
			ld_strlcpy(host, "docker.io", hn);
	} else {
		name = r;
		ld_strlcpy(host, "docker.io", hn);
	}
	/* the tag is after the last ':' of the last path component */
	slash = -1;
	for (size_t i = 0; i < name.len; i++)
		if (name.ptr[i] == '/')
			slash = (ptrdiff_t)i;
	colon = ld_slice_find(ld_slice_sub(name, (size_t)(slash + 1), name.len), ':');
	if (colon >= 0) {
		size_t c = (size_t)(slash + 1) + (size_t)colon;
		ld_slice_copy(tag, tn, ld_slice_sub(name, c + 1, name.len));
		name.len = c;
	}
	if (!strcmp(host, "docker.io") && !memchr(name.ptr, '/', name.len)) {
		ld_snprintf(repo, rn, "library/%.*s", (int)name.len, name.ptr);
		return;
	}
	ld_slice_copy(repo, rn, name);
}

enum { G_OFFICIAL, G_REGISTRY, G_REPO, G_NAMESPACE, G_SOURCE, G_LABEL };

struct ld_fleet_grouping {
	int kind;
	char key[128];      /* as given */
	const char *label;  /* G_LABEL: the label key (inside `key`) */
	regex_t re;
	bool has_re;
};

int ld_fleet_grouping_new(ld_fleet_grouping **out, const char *key, const char *official_re, lading_ctx *ctx)
{
	static const char *const kinds[] = {"official", "registry", "repo", "namespace", "source"};
	ld_fleet_grouping *g;
	*out = NULL;
	if (!key || !*key)
		key = "official";
	if (strlen(key) >= sizeof(g->key))
		return ld_error_set(ctx, LADING_EUSAGE, "group key too long");
	if (!(g = calloc(1, sizeof(*g))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_strlcpy(g->key, key, sizeof(g->key));
	g->kind = -1;
	for (size_t i = 0; i < LD_ARRAY_LEN(kinds); i++)
		if (!strcmp(key, kinds[i]))
			g->kind = (int)i;
	if (!strncmp(key, "label:", 6) && key[6]) {
		g->kind = G_LABEL;
		g->label = g->key + 6;
	}
	if (g->kind < 0) {
		free(g);
		return ld_error_set(ctx, LADING_EUSAGE, "unknown --group-by '%s' (official, registry, repo, "
				    "namespace, source, label:KEY)", key);
	}
	if (official_re) {
		int e = regcomp(&g->re, official_re, REG_EXTENDED | REG_NOSUB);
		if (e) {
			char msg[128];
			regerror(e, &g->re, msg, sizeof(msg));
			free(g);
			return ld_error_set(ctx, LADING_EUSAGE, "--official '%s': %s", official_re, msg);
		}
		g->has_re = true;
	}
	*out = g;
	return 0;
}

void ld_fleet_grouping_free(ld_fleet_grouping *g)
{
	if (!g)
		return;
	if (g->has_re)
		regfree(&g->re);
	free(g);
}

const char *ld_fleet_grouping_key(const ld_fleet_grouping *g)
{
	return g->key;
}

/* Docker Hub's official images: docker.io/library/NAME. */
static bool official_ref(const ld_fleet_grouping *g, const char *ref)
{
	char host[256], repo[512], tag[128];
	if (g->has_re && regexec(&g->re, ref, 0, NULL, 0) == 0)
		return true;
	ld_fleet_ref_split(ref, host, sizeof(host), repo, sizeof(repo), tag, sizeof(tag));
	return !strcmp(host, "docker.io") && !strncmp(repo, "library/", 8) && !strchr(repo + 8, '/');
}

static const char *ref_group(const ld_fleet_grouping *g, const char *ref, ld_arena *a)
{
	char host[256], repo[512], tag[128];
	char *slash;
	ld_fleet_ref_split(ref, host, sizeof(host), repo, sizeof(repo), tag, sizeof(tag));
	if (g->kind == G_REGISTRY)
		return ld_arena_strdup(a, host);
	if (g->kind == G_REPO)
		return ld_arena_printf(a, "%s/%s", host, repo);
	slash = strrchr(repo, '/');
	if (!slash)
		return ld_arena_strdup(a, host);
	*slash = '\0';
	return ld_arena_printf(a, "%s/%s", host, repo);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_name(const char **names, size_t max, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(names[i], s))
			return;
	if (*n < max)
		names[(*n)++] = s;
}

int ld_fleet_groups_of(const ld_fleet_grouping *g, const ld_fleet_image *img, ld_arena *arena,
		       const char **names, size_t max, size_t *n)
{
	*n = 0;
	if (!max)
		return 0;
	switch (g->kind) {
	case G_OFFICIAL:
		for (size_t i = 0; i < img->ref_count; i++)
			if (official_ref(g, img->refs[i])) {
				names[(*n)++] = "official";
				return 0;
			}
		names[(*n)++] = "community";
		return 0;
	case G_SOURCE:
		for (size_t i = 0; i < img->source_count; i++)
			add_name(names, max, n, img->sources[i]);
		if (!*n)
			names[(*n)++] = "(no source)";
		break;
	case G_LABEL:
		for (size_t i = 0; i < img->label_count; i++)
			if (!strcmp(img->labels[i].key, g->label))
				add_name(names, max, n, img->labels[i].value);
		if (!*n && !(names[(*n)++] = ld_arena_printf(arena, "(no label %s)", g->label)))
			return LADING_ENOMEM;
		break;
	default:
		for (size_t i = 0; i < img->ref_count; i++) {
			const char *s = ref_group(g, img->refs[i], arena);
			if (!s)
				return LADING_ENOMEM;
			add_name(names, max, n, s);
		}
		if (!*n)
			names[(*n)++] = "(no reference)";
		break;
	}
	qsort(names, *n, sizeof(*names), cmp_str);
	return 0;
}

/* ---- summaries ---- */

typedef struct acc {
	const char *group;   /* "" for overall */
	size_t grouping;     /* index of its grouping */
	ld_vec counts;       /* uint32_t distinct vulnerabilities per image */
	uint64_t kev, critical, fixable, running;
	char key[];          /* map key: grouping index and group name */
} acc;

/* The accumulator of `group` under grouping `gi` ("" = overall, one for all groupings). */
static acc *acc_of(ld_map *m, ld_vec *all, size_t gi, const char *group)
{
	char head[24];
	size_t hn, gn = strlen(group);
	acc *a, **slot;
	ld_buf k = LD_BUF_INIT;

	if (!*group)
		gi = 0;
	ld_snprintf(head, sizeof(head), "%zu\x1f", gi);
	hn = strlen(head);
	ld_buf_adds(&k, head);
	ld_buf_add(&k, group, gn);
	if (ld_buf_error(&k))
		return NULL;
	a = ld_map_get(m, ld_buf_slice(&k));
	ld_buf_release(&k);
	if (a)
		return a;
	if (!(a = calloc(1, sizeof(*a) + hn + gn + 1)) || !(slot = ld_vec_push(all))) {
		free(a);
		return NULL;
	}
	*slot = a;
	memcpy(a->key, head, hn);
	memcpy(a->key + hn, group, gn + 1);
	a->group = a->key + hn;
	a->grouping = gi;
	ld_vec_init(&a->counts, sizeof(uint32_t), 0);
	if (ld_map_put(m, ld_slice_cstr(a->key), a, NULL))
		return NULL;
	return a;
}

static int acc_image(acc *a, uint32_t vulns, bool kev, bool critical, bool fixable)
{
	uint32_t *c = ld_vec_push(&a->counts);
	if (!c)
		return LADING_ENOMEM;
	*c = vulns;
	a->kev += kev;
	a->critical += critical;
	a->fixable += fixable;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void acc_emit(const acc *a, ld_fleet_summary *s, const ld_fleet_grouping *const *g, int64_t time)
{
	uint32_t *c = a->counts.ptr;
	uint64_t sum = 0;
	if (a->counts.len > 1)
		qsort(c, a->counts.len, sizeof(*c), cmp_u32);
	for (size_t i = 0; i < a->counts.len; i++)
		sum += c[i];
	*s = (ld_fleet_summary){.time = time,
				.group_by = ld_fleet_grouping_key(g[a->grouping]),
				.group = a->group,
				.images = a->counts.len,
				.vulnerabilities = sum,
				.vulns_median = ld_fleet_median(c, a->counts.len),
				.vulns_p90 = ld_fleet_p90(c, a->counts.len),
				.kev_images = a->kev,
				.critical_images = a->critical,
				.fixable_images = a->fixable,
				.containers_running = a->running};
}

/* One image's distinct vulnerabilities (np of them, with their flags) into the overall
 * accumulator and into its groups' under every grouping. */
static int fold_image(ld_map *m, ld_vec *all, const ld_fleet_image *img, const ld_fleet_pair *pairs, size_t np,
		      const ld_fleet_grouping *const *g, size_t ngr, ld_arena *arena)
{
	const char *names[MAX_GROUPS_PER_IMAGE];
	bool kev = false, crit = false, fix = false;
	acc *a;
	int rc;

	for (size_t k = 0; k < np; k++) {
		kev |= pairs[k].kev;
		crit |= pairs[k].severity == LADING_SEVERITY_CRITICAL;
		fix |= pairs[k].fixable;
	}
	if (!(a = acc_of(m, all, 0, "")) || (rc = acc_image(a, (uint32_t)np, kev, crit, fix)))
		return LADING_ENOMEM;
	for (size_t j = 0; j < ngr; j++) {
		size_t ng = 0;
		if ((rc = ld_fleet_groups_of(g[j], img, arena, names, MAX_GROUPS_PER_IMAGE, &ng)))
			return rc;
		for (size_t k = 0; k < ng; k++)
			if (!(a = acc_of(m, all, j, names[k])) || acc_image(a, (uint32_t)np, kev, crit, fix))
				return LADING_ENOMEM;
	}
	return 0;
}

/* A running container counts in the overall row and in its image's groups. */
static int fold_container(ld_map *m, ld_vec *all, const ld_fleet_image *img, const ld_fleet_grouping *const *g,
			  size_t ngr, ld_arena *arena)
{
	const char *names[MAX_GROUPS_PER_IMAGE];
	acc *a;
	int rc;

	if (!(a = acc_of(m, all, 0, "")))
		return LADING_ENOMEM;
	a->running++;
	for (size_t j = 0; img && j < ngr; j++) {
		size_t ng = 0;
		if ((rc = ld_fleet_groups_of(g[j], img, arena, names, MAX_GROUPS_PER_IMAGE, &ng)))
			return rc;
		for (size_t k = 0; k < ng; k++) {
			if (!(a = acc_of(m, all, j, names[k])))
				return LADING_ENOMEM;
			a->running++;
		}
	}
	return 0;
}

/* Fold every image (and its running containers) into the overall accumulator and its groups'. */
static int summarize_images(ld_map *m, ld_vec *all, const ld_fleet_data *d, const ld_fleet_vulns *v,
			    const ld_fleet_grouping *const *g, size_t ngr, ld_arena *arena, ld_fleet_pair *scratch)
{
	ld_map byimg;
	int rc = 0;
	ld_map_init(&byimg);
	for (size_t i = 0; i < d->image_count && !rc; i++) {
		size_t np = ld_fleet_image_pairs(v, d, i, scratch);
		rc = fold_image(m, all, &d->images[i], scratch, np, g, ngr, arena);
		if (!rc && ld_map_put(&byimg, ld_slice_cstr(d->images[i].digest), (void *)(uintptr_t)(i + 1), NULL))
			rc = LADING_ENOMEM;
	}
	for (size_t c = 0; c < d->container_count && !rc; c++) {
		const ld_fleet_container *ct = &d->containers[c];
		uintptr_t idx = ct->image_digest ? (uintptr_t)ld_map_gets(&byimg, ct->image_digest) : 0;
		if (ct->state == LD_FLEET_RUNNING)
			rc = fold_container(m, all, idx ? &d->images[idx - 1] : NULL, g, ngr, arena);
	}
	ld_map_release(&byimg);
	return rc;
}

int ld_fleet_summarize(ld_fleet_summary **out, size_t *n, const ld_fleet_data *d, const ld_fleet_vulns *v,
		       const ld_fleet_grouping *const *g, size_t ngr, int64_t time, ld_arena *arena, lading_ctx *ctx)
{
	ld_map m;
	ld_vec all;
	size_t maxf = 1;
	ld_fleet_pair *scratch = NULL;
	int rc = LADING_ENOMEM;
	*out = NULL;
	*n = 0;
	ld_map_init(&m);
	ld_vec_init(&all, sizeof(acc *), 0);
	for (size_t i = 0; i < d->image_count; i++)
		maxf = LD_MAX(maxf, d->images[i].finding_count);
	if (!ngr || !(scratch = malloc(maxf * sizeof(*scratch))) || !acc_of(&m, &all, 0, ""))
		goto out;
	if ((rc = summarize_images(&m, &all, d, v, g, ngr, arena, scratch)))
		goto out;
	rc = LADING_ENOMEM;
	if (!(*out = ld_arena_array(arena, all.len, sizeof(**out))))
		goto out;
	for (size_t i = 0; i < all.len; i++) {
		const acc *a = *(acc **)ld_vec_at(&all, i);
		acc_emit(a, &(*out)[i], g, time);
		/* the accumulator (and the name in its key) is freed below */
		(*out)[i].group = *a->group ? ld_arena_strdup(arena, a->group) : NULL;
		if (*a->group && !(*out)[i].group)
			goto out;
	}
	*n = all.len;
	rc = 0;
out:
	for (size_t i = 0; i < all.len; i++) {
		acc *a = *(acc **)ld_vec_at(&all, i);
		ld_vec_release(&a->counts);
		free(a);
	}
	ld_vec_release(&all);
	ld_map_release(&m);
	free(scratch);
	if (rc)
		ld_error_set(ctx, rc, "out of memory summarizing the fleet");
	return rc;
}

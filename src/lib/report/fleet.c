/* Fleet statistics (docs/fleet.md defines every figure): per image facts first (distinct
 * vulnerabilities, flags, packages, famous entries, groups, age, base image), then one pass per
 * group over its images and containers. Cost is linear in findings plus, per group, in its
 * images' facts: 6,000 images and 100,000 containers take well under a second. */
#include "util/common.h"
#include "util/map.h"
#include "util/vec.h"
#include "report/fleet.h"

#include "lading/scan.h"

#define MAX_GROUPS_PER_IMAGE 64
#define DAY 86400

const char *const ld_fleet_vuln_bin_names[LD_FLEET_VULN_BINS] = {"0", "1-9", "10-24", "25-49", "50-99",
								  "100-199", "200-499", "500+"};
static const uint32_t vuln_bin_lo[LD_FLEET_VULN_BINS] = {0, 1, 10, 25, 50, 100, 200, 500};
const char *const ld_fleet_age_bin_names[LD_FLEET_AGE_BINS] = {"< 30 days", "30-89 days", "90-179 days",
								"180-364 days", "1-2 years", "2+ years", "unknown"};
static const int64_t age_bin_lo[LD_FLEET_AGE_BINS - 1] = {0, 30, 90, 180, 365, 730};

typedef struct facts {
	uint32_t nv;                 /* distinct vulnerabilities */
	uint8_t kev, crit, high, fixable, included;
	int64_t age;                 /* days, -1 unknown */
	int64_t base;                /* image index, -1 none */
	size_t pair_off, npairs, pkg_off, npkgs, fam_off, nfams, grp_off, ngrps;
	const char **repos;          /* per reference: HOST/REPO */
	const char **tags;           /* per reference: HOST/REPO:TAG, NULL for a digest reference */
} facts;

typedef struct work {
	const ld_fleet_data *d;
	const ld_fleet_opts *o;
	ld_fleet_stats *st;
	lading_ctx *ctx;
	ld_fleet_vulns *v;
	ld_fleet_grouping *g;
	facts *f;
	ld_vec pairs, pkgs, fams, grps; /* ld_fleet_pair, uint32_t x3 */
	ld_map gidx, pkgidx, famidx, byimg;
	ld_vec gnames, pkgnames;       /* const char * */
	uint8_t *vsev, *vkev, *psev, *pkev;
	int64_t *newer;                /* per image as a base: newer tags, -1 not computed */
	ld_vec *members;               /* per group: uint32_t image indices */
	ld_vec *gctrs;                 /* per group: uint32_t container indices */
	ld_vec allctrs;
	uint32_t *ctr_img;             /* per container: image index + 1, 0 unknown */
	uint32_t *count;               /* scratch counters, max(vulns, packages) */
	uint32_t *touched;
} work;

double ld_fleet_pct(size_t n, size_t d)
{
	return d ? 100.0 * (double)n / (double)d : 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int push_u32(ld_vec *v, uint32_t x)
{
	uint32_t *p = ld_vec_push(v);
	if (!p)
		return LADING_ENOMEM;
	*p = x;
	return 0;
}

/* Index of a string in a name table, added when new. */
static int intern(ld_map *m, ld_vec *names, const char *s, uint32_t *out)
{
	void *v = ld_map_gets(m, s);
	const char **slot;
	if (v) {
		*out = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (!(slot = ld_vec_push(names)))
		return LADING_ENOMEM;
	*slot = s;
	*out = (uint32_t)(names->len - 1);
	return ld_map_put(m, ld_slice_cstr(s), (void *)(uintptr_t)names->len, NULL);
}

/* ---- per image ---- */

static int image_pairs(work *w, size_t i, ld_fleet_pair *scratch)
{
	facts *f = &w->f[i];
	size_t n = ld_fleet_image_pairs(w->v, w->d, i, scratch);
	f->pair_off = w->pairs.len;
	f->npairs = n;
	f->nv = (uint32_t)n;
	for (size_t k = 0; k < n; k++) {
		ld_fleet_pair *p = ld_vec_push(&w->pairs);
		if (!p)
			return LADING_ENOMEM;
		*p = scratch[k];
		f->kev |= p->kev;
		f->crit |= p->severity == LADING_SEVERITY_CRITICAL;
		f->high |= p->severity == LADING_SEVERITY_HIGH;
		f->fixable |= p->fixable;
		w->vsev[p->vuln] = LD_MAX(w->vsev[p->vuln], p->severity);
		w->vkev[p->vuln] |= p->kev;
	}
	return 0;
}

/* The package of a finding as "type/name": interned without formatting (this runs once per
 * finding); the key is copied into the arena only the first time it is seen. */
static int package_of(work *w, const ld_fleet_finding *fd, uint32_t *out)
{
	const char *t = fd->pkg_type ? fd->pkg_type : "?", *n = fd->pkg_name ? fd->pkg_name : "?";
	size_t tl = strnlen(t, 256), nl = strnlen(n, 1024);
	char key[1290];
	void *v;
	memcpy(key, t, tl);
	key[tl] = '/';
	memcpy(key + tl + 1, n, nl);
	v = ld_map_get(&w->pkgidx, ld_slice_make(key, tl + 1 + nl));
	if (v) {
		*out = (uint32_t)((uintptr_t)v - 1);
	} else {
		const char *k = ld_arena_strndup(&w->st->arena, key, tl + 1 + nl);
		if (!k || intern(&w->pkgidx, &w->pkgnames, k, out))
			return LADING_ENOMEM;
	}
	w->psev[*out] = LD_MAX(w->psev[*out], fd->severity);
	w->pkev[*out] |= fd->kev;
	return 0;
}

/* Distinct packages with a finding, and distinct famous entries, of image i. */
static int image_pkgs_famous(work *w, size_t i)
{
	const ld_fleet_image *im = &w->d->images[i];
	facts *f = &w->f[i];
	int rc;
	f->pkg_off = w->pkgs.len;
	f->fam_off = w->fams.len;
	for (size_t j = 0; j < im->finding_count; j++) {
		const ld_fleet_finding *fd = &im->findings[j];
		uint32_t p;
		if ((rc = package_of(w, fd, &p)) || (rc = push_u32(&w->pkgs, p)))
			return rc;
		if (!w->famidx.len)
			continue;
		for (size_t a = 0; a <= fd->alias_count; a++) {
			const char *id = a ? fd->aliases[a - 1] : fd->id;
			/* famidx holds a 0-terminated list of entry indices + 1 */
			const uint32_t *l = id ? ld_map_gets(&w->famidx, id) : NULL;
			for (; l && *l; l++)
				if ((rc = push_u32(&w->fams, *l - 1)))
					return rc;
		}
	}
	f->npkgs = w->pkgs.len - f->pkg_off;
	f->nfams = w->fams.len - f->fam_off;
	return 0;
}

static size_t uniq_u32(uint32_t *a, size_t n)
{
	size_t k = 0;
	if (n > 1)
		qsort(a, n, sizeof(*a), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!k || a[k - 1] != a[i])
			a[k++] = a[i];
	return k;
}

static int image_groups(work *w, size_t i)
{
	const char *names[MAX_GROUPS_PER_IMAGE];
	size_t n = 0;
	facts *f = &w->f[i];
	int rc = ld_fleet_groups_of(w->g, &w->d->images[i], &w->st->arena, names, MAX_GROUPS_PER_IMAGE, &n);
	f->grp_off = w->grps.len;
	for (size_t k = 0; k < n && !rc; k++) {
		uint32_t gi;
		if (!(rc = intern(&w->gidx, &w->gnames, names[k], &gi)))
			rc = push_u32(&w->grps, gi);
	}
	f->ngrps = n;
	return rc;
}

static int image_repos(work *w, size_t i)
{
	const ld_fleet_image *im = &w->d->images[i];
	facts *f = &w->f[i];
	char host[256], repo[512], tag[128];
	if (!im->ref_count)
		return 0;
	if (!(f->repos = ld_arena_array(&w->st->arena, im->ref_count, sizeof(*f->repos))) ||
	    !(f->tags = ld_arena_array(&w->st->arena, im->ref_count, sizeof(*f->tags))))
		return LADING_ENOMEM;
	for (size_t k = 0; k < im->ref_count; k++) {
		ld_fleet_ref_split(im->refs[k], host, sizeof(host), repo, sizeof(repo), tag, sizeof(tag));
		if (!(f->repos[k] = ld_arena_printf(&w->st->arena, "%s/%s", host, repo)) ||
		    (tag[0] && !(f->tags[k] = ld_arena_printf(&w->st->arena, "%s/%s:%s", host, repo, tag))))
			return LADING_ENOMEM;
	}
	return 0;
}

static int64_t age_days(int64_t now, int64_t created)
{
	if (created == LD_FLEET_TIME_UNKNOWN)
		return -1;
	return created >= now ? 0 : (now - created) / DAY;
}

static int image_facts(work *w, size_t i, ld_fleet_pair *scratch)
{
	const ld_fleet_image *im = &w->d->images[i];
	facts *f = &w->f[i];
	int rc;
	f->age = age_days(w->st->now, im->created);
	f->base = -1;
	if ((rc = image_pairs(w, i, scratch)) || (rc = image_pkgs_famous(w, i)) || (rc = image_repos(w, i)))
		return rc;
	/* (a vector that never grew has no array to point into) */
	if (f->npkgs)
		f->npkgs = uniq_u32((uint32_t *)w->pkgs.ptr + f->pkg_off, f->npkgs);
	w->pkgs.len = f->pkg_off + f->npkgs;
	if (f->nfams)
		f->nfams = uniq_u32((uint32_t *)w->fams.ptr + f->fam_off, f->nfams);
	w->fams.len = f->fam_off + f->nfams;
	return f->included ? image_groups(w, i) : 0;
}

/* ---- base images ---- */

static uint64_t hash_step(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull; /* separator: "ab","c" != "a","bc" */
}

static bool is_prefix(const ld_fleet_image *base, const ld_fleet_image *im)
{
	for (size_t k = 0; k < base->layer_count; k++)
		if (strcmp(base->layers[k], im->layers[k]))
			return false;
	return true;
}

/* Prefer the newest image among equal layer lists, then the smaller digest: deterministic. */
static bool better_base(const ld_fleet_image *a, const ld_fleet_image *b)
{
	if (a->created != b->created)
		return a->created > b->created;
	return strcmp(a->digest, b->digest) < 0;
}

static int find_bases(work *w)
{
	const ld_fleet_data *d = w->d;
	uint64_t *full = ld_arena_array(&w->st->arena, d->image_count + 1, sizeof(*full));
	int64_t *next = ld_arena_array(&w->st->arena, d->image_count + 1, sizeof(*next));
	ld_map heads;
	int rc = 0;
	if (!full || !next)
		return LADING_ENOMEM;
	ld_map_init(&heads);
	for (size_t i = 0; i < d->image_count && !rc; i++) {
		uint64_t h = 1469598103934665603ull;
		void *old = NULL;
		for (size_t k = 0; k < d->images[i].layer_count; k++)
			h = hash_step(h, d->images[i].layers[k]);
		full[i] = h;
		if (!d->images[i].layer_count || w->f[i].included == 2)
			continue;
		if (ld_map_put(&heads, ld_slice_make(&full[i], sizeof(full[i])), (void *)(uintptr_t)(i + 1), &old))
			rc = LADING_ENOMEM;
		next[i] = old ? (int64_t)(uintptr_t)old - 1 : -1;
	}
	for (size_t i = 0; i < d->image_count && !rc; i++) {
		const ld_fleet_image *im = &d->images[i];
		uint64_t *pre;
		if (!w->f[i].included || im->layer_count < 2)
			continue;
		if (!(pre = malloc(im->layer_count * sizeof(*pre)))) {
			rc = LADING_ENOMEM;
			break;
		}
		pre[0] = hash_step(1469598103934665603ull, im->layers[0]);
		for (size_t k = 1; k < im->layer_count; k++)
			pre[k] = hash_step(pre[k - 1], im->layers[k]);
		for (size_t k = im->layer_count - 1; k >= 1 && w->f[i].base < 0; k--) {
			void *h = ld_map_get(&heads, ld_slice_make(&pre[k - 1], sizeof(pre[k - 1])));
			for (int64_t j = h ? (int64_t)(uintptr_t)h - 1 : -1; j >= 0; j = next[j]) {
				const ld_fleet_image *b = &d->images[j];
				if (b->layer_count == k && is_prefix(b, im) &&
				    (w->f[i].base < 0 || better_base(b, &d->images[w->f[i].base])))
					w->f[i].base = j;
			}
		}
		free(pre);
	}
	ld_map_release(&heads);
	return rc;
}

/* Distinct tag references of the base's repositories on images created after the base. */
static int64_t newer_tags(work *w, ld_map *byrepo, size_t b)
{
	const ld_fleet_image *base = &w->d->images[b];
	ld_map seen;
	int64_t n = 0;
	if (w->newer[b] >= 0)
		return w->newer[b];
	if (base->created == LD_FLEET_TIME_UNKNOWN)
		return w->newer[b] = 0;
	ld_map_init(&seen);
	for (size_t r = 0; r < base->ref_count; r++) {
		const ld_vec *v = ld_map_gets(byrepo, w->f[b].repos[r]);
		for (size_t k = 0; v && k < v->len; k++) {
			uint32_t img = *(const uint32_t *)ld_vec_at(v, k);
			const ld_fleet_image *o = &w->d->images[img];
			if (o->created == LD_FLEET_TIME_UNKNOWN || o->created <= base->created)
				continue;
			for (size_t t = 0; t < o->ref_count; t++) {
				void *old = NULL;
				if (!w->f[img].tags[t] || strcmp(w->f[img].repos[t], w->f[b].repos[r]))
					continue;
				ld_map_put(&seen, ld_slice_cstr(w->f[img].tags[t]), (void *)1, &old);
				n += !old;
			}
		}
	}
	ld_map_release(&seen);
	return w->newer[b] = n;
}

static void free_byrepo(ld_map *m)
{
	const ld_map_slot *s;
	for (size_t i = 0; ld_map_next(m, &i, &s);) {
		ld_vec_release(s->val);
		free(s->val);
	}
	ld_map_release(m);
}

/* repository -> images with a reference in it (each image once per repository). */
static int build_byrepo(work *w, ld_map *m)
{
	for (size_t i = 0; i < w->d->image_count; i++) {
		for (size_t r = 0; w->f[i].included != 2 && r < w->d->images[i].ref_count; r++) {
			ld_vec *v = ld_map_gets(m, w->f[i].repos[r]);
			if (!v) {
				if (!(v = malloc(sizeof(*v))))
					return LADING_ENOMEM;
				ld_vec_init(v, sizeof(uint32_t), 0);
				if (ld_map_put(m, ld_slice_cstr(w->f[i].repos[r]), v, NULL)) {
					free(v);
					return LADING_ENOMEM;
				}
			}
			if (v->len && *(uint32_t *)ld_vec_at(v, v->len - 1) == i)
				continue;
			if (push_u32(v, (uint32_t)i))
				return LADING_ENOMEM;
		}
	}
	return 0;
}

/* ---- per group ---- */

static int cmp_top(const void *a, const void *b)
{
	const ld_fleet_top *x = a, *y = b;
	if (x->images != y->images)
		return x->images < y->images ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Top entries of the counters touched: by images affected, then name. */
static int top_of(work *w, size_t ntouched, const ld_vec *names_or_null, bool kev_only, bool pkgs,
		  ld_fleet_top **out, size_t *n)
{
	ld_fleet_top *all = malloc((ntouched ? ntouched : 1) * sizeof(*all));
	size_t k = 0;
	if (!all)
		return LADING_ENOMEM;
	for (size_t i = 0; i < ntouched; i++) {
		uint32_t x = w->touched[i];
		if (kev_only && !w->vkev[x])
			continue;
		all[k].name = pkgs ? *(const char **)ld_vec_at(names_or_null, x) : ld_fleet_vulns_name(w->v, x);
		all[k].images = w->count[x];
		all[k].severity = pkgs ? w->psev[x] : w->vsev[x];
		all[k].kev = pkgs ? w->pkev[x] : w->vkev[x];
		all[k++].extra = 0;
	}
	qsort(all, k, sizeof(*all), cmp_top);
	*n = LD_MIN(k, (size_t)LD_FLEET_TOP);
	*out = ld_arena_memdup(&w->st->arena, all, (*n ? *n : 1) * sizeof(*all));
	free(all);
	return *out ? 0 : LADING_ENOMEM;
}

/* Count images per vulnerability (or package) over the group's members, then keep the top. */
static int group_tops(work *w, ld_fleet_group_stats *gs, const uint32_t *m, size_t n)
{
	size_t nt = 0;
	int rc;
	for (size_t i = 0; i < n; i++) {
		const facts *f = &w->f[m[i]];
		for (size_t k = 0; k < f->npairs; k++) {
			uint32_t x = ((ld_fleet_pair *)w->pairs.ptr)[f->pair_off + k].vuln;
			if (!w->count[x]++)
				w->touched[nt++] = x;
		}
	}
	rc = top_of(w, nt, NULL, false, false, &gs->top_vulns, &gs->n_top_vulns);
	if (!rc)
		rc = top_of(w, nt, NULL, true, false, &gs->top_kev, &gs->n_top_kev);
	for (size_t i = 0; i < nt; i++)
		w->count[w->touched[i]] = 0;
	if (rc)
		return rc;
	nt = 0;
	for (size_t i = 0; i < n; i++) {
		const facts *f = &w->f[m[i]];
		for (size_t k = 0; k < f->npkgs; k++) {
			uint32_t x = ((uint32_t *)w->pkgs.ptr)[f->pkg_off + k];
			if (!w->count[x]++)
				w->touched[nt++] = x;
		}
	}
	rc = top_of(w, nt, &w->pkgnames, false, true, &gs->top_pkgs, &gs->n_top_pkgs);
	for (size_t i = 0; i < nt; i++)
		w->count[w->touched[i]] = 0;
	return rc;
}

static size_t vuln_bin(uint32_t nv)
{
	size_t b = 0;
	while (b + 1 < LD_FLEET_VULN_BINS && nv >= vuln_bin_lo[b + 1])
		b++;
	return b;
}

static size_t age_bin(int64_t days)
{
	size_t b = 0;
	if (days < 0)
		return LD_FLEET_AGE_BINS - 1;
	while (b + 1 < LD_FLEET_AGE_BINS - 1 && days >= age_bin_lo[b + 1])
		b++;
	return b;
}

/* Image counts, distributions, severity mix, famous, age and base figures of one group. */
static int group_images(work *w, ld_fleet_group_stats *gs, const uint32_t *m, size_t n, ld_map *byrepo)
{
	uint32_t *nv = malloc((n ? n : 1) * sizeof(*nv)), *ages = malloc((n ? n : 1) * sizeof(*ages)),
		 *bages = malloc((n ? n : 1) * sizeof(*bages));
	uint64_t sum = 0;
	size_t nb = 0;
	int rc = LADING_ENOMEM;
	if (!nv || !ages || !bages ||
	    !(gs->famous = ld_arena_array(&w->st->arena, w->st->famous ? w->st->famous->count + 1 : 1, sizeof(size_t))))
		goto out;
	gs->images = n;
	for (size_t i = 0; i < n; i++) {
		const facts *f = &w->f[m[i]];
		const ld_fleet_pair *p = f->npairs ? (ld_fleet_pair *)w->pairs.ptr + f->pair_off : NULL;
		nv[i] = f->nv;
		sum += f->nv;
		gs->matched += w->d->images[m[i]].matched;
		gs->findings += f->npairs;
		for (size_t k = 0; k < f->npairs; k++)
			gs->by_severity[p[k].severity < 5 ? p[k].severity : 0]++;
		gs->img_critical += f->crit;
		gs->img_high += f->high;
		gs->img_high_or_critical += f->crit || f->high;
		gs->img_kev += f->kev;
		gs->img_fixable += f->fixable;
		gs->vuln_hist[vuln_bin(f->nv)]++;
		for (size_t k = 0; k < f->nfams; k++)
			gs->famous[((uint32_t *)w->fams.ptr)[f->fam_off + k]]++;
		gs->age_hist[age_bin(f->age)]++;
		if (f->age >= 0) {
			ages[gs->dated++] = (uint32_t)LD_MIN(f->age, (int64_t)UINT32_MAX);
			gs->older[0] += f->age > 90;
			gs->older[1] += f->age > 180;
			gs->older[2] += f->age > 365;
		}
		if (f->base >= 0) {
			int64_t ba = age_days(w->st->now, w->d->images[f->base].created);
			gs->with_base++;
			gs->base_behind += newer_tags(w, byrepo, (size_t)f->base) > 0;
			if (ba >= 0)
				bages[nb++] = (uint32_t)LD_MIN(ba, (int64_t)UINT32_MAX);
		}
	}
	qsort(nv, n, sizeof(*nv), cmp_u32);
	qsort(ages, gs->dated, sizeof(*ages), cmp_u32);
	qsort(bages, nb, sizeof(*bages), cmp_u32);
	gs->vpi_mean = n ? (double)sum / (double)n : 0;
	gs->vpi_median = ld_fleet_median(nv, n);
	gs->vpi_p90 = ld_fleet_p90(nv, n);
	gs->age_median_days = ld_fleet_median(ages, gs->dated);
	gs->base_age_median_days = ld_fleet_median(bages, nb);
	rc = 0;
out:
	free(nv);
	free(ages);
	free(bages);
	return rc;
}

/* Distinct repositories and tag references of the group's images. */
static int group_refs(work *w, ld_fleet_group_stats *gs, const uint32_t *m, size_t n)
{
	ld_map repos, tags;
	int rc = 0;
	ld_map_init(&repos);
	ld_map_init(&tags);
	for (size_t i = 0; i < n && !rc; i++) {
		const ld_fleet_image *im = &w->d->images[m[i]];
		for (size_t r = 0; r < im->ref_count && !rc; r++) {
			void *old = NULL;
			if (ld_map_put(&repos, ld_slice_cstr(w->f[m[i]].repos[r]), (void *)1, &old))
				rc = LADING_ENOMEM;
			gs->repositories += !old;
			old = NULL;
			if (!w->f[m[i]].tags[r])
				continue;
			if (ld_map_put(&tags, ld_slice_cstr(w->f[m[i]].tags[r]), (void *)1, &old))
				rc = LADING_ENOMEM;
			gs->tags += !old;
		}
	}
	ld_map_release(&repos);
	ld_map_release(&tags);
	return rc;
}

static int cmp_running(const void *a, const void *b)
{
	const ld_fleet_ctr_row *x = a, *y = b;
	int c;
	if (x->kev != y->kev)
		return y->kev - x->kev;
	/* the same id may come from two sources: the order never depends on the input's */
	c = strcmp(x->c->id, y->c->id);
	return c ? c : strcmp(x->c->source ? x->c->source : "", y->c->source ? y->c->source : "");
}

static int cmp_gone(const void *a, const void *b)
{
	const ld_fleet_ctr_row *x = a, *y = b;
	int c;
	if (x->c->last_seen != y->c->last_seen)
		return x->c->last_seen < y->c->last_seen ? 1 : -1;
	c = strcmp(x->c->id, y->c->id);
	return c ? c : strcmp(x->c->source ? x->c->source : "", y->c->source ? y->c->source : "");
}

/* The k first rows of v[0..n) in cmp order, sorted, into v[0..min(n, k)): a bounded heap of the
 * k best so far (its root the worst of them), then one sort of those k. A group's list shows at
 * most k containers of possibly 100,000: sorting them all was most of the report's time. */
static void sift_down(ld_fleet_ctr_row *h, size_t n, size_t i, int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		ld_fleet_ctr_row t;
		if (l < n && cmp(&h[l], &h[m]) > 0)
			m = l;
		if (r < n && cmp(&h[r], &h[m]) > 0)
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void top_k(ld_fleet_ctr_row *v, size_t n, size_t k, int (*cmp)(const void *, const void *))
{
	if (n > k && k) {
		for (size_t i = k / 2; i-- > 0;)
			sift_down(v, k, i, cmp);
		for (size_t i = k; i < n; i++)
			if (cmp(&v[i], &v[0]) < 0) {
				v[0] = v[i];
				sift_down(v, k, 0, cmp);
			}
		n = k;
	}
	if (n > 1)
		qsort(v, LD_MIN(n, k), sizeof(*v), cmp);
}

/* Container states and the containers (running, gone) on images with KEV or critical findings. */
static int group_containers(work *w, ld_fleet_group_stats *gs, const uint32_t *cs, size_t n, size_t cap)
{
	/* one spare row: the lists are copied with it so that an empty list is a valid array */
	ld_fleet_ctr_row *run = calloc(n + 1, sizeof(*run)), *gone = calloc(n + 1, sizeof(*gone));
	int rc = LADING_ENOMEM;
	if (!run || !gone)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const ld_fleet_container *c = &w->d->containers[cs[i]];
		uint32_t img = w->ctr_img[cs[i]];
		const facts *f = img ? &w->f[img - 1] : NULL;
		ld_fleet_ctr_row row;
		gs->containers[c->state < 5 ? c->state : 0]++;
		gs->containers_total++;
		if (!f || !(f->kev || f->crit))
			continue;
		row.c = c;
		row.kev = f->kev;
		row.critical = f->crit;
		row.image = w->d->images[img - 1].ref_count ? w->d->images[img - 1].refs[0] : w->d->images[img - 1].digest;
		if (c->state == LD_FLEET_RUNNING)
			run[gs->risky_running++] = row;
		else if (c->state == LD_FLEET_GONE)
			gone[gs->risky_gone++] = row;
	}
	top_k(run, gs->risky_running, cap, cmp_running);
	top_k(gone, gs->risky_gone, cap, cmp_gone);
	gs->n_running = LD_MIN(gs->risky_running, cap);
	gs->n_gone = LD_MIN(gs->risky_gone, cap);
	gs->running = ld_arena_memdup(&w->st->arena, run, (gs->n_running + 1) * sizeof(*run));
	gs->gone = ld_arena_memdup(&w->st->arena, gone, (gs->n_gone + 1) * sizeof(*gone));
	rc = gs->running && gs->gone ? 0 : LADING_ENOMEM;
out:
	free(run);
	free(gone);
	return rc;
}

static int group_stats(work *w, ld_fleet_group_stats *gs, const ld_vec *members, const ld_vec *ctrs,
		       ld_map *byrepo)
{
	const uint32_t *m = members->ptr;
	int rc;
	if ((rc = group_images(w, gs, m, members->len, byrepo)) || (rc = group_refs(w, gs, m, members->len)) ||
	    (rc = group_tops(w, gs, m, members->len)))
		return rc;
	return group_containers(w, gs, ctrs->ptr, ctrs->len, gs == &w->st->overall ? LD_FLEET_LIST_MAX : LD_FLEET_GROUP_LIST_MAX);
}

/* ---- preparation ---- */

/* famous id -> 0-terminated list of entry indices + 1 (an id may belong to several entries). */
static int build_famidx(work *w)
{
	const ld_famous *fm = w->st->famous;
	for (size_t e = 0; fm && e < fm->count; e++) {
		for (size_t k = 0; k < fm->entries[e].id_count; k++) {
			const char *id = fm->entries[e].ids[k];
			uint32_t *old = ld_map_gets(&w->famidx, id), *l;
			size_t n = 0;
			while (old && old[n])
				n++;
			if (n && old[n - 1] == e + 1)
				continue;
			if (!(l = ld_arena_array(&w->st->arena, n + 2, sizeof(*l))))
				return LADING_ENOMEM;
			if (n)
				memcpy(l, old, n * sizeof(*l));
			l[n] = (uint32_t)e + 1;
			if (ld_map_put(&w->famidx, ld_slice_cstr(id), l, NULL))
				return LADING_ENOMEM;
		}
	}
	return 0;
}

/* Digests (config and manifest) -> image; a repeated config digest is counted once. Images
 * last seen before --since are left out (included = 0); repeats are marked 2. */
static int index_images(work *w)
{
	for (size_t i = 0; i < w->d->image_count; i++) {
		const ld_fleet_image *im = &w->d->images[i];
		void *old = NULL;
		if (ld_map_put(&w->byimg, ld_slice_cstr(im->digest), (void *)(uintptr_t)(i + 1), &old))
			return LADING_ENOMEM;
		if (old) {
			ld_map_put(&w->byimg, ld_slice_cstr(im->digest), old, NULL);
			w->f[i].included = 2;
			w->st->duplicates++;
			continue;
		}
		w->f[i].included = w->st->since == LD_FLEET_TIME_UNKNOWN || im->last_seen == LD_FLEET_TIME_UNKNOWN ||
				   im->last_seen >= w->st->since;
		w->st->images_skipped += !w->f[i].included;
		for (size_t k = 0; k < im->manifest_count; k++)
			if (!ld_map_gets(&w->byimg, im->manifest_digests[k]) &&
			    ld_map_put(&w->byimg, ld_slice_cstr(im->manifest_digests[k]), (void *)(uintptr_t)(i + 1), NULL))
				return LADING_ENOMEM;
	}
	return 0;
}

static int alloc_work(work *w, size_t total)
{
	size_t nv = ld_fleet_vulns_count(w->v) + 1, big = LD_MAX(nv, total + 1);
	ld_vec_init(&w->pairs, sizeof(ld_fleet_pair), 0);
	ld_vec_init(&w->pkgs, sizeof(uint32_t), 0);
	ld_vec_init(&w->fams, sizeof(uint32_t), 0);
	ld_vec_init(&w->grps, sizeof(uint32_t), 0);
	ld_vec_init(&w->gnames, sizeof(const char *), 0);
	ld_vec_init(&w->pkgnames, sizeof(const char *), 0);
	ld_vec_init(&w->allctrs, sizeof(uint32_t), 0);
	w->f = calloc(w->d->image_count + 1, sizeof(*w->f));
	w->vsev = calloc(nv, 1);
	w->vkev = calloc(nv, 1);
	w->psev = calloc(total + 1, 1);
	w->pkev = calloc(total + 1, 1);
	w->newer = malloc((w->d->image_count + 1) * sizeof(*w->newer));
	w->ctr_img = calloc(w->d->container_count + 1, sizeof(*w->ctr_img));
	w->count = calloc(big, sizeof(*w->count));
	w->touched = malloc(big * sizeof(*w->touched));
	if (!w->f || !w->vsev || !w->vkev || !w->psev || !w->pkev || !w->newer || !w->ctr_img || !w->count ||
	    !w->touched)
		return LADING_ENOMEM;
	for (size_t i = 0; i <= w->d->image_count; i++)
		w->newer[i] = -1;
	return 0;
}

static int all_facts(work *w)
{
	size_t maxf = 1;
	ld_fleet_pair *scratch;
	int rc = 0;
	for (size_t i = 0; i < w->d->image_count; i++)
		maxf = LD_MAX(maxf, w->d->images[i].finding_count);
	if (!(scratch = malloc(maxf * sizeof(*scratch))))
		return LADING_ENOMEM;
	for (size_t i = 0; i < w->d->image_count && !rc; i++)
		if (w->f[i].included != 2)
			rc = image_facts(w, i, scratch);
	free(scratch);
	return rc;
}

/* Members of each group, and containers of each group (a container counts in its image's). */
static int memberships(work *w, ld_vec *overall)
{
	size_t ng = w->gnames.len;
	if (!(w->members = calloc(ng + 1, sizeof(*w->members))) || !(w->gctrs = calloc(ng + 1, sizeof(*w->gctrs))))
		return LADING_ENOMEM;
	for (size_t g = 0; g < ng; g++) {
		ld_vec_init(&w->members[g], sizeof(uint32_t), 0);
		ld_vec_init(&w->gctrs[g], sizeof(uint32_t), 0);
	}
	for (size_t i = 0; i < w->d->image_count; i++) {
		const facts *f = &w->f[i];
		if (f->included != 1)
			continue;
		if (push_u32(overall, (uint32_t)i))
			return LADING_ENOMEM;
		for (size_t k = 0; k < f->ngrps; k++)
			if (push_u32(&w->members[((uint32_t *)w->grps.ptr)[f->grp_off + k]], (uint32_t)i))
				return LADING_ENOMEM;
	}
	for (size_t c = 0; c < w->d->container_count; c++) {
		const ld_fleet_container *ct = &w->d->containers[c];
		uintptr_t img = ct->image_digest ? (uintptr_t)ld_map_gets(&w->byimg, ct->image_digest) : 0;
		const facts *f = img ? &w->f[img - 1] : NULL;
		if (w->st->since != LD_FLEET_TIME_UNKNOWN && ct->last_seen != LD_FLEET_TIME_UNKNOWN &&
		    ct->last_seen < w->st->since)
			continue;
		w->ctr_img[c] = (uint32_t)img;
		w->st->containers_unknown_image += !img;
		if (push_u32(&w->allctrs, (uint32_t)c))
			return LADING_ENOMEM;
		for (size_t k = 0; f && f->included == 1 && k < f->ngrps; k++)
			if (push_u32(&w->gctrs[((uint32_t *)w->grps.ptr)[f->grp_off + k]], (uint32_t)c))
				return LADING_ENOMEM;
	}
	return 0;
}

static int cmp_base(const void *a, const void *b)
{
	const ld_fleet_base_row *x = a, *y = b;
	if (x->images != y->images)
		return x->images < y->images ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Base images of the included images, by images built on them. */
static int base_table(work *w, ld_map *byrepo)
{
	size_t n = 0, *per = calloc(w->d->image_count + 1, sizeof(*per));
	ld_fleet_base_row *rows;
	if (!per)
		return LADING_ENOMEM;
	for (size_t i = 0; i < w->d->image_count; i++)
		if (w->f[i].included == 1 && w->f[i].base >= 0 && !per[w->f[i].base]++)
			n++;
	if (!(rows = ld_arena_array(&w->st->arena, n + 1, sizeof(*rows)))) {
		free(per);
		return LADING_ENOMEM;
	}
	n = 0;
	for (size_t b = 0; b < w->d->image_count; b++) {
		const ld_fleet_image *im = &w->d->images[b];
		if (!per[b])
			continue;
		rows[n] = (ld_fleet_base_row){im->ref_count ? im->refs[0] : im->digest, per[b], im->created,
					      (size_t)newer_tags(w, byrepo, b)};
		n++;
	}
	free(per);
	qsort(rows, n, sizeof(*rows), cmp_base);
	w->st->bases = rows;
	w->st->base_count = LD_MIN(n, (size_t)LD_FLEET_TOP);
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const ld_fleet_group_stats *)a)->name, ((const ld_fleet_group_stats *)b)->name);
}

static int history_select(ld_fleet_stats *st, const ld_fleet_data *d)
{
	if (!(st->hist = ld_arena_array(&st->arena, d->history_count + 1, sizeof(*st->hist))))
		return LADING_ENOMEM;
	for (size_t i = 0; i < d->history_count; i++) {
		const ld_fleet_summary *s = &d->history[i];
		if (st->since != LD_FLEET_TIME_UNKNOWN && s->time < st->since)
			continue;
		if (s->group && (!s->group_by || strcmp(s->group_by, st->group_by)))
			continue;
		st->hist[st->hist_count++] = s;
	}
	return 0;
}

static int compute_groups(work *w, ld_map *byrepo)
{
	ld_fleet_stats *st = w->st;
	ld_vec overall;
	int rc;
	ld_vec_init(&overall, sizeof(uint32_t), 0);
	if ((rc = memberships(w, &overall)))
		goto out;
	st->overall.name = "overall";
	if ((rc = group_stats(w, &st->overall, &overall, &w->allctrs, byrepo)))
		goto out;
	st->group_count = w->gnames.len;
	rc = LADING_ENOMEM;
	if (!(st->groups = ld_arena_array(&st->arena, st->group_count + 1, sizeof(*st->groups))))
		goto out;
	for (size_t g = 0; g < st->group_count; g++) {
		st->groups[g].name = *(const char **)ld_vec_at(&w->gnames, g);
		if ((rc = group_stats(w, &st->groups[g], &w->members[g], &w->gctrs[g], byrepo)))
			goto out;
	}
	qsort(st->groups, st->group_count, sizeof(*st->groups), cmp_group);
	rc = base_table(w, byrepo);
out:
	ld_vec_release(&overall);
	return rc;
}

static void work_release(work *w)
{
	ld_vec *vecs[] = {&w->pairs, &w->pkgs, &w->fams, &w->grps, &w->gnames, &w->pkgnames, &w->allctrs};
	/* per group first: their count is gnames.len */
	for (size_t g = 0; w->members && g < w->gnames.len; g++)
		ld_vec_release(&w->members[g]);
	for (size_t g = 0; w->gctrs && g < w->gnames.len; g++)
		ld_vec_release(&w->gctrs[g]);
	for (size_t i = 0; i < LD_ARRAY_LEN(vecs); i++)
		ld_vec_release(vecs[i]);
	free(w->members);
	free(w->gctrs);
	ld_map_release(&w->gidx);
	ld_map_release(&w->pkgidx);
	ld_map_release(&w->famidx);
	ld_map_release(&w->byimg);
	free(w->f);
	free(w->vsev);
	free(w->vkev);
	free(w->psev);
	free(w->pkev);
	free(w->newer);
	free(w->ctr_img);
	free(w->count);
	free(w->touched);
	ld_fleet_vulns_free(w->v);
	ld_fleet_grouping_free(w->g);
}

int ld_fleet_stats_compute(ld_fleet_stats *st, const ld_fleet_data *d, const ld_fleet_opts *o, lading_ctx *ctx)
{
	work w = {.d = d, .o = o, .st = st, .ctx = ctx};
	ld_map byrepo;
	size_t total = 0;
	int rc;
	memset(st, 0, sizeof(*st));
	ld_arena_init(&st->arena, 0);
	ld_map_init(&w.gidx);
	ld_map_init(&w.pkgidx);
	ld_map_init(&w.famidx);
	ld_map_init(&w.byimg);
	ld_map_init(&byrepo);
	st->now = o->now;
	st->since = o->since;
	st->generated = d->generated;
	st->famous = o->famous;
	st->history = o->history;
	st->census = d->census.present ? &d->census : NULL;
	for (size_t i = 0; i < d->image_count; i++)
		total += d->images[i].finding_count;
	if ((rc = ld_fleet_grouping_new(&w.g, o->group_by, o->official_re, ctx)) ||
	    (rc = ld_fleet_vulns_build(&w.v, d, ctx)))
		goto out;
	st->group_by = ld_arena_strdup(&st->arena, ld_fleet_grouping_key(w.g));
	if (!st->group_by || (rc = alloc_work(&w, total)) || (rc = build_famidx(&w)) || (rc = index_images(&w)) ||
	    (rc = all_facts(&w)) || (rc = find_bases(&w)) || (rc = build_byrepo(&w, &byrepo)) ||
	    (rc = compute_groups(&w, &byrepo)) || (rc = history_select(st, d)))
		rc = rc ? rc : LADING_ENOMEM;
out:
	free_byrepo(&byrepo);
	work_release(&w);
	if (rc && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "fleet report: out of memory");
	if (rc)
		ld_fleet_stats_release(st);
	return rc;
}

void ld_fleet_stats_release(ld_fleet_stats *st)
{
	ld_arena_release(&st->arena);
	memset(st, 0, sizeof(*st));
}

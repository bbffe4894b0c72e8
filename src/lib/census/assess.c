/* Assessment: per product, the version spread, how far behind the newest known version the hosts
 * are, and which versions upstream data calls vulnerable (docs/census.md, "Assessment").
 *
 * Data: Bitnami's OSV records track upstream releases of server products (ranges in upstream
 * version numbers, which is what banners disclose); NVD's CPE configurations cover the rest
 * (OpenSSH, MySQL...). "Newest known" is the newest clean release number in that data or in the
 * records themselves. "Behind" and "vulnerable" are separate questions, and a host that announces
 * a distribution build ("Debian-2+deb12u3") is "possibly backported", never "vulnerable": its
 * vendor may have patched the version it still calls by the upstream number. */
#include <ctype.h>
#include <strings.h>

#include "util/common.h"
#include "census/census.h"
#include "lading/vulndb.h"
#include "match/match.h"
#include "util/map.h"
#include "version/version.h"
#include "vulndb/query.h"

/* Named limits. */
#define AS_MAX_CORE 6	      /* numeric components compared */
#define AS_MAX_KNOWN 200000   /* known versions collected for one product */
#define AS_ARENA_MAX ((size_t)4 << 30)
#define AS_FIXED_KEEP 4

/* ------------------------------------------------------------------ version order */

/* Leading numeric components ("9.2p1" -> 9, 2; rest "p1"). */
static size_t core(const char *v, uint64_t *c, const char **rest)
{
	size_t n = 0;
	const char *p = v;
	while (n < AS_MAX_CORE && isdigit((unsigned char)*p)) {
		uint64_t x = 0;
		while (isdigit((unsigned char)*p)) {
			if (x < UINT64_MAX / 10)
				x = x * 10 + (uint64_t)(*p - '0');
			p++;
		}
		c[n++] = x;
		if (*p == '.' && isdigit((unsigned char)p[1]))
			p++;
		else
			break;
	}
	*rest = p;
	return n;
}

static bool pre_release(const char *rest)
{
	const char *p = rest;
	if (*p == '-' || *p == '~' || *p == '.' || *p == '_')
		p++;
	return !strncasecmp(p, "rc", 2) || !strncasecmp(p, "alpha", 5) || !strncasecmp(p, "beta", 4) ||
	       !strncasecmp(p, "pre", 3) || !strncasecmp(p, "dev", 3) || !strncasecmp(p, "a", 1) ||
	       !strncasecmp(p, "b", 1);
}

/* Numeric core first (missing components are 0: "15.4" == "15.4.0"), then what follows: nothing <
 * a patch suffix ("9.2" < "9.2p1"), a pre-release suffix before nothing ("7.2.0-rc1" < "7.2.0"). */
static int vcmp(const char *a, const char *b)
{
	uint64_t ca[AS_MAX_CORE], cb[AS_MAX_CORE];
	const char *ra, *rb;
	size_t na = core(a, ca, &ra), nb = core(b, cb, &rb);
	bool pa, pb;
	for (size_t i = 0; i < LD_MAX(na, nb); i++) {
		uint64_t x = i < na ? ca[i] : 0, y = i < nb ? cb[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (!*ra && !*rb)
		return 0;
	pa = *ra && pre_release(ra);
	pb = *rb && pre_release(rb);
	if (!*ra)
		return pb ? 1 : -1;
	if (!*rb)
		return pa ? -1 : 1;
	if (pa != pb)
		return pa ? -1 : 1;
	return ld_version_cmp(LD_VS_GENERIC, ld_slice_cstr(ra), ld_slice_cstr(rb));
}

/* A release number fit to be "the newest": digits and dots only. */
static bool clean(const char *v)
{
	if (!v || !isdigit((unsigned char)*v))
		return false;
	for (; *v; v++)
		if (!isdigit((unsigned char)*v) && *v != '.')
			return false;
	return true;
}

/* OpenSSH's "9.2p1": a clean release with its portable suffix ("p" + digits). */
static bool clean_or_portable(const char *v)
{
	const char *p;
	uint64_t c[AS_MAX_CORE];
	if (clean(v))
		return true;
	if (!core(v, c, &p) || *p != 'p' || !isdigit((unsigned char)p[1]))
		return false;
	for (p++; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

const char *ld_census_semver_core(ld_arena *a, const char *v)
{
	uint64_t c[AS_MAX_CORE];
	const char *rest;
	size_t n = v ? core(v, c, &rest) : 0;
	if (!n)
		return NULL;
	return ld_arena_printf(a, "%" PRIu64 ".%" PRIu64 ".%" PRIu64, c[0], n > 1 ? c[1] : 0,
			       n > 2 ? c[2] : 0);
}

/* Same release line: the first `parts` components agree. */
static bool same_line(const char *a, const char *b, unsigned parts)
{
	uint64_t ca[AS_MAX_CORE], cb[AS_MAX_CORE];
	const char *r;
	size_t na = core(a, ca, &r), nb = core(b, cb, &r);
	if (na < 1 || nb < 1)
		return false;
	for (unsigned i = 0; i < parts; i++) {
		uint64_t x = i < na ? ca[i] : 0, y = i < nb ? cb[i] : 0;
		if (x != y)
			return false;
	}
	return true;
}

static unsigned line_parts(const ld_census_product *p, const char *v)
{
	uint64_t c[AS_MAX_CORE];
	const char *r;
	unsigned parts = p ? p->branch_parts : 2;
	/* PostgreSQL numbered its release lines major.minor before 10 */
	if (p && !strcmp(p->key, "postgresql") && core(v, c, &r) && c[0] < 10)
		parts = 2;
	return parts ? parts : 2;
}

/* ------------------------------------------------------------------ per-CVE data, cached */

typedef struct cve_info {
	const char *severity;
	bool kev;
} cve_info;

typedef struct assessor {
	ld_vdb *db;
	lading_ctx *ctx;
	ld_arena *a;	 /* the assessment's */
	ld_arena *tmp;	 /* query results */
	ld_map cves;	 /* CVE -> cve_info */
	ld_map advs;	 /* advisory key (decimal) -> const char *const * (CVE list, NULL-ended) */
	int rc;
} assessor;

static int sev_rank(const char *s)
{
	static const char *const order[] = {"low", "medium", "high", "critical"};
	for (int i = 0; s && i < 4; i++)
		if (!strcasecmp(s, order[i]))
			return i + 1;
	return 0;
}

static cve_info *cve_get(assessor *as, const char *cve)
{
	cve_info *ci = ld_map_gets(&as->cves, cve);
	ld_vdb_kev *k = NULL;
	ld_vdb_nvd *n = NULL;
	char *key;
	if (ci)
		return ci;
	if (!(ci = ld_arena_alloc(as->a, sizeof(*ci))) || !(key = ld_arena_strdup(as->a, cve))) {
		as->rc = LADING_ENOMEM;
		return NULL;
	}
	if (!strncmp(cve, "CVE-", 4)) {
		if (ld_vdb_kev_get(as->db, cve, as->tmp, &k, as->ctx) ||
		    ld_vdb_nvd_get(as->db, cve, as->tmp, &n, as->ctx)) {
			as->rc = LADING_EDB;
			return NULL;
		}
	}
	ci->kev = k != NULL;
	if (n && n->v3_severity)
		ci->severity = ld_arena_strdup(as->a, n->v3_severity);
	else if (n && n->v2_severity)
		ci->severity = ld_arena_strdup(as->a, n->v2_severity);
	if (ld_map_put(&as->cves, ld_slice_cstr(key), ci, NULL)) {
		as->rc = LADING_ENOMEM;
		return NULL;
	}
	return ci;
}

/* CVE IDs of a Bitnami advisory (its aliases), or the advisory's own ID when it has none. */
static const char *const *advisory_cves(assessor *as, const ld_vdb_q_affected *af)
{
	char key[32];
	const char **list;
	ld_vdb_q_advisory *adv = NULL;
	size_t n = 0;
	char *k;
	ld_snprintf(key, sizeof(key), "%" PRId64, af->advisory);
	if ((list = ld_map_gets(&as->advs, key)))
		return list;
	if (ld_vdb_advisory_get(as->db, af->advisory, as->tmp, &adv, as->ctx) || !adv) {
		as->rc = LADING_EDB;
		return NULL;
	}
	if (!(list = ld_arena_array(as->a, adv->naliases + 2, sizeof(*list)))) {
		as->rc = LADING_ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < adv->naliases; i++)
		if (!strncmp(adv->aliases[i], "CVE-", 4))
			list[n++] = ld_arena_strdup(as->a, adv->aliases[i]);
	if (!n)
		list[n++] = ld_arena_strdup(as->a, af->id);
	list[n] = NULL;
	if (!(k = ld_arena_strdup(as->a, key)) || ld_map_put(&as->advs, ld_slice_cstr(k), list, NULL)) {
		as->rc = LADING_ENOMEM;
		return NULL;
	}
	return list;
}

/* ------------------------------------------------------------------ NVD CPE matches */

/* The version of a CPE match row, with its update field ("7.2" + "p2"). NULL for "*" and "-". */
static const char *cpe_exact(ld_arena *a, const ld_vdb_cpe_match *m)
{
	const char *p = m->cpe23, *fields[7] = {0};
	size_t k = 0;
	if (!m->version || !strcmp(m->version, "*") || !strcmp(m->version, "-"))
		return NULL;
	/* cpe:2.3:part:vendor:product:version:update:... */
	for (; p && *p && k < 7; p++) {
		if (*p == ':' && (p == m->cpe23 || p[-1] != '\\'))
			fields[k++] = p + 1;
	}
	if (k >= 6 && fields[5] && fields[5][0] && fields[5][0] != '*' && fields[5][0] != '-' &&
	    fields[5][0] != ':') {
		const char *end = strchr(fields[5], ':');
		size_t n = end ? (size_t)(end - fields[5]) : strlen(fields[5]);
		if (n && n < 32)
			return ld_arena_printf(a, "%s%.*s", m->version, (int)n, fields[5]);
	}
	return m->version;
}

static bool cpe_affects(ld_arena *a, const ld_vdb_cpe_match *m, const char *v)
{
	const char *exact;
	bool bounded = m->start_incl || m->start_excl || m->end_incl || m->end_excl;
	if (!bounded) {
		exact = cpe_exact(a, m);
		/* "*" with no bounds says "every version": too vague to call one vulnerable */
		return exact && vcmp(v, exact) == 0;
	}
	if (m->version && strcmp(m->version, "*"))
		return false;
	if (m->start_incl && vcmp(v, m->start_incl) < 0)
		return false;
	if (m->start_excl && vcmp(v, m->start_excl) <= 0)
		return false;
	if (m->end_incl && vcmp(v, m->end_incl) > 0)
		return false;
	if (m->end_excl && vcmp(v, m->end_excl) >= 0)
		return false;
	return true;
}

/* ------------------------------------------------------------------ one product */

typedef struct pdata {
	ld_vdb_q_affected *bit;
	size_t nbit;
	ld_vdb_cpe_match *nvd;
	size_t nnvd;
	const char **known; /* clean versions known from the data (and records) */
	size_t nknown, capknown;
	const char *newest, *newest_source;
} pdata;

static void know(assessor *as, pdata *d, const char *v, bool portable_ok)
{
	if (!v || !(portable_ok ? clean_or_portable(v) : clean(v)) || d->nknown >= AS_MAX_KNOWN)
		return;
	if (d->nknown == d->capknown) {
		size_t ncap = d->capknown ? d->capknown * 2 : 256;
		const char **n = ld_arena_array(as->a, ncap, sizeof(*n));
		if (!n) {
			as->rc = LADING_ENOMEM;
			return;
		}
		if (d->nknown)
			memcpy(n, d->known, d->nknown * sizeof(*n));
		d->known = n;
		d->capknown = ncap;
	}
	d->known[d->nknown++] = v;
}

static const char *newest_of(const pdata *d, size_t from, size_t to)
{
	const char *best = NULL;
	for (size_t i = from; i < to; i++)
		if (!best || vcmp(d->known[i], best) > 0)
			best = d->known[i];
	return best;
}

static int load_data(assessor *as, const ld_census_product *p, pdata *d, ld_buf *sources)
{
	size_t from;
	memset(d, 0, sizeof(*d));
	if (!p)
		return 0;
	if (p->bitnami) {
		if (ld_vdb_affected_get(as->db, "Bitnami", p->bitnami, as->a, &d->bit, &d->nbit, as->ctx))
			return LADING_EDB;
		for (size_t i = 0; i < d->nbit; i++) {
			const ld_vdb_q_affected *af = &d->bit[i];
			for (size_t r = 0; r < af->nranges; r++)
				for (size_t e = 0; e < af->ranges[r].nevents; e++)
					know(as, d, af->ranges[r].events[e].version, false);
			for (size_t k = 0; k < af->nversions; k++)
				know(as, d, af->versions[k], false);
		}
		if (d->nbit)
			ld_buf_addf(sources, "%sbitnami:%s (%zu entries)", sources->len ? ", " : "",
				    p->bitnami, d->nbit);
	}
	if (d->nknown) {
		d->newest = newest_of(d, 0, d->nknown);
		d->newest_source = "bitnami";
	}
	from = d->nknown;
	for (int spelling = 0; spelling < 2; spelling++) {
		const char *vendor = spelling ? p->cpe_vendor2 : p->cpe_vendor;
		const char *product = spelling ? p->cpe_product2 : p->cpe_product;
		ld_vdb_cpe_match *m = NULL;
		size_t n = 0;
		if (!vendor)
			continue;
		if (ld_vdb_cpe_matches(as->db, vendor, product, as->a, &m, &n, as->ctx))
			return LADING_EDB;
		if (!n)
			continue;
		if (d->nnvd) {
			ld_vdb_cpe_match *all = ld_arena_array(as->a, d->nnvd + n, sizeof(*all));
			if (!all)
				return LADING_ENOMEM;
			memcpy(all, d->nvd, d->nnvd * sizeof(*all));
			memcpy(all + d->nnvd, m, n * sizeof(*all));
			d->nvd = all;
		} else {
			d->nvd = m;
		}
		d->nnvd += n;
		for (size_t i = 0; i < n; i++) {
			know(as, d, cpe_exact(as->a, &m[i]), true);
			know(as, d, m[i].end_incl, true);
			know(as, d, m[i].end_excl, true);
			know(as, d, m[i].start_incl, true);
		}
		ld_buf_addf(sources, "%snvd:%s/%s (%zu CPE matches)", sources->len ? ", " : "", vendor,
			    product, n);
	}
	if (!d->newest && d->nknown > from) {
		d->newest = newest_of(d, from, d->nknown);
		d->newest_source = "nvd";
	}
	return as->rc;
}

typedef struct vgroup {
	const char *version;
	size_t hosts, backported;
} vgroup;

static int vg_cmp(const void *x, const void *y)
{
	const lading_census_version_stat *a = x, *b = y;
	if (!a->version != !b->version)
		return a->version ? -1 : 1;
	if (a->hosts != b->hosts)
		return a->hosts > b->hosts ? -1 : 1;
	if (!a->version)
		return 0;
	return -vcmp(a->version, b->version);
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorted, unique copy of ids[0..n). */
static const char *const *unique_sorted(ld_arena *a, const char **ids, size_t *n)
{
	size_t k = 0;
	const char **out;
	if (!*n)
		return NULL;
	qsort(ids, *n, sizeof(*ids), str_cmp);
	if (!(out = ld_arena_array(a, *n, sizeof(*out))))
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (!k || strcmp(out[k - 1], ids[i]))
			out[k++] = ids[i];
	*n = k;
	return out;
}

static int judge_version(assessor *as, const ld_census_product *p, const pdata *d,
			 lading_census_version_stat *vs)
{
	const char *sv = ld_census_semver_core(as->a, vs->version);
	const char **ids = NULL, **kev = NULL;
	size_t nids = 0, nkev = 0, cap = d->nbit * 16 + d->nnvd + 1;
	int best = 0;
	ids = ld_arena_array(as->a, cap, sizeof(*ids));
	if (!ids)
		return LADING_ENOMEM;
	if (sv) {
		for (size_t i = 0; i < d->nbit; i++) {
			const ld_vdb_q_affected *af = &d->bit[i];
			const char *fixed[AS_FIXED_KEEP];
			size_t nfixed = 0;
			const char *const *cves;
			if (af->informational ||
			    !ld_match_affected(LD_VS_SEMVER, af, ld_slice_cstr(sv), fixed, AS_FIXED_KEEP,
					       &nfixed))
				continue;
			if (!(cves = advisory_cves(as, af)))
				return as->rc;
			for (; *cves && nids < cap; cves++)
				ids[nids++] = *cves;
			best = LD_MAX(best, sev_rank(af->severity));
		}
	}
	for (size_t i = 0; i < d->nnvd && nids < cap; i++)
		if (cpe_affects(as->a, &d->nvd[i], vs->version))
			ids[nids++] = d->nvd[i].cve;
	vs->cves = unique_sorted(as->a, ids, &nids);
	vs->cve_count = nids;
	if (nids && !vs->cves)
		return LADING_ENOMEM;
	if (nids && !(kev = ld_arena_array(as->a, nids, sizeof(*kev))))
		return LADING_ENOMEM;
	for (size_t i = 0; i < nids; i++) {
		cve_info *ci = cve_get(as, vs->cves[i]);
		if (!ci)
			return as->rc;
		if (ci->kev)
			kev[nkev++] = vs->cves[i];
		best = LD_MAX(best, sev_rank(ci->severity));
	}
	vs->kev_cves = kev;
	vs->kev_count = nkev;
	vs->vulnerable = nids > 0;
	vs->kev = nkev > 0;
	vs->max_severity = best ? (const char *[]){"low", "medium", "high", "critical"}[best - 1] : NULL;
	/* behind: against the newest known, and the newest known of its own release line */
	if (d->newest)
		vs->behind = vcmp(vs->version, d->newest) < 0;
	{
		const char *line_newest = NULL;
		unsigned parts = line_parts(p, vs->version);
		for (size_t i = 0; i < d->nknown; i++)
			if (same_line(d->known[i], vs->version, parts) &&
			    (!line_newest || vcmp(d->known[i], line_newest) > 0))
				line_newest = d->known[i];
		vs->behind_branch = line_newest && vcmp(vs->version, line_newest) < 0;
	}
	return 0;
}

static int assess_product(assessor *as, lading_census_product_stat *ps, vgroup *groups, size_t ngroups,
			  size_t undisclosed)
{
	const ld_census_product *p = ld_census_product_get(ps->product);
	lading_census_version_stat *vs;
	ld_buf sources;
	pdata d;
	int rc;
	ld_buf_init(&sources, 4096);
	if ((rc = load_data(as, p, &d, &sources))) {
		ld_buf_release(&sources);
		return rc;
	}
	/* the records' own versions count as known releases */
	for (size_t i = 0; i < ngroups; i++) {
		if (!clean_or_portable(groups[i].version))
			continue;
		know(as, &d, groups[i].version, true);
		if (!d.newest || vcmp(groups[i].version, d.newest) > 0) {
			d.newest = groups[i].version;
			d.newest_source = "records";
		}
	}
	ps->name = p ? p->name : ps->product;
	ps->newest = d.newest;
	ps->newest_source = d.newest_source;
	ps->data_sources = sources.len ? ld_arena_strdup(as->a, ld_buf_cstr(&sources)) : NULL;
	ld_buf_release(&sources);
	ps->version_count = ngroups + (undisclosed ? 1 : 0);
	if (!(vs = ld_arena_array(as->a, ps->version_count ? ps->version_count : 1, sizeof(*vs))))
		return LADING_ENOMEM;
	for (size_t i = 0; i < ngroups; i++) {
		vs[i].version = groups[i].version;
		vs[i].hosts = groups[i].hosts;
		vs[i].backported = groups[i].backported;
		ps->versioned += groups[i].hosts;
		if ((rc = judge_version(as, p, &d, &vs[i])))
			return rc;
		if (vs[i].behind)
			ps->behind += vs[i].hosts;
		if (vs[i].behind_branch)
			ps->behind_branch += vs[i].hosts;
		if (vs[i].vulnerable) {
			ps->vulnerable += vs[i].hosts - vs[i].backported;
			ps->possibly_backported += vs[i].backported;
			if (vs[i].kev) {
				ps->kev += vs[i].hosts - vs[i].backported;
				ps->kev_possibly_backported += vs[i].backported;
			}
		}
		if (!d.nbit && !d.nnvd)
			ps->not_assessed += vs[i].hosts;
		else if (!ld_census_semver_core(as->a, vs[i].version))
			ps->not_assessed += vs[i].hosts;
	}
	if (undisclosed) {
		memset(&vs[ngroups], 0, sizeof(vs[ngroups]));
		vs[ngroups].hosts = undisclosed;
	}
	qsort(vs, ps->version_count, sizeof(*vs), vg_cmp);
	ps->versions = vs;
	return 0;
}

/* ------------------------------------------------------------------ public */

typedef struct pgroup {
	const char *product;
	ld_map versions; /* version -> vgroup */
	vgroup *list;
	size_t n, cap, hosts, undisclosed;
} pgroup;

static int ps_cmp(const void *x, const void *y)
{
	const lading_census_product_stat *a = x, *b = y;
	if (a->hosts != b->hosts)
		return a->hosts > b->hosts ? -1 : 1;
	return strcmp(a->product, b->product);
}

/* The group of a product, added on its first record. NULL: out of memory. */
static pgroup *product_group(ld_map *products, pgroup **groups, size_t *ngroups, ld_arena *a, const char *product)
{
	pgroup *g = ld_map_gets(products, product);

	if (g)
		return g;
	if (!(g = ld_arena_alloc(a, sizeof(*g))) || !(g->product = ld_arena_strdup(a, product)) ||
	    ld_map_put(products, ld_slice_cstr(g->product), g, NULL))
		return NULL;
	ld_map_init(&g->versions);
	groups[(*ngroups)++] = g;
	return g;
}

/* The group of a product's version, added on its first record (the list grows by doubling).
 * NULL: out of memory. */
static vgroup *version_group(pgroup *g, ld_arena *a, const char *version)
{
	vgroup *vg = ld_map_gets(&g->versions, version);

	if (vg)
		return vg;
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 16;
		vgroup *nl = ld_arena_array(a, ncap, sizeof(*nl));
		if (!nl)
			return NULL;
		if (g->n)
			memcpy(nl, g->list, g->n * sizeof(*nl));
		/* the map points into the list: rebuild it */
		ld_map_release(&g->versions);
		ld_map_init(&g->versions);
		for (size_t k = 0; k < g->n; k++)
			ld_map_put(&g->versions, ld_slice_cstr(nl[k].version), &nl[k], NULL);
		g->list = nl;
		g->cap = ncap;
	}
	vg = &g->list[g->n++];
	memset(vg, 0, sizeof(*vg));
	if (!(vg->version = ld_arena_strdup(a, version)) ||
	    ld_map_put(&g->versions, ld_slice_cstr(vg->version), vg, NULL))
		return NULL;
	return vg;
}

/* Records grouped by product, then by version; the unidentified ones only counted. */
static int group_records(lading_census_assessment *as_out, const lading_census *c, ld_map *products,
			 pgroup **groups, size_t *ngroups, lading_ctx *ctx)
{
	for (size_t i = 0; i < as_out->records; i++) {
		const lading_census_record *r = lading_census_record_at(c, i);
		pgroup *g;
		vgroup *vg;
		if (!r->product) {
			as_out->unidentified++;
			continue;
		}
		if (!(g = product_group(products, groups, ngroups, &as_out->arena, r->product)))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		g->hosts++;
		if (!r->version) {
			g->undisclosed++;
			continue;
		}
		if (!(vg = version_group(g, &as_out->arena, r->version)))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		vg->hosts++;
		if (r->distro)
			vg->backported++;
	}
	return 0;
}

/* Each product's statistics against the database, most exposed first (ps_cmp). */
static int assess_products(assessor *as, lading_census_assessment *as_out, pgroup **groups, size_t ngroups,
			   lading_ctx *ctx)
{
	int rc;

	if (!(as_out->products = ld_arena_array(as->a, ngroups ? ngroups : 1, sizeof(*as_out->products))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < ngroups; i++) {
		lading_census_product_stat *ps = &as_out->products[i];
		memset(ps, 0, sizeof(*ps));
		ps->product = groups[i]->product;
		ps->hosts = groups[i]->hosts;
		if ((rc = assess_product(as, ps, groups[i]->list, groups[i]->n, groups[i]->undisclosed))) {
			if (!lading_ctx_error(ctx)->code)
				ld_error_set(ctx, rc, "census assessment of %s failed", ps->product);
			return rc;
		}
		as_out->nproducts++;
	}
	qsort(as_out->products, as_out->nproducts, sizeof(*as_out->products), ps_cmp);
	return 0;
}

int lading_census_assess(lading_census_assessment **out, lading_ctx *ctx, const lading_census *c,
			 const char *db_path)
{
	lading_census_assessment *as_out;
	assessor as;
	ld_arena tmp;
	ld_map products;
	pgroup **groups = NULL;
	size_t ngroups = 0;
	char path[4096], when[32];
	ld_vdb_q_meta *meta = NULL;
	int rc = 0;

	*out = NULL;
	ld_error_clear(ctx);
	if (db_path)
		ld_strlcpy(path, db_path, sizeof(path));
	else if (lading_db_default_path(path, sizeof(path)))
		return ld_error_set(ctx, LADING_EUSAGE, "no database path: set --db, LADING_DB or HOME");
	if (!(as_out = calloc(1, sizeof(*as_out))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_arena_init(&as_out->arena, AS_ARENA_MAX);
	ld_arena_init(&tmp, AS_ARENA_MAX);
	ld_map_init(&products);
	memset(&as, 0, sizeof(as));
	as.ctx = ctx;
	as.a = &as_out->arena;
	as.tmp = &tmp;
	ld_map_init(&as.cves);
	ld_map_init(&as.advs);
	if ((rc = ld_vdb_open(&as.db, path, ctx)))
		goto out;
	if (!ld_vdb_meta_get(as.db, &tmp, &meta, ctx) && meta && meta->built_at)
		as_out->db_built_at = ld_arena_strdup(as.a, meta->built_at);
	ld_census_now(when);
	as_out->generated_at = ld_arena_strdup(as.a, when);
	as_out->records = lading_census_count(c);
	if (!(groups = calloc(as_out->records + 1, sizeof(*groups)))) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = group_records(as_out, c, &products, groups, &ngroups, ctx)))
		goto out;
	rc = assess_products(&as, as_out, groups, ngroups, ctx);
out:
	for (size_t i = 0; i < ngroups; i++)
		ld_map_release(&groups[i]->versions);
	free(groups);
	ld_map_release(&products);
	ld_map_release(&as.cves);
	ld_map_release(&as.advs);
	ld_vdb_close(as.db);
	ld_arena_release(&tmp);
	if (rc) {
		lading_census_assessment_free(as_out);
		return rc;
	}
	*out = as_out;
	return 0;
}

void lading_census_assessment_free(lading_census_assessment *a)
{
	if (!a)
		return;
	ld_arena_release(&a->arena);
	free(a);
}

size_t lading_census_product_count(const lading_census_assessment *a)
{
	return a ? a->nproducts : 0;
}

const lading_census_product_stat *lading_census_product(const lading_census_assessment *a, size_t i)
{
	return a && i < a->nproducts ? &a->products[i] : NULL;
}

size_t lading_census_unidentified(const lading_census_assessment *a)
{
	return a ? a->unidentified : 0;
}

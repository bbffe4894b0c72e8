/* Matching OS packages against their distribution's feed, merging, enrichment, ordering. */
#include <time.h>

#include "util/common.h"
#include "util/map.h"
#include "catalog/binfmt.h"
#include "match/match.h"
#include "version/ecosystems.h"
#include "vulndb/importers.h"

void ld_match_result_init(ld_match_result *r)
{
	memset(r, 0, sizeof(*r));
	ld_arena_init(&r->arena, 0);
	ld_vec_init(&r->findings, sizeof(lading_finding), 0);
	ld_vec_init(&r->notes, sizeof(char *), 1000);
	ld_vec_init(&r->expired, sizeof(char *), 100000);
}

void ld_match_result_release(ld_match_result *r)
{
	ld_vec_release(&r->findings);
	ld_vec_release(&r->notes);
	ld_vec_release(&r->expired);
	ld_arena_release(&r->arena);
}

static void note(ld_match_result *r, const char *fmt, const char *a, const char *b)
{
	const char **slot;
	char *s = ld_arena_printf(&r->arena, fmt, a, b);
	for (size_t i = 0; s && i < r->notes.len; i++)
		if (!strcmp(*(const char **)ld_vec_at(&r->notes, i), s))
			return;
	if (s && (slot = ld_vec_push(&r->notes)))
		*slot = s;
}

/* ---- where OS packages are looked up ---- */

static const char *major_minor(const char *v, char *buf, size_t n)
{
	/* "3.9.6" -> "3.9" */
	size_t i = 0, dots = 0;
	if (!v)
		return NULL;
	while (v[i] && i + 1 < n) {
		if (v[i] == '.' && ++dots == 2)
			break;
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.'))
			break;
		buf[i] = v[i];
		i++;
	}
	buf[i] = '\0';
	return i ? buf : NULL;
}

static const char *major(const char *v, char *buf, size_t n)
{
	size_t i = 0;
	if (!v)
		return NULL;
	while (v[i] >= '0' && v[i] <= '9' && i + 1 < n) {
		buf[i] = v[i];
		i++;
	}
	buf[i] = '\0';
	return i ? buf : NULL;
}

bool ld_match_os_key(const lading_os *os, const lading_package *p, ld_match_key *k)
{
	char buf[32];
	const char *v;
	memset(k, 0, sizeof(*k));
	if (!os->id || !p->type)
		return false;
	if (!strcmp(p->type, "apk") && !strcmp(os->id, "alpine")) {
		/* secdb branches: v3.9 for 3.9.6; pre-releases (3.21.0_alpha...) live on edge */
		v = os->version ? os->version : os->version_id;
		if (v && strstr(v, "_alpha"))
			ld_strlcpy(k->ecosystem, "Alpine:edge", sizeof(k->ecosystem));
		else if ((v = major_minor(v, buf, sizeof(buf))))
			ld_snprintf(k->ecosystem, sizeof(k->ecosystem), "Alpine:v%s", v);
		else
			return false;
		k->package = p->source_name ? p->source_name : p->name; /* secdb is keyed by origin */
		k->version = p->version;
		k->scheme = LD_VS_APK;
		return true;
	}
	if (!strcmp(p->type, "deb") && !strcmp(os->id, "debian")) {
		/* the tracker and DSA/DLA lists name source packages and their versions */
		if ((v = major(os->version_id ? os->version_id : os->version, buf, sizeof(buf))))
			ld_snprintf(k->ecosystem, sizeof(k->ecosystem), "Debian:%s", v);
		else if (os->codename)
			ld_snprintf(k->ecosystem, sizeof(k->ecosystem), "Debian:%s", os->codename);
		else
			return false;
		k->package = p->source_name ? p->source_name : p->name;
		k->version = p->source_version ? p->source_version : p->version;
		k->scheme = LD_VS_DEB;
		return true;
	}
	if (!strcmp(p->type, "deb") && !strcmp(os->id, "ubuntu") && os->version_id) {
		ld_snprintf(k->ecosystem, sizeof(k->ecosystem), "Ubuntu:%s", os->version_id);
		k->package = p->source_name ? p->source_name : p->name;
		k->version = p->source_version ? p->source_version : p->version;
		k->scheme = LD_VS_DEB;
		return true;
	}
	if (!strcmp(p->type, "rpm")) {
		static const struct {
			const char *id, *eco;
		} t[] = {{"almalinux", "AlmaLinux"}, {"rocky", "Rocky Linux"}};
		for (size_t i = 0; i < LD_ARRAY_LEN(t); i++) {
			if (strcmp(os->id, t[i].id))
				continue;
			if (!(v = major(os->version_id, buf, sizeof(buf))))
				return false;
			/* OSV's AlmaLinux/Rocky records name binary packages with full EVRs */
			ld_snprintf(k->ecosystem, sizeof(k->ecosystem), "%s:%s", t[i].eco, v);
			k->package = p->name;
			k->version = p->version;
			k->scheme = LD_VS_RPM;
			return true;
		}
	}
	return false;
}

/* ---- where language packages are looked up ---- */

static void add_decoded(ld_buf *b, ld_slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		int c = ld_percent_byte(s.ptr, s.len, i);
		if (c >= 0) {
			ld_buf_addc(b, (char)c);
			i += 2;
		} else {
			ld_buf_addc(b, s.ptr[i]);
		}
	}
}

char *ld_match_purl_name(ld_arena *a, const char *purl, char sep)
{
	ld_slice s, seg, segs[16];
	size_t n = 0;
	ld_buf b = LD_BUF_INIT;
	char *r = NULL;
	if (!purl || strncmp(purl, "pkg:", 4))
		return NULL;
	s = ld_slice_cstr(purl + 4);
	s = ld_slice_sub(s, 0, strcspn(s.ptr, "@?#"));
	ld_slice_cut(&s, '/', &seg); /* the type */
	while (s.len && n < LD_ARRAY_LEN(segs)) {
		ld_slice_cut(&s, '/', &seg);
		if (seg.len)
			segs[n++] = seg;
	}
	if (!n || s.len)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			ld_buf_addc(&b, i == n - 1 ? sep : '/');
		add_decoded(&b, segs[i]);
	}
	if (!ld_buf_error(&b))
		r = ld_arena_slice(a, ld_buf_slice(&b));
	ld_buf_release(&b);
	return r;
}

bool ld_match_lang_key(const lading_package *p, ld_arena *a, ld_match_key *k)
{
	const ld_ecosystem *e;
	memset(k, 0, sizeof(*k));
	if (!p->type || !p->name || !p->version || !*p->version)
		return false;
	/* the ecosystem table (version/ecosystems.c) says which purl type is matched where */
	if (!(e = ld_ecosystem_by_purl(p->type)))
		return false;
	ld_strlcpy(k->ecosystem, e->name, sizeof(k->ecosystem));
	k->scheme = e->scheme;
	k->package = p->name;
	/* the purl carries namespaces (Maven groups, npm scopes, Composer vendors) whatever the
	 * cataloger put in `name` */
	if (e->purl_sep && p->purl) {
		char *n = ld_match_purl_name(a, p->purl, e->purl_sep);
		if (n && (e->purl_sep != ':' || strchr(n, ':')))
			k->package = n;
	}
	k->version = p->version;
	if (k->scheme == LD_VS_GO && !ld_version_valid(LD_VS_GO, ld_slice_cstr(k->version)))
		return false; /* "(devel)", "devel go1.22-..." */
	return true;
}

/* ---- binaries: NVD CPE configurations ---- */

/* "1.0.2-beta1" -> base "1.0.2", pre "beta1"; pre-releases sort before their release. */
static void split_pre(ld_slice v, ld_slice *base, ld_slice *pre)
{
	for (size_t i = 0; i + 1 < v.len; i++) {
		char c = v.ptr[i + 1];
		if (v.ptr[i] == '-' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			*base = ld_slice_sub(v, 0, i);
			*pre = ld_slice_sub(v, i + 1, v.len);
			return;
		}
	}
	*base = v;
	*pre = LD_SLICE_NULL;
}

static size_t components(ld_slice v)
{
	size_t n = v.len ? 1 : 0;
	for (size_t i = 0; i < v.len; i++)
		n += v.ptr[i] == '.';
	return n;
}

int ld_match_cpe_vercmp(ld_slice a, ld_slice b, bool minor)
{
	ld_slice ab, ap, bb, bp;
	int c;
	if (minor && components(b) < components(a)) {
		/* NVD's "bash 4.3" covers every 4.3 patch level */
		size_t keep = components(b), i = 0, dots = 0;
		for (; i < a.len; i++)
			if (a.ptr[i] == '.' && ++dots == keep)
				break;
		a = ld_slice_sub(a, 0, i);
	}
	split_pre(a, &ab, &ap);
	split_pre(b, &bb, &bp);
	if ((c = ld_version_cmp(LD_VS_GENERIC, ab, bb)))
		return c;
	if (!ap.len != !bp.len)
		return ap.len ? -1 : 1;
	return ld_version_cmp(LD_VS_GENERIC, ap, bp);
}

bool ld_match_cpe(const ld_vdb_cpe_match *cm, ld_slice v, bool minor, const char **fixed)
{
	char buf[512];
	const char *f[11];
	const char *ver, *upd = NULL;
	*fixed = NULL;
	if (!cm->version || !strcmp(cm->version, "-"))
		return false;
	if (cm->cpe23 && strlen(cm->cpe23) < sizeof(buf) && ld_vdb_cpe23_split(cm->cpe23, buf, sizeof(buf), f) == 0) {
		if (strcmp(f[0], "a"))
			return false; /* an operating system or hardware of the same name */
		upd = f[4];
	}
	ver = cm->version;
	if (strcmp(ver, "*")) {
		/* one exact version, maybe with an update: "1.0.1f", "4.4" + "patch2", "1.0.2" + "beta1" */
		char target[256];
		if (upd && *upd && strcmp(upd, "*") && strcmp(upd, "-")) {
			const char *d = upd;
			if (!strncmp(d, "patch", 5))
				d += 5;
			else if (d[0] == 'p')
				d += 1;
			if (minor && *d && strspn(d, "0123456789") == strlen(d))
				ld_snprintf(target, sizeof(target), "%s.%s", ver, d);
			else
				ld_snprintf(target, sizeof(target), "%s-%s", ver, upd);
			return ld_match_cpe_vercmp(v, ld_slice_cstr(target), false) == 0;
		}
		return ld_match_cpe_vercmp(v, ld_slice_cstr(ver), minor) == 0;
	}
	if (cm->start_incl && ld_match_cpe_vercmp(v, ld_slice_cstr(cm->start_incl), minor) < 0)
		return false;
	if (cm->start_excl && ld_match_cpe_vercmp(v, ld_slice_cstr(cm->start_excl), minor) <= 0)
		return false;
	if (cm->end_incl && ld_match_cpe_vercmp(v, ld_slice_cstr(cm->end_incl), minor) > 0)
		return false;
	if (cm->end_excl) {
		if (ld_match_cpe_vercmp(v, ld_slice_cstr(cm->end_excl), minor) >= 0)
			return false;
		*fixed = cm->end_excl;
	}
	return true;
}

/* ---- range evaluation (OSV semantics) ---- */

typedef struct ev {
	int kind; /* 0 introduced, 1 fixed, 2 last_affected, 3 limit */
	const char *v;
} ev;

static int kind_of(const char *k)
{
	if (!strcmp(k, "introduced"))
		return 0;
	if (!strcmp(k, "fixed"))
		return 1;
	if (!strcmp(k, "last_affected"))
		return 2;
	if (!strcmp(k, "limit"))
		return 3;
	return -1;
}

static int ev_cmp(ld_vscheme cmp_scheme, const ev *a, const ev *b)
{
	bool az = a->kind == 0 && !strcmp(a->v, "0"), bz = b->kind == 0 && !strcmp(b->v, "0");
	int c;
	if (az || bz)
		return az && bz ? 0 : az ? -1 : 1;
	c = ld_version_cmp(cmp_scheme, ld_slice_cstr(a->v), ld_slice_cstr(b->v));
	return c ? c : a->kind - b->kind;
}

/* Is v in the range? Sorted walk as the OSV schema describes. */
static bool in_range(ld_vscheme s, const ld_vdb_range *r, ld_slice v, const char **fixed, size_t maxfixed,
		     size_t *nfixed)
{
	ev evs[256];
	size_t n = 0;
	bool affected = false;
	const char *next_fix = NULL;

	for (size_t i = 0; i < r->nevents && n < LD_ARRAY_LEN(evs); i++) {
		int k = kind_of(r->events[i].kind ? r->events[i].kind : "");
		if (k < 0 || !r->events[i].version)
			continue;
		evs[n].kind = k;
		evs[n].v = r->events[i].version;
		n++;
	}
	/* insertion sort: ranges have a handful of events, and the order depends on the scheme */
	for (size_t i = 1; i < n; i++) {
		ev x = evs[i];
		size_t j = i;
		while (j > 0 && ev_cmp(s, &evs[j - 1], &x) > 0) {
			evs[j] = evs[j - 1];
			j--;
		}
		evs[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		bool zero = evs[i].kind == 0 && !strcmp(evs[i].v, "0");
		int c = zero ? 1 : ld_version_cmp(s, v, ld_slice_cstr(evs[i].v));
		switch (evs[i].kind) {
		case 0:
			if (c >= 0) {
				affected = true;
				next_fix = NULL;
			}
			break;
		case 1:
			if (c >= 0)
				affected = false;
			else if (affected && !next_fix)
				next_fix = evs[i].v;
			break;
		case 2:
			if (c > 0)
				affected = false;
			break;
		case 3:
			if (c >= 0)
				affected = false;
			break;
		}
	}
	if (affected && next_fix && *nfixed < maxfixed) {
		for (size_t i = 0; i < *nfixed; i++)
			if (!strcmp(fixed[i], next_fix))
				return affected;
		fixed[(*nfixed)++] = next_fix;
	}
	return affected;
}

bool ld_match_affected(ld_vscheme s, const ld_vdb_q_affected *a, ld_slice version, const char **fixed,
		       size_t maxfixed, size_t *nfixed)
{
	bool affected = false, any_plain = false;
	for (size_t i = 0; i < a->nversions; i++)
		if (a->versions[i] && ld_version_cmp(s, version, ld_slice_cstr(a->versions[i])) == 0)
			affected = true;
	for (size_t i = 0; i < a->nranges; i++) {
		const ld_vdb_range *r = &a->ranges[i];
		ld_vscheme rs = s;
		if (r->custom)
			continue;
		if (r->type && !strcmp(r->type, "SEMVER") && s != LD_VS_GO)
			rs = LD_VS_SEMVER;
		any_plain = true;
		if (in_range(rs, r, version, fixed, maxfixed, nfixed))
			affected = true;
	}
	/* Go custom ranges refine: past a custom range's fix the version is not affected */
	for (size_t i = 0; affected && i < a->nranges; i++) {
		const ld_vdb_range *r = &a->ranges[i];
		size_t dummy = 0;
		const char *f[1];
		if (!r->custom)
			continue;
		if (!in_range(s, r, version, f, 0, &dummy))
			affected = false;
	}
	(void)any_plain;
	return affected;
}

/* ---- findings under construction ---- */

/* small growable string set in the arena (most findings have 1-3 of each) */
typedef struct idset {
	const char **v;
	uint32_t n, cap;
} idset;

typedef struct draft {
	size_t pkg;
	const char *id;
	idset ids, advs, fixed;
	bool wontfix, unfixed_status;
	lading_severity distro_sev;
	const char *distro_sev_src;
	const char *feed_vector;
	double feed_score;
	const char *feed_src;
	const char *title, *url;
} draft;

static void add_id(const char **ids, size_t *n, const char *id)
{
	if (!id || !*id)
		return;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(ids[i], id))
			return;
	if (*n < LD_MATCH_MAX_IDS)
		ids[(*n)++] = id;
}

static void set_add(ld_arena *a, idset *s, const char *id, uint32_t max)
{
	if (!id || !*id)
		return;
	for (uint32_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], id))
			return;
	if (s->n >= max)
		return;
	if (s->n == s->cap) {
		uint32_t ncap = s->cap ? s->cap * 2 : 4;
		const char **nv = ld_arena_array(a, ncap, sizeof(char *));
		if (!nv)
			return;
		if (s->n)
			memcpy(nv, s->v, s->n * sizeof(char *));
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = id;
}

static lading_severity sev_of(const char *s)
{
	lading_severity v;
	if (s && lading_severity_parse(s, &v) == 0)
		return v;
	return LADING_SEVERITY_UNKNOWN;
}

static lading_severity sev_of_score(double score)
{
	if (score < 0)
		return LADING_SEVERITY_UNKNOWN;
	if (score >= 9.0)
		return LADING_SEVERITY_CRITICAL;
	if (score >= 7.0)
		return LADING_SEVERITY_HIGH;
	if (score >= 4.0)
		return LADING_SEVERITY_MEDIUM;
	if (score > 0.0)
		return LADING_SEVERITY_LOW;
	return LADING_SEVERITY_UNKNOWN;
}

static bool is_cve(const char *s)
{
	return s && !strncmp(s, "CVE-", 4);
}

static const char *default_url(ld_arena *a, const char *source, const char *id)
{
	if (!id)
		return NULL;
	if (is_cve(id)) {
		if (source && !strcmp(source, "alpine-secdb"))
			return ld_arena_printf(a, "https://security.alpinelinux.org/vuln/%s", id);
		if (source && !strncmp(source, "debian", 6))
			return ld_arena_printf(a, "https://security-tracker.debian.org/tracker/%s", id);
		return ld_arena_printf(a, "https://nvd.nist.gov/vuln/detail/%s", id);
	}
	if (!strncmp(id, "DSA-", 4) || !strncmp(id, "DLA-", 4))
		return ld_arena_printf(a, "https://security-tracker.debian.org/tracker/%s", id);
	if (!strncmp(id, "GHSA-", 5))
		return ld_arena_printf(a, "https://github.com/advisories/%s", id);
	return ld_arena_printf(a, "https://osv.dev/vulnerability/%s", id);
}

typedef struct matcher {
	ld_match_result *r;
	ld_vdb *db;
	lading_ctx *ctx;
	ld_arena *a;
	ld_arena scratch; /* per lookup */
	/* id -> draft of one package: packages are matched one after the other, so the map
	 * holds only the current one's (small and cache-resident, where one map of every
	 * finding was a third of matching time) */
	ld_map drafts;
	size_t drafts_pkg;
	ld_vec order;     /* draft * in creation order */
	/* one image has many binaries per source package and many findings per advisory and CVE:
	 * each lookup is made once */
	ld_map lookups;   /* "ecosystem|package" -> cached_lookup */
	ld_map advs;      /* advisory key -> ld_vdb_q_advisory */
	ld_map cves;      /* CVE -> cve_data */
	bool os_managed;  /* match language packages an OS package owns too */
	size_t skipped_os_managed;
} matcher;

typedef struct cached_lookup {
	ld_vdb_q_affected *afs;
	size_t n;
} cached_lookup;

typedef struct cached_adv {
	ld_vdb_q_advisory *adv;
	const char *ref; /* "source:ID" */
} cached_adv;

typedef struct cve_data {
	ld_vdb_kev *kev;
	ld_vdb_q_epss *epss;
	ld_vdb_nvd *nvd;
} cve_data;

/* The draft of (package, id), created on first use. `id` must live as long as m->a. The
 * drafts of one package are all made before the next package's (ld_match_run). */
static draft *get_draft(matcher *m, size_t pkg, const char *id)
{
	ld_slice key = ld_slice_cstr(id);
	draft *d, **slot;
	if (pkg != m->drafts_pkg) {
		ld_map_clear(&m->drafts);
		m->drafts_pkg = pkg;
	}
	d = ld_map_get(&m->drafts, key);
	if (d)
		return d;
	d = ld_arena_alloc(m->a, sizeof(*d));
	if (!d || ld_map_put(&m->drafts, key, d, NULL) || !(slot = ld_vec_push(&m->order)))
		return NULL;
	*slot = d;
	d->pkg = pkg;
	d->id = id;
	d->feed_score = -1;
	set_add(m->a, &d->ids, id, LD_MATCH_MAX_IDS);
	return d;
}

/* One matched affected entry: becomes (or joins) one finding per CVE it is about. */
static int record(matcher *m, size_t pkg, const ld_vdb_q_affected *af, const char **fixed, size_t nfixed)
{
	ld_vdb_q_advisory *adv = NULL;
	const char *cves[LD_MATCH_MAX_IDS];
	size_t ncves = 0;
	const char *advref;
	int rc;

	{
		/* keyed by the advisory's row id as 8 raw bytes */
		int64_t key = af->advisory;
		cached_adv *ca = ld_map_get(&m->advs, ld_slice_make((const char *)&key, sizeof(key)));
		if (!ca) {
			char *k;
			if ((rc = ld_vdb_advisory_get(m->db, af->advisory, m->a, &adv, m->ctx)))
				return rc;
			ca = ld_arena_alloc(m->a, sizeof(*ca));
			if (!ca || !(k = ld_arena_memdup(m->a, &key, sizeof(key))) ||
			    ld_map_put(&m->advs, ld_slice_make(k, sizeof(key)), ca, NULL) ||
			    !(ca->ref = ld_arena_printf(m->a, "%s:%s", adv->source, adv->id)))
				return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
			ca->adv = adv;
		}
		adv = ca->adv;
		advref = ca->ref;
	}
	if (is_cve(adv->id))
		add_id(cves, &ncves, adv->id);
	for (size_t i = 0; i < adv->naliases; i++)
		if (is_cve(adv->aliases[i]))
			add_id(cves, &ncves, adv->aliases[i]);
	for (size_t c = 0; c < (ncves ? ncves : 1); c++) {
		const char *id = ncves ? cves[c] : adv->id;
		draft *d = get_draft(m, pkg, id); /* id lives in the cached advisory */
		lading_severity ds;
		if (!d)
			return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
		set_add(m->a, &d->ids, adv->id, LD_MATCH_MAX_IDS);
		/* an advisory about one CVE carries its aliases (GHSA, PYSEC...); one about many CVEs
		 * (a DSA) only its own ID, or every CVE would alias every other */
		if (ncves <= 1)
			for (size_t i = 0; i < adv->naliases; i++)
				set_add(m->a, &d->ids, adv->aliases[i], LD_MATCH_MAX_IDS);
		set_add(m->a, &d->advs, advref, LD_MATCH_MAX_IDS);
		for (size_t i = 0; i < nfixed; i++)
			set_add(m->a, &d->fixed, fixed[i], LD_MATCH_MAX_FIXED);
		if (af->status && !strcmp(af->status, "wontfix"))
			d->wontfix = true;
		if (af->status && (!strcmp(af->status, "unfixed") || !strcmp(af->status, "undetermined")))
			d->unfixed_status = true;
		/* the distribution's own rating: per package first, then the advisory's */
		ds = sev_of(af->severity);
		if (ds == LADING_SEVERITY_UNKNOWN && strcmp(adv->source, "osv") != 0)
			ds = sev_of(adv->severity);
		if (ds == LADING_SEVERITY_UNKNOWN && !strcmp(adv->source, "osv") && adv->severity &&
		    !adv->cvss_vector)
			ds = sev_of(adv->severity); /* OSV records rated in words only (AlmaLinux) */
		if (ds > d->distro_sev) {
			d->distro_sev = ds;
			d->distro_sev_src = adv->source;
		}
		if (af->cvss_vector && af->cvss_score > d->feed_score) {
			d->feed_vector = af->cvss_vector;
			d->feed_score = af->cvss_score;
			d->feed_src = adv->source;
		} else if (adv->cvss_vector && adv->cvss_score > d->feed_score) {
			d->feed_vector = adv->cvss_vector;
			d->feed_score = adv->cvss_score;
			d->feed_src = adv->source;
		}
		if (!d->title && adv->summary && *adv->summary)
			d->title = adv->summary;
		if (!d->url)
			d->url = adv->url && *adv->url ? adv->url : default_url(m->a, adv->source, id);
	}
	return 0;
}

/* Look a key up (once per scan) and record every entry whose ranges hold the version. */
static int match_key(matcher *m, size_t i, const ld_match_key *k)
{
	ld_vdb_q_affected *afs;
	size_t n;
	int rc;

	{
		/* "ecosystem|package", on the stack for the lookup; kept in the arena when new */
		size_t el = strlen(k->ecosystem), pl = strlen(k->package);
		char stack[256], *key = stack;
		cached_lookup *cl;
		if (el + pl + 2 > sizeof(stack) && !(key = ld_arena_alloc(m->a, el + pl + 2)))
			return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
		memcpy(key, k->ecosystem, el);
		key[el] = '|';
		memcpy(key + el + 1, k->package, pl + 1);
		cl = ld_map_get(&m->lookups, ld_slice_make(key, el + pl + 1));
		if (!cl) {
			if ((rc = ld_vdb_affected_get(m->db, k->ecosystem, k->package, m->a, &afs, &n, m->ctx)))
				return rc;
			cl = ld_arena_alloc(m->a, sizeof(*cl));
			if (key == stack)
				key = ld_arena_memdup(m->a, stack, el + pl + 2);
			if (!cl || !key || ld_map_put(&m->lookups, ld_slice_make(key, el + pl + 1), cl, NULL))
				return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
			cl->afs = afs;
			cl->n = n;
		}
		afs = cl->afs;
		n = cl->n;
	}
	for (size_t j = 0; j < n; j++) {
		const char *fixed[LD_MATCH_MAX_FIXED];
		size_t nfixed = 0;
		bool hit;
		if (afs[j].informational)
			continue;
		if (afs[j].status) {
			if (!strcmp(afs[j].status, "not-affected"))
				continue;
			hit = true; /* unfixed / wontfix / undetermined: the distribution says affected */
		} else {
			hit = ld_match_affected(k->scheme, &afs[j], ld_slice_cstr(k->version), fixed, LD_MATCH_MAX_FIXED,
						&nfixed);
		}
		if (!hit)
			continue;
		if ((rc = record(m, i, &afs[j], fixed, nfixed)))
			return rc;
	}
	return 0;
}

/* A finding from an NVD CPE configuration: the CVE itself, rated by NVD (enrich). */
static int record_cpe(matcher *m, size_t pkg, const char *cve, const char *fixed)
{
	draft *d = get_draft(m, pkg, cve);
	if (!d)
		return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
	set_add(m->a, &d->advs, ld_arena_printf(m->a, "nvd:%s", cve), LD_MATCH_MAX_IDS);
	if (fixed)
		set_add(m->a, &d->fixed, fixed, LD_MATCH_MAX_FIXED);
	if (!d->url)
		d->url = default_url(m->a, "nvd", cve);
	return 0;
}

typedef struct cached_cpe {
	ld_vdb_cpe_match *ms;
	size_t n;
} cached_cpe;

/* A binary found by a classifier: NVD CPE ranges of its product(s), then Bitnami's records. */
static int match_binary(matcher *m, size_t i, const lading_package *p, ld_map *eco_known)
{
	size_t nrows;
	const ld_classifier *rows = ld_classifiers(&nrows), *row = NULL;
	bool checked = false;
	int rc;

	for (size_t r = 0; rows && r < nrows && !row; r++)
		if (p->name && !strcmp(rows[r].product, p->name))
			row = &rows[r];
	if (!row || !p->version || !*p->version)
		return 0;
	if (row->cpes) {
		ld_slice list = ld_slice_cstr(row->cpes), one, vendor;
		while (list.len) {
			char *key, *vend, *prod;
			cached_cpe *cc;
			ld_slice_cut(&list, ',', &one);
			ld_slice_cut(&one, ':', &vendor);
			if (!(key = ld_arena_printf(m->a, "cpe|%.*s|%.*s", (int)vendor.len, vendor.ptr, (int)one.len, one.ptr)))
				return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
			if (!(cc = ld_map_gets(&m->lookups, key))) {
				if (!(cc = ld_arena_alloc(m->a, sizeof(*cc))) || !(vend = ld_arena_slice(m->a, vendor)) ||
				    !(prod = ld_arena_slice(m->a, one)))
					return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
				if ((rc = ld_vdb_cpe_matches(m->db, vend, prod, m->a, &cc->ms, &cc->n, m->ctx)))
					return rc;
				if (ld_map_put(&m->lookups, ld_slice_cstr(key), cc, NULL))
					return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
			}
			for (size_t j = 0; j < cc->n; j++) {
				const char *fixed;
				if (ld_match_cpe(&cc->ms[j], ld_slice_cstr(p->version), row->flags & LD_CLS_CPE_MINOR, &fixed) &&
				    (rc = record_cpe(m, i, cc->ms[j].cve, fixed)))
					return rc;
			}
			checked = true;
		}
	}
	if (row->bitnami && ld_map_gets(eco_known, "Bitnami")) {
		ld_match_key k;
		memset(&k, 0, sizeof(k));
		ld_strlcpy(k.ecosystem, "Bitnami", sizeof(k.ecosystem));
		k.package = row->bitnami;
		k.version = p->version;
		k.scheme = ld_vscheme_for_ecosystem("Bitnami");
		if ((rc = match_key(m, i, &k)))
			return rc;
		checked = true;
	}
	if (checked)
		m->r->summary.packages_checked++;
	return 0;
}

static int match_package(matcher *m, size_t i, const lading_package *p, const lading_os *os, ld_map *eco_known)
{
	ld_match_key k;

	if (p->type && !strcmp(p->type, "binary"))
		return match_binary(m, i, p, eco_known);
	if (ld_match_lang_key(p, m->a, &k)) {
		if (p->flags & LADING_PKG_LOCAL)
			return 0;
		if ((p->flags & LADING_PKG_OS_MANAGED) && !m->os_managed) {
			m->skipped_os_managed++;
			return 0;
		}
		if (!ld_map_gets(eco_known, k.ecosystem)) {
			note(m->r, "the database has no advisories for %s: its %s packages were not checked", k.ecosystem,
			     p->type);
			return 0;
		}
		m->r->summary.packages_checked++;
		return match_key(m, i, &k);
	}
	if (!ld_match_os_key(os, p, &k)) {
		if (!strcmp(p->type, "deb") || !strcmp(p->type, "apk") || !strcmp(p->type, "rpm"))
			note(m->r, "no vulnerability feed for %s %s: its OS packages were not checked",
			     os->id ? os->id : "this OS", os->version ? os->version : "");
		return 0;
	}
	if (!ld_map_gets(eco_known, k.ecosystem)) {
		note(m->r, "the database has no advisories for %s%s: its OS packages were not checked", k.ecosystem, "");
		return 0;
	}
	m->r->summary.packages_checked++;
	return match_key(m, i, &k);
}

/* ---- enrichment and order ---- */

static int enrich(matcher *m, lading_finding *f, const draft *d)
{
	const char *cve = is_cve(d->id) ? d->id : NULL;
	ld_vdb_kev *kev = NULL;
	ld_vdb_q_epss *epss = NULL;
	ld_vdb_nvd *nvd = NULL;
	int rc;

	for (size_t i = 0; !cve && i < d->ids.n; i++)
		if (is_cve(d->ids.v[i]))
			cve = d->ids.v[i];
	f->epss_score = f->epss_percentile = -1;
	f->cvss_score = -1;
	if (cve) {
		cve_data *cd = ld_map_gets(&m->cves, cve);
		if (!cd) {
			cd = ld_arena_alloc(m->a, sizeof(*cd));
			if (!cd)
				return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
			if ((rc = ld_vdb_kev_get(m->db, cve, m->a, &cd->kev, m->ctx)) ||
			    (rc = ld_vdb_epss_get(m->db, cve, m->a, &cd->epss, m->ctx)) ||
			    (rc = ld_vdb_nvd_get(m->db, cve, m->a, &cd->nvd, m->ctx)))
				return rc;
			if (ld_map_put(&m->cves, ld_slice_cstr(cve), cd, NULL))
				return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
		}
		kev = cd->kev;
		epss = cd->epss;
		nvd = cd->nvd;
	}
	if (kev) {
		f->kev = 1;
		f->kev_date_added = kev->date_added;
		f->kev_due_date = kev->due_date;
		f->kev_ransomware = kev->ransomware && !strcmp(kev->ransomware, "Known");
	}
	if (epss) {
		f->epss_score = epss->score;
		f->epss_percentile = epss->percentile;
	}
	/* severity: the distribution's own rating, then the feed's CVSS, then NVD's */
	if (d->distro_sev != LADING_SEVERITY_UNKNOWN) {
		f->severity = d->distro_sev;
		f->severity_source = d->distro_sev_src;
	} else if (d->feed_score >= 0) {
		f->severity = sev_of_score(d->feed_score);
		f->severity_source = d->feed_src;
	} else if (nvd && nvd->v3_score >= 0) {
		f->severity = sev_of(nvd->v3_severity);
		if (f->severity == LADING_SEVERITY_UNKNOWN)
			f->severity = sev_of_score(nvd->v3_score);
		f->severity_source = "nvd";
	} else if (nvd && nvd->v2_score >= 0) {
		f->severity = sev_of(nvd->v2_severity);
		if (f->severity == LADING_SEVERITY_UNKNOWN)
			f->severity = sev_of_score(nvd->v2_score);
		f->severity_source = "nvd";
	}
	if (d->feed_vector) {
		f->cvss_vector = d->feed_vector;
		f->cvss_score = d->feed_score;
		f->cvss_source = d->feed_src;
	} else if (nvd && nvd->v3_vector) {
		f->cvss_vector = nvd->v3_vector;
		f->cvss_score = nvd->v3_score;
		f->cvss_source = "nvd";
	} else if (nvd && nvd->v2_vector) {
		f->cvss_vector = nvd->v2_vector;
		f->cvss_score = nvd->v2_score;
		f->cvss_source = "nvd";
	}
	f->title = d->title;
	if (!f->title && nvd && nvd->description) {
		/* NVD descriptions are paragraphs; a title is their first sentence, bounded */
		size_t n = strcspn(nvd->description, "\n");
		const char *dot = strstr(nvd->description, ". ");
		if (dot && (size_t)(dot - nvd->description) < n)
			n = (size_t)(dot - nvd->description) + 1;
		if (n > 200)
			n = 200;
		f->title = ld_arena_strndup(m->a, nvd->description, n);
	}
	f->url = d->url;
	return 0;
}

/* "Fix first": KEV, then EPSS, severity, fixable; then by package name, package and ID; the
 * suppressed last. Each finding's order is packed once into two integers (the sort compares
 * ~16 times per finding; comparing the findings themselves was most of the matching time). */
typedef struct sort_key {
	uint64_t k1, k2; /* compared in order; then id */
	const char *id;
	size_t idx;
} sort_key;

static int sort_key_cmp(const void *x, const void *y)
{
	const sort_key *a = x, *b = y;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* EPSS as a key that sorts the most likely first; unknown (< 0) after every known score. A
 * probability's IEEE-754 bits order like its value; dropping the 2 lowest keeps it < 2^62. */
static uint64_t epss_desc(double e)
{
	uint64_t bits;
	if (!(e >= 0))
		return ((uint64_t)1 << 62) - 1;
	if (e > 1)
		e = 1;
	memcpy(&bits, &e, sizeof(bits));
	return (((uint64_t)1 << 62) - 2) - (bits >> 2);
}

static int pkg_name_cmp(const void *x, const void *y, void *opaque)
{
	const lading_package *const *pkgs = opaque;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = strcmp(pkgs[a]->name, pkgs[b]->name);
	return c ? c : (a > b) - (a < b);
}

/* rank[i] = position of package i's name in name order (equal names: equal ranks). */
static uint32_t *name_ranks(const lading_package *const *pkgs, size_t n)
{
	uint32_t *order = malloc((n ? n : 1) * sizeof(*order)), *rank = malloc((n ? n : 1) * sizeof(*rank));
	if (!order || !rank) {
		free(order);
		free(rank);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), pkg_name_cmp, (void *)pkgs);
	for (size_t i = 0, r = 0; i < n; i++) {
		if (i && strcmp(pkgs[order[i]]->name, pkgs[order[i - 1]]->name))
			r = i;
		rank[order[i]] = (uint32_t)r;
	}
	free(order);
	return rank;
}

#define SORT_MAX_PACKAGES ((size_t)1 << 27) /* name rank and index share 59 bits of k2 */

static int sort_findings(ld_vec *findings, const ld_match_input *in)
{
	size_t n = findings->len;
	lading_finding *f = findings->ptr, tmp;
	sort_key *keys;
	uint32_t *rank;

	if (n < 2)
		return 0;
	if (in->npkgs >= SORT_MAX_PACKAGES)
		return LADING_ELIMIT;
	if (!(rank = name_ranks(in->pkgs, in->npkgs)))
		return LADING_ENOMEM;
	if (!(keys = malloc(n * sizeof(*keys)))) {
		free(rank);
		return LADING_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const lading_finding *x = &f[i];
		keys[i].k1 = (uint64_t)(x->suppressed ? 1 : 0) << 63 | (uint64_t)(x->kev ? 0 : 1) << 62 |
			     epss_desc(x->epss_score);
		keys[i].k2 = (uint64_t)(LADING_SEVERITY_CRITICAL - x->severity) << 60 |
			     (uint64_t)(x->fixed_count ? 0 : 1) << 59 | (uint64_t)rank[x->package_index] << 27 |
			     (uint64_t)x->package_index;
		keys[i].id = x->id;
		keys[i].idx = i;
	}
	free(rank);
	qsort(keys, n, sizeof(*keys), sort_key_cmp);
	/* put the findings in key order in place, one permutation cycle at a time: keys[i].idx is
	 * where the finding for slot i is now; SIZE_MAX marks a placed slot */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		if (keys[i].idx == SIZE_MAX || keys[i].idx == i) {
			keys[i].idx = SIZE_MAX;
			continue;
		}
		tmp = f[i];
		while (keys[j].idx != i) {
			size_t from = keys[j].idx;
			f[j] = f[from];
			keys[j].idx = SIZE_MAX;
			j = from;
		}
		f[j] = tmp;
		keys[j].idx = SIZE_MAX;
	}
	free(keys);
	return 0;
}

static int id_cmp(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	/* CVE IDs first, then the others; each group in natural order */
	if (is_cve(a) != is_cve(b))
		return is_cve(a) ? -1 : 1;
	return strcmp(a, b);
}

static void matcher_init(matcher *m, ld_match_result *r, ld_vdb *db, const lading_scan_options *opts,
			 lading_ctx *ctx)
{
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->db = db;
	m->ctx = ctx;
	m->a = &r->arena;
	ld_arena_init(&m->scratch, 0);
	ld_map_init(&m->drafts);
	m->drafts_pkg = SIZE_MAX;
	ld_map_init(&m->lookups);
	ld_map_init(&m->advs);
	ld_map_init(&m->cves);
	ld_vec_init(&m->order, sizeof(draft *), 0);
	m->os_managed = opts && opts->version >= 2 && opts->include_os_managed;
}

static void matcher_release(matcher *m)
{
	ld_vec_release(&m->order);
	ld_map_release(&m->drafts);
	ld_map_release(&m->lookups);
	ld_map_release(&m->advs);
	ld_map_release(&m->cves);
	ld_arena_release(&m->scratch);
}

/* The ecosystems the database has advisories for, and its age. */
static int read_db_facts(ld_vdb *db, ld_match_result *r, ld_map *eco_known, lading_ctx *ctx)
{
	const char *const *ecos;
	size_t necos;
	ld_vdb_q_meta *meta = NULL;
	int rc;

	if ((rc = ld_vdb_ecosystems(db, &r->arena, &ecos, &necos, ctx)))
		return rc;
	for (size_t i = 0; i < necos; i++)
		if (ld_map_put(eco_known, ld_slice_cstr(ecos[i]), (void *)1, NULL))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if (ld_vdb_meta_get(db, &r->arena, &meta, ctx) == 0 && meta) {
		time_t now = time(NULL);
		r->db_age = meta->built_epoch > 0 ? (int64_t)now - meta->built_epoch : -1;
	}
	return 0;
}

/* A finding from its draft: the ID, its aliases (CVEs first), fixed versions, advisories,
 * status, then what enrich adds. */
static int finding_from_draft(matcher *m, lading_finding *f, const draft *d, const ld_match_input *in)
{
	const char **aliases, **advs;
	size_t na = 0;

	f->id = d->id;
	f->package = in->pkgs[d->pkg];
	f->package_index = d->pkg;
	aliases = ld_arena_array(&m->r->arena, d->ids.n + 1, sizeof(char *));
	advs = d->advs.v;
	if (!aliases)
		return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
	for (size_t j = 0; j < d->ids.n; j++)
		if (strcmp(d->ids.v[j], d->id))
			aliases[na++] = d->ids.v[j];
	if (na > 1)
		qsort(aliases, na, sizeof(char *), id_cmp);
	f->aliases = aliases;
	f->alias_count = na;
	f->fixed_versions = d->fixed.v;
	f->fixed_count = d->fixed.n;
	if (d->advs.n > 1)
		qsort(advs, d->advs.n, sizeof(char *), id_cmp);
	f->advisories = advs;
	f->advisory_count = d->advs.n;
	f->status = d->fixed.n ? LADING_STATUS_FIXED : d->wontfix ? LADING_STATUS_WONTFIX : LADING_STATUS_NOFIX;
	return enrich(m, f, d);
}

static int findings_from_drafts(matcher *m, const ld_match_input *in)
{
	ld_match_result *r = m->r;
	int rc;

	if (ld_vec_reserve(&r->findings, r->findings.len + m->order.len))
		return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->order.len; i++) {
		const draft *d = *(draft **)ld_vec_at(&m->order, i);
		lading_finding *f = ld_vec_push(&r->findings);
		if (!f)
			return ld_error_set(m->ctx, LADING_ENOMEM, "out of memory");
		if ((rc = finding_from_draft(m, f, d, in)))
			return rc;
	}
	return 0;
}

/* The summary's counts of reported (not suppressed) findings. */
static void summarize(ld_match_result *r)
{
	for (size_t i = 0; i < r->findings.len; i++) {
		const lading_finding *f = ld_vec_at(&r->findings, i);
		if (f->suppressed) {
			r->summary.suppressed++;
			continue;
		}
		r->summary.total++;
		r->summary.by_severity[f->severity]++;
		r->summary.kev += f->kev ? 1 : 0;
		r->summary.fixable += f->fixed_count ? 1 : 0;
	}
}

int ld_match_run(ld_match_result *r, ld_vdb *db, const ld_match_input *in, const lading_scan_options *opts,
		 lading_ctx *ctx)
{
	matcher m;
	ld_map eco_known;
	int rc = 0;

	matcher_init(&m, r, db, opts, ctx);
	ld_map_init(&eco_known);
	r->summary.packages = in->npkgs;
	if ((rc = read_db_facts(db, r, &eco_known, ctx)))
		goto out;
	for (size_t i = 0; i < in->npkgs; i++)
		if ((rc = match_package(&m, i, in->pkgs[i], in->os, &eco_known)))
			goto out;
	if (m.skipped_os_managed) {
		char n[32];
		ld_snprintf(n, sizeof(n), "%zu", m.skipped_os_managed);
		note(r, "%s language packages installed by OS packages were left to the distribution's feed%s", n,
		     " (--include-os-managed matches them too)");
	}
	if ((rc = findings_from_drafts(&m, in)))
		goto out;
	if ((rc = ld_match_policy(r, opts, ctx)))
		goto out;
	if ((rc = sort_findings(&r->findings, in))) {
		rc = rc == LADING_ELIMIT
			     ? ld_error_set(ctx, rc, "more than %zu packages to sort findings of", SORT_MAX_PACKAGES)
			     : ld_error_set(ctx, rc, "out of memory");
		goto out;
	}
	summarize(r);
out:
	matcher_release(&m);
	ld_map_release(&eco_known);
	return rc;
}

const char *lading_severity_name(lading_severity s)
{
	static const char *const n[] = {"unknown", "low", "medium", "high", "critical"};
	return (unsigned)s < 5 ? n[s] : "unknown";
}

int lading_severity_parse(const char *name, lading_severity *out)
{
	static const struct {
		const char *n;
		lading_severity s;
	} t[] = {{"unknown", LADING_SEVERITY_UNKNOWN}, {"none", LADING_SEVERITY_UNKNOWN},
		 {"low", LADING_SEVERITY_LOW},         {"negligible", LADING_SEVERITY_LOW},
		 {"unimportant", LADING_SEVERITY_LOW}, {"medium", LADING_SEVERITY_MEDIUM},
		 {"moderate", LADING_SEVERITY_MEDIUM}, {"high", LADING_SEVERITY_HIGH},
		 {"important", LADING_SEVERITY_HIGH},  {"critical", LADING_SEVERITY_CRITICAL}};
	for (size_t i = 0; name && i < LD_ARRAY_LEN(t); i++)
		if (ld_slice_case_eq_cstr(ld_slice_cstr(name), t[i].n)) {
			*out = t[i].s;
			return 0;
		}
	return LADING_EUSAGE;
}

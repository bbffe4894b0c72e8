/* A test tap for the feed importers: every record becomes one line of text in `dump`, so a test
 * can assert on exactly what a parser emitted:
 *   adv <source> <id> [aliases=A,B] [sev=S/raw] {<eco>|<pkg>|<status or range>|sev=S/raw} ...
 *   kev <cve>|<vendor>|<product>|<name>|<added>|<due>|<ransomware>|<action>|<description>
 *   epss <cve> <score> <percentile>
 *   nvd <cve> pub=<p> mod=<m> v3=<vector>/<score>/<sev> v2=<vector>/<score>/<sev>
 *   cpe <cve> <part>|<vendor>|<product>|<version> si=.. se=.. ei=.. ee=.. <cpe23>
 * With `quiet` set only the counters move (for the big real files). */
#ifndef FEEDTAP_H
#define FEEDTAP_H

#include "util/common.h"
#include "vulndb/importers.h"

typedef struct feedtap {
	ld_buf dump;
	bool quiet;
	size_t nadv, nkev, nepss, nnvd, ncpe, naffected;
	ld_vdb_tap tap;
	ld_vdb_feed_stats stats;
	ld_vdb_sink sink;
} feedtap;

#define S_(s) ((s) ? (s) : "-")

static int ft_adv(void *o, const ld_vdb_advisory *a)
{
	feedtap *t = o;
	t->nadv++;
	t->naffected += a->naffected;
	if (t->quiet)
		return 0;
	ld_buf_addf(&t->dump, "adv %s %s", a->source, a->id);
	if (a->naliases) {
		ld_buf_adds(&t->dump, " aliases=");
		for (size_t i = 0; i < a->naliases; i++)
			ld_buf_addf(&t->dump, "%s%s", i ? "," : "", a->aliases[i]);
	}
	if (a->severity || a->severity_raw)
		ld_buf_addf(&t->dump, " sev=%s/%s", S_(a->severity), S_(a->severity_raw));
	if (a->summary)
		ld_buf_addf(&t->dump, " summary=\"%s\"", a->summary);
	if (a->published)
		ld_buf_addf(&t->dump, " published=%s", a->published);
	for (size_t i = 0; i < a->naffected; i++) {
		const ld_vdb_affected *f = &a->affected[i];
		ld_buf_addf(&t->dump, " {%s|%s|", f->ecosystem, f->package);
		if (f->status)
			ld_buf_adds(&t->dump, f->status);
		for (size_t r = 0; r < f->nranges; r++)
			for (size_t e = 0; e < f->ranges[r].nevents; e++)
				ld_buf_addf(&t->dump, "%s%s:%s", e ? "," : "",
					    f->ranges[r].events[e].kind,
					    f->ranges[r].events[e].version);
		if (f->severity || f->severity_raw)
			ld_buf_addf(&t->dump, "|sev=%s/%s", S_(f->severity), S_(f->severity_raw));
		ld_buf_adds(&t->dump, "}");
	}
	ld_buf_adds(&t->dump, "\n");
	return 0;
}

static int ft_kev(void *o, const ld_vdb_kev *k)
{
	feedtap *t = o;
	t->nkev++;
	if (!t->quiet)
		ld_buf_addf(&t->dump, "kev %s|%s|%s|%s|%s|%s|%s|%s|%s\n", S_(k->cve), S_(k->vendor),
			    S_(k->product), S_(k->name), S_(k->date_added), S_(k->due_date),
			    S_(k->ransomware), S_(k->required_action), S_(k->description));
	return 0;
}

static int ft_epss(void *o, const char *cve, double score, double pct)
{
	feedtap *t = o;
	t->nepss++;
	if (!t->quiet)
		ld_buf_addf(&t->dump, "epss %s %.5f %.5f\n", cve, score, pct);
	return 0;
}

static int ft_nvd(void *o, const ld_vdb_nvd *n)
{
	feedtap *t = o;
	t->nnvd++;
	if (!t->quiet)
		ld_buf_addf(&t->dump,
			    "nvd %s pub=%s mod=%s v3=%s/%.1f/%s v2=%s/%.1f/%s desc=\"%s\"\n",
			    n->cve, S_(n->published), S_(n->modified), S_(n->v3_vector),
			    n->v3_score, S_(n->v3_severity), S_(n->v2_vector), n->v2_score,
			    S_(n->v2_severity), S_(n->description));
	return 0;
}

static int ft_cpe(void *o, const ld_vdb_cpe_match *m)
{
	feedtap *t = o;
	t->ncpe++;
	if (!t->quiet)
		ld_buf_addf(&t->dump, "cpe %s %s|%s|%s|%s si=%s se=%s ei=%s ee=%s %s\n", m->cve,
			    S_(m->part), S_(m->vendor), S_(m->product), S_(m->version),
			    S_(m->start_incl), S_(m->start_excl), S_(m->end_incl), S_(m->end_excl),
			    m->cpe23);
	return 0;
}

static inline void feedtap_init(feedtap *t, bool quiet)
{
	memset(t, 0, sizeof(*t));
	ld_buf_init(&t->dump, (size_t)256 << 20);
	t->quiet = quiet;
	t->tap.advisory = ft_adv;
	t->tap.kev = ft_kev;
	t->tap.epss = ft_epss;
	t->tap.nvd = ft_nvd;
	t->tap.cpe_match = ft_cpe;
	t->tap.opaque = t;
	t->sink.tap = &t->tap;
	t->sink.stats = &t->stats;
}

static inline void feedtap_release(feedtap *t)
{
	ld_buf_release(&t->dump);
}

/* The dump line that starts with `prefix` (e.g. "adv alpine-secdb XSA-207 "), or NULL. */
static inline const char *feedtap_line(const feedtap *t, const char *prefix, char *out,
				       size_t outsz)
{
	const char *p = ld_buf_cstr(&t->dump);
	size_t pl = strlen(prefix);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= pl && memcmp(p, prefix, pl) == 0) {
			ld_slice_copy(out, outsz, ld_slice_make(p, n));
			return out;
		}
		p += n + (nl ? 1 : 0);
	}
	return NULL;
}

static inline bool feedtap_has(const feedtap *t, const char *needle)
{
	return strstr(ld_buf_cstr(&t->dump), needle) != NULL;
}

/* Read a whole file of the test data or the shared mirror. */
static inline char *feedtap_slurp(const char *dir_env, const char *rel, size_t *len)
{
	const char *dir = getenv(dir_env);
	char path[4096];
	FILE *f;
	char *buf;
	long n;
	if (!dir)
		return NULL;
	ld_snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static inline void feedtap_path(char *out, size_t outsz, const char *dir_env, const char *rel)
{
	const char *dir = getenv(dir_env);
	ld_snprintf(out, outsz, "%s/%s", dir ? dir : ".", rel);
}

#endif

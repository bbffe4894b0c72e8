/* Shared by the feed importer harnesses (fuzz_secdb.c, fuzz_debian_*.c, fuzz_kev.c, fuzz_epss.c,
 * fuzz_nvd.c): a tap that reads every byte of every record it is given, so that a dangling or
 * unterminated string shows up under ASan, and checks the invariants records must keep. */
#ifndef FEED_FUZZ_H
#define FEED_FUZZ_H

#include "util/common.h"
#include "vulndb/importers.h"

static size_t fz_len(const char *s)
{
	return s ? strlen(s) : 0;
}

static int fz_adv(void *o, const ld_vdb_advisory *a)
{
	size_t *n = o;
	*n += fz_len(a->source) + fz_len(a->id) + fz_len(a->summary) + fz_len(a->details) +
	      fz_len(a->published) + fz_len(a->url) + fz_len(a->severity) + fz_len(a->severity_raw);
	if (!a->id || !*a->id || !a->source)
		__builtin_trap();
	for (size_t i = 0; i < a->naliases; i++)
		*n += fz_len(a->aliases[i]);
	for (size_t i = 0; i < a->naffected; i++) {
		const ld_vdb_affected *f = &a->affected[i];
		if (!f->ecosystem || !f->package || !*f->package)
			__builtin_trap();
		*n += fz_len(f->ecosystem) + fz_len(f->package) + fz_len(f->status) +
		      fz_len(f->severity) + fz_len(f->severity_raw);
		/* an entry either has a status or a range, never neither */
		if (!f->status && f->nranges == 0)
			__builtin_trap();
		for (size_t r = 0; r < f->nranges; r++)
			for (size_t e = 0; e < f->ranges[r].nevents; e++)
				*n += fz_len(f->ranges[r].events[e].kind) +
				      fz_len(f->ranges[r].events[e].version);
	}
	return 0;
}

static int fz_kev(void *o, const ld_vdb_kev *k)
{
	size_t *n = o;
	*n += fz_len(k->cve) + fz_len(k->vendor) + fz_len(k->product) + fz_len(k->name) +
	      fz_len(k->date_added) + fz_len(k->due_date) + fz_len(k->required_action) +
	      fz_len(k->ransomware) + fz_len(k->description);
	return 0;
}

static int fz_epss(void *o, const char *cve, double score, double pct)
{
	size_t *n = o;
	if (!(score >= 0 && score <= 1 && pct >= 0 && pct <= 1))
		__builtin_trap();
	*n += fz_len(cve);
	return 0;
}

static int fz_nvd(void *o, const ld_vdb_nvd *v)
{
	size_t *n = o;
	*n += fz_len(v->cve) + fz_len(v->published) + fz_len(v->modified) + fz_len(v->description) +
	      fz_len(v->v3_vector) + fz_len(v->v3_severity) + fz_len(v->v2_vector) +
	      fz_len(v->v2_severity);
	return 0;
}

static int fz_cpe(void *o, const ld_vdb_cpe_match *m)
{
	size_t *n = o;
	*n += fz_len(m->cve) + fz_len(m->cpe23) + fz_len(m->part) + fz_len(m->vendor) +
	      fz_len(m->product) + fz_len(m->version) + fz_len(m->start_incl) +
	      fz_len(m->start_excl) + fz_len(m->end_incl) + fz_len(m->end_excl);
	return 0;
}

/* Run `parse` over the input with the checking tap, then again with no tap at all. */
typedef int (*fz_parse_fn)(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			   ld_vdb_import_result *res, lading_ctx *ctx);

static inline void fz_run(fz_parse_fn parse, const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	size_t bytes = 0;
	ld_vdb_tap tap = {fz_adv, fz_kev, fz_epss, fz_nvd, fz_cpe, &bytes};
	ld_vdb_feed_stats st;
	ld_vdb_sink out = {&tap, &st};
	ld_vdb_sink bare = {NULL, NULL};
	ld_vdb_import_result res;

	if (lading_ctx_new(&ctx))
		return;
	memset(&st, 0, sizeof(st));
	memset(&res, 0, sizeof(res));
	(void)parse(&out, (const char *)data, size, "fuzz", &res, ctx);
	memset(&res, 0, sizeof(res));
	(void)parse(&bare, (const char *)data, size, "fuzz", &res, ctx);
	lading_ctx_free(ctx);
}

#endif

/* Record sets (lading_census): probe results or a store's contents, and their JSON and table
 * renderings. */
#include <time.h>

#include "util/common.h"
#include "census/census.h"
#include "util/jsonw.h"

/* Named limits. */
#define CENSUS_MAX_RECORDS ((size_t)1 << 26) /* records in one set */
#define CENSUS_ARENA_MAX ((size_t)8 << 30)

int ld_census_new(lading_census **out)
{
	lading_census *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return LADING_ENOMEM;
	ld_arena_init(&c->arena, CENSUS_ARENA_MAX);
	ld_vec_init(&c->recs, sizeof(lading_census_record), CENSUS_MAX_RECORDS);
	*out = c;
	return 0;
}

void lading_census_free(lading_census *c)
{
	if (!c)
		return;
	ld_vec_release(&c->recs);
	ld_arena_release(&c->arena);
	free(c);
}

size_t lading_census_count(const lading_census *c)
{
	return c ? c->recs.len : 0;
}

const lading_census_record *lading_census_record_at(const lading_census *c, size_t i)
{
	return c && i < c->recs.len ? ld_vec_at(&c->recs, i) : NULL;
}

const lading_probe_stats *lading_census_probe_stats(const lading_census *c)
{
	return &c->stats;
}

void ld_census_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	if (!strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

static const char *dup_or_null(ld_arena *a, const char *s)
{
	return s ? ld_arena_strdup(a, s) : NULL;
}

int ld_census_add_record(lading_census *c, const lading_census_record *src)
{
	lading_census_record *r;
	lading_census_attr *attrs = NULL;
	ld_arena *a = &c->arena;
	if (src->attr_count) {
		attrs = ld_arena_array(a, src->attr_count, sizeof(*attrs));
		if (!attrs)
			return LADING_ENOMEM;
		for (size_t i = 0; i < src->attr_count; i++) {
			attrs[i].key = dup_or_null(a, src->attrs[i].key);
			attrs[i].value = dup_or_null(a, src->attrs[i].value);
		}
	}
	if (!(r = ld_vec_push(&c->recs)))
		return ld_vec_full(&c->recs) ? LADING_ELIMIT : LADING_ENOMEM;
	r->target = dup_or_null(a, src->target);
	r->port = src->port;
	r->transport = dup_or_null(a, src->transport ? src->transport : "tcp");
	r->service = dup_or_null(a, src->service);
	r->product = dup_or_null(a, src->product);
	r->version = dup_or_null(a, src->version);
	r->distro = dup_or_null(a, src->distro);
	r->cpe = dup_or_null(a, src->cpe);
	r->evidence = dup_or_null(a, src->evidence);
	r->time = dup_or_null(a, src->time);
	r->source = dup_or_null(a, src->source);
	r->note = dup_or_null(a, src->note);
	r->attrs = attrs;
	r->attr_count = src->attr_count;
	return a->err ? a->err : 0;
}

static void record_json(ld_jw *w, const lading_census_record *r)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "target", r->target);
	ld_jw_ki64(w, "port", r->port);
	ld_jw_kstr(w, "transport", r->transport);
	ld_jw_kstr(w, "service", r->service);
	ld_jw_kstr(w, "product", r->product);
	ld_jw_kstr(w, "version", r->version);
	ld_jw_kstr(w, "distro", r->distro);
	ld_jw_kstr(w, "cpe", r->cpe);
	ld_jw_kstr(w, "evidence", r->evidence);
	ld_jw_kstr(w, "time", r->time);
	ld_jw_kstr(w, "source", r->source);
	ld_jw_kstr(w, "note", r->note);
	ld_jw_key(w, "attrs");
	ld_jw_obj(w);
	for (size_t i = 0; i < r->attr_count; i++)
		ld_jw_kstr(w, r->attrs[i].key, r->attrs[i].value);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

static void cell(ld_buf *b, const char *s, int width)
{
	int n = s ? (int)strlen(s) : 1;
	ld_buf_adds(b, s ? s : "-");
	if (width > 0)
		ld_buf_addf(b, "%*s", width > n ? width - n : 1, "");
}

/* "192.0.2.1:22", "[2001:db8::1]:22" */
static void target_port(char *out, size_t n, const lading_census_record *r)
{
	const char *t = r->target ? r->target : "";
	if (strchr(t, ':'))
		ld_snprintf(out, n, "[%s]:%u", t, r->port);
	else
		ld_snprintf(out, n, "%s:%u", t, r->port);
}

int lading_census_records_write(char **out, size_t *len, lading_ctx *ctx, const lading_census *c,
				lading_format fmt)
{
	ld_buf b;
	*out = NULL;
	*len = 0;
	ld_buf_init(&b, LD_BUF_DEFAULT_MAX);
	if (fmt == LADING_FORMAT_JSON) {
		ld_jw w;
		ld_jw_init(&w, &b, true);
		ld_jw_arr(&w);
		for (size_t i = 0; i < c->recs.len; i++)
			record_json(&w, ld_vec_at(&c->recs, i));
		ld_jw_arr_end(&w);
		ld_jw_finish(&w);
	} else if (fmt == LADING_FORMAT_TABLE) {
		int wt = 8, wp = 9, wq = 9, wv = 9, wd = 8;
		for (size_t i = 0; i < c->recs.len; i++) {
			const lading_census_record *r = ld_vec_at(&c->recs, i);
			char tp[300];
			target_port(tp, sizeof(tp), r);
			wt = LD_MAX(wt, (int)strlen(tp) + 2);
			wp = LD_MAX(wp, r->service ? (int)strlen(r->service) + 2 : 0);
			wq = LD_MAX(wq, r->product ? (int)strlen(r->product) + 2 : 0);
			wv = LD_MAX(wv, r->version ? (int)strlen(r->version) + 2 : 0);
			wd = LD_MAX(wd, r->distro ? (int)strlen(r->distro) + 2 : 0);
		}
		cell(&b, "TARGET", wt);
		cell(&b, "SERVICE", wp);
		cell(&b, "PRODUCT", wq);
		cell(&b, "VERSION", wv);
		cell(&b, "DISTRO", wd);
		ld_buf_adds(&b, "NOTE\n");
		for (size_t i = 0; i < c->recs.len; i++) {
			const lading_census_record *r = ld_vec_at(&c->recs, i);
			char tp[300];
			target_port(tp, sizeof(tp), r);
			cell(&b, tp, wt);
			cell(&b, r->service, wp);
			cell(&b, r->product, wq);
			cell(&b, r->version, wv);
			cell(&b, r->distro, wd);
			if (r->note)
				ld_buf_adds(&b, r->note);
			else if (!r->product && r->evidence)
				ld_buf_addf(&b, "banner: %.60s", r->evidence);
			ld_buf_addc(&b, '\n');
		}
	} else {
		ld_buf_release(&b);
		return ld_error_set(ctx, LADING_EUSAGE, "census records are written as json or table");
	}
	if (ld_buf_error(&b)) {
		int rc = ld_buf_error(&b);
		ld_buf_release(&b);
		return ld_error_set(ctx, rc, "census records: output too large or out of memory");
	}
	*out = ld_buf_detach(&b, len);
	return 0;
}

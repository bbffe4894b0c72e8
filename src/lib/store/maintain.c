/* inventory prune and check: the only deletions (asked for, dated, one transaction) and the
 * consistency report the tests run after crashes. */
#include "util/common.h"
#include "util/jsonw.h"
#include "store/store.h"

/* Named limits. */
#define CHECK_MAX_ROWS 64

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ -> the store's form. */
static int parse_before(const char *in, char out[32])
{
	size_t n = in ? strlen(in) : 0;
	if (n < 10 || !digits(in, 4) || in[4] != '-' || !digits(in + 5, 2) || in[7] != '-' || !digits(in + 8, 2))
		return -1;
	if (n == 10) {
		ld_snprintf(out, 32, "%.10sT00:00:00Z", in);
		return 0;
	}
	if (n != 20 || in[10] != 'T' || !digits(in + 11, 2) || in[13] != ':' || !digits(in + 14, 2) || in[16] != ':' ||
	    !digits(in + 17, 2) || in[19] != 'Z')
		return -1;
	ld_strlcpy(out, in, 32);
	return 0;
}

typedef struct prune_ctx {
	const char *before;
	lading_prune_result *res;
} prune_ctx;

static int prune_tx(ld_store *s, void *opaque)
{
	prune_ctx *pc = opaque;
	ld_sv p = ld_sv_text(pc->before);
	static const ld_sq steps[] = {LD_SQ_PRUNE_REFS,	    LD_SQ_PRUNE_CONTAINERS, LD_SQ_PRUNE_IMAGE_LAYERS,
				      LD_SQ_PRUNE_IMAGES,   LD_SQ_PRUNE_MATCHES,    LD_SQ_PRUNE_ITEMS,
				      LD_SQ_PRUNE_PKGLISTS, LD_SQ_PRUNE_FINDINGS,   LD_SQ_PRUNE_PACKAGES,
				      LD_SQ_PRUNE_LAYERS,   LD_SQ_PRUNE_LABELS,     LD_SQ_NOTIFY_SEEN_PRUNE,
				      LD_SQ_PRUNE_DELIVERIES, LD_SQ_PRUNE_EVENTS,   LD_SQ_PRUNE_SLOTS};
	int64_t n[sizeof(steps) / sizeof(steps[0])];
	int rc;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		bool dated = steps[i] <= LD_SQ_PRUNE_IMAGES || steps[i] == LD_SQ_PRUNE_DELIVERIES ||
			     steps[i] == LD_SQ_PRUNE_EVENTS || steps[i] == LD_SQ_PRUNE_SLOTS;
		n[i] = 0;
		if ((rc = ld_store_exec(s, steps[i], dated ? &p : NULL, dated ? 1 : 0, NULL, NULL, &n[i])))
			return rc;
	}
	pc->res->refs = (size_t)n[0];
	pc->res->containers = (size_t)n[1];
	pc->res->images = (size_t)n[3];
	pc->res->matches = (size_t)n[4];
	pc->res->package_lists = (size_t)n[6];
	pc->res->layers = (size_t)n[9];
	return 0;
}

int lading_inventory_prune(lading_store *s, lading_ctx *ctx, const char *before, lading_prune_result *res)
{
	char b[32];
	prune_ctx pc = {b, res};

	ld_error_clear(ctx);
	s->ctx = ctx;
	memset(res, 0, sizeof(*res));
	if (parse_before(before, b))
		return ld_error_set(ctx, LADING_EUSAGE, "--before %s: a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)",
				    before ? before : "");
	return ld_store_transaction(s, prune_tx, &pc);
}

typedef struct check_row {
	char name[96];
	int64_t count;
} check_row;

typedef struct check_rows {
	check_row v[CHECK_MAX_ROWS];
	size_t n;
} check_rows;

static int check_cb(void *opaque, const ld_sv *c, size_t n)
{
	check_rows *r = opaque;
	if (n < 2 || r->n >= CHECK_MAX_ROWS)
		return 1;
	ld_strlcpy(r->v[r->n].name, ld_sv_str(&c[0]) ? ld_sv_str(&c[0]) : "?", sizeof(r->v[r->n].name));
	r->v[r->n++].count = ld_sv_i64(&c[1]);
	return 0;
}

static void render_check(ld_buf *b, lading_format fmt, const check_rows *problems, const check_rows *counts,
			 size_t bad, const lading_store *s)
{
	if (fmt == LADING_FORMAT_JSON) {
		ld_jw w;
		ld_jw_init(&w, b, true);
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "store", s->target);
		ld_jw_kstr(&w, "backend", s->ops->name);
		ld_jw_ki64(&w, "schema_version", s->schema);
		ld_jw_kbool(&w, "ok", bad == 0);
		ld_jw_key(&w, "problems");
		ld_jw_obj(&w);
		for (size_t i = 0; i < problems->n; i++)
			ld_jw_ki64(&w, problems->v[i].name, problems->v[i].count);
		ld_jw_obj_end(&w);
		ld_jw_key(&w, "counts");
		ld_jw_obj(&w);
		for (size_t i = 0; i < counts->n; i++)
			ld_jw_ki64(&w, counts->v[i].name, counts->v[i].count);
		ld_jw_obj_end(&w);
		ld_jw_obj_end(&w);
		ld_jw_finish(&w);
		return;
	}
	ld_buf_addf(b, "store %s (%s, schema %d)\n", s->target, s->ops->name, s->schema);
	for (size_t i = 0; i < counts->n; i++)
		ld_buf_addf(b, "  %-20s %" PRId64 "\n", counts->v[i].name, counts->v[i].count);
	for (size_t i = 0; i < problems->n; i++)
		if (problems->v[i].count)
			ld_buf_addf(b, "PROBLEM: %s: %" PRId64 "\n", problems->v[i].name, problems->v[i].count);
	ld_buf_adds(b, bad ? "the store is NOT consistent\n" : "consistent\n");
}

int lading_inventory_check(lading_store *s, lading_ctx *ctx, lading_format fmt, char **out, size_t *len)
{
	check_rows problems, counts;
	ld_buf b = LD_BUF_INIT;
	size_t bad = 0;
	int rc;

	ld_error_clear(ctx);
	s->ctx = ctx;
	*out = NULL;
	problems.n = counts.n = 0;
	if ((rc = ld_store_exec(s, LD_SQ_CHECK, NULL, 0, check_cb, &problems, NULL)) ||
	    (rc = ld_store_exec(s, LD_SQ_COUNTS, NULL, 0, check_cb, &counts, NULL)))
		return rc;
	for (size_t i = 0; i < problems.n; i++)
		bad += problems.v[i].count != 0;
	render_check(&b, fmt, &problems, &counts, bad, s);
	if (ld_buf_error(&b)) {
		ld_buf_release(&b);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	*out = ld_buf_detach(&b, len);
	if (bad)
		for (size_t i = 0; i < problems.n; i++)
			if (problems.v[i].count)
				return ld_error_set(ctx, LADING_EINVALID, "store %s is not consistent: %s: %" PRId64, s->target,
						    problems.v[i].name, problems.v[i].count);
	return 0;
}

/* The fleet history the store keeps (table fleet_summary, docs/inventory.md): after every rescan,
 * and after `add` at most once per UTC day, one summary overall and one per group of every
 * grouping `report fleet --group-by` knows (official, registry, repo, namespace, source, and
 * label:KEY for the label keys the images carry, bounded below), computed with the fleet report's
 * own definitions (ld_fleet_summarize) over the fleet as stored now; new and fixed findings come
 * from the rescan's diff. `report fleet --store URL --history [--group-by KEY]` reads them back. */
#include <time.h>

#include "api/inventory_doc.h"
#include "store/fleet_data.h"

/* Named limits: what one summary write may hold. */
#define HISTORY_MAX_GROUPS 64         /* groups one image may fall in (one per reference at most) */
#define HISTORY_MAX_LABEL_KEYS 16     /* label keys summarized: those on most images */
#define HISTORY_MAX_LABEL_VALUES 100  /* a key with more distinct values (a build id, a date) is
					 not a grouping: it is left out */
#define HISTORY_MAX_ROWS_PER_KEY 1000 /* groups kept per grouping: those with most images */

static const char *const history_keys[] = {"official", "registry", "repo", "namespace", "source"};
#define HISTORY_KEYS (sizeof(history_keys) / sizeof(history_keys[0]))

typedef struct hist {
	lading_store *s;
	const ld_fleet_summary *rows;
	size_t n;
} hist;

static int last_row(void *opaque, const ld_sv *c, size_t n)
{
	char *out = opaque;
	const char *t = n ? ld_sv_str(&c[0]) : NULL;
	ld_strlcpy(out, t ? t : "", 32);
	return 0;
}

static int put_rows(ld_store *s, void *opaque)
{
	const hist *h = opaque;
	ld_store_batch bt;
	int rc = 0;

	ld_store_batch_init(&bt, s, LD_SQ_SUMMARY_PUT_MANY, NULL, 0);
	for (size_t i = 0; i < h->n && !rc; i++) {
		const ld_fleet_summary *r = &h->rows[i];
		ld_jw *w = ld_store_batch_row(&bt);
		char t[32];
		ld_fleet_format_time(r->time, t);
		ld_jw_arr(w);
		ld_jw_str(w, t);
		ld_jw_str(w, r->group_by);
		ld_jw_str(w, r->group);
		ld_jw_u64(w, r->images);
		ld_jw_u64(w, r->vulnerabilities);
		ld_jw_fixed(w, r->vulns_median, 1);
		ld_jw_fixed(w, r->vulns_p90, 1);
		ld_jw_u64(w, r->new_findings);
		ld_jw_u64(w, r->fixed_findings);
		ld_jw_u64(w, r->kev_images);
		ld_jw_u64(w, r->critical_images);
		ld_jw_u64(w, r->fixable_images);
		ld_jw_u64(w, r->containers_running);
		ld_jw_arr_end(w);
		rc = ld_store_batch_next(&bt);
	}
	if (!rc)
		rc = ld_store_batch_flush(&bt);
	ld_store_batch_release(&bt);
	return rc;
}

static const char *row_key(ld_buf *k, const char *group_by, const char *group)
{
	ld_buf_clear(k);
	ld_buf_addf(k, "%s\x1f%s", group ? group_by : "", group ? group : "");
	return ld_buf_error(k) ? NULL : k->ptr;
}

/* Each image's new/fixed findings go to every group it is in, under every grouping, and to the
 * overall row. */
static int add_deltas(ld_fleet_summary *rows, size_t nrows, const ld_fleet_data *d, ld_fleet_grouping *const *g,
		      size_t ngr, const inv_delta *deltas, size_t n, ld_arena *a)
{
	const char *names[HISTORY_MAX_GROUPS];
	ld_buf k = LD_BUF_INIT;
	ld_map idx, byrow;
	int rc = 0;

	ld_map_init(&idx);
	ld_map_init(&byrow);
	for (size_t i = 0; i < d->image_count && !rc; i++)
		if (ld_map_put(&idx, ld_slice_cstr(d->images[i].digest), (void *)(uintptr_t)(i + 1), NULL))
			rc = LADING_ENOMEM;
	for (size_t i = 0; i < nrows && !rc; i++) {
		const char *key = row_key(&k, rows[i].group_by, rows[i].group);
		const char *kept = key ? ld_arena_strdup(a, key) : NULL;
		if (!kept || ld_map_put(&byrow, ld_slice_cstr(kept), &rows[i], NULL))
			rc = LADING_ENOMEM;
	}
	for (size_t q = 0; q < n && !rc; q++) {
		uintptr_t i = (uintptr_t)ld_map_gets(&idx, deltas[q].digest);
		if (!i) /* pruned meanwhile */
			continue;
		for (size_t j = 0; j <= ngr && !rc; j++) {
			size_t ng = 0;
			if (j < ngr && (rc = ld_fleet_groups_of(g[j], &d->images[i - 1], a, names, HISTORY_MAX_GROUPS, &ng)))
				break;
			for (size_t m = 0; m < (j < ngr ? ng : 1); m++) {
				const char *key = j < ngr ? row_key(&k, ld_fleet_grouping_key(g[j]), names[m])
							  : row_key(&k, NULL, NULL);
				ld_fleet_summary *r = key ? ld_map_gets(&byrow, key) : NULL;
				if (r) {
					r->new_findings += deltas[q].new_findings;
					r->fixed_findings += deltas[q].fixed_findings;
				}
			}
		}
	}
	ld_map_release(&byrow);
	ld_map_release(&idx);
	ld_buf_release(&k);
	return rc;
}

typedef struct label_key {
	const char *key;
	size_t images;
	ld_map values;
} label_key;

static int label_key_cmp(const void *x, const void *y)
{
	const label_key *a = *(label_key *const *)x, *b = *(label_key *const *)y;
	if (a->images != b->images)
		return a->images < b->images ? 1 : -1;
	return strcmp(a->key, b->key);
}

/* The label keys worth a history: on most images first, with few distinct values. */
static int label_keys(const ld_fleet_data *d, ld_arena *a, const char **out, size_t *n)
{
	ld_map keys;
	ld_vec all;
	int rc = 0;

	*n = 0;
	ld_map_init(&keys);
	ld_vec_init(&all, sizeof(label_key *), 0);
	for (size_t i = 0; i < d->image_count && !rc; i++)
		for (size_t j = 0; j < d->images[i].label_count && !rc; j++) {
			const ld_fleet_kv *kv = &d->images[i].labels[j];
			label_key *lk = ld_map_gets(&keys, kv->key), **slot;
			if (!lk) {
				if (!(lk = ld_arena_alloc(a, sizeof(*lk))) || !(slot = ld_vec_push(&all))) {
					rc = LADING_ENOMEM;
					break;
				}
				*slot = lk;
				lk->key = kv->key;
				lk->images = 0;
				ld_map_init(&lk->values);
				if (ld_map_put(&keys, ld_slice_cstr(kv->key), lk, NULL))
					rc = LADING_ENOMEM;
			}
			lk->images++;
			if (!rc && lk->values.len <= HISTORY_MAX_LABEL_VALUES &&
			    ld_map_put(&lk->values, ld_slice_cstr(kv->value ? kv->value : ""), lk, NULL))
				rc = LADING_ENOMEM;
		}
	if (!rc && all.len)
		qsort(all.ptr, all.len, sizeof(label_key *), label_key_cmp);
	for (size_t i = 0; i < all.len; i++) {
		label_key *lk = *(label_key **)ld_vec_at(&all, i);
		if (!rc && *n < HISTORY_MAX_LABEL_KEYS && lk->values.len <= HISTORY_MAX_LABEL_VALUES) {
			const char *k = ld_arena_printf(a, "label:%s", lk->key);
			if (!k)
				rc = LADING_ENOMEM;
			else
				out[(*n)++] = k;
		}
		ld_map_release(&lk->values);
	}
	ld_vec_release(&all);
	ld_map_release(&keys);
	return rc;
}

/* The groupings summarized: the fixed ones, then the label keys. */
static int groupings_new(ld_fleet_grouping **g, size_t *ngr, const ld_fleet_data *d, ld_arena *a,
			 lading_ctx *ctx)
{
	const char *keys[HISTORY_KEYS + HISTORY_MAX_LABEL_KEYS];
	size_t nl = 0;
	int rc;

	*ngr = 0;
	for (size_t i = 0; i < HISTORY_KEYS; i++)
		keys[i] = history_keys[i];
	if ((rc = label_keys(d, a, keys + HISTORY_KEYS, &nl)))
		return ld_error_set(ctx, rc, "out of memory summarizing the fleet");
	for (size_t i = 0; i < HISTORY_KEYS + nl; i++) {
		if ((rc = ld_fleet_grouping_new(&g[i], keys[i], NULL, ctx)))
			return rc;
		(*ngr)++;
	}
	return 0;
}

static int rows_cmp(const void *x, const void *y)
{
	const ld_fleet_summary *a = x, *b = y;
	int c;
	if (!a->group || !b->group)
		return !a->group ? (b->group ? -1 : 0) : 1;
	if ((c = strcmp(a->group_by, b->group_by)))
		return c;
	if (a->images != b->images)
		return a->images < b->images ? 1 : -1;
	return strcmp(a->group, b->group);
}

/* Overall first, then per grouping the HISTORY_MAX_ROWS_PER_KEY groups with most images. */
static size_t bound_rows(ld_fleet_summary *rows, size_t n)
{
	size_t k = 0, run = 0;
	if (n > 1)
		qsort(rows, n, sizeof(*rows), rows_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i && rows[i].group && rows[i - 1].group && !strcmp(rows[i].group_by, rows[i - 1].group_by))
			run++;
		else
			run = 0;
		if (!rows[i].group || run < HISTORY_MAX_ROWS_PER_KEY)
			rows[k++] = rows[i];
	}
	return k;
}

/* Today's summary exists already (UTC date of the newest row). */
static int written_today(lading_store *s, bool *yes)
{
	char last[32] = "", today[32];
	int rc;
	*yes = false;
	if ((rc = ld_store_exec(s, LD_SQ_SUMMARY_LAST, NULL, 0, last_row, last, NULL)))
		return rc;
	ld_fleet_format_time((int64_t)time(NULL), today);
	*yes = strlen(last) >= 10 && !strncmp(last, today, 10);
	return 0;
}

int inv_history_record(lading_store *s, lading_ctx *ctx, const inv_delta *deltas, size_t n, bool once_a_day)
{
	ld_fleet_data d;
	ld_fleet_vulns *v = NULL;
	ld_fleet_grouping *g[HISTORY_KEYS + HISTORY_MAX_LABEL_KEYS] = {0};
	size_t ngr = 0;
	hist h = {s, NULL, 0};
	ld_fleet_summary *rows;
	bool skip;
	int rc;

	s->ctx = ctx;
	if (once_a_day && ((rc = written_today(s, &skip)) || skip))
		return rc;
	ld_fleet_data_init(&d);
	if ((rc = ld_store_load_fleet(s, &d, ctx)) || (rc = ld_fleet_vulns_build(&v, &d, ctx)) ||
	    (rc = groupings_new(g, &ngr, &d, &d.arena, ctx)) ||
	    (rc = ld_fleet_summarize(&rows, &h.n, &d, v, (const ld_fleet_grouping *const *)g, ngr, d.generated,
				     &d.arena, ctx)))
		goto out;
	if ((rc = add_deltas(rows, h.n, &d, g, ngr, deltas, n, &d.arena))) {
		ld_error_set(ctx, rc, "out of memory summarizing the fleet");
		goto out;
	}
	h.n = bound_rows(rows, h.n);
	h.rows = rows;
	s->ctx = ctx;
	rc = ld_store_transaction(s, put_rows, &h);
out:
	if (rc && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: writing the fleet history: %s", s->target, lading_strerror(rc));
	for (size_t i = 0; i < ngr; i++)
		ld_fleet_grouping_free(g[i]);
	ld_fleet_vulns_free(v);
	ld_fleet_data_release(&d);
	return rc;
}

int lading_inventory_history(lading_store *s, lading_ctx *ctx, int once_a_day)
{
	ld_error_clear(ctx);
	return inv_history_record(s, ctx, NULL, 0, once_a_day != 0);
}

/* The fleet history the store keeps (table fleet_summary, docs/inventory.md): after every rescan,
 * and after `add` at most once per UTC day, one summary per "official" group and one overall,
 * computed with the fleet report's own definitions (ld_fleet_summarize) over the fleet as stored
 * now; new and fixed findings come from the rescan's diff. `report fleet --store URL --history`
 * reads them back. */
#include <time.h>

#include "api/inventory_doc.h"
#include "store/fleet_data.h"

#define HISTORY_GROUP_BY "official"
#define HISTORY_MAX_GROUPS 64 /* groups one image may fall in (one per reference at most) */

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
	int rc;
	for (size_t i = 0; i < h->n; i++) {
		const ld_fleet_summary *r = &h->rows[i];
		char t[32];
		ld_fleet_format_time(r->time, t);
		ld_sv p[13] = {ld_sv_text(t),
			       ld_sv_text(r->group_by),
			       ld_sv_text(r->group),
			       ld_sv_int((int64_t)r->images),
			       ld_sv_int((int64_t)r->vulnerabilities),
			       ld_sv_real(r->vulns_median),
			       ld_sv_real(r->vulns_p90),
			       ld_sv_int((int64_t)r->new_findings),
			       ld_sv_int((int64_t)r->fixed_findings),
			       ld_sv_int((int64_t)r->kev_images),
			       ld_sv_int((int64_t)r->critical_images),
			       ld_sv_int((int64_t)r->fixable_images),
			       ld_sv_int((int64_t)r->containers_running)};
		if ((rc = ld_store_exec(s, LD_SQ_SUMMARY_PUT, p, 13, NULL, NULL, NULL)))
			return rc;
	}
	return 0;
}

/* The summary of `group` (NULL: overall). */
static ld_fleet_summary *row_of(ld_fleet_summary *rows, size_t n, const char *group)
{
	for (size_t i = 0; i < n; i++)
		if (group ? rows[i].group && !strcmp(rows[i].group, group) : !rows[i].group)
			return &rows[i];
	return NULL;
}

/* Each image's new/fixed findings go to every group it is in and to the overall row. */
static int add_deltas(ld_fleet_summary *rows, size_t nrows, const ld_fleet_data *d, const ld_fleet_grouping *g,
		      const inv_delta *deltas, size_t n, ld_arena *a)
{
	const char *names[HISTORY_MAX_GROUPS];
	ld_map idx;
	int rc = 0;

	ld_map_init(&idx);
	for (size_t i = 0; i < d->image_count && !rc; i++)
		if (ld_map_put(&idx, ld_slice_cstr(d->images[i].digest), (void *)(uintptr_t)(i + 1), NULL))
			rc = LADING_ENOMEM;
	for (size_t k = 0; k < n && !rc; k++) {
		uintptr_t i = (uintptr_t)ld_map_gets(&idx, deltas[k].digest);
		size_t ng = 0;
		if (!i) /* pruned meanwhile */
			continue;
		if ((rc = ld_fleet_groups_of(g, &d->images[i - 1], a, names, HISTORY_MAX_GROUPS, &ng)))
			break;
		for (size_t j = 0; j <= ng; j++) {
			ld_fleet_summary *r = row_of(rows, nrows, j < ng ? names[j] : NULL);
			if (r) {
				r->new_findings += deltas[k].new_findings;
				r->fixed_findings += deltas[k].fixed_findings;
			}
		}
	}
	ld_map_release(&idx);
	return rc;
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
	ld_fleet_grouping *g = NULL;
	hist h = {s, NULL, 0};
	ld_fleet_summary *rows;
	bool skip;
	int rc;

	s->ctx = ctx;
	if (once_a_day && ((rc = written_today(s, &skip)) || skip))
		return rc;
	ld_fleet_data_init(&d);
	if ((rc = ld_store_load_fleet(s, &d, ctx)) || (rc = ld_fleet_vulns_build(&v, &d, ctx)) ||
	    (rc = ld_fleet_grouping_new(&g, HISTORY_GROUP_BY, NULL, ctx)) ||
	    (rc = ld_fleet_summarize(&rows, &h.n, &d, v, g, d.generated, &d.arena, ctx)))
		goto out;
	if ((rc = add_deltas(rows, h.n, &d, g, deltas, n, &d.arena))) {
		ld_error_set(ctx, rc, "out of memory summarizing the fleet");
		goto out;
	}
	h.rows = rows;
	s->ctx = ctx;
	rc = ld_store_transaction(s, put_rows, &h);
out:
	if (rc && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: writing the fleet history: %s", s->target, lading_strerror(rc));
	ld_fleet_grouping_free(g);
	ld_fleet_vulns_free(v);
	ld_fleet_data_release(&d);
	return rc;
}

int lading_inventory_history(lading_store *s, lading_ctx *ctx, int once_a_day)
{
	ld_error_clear(ctx);
	return inv_history_record(s, ctx, NULL, 0, once_a_day != 0);
}

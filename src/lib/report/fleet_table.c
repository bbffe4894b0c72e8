/* Fleet report as text: one row per group (and overall) of the headline figures, then the
 * overall details: severity mix, famous vulnerabilities per group, top tables, base images,
 * containers at risk, history and census. */
#include "util/common.h"
#include "report/fleet.h"

#include "lading/scan.h"

#define TABLE_ROWS 20 /* containers listed per kind in the text report */

static void pad_to(ld_buf *b, size_t start, size_t width)
{
	while (b->len - start < width && !ld_buf_error(b))
		ld_buf_addc(b, ' ');
}

static void cell(ld_buf *b, size_t width, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cell(ld_buf *b, size_t width, const char *fmt, ...)
{
	size_t start = b->len;
	va_list ap;
	va_start(ap, fmt);
	ld_buf_vaddf(b, fmt, ap);
	va_end(ap);
	pad_to(b, start, width);
	ld_buf_addc(b, ' ');
}

static void pct_cell(ld_buf *b, size_t width, size_t n, size_t d)
{
	if (d)
		cell(b, width, "%.1f%%", ld_fleet_pct(n, d));
	else
		cell(b, width, "-");
}

static void group_row(ld_buf *b, const ld_fleet_group_stats *g)
{
	cell(b, 24, "%.24s", g->name);
	cell(b, 7, "%zu", g->images);
	cell(b, 6, "%zu", g->repositories);
	cell(b, 6, "%zu", g->tags);
	cell(b, 18, "%.1f / %.1f / %.0f", g->vpi_mean, g->vpi_median, g->vpi_p90);
	pct_cell(b, 7, g->img_critical, g->images);
	pct_cell(b, 7, g->img_high_or_critical, g->images);
	pct_cell(b, 7, g->img_kev, g->images);
	pct_cell(b, 7, g->img_fixable, g->images);
	if (g->dated)
		cell(b, 7, "%.0fd", g->age_median_days);
	else
		cell(b, 7, "-");
	pct_cell(b, 7, g->older[2], g->dated);
	pct_cell(b, 7, g->base_behind, g->with_base);
	cell(b, 8, "%zu", g->containers[LD_FLEET_RUNNING]);
	cell(b, 6, "%zu", g->containers[LD_FLEET_GONE]);
	ld_buf_addf(b, "%zu/%zu\n", g->risky_running, g->risky_gone);
}

static void headline(ld_buf *b, const ld_fleet_stats *st)
{
	ld_buf_addf(b, "\n%-24s %-7s %-6s %-6s %-18s %-7s %-7s %-7s %-7s %-7s %-7s %-7s %-8s %-6s %s\n",
		    st->group_by, "images", "repos", "tags", "vulns mean/med/p90", "crit", "crit+hi", "KEV",
		    "fixable", "age", ">1y", "base<", "running", "gone", "at risk run/gone");
	group_row(b, &st->overall);
	for (size_t i = 0; i < st->group_count; i++)
		group_row(b, &st->groups[i]);
	ld_buf_adds(b, "(crit, crit+hi, KEV, fixable: images with at least one such finding; age: median\n"
		       " image age; base<: images whose base image has newer tags in the store)\n");
}

static void severity_mix(ld_buf *b, const ld_fleet_stats *st)
{
	ld_buf_adds(b, "\nSeverity mix (share of findings: distinct image x vulnerability pairs)\n");
	cell(b, 24, "group");
	for (int s = LADING_SEVERITY_CRITICAL; s >= LADING_SEVERITY_UNKNOWN; s--)
		cell(b, 9, "%s", lading_severity_name((lading_severity)s));
	ld_buf_adds(b, "findings\n");
	for (size_t i = 0; i <= st->group_count; i++) {
		const ld_fleet_group_stats *g = i ? &st->groups[i - 1] : &st->overall;
		cell(b, 24, "%.24s", g->name);
		for (int s = LADING_SEVERITY_CRITICAL; s >= LADING_SEVERITY_UNKNOWN; s--)
			pct_cell(b, 9, g->by_severity[s], g->findings);
		ld_buf_addf(b, "%zu\n", g->findings);
	}
}

static void famous(ld_buf *b, const ld_fleet_stats *st)
{
	if (!st->famous || !st->famous->count)
		return;
	ld_buf_adds(b, "\nFamous vulnerabilities (images affected)\n");
	for (size_t f = 0; f < st->famous->count; f++) {
		if (!st->overall.famous[f])
			continue;
		cell(b, 24, "%.24s", st->famous->entries[f].name);
		ld_buf_addf(b, "%zu (%.1f%%)", st->overall.famous[f], ld_fleet_pct(st->overall.famous[f], st->overall.images));
		for (size_t i = 0; i < st->group_count && i < 8; i++)
			ld_buf_addf(b, "  %s: %zu", st->groups[i].name, st->groups[i].famous[f]);
		ld_buf_addc(b, '\n');
	}
	ld_buf_addf(b, "(%zu famous entries checked; those found in no image are not listed)\n", st->famous->count);
}

static void tops(ld_buf *b, const char *title, const ld_fleet_top *t, size_t n)
{
	if (!n)
		return;
	ld_buf_addf(b, "\n%s (by images affected)\n", title);
	for (size_t i = 0; i < n; i++) {
		cell(b, 40, "%.40s", t[i].name);
		cell(b, 7, "%zu", t[i].images);
		ld_buf_addf(b, "%s%s\n", lading_severity_name((lading_severity)t[i].severity), t[i].kev ? "  KEV" : "");
	}
}

static void bases(ld_buf *b, const ld_fleet_stats *st)
{
	char when[32];
	if (!st->base_count)
		return;
	ld_buf_adds(b, "\nBase images (stored images whose layers start the most images)\n");
	for (size_t i = 0; i < st->base_count; i++) {
		const ld_fleet_base_row *r = &st->bases[i];
		ld_fleet_format_time(r->created, when);
		cell(b, 48, "%.48s", r->name);
		cell(b, 12, "%zu images", r->images);
		cell(b, 12, "%.10s", when[0] ? when : "undated");
		ld_buf_addf(b, "%zu newer tag%s\n", r->newer_tags, r->newer_tags == 1 ? "" : "s");
	}
}

static void ctr_rows(ld_buf *b, const char *title, const ld_fleet_ctr_row *r, size_t n, size_t total)
{
	char when[32];
	if (!total)
		return;
	ld_buf_addf(b, "\n%s: %zu\n", title, total);
	for (size_t i = 0; i < n && i < TABLE_ROWS; i++) {
		ld_fleet_format_time(r[i].c->last_seen, when);
		cell(b, 14, "%.12s", r[i].c->id);
		cell(b, 24, "%.24s", r[i].c->name ? r[i].c->name : "");
		cell(b, 20, "%.20s", r[i].c->namespace_name ? r[i].c->namespace_name : (r[i].c->source ? r[i].c->source : ""));
		cell(b, 40, "%.40s", r[i].image);
		ld_buf_addf(b, "%s%s  last seen %s\n", r[i].kev ? "KEV" : "", r[i].critical ? (r[i].kev ? "+critical" : "critical") : "",
			    when[0] ? when : "unknown");
	}
	if (total > LD_MIN(n, (size_t)TABLE_ROWS))
		ld_buf_addf(b, "... and %zu more (--format json lists %d)\n", total - LD_MIN(n, (size_t)TABLE_ROWS),
			    LD_FLEET_LIST_MAX);
}

static void history(ld_buf *b, const ld_fleet_stats *st)
{
	char when[32];
	ld_buf_adds(b, "\nHistory (stored summaries)\n");
	if (!st->hist_count) {
		ld_buf_adds(b, "no summaries stored for this grouping yet: each inventory rescan keeps one\n");
		return;
	}
	ld_buf_addf(b, "%-20s %-24s %-7s %-9s %-6s %-6s %-7s\n", "time", "group", "images", "vulns/img", "new",
		    "fixed", "KEV");
	for (size_t i = 0; i < st->hist_count; i++) {
		const ld_fleet_summary *s = st->hist[i];
		ld_fleet_format_time(s->time, when);
		cell(b, 20, "%s", when);
		cell(b, 24, "%.24s", s->group ? s->group : "overall");
		cell(b, 7, "%" PRIu64, s->images);
		cell(b, 9, "%.1f", s->images ? (double)s->vulnerabilities / (double)s->images : 0);
		cell(b, 6, "%" PRIu64, s->new_findings);
		cell(b, 6, "%" PRIu64, s->fixed_findings);
		ld_buf_addf(b, "%.1f%%\n", ld_fleet_pct(s->kev_images, s->images));
	}
}

static void census(ld_buf *b, const ld_fleet_census *c)
{
	if (!c)
		return;
	ld_buf_addf(b, "\nExposed services (census): %zu records\n", c->records);
	for (size_t i = 0; i < c->product_count; i++) {
		const ld_fleet_census_product *p = &c->products[i];
		cell(b, 24, "%.24s", p->name ? p->name : p->product);
		ld_buf_addf(b, "%zu hosts, %zu versioned", p->hosts, p->versioned);
		if (p->behind != SIZE_MAX)
			ld_buf_addf(b, ", %zu behind", p->behind);
		if (p->vulnerable != SIZE_MAX)
			ld_buf_addf(b, ", %zu vulnerable", p->vulnerable);
		if (p->kev != SIZE_MAX)
			ld_buf_addf(b, ", %zu known exploited", p->kev);
		ld_buf_addc(b, '\n');
	}
}

static void preamble(ld_buf *b, const ld_fleet_stats *st)
{
	char now[32], since[32];
	ld_fleet_format_time(st->now, now);
	ld_fleet_format_time(st->since, since);
	ld_buf_addf(b, "Fleet report, %s; grouped by %s", now, st->group_by);
	if (since[0])
		ld_buf_addf(b, "; records seen since %s (%zu images left out)", since, st->images_skipped);
	ld_buf_addc(b, '\n');
	if (st->overall.images && st->overall.matched < st->overall.images)
		ld_buf_addf(b, "%zu image%s never matched against a database: counted with 0 vulnerabilities\n",
			    st->overall.images - st->overall.matched, st->overall.images - st->overall.matched == 1 ? "" : "s");
	if (st->containers_unknown_image)
		ld_buf_addf(b, "%zu container%s on images not in the store: counted overall only\n",
			    st->containers_unknown_image, st->containers_unknown_image == 1 ? "" : "s");
	if (st->group_count == 1 && st->groups[0].name[0] == '(')
		ld_buf_addf(b, "no image matches the group key %s: every image is in \"%s\"\n", st->group_by,
			    st->groups[0].name);
}

int ld_fleet_write_table(ld_buf *b, const ld_fleet_stats *st)
{
	preamble(b, st);
	if (!st->overall.images && !st->overall.containers_total) {
		ld_buf_adds(b, "The store holds no images and no containers: nothing to report.\n");
		if (st->history)
			history(b, st);
		census(b, st->census);
		return ld_buf_error(b);
	}
	headline(b, st);
	severity_mix(b, st);
	famous(b, st);
	tops(b, "Known-exploited vulnerabilities", st->overall.top_kev, st->overall.n_top_kev);
	tops(b, "Top vulnerabilities", st->overall.top_vulns, st->overall.n_top_vulns);
	tops(b, "Top vulnerable packages", st->overall.top_pkgs, st->overall.n_top_pkgs);
	bases(b, st);
	ctr_rows(b, "Running containers on images with known-exploited or critical findings", st->overall.running,
		 st->overall.n_running, st->overall.risky_running);
	ctr_rows(b, "Gone containers that ran such images", st->overall.gone, st->overall.n_gone,
		 st->overall.risky_gone);
	if (st->history)
		history(b, st);
	census(b, st->census);
	return ld_buf_error(b);
}

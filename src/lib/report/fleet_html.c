/* Fleet report as one self-contained HTML file: no network access (no external asset, no
 * font, no link), charts as inline SVG (severity mix per group, vulnerabilities per image, image
 * age, history lines), tables sortable by a small inline script, a print style sheet, and the
 * Okabe-Ito colour-blind-safe palette. Size stays bounded whatever the fleet: tables and charts
 * show at most HTML_GROUPS groups and the top lists fleet.c kept. */
#include "util/common.h"
#include "report/fleet.h"
#include "report/report.h"

#include "lading/scan.h"

#define HTML_GROUPS 300       /* rows of the per-group table */
#define CHART_GROUPS 30       /* bars of the severity chart */
#define CHART_W 640
#define BAR_H 18
#define LABEL_W 180

/* Okabe-Ito: critical vermillion, high orange, medium yellow, low sky blue, unknown grey. */
static const char *const sev_colour[5] = {"#999999", "#56B4E9", "#F0E442", "#E69F00", "#D55E00"};
static const char *const line_colour[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
					  "#000000", "#F0E442"};

/* One escaper for every HTML writer (util/buf.c: the report stage's and the census's). */
static void esc(ld_buf *b, const char *s)
{
	ld_buf_add_html(b, s);
}

static void td_pct(ld_buf *b, size_t n, size_t d)
{
	if (d)
		ld_buf_addf(b, "<td class=\"n\" data-v=\"%.4f\">%.1f%%</td>", ld_fleet_pct(n, d), ld_fleet_pct(n, d));
	else
		ld_buf_adds(b, "<td class=\"n\" data-v=\"-1\">-</td>");
}

static void td_num(ld_buf *b, double v, int dec)
{
	ld_buf_addf(b, "<td class=\"n\" data-v=\"%.4f\">%.*f</td>", v, dec, v);
}

static void group_table(ld_buf *b, const ld_fleet_stats *st)
{
	ld_buf_adds(b, "<div class=\"wide\"><table class=\"sortable\"><thead><tr><th>");
	esc(b, st->group_by);
	ld_buf_adds(b, "</th><th>Images</th><th>Repos</th><th>Tags</th><th>Vulns/image mean</th><th>Median"
		       "</th><th>p90</th><th>&ge;1 critical</th><th>&ge;1 high</th><th>KEV</th><th>Fixable</th>"
		       "<th>Median age (days)</th><th>&gt;1 year</th><th>Base not latest</th><th>Running</th>"
		       "<th>Gone</th><th>At risk running</th><th>At risk gone</th></tr></thead><tbody>\n");
	for (size_t i = 0; i <= st->group_count && i <= HTML_GROUPS; i++) {
		const ld_fleet_group_stats *g = i ? &st->groups[i - 1] : &st->overall;
		ld_buf_adds(b, i ? "<tr><td>" : "<tr class=\"total\"><td>");
		esc(b, g->name);
		ld_buf_adds(b, "</td>");
		td_num(b, (double)g->images, 0);
		td_num(b, (double)g->repositories, 0);
		td_num(b, (double)g->tags, 0);
		td_num(b, g->vpi_mean, 1);
		td_num(b, g->vpi_median, 1);
		td_num(b, g->vpi_p90, 0);
		td_pct(b, g->img_critical, g->images);
		td_pct(b, g->img_high, g->images);
		td_pct(b, g->img_kev, g->images);
		td_pct(b, g->img_fixable, g->images);
		td_num(b, g->dated ? g->age_median_days : -1, 0);
		td_pct(b, g->older[2], g->dated);
		td_pct(b, g->base_behind, g->with_base);
		td_num(b, (double)g->containers[LD_FLEET_RUNNING], 0);
		td_num(b, (double)g->containers[LD_FLEET_GONE], 0);
		td_num(b, (double)g->risky_running, 0);
		td_num(b, (double)g->risky_gone, 0);
		ld_buf_adds(b, "</tr>\n");
	}
	ld_buf_adds(b, "</tbody></table></div>\n");
	if (st->group_count > HTML_GROUPS)
		ld_buf_addf(b, "<p class=\"note\">%zu more groups: see <code>--format json</code>.</p>\n",
			    st->group_count - HTML_GROUPS);
}

static void legend(ld_buf *b)
{
	ld_buf_adds(b, "<p class=\"legend\">");
	for (int s = LADING_SEVERITY_CRITICAL; s >= LADING_SEVERITY_UNKNOWN; s--)
		ld_buf_addf(b, "<span><i style=\"background:%s\"></i>%s</span>", sev_colour[s],
			    lading_severity_name((lading_severity)s));
	ld_buf_adds(b, "</p>\n");
}

/* One 100% stacked bar per group: share of findings per severity. */
static void severity_chart(ld_buf *b, const ld_fleet_stats *st)
{
	size_t rows = 1 + LD_MIN(st->group_count, (size_t)CHART_GROUPS);
	ld_buf_addf(b, "<svg class=\"chart\" role=\"img\" aria-label=\"severity mix per group\" width=\"%d\" "
		       "height=\"%zu\" viewBox=\"0 0 %d %zu\">\n", LABEL_W + CHART_W + 10, rows * (BAR_H + 6) + 4,
		    LABEL_W + CHART_W + 10, rows * (BAR_H + 6) + 4);
	for (size_t i = 0; i < rows; i++) {
		const ld_fleet_group_stats *g = i ? &st->groups[i - 1] : &st->overall;
		size_t y = 4 + i * (BAR_H + 6);
		double x = LABEL_W;
		ld_buf_addf(b, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", LABEL_W - 6, y + BAR_H - 5);
		esc(b, g->name);
		ld_buf_adds(b, "</text>");
		for (int s = LADING_SEVERITY_CRITICAL; s >= LADING_SEVERITY_UNKNOWN && g->findings; s--) {
			double wd = (double)CHART_W * (double)g->by_severity[s] / (double)g->findings;
			if (wd <= 0)
				continue;
			ld_buf_addf(b, "<rect x=\"%.1f\" y=\"%zu\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>",
				    x, y, wd, BAR_H, sev_colour[s]);
			esc(b, g->name);
			ld_buf_addf(b, ": %s %.1f%% (%zu findings)</title></rect>", lading_severity_name((lading_severity)s),
				    ld_fleet_pct(g->by_severity[s], g->findings), g->by_severity[s]);
			x += wd;
		}
		ld_buf_addc(b, '\n');
	}
	ld_buf_adds(b, "</svg>\n");
}

/* Vertical bars of a histogram with its bin names under them. */
static void histogram(ld_buf *b, const char *label, const size_t *v, const char *const *names, size_t n)
{
	size_t max = 1, bw = 92;
	for (size_t i = 0; i < n; i++)
		max = LD_MAX(max, v[i]);
	ld_buf_addf(b, "<svg class=\"chart\" role=\"img\" aria-label=\"%s\" width=\"%zu\" height=\"200\" "
		       "viewBox=\"0 0 %zu 200\">\n", label, n * bw + 10, n * bw + 10);
	for (size_t i = 0; i < n; i++) {
		double h = 150.0 * (double)v[i] / (double)max;
		ld_buf_addf(b, "<rect x=\"%zu\" y=\"%.1f\" width=\"%zu\" height=\"%.1f\" fill=\"#0072B2\"><title>%s: %zu"
			       "</title></rect><text x=\"%zu\" y=\"%.1f\" text-anchor=\"middle\">%zu</text><text x=\"%zu\" "
			       "y=\"190\" text-anchor=\"middle\">%s</text>\n",
			    5 + i * bw + 4, 165 - h, bw - 8, h, names[i], v[i], 5 + i * bw + bw / 2, 161 - h, v[i],
			    5 + i * bw + bw / 2, names[i]);
	}
	ld_buf_adds(b, "</svg>\n");
}

static void history_series(ld_buf *b, const ld_fleet_stats *st, const char *group, size_t colour, int64_t t0,
			   int64_t t1, double ymax, int kev)
{
	bool first = true;
	ld_buf_addf(b, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
		    line_colour[colour % LD_ARRAY_LEN(line_colour)]);
	for (size_t i = 0; i < st->hist_count; i++) {
		const ld_fleet_summary *s = st->hist[i];
		double y, x;
		if ((s->group == NULL) != (group == NULL) || (group && strcmp(s->group, group)))
			continue;
		y = kev ? ld_fleet_pct(s->kev_images, s->images)
			: (s->images ? (double)s->vulnerabilities / (double)s->images : 0);
		x = 50 + 560.0 * (t1 > t0 ? (double)(s->time - t0) / (double)(t1 - t0) : 0.5);
		ld_buf_addf(b, "%s%.1f,%.1f", first ? "" : " ", x, 170 - 150.0 * y / ymax);
		first = false;
	}
	ld_buf_adds(b, "\"/>\n");
}

/* One line per group (and overall) through the stored summaries. */
static void history_chart(ld_buf *b, const ld_fleet_stats *st, int kev)
{
	int64_t t0 = st->hist[0]->time, t1 = st->hist[st->hist_count - 1]->time;
	double ymax = 1;
	char a[32], z[32];
	const char *seen[8];
	size_t nseen = 0;
	for (size_t i = 0; i < st->hist_count; i++) {
		const ld_fleet_summary *s = st->hist[i];
		double y = kev ? ld_fleet_pct(s->kev_images, s->images)
			       : (s->images ? (double)s->vulnerabilities / (double)s->images : 0);
		ymax = LD_MAX(ymax, y * 1.1);
	}
	ld_fleet_format_time(t0, a);
	ld_fleet_format_time(t1, z);
	ld_buf_addf(b, "<svg class=\"chart\" role=\"img\" aria-label=\"%s over time\" width=\"640\" height=\"200\" "
		       "viewBox=\"0 0 640 200\"><line x1=\"50\" y1=\"170\" x2=\"610\" y2=\"170\" stroke=\"#555\"/>"
		       "<line x1=\"50\" y1=\"20\" x2=\"50\" y2=\"170\" stroke=\"#555\"/><text x=\"46\" y=\"24\" "
		       "text-anchor=\"end\">%.0f%s</text><text x=\"50\" y=\"188\">%.10s</text><text x=\"610\" y=\"188\" "
		       "text-anchor=\"end\">%.10s</text>\n", kev ? "known-exploited share" : "vulnerabilities per image",
		    ymax, kev ? "%" : "", a, z);
	history_series(b, st, NULL, 0, t0, t1, ymax, kev);
	for (size_t i = 0; i < st->hist_count && nseen < LD_ARRAY_LEN(seen) - 1; i++) {
		const char *g = st->hist[i]->group;
		bool dup = !g;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = !strcmp(seen[k], g);
		if (dup)
			continue;
		seen[nseen++] = g;
		history_series(b, st, g, nseen, t0, t1, ymax, kev);
	}
	ld_buf_adds(b, "</svg>\n<p class=\"legend\"><span><i style=\"background:#0072B2\"></i>overall</span>");
	for (size_t k = 0; k < nseen; k++) {
		ld_buf_addf(b, "<span><i style=\"background:%s\"></i>", line_colour[(k + 1) % LD_ARRAY_LEN(line_colour)]);
		esc(b, seen[k]);
		ld_buf_adds(b, "</span>");
	}
	ld_buf_adds(b, "</p>\n");
}

static void history_section(ld_buf *b, const ld_fleet_stats *st)
{
	ld_buf_adds(b, "<h2>History</h2>\n");
	if (!st->hist_count) {
		ld_buf_adds(b, "<p>No summaries stored for this grouping yet: each inventory rescan keeps one.</p>\n");
		return;
	}
	ld_buf_adds(b, "<h3>Vulnerabilities per image</h3>\n");
	history_chart(b, st, 0);
	ld_buf_adds(b, "<h3>Share of images with a known-exploited finding</h3>\n");
	history_chart(b, st, 1);
	ld_buf_adds(b, "<table class=\"sortable\"><thead><tr><th>Time</th><th>Group</th><th>Images</th><th>Vulns/image"
		       "</th><th>New findings</th><th>Fixed findings</th><th>KEV</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < st->hist_count; i++) {
		const ld_fleet_summary *s = st->hist[i];
		char when[32];
		ld_fleet_format_time(s->time, when);
		ld_buf_addf(b, "<tr><td>%s</td><td>", when);
		esc(b, s->group ? s->group : "overall");
		ld_buf_adds(b, "</td>");
		td_num(b, (double)s->images, 0);
		td_num(b, s->images ? (double)s->vulnerabilities / (double)s->images : 0, 1);
		td_num(b, (double)s->new_findings, 0);
		td_num(b, (double)s->fixed_findings, 0);
		td_pct(b, s->kev_images, s->images);
		ld_buf_adds(b, "</tr>\n");
	}
	ld_buf_adds(b, "</tbody></table>\n");
}

static void famous_table(ld_buf *b, const ld_fleet_stats *st)
{
	size_t ng = LD_MIN(st->group_count, (size_t)8);
	if (!st->famous || !st->famous->count)
		return;
	ld_buf_adds(b, "<h2>Famous vulnerabilities</h2>\n<table class=\"sortable\"><thead><tr><th>Name</th>"
		       "<th>Images</th><th>Share</th>");
	for (size_t i = 0; i < ng; i++) {
		ld_buf_adds(b, "<th>");
		esc(b, st->groups[i].name);
		ld_buf_adds(b, "</th>");
	}
	ld_buf_adds(b, "<th>Ids</th></tr></thead><tbody>\n");
	for (size_t f = 0; f < st->famous->count; f++) {
		const ld_famous_entry *e = &st->famous->entries[f];
		ld_buf_adds(b, "<tr><td title=\"");
		esc(b, e->description);
		ld_buf_adds(b, "\">");
		esc(b, e->name);
		ld_buf_adds(b, "</td>");
		td_num(b, (double)st->overall.famous[f], 0);
		td_pct(b, st->overall.famous[f], st->overall.images);
		for (size_t i = 0; i < ng; i++)
			td_num(b, (double)st->groups[i].famous[f], 0);
		ld_buf_adds(b, "<td class=\"ids\">");
		for (size_t k = 0; k < e->id_count; k++) {
			ld_buf_adds(b, k ? ", " : "");
			esc(b, e->ids[k]);
		}
		ld_buf_adds(b, "</td></tr>\n");
	}
	ld_buf_adds(b, "</tbody></table>\n");
}

static void top_table(ld_buf *b, const char *title, const char *col, const ld_fleet_top *t, size_t n,
		      size_t images)
{
	ld_buf_addf(b, "<h3>%s</h3>\n", title);
	if (!n) {
		ld_buf_adds(b, "<p class=\"note\">None.</p>\n");
		return;
	}
	ld_buf_addf(b, "<table class=\"sortable\"><thead><tr><th>%s</th><th>Images</th><th>Share</th><th>Severity</th>"
		       "<th>KEV</th></tr></thead><tbody>\n", col);
	for (size_t i = 0; i < n; i++) {
		ld_buf_adds(b, "<tr><td>");
		esc(b, t[i].name);
		ld_buf_adds(b, "</td>");
		td_num(b, (double)t[i].images, 0);
		td_pct(b, t[i].images, images);
		ld_buf_addf(b, "<td data-v=\"%u\"><i class=\"sev\" style=\"background:%s\"></i>%s</td><td>%s</td></tr>\n",
			    t[i].severity, sev_colour[t[i].severity < 5 ? t[i].severity : 0],
			    lading_severity_name((lading_severity)t[i].severity), t[i].kev ? "yes" : "");
	}
	ld_buf_adds(b, "</tbody></table>\n");
}

static void bases_table(ld_buf *b, const ld_fleet_stats *st)
{
	if (!st->base_count)
		return;
	ld_buf_adds(b, "<h3>Base images</h3>\n<table class=\"sortable\"><thead><tr><th>Base image</th><th>Images "
		       "built on it</th><th>Created</th><th>Newer tags in the store</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < st->base_count; i++) {
		const ld_fleet_base_row *r = &st->bases[i];
		char when[32];
		ld_fleet_format_time(r->created, when);
		ld_buf_adds(b, "<tr><td>");
		esc(b, r->name);
		ld_buf_adds(b, "</td>");
		td_num(b, (double)r->images, 0);
		ld_buf_addf(b, "<td>%.10s</td>", when);
		td_num(b, (double)r->newer_tags, 0);
		ld_buf_adds(b, "</tr>\n");
	}
	ld_buf_adds(b, "</tbody></table>\n");
}

static void ctr_table(ld_buf *b, const char *title, const ld_fleet_ctr_row *r, size_t n, size_t total)
{
	ld_buf_addf(b, "<h3>%s: %zu</h3>\n", title, total);
	if (!n)
		return;
	ld_buf_adds(b, "<table class=\"sortable\"><thead><tr><th>Container</th><th>Name</th><th>Source</th>"
		       "<th>Namespace</th><th>Image</th><th>Risk</th><th>First seen</th><th>Last seen</th></tr>"
		       "</thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const ld_fleet_container *c = r[i].c;
		char fs[32], ls[32];
		ld_fleet_format_time(c->first_seen, fs);
		ld_fleet_format_time(c->last_seen, ls);
		ld_buf_adds(b, "<tr><td><code>");
		esc(b, c->id);
		ld_buf_adds(b, "</code></td><td>");
		esc(b, c->name);
		ld_buf_adds(b, "</td><td>");
		esc(b, c->source);
		ld_buf_adds(b, "</td><td>");
		esc(b, c->namespace_name);
		ld_buf_adds(b, "</td><td>");
		esc(b, r[i].image);
		ld_buf_addf(b, "</td><td>%s%s</td><td>%s</td><td>%s</td></tr>\n", r[i].kev ? "KEV " : "",
			    r[i].critical ? "critical" : "", fs, ls);
	}
	ld_buf_adds(b, "</tbody></table>\n");
	if (total > n)
		ld_buf_addf(b, "<p class=\"note\">The first %zu of %zu are listed.</p>\n", n, total);
}

static void census_section(ld_buf *b, const ld_fleet_census *c)
{
	if (!c)
		return;
	ld_buf_addf(b, "<h2>Exposed services (census)</h2>\n<p>%zu records.</p>\n<table class=\"sortable\"><thead>"
		       "<tr><th>Product</th><th>Hosts</th><th>Versioned</th><th>Behind</th><th>Vulnerable</th>"
		       "<th>KEV</th></tr></thead><tbody>\n", c->records);
	for (size_t i = 0; i < c->product_count; i++) {
		const ld_fleet_census_product *p = &c->products[i];
		ld_buf_adds(b, "<tr><td>");
		esc(b, p->name ? p->name : p->product);
		ld_buf_adds(b, "</td>");
		td_num(b, (double)p->hosts, 0);
		td_num(b, (double)p->versioned, 0);
		if (p->behind != SIZE_MAX)
			td_pct(b, p->behind, p->versioned);
		else
			ld_buf_adds(b, "<td>not assessed</td>");
		if (p->vulnerable != SIZE_MAX)
			td_pct(b, p->vulnerable, p->versioned);
		else
			ld_buf_adds(b, "<td>not assessed</td>");
		if (p->kev != SIZE_MAX)
			td_pct(b, p->kev, p->versioned);
		else
			ld_buf_adds(b, "<td>not assessed</td>");
		ld_buf_adds(b, "</tr>\n");
	}
	ld_buf_adds(b, "</tbody></table>\n");
}

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}"
	"h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1.05em}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{padding:.2em .5em;text-align:left;"
	"border-bottom:1px solid #ddd;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"th{background:#f2f2f2;cursor:pointer;user-select:none}th.asc:after{content:\" \\25B2\"}"
	"th.desc:after{content:\" \\25BC\"}tr.total td{font-weight:600}td.ids{font-size:.85em;color:#444}"
	".chart text{font-size:12px;fill:#222}.legend span{display:inline-block;margin-right:1.2em}"
	".legend i,i.sev{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px;"
	"border:1px solid #444}.note{color:#555;font-size:.92em}.wide{overflow-x:auto}.wide th{font-size:.9em}"
	"@media print{body{max-width:none;margin:0;font-size:10pt}th{cursor:auto}h2{break-before:auto}"
	"table,svg{break-inside:avoid}th.asc:after,th.desc:after{content:\"\"}.wide{overflow:visible}}";

/* Sort a table by the clicked column: numbers by data-v, text otherwise. Errors the page meets
 * are written into the document (data-js-errors) so a headless test can read them. */
static const char script[] =
	"window.addEventListener('error',function(e){var b=document.body;b.setAttribute('data-js-errors',"
	"(b.getAttribute('data-js-errors')||'')+e.message+';');});"
	"document.addEventListener('DOMContentLoaded',function(){"
	"document.querySelectorAll('table.sortable th').forEach(function(th){th.addEventListener('click',"
	"function(){var t=th.closest('table'),tb=t.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode."
	"children,th),asc=!th.classList.contains('asc');t.querySelectorAll('th').forEach(function(h){h."
	"classList.remove('asc','desc');});th.classList.add(asc?'asc':'desc');var rows=Array.prototype.slice."
	"call(tb.rows);rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i];if(!x||!y)return 0;var u=x."
	"getAttribute('data-v'),v=y.getAttribute('data-v');var r=(u!==null&&v!==null)?parseFloat(u)-"
	"parseFloat(v):x.textContent.localeCompare(y.textContent);return asc?r:-r;});rows.forEach(function(r)"
	"{tb.appendChild(r);});});});document.body.setAttribute('data-js-ok','1');});";

static void head(ld_buf *b, const ld_fleet_stats *st)
{
	char now[32], since[32];
	ld_fleet_format_time(st->now, now);
	ld_fleet_format_time(st->since, since);
	ld_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
		       "content=\"width=device-width\"><title>lading fleet report</title><style>");
	ld_buf_adds(b, css);
	ld_buf_adds(b, "</style><script>");
	ld_buf_adds(b, script);
	ld_buf_addf(b, "</script></head><body>\n<h1>Fleet report</h1>\n<p class=\"note\">Generated %s, grouped by "
		       "<b>", now);
	esc(b, st->group_by);
	ld_buf_adds(b, "</b>");
	if (since[0])
		ld_buf_addf(b, "; records seen since %s (%zu images left out)", since, st->images_skipped);
	ld_buf_addf(b, ". %zu images, %zu containers. A vulnerability is counted once per image whatever its "
		       "aliases; definitions are in lading's docs/fleet.md.</p>\n", st->overall.images,
		    st->overall.containers_total);
}

int ld_fleet_write_html(ld_buf *b, const ld_fleet_stats *st)
{
	const ld_fleet_group_stats *o = &st->overall;
	head(b, st);
	if (!o->images && !o->containers_total) {
		ld_buf_adds(b, "<p><b>The store holds no images and no containers: nothing to report.</b></p>\n");
	} else {
		if (st->group_count == 1 && st->groups[0].name[0] == '(') {
			ld_buf_adds(b, "<p><b>No image matches the group key ");
			esc(b, st->group_by);
			ld_buf_adds(b, ".</b></p>\n");
		}
		ld_buf_adds(b, "<h2>Groups</h2>\n");
		group_table(b, st);
		ld_buf_adds(b, "<h2>Severity mix</h2>\n<p class=\"note\">Share of findings (distinct image &times; "
			       "vulnerability pairs) per severity.</p>\n");
		legend(b);
		severity_chart(b, st);
		ld_buf_adds(b, "<h2>Vulnerabilities per image</h2>\n");
		histogram(b, "histogram of vulnerabilities per image", o->vuln_hist, ld_fleet_vuln_bin_names,
			  LD_FLEET_VULN_BINS);
		ld_buf_adds(b, "<h2>Image age</h2>\n");
		histogram(b, "histogram of image age", o->age_hist, ld_fleet_age_bin_names, LD_FLEET_AGE_BINS);
		bases_table(b, st);
		famous_table(b, st);
		ld_buf_adds(b, "<h2>Top vulnerabilities</h2>\n");
		top_table(b, "Known exploited (CISA KEV)", "Vulnerability", o->top_kev, o->n_top_kev, o->images);
		top_table(b, "All", "Vulnerability", o->top_vulns, o->n_top_vulns, o->images);
		top_table(b, "Packages", "Package", o->top_pkgs, o->n_top_pkgs, o->images);
		ld_buf_adds(b, "<h2>Containers on images with known-exploited or critical findings</h2>\n");
		ctr_table(b, "Running", o->running, o->n_running, o->risky_running);
		ctr_table(b, "Gone (they ran such images)", o->gone, o->n_gone, o->risky_gone);
	}
	if (st->history)
		history_section(b, st);
	census_section(b, st->census);
	ld_buf_adds(b, "</body></html>\n");
	return ld_buf_error(b);
}

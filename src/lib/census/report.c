/* The assessment as a table, JSON or a self-contained HTML page with one chart per product. */
#include "util/common.h"
#include "util/html_esc.h"
#include "util/term.h"
#include "census/census.h"
#include "util/jsonw.h"

/* Named limits. */
#define TABLE_VERSIONS 12  /* versions listed per product in the table */
#define CHART_VERSIONS 24  /* bars per chart; the rest are summed into "other" */
#define CHART_BAR_H 18
#define CHART_LABEL_W 210
#define CHART_BAR_W 460

static double share(size_t n, size_t d)
{
	return d ? (double)n / (double)d : 0.0;
}

static void pct(ld_buf *b, size_t n, size_t d)
{
	if (!d)
		ld_buf_adds(b, "-");
	else
		ld_buf_addf(b, "%.1f%%", 100.0 * share(n, d));
}

/* ------------------------------------------------------------------ table */

static void pad(ld_buf *b, size_t start, size_t width)
{
	size_t used = b->len - start;
	ld_buf_addf(b, "%*s", (int)(used < width ? width - used : 1), "");
}

int ld_census_write_table(ld_buf *b, const lading_census_assessment *a)
{
	static const char *const head[] = {"PRODUCT", "HOSTS", "VERSIONED", "NEWEST KNOWN", "BEHIND",
					   "BEHIND LINE", "VULNERABLE", "KEV", "BACKPORTED?"};
	static const size_t w[] = {16, 7, 10, 24, 8, 12, 11, 7, 12};
	size_t s, start = b->len;
	for (size_t i = 0; i < LD_ARRAY_LEN(head); i++) {
		s = b->len;
		ld_buf_adds(b, head[i]);
		if (i + 1 < LD_ARRAY_LEN(head))
			pad(b, s, w[i]);
	}
	ld_buf_addc(b, '\n');
	for (size_t i = 0; i < a->nproducts; i++) {
		const lading_census_product_stat *p = &a->products[i];
		s = b->len, ld_buf_adds(b, p->name), pad(b, s, w[0]);
		s = b->len, ld_buf_addf(b, "%zu", p->hosts), pad(b, s, w[1]);
		s = b->len, ld_buf_addf(b, "%zu", p->versioned), pad(b, s, w[2]);
		s = b->len;
		if (p->newest)
			ld_buf_addf(b, "%s (%s)", p->newest, p->newest_source);
		else
			ld_buf_adds(b, "-");
		pad(b, s, w[3]);
		s = b->len, pct(b, p->behind, p->versioned), pad(b, s, w[4]);
		s = b->len, pct(b, p->behind_branch, p->versioned), pad(b, s, w[5]);
		s = b->len, pct(b, p->vulnerable, p->versioned), pad(b, s, w[6]);
		s = b->len, pct(b, p->kev, p->versioned), pad(b, s, w[7]);
		pct(b, p->possibly_backported, p->versioned);
		ld_buf_addc(b, '\n');
	}
	ld_buf_addf(b, "\n%zu records, %zu products, %zu unidentified services", a->records,
		    a->nproducts, a->unidentified);
	if (a->db_built_at)
		ld_buf_addf(b, "; vulnerability database built %s", a->db_built_at);
	ld_buf_adds(b, ".\nShares are of the hosts that disclosed a version. VULNERABLE counts hosts "
		       "on a version with known\nvulnerabilities that announce no distribution build; "
		       "BACKPORTED? counts the affected hosts that\ndo (their vendor may have patched "
		       "them). KEV: a known-exploited CVE (CISA), same rule.\n");
	for (size_t i = 0; i < a->nproducts; i++) {
		const lading_census_product_stat *p = &a->products[i];
		ld_buf_addf(b, "\n%s: %zu host%s", p->name, p->hosts, p->hosts == 1 ? "" : "s");
		if (p->data_sources)
			ld_buf_addf(b, " (data: %s)", p->data_sources);
		else
			ld_buf_adds(b, " (no vulnerability data for this product)");
		ld_buf_addc(b, '\n');
		for (size_t k = 0; k < p->version_count && k < TABLE_VERSIONS; k++) {
			const lading_census_version_stat *v = &p->versions[k];
			ld_buf_addf(b, "  %-24s %6zu  ", v->version ? v->version : "(not disclosed)",
				    v->hosts);
			if (v->version) {
				ld_buf_adds(b, v->behind ? "behind" : "newest");
				if (v->behind && !v->behind_branch)
					ld_buf_adds(b, " (newest of its line)");
				if (v->vulnerable)
					ld_buf_addf(b, ", %zu CVE%s", v->cve_count, v->cve_count == 1 ? "" : "s");
				if (v->max_severity)
					ld_buf_addf(b, " (max %s)", v->max_severity);
				if (v->kev)
					ld_buf_addf(b, ", KEV: %s%s", v->kev_cves[0], v->kev_count > 1 ? " ..." : "");
				if (v->vulnerable && v->backported)
					ld_buf_addf(b, ", %zu possibly backported", v->backported);
			}
			ld_buf_addc(b, '\n');
		}
		if (p->version_count > TABLE_VERSIONS)
			ld_buf_addf(b, "  ... %zu more versions\n", p->version_count - TABLE_VERSIONS);
	}
	/* banners and product strings come from the network: no control byte reaches a terminal */
	ld_buf_term_sanitize(b, start, true);
	return ld_buf_error(b);
}

/* ------------------------------------------------------------------ JSON */

static void kshare(ld_jw *w, const char *k, size_t n, size_t d)
{
	ld_jw_key(w, k);
	if (d)
		ld_jw_fixed(w, share(n, d), 4);
	else
		ld_jw_null(w);
}

static void str_array(ld_jw *w, const char *k, const char *const *v, size_t n)
{
	ld_jw_key(w, k);
	ld_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		ld_jw_str(w, v[i]);
	ld_jw_arr_end(w);
}

int ld_census_write_json(ld_buf *b, const lading_census_assessment *a)
{
	ld_jw w;
	ld_jw_init(&w, b, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "generated_at", a->generated_at);
	ld_jw_kstr(&w, "database_built_at", a->db_built_at);
	ld_jw_ki64(&w, "records", (int64_t)a->records);
	ld_jw_ki64(&w, "unidentified", (int64_t)a->unidentified);
	ld_jw_key(&w, "products");
	ld_jw_arr(&w);
	for (size_t i = 0; i < a->nproducts; i++) {
		const lading_census_product_stat *p = &a->products[i];
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "product", p->product);
		ld_jw_kstr(&w, "name", p->name);
		ld_jw_ki64(&w, "hosts", (int64_t)p->hosts);
		ld_jw_ki64(&w, "versioned", (int64_t)p->versioned);
		ld_jw_kstr(&w, "newest", p->newest);
		ld_jw_kstr(&w, "newest_source", p->newest_source);
		ld_jw_ki64(&w, "behind", (int64_t)p->behind);
		kshare(&w, "behind_share", p->behind, p->versioned);
		ld_jw_ki64(&w, "behind_branch", (int64_t)p->behind_branch);
		kshare(&w, "behind_branch_share", p->behind_branch, p->versioned);
		ld_jw_ki64(&w, "vulnerable", (int64_t)p->vulnerable);
		kshare(&w, "vulnerable_share", p->vulnerable, p->versioned);
		ld_jw_ki64(&w, "kev", (int64_t)p->kev);
		kshare(&w, "kev_share", p->kev, p->versioned);
		ld_jw_ki64(&w, "possibly_backported", (int64_t)p->possibly_backported);
		kshare(&w, "possibly_backported_share", p->possibly_backported, p->versioned);
		ld_jw_ki64(&w, "kev_possibly_backported", (int64_t)p->kev_possibly_backported);
		ld_jw_ki64(&w, "not_assessed", (int64_t)p->not_assessed);
		ld_jw_kstr(&w, "data_sources", p->data_sources);
		ld_jw_key(&w, "versions");
		ld_jw_arr(&w);
		for (size_t k = 0; k < p->version_count; k++) {
			const lading_census_version_stat *v = &p->versions[k];
			ld_jw_obj(&w);
			ld_jw_kstr(&w, "version", v->version);
			ld_jw_ki64(&w, "hosts", (int64_t)v->hosts);
			ld_jw_ki64(&w, "backported", (int64_t)v->backported);
			if (v->version) {
				ld_jw_kbool(&w, "behind", v->behind);
				ld_jw_kbool(&w, "behind_branch", v->behind_branch);
				ld_jw_kbool(&w, "vulnerable", v->vulnerable);
				ld_jw_kbool(&w, "kev", v->kev);
				ld_jw_kstr(&w, "max_severity", v->max_severity);
				str_array(&w, "cves", v->cves, v->cve_count);
				str_array(&w, "kev_cves", v->kev_cves, v->kev_count);
			}
			ld_jw_obj_end(&w);
		}
		ld_jw_arr_end(&w);
		ld_jw_obj_end(&w);
	}
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}

/* ------------------------------------------------------------------ HTML */

/* A version's class in the chart: its worst state. */
static const char *klass(const lading_census_version_stat *v)
{
	if (!v->version)
		return "undisclosed";
	if (v->vulnerable && v->backported == v->hosts)
		return "backported";
	if (v->kev)
		return "kev";
	if (v->vulnerable)
		return "vulnerable";
	if (v->behind)
		return "behind";
	return "current";
}

static void chart(ld_buf *b, const lading_census_product_stat *p, size_t idx)
{
	size_t bars = LD_MIN(p->version_count, (size_t)CHART_VERSIONS), other = 0, maxh = 1;
	size_t rows, height;
	for (size_t k = 0; k < p->version_count; k++) {
		if (k < bars)
			maxh = LD_MAX(maxh, p->versions[k].hosts);
		else
			other += p->versions[k].hosts;
	}
	maxh = LD_MAX(maxh, other);
	rows = bars + (other ? 1 : 0);
	height = rows * (CHART_BAR_H + 4) + 8;
	ld_buf_addf(b,
		    "<svg class=\"chart\" role=\"img\" aria-labelledby=\"c%zu\" width=\"%d\" "
		    "height=\"%zu\" viewBox=\"0 0 %d %zu\"><title id=\"c%zu\">",
		    idx, CHART_LABEL_W + CHART_BAR_W + 60, height, CHART_LABEL_W + CHART_BAR_W + 60,
		    height, idx);
	ld_html_esc(b, p->name);
	ld_buf_adds(b, ": hosts per version</title>\n");
	for (size_t k = 0; k < rows; k++) {
		const lading_census_version_stat *v = k < bars ? &p->versions[k] : NULL;
		size_t hosts = v ? v->hosts : other;
		size_t y = 4 + k * (CHART_BAR_H + 4);
		size_t wbar = LD_MAX((size_t)2, hosts * CHART_BAR_W / maxh);
		ld_buf_addf(b, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", CHART_LABEL_W - 6,
			    y + CHART_BAR_H - 5);
		ld_html_esc(b, v ? (v->version ? v->version : "not disclosed") : "other versions");
		ld_buf_addf(b,
			    "</text><rect class=\"%s\" x=\"%d\" y=\"%zu\" width=\"%zu\" height=\"%d\">"
			    "<title>",
			    v ? klass(v) : "other", CHART_LABEL_W, y, wbar, CHART_BAR_H);
		ld_html_esc(b, v ? (v->version ? v->version : "not disclosed") : "other versions");
		ld_buf_addf(b, ": %zu host%s", hosts, hosts == 1 ? "" : "s");
		if (v && v->vulnerable)
			ld_buf_addf(b, ", %zu CVEs", v->cve_count);
		ld_buf_addf(b, "</title></rect><text x=\"%zu\" y=\"%zu\">%zu</text>\n",
			    CHART_LABEL_W + wbar + 6, y + CHART_BAR_H - 5, hosts);
	}
	ld_buf_adds(b, "</svg>\n");
}

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}"
	"table{border-collapse:collapse;margin:1em 0}th,td{padding:.25em .6em;text-align:left;"
	"border-bottom:1px solid #ddd}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".chart text{font-size:12px;fill:#333}.legend span{display:inline-block;margin-right:1.2em}"
	".legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px}"
	".current{fill:#2e7d32;background:#2e7d32}.behind{fill:#f9a825;background:#f9a825}"
	".vulnerable{fill:#d84315;background:#d84315}.kev{fill:#8e0000;background:#8e0000}"
	".backported{fill:#5c6bc0;background:#5c6bc0}.undisclosed,.other{fill:#9e9e9e;"
	"background:#9e9e9e}.note{color:#555;font-size:.92em}code{font-size:.95em}";

int ld_census_write_html(ld_buf *b, const lading_census_assessment *a)
{
	ld_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		       "<title>lading census</title><style>");
	ld_buf_adds(b, css);
	ld_buf_adds(b, "</style></head><body>\n<h1>Exposed-service census</h1>\n<p class=\"note\">");
	ld_buf_addf(b, "%zu records, %zu products, %zu unidentified services. Generated ", a->records,
		    a->nproducts, a->unidentified);
	ld_html_esc(b, a->generated_at);
	if (a->db_built_at) {
		ld_buf_adds(b, "; vulnerability database built ");
		ld_html_esc(b, a->db_built_at);
	}
	ld_buf_adds(b, ". Shares are of the hosts that disclosed a version. <b>Vulnerable</b>: the "
		       "upstream version has known vulnerabilities and the host announces no "
		       "distribution build. <b>Possibly backported</b>: the same, but the banner names "
		       "a distribution build whose vendor may have patched it. <b>KEV</b>: a CVE in "
		       "CISA's Known Exploited Vulnerabilities catalog.</p>\n");
	ld_buf_adds(b, "<table><tr><th>Product</th><th>Hosts</th><th>Versioned</th><th>Newest known"
		       "</th><th>Behind</th><th>Behind its line</th><th>Vulnerable</th><th>KEV</th>"
		       "<th>Possibly backported</th></tr>\n");
	for (size_t i = 0; i < a->nproducts; i++) {
		const lading_census_product_stat *p = &a->products[i];
		ld_buf_addf(b, "<tr><td><a href=\"#p%zu\">", i);
		ld_html_esc(b, p->name);
		ld_buf_addf(b, "</a></td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td>", p->hosts,
			    p->versioned);
		if (p->newest) {
			ld_html_esc(b, p->newest);
			ld_buf_adds(b, " <span class=\"note\">(");
			ld_html_esc(b, p->newest_source);
			ld_buf_adds(b, ")</span>");
		}
		ld_buf_adds(b, "</td><td class=\"n\">");
		pct(b, p->behind, p->versioned);
		ld_buf_adds(b, "</td><td class=\"n\">");
		pct(b, p->behind_branch, p->versioned);
		ld_buf_adds(b, "</td><td class=\"n\">");
		pct(b, p->vulnerable, p->versioned);
		ld_buf_adds(b, "</td><td class=\"n\">");
		pct(b, p->kev, p->versioned);
		ld_buf_adds(b, "</td><td class=\"n\">");
		pct(b, p->possibly_backported, p->versioned);
		ld_buf_adds(b, "</td></tr>\n");
	}
	ld_buf_adds(b, "</table>\n<p class=\"legend\"><span><i class=\"current\"></i>newest known"
		       "</span><span><i class=\"behind\"></i>behind</span><span><i class=\"vulnerable"
		       "\"></i>vulnerable</span><span><i class=\"kev\"></i>known exploited</span><span>"
		       "<i class=\"backported\"></i>possibly backported</span><span><i class=\""
		       "undisclosed\"></i>not disclosed / other</span></p>\n");
	for (size_t i = 0; i < a->nproducts; i++) {
		const lading_census_product_stat *p = &a->products[i];
		ld_buf_addf(b, "<section id=\"p%zu\"><h2>", i);
		ld_html_esc(b, p->name);
		ld_buf_addf(b, " <span class=\"note\">%zu host%s</span></h2>\n<p class=\"note\">", p->hosts,
			    p->hosts == 1 ? "" : "s");
		if (p->data_sources) {
			ld_buf_adds(b, "Data: ");
			ld_html_esc(b, p->data_sources);
			ld_buf_adds(b, ".");
		} else {
			ld_buf_adds(b, "No vulnerability data for this product: versions are shown, not "
				       "judged.");
		}
		ld_buf_adds(b, "</p>\n");
		chart(b, p, i);
		ld_buf_adds(b, "<table><tr><th>Version</th><th>Hosts</th><th>State</th><th>CVEs</th>"
			       "<th>Known exploited</th></tr>\n");
		for (size_t k = 0; k < p->version_count; k++) {
			const lading_census_version_stat *v = &p->versions[k];
			ld_buf_adds(b, "<tr><td>");
			ld_html_esc(b, v->version ? v->version : "not disclosed");
			ld_buf_addf(b, "</td><td class=\"n\">%zu</td><td>", v->hosts);
			if (v->version) {
				ld_buf_adds(b, v->behind ? "behind" : "newest known");
				if (v->behind && !v->behind_branch)
					ld_buf_adds(b, " (newest of its line)");
				if (v->vulnerable && v->backported)
					ld_buf_addf(b, "; %zu possibly backported", v->backported);
			}
			ld_buf_addf(b, "</td><td class=\"n\">%zu", v->cve_count);
			if (v->max_severity) {
				ld_buf_adds(b, " <span class=\"note\">max ");
				ld_html_esc(b, v->max_severity);
				ld_buf_adds(b, "</span>");
			}
			ld_buf_adds(b, "</td><td>");
			for (size_t c = 0; c < v->kev_count; c++) {
				ld_buf_adds(b, c ? ", <code>" : "<code>");
				ld_html_esc(b, v->kev_cves[c]);
				ld_buf_adds(b, "</code>");
			}
			ld_buf_adds(b, "</td></tr>\n");
		}
		ld_buf_adds(b, "</table></section>\n");
	}
	ld_buf_adds(b, "</body></html>\n");
	return ld_buf_error(b);
}

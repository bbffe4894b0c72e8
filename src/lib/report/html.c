/* One self-contained HTML page (no external assets, no scripts): summary, a severity chart in
 * inline SVG, findings in "fix first" order, the layers, and the inventory. */
#include "util/common.h"
#include "util/html_esc.h"
#include "report/report.h"

static bool safe_url(const char *u)
{
	return u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7));
}

static const char *color(int sev)
{
	static const char *const c[] = {"#8a8f98", "#3b82f6", "#eab308", "#f97316", "#dc2626"};
	return (unsigned)sev < 5 ? c[sev] : c[0];
}

/* The document's head with its stylesheet. */
static void page_head(ld_buf *b, const lading_image_info *img)
{
	ld_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>lading: ");
	ld_html_esc(b, ld_report_image_name(img));
	ld_buf_adds(b, "</title>\n<style>\n"
		       "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2937;background:#f8fafc}\n"
		       "header{background:#0f172a;color:#f8fafc;padding:18px 28px}header h1{margin:0;font-size:20px}\n"
		       "header p{margin:4px 0 0;color:#cbd5e1;font-size:13px}main{padding:20px 28px;max-width:1400px}\n"
		       ".cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px;min-width:120px}\n"
		       ".card b{display:block;font-size:22px}.card span{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
		       "section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;margin-bottom:18px}\n"
		       "h2{font-size:16px;margin:0 0 10px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef2f7;vertical-align:top}\n"
		       "th{font-size:12px;color:#64748b;text-transform:uppercase;letter-spacing:.04em}code{font-size:12px}\n"
		       ".sev{display:inline-block;color:#fff;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600}\n"
		       ".kev{background:#7f1d1d;color:#fff;border-radius:4px;padding:1px 6px;font-size:11px;font-weight:700}\n"
		       ".muted{color:#64748b}.sup td{opacity:.55}details summary{cursor:pointer;font-weight:600}\n"
		       "</style></head><body>\n");
}

/* The page header: image name, source, digest, platform, OS and tool version. */
static void page_header(ld_buf *b, const ld_scan_view *v)
{
	const lading_image_info *img = v->sbom.image;
	const lading_os *os = v->sbom.os;
	char plat[128];

	ld_buf_adds(b, "<header><h1>");
	ld_html_esc(b, ld_report_image_name(img));
	ld_buf_adds(b, "</h1><p>");
	ld_html_esc(b, img->source_type);
	if (img->config_digest) {
		ld_buf_adds(b, " · ");
		ld_html_esc(b, img->config_digest);
	}
	if (ld_report_platform(img, plat, sizeof(plat))) {
		ld_buf_adds(b, " · ");
		ld_html_esc(b, plat);
	}
	if (os->pretty_name || os->id) {
		ld_buf_adds(b, " · ");
		ld_html_esc(b, os->pretty_name ? os->pretty_name : os->id);
	}
	ld_buf_addf(b, " · lading %s</p></header>\n", ld_report_tool_version(&v->sbom));
}

/* The summary cards. */
static void summary_cards(ld_buf *b, const lading_scan_summary *s)
{
	ld_buf_adds(b, "<div class=\"cards\">");
	ld_buf_addf(b, "<div class=\"card\"><span>vulnerabilities</span><b>%zu</b></div>", s->total);
	ld_buf_addf(b, "<div class=\"card\"><span>known exploited</span><b style=\"color:#7f1d1d\">%zu</b></div>", s->kev);
	ld_buf_addf(b, "<div class=\"card\"><span>fixable</span><b>%zu</b></div>", s->fixable);
	ld_buf_addf(b, "<div class=\"card\"><span>packages</span><b>%zu</b></div>", s->packages);
	ld_buf_addf(b, "<div class=\"card\"><span>suppressed</span><b>%zu</b></div></div>\n", s->suppressed);
}

/* The severity chart: horizontal bars in inline SVG. */
static void severity_chart(ld_buf *b, const lading_scan_summary *s)
{
	size_t maxc = 1;

	for (int i = 0; i < 5; i++)
		if (s->by_severity[i] > maxc)
			maxc = s->by_severity[i];
	ld_buf_adds(b, "<section><h2>By severity</h2>\n<svg role=\"img\" aria-label=\"findings by severity\" width=\"560\" height=\"150\" viewBox=\"0 0 560 150\">\n");
	for (int i = 4, row = 0; i >= 0; i--, row++) {
		int w = (int)(400.0 * (double)s->by_severity[i] / (double)maxc);
		ld_buf_addf(b, "<text x=\"0\" y=\"%d\" font-size=\"12\" fill=\"#334155\">%s</text>", 20 + row * 28,
			    lading_severity_name((lading_severity)i));
		ld_buf_addf(b, "<rect x=\"80\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"3\" fill=\"%s\"/>", 7 + row * 28,
			    w > 0 ? w : 1, color(i));
		ld_buf_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#334155\">%zu</text>\n", 88 + w, 20 + row * 28,
			    s->by_severity[i]);
	}
	ld_buf_adds(b, "</svg></section>\n");
}

/* One row of the findings table. */
static void finding_row(ld_buf *b, const lading_finding *f)
{
	ld_buf_addf(b, "<tr%s><td>", f->suppressed ? " class=\"sup\"" : "");
	if (safe_url(f->url)) {
		ld_buf_adds(b, "<a href=\"");
		ld_html_esc(b, f->url);
		ld_buf_adds(b, "\">");
		ld_html_esc(b, f->id);
		ld_buf_adds(b, "</a>");
	} else {
		ld_html_esc(b, f->id);
	}
	for (size_t k = 0; k < f->alias_count && k < 4; k++) {
		ld_buf_adds(b, "<br><span class=\"muted\">");
		ld_html_esc(b, f->aliases[k]);
		ld_buf_adds(b, "</span>");
	}
	ld_buf_addf(b, "</td><td><span class=\"sev\" style=\"background:%s\">%s</span>", color(f->severity),
		    lading_severity_name(f->severity));
	if (f->cvss_score >= 0)
		ld_buf_addf(b, " <span class=\"muted\">%.1f</span>", f->cvss_score);
	ld_buf_adds(b, "</td><td>");
	if (f->kev) {
		ld_buf_adds(b, "<span class=\"kev\">KEV</span> ");
		ld_html_esc(b, f->kev_date_added);
	}
	if (f->epss_score >= 0)
		ld_buf_addf(b, "<br><span class=\"muted\">EPSS %.2f%%</span>", f->epss_score * 100.0);
	ld_buf_adds(b, "</td><td>");
	ld_html_esc(b, f->package->name);
	ld_buf_adds(b, "</td><td><code>");
	ld_html_esc(b, f->package->version);
	ld_buf_adds(b, "</code></td><td>");
	if (f->fixed_count) {
		ld_buf_adds(b, "<code>");
		ld_html_esc(b, f->fixed_versions[0]);
		ld_buf_adds(b, "</code>");
	} else {
		ld_buf_adds(b, "<span class=\"muted\">");
		ld_html_esc(b, f->status);
		ld_buf_adds(b, "</span>");
	}
	ld_buf_adds(b, "</td><td>");
	if (f->package->layer >= 0)
		ld_buf_addf(b, "%d", f->package->layer + 1);
	ld_buf_adds(b, "</td><td>");
	ld_html_esc(b, f->title);
	if (f->suppressed) {
		ld_buf_adds(b, "<br><span class=\"muted\">suppressed (");
		ld_html_esc(b, f->suppressed);
		ld_buf_adds(b, "): ");
		ld_html_esc(b, f->suppressed_reason);
		ld_buf_adds(b, "</span>");
	}
	ld_buf_adds(b, "</td></tr>\n");
}

/* The findings in "fix first" order, then the notes and expired ignore entries. */
static void findings_section(ld_buf *b, const ld_scan_view *v)
{
	ld_buf_adds(b, "<section><h2>Findings, fix first</h2>\n");
	if (!v->nfindings)
		ld_buf_adds(b, "<p>No known vulnerabilities found.</p>\n");
	else
		ld_buf_adds(b, "<table><thead><tr><th>ID</th><th>Severity</th><th>Exploit</th><th>Package</th><th>Installed</th>"
			       "<th>Fixed in</th><th>Layer</th><th>Title</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < v->nfindings; i++)
		finding_row(b, &v->findings[i]);
	if (v->nfindings)
		ld_buf_adds(b, "</tbody></table>\n");
	for (size_t i = 0; i < v->nnotes; i++) {
		ld_buf_adds(b, "<p class=\"muted\">Note: ");
		ld_html_esc(b, v->notes[i]);
		ld_buf_adds(b, "</p>\n");
	}
	for (size_t i = 0; i < v->nexpired; i++) {
		ld_buf_adds(b, "<p class=\"muted\">Expired ignore entry: ");
		ld_html_esc(b, v->expired[i]);
		ld_buf_adds(b, "</p>\n");
	}
	ld_buf_adds(b, "</section>\n");
}

/* The layers with what created them. */
static void layers_section(ld_buf *b, const lading_image_info *img)
{
	ld_buf_adds(b, "<section><h2>Layers</h2><table><thead><tr><th>#</th><th>Digest</th><th>Created by</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < img->layer_count; i++) {
		ld_buf_addf(b, "<tr><td>%zu</td><td><code>", i + 1);
		ld_html_esc(b, img->layers[i].digest);
		ld_buf_adds(b, "</code></td><td><code>");
		ld_html_esc(b, img->layers[i].created_by);
		ld_buf_adds(b, "</code></td></tr>\n");
	}
	ld_buf_adds(b, "</tbody></table></section>\n");
}

/* The inventory, folded. */
static void inventory_section(ld_buf *b, const ld_scan_view *v)
{
	ld_buf_addf(b, "<section><details><summary>Inventory: %zu packages</summary>\n"
		       "<table><thead><tr><th>Name</th><th>Version</th><th>Type</th><th>Source</th><th>Layer</th></tr></thead><tbody>\n",
		    v->sbom.npkgs);
	for (size_t i = 0; i < v->sbom.npkgs; i++) {
		const lading_package *p = v->sbom.pkgs[i];
		ld_buf_adds(b, "<tr><td>");
		ld_html_esc(b, p->name);
		ld_buf_adds(b, "</td><td><code>");
		ld_html_esc(b, p->version);
		ld_buf_adds(b, "</code></td><td>");
		ld_html_esc(b, p->type);
		ld_buf_adds(b, "</td><td>");
		ld_html_esc(b, p->source_name);
		ld_buf_adds(b, "</td><td>");
		if (p->layer >= 0)
			ld_buf_addf(b, "%d", p->layer + 1);
		ld_buf_adds(b, "</td></tr>\n");
	}
	ld_buf_adds(b, "</tbody></table></details></section>\n");
}

int ld_report_scan_html(ld_buf *b, const ld_scan_view *v)
{
	page_head(b, v->sbom.image);
	page_header(b, v);
	ld_buf_adds(b, "<main>\n");
	summary_cards(b, v->summary);
	severity_chart(b, v->summary);
	findings_section(b, v);
	layers_section(b, v->sbom.image);
	inventory_section(b, v);
	ld_buf_adds(b, "</main></body></html>\n");
	return ld_buf_error(b);
}

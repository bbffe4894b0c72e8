/* Honeypot report as one self-contained HTML page (no scripts, no external assets): the study's
 * figures as inline SVG charts (automated vs manual, attack types, countries, services) and the
 * top lists and attack sessions as tables. Every string from a log is HTML-escaped. */
#include "util/common.h"
#include "util/html_esc.h"
#include "honeypot/analysis.h"

#define BARS_MAX	 12   /* bars per chart */
#define SESSIONS_IN_PAGE 1000 /* session rows in the page */
#define CELL_MAX	 300  /* characters of an attacker string shown in a cell */

static const char *palette(size_t i)
{
	static const char *const c[] = {"#2563eb", "#dc2626", "#16a34a", "#d97706",
					"#7c3aed", "#0891b2", "#db2777", "#65a30d",
					"#ea580c", "#4f46e5", "#0d9488", "#9333ea"};
	return c[i % LD_ARRAY_LEN(c)];
}

/* Horizontal bars: label, bar, count and share. */
static void bars(ld_buf *b, const char *title, const lading_honeypot_count *rows, size_t n,
		 bool use_label)
{
	size_t shown = LD_MIN(n, (size_t)BARS_MAX);
	uint64_t max = 1;
	ld_buf_adds(b, "<section><h2>");
	ld_html_esc_max(b, title, 200);
	ld_buf_adds(b, "</h2>\n");
	if (!n) {
		ld_buf_adds(b, "<p class=\"muted\">None.</p></section>\n");
		return;
	}
	for (size_t i = 0; i < shown; i++)
		max = LD_MAX(max, rows[i].count);
	ld_buf_addf(b, "<svg role=\"img\" aria-label=\"");
	ld_html_esc_max(b, title, 200);
	ld_buf_addf(b, "\" width=\"760\" height=\"%zu\" viewBox=\"0 0 760 %zu\">\n", shown * 26 + 6,
		    shown * 26 + 6);
	for (size_t i = 0; i < shown; i++) {
		int w = (int)(380.0 * (double)rows[i].count / (double)max);
		const char *label = use_label && rows[i].label ? rows[i].label : rows[i].key;
		ld_buf_addf(b, "<text x=\"0\" y=\"%zu\" font-size=\"12\" fill=\"#334155\">",
			    18 + i * 26);
		ld_html_esc_max(b, label, 38);
		ld_buf_adds(b, "</text>");
		ld_buf_addf(b,
			    "<rect x=\"260\" y=\"%zu\" width=\"%d\" height=\"18\" rx=\"3\" "
			    "fill=\"%s\"/>",
			    5 + i * 26, w > 0 ? w : 1, palette(i));
		ld_buf_addf(b,
			    "<text x=\"%d\" y=\"%zu\" font-size=\"12\" fill=\"#334155\">%" PRIu64
			    " (%.1f%%)</text>\n",
			    268 + w, 18 + i * 26, rows[i].count, rows[i].share * 100.0);
	}
	ld_buf_adds(b, "</svg>");
	if (n > shown)
		ld_buf_addf(b, "<p class=\"muted\">%zu more in the JSON report.</p>", n - shown);
	ld_buf_adds(b, "</section>\n");
}

/* Automated vs manual as a two-part ring (stroke-dasharray on a circle of circumference 100). */
static void donut(ld_buf *b, const lading_honeypot_report *r)
{
	double a = r->nsessions ? 100.0 * (double)r->automated / (double)r->nsessions : 0.0;
	ld_buf_adds(b, "<section><h2>Automated or manual</h2>\n<div class=\"row\">"
		       "<svg role=\"img\" aria-label=\"share of automated sessions\" width=\"180\" "
		       "height=\"180\" "
		       "viewBox=\"0 0 42 42\"><circle cx=\"21\" cy=\"21\" r=\"15.915\" "
		       "fill=\"none\" stroke=\"#e2e8f0\" "
		       "stroke-width=\"6\"/>");
	if (r->nsessions)
		ld_buf_addf(b,
			    "<circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" "
			    "stroke=\"#2563eb\" stroke-width=\"6\" "
			    "stroke-dasharray=\"%.2f %.2f\" stroke-dashoffset=\"25\"/>",
			    a, 100.0 - a);
	ld_buf_addf(b,
		    "<text x=\"21\" y=\"23\" font-size=\"6\" text-anchor=\"middle\" "
		    "fill=\"#0f172a\">%.0f%%</text></svg>",
		    a);
	ld_buf_addf(b,
		    "<div><p><span class=\"dot\" style=\"background:#2563eb\"></span>automated: "
		    "<b>%" PRIu64 "</b> sessions (%.1f%%)</p><p><span class=\"dot\" "
				  "style=\"background:#e2e8f0\"></span>manual: <b>%" PRIu64
		    "</b> sessions (%.1f%%)</p></div></div>\n",
		    r->automated, a, r->manual, r->nsessions ? 100.0 - a : 0.0);
	ld_buf_adds(b, "</section>\n");
}

static void table(ld_buf *b, const char *title, const char *keyname,
		  const lading_honeypot_count *rows, size_t n, const char *labelname)
{
	ld_buf_adds(b, "<section><h2>");
	ld_html_esc_max(b, title, 200);
	ld_buf_adds(b, "</h2>\n");
	if (!n) {
		ld_buf_adds(b, "<p class=\"muted\">None.</p></section>\n");
		return;
	}
	ld_buf_addf(b,
		    "<table><thead><tr><th>%s</th><th>Sessions</th><th>Share</th>%s%s%s</tr></"
		    "thead><tbody>\n",
		    keyname, labelname ? "<th>" : "", labelname ? labelname : "",
		    labelname ? "</th>" : "");
	for (size_t i = 0; i < n; i++) {
		ld_buf_adds(b, "<tr><td><code>");
		ld_html_esc_max(b, rows[i].key, CELL_MAX);
		ld_buf_addf(b, "</code></td><td>%" PRIu64 "</td><td>%.1f%%</td>", rows[i].count,
			    rows[i].share * 100.0);
		if (labelname) {
			ld_buf_adds(b, "<td><code>");
			ld_html_esc_max(b, rows[i].label, CELL_MAX);
			ld_buf_adds(b, "</code></td>");
		}
		ld_buf_adds(b, "</tr>\n");
	}
	ld_buf_adds(b, "</tbody></table></section>\n");
}

/* The page up to the header's summary line: the style sheet (no scripts, no external assets). */
static void page_head(ld_buf *b)
{
	ld_buf_adds(
		b,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>lading honeypot report</title>\n<style>\n"
		"body{font:14px/1.45 system-ui,-apple-system,Segoe "
		"UI,Roboto,sans-serif;margin:0;color:#1f2937;background:#f8fafc}\n"
		"header{background:#0f172a;color:#f8fafc;padding:18px 28px}header "
		"h1{margin:0;font-size:20px}\n"
		"header p{margin:4px 0 0;color:#cbd5e1;font-size:13px}main{padding:20px "
		"28px;max-width:1400px}\n"
		".cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}.card{background:#"
		"fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px "
		"16px;min-width:120px}\n"
		".card b{display:block;font-size:22px}.card "
		"span{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
		"section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px "
		"16px;margin-bottom:18px}\n"
		"h2{font-size:16px;margin:0 0 "
		"10px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px "
		"8px;border-bottom:1px solid #eef2f7;vertical-align:top}\n"
		"th{font-size:12px;color:#64748b;text-transform:uppercase;letter-spacing:.04em}"
		"code{font-size:12px;word-break:break-all}\n"
		".muted{color:#64748b}.row{display:flex;gap:24px;align-items:center}.dot{display:"
		"inline-block;width:10px;height:10px;border-radius:5px;margin-right:6px}\n"
		".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:"
		"18px}\n"
		"</style></head><body>\n<header><h1>Honeypot report</h1><p>");
}

int ld_hp_report_html(ld_buf *b, const lading_honeypot_report *r)
{
	page_head(b);
	ld_buf_addf(b, "%" PRIu64 " events from %" PRIu64 " log file(s)", r->events, r->files);
	if (r->first) {
		ld_buf_adds(b, " · ");
		ld_html_esc_max(b, r->first, 40);
		ld_buf_adds(b, " to ");
		ld_html_esc_max(b, r->last, 40);
	}
	ld_buf_adds(b, " · countries: ");
	ld_html_esc_max(b, r->geoip_description ? r->geoip_description : "no GeoIP database", 400);
	ld_buf_addf(b, " · lading %s</p></header>\n<main>\n<div class=\"cards\">", LADING_VERSION);
	ld_buf_addf(b, "<div class=\"card\"><span>attack sessions</span><b>%" PRIu64 "</b></div>",
		    r->nsessions);
	ld_buf_addf(b, "<div class=\"card\"><span>automated</span><b>%.1f%%</b></div>",
		    r->nsessions ? 100.0 * (double)r->automated / (double)r->nsessions : 0.0);
	ld_buf_addf(b, "<div class=\"card\"><span>sources</span><b>%" PRIu64 "</b></div>",
		    r->sources);
	ld_buf_addf(b, "<div class=\"card\"><span>connections</span><b>%" PRIu64 "</b></div>",
		    r->connections);
	ld_buf_addf(b, "<div class=\"card\"><span>events</span><b>%" PRIu64 "</b></div></div>\n",
		    r->events);

	ld_buf_adds(b, "<div class=\"grid\">\n");
	donut(b, r);
	bars(b, "Attack types (primary type per session)", r->by_type, r->nby_type, true);
	bars(b, "Source countries (sessions)", r->by_country, r->nby_country, false);
	bars(b, "Source countries (distinct sources)", r->sources_by_country,
	     r->nsources_by_country, false);
	bars(b, "Services attacked (sessions touching each)", r->by_service, r->nby_service, false);
	bars(b, "Automation evidence (deciding rule)", r->by_reason, r->nby_reason, false);
	ld_buf_adds(b, "</div>\n");

	table(b, "Top payloads", "sha256", r->top_payloads, r->ntop_payloads, "Example");
	table(b, "Top images", "Image", r->top_images, r->ntop_images, NULL);
	table(b, "Top commands", "Command", r->top_commands, r->ntop_commands, NULL);
	table(b, "Top user names", "User name", r->top_users, r->ntop_users, NULL);
	table(b, "Top passwords", "Password", r->top_passwords, r->ntop_passwords, NULL);
	table(b, "Top user agents", "User agent", r->top_user_agents, r->ntop_user_agents, NULL);

	ld_buf_adds(b, "<section><details><summary>Attack "
		       "sessions</summary>\n<table><thead><tr><th>Source</th>"
		       "<th>Country</th><th>First</th><th>Last</th><th>Steps</th><th>Connections</"
		       "th><th>Automated</th>"
		       "<th>Rule</th><th>Type</th><th>All "
		       "types</th><th>Services</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < r->nsession_rows && i < SESSIONS_IN_PAGE; i++) {
		const lading_honeypot_session *s = &r->sessions[i];
		ld_buf_adds(b, "<tr><td><code>");
		ld_html_esc_max(b, s->src_ip, 60);
		ld_buf_adds(b, "</code></td><td>");
		ld_html_esc_max(b, s->country, 4);
		ld_buf_adds(b, "</td><td>");
		ld_html_esc_max(b, s->first, 40);
		ld_buf_adds(b, "</td><td>");
		ld_html_esc_max(b, s->last, 40);
		ld_buf_addf(b, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s</td><td>",
			    s->steps, s->connections, s->automated ? "yes" : "no");
		ld_html_esc_max(b, s->why, 80);
		ld_buf_adds(b, "</td><td>");
		ld_html_esc_max(b, s->type, 80);
		ld_buf_adds(b, "</td><td>");
		ld_html_esc_max(b, s->types, 400);
		ld_buf_adds(b, "</td><td>");
		ld_html_esc_max(b, s->services, 200);
		ld_buf_adds(b, "</td></tr>\n");
	}
	ld_buf_adds(b, "</tbody></table>");
	if (r->nsession_rows > SESSIONS_IN_PAGE)
		ld_buf_addf(b, "<p class=\"muted\">%zu more in the JSON report.</p>",
			    r->nsession_rows - SESSIONS_IN_PAGE);
	ld_buf_adds(b, "</details></section>\n</main></body></html>\n");
	return ld_buf_error(b);
}

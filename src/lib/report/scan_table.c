/* Human-readable findings: grouped by package (most urgent package first), a summary line. */
#include "util/common.h"
#include "util/term.h"
#include "report/report.h"

static const char *sev_upper(lading_severity s)
{
	static const char *const n[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
	return (unsigned)s < 5 ? n[s] : "UNKNOWN";
}

/* "Total: N (CRITICAL: n, ...)": the table's last line. */
static void summary_line(ld_buf *out, const lading_scan_summary *s)
{
	ld_buf_addf(out, "Total: %zu (CRITICAL: %zu, HIGH: %zu, MEDIUM: %zu, LOW: %zu, UNKNOWN: %zu) | known exploited: %zu | fixable: %zu",
		    s->total, s->by_severity[LADING_SEVERITY_CRITICAL], s->by_severity[LADING_SEVERITY_HIGH],
		    s->by_severity[LADING_SEVERITY_MEDIUM], s->by_severity[LADING_SEVERITY_LOW],
		    s->by_severity[LADING_SEVERITY_UNKNOWN], s->kev, s->fixable);
	if (s->suppressed)
		ld_buf_addf(out, " | suppressed: %zu", s->suppressed);
	ld_buf_addc(out, '\n');
}

int ld_report_scan_table(ld_buf *out, const ld_scan_view *v)
{
	const lading_image_info *img = v->sbom.image;
	const lading_os *os = v->sbom.os;
	bool *done = calloc(v->sbom.npkgs ? v->sbom.npkgs : 1, sizeof(bool));
	size_t shown = 0, start = out->len;

	if (!done)
		return LADING_ENOMEM;
	/* image-controlled text is escaped value by value (util/term.h), then once more as a net */
	ld_buf_add_term(out, ld_report_image_name(img));
	ld_buf_adds(out, " (");
	ld_buf_add_term(out, img->source_type);
	ld_buf_adds(out, ")");
	if (os->pretty_name || os->id) {
		ld_buf_adds(out, " — ");
		ld_buf_add_term(out, os->pretty_name ? os->pretty_name : os->id);
	}
	ld_buf_addf(out, "\n%zu packages, %zu checked against the database\n\n", v->summary->packages,
		    v->summary->packages_checked);
	/* packages in the order of their most urgent finding (findings are sorted "fix first") */
	for (size_t i = 0; i < v->nfindings; i++) {
		const lading_finding *f0 = &v->findings[i];
		const lading_package *p = f0->package;
		if (f0->suppressed || done[f0->package_index])
			continue;
		done[f0->package_index] = true;
		ld_buf_add_term(out, p->name);
		ld_buf_addc(out, ' ');
		ld_buf_add_term(out, p->version);
		ld_buf_adds(out, " (");
		ld_buf_add_term(out, p->type);
		if (p->source_name && strcmp(p->source_name, p->name)) {
			ld_buf_adds(out, ", source ");
			ld_buf_add_term(out, p->source_name);
		}
		if (p->layer >= 0)
			ld_buf_addf(out, ", layer %d", p->layer + 1);
		ld_buf_adds(out, ")\n");
		for (size_t j = i; j < v->nfindings; j++) {
			const lading_finding *f = &v->findings[j];
			if (f->suppressed || f->package_index != f0->package_index)
				continue;
			ld_buf_addf(out, "  %-18s %-8s", f->id, sev_upper(f->severity));
			ld_buf_adds(out, f->kev ? " KEV" : "    ");
			if (f->epss_score >= 0)
				ld_buf_addf(out, " EPSS %5.1f%%", f->epss_score * 100.0);
			else
				ld_buf_adds(out, "           ");
			if (f->fixed_count) {
				ld_buf_adds(out, "  fixed in ");
				for (size_t k = 0; k < f->fixed_count; k++)
					ld_buf_addf(out, "%s%s", k ? ", " : "", f->fixed_versions[k]);
			} else {
				ld_buf_addf(out, "  %s", f->status);
			}
			if (f->title)
				ld_buf_addf(out, "  %.90s", f->title);
			ld_buf_addc(out, '\n');
			shown++;
		}
		ld_buf_addc(out, '\n');
	}
	free(done);
	if (!shown)
		ld_buf_adds(out, "No known vulnerabilities found.\n\n");
	for (size_t i = 0; i < v->nnotes; i++)
		ld_buf_addf(out, "Note: %s\n", v->notes[i]);
	for (size_t i = 0; i < v->nexpired; i++)
		ld_buf_addf(out, "Expired ignore entry (no longer applied): %s\n", v->expired[i]);
	summary_line(out, v->summary);
	ld_buf_term_sanitize(out, start, true);
	return ld_buf_error(out);
}

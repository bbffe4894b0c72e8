/* `lading scan --format json` (schema lading.scan/v1): the sbom's image and packages plus
 * vulnerabilities and a summary; documented in docs/formats.md. */
#include "util/common.h"
#include "util/jsonw.h"
#include "report/report.h"

void ld_report_json_finding(ld_jw *w, const lading_finding *f, const lading_image_info *img)
{
	const lading_package *p = f->package;
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", f->id);
	ld_jw_key(w, "aliases");
	ld_jw_arr(w);
	for (size_t i = 0; i < f->alias_count; i++)
		ld_jw_str(w, f->aliases[i]);
	ld_jw_arr_end(w);
	ld_jw_kstr(w, "package", p->name);
	ld_jw_kstr(w, "version", p->version);
	ld_jw_kstr(w, "type", p->type);
	ld_jw_kstr(w, "purl", p->purl);
	ld_jw_key(w, "source_package");
	if (p->source_name && (strcmp(p->source_name, p->name) || strcmp(p->source_version ? p->source_version : "", p->version))) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "name", p->source_name);
		ld_jw_kstr(w, "version", p->source_version);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_key(w, "layer");
	if (p->layer >= 0 && (size_t)p->layer < img->layer_count) {
		ld_jw_obj(w);
		ld_jw_ki64(w, "index", p->layer);
		ld_jw_kstr(w, "digest", img->layers[p->layer].digest);
		ld_jw_kstr(w, "created_by", img->layers[p->layer].created_by);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_key(w, "fixed_versions");
	ld_jw_arr(w);
	for (size_t i = 0; i < f->fixed_count; i++)
		ld_jw_str(w, f->fixed_versions[i]);
	ld_jw_arr_end(w);
	ld_jw_kstr(w, "status", f->status);
	ld_jw_kstr(w, "severity", lading_severity_name(f->severity));
	ld_jw_kstr(w, "severity_source", f->severity_source);
	ld_jw_key(w, "cvss");
	if (f->cvss_vector || f->cvss_score >= 0) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "vector", f->cvss_vector);
		ld_jw_key(w, "score");
		if (f->cvss_score >= 0)
			ld_jw_fixed(w, f->cvss_score, 1);
		else
			ld_jw_null(w);
		ld_jw_kstr(w, "source", f->cvss_source);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_key(w, "kev");
	if (f->kev) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "date_added", f->kev_date_added);
		ld_jw_kstr(w, "due_date", f->kev_due_date);
		ld_jw_kbool(w, "ransomware", f->kev_ransomware);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_key(w, "epss");
	if (f->epss_score >= 0) {
		ld_jw_obj(w);
		ld_jw_key(w, "score");
		ld_jw_fixed(w, f->epss_score, 5);
		ld_jw_key(w, "percentile");
		ld_jw_fixed(w, f->epss_percentile, 5);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_kstr(w, "title", f->title);
	ld_jw_kstr(w, "url", f->url);
	ld_jw_key(w, "advisories");
	ld_jw_arr(w);
	for (size_t i = 0; i < f->advisory_count; i++)
		ld_jw_str(w, f->advisories[i]);
	ld_jw_arr_end(w);
	ld_jw_key(w, "suppressed");
	if (f->suppressed) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "by", f->suppressed);
		ld_jw_kstr(w, "reason", f->suppressed_reason);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_obj_end(w);
}

int ld_report_scan_json(ld_buf *out, const ld_scan_view *v)
{
	const lading_scan_summary *s = v->summary;
	ld_jw w;
	bool files = v->sbom.opts && v->sbom.opts->with_files;

	ld_jw_init(&w, out, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "schema", "lading.scan/v1");
	ld_report_json_image(&w, &v->sbom);
	ld_jw_key(&w, "packages");
	ld_jw_arr(&w);
	for (size_t i = 0; i < v->sbom.npkgs; i++)
		ld_report_json_package(&w, v->sbom.pkgs[i], v->sbom.image, files);
	ld_jw_arr_end(&w);
	ld_jw_key(&w, "vulnerabilities");
	ld_jw_arr(&w);
	for (size_t i = 0; i < v->nfindings; i++)
		ld_report_json_finding(&w, &v->findings[i], v->sbom.image);
	ld_jw_arr_end(&w);
	ld_jw_key(&w, "summary");
	ld_jw_obj(&w);
	ld_jw_ki64(&w, "total", (int64_t)s->total);
	ld_jw_key(&w, "by_severity");
	ld_jw_obj(&w);
	for (int sev = LADING_SEVERITY_CRITICAL; sev >= LADING_SEVERITY_UNKNOWN; sev--)
		ld_jw_ki64(&w, lading_severity_name((lading_severity)sev), (int64_t)s->by_severity[sev]);
	ld_jw_obj_end(&w);
	ld_jw_ki64(&w, "kev", (int64_t)s->kev);
	ld_jw_ki64(&w, "fixable", (int64_t)s->fixable);
	ld_jw_ki64(&w, "suppressed", (int64_t)s->suppressed);
	ld_jw_ki64(&w, "packages", (int64_t)s->packages);
	ld_jw_ki64(&w, "packages_checked", (int64_t)s->packages_checked);
	ld_jw_obj_end(&w);
	ld_jw_key(&w, "expired_ignores");
	ld_jw_arr(&w);
	for (size_t i = 0; i < v->nexpired; i++)
		ld_jw_str(&w, v->expired[i]);
	ld_jw_arr_end(&w);
	ld_jw_key(&w, "notes");
	ld_jw_arr(&w);
	for (size_t i = 0; i < v->nnotes; i++)
		ld_jw_str(&w, v->notes[i]);
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}

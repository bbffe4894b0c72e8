/* CycloneDX 1.5 with a "vulnerabilities" section: ratings, affects (by bom-ref), KEV and
 * EPSS as properties, suppressed findings with an analysis state. */
#include "util/common.h"
#include "util/jsonw.h"
#include "report/report.h"

static const char *method(const char *vector)
{
	if (!vector)
		return "other";
	if (!strncmp(vector, "CVSS:3.1", 8))
		return "CVSSv31";
	if (!strncmp(vector, "CVSS:3.0", 8))
		return "CVSSv3";
	if (!strncmp(vector, "CVSS:4.0", 8))
		return "CVSSv4";
	return "CVSSv2";
}

static void prop(ld_jw *w, const char *name, const char *value)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "name", name);
	ld_jw_kstr(w, "value", value);
	ld_jw_obj_end(w);
}

/* source (who rated it, where it is described) and references (its aliases). */
static void source_and_references(ld_jw *w, const lading_finding *f)
{
	if (f->severity_source || f->url) {
		ld_jw_key(w, "source");
		ld_jw_obj(w);
		ld_jw_kstr(w, "name", f->severity_source ? f->severity_source : "lading");
		if (f->url)
			ld_jw_kstr(w, "url", f->url);
		ld_jw_obj_end(w);
	}
	if (f->alias_count) {
		ld_jw_key(w, "references");
		ld_jw_arr(w);
		for (size_t k = 0; k < f->alias_count; k++) {
			ld_jw_obj(w);
			ld_jw_kstr(w, "id", f->aliases[k]);
			ld_jw_key(w, "source");
			ld_jw_obj(w);
			ld_jw_kstr(w, "name", !strncmp(f->aliases[k], "CVE-", 4) ? "NVD" : "advisory");
			ld_jw_obj_end(w);
			ld_jw_obj_end(w);
		}
		ld_jw_arr_end(w);
	}
}

static void ratings(ld_jw *w, const lading_finding *f)
{
	ld_jw_key(w, "ratings");
	ld_jw_arr(w);
	ld_jw_obj(w);
	if (f->severity_source) {
		ld_jw_key(w, "source");
		ld_jw_obj(w);
		ld_jw_kstr(w, "name", f->severity_source);
		ld_jw_obj_end(w);
	}
	if (f->cvss_score >= 0) {
		ld_jw_key(w, "score");
		ld_jw_fixed(w, f->cvss_score, 1);
	}
	ld_jw_kstr(w, "severity", lading_severity_name(f->severity));
	if (f->cvss_vector) {
		ld_jw_kstr(w, "method", method(f->cvss_vector));
		ld_jw_kstr(w, "vector", f->cvss_vector);
	}
	ld_jw_obj_end(w);
	ld_jw_arr_end(w);
}

/* description, recommendation, advisories and (when suppressed) the analysis. */
static void advice(ld_jw *w, const lading_finding *f)
{
	if (f->title)
		ld_jw_kstr(w, "description", f->title);
	if (f->fixed_count) {
		char rec[512];
		ld_snprintf(rec, sizeof(rec), "Upgrade %s to %s or later", f->package->name, f->fixed_versions[0]);
		ld_jw_kstr(w, "recommendation", rec);
	}
	if (f->url) {
		ld_jw_key(w, "advisories");
		ld_jw_arr(w);
		ld_jw_obj(w);
		ld_jw_kstr(w, "url", f->url);
		ld_jw_obj_end(w);
		ld_jw_arr_end(w);
	}
	if (f->suppressed) {
		ld_jw_key(w, "analysis");
		ld_jw_obj(w);
		ld_jw_kstr(w, "state", "not_affected");
		if (f->suppressed_reason)
			ld_jw_kstr(w, "detail", f->suppressed_reason);
		ld_jw_obj_end(w);
	}
}

/* affects: the package by its bom-ref, at its installed version. */
static void affects(ld_jw *w, const lading_finding *f, const char *ref)
{
	ld_jw_key(w, "affects");
	ld_jw_arr(w);
	ld_jw_obj(w);
	ld_jw_kstr(w, "ref", ref);
	ld_jw_key(w, "versions");
	ld_jw_arr(w);
	ld_jw_obj(w);
	ld_jw_kstr(w, "version", f->package->version);
	ld_jw_kstr(w, "status", "affected");
	ld_jw_obj_end(w);
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
	ld_jw_arr_end(w);
}

/* lading's status, KEV and EPSS as properties. */
static void properties(ld_jw *w, const lading_finding *f)
{
	char tmp[64];

	ld_jw_key(w, "properties");
	ld_jw_arr(w);
	prop(w, "lading:status", f->status);
	if (f->kev) {
		prop(w, "lading:kev", "true");
		prop(w, "lading:kev:date_added", f->kev_date_added);
		prop(w, "lading:kev:ransomware", f->kev_ransomware ? "known" : "unknown");
	}
	if (f->epss_score >= 0) {
		ld_snprintf(tmp, sizeof(tmp), "%.5f", f->epss_score);
		prop(w, "lading:epss:score", tmp);
		ld_snprintf(tmp, sizeof(tmp), "%.5f", f->epss_percentile);
		prop(w, "lading:epss:percentile", tmp);
	}
	ld_jw_arr_end(w);
}

static void vulns(ld_jw *w, void *opaque, const char *const *refs)
{
	const ld_scan_view *v = opaque;
	char tmp[64];
	ld_jw_key(w, "vulnerabilities");
	ld_jw_arr(w);
	for (size_t i = 0; i < v->nfindings; i++) {
		const lading_finding *f = &v->findings[i];
		ld_jw_obj(w);
		ld_snprintf(tmp, sizeof(tmp), "vuln-%zu", i + 1);
		ld_jw_kstr(w, "bom-ref", tmp);
		ld_jw_kstr(w, "id", f->id);
		source_and_references(w, f);
		ratings(w, f);
		advice(w, f);
		affects(w, f, refs[f->package_index]);
		properties(w, f);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

int ld_report_scan_cyclonedx(ld_buf *out, const ld_scan_view *v)
{
	/* the sbom writer's package order equals the scan's package_index order */
	return ld_report_cyclonedx(out, &v->sbom, vulns, (void *)v);
}

/* SARIF 2.1.0 as GitHub code scanning reads it: one rule per vulnerability ID (with
 * security-severity for GitHub's severity column), one result per affected package, located
 * at the package database inside the image. */
#include "util/common.h"
#include "util/jsonw.h"
#include "util/map.h"
#include "report/report.h"

static const char *level(lading_severity s)
{
	switch (s) {
	case LADING_SEVERITY_CRITICAL:
	case LADING_SEVERITY_HIGH: return "error";
	case LADING_SEVERITY_MEDIUM: return "warning";
	default: return "note";
	}
}

/* GitHub maps security-severity > 9.0 critical, >= 7 high, >= 4 medium, else low. */
static double sec_severity(const lading_finding *f)
{
	if (f->cvss_score >= 0 && (lading_severity)(f->cvss_score >= 9 ? 4 : f->cvss_score >= 7 ? 3 : f->cvss_score >= 4 ? 2 : 1) == f->severity)
		return f->cvss_score;
	switch (f->severity) {
	case LADING_SEVERITY_CRITICAL: return 9.5;
	case LADING_SEVERITY_HIGH: return 8.0;
	case LADING_SEVERITY_MEDIUM: return 5.5;
	case LADING_SEVERITY_LOW: return 2.0;
	default: return 0.0;
	}
}

/* The rule of one vulnerability ID. */
static void rule(ld_jw *w, const lading_finding *f)
{
	char help[2048], sev[16];

	ld_jw_obj(w);
	ld_jw_kstr(w, "id", f->id);
	ld_jw_kstr(w, "name", "OsPackageVulnerability");
	ld_jw_key(w, "shortDescription");
	ld_jw_obj(w);
	ld_jw_kstr(w, "text", f->title ? f->title : f->id);
	ld_jw_obj_end(w);
	ld_jw_key(w, "fullDescription");
	ld_jw_obj(w);
	ld_jw_kstr(w, "text", f->title ? f->title : f->id);
	ld_jw_obj_end(w);
	if (f->url)
		ld_jw_kstr(w, "helpUri", f->url);
	ld_snprintf(help, sizeof(help), "Vulnerability %s\nSeverity: %s\n%s%s%s", f->id,
		    lading_severity_name(f->severity), f->kev ? "Known exploited (CISA KEV)\n" : "",
		    f->url ? "More: " : "", f->url ? f->url : "");
	ld_jw_key(w, "help");
	ld_jw_obj(w);
	ld_jw_kstr(w, "text", help);
	ld_jw_kstr(w, "markdown", help);
	ld_jw_obj_end(w);
	ld_jw_key(w, "defaultConfiguration");
	ld_jw_obj(w);
	ld_jw_kstr(w, "level", level(f->severity));
	ld_jw_obj_end(w);
	ld_jw_key(w, "properties");
	ld_jw_obj(w);
	ld_snprintf(sev, sizeof(sev), "%.1f", sec_severity(f));
	ld_jw_kstr(w, "security-severity", sev);
	ld_jw_kstr(w, "precision", "very-high");
	ld_jw_key(w, "tags");
	ld_jw_arr(w);
	ld_jw_str(w, "vulnerability");
	ld_jw_str(w, "security");
	ld_jw_str(w, lading_severity_name(f->severity));
	if (f->kev)
		ld_jw_str(w, "known-exploited");
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

/* The tool with one rule per reported vulnerability ID, numbered in *rules from 1 in order of
 * first appearance. */
static int tool(ld_jw *w, const ld_scan_view *v, ld_map *rules)
{
	size_t nrules = 0;

	ld_jw_key(w, "tool");
	ld_jw_obj(w);
	ld_jw_key(w, "driver");
	ld_jw_obj(w);
	ld_jw_kstr(w, "name", "lading");
	ld_jw_kstr(w, "fullName", "lading container image scanner");
	ld_jw_kstr(w, "version", ld_report_tool_version(&v->sbom));
	ld_jw_kstr(w, "informationUri", "https://lading.invalid/");
	ld_jw_key(w, "rules");
	ld_jw_arr(w);
	for (size_t i = 0; i < v->nfindings; i++) {
		const lading_finding *f = &v->findings[i];
		if (f->suppressed || ld_map_gets(rules, f->id))
			continue;
		if (ld_map_put(rules, ld_slice_cstr(f->id), (void *)(uintptr_t)(++nrules), NULL))
			return LADING_ENOMEM;
		rule(w, f);
	}
	ld_jw_arr_end(w);
	ld_jw_obj_end(w); /* driver */
	ld_jw_obj_end(w); /* tool */
	return 0;
}

/* A result's location: the package database inside the image, line 1. */
static void location(ld_jw *w, const lading_finding *f, const lading_image_info *img)
{
	const lading_package *p = f->package;
	const char *loc = p->location ? p->location : "/";
	char msg[2048];

	ld_jw_obj(w);
	ld_jw_key(w, "physicalLocation");
	ld_jw_obj(w);
	ld_jw_key(w, "artifactLocation");
	ld_jw_obj(w);
	ld_jw_kstr(w, "uri", loc[0] == '/' && loc[1] ? loc + 1 : loc);
	ld_jw_kstr(w, "uriBaseId", "ROOTPATH");
	ld_jw_obj_end(w);
	ld_jw_key(w, "region");
	ld_jw_obj(w);
	ld_jw_ki64(w, "startLine", 1);
	ld_jw_ki64(w, "startColumn", 1);
	ld_jw_ki64(w, "endLine", 1);
	ld_jw_ki64(w, "endColumn", 1);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
	ld_jw_key(w, "message");
	ld_jw_obj(w);
	ld_snprintf(msg, sizeof(msg), "%s: %s@%s", ld_report_image_name(img), p->name, p->version);
	ld_jw_kstr(w, "text", msg);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

/* The result of one finding, pointing at its rule by index. */
static void result(ld_jw *w, const lading_finding *f, uintptr_t idx, const lading_image_info *img)
{
	const lading_package *p = f->package;
	char msg[2048];

	if (f->fixed_count)
		ld_snprintf(msg, sizeof(msg), "Package: %s\nInstalled version: %s\nVulnerability: %s\nSeverity: %s\nFixed version: %s\nImage: %s",
			    p->name, p->version, f->id, lading_severity_name(f->severity), f->fixed_versions[0],
			    ld_report_image_name(img));
	else
		ld_snprintf(msg, sizeof(msg), "Package: %s\nInstalled version: %s\nVulnerability: %s\nSeverity: %s\nStatus: %s\nImage: %s",
			    p->name, p->version, f->id, lading_severity_name(f->severity), f->status,
			    ld_report_image_name(img));
	ld_jw_obj(w);
	ld_jw_kstr(w, "ruleId", f->id);
	ld_jw_ki64(w, "ruleIndex", (int64_t)idx - 1);
	ld_jw_kstr(w, "level", level(f->severity));
	ld_jw_key(w, "message");
	ld_jw_obj(w);
	ld_jw_kstr(w, "text", msg);
	ld_jw_obj_end(w);
	ld_jw_key(w, "locations");
	ld_jw_arr(w);
	location(w, f, img);
	ld_jw_arr_end(w);
	ld_jw_key(w, "partialFingerprints");
	ld_jw_obj(w);
	ld_snprintf(msg, sizeof(msg), "%s/%s/%s", f->id, p->purl ? p->purl : p->name, ld_report_image_name(img));
	ld_jw_kstr(w, "ladingFinding/v1", msg);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

int ld_report_scan_sarif(ld_buf *out, const ld_scan_view *v)
{
	ld_map rules;
	ld_jw w;
	int rc;

	ld_map_init(&rules);
	ld_jw_init(&w, out, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	ld_jw_kstr(&w, "version", "2.1.0");
	ld_jw_key(&w, "runs");
	ld_jw_arr(&w);
	ld_jw_obj(&w);
	if ((rc = tool(&w, v, &rules)))
		goto out;
	ld_jw_key(&w, "results");
	ld_jw_arr(&w);
	for (size_t i = 0; i < v->nfindings; i++) {
		const lading_finding *f = &v->findings[i];
		if (!f->suppressed)
			result(&w, f, (uintptr_t)ld_map_gets(&rules, f->id), v->sbom.image);
	}
	ld_jw_arr_end(&w);
	ld_jw_kstr(&w, "columnKind", "utf16CodeUnits");
	ld_jw_key(&w, "originalUriBaseIds");
	ld_jw_obj(&w);
	ld_jw_key(&w, "ROOTPATH");
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "uri", "file:///");
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w); /* run */
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	rc = ld_jw_finish(&w);
out:
	ld_map_release(&rules);
	return rc;
}

/* lading_sbom_report: render an inventory in the chosen format. */
#include "util/common.h"
#include "api/api.h"
#include "report/report.h"

int lading_format_parse(const char *name, lading_format *out)
{
	static const struct {
		const char *n;
		lading_format f;
	} t[] = {{"table", LADING_FORMAT_TABLE}, {"json", LADING_FORMAT_JSON},   {"cyclonedx", LADING_FORMAT_CYCLONEDX},
		 {"spdx", LADING_FORMAT_SPDX},   {"spdx-json", LADING_FORMAT_SPDX}, {"sarif", LADING_FORMAT_SARIF},
		 {"html", LADING_FORMAT_HTML}};
	for (size_t i = 0; name && i < LD_ARRAY_LEN(t); i++)
		if (!strcmp(name, t[i].n)) {
			*out = t[i].f;
			return 0;
		}
	return LADING_EUSAGE;
}

int ld_api_sbom_view(const lading_sbom *s, const lading_report_options *opts, ld_sbom_view *v,
		     const lading_package ***pkgs)
{
	size_t n = lading_sbom_package_count(s);
	*pkgs = calloc(n ? n : 1, sizeof(**pkgs));
	if (!*pkgs)
		return LADING_ENOMEM;
	for (size_t i = 0; i < n; i++)
		(*pkgs)[i] = lading_sbom_package(s, i);
	v->image = lading_sbom_image(s);
	v->os = lading_sbom_os(s);
	v->pkgs = *pkgs;
	v->npkgs = n;
	v->opts = opts;
	return 0;
}

int lading_sbom_report(char **out, size_t *len, lading_ctx *ctx, const lading_sbom *s, lading_format fmt,
		       const lading_report_options *opts)
{
	ld_buf b = LD_BUF_INIT;
	ld_sbom_view v;
	const lading_package **pkgs;
	int rc;

	*out = NULL;
	if (len)
		*len = 0;
	if ((rc = ld_api_sbom_view(s, opts, &v, &pkgs)))
		return ld_error_set(ctx, rc, "out of memory");
	switch (fmt) {
	case LADING_FORMAT_JSON: rc = ld_report_sbom_json(&b, &v); break;
	case LADING_FORMAT_TABLE: rc = ld_report_sbom_table(&b, &v); break;
	case LADING_FORMAT_CYCLONEDX: rc = ld_report_cyclonedx(&b, &v, NULL, NULL); break;
	case LADING_FORMAT_SPDX: rc = ld_report_spdx(&b, &v); break;
	default: rc = ld_error_set(ctx, LADING_EUSAGE, "this format is for scan results, not inventories"); break;
	}
	free(pkgs);
	if (rc) {
		ld_buf_release(&b);
		if (!ctx->err.code)
			ld_error_set(ctx, rc, "cannot render the report");
		return rc;
	}
	*out = ld_buf_detach(&b, len);
	return 0;
}

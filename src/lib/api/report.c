/* lading_sbom_report: render an inventory in the chosen format (the writer from formats.c). */
#include "util/common.h"
#include "api/api.h"
#include "api/formats.h"
#include "report/report.h"

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
	const ld_format_row *row = ld_format_find(LADING_REPORT_SBOM, fmt);
	int rc;

	*out = NULL;
	if (len)
		*len = 0;
	if ((rc = ld_api_sbom_view(s, opts, &v, &pkgs)))
		return ld_error_set(ctx, rc, "out of memory");
	if (row)
		rc = row->w.sbom(&b, &v);
	else
		rc = ld_error_set(ctx, LADING_EUSAGE, "this format is for scan results, not inventories");
	free(pkgs);
	return ld_format_finish(&b, rc, ctx, out, len);
}

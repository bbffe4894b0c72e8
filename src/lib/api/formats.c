/* The report formats, in one table: which kind of report (sbom, scan, census, census list,
 * fleet, honeypot, listing) comes in which format, under which name, and the writer that renders
 * it. lading_sbom_report, lading_scan_report, lading_fleet_report and
 * lading_census_assessment_write dispatch through it; the CLI checks --format with
 * lading_format_for and names the choices with lading_format_names. Adding a format = its writer
 * file + one line here (+ a golden or validation test: tests/unit/util/test_formats.c requires
 * one per line). Kinds whose rows have no writer render in their own module (the census list,
 * the honeypot report, the listings): the table still decides what they accept. */
#include "util/common.h"
#include "api/formats.h"
#include "report/report.h"
#include "report/fleet.h"
#ifdef LADING_HAVE_CENSUS
#include "census/census.h"
#endif

#ifdef LADING_HAVE_CENSUS
/* A census report's size cap (it lists every record of the assessed store). */
#define CENSUS_REPORT_MAX ((size_t)1 << 30)
#endif

static int sbom_cyclonedx(ld_buf *b, const ld_sbom_view *v)
{
	return ld_report_cyclonedx(b, v, NULL, NULL);
}

/* clang-format off */
static const ld_format_row rows[] = {
	{LADING_REPORT_SBOM, "table", LADING_FORMAT_TABLE, false, {.sbom = ld_report_sbom_table}},
	{LADING_REPORT_SBOM, "json", LADING_FORMAT_JSON, false, {.sbom = ld_report_sbom_json}},
	{LADING_REPORT_SBOM, "cyclonedx", LADING_FORMAT_CYCLONEDX, false, {.sbom = sbom_cyclonedx}},
	{LADING_REPORT_SBOM, "spdx", LADING_FORMAT_SPDX, false, {.sbom = ld_report_spdx}},
	{LADING_REPORT_SBOM, "spdx-json", LADING_FORMAT_SPDX, true, {.sbom = ld_report_spdx}},
	{LADING_REPORT_SCAN, "table", LADING_FORMAT_TABLE, false, {.scan = ld_report_scan_table}},
	{LADING_REPORT_SCAN, "json", LADING_FORMAT_JSON, false, {.scan = ld_report_scan_json}},
	{LADING_REPORT_SCAN, "sarif", LADING_FORMAT_SARIF, false, {.scan = ld_report_scan_sarif}},
	{LADING_REPORT_SCAN, "cyclonedx", LADING_FORMAT_CYCLONEDX, false, {.scan = ld_report_scan_cyclonedx}},
	{LADING_REPORT_SCAN, "html", LADING_FORMAT_HTML, false, {.scan = ld_report_scan_html}},
#ifdef LADING_HAVE_CENSUS
	{LADING_REPORT_CENSUS, "table", LADING_FORMAT_TABLE, false, {.census = ld_census_write_table}},
	{LADING_REPORT_CENSUS, "json", LADING_FORMAT_JSON, false, {.census = ld_census_write_json}},
	{LADING_REPORT_CENSUS, "html", LADING_FORMAT_HTML, false, {.census = ld_census_write_html}},
	{LADING_REPORT_CENSUS_LIST, "table", LADING_FORMAT_TABLE, false, {NULL}},
	{LADING_REPORT_CENSUS_LIST, "json", LADING_FORMAT_JSON, false, {NULL}},
#endif
	{LADING_REPORT_FLEET, "table", LADING_FORMAT_TABLE, false, {.fleet = ld_fleet_write_table}},
	{LADING_REPORT_FLEET, "json", LADING_FORMAT_JSON, false, {.fleet = ld_fleet_write_json}},
	{LADING_REPORT_FLEET, "html", LADING_FORMAT_HTML, false, {.fleet = ld_fleet_write_html}},
#ifdef LADING_HAVE_HONEYPOT
	{LADING_REPORT_HONEYPOT, "table", LADING_FORMAT_TABLE, false, {NULL}},
	{LADING_REPORT_HONEYPOT, "json", LADING_FORMAT_JSON, false, {NULL}},
	{LADING_REPORT_HONEYPOT, "html", LADING_FORMAT_HTML, false, {NULL}},
#endif
	{LADING_REPORT_LIST, "table", LADING_FORMAT_TABLE, false, {NULL}},
	{LADING_REPORT_LIST, "json", LADING_FORMAT_JSON, false, {NULL}},
};
/* clang-format on */

const ld_format_row *ld_format_rows(size_t *n)
{
	*n = LD_ARRAY_LEN(rows);
	return rows;
}

const ld_format_row *ld_format_find(lading_report_kind kind, lading_format fmt)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(rows); i++)
		if (rows[i].kind == kind && rows[i].fmt == fmt)
			return &rows[i];
	return NULL;
}

int ld_format_finish(ld_buf *b, int rc, lading_ctx *ctx, char **out, size_t *len)
{
	if (rc) {
		ld_buf_release(b);
		if (!ctx->err.code)
			ld_error_set(ctx, rc, "cannot render the report");
		return rc;
	}
	*out = ld_buf_detach(b, len);
	return 0;
}

int lading_format_parse(const char *name, lading_format *out)
{
	for (size_t i = 0; name && i < LD_ARRAY_LEN(rows); i++)
		if (!strcmp(name, rows[i].name)) {
			*out = rows[i].fmt;
			return 0;
		}
	return LADING_EUSAGE;
}

int lading_format_for(lading_report_kind kind, const char *name, lading_format *out)
{
	for (size_t i = 0; name && out && i < LD_ARRAY_LEN(rows); i++)
		if (rows[i].kind == kind && !strcmp(name, rows[i].name)) {
			*out = rows[i].fmt;
			return 0;
		}
	return LADING_EUSAGE;
}

int lading_format_names(lading_report_kind kind, char *buf, size_t n)
{
	size_t used = 0;
	if (!buf || !n)
		return LADING_EUSAGE;
	buf[0] = '\0';
	for (size_t i = 0; i < LD_ARRAY_LEN(rows); i++) {
		size_t len = strlen(rows[i].name), sep = used ? 2 : 0;
		if (rows[i].kind != kind || rows[i].alias)
			continue;
		if (used + sep + len >= n)
			return LADING_ELIMIT;
		memcpy(buf + used, ", ", sep);
		memcpy(buf + used + sep, rows[i].name, len + 1);
		used += sep + len;
	}
	return 0;
}

#ifdef LADING_HAVE_CENSUS
int lading_census_assessment_write(char **out, size_t *len, lading_ctx *ctx,
				   const lading_census_assessment *a, lading_format fmt)
{
	const ld_format_row *row;
	ld_buf b;
	int rc;
	*out = NULL;
	*len = 0;
	ld_error_clear(ctx);
	ld_buf_init(&b, CENSUS_REPORT_MAX);
	if ((row = ld_format_find(LADING_REPORT_CENSUS, fmt)))
		rc = row->w.census(&b, a);
	else
		rc = ld_error_set(ctx, LADING_EUSAGE, "census reports are table, json or html");
	if (!rc && ld_buf_error(&b))
		rc = ld_buf_error(&b);
	if (rc) {
		ld_buf_release(&b);
		return lading_ctx_error(ctx)->code ? rc : ld_error_set(ctx, rc, "census report too large");
	}
	*out = ld_buf_detach(&b, len);
	return 0;
}
#endif

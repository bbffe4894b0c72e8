/* The report format table (formats.c): one row per (kind of report, format name). */
#ifndef LD_API_FORMATS_H
#define LD_API_FORMATS_H

#include <stdbool.h>

#include "lading/census.h"
#include "report/fleet.h"
#include "report/report.h"

typedef struct ld_format_row {
	lading_report_kind kind;
	const char *name; /* as --format takes it */
	lading_format fmt;
	bool alias; /* accepted, but not listed by lading_format_names */
	/* the writer, by kind; NULL where the kind renders in its own module */
	union {
		int (*sbom)(ld_buf *b, const ld_sbom_view *v);
		int (*scan)(ld_buf *b, const ld_scan_view *v);
		int (*census)(ld_buf *b, const lading_census_assessment *a);
		int (*fleet)(ld_buf *b, const ld_fleet_stats *st);
	} w;
} ld_format_row;

/* Every row (for tests). */
const ld_format_row *ld_format_rows(size_t *n);
/* The row of (kind, fmt), NULL when the kind does not come in that format. */
const ld_format_row *ld_format_find(lading_report_kind kind, lading_format fmt);

/* The end of a rendering: on rc the buffer goes (and the context gets "cannot render the
 * report" unless it has an error), else *out (NUL-terminated) and *len get it. */
int ld_format_finish(ld_buf *b, int rc, lading_ctx *ctx, char **out, size_t *len);

#endif

/* Report stage: one writer per format. Writers take the public structures (image info, OS,
 * packages, later findings) and append to an ld_buf; output is deterministic for equal input. */
#ifndef LD_REPORT_H
#define LD_REPORT_H

#include "lading/sbom.h"
#include "util/buf.h"
#include "util/jsonw.h"

typedef struct ld_sbom_view {
	const lading_image_info *image;
	const lading_os *os;
	const lading_package *const *pkgs; /* sorted */
	size_t npkgs;
	const lading_report_options *opts;
} ld_sbom_view;

int ld_report_sbom_json(ld_buf *out, const ld_sbom_view *v);
int ld_report_sbom_table(ld_buf *out, const ld_sbom_view *v);
/* `vulns`, when set, writes the "vulnerabilities" member (its key and array) for scan output;
 * `bom_ref` gives each package's bom-ref so vulnerabilities can point at them. */
int ld_report_cyclonedx(ld_buf *out, const ld_sbom_view *v, void (*vulns)(ld_jw *w, void *opaque, const char *const *bom_refs),
			void *opaque);
int ld_report_spdx(ld_buf *out, const ld_sbom_view *v);

/* ---- scan results ---- */

#include "lading/scan.h"

typedef struct ld_scan_view {
	ld_sbom_view sbom;
	const lading_finding *findings; /* reported first, then suppressed */
	size_t nfindings;
	const lading_scan_summary *summary;
	const char *const *expired;     /* expired ignore-file entries */
	size_t nexpired;
	const char *const *notes;
	size_t nnotes;
	int64_t db_age;
} ld_scan_view;

int ld_report_scan_json(ld_buf *out, const ld_scan_view *v);
int ld_report_scan_table(ld_buf *out, const ld_scan_view *v);
int ld_report_scan_sarif(ld_buf *out, const ld_scan_view *v);
int ld_report_scan_cyclonedx(ld_buf *out, const ld_scan_view *v);
int ld_report_scan_html(ld_buf *out, const ld_scan_view *v);
/* One finding as a JSON object (shared by json and the cyclonedx/sarif property bags). */
void ld_report_json_finding(ld_jw *w, const lading_finding *f, const lading_image_info *img);
/* The image and one package as the sbom's JSON writes them (shared with the scan's JSON). */
void ld_report_json_image(ld_jw *w, const ld_sbom_view *v);
void ld_report_json_package(ld_jw *w, const lading_package *p, const lading_image_info *img, bool with_files);

/* ---- helpers shared by writers (report/common.c) ---- */
/* The document timestamp: opts, SOURCE_DATE_EPOCH, the image's created time, now. */
void ld_report_timestamp(const ld_sbom_view *v, char out[32]);
/* A deterministic RFC 4122 (version 5 style) UUID from the content's identity. */
void ld_report_uuid(const ld_sbom_view *v, const char *salt, char out[37]);
const char *ld_report_tool_version(const ld_sbom_view *v);
/* Platform string "os/arch[/variant]" or NULL. */
const char *ld_report_platform(const lading_image_info *img, char *buf, size_t n);
/* Human name of the image: ref, else the source path. */
const char *ld_report_image_name(const lading_image_info *img);


#endif

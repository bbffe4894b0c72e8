/* SPDX 2.3 JSON: the image as a CONTAINER package that CONTAINS every package found. */
#include "util/common.h"
#include "util/jsonw.h"
#include "report/report.h"

/* The document's name, namespace and creation info. */
static void document_info(ld_jw *w, const ld_sbom_view *v)
{
	char uuid[37], ts[32], creator[96];
	ld_buf ns = LD_BUF_INIT;

	ld_report_uuid(v, "spdx", uuid);
	ld_report_timestamp(v, ts);
	ld_jw_kstr(w, "spdxVersion", "SPDX-2.3");
	ld_jw_kstr(w, "dataLicense", "CC0-1.0");
	ld_jw_kstr(w, "SPDXID", "SPDXRef-DOCUMENT");
	ld_jw_kstr(w, "name", ld_report_image_name(v->image));
	ld_buf_addf(&ns, "https://lading.invalid/spdx/image/%s", uuid);
	ld_jw_kstr(w, "documentNamespace", ld_buf_cstr(&ns));
	ld_buf_release(&ns);
	ld_jw_key(w, "creationInfo");
	ld_jw_obj(w);
	ld_jw_kstr(w, "created", ts);
	ld_jw_key(w, "creators");
	ld_jw_arr(w);
	ld_snprintf(creator, sizeof(creator), "Tool: lading-%s", ld_report_tool_version(v));
	ld_jw_str(w, creator);
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
}

/* The image as the CONTAINER package. */
static void image_package(ld_jw *w, const lading_image_info *img)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "SPDXID", "SPDXRef-Image");
	ld_jw_kstr(w, "name", ld_report_image_name(img));
	if (img->config_digest)
		ld_jw_kstr(w, "versionInfo", img->config_digest);
	ld_jw_kstr(w, "downloadLocation", "NOASSERTION");
	ld_jw_kbool(w, "filesAnalyzed", false);
	ld_jw_kstr(w, "primaryPackagePurpose", "CONTAINER");
	if (img->config_digest && !strncmp(img->config_digest, "sha256:", 7)) {
		ld_jw_key(w, "checksums");
		ld_jw_arr(w);
		ld_jw_obj(w);
		ld_jw_kstr(w, "algorithm", "SHA256");
		ld_jw_kstr(w, "checksumValue", img->config_digest + 7);
		ld_jw_obj_end(w);
		ld_jw_arr_end(w);
	}
	ld_jw_obj_end(w);
}

static void os_package(ld_jw *w, const lading_os *os)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "SPDXID", "SPDXRef-OperatingSystem");
	ld_jw_kstr(w, "name", os->id);
	if (os->version)
		ld_jw_kstr(w, "versionInfo", os->version);
	ld_jw_kstr(w, "downloadLocation", "NOASSERTION");
	ld_jw_kbool(w, "filesAnalyzed", false);
	ld_jw_kstr(w, "primaryPackagePurpose", "OPERATING_SYSTEM");
	ld_jw_obj_end(w);
}

/* Package i (SPDXRef-Package-<i+1>). */
/* "layer N: DIGEST" and the flags that change matching, ';'-separated (lading_sbom_read reads
 * them back). */
static void package_comment(ld_jw *w, const lading_package *p, const lading_image_info *img)
{
	char c[256] = "";
	if (p->layer >= 0 && (size_t)p->layer < img->layer_count && img->layers[p->layer].digest)
		ld_snprintf(c, sizeof(c), "layer %d: %s", p->layer, img->layers[p->layer].digest);
	if (p->flags & LADING_PKG_OS_MANAGED)
		ld_snprintf(c + strlen(c), sizeof(c) - strlen(c), "%sos-managed", c[0] ? "; " : "");
	if (p->flags & LADING_PKG_LOCAL)
		ld_snprintf(c + strlen(c), sizeof(c) - strlen(c), "%slocal", c[0] ? "; " : "");
	if (c[0])
		ld_jw_kstr(w, "comment", c);
}

static void package(ld_jw *w, const lading_package *p, size_t i, const lading_image_info *img)
{
	char id[64];

	ld_snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
	ld_jw_obj(w);
	ld_jw_kstr(w, "SPDXID", id);
	ld_jw_kstr(w, "name", p->name);
	if (p->version)
		ld_jw_kstr(w, "versionInfo", p->version);
	/* where it was found (SPDX: "the path of the directory being treated as a package") */
	if (p->location)
		ld_jw_kstr(w, "packageFileName", p->location);
	ld_jw_kstr(w, "downloadLocation", "NOASSERTION");
	ld_jw_kbool(w, "filesAnalyzed", false);
	/* package managers' license fields are not SPDX expressions: keep them as text */
	ld_jw_kstr(w, "licenseConcluded", "NOASSERTION");
	ld_jw_kstr(w, "licenseDeclared", "NOASSERTION");
	if (p->license)
		ld_jw_kstr(w, "licenseComments", p->license);
	ld_jw_kstr(w, "copyrightText", "NOASSERTION");
	if (p->source_name) {
		char src[512];
		ld_snprintf(src, sizeof(src), "built from source package %s %s", p->source_name,
			    p->source_version ? p->source_version : "");
		ld_jw_kstr(w, "sourceInfo", src);
	}
	if (p->purl) {
		ld_jw_key(w, "externalRefs");
		ld_jw_arr(w);
		ld_jw_obj(w);
		ld_jw_kstr(w, "referenceCategory", "PACKAGE-MANAGER");
		ld_jw_kstr(w, "referenceType", "purl");
		ld_jw_kstr(w, "referenceLocator", p->purl);
		ld_jw_obj_end(w);
		ld_jw_arr_end(w);
	}
	ld_jw_kstr(w, "primaryPackagePurpose", p->flags & LADING_PKG_APPLICATION ? "APPLICATION" : "LIBRARY");
	package_comment(w, p, img);
	ld_jw_obj_end(w);
}

static void relationship(ld_jw *w, const char *from, const char *type, const char *to)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "spdxElementId", from);
	ld_jw_kstr(w, "relationshipType", type);
	ld_jw_kstr(w, "relatedSpdxElement", to);
	ld_jw_obj_end(w);
}

/* The document describes the image, which contains the OS and every package. */
static void relationships(ld_jw *w, const ld_sbom_view *v)
{
	char id[64];

	ld_jw_key(w, "relationships");
	ld_jw_arr(w);
	relationship(w, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
	if (v->os->id)
		relationship(w, "SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem");
	for (size_t i = 0; i < v->npkgs; i++) {
		ld_snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
		relationship(w, "SPDXRef-Image", "CONTAINS", id);
	}
	ld_jw_arr_end(w);
}

int ld_report_spdx(ld_buf *out, const ld_sbom_view *v)
{
	ld_jw w;

	ld_jw_init(&w, out, true);
	ld_jw_obj(&w);
	document_info(&w, v);
	ld_jw_key(&w, "packages");
	ld_jw_arr(&w);
	image_package(&w, v->image);
	if (v->os->id)
		os_package(&w, v->os);
	for (size_t i = 0; i < v->npkgs; i++)
		package(&w, v->pkgs[i], i, v->image);
	ld_jw_arr_end(&w);
	relationships(&w, v);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}

/* Fuzz the SBOM document reader (CycloneDX, SPDX, lading JSON: catalog/sbomdoc.c through
 * lading_sbom_read) and the writers fed with what it returns, as `lading sbom sbom:FILE` does. */
#include "util/common.h"

#include "lading/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const lading_format fmts[] = {LADING_FORMAT_JSON, LADING_FORMAT_CYCLONEDX, LADING_FORMAT_SPDX,
					     LADING_FORMAT_TABLE};
	lading_report_options ro = LADING_REPORT_OPTIONS_INIT;
	lading_ctx *ctx;
	lading_sbom *s = NULL;
	volatile size_t sink = 0;

	if (lading_ctx_new(&ctx))
		return 0;
	ro.timestamp = "2026-01-01T00:00:00Z";
	ro.tool_version = "fuzz";
	if (lading_sbom_read(&s, ctx, (const char *)data, size, "fuzz") == 0) {
		const lading_os *os = lading_sbom_os(s);
		const lading_image_info *img = lading_sbom_image(s);
		sink += os->id ? strlen(os->id) : 0;
		for (size_t i = 0; i < img->layer_count; i++)
			sink += img->layers[i].digest ? strlen(img->layers[i].digest) : 0;
		for (size_t i = 0; i < lading_sbom_package_count(s); i++) {
			const lading_package *p = lading_sbom_package(s, i);
			sink += strlen(p->name) + strlen(p->type) + strlen(p->purl);
			sink += (p->version ? strlen(p->version) : 0) + (p->source_name ? strlen(p->source_name) : 0);
			if (p->layer >= 0 && (size_t)p->layer >= img->layer_count)
				__builtin_trap(); /* a package names a layer the image does not have */
		}
		for (size_t f = 0; f < LD_ARRAY_LEN(fmts); f++) {
			char *out = NULL;
			size_t len = 0;
			if (lading_sbom_report(&out, &len, ctx, s, fmts[f], &ro) == 0)
				sink += len;
			free(out);
		}
	}
	(void)sink;
	lading_sbom_free(s);
	lading_ctx_free(ctx);
	return 0;
}

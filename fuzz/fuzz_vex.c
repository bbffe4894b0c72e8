/* Fuzz the VEX parsers (OpenVEX "statements" and CycloneDX "vulnerabilities", one entry point
 * that tells them apart) and the product-reference matching applied to what they return. */
#include "util/common.h"

#include "match/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const purls[] = {"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64",
					    "pkg:npm/%40scope/name@1.2.3", "pkg:maven/g/a@1#sub"};
	lading_ctx *ctx;
	ld_arena a;
	ld_vex_stmt *st = NULL;
	size_t n = 0;
	volatile size_t sink = 0;

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, (size_t)512 << 20);
	if (ld_vex_parse(ld_slice_make((const char *)data, size), &a, &st, &n, ctx, "fuzz") == 0) {
		for (size_t i = 0; i < n; i++) {
			sink += strlen(st[i].vuln) + strlen(st[i].status);
			sink += st[i].reason ? strlen(st[i].reason) : 0;
			for (size_t j = 0; j < st[i].nproducts; j++)
				for (size_t k = 0; k < LD_ARRAY_LEN(purls); k++)
					sink += ld_vex_purl_matches(st[i].products[j], purls[k]);
		}
	}
	(void)sink;
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

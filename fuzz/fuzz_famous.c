/* Fuzz the famous-vulnerabilities table reader (data/famous.tsv, --famous FILE). */
#include "util/common.h"
#include "report/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx = NULL;
	ld_famous fm;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_famous_init(&fm);
	/* twice: the second parse replaces entries of the same names */
	if (!ld_famous_parse(&fm, (const char *)data, size, "fuzz", ctx))
		ld_famous_parse(&fm, (const char *)data, size, "fuzz", ctx);
	ld_famous_release(&fm);
	lading_ctx_free(ctx);
	return 0;
}

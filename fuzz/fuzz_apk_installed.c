/* Fuzz the apk installed-database parser and its file-list walk. */
#include "util/common.h"
#include "catalog/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int file(void *opaque, ld_slice dir, ld_slice f)
{
	(void)dir;
	(void)f;
	(*(size_t *)opaque)++;
	return 0;
}

static int visit(void *opaque, const ld_apk_record *r)
{
	if (!r->name.len || !r->version.len)
		__builtin_trap(); /* the parser promises complete records */
	return ld_apk_files(r, file, opaque);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	size_t count = 0;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_apk_parse(ld_slice_make(data, size), visit, &count, ctx, "fuzz");
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the yarn.lock (classic and berry) parser. */
#include "util/common.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *opaque, const ld_lang_pkg *p)
{
	/* reported packages always have a name and a version */
	if (!p->name.len || !p->version.len)
		__builtin_trap();
	(*(size_t *)opaque)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	size_t count = 0;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_yarn_lock_parse(ld_slice_make(data, size), visit, &count, ctx, "fuzz");
	lading_ctx_free(ctx);
	return 0;
}

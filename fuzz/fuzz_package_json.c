/* Fuzz the package.json reader and the node_modules install-path check. */
#include "util/common.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_lang_pkg p;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, 0);
	if (ld_npm_pkgjson_parse(ld_slice_make(data, size), &a, &p, ctx, "fuzz") == 0 &&
	    p.name.len && !p.version.len)
		__builtin_trap(); /* a name is only reported with a version */
	ld_npm_is_install_path(ld_slice_make(data, size));
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

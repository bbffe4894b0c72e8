/* Fuzz the rpm header blob parser (the blobs stored in every rpm database). */
#include "util/common.h"

#include "catalog/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_rpm_pkg pkg;
	volatile size_t sink = 0;

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, (size_t)256 << 20);
	if (ld_rpm_header_parse(data, size, &a, &pkg, ctx) == 0) {
		/* touch every string the parser returned */
		sink += strlen(pkg.name) + strlen(pkg.version) + strlen(pkg.release);
		for (size_t i = 0; i < pkg.nfiles; i++)
			sink += strlen(pkg.files[i]);
	}
	(void)sink;
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the .dep-v0 decoder: zlib inflate (bounded), JSON, package lines. The input is the
 * section's bytes; a second pass feeds the input compressed, so the JSON stage is reached. */
#include <zlib.h>

#include "util/common.h"
#include "catalog/binfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_buf b = LD_BUF_INIT;
	lading_ctx *ctx;
	unsigned char *z;
	uLongf zn;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_rust_audit_decode(ld_slice_make(data, size), &b, ctx);
	zn = compressBound((uLong)size);
	if ((z = malloc(zn)) && compress2(z, &zn, data, (uLong)size, 1) == Z_OK)
		ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx);
	free(z);
	ld_buf_release(&b);
	lading_ctx_free(ctx);
	return 0;
}

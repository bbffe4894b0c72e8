/* Fuzz the layer tar reader: walk every entry, read its data, drain the stream. */
#include "util/common.h"
#include "util/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_stream *s;
	ld_tar *t;
	ld_ar_entry e;
	unsigned char buf[4096];
	int r;
	if (lading_ctx_new(&ctx))
		return 0;
	if (ld_stream_mem(&s, ctx, data, size) || ld_tar_open(&t, s, ctx, "fuzz")) {
		lading_ctx_free(ctx);
		return 0;
	}
	while ((r = ld_tar_next(t, &e)) > 0) {
		ssize_t n;
		if (!e.path || (e.size < 0))
			__builtin_trap(); /* entries always have a path and a size */
		while ((n = ld_tar_read(t, buf, sizeof(buf))) > 0)
			;
	}
	if (r == 0)
		(void)ld_tar_drain(t);
	ld_tar_close(t);
	lading_ctx_free(ctx);
	return 0;
}

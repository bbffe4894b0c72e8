/* The one step of the rpm database harnesses (fuzz_rpmdb_bdb.c, _ndb.c, _sqlite.c): read the
 * input as a database of one format, header parsing included, and touch every string. */
#ifndef LD_RPMDB_FUZZ_H
#define LD_RPMDB_FUZZ_H

#include "util/common.h"

#include "catalog/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int rpmdb_fuzz_one(const uint8_t *data, size_t size, ld_rpmdb_kind kind)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_rpm_pkg *pk;
	size_t n;
	volatile size_t sink = 0;

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, (size_t)256 << 20);
	if (ld_rpmdb_read(data, size, kind, &a, &pk, &n, ctx, "fuzz") == 0) {
		for (size_t i = 0; i < n; i++) {
			sink += strlen(pk[i].name);
			for (size_t j = 0; j < pk[i].nfiles; j++)
				sink += strlen(pk[i].files[j]);
		}
	}
	(void)sink;
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

#endif

/* Fuzz the decoder of the database's packed affected entries (vulndb/query.c,
 * ld_vdb_affected_unpack): a damaged or crafted database must give an error, not a crash.
 * Input: the entry count (first byte), then the blob. */
#include "util/common.h"
#include "vulndb/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_vdb_q_affected *e = NULL;
	if (size < 1 || lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, (size_t)64 << 20);
	if (ld_vdb_affected_unpack(data + 1, size - 1, data[0], "Eco", "pkg", &a, &e, ctx) == 0) {
		for (size_t i = 0; i < data[0]; i++) {
			/* every string the decoder hands out lies in its arena copy, NUL-terminated */
			if (e[i].source && strlen(e[i].source) > size)
				__builtin_trap();
			for (size_t r = 0; r < e[i].nranges; r++)
				if (e[i].ranges[r].nevents && !e[i].ranges[r].events)
					__builtin_trap();
		}
	}
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

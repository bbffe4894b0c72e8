/* Fuzz the HTML directory listing parser (db update finds a mirror's files with it). */
#include "util/common.h"
#include "vulndb/listing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_listing l;
	if (lading_ctx_new(&ctx))
		return 0;
	if (ld_listing_parse((const char *)data, size, &l, ctx) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			size_t n = strlen(l.e[i].name);
			/* every entry is one non-empty segment, sorted, unique */
			if (!n || n > LD_LISTING_MAX_NAME || strchr(l.e[i].name, '/') ||
			    (i && strcmp(l.e[i - 1].name, l.e[i].name) >= 0))
				__builtin_trap();
		}
		ld_listing_release(&l);
	}
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the registry listing pages of inventory crawl (/v2/_catalog, tags/list). */
#include "util/common.h"
#include "source/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	char last[512];
	if (lading_ctx_new(&ctx))
		return 0;
	for (int tags = 0; tags < 2; tags++) {
		crawl_list l = {0};
		size_t count = 0;
		ld_crawl_parse_page((const char *)data, size, tags ? "tags" : "repositories", tags, &l, &count, last,
				    sizeof(last), ctx, "fuzz");
		if (l.n > count)
			__builtin_trap(); /* kept names come from the page */
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
	}
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the dpkg status parser (var/lib/dpkg/status and distroless status.d stanzas). */
#include "util/common.h"
#include "catalog/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *opaque, const ld_dpkg_stanza *s)
{
	ld_slice n, v, up, rev;
	int epoch;
	size_t *count = opaque;
	ld_dpkg_split_source(s->source, &n, &v);
	ld_dpkg_split_version(s->version, &epoch, &up, &rev);
	if (n.len > s->source.len || up.len > s->version.len)
		__builtin_trap();
	(*count)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	size_t count = 0;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_dpkg_parse(ld_slice_make(data, size), visit, &count, ctx, "fuzz");
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the Link header parser of inventory crawl's pagination (RFC 8288). */
#include "util/common.h"
#include "source/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[256];
	int rc = ld_link_next((const char *)data, size, out, sizeof(out));
	if (rc == 0 && (!out[0] || strlen(out) >= sizeof(out) || memchr(out, '>', strlen(out))))
		__builtin_trap(); /* a target is non-empty, bounded, and stops at its '>' */
	return 0;
}

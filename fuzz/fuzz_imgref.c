/* Fuzz image reference parsing (command-line input that picks the registry to talk to). */
#include "util/common.h"
#include "source/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_imgref r, r2;
	char canon[LD_REF_MAX_LEN + 512];
	if (ld_imgref_parse(&r, (const char *)data, size) != 0)
		return 0;
	/* what was accepted is well-formed: its canonical form parses to the same reference */
	ld_imgref_format(&r, canon, sizeof(canon));
	if (ld_imgref_parse(&r2, canon, strlen(canon)) != 0 || strcmp(r.registry, r2.registry) ||
	    strcmp(r.repo, r2.repo) || strcmp(r.tag, r2.tag) || strcmp(r.digest, r2.digest))
		__builtin_trap();
	(void)ld_host_is_loopback(r.api_host);
	return 0;
}

/* Fuzz WWW-Authenticate challenge parsing (a header any registry, or a man in the middle of a
 * plain-HTTP one, controls). */
#include "util/common.h"
#include "source/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_auth_challenge c;
	if (ld_auth_challenge_parse(&c, (const char *)data, size) != 0)
		return 0;
	/* parsed values are NUL-terminated, within their fields, without control characters */
	if (strnlen(c.realm, sizeof(c.realm)) == sizeof(c.realm) ||
	    strnlen(c.scope, sizeof(c.scope)) == sizeof(c.scope) ||
	    strnlen(c.service, sizeof(c.service)) == sizeof(c.service) || !c.scheme[0])
		__builtin_trap();
	for (const char *p = c.realm; *p; p++)
		if ((unsigned char)*p < 0x20)
			__builtin_trap();
	return 0;
}

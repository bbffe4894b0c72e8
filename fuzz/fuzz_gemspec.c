/* Fuzz the installed-gemspec reader. */
#include "util/common.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_lang_pkg p;
	if (ld_gemspec_parse(ld_slice_make(data, size), &p)) {
		const uint8_t *n = (const uint8_t *)p.name.ptr, *v = (const uint8_t *)p.version.ptr;
		if (n < data || n + p.name.len > data + size || v < data ||
		    v + p.version.len > data + size)
			__builtin_trap();
	}
	return 0;
}

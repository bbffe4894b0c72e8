/* Fuzz the Python core metadata reader (METADATA, PKG-INFO) and PEP 503 normalization. */
#include "util/common.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(ld_slice s, const uint8_t *data, size_t size)
{
	return !s.len ||
	       ((const uint8_t *)s.ptr >= data && (const uint8_t *)s.ptr + s.len <= data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_lang_pkg p;
	char norm[64];
	if (ld_pymeta_parse(ld_slice_make(data, size), &p)) {
		if (!inside(p.name, data, size) || !inside(p.version, data, size) ||
		    !inside(p.license, data, size))
			__builtin_trap();
		ld_pypi_normalize(p.name, norm, sizeof(norm));
		if (strlen(norm) >= sizeof(norm))
			__builtin_trap();
	}
	return 0;
}

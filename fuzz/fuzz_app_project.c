/* Fuzz the application project readers: pyproject.toml ([project], [tool.poetry]) and
 * setup.cfg ([metadata]). */
#include "util/common.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_slice text = ld_slice_make(data, size);
	ld_lang_pkg p;
	for (int toml = 0; toml <= 1; toml++) {
		if (!ld_app_project_parse(text, toml, &p))
			continue;
		/* fields point into the input and are non-empty, bounded, without blanks */
		if (!p.name.len || !p.version.len || p.name.len > 256 || p.version.len > 256 ||
		    p.name.ptr < text.ptr || p.name.ptr + p.name.len > text.ptr + text.len ||
		    memchr(p.name.ptr, ' ', p.name.len) || memchr(p.version.ptr, '\n', p.version.len))
			__builtin_trap();
	}
	return 0;
}

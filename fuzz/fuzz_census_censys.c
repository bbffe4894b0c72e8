/* Fuzz the census censys importer (and format detection). */
#include "census_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	census_fuzz_import("censys", data, size);
	return 0;
}

/* Fuzz the census lading importer (and format detection). */
#include "census_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	census_fuzz_import("lading", data, size);
	return 0;
}

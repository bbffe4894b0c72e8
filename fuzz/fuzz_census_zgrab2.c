/* Fuzz the census zgrab2 importer (and format detection). */
#include "census_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	census_fuzz_import("zgrab2", data, size);
	return 0;
}

/* Fuzz the census nmap importer (and format detection). */
#include "census_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	census_fuzz_import("nmap", data, size);
	return 0;
}

/* Fuzz the census ssh parser (every step, with and without end of input). */
#include "census_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	census_fuzz_parser(ld_census_ssh_parse, data, size, 1);
	return 0;
}

/* Fuzz the CISA KEV importer. */
#include "feed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(ld_vdb_parse_kev, data, size);
	return 0;
}

/* Fuzz the EPSS CSV importer (daily and per-year forms). */
#include "feed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(ld_vdb_parse_epss, data, size);
	return 0;
}

/* Fuzz the Alpine secdb importer: the same bytes as secdb JSON and as secdb YAML. */
#include "feed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(ld_vdb_parse_secdb_json, data, size);
	fz_run(ld_vdb_parse_secdb_yaml, data, size);
	return 0;
}

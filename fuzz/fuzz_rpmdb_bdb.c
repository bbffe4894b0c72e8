/* Fuzz the Berkeley DB hash rpm database reader (var/lib/rpm/Packages), header parsing included. */
#include "rpmdb_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rpmdb_fuzz_one(data, size, LD_RPMDB_BDB);
}

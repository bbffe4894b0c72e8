/* Fuzz the sqlite rpm database reader (var/lib/rpm/rpmdb.sqlite: a Packages table of header
 * blobs, read from memory with SQLite), header parsing included. */
#include "rpmdb_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rpmdb_fuzz_one(data, size, LD_RPMDB_SQLITE);
}

/* Fuzz the Debian DSA/DLA list importer. */
#include "feed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse_dsa(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		     ld_vdb_import_result *res, lading_ctx *ctx)
{
	return ld_vdb_parse_debian_list(out, p, len, name, "debian-dsa", res, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(parse_dsa, data, size);
	return 0;
}

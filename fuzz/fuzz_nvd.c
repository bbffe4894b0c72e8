/* Fuzz the NVD importer (JSON 1.1 and 2.0) and the CPE 2.3 splitter. */
#include "feed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cpe[512], buf[512];
	const char *f[11];
	fz_run(ld_vdb_parse_nvd, data, size);
	/* the input's first line as a CPE name */
	if (size < sizeof(cpe)) {
		size_t n = 0;
		while (n < size && data[n] != '\n' && data[n] != '\0')
			n++;
		memcpy(cpe, data, n);
		cpe[n] = '\0';
		if (ld_vdb_cpe23_split(cpe, buf, sizeof(buf), f) == 0 &&
		    (!f[0] || !f[1] || !f[2] || !f[3]))
			__builtin_trap();
	}
	return 0;
}

/* Fuzz the CVSS vector parser and scorers (v2, v3.0, v3.1, v4.0): no crash, no out-of-bounds
 * read past `size`, and every accepted vector has a score in 0..10 with a severity. */
#include <math.h>

#include "util/common.h"
#include "vulndb/cvss.h"
#include "vulndb/cvss_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy so that any read past the end trips ASan */
	char *p = malloc(size ? size : 1);
	ld_cvss c;
	double bte;

	if (!p)
		return 0;
	if (size)
		memcpy(p, data, size);
	if (ld_cvss_score(p, size, &c) == 0) {
		if (!(c.base_score >= 0.0 && c.base_score <= 10.0) || !c.severity ||
		    (c.major != 2 && c.major != 3 && c.major != 4) ||
		    fabs(c.base_score * 10.0 - round(c.base_score * 10.0)) > 1e-6)
			abort();
		if (c.major == 4) {
			/* the same vector scored with its Threat/Environmental metrics */
			if (ld_cvss4_score_bte(p, size, &bte) != 0 || !(bte >= 0.0 && bte <= 10.0))
				abort();
		}
	} else if (c.severity != NULL) {
		abort();
	}
	free(p);
	return 0;
}

/* Fuzz every version comparator. The first byte picks the scheme; the rest is split at the
 * first NUL-or-newline into two versions a and b (and a third c after the next one). Checks
 * the properties the matcher relies on, on arbitrary bytes: cmp(a,a) == 0, antisymmetry,
 * results in {-1,0,1}, transitivity on (a,b,c), and that validity checks do not crash. */
#include "util/common.h"
#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ld_slice cut(const uint8_t **p, size_t *n)
{
	size_t i = 0;
	ld_slice s;
	while (i < *n && (*p)[i] != '\n')
		i++;
	s = ld_slice_make(*p, i);
	if (i < *n)
		i++;
	*p += i;
	*n -= i;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_vscheme s;
	ld_slice v[3];
	int ab, ba, bc, ac;

	if (size < 1)
		return 0;
	s = (ld_vscheme)(data[0] % LD_VS_COUNT);
	data++;
	size--;
	v[0] = cut(&data, &size);
	v[1] = cut(&data, &size);
	v[2] = cut(&data, &size);
	for (int i = 0; i < 3; i++) {
		(void)ld_version_valid(s, v[i]);
		if (ld_version_cmp(s, v[i], v[i]) != 0)
			abort();
	}
	ab = ld_version_cmp(s, v[0], v[1]);
	ba = ld_version_cmp(s, v[1], v[0]);
	if (ab < -1 || ab > 1 || ab != -ba)
		abort();
	/* Maven's own order is not transitive (docs/version-schemes.md): skip that check there */
	if (s == LD_VS_MAVEN)
		return 0;
	bc = ld_version_cmp(s, v[1], v[2]);
	ac = ld_version_cmp(s, v[0], v[2]);
	if ((ab == 0 && ac != bc) || (bc == 0 && ac != ab) || (ab == bc && ab != 0 && ac != ab))
		abort();
	return 0;
}

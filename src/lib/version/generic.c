/* generic: the order of last resort for ecosystems without a comparator of their own
 * (the rules are ld_vs_generic_cmp's in vs_util.c, which the invalid-string order shares). */
#include "version/vs_int.h"

/* generic orders anything; a version needs at least one digit */
static bool generic_version_valid(ld_slice v)
{
	for (size_t i = 0; i < v.len; i++)
		if (ld_vs_isdigit((unsigned char)v.ptr[i]))
			return true;
	return false;
}

const ld_vscheme_ops ld_vs_generic_ops = {
	.name = "generic",
	.aliases = "",
	.cmp = ld_vs_generic_cmp,
	.valid = generic_version_valid,
};

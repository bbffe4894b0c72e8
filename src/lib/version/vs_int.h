/* Private to src/lib/version: one comparator per scheme plus shared helpers. Each *_cmp returns
 * -1, 0 or 1 and is a total preorder on every byte string (see version.h). */
#ifndef LD_VS_INT_H
#define LD_VS_INT_H

#include <stdbool.h>

#include "util/slice.h"

#include "version/version.h"

/* Each scheme's ops, defined in its file. */
#define LD_VSCHEME(id, name) extern const ld_vscheme_ops ld_vs_##name##_ops;
#include "version/schemes.def"
#undef LD_VSCHEME

/* rpmvercmp itself (one segment string, no epoch/release split). */
int ld_vs_rpmvercmp(ld_slice a, ld_slice b);
/* generic's order (also the tie-break of strings a scheme rejects). */
int ld_vs_generic_cmp(ld_slice a, ld_slice b);

/* Shared helpers (vs_util.c). */
static inline int ld_vs_sign(long v)
{
	return (v > 0) - (v < 0);
}
static inline bool ld_vs_isdigit(int c)
{
	return c >= '0' && c <= '9';
}
static inline bool ld_vs_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool ld_vs_isalnum(int c)
{
	return ld_vs_isdigit(c) || ld_vs_isalpha(c);
}
static inline int ld_vs_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
/* Compare two runs of ASCII digits by value, any length (leading zeros ignored; empty = 0). */
int ld_vs_numcmp(ld_slice a, ld_slice b);
/* Bytewise, shorter-prefix first (memcmp order). */
int ld_vs_bytecmp(ld_slice a, ld_slice b);
/* ASCII case-insensitive bytewise. */
int ld_vs_casecmp(ld_slice a, ld_slice b);
/* Does the slice equal `lit` ignoring ASCII case? */
bool ld_vs_caseeq(ld_slice a, const char *lit);
/* Is the slice a non-empty run of ASCII digits? */
bool ld_vs_alldigits(ld_slice s);
/* Order of strings a scheme rejects: generic rules, then bytewise so distinct strings differ. */
int ld_vs_invalid_cmp(ld_slice a, ld_slice b);
/* Cut a slice at its first NUL (schemes whose reference works on C strings). */
ld_slice ld_vs_cstr(ld_slice s);
/* Trim ASCII whitespace (space, \t, \n, \v, \f, \r) on both ends. */
ld_slice ld_vs_trim_space(ld_slice s);

#endif

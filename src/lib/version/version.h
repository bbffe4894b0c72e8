/* Version comparison with each ecosystem's exact rules (docs/version-schemes.md).
 *
 * Every comparator is a total preorder on ALL byte strings, invalid ones included, so the matcher
 * can sort and binary-search without special cases: cmp(a,a) == 0, cmp(a,b) == -cmp(b,a), and
 * transitivity hold for any input. Equal can mean "equivalent" (pypi 1.0 == 1.0.0). Where the
 * reference implementation rejects a string (pypi, semver, gem, nuget, go), an invalid string
 * sorts before every valid one and invalid strings compare among themselves with the generic
 * rules, then bytewise. Where the reference orders every string (deb, rpm, apk, maven, generic)
 * its rules apply to every string. No comparator allocates; none reads past (ptr,len). */
#ifndef LD_VERSION_H
#define LD_VERSION_H

#include <stdbool.h>

#include "util/slice.h"

typedef enum {
#define LD_VSCHEME(id, name) LD_VS_##id,
#include "version/schemes.def"
#undef LD_VSCHEME
} ld_vscheme;

#define LD_VS_COUNT (LD_VS_GENERIC + 1)

/* A scheme's operations (its file defines them; version/schemes.def lists them). */
typedef struct ld_vscheme_ops {
	const char *name;    /* canonical short name: "deb" */
	const char *aliases; /* other names ld_vscheme_from_name accepts, space-separated */
	/* -1, 0, 1; a total preorder on every byte string (see above) */
	int (*cmp)(ld_slice a, ld_slice b);
	/* what the reference implementation accepts without error or warning */
	bool (*valid)(ld_slice v);
} ld_vscheme_ops;

/* The ops of a scheme (generic's for a value out of range). */
const ld_vscheme_ops *ld_vscheme_ops_of(ld_vscheme s);

/* Scheme by name: deb apk rpm semver go pypi maven gem nuget generic and aliases (dpkg, debian,
 * ubuntu, alpine, npm, cargo, crates.io, rubygems, composer, ...). Case-insensitive.
 * Returns 0, or LADING_EUSAGE for an unknown name (*out untouched). */
int ld_vscheme_from_name(const char *name, ld_vscheme *out);
/* Canonical short name ("deb", "apk", ...). */
const char *ld_vscheme_name(ld_vscheme s);
/* Scheme of an ecosystem string as the vulnerability DB normalizes them ("Alpine:v3.9",
 * "Debian:11", "AlmaLinux:8", "PyPI", "npm", "Go", "crates.io", "Maven", "RubyGems",
 * "Packagist", "NuGet", "Bitnami"; any "X:Y" form is looked up by X). Unknown: LD_VS_GENERIC. */
ld_vscheme ld_vscheme_for_ecosystem(const char *ecosystem);

/* <0, 0, >0 (always -1, 0 or 1). Total preorder on every input; see above. */
int ld_version_cmp(ld_vscheme s, ld_slice a, ld_slice b);
/* Is `v` a well-formed version of the scheme (what the reference implementation accepts
 * without error or warning)? */
bool ld_version_valid(ld_vscheme s, ld_slice v);

#endif

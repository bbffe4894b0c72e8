/* lading: version comparison with each ecosystem's rules (see docs/version-schemes.md). */
#ifndef LADING_VERSION_PUBLIC_H
#define LADING_VERSION_PUBLIC_H

#include "lading/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Compare versions `a` and `b` under `scheme`: "deb", "apk", "rpm", "semver", "go", "pypi",
 * "maven", "gem", "nuget", "generic", or an alias ("dpkg", "debian", "alpine", "npm", "cargo",
 * "crates.io", "rubygems", "composer", ...; case-insensitive). *out is -1, 0 or 1.
 * Every string has a place in the order (invalid ones included), so this never fails on the
 * versions themselves. Returns 0, or LADING_EUSAGE for an unknown scheme or a NULL argument. */
LADING_EXTERN(int)
lading_version_compare(const char *scheme, const char *a, const char *b, int *out);

/* Is `v` a well-formed version of `scheme` (what the ecosystem's own tool accepts)?
 * *out is 1 or 0. Returns 0, or LADING_EUSAGE as above. */
LADING_EXTERN(int) lading_version_valid(const char *scheme, const char *v, int *out);

/* Canonical scheme name ("deb", "pypi", ...) for an ecosystem string as advisories name them
 * ("Debian:12", "Alpine:v3.20", "AlmaLinux:8", "PyPI", "npm", "Go", "crates.io", "Maven",
 * "RubyGems", "Packagist", "NuGet", "Bitnami", ...); "generic" when unknown. Never NULL. */
LADING_EXTERN(const char *) lading_version_scheme_for_ecosystem(const char *ecosystem);

/* Canonical scheme name for a name or alias, or NULL when unknown. */
LADING_EXTERN(const char *) lading_version_scheme_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif

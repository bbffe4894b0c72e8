/* The ecosystem table (ecosystems.h). Order does not matter: every name, alias, key and purl
 * type appears once. */
#include <string.h>
#include <strings.h>

#include "util/common.h"
#include "version/ecosystems.h"

#define OSV LD_ECO_OSV_FETCH

/* clang-format off */
static const ld_ecosystem table[] = {
	/* name, aliases, more scheme keys, scheme, purl type, purl sep, flags */
	/* distributions */
	{"Alpine", NULL, NULL, LD_VS_APK, NULL, 0, LD_ECO_REL_ALPINE},
	{"Alpaquita", NULL, NULL, LD_VS_APK, NULL, 0, LD_ECO_SCHEME_ONLY},
	{"Wolfi", NULL, NULL, LD_VS_APK, NULL, 0, 0},
	{"Chainguard", NULL, NULL, LD_VS_APK, NULL, 0, 0},
	/* apk-based, but the version stage has never known it: generic, as before */
	{"MinimOS", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"Debian", NULL, NULL, LD_VS_DEB, NULL, 0, LD_ECO_REL_DEBIAN},
	{"Ubuntu", NULL, NULL, LD_VS_DEB, NULL, 0, 0},
	{"AlmaLinux", "alma", NULL, LD_VS_RPM, NULL, 0, OSV | LD_ECO_REL_MAJOR},
	{"Rocky Linux", "rocky", "rocky", LD_VS_RPM, NULL, 0, LD_ECO_REL_MAJOR},
	{"Red Hat", NULL, "rhel", LD_VS_RPM, NULL, 0, 0},
	{"CentOS", NULL, NULL, LD_VS_RPM, NULL, 0, LD_ECO_SCHEME_ONLY},
	{"Fedora", NULL, NULL, LD_VS_RPM, NULL, 0, LD_ECO_SCHEME_ONLY},
	{"SUSE", NULL, "suselinuxenterprise", LD_VS_RPM, NULL, 0, 0},
	{"openSUSE", NULL, NULL, LD_VS_RPM, NULL, 0, 0},
	{"Photon OS", NULL, NULL, LD_VS_RPM, NULL, 0, 0},
	{"Mageia", NULL, NULL, LD_VS_RPM, NULL, 0, 0},
	{"openEuler", NULL, NULL, LD_VS_RPM, NULL, 0, 0},
	{"Amazon Linux", NULL, "amazon", LD_VS_RPM, NULL, 0, LD_ECO_SCHEME_ONLY},
	{"Oracle Linux", NULL, "oracle", LD_VS_RPM, NULL, 0, LD_ECO_SCHEME_ONLY},
	{"Azure Linux", NULL, NULL, LD_VS_RPM, NULL, 0, 0},
	{"Mariner", NULL, "cblmariner", LD_VS_RPM, NULL, 0, 0},
	{"Echo", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"Android", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"Linux", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"OSS-Fuzz", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	/* language package registries */
	{"PyPI", "pip|python", NULL, LD_VS_PYPI, "pypi", 0, OSV | LD_ECO_NAMES_PEP503},
	{"npm", NULL, NULL, LD_VS_SEMVER, "npm", '/', OSV},
	{"Go", "golang", NULL, LD_VS_GO, "golang", 0, OSV},
	{"Maven", NULL, NULL, LD_VS_MAVEN, "maven", ':', OSV},
	{"RubyGems", "gem", NULL, LD_VS_GEM, "gem", 0, OSV},
	{"crates.io", "cargo|rust", NULL, LD_VS_SEMVER, "cargo", 0, OSV},
	{"Packagist", "composer", NULL, LD_VS_SEMVER, "composer", '/', OSV | LD_ECO_NAMES_LOWER},
	{"NuGet", NULL, NULL, LD_VS_NUGET, "nuget", 0, OSV | LD_ECO_NAMES_LOWER},
	{"Bitnami", NULL, NULL, LD_VS_SEMVER, NULL, 0, OSV},
	{"Hex", NULL, NULL, LD_VS_SEMVER, NULL, 0, 0},
	{"Pub", NULL, NULL, LD_VS_SEMVER, NULL, 0, 0},
	{"SwiftURL", NULL, NULL, LD_VS_SEMVER, NULL, 0, 0},
	{"CRAN", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"Bioconductor", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"Hackage", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"GHC", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"GitHub Actions", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"ConanCenter", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
	{"opam", NULL, NULL, LD_VS_GENERIC, NULL, 0, 0},
};
/* clang-format on */

const ld_ecosystem *ld_ecosystems(size_t *n)
{
	*n = LD_ARRAY_LEN(table);
	return table;
}

/* Is `s` one of the '|'-separated words of `list` (ASCII case-insensitive)? */
static bool in_list(const char *list, const char *s, size_t len)
{
	while (list && *list) {
		size_t n = strcspn(list, "|");
		if (n == len && !strncasecmp(list, s, len))
			return true;
		list += n + (list[n] == '|');
	}
	return false;
}

const ld_ecosystem *ld_ecosystem_lookup(const char *s, size_t len)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(table); i++) {
		if (table[i].flags & LD_ECO_SCHEME_ONLY)
			continue;
		if (in_list(table[i].name, s, len) || in_list(table[i].aliases, s, len))
			return &table[i];
	}
	return NULL;
}

const ld_ecosystem *ld_ecosystem_by_purl(const char *purl_type)
{
	for (size_t i = 0; purl_type && i < LD_ARRAY_LEN(table); i++)
		if (table[i].purl_type && !strcmp(table[i].purl_type, purl_type))
			return &table[i];
	return NULL;
}

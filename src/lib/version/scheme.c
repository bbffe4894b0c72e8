/* Scheme names, ecosystem mapping and dispatch; the public lading_version_* entry points. */
#include "util/common.h"
#include "lading/version.h"
#include "version/version.h"
#include "version/vs_int.h"

/* Longest accepted scheme or ecosystem name (anything longer is unknown). */
#define VS_MAX_NAME 64

static const struct {
	const char *name;
	ld_vscheme s;
} scheme_names[] = {
    {"deb", LD_VS_DEB},		{"dpkg", LD_VS_DEB},
    {"debian", LD_VS_DEB},	{"ubuntu", LD_VS_DEB},
    {"apk", LD_VS_APK},		{"alpine", LD_VS_APK},
    {"wolfi", LD_VS_APK},	{"chainguard", LD_VS_APK},
    {"rpm", LD_VS_RPM},		{"redhat", LD_VS_RPM},
    {"rhel", LD_VS_RPM},	{"centos", LD_VS_RPM},
    {"fedora", LD_VS_RPM},	{"almalinux", LD_VS_RPM},
    {"rocky", LD_VS_RPM},	{"suse", LD_VS_RPM},
    {"opensuse", LD_VS_RPM},	{"semver", LD_VS_SEMVER},
    {"npm", LD_VS_SEMVER},	{"node", LD_VS_SEMVER},
    {"cargo", LD_VS_SEMVER},	{"crates.io", LD_VS_SEMVER},
    {"crates", LD_VS_SEMVER},	{"rust", LD_VS_SEMVER},
    {"composer", LD_VS_SEMVER}, {"packagist", LD_VS_SEMVER},
    {"php", LD_VS_SEMVER},	{"hex", LD_VS_SEMVER},
    {"pub", LD_VS_SEMVER},	{"bitnami", LD_VS_SEMVER},
    {"go", LD_VS_GO},		{"golang", LD_VS_GO},
    {"gomod", LD_VS_GO},	{"pypi", LD_VS_PYPI},
    {"pep440", LD_VS_PYPI},	{"python", LD_VS_PYPI},
    {"pip", LD_VS_PYPI},	{"maven", LD_VS_MAVEN},
    {"java", LD_VS_MAVEN},	{"gradle", LD_VS_MAVEN},
    {"gem", LD_VS_GEM},		{"rubygems", LD_VS_GEM},
    {"ruby", LD_VS_GEM},	{"bundler", LD_VS_GEM},
    {"nuget", LD_VS_NUGET},	{"dotnet", LD_VS_NUGET},
    {"generic", LD_VS_GENERIC},
};

static const char *const canonical[LD_VS_COUNT] = {
    [LD_VS_DEB] = "deb",	 [LD_VS_APK] = "apk", [LD_VS_RPM] = "rpm",
    [LD_VS_SEMVER] = "semver",	 [LD_VS_GO] = "go",   [LD_VS_PYPI] = "pypi",
    [LD_VS_MAVEN] = "maven",	 [LD_VS_GEM] = "gem", [LD_VS_NUGET] = "nuget",
    [LD_VS_GENERIC] = "generic",
};

/* Ecosystem prefixes (before any ':') as OSV and the distribution feeds spell them, compared
 * case-insensitively with blanks and '-' ignored ("Red Hat" = "redhat", "Rocky Linux"). */
static const struct {
	const char *eco;
	ld_vscheme s;
} ecosystems[] = {
    {"debian", LD_VS_DEB},
    {"ubuntu", LD_VS_DEB},
    {"alpine", LD_VS_APK},
    {"alpaquita", LD_VS_APK},
    {"wolfi", LD_VS_APK},
    {"chainguard", LD_VS_APK},
    {"almalinux", LD_VS_RPM},
    {"rockylinux", LD_VS_RPM},
    {"rocky", LD_VS_RPM},
    {"redhat", LD_VS_RPM},
    {"rhel", LD_VS_RPM},
    {"centos", LD_VS_RPM},
    {"fedora", LD_VS_RPM},
    {"opensuse", LD_VS_RPM},
    {"suse", LD_VS_RPM},
    {"suselinuxenterprise", LD_VS_RPM},
    {"mageia", LD_VS_RPM},
    {"openeuler", LD_VS_RPM},
    {"amazonlinux", LD_VS_RPM},
    {"amazon", LD_VS_RPM},
    {"oraclelinux", LD_VS_RPM},
    {"oracle", LD_VS_RPM},
    {"photonos", LD_VS_RPM},
    {"azurelinux", LD_VS_RPM},
    {"cblmariner", LD_VS_RPM},
    {"mariner", LD_VS_RPM},
    {"pypi", LD_VS_PYPI},
    {"npm", LD_VS_SEMVER},
    {"go", LD_VS_GO},
    {"crates.io", LD_VS_SEMVER},
    {"maven", LD_VS_MAVEN},
    {"rubygems", LD_VS_GEM},
    {"packagist", LD_VS_SEMVER},
    {"nuget", LD_VS_NUGET},
    {"bitnami", LD_VS_SEMVER},
    {"hex", LD_VS_SEMVER},
    {"pub", LD_VS_SEMVER},
    {"swifturl", LD_VS_SEMVER},
};

int ld_vscheme_from_name(const char *name, ld_vscheme *out)
{
	if (!name)
		return LADING_EUSAGE;
	for (size_t i = 0; i < LD_ARRAY_LEN(scheme_names); i++) {
		if (ld_vs_caseeq(ld_slice_cstr(name), scheme_names[i].name)) {
			*out = scheme_names[i].s;
			return 0;
		}
	}
	return LADING_EUSAGE;
}

const char *ld_vscheme_name(ld_vscheme s)
{
	return (unsigned)s < LD_VS_COUNT ? canonical[s] : "generic";
}

ld_vscheme ld_vscheme_for_ecosystem(const char *ecosystem)
{
	char key[VS_MAX_NAME + 1];
	size_t n = 0;
	if (!ecosystem)
		return LD_VS_GENERIC;
	for (const char *p = ecosystem; *p && *p != ':'; p++) {
		if (*p == ' ' || *p == '-' || *p == '_')
			continue;
		if (n == VS_MAX_NAME)
			return LD_VS_GENERIC;
		key[n++] = (char)ld_vs_tolower((unsigned char)*p);
	}
	key[n] = '\0';
	for (size_t i = 0; i < LD_ARRAY_LEN(ecosystems); i++)
		if (!strcmp(key, ecosystems[i].eco))
			return ecosystems[i].s;
	return LD_VS_GENERIC;
}

int ld_version_cmp(ld_vscheme s, ld_slice a, ld_slice b)
{
	if (!a.ptr)
		a = ld_slice_make("", 0);
	if (!b.ptr)
		b = ld_slice_make("", 0);
	switch (s) {
	case LD_VS_DEB:
		return ld_vs_deb_cmp(a, b);
	case LD_VS_APK:
		return ld_vs_apk_cmp(a, b);
	case LD_VS_RPM:
		return ld_vs_rpm_cmp(a, b);
	case LD_VS_SEMVER:
		return ld_vs_semver_cmp(a, b);
	case LD_VS_GO:
		return ld_vs_go_cmp(a, b);
	case LD_VS_PYPI:
		return ld_vs_pypi_cmp(a, b);
	case LD_VS_MAVEN:
		return ld_vs_maven_cmp(a, b);
	case LD_VS_GEM:
		return ld_vs_gem_cmp(a, b);
	case LD_VS_NUGET:
		return ld_vs_nuget_cmp(a, b);
	default:
		return ld_vs_generic_cmp(a, b);
	}
}

bool ld_version_valid(ld_vscheme s, ld_slice v)
{
	if (!v.ptr)
		v = ld_slice_make("", 0);
	switch (s) {
	case LD_VS_DEB:
		return ld_vs_deb_valid(v);
	case LD_VS_APK:
		return ld_vs_apk_valid(v);
	case LD_VS_RPM:
		return ld_vs_rpm_valid(v);
	case LD_VS_SEMVER:
		return ld_vs_semver_valid(v);
	case LD_VS_GO:
		return ld_vs_go_valid(v);
	case LD_VS_PYPI:
		return ld_vs_pypi_valid(v);
	case LD_VS_MAVEN:
		return ld_vs_maven_valid(v);
	case LD_VS_GEM:
		return ld_vs_gem_valid(v);
	case LD_VS_NUGET:
		return ld_vs_nuget_valid(v);
	default:
		/* generic orders anything; a version needs at least one digit */
		for (size_t i = 0; i < v.len; i++)
			if (ld_vs_isdigit((unsigned char)v.ptr[i]))
				return true;
		return false;
	}
}

LADING_EXTERN(int)
lading_version_compare(const char *scheme, const char *a, const char *b, int *out)
{
	ld_vscheme s;
	if (!a || !b || !out || ld_vscheme_from_name(scheme, &s))
		return LADING_EUSAGE;
	*out = ld_version_cmp(s, ld_slice_cstr(a), ld_slice_cstr(b));
	return 0;
}

LADING_EXTERN(int) lading_version_valid(const char *scheme, const char *v, int *out)
{
	ld_vscheme s;
	if (!v || !out || ld_vscheme_from_name(scheme, &s))
		return LADING_EUSAGE;
	*out = ld_version_valid(s, ld_slice_cstr(v)) ? 1 : 0;
	return 0;
}

LADING_EXTERN(const char *) lading_version_scheme_for_ecosystem(const char *ecosystem)
{
	return ld_vscheme_name(ld_vscheme_for_ecosystem(ecosystem));
}

LADING_EXTERN(const char *) lading_version_scheme_name(const char *name)
{
	ld_vscheme s;
	return ld_vscheme_from_name(name, &s) ? NULL : ld_vscheme_name(s);
}

/* Scheme names, ecosystem mapping and dispatch through the ops table (schemes.def); the public lading_version_* entry points. */
#include "util/common.h"
#include "lading/version.h"
#include "version/version.h"
#include "version/ecosystems.h"
#include "version/vs_int.h"

/* Longest accepted scheme or ecosystem name (anything longer is unknown). */
#define VS_MAX_NAME 64

static const ld_vscheme_ops *const schemes[LD_VS_COUNT] = {
#define LD_VSCHEME(id, name) [LD_VS_##id] = &ld_vs_##name##_ops,
#include "version/schemes.def"
#undef LD_VSCHEME
};

const ld_vscheme_ops *ld_vscheme_ops_of(ld_vscheme s)
{
	return (unsigned)s < LD_VS_COUNT ? schemes[s] : &ld_vs_generic_ops;
}

/* Is `name` one of the space-separated words of `list` (ASCII case-insensitive)? */
static bool is_alias(const char *list, const char *name)
{
	while (*list) {
		size_t n = strcspn(list, " ");
		if (n && !ld_vs_casecmp(ld_slice_make(list, n), ld_slice_cstr(name)))
			return true;
		list += n + (list[n] == ' ');
	}
	return false;
}

int ld_vscheme_from_name(const char *name, ld_vscheme *out)
{
	if (!name)
		return LADING_EUSAGE;
	for (int i = 0; i < LD_VS_COUNT; i++) {
		if (ld_vs_caseeq(ld_slice_cstr(name), schemes[i]->name) ||
		    is_alias(schemes[i]->aliases, name)) {
			*out = (ld_vscheme)i;
			return 0;
		}
	}
	return LADING_EUSAGE;
}

const char *ld_vscheme_name(ld_vscheme s)
{
	return ld_vscheme_ops_of(s)->name;
}

/* `name` as the ecosystem keys are spelled: lowercase, without blanks, '-' and '_'. */
static bool fold_eq(const char *name, const char *key)
{
	for (; *name; name++) {
		if (*name == ' ' || *name == '-' || *name == '_')
			continue;
		if (ld_vs_tolower((unsigned char)*name) != (unsigned char)*key++)
			return false;
	}
	return *key == '\0';
}

/* Is `key` one of the '|'-separated words of `list`? */
static bool is_key(const char *list, const char *key)
{
	size_t len = strlen(key);
	while (list && *list) {
		size_t n = strcspn(list, "|");
		if (n == len && !memcmp(list, key, n))
			return true;
		list += n + (list[n] == '|');
	}
	return false;
}

ld_vscheme ld_vscheme_for_ecosystem(const char *ecosystem)
{
	char key[VS_MAX_NAME + 1];
	size_t n = 0, neco;
	const ld_ecosystem *eco = ld_ecosystems(&neco);
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
	for (size_t i = 0; i < neco; i++)
		if (fold_eq(eco[i].name, key) || is_key(eco[i].scheme_keys, key))
			return eco[i].scheme;
	return LD_VS_GENERIC;
}

int ld_version_cmp(ld_vscheme s, ld_slice a, ld_slice b)
{
	if (!a.ptr)
		a = ld_slice_make("", 0);
	if (!b.ptr)
		b = ld_slice_make("", 0);
	return ld_vscheme_ops_of(s)->cmp(a, b);
}

bool ld_version_valid(ld_vscheme s, ld_slice v)
{
	if (!v.ptr)
		v = ld_slice_make("", 0);
	return ld_vscheme_ops_of(s)->valid(v);
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

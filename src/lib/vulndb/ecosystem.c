/* Ecosystem and package name normalization: done once, at import (the writer applies it to
 * everything stored) and again on every query key, so both sides agree on one spelling. The
 * spellings and rules per ecosystem come from the ecosystem table (version/ecosystems.c). */
#include <ctype.h>

#include "util/common.h"
#include "version/ecosystems.h"
#include "vulndb/vdb.h"

typedef struct eco_name {
	const char *key;   /* lowercase spelling accepted on input */
	const char *canon; /* OSV's spelling */
} eco_name;

/* Debian codenames to release numbers as OSV and the security tracker write them. */
static const eco_name debian_codenames[] = {
	{"buzz", "1.1"},     {"rex", "1.2"},	       {"bo", "1.3"},	 {"hamm", "2.0"},
	{"slink", "2.1"},    {"potato", "2.2"},	       {"woody", "3.0"}, {"sarge", "3.1"},
	{"etch", "4"},	     {"lenny", "5"},	       {"squeeze", "6"}, {"wheezy", "7"},
	{"jessie", "8"},     {"stretch", "9"},	       {"buster", "10"}, {"bullseye", "11"},
	{"bookworm", "12"},  {"trixie", "13"},	       {"forky", "14"},	 {"duke", "15"},
	{"sid", "unstable"}, {"unstable", "unstable"},
};

static bool lower_eq(const char *a, size_t alen, const char *lower)
{
	size_t n = strlen(lower);
	if (alen != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != (unsigned char)lower[i])
			return false;
	return true;
}

static const char *lookup(const eco_name *tab, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (lower_eq(s, len, tab[i].key))
			return tab[i].canon;
	return NULL;
}

/* Leading "N" or "N.M" of a version-like suffix ("v3.9", "3.9.6", "3.14.0_alpha2021"). */
static bool major_minor(const char *s, size_t len, unsigned *major, int *minor)
{
	size_t i = 0;
	unsigned long v = 0;
	*minor = -1;
	if (i < len && (s[i] == 'v' || s[i] == 'V'))
		i++;
	if (i >= len || !isdigit((unsigned char)s[i]))
		return false;
	while (i < len && isdigit((unsigned char)s[i])) {
		v = v * 10 + (unsigned)(s[i++] - '0');
		if (v > 100000)
			return false;
	}
	*major = (unsigned)v;
	if (i < len && s[i] == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1])) {
		unsigned long m = 0;
		i++;
		while (i < len && isdigit((unsigned char)s[i])) {
			m = m * 10 + (unsigned)(s[i++] - '0');
			if (m > 100000)
				return false;
		}
		*minor = (int)m;
	}
	return true;
}

static int emit(char *out, size_t outsz, const char *base, const char *suf, size_t suflen)
{
	int n;
	if (suf && suflen)
		n = snprintf(out, outsz, "%s:%.*s", base, (int)suflen, suf);
	else
		n = snprintf(out, outsz, "%s", base);
	if (n < 0 || (size_t)n >= outsz)
		return LADING_ELIMIT;
	return 0;
}

int ld_vdb_ecosystem_normalize(const char *in, char *out, size_t outsz)
{
	ld_slice s, base, suf;
	const ld_ecosystem *e;
	const char *canon, *cn;
	char tmp[32];
	unsigned major;
	int minor;

	if (!in || !out || !outsz)
		return LADING_EINVALID;
	out[0] = '\0';
	s = ld_slice_trim(ld_slice_cstr(in));
	if (s.len == 0 || s.len > LD_VDB_NAME_MAX)
		return s.len ? LADING_ELIMIT : LADING_EINVALID;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.ptr[i] < 0x20 || s.ptr[i] == 0x7f)
			return LADING_EINVALID;
	suf = s;
	if (!ld_slice_cut(&suf, ':', &base))
		suf = LD_SLICE_NULL;
	base = ld_slice_trim(base);
	suf = ld_slice_trim(suf);
	if (base.len == 0)
		return LADING_EINVALID;

	/* a bare Debian codename ("bullseye") names a Debian release */
	if (!suf.ptr &&
	    (cn = lookup(debian_codenames, LD_ARRAY_LEN(debian_codenames), base.ptr, base.len)))
		return emit(out, outsz, "Debian", cn, strlen(cn));

	e = ld_ecosystem_lookup(base.ptr, base.len);
	if (!e) {
		/* unknown ecosystem: keep its spelling, trimmed */
		char b[LD_VDB_NAME_MAX + 1];
		ld_slice_copy(b, sizeof(b), base);
		return emit(out, outsz, b, suf.ptr, suf.len);
	}
	canon = e->name;
	if (!suf.len)
		return emit(out, outsz, canon, NULL, 0);

	if (e->flags & LD_ECO_REL_ALPINE) {
		if (lower_eq(suf.ptr, suf.len, "edge"))
			return emit(out, outsz, canon, "edge", 4);
		if (major_minor(suf.ptr, suf.len, &major, &minor) && minor >= 0) {
			ld_snprintf(tmp, sizeof(tmp), "v%u.%d", major, minor);
			return emit(out, outsz, canon, tmp, strlen(tmp));
		}
	} else if (e->flags & LD_ECO_REL_DEBIAN) {
		if ((cn = lookup(debian_codenames, LD_ARRAY_LEN(debian_codenames), suf.ptr,
				 suf.len)))
			return emit(out, outsz, canon, cn, strlen(cn));
		if (major_minor(suf.ptr, suf.len, &major, &minor)) {
			/* from 4.0 (etch) on a Debian release is named by its major number */
			if (major >= 4 || minor < 0)
				ld_snprintf(tmp, sizeof(tmp), "%u", major);
			else
				ld_snprintf(tmp, sizeof(tmp), "%u.%d", major, minor);
			return emit(out, outsz, canon, tmp, strlen(tmp));
		}
	} else if (e->flags & LD_ECO_REL_MAJOR) {
		/* these feeds are per major release ("AlmaLinux:8"), whatever minor is installed */
		if (major_minor(suf.ptr, suf.len, &major, &minor)) {
			ld_snprintf(tmp, sizeof(tmp), "%u", major);
			return emit(out, outsz, canon, tmp, strlen(tmp));
		}
	}
	return emit(out, outsz, canon, suf.ptr, suf.len);
}

int ld_vdb_package_normalize(const char *ecosystem, const char *in, char *out, size_t outsz)
{
	size_t n, o = 0;
	const ld_ecosystem *e;
	bool pep503, lower;

	if (!in || !out || !outsz)
		return LADING_EINVALID;
	out[0] = '\0';
	n = strlen(in);
	if (n == 0)
		return LADING_EINVALID;
	if (n > LD_VDB_NAME_MAX)
		return LADING_ELIMIT;
	/* `ecosystem` is a normalized name: only an exact spelling has the rules */
	e = ecosystem ? ld_ecosystem_lookup(ecosystem, strlen(ecosystem)) : NULL;
	if (e && strcmp(e->name, ecosystem))
		e = NULL;
	pep503 = e && (e->flags & LD_ECO_NAMES_PEP503);
	lower = pep503 || (e && (e->flags & LD_ECO_NAMES_LOWER));
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (pep503 && (c == '-' || c == '_' || c == '.')) {
			/* PEP 503: a run of -, _ and . is one - */
			while (i + 1 < n &&
			       (in[i + 1] == '-' || in[i + 1] == '_' || in[i + 1] == '.'))
				i++;
			c = '-';
		} else if (lower) {
			c = (char)tolower((unsigned char)c);
		}
		if (o + 1 >= outsz)
			return LADING_ELIMIT;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

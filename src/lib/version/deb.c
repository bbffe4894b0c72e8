/* Debian versions, [epoch:]upstream[-revision] (Debian Policy 5.6.12), ordered exactly as
 * dpkg's verrevcmp() and parseversion() (lib/dpkg/version.c, lib/dpkg/parsehelp.c).
 *
 * Limits: none needed: the comparison streams over the bytes without allocating. Like dpkg we
 * stop at the first NUL. Strings dpkg rejects still get a deterministic place: an epoch that is
 * not a number is read as part of the upstream version. */
#include "util/common.h"
#include "version/vs_int.h"

/* dpkg works on `const char`, which is signed here: bytes >= 0x80 order between letters and
 * other punctuation. Keep that so we agree with the real binary on every byte. */
static int order(int c)
{
	if (ld_vs_isdigit(c))
		return 0;
	if (ld_vs_isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return (int)(signed char)c + 256;
	return 0;
}

static int verrevcmp(ld_slice a, ld_slice b)
{
	size_t i = 0, j = 0;
#define AC (i < a.len ? (unsigned char)a.ptr[i] : 0)
#define BC (j < b.len ? (unsigned char)b.ptr[j] : 0)
	while (i < a.len || j < b.len) {
		int first_diff = 0;
		while ((AC && !ld_vs_isdigit(AC)) || (BC && !ld_vs_isdigit(BC))) {
			int ac = order(AC), bc = order(BC);
			if (ac != bc)
				return ld_vs_sign(ac - bc);
			/* equal orders are never both "end": the loop condition saw a non-digit */
			i++;
			j++;
		}
		while (AC == '0')
			i++;
		while (BC == '0')
			j++;
		while (ld_vs_isdigit(AC) && ld_vs_isdigit(BC)) {
			if (!first_diff)
				first_diff = AC - BC;
			i++;
			j++;
		}
		if (ld_vs_isdigit(AC))
			return 1;
		if (ld_vs_isdigit(BC))
			return -1;
		if (first_diff)
			return ld_vs_sign(first_diff);
	}
#undef AC
#undef BC
	return 0;
}

struct debver {
	ld_slice epoch; /* digits, possibly with leading zeros; empty = 0 */
	bool epoch_ok;	/* epoch syntax valid ([+-]?digits, not negative) */
	bool has_colon;
	bool has_hyphen;
	ld_slice upstream, revision;
};

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static void deb_parse(ld_slice v, struct debver *d)
{
	ptrdiff_t colon, k;
	ld_slice rest;

	memset(d, 0, sizeof(*d));
	v = ld_vs_cstr(v);
	while (v.len && is_blank((unsigned char)v.ptr[0])) {
		v.ptr++;
		v.len--;
	}
	while (v.len && is_blank((unsigned char)v.ptr[v.len - 1]))
		v.len--;
	rest = v;
	colon = ld_slice_find(v, ':');
	if (colon >= 0) {
		/* strtol() semantics: optional sign, digits, must end at the colon */
		ld_slice e = ld_slice_make(v.ptr, (size_t)colon);
		bool neg = false;
		if (e.len && (e.ptr[0] == '+' || e.ptr[0] == '-')) {
			neg = e.ptr[0] == '-';
			e.ptr++;
			e.len--;
		}
		if (ld_vs_alldigits(e) && !(neg && ld_vs_numcmp(e, LD_SLICE_NULL) != 0)) {
			d->epoch = e;
			d->epoch_ok = true;
			d->has_colon = true;
			rest = ld_slice_make(v.ptr + colon + 1, v.len - (size_t)colon - 1);
		}
	}
	d->upstream = rest;
	for (k = (ptrdiff_t)rest.len - 1; k >= 0; k--) {
		if (rest.ptr[k] == '-') {
			d->has_hyphen = true;
			d->upstream = ld_slice_make(rest.ptr, (size_t)k);
			d->revision = ld_slice_make(rest.ptr + k + 1, rest.len - (size_t)k - 1);
			break;
		}
	}
}

static int deb_version_cmp(ld_slice a, ld_slice b)
{
	struct debver x, y;
	int r;
	deb_parse(a, &x);
	deb_parse(b, &y);
	r = ld_vs_numcmp(x.epoch, y.epoch);
	if (!r)
		r = verrevcmp(x.upstream, y.upstream);
	if (!r)
		r = verrevcmp(x.revision, y.revision);
	return r;
}

/* What dpkg's parseversion() accepts without error or warning. */
static bool deb_version_valid(ld_slice v)
{
	struct debver d;
	ld_slice t = v;
	ptrdiff_t colon;

	if (ld_vs_cstr(v).len != v.len)
		return false;
	while (t.len && is_blank((unsigned char)t.ptr[0])) {
		t.ptr++;
		t.len--;
	}
	while (t.len && is_blank((unsigned char)t.ptr[t.len - 1]))
		t.len--;
	if (!t.len)
		return false; /* "version string is empty" */
	for (size_t i = 0; i < t.len; i++)
		if (is_blank((unsigned char)t.ptr[i]))
			return false; /* "version string has embedded spaces" */
	deb_parse(t, &d);
	colon = ld_slice_find(t, ':');
	if (colon >= 0) {
		ld_slice e = ld_slice_make(t.ptr, (size_t)colon);
		if (!d.has_colon)
			return false; /* epoch empty, not a number, or negative */
		if (e.len && (e.ptr[0] == '+' || e.ptr[0] == '-')) {
			e.ptr++;
			e.len--;
		}
		if (ld_vs_numcmp(e, LD_SLICE_LIT("2147483647")) > 0)
			return false; /* "epoch in version is too big" */
		if ((size_t)colon + 1 == t.len)
			return false; /* "nothing after colon in version number" */
	}
	if (d.has_hyphen && !d.revision.len)
		return false; /* "revision number is empty" */
	if (!d.upstream.len)
		return false; /* "version number is empty" */
	if (!ld_vs_isdigit((unsigned char)d.upstream.ptr[0]))
		return false; /* warning: "version number does not start with digit" */
	for (size_t i = 0; i < d.upstream.len; i++) {
		int c = (unsigned char)d.upstream.ptr[i];
		if (!ld_vs_isalnum(c) && !strchr(".-+~:", c))
			return false; /* warning: "invalid character in version number" */
	}
	for (size_t i = 0; i < d.revision.len; i++) {
		int c = (unsigned char)d.revision.ptr[i];
		if (!ld_vs_isalnum(c) && !strchr(".+~", c))
			return false; /* warning: "invalid character in revision number" */
	}
	return true;
}

const ld_vscheme_ops ld_vs_deb_ops = {
	.name = "deb",
	.aliases = "dpkg debian ubuntu",
	.cmp = deb_version_cmp,
	.valid = deb_version_valid,
};

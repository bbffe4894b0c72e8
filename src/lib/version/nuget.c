/* NuGet versions (NuGet.Versioning's NuGetVersion): 1 to 4 numeric parts (missing ones are 0,
 * so 1.0 == 1.0.0.0), an optional SemVer 2 pre-release, optional "+metadata" that is ignored.
 * Pre-release labels compare case-insensitively; a label that parses as an Int32 is numeric
 * and sorts before alphanumeric labels. Strings NuGet rejects sort before every valid version.
 *
 * Limits: none needed: the parse keeps slices and the comparison walks the labels. */
#include "util/common.h"
#include "version/vs_int.h"

#define NUGET_MAX_PARTS 4

struct nuver {
	ld_slice part[NUGET_MAX_PARTS];
	ld_slice pre; /* labels, dot-separated; empty = release */
};

static bool label_char(int c)
{
	return ld_vs_isalnum(c) || c == '-';
}

/* Dot-separated non-empty labels; with strict_zero, numeric labels have no leading zero. */
static bool labels_ok(ld_slice s, bool strict_zero)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		bool all_digits = true;
		while (i < s.len && label_char((unsigned char)s.ptr[i])) {
			all_digits = all_digits && ld_vs_isdigit((unsigned char)s.ptr[i]);
			i++;
		}
		if (i == start)
			return false;
		if (strict_zero && all_digits && i - start > 1 && s.ptr[start] == '0')
			return false;
		if (i == s.len)
			return true;
		if (s.ptr[i] != '.')
			return false;
		i++;
	}
}

static bool int32_digits(ld_slice d)
{
	return ld_vs_alldigits(d) && ld_vs_numcmp(d, LD_SLICE_LIT("2147483647")) <= 0;
}

static bool nuget_parse(ld_slice v, struct nuver *o)
{
	size_t i = 0, np = 0, cut;
	ptrdiff_t dash, plus;

	memset(o, 0, sizeof(*o));
	v = ld_vs_trim_space(v);
	dash = ld_slice_find(v, '-');
	plus = ld_slice_find(v, '+');
	/* the numeric part ends at the first '-' or '+' */
	cut = v.len;
	if (dash >= 0)
		cut = (size_t)dash;
	if (plus >= 0 && (size_t)plus < cut)
		cut = (size_t)plus;
	for (;;) {
		size_t start = i;
		while (i < cut && v.ptr[i] != '.')
			i++;
		if (np == NUGET_MAX_PARTS || !int32_digits(ld_slice_make(v.ptr + start, i - start)))
			return false;
		o->part[np++] = ld_slice_make(v.ptr + start, i - start);
		if (i == cut)
			break;
		i++;
	}
	if (dash >= 0 && (size_t)dash == cut) {
		size_t end = plus > dash ? (size_t)plus : v.len;
		o->pre = ld_slice_make(v.ptr + cut + 1, end - cut - 1);
		if (!labels_ok(o->pre, true))
			return false;
	}
	if (plus >= 0 &&
	    !labels_ok(ld_slice_make(v.ptr + plus + 1, v.len - (size_t)plus - 1), false))
		return false;
	return true;
}

/* Int32.TryParse on a label: optional '-' sign then digits within range. */
static bool label_int(ld_slice l, bool *neg, ld_slice *digits)
{
	*neg = l.len && l.ptr[0] == '-';
	*digits = *neg ? ld_slice_make(l.ptr + 1, l.len - 1) : l;
	if (!ld_vs_alldigits(*digits))
		return false;
	return ld_vs_numcmp(*digits,
			    *neg ? LD_SLICE_LIT("2147483648") : LD_SLICE_LIT("2147483647")) <= 0;
}

static int label_cmp(ld_slice a, ld_slice b)
{
	bool na, nb, sa, sb;
	ld_slice da, db;
	na = label_int(a, &sa, &da);
	nb = label_int(b, &sb, &db);
	if (na && nb) {
		bool za = ld_vs_numcmp(da, LD_SLICE_NULL) == 0,
		     zb = ld_vs_numcmp(db, LD_SLICE_NULL) == 0;
		sa = sa && !za; /* -0 is 0 */
		sb = sb && !zb;
		if (sa != sb)
			return sa ? -1 : 1;
		return sa ? -ld_vs_numcmp(da, db) : ld_vs_numcmp(da, db);
	}
	if (na != nb)
		return na ? -1 : 1;
	return ld_vs_casecmp(a, b);
}

static ld_slice next_label(ld_slice *s, bool *more)
{
	ptrdiff_t dot = ld_slice_find(*s, '.');
	ld_slice out;
	if (dot < 0) {
		out = *s;
		*s = LD_SLICE_NULL;
		*more = false;
		return out;
	}
	out = ld_slice_make(s->ptr, (size_t)dot);
	*s = ld_slice_make(s->ptr + dot + 1, s->len - (size_t)dot - 1);
	*more = true;
	return out;
}

static int nuget_cmp(const struct nuver *a, const struct nuver *b)
{
	ld_slice pa = a->pre, pb = b->pre;
	bool ma, mb;
	for (int k = 0; k < NUGET_MAX_PARTS; k++) {
		int r = ld_vs_numcmp(a->part[k], b->part[k]);
		if (r)
			return r;
	}
	if (!pa.len != !pb.len)
		return pa.len ? -1 : 1;
	if (!pa.len)
		return 0;
	ma = mb = true;
	while (ma && mb) {
		int r = label_cmp(next_label(&pa, &ma), next_label(&pb, &mb));
		if (r)
			return r;
	}
	return ma == mb ? 0 : (ma ? 1 : -1);
}

static int nuget_version_cmp(ld_slice a, ld_slice b)
{
	struct nuver x, y;
	bool okx = nuget_parse(a, &x), oky = nuget_parse(b, &y);
	if (okx && oky)
		return nuget_cmp(&x, &y);
	if (okx != oky)
		return okx ? 1 : -1;
	return ld_vs_invalid_cmp(a, b);
}

static bool nuget_version_valid(ld_slice v)
{
	struct nuver x;
	return nuget_parse(v, &x);
}

const ld_vscheme_ops ld_vs_nuget_ops = {
	.name = "nuget",
	.aliases = "dotnet",
	.cmp = nuget_version_cmp,
	.valid = nuget_version_valid,
};

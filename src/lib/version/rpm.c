/* RPM versions: [epoch:]version[-release], segments compared as rpm's rpmvercmp()
 * (rpmio/rpmvercmp.c) and EVR split as parseEVR()/rpmverCmp() (lib/rpmver.c).
 *
 * Limits: none needed: streaming, no allocation. Like rpm we stop at the first NUL.
 * A missing release sorts before any release, even an empty or "~" one, as rpm 4.18's
 * rpmverCmp() does ("1.0" < "1.0-~1" < "1.0-0"). (Older rpm dependency matching skipped the
 * release when one side had none, which is not transitive.) */
#include "util/common.h"
#include "version/vs_int.h"

int ld_vs_rpmvercmp(ld_slice a, ld_slice b)
{
	size_t i = 0, j = 0;
	a = ld_vs_cstr(a);
	b = ld_vs_cstr(b);
#define AC (i < a.len ? (unsigned char)a.ptr[i] : 0)
#define BC (j < b.len ? (unsigned char)b.ptr[j] : 0)
	if (ld_slice_eq(a, b))
		return 0;
	while (i < a.len || j < b.len) {
		size_t si, sj;
		bool isnum;
		int r;

		while (AC && !ld_vs_isalnum(AC) && AC != '~' && AC != '^')
			i++;
		while (BC && !ld_vs_isalnum(BC) && BC != '~' && BC != '^')
			j++;

		/* tilde sorts before everything else, even the end */
		if (AC == '~' || BC == '~') {
			if (AC != '~')
				return 1;
			if (BC != '~')
				return -1;
			i++;
			j++;
			continue;
		}
		/* caret is like tilde, except that the end sorts before it */
		if (AC == '^' || BC == '^') {
			if (!AC)
				return -1;
			if (!BC)
				return 1;
			if (AC != '^')
				return 1;
			if (BC != '^')
				return -1;
			i++;
			j++;
			continue;
		}
		if (!(AC && BC))
			break;

		si = i;
		sj = j;
		isnum = ld_vs_isdigit(AC);
		if (isnum) {
			while (ld_vs_isdigit(AC))
				i++;
			while (ld_vs_isdigit(BC))
				j++;
		} else {
			while (ld_vs_isalpha(AC))
				i++;
			while (ld_vs_isalpha(BC))
				j++;
		}
		/* different segment types: numeric is newer than alpha */
		if (sj == j)
			return isnum ? 1 : -1;
		if (isnum)
			r = ld_vs_numcmp(ld_slice_make(a.ptr + si, i - si),
					 ld_slice_make(b.ptr + sj, j - sj));
		else
			r = ld_vs_bytecmp(ld_slice_make(a.ptr + si, i - si),
					  ld_slice_make(b.ptr + sj, j - sj));
		if (r)
			return r;
	}
	if (!AC && !BC)
		return 0;
	return AC ? 1 : -1;
#undef AC
#undef BC
}

struct evr {
	ld_slice e, v, r;
	bool has_e, has_r;
};

static void rpm_parse(ld_slice s, struct evr *x)
{
	size_t k = 0;
	memset(x, 0, sizeof(*x));
	s = ld_vs_cstr(s);
	while (k < s.len && ld_vs_isdigit((unsigned char)s.ptr[k]))
		k++;
	x->v = s;
	if (k < s.len && s.ptr[k] == ':') {
		x->has_e = true;
		x->e = ld_slice_make(s.ptr, k);
		x->v = ld_slice_make(s.ptr + k + 1, s.len - k - 1);
	}
	/* the release starts after the last '-' (searched after the epoch digits, as rpm does) */
	for (size_t n = s.len; n > k; n--) {
		if (s.ptr[n - 1] == '-') {
			size_t vstart = (size_t)(x->v.ptr - s.ptr);
			if (n - 1 < vstart)
				break;
			x->has_r = true;
			x->r = ld_slice_make(s.ptr + n, s.len - n);
			x->v = ld_slice_make(x->v.ptr, n - 1 - vstart);
			break;
		}
	}
}

static int rpm_version_cmp(ld_slice a, ld_slice b)
{
	struct evr x, y;
	int r;
	rpm_parse(a, &x);
	rpm_parse(b, &y);
	/* epochs are digit runs (empty = 0): rpmvercmp on them is a numeric comparison */
	r = ld_vs_numcmp(x.e, y.e);
	if (!r)
		r = ld_vs_rpmvercmp(x.v, y.v);
	if (r)
		return r;
	if (x.has_r && y.has_r)
		return ld_vs_rpmvercmp(x.r, y.r);
	return x.has_r == y.has_r ? 0 : (x.has_r ? 1 : -1);
}

static bool rpm_chars_ok(ld_slice s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		int c = (unsigned char)s.ptr[i];
		if (!ld_vs_isalnum(c) && !strchr("._+~^", c))
			return false;
	}
	return true;
}

/* What rpmbuild accepts in Epoch/Version/Release: digits before ':', then version and release
 * made of alphanumerics and . _ + ~ ^ (no '-' inside either). */
static bool rpm_version_valid(ld_slice v)
{
	struct evr x;
	if (ld_vs_cstr(v).len != v.len)
		return false;
	rpm_parse(v, &x);
	if (x.has_e && !x.e.len)
		return false;
	if (!rpm_chars_ok(x.v))
		return false;
	return !x.has_r || rpm_chars_ok(x.r);
}

const ld_vscheme_ops ld_vs_rpm_ops = {
	.name = "rpm",
	.aliases = "redhat rhel centos fedora almalinux rocky suse opensuse",
	.cmp = rpm_version_cmp,
	.valid = rpm_version_valid,
};

/* SemVer 2.0.0 precedence (npm, crates.io, Packagist, Hex, ...) and Go versions (modules,
 * pseudo-versions, +incompatible, and Go toolchain versions for the standard library).
 *
 * Parsing is lenient so that near-misses still order sensibly, and strict only in *_valid():
 * - an optional leading 'v' (and for Go an optional "go");
 * - one or more numeric release components, missing ones are 0 (Go's "v1.2" is v1.2.0 and the
 *   toolchain's "1.20" is 1.20.0);
 * - Go toolchain pre-releases written without '-' ("1.21rc2") read as "-rc.2";
 * - "-pre.release.ids", "+build" (ignored, so v2.0.0+incompatible == v2.0.0).
 * A string that does not even parse so sorts before every version that does.
 *
 * Limits, to bound the fixed arrays: */
#define SV_MAX_RELEASE 16 /* numeric release components */
#define SV_MAX_PRE     64 /* pre-release identifiers */

#include "util/common.h"
#include "version/vs_int.h"

struct sv {
	ld_slice num[SV_MAX_RELEASE];
	size_t nnum;
	ld_slice pre[SV_MAX_PRE];
	size_t npre;
	bool strict;  /* exactly SemVer 2.0.0 (after an optional 'v') */
	bool gostyle; /* toolchain form: "go" prefix or "1.21rc2" */
};

static bool id_char(int c)
{
	return ld_vs_isalnum(c) || c == '-';
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; numeric ones are checked by caller. */
static bool parse_ids(ld_slice s, ld_slice *ids, size_t max, size_t *n)
{
	size_t i = 0;
	*n = 0;
	for (;;) {
		size_t start = i;
		while (i < s.len && id_char((unsigned char)s.ptr[i]))
			i++;
		if (i == start)
			return false;
		if (ids) {
			if (*n == max)
				return false;
			ids[*n] = ld_slice_make(s.ptr + start, i - start);
		}
		(*n)++;
		if (i == s.len)
			return true;
		if (s.ptr[i] != '.')
			return false;
		i++;
	}
}

static bool no_leading_zero(ld_slice d)
{
	return !(d.len > 1 && d.ptr[0] == '0');
}

static bool sv_parse(ld_slice v, bool go, struct sv *o)
{
	size_t i = 0;
	ld_slice pre = LD_SLICE_NULL, build;
	ptrdiff_t plus;
	bool has_pre = false;

	memset(o, 0, sizeof(*o));
	v = ld_vs_trim_space(v);
	if (go && v.len >= 2 && v.ptr[0] == 'g' && v.ptr[1] == 'o') {
		o->gostyle = true;
		i = 2;
	} else if (v.len && (v.ptr[0] == 'v' || v.ptr[0] == 'V')) {
		i = 1;
	}
	for (;;) {
		size_t start = i;
		while (i < v.len && ld_vs_isdigit((unsigned char)v.ptr[i]))
			i++;
		if (i == start || o->nnum == SV_MAX_RELEASE)
			return false;
		o->num[o->nnum++] = ld_slice_make(v.ptr + start, i - start);
		if (i < v.len && v.ptr[i] == '.' && i + 1 < v.len &&
		    ld_vs_isdigit((unsigned char)v.ptr[i + 1])) {
			i++;
			continue;
		}
		break;
	}
	/* Go toolchain pre-release: letters then digits right after the numbers ("1.21rc2") */
	if (go && i < v.len && v.ptr[i] >= 'a' && v.ptr[i] <= 'z') {
		size_t ls = i, ds;
		while (i < v.len && v.ptr[i] >= 'a' && v.ptr[i] <= 'z')
			i++;
		ds = i;
		while (i < v.len && ld_vs_isdigit((unsigned char)v.ptr[i]))
			i++;
		if (ds == i || i != v.len)
			return false;
		o->pre[0] = ld_slice_make(v.ptr + ls, ds - ls);
		o->pre[1] = ld_slice_make(v.ptr + ds, i - ds);
		o->npre = 2;
		o->gostyle = true;
		return o->nnum <= 3;
	}
	build = ld_slice_make(v.ptr + i, v.len - i);
	plus = ld_slice_find(build, '+');
	if (build.len && build.ptr[0] == '-') {
		has_pre = true;
		pre = ld_slice_make(build.ptr + 1, (plus < 0 ? build.len : (size_t)plus) - 1);
	} else if (build.len && build.ptr[0] != '+') {
		return false;
	}
	if (has_pre && !parse_ids(pre, o->pre, SV_MAX_PRE, &o->npre))
		return false;
	if (plus >= 0) {
		size_t nb;
		if (!parse_ids(ld_slice_make(build.ptr + plus + 1, build.len - (size_t)plus - 1),
			       NULL, 0, &nb))
			return false;
	}
	o->strict = !o->gostyle && o->nnum == 3;
	for (size_t k = 0; k < o->nnum && o->strict; k++)
		o->strict = no_leading_zero(o->num[k]);
	for (size_t k = 0; k < o->npre && o->strict; k++)
		o->strict = !ld_vs_alldigits(o->pre[k]) || no_leading_zero(o->pre[k]);
	return true;
}

/* Identifiers: numeric ones compare by value and sort before alphanumeric ones, which compare
 * in ASCII order; a shorter list that is a prefix of a longer one sorts first. */
static int pre_cmp(const struct sv *a, const struct sv *b)
{
	size_t n = LD_MIN(a->npre, b->npre);
	for (size_t k = 0; k < n; k++) {
		bool na = ld_vs_alldigits(a->pre[k]), nb = ld_vs_alldigits(b->pre[k]);
		int r;
		if (na != nb)
			return na ? -1 : 1;
		r = na ? ld_vs_numcmp(a->pre[k], b->pre[k]) : ld_vs_bytecmp(a->pre[k], b->pre[k]);
		if (r)
			return r;
	}
	return a->npre == b->npre ? 0 : (a->npre < b->npre ? -1 : 1);
}

static int sv_cmp(const struct sv *a, const struct sv *b)
{
	size_t n = LD_MAX(a->nnum, b->nnum);
	for (size_t k = 0; k < n; k++) {
		ld_slice x = k < a->nnum ? a->num[k] : LD_SLICE_NULL;
		ld_slice y = k < b->nnum ? b->num[k] : LD_SLICE_NULL;
		int r = ld_vs_numcmp(x, y);
		if (r)
			return r;
	}
	/* a pre-release sorts before its release */
	if (!a->npre != !b->npre)
		return a->npre ? -1 : 1;
	return pre_cmp(a, b);
}

static int cmp_with(ld_slice a, ld_slice b, bool go)
{
	struct sv x, y;
	bool okx = sv_parse(a, go, &x), oky = sv_parse(b, go, &y);
	if (okx && oky)
		return sv_cmp(&x, &y);
	if (okx != oky)
		return okx ? 1 : -1;
	return ld_vs_invalid_cmp(a, b);
}

static int semver_version_cmp(ld_slice a, ld_slice b)
{
	return cmp_with(a, b, false);
}

static bool semver_version_valid(ld_slice v)
{
	struct sv x;
	return v.len && ld_vs_trim_space(v).len == v.len && sv_parse(v, false, &x) && x.strict;
}

static int go_version_cmp(ld_slice a, ld_slice b)
{
	return cmp_with(a, b, true);
}

/* Module versions (with or without the 'v': OSV writes them without), which the go command
 * also accepts as "v1" / "v1.2" shorthands, and toolchain versions "go1.21.3", "1.21rc2". */
static bool go_version_valid(ld_slice v)
{
	struct sv x;
	if (!v.len || ld_vs_trim_space(v).len != v.len || !sv_parse(v, true, &x))
		return false;
	for (size_t k = 0; k < x.nnum; k++)
		if (!no_leading_zero(x.num[k]))
			return false;
	if (x.gostyle)
		return x.nnum <= 3;
	if (x.strict)
		return true;
	/* shorthand without pre-release or build */
	return x.nnum < 3 && !x.npre && ld_slice_find(v, '+') < 0;
}

const ld_vscheme_ops ld_vs_semver_ops = {
	.name = "semver",
	.aliases = "npm node cargo crates.io crates rust composer packagist php hex pub bitnami",
	.cmp = semver_version_cmp,
	.valid = semver_version_valid,
};

const ld_vscheme_ops ld_vs_go_ops = {
	.name = "go",
	.aliases = "golang gomod",
	.cmp = go_version_cmp,
	.valid = go_version_valid,
};

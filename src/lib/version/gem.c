/* RubyGems versions, ordered as Gem::Version#<=>: segments are runs of digits (by value) or of
 * letters (bytewise, case-sensitive); '-' means ".pre."; a letter segment makes a pre-release
 * and sorts below any number (1.0.a < 1.0); trailing zeros of the release part and of the
 * pre-release part are dropped (1.0 == 1, 1.0.a == 1.a). Strings Gem::Version rejects sort
 * before every valid version.
 *
 * Limits: segments go to a fixed array on the stack. */
#define GEM_MAX_SEGMENTS 128

#include "util/common.h"
#include "version/vs_int.h"

struct gseg {
	ld_slice s;
	bool num;
};

struct gver {
	struct gseg seg[GEM_MAX_SEGMENTS];
	size_t n;
};

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Gem::Version::ANCHORED_VERSION_PATTERN:
 * \s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s* */
static bool gem_syntax(ld_slice v)
{
	size_t i = 0, n = v.len;
	while (i < n && is_space((unsigned char)v.ptr[i]))
		i++;
	while (n > i && is_space((unsigned char)v.ptr[n - 1]))
		n--;
	if (i == n)
		return true; /* blank is version "0" */
	if (!ld_vs_isdigit((unsigned char)v.ptr[i]))
		return false;
	while (i < n && ld_vs_isdigit((unsigned char)v.ptr[i]))
		i++;
	while (i < n && v.ptr[i] == '.') {
		size_t s = ++i;
		while (i < n && ld_vs_isalnum((unsigned char)v.ptr[i]))
			i++;
		if (i == s)
			return false;
	}
	if (i == n)
		return true;
	if (v.ptr[i] != '-')
		return false;
	for (;;) {
		size_t s = ++i;
		while (i < n && (ld_vs_isalnum((unsigned char)v.ptr[i]) || v.ptr[i] == '-'))
			i++;
		if (i == s)
			return false;
		if (i == n)
			return true;
		if (v.ptr[i] != '.')
			return false;
	}
}

static bool zero(const struct gseg *g)
{
	return g->num && ld_vs_numcmp(g->s, LD_SLICE_NULL) == 0;
}

/* Canonical segments: both the numeric part and the pre-release part lose trailing zeros. */
static bool gem_parse(ld_slice v, struct gver *g)
{
	struct gseg raw[GEM_MAX_SEGMENTS];
	size_t n = 0, i = 0, first_str, end_num, end_str;

	if (!gem_syntax(v))
		return false;
	while (i < v.len) {
		int c = (unsigned char)v.ptr[i];
		size_t s = i;
		if (c == '-' || ld_vs_isalnum(c)) {
			if (n == GEM_MAX_SEGMENTS)
				return false;
			if (c == '-') {
				raw[n++] = (struct gseg){LD_SLICE_LIT("pre"), false};
				i++;
				continue;
			}
			if (ld_vs_isdigit(c)) {
				while (i < v.len && ld_vs_isdigit((unsigned char)v.ptr[i]))
					i++;
			} else {
				while (i < v.len && ld_vs_isalpha((unsigned char)v.ptr[i]))
					i++;
			}
			raw[n++] = (struct gseg){ld_slice_make(v.ptr + s, i - s), ld_vs_isdigit(c)};
			continue;
		}
		i++;
	}
	first_str = 0;
	while (first_str < n && raw[first_str].num)
		first_str++;
	end_num = first_str;
	while (end_num > 0 && zero(&raw[end_num - 1]))
		end_num--;
	end_str = n;
	while (end_str > first_str && zero(&raw[end_str - 1]))
		end_str--;
	g->n = 0;
	for (size_t k = 0; k < end_num; k++)
		g->seg[g->n++] = raw[k];
	for (size_t k = first_str; k < end_str; k++)
		g->seg[g->n++] = raw[k];
	return true;
}

static int gem_cmp(const struct gver *a, const struct gver *b)
{
	static const struct gseg zero_seg = {{"0", 1}, true};
	size_t n = LD_MAX(a->n, b->n);
	for (size_t k = 0; k < n; k++) {
		const struct gseg *x = k < a->n ? &a->seg[k] : &zero_seg;
		const struct gseg *y = k < b->n ? &b->seg[k] : &zero_seg;
		int r;
		if (x->num != y->num)
			return x->num ? 1 : -1;
		r = x->num ? ld_vs_numcmp(x->s, y->s) : ld_vs_bytecmp(x->s, y->s);
		if (r)
			return r;
	}
	return 0;
}

static int gem_version_cmp(ld_slice a, ld_slice b)
{
	struct gver x, y;
	bool okx = gem_parse(a, &x), oky = gem_parse(b, &y);
	if (okx && oky)
		return gem_cmp(&x, &y);
	if (okx != oky)
		return okx ? 1 : -1;
	return ld_vs_invalid_cmp(a, b);
}

static bool gem_version_valid(ld_slice v)
{
	struct gver x;
	return gem_parse(v, &x);
}

const ld_vscheme_ops ld_vs_gem_ops = {
	.name = "gem",
	.aliases = "rubygems ruby bundler",
	.cmp = gem_version_cmp,
	.valid = gem_version_valid,
};

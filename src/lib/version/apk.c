/* Alpine (apk-tools) versions: digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN}, compared as
 * apk-tools' src/version.c does it (token by token; see docs/version-schemes.md).
 *
 * Limits: none needed: streaming, no allocation. Differences from apk-tools, both only where it
 * misbehaves: numbers are compared at any length (apk wraps at 2^64), and two strings that
 * turn invalid at the same token with everything before equal (apk: "equal") are ordered
 * bytewise so that distinct strings stay distinct. */
#include "util/common.h"
#include "version/vs_int.h"

/* Token kinds in the order apk-tools uses: the order is the semantics, because when two
 * versions differ in kind at the same position the later kind is the lower version. */
enum tok {
	T_INITIAL_DIGIT,
	T_DIGIT,
	T_LETTER,
	T_SUFFIX,
	T_SUFFIX_NO,
	T_COMMIT_HASH,
	T_REVISION_NO,
	T_END,
	T_INVALID
};

/* Suffix values: pre-release ones below NONE, post-release ones above. */
enum {
	SUF_INVALID,
	SUF_ALPHA,
	SUF_BETA,
	SUF_PRE,
	SUF_RC,
	SUF_NONE,
	SUF_CVS,
	SUF_SVN,
	SUF_GIT,
	SUF_HG,
	SUF_P
};

struct tstate {
	enum tok t;
	int suffix;
	ld_slice value;
	ld_slice rest;
};

static int suffix_value(ld_slice s)
{
	static const struct {
		const char *name;
		int v;
	} names[] = {{"alpha", SUF_ALPHA}, {"beta", SUF_BETA}, {"pre", SUF_PRE},
		     {"rc", SUF_RC},	   {"cvs", SUF_CVS},   {"svn", SUF_SVN},
		     {"git", SUF_GIT},	   {"hg", SUF_HG},     {"p", SUF_P}};
	for (size_t i = 0; i < LD_ARRAY_LEN(names); i++)
		if (ld_slice_eq_cstr(s, names[i].name))
			return names[i].v;
	return SUF_INVALID;
}

/* apk's APK_CTYPE_HEXDIGIT: lowercase only */
static bool is_hex(int c)
{
	return ld_vs_isdigit(c) || (c >= 'a' && c <= 'f');
}

static void take(struct tstate *s, size_t n)
{
	s->value = ld_slice_make(s->rest.ptr, n);
	s->rest.ptr += n;
	s->rest.len -= n;
}

static void parse_digits(struct tstate *s)
{
	size_t n = 0;
	while (n < s->rest.len && ld_vs_isdigit((unsigned char)s->rest.ptr[n]))
		n++;
	take(s, n);
	if (!n)
		s->t = T_INVALID;
}

static void token_first(struct tstate *s, ld_slice v)
{
	s->rest = v;
	s->t = T_INITIAL_DIGIT;
	s->suffix = SUF_NONE;
	parse_digits(s);
}

static void token_next(struct tstate *s)
{
	int c;
	size_t n = 0;

	if (!s->rest.len) {
		s->t = T_END;
		return;
	}
	c = (unsigned char)s->rest.ptr[0];
	if (c >= 'a' && c <= 'z') {
		if (s->t > T_DIGIT)
			goto invalid;
		take(s, 1);
		s->t = T_LETTER;
		return;
	}
	if (c == '.' || ld_vs_isdigit(c)) {
		if (c == '.') {
			if (s->t > T_DIGIT)
				goto invalid;
			take(s, 1);
		}
		if (s->t == T_INITIAL_DIGIT || s->t == T_DIGIT)
			s->t = T_DIGIT;
		else if (s->t == T_SUFFIX)
			s->t = T_SUFFIX_NO;
		else
			goto invalid;
		parse_digits(s);
		return;
	}
	switch (c) {
	case '_':
		if (s->t > T_SUFFIX_NO)
			goto invalid;
		take(s, 1);
		while (n < s->rest.len && s->rest.ptr[n] >= 'a' && s->rest.ptr[n] <= 'z')
			n++;
		take(s, n);
		s->suffix = suffix_value(s->value);
		if (s->suffix == SUF_INVALID)
			goto invalid;
		s->t = T_SUFFIX;
		return;
	case '~':
		if (s->t >= T_COMMIT_HASH)
			goto invalid;
		take(s, 1);
		while (n < s->rest.len && is_hex((unsigned char)s->rest.ptr[n]))
			n++;
		take(s, n);
		if (!n)
			goto invalid;
		s->t = T_COMMIT_HASH;
		return;
	case '-':
		if (s->t >= T_REVISION_NO)
			goto invalid;
		if (s->rest.len < 2 || s->rest.ptr[1] != 'r')
			goto invalid;
		take(s, 2);
		s->t = T_REVISION_NO;
		parse_digits(s);
		return;
	default:
		break;
	}
invalid:
	s->t = T_INVALID;
}

static int token_cmp(const struct tstate *a, const struct tstate *b)
{
	switch (a->t) {
	case T_DIGIT:
		/* a leading zero makes it a string comparison (as in Gentoo) */
		if (a->value.ptr[0] == '0' || b->value.ptr[0] == '0')
			return ld_vs_bytecmp(a->value, b->value);
		return ld_vs_numcmp(a->value, b->value);
	case T_INITIAL_DIGIT:
	case T_SUFFIX_NO:
	case T_REVISION_NO:
		return ld_vs_numcmp(a->value, b->value);
	case T_LETTER:
		return ld_vs_sign((unsigned char)a->value.ptr[0] - (unsigned char)b->value.ptr[0]);
	case T_SUFFIX:
		return ld_vs_sign(a->suffix - b->suffix);
	default:
		return ld_vs_bytecmp(a->value, b->value);
	}
}

static int apk_version_cmp(ld_slice a, ld_slice b)
{
	struct tstate ta, tb;

	for (token_first(&ta, a), token_first(&tb, b); ta.t == tb.t && ta.t < T_END;
	     token_next(&ta), token_next(&tb)) {
		int r = token_cmp(&ta, &tb);
		if (r)
			return r;
	}
	if (ta.t == tb.t)
		return ta.t == T_INVALID ? ld_vs_bytecmp(a, b) : 0;
	/* equal so far: the longer one is newer unless what follows is a pre-release suffix */
	if (ta.t == T_SUFFIX && ta.suffix < SUF_NONE)
		return -1;
	if (tb.t == T_SUFFIX && tb.suffix < SUF_NONE)
		return 1;
	return ta.t > tb.t ? -1 : 1;
}

static bool apk_version_valid(ld_slice v)
{
	struct tstate t;
	for (token_first(&t, v); t.t < T_END; token_next(&t))
		;
	return t.t == T_END;
}

const ld_vscheme_ops ld_vs_apk_ops = {
	.name = "apk",
	.aliases = "alpine wolfi chainguard",
	.cmp = apk_version_cmp,
	.valid = apk_version_valid,
};

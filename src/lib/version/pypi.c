/* Python package versions, PEP 440: [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with the
 * normalizations of the specification (case, alternative spellings alpha/beta/c/pre/preview,
 * rev/r, "-N" post releases, optional separators and numbers, a leading 'v', surrounding
 * whitespace), ordered as the `packaging` library's Version does (implicit zeros 1.0 == 1.0.0).
 * Strings that are not PEP 440 versions sort before all that are.
 *
 * Limits: none needed: the parse records slices only and the comparison walks them. */
#include "util/common.h"
#include "version/vs_int.h"

enum { PRE_NONE, PRE_A, PRE_B, PRE_RC };

struct pep440 {
	ld_slice epoch, release;
	int pre;
	ld_slice pre_n, post_n, dev_n, local;
	bool has_post, has_dev, has_local;
};

struct cur {
	ld_slice s;
	size_t i;
};

static int peek(const struct cur *c, size_t off)
{
	return c->i + off < c->s.len ? (unsigned char)c->s.ptr[c->i + off] : -1;
}

static bool is_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

static ld_slice digits(struct cur *c)
{
	size_t start = c->i;
	while (ld_vs_isdigit(peek(c, 0)))
		c->i++;
	return ld_slice_make(c->s.ptr + start, c->i - start);
}

/* Case-insensitive literal at the cursor; advances past it. */
static bool lit(struct cur *c, const char *w)
{
	size_t n = strlen(w);
	if (c->s.len - c->i < n || !ld_vs_caseeq(ld_slice_make(c->s.ptr + c->i, n), w))
		return false;
	c->i += n;
	return true;
}

/* [-_.]? KEYWORD [-_.]? [0-9]* with keywords tried in the reference regex's order; returns the
 * index of the keyword matched or -1 (cursor unchanged). */
static int component(struct cur *c, const char *const *words, size_t nwords, ld_slice *num)
{
	size_t save = c->i;
	if (is_sep(peek(c, 0)))
		c->i++;
	for (size_t w = 0; w < nwords; w++) {
		if (lit(c, words[w])) {
			if (is_sep(peek(c, 0)))
				c->i++;
			*num = digits(c);
			return (int)w;
		}
	}
	c->i = save;
	return -1;
}

static bool pep440_parse(ld_slice v, struct pep440 *p)
{
	static const char *const pre_words[] = {"alpha",   "a",	  "beta", "b",
						"preview", "pre", "c",	  "rc"};
	static const int pre_kind[] = {PRE_A, PRE_A, PRE_B, PRE_B, PRE_RC, PRE_RC, PRE_RC, PRE_RC};
	static const char *const post_words[] = {"post", "rev", "r"};
	static const char *const dev_words[] = {"dev"};
	struct cur c = {ld_vs_trim_space(v), 0};
	ld_slice d;
	int k;

	memset(p, 0, sizeof(*p));
	if (peek(&c, 0) == 'v' || peek(&c, 0) == 'V')
		c.i++;
	d = digits(&c);
	if (!d.len)
		return false;
	if (peek(&c, 0) == '!') {
		p->epoch = d;
		c.i++;
		d = digits(&c);
		if (!d.len)
			return false;
	}
	while (peek(&c, 0) == '.' && ld_vs_isdigit(peek(&c, 1))) {
		c.i++;
		(void)digits(&c);
	}
	p->release = ld_slice_make(d.ptr, (size_t)(c.s.ptr + c.i - d.ptr));

	k = component(&c, pre_words, LD_ARRAY_LEN(pre_words), &p->pre_n);
	if (k >= 0)
		p->pre = pre_kind[k];
	if (peek(&c, 0) == '-' && ld_vs_isdigit(peek(&c, 1))) {
		c.i++;
		p->has_post = true;
		p->post_n = digits(&c);
	} else if (component(&c, post_words, LD_ARRAY_LEN(post_words), &p->post_n) >= 0) {
		p->has_post = true;
	}
	if (component(&c, dev_words, 1, &p->dev_n) >= 0)
		p->has_dev = true;
	if (peek(&c, 0) == '+') {
		size_t start = ++c.i;
		for (;;) {
			size_t seg = c.i;
			while (ld_vs_isalnum(peek(&c, 0)))
				c.i++;
			if (c.i == seg)
				return false;
			if (!is_sep(peek(&c, 0)))
				break;
			c.i++;
		}
		p->has_local = true;
		p->local = ld_slice_make(c.s.ptr + start, c.i - start);
	}
	return c.i == c.s.len;
}

/* Next number of a dot-separated release, or an empty slice (= 0) past its end. */
static ld_slice next_num(ld_slice *rel)
{
	ld_slice out;
	ptrdiff_t dot = ld_slice_find(*rel, '.');
	if (!rel->len)
		return LD_SLICE_NULL;
	if (dot < 0) {
		out = *rel;
		*rel = LD_SLICE_NULL;
		return out;
	}
	out = ld_slice_make(rel->ptr, (size_t)dot);
	*rel = ld_slice_make(rel->ptr + dot + 1, rel->len - (size_t)dot - 1);
	return out;
}

static ld_slice next_local(ld_slice *l, bool *more)
{
	size_t i = 0;
	ld_slice out;
	while (i < l->len && !is_sep((unsigned char)l->ptr[i]))
		i++;
	out = ld_slice_make(l->ptr, i);
	*more = i < l->len;
	*l = ld_slice_make(l->ptr + LD_MIN(i + 1, l->len), l->len - LD_MIN(i + 1, l->len));
	return out;
}

/* Local versions: segment by segment, numbers (by value) above strings (case-insensitive); a
 * shorter local version that is a prefix of a longer one sorts first. */
static int local_cmp(ld_slice a, ld_slice b)
{
	bool ma = true, mb = true;
	while (ma && mb) {
		ld_slice x = next_local(&a, &ma), y = next_local(&b, &mb);
		bool nx = ld_vs_alldigits(x), ny = ld_vs_alldigits(y);
		int r;
		if (nx != ny)
			return nx ? 1 : -1;
		r = nx ? ld_vs_numcmp(x, y) : ld_vs_casecmp(x, y);
		if (r)
			return r;
	}
	return ma == mb ? 0 : (ma ? 1 : -1);
}

/* Rank of the pre-release slot: a dev release of a final version (1.0.dev1) sorts before any
 * pre-release of it, a version without pre-release after all of them. */
static int pre_rank(const struct pep440 *p)
{
	if (!p->pre && !p->has_post && p->has_dev)
		return 0;
	return p->pre ? 1 : 2;
}

static int pep440_cmp(const struct pep440 *a, const struct pep440 *b)
{
	ld_slice ra = a->release, rb = b->release;
	int r = ld_vs_numcmp(a->epoch, b->epoch);
	if (r)
		return r;
	while (ra.len || rb.len) {
		r = ld_vs_numcmp(next_num(&ra), next_num(&rb));
		if (r)
			return r;
	}
	r = ld_vs_sign(pre_rank(a) - pre_rank(b));
	if (r)
		return r;
	if (a->pre && b->pre) {
		r = ld_vs_sign(a->pre - b->pre);
		if (!r)
			r = ld_vs_numcmp(a->pre_n, b->pre_n);
		if (r)
			return r;
	}
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	r = ld_vs_numcmp(a->post_n, b->post_n);
	if (r)
		return r;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	r = ld_vs_numcmp(a->dev_n, b->dev_n);
	if (r)
		return r;
	if (a->has_local != b->has_local)
		return a->has_local ? 1 : -1;
	return a->has_local ? local_cmp(a->local, b->local) : 0;
}

static int pypi_version_cmp(ld_slice a, ld_slice b)
{
	struct pep440 x, y;
	bool okx = pep440_parse(a, &x), oky = pep440_parse(b, &y);
	if (okx && oky)
		return pep440_cmp(&x, &y);
	if (okx != oky)
		return okx ? 1 : -1;
	return ld_vs_invalid_cmp(a, b);
}

static bool pypi_version_valid(ld_slice v)
{
	struct pep440 x;
	return pep440_parse(v, &x);
}

const ld_vscheme_ops ld_vs_pypi_ops = {
	.name = "pypi",
	.aliases = "pep440 python pip",
	.cmp = pypi_version_cmp,
	.valid = pypi_version_valid,
};

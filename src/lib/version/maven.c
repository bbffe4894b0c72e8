/* Maven versions, ordered as Maven 3.9's ComparableVersion (maven-artifact): items split at
 * '.', '-' and digit/letter transitions; '-' and transitions open a sub-list; trailing "null"
 * items (0, "", empty list) are dropped; qualifiers alpha=a < beta=b < milestone=m < rc=cr <
 * snapshot < "" = ga = final = release < sp < any other (case-insensitive, lexical). Every
 * string is a Maven version, as in Maven.
 *
 * Limits: the item tree lives in a fixed array on the stack; a longer string compares with the
 * generic rules, after every string within the limit. */
#define MVN_MAX_LEN   256		    /* bytes of one version */
#define MVN_MAX_NODES (3 * MVN_MAX_LEN + 4) /* at most 3 items per byte, the root, the tail */

#include "util/common.h"
#include "version/vs_int.h"

enum { N_INT, N_STR, N_LIST };
/* Numbers keep Java's item classes: int (<= 9 digits), long (<= 18), BigInteger. Leading zeros
 * are stripped first, except that an all-zero run keeps its length (as Maven does). */
enum { Q_ALPHA, Q_BETA, Q_MILESTONE, Q_RC, Q_SNAPSHOT, Q_RELEASE, Q_SP, Q_OTHER };

struct mnode {
	uint8_t type;
	uint8_t qual;  /* N_STR: Q_* */
	int16_t first; /* N_LIST: children */
	int16_t last;
	int16_t next; /* siblings */
	int16_t prev;
	uint16_t off; /* N_INT digits after stripping / N_STR text (Q_OTHER) */
	uint16_t len;
};

struct mtree {
	ld_slice s;
	struct mnode n[MVN_MAX_NODES];
	int count;
};

static int new_node(struct mtree *t, int type)
{
	struct mnode *m = &t->n[t->count];
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->first = m->last = m->next = m->prev = -1;
	return t->count++;
}

static void append(struct mtree *t, int list, int child)
{
	struct mnode *l = &t->n[list];
	t->n[child].prev = l->last;
	if (l->last >= 0)
		t->n[l->last].next = (int16_t)child;
	else
		l->first = (int16_t)child;
	l->last = (int16_t)child;
}

static int add_list(struct mtree *t, int list)
{
	int n = new_node(t, N_LIST);
	append(t, list, n);
	return n;
}

static int qualifier(ld_slice q, bool followed_by_digit)
{
	static const struct {
		const char *name;
		int q;
	} names[] = {{"alpha", Q_ALPHA}, {"beta", Q_BETA},     {"milestone", Q_MILESTONE},
		     {"rc", Q_RC},	 {"cr", Q_RC},	       {"snapshot", Q_SNAPSHOT},
		     {"ga", Q_RELEASE},	 {"final", Q_RELEASE}, {"release", Q_RELEASE},
		     {"", Q_RELEASE},	 {"sp", Q_SP}};
	if (followed_by_digit && q.len == 1) {
		switch (ld_vs_tolower((unsigned char)q.ptr[0])) {
		case 'a':
			return Q_ALPHA;
		case 'b':
			return Q_BETA;
		case 'm':
			return Q_MILESTONE;
		default:
			break;
		}
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(names); i++)
		if (ld_vs_caseeq(q, names[i].name))
			return names[i].q;
	return Q_OTHER;
}

static void add_item(struct mtree *t, int list, bool digit, size_t start, size_t end, bool fbd)
{
	int n = new_node(t, digit ? N_INT : N_STR);
	struct mnode *m = &t->n[n];
	ld_slice s = ld_slice_make(t->s.ptr + start, end - start);
	if (digit) {
		size_t z = 0;
		while (z < s.len && s.ptr[z] == '0')
			z++;
		if (z == s.len)
			z = 0; /* all zeros: Maven keeps the run as it is */
		m->off = (uint16_t)(start + z);
		m->len = (uint16_t)(s.len - z);
	} else {
		m->qual = (uint8_t)qualifier(s, fbd);
		m->off = (uint16_t)start;
		m->len = (uint16_t)s.len;
	}
	append(t, list, n);
}

static void add_zero(struct mtree *t, int list)
{
	int n = new_node(t, N_INT);
	t->n[n].off = 0;
	t->n[n].len = 0; /* zero */
	append(t, list, n);
}

static bool is_null(const struct mtree *t, int i)
{
	const struct mnode *m = &t->n[i];
	if (m->type == N_LIST)
		return m->first < 0;
	if (m->type == N_STR)
		return m->qual == Q_RELEASE;
	for (size_t k = 0; k < m->len; k++)
		if (t->s.ptr[m->off + k] != '0')
			return false;
	return true;
}

static void normalize(struct mtree *t, int list)
{
	int i = t->n[list].last;
	while (i >= 0) {
		int prev = t->n[i].prev;
		if (is_null(t, i)) {
			/* unlink it: it may sit before a non-empty sub-list, so not always the tail
			 */
			int next = t->n[i].next;
			if (prev >= 0)
				t->n[prev].next = (int16_t)next;
			else
				t->n[list].first = (int16_t)next;
			if (next >= 0)
				t->n[next].prev = (int16_t)prev;
			else
				t->n[list].last = (int16_t)prev;
		} else if (t->n[i].type != N_LIST) {
			break;
		}
		/* a non-empty list stays, and items before it are still candidates */
		i = prev;
	}
}

static bool mvn_parse(ld_slice v, struct mtree *t)
{
	int list;
	bool digit = false;
	size_t start = 0;

	if (v.len > MVN_MAX_LEN)
		return false;
	t->s = v;
	t->count = 0;
	list = new_node(t, N_LIST);
	for (size_t i = 0; i < v.len; i++) {
		int c = (unsigned char)v.ptr[i];
		if (c == '.' || c == '-') {
			if (i == start)
				add_zero(t, list);
			else
				add_item(t, list, digit, start, i, false);
			start = i + 1;
			if (c == '-')
				list = add_list(t, list);
		} else if (ld_vs_isdigit(c)) {
			if (!digit && i > start) {
				/* 1.0.0.X1 < 1.0.0-X2: a qualifier after '.' opens a sub-list too
				 */
				if (t->n[list].first >= 0)
					list = add_list(t, list);
				add_item(t, list, false, start, i, true);
				start = i;
				list = add_list(t, list);
			}
			digit = true;
		} else {
			if (digit && i > start) {
				add_item(t, list, true, start, i, false);
				start = i;
				list = add_list(t, list);
			}
			digit = false;
		}
	}
	if (v.len > start) {
		if (!digit && t->n[list].first >= 0)
			list = add_list(t, list);
		add_item(t, list, digit, start, v.len, false);
	}
	/* children are created after their parent list: normalize innermost first */
	for (int i = t->count - 1; i >= 0; i--)
		if (t->n[i].type == N_LIST)
			normalize(t, i);
	return true;
}

static int num_class(const struct mnode *m)
{
	return m->len <= 9 ? 0 : (m->len <= 18 ? 1 : 2);
}

static int qual_cmp(const struct mtree *ta, const struct mnode *a, const struct mtree *tb,
		    const struct mnode *b)
{
	if (a->qual != b->qual)
		return a->qual < b->qual ? -1 : 1;
	if (a->qual != Q_OTHER)
		return 0;
	return ld_vs_casecmp(ld_slice_make(ta->s.ptr + a->off, a->len),
			     ld_slice_make(tb->s.ptr + b->off, b->len));
}

static int item_cmp(const struct mtree *ta, int ia, const struct mtree *tb, int ib);

/* An item against a missing one ("null"): is it above or below the release? */
static int item_cmp_null(const struct mtree *t, int i)
{
	const struct mnode *m = &t->n[i];
	if (m->type == N_INT)
		return is_null(t, i) ? 0 : 1;
	if (m->type == N_STR)
		return ld_vs_sign((int)m->qual - Q_RELEASE);
	for (int c = m->first; c >= 0; c = t->n[c].next) {
		int r = item_cmp_null(t, c);
		if (r)
			return r;
	}
	return 0;
}

static int list_cmp(const struct mtree *ta, int la, const struct mtree *tb, int lb)
{
	int a = ta->n[la].first, b = tb->n[lb].first;
	while (a >= 0 || b >= 0) {
		int r;
		if (a < 0)
			r = -item_cmp_null(tb, b);
		else if (b < 0)
			r = item_cmp_null(ta, a);
		else
			r = item_cmp(ta, a, tb, b);
		if (r)
			return r;
		if (a >= 0)
			a = ta->n[a].next;
		if (b >= 0)
			b = tb->n[b].next;
	}
	return 0;
}

static int item_cmp(const struct mtree *ta, int ia, const struct mtree *tb, int ib)
{
	const struct mnode *a = &ta->n[ia], *b = &tb->n[ib];
	switch (a->type) {
	case N_INT:
		if (b->type != N_INT)
			return 1; /* 1.1 > 1-sp, 1.1 > 1-1 */
		if (num_class(a) != num_class(b))
			return num_class(a) < num_class(b) ? -1 : 1;
		return ld_vs_numcmp(ld_slice_make(ta->s.ptr + a->off, a->len),
				    ld_slice_make(tb->s.ptr + b->off, b->len));
	case N_STR:
		if (b->type != N_STR)
			return -1; /* 1.any < 1.1, 1.any < 1-1 */
		return qual_cmp(ta, a, tb, b);
	default:
		if (b->type == N_INT)
			return -1; /* 1-1 < 1.0.x */
		if (b->type == N_STR)
			return 1; /* 1-1 > 1-sp */
		return list_cmp(ta, ia, tb, ib);
	}
}

static int maven_version_cmp(ld_slice a, ld_slice b)
{
	struct mtree x, y;
	bool okx = mvn_parse(a, &x), oky = mvn_parse(b, &y);
	if (okx && oky)
		return list_cmp(&x, 0, &y, 0);
	if (okx != oky)
		return okx ? 1 : -1;
	return ld_vs_invalid_cmp(a, b);
}

static bool maven_version_valid(ld_slice v)
{
	/* Maven accepts every string; "valid" means non-empty, printable, within our limit. */
	if (!v.len || v.len > MVN_MAX_LEN)
		return false;
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.ptr[i] <= ' ' || v.ptr[i] == 0x7f)
			return false;
	return true;
}

const ld_vscheme_ops ld_vs_maven_ops = {
	.name = "maven",
	.aliases = "java gradle",
	.cmp = maven_version_cmp,
	.valid = maven_version_valid,
};

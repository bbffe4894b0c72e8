/* Byte patterns for the binary classifiers: a small regular-expression subset run over whole
 * executables. Candidate positions come from the pattern's literal prefix (memmem) or, for a
 * pattern that begins with a class, from the starts of runs of that class; a backtracking
 * matcher then tries each candidate within a bounded window and a bounded number of steps, so
 * no input can make a search slow. Syntax: docs/catalogers.md. */
#include "util/common.h"
#include "catalog/binfmt.h"

#define UNBOUNDED 0xffffu

enum { N_SET, N_GROUP };

typedef struct bnode bnode;
typedef struct balt balt;

struct bnode {
	uint8_t kind;
	bool capture;
	uint16_t min, max;
	uint8_t set[32]; /* N_SET: bitmap of accepted bytes */
	balt *alts;	 /* N_GROUP: alternatives */
	bnode *next;	 /* next node of the same sequence */
};

struct balt {
	bnode *head; /* NULL = empty alternative */
	balt *next;
};

struct ld_bpat {
	bnode nodes[LD_BPAT_MAX_NODES];
	balt alts[LD_BPAT_MAX_NODES];
	size_t nnodes, nalts;
	bnode *top; /* a group holding the whole pattern */
	unsigned char prefix[LD_BPAT_MAX_SRC];
	size_t prefix_len;
	uint8_t first[32]; /* when there is no prefix */
	unsigned ncaptures;
};

static inline bool inset(const uint8_t *set, unsigned char c)
{
	return set[c >> 3] & (1u << (c & 7));
}

static inline void setbit(uint8_t *set, unsigned char c)
{
	set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* ---- compiler ---- */

typedef struct parser {
	ld_bpat *p;
	const char *s;
	size_t i, n;
	char *err;
	size_t errsz;
	bool failed;
	unsigned depth;
} parser;

#define MAX_DEPTH 16 /* group nesting */

static bool fail(parser *ps, const char *why)
{
	if (!ps->failed)
		ld_snprintf(ps->err, ps->errsz, "%s at offset %zu", why, ps->i);
	ps->failed = true;
	return false;
}

static bnode *new_node(parser *ps, int kind)
{
	bnode *n;
	if (ps->p->nnodes >= LD_BPAT_MAX_NODES) {
		fail(ps, "too many pattern elements");
		return NULL;
	}
	n = &ps->p->nodes[ps->p->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->min = n->max = 1;
	return n;
}

/* An escape after '\': fills `set` with what it stands for. */
static bool escape(parser *ps, uint8_t *set, int *single)
{
	char c;
	*single = -1;
	if (ps->i >= ps->n)
		return fail(ps, "pattern ends with '\\'");
	c = ps->s[ps->i++];
	switch (c) {
	case 'x': {
		int h, l;
		if (ps->i + 2 > ps->n || (h = ld_hex_value((unsigned char)ps->s[ps->i])) < 0 ||
		    (l = ld_hex_value((unsigned char)ps->s[ps->i + 1])) < 0)
			return fail(ps, "\\x needs two hex digits");
		ps->i += 2;
		*single = h * 16 + l;
		break;
	}
	case '0':
		*single = 0;
		break;
	case 't':
		*single = '\t';
		break;
	case 'n':
		*single = '\n';
		break;
	case 'r':
		*single = '\r';
		break;
	case 'd':
		for (int b = '0'; b <= '9'; b++)
			setbit(set, (unsigned char)b);
		return true;
	case 'w':
		for (int b = 0; b < 256; b++)
			if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
			    (b >= 'A' && b <= 'Z') || b == '_')
				setbit(set, (unsigned char)b);
		return true;
	case 's':
		setbit(set, ' ');
		setbit(set, '\t');
		setbit(set, '\n');
		setbit(set, '\r');
		setbit(set, '\f');
		setbit(set, '\v');
		return true;
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			return fail(ps, "unknown escape");
		*single = (unsigned char)c; /* \. \( \\ ... */
		break;
	}
	setbit(set, (unsigned char)*single);
	return true;
}

static bool parse_class(parser *ps, uint8_t *set)
{
	bool neg = false, any = false;
	if (ps->i < ps->n && ps->s[ps->i] == '^') {
		neg = true;
		ps->i++;
	}
	while (ps->i < ps->n && ps->s[ps->i] != ']') {
		int lo, hi;
		uint8_t tmp[32] = {0};
		if (ps->s[ps->i] == '\\') {
			ps->i++;
			if (!escape(ps, tmp, &lo))
				return false;
			if (lo < 0) { /* \d \w \s */
				for (int b = 0; b < 32; b++)
					set[b] |= tmp[b];
				any = true;
				continue;
			}
		} else {
			lo = (unsigned char)ps->s[ps->i++];
		}
		hi = lo;
		if (ps->i + 1 < ps->n && ps->s[ps->i] == '-' && ps->s[ps->i + 1] != ']') {
			ps->i++;
			if (ps->s[ps->i] == '\\') {
				ps->i++;
				if (!escape(ps, tmp, &hi))
					return false;
				if (hi < 0)
					return fail(ps, "a range cannot end with a class");
			} else {
				hi = (unsigned char)ps->s[ps->i++];
			}
			if (hi < lo)
				return fail(ps, "reversed range");
		}
		for (int b = lo; b <= hi; b++)
			setbit(set, (unsigned char)b);
		any = true;
	}
	if (ps->i >= ps->n)
		return fail(ps, "unterminated '['");
	ps->i++;
	if (!any)
		return fail(ps, "empty class");
	if (neg)
		for (int b = 0; b < 32; b++)
			set[b] = (uint8_t)~set[b];
	return true;
}

static bool parse_num(parser *ps, unsigned *out)
{
	unsigned v = 0;
	size_t start = ps->i;
	while (ps->i < ps->n && ps->s[ps->i] >= '0' && ps->s[ps->i] <= '9' &&
	       v <= LD_BPAT_MAX_REPEAT)
		v = v * 10 + (unsigned)(ps->s[ps->i++] - '0');
	if (ps->i == start)
		return fail(ps, "number expected");
	if (v > LD_BPAT_MAX_REPEAT)
		return fail(ps, "repeat count too large");
	*out = v;
	return true;
}

static bool quantifier(parser *ps, bnode *n)
{
	char c;
	unsigned lo, hi;
	if (ps->i >= ps->n)
		return true;
	c = ps->s[ps->i];
	if (c == '?' || c == '*' || c == '+') {
		ps->i++;
		n->min = c == '+' ? 1 : 0;
		n->max = c == '?' ? 1 : UNBOUNDED;
	} else if (c == '{') {
		ps->i++;
		if (!parse_num(ps, &lo))
			return false;
		hi = lo;
		if (ps->i < ps->n && ps->s[ps->i] == ',') {
			ps->i++;
			if (ps->i < ps->n && ps->s[ps->i] == '}')
				hi = UNBOUNDED;
			else if (!parse_num(ps, &hi))
				return false;
		}
		if (ps->i >= ps->n || ps->s[ps->i] != '}')
			return fail(ps, "'}' expected");
		ps->i++;
		if (hi < lo)
			return fail(ps, "{n,m} with m < n");
		n->min = (uint16_t)lo;
		n->max = (uint16_t)hi;
	} else {
		return true;
	}
	if (ps->i < ps->n && strchr("?*+{", ps->s[ps->i]))
		return fail(ps, "nested quantifier (lazy and possessive forms are not supported)");
	return true;
}

static balt *parse_alt(parser *ps);

static bnode *parse_atom(parser *ps)
{
	char c = ps->s[ps->i];
	bnode *n;
	if (c == '(') {
		bool capture = true;
		ps->i++;
		if (ps->i + 1 < ps->n && ps->s[ps->i] == '?' && ps->s[ps->i + 1] == ':') {
			capture = false;
			ps->i += 2;
		} else if (ps->i < ps->n && ps->s[ps->i] == '?') {
			fail(ps, "only (?: ) groups are supported");
			return NULL;
		}
		if (++ps->depth > MAX_DEPTH) {
			fail(ps, "groups nested too deeply");
			return NULL;
		}
		if (!(n = new_node(ps, N_GROUP)) || !(n->alts = parse_alt(ps)))
			return NULL;
		ps->depth--;
		if (ps->i >= ps->n || ps->s[ps->i] != ')') {
			fail(ps, "')' expected");
			return NULL;
		}
		ps->i++;
		n->capture = capture;
		if (capture)
			ps->p->ncaptures++;
		return n;
	}
	if (!(n = new_node(ps, N_SET)))
		return NULL;
	ps->i++;
	switch (c) {
	case '[':
		if (!parse_class(ps, n->set))
			return NULL;
		break;
	case '.':
		memset(n->set, 0xff, sizeof(n->set));
		break;
	case '\\': {
		int single;
		if (!escape(ps, n->set, &single))
			return NULL;
		break;
	}
	case ')':
	case ']':
	case '}':
	case '?':
	case '*':
	case '+':
	case '{':
	case '^':
	case '$':
		ps->i--;
		fail(ps, c == '^' || c == '$' ? "anchors are not supported"
					      : "unexpected metacharacter");
		return NULL;
	default:
		setbit(n->set, (unsigned char)c);
		break;
	}
	return n;
}

static balt *parse_alt(parser *ps)
{
	balt *first = NULL, **tail = &first;
	for (;;) {
		bnode *head = NULL, **nt = &head;
		balt *a;
		if (ps->p->nalts >= LD_BPAT_MAX_NODES) {
			fail(ps, "too many alternatives");
			return NULL;
		}
		a = &ps->p->alts[ps->p->nalts++];
		while (ps->i < ps->n && ps->s[ps->i] != '|' && ps->s[ps->i] != ')') {
			bnode *n = parse_atom(ps);
			if (!n || !quantifier(ps, n))
				return NULL;
			*nt = n;
			nt = &n->next;
		}
		a->head = head;
		a->next = NULL;
		*tail = a;
		tail = &a->next;
		if (ps->i < ps->n && ps->s[ps->i] == '|') {
			ps->i++;
			continue;
		}
		return first;
	}
}

/* The bytes a match can begin with; false when the first element may match nothing. */
static bool first_set(const bnode *n, uint8_t *set)
{
	if (!n || n->min == 0)
		return false;
	if (n->kind == N_SET) {
		for (int b = 0; b < 32; b++)
			set[b] |= n->set[b];
		return true;
	}
	for (const balt *a = n->alts; a; a = a->next)
		if (!first_set(a->head, set))
			return false;
	return true;
}

static int single_byte(const bnode *n)
{
	int found = -1;
	if (n->kind != N_SET || n->min != 1 || n->max != 1)
		return -1;
	for (int b = 0; b < 256; b++)
		if (inset(n->set, (unsigned char)b)) {
			if (found >= 0)
				return -1;
			found = b;
		}
	return found;
}

int ld_bpat_compile(ld_bpat **out, const char *src, char *err, size_t errsz)
{
	parser ps;
	ld_bpat *p;
	size_t n = strlen(src);

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (!n || n > LD_BPAT_MAX_SRC) {
		ld_snprintf(err, errsz, "pattern empty or longer than %d bytes", LD_BPAT_MAX_SRC);
		return LADING_EINVALID;
	}
	if (!(p = calloc(1, sizeof(*p))))
		return LADING_ENOMEM;
	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.s = src;
	ps.n = n;
	ps.err = err;
	ps.errsz = errsz;
	if ((p->top = new_node(&ps, N_GROUP)) && (p->top->alts = parse_alt(&ps)) && ps.i < ps.n)
		fail(&ps, "unbalanced ')'");
	if (!ps.failed && p->ncaptures != 1)
		fail(&ps, "the pattern needs exactly one capturing group (the version)");
	if (!ps.failed && !p->top->alts->next) {
		/* a literal prefix found with memmem: the common and fast case */
		for (const bnode *q = p->top->alts->head; q; q = q->next) {
			int b = single_byte(q);
			if (b < 0)
				break;
			p->prefix[p->prefix_len++] = (unsigned char)b;
		}
	}
	if (!ps.failed && !p->prefix_len && !first_set(p->top, p->first))
		fail(&ps, "the pattern must begin with a literal or a class");
	if (ps.failed) {
		free(p);
		return LADING_EINVALID;
	}
	*out = p;
	return 0;
}

void ld_bpat_free(ld_bpat *p)
{
	free(p);
}

/* ---- matcher ---- */

typedef struct kont kont;
struct kont {
	const bnode *node; /* continue with this node... */
	const bnode *rep;  /* ...or, when set, this frame ends one iteration of group `rep` */
	unsigned cnt;	   /* iterations done, this one included */
	size_t start;	   /* where this iteration began */
	const kont *next;
};

#define MAX_FRAMES 4096 /* matcher recursion depth (nested repeats of empty groups) */

typedef struct matcher {
	const unsigned char *d;
	size_t limit;
	uint64_t steps, total, budget;
	unsigned frames;
	bool gave_up; /* this candidate took too many steps */
	bool aborted;
	size_t cs, ce; /* capture */
} matcher;

static bool m_node(matcher *m, const bnode *n, size_t pos, const kont *k);

static bool m_kont(matcher *m, size_t pos, const kont *k);

static bool m_group(matcher *m, const bnode *g, unsigned cnt, size_t pos, const kont *after)
{
	if (cnt < g->max) {
		for (const balt *a = g->alts; a; a = a->next) {
			kont it = {NULL, g, cnt + 1, pos, after};
			if (m_node(m, a->head, pos, &it))
				return true;
			if (m->aborted)
				return false;
		}
	}
	return cnt >= g->min && m_kont(m, pos, after);
}

static bool m_kont(matcher *m, size_t pos, const kont *k)
{
	if (!k)
		return true;
	if (k->rep) {
		size_t cs = m->cs, ce = m->ce;
		/* an iteration that matched nothing beyond the minimum would loop forever */
		if (pos == k->start && k->cnt > k->rep->min)
			return false;
		if (k->rep->capture) {
			m->cs = k->start;
			m->ce = pos;
		}
		if (m_group(m, k->rep, k->cnt, pos, k->next))
			return true;
		m->cs = cs;
		m->ce = ce;
		return false;
	}
	return m_node(m, k->node, pos, k->next);
}

static bool m_node1(matcher *m, const bnode *n, size_t pos, const kont *k);

static bool m_node(matcher *m, const bnode *n, size_t pos, const kont *k)
{
	bool r;
	if (m->aborted)
		return false;
	if (++m->total > m->budget) {
		m->aborted = true; /* the whole search */
		return false;
	}
	if (++m->steps > LD_BPAT_MAX_STEPS || m->frames >= MAX_FRAMES) {
		m->gave_up = m->aborted = true; /* this candidate only: reset below */
		return false;
	}
	m->frames++;
	r = m_node1(m, n, pos, k);
	m->frames--;
	return r;
}

static bool m_node1(matcher *m, const bnode *n, size_t pos, const kont *k)
{
	size_t c = 0;
	if (!n)
		return m_kont(m, pos, k);
	if (n->kind == N_GROUP) {
		kont after = {n->next, NULL, 0, 0, k};
		return m_group(m, n, 0, pos, &after);
	}
	while (c < n->max && pos + c < m->limit && inset(n->set, m->d[pos + c]))
		c++;
	if (c < n->min)
		return false;
	for (;;) {
		if (m_node(m, n->next, pos + c, k))
			return true;
		if (m->aborted || c == n->min)
			return false;
		c--;
	}
}

static bool version_ok(const unsigned char *d, size_t s, size_t e)
{
	if (e <= s || e - s > LD_BPAT_MAX_VERSION)
		return false;
	for (size_t i = s; i < e; i++)
		if (d[i] <= 0x20 || d[i] >= 0x7f)
			return false;
	return true;
}

bool ld_bpat_search(const ld_bpat *p, const unsigned char *data, size_t len,
		    bool (*accept)(void *opaque, ld_slice version), void *opaque, ld_slice *version)
{
	matcher m;
	size_t pos = 0;

	memset(&m, 0, sizeof(m));
	m.d = data;
	m.budget = LD_BPAT_MAX_TOTAL_STEPS + 4 * (uint64_t)len;
	while (pos < len && !(m.aborted && !m.gave_up)) {
		size_t at;
		if (p->prefix_len) {
			const unsigned char *hit =
			    memmem(data + pos, len - pos, p->prefix, p->prefix_len);
			if (!hit)
				return false;
			at = (size_t)(hit - data);
		} else {
			/* a match begins where a run of the first class begins */
			at = pos;
			while (at < len && !(inset(p->first, data[at]) &&
					     (at == 0 || !inset(p->first, data[at - 1]))))
				at++;
			if (at >= len)
				return false;
		}
		m.limit = len - at > LD_BPAT_MAX_MATCH ? at + LD_BPAT_MAX_MATCH : len;
		m.cs = m.ce = 0;
		m.steps = 0;
		m.aborted = m.gave_up = false;
		if (m_node(&m, p->top, at, NULL) && version_ok(data, m.cs, m.ce)) {
			ld_slice v = ld_slice_make(data + m.cs, m.ce - m.cs);
			if (!accept || accept(opaque, v)) {
				*version = v;
				return true;
			}
		}
		pos = at + 1;
	}
	return false;
}

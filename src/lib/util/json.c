#include "util/common.h"
#include "util/json.h"

/* Named limits (see json.h for what they bound). */
#define JSON_DEFAULT_MAX_DEPTH 512u
#define JSON_MAX_ELEMENTS ((size_t)UINT32_MAX) /* counts are stored in 32 bits */

typedef struct frame {
	uint32_t type;
	size_t start;      /* first pending member of this container */
	const char *key;   /* key under which the container sits in its parent object */
	uint32_t klen;
} frame;

typedef struct parser {
	const char *base, *p, *end;
	ld_arena *arena;
	lading_ctx *ctx;
	const char *what;
	ld_json_member *pend;
	size_t npend, cappend;
	size_t max_pend_bytes;
} parser;

static int fail(parser *ps, int code, const char *msg)
{
	return ld_error_set_path(ps->ctx, code, ps->what, (uint64_t)(ps->p - ps->base),
				 "%s: invalid JSON at byte %zu: %s", ps->what ? ps->what : "input",
				 (size_t)(ps->p - ps->base), msg);
}

static int oom(parser *ps)
{
	if (ps->arena->err == LADING_ELIMIT)
		return fail(ps, LADING_ELIMIT, "document too large for its memory limit");
	return ld_error_set(ps->ctx, LADING_ENOMEM, "%s: out of memory parsing JSON",
			    ps->what ? ps->what : "input");
}

static inline void skip_ws(parser *ps)
{
	const char *p = ps->p, *e = ps->end;
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	ps->p = p;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int d = ld_hex_value((unsigned char)p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* ps->p at the opening quote. */
static int parse_string(parser *ps, const char **out, uint32_t *outlen)
{
	const char *start = ++ps->p, *p = start, *e = ps->end;
	bool esc = false;
	char *buf, *o;

	while (p < e) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c == '\\') {
			esc = true;
			p += 2;
			continue;
		}
		if (c < 0x20) {
			ps->p = p;
			return fail(ps, LADING_EINVALID, "control character in string");
		}
		p++;
	}
	if (p >= e) {
		ps->p = e;
		return fail(ps, LADING_EINVALID, "unterminated string");
	}
	if ((size_t)(p - start) > UINT32_MAX)
		return fail(ps, LADING_ELIMIT, "string longer than 4 GiB");
	if (!esc) {
		buf = ld_arena_strndup(ps->arena, start, (size_t)(p - start));
		if (!buf)
			return oom(ps);
		*out = buf;
		*outlen = (uint32_t)(p - start);
		ps->p = p + 1;
		return 0;
	}
	buf = ld_arena_alloc(ps->arena, (size_t)(p - start) + 1);
	if (!buf)
		return oom(ps);
	o = buf;
	for (const char *q = start; q < p;) {
		if (*q != '\\') {
			*o++ = *q++;
			continue;
		}
		q++;
		switch (*q) {
		case '"': *o++ = '"'; q++; break;
		case '\\': *o++ = '\\'; q++; break;
		case '/': *o++ = '/'; q++; break;
		case 'b': *o++ = '\b'; q++; break;
		case 'f': *o++ = '\f'; q++; break;
		case 'n': *o++ = '\n'; q++; break;
		case 'r': *o++ = '\r'; q++; break;
		case 't': *o++ = '\t'; q++; break;
		case 'u': {
			unsigned cp, lo;
			if (p - q < 5 || hex4(q + 1, &cp)) {
				ps->p = q;
				return fail(ps, LADING_EINVALID, "bad \\u escape");
			}
			q += 5;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (p - q >= 6 && q[0] == '\\' && q[1] == 'u' && !hex4(q + 2, &lo) &&
				    lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					q += 6;
				} else {
					cp = 0xFFFD; /* lone high surrogate */
				}
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				cp = 0xFFFD; /* lone low surrogate */
			}
			/* a \uXXXX (6 bytes) or pair (12 bytes) never decodes to more bytes than it took */
			o = put_utf8(o, cp);
			break;
		}
		default:
			ps->p = q;
			return fail(ps, LADING_EINVALID, "bad escape in string");
		}
	}
	*o = '\0';
	*out = buf;
	*outlen = (uint32_t)(o - buf);
	ps->p = p + 1;
	return 0;
}

static int parse_number(parser *ps, ld_json *v)
{
	const char *s = ps->p, *p = s, *e = ps->end;
	char *t;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0') {
		p++;
	} else if (p < e && *p >= '1' && *p <= '9') {
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	} else {
		ps->p = p;
		return fail(ps, LADING_EINVALID, "bad number");
	}
	if (p < e && *p == '.') {
		p++;
		if (!(p < e && *p >= '0' && *p <= '9')) {
			ps->p = p;
			return fail(ps, LADING_EINVALID, "bad number fraction");
		}
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!(p < e && *p >= '0' && *p <= '9')) {
			ps->p = p;
			return fail(ps, LADING_EINVALID, "bad number exponent");
		}
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	t = ld_arena_strndup(ps->arena, s, (size_t)(p - s));
	if (!t)
		return oom(ps);
	v->type = LD_JSON_NUMBER;
	v->n = (uint32_t)(p - s);
	v->u.s = t;
	ps->p = p;
	return 0;
}

static int literal(parser *ps, const char *word, ld_json_type t, ld_json *v)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, LADING_EINVALID, "unexpected character");
	ps->p += n;
	v->type = t;
	v->n = 0;
	v->u.s = NULL;
	return 0;
}

static int push_pending(parser *ps, const char *key, uint32_t klen, const ld_json *v)
{
	if (ps->npend == ps->cappend) {
		size_t ncap = ps->cappend ? ps->cappend * 2 : 256, bytes;
		ld_json_member *np;
		if (ld_mul_overflow(ncap, sizeof(*np), &bytes) || bytes > ps->max_pend_bytes)
			return fail(ps, LADING_ELIMIT, "too many values for the memory limit");
		np = realloc(ps->pend, bytes);
		if (!np)
			return ld_error_set(ps->ctx, LADING_ENOMEM, "out of memory parsing JSON");
		ps->pend = np;
		ps->cappend = ncap;
	}
	ps->pend[ps->npend].key = key;
	ps->pend[ps->npend].klen = klen;
	ps->pend[ps->npend].value = *v;
	ps->npend++;
	return 0;
}

static int close_container(parser *ps, const frame *f, ld_json *v)
{
	size_t count = ps->npend - f->start;
	if (count > JSON_MAX_ELEMENTS)
		return fail(ps, LADING_ELIMIT, "container with more than 2^32 elements");
	v->type = f->type;
	v->n = (uint32_t)count;
	if (f->type == LD_JSON_OBJECT) {
		ld_json_member *m = count ? ld_arena_array(ps->arena, count, sizeof(*m)) : NULL;
		if (count && !m)
			return oom(ps);
		if (count)
			memcpy(m, ps->pend + f->start, count * sizeof(*m));
		v->u.members = m;
	} else {
		ld_json *a = count ? ld_arena_array(ps->arena, count, sizeof(*a)) : NULL;
		if (count && !a)
			return oom(ps);
		for (size_t i = 0; i < count; i++)
			a[i] = ps->pend[f->start + i].value;
		v->u.items = a;
	}
	ps->npend = f->start;
	return 0;
}

static int parse_key(parser *ps, const char **key, uint32_t *klen)
{
	int rc;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, LADING_EINVALID, "expected a string key");
	if ((rc = parse_string(ps, key, klen)))
		return rc;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, LADING_EINVALID, "expected ':'");
	ps->p++;
	return 0;
}

/* The open containers, innermost last, and the key the next value goes under. */
typedef struct nest {
	frame *st;
	unsigned depth, max_depth;
	const char *key;
	uint32_t klen;
} nest;

/* The key of the next member of an object; none for an array's next item. */
static int next_key(parser *ps, nest *n, uint32_t type)
{
	if (type == LD_JSON_OBJECT)
		return parse_key(ps, &n->key, &n->klen);
	n->key = NULL;
	n->klen = 0;
	return 0;
}

/* At '{' or '[': open a container. An empty one is closed at once and is *v (*complete). */
static int open_value(parser *ps, nest *n, ld_json *v, bool *complete)
{
	uint32_t t = *ps->p == '{' ? LD_JSON_OBJECT : LD_JSON_ARRAY;
	frame *f;
	int rc;

	*complete = false;
	if (n->depth >= n->max_depth)
		return fail(ps, LADING_ELIMIT, "nesting deeper than the limit");
	f = &n->st[n->depth++];
	f->type = t;
	f->start = ps->npend;
	f->key = n->key;
	f->klen = n->klen;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (t == LD_JSON_OBJECT ? '}' : ']')) {
		ps->p++;
		n->depth--;
		if ((rc = close_container(ps, f, v)))
			return rc;
		n->key = f->key;
		n->klen = f->klen;
		*complete = true;
		return 0;
	}
	return next_key(ps, n, t);
}

/* A string, literal or number. */
static int parse_scalar(parser *ps, ld_json *v)
{
	switch (*ps->p) {
	case '"':
		v->type = LD_JSON_STRING;
		return parse_string(ps, &v->u.s, &v->n);
	case 't':
		return literal(ps, "true", LD_JSON_TRUE, v);
	case 'f':
		return literal(ps, "false", LD_JSON_FALSE, v);
	case 'n':
		return literal(ps, "null", LD_JSON_NULL, v);
	default:
		return parse_number(ps, v);
	}
}

/* v is a complete value: attach it to its container and read what follows, closing containers
 * until a ',' asks for the next value. With no container open, v is the document (*out, *done). */
static int attach(parser *ps, nest *n, ld_json *v, ld_json **out, bool *done)
{
	int rc;

	for (;;) {
		frame *top;
		if (n->depth == 0) {
			ld_json *res = ld_arena_alloc(ps->arena, sizeof(*res));
			if (!res)
				return oom(ps);
			*res = *v;
			*out = res;
			*done = true;
			return 0;
		}
		if ((rc = push_pending(ps, n->key, n->klen, v)))
			return rc;
		top = &n->st[n->depth - 1];
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, LADING_EINVALID, "unexpected end of input");
		if (*ps->p == ',') {
			ps->p++;
			return next_key(ps, n, top->type); /* parse the next value */
		}
		if (*ps->p != (top->type == LD_JSON_OBJECT ? '}' : ']'))
			return fail(ps, LADING_EINVALID,
				    top->type == LD_JSON_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
		ps->p++;
		n->depth--;
		if ((rc = close_container(ps, top, v)))
			return rc;
		n->key = top->key;
		n->klen = top->klen;
		/* attach the closed container to its parent */
	}
}

static int parse_any(parser *ps, ld_json **out, const ld_json_limits *lim)
{
	nest n = {NULL, 0, lim && lim->max_depth ? lim->max_depth : JSON_DEFAULT_MAX_DEPTH, NULL, 0};
	bool complete, done = false;
	ld_json v;
	int rc = 0;

	n.st = malloc(sizeof(*n.st) * n.max_depth);
	if (!n.st)
		return ld_error_set(ps->ctx, LADING_ENOMEM, "out of memory parsing JSON");
	while (!done) {
		skip_ws(ps);
		if (ps->p >= ps->end) {
			rc = fail(ps, LADING_EINVALID, "unexpected end of input");
			break;
		}
		if (*ps->p == '{' || *ps->p == '[') {
			if ((rc = open_value(ps, &n, &v, &complete)))
				break;
			if (!complete)
				continue;
		} else if ((rc = parse_scalar(ps, &v))) {
			break;
		}
		if ((rc = attach(ps, &n, &v, out, &done)))
			break;
	}
	free(n.st);
	return rc;
}

static int parse_common(ld_json **out, size_t *consumed, ld_arena *arena, const char *p, size_t len,
			const ld_json_limits *lim, lading_ctx *ctx, const char *what, bool whole)
{
	parser ps;
	size_t max_arena;
	int rc;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.base = ps.p = p ? p : "";
	ps.end = ps.base + len;
	ps.arena = arena;
	ps.ctx = ctx;
	ps.what = what ? what : "JSON";
	if (lim && lim->max_arena) {
		max_arena = lim->max_arena;
	} else if (ld_mul_overflow(len, 16, &max_arena) || ld_add_overflow(max_arena, 1 << 20, &max_arena)) {
		max_arena = SIZE_MAX;
	}
	ps.max_pend_bytes = max_arena;
	/* the arena cap is the caller's; we bound this document's own growth */
	{
		size_t before = arena->used, saved = arena->max;
		if (before + max_arena > before && before + max_arena < arena->max)
			arena->max = before + max_arena;
		rc = parse_any(&ps, out, lim);
		arena->max = saved;
		if (rc == 0 && arena->err == LADING_ELIMIT)
			arena->err = 0;
	}
	free(ps.pend);
	if (rc) {
		*out = NULL;
		if (arena->err == LADING_ELIMIT)
			arena->err = 0; /* the cap was this document's, not the arena owner's */
		return rc;
	}
	skip_ws(&ps);
	if (whole && ps.p != ps.end) {
		*out = NULL;
		return fail(&ps, LADING_EINVALID, "trailing data after the document");
	}
	if (consumed)
		*consumed = (size_t)(ps.p - ps.base);
	return 0;
}

int ld_json_parse(ld_json **out, ld_arena *arena, const char *p, size_t len, const ld_json_limits *lim,
		  lading_ctx *ctx, const char *what)
{
	return parse_common(out, NULL, arena, p, len, lim, ctx, what, true);
}

int ld_json_parse_prefix(ld_json **out, size_t *consumed, ld_arena *arena, const char *p, size_t len,
			 const ld_json_limits *lim, lading_ctx *ctx, const char *what)
{
	return parse_common(out, consumed, arena, p, len, lim, ctx, what, false);
}

const ld_json *ld_json_get(const ld_json *obj, const char *key)
{
	size_t kl;
	if (!ld_json_is(obj, LD_JSON_OBJECT) || !key)
		return NULL;
	kl = strlen(key);
	for (uint32_t i = 0; i < obj->n; i++) {
		const ld_json_member *m = &obj->u.members[i];
		if (m->klen == kl && memcmp(m->key, key, kl) == 0)
			return &m->value;
	}
	return NULL;
}

const ld_json *ld_json_getp(const ld_json *v, ...)
{
	va_list ap;
	const char *k;
	va_start(ap, v);
	while (v && (k = va_arg(ap, const char *)) != NULL)
		v = ld_json_get(v, k);
	va_end(ap);
	return v;
}

const ld_json *ld_json_at(const ld_json *arr, size_t i)
{
	if (!ld_json_is(arr, LD_JSON_ARRAY) || i >= arr->n)
		return NULL;
	return &arr->u.items[i];
}

size_t ld_json_len(const ld_json *v)
{
	if (ld_json_is(v, LD_JSON_ARRAY) || ld_json_is(v, LD_JSON_OBJECT))
		return v->n;
	return 0;
}

const char *ld_json_str(const ld_json *v)
{
	return ld_json_is(v, LD_JSON_STRING) ? v->u.s : NULL;
}

const char *ld_json_str_or(const ld_json *v, const char *def)
{
	const char *s = ld_json_str(v);
	return s ? s : def;
}

ld_slice ld_json_slice(const ld_json *v)
{
	if (!ld_json_is(v, LD_JSON_STRING))
		return LD_SLICE_NULL;
	return ld_slice_make(v->u.s, v->n);
}

const char *ld_json_get_str(const ld_json *obj, const char *key)
{
	return ld_json_str(ld_json_get(obj, key));
}

bool ld_json_num(const ld_json *v, double *out)
{
	char *end;
	if (!ld_json_is(v, LD_JSON_NUMBER))
		return false;
	errno = 0;
	*out = strtod(v->u.s, &end);
	return end != v->u.s && *end == '\0';
}

bool ld_json_i64(const ld_json *v, int64_t *out)
{
	char *end;
	long long x;
	if (!ld_json_is(v, LD_JSON_NUMBER))
		return false;
	errno = 0;
	x = strtoll(v->u.s, &end, 10);
	if (errno || *end != '\0')
		return false;
	*out = (int64_t)x;
	return true;
}

bool ld_json_bool(const ld_json *v, bool def)
{
	if (ld_json_is(v, LD_JSON_TRUE))
		return true;
	if (ld_json_is(v, LD_JSON_FALSE))
		return false;
	return def;
}

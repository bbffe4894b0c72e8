#include "util/common.h"
#include "util/jsonw.h"

void ld_jw_init(ld_jw *w, ld_buf *b, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->pretty = pretty;
}

static void newline(ld_jw *w)
{
	if (!w->pretty)
		return;
	ld_buf_addc(w->b, '\n');
	for (unsigned i = 0; i < w->depth; i++)
		ld_buf_add(w->b, "  ", 2);
}

/* Called before every value or key. */
static void before(ld_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->count[w->depth - 1])
		ld_buf_addc(w->b, ',');
	w->count[w->depth - 1] = 1;
	newline(w);
}

static void open_(ld_jw *w, char c, bool obj)
{
	before(w);
	ld_buf_addc(w->b, c);
	if (w->depth >= LD_JW_MAX_DEPTH) {
		w->b->err = LADING_ELIMIT;
		return;
	}
	w->count[w->depth] = 0;
	w->is_obj[w->depth] = obj;
	w->depth++;
}

static void close_(ld_jw *w, char c)
{
	bool had;
	if (w->depth == 0)
		return;
	had = w->count[w->depth - 1];
	w->depth--;
	if (had)
		newline(w);
	ld_buf_addc(w->b, c);
}

void ld_jw_obj(ld_jw *w) { open_(w, '{', true); }
void ld_jw_obj_end(ld_jw *w) { close_(w, '}'); }
void ld_jw_arr(ld_jw *w) { open_(w, '[', false); }
void ld_jw_arr_end(ld_jw *w) { close_(w, ']'); }

/* Length of a valid UTF-8 sequence at p (1..4) or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

void ld_json_escape(ld_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *run = p;

	ld_buf_addc(b, '"');
	while (p < e) {
		unsigned c = *p;
		size_t k;
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_seq(p, (size_t)(e - p));
			if (k) {
				p += k;
				continue;
			}
		}
		ld_buf_add(b, run, (size_t)(p - run));
		switch (c) {
		case '"': ld_buf_add(b, "\\\"", 2); break;
		case '\\': ld_buf_add(b, "\\\\", 2); break;
		case '\n': ld_buf_add(b, "\\n", 2); break;
		case '\r': ld_buf_add(b, "\\r", 2); break;
		case '\t': ld_buf_add(b, "\\t", 2); break;
		case '\b': ld_buf_add(b, "\\b", 2); break;
		case '\f': ld_buf_add(b, "\\f", 2); break;
		default:
			if (c < 0x20) {
				char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				ld_buf_add(b, u, 6);
			} else {
				ld_buf_add(b, "\\ufffd", 6); /* invalid UTF-8 byte */
			}
		}
		p++;
		run = p;
	}
	ld_buf_add(b, run, (size_t)(p - run));
	ld_buf_addc(b, '"');
}

void ld_jw_key(ld_jw *w, const char *k)
{
	before(w);
	ld_json_escape(w->b, k, strlen(k));
	ld_buf_add(w->b, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = true;
}

void ld_jw_strn(ld_jw *w, const char *s, size_t n)
{
	before(w);
	ld_json_escape(w->b, s, n);
}

void ld_jw_raw(ld_jw *w, const char *json, size_t n)
{
	before(w);
	ld_buf_add(w->b, json, n);
}

void ld_jw_str(ld_jw *w, const char *s)
{
	if (!s) {
		ld_jw_null(w);
		return;
	}
	ld_jw_strn(w, s, strlen(s));
}

void ld_jw_i64(ld_jw *w, int64_t v)
{
	before(w);
	ld_buf_addf(w->b, "%" PRId64, v);
}

void ld_jw_u64(ld_jw *w, uint64_t v)
{
	before(w);
	ld_buf_addf(w->b, "%" PRIu64, v);
}

void ld_jw_fixed(ld_jw *w, double v, int decimals)
{
	char tmp[64];
	size_t n;
	before(w);
	if (v != v || v > 1e300 || v < -1e300) {
		ld_buf_add(w->b, "null", 4);
		return;
	}
	ld_snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	n = strlen(tmp);
	/* trim trailing zeros of the fraction, keep at least one digit after the point */
	if (memchr(tmp, '.', n)) {
		while (n > 2 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
			n--;
	}
	ld_buf_add(w->b, tmp, n);
}

void ld_jw_bool(ld_jw *w, bool v)
{
	before(w);
	ld_buf_adds(w->b, v ? "true" : "false");
}

void ld_jw_null(ld_jw *w)
{
	before(w);
	ld_buf_add(w->b, "null", 4);
}

void ld_jw_kstr(ld_jw *w, const char *k, const char *v)
{
	ld_jw_key(w, k);
	ld_jw_str(w, v);
}

void ld_jw_kstr_opt(ld_jw *w, const char *k, const char *v)
{
	if (v && *v)
		ld_jw_kstr(w, k, v);
}

void ld_jw_ki64(ld_jw *w, const char *k, int64_t v)
{
	ld_jw_key(w, k);
	ld_jw_i64(w, v);
}

void ld_jw_kbool(ld_jw *w, const char *k, bool v)
{
	ld_jw_key(w, k);
	ld_jw_bool(w, v);
}

int ld_jw_finish(ld_jw *w)
{
	if (w->pretty)
		ld_buf_addc(w->b, '\n');
	return ld_buf_error(w->b);
}

#include "util/common.h"
#include "util/term.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes) and its code point; 0 when invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0)
		len = 2, c = p[0] & 0x1F, min = 0x80;
	else if ((p[0] & 0xF0) == 0xE0)
		len = 3, c = p[0] & 0x0F, min = 0x800;
	else if ((p[0] & 0xF8) == 0xF0)
		len = 4, c = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* The escape for the sequence at p, if it needs one: writes it to esc (>= 8 bytes) and returns
 * its length; *adv gets the bytes consumed. 0 = pass the sequence through as it is. */
static size_t escape_at(const unsigned char *p, size_t n, bool keep_newlines, char *esc, size_t *adv)
{
	uint32_t cp = 0;
	size_t len = utf8_seq(p, n, &cp);
	static const char hex[] = "0123456789abcdef";
	if (!len) {
		*adv = 1;
		esc[0] = '\\', esc[1] = 'x', esc[2] = hex[p[0] >> 4], esc[3] = hex[p[0] & 15];
		return 4;
	}
	*adv = len;
	if (cp == '\n' && keep_newlines)
		return 0;
	if (cp < 0x20 || cp == 0x7F) {
		esc[0] = '\\', esc[1] = 'x', esc[2] = hex[cp >> 4], esc[3] = hex[cp & 15];
		return 4;
	}
	if (cp >= 0x80 && cp <= 0x9F) {
		memcpy(esc, "\\u00", 4);
		esc[4] = hex[cp >> 4], esc[5] = hex[cp & 15];
		return 6;
	}
	return 0;
}

void ld_buf_add_term(ld_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0, run = 0;
	while (i < n) {
		char esc[8];
		size_t adv, k = escape_at(p + i, n - i, false, esc, &adv);
		if (k) {
			ld_buf_add(b, p + run, i - run);
			ld_buf_add(b, esc, k);
			run = i + adv;
		}
		i += adv;
	}
	ld_buf_add(b, p + run, n - run);
}

size_t ld_term_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0, w = 0;
	while (i < n) {
		char esc[8];
		size_t adv, k = escape_at(p + i, n - i, false, esc, &adv);
		w += k ? k : 1;
		i += adv;
	}
	return w;
}

const char *ld_term(const char *s, char *tmp, size_t n)
{
	ld_buf b = LD_BUF_INIT;
	if (!n)
		return tmp;
	ld_buf_add_term(&b, s);
	ld_strlcpy(tmp, b.ptr && !ld_buf_error(&b) ? b.ptr : "", n);
	ld_buf_release(&b);
	return tmp;
}

void ld_buf_term_sanitize(ld_buf *b, size_t from, bool keep_newlines)
{
	ld_buf out = LD_BUF_INIT;
	const unsigned char *p;
	size_t n, i = 0, run = 0;
	bool changed = false;
	if (!b->ptr || from >= b->len)
		return;
	p = (const unsigned char *)b->ptr + from;
	n = b->len - from;
	while (i < n) {
		char esc[8];
		size_t adv, k = escape_at(p + i, n - i, keep_newlines, esc, &adv);
		if (k) {
			ld_buf_add(&out, p + run, i - run);
			ld_buf_add(&out, esc, k);
			run = i + adv;
			changed = true;
		}
		i += adv;
	}
	if (changed) {
		ld_buf_add(&out, p + run, n - run);
		b->len = from;
		ld_buf_add(b, out.ptr, out.len);
	}
	ld_buf_release(&out);
}

size_t lading_text_escape(const char *s, char *out, size_t outsz)
{
	ld_buf b = LD_BUF_INIT;
	size_t need;
	ld_buf_add_term(&b, s);
	need = b.len;
	if (outsz)
		ld_strlcpy(out, b.ptr && !ld_buf_error(&b) ? b.ptr : "", outsz);
	ld_buf_release(&b);
	return need;
}

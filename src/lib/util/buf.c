#include "util/common.h"
#include "util/budget.h"


void ld_buf_init(ld_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : LD_BUF_DEFAULT_MAX;
	b->err = 0;
	b->budget = NULL;
	b->over_budget = false;
}

int ld_buf_set_budget(ld_buf *b, ld_budget *bg)
{
	if (b->budget == bg)
		return 0;
	if (!ld_budget_charge(bg, b->cap))
		return LADING_ELIMIT;
	ld_budget_release(b->budget, b->cap);
	b->budget = bg;
	return 0;
}

bool ld_buf_over_budget(const ld_buf *b)
{
	return b->err == LADING_ELIMIT && b->over_budget;
}

void ld_buf_release(ld_buf *b)
{
	ld_budget_release(b->budget, b->cap);
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->err = 0;
	b->over_budget = false;
}

void ld_buf_clear(ld_buf *b)
{
	b->len = 0;
	b->err = 0;
	b->over_budget = false;
	if (b->ptr)
		b->ptr[0] = '\0';
}

int ld_buf_grow(ld_buf *b, size_t extra)
{
	size_t need, ncap;
	char *np;

	if (b->err)
		return b->err;
	if (ld_add3_overflow(b->len, extra, 1, &need) || need - 1 > b->max) {
		b->err = LADING_ELIMIT;
		return b->err;
	}
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	if (ncap - 1 > b->max)
		ncap = b->max + 1;
	if (!ld_budget_charge(b->budget, ncap - b->cap)) {
		/* the budget first refuses the doubling, then even the bytes needed */
		ncap = need;
		if (!ld_budget_charge(b->budget, ncap - b->cap)) {
			b->err = LADING_ELIMIT;
			b->over_budget = true;
			return b->err;
		}
	}
	if (ncap >= LD_HUGE_PAGE && b->len < LD_HUGE_PAGE / 2) {
		/* a big buffer filled from (nearly) empty: huge pages (ld_mem_big_alloc); the copy is
		 * small, larger buffers keep realloc's in-place growth */
		if ((np = ld_mem_big_alloc(ncap)) && b->ptr) {
			memcpy(np, b->ptr, b->len + 1); /* with its NUL: len < cap always holds */
			free(b->ptr);
		}
	} else {
		np = realloc(b->ptr, ncap);
	}
	if (!np) {
		ld_budget_release(b->budget, ncap - b->cap);
		b->err = LADING_ENOMEM;
		return b->err;
	}
	b->ptr = np;
	b->cap = ncap;
	return 0;
}

int ld_buf_add(ld_buf *b, const void *p, size_t n)
{
	if (ld_buf_grow(b, n))
		return b->err;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int ld_buf_adds(ld_buf *b, const char *s)
{
	return ld_buf_add(b, s, strlen(s));
}

int ld_buf_addc(ld_buf *b, char c)
{
	return ld_buf_add(b, &c, 1);
}

int ld_buf_addslice(ld_buf *b, ld_slice s)
{
	return ld_buf_add(b, s.ptr, s.len);
}

void ld_buf_add_pct(ld_buf *b, ld_slice s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			ld_buf_addc(b, (char)ch);
		} else {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			ld_buf_add(b, e, 3);
		}
	}
}

int ld_buf_vaddf(ld_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return b->err;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = LADING_EINVALID;
		return b->err;
	}
	if (ld_buf_grow(b, (size_t)n))
		return b->err;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ld_buf_addf(ld_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = ld_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *ld_buf_detach(ld_buf *b, size_t *len)
{
	char *p = b->ptr;
	if (!p) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	if (len)
		*len = b->len;
	ld_budget_release(b->budget, b->cap); /* the caller owns the bytes now */
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void ld_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;
	if (!size)
		return;
	n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void ld_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	if (!size)
		return;
	va_start(ap, fmt);
	if (vsnprintf(dst, size, fmt, ap) < 0)
		dst[0] = '\0';
	va_end(ap);
}

void ld_slice_copy(char *dst, size_t size, ld_slice s)
{
	size_t n = s.len;
	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, s.ptr, n);
	dst[n] = '\0';
}

char *ld_strndup(const char *p, size_t n)
{
	char *s;
	if (n == SIZE_MAX)
		return NULL;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *ld_strdup(const char *s)
{
	return ld_strndup(s, strlen(s));
}

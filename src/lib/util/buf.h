/* ld_buf: an owning, growable, NUL-terminated byte buffer with a hard size cap.
 * Failures are sticky: after the first failed append (cap or OOM) every later append is a
 * no-op and ld_buf_error() reports it, so callers may append freely and check once. */
#ifndef LD_BUF_H
#define LD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/slice.h"

struct ld_budget;

typedef struct ld_buf {
	char *ptr;  /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
	int err;    /* 0, LADING_ENOMEM or LADING_ELIMIT */
	struct ld_budget *budget; /* its capacity is charged to it (util/budget.h), or NULL */
	bool over_budget;         /* err is LADING_ELIMIT because the budget refused to grow it */
} ld_buf;

#define LD_BUF_DEFAULT_MAX ((size_t)1 << 30)
#define LD_BUF_INIT {NULL, 0, 0, LD_BUF_DEFAULT_MAX, 0, NULL, false}

void ld_buf_init(ld_buf *b, size_t max);
void ld_buf_release(ld_buf *b);
/* Charge the buffer's capacity (now and as it grows) to a scan's budget; growth past it fails
 * with LADING_ELIMIT (ld_buf_over_budget tells it from the buffer's own cap). */
int ld_buf_set_budget(ld_buf *b, struct ld_budget *bg);
bool ld_buf_over_budget(const ld_buf *b);
void ld_buf_clear(ld_buf *b); /* len = 0, keep memory and error state reset */
int ld_buf_grow(ld_buf *b, size_t extra);
int ld_buf_add(ld_buf *b, const void *p, size_t n);
int ld_buf_adds(ld_buf *b, const char *s);
int ld_buf_addc(ld_buf *b, char c);
int ld_buf_addslice(ld_buf *b, ld_slice s);
/* Append s percent-encoded: RFC 3986 unreserved characters stay, every other byte is %XX. */
void ld_buf_add_pct(ld_buf *b, ld_slice s);
int ld_buf_addf(ld_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ld_buf_vaddf(ld_buf *b, const char *fmt, va_list ap);
/* Hand the bytes to the caller (free() them); the buffer is left empty. */
char *ld_buf_detach(ld_buf *b, size_t *len);
static inline int ld_buf_error(const ld_buf *b)
{
	return b->err;
}
static inline ld_slice ld_buf_slice(const ld_buf *b)
{
	return ld_slice_make(b->ptr ? b->ptr : "", b->len);
}
static inline const char *ld_buf_cstr(const ld_buf *b)
{
	return b->ptr ? b->ptr : "";
}

/* Bounded formatting into a fixed array; always NUL-terminates, truncates silently. */
void ld_strlcpy(char *dst, const char *src, size_t size);
void ld_snprintf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copy a slice into a fixed array (truncating), NUL-terminated. */
void ld_slice_copy(char *dst, size_t size, ld_slice s);
/* Heap copy of a slice, NUL-terminated; NULL on OOM. */
char *ld_strndup(const char *p, size_t n);
char *ld_strdup(const char *s);

#endif

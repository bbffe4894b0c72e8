/* ld_slice: a non-owning view of bytes {ptr,len}; the parsing currency of the library. */
#ifndef LD_SLICE_H
#define LD_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ld_slice {
	const char *ptr;
	size_t len;
} ld_slice;

#define LD_SLICE_NULL ((ld_slice){NULL, 0})
#define LD_SLICE_LIT(s) ((ld_slice){(s), sizeof(s) - 1})

static inline ld_slice ld_slice_make(const void *p, size_t n)
{
	ld_slice s = {(const char *)p, n};
	return s;
}
static inline ld_slice ld_slice_cstr(const char *s)
{
	return ld_slice_make(s, s ? strlen(s) : 0);
}
static inline bool ld_slice_eq(ld_slice a, ld_slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}
static inline bool ld_slice_eq_cstr(ld_slice a, const char *s)
{
	return ld_slice_eq(a, ld_slice_cstr(s));
}
static inline bool ld_slice_starts_with(ld_slice a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}
static inline bool ld_slice_ends_with(ld_slice a, const char *suffix)
{
	size_t n = strlen(suffix);
	return a.len >= n && memcmp(a.ptr + a.len - n, suffix, n) == 0;
}
static inline ld_slice ld_slice_sub(ld_slice a, size_t off, size_t n)
{
	if (off > a.len)
		off = a.len;
	if (n > a.len - off)
		n = a.len - off;
	return ld_slice_make(a.ptr + off, n);
}

/* Trim ASCII blanks (space, tab, CR, LF) on both ends. */
ld_slice ld_slice_trim(ld_slice s);
/* Split at the first `c`: *head gets the part before, the slice is advanced past `c`.
 * Returns false (and *head = whole slice, slice emptied) when `c` does not occur. */
bool ld_slice_cut(ld_slice *s, char c, ld_slice *head);
/* Next line (without "\n" or "\r\n"); false at end of input. */
bool ld_slice_next_line(ld_slice *s, ld_slice *line);
/* Index of the first `c` or -1. */
ptrdiff_t ld_slice_find(ld_slice s, char c);
/* Index of the first occurrence of `needle` or -1. */
ptrdiff_t ld_slice_find_str(ld_slice s, ld_slice needle);
/* Parse an unsigned decimal that fills the whole slice; false on junk or overflow of `max`. */
bool ld_slice_to_u64(ld_slice s, uint64_t max, uint64_t *out);
/* Case-insensitive ASCII comparison with a C string. */
bool ld_slice_case_eq_cstr(ld_slice a, const char *s);

/* Value of an ASCII hex digit, -1 for any other byte. */
static inline int ld_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
/* The byte of a percent-escape "%XY" at p[i], or -1 when there is none (it must end before
 * p[n - 1]: a "%XY" that ends the input is kept as it is, as URL and purl decoding always did). */
static inline int ld_percent_byte(const char *p, size_t n, size_t i)
{
	int h, l;
	if (p[i] != '%' || i + 2 >= n || (h = ld_hex_value((unsigned char)p[i + 1])) < 0 ||
	    (l = ld_hex_value((unsigned char)p[i + 2])) < 0)
		return -1;
	return h * 16 + l;
}

#endif

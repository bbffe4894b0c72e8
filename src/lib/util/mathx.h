/* Overflow-checked size arithmetic: every size computed from input goes through these. */
#ifndef LD_MATHX_H
#define LD_MATHX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Return true on overflow (result unspecified then). */
static inline bool ld_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}
static inline bool ld_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}
static inline bool ld_add3_overflow(size_t a, size_t b, size_t c, size_t *out)
{
	size_t t;
	return __builtin_add_overflow(a, b, &t) || __builtin_add_overflow(t, c, out);
}

#define LD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define LD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif

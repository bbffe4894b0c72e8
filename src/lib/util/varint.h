/* The binary encodings our own files use (layer cache, packed database rows) and Go's build
 * info: unsigned LEB128 varints and little-endian 64-bit words. Readers trust nothing. */
#ifndef LD_VARINT_H
#define LD_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LD_UVARINT_MAX 10 /* bytes of a 64-bit varint */

/* Encode v into out; returns the number of bytes written (1..LD_UVARINT_MAX). */
static inline size_t ld_uvarint_put(unsigned char out[LD_UVARINT_MAX], uint64_t v)
{
	size_t n = 0;
	do {
		out[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* Decode at *p (advanced past it); false when it runs past `end` or exceeds 64 bits. */
static inline bool ld_uvarint_get(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;
		if (shift == 63 && (b & 0x7e))
			return false; /* more than 64 bits */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

static inline void ld_le64_put(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t ld_le64_get(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif

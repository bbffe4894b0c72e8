/* Tiny ELF64 little-endian images for the binary reader tests: one PT_LOAD segment (read-write,
 * file offset 0 at EG_BASE) over the whole file, one named section at EG_SEC_OFF, optionally a
 * section header table. */
#ifndef TEST_ELFGEN_H
#define TEST_ELFGEN_H

#include <stdint.h>
#include <string.h>

#define EG_BASE	   0x400000u
#define EG_SEC_OFF 0x100u
#define EG_SEC_MAX 0x4000u
#define EG_STR_OFF (EG_SEC_OFF + EG_SEC_MAX)
#define EG_SH_OFF  (EG_STR_OFF + 0x100u)
#define EG_SIZE	   (EG_SH_OFF + 3 * 64)

static inline void eg_put(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes an EG_SIZE-byte image into out[EG_SIZE]; the section's bytes are `sec` (at most
 * EG_SEC_MAX), at address EG_BASE + EG_SEC_OFF. */
static inline void elfgen(unsigned char *out, const char *secname, const void *sec, size_t seclen,
			  int with_shdrs)
{
	unsigned char *ph = out + 64, *sh = out + EG_SH_OFF;
	size_t nl = strlen(secname);
	memset(out, 0, EG_SIZE);
	memcpy(out,
	       "\x7f"
	       "ELF",
	       4);
	out[4] = 2; /* 64-bit */
	out[5] = 1; /* little endian */
	out[6] = 1;
	eg_put(out + 16, 2, 2);	 /* ET_EXEC */
	eg_put(out + 18, 62, 2); /* x86-64 */
	eg_put(out + 20, 1, 4);
	eg_put(out + 32, 64, 8); /* phoff */
	eg_put(out + 52, 64, 2);
	eg_put(out + 54, 56, 2);
	eg_put(out + 56, 1, 2);
	if (with_shdrs) {
		eg_put(out + 40, EG_SH_OFF, 8);
		eg_put(out + 58, 64, 2);
		eg_put(out + 60, 3, 2);
		eg_put(out + 62, 2, 2);
	}
	/* PT_LOAD, RW, whole file */
	eg_put(ph, 1, 4);
	eg_put(ph + 4, 6, 4);
	eg_put(ph + 8, 0, 8);
	eg_put(ph + 16, EG_BASE, 8);
	eg_put(ph + 24, EG_BASE, 8);
	eg_put(ph + 32, EG_SIZE, 8);
	eg_put(ph + 40, EG_SIZE, 8);
	memcpy(out + EG_SEC_OFF, sec, seclen);
	/* shstrtab: "\0" NAME "\0" ".shstrtab\0" */
	memcpy(out + EG_STR_OFF + 1, secname, nl);
	memcpy(out + EG_STR_OFF + 2 + nl, ".shstrtab", 10);
	/* section 1: the named one */
	eg_put(sh + 64, 1, 4);
	eg_put(sh + 64 + 4, 1, 4); /* PROGBITS */
	eg_put(sh + 64 + 16, EG_BASE + EG_SEC_OFF, 8);
	eg_put(sh + 64 + 24, EG_SEC_OFF, 8);
	eg_put(sh + 64 + 32, seclen, 8);
	/* section 2: shstrtab */
	eg_put(sh + 128, 2 + nl, 4);
	eg_put(sh + 128 + 4, 3, 4);
	eg_put(sh + 128 + 24, EG_STR_OFF, 8);
	eg_put(sh + 128 + 32, 0x100, 8);
}

#endif

/* Listing a tar stream (the body of a `docker cp` upload): each header's name, type and size, and
 * a slice of its data, without writing anything. Fuzzed by fuzz/fuzz_honeypot_tar.c. */
#include "util/common.h"
#include "honeypot/proto.h"

#define BLOCK 512

static bool octal(const unsigned char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\0'))
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return false;
		v = (v << 3) | (uint64_t)(p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want, sum = 0;
	if (!octal(h + 148, 8, &want))
		return false;
	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static size_t field_len(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i])
		i++;
	return i;
}

int ld_hp_tar_next(ld_slice *rest, ld_hp_tar_entry *e)
{
	const unsigned char *h = (const unsigned char *)rest->ptr;
	size_t nlen, plen, padded, have;
	memset(e, 0, sizeof(*e));
	if (rest->len < BLOCK || h[0] == '\0')
		return LD_HP_MORE;
	if (!checksum_ok(h) || !octal(h + 124, 12, &e->size))
		return LADING_EINVALID;
	e->type = h[156] ? (char)h[156] : '0';
	nlen = field_len(h, 100);
	plen = !memcmp(h + 257, "ustar", 5) ? field_len(h + 345, 155) : 0;
	if (plen) {
		memcpy(e->name, h + 345, plen);
		e->name[plen] = '/';
		memcpy(e->name + plen + 1, h, nlen);
		e->name[plen + 1 + nlen] = '\0';
	} else {
		memcpy(e->name, h, nlen);
		e->name[nlen] = '\0';
	}
	have = rest->len - BLOCK;
	e->data = ld_slice_make(rest->ptr + BLOCK, (size_t)LD_MIN(e->size, (uint64_t)have));
	/* the data rounded up to whole blocks; a size past the input ends the listing */
	if (e->size > (uint64_t)have) {
		*rest = ld_slice_sub(*rest, rest->len, 0);
		return LD_HP_DONE;
	}
	padded = (size_t)((e->size + BLOCK - 1) / BLOCK * BLOCK);
	*rest = ld_slice_sub(*rest, BLOCK + LD_MIN(padded, have), SIZE_MAX);
	return LD_HP_DONE;
}

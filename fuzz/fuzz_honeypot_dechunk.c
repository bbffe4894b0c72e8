/* Fuzz the streaming chunked-body decoder (honeypot/http.c, docker cp uploads): fed in pieces
 * whose size comes from the first byte, it gives the same bytes, end and error as fed whole,
 * and never hands out more than it was given. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct out {
	uint64_t n, sum;
} out;

static void take(void *arg, const char *p, size_t n)
{
	out *o = arg;
	for (size_t i = 0; i < n; i++)
		o->sum = o->sum * 31 + (unsigned char)p[i];
	o->n += n;
}

static int run(const uint8_t *data, size_t size, size_t piece, out *o, size_t *total)
{
	ld_http_dechunk d;
	memset(&d, 0, sizeof(d));
	memset(o, 0, sizeof(*o));
	*total = 0;
	for (size_t off = 0; off < size && !ld_http_dechunk_done(&d); off += piece) {
		size_t n = LD_MIN(piece, size - off), used = 0;
		if (ld_http_dechunk_feed(&d, (const char *)data + off, n, &used, take, o) < 0)
			return -1;
		if (used > n)
			__builtin_trap();
		*total += used;
	}
	return ld_http_dechunk_done(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	out a, b;
	size_t ta, tb;
	int ra, rb;
	if (!size)
		return 0;
	ra = run(data + 1, size - 1, size, &a, &ta);
	rb = run(data + 1, size - 1, (size_t)data[0] % 13 + 1, &b, &tb);
	if (ra != rb || a.n != b.n || a.sum != b.sum || a.n > size || (ra >= 0 && ta != tb))
		__builtin_trap();
	return 0;
}

/* SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 as SPDY/3.1 amends it), the upgrade protocol
 * of kubectl's exec and attach before 1.29: just the frame boundaries and the fixed fields of
 * the frames the exec emulation (kubeexec.c) reads. Header blocks are not inflated: the stream
 * types follow from the order kubectl opens them. Fuzzed by fuzz/fuzz_honeypot_spdy.c. */
#include "util/common.h"
#include "honeypot/proto.h"

static uint32_t be32(const unsigned char *u)
{
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

int ld_spdy_frame_parse(const char *p, size_t len, ld_spdy_frame *f, size_t *consumed)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t n;
	size_t fixed = 0;
	memset(f, 0, sizeof(*f));
	if (len < 8)
		return LD_HP_MORE;
	n = (uint32_t)u[5] << 16 | (uint32_t)u[6] << 8 | u[7];
	if (n > LD_SPDY_MAX_FRAME)
		return LADING_ELIMIT;
	f->control = u[0] & 0x80;
	f->flags = u[4];
	if (f->control) {
		if (((u[0] & 0x7f) << 8 | u[1]) != 3)
			return LADING_EINVALID;
		f->type = (uint16_t)(u[2] << 8 | u[3]);
		/* stream id first in these; SYN_STREAM also has the associated id and priority */
		fixed = f->type == 1 ? 10 : (f->type == 2 || f->type == 3 || f->type == 9) ? 4 : 0;
		if (n < fixed)
			return LADING_EINVALID;
	} else {
		f->stream_id = be32(u) & 0x7fffffff;
	}
	if (len - 8 < n)
		return LD_HP_MORE;
	if (f->control && fixed)
		f->stream_id = be32(u + 8) & 0x7fffffff;
	f->data = ld_slice_make(p + 8 + fixed, n - fixed);
	*consumed = 8 + (size_t)n;
	return LD_HP_DONE;
}

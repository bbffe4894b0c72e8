/* Fuzz the SPDY/3.1 frame parser (honeypot/spdyframe.c): frames back to back; payloads stay
 * inside the input and every frame advances. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off = 0;
	while (off < size) {
		ld_spdy_frame f;
		size_t used = 0;
		if (ld_spdy_frame_parse(p + off, size - off, &f, &used) != LD_HP_DONE)
			break;
		if (used < 8 || used > size - off || f.data.ptr < p + off ||
		    f.data.ptr + f.data.len > p + off + used || f.data.len > LD_SPDY_MAX_FRAME)
			__builtin_trap();
		off += used;
	}
	return 0;
}

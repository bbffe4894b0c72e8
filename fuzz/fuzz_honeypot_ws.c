/* Fuzz the WebSocket frame parser (honeypot/wsframe.c): frames back to back; payloads stay
 * inside the input, within the limits, every frame advances, and unmasking stays in bounds. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[LD_WS_MAX_PAYLOAD];
	const char *p = (const char *)data;
	size_t off = 0;
	while (off < size) {
		ld_ws_frame f;
		size_t used = 0;
		if (ld_ws_frame_parse(p + off, size - off, &f, &used) != LD_HP_DONE)
			break;
		if (used < 6 || used > size - off || f.data.ptr < p + off ||
		    f.data.ptr + f.data.len != p + off + used || f.data.len > LD_WS_MAX_PAYLOAD ||
		    (f.opcode >= LD_WS_CLOSE && (f.data.len > LD_WS_MAX_CONTROL || !f.fin)))
			__builtin_trap();
		ld_ws_unmask(&f, out);
		off += used;
	}
	return 0;
}

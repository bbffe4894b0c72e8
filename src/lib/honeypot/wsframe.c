/* WebSocket framing (RFC 6455 section 5) of the frames a client sends: the 2-byte head, the
 * 16- or 64-bit extended length, the masking key, the payload. The rules a server must enforce
 * are enforced here: client frames are masked, no extension was negotiated (so the RSV bits are
 * clear), control frames are whole and short, lengths use their shortest form. Messages that
 * span frames are the caller's (kubews.c). Fuzzed by fuzz/fuzz_honeypot_ws.c. */
#include "util/common.h"
#include "honeypot/proto.h"

static bool opcode_known(uint8_t op)
{
	return op <= LD_WS_BINARY || (op >= LD_WS_CLOSE && op <= LD_WS_PONG);
}

/* The payload length and where the masking key starts; LD_HP_MORE when the head is short. */
static int payload_len(const unsigned char *u, size_t len, uint64_t *n, size_t *at)
{
	uint8_t l7 = u[1] & 0x7f;
	if (l7 < 126) {
		*n = l7;
		*at = 2;
		return LD_HP_DONE;
	}
	if (l7 == 126) {
		if (len < 4)
			return LD_HP_MORE;
		*n = (uint64_t)u[2] << 8 | u[3];
		*at = 4;
		return *n < 126 ? LADING_EINVALID : LD_HP_DONE;
	}
	if (len < 10)
		return LD_HP_MORE;
	*n = 0;
	for (int i = 2; i < 10; i++)
		*n = *n << 8 | u[i];
	*at = 10;
	return (*n >> 63) || *n <= 0xffff ? LADING_EINVALID : LD_HP_DONE;
}

int ld_ws_frame_parse(const char *p, size_t len, ld_ws_frame *f, size_t *consumed)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t n;
	size_t at;
	int rc;
	memset(f, 0, sizeof(*f));
	if (len < 2)
		return LD_HP_MORE;
	f->fin = u[0] & 0x80;
	f->opcode = u[0] & 0x0f;
	if ((u[0] & 0x70) || !opcode_known(f->opcode) || !(u[1] & 0x80))
		return LADING_EINVALID;
	rc = payload_len(u, len, &n, &at);
	if (rc != LD_HP_DONE)
		return rc;
	if (f->opcode >= LD_WS_CLOSE && (!f->fin || n > LD_WS_MAX_CONTROL))
		return LADING_EINVALID;
	if (n > LD_WS_MAX_PAYLOAD)
		return LADING_ELIMIT;
	if (len - at < 4 || len - at - 4 < n)
		return LD_HP_MORE;
	memcpy(f->mask, u + at, 4);
	f->data = ld_slice_make(p + at + 4, (size_t)n);
	*consumed = at + 4 + (size_t)n;
	return LD_HP_DONE;
}

void ld_ws_unmask(const ld_ws_frame *f, char *out)
{
	for (size_t i = 0; i < f->data.len; i++)
		out[i] = (char)(f->data.ptr[i] ^ f->mask[i & 3]);
}

size_t ld_ws_head(unsigned char out[LD_WS_HEAD_MAX], uint8_t opcode, uint64_t len)
{
	out[0] = (unsigned char)(0x80 | (opcode & 0x0f));
	if (len < 126) {
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (unsigned char)(len >> (56 - 8 * i));
	return 10;
}

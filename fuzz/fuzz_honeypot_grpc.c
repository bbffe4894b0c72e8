/* Fuzz the gRPC message framing and the protobuf field reader (honeypot/pb.c): messages back to
 * back, each walked field by field and one level into every length-delimited field; slices stay
 * inside the input and every step advances. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(ld_slice m, int depth, const char *lo, const char *hi)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	while (m.len) {
		size_t before = m.len;
		if (ld_pb_next(&m, &f, &w, &v, &b) != LD_HP_DONE)
			return;
		if (m.len >= before || (b.len && (b.ptr < lo || b.ptr + b.len > hi)))
			__builtin_trap();
		if (w == 2 && depth < 2)
			walk(b, depth + 1, lo, hi);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off = 0;
	while (off < size) {
		ld_slice msg;
		size_t used = 0;
		if (ld_grpc_message(p + off, size - off, &msg, &used) != LD_HP_DONE)
			break;
		if (used < 5 || used > size - off)
			__builtin_trap();
		walk(msg, 0, p, p + size);
		off += used;
	}
	return 0;
}

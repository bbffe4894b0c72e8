/* gRPC message framing and a protobuf field reader, for the few etcd v3 messages the emulation
 * reads (etcdgrpc.c). No schema: callers pick the fields they know. Fuzzed by
 * fuzz/fuzz_honeypot_grpc.c. */
#include "util/common.h"
#include "honeypot/proto.h"

#define VARINT_MAX_BYTES 10

int ld_grpc_message(const char *p, size_t len, ld_slice *msg, size_t *consumed)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t n;
	if (len < 5)
		return LD_HP_MORE;
	if (u[0] != 0)
		return LADING_EINVALID; /* we never offer a grpc-encoding */
	n = (uint32_t)u[1] << 24 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 8 | u[4];
	if (n > LD_GRPC_MAX_MSG)
		return LADING_ELIMIT;
	if (len - 5 < n)
		return LD_HP_MORE;
	*msg = ld_slice_make(p + 5, n);
	*consumed = 5 + (size_t)n;
	return LD_HP_DONE;
}

static bool varint(ld_slice *in, uint64_t *v)
{
	uint64_t x = 0;
	for (size_t i = 0; i < VARINT_MAX_BYTES && i < in->len; i++) {
		unsigned char b = (unsigned char)in->ptr[i];
		if (i == 9 && b > 1)
			return false;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			*in = ld_slice_sub(*in, i + 1, SIZE_MAX);
			return true;
		}
	}
	return false;
}

int ld_pb_next(ld_slice *in, uint32_t *field, int *wire, uint64_t *v, ld_slice *bytes)
{
	uint64_t key, n;
	*v = 0;
	*bytes = LD_SLICE_NULL;
	if (!in->len)
		return LD_HP_MORE;
	if (!varint(in, &key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
		return LADING_EINVALID;
	*field = (uint32_t)(key >> 3);
	*wire = (int)(key & 7);
	switch (*wire) {
	case 0:
		return varint(in, v) ? LD_HP_DONE : LADING_EINVALID;
	case 1:
	case 5:
		n = *wire == 1 ? 8 : 4;
		if (in->len < n)
			return LADING_EINVALID;
		for (size_t i = 0; i < n; i++)
			*v |= (uint64_t)(unsigned char)in->ptr[i] << (8 * i);
		*in = ld_slice_sub(*in, (size_t)n, SIZE_MAX);
		return LD_HP_DONE;
	case 2:
		if (!varint(in, &n) || n > in->len)
			return LADING_EINVALID;
		*bytes = ld_slice_sub(*in, 0, (size_t)n);
		*in = ld_slice_sub(*in, (size_t)n, SIZE_MAX);
		return LD_HP_DONE;
	default:
		return LADING_EINVALID; /* groups are obsolete; nothing we read uses them */
	}
}

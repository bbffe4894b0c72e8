/* Fuzz the rewrite of protobuf Kubernetes objects into JSON (honeypot/kubepb.c): whatever the
 * input, the output is one well-formed JSON object or an error. */
#include "util/common.h"
#include "util/json.h"
#include "honeypot/kube.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_buf out;
	ld_buf_init(&out, 2 * 64 * 1024);
	if (ld_hp_kube_pb_json(ld_slice_make(data, size), &out) == 0) {
		ld_arena a;
		ld_json *v = NULL;
		lading_ctx *ctx = NULL;
		ld_json_limits lim = {64, (size_t)4 << 20};
		ld_arena_init(&a, (size_t)4 << 20);
		lading_ctx_new(&ctx);
		if (ld_json_parse(&v, &a, out.ptr, out.len, &lim, ctx, "out") != 0 ||
		    !ld_json_is(v, LD_JSON_OBJECT))
			__builtin_trap();
		lading_ctx_free(ctx);
		ld_arena_release(&a);
	}
	ld_buf_release(&out);
	return 0;
}

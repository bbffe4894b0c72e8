/* Fuzz lading's own container-list reader (inventory containers --from). */
#include "util/common.h"
#include "lading/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	lading_container *v = NULL;
	size_t n = 0;
	if (lading_ctx_new(&ctx))
		return 0;
	if (lading_containers_parse_json(&v, &n, ctx, (const char *)data, size, "fuzz") == 0) {
		for (size_t i = 0; i < n; i++) {
			/* the reader promises an id and a state on every container */
			if (!v[i].id || !v[i].state)
				__builtin_trap();
			for (size_t k = 0; k < v[i].label_count; k++)
				if (!v[i].labels[k].key)
					__builtin_trap();
		}
	} else if (v) {
		__builtin_trap();
	}
	free(v);
	lading_ctx_free(ctx);
	return 0;
}

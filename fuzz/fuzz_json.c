/* Fuzz the JSON reader used for manifests, configs and every JSON feed. */
#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_json *v = NULL;
	size_t used;
	ld_json_limits lim = {.max_depth = 64, .max_arena = 64u << 20};

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, 0);
	if (ld_json_parse(&v, &a, (const char *)data, size, &lim, ctx, "fuzz") == 0) {
		/* walk it: every accessor must be safe on every value */
		const ld_json *it;
		const ld_json_member *m;
		double d;
		int64_t i64;
		ld_json_foreach_item(v, i, it) { (void)ld_json_num(it, &d); (void)ld_json_i64(it, &i64); }
		ld_json_foreach_member(v, i, m) { (void)ld_json_str(&m->value); (void)ld_json_get(v, m->key); }
	}
	(void)ld_json_parse_prefix(&v, &used, &a, (const char *)data, size, &lim, ctx, "fuzz");
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the YAML reader (util/yaml.h): libyaml events into ld_json trees, aliases and limits. */
#include "util/common.h"
#include "util/json.h"
#include "util/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk the whole tree (bounded: aliases share subtrees, the node limit bounds the walk). */
static size_t walk(const ld_json *v, unsigned depth)
{
	size_t n = 1;
	const ld_json *it;
	const ld_json_member *m;
	double d;
	if (depth > 200)
		return n;
	(void)ld_json_num(v, &d);
	(void)ld_json_str(v);
	ld_json_foreach_item(v, i, it) n += walk(it, depth + 1);
	ld_json_foreach_member(v, i, m) n += walk(&m->value, depth + 1);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_json *v = NULL;
	ld_yaml_limits lim = {.max_depth = 64, .max_arena = 64u << 20, .max_nodes = 200000};

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, 0);
	if (ld_yaml_parse(&v, &a, (const char *)data, size, &lim, ctx, "fuzz") == 0)
		(void)walk(v, 0);
	lim.flags = LD_YAML_PLAIN_STRINGS;
	if (ld_yaml_parse(&v, &a, (const char *)data, size, &lim, ctx, "fuzz") == 0)
		(void)walk(v, 0);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

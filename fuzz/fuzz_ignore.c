/* Fuzz the ignore-file parser (scan --ignore-file: "ID [package] [until=YYYY-MM-DD] # reason"). */
#include "util/common.h"

#include "match/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_ignore_rule *rules = NULL;
	size_t n = 0;
	volatile size_t sink = 0;

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, (size_t)256 << 20);
	if (ld_ignore_parse(ld_slice_make((const char *)data, size), &a, &rules, &n, ctx, "fuzz") == 0) {
		/* touch every string the parser returned */
		for (size_t i = 0; i < n; i++) {
			sink += strlen(rules[i].id) + strlen(rules[i].line) + rules[i].lineno;
			if (rules[i].package)
				sink += strlen(rules[i].package);
			if (rules[i].until)
				sink += strlen(rules[i].until);
			if (rules[i].reason)
				sink += strlen(rules[i].reason);
		}
	}
	(void)sink;
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

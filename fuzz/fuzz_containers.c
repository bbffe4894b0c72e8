/* Fuzz the container snapshot parsers (docker ps lines, docker inspect, the Docker API list,
 * crictl, kubectl pod lists) through their auto-detection, and the JSON/table rendering. */
#include "util/common.h"
#include "source/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	lading_containers *s;
	char *out;
	size_t len;
	if (lading_ctx_new(&ctx))
		return 0;
	if (lading_containers_parse(&s, ctx, (const char *)data, size, "fuzz", NULL) == 0) {
		for (size_t i = 0; i < lading_containers_count(s); i++) {
			const lading_container *c = lading_containers_get(s, i);
			if (!c->state || !c->id || strcmp(c->source, "file:fuzz"))
				__builtin_trap(); /* every record has an id, a state and the source */
			if (c->image_digest && strlen(c->image_digest) != 71)
				__builtin_trap();
		}
		for (int json = 0; json <= 1; json++)
			if (lading_containers_render(s, json, &out, &len, ctx) == 0)
				free(out);
		lading_containers_free(s);
	} else if (!lading_ctx_error(ctx)->msg[0]) {
		__builtin_trap(); /* a failure always says why */
	}
	lading_ctx_free(ctx);
	return 0;
}

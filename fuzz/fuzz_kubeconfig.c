/* Fuzz the kubeconfig reader: contexts, clusters, users, base64 PEM data, tokens. Files named
 * in the input are not read (no_files). */
#include "util/common.h"
#include "source/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_kube_cfg k;
	if (lading_ctx_new(&ctx))
		return 0;
	memset(&k, 0, sizeof(k));
	ld_arena_init(&k.arena, 0);
	k.no_files = true;
	if (ld_kube_config_parse(&k, (const char *)data, size, "fuzz/kubeconfig", NULL, ctx) == 0) {
		if (!k.server || (strncmp(k.server, "https://", 8) && strncmp(k.server, "http://", 7)))
			__builtin_trap(); /* a parsed config always has an http(s) server */
		for (const char *p = k.auth; *p; p++)
			if ((unsigned char)*p < 0x20)
				__builtin_trap(); /* would break the header line */
	} else if (!lading_ctx_error(ctx)->msg[0]) {
		__builtin_trap();
	}
	ld_kube_config_release(&k);
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz docker config.json credential lookup (and the token server answer parser, which reads
 * the same kind of small JSON document). */
#include "util/common.h"
#include "source/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regs[] = {"docker.io", "localhost:5000", "ghcr.io", "quay.io"};
	lading_ctx *ctx;
	ld_creds c;
	ld_buf tok = LD_BUF_INIT;
	if (lading_ctx_new(&ctx))
		return 0;
	for (size_t i = 0; i < LD_ARRAY_LEN(regs); i++) {
		if (ld_docker_config_find((const char *)data, size, regs[i], &c, ctx) == 0 &&
		    !c.username[0])
			__builtin_trap(); /* found credentials always have a user */
		ld_creds_wipe(&c);
	}
	if (ld_auth_token_parse((const char *)data, size, &tok, ctx) == 0)
		for (size_t i = 0; i < tok.len; i++)
			if ((unsigned char)tok.ptr[i] <= 0x20 || (unsigned char)tok.ptr[i] >= 0x7f)
				__builtin_trap(); /* would break the header line */
	ld_buf_release(&tok);
	lading_ctx_free(ctx);
	return 0;
}

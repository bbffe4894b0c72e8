/* Fuzz the honeypot's RESP parser (honeypot/resp.c): parse commands back to back as the Redis
 * emulation does, and check every argument lies inside the input or the scratch buffer. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ld_resp_cmd cmd;
static char scratch[LD_RESP_MAX_INLINE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off = 0;
	while (off < size) {
		size_t used = 0;
		const char *why = NULL;
		int rc = ld_resp_parse(&cmd, p + off, size - off, scratch, &used, &why);
		if (rc != LD_HP_DONE) {
			if (rc < 0 && !why)
				__builtin_trap(); /* every error has the message Redis would send */
			break;
		}
		if (used == 0 || used > size - off || cmd.argc > LD_RESP_MAX_ARGS)
			__builtin_trap();
		for (size_t i = 0; i < cmd.argc; i++) {
			const char *a = cmd.argv[i].ptr;
			size_t n = cmd.argv[i].len;
			bool in_input = a >= p + off && a + n <= p + off + used;
			bool in_scratch = a >= scratch && a + n <= scratch + sizeof(scratch);
			if (!in_input && !in_scratch)
				__builtin_trap();
			if (n > LD_RESP_MAX_BULK)
				__builtin_trap();
		}
		off += used;
	}
	return 0;
}

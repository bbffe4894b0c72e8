/* Public entry points of the census (include/lading/census.h). */
#include "util/common.h"
#include "census/census.h"

int lading_probe(lading_census **out, lading_ctx *ctx, const char *const *targets, size_t ntargets,
		 const lading_probe_options *opts)
{
	lading_census *c;
	int rc;
	*out = NULL;
	ld_error_clear(ctx);
	if (opts && opts->version != LADING_PROBE_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE, "lading_probe_options: unknown version %u",
				    opts->version);
	if ((rc = ld_census_new(&c)))
		return ld_error_set(ctx, rc, "out of memory");
	if ((rc = ld_census_probe_run(c, targets, ntargets, opts, ctx))) {
		lading_census_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

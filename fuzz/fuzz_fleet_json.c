/* Fuzz the fleet JSON reader (an exported inventory, `report fleet --from`) and everything the
 * report does with what it read: statistics under every grouping, and the three writers. */
#include "util/common.h"
#include "store/fleet_data.h"
#include "report/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void report(const ld_fleet_data *d, const ld_famous *fm, const char *group_by, lading_ctx *ctx)
{
	ld_fleet_opts o = {group_by, "^example\\.com/", 1765065600, LD_FLEET_TIME_UNKNOWN, 1, fm};
	ld_fleet_stats st;
	ld_buf b = LD_BUF_INIT;
	if (ld_fleet_stats_compute(&st, d, &o, ctx))
		return;
	ld_fleet_write_table(&b, &st);
	ld_buf_clear(&b);
	ld_fleet_write_json(&b, &st);
	ld_buf_clear(&b);
	ld_fleet_write_html(&b, &st);
	ld_buf_release(&b);
	ld_fleet_stats_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"official", "repo", "label:team"};
	lading_ctx *ctx = NULL;
	ld_fleet_data d;
	ld_famous fm;
	if (lading_ctx_new(&ctx))
		return 0;
	ld_fleet_data_init(&d);
	ld_famous_init(&fm);
	if (!ld_famous_load_builtin(&fm, ctx) &&
	    !ld_fleet_data_parse_json(&d, (const char *)data, size, ctx, "fuzz")) {
		ld_buf b = LD_BUF_INIT;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			report(&d, &fm, keys[i], ctx);
		ld_fleet_data_write_json(&b, &d);
		ld_buf_release(&b);
	}
	ld_famous_release(&fm);
	ld_fleet_data_release(&d);
	lading_ctx_free(ctx);
	return 0;
}

/* Shared by the census fuzz harnesses: run one protocol parser over the input at every step,
 * with and without end of input, and check what it left in the observation; or run one importer
 * with a sink that checks every record. */
#ifndef CENSUS_FUZZ_H
#define CENSUS_FUZZ_H

#include "util/common.h"
#include "census/census.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void census_fuzz_check_str(const char *s, size_t max)
{
	size_t n;
	if (!s)
		return;
	n = strlen(s);
	if (n > max)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			__builtin_trap();
}

static inline void census_fuzz_check_obs(const ld_census_obs *o)
{
	census_fuzz_check_str(o->product, 64 > LD_CENSUS_FIELD_MAX ? 64 : LD_CENSUS_FIELD_MAX);
	census_fuzz_check_str(o->version, LD_CENSUS_FIELD_MAX);
	census_fuzz_check_str(o->distro, LD_CENSUS_FIELD_MAX);
	census_fuzz_check_str(o->evidence, 4 * LD_CENSUS_EVIDENCE_MAX + 3);
	if (o->nattrs > LD_CENSUS_ATTRS_MAX)
		__builtin_trap();
	for (size_t i = 0; i < o->nattrs; i++)
		census_fuzz_check_str(o->attrs[i].value, LD_CENSUS_ATTR_MAX);
}

typedef ld_pv (*census_fuzz_parse_fn)(unsigned, ld_slice, bool, ld_census_obs *);

static inline void census_fuzz_parser(census_fuzz_parse_fn fn, const uint8_t *data, size_t size,
				      unsigned steps)
{
	ld_arena a;
	ld_arena_init(&a, (size_t)64 << 20);
	for (unsigned step = 0; step < steps; step++) {
		for (int eof = 0; eof < 2; eof++) {
			ld_census_obs o;
			ld_pv v;
			ld_census_obs_init(&o, &a);
			v = fn(step, ld_slice_make(data, size), eof, &o);
			if (v > LD_PV_SWITCH || (eof && v == LD_PV_MORE))
				__builtin_trap();
			if (v == LD_PV_SWITCH && (o.switch_to < 0 || o.switch_to >= LD_PROBE_COUNT))
				__builtin_trap();
			ld_census_obs_finish(&o);
			census_fuzz_check_obs(&o);
		}
	}
	ld_arena_release(&a);
}

static int census_fuzz_put(void *opaque, const lading_census_record *r)
{
	size_t *n = opaque;
	if (!r->target || r->port < 1 || r->port > 65535)
		__builtin_trap();
	census_fuzz_check_str(r->version, LD_CENSUS_FIELD_MAX);
	census_fuzz_check_str(r->distro, LD_CENSUS_FIELD_MAX);
	census_fuzz_check_str(r->time, 20);
	(*n)++;
	return 0;
}

static inline void census_fuzz_import(const char *format, const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	ld_census_sink sink;
	size_t n = 0;
	if (lading_ctx_new(&ctx))
		return;
	memset(&sink, 0, sizeof(sink));
	sink.put = census_fuzz_put;
	sink.opaque = &n;
	ld_census_import_data(ld_slice_make(data, size), format, &sink, ctx, "fuzz");
	if (sink.records != n)
		__builtin_trap();
	(void)ld_census_detect_format(ld_slice_make(data, size));
	lading_ctx_free(ctx);
}

#endif

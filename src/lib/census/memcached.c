/* memcached: the text protocol's "version" command answers "VERSION 1.6.18". */
#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define MEMCACHED_MAX_LINE 1024

bool ld_census_memcached_request(unsigned step, const ld_census_obs *o, ld_buf *out)
{
	(void)o;
	return step == 0 && ld_buf_adds(out, "version\r\n") == 0;
}

ld_pv ld_census_memcached_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	ptrdiff_t nl = ld_slice_find(in, '\n');
	ld_slice line;
	(void)step;
	if (nl < 0)
		return eof || in.len > MEMCACHED_MAX_LINE ? LD_PV_NOMATCH : LD_PV_MORE;
	line = ld_slice_trim(ld_slice_sub(in, 0, (size_t)nl));
	if (ld_slice_starts_with(line, "VERSION ")) {
		ld_slice v = ld_slice_trim(ld_slice_sub(line, 8, line.len));
		if (!v.len || v.ptr[0] < '0' || v.ptr[0] > '9')
			return LD_PV_NOMATCH;
		o->service = "memcached";
		o->product = "memcached";
		ld_census_obs_evidence(o, line);
		ld_census_obs_version(o, v);
		return LD_PV_DONE;
	}
	if (ld_slice_starts_with(line, "SERVER_ERROR") || ld_slice_starts_with(line, "CLIENT_ERROR")) {
		o->service = "memcached";
		o->product = "memcached";
		ld_census_obs_evidence(o, line);
		o->note = "the server refused the version command: no version disclosed";
		return LD_PV_DONE;
	}
	return LD_PV_NOMATCH;
}

/* Redis (and RESP-compatible Valkey, KeyDB): "INFO server" answers a bulk string of "key:value"
 * lines (redis_version, redis_mode, os...). A server with a password answers "-NOAUTH", one in
 * protected mode "-DENIED": product only. Where INFO is renamed away, PING tells it is Redis. */
#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define REDIS_MAX_INFO 65536 /* bytes of an INFO reply we read (INFO server is ~600) */
#define REDIS_MAX_LINE 4096  /* a simple-string or error reply */

bool ld_census_redis_request(unsigned step, const ld_census_obs *o, ld_buf *out)
{
	(void)o;
	if (step == 0)
		return ld_buf_adds(out, "INFO server\r\n") == 0;
	if (step == 1)
		return ld_buf_adds(out, "PING\r\n") == 0;
	return false;
}

static void info_lines(ld_census_obs *o, ld_slice body)
{
	ld_slice line, redis_version = LD_SLICE_NULL, valkey_version = LD_SLICE_NULL;
	bool valkey = false;
	while (ld_slice_next_line(&body, &line)) {
		ld_slice key;
		line = ld_slice_trim(line);
		if (!line.len || line.ptr[0] == '#' || !ld_slice_cut(&line, ':', &key))
			continue;
		if (ld_slice_eq_cstr(key, "redis_version"))
			redis_version = line;
		else if (ld_slice_eq_cstr(key, "valkey_version"))
			valkey_version = line;
		else if (ld_slice_eq_cstr(key, "server_name"))
			valkey = ld_slice_eq_cstr(line, "valkey");
		else if (ld_slice_eq_cstr(key, "redis_mode"))
			ld_census_obs_attr(o, "mode", line);
		else if (ld_slice_eq_cstr(key, "os"))
			ld_census_obs_attr(o, "os", line);
		else if (ld_slice_eq_cstr(key, "arch_bits"))
			ld_census_obs_attr(o, "arch_bits", line);
		else if (ld_slice_eq_cstr(key, "redis_git_sha1"))
			ld_census_obs_attr(o, "git_sha1", line);
	}
	if (valkey || valkey_version.len) {
		o->product = "valkey";
		ld_census_obs_version(o, valkey_version.len ? valkey_version : redis_version);
	} else if (redis_version.len) {
		o->product = "redis";
		ld_census_obs_version(o, redis_version);
	} else {
		/* a RESP bulk reply, but not Redis' INFO: the protocol, not the product */
		o->note = "a RESP reply to INFO that names no server";
	}
}

/* -NOAUTH, -DENIED (protected mode), -NOPERM, -WRONGPASS: an access refusal */
static bool refusal(ld_slice line)
{
	return ld_slice_starts_with(line, "-NOAUTH") || ld_slice_starts_with(line, "-DENIED") ||
	       ld_slice_starts_with(line, "-NOPERM") || ld_slice_starts_with(line, "-WRONGPASS") ||
	       ld_slice_starts_with(line, "-ERR operation not permitted");
}

ld_pv ld_census_redis_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	ptrdiff_t nl = ld_slice_find(in, '\n');
	ld_slice line;
	if (!in.len)
		return eof ? LD_PV_NOMATCH : LD_PV_MORE;
	if (in.ptr[0] != '$' && in.ptr[0] != '-' && in.ptr[0] != '+')
		return LD_PV_NOMATCH;
	if (nl < 0)
		return eof || in.len > REDIS_MAX_LINE ? LD_PV_NOMATCH : LD_PV_MORE;
	line = ld_slice_sub(in, 0, (size_t)nl);
	if (line.len && line.ptr[line.len - 1] == '\r')
		line.len--;
	if (in.ptr[0] == '$') {
		uint64_t n;
		ld_slice body;
		if (step != 0 || !ld_slice_to_u64(ld_slice_sub(line, 1, line.len), UINT32_MAX, &n))
			return LD_PV_NOMATCH;
		body = ld_slice_sub(in, (size_t)nl + 1, in.len);
		if (body.len < n && !eof && body.len < REDIS_MAX_INFO)
			return LD_PV_MORE;
		o->service = "redis";
		ld_census_obs_evidence(o, in);
		info_lines(o, ld_slice_sub(body, 0, LD_MIN((size_t)n, (size_t)REDIS_MAX_INFO)));
		return LD_PV_DONE;
	}
	o->service = "redis";
	ld_census_obs_evidence(o, line);
	if (!o->product)
		o->product = "redis";
	if (refusal(line)) {
		ld_census_obs_attr(o, "reply", line);
		o->note = ld_slice_starts_with(line, "-DENIED")
				  ? "protected mode: the server refuses remote clients, no version disclosed"
				  : "authentication required: no version disclosed";
		return LD_PV_DONE;
	}
	if (step == 0 && line.ptr[0] == '-') {
		/* INFO renamed or disabled: PING at least confirms the protocol */
		ld_census_obs_attr(o, "reply", line);
		o->step_next = 1;
		return LD_PV_NEXT;
	}
	o->note = "the server answers RESP commands but does not disclose its version";
	return LD_PV_DONE;
}

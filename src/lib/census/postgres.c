/* PostgreSQL: an SSLRequest answered by the single byte 'S' or 'N', then a StartupMessage
 * answered by an authentication request ('R': which method) or an error ('E'). PostgreSQL tells
 * its version (ParameterStatus server_version) only after authentication, so a normal server is
 * "product only". A server that lets anyone in ("trust") sends it unasked: that is recorded, with
 * the fact that it asked for no password. */
#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define PG_MAX_MESSAGE 65536 /* bytes of one backend message before authentication */
#define PG_MAX_MESSAGES 256  /* messages read after AuthenticationOk */

bool ld_census_postgres_request(unsigned step, const ld_census_obs *o, ld_buf *out)
{
	static const char ssl[8] = {0, 0, 0, 8, 0x04, (char)0xd2, 0x16, 0x2f};
	static const char params[] = "user\0lading\0database\0postgres\0application_name\0lading-census\0";
	size_t len = 8 + sizeof(params); /* sizeof counts the terminating NUL of the list */
	char hdr[8];
	(void)o;
	if (step == 0)
		return ld_buf_add(out, ssl, sizeof(ssl)) == 0;
	if (step != 1)
		return false;
	hdr[0] = (char)(len >> 24);
	hdr[1] = (char)(len >> 16);
	hdr[2] = (char)(len >> 8);
	hdr[3] = (char)len;
	hdr[4] = 0, hdr[5] = 3, hdr[6] = 0, hdr[7] = 0; /* protocol 3.0 */
	ld_buf_add(out, hdr, sizeof(hdr));
	return ld_buf_add(out, params, sizeof(params)) == 0;
}

static uint32_t be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static const char *auth_name(uint32_t t)
{
	switch (t) {
	case 0: return "trust";
	case 2: return "kerberos";
	case 3: return "password";
	case 5: return "md5";
	case 7: return "gss";
	case 9: return "sspi";
	case 10: return "sasl";
	default: return "other";
	}
}

static void error_fields(ld_census_obs *o, ld_slice body)
{
	while (body.len > 1 && body.ptr[0]) {
		char type = body.ptr[0];
		ptrdiff_t z;
		ld_slice val;
		body = ld_slice_sub(body, 1, body.len);
		z = ld_slice_find(body, '\0');
		if (z < 0)
			return;
		val = ld_slice_sub(body, 0, (size_t)z);
		body = ld_slice_sub(body, (size_t)z + 1, body.len);
		if (type == 'M')
			ld_census_obs_attr(o, "error", val);
		else if (type == 'C')
			ld_census_obs_attr(o, "sqlstate", val);
	}
}

static ld_pv startup_reply(ld_slice in, bool eof, ld_census_obs *o)
{
	ld_slice rest = in;
	bool authed = false, finished = false;
	for (unsigned count = 0; !finished && count < PG_MAX_MESSAGES; count++) {
		char type;
		uint32_t len;
		ld_slice body;
		if (rest.len < 5)
			break;
		type = rest.ptr[0];
		len = be32(rest.ptr + 1);
		if (len < 4 || len > PG_MAX_MESSAGE || (!authed && type != 'R' && type != 'E' && type != 'v'))
			return o->product ? LD_PV_DONE : LD_PV_NOMATCH;
		if (rest.len - 1 < len)
			break;
		body = ld_slice_sub(rest, 5, len - 4);
		rest = ld_slice_sub(rest, 1 + (size_t)len, rest.len);
		o->service = "postgresql";
		o->product = "postgresql";
		if (type == 'E') {
			error_fields(o, body);
			finished = true;
		} else if (type == 'R' && body.len >= 4) {
			uint32_t t = be32(body.ptr);
			ld_census_obs_attr(o, "auth", ld_slice_cstr(auth_name(t)));
			if (t == 10 && body.len > 4) /* SASL mechanisms: "SCRAM-SHA-256\0...\0" */
				ld_census_obs_attr(o, "sasl", ld_slice_make(body.ptr + 4, strnlen(body.ptr + 4, body.len - 4)));
			if (t != 0)
				finished = true;
			authed = true;
		} else if (type == 'S' && authed) {
			ptrdiff_t z = ld_slice_find(body, '\0');
			if (z > 0 && ld_slice_eq_cstr(ld_slice_sub(body, 0, (size_t)z), "server_version")) {
				ld_slice v = ld_slice_sub(body, (size_t)z + 1, body.len);
				ptrdiff_t z2 = ld_slice_find(v, '\0');
				if (z2 >= 0)
					v.len = (size_t)z2;
				ld_census_obs_version(o, v);
			}
		} else if (type == 'Z') {
			finished = true;
		}
	}
	if (!finished && !eof)
		return LD_PV_MORE;
	if (!o->product)
		return LD_PV_NOMATCH;
	ld_census_obs_evidence(o, in);
	if (authed && !ld_census_obs_get_attr(o, "auth"))
		authed = false;
	if (authed && !strcmp(ld_census_obs_get_attr(o, "auth"), "trust"))
		o->note = o->version ? "trust authentication: the server let an unknown user in "
				       "without a password and sent its version"
				     : "trust authentication: the server let an unknown user in";
	else
		o->note = "PostgreSQL discloses no version before authentication";
	return LD_PV_DONE;
}

ld_pv ld_census_postgres_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	if (!in.len)
		return eof ? LD_PV_NOMATCH : LD_PV_MORE;
	if (step == 0) {
		if (in.len != 1 || (in.ptr[0] != 'N' && in.ptr[0] != 'S')) {
			/* servers before 7.0 answer SSLRequest with an error message */
			return in.ptr[0] == 'E' ? startup_reply(in, eof, o) : LD_PV_NOMATCH;
		}
		o->service = "postgresql";
		o->product = "postgresql";
		ld_census_obs_attr(o, "ssl", ld_slice_cstr(in.ptr[0] == 'S' ? "supported" : "no"));
		o->step_next = 1;
		/* after 'S' the server expects a TLS handshake; ask again in plain text */
		return in.ptr[0] == 'S' ? LD_PV_RECONNECT : LD_PV_NEXT;
	}
	return startup_reply(in, eof, o);
}

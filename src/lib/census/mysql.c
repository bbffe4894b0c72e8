/* MySQL / MariaDB: the server's initial handshake packet (protocol 10: server_version, ...), sent
 * before the client says anything. A server that refuses the client's host answers with an ERR
 * packet instead ("Host '...' is not allowed to connect to this MariaDB server"): product only. */
#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define MYSQL_MAX_HANDSHAKE 4096 /* a handshake is ~100 bytes; a longer "packet" is not one */
#define MYSQL_MAX_VERSION 96	 /* server_version bytes */

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static bool printable(ld_slice s)
{
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.ptr[i] < 0x20 || (unsigned char)s.ptr[i] >= 0x7f)
			return false;
	return true;
}

/* NUL-terminated string at *off within p[0..n): the bytes before the NUL (or up to n). */
static ld_slice cstr_at(const unsigned char *p, size_t n, size_t *off, size_t max)
{
	size_t s = *off, e = s;
	while (e < n && p[e] && e - s < max)
		e++;
	*off = e < n ? e + 1 : n;
	return ld_slice_make(p + s, e - s);
}

static ld_pv error_packet(const unsigned char *p, size_t n, ld_census_obs *o)
{
	ld_slice msg;
	char code[16];
	if (n < 3)
		return LD_PV_NOMATCH;
	msg = ld_slice_make(p + 3, n - 3);
	if (msg.len && msg.ptr[0] == '#' && msg.len >= 6) /* SQLSTATE marker (after handshake) */
		msg = ld_slice_sub(msg, 6, msg.len - 6);
	if (!msg.len || !printable(msg))
		return LD_PV_NOMATCH;
	o->service = "mysql";
	ld_snprintf(code, sizeof(code), "%u", (unsigned)le16(p + 1));
	ld_census_obs_attr(o, "error_code", ld_slice_cstr(code));
	ld_census_obs_attr(o, "error", msg);
	if (ld_slice_find_str(msg, LD_SLICE_LIT("MariaDB")) >= 0)
		o->product = "mariadb";
	else if (ld_slice_find_str(msg, LD_SLICE_LIT("MySQL")) >= 0)
		o->product = "mysql";
	o->note = "the server refused this client before the handshake: no version disclosed";
	return LD_PV_DONE;
}

ld_pv ld_census_mysql_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	const unsigned char *p = (const unsigned char *)in.ptr;
	size_t len, n, off;
	ld_slice ver;
	(void)step;
	if (in.len < 5)
		return eof ? LD_PV_NOMATCH : LD_PV_MORE;
	len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	if (p[3] != 0 || len < 2 || len > MYSQL_MAX_HANDSHAKE)
		return LD_PV_NOMATCH;
	if (in.len < 4 + len && !eof)
		return LD_PV_MORE;
	n = LD_MIN(len, in.len - 4); /* a truncated packet still names its version */
	p += 4;
	if (p[0] == 0xff)
		return error_packet(p, n, o);
	if (p[0] != 0x0a && p[0] != 0x09)
		return LD_PV_NOMATCH;
	off = 1;
	ver = cstr_at(p, n, &off, MYSQL_MAX_VERSION);
	if (!ver.len || !printable(ver) || ver.ptr[0] < '0' || ver.ptr[0] > '9')
		return LD_PV_NOMATCH;
	o->service = "mysql";
	if (!o->product)
		o->product = "mysql";
	ld_census_obs_evidence(o, ld_slice_make(in.ptr, 4 + n));
	ld_census_obs_attr(o, "protocol", ld_slice_cstr(p[0] == 0x0a ? "10" : "9"));
	ld_census_obs_attr(o, "server_version", ver);
	ld_census_obs_version(o, ver);
	/* protocol 10: thread id 4, auth data 8, filler 1, caps 2, charset 1, status 2, caps 2,
	 * auth data length 1, reserved 10, auth data part 2 (>= 13), then the plugin name */
	if (p[0] == 0x0a && off + 31 <= n) {
		size_t alen = p[off + 20];
		size_t poff = off + 31 + LD_MAX(alen > 8 ? alen - 8 : 0, (size_t)13);
		if (poff < n) {
			ld_slice plugin = cstr_at(p, n, &poff, 64);
			if (plugin.len && printable(plugin))
				ld_census_obs_attr(o, "auth_plugin", plugin);
		}
	}
	return LD_PV_DONE;
}

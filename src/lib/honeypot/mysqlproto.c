/* MySQL wire protocol, the client side we read: packet framing and the login packet
 * (HandshakeResponse41, the old HandshakeResponse320, the short SSLRequest). Fields after the
 * user name are optional in practice (tools truncate them); a truncated optional field ends the
 * parse with what was read rather than failing, since recording what was tried is the point.
 * Limits are in proto.h (LD_MYSQL_*). */
#include "util/common.h"
#include "honeypot/proto.h"

#define MYSQL_MAX_PAYLOAD_FRAME 0xffffffu /* a frame this size continues in the next one */

int ld_mysql_packet(const char *p, size_t len, ld_slice *payload, uint8_t *seq, size_t *consumed)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n;
	if (len < 4)
		return LD_HP_MORE;
	n = (size_t)u[0] | (size_t)u[1] << 8 | (size_t)u[2] << 16;
	if (n == MYSQL_MAX_PAYLOAD_FRAME || n > LD_MYSQL_MAX_PACKET)
		return LADING_ELIMIT;
	if (len - 4 < n)
		return LD_HP_MORE;
	*payload = ld_slice_make(p + 4, n);
	*seq = u[3];
	*consumed = n + 4;
	return LD_HP_DONE;
}

/* A little reader over the payload: every take checks the bytes left. */
typedef struct rd {
	const unsigned char *p;
	size_t len, pos;
} rd;

static bool take(rd *r, size_t n, ld_slice *out)
{
	if (r->len - r->pos < n)
		return false;
	if (out)
		*out = ld_slice_make(r->p + r->pos, n);
	r->pos += n;
	return true;
}

static bool le(rd *r, size_t n, uint64_t *v)
{
	ld_slice s;
	if (!take(r, n, &s))
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)(unsigned char)s.ptr[i] << (8 * i);
	return true;
}

/* NUL-terminated string; an unterminated one takes the rest when `rest_ok`. */
static bool cstr(rd *r, ld_slice *out, bool rest_ok)
{
	const unsigned char *z = r->pos < r->len ? memchr(r->p + r->pos, 0, r->len - r->pos) : NULL;
	if (!z) {
		if (!rest_ok || r->pos >= r->len)
			return false;
		*out = ld_slice_make(r->p + r->pos, r->len - r->pos);
		r->pos = r->len;
	} else {
		*out = ld_slice_make(r->p + r->pos, (size_t)(z - (r->p + r->pos)));
		r->pos += out->len + 1;
	}
	return out->len <= LD_MYSQL_MAX_FIELD;
}

/* Length-encoded integer (0xfb is NULL in rows and invalid here, 0xff is an error marker). */
static bool lenenc(rd *r, uint64_t *v)
{
	uint64_t first;
	if (!le(r, 1, &first))
		return false;
	if (first < 0xfb) {
		*v = first;
		return true;
	}
	if (first == 0xfc)
		return le(r, 2, v);
	if (first == 0xfd)
		return le(r, 3, v);
	if (first == 0xfe)
		return le(r, 8, v);
	return false;
}

static bool lenenc_str(rd *r, ld_slice *out)
{
	uint64_t n;
	if (!lenenc(r, &n) || n > r->len - r->pos)
		return false;
	return take(r, (size_t)n, out);
}

static void attrs(ld_mysql_login *l, rd *r)
{
	uint64_t total;
	rd a;
	if (!lenenc(r, &total) || total > r->len - r->pos)
		return;
	a.p = r->p + r->pos;
	a.len = (size_t)total;
	a.pos = 0;
	r->pos += (size_t)total;
	while (a.pos < a.len && l->nattrs < LD_MYSQL_MAX_ATTRS) {
		ld_slice k, v;
		if (!lenenc_str(&a, &k) || !lenenc_str(&a, &v))
			return;
		if (k.len > LD_MYSQL_MAX_FIELD || v.len > LD_MYSQL_MAX_FIELD)
			continue;
		l->attrs[l->nattrs].key = k;
		l->attrs[l->nattrs].value = v;
		l->nattrs++;
	}
}

int ld_mysql_parse_login(ld_mysql_login *l, const char *p, size_t len)
{
	rd r = {(const unsigned char *)p, len, 0};
	uint64_t v;

	memset(l, 0, sizeof(*l));
	if (len > LD_MYSQL_MAX_PACKET)
		return LADING_ELIMIT;
	if (!le(&r, 2, &v))
		return LADING_EINVALID;
	l->caps = (uint32_t)v;
	if (!(l->caps & LD_MYSQL_CLIENT_PROTOCOL_41)) {
		/* HandshakeResponse320: flags(2) max_packet(3) user NUL auth... */
		if (!le(&r, 3, &v) || !cstr(&r, &l->user, false))
			return LADING_EINVALID;
		l->max_packet = (uint32_t)v;
		if (l->caps & LD_MYSQL_CLIENT_CONNECT_WITH_DB) {
			if (cstr(&r, &l->auth, true))
				cstr(&r, &l->db, true);
		} else if (r.pos < r.len) {
			cstr(&r, &l->auth, true);
		}
		return 0;
	}
	if (!le(&r, 2, &v))
		return LADING_EINVALID;
	l->caps |= (uint32_t)v << 16;
	if (!le(&r, 4, &v))
		return LADING_EINVALID;
	l->max_packet = (uint32_t)v;
	if (!le(&r, 1, &v))
		return LADING_EINVALID;
	l->charset = (uint8_t)v;
	if (!take(&r, 23, NULL))
		return LADING_EINVALID;
	if (r.pos == r.len) {
		/* SSLRequest: the header alone, TLS would start now */
		l->ssl_request = (l->caps & LD_MYSQL_CLIENT_SSL) != 0;
		return l->ssl_request ? 0 : LADING_EINVALID;
	}
	if (!cstr(&r, &l->user, false))
		return LADING_EINVALID;
	if (l->caps & LD_MYSQL_CLIENT_PLUGIN_AUTH_LENENC) {
		if (!lenenc_str(&r, &l->auth))
			return 0;
	} else if (l->caps & LD_MYSQL_CLIENT_SECURE_CONNECTION) {
		if (!le(&r, 1, &v) || !take(&r, (size_t)v, &l->auth))
			return 0;
	} else if (!cstr(&r, &l->auth, true)) {
		return 0;
	}
	if ((l->caps & LD_MYSQL_CLIENT_CONNECT_WITH_DB) && !cstr(&r, &l->db, true))
		return 0;
	if ((l->caps & LD_MYSQL_CLIENT_PLUGIN_AUTH) && !cstr(&r, &l->plugin, true))
		return 0;
	if (l->caps & LD_MYSQL_CLIENT_CONNECT_ATTRS)
		attrs(l, &r);
	return 0;
}

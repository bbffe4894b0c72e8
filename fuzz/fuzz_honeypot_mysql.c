/* Fuzz the honeypot's MySQL packet framing and login parser (honeypot/mysqlproto.c). */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(ld_slice s, const char *p, size_t n)
{
	if (s.ptr && !(s.ptr >= p && s.ptr + s.len <= p + n))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off = 0;
	ld_mysql_login l;
	/* the whole input as one login payload */
	if (ld_mysql_parse_login(&l, p, size) == 0) {
		inside(l.user, p, size);
		inside(l.auth, p, size);
		inside(l.db, p, size);
		inside(l.plugin, p, size);
		if (l.nattrs > LD_MYSQL_MAX_ATTRS)
			__builtin_trap();
		for (size_t i = 0; i < l.nattrs; i++) {
			inside(l.attrs[i].key, p, size);
			inside(l.attrs[i].value, p, size);
		}
	}
	/* and as a stream of packets */
	while (off < size) {
		ld_slice payload;
		uint8_t seq;
		size_t used = 0;
		if (ld_mysql_packet(p + off, size - off, &payload, &seq, &used) != LD_HP_DONE)
			break;
		if (used < 4 || used > size - off)
			__builtin_trap();
		inside(payload, p + off, used);
		ld_mysql_parse_login(&l, payload.ptr, payload.len);
		off += used;
	}
	return 0;
}

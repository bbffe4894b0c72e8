/* Fuzz the honeypot's HTTP/1.1 request parser (honeypot/http.c) and its query helpers: requests
 * back to back as on a keep-alive connection; slices must stay inside the input or scratch. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ld_http_req req;
static char scratch[LD_HTTP_MAX_BODY];

static void inside(ld_slice s, const char *p, size_t n)
{
	if (!s.ptr)
		return;
	if (!((s.ptr >= p && s.ptr + s.len <= p + n) ||
	      (s.ptr >= scratch && s.ptr + s.len <= scratch + sizeof(scratch))))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off = 0;
	while (off < size) {
		size_t used = 0;
		char out[256];
		ld_slice q, n, v;
		int rc = ld_http_parse(&req, p + off, size - off, scratch, &used);
		if (rc != LD_HP_DONE) {
			if (rc < 0 && (req.status < 400 || req.status > 505))
				__builtin_trap();
			break;
		}
		if (used == 0 || used > size - off || req.nhdr > LD_HTTP_MAX_HEADERS ||
		    req.body.len > LD_HTTP_MAX_BODY)
			__builtin_trap();
		inside(req.method, p + off, used);
		/* "GET http://host HTTP/1.1" routes as "/", a constant */
		if (!ld_slice_eq_cstr(req.path, "/"))
			inside(req.path, p + off, used);
		inside(req.query, p + off, used);
		inside(req.body, p + off, used);
		for (size_t i = 0; i < req.nhdr; i++) {
			inside(req.hdr[i].name, p + off, used);
			inside(req.hdr[i].value, p + off, used);
		}
		q = req.query;
		while (ld_http_query_next(&q, &n, &v)) {
			ld_http_unescape(v, true, out, sizeof(out));
			if (strlen(out) >= sizeof(out))
				__builtin_trap();
		}
		ld_http_query_get(req.body, "cmd", out, sizeof(out));
		off += used;
	}
	return 0;
}

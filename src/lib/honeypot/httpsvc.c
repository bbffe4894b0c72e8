/* What the HTTP emulations share: reading requests off a connection (keep-alive and pipelining
 * included), answering, recording a request as an event, and small path helpers. */
#include <time.h>

#include "util/common.h"
#include "util/json.h"
#include "honeypot/hp.h"

#define BAD_REQUEST_KEPT 256 /* bytes of a non-HTTP probe kept in its event */
#define HEADERS_LOGGED	 32  /* header lines recorded per request (tool fingerprints) */

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

static void http_date(char out[40])
{
	static __thread time_t cached_sec = -1;
	static __thread char cached[40];
	time_t now = time(NULL);
	if (now != cached_sec) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(cached, sizeof(cached), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		cached_sec = now;
	}
	ld_strlcpy(out, cached, 40);
}

void ld_hp_http_reply(ld_hp_conn *c, const ld_http_req *r, int status, const char *ctype,
		      const char *headers, const void *body, size_t len)
{
	char date[40];
	bool head = r && ld_slice_eq_cstr(r->method, "HEAD");
	bool closing = !r || !r->keep_alive || c->close_after_write;
	http_date(date);
	ld_hp_outf(c, "HTTP/1.1 %d %s\r\n", status, reason(status));
	if (ctype)
		ld_hp_outf(c, "Content-Type: %s\r\n", ctype);
	if (headers)
		ld_hp_outs(c, headers);
	ld_hp_outf(c, "Date: %s\r\nContent-Length: %zu\r\n%s\r\n", date, len,
		   closing ? "Connection: close\r\n" : "");
	if (!head && len)
		ld_hp_out(c, body, len);
	if (closing)
		c->close_after_write = true;
}

void ld_hp_http_json(ld_hp_conn *c, const ld_http_req *r, int status, const char *json)
{
	ld_hp_http_reply(c, r, status, "application/json", NULL, json, strlen(json));
}

void ld_hp_kheader(ld_hp_conn *c, const char *key, const ld_http_req *r, const char *header)
{
	ld_slice v = ld_http_header_get(r, header);
	if (v.ptr)
		ld_hp_kslice(c, key, v);
}

ld_jw *ld_hp_http_event(ld_hp_conn *c, const char *eventid, const ld_http_req *r)
{
	ld_jw *w = ld_hp_event_begin(c, eventid);
	ld_hp_kslice(c, "method", r->method);
	ld_hp_kslice(c, "path", r->path);
	if (r->query.len)
		ld_hp_kslice(c, "query", r->query);
	ld_hp_kslice(c, "version", r->version);
	ld_hp_kheader(c, "user_agent", r, "user-agent");
	ld_hp_kheader(c, "host", r, "host");
	ld_hp_kheader(c, "content_type", r, "content-type");
	ld_hp_kheader(c, "authorization", r, "authorization");
	ld_jw_key(w, "header_names"); /* order and names: a tool fingerprint */
	ld_jw_arr(w);
	for (size_t i = 0; i < r->nhdr && i < HEADERS_LOGGED; i++) {
		ld_hp_str(c, r->hdr[i].name.ptr, r->hdr[i].name.len);
	}
	ld_jw_arr_end(w);
	if (r->body.len) {
		ld_hp_kslice(c, "body", r->body);
		ld_hp_event_payload(c, r->body.ptr, r->body.len);
	}
	return w;
}

size_t ld_hp_http_on_data(ld_hp_conn *c, const char *p, size_t n, ld_hp_http_route route)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_http_req *r = &sh->req;
	size_t used = 0;
	int rc = ld_http_parse(r, p, n, sh->scratch, &used);
	if (rc == LD_HP_MORE)
		return 0;
	c->steps++;
	if (rc < 0) {
		char body[64];
		int len;
		ld_hp_event_begin(c, "http.bad_request");
		ld_jw_ki64(&sh->jw, "status", r->status);
		ld_hp_kstr(c, "data", p, LD_MIN(n, (size_t)BAD_REQUEST_KEPT));
		ld_hp_event_payload(c, p, n);
		ld_hp_event_end(c);
		len = snprintf(body, sizeof(body), "%d %s\n", r->status, reason(r->status));
		c->close_after_write = true;
		ld_hp_http_reply(c, NULL, r->status, "text/plain; charset=utf-8", NULL, body,
				 (size_t)len);
		return n;
	}
	route(c, r);
	if (!r->keep_alive)
		c->close_after_write = true;
	return used;
}

ld_slice ld_hp_http_strip_version(ld_slice path)
{
	/* "/v1.41/..." */
	if (path.len > 3 && path.ptr[0] == '/' && path.ptr[1] == 'v' && path.ptr[2] >= '0' &&
	    path.ptr[2] <= '9') {
		ld_slice rest = ld_slice_sub(path, 1, SIZE_MAX);
		ptrdiff_t slash = ld_slice_find(rest, '/');
		ld_slice ver = slash < 0 ? rest : ld_slice_sub(rest, 0, (size_t)slash);
		for (size_t i = 1; i < ver.len; i++)
			if (!((ver.ptr[i] >= '0' && ver.ptr[i] <= '9') || ver.ptr[i] == '.'))
				return path;
		return slash < 0 ? LD_SLICE_LIT("/") : ld_slice_sub(rest, (size_t)slash, SIZE_MAX);
	}
	return path;
}

size_t ld_hp_http_segments(ld_slice path, ld_slice *seg, size_t max)
{
	size_t n = 0;
	ld_slice part;
	while (path.len && n < max) {
		ld_slice_cut(&path, '/', &part);
		if (part.len)
			seg[n++] = part;
	}
	return n;
}

void ld_hp_hex_id(char *out, size_t nbytes)
{
	unsigned char raw[64];
	static const char hex[] = "0123456789abcdef";
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	ld_hp_random(raw, nbytes);
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

const ld_json *ld_hp_json_body(ld_arena *a, ld_slice body, unsigned max_depth)
{
	ld_json *v = NULL;
	ld_json_limits lim = {max_depth, LD_HP_BODY_JSON_ARENA};
	lading_ctx *ctx = NULL;
	if (!body.len || lading_ctx_new(&ctx) != 0)
		return NULL;
	if (ld_json_parse(&v, a, body.ptr, body.len, &lim, ctx, "body") != 0)
		v = NULL;
	lading_ctx_free(ctx);
	return v;
}

void ld_hp_json_inner(ld_buf *b, const char *s)
{
	ld_buf t;
	ld_buf_init(&t, 8 * strlen(s) + 16);
	ld_json_escape(&t, s, strlen(s));
	if (!ld_buf_error(&t) && t.len >= 2)
		ld_buf_add(b, t.ptr + 1, t.len - 2);
	ld_buf_release(&t);
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

size_t ld_hp_base64_decode(ld_slice in, char *out, size_t outsz)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < in.len; i++) {
		int v = b64val((unsigned char)in.ptr[i]);
		if (v < 0)
			continue; /* padding, blanks, junk: skipped as lenient decoders do */
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < outsz)
				out[o] = (char)((acc >> bits) & 0xff);
			o++;
		}
	}
	return o < outsz ? o : outsz;
}

void ld_hp_base64_encode(ld_slice in, char *out, size_t outsz)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)in.ptr;
	size_t o = 0;
	if (!outsz)
		return;
	for (size_t i = 0; i < in.len && o + 4 < outsz; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16;
		if (i + 1 < in.len)
			v |= (uint32_t)u[i + 1] << 8;
		if (i + 2 < in.len)
			v |= u[i + 2];
		out[o++] = al[(v >> 18) & 63];
		out[o++] = al[(v >> 12) & 63];
		out[o++] = i + 1 < in.len ? al[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < in.len ? al[v & 63] : '=';
	}
	out[o] = '\0';
}

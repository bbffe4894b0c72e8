/* HTTP/1.1 request parser (RFC 9112) for the HTTP emulations (Docker, Kubernetes, etcd,
 * Elasticsearch). Strict where leniency would let one request be read two ways (Content-Length
 * together with Transfer-Encoding, differing Content-Lengths, obsolete line folding: all 400),
 * lenient where real clients are sloppy (bare LF line ends, empty lines before the request).
 * Limits are in proto.h (LD_HTTP_*). */
#include "util/common.h"
#include "honeypot/proto.h"

#define MAX_LEADING_EMPTY 8 /* blank lines tolerated before a request line */

static bool tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool all(ld_slice s, bool (*ok)(unsigned char))
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!ok((unsigned char)s.ptr[i]))
			return false;
	return true;
}

static bool target_char(unsigned char c)
{
	return c > 0x20 && c != 0x7f;
}

static bool value_ok(ld_slice v)
{
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.ptr[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static ld_slice trim_ows(ld_slice s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
		s = ld_slice_sub(s, 1, s.len - 1);
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
		s.len--;
	return s;
}

/* Next line ending in "\n" (a "\r" before it is dropped) within (p+*pos, lim). */
static bool next_line(const char *p, size_t lim, size_t *pos, ld_slice *line)
{
	const char *nl;
	if (*pos >= lim)
		return false;
	nl = memchr(p + *pos, '\n', lim - *pos);
	if (!nl)
		return false;
	*line = ld_slice_make(p + *pos, (size_t)(nl - (p + *pos)));
	if (line->len && line->ptr[line->len - 1] == '\r')
		line->len--;
	*pos = (size_t)(nl - p) + 1;
	return true;
}

static int fail(ld_http_req *r, int status, int code)
{
	r->status = status;
	return code;
}

/* Does a comma-separated header value contain this token (case-insensitive)? */
static bool has_token(ld_slice v, const char *tok)
{
	ld_slice item;
	while (v.len) {
		ld_slice_cut(&v, ',', &item);
		if (ld_slice_case_eq_cstr(trim_ows(item), tok))
			return true;
	}
	return false;
}

static int request_line(ld_http_req *r, ld_slice line)
{
	ld_slice rest = line, ver;
	if (!ld_slice_cut(&rest, ' ', &r->method) || !all(r->method, tchar))
		return fail(r, 400, LADING_EINVALID);
	if (!ld_slice_cut(&rest, ' ', &r->target) || !r->target.len)
		return fail(r, 400, LADING_EINVALID);
	for (size_t i = 0; i < r->target.len; i++)
		if (!target_char((unsigned char)r->target.ptr[i]))
			return fail(r, 400, LADING_EINVALID);
	ver = rest;
	r->version = ver;
	if (ver.len != 8 || memcmp(ver.ptr, "HTTP/", 5) != 0 || ver.ptr[6] != '.')
		return fail(r, 400, LADING_EINVALID);
	if (ver.ptr[5] != '1' || (ver.ptr[7] != '0' && ver.ptr[7] != '1'))
		return fail(r, 505, LADING_EUNSUPPORTED);
	r->minor = ver.ptr[7] - '0';

	/* origin-form "/p?q", absolute-form "http://h/p?q" (proxy probes), "*" (OPTIONS) */
	r->path = r->target;
	if (ld_slice_starts_with(r->path, "http://") || ld_slice_starts_with(r->path, "https://")) {
		ld_slice after = ld_slice_sub(r->path, ld_slice_find(r->path, ':') + 3, SIZE_MAX);
		ptrdiff_t slash = ld_slice_find(after, '/');
		r->path = slash < 0 ? LD_SLICE_LIT("/")
				    : ld_slice_sub(after, (size_t)slash, SIZE_MAX);
	}
	{
		ptrdiff_t q = ld_slice_find(r->path, '?');
		ptrdiff_t h = ld_slice_find(r->path, '#');
		if (h >= 0)
			r->path.len = (size_t)h;
		if (q >= 0 && (h < 0 || q < h)) {
			r->query = ld_slice_sub(r->path, (size_t)q + 1, SIZE_MAX);
			r->path.len = (size_t)q;
		}
	}
	return 0;
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a chunked body starting at p[pos]; *end gets the offset after the trailers. */
static int chunked(ld_http_req *r, const char *p, size_t len, size_t pos, char *scratch,
		   size_t *end)
{
	size_t out = 0;
	for (unsigned n = 0;; n++) {
		ld_slice line;
		uint64_t size = 0;
		size_t i, lim = LD_MIN(len, pos + LD_HTTP_MAX_CHUNK_LINE + 2);
		if (n >= LD_HTTP_MAX_CHUNKS)
			return fail(r, 413, LADING_ELIMIT);
		if (!next_line(p, lim, &pos, &line))
			return lim < len ? fail(r, 400, LADING_EINVALID) : LD_HP_MORE;
		for (i = 0; i < line.len && hexdigit(line.ptr[i]) >= 0; i++) {
			if (i >= 8) /* more than 4 GiB: way past the body limit */
				return fail(r, 413, LADING_ELIMIT);
			size = size * 16 + (uint64_t)hexdigit(line.ptr[i]);
		}
		if (i == 0 || (i < line.len && line.ptr[i] != ';' && line.ptr[i] != ' ' &&
			       line.ptr[i] != '\t'))
			return fail(r, 400, LADING_EINVALID);
		if (size == 0)
			break;
		if (size > LD_HTTP_MAX_BODY - out)
			return fail(r, 413, LADING_ELIMIT);
		if (len - pos < size + 2)
			return LD_HP_MORE;
		if (p[pos + size] == '\r' && p[pos + size + 1] == '\n') {
			memcpy(scratch + out, p + pos, size);
		} else {
			return fail(r, 400, LADING_EINVALID);
		}
		out += size;
		pos += size + 2;
	}
	/* trailers, then the empty line */
	for (size_t start = pos;;) {
		ld_slice line;
		size_t lim = LD_MIN(len, start + LD_HTTP_MAX_HEAD);
		if (!next_line(p, lim, &pos, &line))
			return lim < len ? fail(r, 431, LADING_ELIMIT) : LD_HP_MORE;
		if (!line.len)
			break;
	}
	r->body = ld_slice_make(scratch, out);
	r->content_length = out;
	*end = pos;
	return LD_HP_DONE;
}

int ld_http_parse(ld_http_req *r, const char *p, size_t len, char *scratch, size_t *consumed)
{
	size_t pos;
	int rc = ld_http_parse_head(r, p, len, &pos);
	if (rc != LD_HP_DONE)
		return rc;
	if (r->chunked)
		return chunked(r, p, len, pos, scratch, consumed);
	if (r->content_length > LD_HTTP_MAX_BODY)
		return fail(r, 413, LADING_ELIMIT);
	if (len - pos < r->content_length)
		return LD_HP_MORE;
	r->body = ld_slice_make(p + pos, (size_t)r->content_length);
	*consumed = pos + (size_t)r->content_length;
	return LD_HP_DONE;
}

int ld_http_parse_head(ld_http_req *r, const char *p, size_t len, size_t *head_len)
{
	size_t pos = 0, lim;
	ld_slice line, te = LD_SLICE_NULL, conn = LD_SLICE_NULL;
	bool have_cl = false;
	int rc;

	memset(r, 0, sizeof(*r));
	/* tolerate a few empty lines before the request (RFC 9112 2.2) */
	for (int i = 0; i < MAX_LEADING_EMPTY && pos < len && (p[pos] == '\r' || p[pos] == '\n');
	     i++) {
		if (p[pos] == '\r' && (pos + 1 >= len || p[pos + 1] != '\n'))
			break;
		pos += p[pos] == '\r' ? 2 : 1;
	}
	lim = LD_MIN(len, pos + LD_HTTP_MAX_HEAD);
	if (!next_line(p, lim, &pos, &line))
		return lim < len || len - pos >= LD_HTTP_MAX_HEAD ? fail(r, 431, LADING_ELIMIT)
								  : LD_HP_MORE;
	if ((rc = request_line(r, line)) < 0)
		return rc;
	for (;;) {
		ld_slice name, value;
		if (!next_line(p, lim, &pos, &line))
			return lim < len || lim - (size_t)(r->method.ptr - p) >= LD_HTTP_MAX_HEAD
				       ? fail(r, 431, LADING_ELIMIT)
				       : LD_HP_MORE;
		if (!line.len)
			break;
		if (line.ptr[0] == ' ' || line.ptr[0] == '\t') /* obs-fold */
			return fail(r, 400, LADING_EINVALID);
		value = line;
		if (!ld_slice_cut(&value, ':', &name) || !all(name, tchar))
			return fail(r, 400, LADING_EINVALID);
		value = trim_ows(value);
		if (!value_ok(value))
			return fail(r, 400, LADING_EINVALID);
		if (r->nhdr >= LD_HTTP_MAX_HEADERS)
			return fail(r, 431, LADING_ELIMIT);
		r->hdr[r->nhdr].name = name;
		r->hdr[r->nhdr].value = value;
		r->nhdr++;
		if (ld_slice_case_eq_cstr(name, "content-length")) {
			uint64_t cl;
			if (!ld_slice_to_u64(value, UINT64_MAX, &cl))
				return fail(r, 400, LADING_EINVALID);
			if (have_cl && cl != r->content_length)
				return fail(r, 400, LADING_EINVALID);
			have_cl = true;
			r->content_length = cl;
		} else if (ld_slice_case_eq_cstr(name, "transfer-encoding")) {
			if (te.ptr) /* two TE headers: refuse rather than combine */
				return fail(r, 400, LADING_EINVALID);
			te = value;
		} else if (ld_slice_case_eq_cstr(name, "connection")) {
			conn = value;
		}
	}
	r->keep_alive = r->minor == 1 ? !has_token(conn, "close") : has_token(conn, "keep-alive");
	if (te.ptr) {
		if (have_cl)
			return fail(r, 400, LADING_EINVALID);
		if (!ld_slice_case_eq_cstr(trim_ows(te), "chunked"))
			return fail(r, 501, LADING_EUNSUPPORTED);
		r->chunked = true;
	}
	*head_len = pos;
	return LD_HP_DONE;
}

ld_slice ld_http_header_get(const ld_http_req *r, const char *name)
{
	for (size_t i = 0; i < r->nhdr; i++)
		if (ld_slice_case_eq_cstr(r->hdr[i].name, name))
			return r->hdr[i].value;
	return LD_SLICE_NULL;
}

bool ld_http_query_next(ld_slice *q, ld_slice *name, ld_slice *value)
{
	ld_slice item;
	while (q->len) {
		ld_slice_cut(q, '&', &item);
		if (!item.len)
			continue;
		*value = item;
		if (!ld_slice_cut(value, '=', name)) {
			*name = item;
			*value = LD_SLICE_NULL;
		}
		return true;
	}
	return false;
}

size_t ld_http_unescape(ld_slice in, bool form, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.ptr[i];
		if (c == '%' && i + 2 < in.len && hexdigit(in.ptr[i + 1]) >= 0 &&
		    hexdigit(in.ptr[i + 2]) >= 0) {
			c = (char)(hexdigit(in.ptr[i + 1]) * 16 + hexdigit(in.ptr[i + 2]));
			i += 2;
		} else if (c == '+' && form) {
			c = ' ';
		}
		if (outsz && o + 1 < outsz)
			out[o] = c;
		o++;
	}
	if (outsz)
		out[o < outsz ? o : outsz - 1] = '\0';
	return o;
}

bool ld_http_query_get(ld_slice query, const char *name, char *out, size_t outsz)
{
	ld_slice n, v;
	char key[128];
	while (ld_http_query_next(&query, &n, &v)) {
		ld_http_unescape(n, true, key, sizeof(key));
		if (!strcmp(key, name)) {
			ld_http_unescape(v, true, out, outsz);
			return true;
		}
	}
	return false;
}

/* ---- chunked bodies as they stream in (docker cp uploads) ---- */

enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

/* A chunk-size line is whole: the next chunk's size (0: trailers follow). */
static bool size_line(ld_http_dechunk *d)
{
	uint64_t size = 0;
	size_t i = 0;
	for (; i < d->linelen && hexdigit(d->line[i]) >= 0; i++) {
		if (i >= 15)
			return false;
		size = size * 16 + (uint64_t)hexdigit(d->line[i]);
	}
	if (!i || (i < d->linelen && d->line[i] != ';' && d->line[i] != ' ' && d->line[i] != '\t'))
		return false;
	d->left = size;
	d->state = size ? CH_DATA : CH_TRAILER;
	return true;
}

int ld_http_dechunk_feed(ld_http_dechunk *d, const char *p, size_t n, size_t *used,
			 ld_http_data_fn fn, void *arg)
{
	size_t i = 0;
	*used = 0;
	while (i < n && d->state != CH_DONE) {
		if (d->state == CH_DATA) {
			size_t take = (size_t)LD_MIN((uint64_t)(n - i), d->left);
			fn(arg, p + i, take);
			i += take;
			if (!(d->left -= take))
				d->state = CH_DATA_END;
			continue;
		}
		if (p[i] != '\n') {
			if (d->linelen == LD_HTTP_MAX_CHUNK_LINE)
				return LADING_EINVALID;
			if (p[i] != '\r')
				d->line[d->linelen++] = p[i];
			i++;
			continue;
		}
		i++;
		if (d->state == CH_SIZE && !size_line(d))
			return LADING_EINVALID;
		if (d->state == CH_DATA_END && d->linelen)
			return LADING_EINVALID; /* data longer than its size */
		if (d->state == CH_DATA_END)
			d->state = CH_SIZE;
		else if (d->state == CH_TRAILER && !d->linelen)
			d->state = CH_DONE;
		d->linelen = 0;
	}
	*used = i;
	return 0;
}

bool ld_http_dechunk_done(const ld_http_dechunk *d)
{
	return d->state == CH_DONE;
}

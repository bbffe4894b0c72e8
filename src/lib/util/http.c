#include <ctype.h>
#include <curl/curl.h>
#include <time.h>

#include "util/common.h"
#include "util/http.h"

/* Named limits and defaults. */
#define HTTP_DEFAULT_CONNECT_MS 30000L
#define HTTP_DEFAULT_READ_MS 60000L
#define HTTP_DEFAULT_BACKOFF_MS 1000u
#define HTTP_DEFAULT_MAX_BACKOFF_MS 60000u
#define HTTP_DEFAULT_MAX_BYTES ((uint64_t)16 << 30)
#define HTTP_MAX_REDIRECTS 10L
#define HTTP_MAX_HEADERS 64u	  /* extra request headers */
#define HTTP_MAX_HEADER_LINE 8192 /* request header line length */

struct ld_http {
	CURL *curl;
	ld_http_options opt;
	char ua[64];
	char insecure_host[320]; /* the option's string, copied: callers may build it on the stack */
	unsigned seed;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ld_http_url_for_log(const char *url, char *out, size_t outsz)
{
	const char *p = url ? url : "", *scheme_end = strstr(p, "://"), *host, *at, *end;
	size_t o = 0;
	if (!outsz)
		return;
	out[0] = '\0';
	if (!scheme_end) {
		/* not a URL we understand: print nothing after a '?' or '#' */
		end = p + strcspn(p, "?#");
		ld_snprintf(out, outsz, "%.*s", (int)(end - p), p);
		return;
	}
	host = scheme_end + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	o = (size_t)(scheme_end + 3 - p);
	ld_snprintf(out, outsz, "%.*s", (int)o, p);
	if (at)
		host = at + 1; /* drop user:password@ */
	end = host + strcspn(host, "?#");
	o = strlen(out);
	if (o < outsz)
		ld_snprintf(out + o, outsz - o, "%.*s", (int)(end - host), host);
}

int ld_http_url_host(const char *url, char *host, size_t hostsz, long *port)
{
	CURLU *u = curl_url();
	char *h = NULL, *pt = NULL;
	int rc = -1;
	if (!u || !url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		goto out;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &pt, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	if (strlen(h) >= hostsz)
		goto out;
	for (size_t i = 0; h[i]; i++)
		host[i] = (char)tolower((unsigned char)h[i]);
	host[strlen(h)] = '\0';
	*port = strtol(pt, NULL, 10);
	rc = 0;
out:
	curl_free(h);
	curl_free(pt);
	curl_url_cleanup(u);
	return rc;
}

int ld_http_url_resolve(const char *base, const char *ref, char *out, size_t outsz)
{
	CURLU *u = curl_url();
	char *full = NULL;
	int rc = -1;
	if (!u || !base || !ref || (strncmp(base, "http://", 7) && strncmp(base, "https://", 8)))
		goto out;
	/* setting a relative URL on a handle holding one resolves it (RFC 3986, section 5) */
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
		goto out;
	if ((strncmp(full, "http://", 7) && strncmp(full, "https://", 8)) || strlen(full) >= outsz)
		goto out;
	memcpy(out, full, strlen(full) + 1);
	rc = 0;
out:
	curl_free(full);
	curl_url_cleanup(u);
	return rc;
}

bool ld_http_url_same_origin(const char *a, const char *b)
{
	char ha[512], hb[512];
	long pa, pb;
	size_t sa, sb;
	if (ld_http_url_host(a, ha, sizeof(ha), &pa) || ld_http_url_host(b, hb, sizeof(hb), &pb))
		return false;
	sa = strcspn(a, ":");
	sb = strcspn(b, ":");
	return sa == sb && !strncmp(a, b, sa) && pa == pb && !strcmp(ha, hb);
}

bool ld_http_url_on_host(const char *url, const char *hostport)
{
	char a[512], b[512], https[600];
	long pa, pb;
	if (!hostport || !*hostport || strpbrk(hostport, "/@?#"))
		return false;
	ld_snprintf(https, sizeof(https), "https://%s/", hostport);
	if (ld_http_url_host(url, a, sizeof(a), &pa) || ld_http_url_host(https, b, sizeof(b), &pb))
		return false;
	return pa == pb && !strcmp(a, b);
}

int ld_http_new(ld_http **out, const ld_http_options *opts, lading_ctx *ctx)
{
	ld_http *h;
	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return ld_error_set(ctx, LADING_ENET, "cannot initialize libcurl: %s",
				    curl_easy_strerror(global_rc));
	h = calloc(1, sizeof(*h));
	if (!h)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if (opts)
		h->opt = *opts;
	if (h->opt.insecure_host) {
		if (strlen(h->opt.insecure_host) >= sizeof(h->insecure_host)) {
			free(h);
			return ld_error_set(ctx, LADING_EINVALID, "host name too long: %s", opts->insecure_host);
		}
		ld_snprintf(h->insecure_host, sizeof(h->insecure_host), "%s", h->opt.insecure_host);
		h->opt.insecure_host = h->insecure_host;
	}
	if (!h->opt.connect_timeout_ms)
		h->opt.connect_timeout_ms = HTTP_DEFAULT_CONNECT_MS;
	if (!h->opt.read_timeout_ms)
		h->opt.read_timeout_ms = HTTP_DEFAULT_READ_MS;
	if (!h->opt.backoff_ms)
		h->opt.backoff_ms = HTTP_DEFAULT_BACKOFF_MS;
	if (!h->opt.max_backoff_ms)
		h->opt.max_backoff_ms = HTTP_DEFAULT_MAX_BACKOFF_MS;
	ld_snprintf(h->ua, sizeof(h->ua), "lading/%s", LADING_VERSION);
	h->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		return ld_error_set(ctx, LADING_ENOMEM, "cannot create a libcurl handle");
	}
	*out = h;
	return 0;
}

void ld_http_free(ld_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

typedef struct xfer {
	ld_http *h;
	const ld_http_request *req;
	ld_http_response *resp;
	uint64_t max;
	int sink_err; /* the sink's code or LADING_ELIMIT */
	bool discard; /* error body: not for the sink */
	bool checked;
} xfer;

static size_t write_cb(char *p, size_t size, size_t nmemb, void *opaque)
{
	xfer *x = opaque;
	size_t n = size * nmemb;
	if (!x->checked) {
		long code = 0;
		curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &code);
		x->discard = code < 200 || code >= 300;
		x->checked = true;
	}
	if (x->discard) {
		/* keep the start of an error body: registries explain refusals there */
		size_t have = strlen(x->resp->error_body),
		       room = sizeof(x->resp->error_body) - 1 - have;
		if (room) {
			size_t k = n < room ? n : room;
			memcpy(x->resp->error_body + have, p, k);
			x->resp->error_body[have + k] = '\0';
		}
		return n;
	}
	if (x->resp->bytes + n > x->max || x->resp->bytes + n < x->resp->bytes) {
		x->sink_err = LADING_ELIMIT;
		return 0;
	}
	if (x->req->body) {
		if (ld_buf_add(x->req->body, p, n)) {
			x->sink_err = ld_buf_error(x->req->body);
			return 0;
		}
	} else if (x->req->write) {
		int rc = x->req->write(x->req->opaque, p, n);
		if (rc < 0) {
			x->sink_err = rc;
			return 0;
		}
	}
	x->resp->bytes += n;
	return n;
}

static void header_value(const char *p, size_t n, size_t namelen, char *out, size_t outsz)
{
	ld_slice v = ld_slice_trim(ld_slice_make(p + namelen, n - namelen));
	ld_slice_copy(out, outsz, v);
}

/* Link fields are joined; one that does not fit whole is dropped (a cut URL is worse). */
static void add_link(ld_http_response *r, const char *p, size_t n)
{
	ld_slice v = ld_slice_trim(ld_slice_make(p, n));
	size_t have = strlen(r->link), sep = have ? 2 : 0;
	if (!v.len || have + sep + v.len >= sizeof(r->link))
		return;
	if (sep)
		memcpy(r->link + have, ", ", 2);
	memcpy(r->link + have + sep, v.ptr, v.len);
	r->link[have + sep + v.len] = '\0';
}

static size_t header_cb(char *p, size_t size, size_t nmemb, void *opaque)
{
	xfer *x = opaque;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (redirects, 100-continue): forget the previous one's headers */
		x->resp->etag[0] = x->resp->last_modified[0] = x->resp->content_type[0] = '\0';
		x->resp->www_authenticate[0] = x->resp->content_digest[0] = x->resp->error_body[0] =
		    '\0';
		x->resp->link[0] = '\0';
		x->resp->content_length = -1;
		x->checked = false;
		return n;
	}
	if (n > 5 && !strncasecmp(p, "ETag:", 5))
		header_value(p, n, 5, x->resp->etag, sizeof(x->resp->etag));
	else if (n > 14 && !strncasecmp(p, "Last-Modified:", 14))
		header_value(p, n, 14, x->resp->last_modified, sizeof(x->resp->last_modified));
	else if (n > 13 && !strncasecmp(p, "Content-Type:", 13))
		header_value(p, n, 13, x->resp->content_type, sizeof(x->resp->content_type));
	else if (n > 22 && !strncasecmp(p, "Docker-Content-Digest:", 22))
		header_value(p, n, 22, x->resp->content_digest, sizeof(x->resp->content_digest));
	else if (n > 15 && !strncasecmp(p, "Content-Length:", 15)) {
		char v[32];
		uint64_t len;
		header_value(p, n, 15, v, sizeof(v));
		if (ld_slice_to_u64(ld_slice_cstr(v), INT64_MAX, &len))
			x->resp->content_length = (int64_t)len;
	} else if (n > 5 && !strncasecmp(p, "Link:", 5)) {
		add_link(x->resp, p + 5, n - 5);
	} else if (n > 17 && !strncasecmp(p, "WWW-Authenticate:", 17)) {
		/* several challenges may come; Bearer is the one registries mean */
		bool have_bearer = !strncasecmp(x->resp->www_authenticate, "Bearer", 6);
		if (!x->resp->www_authenticate[0] || !have_bearer)
			header_value(p, n, 17, x->resp->www_authenticate,
				     sizeof(x->resp->www_authenticate));
	}
	return n;
}

static bool retriable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static bool retriable_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* PEM held in memory; libcurl copies it (CURL_BLOB_COPY). */
static CURLcode set_blob(CURL *c, CURLoption opt, ld_slice pem)
{
	struct curl_blob b = {(void *)(uintptr_t)pem.ptr, pem.len, CURL_BLOB_COPY};
	return curl_easy_setopt(c, opt, &b);
}

/* One request (one hop when redirects are followed here): TLS verified unless `url` is on the
 * insecure host. */
static int set_common(ld_http *h, xfer *x, struct curl_slist *hdrs, const char *url)
{
	CURL *c = h->curl;
	CURLcode r = CURLE_OK;
	bool insecure = h->opt.insecure_host && ld_http_url_on_host(url, h->opt.insecure_host);
	curl_easy_reset(c);
#define S(opt, val)                                                                                \
	if (r == CURLE_OK)                                                                         \
	r = curl_easy_setopt(c, opt, val)
	S(CURLOPT_URL, url);
	if (x->req->head) {
		S(CURLOPT_NOBODY, 1L);
	} else if (x->req->post) {
		S(CURLOPT_POST, 1L);
		S(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->req->post_len);
		S(CURLOPT_POSTFIELDS, x->req->post);
	} else {
		S(CURLOPT_HTTPGET, 1L);
	}
	S(CURLOPT_FOLLOWLOCATION, h->opt.insecure_host || x->req->no_redirect ? 0L : 1L);
	S(CURLOPT_MAXREDIRS, HTTP_MAX_REDIRECTS);
	S(CURLOPT_PROTOCOLS_STR, "http,https");
	S(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	S(CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
	S(CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
	if (x->req->identity) {
		/* digest-checked blobs: a storage backend's Content-Encoding must not be undone */
		S(CURLOPT_HTTP_CONTENT_DECODING, 0L);
	} else {
		S(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl decodes */
	}
	S(CURLOPT_CONNECTTIMEOUT_MS, h->opt.connect_timeout_ms);
	/* read timeout: below 1 byte/s for that long aborts */
	S(CURLOPT_LOW_SPEED_LIMIT, 1L);
	S(CURLOPT_LOW_SPEED_TIME, (h->opt.read_timeout_ms + 999) / 1000);
	S(CURLOPT_TIMEOUT_MS, h->opt.total_timeout_ms);
	S(CURLOPT_USERAGENT, h->opt.user_agent ? h->opt.user_agent : h->ua);
	S(CURLOPT_NOSIGNAL, 1L);
	S(CURLOPT_WRITEFUNCTION, write_cb);
	S(CURLOPT_WRITEDATA, x);
	S(CURLOPT_HEADERFUNCTION, header_cb);
	S(CURLOPT_HEADERDATA, x);
	S(CURLOPT_HTTPHEADER, hdrs);
	/* no credentials from ~/.netrc behind the user's back; proxies come from the environment */
	S(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	if (h->opt.unix_socket)
		S(CURLOPT_UNIX_SOCKET_PATH, h->opt.unix_socket);
	if (h->opt.ca_file)
		S(CURLOPT_CAINFO, h->opt.ca_file);
	if (h->opt.cert_file)
		S(CURLOPT_SSLCERT, h->opt.cert_file);
	if (h->opt.key_file)
		S(CURLOPT_SSLKEY, h->opt.key_file);
#undef S
	if (r == CURLE_OK && h->opt.ca_pem.len)
		r = set_blob(c, CURLOPT_CAINFO_BLOB, h->opt.ca_pem);
	if (r == CURLE_OK && h->opt.cert_pem.len)
		r = set_blob(c, CURLOPT_SSLCERT_BLOB, h->opt.cert_pem);
	if (r == CURLE_OK && h->opt.key_pem.len)
		r = set_blob(c, CURLOPT_SSLKEY_BLOB, h->opt.key_pem);
	return r == CURLE_OK ? 0 : LADING_ENET;
}

/* Whether two URLs share scheme, host and port (libcurl's rule for keeping Authorization). */
static bool same_origin(const char *a, const char *b)
{
	char ha[512], hb[512];
	long pa, pb;
	if (ld_http_url_host(a, ha, sizeof(ha), &pa) || ld_http_url_host(b, hb, sizeof(hb), &pb))
		return false;
	return pa == pb && !strcmp(ha, hb) && !strncmp(a, b, 5) /* "http:" vs "https" */;
}

/* The request headers without Authorization (for a hop to another origin); NULL on OOM with
 * *oom set. */
static struct curl_slist *without_authz(const struct curl_slist *in, bool *oom)
{
	struct curl_slist *out = NULL, *t;
	for (; in; in = in->next) {
		if (!strncasecmp(in->data, "Authorization:", 14))
			continue;
		if (!(t = curl_slist_append(out, in->data))) {
			curl_slist_free_all(out);
			*oom = true;
			return NULL;
		}
		out = t;
	}
	return out;
}

/* One attempt: libcurl follows redirects itself, unless an insecure host is set: then each hop
 * is a request of its own, so TLS verification is decided per host. */
static CURLcode perform(ld_http *h, xfer *x, struct curl_slist *hdrs, long *status, int *rc)
{
	char cur[4096];
	struct curl_slist *own = NULL, *use = hdrs;
	bool crossed = false;
	CURLcode cr = CURLE_OK;
	ld_strlcpy(cur, x->req->url, sizeof(cur));
	*rc = 0;
	for (long hop = 0;; hop++) {
		char *loc = NULL;
		if (set_common(h, x, use, cur)) {
			*rc = LADING_ENET;
			break;
		}
		cr = curl_easy_perform(h->curl);
		*status = 0;
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, status);
		if (!h->opt.insecure_host || x->req->no_redirect || cr != CURLE_OK || *status < 300 || *status > 399 || x->sink_err)
			break;
		if (curl_easy_getinfo(h->curl, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
			break;
		if (hop >= HTTP_MAX_REDIRECTS) {
			cr = CURLE_TOO_MANY_REDIRECTS;
			break;
		}
		if ((strncmp(loc, "http://", 7) && strncmp(loc, "https://", 8)) || strlen(loc) >= sizeof(cur)) {
			cr = CURLE_UNSUPPORTED_PROTOCOL;
			break;
		}
		if (!crossed && !same_origin(x->req->url, loc)) {
			bool oom = false;
			crossed = true;
			use = own = without_authz(hdrs, &oom);
			if (oom) {
				*rc = LADING_ENOMEM;
				break;
			}
		}
		ld_strlcpy(cur, loc, sizeof(cur));
	}
	curl_slist_free_all(own);
	return cr;
}

static unsigned backoff(ld_http *h, unsigned attempt, long retry_after_s)
{
	uint64_t ms = h->opt.backoff_ms;
	for (unsigned i = 1; i < attempt && ms < h->opt.max_backoff_ms; i++)
		ms *= 2;
	/* up to 25 % jitter so that many clients do not retry in step */
	h->seed = h->seed * 1103515245u + 12345u;
	ms += ms / 4 * ((h->seed >> 16) % 1000) / 1000;
	if (retry_after_s > 0 && (uint64_t)retry_after_s * 1000 > ms)
		ms = (uint64_t)retry_after_s * 1000;
	if (ms > h->opt.max_backoff_ms)
		ms = h->opt.max_backoff_ms;
	return (unsigned)ms;
}

static int add_header(struct curl_slist **hdrs, const char *line)
{
	struct curl_slist *t = curl_slist_append(*hdrs, line);
	if (!t)
		return LADING_ENOMEM;
	*hdrs = t;
	return 0;
}

/* The request's headers, then its conditions (If-None-Match, If-Modified-Since). */
static int request_headers(const ld_http_request *req, struct curl_slist **hdrs)
{
	char line[HTTP_MAX_HEADER_LINE];

	for (size_t i = 0; i < req->nheaders; i++)
		if (add_header(hdrs, req->headers[i]))
			return LADING_ENOMEM;
	if (req->if_none_match && *req->if_none_match) {
		ld_snprintf(line, sizeof(line), "If-None-Match: %s", req->if_none_match);
		if (add_header(hdrs, line))
			return LADING_ENOMEM;
	}
	if (req->if_modified_since && *req->if_modified_since) {
		ld_snprintf(line, sizeof(line), "If-Modified-Since: %s", req->if_modified_since);
		if (add_header(hdrs, line))
			return LADING_ENOMEM;
	}
	return 0;
}

/* A fresh transfer and response for attempt number `attempt`. */
static void attempt_init(xfer *x, ld_http *h, const ld_http_request *req, ld_http_response *resp,
			 unsigned attempt)
{
	memset(x, 0, sizeof(*x));
	x->h = h;
	x->req = req;
	x->resp = resp;
	x->max = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX_BYTES;
	resp->bytes = 0;
	resp->attempts = attempt;
	resp->etag[0] = resp->last_modified[0] = resp->content_type[0] = '\0';
	resp->www_authenticate[0] = resp->content_digest[0] = resp->error_body[0] = '\0';
	resp->link[0] = '\0';
	resp->content_length = -1;
}

/* The error of the last attempt: the transfer's, not found, access refused, or the status. */
static int final_error(lading_ctx *ctx, const char *logurl, CURLcode cr, long status, unsigned attempt)
{
	if (cr != CURLE_OK)
		return ld_error_set(ctx, LADING_ENET, "%s: %s (after %u attempt%s)", logurl,
				    curl_easy_strerror(cr), attempt, attempt == 1 ? "" : "s");
	if (status == 404 || status == 410)
		return ld_error_set(ctx, LADING_ENOTFOUND, "%s: HTTP %ld (not found)", logurl, status);
	if (status == 401 || status == 403)
		return ld_error_set(ctx, LADING_EAUTH, "%s: HTTP %ld (access refused)", logurl, status);
	return ld_error_set(ctx, LADING_ENET, "%s: HTTP %ld (after %u attempt%s)", logurl, status, attempt,
			    attempt == 1 ? "" : "s");
}

/* Before a retry: drop what the failed attempt delivered. */
static int rewind_attempt(const ld_http_request *req, size_t body_start)
{
	if (req->body) {
		req->body->len = body_start;
		if (req->body->ptr)
			req->body->ptr[body_start] = '\0';
	}
	return req->reset ? req->reset(req->opaque) : 0;
}

int ld_http_get(ld_http *h, const ld_http_request *req, ld_http_response *resp, lading_ctx *ctx)
{
	struct curl_slist *hdrs = NULL;
	char logurl[1024];
	xfer x;
	CURLcode cr = CURLE_OK;
	long status = 0;
	int rc = 0;

	memset(resp, 0, sizeof(*resp));
	ld_http_url_for_log(req->url, logurl, sizeof(logurl));
	if (!req->url || (strncmp(req->url, "http://", 7) && strncmp(req->url, "https://", 8)))
		return ld_error_set(ctx, LADING_EUSAGE,
				    "%s: only http:// and https:// URLs are supported", logurl);
	if (req->nheaders > HTTP_MAX_HEADERS)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: too many request headers", logurl);
	if (request_headers(req, &hdrs)) {
		curl_slist_free_all(hdrs);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	for (unsigned attempt = 1;; attempt++) {
		curl_off_t retry_after = 0;
		size_t body_start = req->body ? req->body->len : 0;
		bool retry;

		attempt_init(&x, h, req, resp, attempt);
		cr = perform(h, &x, hdrs, &status, &rc);
		if (rc) {
			rc = rc == LADING_ENOMEM ? ld_error_set(ctx, rc, "out of memory")
						 : ld_error_set(ctx, rc, "%s: cannot configure libcurl", logurl);
			break;
		}
		resp->status = status;
		if (x.sink_err) {
			rc = x.sink_err == LADING_ELIMIT
				     ? ld_error_set(ctx, LADING_ELIMIT,
						    "%s: response larger than %llu bytes", logurl,
						    (unsigned long long)x.max)
				     : x.sink_err;
			break;
		}
		if (cr == CURLE_OK && ((status >= 200 && status < 300) || status == 304)) {
			rc = 0;
			break;
		}
		retry = cr == CURLE_OK ? retriable_status(status) : retriable_curl(cr);
		if (!retry || attempt > (req->no_retry ? 0 : h->opt.retries)) {
			rc = final_error(ctx, logurl, cr, status, attempt);
			break;
		}
		curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &retry_after);
		if ((rc = rewind_attempt(req, body_start)) < 0)
			break;
		sleep_ms(backoff(h, attempt, (long)retry_after));
	}
	curl_slist_free_all(hdrs);
	return rc;
}

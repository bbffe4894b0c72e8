/* HTTP(S) client over libcurl, the only user of libcurl in the library: feed downloads today, a
 * registry client later.
 *
 * - GET into an ld_buf (capped) or through a write callback (streaming to a file).
 * - Conditional requests: pass the ETag / Last-Modified of the copy you have; a 304 response
 *   comes back as status 304 with no body.
 * - Content-Encoding gzip/deflate (and whatever else this libcurl decodes) is requested and
 *   decoded transparently; the sink sees the decoded bytes.
 * - Connect timeout, read timeout (abort when no byte arrives for that long), optional total
 * timeout.
 * - Retries with exponential backoff (doubling, with jitter, capped) on network errors and on
 *   HTTP 408/429/500/502/503/504; a Retry-After header (seconds or HTTP-date) is honored, capped
 *   at max_backoff_ms. A retry first calls the request's `reset` so partial data is dropped.
 * - Proxies from the environment, as libcurl reads them: http_proxy, https_proxy, ALL_PROXY,
 *   no_proxy (lowercase http_proxy only, as curl does, to avoid the CGI HTTP_PROXY issue).
 * - TLS peer and host verification always on; only http and https, also on redirects (max 10).
 * - Messages name the URL without its user-info and query (they may carry credentials); request
 *   headers are never logged.
 * - Registry use (additive): HEAD requests, bytes exactly as served (no Content-Encoding
 *   negotiation) for digest-checked blobs, the WWW-Authenticate challenge and
 *   Docker-Content-Digest of the final response, the start of error bodies, `insecure` TLS when
 *   the user asks for it. Custom Authorization headers are not sent to another host, port or
 *   scheme after a redirect (libcurl's rule since 7.83; blob storage redirects rely on it).
 * A handle reuses connections between requests; it is not thread-safe (one per thread). */
#ifndef LD_HTTP_H
#define LD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/buf.h"
#include "util/slice.h"

typedef struct ld_http ld_http;

typedef struct ld_http_options {
	long connect_timeout_ms; /* 0 = 30 s */
	long read_timeout_ms;	 /* no data for this long aborts the attempt; 0 = 60 s */
	long total_timeout_ms;	 /* whole attempt; 0 = no limit */
	unsigned retries;	 /* attempts after the first (0 = none) */
	unsigned backoff_ms;	 /* first wait; 0 = 1000 */
	unsigned max_backoff_ms; /* cap on any wait, Retry-After included; 0 = 60000 */
	const char *user_agent;	 /* NULL = "lading/<version>" */
	/* No TLS peer/host verification for URLs on this host[:port] (the registry the user named
	 * with --insecure), NULL for none. Every other host keeps verification, token servers and
	 * redirect targets included: with it set, redirects are followed here one hop at a time so
	 * each hop gets its own setting (Authorization dropped on another host, port or scheme,
	 * as libcurl does). */
	const char *insecure_host;
	/* Local engines and clusters (containers issue). Strings and PEM blobs are not copied: they
	 * must outlive the handle. */
	const char *unix_socket; /* connect to this socket instead of the URL's host (Docker API) */
	const char *ca_file;	 /* PEM CA bundle used instead of the system's */
	ld_slice ca_pem;	 /* same, in memory (kubeconfig certificate-authority-data) */
	const char *cert_file;	 /* TLS client certificate and key (PEM) */
	const char *key_file;
	ld_slice cert_pem; /* same, in memory */
	ld_slice key_pem;
} ld_http_options;

typedef struct ld_http_request {
	const char *url;
	const char *const *headers; /* extra "Name: value" lines (never logged) */
	size_t nheaders;
	const char *if_none_match;     /* ETag of the copy held, or NULL */
	const char *if_modified_since; /* Last-Modified of the copy held (HTTP-date), or NULL */
	uint64_t max_bytes;	       /* body limit (decoded); 0 = 16 GiB. Beyond: LADING_ELIMIT */
	/* Sink: `body` (appended to) or `write` (return < 0 to abort with that code). */
	ld_buf *body;
	int (*write)(void *opaque, const void *p, size_t n);
	int (*reset)(void *opaque); /* drop partial data before a retry (write sinks) */
	void *opaque;
	bool head;     /* HEAD: status and headers only */
	bool identity; /* no Accept-Encoding, no decoding: the bytes exactly as served (blobs) */
	bool no_retry; /* one attempt whatever the options say (probes) */
	/* POST these bytes instead of a GET (webhooks); with no_redirect a 3xx answer is the
	 * final one (the caller treats it as a failure) */
	const char *post;
	size_t post_len;
	bool no_redirect;
} ld_http_request;

typedef struct ld_http_response {
	long status;	/* final HTTP status (0 if none was received) */
	char etag[256]; /* of the final response, "" if none */
	char last_modified[64];
	char content_type[128];
	uint64_t bytes; /* body bytes delivered to the sink */
	unsigned attempts;
	char www_authenticate[1024]; /* challenge of the final response; Bearer preferred */
	char content_digest[80];     /* Docker-Content-Digest of the final response, "" if none */
	int64_t content_length;	     /* Content-Length of the final response, -1 if none */
	char error_body[512];	     /* start of a non-2xx response's body (registry error JSON) */
	/* Link header fields of the final response (RFC 8288; several are joined with ", " as
	 * RFC 9110 allows), "" if none; a value longer than the field is dropped, not cut */
	char link[2048];
} ld_http_response;

int ld_http_new(ld_http **out, const ld_http_options *opts, lading_ctx *ctx);
/* Host (lowercase; IPv6 in brackets) and port (the scheme's default when none) of an http(s) URL,
 * parsed by libcurl's URL parser: "http://localhost:1@evil/" is on host "evil". 0 or -1. */
int ld_http_url_host(const char *url, char *host, size_t hostsz, long *port);
/* Whether an http(s) URL is on `hostport` ("host", "host:port", "[v6]:port"; no port = 443, the
 * port TLS uses by default). */
bool ld_http_url_on_host(const char *url, const char *hostport);
/* Resolve `ref` (absolute, or relative as RFC 3986 says) against the absolute http(s) URL
 * `base` into out. Only http and https results. 0, or -1 (unparsable, other scheme, too long). */
int ld_http_url_resolve(const char *base, const char *ref, char *out, size_t outsz);
/* Whether two http(s) URLs have the same scheme, host and port (the port defaulted). */
bool ld_http_url_same_origin(const char *a, const char *b);
void ld_http_free(ld_http *h);

/* GET (HEAD when req->head, POST when req->post). Returns 0 for 2xx and 304 (see resp->status), LADING_ENOTFOUND for
 * 404/410, LADING_EAUTH for 401/403, LADING_ELIMIT when the body exceeds max_bytes, the sink's code
 * when it aborts, else LADING_ENET (after the retries) with "URL: what happened" on ctx. */
int ld_http_get(ld_http *h, const ld_http_request *req, ld_http_response *resp, lading_ctx *ctx);

/* The URL for messages: scheme://host[:port]/path, without user-info, query and fragment. */
void ld_http_url_for_log(const char *url, char *out, size_t outsz);

#endif

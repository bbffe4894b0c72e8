/* util/http.h against a scripted HTTP server on 127.0.0.1 (a thread of this test): retries on
 * 503 with Retry-After, conditional requests, gzip Content-Encoding, limits, sinks, errors, and
 * URLs in messages without credentials. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <zlib.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/http.h"

typedef struct server {
	int fd;
	int port;
	pthread_t th;
	pthread_mutex_t lock;
	int retry_hits;	     /* requests to /retry so far */
	char last_req[4096]; /* the last request's head */
} server;

static server srv;

static void send_all(int c, const void *p, size_t n)
{
	const char *q = p;
	while (n) {
		ssize_t w = send(c, q, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		q += w;
		n -= (size_t)w;
	}
}

static size_t gzip_of(const char *s, unsigned char *out, size_t outsz)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)(uintptr_t)s;
	z.avail_in = (unsigned)strlen(s);
	z.next_out = out;
	z.avail_out = (unsigned)outsz;
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return outsz - z.avail_out;
}

static void answer(int c, const char *req)
{
	char head[512];
	const char *path = req + 4; /* "GET " */
	if (!strncmp(path, "/retry ", 7)) {
		int n;
		pthread_mutex_lock(&srv.lock);
		n = ++srv.retry_hits;
		pthread_mutex_unlock(&srv.lock);
		if (n == 1) {
			const char *r = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: "
					"1\r\nContent-Length: 5\r\n"
					"Connection: close\r\n\r\nbusy!";
			send_all(c, r, strlen(r));
			return;
		}
		path = "/plain ";
	}
	if (!strncmp(path, "/cond ", 6) && strstr(req, "If-None-Match: \"v1\"")) {
		const char *r =
			"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n";
		send_all(c, r, strlen(r));
		return;
	}
	if (!strncmp(path, "/plain ", 7) || !strncmp(path, "/cond ", 6)) {
		const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"v1\"\r\n"
				"Last-Modified: Mon, 23 Nov 2026 18:00:00 GMT\r\nConnection: "
				"close\r\n\r\nhello";
		send_all(c, r, strlen(r));
		return;
	}
	if (!strncmp(path, "/gz ", 4)) {
		unsigned char body[256];
		size_t n = gzip_of("hello, gzip", body, sizeof(body));
		ld_snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n"
			    "Connection: close\r\n\r\n",
			    n);
		send_all(c, head, strlen(head));
		send_all(c, body, n);
		return;
	}
	if (!strncmp(path, "/big ", 5)) {
		char body[1000];
		memset(body, 'x', sizeof(body));
		ld_snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			    sizeof(body));
		send_all(c, head, strlen(head));
		send_all(c, body, sizeof(body));
		return;
	}
	if (!strncmp(path, "/redir-same ", 12) || !strncmp(path, "/redir-other ", 13) ||
	    !strncmp(path, "/redir-loop ", 12) || !strncmp(path, "/redir-ftp ", 11)) {
		const char *to = path[7] == 's' ? "http://127.0.0.1:%d/echo"
				 : path[7] == 'o' ? "http://localhost:%d/echo"
				 : path[7] == 'l' ? "/redir-loop"
						  : "ftp://127.0.0.1:%d/x";
		char loc[128];
		ld_snprintf(loc, sizeof(loc), to, srv.port);
		ld_snprintf(head, sizeof(head),
			    "HTTP/1.1 307 Temporary Redirect\r\nLocation: %s\r\nContent-Length: 4\r\n"
			    "Connection: close\r\n\r\nmove",
			    loc);
		send_all(c, head, strlen(head));
		return;
	}
	if (!strncmp(path, "/echo ", 6)) {
		char body[64];
		int n = snprintf(body, sizeof(body), "auth=%s x=%s", strstr(req, "Authorization: ") ? "yes" : "no",
				 strstr(req, "X-Test: ") ? "yes" : "no");
		ld_snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", n);
		send_all(c, head, strlen(head));
		send_all(c, body, (size_t)n);
		return;
	}
	if (!strncmp(path, "/always503 ", 11)) {
		const char *r = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: "
				"0\r\nConnection: close\r\n\r\n";
		send_all(c, r, strlen(r));
		return;
	}
	{
		const char *r = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: "
				"close\r\n\r\nnot found";
		send_all(c, r, strlen(r));
	}
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		char req[4096];
		size_t n = 0;
		int c = accept(srv.fd, NULL, NULL);
		if (c < 0)
			return NULL;
		while (n < sizeof(req) - 1) {
			ssize_t r = recv(c, req + n, sizeof(req) - 1 - n, 0);
			if (r <= 0)
				break;
			n += (size_t)r;
			req[n] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[n] = '\0';
		pthread_mutex_lock(&srv.lock);
		ld_strlcpy(srv.last_req, req, sizeof(srv.last_req));
		pthread_mutex_unlock(&srv.lock);
		if (n > 4)
			answer(c, req);
		close(c);
	}
}

static int start(void **state)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	(void)state;
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.lock, NULL);
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) || listen(srv.fd, 16) ||
	    getsockname(srv.fd, (struct sockaddr *)&a, &al))
		return -1;
	srv.port = ntohs(a.sin_port);
	return pthread_create(&srv.th, NULL, serve, NULL);
}

static int stop(void **state)
{
	(void)state;
	shutdown(srv.fd, SHUT_RDWR);
	close(srv.fd);
	pthread_join(srv.th, NULL);
	return 0;
}

static void url(char *out, size_t n, const char *path)
{
	ld_snprintf(out, n, "http://127.0.0.1:%d%s", srv.port, path);
}

static ld_http *client(lading_ctx *ctx, unsigned retries)
{
	ld_http *h;
	ld_http_options o = {.connect_timeout_ms = 5000,
			     .read_timeout_ms = 10000,
			     .retries = retries,
			     .backoff_ms = 10,
			     .max_backoff_ms = 1500};
	assert_int_equal(ld_http_new(&h, &o, ctx), 0);
	return h;
}

static void test_retry_after_503(void **state)
{
	lading_ctx *ctx;
	ld_http *h;
	ld_buf b = LD_BUF_INIT;
	ld_http_request rq = {0};
	ld_http_response rs;
	char u[128];
	(void)state;
	lading_ctx_new(&ctx);
	h = client(ctx, 2);
	url(u, sizeof(u), "/retry");
	rq.url = u;
	rq.body = &b;
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), 0);
	assert_int_equal(rs.status, 200);
	assert_int_equal(rs.attempts, 2);
	assert_string_equal(ld_buf_cstr(&b), "hello"); /* the 503 body is not in the sink */
	assert_string_equal(rs.etag, "\"v1\"");
	assert_string_equal(rs.last_modified, "Mon, 23 Nov 2026 18:00:00 GMT");
	assert_int_equal(srv.retry_hits, 2);
	/* a server that keeps failing: the last status is reported after the retries */
	url(u, sizeof(u), "/always503");
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_ENET);
	assert_int_equal(rs.attempts, 3);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "HTTP 503"));
	ld_buf_release(&b);
	ld_http_free(h);
	lading_ctx_free(ctx);
}

static void test_conditional(void **state)
{
	lading_ctx *ctx;
	ld_http *h;
	ld_buf b = LD_BUF_INIT;
	ld_http_request rq = {0};
	ld_http_response rs;
	char u[128];
	(void)state;
	lading_ctx_new(&ctx);
	h = client(ctx, 0);
	url(u, sizeof(u), "/cond");
	rq.url = u;
	rq.body = &b;
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), 0);
	assert_int_equal(rs.status, 200);
	rq.if_none_match = rs.etag[0] ? "\"v1\"" : NULL;
	rq.if_modified_since = "Mon, 23 Nov 2026 18:00:00 GMT";
	ld_buf_clear(&b);
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), 0);
	assert_int_equal(rs.status, 304);
	assert_int_equal(rs.bytes, 0);
	assert_int_equal(b.len, 0);
	assert_non_null(strstr(srv.last_req, "If-None-Match: \"v1\""));
	assert_non_null(strstr(srv.last_req, "If-Modified-Since: Mon, 23 Nov 2026 18:00:00 GMT"));
	ld_buf_release(&b);
	ld_http_free(h);
	lading_ctx_free(ctx);
}

static int collect(void *opaque, const void *p, size_t n)
{
	return ld_buf_add(opaque, p, n);
}

static void test_gzip_and_sinks(void **state)
{
	lading_ctx *ctx;
	ld_http *h;
	ld_buf b = LD_BUF_INIT;
	ld_http_request rq = {0};
	ld_http_response rs;
	const char *hdr[] = {"X-Test: 1"};
	char u[128];
	(void)state;
	lading_ctx_new(&ctx);
	h = client(ctx, 0);
	url(u, sizeof(u), "/gz");
	rq.url = u;
	rq.write = collect;
	rq.opaque = &b;
	rq.headers = hdr;
	rq.nheaders = 1;
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), 0);
	assert_string_equal(ld_buf_cstr(&b), "hello, gzip"); /* decoded */
	assert_non_null(strstr(srv.last_req, "Accept-Encoding: "));
	assert_non_null(strstr(srv.last_req, "gzip"));
	assert_non_null(strstr(srv.last_req, "X-Test: 1"));
	assert_non_null(strstr(srv.last_req, "User-Agent: lading/"));
	/* the body limit */
	url(u, sizeof(u), "/big");
	rq.write = NULL;
	rq.body = &b;
	rq.max_bytes = 100;
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_ELIMIT);
	ld_buf_release(&b);
	ld_http_free(h);
	lading_ctx_free(ctx);
}

static void test_errors(void **state)
{
	lading_ctx *ctx;
	ld_http *h;
	ld_buf b = LD_BUF_INIT;
	ld_http_request rq = {0};
	ld_http_response rs;
	char u[160];
	(void)state;
	lading_ctx_new(&ctx);
	h = client(ctx, 1);
	rq.body = &b;
	/* 404: not found, not retried, the URL in the message has no credentials */
	ld_snprintf(u, sizeof(u), "http://user:s3cret@127.0.0.1:%d/missing?token=s3cret", srv.port);
	rq.url = u;
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_ENOTFOUND);
	assert_int_equal(rs.status, 404);
	assert_int_equal(rs.attempts, 1);
	assert_null(strstr(lading_ctx_error(ctx)->msg, "s3cret"));
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "/missing"));
	assert_int_equal(b.len, 0);
	/* nothing listens on port 1: a network error after the retries */
	rq.url = "http://127.0.0.1:1/x";
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_ENET);
	assert_int_equal(rs.attempts, 2);
	/* other schemes are refused */
	rq.url = "file:///etc/passwd";
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_EUSAGE);
	rq.url = "ftp://127.0.0.1/x";
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_EUSAGE);
	ld_buf_release(&b);
	ld_http_free(h);
	lading_ctx_free(ctx);
}

static void test_url_for_log(void **state)
{
	static const char *const cases[][2] = {
		{"https://user:pw@example.com:8443/a/b?x=1#f", "https://example.com:8443/a/b"},
		{"http://example.com", "http://example.com"},
		{"http://tok@h/p", "http://h/p"},
		{"https://h/p/q?sig=abc", "https://h/p/q"},
		{"not a url?secret", "not a url"},
	};
	char out[256];
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(cases); i++) {
		ld_http_url_for_log(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	ld_http_url_for_log("https://h/very/long/path", out, 10);
	assert_int_equal(strlen(out), 9);
}

/* Hosts come from libcurl's URL parser: user-info is not the host. */
static void test_url_host(void **state)
{
	char host[256];
	long port;
	(void)state;
	assert_int_equal(ld_http_url_host("http://localhost:1@evil.example/x", host, sizeof(host), &port), 0);
	assert_string_equal(host, "evil.example");
	assert_int_equal(port, 80);
	assert_int_equal(ld_http_url_host("https://Reg.Example:5000/v2/", host, sizeof(host), &port), 0);
	assert_string_equal(host, "reg.example");
	assert_int_equal(port, 5000);
	assert_int_equal(ld_http_url_host("https://[::1]/t", host, sizeof(host), &port), 0);
	assert_string_equal(host, "[::1]");
	assert_int_equal(port, 443);
	assert_int_equal(ld_http_url_host("ftp://h/x", host, sizeof(host), &port), -1);
	assert_int_equal(ld_http_url_host("http://", host, sizeof(host), &port), -1);
	assert_true(ld_http_url_on_host("https://reg.example/v2/", "reg.example"));
	assert_true(ld_http_url_on_host("https://REG.example:443/v2/", "reg.example"));
	assert_true(ld_http_url_on_host("https://reg.example:5000/v2/", "reg.example:5000"));
	assert_false(ld_http_url_on_host("https://reg.example:5001/v2/", "reg.example:5000"));
	assert_false(ld_http_url_on_host("https://auth.example/token", "reg.example"));
	assert_false(ld_http_url_on_host("https://reg.example@auth.example/token", "reg.example"));
	assert_false(ld_http_url_on_host("https://reg.example.evil/", "reg.example"));
	assert_false(ld_http_url_on_host("https://reg.example/", NULL));
	assert_false(ld_http_url_on_host("https://reg.example/", "reg.example/x"));
}

/* With an insecure host set, redirects are followed hop by hop (so that TLS verification is
 * decided per host): Authorization is kept on the same origin and dropped on another, other
 * headers go on; loops and non-http schemes end in errors. */
static void test_redirect_hops(void **state)
{
	lading_ctx *ctx;
	ld_http *h;
	ld_http_options o = {.connect_timeout_ms = 5000, .read_timeout_ms = 10000};
	ld_http_request rq = {0};
	ld_http_response rs;
	ld_buf b = LD_BUF_INIT;
	char u[128], ih[64];
	const char *hdr[] = {"Authorization: Bearer secret", "X-Test: 1"};
	(void)state;
	lading_ctx_new(&ctx);
	ld_snprintf(ih, sizeof(ih), "127.0.0.1:%d", srv.port);
	o.insecure_host = ih;
	assert_int_equal(ld_http_new(&h, &o, ctx), 0);
	rq.url = u;
	rq.body = &b;
	rq.headers = hdr;
	rq.nheaders = 2;
	url(u, sizeof(u), "/redir-same");
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), 0);
	assert_string_equal(ld_buf_cstr(&b), "auth=yes x=yes");
	ld_buf_clear(&b);
	url(u, sizeof(u), "/redir-other");
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), 0);
	assert_string_equal(ld_buf_cstr(&b), "auth=no x=yes");
	ld_buf_clear(&b);
	url(u, sizeof(u), "/redir-loop");
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_ENET);
	url(u, sizeof(u), "/redir-ftp");
	assert_int_equal(ld_http_get(h, &rq, &rs, ctx), LADING_ENET);
	assert_int_equal(b.len, 0);
	ld_buf_release(&b);
	ld_http_free(h);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_after_503), cmocka_unit_test(test_conditional),
		cmocka_unit_test(test_gzip_and_sinks),	cmocka_unit_test(test_errors),
		cmocka_unit_test(test_url_for_log),	cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_redirect_hops),
	};
	/* the scripted server is local: a proxy from the caller's environment must not intercept */
	unsetenv("http_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	return cmocka_run_group_tests(tests, start, stop);
}

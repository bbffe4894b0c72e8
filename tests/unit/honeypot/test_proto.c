/* Honeypot protocol parsers: RESP, HTTP/1.1 requests, MySQL packets and logins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "honeypot/proto.h"

static ld_resp_cmd cmd;
static char scratch[LD_HTTP_MAX_BODY > LD_RESP_MAX_INLINE ? LD_HTTP_MAX_BODY : LD_RESP_MAX_INLINE];

static int resp(const char *s, size_t *used, const char **why)
{
	return ld_resp_parse(&cmd, s, strlen(s), scratch, used, why);
}

static void arg_eq(size_t i, const char *want)
{
	assert_true(i < cmd.argc);
	assert_int_equal(cmd.argv[i].len, strlen(want));
	assert_memory_equal(cmd.argv[i].ptr, want, strlen(want));
}

static void test_resp_array(void **state)
{
	size_t used = 0;
	const char *why;
	const char *in = "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n*1\r\n$4\r\nPING\r\n";
	(void)state;
	assert_int_equal(resp(in, &used, &why), LD_HP_DONE);
	assert_int_equal(used, strlen(in) - 14);
	assert_int_equal(cmd.argc, 3);
	arg_eq(0, "CONFIG");
	arg_eq(2, "dir");
	assert_false(cmd.inline_form);
	/* every proper prefix needs more */
	for (size_t n = 0; n < strlen(in) - 14; n++)
		assert_int_equal(ld_resp_parse(&cmd, in, n, scratch, &used, &why), LD_HP_MORE);
	/* binary-safe bulk with CRLF inside */
	assert_int_equal(resp("*2\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n", &used, &why), LD_HP_DONE);
	arg_eq(1, "a\r\nb");
	/* empty commands */
	assert_int_equal(resp("*0\r\n", &used, &why), LD_HP_DONE);
	assert_int_equal(cmd.argc, 0);
	assert_int_equal(resp("*-1\r\n", &used, &why), LD_HP_DONE);
}

static void test_resp_errors(void **state)
{
	size_t used;
	const char *why;
	(void)state;
	assert_int_equal(resp("*1\r\n+PING\r\n", &used, &why), LADING_EINVALID);
	assert_string_equal(why, "expected '$'");
	assert_int_equal(resp("*x\r\n", &used, &why), LADING_EINVALID);
	assert_int_equal(resp("*1025\r\n", &used, &why), LADING_ELIMIT);
	assert_int_equal(resp("*1\r\n$524289\r\n", &used, &why), LADING_ELIMIT);
	assert_int_equal(resp("*1\r\n$-5\r\n", &used, &why), LADING_EINVALID);
	assert_int_equal(resp("*1\r\n$4\r\nPINGxx", &used, &why), LADING_EINVALID);
	/* a header line that never ends */
	assert_int_equal(resp("*111111111111111111111111111111111111111", &used, &why),
			 LADING_EINVALID);
	assert_int_equal(resp("*1\r\n$99999999999999999999\r\n", &used, &why), LADING_EINVALID);
}

static void test_resp_inline(void **state)
{
	size_t used;
	const char *why;
	const char *in = "CONFIG SET dir \"/var/spool/cron\"\r\n";
	(void)state;
	assert_int_equal(resp(in, &used, &why), LD_HP_DONE);
	assert_int_equal(used, strlen(in));
	assert_true(cmd.inline_form);
	assert_int_equal(cmd.argc, 4);
	arg_eq(3, "/var/spool/cron");
	assert_int_equal(resp("set x \"a\\x41\\n\" 'it\\'s'\n", &used, &why), LD_HP_DONE);
	arg_eq(2, "aA\n");
	arg_eq(3, "it's");
	assert_int_equal(resp("   \r\n", &used, &why), LD_HP_DONE);
	assert_int_equal(cmd.argc, 0);
	assert_int_equal(resp("set \"x\"y\n", &used, &why), LADING_EINVALID);
	assert_int_equal(resp("set \"x\n", &used, &why), LADING_EINVALID);
	assert_int_equal(resp("PING", &used, &why), LD_HP_MORE);
}

static void test_resp_inline_limit(void **state)
{
	size_t used;
	const char *why;
	char *big = malloc(LD_RESP_MAX_INLINE + 1);
	(void)state;
	memset(big, 'a', LD_RESP_MAX_INLINE);
	assert_int_equal(ld_resp_parse(&cmd, big, LD_RESP_MAX_INLINE, scratch, &used, &why),
			 LADING_ELIMIT);
	/* 1025 words on one line */
	{
		ld_buf b;
		ld_buf_init(&b, 0);
		for (int i = 0; i < 1025; i++)
			ld_buf_adds(&b, "a ");
		ld_buf_addc(&b, '\n');
		assert_int_equal(ld_resp_parse(&cmd, b.ptr, b.len, scratch, &used, &why),
				 LADING_ELIMIT);
		ld_buf_release(&b);
	}
	free(big);
}

static ld_http_req req;

static int http(const char *s, size_t *used)
{
	return ld_http_parse(&req, s, strlen(s), scratch, used);
}

static void test_http_basic(void **state)
{
	size_t used;
	const char *in = "POST /v1.41/containers/create?name=x%20y HTTP/1.1\r\nHost: "
			 "h\r\nContent-Length: 5\r\n"
			 "User-Agent: Docker-Client/20.10\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n";
	char v[64];
	(void)state;
	assert_int_equal(http(in, &used), LD_HP_DONE);
	assert_int_equal(used, strlen(in) - 18);
	assert_true(ld_slice_eq_cstr(req.method, "POST"));
	assert_true(ld_slice_eq_cstr(req.path, "/v1.41/containers/create"));
	assert_true(ld_slice_eq_cstr(req.query, "name=x%20y"));
	assert_true(ld_slice_eq_cstr(req.body, "hello"));
	assert_true(req.keep_alive);
	assert_true(
		ld_slice_eq_cstr(ld_http_header_get(&req, "user-agent"), "Docker-Client/20.10"));
	assert_true(ld_http_query_get(req.query, "name", v, sizeof(v)));
	assert_string_equal(v, "x y");
	for (size_t n = 0; n < used; n++)
		assert_int_equal(ld_http_parse(&req, in, n, scratch, &used), LD_HP_MORE);
	/* bare LF, HTTP/1.0 closes, absolute form */
	assert_int_equal(http("GET http://example.com/a/b?c=1 HTTP/1.0\n\n", &used), LD_HP_DONE);
	assert_true(ld_slice_eq_cstr(req.path, "/a/b"));
	assert_false(req.keep_alive);
	assert_int_equal(http("GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n", &used),
			 LD_HP_DONE);
	assert_false(req.keep_alive);
	assert_int_equal(http("\r\n\r\nGET / HTTP/1.1\r\n\r\n", &used), LD_HP_DONE);
}

static void test_http_chunked(void **state)
{
	size_t used;
	const char *in = "POST /x HTTP/1.1\r\nTransfer-Encoding: "
			 "chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nT: x\r\n\r\n";
	(void)state;
	assert_int_equal(http(in, &used), LD_HP_DONE);
	assert_int_equal(used, strlen(in));
	assert_true(ld_slice_eq_cstr(req.body, "Wikipedia"));
	assert_true(req.chunked);
	for (size_t n = 0; n < used; n++)
		assert_int_equal(ld_http_parse(&req, in, n, scratch, &used), LD_HP_MORE);
	assert_int_equal(
		http("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &used),
		LADING_EINVALID);
	assert_int_equal(
		http("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWikiXX", &used),
		LADING_EINVALID);
	assert_int_equal(
		http("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n", &used),
		LADING_ELIMIT);
	assert_int_equal(req.status, 413);
	assert_int_equal(
		http("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n", &used),
		LADING_ELIMIT);
}

static void test_http_errors(void **state)
{
	size_t used;
	(void)state;
	/* request smuggling shapes */
	assert_int_equal(
		http("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
		     &used),
		LADING_EINVALID);
	assert_int_equal(req.status, 400);
	assert_int_equal(
		http("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", &used),
		LADING_EINVALID);
	assert_int_equal(
		http("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", &used),
		LD_HP_DONE);
	assert_int_equal(http("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &used),
			 LADING_EINVALID);
	assert_int_equal(http("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &used),
			 LADING_EUNSUPPORTED);
	assert_int_equal(req.status, 501);
	assert_int_equal(http("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", &used), LADING_EINVALID);
	assert_int_equal(http("GET / HTTP/1.1\r\nBad Name: a\r\n\r\n", &used), LADING_EINVALID);
	assert_int_equal(http("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", &used), LADING_EINVALID);
	assert_int_equal(http("GET / HTTP/2.0\r\n\r\n", &used), LADING_EUNSUPPORTED);
	assert_int_equal(req.status, 505);
	assert_int_equal(http("GET /\r\n\r\n", &used), LADING_EINVALID);
	assert_int_equal(http("\x16\x03\x01\x02\x10\x01\x11\x01\xfc\x03\x03\n", &used),
			 LADING_EINVALID);
	assert_int_equal(http("POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n", &used),
			 LADING_ELIMIT);
	assert_int_equal(req.status, 413);
}

static void test_http_limits(void **state)
{
	size_t used;
	ld_buf b;
	(void)state;
	ld_buf_init(&b, 0);
	ld_buf_adds(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < LD_HTTP_MAX_HEADERS + 1; i++)
		ld_buf_addf(&b, "X-%d: y\r\n", i);
	ld_buf_adds(&b, "\r\n");
	assert_int_equal(ld_http_parse(&req, b.ptr, b.len, scratch, &used), LADING_ELIMIT);
	assert_int_equal(req.status, 431);
	ld_buf_clear(&b);
	ld_buf_adds(&b, "GET / HTTP/1.1\r\nX: ");
	while (b.len < LD_HTTP_MAX_HEAD + 10)
		ld_buf_addc(&b, 'a');
	assert_int_equal(ld_http_parse(&req, b.ptr, b.len, scratch, &used), LADING_ELIMIT);
	assert_int_equal(req.status, 431);
	ld_buf_release(&b);
}

static void test_http_query(void **state)
{
	ld_slice q = LD_SLICE_LIT("command=cat&&command=%2Fetc%2Fshadow&x&tty=1+2"), n, v;
	char out[64];
	int count = 0;
	(void)state;
	while (ld_http_query_next(&q, &n, &v)) {
		count++;
		if (count == 2) {
			ld_http_unescape(v, true, out, sizeof(out));
			assert_string_equal(out, "/etc/shadow");
		}
	}
	assert_int_equal(count, 4);
	assert_true(ld_http_query_get(LD_SLICE_LIT("a=1&tty=1+2"), "tty", out, sizeof(out)));
	assert_string_equal(out, "1 2");
	assert_false(ld_http_query_get(LD_SLICE_LIT("a=1"), "b", out, sizeof(out)));
	/* truncation keeps a NUL-terminated prefix and reports the full length */
	assert_int_equal(ld_http_unescape(LD_SLICE_LIT("abcdef%"), false, out, 4), 7);
	assert_string_equal(out, "abc");
}

/* A real HandshakeResponse41 of the mariadb client (user root, a scramble, attrs). */
static void test_mysql_login(void **state)
{
	unsigned char pkt[128];
	size_t n = 4;
	static const unsigned char head[] = {0x85, 0xa6, 0xbf, 0x01, 0x00, 0x00, 0x00, 0x01, 0x21};
	memcpy(pkt + n, head, sizeof(head)); /* caps: 4.1, secure, plugin auth (lenenc), attrs */
	n += sizeof(head);
	memset(pkt + n, 0, 23); /* filler */
	n += 23;
	memcpy(pkt + n, "root", 5);
	n += 5;
	memcpy(pkt + n, "\x04\xde\xad\xbe\xef", 5); /* auth, length-encoded */
	n += 5;
	memcpy(pkt + n, "mysql_native_p", 15);
	n += 15;
	memcpy(pkt + n, "\x06\x04prog\x00", 7); /* attrs: prog = "" */
	n += 7;
	pkt[0] = (unsigned char)(n - 4);
	pkt[1] = pkt[2] = 0;
	pkt[3] = 1;
	ld_slice payload;
	uint8_t seq;
	size_t used;
	ld_mysql_login l;
	(void)state;
	assert_int_equal(ld_mysql_packet((const char *)pkt, n, &payload, &seq, &used), LD_HP_DONE);
	assert_int_equal(seq, 1);
	assert_int_equal(used, n);
	assert_int_equal(ld_mysql_packet((const char *)pkt, 10, &payload, &seq, &used), LD_HP_MORE);
	assert_int_equal(ld_mysql_parse_login(&l, payload.ptr, payload.len), 0);
	assert_true(ld_slice_eq_cstr(l.user, "root"));
	assert_int_equal(l.auth.len, 4);
	assert_true(ld_slice_eq_cstr(l.plugin, "mysql_native_p"));
	assert_int_equal(l.nattrs, 1);
	assert_true(ld_slice_eq_cstr(l.attrs[0].key, "prog"));
	assert_false(l.ssl_request);
}

static void test_mysql_edge(void **state)
{
	unsigned char ssl[32] = {0x00, 0x8a, 0x00, 0x00, 0, 0, 0, 1, 0x21};
	unsigned char old[] = {0x00, 0x00, 0xff, 0xff, 0x00, 'a', 'd', 'm', 0, 'p', 'w'};
	unsigned char big[4] = {0xff, 0xff, 0xff, 0};
	unsigned char toolong[4] = {0x01, 0x00, 0x01, 0};
	ld_mysql_login l;
	ld_slice payload;
	uint8_t seq;
	size_t used;
	(void)state;
	assert_int_equal(ld_mysql_parse_login(&l, (const char *)ssl, sizeof(ssl)), 0);
	assert_true(l.ssl_request);
	assert_int_equal(ld_mysql_parse_login(&l, (const char *)old, sizeof(old)), 0);
	assert_true(ld_slice_eq_cstr(l.user, "adm"));
	assert_true(ld_slice_eq_cstr(l.auth, "pw"));
	assert_int_equal(ld_mysql_packet((const char *)big, 4, &payload, &seq, &used),
			 LADING_ELIMIT);
	assert_int_equal(ld_mysql_packet((const char *)toolong, 4, &payload, &seq, &used),
			 LADING_ELIMIT);
	assert_int_equal(ld_mysql_parse_login(&l, "\x85", 1), LADING_EINVALID);
	/* user name without its NUL */
	{
		unsigned char p[40] = {0x85, 0xa6, 0x0f, 0x00};
		memset(p + 32, 'x', 8);
		assert_int_equal(ld_mysql_parse_login(&l, (const char *)p, sizeof(p)),
				 LADING_EINVALID);
	}
}

static void dechunk_take(void *arg, const char *p, size_t n)
{
	ld_buf_add(arg, p, n);
}

static void test_http_dechunk(void **state)
{
	static const char in[] = "a\r\n0123456789\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nNEXT";
	ld_buf b;
	(void)state;
	ld_buf_init(&b, 4096);
	for (size_t piece = 1; piece <= sizeof(in); piece++) {
		ld_http_dechunk d;
		size_t off = 0, used;
		memset(&d, 0, sizeof(d));
		ld_buf_clear(&b);
		while (off < sizeof(in) - 1 && !ld_http_dechunk_done(&d)) {
			size_t n = LD_MIN(piece, sizeof(in) - 1 - off);
			assert_int_equal(ld_http_dechunk_feed(&d, in + off, n, &used, dechunk_take, &b), 0);
			off += used;
		}
		assert_true(ld_http_dechunk_done(&d));
		assert_int_equal(off, sizeof(in) - 1 - 4); /* "NEXT" is the next request's */
		assert_int_equal(b.len, 13);
		assert_memory_equal(b.ptr, "0123456789abc", 13);
	}
	{
		ld_http_dechunk d;
		size_t used;
		memset(&d, 0, sizeof(d));
		assert_int_equal(ld_http_dechunk_feed(&d, "zz\r\n", 4, &used, dechunk_take, &b),
				 LADING_EINVALID);
		memset(&d, 0, sizeof(d));
		assert_int_equal(ld_http_dechunk_feed(&d, "2\r\nabc\r\n", 9, &used, dechunk_take, &b),
				 LADING_EINVALID); /* more data than the size said */
		memset(&d, 0, sizeof(d));
		assert_int_equal(ld_http_dechunk_feed(&d, "1000000000000000\r\n", 18, &used,
						      dechunk_take, &b),
				 LADING_EINVALID);
	}
	ld_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resp_array),  cmocka_unit_test(test_resp_errors),
		cmocka_unit_test(test_resp_inline), cmocka_unit_test(test_resp_inline_limit),
		cmocka_unit_test(test_http_basic),  cmocka_unit_test(test_http_chunked),
		cmocka_unit_test(test_http_errors), cmocka_unit_test(test_http_limits),
		cmocka_unit_test(test_http_query),  cmocka_unit_test(test_mysql_login),
		cmocka_unit_test(test_mysql_edge),  cmocka_unit_test(test_http_dechunk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

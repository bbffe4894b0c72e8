/* Census protocol parsers on what real servers send (captured from the Debian packages the
 * integration test starts, and from the projects' documentation), on partial input (MORE), on
 * refusals, and on junk; version splitting from tests/data/census/versions.tsv; classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "census/census.h"

static ld_arena A;

static int setup(void **state)
{
	(void)state;
	ld_arena_init(&A, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ld_arena_release(&A);
	return 0;
}

typedef ld_pv (*parse_fn)(unsigned, ld_slice, bool, ld_census_obs *);

static ld_pv run(parse_fn fn, unsigned step, const void *p, size_t n, bool eof, ld_census_obs *o)
{
	ld_census_obs_init(o, &A);
	return fn(step, ld_slice_make(p, n), eof, o);
}

#define RUNS(fn, step, lit, eof, o) run(fn, step, lit, sizeof(lit) - 1, eof, o)

static void assert_str(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* ------------------------------------------------------------------ SSH */

static void test_ssh(void **state)
{
	ld_census_obs o;
	(void)state;
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", false, &o),
			 LD_PV_DONE);
	assert_str(o.service, "ssh");
	assert_str(o.product, "openssh");
	assert_str(o.version, "9.2p1");
	assert_str(o.distro, "Debian-2+deb12u3");
	assert_str(ld_census_obs_get_attr(&o, "protocol"), "2.0");
	/* no line end yet: wait */
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "SSH-2.0-OpenSSH_9.2", false, &o), LD_PV_MORE);
	/* lines before the identification are allowed (RFC 4253 4.2) */
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "hello there\r\nSSH-2.0-dropbear_2022.83\r\n", false, &o),
			 LD_PV_DONE);
	assert_str(o.product, "dropbear");
	assert_str(o.version, "2022.83");
	assert_null(o.distro);
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "SSH-1.99-Cisco-1.25\n", false, &o), LD_PV_DONE);
	assert_str(o.product, "cisco");
	assert_str(o.version, "1.25");
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "SSH-2.0-OpenSSH_8.0 PKIX[12.1]\r\n", false, &o),
			 LD_PV_DONE);
	assert_null(o.distro);
	assert_str(ld_census_obs_get_attr(&o, "comment"), "PKIX[12.1]");
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "\0\0\0\0binary\n", true, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_ssh_parse, 0, "", true, &o), LD_PV_NOMATCH);
}

/* ------------------------------------------------------------------ MySQL */

/* MariaDB 10.11.19 from Debian 12, as read from the wire (auth data zeroed) */
static const unsigned char mariadb_hs[] = {
	0x64, 0x00, 0x00, 0x00, 0x0a, '5', '.', '5', '.', '5', '-', '1', '0', '.', '1', '1', '.', '1',
	'9', '-', 'M', 'a', 'r', 'i', 'a', 'D', 'B', '-', '0', '+', 'd', 'e', 'b', '1', '2', 'u', '1',
	0x00, 0x03, 0x00, 0x00, 0x00, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0x00, 0xfe, 0xf7, 0x08,
	0x02, 0x00, 0xff, 0x81, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 'b',
	'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 'b', 0x00, 'm', 'y', 's', 'q', 'l', '_', 'n',
	'a', 't', 'i', 'v', 'e', '_', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd', 0x00};

static void test_mysql(void **state)
{
	ld_census_obs o;
	static const unsigned char denied[] = {
		0x43, 0x00, 0x00, 0x00, 0xff, 0x6a, 0x04, 'H', 'o', 's', 't', ' ', '\'', '1', '0', '.',
		'0', '.', '0', '.', '1', '\'', ' ', 'i', 's', ' ', 'n', 'o', 't', ' ', 'a', 'l', 'l', 'o',
		'w', 'e', 'd', ' ', 't', 'o', ' ', 'c', 'o', 'n', 'n', 'e', 'c', 't', ' ', 't', 'o', ' ',
		't', 'h', 'i', 's', ' ', 'M', 'a', 'r', 'i', 'a', 'D', 'B', ' ', 's', 'e', 'r', 'v', 'e',
		'r'};
	(void)state;
	assert_int_equal(sizeof(mariadb_hs), 0x64 + 4);
	assert_int_equal(run(ld_census_mysql_parse, 0, mariadb_hs, sizeof(mariadb_hs), false, &o), LD_PV_DONE);
	assert_str(o.service, "mysql");
	assert_str(o.product, "mariadb");
	assert_str(o.version, "10.11.19");
	assert_str(o.distro, "0+deb12u1");
	assert_str(ld_census_obs_get_attr(&o, "auth_plugin"), "mysql_native_password");
	assert_str(ld_census_obs_get_attr(&o, "server_version"), "5.5.5-10.11.19-MariaDB-0+deb12u1");
	/* half a packet: wait; half a packet at the end: the version is there anyway */
	assert_int_equal(run(ld_census_mysql_parse, 0, mariadb_hs, 30, false, &o), LD_PV_MORE);
	assert_int_equal(run(ld_census_mysql_parse, 0, mariadb_hs, 45, true, &o), LD_PV_DONE);
	assert_str(o.version, "10.11.19");
	assert_int_equal(run(ld_census_mysql_parse, 0, denied, sizeof(denied), false, &o), LD_PV_DONE);
	assert_str(o.product, "mariadb");
	assert_null(o.version);
	assert_non_null(o.note);
	assert_str(ld_census_obs_get_attr(&o, "error_code"), "1130");
	/* a length field no handshake has, a sequence number that is not 0, text */
	assert_int_equal(RUNS(ld_census_mysql_parse, 0, "\xff\xff\xff\x00\x0a" "8.0", false, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_mysql_parse, 0, "\x10\x00\x00\x01\x0a" "8.0.1\0xxxxxxxxx", false, &o),
			 LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_mysql_parse, 0, "HTTP/1.1 400 Bad", true, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_mysql_parse, 0, "\x08\x00\x00\x00\x0a\x01\x02\x03\x00xxx", false, &o),
			 LD_PV_NOMATCH);
}

/* ------------------------------------------------------------------ Redis, memcached */

static void test_redis(void **state)
{
	ld_census_obs o;
	static const char info[] = "$117\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"
				   "redis_mode:standalone\r\nos:Linux 6.1.0-13-amd64 x86_64\r\narch_bits:64\r\n\r\n";
	(void)state;
	assert_int_equal(RUNS(ld_census_redis_parse, 0, info, false, &o), LD_PV_DONE);
	assert_str(o.product, "redis");
	assert_str(o.version, "7.0.15");
	assert_str(ld_census_obs_get_attr(&o, "mode"), "standalone");
	assert_str(ld_census_obs_get_attr(&o, "os"), "Linux 6.1.0-13-amd64 x86_64");
	assert_int_equal(run(ld_census_redis_parse, 0, info, 40, false, &o), LD_PV_MORE);
	assert_int_equal(RUNS(ld_census_redis_parse, 0, "-NOAUTH Authentication required.\r\n", false, &o),
			 LD_PV_DONE);
	assert_str(o.product, "redis");
	assert_null(o.version);
	assert_true(strstr(o.note, "authentication") != NULL);
	assert_int_equal(RUNS(ld_census_redis_parse, 0,
			      "-DENIED Redis is running in protected mode because protected mode is enabled\r\n",
			      false, &o),
			 LD_PV_DONE);
	assert_true(strstr(o.note, "protected mode") != NULL);
	/* INFO renamed away: PING next, on the same connection */
	assert_int_equal(RUNS(ld_census_redis_parse, 0, "-ERR unknown command 'INFO'\r\n", false, &o), LD_PV_NEXT);
	assert_int_equal(o.step_next, 1);
	assert_int_equal(RUNS(ld_census_redis_parse, 1, "+PONG\r\n", false, &o), LD_PV_DONE);
	assert_str(o.product, "redis");
	assert_int_equal(RUNS(ld_census_redis_parse, 0,
			      "$80\r\n# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n\r\n",
			      true, &o),
			 LD_PV_DONE);
	assert_str(o.product, "valkey");
	assert_str(o.version, "8.0.1");
	/* a bulk reply that is not INFO names no product */
	assert_int_equal(RUNS(ld_census_redis_parse, 0, "$5\r\nhello\r\n", false, &o), LD_PV_DONE);
	assert_null(o.product);
	assert_int_equal(RUNS(ld_census_redis_parse, 0, "$99999999999\r\n", false, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_redis_parse, 0, "HTTP/1.1 200 OK\r\n", false, &o), LD_PV_NOMATCH);
}

static void test_memcached(void **state)
{
	ld_census_obs o;
	ld_buf b;
	(void)state;
	assert_int_equal(RUNS(ld_census_memcached_parse, 0, "VERSION 1.6.18\r\n", false, &o), LD_PV_DONE);
	assert_str(o.product, "memcached");
	assert_str(o.version, "1.6.18");
	assert_int_equal(RUNS(ld_census_memcached_parse, 0, "VERSION 1.6", false, &o), LD_PV_MORE);
	assert_int_equal(RUNS(ld_census_memcached_parse, 0, "ERROR\r\n", false, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_memcached_parse, 0, "VERSION x\r\n", false, &o), LD_PV_NOMATCH);
	ld_buf_init(&b, 0);
	assert_true(ld_census_memcached_request(0, &o, &b));
	assert_string_equal(ld_buf_cstr(&b), "version\r\n");
	ld_buf_clear(&b);
	assert_false(ld_census_memcached_request(1, &o, &b));
	ld_buf_release(&b);
}

/* ------------------------------------------------------------------ PostgreSQL */

static size_t pg_msg(unsigned char *out, char type, const void *body, size_t n)
{
	out[0] = (unsigned char)type;
	out[1] = 0, out[2] = 0, out[3] = (unsigned char)((n + 4) >> 8), out[4] = (unsigned char)(n + 4);
	memcpy(out + 5, body, n);
	return n + 5;
}

static void test_postgres(void **state)
{
	ld_census_obs o;
	unsigned char buf[512];
	size_t n = 0;
	ld_buf req;
	(void)state;
	ld_buf_init(&req, 0);
	assert_true(ld_census_postgres_request(0, &o, &req));
	assert_int_equal(req.len, 8);
	assert_memory_equal(req.ptr, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
	ld_buf_clear(&req);
	assert_true(ld_census_postgres_request(1, &o, &req));
	assert_int_equal(((unsigned char)req.ptr[2] << 8 | (unsigned char)req.ptr[3]), req.len);
	ld_buf_release(&req);

	assert_int_equal(RUNS(ld_census_postgres_parse, 0, "N", false, &o), LD_PV_NEXT);
	assert_str(o.product, "postgresql");
	assert_int_equal(RUNS(ld_census_postgres_parse, 0, "S", false, &o), LD_PV_RECONNECT);
	assert_int_equal(RUNS(ld_census_postgres_parse, 0, "NO", false, &o), LD_PV_NOMATCH);
	/* SCRAM: product only, and it says why */
	n = pg_msg(buf, 'R', "\0\0\0\x0aSCRAM-SHA-256\0\0", 19);
	assert_int_equal(run(ld_census_postgres_parse, 1, buf, n, false, &o), LD_PV_DONE);
	assert_str(o.product, "postgresql");
	assert_null(o.version);
	assert_str(ld_census_obs_get_attr(&o, "auth"), "sasl");
	assert_str(ld_census_obs_get_attr(&o, "sasl"), "SCRAM-SHA-256");
	assert_true(strstr(o.note, "no version before authentication") != NULL);
	assert_int_equal(run(ld_census_postgres_parse, 1, buf, n - 3, false, &o), LD_PV_MORE);
	/* an error (pg_hba) */
	n = pg_msg(buf, 'E', "SFATAL\0C28000\0Mno pg_hba.conf entry for host\0\0", 45);
	assert_int_equal(run(ld_census_postgres_parse, 1, buf, n, false, &o), LD_PV_DONE);
	assert_str(ld_census_obs_get_attr(&o, "sqlstate"), "28000");
	assert_null(o.version);
	/* trust: AuthenticationOk, then the parameters, server_version among them */
	n = pg_msg(buf, 'R', "\0\0\0\0", 4);
	n += pg_msg(buf + n, 'S', "server_version\0" "15.5 (Debian 15.5-0+deb12u1)\0", 44);
	assert_int_equal(run(ld_census_postgres_parse, 1, buf, n, false, &o), LD_PV_MORE);
	n += pg_msg(buf + n, 'Z', "I", 1);
	assert_int_equal(run(ld_census_postgres_parse, 1, buf, n, false, &o), LD_PV_DONE);
	assert_str(o.version, "15.5");
	assert_str(o.distro, "Debian-15.5-0+deb12u1");
	assert_str(ld_census_obs_get_attr(&o, "auth"), "trust");
	assert_true(strstr(o.note, "trust") != NULL);
	/* junk after the SSL answer */
	assert_int_equal(RUNS(ld_census_postgres_parse, 1, "HTTP/1.1 400 Bad Request\r\n", false, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_postgres_parse, 1, "R\xff\xff\xff\xff", false, &o), LD_PV_NOMATCH);
}

/* ------------------------------------------------------------------ MongoDB */

static void put32(ld_buf *b, uint32_t v)
{
	char x[4] = {(char)v, (char)(v >> 8), (char)(v >> 16), (char)(v >> 24)};
	ld_buf_add(b, x, 4);
}

/* {ok: 1.0, <k>: "<v>" | maxWireVersion: int} */
static void doc(ld_buf *b, const char *k, const char *v, int wire, double ok)
{
	size_t start = b->len;
	put32(b, 0);
	ld_buf_addc(b, 0x01);
	ld_buf_add(b, "ok", 3);
	ld_buf_add(b, &ok, 8);
	ld_buf_addc(b, 0x03); /* a nested document to skip */
	ld_buf_add(b, "topologyVersion", 16);
	put32(b, 5);
	ld_buf_addc(b, 0);
	if (wire >= 0) {
		ld_buf_addc(b, 0x10);
		ld_buf_add(b, "maxWireVersion", 15);
		put32(b, (uint32_t)wire);
	}
	if (k) {
		ld_buf_addc(b, 0x02);
		ld_buf_add(b, k, strlen(k) + 1);
		put32(b, (uint32_t)strlen(v) + 1);
		ld_buf_add(b, v, strlen(v) + 1);
	}
	ld_buf_addc(b, 0);
	{
		uint32_t n = (uint32_t)(b->len - start);
		memcpy(b->ptr + start, &n, 4);
	}
}

static void msg(ld_buf *b, uint32_t op, const char *k, const char *v, int wire, double ok)
{
	ld_buf_clear(b);
	put32(b, 0);
	put32(b, 7);
	put32(b, 1);
	put32(b, op);
	if (op == 2013) {
		put32(b, 0);
		ld_buf_addc(b, 0);
	} else {
		put32(b, 0), put32(b, 0), put32(b, 0), put32(b, 0), put32(b, 1);
	}
	doc(b, k, v, wire, ok);
	{
		uint32_t n = (uint32_t)b->len;
		memcpy(b->ptr, &n, 4);
	}
}

static void test_mongodb(void **state)
{
	ld_census_obs o;
	ld_buf b, req;
	(void)state;
	ld_buf_init(&b, 0);
	ld_buf_init(&req, 0);
	assert_true(ld_census_mongodb_request(0, &o, &req));
	assert_int_equal(*(uint32_t *)(void *)req.ptr, req.len);
	assert_true(memmem(req.ptr, req.len, "hello", 5) != NULL);
	ld_buf_clear(&req);
	assert_true(ld_census_mongodb_request(2, &o, &req));
	assert_true(memmem(req.ptr, req.len, "admin.$cmd", 10) != NULL);
	assert_false(ld_census_mongodb_request(3, &o, &req));

	msg(&b, 2013, NULL, NULL, 21, 1.0);
	ld_census_obs_init(&o, &A);
	assert_int_equal(ld_census_mongodb_parse(0, ld_buf_slice(&b), false, &o), LD_PV_NEXT);
	assert_str(ld_census_obs_get_attr(&o, "max_wire_version"), "21");
	assert_str(ld_census_obs_get_attr(&o, "wire_release"), "7.0");
	assert_int_equal(o.step_next, 1);
	msg(&b, 2013, "version", "7.0.2", -1, 1.0);
	assert_int_equal(ld_census_mongodb_parse(1, ld_slice_make(b.ptr, 20), false, &o), LD_PV_MORE);
	assert_int_equal(ld_census_mongodb_parse(1, ld_buf_slice(&b), false, &o), LD_PV_DONE);
	assert_str(o.product, "mongodb");
	assert_str(o.version, "7.0.2");
	/* refused buildInfo: product only */
	msg(&b, 2013, "errmsg", "command buildInfo requires authentication", -1, 0.0);
	ld_census_obs_init(&o, &A);
	assert_int_equal(ld_census_mongodb_parse(1, ld_buf_slice(&b), false, &o), LD_PV_DONE);
	assert_null(o.version);
	assert_non_null(o.note);
	/* a server before 3.6: OP_MSG closed, OP_QUERY answered by OP_REPLY */
	ld_census_obs_init(&o, &A);
	assert_int_equal(ld_census_mongodb_parse(0, LD_SLICE_NULL, true, &o), LD_PV_RECONNECT);
	assert_int_equal(o.step_next, 2);
	msg(&b, 1, "version", "3.4.24", -1, 1.0);
	assert_int_equal(ld_census_mongodb_parse(2, ld_buf_slice(&b), false, &o), LD_PV_DONE);
	assert_str(o.version, "3.4.24");
	/* huge length, wrong opcode, a truncated document */
	ld_census_obs_init(&o, &A);
	assert_int_equal(RUNS(ld_census_mongodb_parse, 0, "\xff\xff\xff\x7f\1\0\0\0\1\0\0\0\xdd\x07\0\0", false, &o),
			 LD_PV_NOMATCH);
	msg(&b, 2013, "version", "7.0.2", -1, 1.0);
	b.ptr[12] = 9;
	assert_int_equal(ld_census_mongodb_parse(1, ld_buf_slice(&b), false, &o), LD_PV_NOMATCH);
	msg(&b, 2013, "version", "7.0.2", -1, 1.0);
	b.ptr[21] = (char)0xff; /* the document claims more than the message holds */
	assert_int_equal(ld_census_mongodb_parse(1, ld_buf_slice(&b), false, &o), LD_PV_NOMATCH);
	ld_buf_release(&b);
	ld_buf_release(&req);
}

/* ------------------------------------------------------------------ HTTP */

static void test_http(void **state)
{
	ld_census_obs o;
	(void)state;
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 6\r\n\r\nhello\n", false, &o),
			 LD_PV_DONE);
	assert_str(o.service, "http");
	assert_str(o.product, "nginx");
	assert_str(o.version, "1.22.1");
	assert_str(o.cpe, NULL);
	ld_census_obs_finish(&o);
	assert_str(o.cpe, "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*");
	/* the body is not complete yet */
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 60\r\n\r\nhello\n", false, &o),
			 LD_PV_MORE);
	assert_int_equal(RUNS(ld_census_http_parse, 0, "HTTP/1.1 404 Not", false, &o), LD_PV_MORE);
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.1 404 Not Found\r\nServer: Apache/2.4.57 (Debian) OpenSSL/3.0.11\r\n\r\n", true, &o),
			 LD_PV_DONE);
	assert_str(o.product, "apache-httpd");
	assert_str(o.version, "2.4.57");
	assert_str(o.distro, "Debian");
	assert_str(ld_census_obs_get_attr(&o, "server_modules"), "OpenSSL/3.0.11");
	assert_int_equal(RUNS(ld_census_http_parse, 0, "HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n", true, &o),
			 LD_PV_DONE);
	assert_str(o.product, "nginx");
	assert_null(o.version);
	assert_non_null(o.note);
	/* Docker: the Server header has it, /version is asked for the details */
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.1 404 Not Found\r\nApi-Version: 1.43\r\nOstype: linux\r\nServer: Docker/24.0.7 (linux)\r\n"
			      "Content-Length: 29\r\n\r\n{\"message\":\"page not found\"}\n",
			      false, &o),
			 LD_PV_RECONNECT);
	assert_str(o.product, "docker");
	assert_str(o.version, "24.0.7");
	assert_int_equal(o.step_next, 1);
	/* etcd: a Go 404, then /version */
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\n\r\n"
			      "404 page not found\n",
			      false, &o),
			 LD_PV_RECONNECT);
	assert_int_equal(o.step_next, 1);
	assert_int_equal(ld_census_http_parse(1,
					      LD_SLICE_LIT("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
							   "Content-Length: 45\r\n\r\n{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}"),
					      false, &o),
			 LD_PV_DONE);
	assert_str(o.product, "etcd");
	assert_str(o.version, "3.4.23");
	assert_str(ld_census_obs_get_attr(&o, "cluster_version"), "3.4.0");
	/* a chunked Elasticsearch answer */
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			      "1f\r\n{\"name\":\"n\",\"cluster_name\":\"c\",\r\n"
			      "3f\r\n\"version\":{\"number\":\"8.11.1\"},\"tagline\":\"You Know, for Search\"}\r\n0\r\n\r\n",
			      false, &o),
			 LD_PV_DONE);
	assert_str(o.product, "elasticsearch");
	assert_str(o.version, "8.11.1");
	/* the registry's header */
	assert_int_equal(RUNS(ld_census_http_parse, 3,
			      "HTTP/1.1 200 OK\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: 2\r\n\r\n{}",
			      false, &o),
			 LD_PV_DONE);
	assert_str(o.product, "docker-registry");
	/* other protocols answering GET */
	assert_int_equal(RUNS(ld_census_http_parse, 0, "-ERR wrong number of arguments for 'get' command\r\n", false, &o),
			 LD_PV_SWITCH);
	assert_int_equal(o.switch_to, LD_PROBE_REDIS);
	assert_int_equal(RUNS(ld_census_http_parse, 0, "ERROR\r\nERROR\r\n", false, &o), LD_PV_SWITCH);
	assert_int_equal(o.switch_to, LD_PROBE_MEMCACHED);
	assert_int_equal(RUNS(ld_census_http_parse, 0,
			      "HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 85\r\n\r\n"
			      "It looks like you are trying to access MongoDB over HTTP on the native driver port.\r\n",
			      false, &o),
			 LD_PV_SWITCH);
	assert_int_equal(o.switch_to, LD_PROBE_MONGODB);
	assert_int_equal(RUNS(ld_census_http_parse, 0, "\x15\x03\x01\x00\x02\x02\x46", true, &o), LD_PV_DONE);
	assert_str(o.service, "tls");
	assert_int_equal(RUNS(ld_census_http_parse, 0, "garbage garbage", true, &o), LD_PV_NOMATCH);
	assert_int_equal(RUNS(ld_census_http_parse, 0, "HTTP/1.1 2xx OK\r\n\r\n", true, &o), LD_PV_NOMATCH);
}

static void test_http_json(void **state)
{
	ld_census_obs o;
	(void)state;
	ld_census_obs_init(&o, &A);
	assert_true(ld_census_http_json(&o, LD_SLICE_LIT(
						   "{\"major\":\"1\",\"minor\":\"28\",\"gitVersion\":\"v1.28.2\",\"platform\":\"linux/amd64\"}")));
	assert_str(o.product, "kubernetes");
	assert_str(o.version, "1.28.2");
	ld_census_obs_init(&o, &A);
	assert_true(ld_census_http_json(&o, LD_SLICE_LIT("{\"Version\":\"4.9.3\",\"ApiVersion\":\"1.41\",\"Components\":"
							  "[{\"Name\":\"Podman Engine\",\"Version\":\"4.9.3\"}]}")));
	assert_str(o.product, "podman");
	ld_census_obs_init(&o, &A);
	assert_true(ld_census_http_json(&o, LD_SLICE_LIT("{\"Config\":{\"Datacenter\":\"dc1\",\"Version\":\"1.15.4\"}}")));
	assert_str(o.product, "consul");
	assert_str(o.version, "1.15.4");
	ld_census_obs_init(&o, &A);
	assert_true(ld_census_http_json(&o, LD_SLICE_LIT("{\"couchdb\":\"Welcome\",\"version\":\"3.3.3\"}")));
	assert_str(o.product, "couchdb");
	ld_census_obs_init(&o, &A);
	assert_true(ld_census_http_json(&o, LD_SLICE_LIT(
						   "{\"name\":\"n\",\"cluster_name\":\"c\",\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.11.0\"}}")));
	assert_str(o.product, "opensearch");
	ld_census_obs_init(&o, &A);
	assert_false(ld_census_http_json(&o, LD_SLICE_LIT("{\"version\": 3}")));
	assert_false(ld_census_http_json(&o, LD_SLICE_LIT("{\"version\": {\"number\": \"1\"")));
	assert_false(ld_census_http_json(&o, LD_SLICE_LIT("<html>")));
	assert_null(o.product);
}

/* ------------------------------------------------------------------ greetings */

static void test_banner(void **state)
{
	ld_census_obs o;
	bool reparse;
	(void)state;
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "220 (vsFTPd 3.0.3)\r\n", false, &o), LD_PV_DONE);
	assert_str(o.service, "ftp");
	assert_str(o.product, "vsftpd");
	assert_str(o.version, "3.0.3");
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", false, &o),
			 LD_PV_DONE);
	assert_str(o.service, "smtp");
	assert_str(o.product, "postfix");
	assert_str(o.distro, "Debian");
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "220 ProFTPD 1.3.8 Server (Debian) [::ffff:10.0.0.1]\r\n", false, &o),
			 LD_PV_DONE);
	assert_str(o.product, "proftpd");
	assert_str(o.version, "1.3.8");
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "+OK Dovecot (Debian) ready.\r\n", false, &o), LD_PV_DONE);
	assert_str(o.service, "pop3");
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "RFB 003.008\n", false, &o), LD_PV_DONE);
	assert_str(o.service, "vnc");
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "\xff\xfd\x18\xff\xfd\x20", false, &o), LD_PV_DONE);
	assert_str(o.service, "telnet");
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "no line end yet", false, &o), LD_PV_MORE);
	assert_int_equal(RUNS(ld_census_banner_parse, 0, "WELCOME \x01\x02\r\n", false, &o), LD_PV_DONE);
	assert_null(o.service);
	assert_str(o.evidence, "WELCOME \\x01\\x02\\r\\n");

	assert_int_equal(ld_census_classify(LD_SLICE_LIT("SSH-2.0-x\r\n"), &reparse), LD_PROBE_SSH);
	assert_true(reparse);
	assert_int_equal(ld_census_classify(ld_slice_make(mariadb_hs, sizeof(mariadb_hs)), &reparse), LD_PROBE_MYSQL);
	assert_true(reparse);
	assert_int_equal(ld_census_classify(LD_SLICE_LIT("-NOAUTH Authentication required.\r\n"), &reparse),
			 LD_PROBE_REDIS);
	assert_false(reparse);
	assert_int_equal(ld_census_classify(LD_SLICE_LIT("ERROR\r\n"), &reparse), LD_PROBE_MEMCACHED);
	assert_int_equal(ld_census_classify(LD_SLICE_LIT("hello"), &reparse), -1);
	assert_int_equal(ld_census_classify(LD_SLICE_NULL, &reparse), -1);
}

/* ------------------------------------------------------------------ observations */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_versions_table(void **state)
{
	const char *dir = getenv("LADING_TESTDATA");
	char path[4096], *text, *save = NULL;
	size_t cases = 0;
	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/census/versions.tsv", dir);
	text = read_text(path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *s2 = NULL;
		int k = 0;
		ld_census_obs o;
		if (line[0] == '#' || !line[0])
			continue;
		for (char *t = strtok_r(line, "\t", &s2); t && k < 4; t = strtok_r(NULL, "\t", &s2))
			f[k++] = t;
		assert_int_equal(k, 4);
		ld_census_obs_init(&o, &A);
		o.product = f[0];
		ld_census_obs_version(&o, ld_slice_cstr(f[1]));
		if (!o.version || strcmp(o.version, f[2]) || (strcmp(f[3], "-") ? !o.distro || strcmp(o.distro, f[3]) : o.distro != NULL))
			fail_msg("%s '%s': got version '%s' distro '%s', want '%s' '%s'", f[0], f[1],
				 o.version ? o.version : "(null)", o.distro ? o.distro : "(null)", f[2], f[3]);
		cases++;
	}
	assert_true(cases >= 25);
	free(text);
}

static void test_obs_helpers(void **state)
{
	ld_census_obs o;
	ld_buf b;
	char big[2000];
	(void)state;
	assert_true(ld_census_is_distro_hint(LD_SLICE_LIT("Debian-2+deb12u3")));
	assert_true(ld_census_is_distro_hint(LD_SLICE_LIT("0ubuntu0.22.04.1")));
	assert_true(ld_census_is_distro_hint(LD_SLICE_LIT("2.el8")));
	assert_true(ld_census_is_distro_hint(LD_SLICE_LIT("CentOS")));
	assert_false(ld_census_is_distro_hint(LD_SLICE_LIT("Win64")));
	assert_false(ld_census_is_distro_hint(LD_SLICE_LIT("1.pgdg120+1")));
	assert_false(ld_census_is_distro_hint(LD_SLICE_LIT("log")));
	assert_false(ld_census_is_distro_hint(LD_SLICE_LIT("model")));
	assert_str(ld_census_product_key(LD_SLICE_LIT("Apache httpd")), "apache-httpd");
	assert_str(ld_census_product_key(LD_SLICE_LIT("Redis key-value store")), "redis");
	assert_str(ld_census_product_key(LD_SLICE_LIT("MySQL")), "mysql");
	assert_null(ld_census_product_key(LD_SLICE_LIT("Gopher server")));
	ld_census_obs_init(&o, &A);
	ld_census_obs_product(&o, LD_SLICE_LIT("Gopher Server\x01"));
	assert_str(o.product, "gopher-server?");
	/* fields are printable and capped */
	memset(big, 'x', sizeof(big));
	ld_census_obs_set(&o, &o.note, ld_slice_make(big, sizeof(big)));
	assert_int_equal(strlen(o.note), LD_CENSUS_FIELD_MAX);
	ld_census_obs_evidence(&o, ld_slice_make(big, sizeof(big)));
	assert_int_equal(strlen(o.evidence), LD_CENSUS_EVIDENCE_MAX + 3);
	for (int i = 0; i < LD_CENSUS_ATTRS_MAX + 5; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i);
		ld_census_obs_attr(&o, k, LD_SLICE_LIT("v"));
	}
	assert_int_equal(o.nattrs, LD_CENSUS_ATTRS_MAX);
	ld_buf_init(&b, 0);
	ld_census_escape(&b, LD_SLICE_LIT("a\\b\r\n\x7f\xff"));
	assert_string_equal(ld_buf_cstr(&b), "a\\\\b\\r\\n\\x7f\\xff");
	ld_buf_release(&b);
	/* CPE: escaped, lowercase */
	ld_census_obs_init(&o, &A);
	o.product = "openssh";
	o.version = "9.2p1:x";
	ld_census_obs_finish(&o);
	assert_str(o.cpe, "cpe:2.3:a:openbsd:openssh:9.2p1\\:x:*:*:*:*:*:*:*");
	assert_str(ld_census_semver_core(&A, "15.4"), "15.4.0");
	assert_str(ld_census_semver_core(&A, "9.2p1"), "9.2.0");
	assert_null(ld_census_semver_core(&A, "abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh),	    cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_redis),	    cmocka_unit_test(test_memcached),
		cmocka_unit_test(test_postgres),    cmocka_unit_test(test_mongodb),
		cmocka_unit_test(test_http),	    cmocka_unit_test(test_http_json),
		cmocka_unit_test(test_banner),	    cmocka_unit_test(test_versions_table),
		cmocka_unit_test(test_obs_helpers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

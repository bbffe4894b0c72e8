/* Registry parsers: image references and WWW-Authenticate challenges from the tables in
 * tests/data/registry/, docker config.json credentials, token answers, base64, loopback hosts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/base64.h"
#include "util/http.h"
#include "source/registry.h"

static char *read_table(const char *name)
{
	const char *dir = getenv("LADING_TESTDATA");
	char path[4096];
	FILE *f;
	char *buf;
	long n;
	ld_snprintf(path, sizeof(path), "%s/registry/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Split a line at tabs into at most `max` fields; returns the count. */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static const char *dash(const char *s)
{
	return strcmp(s, "-") ? s : "";
}

static void test_refs(void **state)
{
	char *t = read_table("refs.txt"), *save = NULL, *line;
	size_t cases = 0;
	(void)state;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8];
		ld_imgref r;
		size_t n;
		int rc;
		if (line[0] == '#')
			continue;
		n = fields(line, f, 8);
		rc = ld_imgref_parse(&r, f[0], strlen(f[0]));
		cases++;
		if (n == 2) {
			if (!strcmp(f[1], "!unsupported") ? rc != LADING_EUNSUPPORTED
							  : rc != LADING_EINVALID)
				fail_msg("'%s': expected %s, got %d", f[0], f[1], rc);
			continue;
		}
		assert_int_equal(n, 6);
		if (rc)
			fail_msg("'%s': rejected (%d)", f[0], rc);
		if (strcmp(r.registry, f[1]) || strcmp(r.api_host, f[2]) || strcmp(r.repo, f[3]) ||
		    strcmp(r.tag, dash(f[4])) || strcmp(r.digest, dash(f[5])))
			fail_msg("'%s': got %s | %s | %s | %s | %s", f[0], r.registry, r.api_host,
				 r.repo, r.tag, r.digest);
		/* the canonical form parses to the same reference */
		{
			char canon[2048];
			ld_imgref r2;
			ld_imgref_format(&r, canon, sizeof(canon));
			assert_int_equal(ld_imgref_parse(&r2, canon, strlen(canon)), 0);
			assert_string_equal(r2.registry, r.registry);
			assert_string_equal(r2.repo, r.repo);
			assert_string_equal(r2.tag, r.tag);
			assert_string_equal(r2.digest, r.digest);
		}
	}
	assert_true(cases > 40);
	free(t);
}

static void test_ref_limits(void **state)
{
	char big[2048];
	ld_imgref r;
	(void)state;
	/* a repository name longer than Docker's 255 characters */
	memset(big, 'a', sizeof(big));
	ld_snprintf(big, 300, "localhost:5000/%0256d", 0);
	assert_int_equal(ld_imgref_parse(&r, big, strlen(big)), LADING_EINVALID);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ld_imgref_parse(&r, big, sizeof(big)), LADING_EINVALID);
	assert_int_equal(ld_imgref_parse(&r, "a\0b", 3), LADING_EINVALID);
	assert_int_equal(ld_imgref_parse(&r, "", 0), LADING_EINVALID);
}

static void test_loopback(void **state)
{
	(void)state;
	assert_true(ld_host_is_loopback("localhost"));
	assert_true(ld_host_is_loopback("localhost:5000"));
	assert_true(ld_host_is_loopback("LOCALHOST:5000"));
	assert_true(ld_host_is_loopback("127.0.0.1"));
	assert_true(ld_host_is_loopback("127.1.2.3:80"));
	assert_true(ld_host_is_loopback("[::1]:5000"));
	assert_false(ld_host_is_loopback("127.0.0.1.example.com"));
	assert_false(ld_host_is_loopback("128.0.0.1"));
	assert_false(ld_host_is_loopback("127.0.0"));
	assert_false(ld_host_is_loopback("127.0.0.256"));
	assert_false(ld_host_is_loopback("localhost.evil.com"));
	assert_false(ld_host_is_loopback("[::2]:5000"));
	assert_false(ld_host_is_loopback("registry-1.docker.io"));
	assert_false(ld_host_is_loopback(NULL));
	/* token realms: the host of the parsed URL, user-info is not a host */
	assert_true(ld_url_is_loopback("http://localhost:5001/token"));
	assert_true(ld_url_is_loopback("http://127.0.0.1/token?x=1"));
	assert_true(ld_url_is_loopback("http://[::1]:8080/token"));
	assert_true(ld_url_is_loopback("http://user:pw@localhost/token"));
	assert_false(ld_url_is_loopback("http://localhost:1@evil.example/token"));
	assert_false(ld_url_is_loopback("http://localhost@evil.example/"));
	assert_false(ld_url_is_loopback("http://127.0.0.1:80@evil.example:80/"));
	assert_false(ld_url_is_loopback("http://localhost.evil.example/"));
	assert_false(ld_url_is_loopback("http://evil.example/localhost"));
	assert_false(ld_url_is_loopback("http://evil.example?@localhost"));
	assert_false(ld_url_is_loopback("http://evil.example#@localhost"));
	assert_false(ld_url_is_loopback("localhost"));
	/* --insecure's scope: the registry's own host (any port), nothing else */
	assert_true(ld_url_same_host("http://reg.example:5001/token", "reg.example:5000"));
	assert_true(ld_url_same_host("http://REG.example/token", "reg.example"));
	assert_false(ld_url_same_host("http://reg.example@auth.example/token", "reg.example"));
	assert_false(ld_url_same_host("http://auth.example/token", "reg.example:5000"));
	assert_false(ld_url_same_host("http://reg.example.auth.example/token", "reg.example"));
}

static void test_challenges(void **state)
{
	char *t = read_table("challenges.txt"), *save = NULL, *line;
	size_t cases = 0;
	(void)state;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8];
		ld_auth_challenge c;
		size_t n;
		int rc;
		if (line[0] == '#')
			continue;
		n = fields(line, f, 8);
		rc = ld_auth_challenge_parse(&c, f[0], strlen(f[0]));
		cases++;
		if (n == 2) {
			if (rc != LADING_EINVALID)
				fail_msg("'%s': accepted", f[0]);
			continue;
		}
		assert_int_equal(n, 6);
		if (rc)
			fail_msg("'%s': rejected", f[0]);
		if (strcmp(c.scheme, f[1]) || strcmp(c.realm, dash(f[2])) ||
		    strcmp(c.service, dash(f[3])) || strcmp(c.scope, dash(f[4])) ||
		    strcmp(c.error, dash(f[5])))
			fail_msg("'%s': got %s | %s | %s | %s | %s", f[0], c.scheme, c.realm,
				 c.service, c.scope, c.error);
	}
	assert_true(cases > 15);
	free(t);
}

static void test_challenge_limits(void **state)
{
	ld_auth_challenge c;
	char big[LD_AUTH_MAX_HEADER + 64];
	(void)state;
	/* a realm longer than its field is refused, not truncated into another URL */
	ld_snprintf(big, sizeof(big), "Bearer realm=\"https://a/%01100d\"", 0);
	assert_int_equal(ld_auth_challenge_parse(&c, big, strlen(big)), LADING_EINVALID);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ld_auth_challenge_parse(&c, big, sizeof(big)), LADING_EINVALID);
	/* control characters inside a quoted value (header splitting) */
	assert_int_equal(ld_auth_challenge_parse(&c, "Bearer realm=\"a\r\nX: y\"", 22),
			 LADING_EINVALID);
}

static int find(const char *json, const char *registry, ld_creds *c, lading_ctx *ctx)
{
	return ld_docker_config_find(json, strlen(json), registry, c, ctx);
}

static void test_docker_config(void **state)
{
	lading_ctx *ctx;
	ld_creds c;
	/* base64("alice:s3cr:et") -- a password may hold ':' */
	const char *cfg = "{\"auths\": {"
			  "\"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1YnB3\"},"
			  "\"localhost:5000\": {\"auth\": \"YWxpY2U6czNjcjpldA==\"},"
			  "\"https://quay.io\": {\"username\": \"bob\", \"password\": \"pw\"},"
			  "\"ghcr.io\": {\"auth\": \"\", \"identitytoken\": \"tok\"},"
			  "\"bad.example\": {\"auth\": \"bm9jb2xvbg==\"},"
			  "\"worse.example\": {\"auth\": \"!!!notbase64\"}"
			  "}, \"credsStore\": \"desktop\"}";
	(void)state;
	lading_ctx_new(&ctx);
	assert_int_equal(find(cfg, "localhost:5000", &c, ctx), 0);
	assert_string_equal(c.username, "alice");
	assert_string_equal(c.password, "s3cr:et");
	assert_string_equal(c.from, "docker config");
	assert_int_equal(find(cfg, "docker.io", &c, ctx), 0);
	assert_string_equal(c.username, "hub");
	assert_string_equal(c.password, "hubpw");
	assert_int_equal(find(cfg, "quay.io", &c, ctx), 0);
	assert_string_equal(c.username, "bob");
	/* identity tokens and credential helpers are not run: no credentials */
	assert_int_equal(find(cfg, "ghcr.io", &c, ctx), LADING_ENOTFOUND);
	assert_int_equal(find(cfg, "other.example", &c, ctx), LADING_ENOTFOUND);
	assert_int_equal(find(cfg, "localhost:5001", &c, ctx), LADING_ENOTFOUND);
	/* malformed entries: the message names the entry, never its content */
	assert_int_equal(find(cfg, "bad.example", &c, ctx), LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "bad.example"));
	assert_null(strstr(lading_ctx_error(ctx)->msg, "bm9jb2xvbg"));
	assert_int_equal(find(cfg, "worse.example", &c, ctx), LADING_EINVALID);
	assert_null(strstr(lading_ctx_error(ctx)->msg, "notbase64"));
	assert_string_equal(c.username, ""); /* wiped on failure */
	/* an exact host entry wins over Docker Hub's aliases */
	assert_int_equal(find("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"YTpi\"},"
			      "\"docker.io\":{\"auth\":\"Yzpk\"}}}",
			      "docker.io", &c, ctx),
			 0);
	assert_string_equal(c.username, "c");
	assert_int_equal(find("{}", "docker.io", &c, ctx), LADING_ENOTFOUND);
	assert_int_equal(find("not json", "docker.io", &c, ctx), LADING_EINVALID);
	assert_int_equal(find("{\"auths\": []}", "docker.io", &c, ctx), LADING_EINVALID);
	assert_int_equal(find("{\"auths\": {\"docker.io\": 3}}", "docker.io", &c, ctx),
			 LADING_EINVALID);
	lading_ctx_free(ctx);
}

static void test_token(void **state)
{
	lading_ctx *ctx;
	ld_buf t = LD_BUF_INIT;
	char big[LD_TOKEN_MAX + 64];
	(void)state;
	lading_ctx_new(&ctx);
	assert_int_equal(
	    ld_auth_token_parse("{\"token\":\"abc.def\",\"expires_in\":300}", 36, &t, ctx), 0);
	assert_string_equal(ld_buf_cstr(&t), "abc.def");
	assert_int_equal(ld_auth_token_parse("{\"access_token\":\"xyz\"}", 22, &t, ctx), 0);
	assert_string_equal(ld_buf_cstr(&t), "xyz");
	assert_int_equal(
	    ld_auth_token_parse("{\"token\":\"\",\"access_token\":\"z\"}", 31, &t, ctx), 0);
	assert_string_equal(ld_buf_cstr(&t), "z");
	assert_int_equal(ld_auth_token_parse("{}", 2, &t, ctx), LADING_EINVALID);
	assert_int_equal(ld_auth_token_parse("[]", 2, &t, ctx), LADING_EINVALID);
	/* a token that would split the header line */
	assert_int_equal(ld_auth_token_parse("{\"token\":\"a\\r\\nX-Evil: 1\"}", 26, &t, ctx),
			 LADING_EINVALID);
	assert_int_equal(ld_auth_token_parse("{\"token\":\"a b\"}", 15, &t, ctx), LADING_EINVALID);
	ld_snprintf(big, sizeof(big), "{\"token\":\"%0*d\"}", LD_TOKEN_MAX + 1, 0);
	assert_int_equal(ld_auth_token_parse(big, strlen(big), &t, ctx), LADING_ELIMIT);
	ld_buf_release(&t);
	lading_ctx_free(ctx);
}

static void test_base64(void **state)
{
	static const char *const v[][2] = {{"", ""},
					   {"f", "Zg=="},
					   {"fo", "Zm8="},
					   {"foo", "Zm9v"},
					   {"foob", "Zm9vYg=="},
					   {"fooba", "Zm9vYmE="},
					   {"foobar", "Zm9vYmFy"},
					   {"\xff\xfe", "//4="}};
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(v); i++) {
		ld_buf e = LD_BUF_INIT, d = LD_BUF_INIT;
		assert_int_equal(ld_base64_encode(&e, v[i][0], strlen(v[i][0])), 0);
		assert_string_equal(ld_buf_cstr(&e), v[i][1]);
		assert_int_equal(ld_base64_decode(&d, v[i][1], strlen(v[i][1])), 0);
		assert_int_equal(d.len, strlen(v[i][0]));
		assert_memory_equal(ld_buf_cstr(&d), v[i][0], d.len);
		ld_buf_release(&e);
		ld_buf_release(&d);
	}
	{
		ld_buf d = LD_BUF_INIT;
		assert_int_equal(ld_base64_decode(&d, "Zm9vYg", 6), 0); /* unpadded */
		assert_string_equal(ld_buf_cstr(&d), "foob");
		ld_buf_clear(&d);
		assert_int_equal(ld_base64_decode(&d, "Zm9v\n", 5), LADING_EINVALID);
		assert_int_equal(ld_base64_decode(&d, "Z", 1), LADING_EINVALID);
		assert_int_equal(ld_base64_decode(&d, "Zm9=v", 5), LADING_EINVALID);
		assert_int_equal(ld_base64_decode(&d, "Zg===", 5), LADING_EINVALID);
		ld_buf_release(&d);
	}
}

/* Link headers (RFC 8288): the first link-value whose first rel holds "next". */
static void test_link_next(void **state)
{
	static const struct {
		const char *hdr, *want; /* want NULL: rc below */
		int rc;
	} cases[] = {
	    {"</v2/_catalog?last=b&n=2>; rel=\"next\"", "/v2/_catalog?last=b&n=2", 0},
	    {"<https://r.example/v2/x/tags/list?n=1&last=a>;rel=next", "https://r.example/v2/x/tags/list?n=1&last=a", 0},
	    {"<p1>; rel=\"prev\", <p2>; rel=\"next\"", "p2", 0},
	    {"<p1>; rel=\"prev next\"", "p1", 0},
	    {"<p1>; REL=\"Next\"", "p1", 0},
	    {"<p1>; title=\"a, b; <c>\"; rel=\"next\", <p2>; rel=next", "p1", 0},
	    {"<p1>; title*=UTF-8'de'n%c3%a4chstes; rel=\"next\"", "p1", 0},
	    {"<a,b>; rel=next", "a,b", 0},
	    {"<p1>; rel=\"\\next\"", "p1", 0},
	    {"<p1>; rel=\"prev\"; rel=\"next\"", NULL, LADING_ENOTFOUND}, /* only the first rel counts */
	    {"<p1>; rel=\"nextpage\"", NULL, LADING_ENOTFOUND},
	    {"<p1>; rel=prev", NULL, LADING_ENOTFOUND},
	    {"", NULL, LADING_ENOTFOUND},
	    {"<p1>", NULL, LADING_ENOTFOUND},
	    {"<p1; rel=next", NULL, LADING_EINVALID},
	    {"<p 1>; rel=next", NULL, LADING_EINVALID},
	    {"p1; rel=next", NULL, LADING_EINVALID},
	    {"<p1>; rel=\"next", NULL, LADING_EINVALID},
	    {"<p1> rel=next", NULL, LADING_EINVALID},
	    {"<p1>; =next", NULL, LADING_EINVALID},
	};
	char out[64];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = ld_link_next(cases[i].hdr, strlen(cases[i].hdr), out, sizeof(out));
		if (cases[i].want) {
			if (rc)
				fail_msg("%s: %d", cases[i].hdr, rc);
			assert_string_equal(out, cases[i].want);
		} else if (rc != cases[i].rc) {
			fail_msg("%s: %d, expected %d", cases[i].hdr, rc, cases[i].rc);
		}
	}
	/* a target longer than the output, and a header over the limit */
	{
		char big[9000];
		memset(big, 'a', sizeof(big));
		big[0] = '<';
		memcpy(big + 100, ">; rel=next", 11);
		assert_int_equal(ld_link_next(big, 111, out, sizeof(out)), LADING_ELIMIT);
		assert_int_equal(ld_link_next(big, sizeof(big), out, sizeof(out)), LADING_ELIMIT);
	}
}

/* URL resolution and origins, as crawl follows a Link */
static void test_url_resolve(void **state)
{
	char out[256];
	(void)state;
	assert_int_equal(ld_http_url_resolve("http://h:5000/v2/_catalog?n=2", "/v2/_catalog?last=b&n=2", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "http://h:5000/v2/_catalog?last=b&n=2");
	assert_int_equal(ld_http_url_resolve("http://h:5000/v2/x/tags/list?n=2", "list?n=2&last=c", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "http://h:5000/v2/x/tags/list?n=2&last=c");
	assert_int_equal(ld_http_url_resolve("http://h:5000/v2/_catalog", "?n=1&last=z", out, sizeof(out)), 0);
	assert_string_equal(out, "http://h:5000/v2/_catalog?n=1&last=z");
	assert_int_equal(ld_http_url_resolve("https://h/v2/_catalog", "https://other/v2/_catalog", out, sizeof(out)),
			 0);
	assert_string_equal(out, "https://other/v2/_catalog");
	assert_int_equal(ld_http_url_resolve("https://h/v2/_catalog", "ftp://h/x", out, sizeof(out)), -1);
	assert_int_equal(ld_http_url_resolve("https://h/v2/_catalog", "/x", out, 10), -1);
	assert_true(ld_http_url_same_origin("https://h/a", "https://H:443/b"));
	assert_true(ld_http_url_same_origin("http://h:5000/a", "http://h:5000"));
	assert_false(ld_http_url_same_origin("http://h:5000/a", "https://h:5000/a"));
	assert_false(ld_http_url_same_origin("http://h:5000/a", "http://h:5001/a"));
	assert_false(ld_http_url_same_origin("http://h:5000@evil:5000/a", "http://h:5000/a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refs),
	    cmocka_unit_test(test_ref_limits),
	    cmocka_unit_test(test_loopback),
	    cmocka_unit_test(test_challenges),
	    cmocka_unit_test(test_challenge_limits),
	    cmocka_unit_test(test_docker_config),
	    cmocka_unit_test(test_token),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_link_next),
	    cmocka_unit_test(test_url_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

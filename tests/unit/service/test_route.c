/* service/route.c: routing, scopes, the Authorization header, token and reference formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "service/service.h"

static int route(const char *method, const char *path, int64_t *param)
{
	return ld_svc_route_find(method, ld_slice_cstr(path), param);
}

static void test_routes(void **state)
{
	const ld_svc_route *r;
	size_t n;
	int64_t p;
	int i;
	(void)state;
	r = ld_svc_routes(&n);
	assert_true(n >= 8);
	i = route("GET", "/api/v1/images", &p);
	assert_true(i >= 0);
	assert_int_equal(r[i].id, LD_R_IMAGES_LIST);
	assert_int_equal(r[i].scope, LD_SCOPE_READ);
	i = route("POST", "/api/v1/images", &p);
	assert_int_equal(r[i].id, LD_R_IMAGES_ADD);
	assert_int_equal(r[i].scope, LD_SCOPE_WRITE);
	assert_true(r[i].body_max > 0);
	i = route("HEAD", "/", &p);
	assert_int_equal(r[i].id, LD_R_DASHBOARD);
	i = route("GET", "/api/v1/jobs/42", &p);
	assert_int_equal(r[i].id, LD_R_JOB_GET);
	assert_int_equal(p, 42);
	/* SBOM uploads write; their cap is larger than an image request's */
	i = route("POST", "/api/v1/sboms", &p);
	assert_true(i >= 0);
	assert_int_equal(r[i].id, LD_R_SBOMS_ADD);
	assert_int_equal(r[i].scope, LD_SCOPE_WRITE);
	assert_true(r[i].body_max > r[route("POST", "/api/v1/images", &p)].body_max);
	assert_int_equal(route("GET", "/api/v1/sboms", &p), LD_SVC_ROUTE_METHOD);
	i = route("GET", "/favicon.ico", &p);
	assert_int_equal(r[i].id, LD_R_FAVICON);
	assert_int_equal(r[i].body_max, 0);
	assert_int_equal(route("DELETE", "/api/v1/images", &p), LD_SVC_ROUTE_METHOD);
	assert_int_equal(route("GET", "/api/v1/images/", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "/api/v1/jobs/", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "/api/v1/jobs/1x", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "/api/v1/jobs/-1", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "/api/v1/jobs/99999999999999999999", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "/api/v1/jobs/1/2", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("GET", "/API/V1/IMAGES", &p), LD_SVC_ROUTE_NOTFOUND);
	assert_int_equal(route("get", "/api/v1/images", &p), LD_SVC_ROUTE_METHOD);
}

static void test_scopes(void **state)
{
	ld_svc_scope s;
	(void)state;
	assert_int_equal(ld_svc_scope_parse("read", &s), 0);
	assert_int_equal(s, LD_SCOPE_READ);
	assert_int_equal(ld_svc_scope_parse("admin", &s), 0);
	assert_true(s > LD_SCOPE_WRITE);
	assert_int_not_equal(ld_svc_scope_parse("Admin", &s), 0);
	assert_int_not_equal(ld_svc_scope_parse("", &s), 0);
	assert_int_not_equal(ld_svc_scope_parse(NULL, &s), 0);
	assert_string_equal(ld_svc_scope_name(LD_SCOPE_WRITE), "write");
}

#define TOK "ldt_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_bearer(void **state)
{
	ld_slice t;
	(void)state;
	assert_true(ld_svc_token_valid(ld_slice_cstr(TOK)));
	assert_false(ld_svc_token_valid(ld_slice_cstr("ldt_0123")));
	assert_false(ld_svc_token_valid(ld_slice_cstr(
		"ldt_0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")));
	assert_false(ld_svc_token_valid(ld_slice_cstr(
		"xyz_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
	assert_true(ld_svc_bearer(ld_slice_cstr("Bearer " TOK), &t));
	assert_int_equal(t.len, strlen(TOK));
	assert_true(ld_svc_bearer(ld_slice_cstr("bearer \t" TOK "  "), &t));
	assert_int_equal(t.len, strlen(TOK));
	assert_false(ld_svc_bearer(ld_slice_cstr("Basic " TOK), &t));
	assert_false(ld_svc_bearer(ld_slice_cstr("Bearer"), &t));
	assert_false(ld_svc_bearer(ld_slice_cstr("Bearer" TOK), &t));
	assert_false(ld_svc_bearer(ld_slice_cstr("Bearer " TOK "0"), &t));
	assert_false(ld_svc_bearer(ld_slice_cstr(""), &t));
}

static void test_refs(void **state)
{
	(void)state;
	assert_true(ld_svc_ref_ok("127.0.0.1:5000/lib/alpine:3.9"));
	assert_true(ld_svc_ref_ok("alpine:3.20"));
	assert_true(ld_svc_ref_ok("registry:localhost:5000/x@sha256:0123"));
	assert_true(ld_svc_ref_ok("docker.io/library/nginx:latest"));
	assert_false(ld_svc_ref_ok(""));
	assert_false(ld_svc_ref_ok("/etc/passwd"));
	assert_false(ld_svc_ref_ok("./image.tar"));
	assert_false(ld_svc_ref_ok("../x"));
	assert_false(ld_svc_ref_ok("a/../../etc"));
	assert_false(ld_svc_ref_ok("oci:/tmp/layout"));
	assert_false(ld_svc_ref_ok("sbom:/etc/passwd")); /* SBOMs come as bodies, never as paths */
	assert_false(ld_svc_ref_ok("registry:dir:/"));
	assert_false(ld_svc_ref_ok("docker-archive:x.tar"));
	assert_false(ld_svc_ref_ok("docker:nginx"));
	assert_false(ld_svc_ref_ok("http://evil/x"));
	assert_false(ld_svc_ref_ok("a b"));
	assert_false(ld_svc_ref_ok("a\nb"));
	assert_false(ld_svc_ref_ok("-rf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* service/admission.c: AdmissionReview v1 requests in the shape of the Kubernetes API reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "service/service.h"

static int parse(ld_svc_admission *r, ld_arena *a, const char *doc)
{
	lading_ctx *ctx = NULL;
	int rc;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	rc = ld_svc_admission_parse(r, a, doc, strlen(doc), ctx);
	lading_ctx_free(ctx);
	return rc;
}

static void test_pod(void **state)
{
	ld_svc_admission r;
	ld_arena a;
	(void)state;
	ld_arena_init(&a, 0);
	assert_int_equal(parse(&r, &a,
			       "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
			       "{\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\",\"kind\":{\"group\":\"\",\"version\":"
			       "\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":{\"apiVersion\":\"v1\","
			       "\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.25\"},"
			       "{\"name\":\"b\",\"image\":\"r.example/x@sha256:00\"}],\"initContainers\":[{\"name\":"
			       "\"i\",\"image\":\"busybox\"}],\"ephemeralContainers\":[{\"name\":\"d\",\"image\":"
			       "\"debug:1\"},{\"name\":\"e\"}]}}}}"),
			 0);
	assert_string_equal(r.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
	assert_int_equal(r.nimages, 4);
	assert_string_equal(r.images[0], "nginx:1.25");
	assert_string_equal(r.images[2], "busybox");
	assert_string_equal(r.images[3], "debug:1");
	ld_arena_release(&a);
}

static void test_refused(void **state)
{
	ld_svc_admission r;
	ld_arena a;
	(void)state;
	ld_arena_init(&a, 0);
	assert_int_equal(parse(&r, &a, "{\"kind\":\"AdmissionReview\"}"), LADING_EINVALID);
	assert_int_equal(parse(&r, &a, "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\","
				       "\"request\":{\"uid\":\"u\"}}"),
			 LADING_EINVALID);
	assert_int_equal(parse(&r, &a, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
				       "\"request\":{}}"),
			 LADING_EINVALID);
	assert_int_equal(parse(&r, &a, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
				       "\"request\":{\"uid\":\"u\",\"object\":{\"kind\":\"Deployment\"}}}"),
			 LADING_EUNSUPPORTED);
	assert_int_not_equal(parse(&r, &a, "{\"apiVersion\":"), 0);
	/* no pod spec: no images, a valid review */
	assert_int_equal(parse(&r, &a, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
				       "\"request\":{\"uid\":\"u\"}}"),
			 0);
	assert_int_equal(r.nimages, 0);
	ld_arena_release(&a);
}

static void test_timeout(void **state)
{
	(void)state;
	assert_int_equal(ld_svc_timeout_parse("10s"), 10);
	assert_int_equal(ld_svc_timeout_parse("30"), 30);
	assert_int_equal(ld_svc_timeout_parse("1m"), 60);
	assert_int_equal(ld_svc_timeout_parse("s"), 0);
	assert_int_equal(ld_svc_timeout_parse("-1s"), 0);
	assert_int_equal(ld_svc_timeout_parse("99999s"), 0);
	assert_int_equal(ld_svc_timeout_parse(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pod),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SBOM documents read back (catalog/sbomdoc.c through lading_sbom_read): what each format gives
 * (packages from purls, source packages, epochs, OS, image), other scanners' shapes, and the
 * refusals at the named limits. The documents are written here by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lading/lading.h"

static lading_sbom *read_doc(const char *doc, lading_ctx **ctx)
{
	lading_sbom *s = NULL;
	assert_int_equal(lading_ctx_new(ctx), 0);
	if (lading_sbom_read(&s, *ctx, doc, strlen(doc), "test.json") != 0)
		fail_msg("read: %s", lading_ctx_error(*ctx)->msg);
	return s;
}

static int read_rc(const char *doc, size_t len)
{
	lading_ctx *ctx;
	lading_sbom *s = NULL;
	int rc;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	rc = lading_sbom_read(&s, ctx, doc, len, "bad.json");
	assert_true(rc != 0 || s);
	if (rc) {
		assert_null(s);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "bad.json"));
	}
	lading_sbom_free(s);
	lading_ctx_free(ctx);
	return rc;
}

static const lading_package *find(const lading_sbom *s, const char *name)
{
	for (size_t i = 0; i < lading_sbom_package_count(s); i++)
		if (!strcmp(lading_sbom_package(s, i)->name, name))
			return lading_sbom_package(s, i);
	fail_msg("no package %s", name);
	return NULL;
}

#define D64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

/* Trivy's CycloneDX: the image ID as a property, a bare distro qualifier beside the namespace,
 * the source package in properties. */
static void test_cyclonedx_trivy(void **state)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"metadata\":{\"component\":{\"type\":\"container\","
		"\"name\":\"alpine:3.9\",\"properties\":[{\"name\":\"aquasecurity:trivy:ImageID\",\"value\":\"sha256:" D64("a") "\"}]}},"
		"\"components\":[{\"type\":\"library\",\"name\":\"ssl_client\",\"version\":\"1.29.3-r10\","
		"\"purl\":\"pkg:apk/alpine/ssl_client@1.29.3-r10?arch=x86_64&distro=3.9.6\","
		"\"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"busybox\"},"
		"{\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"1.29.3-r10\"}]},"
		"{\"type\":\"library\",\"name\":\"libc6\",\"version\":\"2.28-10\","
		"\"purl\":\"pkg:deb/debian/libc6@2.28-10?arch=amd64&epoch=1\","
		"\"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"glibc\"},"
		"{\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"2.28\"},{\"name\":\"aquasecurity:trivy:SrcRelease\",\"value\":\"10\"},"
		"{\"name\":\"aquasecurity:trivy:SrcEpoch\",\"value\":\"1\"}]}]}";
	lading_ctx *ctx;
	lading_sbom *s = read_doc(doc, &ctx);
	const lading_package *p;
	(void)state;
	assert_string_equal(lading_sbom_document_format(s), "cyclonedx-1.5");
	assert_string_equal(lading_sbom_os(s)->id, "alpine");
	assert_string_equal(lading_sbom_os(s)->version, "3.9.6");
	assert_string_equal(lading_sbom_image(s)->config_digest, "sha256:" D64("a"));
	assert_string_equal(lading_sbom_image(s)->ref, "alpine:3.9");
	assert_string_equal(lading_sbom_image(s)->source_type, "sbom");
	p = find(s, "ssl_client");
	assert_string_equal(p->type, "apk");
	assert_string_equal(p->source_name, "busybox");
	assert_string_equal(p->source_version, "1.29.3-r10");
	assert_string_equal(p->arch, "x86_64");
	assert_int_equal(p->layer, -1);
	p = find(s, "libc6");
	assert_string_equal(p->version, "1:2.28-10"); /* the epoch of the purl */
	assert_string_equal(p->source_name, "glibc");
	assert_string_equal(p->source_version, "1:2.28-10");
	lading_sbom_free(s);
	lading_ctx_free(ctx);
}

/* Nested components, an OS component, rpm's SRPM upstream and epoch, names from purls. */
static void test_cyclonedx_nested(void **state)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
		"{\"type\":\"operating-system\",\"name\":\"AlmaLinux\",\"version\":\"9.3\",\"description\":\"AlmaLinux 9.3\"},"
		"{\"type\":\"application\",\"name\":\"app\",\"components\":["
		"{\"type\":\"library\",\"name\":\"openssl-libs\",\"version\":\"3.0.7-24.el9\","
		"\"purl\":\"pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm\"},"
		"{\"type\":\"library\",\"purl\":\"pkg:npm/%40scope/x@1.0.0\",\"licenses\":[{\"expression\":\"MIT\"}]},"
		"{\"type\":\"library\",\"purl\":\"pkg:maven/org.apache.commons/commons-text@1.9?type=jar\"},"
		"{\"type\":\"library\",\"name\":\"no-purl\",\"version\":\"1\"},"
		"{\"type\":\"library\",\"name\":\"bad\",\"purl\":\"not-a-purl\"}]}]}";
	lading_ctx *ctx;
	lading_sbom *s = read_doc(doc, &ctx);
	const lading_package *p;
	(void)state;
	assert_int_equal(lading_sbom_package_count(s), 3);
	assert_int_equal(lading_ctx_warning_count(ctx), 2); /* no purl, not a purl */
	assert_string_equal(lading_sbom_os(s)->id, "almalinux");
	assert_string_equal(lading_sbom_os(s)->version_id, "9.3");
	assert_string_equal(lading_sbom_os(s)->pretty_name, "AlmaLinux 9.3");
	assert_null(lading_sbom_image(s)->config_digest);
	p = find(s, "openssl-libs");
	assert_string_equal(p->version, "1:3.0.7-24.el9");
	assert_string_equal(p->source_name, "openssl");
	assert_string_equal(p->source_version, "3.0.7-24.el9");
	p = find(s, "@scope/x");
	assert_string_equal(p->type, "npm");
	assert_string_equal(p->version, "1.0.0");
	assert_string_equal(p->license, "MIT");
	assert_null(p->source_name);
	p = find(s, "org.apache.commons:commons-text");
	assert_string_equal(p->version, "1.9");
	lading_sbom_free(s);
	lading_ctx_free(ctx);
}

/* SPDX: the CONTAINER and OPERATING_SYSTEM packages, Trivy's and lading's sourceInfo, lading's
 * comment (layers rebuilt from it, flags), packageFileName as the location. */
static void test_spdx(void **state)
{
	static const char doc[] =
		"{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"packages\":["
		"{\"SPDXID\":\"SPDXRef-I\",\"name\":\"debian:12\",\"versionInfo\":\"x\",\"primaryPackagePurpose\":\"CONTAINER\","
		"\"checksums\":[{\"algorithm\":\"SHA256\",\"checksumValue\":\"" D64("b") "\"}]},"
		"{\"SPDXID\":\"SPDXRef-O\",\"name\":\"debian\",\"versionInfo\":\"12.4\",\"primaryPackagePurpose\":\"OPERATING_SYSTEM\"},"
		"{\"SPDXID\":\"SPDXRef-1\",\"name\":\"libc6\",\"versionInfo\":\"2.36-9+deb12u3\",\"sourceInfo\":\"built package from: glibc 2.36-9+deb12u3\","
		"\"licenseDeclared\":\"LGPL-2.1\",\"externalRefs\":[{\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64\"}]},"
		"{\"SPDXID\":\"SPDXRef-2\",\"name\":\"jinja2\",\"versionInfo\":\"3.1.2\",\"packageFileName\":\"/usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info\","
		"\"comment\":\"layer 1: sha256:" D64("c") "; os-managed\",\"sourceInfo\":\"built from source package jinja2 3.1.2-1\","
		"\"externalRefs\":[{\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:pypi/jinja2@3.1.2\"}]},"
		"{\"SPDXID\":\"SPDXRef-3\",\"name\":\"zlib1g\",\"versionInfo\":\"1:1.2.13.dfsg-1\",\"comment\":\"layer 7: nonsense\","
		"\"externalRefs\":[{\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1&upstream=zlib%401%3A1.2.13.dfsg-1\"}]}]}";
	lading_ctx *ctx;
	lading_sbom *s = read_doc(doc, &ctx);
	const lading_image_info *img;
	const lading_package *p;
	(void)state;
	img = lading_sbom_image(s);
	assert_string_equal(lading_sbom_document_format(s), "spdx-2.3");
	assert_string_equal(img->config_digest, "sha256:" D64("b"));
	assert_string_equal(lading_sbom_os(s)->id, "debian");
	assert_string_equal(lading_sbom_os(s)->version, "12.4");
	assert_int_equal(img->layer_count, 2);
	assert_null(img->layers[0].digest);
	assert_string_equal(img->layers[1].digest, "sha256:" D64("c"));
	p = find(s, "libc6");
	assert_string_equal(p->version, "2.36-9+deb12u3");
	assert_string_equal(p->source_name, "glibc");
	assert_string_equal(p->license, "LGPL-2.1");
	p = find(s, "jinja2");
	assert_int_equal(p->layer, 1);
	assert_true(p->flags & LADING_PKG_OS_MANAGED);
	assert_string_equal(p->location, "/usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info");
	p = find(s, "zlib1g");
	assert_int_equal(p->layer, -1); /* "nonsense" is not a digest */
	assert_string_equal(p->source_name, "zlib");
	assert_string_equal(p->source_version, "1:1.2.13.dfsg-1");
	lading_sbom_free(s);
	lading_ctx_free(ctx);
}

/* lading's JSON: every field, a layer index past the image's layers ignored. */
static void test_lading_json(void **state)
{
	static const char doc[] =
		"{\"schema\":\"lading.sbom/v1\",\"source\":{\"type\":\"oci\",\"ref\":\"alpine:3.20\",\"manifest_digest\":\"sha256:" D64("d") "\"},"
		"\"image\":{\"digest\":\"sha256:" D64("e") "\",\"platform\":\"linux/arm64/v8\",\"os\":{\"id\":\"debian\",\"version\":\"12.5\","
		"\"version_id\":\"12\",\"codename\":\"bookworm\"},\"layers\":[{\"index\":0,\"digest\":\"sha256:" D64("f") "\"}]},"
		"\"packages\":[{\"name\":\"bash\",\"version\":\"5.2.15-2+b2\",\"type\":\"deb\",\"arch\":\"amd64\",\"purl\":\"pkg:deb/debian/bash@5.2.15-2%2Bb2\","
		"\"source\":{\"name\":\"bash\",\"version\":\"5.2.15-2\"},\"layer\":{\"index\":0},\"found_by\":\"dpkg\",\"location\":\"/var/lib/dpkg/status\"},"
		"{\"name\":\"x\",\"version\":\"1\",\"type\":\"pypi\",\"purl\":\"pkg:pypi/x@1\",\"layer\":{\"index\":3},\"os_managed\":true,\"local\":true}]}";
	lading_ctx *ctx;
	lading_sbom *s = read_doc(doc, &ctx);
	const lading_image_info *img;
	const lading_package *p;
	(void)state;
	img = lading_sbom_image(s);
	assert_string_equal(img->config_digest, "sha256:" D64("e"));
	assert_string_equal(img->manifest_digest, "sha256:" D64("d"));
	assert_string_equal(img->architecture, "arm64");
	assert_string_equal(img->variant, "v8");
	assert_int_equal(img->repo_tag_count, 1);
	assert_string_equal(lading_sbom_os(s)->version_id, "12");
	assert_string_equal(lading_sbom_os(s)->codename, "bookworm");
	p = find(s, "bash");
	assert_int_equal(p->layer, 0);
	assert_string_equal(p->source_version, "5.2.15-2");
	assert_string_equal(p->found_by, "dpkg");
	p = find(s, "x");
	assert_int_equal(p->layer, -1);
	assert_true(p->flags & LADING_PKG_OS_MANAGED);
	assert_true(p->flags & LADING_PKG_LOCAL);
	lading_sbom_free(s);
	lading_ctx_free(ctx);
}

static void test_refusals(void **state)
{
	char deep[4096];
	size_t n = 0;
	(void)state;
#define RC(s) read_rc(s, sizeof(s) - 1)
	assert_int_equal(RC("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"2.0\"}"), LADING_EUNSUPPORTED);
	assert_int_equal(RC("{\"bomFormat\":\"SWID\",\"specVersion\":\"1.5\"}"), LADING_EUNSUPPORTED);
	assert_int_equal(RC("{\"spdxVersion\":\"SPDX-3.0\"}"), LADING_EUNSUPPORTED);
	assert_int_equal(RC("{\"schema\":\"lading.scan/v1\"}"), LADING_EUNSUPPORTED);
	assert_int_equal(RC("[1,2]"), LADING_EINVALID);
	assert_true(RC("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[") < 0);
	assert_true(RC("") < 0);
	/* components nested past the limit (16) */
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "[{\"type\":\"library\",\"name\":\"a\",\"components\":");
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "[]");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}]");
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}");
	assert_int_equal(read_rc(deep, n), LADING_ELIMIT);
	/* an empty but valid document is an empty inventory */
	assert_int_equal(RC("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\"}"), 0);
#undef RC
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cyclonedx_trivy), cmocka_unit_test(test_cyclonedx_nested),
		cmocka_unit_test(test_spdx),            cmocka_unit_test(test_lading_json),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

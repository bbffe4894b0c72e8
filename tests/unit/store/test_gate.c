/* lading_inventory_gate (api/inventory_gate.c): admission decisions on a stored image by scan's
 * policy. An image with two findings (a critical known-exploited one on musl with an alias, a
 * low one on busybox) is recorded in a SQLite store in a temp dir; the gate is asked with
 * severity/KEV gates, an ignore file (by id, by alias, by package, expired) and OpenVEX (by purl). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/common.h"
#include "store/store.h"

#define DIGEST "sha256:bbbb000000000000000000000000000000000000000000000000000000000001"

static char dir[256];
static char *last; /* the last gate message (freed by the next ask and at teardown) */
static lading_store *store;
static lading_ctx *ctx;

static const lading_os alpine = {"alpine", "3.7.3", "3.7.3", NULL, "Alpine Linux", NULL, NULL, NULL};

static lading_package pkg(const char *name, const char *version, const char *purl)
{
	lading_package p;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = version;
	p.type = "apk";
	p.purl = purl;
	p.source_name = name;
	p.source_version = version;
	p.epoch = -1;
	p.location = "lib/apk/db/installed";
	return p;
}

static int setup(void **state)
{
	static lading_package musl, busybox;
	static const lading_package *pkgs[2] = {&musl, &busybox};
	static const char *tags[1] = {"registry.example/app:1"};
	static const ld_store_finding f[2] = {
		{"CVE-2019-14697", 0, LADING_SEVERITY_CRITICAL, 1, 0.5, 9.8, "1.1.18-r4", "fixed", "GHSA-aaaa-bbbb-cccc"},
		{"CVE-2018-0001", 1, LADING_SEVERITY_LOW, 0, -1, -1, NULL, "fix not yet available", NULL}};
	char db[512];
	ld_store_image im;
	ld_store_put_result r;
	(void)state;
	musl = pkg("musl", "1.1.18-r3", "pkg:apk/alpine/musl@1.1.18-r3?arch=x86_64");
	busybox = pkg("busybox", "1.27.2-r11", "pkg:apk/alpine/busybox@1.27.2-r11?arch=x86_64");
	ld_strlcpy(dir, "/tmp/lading-gate-test.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	ld_snprintf(db, sizeof(db), "%s/store.sqlite", dir);
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&store, ctx, db), 0);
	memset(&im, 0, sizeof(im));
	im.digest = DIGEST;
	im.source_type = "sbom";
	im.tags = tags;
	im.ntags = 1;
	im.osinfo = &alpine;
	im.pkgs = pkgs;
	im.npkgs = 2;
	im.dbbuild = "2026-01-01T00:00:00Z";
	im.findings = f;
	im.nfindings = 2;
	assert_int_equal(ld_store_put_image(store, &im, &r), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	free(last);
	last = NULL;
	lading_store_close(store);
	lading_ctx_free(ctx);
	ld_snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;
	ld_snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

/* The gate's decision; *msg (freed by the next call) gets its message. */
static lading_gate ask(const char *image, const lading_scan_options *po, int fail_on, int kev, const char **msg)
{
	lading_gate g;
	free(last);
	last = NULL;
	if (lading_inventory_gate(store, ctx, image, po, fail_on, kev, 5, &g, &last))
		fail_msg("gate: %s", lading_ctx_error(ctx)->msg);
	if (msg)
		*msg = last ? last : "";
	return g;
}

static void test_gates(void **state)
{
	const char *m;
	lading_gate g;
	(void)state;
	g = ask(DIGEST, NULL, LADING_SEVERITY_LOW, 0, &m);
	assert_true(g.known && g.blocked);
	assert_int_equal(g.blocking, 2);
	assert_non_null(strstr(m, "CVE-2019-14697 (musl 1.1.18-r3, critical, known exploited)"));
	assert_non_null(strstr(m, "CVE-2018-0001 (busybox"));
	g = ask("registry.example/app:1", NULL, LADING_SEVERITY_HIGH, 0, &m); /* by reference */
	assert_true(g.known && g.blocked);
	assert_int_equal(g.blocking, 1);
	assert_null(strstr(m, "busybox"));
	g = ask(DIGEST, NULL, -1, 1, NULL); /* KEV only */
	assert_int_equal(g.blocking, 1);
	g = ask(DIGEST, NULL, -1, 0, &m); /* no gate */
	assert_false(g.blocked);
	assert_string_equal(m, "");
	g = ask("registry.example/other:1", NULL, LADING_SEVERITY_LOW, 1, NULL);
	assert_false(g.known || g.blocked);
}

static void test_ignore_file(void **state)
{
	lading_scan_options po = LADING_SCAN_OPTIONS_INIT;
	const char *m;
	lading_gate g;
	(void)state;
	po.today = "2026-06-01";
	/* by alias, then the other one by id and package */
	po.ignore_file = write_file("ignore", "GHSA-aaaa-bbbb-cccc # accepted\nCVE-2018-0001 busybox\n");
	g = ask(DIGEST, &po, LADING_SEVERITY_LOW, 1, NULL);
	assert_false(g.blocked);
	assert_int_equal(g.suppressed, 2);
	/* a rule naming another package, and an expired one, suppress nothing */
	po.ignore_file = write_file("ignore2", "CVE-2019-14697 openssl\nCVE-2018-0001 until 2026-01-01\n");
	g = ask(DIGEST, &po, LADING_SEVERITY_LOW, 0, &m);
	assert_int_equal(g.blocking, 2);
	assert_int_equal(g.suppressed, 0);
}

static void test_vex(void **state)
{
	lading_scan_options po = LADING_SCAN_OPTIONS_INIT;
	const char *v[2];
	const char *m;
	lading_gate g;
	(void)state;
	v[0] = write_file("vex1.json", "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[{\"vulnerability\":"
				       "{\"name\":\"CVE-2019-14697\"},\"products\":[{\"@id\":\"pkg:apk/alpine/musl\"}],"
				       "\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_present\"}]}");
	po.vex_files = v;
	po.vex_count = 1;
	g = ask(DIGEST, &po, LADING_SEVERITY_LOW, 1, &m);
	assert_true(g.blocked);
	assert_int_equal(g.blocking, 1);
	assert_int_equal(g.suppressed, 1);
	assert_null(strstr(m, "musl"));
	/* a later document saying affected supersedes (as in scan) */
	v[1] = write_file("vex2.json", "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[{\"vulnerability\":"
				       "{\"name\":\"CVE-2019-14697\"},\"products\":[{\"@id\":\"pkg:apk/alpine/musl\"}],"
				       "\"status\":\"affected\"}]}");
	po.vex_count = 2;
	g = ask(DIGEST, &po, LADING_SEVERITY_CRITICAL, 0, &m);
	assert_true(g.blocked);
	assert_non_null(strstr(m, "musl"));
	/* an unreadable document is an error, not a silent allow */
	v[0] = "/nonexistent/vex.json";
	po.vex_count = 1;
	{
		lading_gate g2;
		char *msg = NULL;
		assert_int_not_equal(lading_inventory_gate(store, ctx, DIGEST, &po, 0, 0, 5, &g2, &msg), 0);
		assert_null(msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_ignore_file),
		cmocka_unit_test(test_vex),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Range evaluation (OSV semantics with each ecosystem's version rules), ignore files, VEX. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "match/match.h"

static ld_vdb_q_affected entry(const ld_vdb_range *r, size_t nr, const char *const *versions, size_t nv)
{
	ld_vdb_q_affected a;
	memset(&a, 0, sizeof(a));
	a.ranges = r;
	a.nranges = nr;
	a.versions = versions;
	a.nversions = nv;
	return a;
}

static bool hit(ld_vscheme s, const ld_vdb_q_affected *a, const char *v, const char **fix)
{
	const char *fixed[8];
	size_t n = 0;
	bool r = ld_match_affected(s, a, ld_slice_cstr(v), fixed, 8, &n);
	if (fix)
		*fix = n ? fixed[0] : NULL;
	return r;
}

static void test_introduced_fixed(void **state)
{
	static const ld_vdb_event ev[] = {{"introduced", "0"}, {"fixed", "1.1.18-r4"}};
	ld_vdb_range r = {"ECOSYSTEM", ev, 2, false};
	ld_vdb_q_affected a = entry(&r, 1, NULL, 0);
	const char *fix;
	(void)state;
	assert_true(hit(LD_VS_APK, &a, "1.1.18-r3", &fix));
	assert_string_equal(fix, "1.1.18-r4");
	assert_false(hit(LD_VS_APK, &a, "1.1.18-r4", NULL)); /* exactly at the fix: not affected */
	assert_false(hit(LD_VS_APK, &a, "1.1.19-r0", NULL));
	assert_true(hit(LD_VS_APK, &a, "1.1.18_rc1-r9", NULL)); /* pre-release sorts before */
}

static void test_bounds(void **state)
{
	/* two affected windows: [1.0, 1.2) and [2.0, 2.0.5]; plus a limit */
	static const ld_vdb_event ev[] = {{"introduced", "1.0"}, {"fixed", "1.2"}, {"introduced", "2.0"},
					  {"last_affected", "2.0.5"}};
	static const ld_vdb_event lim[] = {{"introduced", "0"}, {"limit", "3.0"}};
	ld_vdb_range r[] = {{"ECOSYSTEM", ev, 4, false}};
	ld_vdb_range rl[] = {{"ECOSYSTEM", lim, 2, false}};
	ld_vdb_q_affected a = entry(r, 1, NULL, 0), b = entry(rl, 1, NULL, 0);
	const char *fix;
	(void)state;
	assert_false(hit(LD_VS_PYPI, &a, "0.9", NULL));
	assert_true(hit(LD_VS_PYPI, &a, "1.0", &fix));
	assert_string_equal(fix, "1.2");
	assert_true(hit(LD_VS_PYPI, &a, "1.1.9", NULL));
	assert_false(hit(LD_VS_PYPI, &a, "1.2", NULL));
	assert_false(hit(LD_VS_PYPI, &a, "1.9", NULL));
	assert_true(hit(LD_VS_PYPI, &a, "2.0.5", &fix));
	assert_null(fix); /* last_affected: no fix to name */
	assert_false(hit(LD_VS_PYPI, &a, "2.0.6", NULL));
	assert_true(hit(LD_VS_PYPI, &b, "2.9", NULL));
	assert_false(hit(LD_VS_PYPI, &b, "3.0", NULL));
}

static void test_scheme_rules(void **state)
{
	/* Debian epochs and tildes; rpm EVR with epoch in the fix only */
	static const ld_vdb_event deb[] = {{"introduced", "0"}, {"fixed", "1:1.2-3~deb11u1"}};
	static const ld_vdb_event rpm[] = {{"introduced", "0"}, {"fixed", "1:21.0.5.0.10-3.el8.alma.1"}};
	ld_vdb_range rd = {"ECOSYSTEM", deb, 2, false}, rr = {"ECOSYSTEM", rpm, 2, false};
	ld_vdb_q_affected d = entry(&rd, 1, NULL, 0), r = entry(&rr, 1, NULL, 0);
	(void)state;
	assert_true(hit(LD_VS_DEB, &d, "1.9-1", NULL));       /* no epoch = 0 < 1 */
	assert_true(hit(LD_VS_DEB, &d, "1:1.2-3~deb10u1", NULL));
	assert_false(hit(LD_VS_DEB, &d, "1:1.2-3", NULL));     /* ~ sorts before */
	assert_true(hit(LD_VS_RPM, &r, "1:21.0.4.0.7-1.el8", NULL));
	assert_false(hit(LD_VS_RPM, &r, "1:21.0.5.0.11-1.el8", NULL));
	assert_true(hit(LD_VS_RPM, &r, "99.0-1.el8", NULL));   /* epoch 0 */
}

static void test_versions_and_custom(void **state)
{
	static const char *const vs[] = {"1.10.1rc2", "2.0"};
	static const ld_vdb_event semver[] = {{"introduced", "0"}};
	static const ld_vdb_event custom[] = {{"introduced", "0"}, {"fixed", "0.0.0-20230101000000-abcdefabcdef"}};
	ld_vdb_range rs[] = {{"SEMVER", semver, 1, false}, {"ECOSYSTEM", custom, 2, true}};
	ld_vdb_q_affected a = entry(NULL, 0, vs, 2), g = entry(rs, 2, NULL, 0);
	(void)state;
	assert_true(hit(LD_VS_PYPI, &a, "1.10.1RC2", NULL)); /* PEP 440 normalization */
	assert_true(hit(LD_VS_PYPI, &a, "2.0.0", NULL));
	assert_false(hit(LD_VS_PYPI, &a, "1.10.1", NULL));
	/* a custom (pseudo-version) range refines the open SEMVER range */
	assert_true(hit(LD_VS_GO, &g, "0.0.0-20220101000000-abcdefabcdef", NULL));
	assert_false(hit(LD_VS_GO, &g, "0.0.0-20240101000000-abcdefabcdef", NULL));
}

static void test_ignore_file(void **state)
{
	const char *text = "# comment\n"
			   "CVE-2019-14697\n"
			   "CVE-2020-1 musl until 2030-01-01 # waiting for upstream\n"
			   "CVE-2020-2 until 2020-01-01\n"
			   "CVE-2020-3 until 20x0-01-01\n"
			   "CVE-2020-4 a b\n"
			   "\n";
	lading_ctx *ctx;
	ld_arena a;
	ld_ignore_rule *r;
	size_t n;
	(void)state;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_ignore_parse(ld_slice_cstr(text), &a, &r, &n, ctx, "ignore"), 0);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].id, "CVE-2019-14697");
	assert_null(r[0].package);
	assert_string_equal(r[1].package, "musl");
	assert_string_equal(r[1].until, "2030-01-01");
	assert_string_equal(r[1].reason, "waiting for upstream");
	assert_string_equal(r[2].until, "2020-01-01");
	assert_int_equal(lading_ctx_warning_count(ctx), 2); /* bad date, extra token */
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_vex(void **state)
{
	const char *openvex =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":["
		"{\"vulnerability\":{\"name\":\"CVE-1\"},\"products\":[{\"@id\":\"pkg:apk/alpine/musl@1.2\"}],"
		"\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_present\"},"
		"{\"vulnerability\":{\"name\":\"CVE-2\"},\"products\":[{\"@id\":\"pkg:oci/img\",\"subcomponents\":"
		"[{\"@id\":\"pkg:apk/alpine/zlib\"}]}],\"status\":\"fixed\"},"
		"{\"vulnerability\":\"CVE-3\",\"products\":[],\"status\":\"affected\"}]}";
	const char *cdx = "{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"CVE-4\",\"analysis\":{\"state\":"
			  "\"false_positive\",\"detail\":\"not reachable\"},\"affects\":[{\"ref\":\"pkg:deb/debian/x\"}]},"
			  "{\"id\":\"CVE-5\"}]}";
	lading_ctx *ctx;
	ld_arena a;
	ld_vex_stmt *st = NULL;
	size_t n = 0;
	(void)state;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_vex_parse(ld_slice_cstr(openvex), &a, &st, &n, ctx, "vex"), 0);
	assert_int_equal(ld_vex_parse(ld_slice_cstr(cdx), &a, &st, &n, ctx, "cdx"), 0);
	assert_int_equal(n, 4);
	assert_string_equal(st[0].vuln, "CVE-1");
	assert_string_equal(st[0].status, "not_affected");
	assert_string_equal(st[0].reason, "vulnerable_code_not_present");
	assert_string_equal(st[1].products[0], "pkg:apk/alpine/zlib");
	assert_string_equal(st[2].status, "affected");
	assert_string_equal(st[3].status, "not_affected");
	assert_string_equal(st[3].reason, "not reachable");
	assert_int_equal(ld_vex_parse(ld_slice_cstr("{\"x\":1}"), &a, &st, &n, ctx, "bad"), LADING_EINVALID);
	/* purl matching: version optional, qualifiers ignored unless named */
	assert_true(ld_vex_purl_matches("pkg:apk/alpine/musl@1.2", "pkg:apk/alpine/musl@1.2?arch=x86_64"));
	assert_true(ld_vex_purl_matches("pkg:apk/alpine/musl", "pkg:apk/alpine/musl@1.2?arch=x86_64"));
	assert_false(ld_vex_purl_matches("pkg:apk/alpine/musl@1.3", "pkg:apk/alpine/musl@1.2"));
	assert_false(ld_vex_purl_matches("pkg:apk/alpine/musl?arch=aarch64", "pkg:apk/alpine/musl@1.2?arch=x86_64"));
	assert_false(ld_vex_purl_matches("pkg:apk/alpine/mus", "pkg:apk/alpine/musl@1.2"));
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_os_keys(void **state)
{
	lading_os alpine = {.id = "alpine", .version = "3.9.6", .version_id = "3.9.6"};
	lading_os edge = {.id = "alpine", .version = "3.21.0_alpha20240923"};
	lading_os deb = {.id = "debian", .version = "11.7", .version_id = "11"};
	lading_os alma = {.id = "almalinux", .version_id = "8.9"};
	lading_package musl = {.name = "musl-utils", .version = "1.1.20-r4", .type = "apk", .source_name = "musl",
			       .source_version = "1.1.20-r4"};
	lading_package ssl = {.name = "libssl1.1", .version = "1.1.1n-0+deb11u3+b1", .type = "deb",
			      .source_name = "openssl", .source_version = "1.1.1n-0+deb11u3"};
	lading_package bash = {.name = "bash", .version = "4.4.20-4.el8", .type = "rpm"};
	ld_match_key k;
	(void)state;
	assert_true(ld_match_os_key(&alpine, &musl, &k));
	assert_string_equal(k.ecosystem, "Alpine:v3.9");
	assert_string_equal(k.package, "musl");
	assert_true(ld_match_os_key(&edge, &musl, &k));
	assert_string_equal(k.ecosystem, "Alpine:edge");
	assert_true(ld_match_os_key(&deb, &ssl, &k));
	assert_string_equal(k.ecosystem, "Debian:11");
	assert_string_equal(k.package, "openssl"); /* the source package */
	assert_string_equal(k.version, "1.1.1n-0+deb11u3");
	assert_true(ld_match_os_key(&alma, &bash, &k));
	assert_string_equal(k.ecosystem, "AlmaLinux:8");
	assert_false(ld_match_os_key(&alpine, &bash, &k)); /* an rpm on Alpine: no feed */
}

/* Many short OpenVEX statements cost what they hold: 100,000 of them parse in a 128 MiB arena
 * (each had a 32 KiB products array before: 3.2 GiB asked). */
static void test_vex_many_statements(void **state)
{
	enum { N = 100000 };
	ld_buf doc = LD_BUF_INIT;
	lading_ctx *ctx;
	ld_arena a;
	ld_vex_stmt *st = NULL;
	size_t n = 0;
	(void)state;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, (size_t)128 << 20);
	ld_buf_adds(&doc, "{\"statements\":[");
	for (int i = 0; i < N; i++)
		ld_buf_addf(&doc, "%s{\"vulnerability\":\"CVE-%d\",\"status\":\"fixed\",\"products\":[\"pkg:npm/p%d\"]}",
			    i ? "," : "", i, i);
	ld_buf_adds(&doc, "]}");
	assert_int_equal(ld_buf_error(&doc), 0);
	assert_int_equal(ld_vex_parse(ld_buf_slice(&doc), &a, &st, &n, ctx, "many"), 0);
	assert_int_equal(n, N);
	assert_int_equal(st[N - 1].nproducts, 1);
	assert_string_equal(st[N - 1].products[0], "pkg:npm/p99999");
	ld_buf_release(&doc);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduced_fixed), cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_scheme_rules),     cmocka_unit_test(test_versions_and_custom),
		cmocka_unit_test(test_ignore_file),      cmocka_unit_test(test_vex),
		cmocka_unit_test(test_vex_many_statements),
		cmocka_unit_test(test_os_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

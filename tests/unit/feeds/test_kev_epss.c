/* CISA KEV and EPSS importers: hand-written fixtures (bad rows and entries included) and the real
 * files of the mirror (counts from ../shared/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit/feeds/feedtap.h"

static char line[8192];

static void expect_line(const feedtap *t, const char *prefix, const char *whole)
{
	const char *l = feedtap_line(t, prefix, line, sizeof(line));
	if (!l)
		fail_msg("no line starting with '%s' in:\n%s", prefix, ld_buf_cstr(&t->dump));
	assert_string_equal(l, whole);
}

static void test_kev_fixture(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char path[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	feedtap_path(path, sizeof(path), "LADING_TESTDATA", "feeds/kev-sample.json");
	assert_int_equal(ld_vdb_import_kev_to(&t.sink, path, &res, ctx), 0);
	expect_line(&t, "kev CVE-2025-48384|",
		    "kev CVE-2025-48384|Git|Git|Git Link Following "
		    "Vulnerability|2025-08-25|2025-09-15|Unknown|"
		    "Apply mitigations per vendor instructions.|Git contains a link following "
		    "vulnerability in "
		    "Git\xe2\x80\x99s handling of carriage returns.");
	expect_line(&t, "kev CVE-2017-0144|",
		    "kev CVE-2017-0144|Microsoft|SMBv1|Microsoft SMBv1 Remote Code Execution "
		    "Vulnerability|2022-02-10|"
		    "2022-08-10|Known|Apply updates per vendor instructions.|EternalBlue.");
	/* only the ID is required */
	expect_line(&t, "kev CVE-2021-0001|", "kev CVE-2021-0001|Minimal|OnlyRequired|-|-|-|-|-|-");
	/* a bad ID, a number where text belongs, cwes not a list: skipped with warnings */
	assert_false(feedtap_has(&t, "Typo"));
	assert_false(feedtap_has(&t, "CVE-2021-0003"));
	assert_false(feedtap_has(&t, "CVE-2021-0004"));
	assert_int_equal(res.records, 3);
	assert_int_equal(res.skipped, 3);
	assert_int_equal(lading_ctx_warning_count(ctx), 3);
	assert_non_null(
		strstr(lading_ctx_warning(ctx, 0), "kev-sample.json: entry #4 (CVE 2021 0002)"));
	assert_non_null(strstr(lading_ctx_warning(ctx, 1), "kev-sample.json: CVE-2021-0003"));
	assert_string_equal(res.snapshot, "2025-08-25T17:04:19.9796Z");
	feedtap_release(&t);

	/* a JSON file that is not the catalog, and one that is not JSON */
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_parse_kev(&t.sink, "{\"a\": 1}", 8, "x.json", &res, ctx),
			 LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "x.json: not a CISA KEV catalog"));
	assert_int_equal(
		ld_vdb_parse_kev(&t.sink, "{\"vulnerabilities\": [", 21, "y.json", &res, ctx),
		LADING_EINVALID);
	assert_int_equal(t.nkev, 0);
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_kev_real(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char dir[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	feedtap_path(dir, sizeof(dir), "LADING_SHARED", "vulndata/kev");
	assert_int_equal(ld_vdb_import_kev_to(&t.sink, dir, &res, ctx), 0);
	/* ../shared/README.md: catalogVersion 2025.08.25, 1,404 entries */
	assert_int_equal(res.records, 1404);
	assert_int_equal(res.skipped, 0);
	assert_string_equal(res.snapshot, "2025-08-25T17:04:19.9796Z");
	assert_true(feedtap_has(&t, "kev CVE-2025-48384|Git|Git|Git Link Following "
				    "Vulnerability|2025-08-25|2025-09-15|Unknown|"));
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_epss_daily(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char path[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	feedtap_path(path, sizeof(path), "LADING_TESTDATA", "feeds/epss_scores-2025-08-16.csv");
	assert_int_equal(ld_vdb_import_epss_to(&t.sink, path, &res, ctx), 0);
	assert_true(feedtap_has(&t, "epss CVE-2021-44228 0.94358 0.99961\n"));
	assert_true(feedtap_has(&t, "epss CVE-2024-0001 0.00043 0.08094\n"));
	assert_true(feedtap_has(&t, "epss CVE-1999-0001 0.00001 0.00001\n")); /* 1.2e-05 */
	assert_true(feedtap_has(&t, "epss CVE-2024-0007 1.00000 1.00000\n"));
	/* > 1, < 0, not a CVE, not a number, two fields, four fields */
	assert_int_equal(res.records, 4);
	assert_int_equal(res.skipped, 6);
	assert_int_equal(lading_ctx_warning_count(ctx), 6);
	assert_non_null(strstr(lading_ctx_warning(ctx, 0),
			       "epss_scores-2025-08-16.csv: CVE-2024-0002 (line 6)"));
	assert_string_equal(res.snapshot, "2025-08-16T12:55:00Z");
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_epss_year_and_dir(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char path[4096];
	size_t len = 0;
	char *doc = feedtap_slurp("LADING_TESTDATA", "feeds/CVE_2021_EPSS.csv", &len);
	(void)state;
	assert_non_null(doc);
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	memset(&res, 0, sizeof(res));
	assert_int_equal(ld_vdb_parse_epss(&t.sink, doc, len, "CVE_2021_EPSS.csv", &res, ctx), 0);
	assert_true(feedtap_has(&t, "epss CVE-2021-44228 0.99999 1.00000\n"));
	assert_true(feedtap_has(&t, "epss CVE-2021-47987 0.00120 0.02168\n"));
	assert_true(feedtap_has(&t, "epss CVE-2021-47986 0.00120 0.02169\n"));
	assert_int_equal(res.records, 3);
	assert_int_equal(res.skipped, 2); /* "CVE-21-0001", "0,5" */
	assert_string_equal(res.snapshot, "");
	feedtap_release(&t);

	/* a directory with a daily file: the newest daily (gzip) alone */
	feedtap_init(&t, false);
	feedtap_path(path, sizeof(path), "LADING_TESTDATA", "feeds");
	assert_int_equal(ld_vdb_import_epss_to(&t.sink, path, &res, ctx), 0);
	assert_int_equal(res.records, 2);
	assert_true(feedtap_has(&t, "epss CVE-2021-44228 0.94400 0.99962\n"));
	assert_string_equal(res.snapshot, "2025-08-17T12:55:00Z");
	feedtap_release(&t);

	/* not EPSS at all */
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_parse_epss(&t.sink, "a,b,c\nd,e,f\n", 12, "x.csv", &res, ctx),
			 LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "x.csv: not an EPSS CSV"));
	/* a NUL byte: a damaged file fails whole (its other rows would hide the loss) */
	{
		static const char dmg[] = "CVE-2021-1;0.5;0.5\nCVE-2021-2;0.\0\0\0\nCVE-2021-3;0.1;0.1\n";
		assert_int_equal(
			ld_vdb_parse_epss(&t.sink, dmg, sizeof(dmg) - 1, "d.csv", &res, ctx),
			LADING_EINVALID);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "d.csv: NUL byte at offset 32"));
	}
	assert_int_equal(ld_vdb_import_epss_to(&t.sink, "/nonexistent", &res, ctx),
			 LADING_ENOTFOUND);
	feedtap_release(&t);
	free(doc);
	lading_ctx_free(ctx);
}

static void test_epss_real(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char dir[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, true);
	feedtap_path(dir, sizeof(dir), "LADING_SHARED", "vulndata/epss");
	assert_int_equal(ld_vdb_import_epss_to(&t.sink, dir, &res, ctx), 0);
	/* ../shared/README.md: years 1999-2026, 360,142 rows in total */
	assert_int_equal(res.records, 360142);
	assert_int_equal(t.nepss, 360142);
	assert_int_equal(res.skipped, 0);
	assert_int_equal(t.stats.files, 28);
	assert_string_equal(res.snapshot, "");
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kev_fixture), cmocka_unit_test(test_kev_real),
		cmocka_unit_test(test_epss_daily),  cmocka_unit_test(test_epss_year_and_dir),
		cmocka_unit_test(test_epss_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

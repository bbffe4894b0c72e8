/* NVD importer: JSON 1.1 and 2.0 fixtures, CPE splitting, .meta digest checks, dedup between the
 * modified/recent and yearly files, and the real 1.1 yearly files of the mirror (CVE count from
 * ../shared/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>
#include <dirent.h>

#include "unit/feeds/feedtap.h"
#include "util/hash.h"

static char line[8192];

static void expect_line(const feedtap *t, const char *prefix, const char *whole)
{
	const char *l = feedtap_line(t, prefix, line, sizeof(line));
	if (!l)
		fail_msg("no line starting with '%s' in:\n%s", prefix, ld_buf_cstr(&t->dump));
	assert_string_equal(l, whole);
}

static void test_v11_fixture(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	size_t len = 0;
	char *doc = feedtap_slurp("LADING_TESTDATA", "feeds/nvd-1.1-sample.json", &len);
	(void)state;
	assert_non_null(doc);
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_parse_nvd(&t.sink, doc, len, "nvd-1.1-sample.json", &res, ctx), 0);
	/* the English description; v3 and v2 with their severities */
	expect_line(&t, "nvd CVE-2016-0028 ",
		    "nvd CVE-2016-0028 pub=2016-06-16T01:59Z mod=2024-11-21T02:40Z "
		    "v3=CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N/5.5/MEDIUM "
		    "v2=AV:N/AC:M/Au:N/C:P/I:N/A:N/4.3/MEDIUM "
		    "desc=\"OWA does not restrict IMG elements.\"");
	/* nested children of an AND node: only the vulnerable match */
	expect_line(&t, "cpe CVE-2016-0028 ",
		    "cpe CVE-2016-0028 a|microsoft|outlook_web_access|* si=- se=- ei=- ee=- "
		    "cpe:2.3:a:microsoft:outlook_web_access:*:*:*:*:*:*:*:*");
	assert_false(feedtap_has(&t, "exchange_server"));
	/* escapes removed from the parsed fields, kept in cpe23; version bounds */
	expect_line(&t, "cpe CVE-2016-1000 a|foo:bar",
		    "cpe CVE-2016-1000 a|foo:bar|prod.uct|1.0(1) si=- se=- ei=- ee=- "
		    "cpe:2.3:a:foo\\:bar:prod\\.uct:1.0\\(1\\):*:*:*:*:*:*:*");
	expect_line(&t, "cpe CVE-2016-1000 a|openssl",
		    "cpe CVE-2016-1000 a|openssl|openssl|* si=1.0.1 se=- ei=- ee=1.0.1g "
		    "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*");
	expect_line(&t, "cpe CVE-2016-1000 o|linux",
		    "cpe CVE-2016-1000 o|linux|linux_kernel|* si=- se=2.6 ei=4.4 ee=- "
		    "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*");
	/* a CPE 2.2 URI is not a 2.3 name: warned and ignored; non-vulnerable hardware not kept */
	assert_false(feedtap_has(&t, "legacy"));
	assert_false(feedtap_has(&t, "hardware"));
	expect_line(&t, "nvd CVE-2016-1000 ",
		    "nvd CVE-2016-1000 pub=2016-01-01T00:00Z mod=2016-02-01T00:00Z v3=-/-1.0/- "
		    "v2=AV:N/AC:L/Au:N/C:P/I:P/A:P/7.5/HIGH desc=\"Escaped CPE names and version "
		    "bounds.\"");
	/* no impact at all: stored without scores */
	expect_line(&t, "nvd CVE-2016-2000 ",
		    "nvd CVE-2016-2000 pub=2016-03-01T00:00Z mod=2016-03-02T00:00Z v3=-/-1.0/- "
		    "v2=-/-1.0/- "
		    "desc=\"** REJECT ** No configurations, no impact.\"");
	assert_int_equal(res.records, 3);
	assert_int_equal(res.skipped, 1); /* "not-a-cve" */
	assert_int_equal(t.ncpe, 4);
	assert_int_equal(t.stats.cpe_matches, 4);
	assert_int_equal(t.stats.rows, 4);
	assert_string_equal(res.snapshot, "2025-02-21T08:02Z");
	/* warnings: the CPE 2.2 URI, the bad ID; both name the file */
	assert_int_equal(lading_ctx_warning_count(ctx), 2);
	assert_non_null(strstr(lading_ctx_warning(ctx, 0),
			       "nvd-1.1-sample.json: CVE-2016-1000: CPE match 'cpe:/a:legacy"));
	feedtap_release(&t);
	free(doc);
	lading_ctx_free(ctx);
}

static void test_v20_fixture(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	size_t len = 0;
	char *doc = feedtap_slurp("LADING_TESTDATA", "feeds/nvd-2.0-sample.json", &len);
	(void)state;
	assert_non_null(doc);
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_parse_nvd(&t.sink, doc, len, "nvd-2.0-sample.json", &res, ctx), 0);
	/* the Primary (NVD) metric wins over the Secondary (CNA) one; v2 severity beside cvssData
	 */
	expect_line(&t, "nvd CVE-2024-0001 ",
		    "nvd CVE-2024-0001 pub=2024-01-02T03:04:05.000 mod=2024-05-06T07:08:09.123 "
		    "v3=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/9.8/CRITICAL "
		    "v2=AV:N/AC:L/Au:N/C:P/I:P/A:P/7.5/HIGH "
		    "desc=\"A 2.0 record.\"");
	expect_line(&t, "cpe CVE-2024-0001 ",
		    "cpe CVE-2024-0001 a|example|widget|* si=- se=- ei=- ee=2.4.1 "
		    "cpe:2.3:a:example:widget:*:*:*:*:*:*:*:*");
	assert_false(feedtap_has(&t, "example:os"));
	/* CVSS 3.0 when there is no 3.1 */
	expect_line(&t, "nvd CVE-2024-0002 ",
		    "nvd CVE-2024-0002 pub=2024-02-01T00:00:00.000 mod=2024-02-02T00:00:00.000 "
		    "v3=CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N/5.5/MEDIUM v2=-/-1.0/- "
		    "desc=\"Only CVSS 3.0.\"");
	assert_int_equal(res.records, 2);
	assert_int_equal(res.skipped, 0);
	assert_string_equal(res.snapshot, "2025-03-01T01:02:03.456");
	feedtap_release(&t);
	free(doc);
	lading_ctx_free(ctx);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"[]",
		"{\"CVE_data_timestamp\": \"x\"}",  /* no items */
		"{\"CVE_Items\": [{\"cve\": {}}",   /* truncated */
		"{\"CVE_Items\": [{\"cve\": {]}]}", /* broken item */
		"{\"CVE_Items\": []} trailing",
		"{\"CVE_Items\": [], \"vulnerabilities\": []}",
	};
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ld_vdb_parse_nvd(&t.sink, bad[i], strlen(bad[i]), "bad.json", &res, ctx);
		if (rc != LADING_EINVALID)
			fail_msg("case %zu ('%s'): rc %d", i, bad[i], rc);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "bad.json"));
	}
	/* an empty list is a valid, empty feed */
	assert_int_equal(ld_vdb_parse_nvd(&t.sink, "{\"CVE_Items\": []}", 17, "e", &res, ctx), 0);
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_cpe_split(void **state)
{
	char buf[256];
	const char *f[11];
	(void)state;
	assert_int_equal(ld_vdb_cpe23_split("cpe:2.3:a:vendor:product:1.2.3:*:*:*:*:*:*:*", buf,
					    sizeof(buf), f),
			 0);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "vendor");
	assert_string_equal(f[2], "product");
	assert_string_equal(f[3], "1.2.3");
	assert_string_equal(f[10], "*");
	assert_int_equal(ld_vdb_cpe23_split("cpe:2.3:a:a\\\\b:c\\:d:-", buf, sizeof(buf), f), 0);
	assert_string_equal(f[1], "a\\b");
	assert_string_equal(f[2], "c:d");
	assert_string_equal(f[3], "-");
	assert_null(f[4]);
	assert_int_equal(ld_vdb_cpe23_split("cpe:/a:x:y:1", buf, sizeof(buf), f), LADING_EINVALID);
	assert_int_equal(ld_vdb_cpe23_split("cpe:2.3:a:x:y", buf, sizeof(buf), f), LADING_EINVALID);
	assert_int_equal(ld_vdb_cpe23_split("cpe:2.3:x:v:p:1", buf, sizeof(buf), f),
			 LADING_EINVALID);
	assert_int_equal(ld_vdb_cpe23_split("cpe:2.3:a:v:p:1\\", buf, sizeof(buf), f),
			 LADING_EINVALID);
	assert_int_equal(
		ld_vdb_cpe23_split("cpe:2.3:a:1:2:3:4:5:6:7:8:9:10:11", buf, sizeof(buf), f),
		LADING_EINVALID);
	assert_int_equal(ld_vdb_cpe23_split("cpe:2.3:a:v:p:1", buf, 4, f), LADING_EINVALID);
}

/* ---- directory layout: .meta checks, modified/recent before the years */

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	FILE *f;
	ld_snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void write_meta(const char *dir, const char *name, const char *json, size_t len,
		       bool corrupt)
{
	char dg[LD_DIGEST_STR_LEN], meta[512];
	ld_sha256_buf(json, len, dg);
	for (char *p = dg + 7; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A'); /* NVD writes the hex in upper case */
	if (corrupt)
		dg[7] = dg[7] == '0' ? '1' : '0';
	ld_snprintf(meta, sizeof(meta),
		    "lastModifiedDate:2025-02-08T03:04:38-05:00\r\nsize:%zu\r\nzipSize:1\r\ngzSize:"
		    "1\r\nsha256:%s\r\n",
		    len, dg + 7);
	write_file(dir, name, meta, strlen(meta));
}

/* remove a flat scratch directory */
static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		ld_snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(unlink(path), 0);
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
}

static const char modified_doc[] =
	"{\"CVE_data_timestamp\": \"2025-02-25T01:00Z\", \"CVE_Items\": ["
	/* a newer CVE-2016-1000: this one wins, the yearly copy is not emitted */
	"{\"cve\": {\"CVE_data_meta\": {\"ID\": \"CVE-2016-1000\"}}, \"configurations\": "
	"{\"nodes\": []}, \"impact\": {"
	"\"baseMetricV2\": {\"cvssV2\": {\"vectorString\": \"AV:N/AC:L/Au:N/C:N/I:N/A:P\", "
	"\"baseScore\": 5.0}, \"severity\": \"MEDIUM\"}},"
	"\"publishedDate\": \"2016-01-01T00:00Z\", \"lastModifiedDate\": \"2025-02-24T00:00Z\"},"
	/* an OLDER CVE-2016-0028 than the yearly file: the yearly one replaces it */
	"{\"cve\": {\"CVE_data_meta\": {\"ID\": \"CVE-2016-0028\"}}, \"configurations\": "
	"{\"nodes\": []}, \"impact\": {},"
	"\"publishedDate\": \"2016-06-16T01:59Z\", \"lastModifiedDate\": \"2020-01-01T00:00Z\"},"
	/* a CVE of a year without a yearly file */
	"{\"cve\": {\"CVE_data_meta\": {\"ID\": \"CVE-2025-0001\"}}, \"configurations\": "
	"{\"nodes\": []}, \"impact\": {},"
	"\"publishedDate\": \"2025-02-20T00:00Z\", \"lastModifiedDate\": \"2025-02-20T00:00Z\"}]}";

static void test_directory(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char tmpl[] = "/tmp/lading-nvd-XXXXXX";
	char *dir = mkdtemp(tmpl);
	size_t len = 0;
	char *year = feedtap_slurp("LADING_TESTDATA", "feeds/nvd-1.1-sample.json", &len);
	(void)state;
	assert_non_null(dir);
	assert_non_null(year);
	lading_ctx_new(&ctx);
	write_file(dir, "nvdcve-1.1-2016.json", year, len);
	write_meta(dir, "nvdcve-1.1-2016.meta", year, len, false);
	write_file(dir, "nvdcve-1.1-modified.json", modified_doc, strlen(modified_doc));
	write_file(dir, "README.txt", "not a feed\n", 11);

	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_import_nvd_to(&t.sink, dir, &res, ctx), 0);
	/* 3 CVEs of the year + CVE-2025-0001; CVE-2016-0028 emitted twice (the newer one second) */
	assert_int_equal(res.records, 4);
	assert_int_equal(t.nnvd, 5);
	assert_int_equal(t.stats.duplicates, 1); /* the yearly CVE-2016-1000 */
	assert_int_equal(t.stats.files, 2);
	assert_true(feedtap_has(&t, "nvd CVE-2016-1000 pub=2016-01-01T00:00Z mod=2025-02-24T00:00Z "
				    "v3=-/-1.0/- v2=AV:N/AC:L/Au:N/C:N/I:N/A:P/5.0/MEDIUM"));
	assert_false(feedtap_has(&t, "mod=2016-02-01T00:00Z"));
	assert_true(
		feedtap_has(&t, "nvd CVE-2016-0028 pub=2016-06-16T01:59Z mod=2020-01-01T00:00Z"));
	assert_true(
		feedtap_has(&t, "nvd CVE-2016-0028 pub=2016-06-16T01:59Z mod=2024-11-21T02:40Z"));
	assert_true(strstr(ld_buf_cstr(&t.dump), "mod=2020-01-01T00:00Z") <
		    strstr(ld_buf_cstr(&t.dump), "mod=2024-11-21T02:40Z"));
	/* the yearly CPE matches of CVE-2016-1000 are not emitted: its newer copy has none */
	assert_false(feedtap_has(&t, "cpe CVE-2016-1000"));
	assert_string_equal(res.snapshot, "2025-02-25T01:00Z");
	feedtap_release(&t);

	/* a .meta whose sha256 does not match: the feed fails with a digest error naming the file
	 */
	write_meta(dir, "nvdcve-1.1-2016.meta", year, len, true);
	feedtap_init(&t, true);
	assert_int_equal(ld_vdb_import_nvd_to(&t.sink, dir, &res, ctx), LADING_EDIGEST);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "nvdcve-1.1-2016.json"));
	feedtap_release(&t);

	/* no feed files at all */
	rm_dir(dir);
	{
		char empty[] = "/tmp/lading-nvd-XXXXXX";
		assert_non_null(mkdtemp(empty));
		feedtap_init(&t, true);
		assert_int_equal(ld_vdb_import_nvd_to(&t.sink, empty, &res, ctx), LADING_ENOTFOUND);
		feedtap_release(&t);
		rm_dir(empty);
	}
	free(year);
	lading_ctx_free(ctx);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ../shared/README.md: nvdcve-1.1-<YEAR>.json.gz for 2002-2017 hold 109,785 CVEs. */
static void test_real_yearly(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char tmpl[] = "/tmp/lading-nvd-XXXXXX";
	char *dir = mkdtemp(tmpl), src[4096], dst[4096], nvd[4096];
	double t0;
	(void)state;
	assert_non_null(dir);
	lading_ctx_new(&ctx);
	feedtap_path(nvd, sizeof(nvd), "LADING_SHARED", "vulndata/nvd");
	for (int y = 2002; y <= 2017; y++) {
		const char *ext[] = {"json.gz", "meta"};
		for (int e = 0; e < 2; e++) {
			ld_snprintf(src, sizeof(src), "%s/nvdcve-1.1-%d.%s", nvd, y, ext[e]);
			ld_snprintf(dst, sizeof(dst), "%s/nvdcve-1.1-%d.%s", dir, y, ext[e]);
			assert_int_equal(symlink(src, dst), 0);
		}
	}
	feedtap_init(&t, true);
	t0 = now_ms();
	assert_int_equal(ld_vdb_import_nvd_to(&t.sink, dir, &res, ctx), 0);
	print_message("nvd yearly 1.1 files: %zu CVEs, %zu CPE matches, %.0f ms (parse only, no "
		      "writer)\n",
		      res.records, t.ncpe, now_ms() - t0);
	assert_int_equal(res.records, 109785);
	assert_int_equal(t.nnvd, 109785);
	assert_int_equal(res.skipped, 0);
	assert_int_equal(t.stats.files, 16);
	assert_int_equal(t.stats.duplicates, 0);
	feedtap_release(&t);
	rm_dir(dir);

	/* the whole directory, modified and recent included */
	feedtap_init(&t, true);
	t0 = now_ms();
	assert_int_equal(ld_vdb_import_nvd_to(&t.sink, nvd, &res, ctx), 0);
	print_message("nvd directory: %zu CVEs (%zu items, %zu superseded), %zu CPE matches, "
		      "snapshot %s, %.0f ms\n",
		      res.records, t.stats.rows, t.stats.duplicates, t.ncpe, res.snapshot,
		      now_ms() - t0);
	assert_true(res.records > 109785);
	assert_int_equal(t.stats.files, 18);
	assert_int_equal(res.skipped, 0);
	assert_string_equal(res.snapshot, "2025-02-25T01:00Z");
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v11_fixture), cmocka_unit_test(test_v20_fixture),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_cpe_split),
		cmocka_unit_test(test_directory),   cmocka_unit_test(test_real_yearly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

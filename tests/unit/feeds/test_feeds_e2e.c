/* The feed importers end to end: the real mirror (and the tracker fixture) through the SQLite
 * writer into a scratch database, then checked with SQL and with the query API. Prints the time of
 * each import (never asserted: machines differ). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "unit/feeds/feedtap.h"
#include "vulndb/query.h"

static char dbpath[512];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef int (*import_fn)(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			 lading_ctx *ctx);

static void import(ld_vdb_store *st, const char *feed, import_fn fn, const char *env,
		   const char *rel, lading_ctx *ctx, ld_vdb_import_result *res)
{
	ld_vdb_writer *w = NULL;
	char path[4096];
	double t0;
	int rc;
	feedtap_path(path, sizeof(path), env, rel);
	assert_int_equal(ld_vdb_store_feed_begin(st, feed, path, &w), 0);
	ld_vdb_writer_set_ctx(w, ctx);
	t0 = now_ms();
	rc = fn(w, path, res, ctx);
	print_message("%-15s %7zu records %5zu skipped  snapshot %-26s %6.0f ms\n", feed,
		      res->records, res->skipped, res->snapshot[0] ? res->snapshot : "-",
		      now_ms() - t0);
	if (rc)
		fail_msg("%s: %s", feed, lading_ctx_error(ctx)->msg);
	assert_int_equal(ld_vdb_store_feed_end(st, w, rc, res), 0);
}

static int64_t q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_build_and_query(void **state)
{
	lading_ctx *ctx;
	ld_vdb_store *st = NULL;
	ld_vdb_import_result r[8];
	sqlite3 *db;
	const char *work = getenv("LADING_WORK");
	char dir[400];
	double t0;
	(void)state;

	ld_snprintf(dir, sizeof(dir), "%s/unit-feeds", work ? work : "/tmp");
	mkdir(work ? work : "/tmp", 0755);
	mkdir(dir, 0755);
	ld_snprintf(dbpath, sizeof(dbpath), "%s/feeds.sqlite", dir);
	lading_ctx_new(&ctx);
	t0 = now_ms();
	assert_int_equal(ld_vdb_store_open(&st, dbpath, ctx), 0);
	import(st, "alpine-secdb", ld_vdb_import_secdb, "LADING_SHARED", "vulndata/alpine-secdb",
	       ctx, &r[0]);
	import(st, "debian-dsa", ld_vdb_import_debian_dsa, "LADING_SHARED",
	       "vulndata/debian/DSA.list", ctx, &r[1]);
	import(st, "debian-dla", ld_vdb_import_debian_dla, "LADING_SHARED",
	       "vulndata/debian/DLA.list", ctx, &r[2]);
	import(st, "debian-tracker", ld_vdb_import_debian_tracker, "LADING_TESTDATA",
	       "feeds/debian-tracker.json", ctx, &r[3]);
	import(st, "kev", ld_vdb_import_kev, "LADING_SHARED", "vulndata/kev", ctx, &r[4]);
	import(st, "epss", ld_vdb_import_epss, "LADING_SHARED", "vulndata/epss", ctx, &r[5]);
	import(st, "nvd", ld_vdb_import_nvd, "LADING_SHARED", "vulndata/nvd", ctx, &r[6]);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
	print_message("all seven feeds incl. indexes: %.0f ms\n", now_ms() - t0);

	/* counts from ../shared/README.md: DSA 5,406, DLA 3,534, KEV 1,404, EPSS 360,142 rows;
	 * secdb 2,582 distinct IDs and NVD 111,917 CVEs (109,785 of the yearly files + the newer
	 * ones of modified/recent) are what the importers report (test_secdb, test_nvd) */
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM advisories WHERE source = 'alpine-secdb'"),
			 2582);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM advisories WHERE source = 'debian-dsa'"),
			 5406);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM advisories WHERE source = 'debian-dla'"),
			 3534);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM kev"), 1404);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM epss"), 360142);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM nvd"), 111917);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM nvd WHERE cve < 'CVE-2018'"), 109785);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM cpe_match"), 1182852);
	/* the feeds table: what `db info` shows */
	assert_int_equal(
		q1(db, "SELECT records FROM feeds WHERE name = 'debian-dsa' AND status = 'ok'"),
		5406);
	assert_int_equal(q1(db, "SELECT skipped FROM feeds WHERE name = 'debian-dsa'"), 1);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM feeds WHERE snapshot = '2023-03-29' AND name "
				"= 'debian-dsa'"),
			 1);
	/* secdb: ../shared/README.md's packages per release (main + community) are the distinct
	 * packages stored per ecosystem */
	{
		static const struct {
			const char *eco;
			int64_t packages;
		} rel[] = {{"Alpine:v3.3", 91 + 0},   {"Alpine:v3.4", 117 + 2},
			   {"Alpine:v3.5", 131 + 20}, {"Alpine:v3.6", 134 + 31},
			   {"Alpine:v3.7", 163 + 37}, {"Alpine:v3.8", 164 + 44},
			   {"Alpine:v3.9", 161 + 58}, {"Alpine:v3.10", 166 + 73},
			   {"Alpine:v3.11", 175 + 85}};
		char sql[256];
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			ld_snprintf(sql, sizeof(sql),
				    "SELECT COUNT(DISTINCT package) FROM affected WHERE ecosystem "
				    "= '%s'",
				    rel[i].eco);
			if (q1(db, sql) != rel[i].packages)
				fail_msg("%s: %lld packages, README says %lld", rel[i].eco,
					 (long long)q1(db, sql), (long long)rel[i].packages);
		}
	}
	/* the tracker's two puts of CVE-2023-0003 are one advisory with two affected rows */
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM advisories WHERE source = 'debian-tracker'"),
			 4);
	assert_int_equal(
		q1(db, "SELECT COUNT(*) FROM affected a JOIN advisories d ON d.id = a.advisory "
		       "WHERE d.advisory = 'CVE-2023-0003'"),
		2);
	/* what has no column of its own is kept in the entry's extra JSON */
	assert_int_equal(
		q1(db,
		   "SELECT COUNT(*) FROM affected WHERE ecosystem = 'Debian:10' AND package = "
		   "'openssl' AND extra LIKE '%\"nodsa_reason\":\"ignored\"%' AND extra LIKE "
		   "'%\"debianbug\":1030000%' AND extra LIKE '%\"buster\":\"1.1.1n-0+deb10u3\"%'"),
		1);
	/* aliases: DSA -> CVEs, secdb XSA <-> CVE */
	assert_true(q1(db, "SELECT COUNT(*) FROM aliases s JOIN advisories d ON d.id = s.advisory "
			   "WHERE d.advisory = 'DSA-5380-1' AND s.alias = 'CVE-2023-1393'") == 1);
	assert_true(q1(db, "SELECT COUNT(*) FROM aliases s JOIN advisories d ON d.id = s.advisory "
			   "WHERE d.advisory = 'XSA-213' AND s.alias = 'CVE-2017-8903'") == 1);
	sqlite3_close(db);

	/* the query API: one probe per (ecosystem, package) */
	{
		ld_vdb *v;
		ld_arena a;
		ld_vdb_q_affected *e;
		size_t n;
		bool seen_fix = false, seen_tracker = false;
		ld_arena_init(&a, 0);
		assert_int_equal(ld_vdb_open(&v, dbpath, ctx), 0);
		assert_int_equal(ld_vdb_affected_get(v, "Alpine:v3.9", "openssl", &a, &e, &n, ctx),
				 0);
		for (size_t i = 0; i < n; i++)
			if (strcmp(e[i].id, "CVE-2019-1543") == 0 && e[i].nranges == 1 &&
			    strcmp(e[i].ranges[0].events[1].version, "1.1.1b-r1") == 0)
				seen_fix = true;
		assert_true(seen_fix);
		assert_int_equal(
			ld_vdb_affected_get(v, "Debian:11", "xorg-server", &a, &e, &n, ctx), 0);
		assert_true(n > 0);
		assert_int_equal(ld_vdb_affected_get(v, "debian:13", "openssl", &a, &e, &n, ctx),
				 0);
		for (size_t i = 0; i < n; i++)
			if (strcmp(e[i].id, "CVE-2023-0001") == 0 && e[i].status &&
			    strcmp(e[i].status, "unfixed") == 0 && e[i].severity_raw &&
			    strcmp(e[i].severity_raw, "low**") == 0)
				seen_tracker = true;
		assert_true(seen_tracker);
		ld_vdb_close(v);
		ld_arena_release(&a);
	}
	lading_ctx_free(ctx);
}

/* A feed that fails as a whole leaves no rows behind (the builder then carries the old ones). */
static void test_failed_feed(void **state)
{
	lading_ctx *ctx;
	ld_vdb_store *st = NULL;
	ld_vdb_writer *w = NULL;
	ld_vdb_import_result res;
	sqlite3 *db;
	char path[512], tmpl[] = "/tmp/lading-feeds-XXXXXX";
	char *dir = mkdtemp(tmpl);
	FILE *f;
	int rc;
	(void)state;
	assert_non_null(dir);
	/* a list that starts well and then is not a list */
	ld_snprintf(path, sizeof(path), "%s/broken.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"openssl\": {\"CVE-2023-0001\": {\"releases\": {\"sid\": {\"status\": "
	      "\"open\"}}}}, \"x\": [",
	      f);
	fclose(f);
	lading_ctx_new(&ctx);
	ld_snprintf(dbpath, sizeof(dbpath), "%s/t.sqlite", dir);
	assert_int_equal(ld_vdb_store_open(&st, dbpath, ctx), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "debian-tracker", path, &w), 0);
	ld_vdb_writer_set_ctx(w, ctx);
	rc = ld_vdb_import_debian_tracker(w, path, &res, ctx);
	assert_int_equal(rc, LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "broken.json"));
	assert_int_equal(ld_vdb_store_feed_end(st, w, rc, &res), 0);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(q1(db, "SELECT COUNT(*) FROM advisories"), 0);
	assert_int_equal(
		q1(db,
		   "SELECT COUNT(*) FROM feeds WHERE name = 'debian-tracker' AND status != 'ok'"),
		1);
	sqlite3_close(db);
	unlink(dbpath);
	unlink(path);
	rmdir(dir);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_query),
		cmocka_unit_test(test_failed_feed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

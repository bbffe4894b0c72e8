/* Debian security tracker JSON export: a hand-written fixture with every state the export has
 * (no such file is in the mirror; the format is the one bin/tracker_service.py writes). */
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

static void test_fixture(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char path[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	feedtap_path(path, sizeof(path), "LADING_TESTDATA", "feeds/debian-tracker.json");
	assert_int_equal(ld_vdb_import_debian_tracker_to(&t.sink, path, &res, ctx), 0);

	/* resolved + version; resolved + "0" = not affected; "**" urgencies (NVD-derived) keep
	 * their raw text; open; open + nodsa_reason "ignored" = wontfix */
	expect_line(&t, "adv debian-tracker CVE-2023-0001 ",
		    "adv debian-tracker CVE-2023-0001 "
		    "{Debian:12|openssl|introduced:0,fixed:3.0.9-1|sev=medium/medium} "
		    "{Debian:11|openssl|not-affected|sev=-/not yet assigned} "
		    "{Debian:unstable|openssl|introduced:0,fixed:1:3.1.0-1|sev=medium/medium**} "
		    "{Debian:13|openssl|unfixed|sev=low/low**} "
		    "{Debian:10|openssl|wontfix|sev=low/low}");
	/* one ID under two source packages: one put each, merged by the writer */
	expect_line(&t, "adv debian-tracker CVE-2023-0003 ",
		    "adv debian-tracker CVE-2023-0003 "
		    "{Debian:12|openssl|introduced:0,fixed:3.0.9-1|sev=high/high}");
	assert_true(feedtap_has(
		&t,
		"adv debian-tracker CVE-2023-0003 {Debian:11|openssl1.1|unfixed|sev=high/high}\n"));
	/* postponed = unfixed; unimportant = low; undetermined; end-of-life = wontfix; resolved
	 * without a version, an unknown release, a bad version and an unknown status record nothing
	 */
	expect_line(&t, "adv debian-tracker CVE-2023-0002 ",
		    "adv debian-tracker CVE-2023-0002 {Debian:12|bash|unfixed|sev=low/unimportant} "
		    "{Debian:13|bash|undetermined|sev=-/not yet assigned} "
		    "{Debian:9|bash|wontfix|sev=-/end-of-life}");
	expect_line(&t, "adv debian-tracker TEMP-0000000-1A2B3C ",
		    "adv debian-tracker TEMP-0000000-1A2B3C "
		    "{Debian:unstable|bash|unfixed|sev=low/low}");
	assert_false(feedtap_has(&t, "CVE-2023-0004"));
	assert_false(feedtap_has(&t, "broken-package"));

	assert_int_equal(res.records, 4); /* distinct IDs */
	assert_int_equal(t.nadv, 5);
	/* "not an id", a string as issue, an array as package */
	assert_int_equal(res.skipped, 3);
	/* + experimental, "not a version", "fixed-ish" */
	assert_int_equal(lading_ctx_warning_count(ctx), 6);
	for (size_t i = 0; i < lading_ctx_warning_kept(ctx); i++)
		assert_non_null(strstr(lading_ctx_warning(ctx, i), "debian-tracker.json: "));
	assert_int_equal(t.stats.fixed_versions, 3);
	assert_string_equal(res.snapshot, "");
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"",	     "[]", "{\"a\": {}", "{\"a\": {\"CVE-2020-1\": }}", "{\"a\": {}} x",
		"{\"a\" {}}"};
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ld_vdb_parse_debian_tracker(&t.sink, bad[i], strlen(bad[i]), "bad.json",
						     &res, ctx);
		if (rc != LADING_EINVALID)
			fail_msg("case %zu ('%s'): rc %d", i, bad[i], rc);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "bad.json"));
	}
	assert_int_equal(ld_vdb_parse_debian_tracker(&t.sink, "{}", 2, "e", &res, ctx), 0);
	assert_int_equal(ld_vdb_import_debian_tracker_to(&t.sink, "/nonexistent", &res, ctx),
			 LADING_ENOTFOUND);
	assert_int_equal(t.nadv, 0);
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

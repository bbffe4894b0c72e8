/* Debian DSA/DLA list importer: hand-written fixtures with every quirk of the real lists, and the
 * real lists of the mirror (advisory counts from ../shared/README.md). */
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

static void test_dsa_quirks(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	size_t len = 0;
	char *doc = feedtap_slurp("LADING_TESTDATA", "feeds/debian-DSA-quirks.list", &len);
	(void)state;
	assert_non_null(doc);
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	assert_int_equal(
		ld_vdb_parse_debian_list(&t.sink, doc, len, "DSA-quirks", "debian-dsa", &res, ctx),
		0);

	/* epoch kept in the fixed version; codename -> Debian:<n>; header text as summary */
	expect_line(&t, "adv debian-dsa DSA-5380-1 ",
		    "adv debian-dsa DSA-5380-1 aliases=CVE-2023-1393 summary=\"xorg-server - "
		    "security update\" "
		    "published=2023-03-29 "
		    "{Debian:11|xorg-server|introduced:0,fixed:2:1.20.11-1+deb11u6}");
	/* an announcement: an advisory without packages */
	expect_line(
		&t, "adv debian-dsa DSA-4205-1 ",
		"adv debian-dsa DSA-4205-1 summary=\"jessie end-of-life\" published=2018-04-18");
	/* no -N revision, "--" separator */
	expect_line(
		&t, "adv debian-dsa DSA-135 ",
		"adv debian-dsa DSA-135 aliases=CVE-2002-0653 summary=\"libapache-mod-ssl -- "
		"buffer overflow / DoS\" "
		"published=2002-07-02 {Debian:3.0|libapache-mod-ssl|introduced:0,fixed:2.8.9-2}");
	/* 8-space indents, two blanks between IDs, "(medium)" annotation, NOTE kept as details */
	expect_line(&t, "adv debian-dsa DSA-2015-1 ",
		    "adv debian-dsa DSA-2015-1 aliases=CVE-2009-3555,CVE-2010-0001 summary=\"drbd8 "
		    "linux-modules-extra-2.6 - "
		    "privilege escalation\" published=2010-03-15 "
		    "{Debian:5|drbd8|introduced:0,fixed:2:8.0.14-2+lenny1} "
		    "{Debian:5|linux-modules-extra-2.6|introduced:0,fixed:2.6.26-8lenny1|sev="
		    "medium/medium}");
	/* markers; "(bug #N; high)"; sid; a line with a package name as version and an unknown
	 * release are skipped, the rest of the entry kept */
	expect_line(&t, "adv debian-dsa DSA-800-1 ",
		    "adv debian-dsa DSA-800-1 aliases=CVE-2005-0001 summary=\"pam - several "
		    "vulnerabilities\" "
		    "published=2005-08-01 {Debian:3.0|pam|not-affected} "
		    "{Debian:3.1|pam|introduced:0,fixed:0.76-22sarge1|sev=high/high} "
		    "{Debian:unstable|pam|unfixed} {Debian:7|typo3-src|wontfix} "
		    "{Debian:3.1|gps|introduced:0,fixed:1.2.3-1woody1}");
	/* a malformed header skips its whole entry */
	assert_false(feedtap_has(&t, "DSA-801-1"));
	assert_false(feedtap_has(&t, "CVE-2005-0002"));
	expect_line(&t, "adv debian-dsa DSA-802 ",
		    "adv debian-dsa DSA-802 summary=\"nocves - no CVE list\" published=2005-08-05 "
		    "{Debian:3.1|nocves|introduced:0,fixed:1.0-1}");
	assert_int_equal(res.records, 6);
	assert_int_equal(res.skipped, 3); /* kernel-image line, [narnia] line, DSA-801-1 header */
	assert_int_equal(lading_ctx_warning_count(ctx), 3);
	assert_non_null(strstr(lading_ctx_warning(ctx, 0), "DSA-quirks: DSA-800-1"));
	assert_string_equal(res.snapshot, "2023-03-29");
	assert_int_equal(t.stats.packages, 10);
	assert_int_equal(t.stats.fixed_versions, 7);
	feedtap_release(&t);
	free(doc);
	lading_ctx_free(ctx);
}

static void test_dla_crlf_and_errors(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	char path[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	feedtap_path(path, sizeof(path), "LADING_TESTDATA", "feeds/debian-DLA-crlf.list");
	assert_int_equal(ld_vdb_import_debian_list_to(&t.sink, path, "debian-dla", &res, ctx), 0);
	expect_line(&t, "adv debian-dla DLA-3380-1 ",
		    "adv debian-dla DLA-3380-1 aliases=CVE-2020-12362,CVE-2020-12363 "
		    "summary=\"firmware-nonfree - security update\" "
		    "published=2023-04-01 "
		    "{Debian:10|firmware-nonfree|introduced:0,fixed:20190114+really20220913-0+"
		    "deb10u1}");
	expect_line(
		&t, "adv debian-dla DLA-3321-1 ",
		"adv debian-dla DLA-3321-1 summary=\"trixie-thing - test\" published=2023-02-10 "
		"{Debian:13|foo|introduced:0,fixed:1:2.0-1} {Debian:14|foo|not-affected}");
	assert_int_equal(res.records, 2);
	assert_int_equal(res.skipped, 0);
	assert_string_equal(res.snapshot, "2023-04-01");

	/* whole-file failures: not a list, missing file, wrong source name */
	{
		static const char junk[] = "hello\nworld\n";
		assert_int_equal(ld_vdb_parse_debian_list(&t.sink, junk, strlen(junk), "junk",
							  "debian-dsa", &res, ctx),
				 LADING_EINVALID);
		assert_non_null(
			strstr(lading_ctx_error(ctx)->msg, "junk: not a Debian DSA/DLA list"));
	}
	{
		/* a NUL byte: a damaged file, not a line to skip */
		static const char dmg[] = "[01 Apr 2023] DSA-5380-1 xorg - security update\n\0\0\n";
		assert_int_equal(ld_vdb_parse_debian_list(&t.sink, dmg, sizeof(dmg) - 1, "dmg",
							  "debian-dsa", &res, ctx),
				 LADING_EINVALID);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "dmg: NUL byte at offset"));
	}
	assert_int_equal(ld_vdb_import_debian_list_to(&t.sink, "/nonexistent/DSA.list",
						      "debian-dsa", &res, ctx),
			 LADING_ENOTFOUND);
	assert_int_equal(ld_vdb_parse_debian_list(&t.sink, "", 0, "x", "debian-xyz", &res, ctx),
			 LADING_EUSAGE);
	/* an empty list is a valid, empty feed */
	assert_int_equal(ld_vdb_parse_debian_list(&t.sink, "", 0, "x", "debian-dsa", &res, ctx), 0);
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_codenames(void **state)
{
	static const char *const pairs[][2] = {
		{"buzz", "Debian:1.1"},	   {"rex", "Debian:1.2"},      {"bo", "Debian:1.3"},
		{"hamm", "Debian:2.0"},	   {"slink", "Debian:2.1"},    {"potato", "Debian:2.2"},
		{"woody", "Debian:3.0"},   {"sarge", "Debian:3.1"},    {"etch", "Debian:4"},
		{"lenny", "Debian:5"},	   {"squeeze", "Debian:6"},    {"wheezy", "Debian:7"},
		{"jessie", "Debian:8"},	   {"stretch", "Debian:9"},    {"buster", "Debian:10"},
		{"bullseye", "Debian:11"}, {"bookworm", "Debian:12"},  {"trixie", "Debian:13"},
		{"forky", "Debian:14"},	   {"sid", "Debian:unstable"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *e = ld_vdb_debian_ecosystem(pairs[i][0], strlen(pairs[i][0]));
		assert_non_null(e);
		assert_string_equal(e, pairs[i][1]);
	}
	assert_null(ld_vdb_debian_ecosystem("narnia", 6));
	assert_null(ld_vdb_debian_ecosystem("sidx", 4));
	assert_null(ld_vdb_debian_ecosystem("si", 2));
}

static void test_real_lists(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res;
	char dir[4096];
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_path(dir, sizeof(dir), "LADING_SHARED", "vulndata/debian");

	/* ../shared/README.md: DSA.list has 5,406 advisories (2002-2023), DLA.list 3,534
	 * (2014-2023) */
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_import_debian_list_to(&t.sink, dir, "debian-dsa", &res, ctx), 0);
	assert_int_equal(res.records, 5406);
	/* the one malformed line of the real list: "[woody] - kernel-image-2.4.17-ia64
	 * kernel-image-2.4.17-ia64" (a package name where the version belongs) */
	assert_int_equal(res.skipped, 1);
	assert_string_equal(res.snapshot, "2023-03-29");
	expect_line(&t, "adv debian-dsa DSA-5380-1 ",
		    "adv debian-dsa DSA-5380-1 aliases=CVE-2023-1393 summary=\"xorg-server - "
		    "security update\" "
		    "published=2023-03-29 "
		    "{Debian:11|xorg-server|introduced:0,fixed:2:1.20.11-1+deb11u6}");
	assert_true(feedtap_has(&t, "adv debian-dsa DSA-135 aliases=CVE-2002-0653 "));
	assert_true(feedtap_has(&t, "adv debian-dsa DSA-4205-1 summary=\"jessie end-of-life\""));
	print_message("DSA: %zu advisories, %zu affected, %zu package lines, %zu fixed versions, "
		      "%zu IDs\n",
		      t.nadv, t.naffected, t.stats.packages, t.stats.fixed_versions, t.stats.ids);
	feedtap_release(&t);

	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_import_debian_list_to(&t.sink, dir, "debian-dla", &res, ctx), 0);
	assert_int_equal(res.records, 3534);
	assert_int_equal(res.skipped, 0);
	assert_string_equal(res.snapshot, "2023-04-01");
	assert_true(feedtap_has(&t, "adv debian-dla DLA-3380-1 aliases=CVE-2020-12362,"));
	print_message("DLA: %zu advisories, %zu affected, %zu package lines, %zu fixed versions, "
		      "%zu IDs\n",
		      t.nadv, t.naffected, t.stats.packages, t.stats.fixed_versions, t.stats.ids);
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsa_quirks),
		cmocka_unit_test(test_dla_crlf_and_errors),
		cmocka_unit_test(test_codenames),
		cmocka_unit_test(test_real_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Alpine secdb importer: quirks of the real data on a hand-written fixture, the ID normalizer,
 * and the full mirror (counts per file from ../shared/README.md). */
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

static void test_quirks_fixture(void **state)
{
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	size_t len = 0;
	char *doc = feedtap_slurp("LADING_TESTDATA", "feeds/secdb-quirks.json", &len);
	(void)state;
	assert_non_null(doc);
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_parse_secdb_json(&t.sink, doc, len, "secdb-quirks.json", &res, ctx),
			 0);

	/* non-CVE IDs are advisory IDs of their own */
	expect_line(&t, "adv alpine-secdb XSA-207 ",
		    "adv alpine-secdb XSA-207 {Alpine:v3.9|xen|introduced:0,fixed:4.10.0-r1}");
	/* several IDs in one string: split; a CVE and a vendor ID in one string alias each other */
	expect_line(&t, "adv alpine-secdb CVE-2017-8903 ",
		    "adv alpine-secdb CVE-2017-8903 aliases=XSA-213 "
		    "{Alpine:v3.9|xen|introduced:0,fixed:4.10.0-r1}");
	expect_line(&t, "adv alpine-secdb XSA-213 ",
		    "adv alpine-secdb XSA-213 aliases=CVE-2017-8903 "
		    "{Alpine:v3.9|xen|introduced:0,fixed:4.10.0-r1}");
	/* the placeholder "CVE-????-?????" is dropped, its XSA kept */
	expect_line(&t, "adv alpine-secdb XSA-295 ",
		    "adv alpine-secdb XSA-295 {Alpine:v3.9|xen|introduced:0,fixed:4.10.0-r1}");
	assert_false(feedtap_has(&t, "?\?\?\?"));
	/* three CVEs sharing one XSA are not aliases of each other; "XPTI" is not an ID */
	expect_line(&t, "adv alpine-secdb CVE-2017-5715 ",
		    "adv alpine-secdb CVE-2017-5715 aliases=XSA-254 "
		    "{Alpine:v3.9|xen|introduced:0,fixed:4.10.1-r0}");
	expect_line(&t, "adv alpine-secdb XSA-254 ",
		    "adv alpine-secdb XSA-254 aliases=CVE-2017-5715,CVE-2017-5753,CVE-2017-5754 "
		    "{Alpine:v3.9|xen|introduced:0,fixed:4.10.1-r0}");
	assert_false(feedtap_has(&t, "XPTI"));
	/* a null secfixes value records nothing */
	expect_line(&t, "adv alpine-secdb CVE-2017-17439 ",
		    "adv alpine-secdb CVE-2017-17439 "
		    "{Alpine:v3.9|heimdal|introduced:0,fixed:7.5.0-r1}");
	assert_false(feedtap_has(&t, "7.4.0-r0"));
	/* typos normalized */
	expect_line(&t, "adv alpine-secdb CVE-2018-16859 ",
		    "adv alpine-secdb CVE-2018-16859 "
		    "{Alpine:v3.9|ansible|introduced:0,fixed:2.6.8-r0}");
	expect_line(
		&t, "adv alpine-secdb CVE-2019-2426 ",
		"adv alpine-secdb CVE-2019-2426 {Alpine:v3.9|ansible|introduced:0,fixed:2.7.1-r0}");
	expect_line(
		&t, "adv alpine-secdb CVE-2019-3828 ",
		"adv alpine-secdb CVE-2019-3828 {Alpine:v3.9|ansible|introduced:0,fixed:2.7.1-r0}");
	/* free text cut off; keys without -rN kept as written; ".patch" suffix dropped */
	expect_line(&t, "adv alpine-secdb CVE-2017-2616 ",
		    "adv alpine-secdb CVE-2017-2616 "
		    "{Alpine:v3.9|bind|introduced:0,fixed:9.11.0_p5-r0}");
	expect_line(&t, "adv alpine-secdb CVE-2018-14462 ",
		    "adv alpine-secdb CVE-2018-14462 {Alpine:v3.9|bind|introduced:0,fixed:9.12.1}");
	expect_line(&t, "adv alpine-secdb CVE-2017-8073 ",
		    "adv alpine-secdb CVE-2017-8073 {Alpine:v3.9|bind|introduced:0,fixed:9.12.1}");
	/* "-1"/"-2" parts of one CVE: one affected entry; key "0" = not affected, duplicates merged
	 */
	expect_line(
		&t, "adv alpine-secdb CVE-2017-17434 ",
		"adv alpine-secdb CVE-2017-17434 {Alpine:v3.9|rsync|introduced:0,fixed:3.1.2-r7}");
	expect_line(&t, "adv alpine-secdb CVE-2016-1000 ",
		    "adv alpine-secdb CVE-2016-1000 {Alpine:v3.9|rsync|not-affected}");
	expect_line(&t, "adv alpine-secdb wnpa-sec-2017-18 ",
		    "adv alpine-secdb wnpa-sec-2017-18 "
		    "{Alpine:v3.9|wireshark|introduced:0,fixed:2.4.2-r0}");
	expect_line(&t, "adv alpine-secdb ZBX-11023 ",
		    "adv alpine-secdb ZBX-11023 aliases=CVE-2016-10134 "
		    "{Alpine:v3.9|wireshark|introduced:0,fixed:2.4.2-r0}");
	expect_line(&t, "adv alpine-secdb TALOS-2017-0497 ",
		    "adv alpine-secdb TALOS-2017-0497 "
		    "{Alpine:v3.9|wireshark|introduced:0,fixed:1.0.0_rc7}");
	/* malformed entries of package "weird" skipped, its good entry kept */
	expect_line(&t, "adv alpine-secdb CVE-2020-1234 ",
		    "adv alpine-secdb CVE-2020-1234 {Alpine:v3.9|weird|introduced:0,fixed:1.0-r0}");
	assert_false(feedtap_has(&t, "CVE-2020-5678"));
	assert_false(feedtap_has(&t, "CVE-2020-9999"));
	assert_false(feedtap_has(&t, "CVE-2020-0001"));

	assert_int_equal(res.records, 22);
	assert_int_equal(t.nadv, 22);
	/* no name; 42; "no id here"; key "has space"; a string instead of a list */
	assert_int_equal(res.skipped, 5);
	assert_int_equal(lading_ctx_warning_count(ctx), 5);
	assert_non_null(strstr(lading_ctx_warning(ctx, 0), "secdb-quirks.json"));
	assert_int_equal(t.stats.packages, 9);
	assert_int_equal(t.stats.fixed_versions, 15);
	/* CVE 2018-16859, CVE_2019-2426, cve-2019-3828, CVE-2017-8073.patch, CVE-2017-17434-1/-2 */
	assert_int_equal(t.stats.ids_normalized, 6);
	/* CVE-????-?????, XPTI, "(+ regression fix)", "(ICMP)", "no", "id", "here" */
	assert_int_equal(t.stats.ids_dropped, 7);
	assert_string_equal(res.snapshot, "");
	feedtap_release(&t);
	free(doc);
	lading_ctx_free(ctx);
}

static void test_null_packages_and_errors(void **state)
{
	static const char nullpk[] =
		"{\"distroversion\": \"v3.3\", \"reponame\": \"community\", \"packages\": null}";
	static const char *bad[] = {"[]",
				    "{\"packages\": []}",
				    "{\"distroversion\": \"3.9\", \"packages\": []}",
				    "{\"distroversion\": \"v3.9\", \"packages\": {}}",
				    "{\"distroversion\": \"v3.9\"",
				    ""};
	lading_ctx *ctx;
	feedtap t;
	ld_vdb_import_result res = {0};
	(void)state;
	lading_ctx_new(&ctx);
	feedtap_init(&t, false);
	assert_int_equal(ld_vdb_parse_secdb_json(&t.sink, nullpk, strlen(nullpk), "n", &res, ctx),
			 0);
	assert_int_equal(res.records, 0);
	assert_int_equal(res.skipped, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ld_vdb_parse_secdb_json(&t.sink, bad[i], strlen(bad[i]), "bad", &res, ctx);
		assert_int_equal(rc, LADING_EINVALID);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "bad"));
	}
	assert_int_equal(t.nadv, 0);
	feedtap_release(&t);
	lading_ctx_free(ctx);
}

static void test_id_normalize(void **state)
{
	static const struct {
		const char *in, *out;
		int r;
	} cases[] = {
		{"CVE-2019-5060", "CVE-2019-5060", 1},
		{"CVE 2018-16859", "CVE-2018-16859", 2},
		{"CVE_2019-2426", "CVE-2019-2426", 2},
		{"cve-2019-3828", "CVE-2019-3828", 2},
		{"CVE-2017-8073.patch", "CVE-2017-8073", 2},
		{"CVE-2017-17434-1", "CVE-2017-17434", 2},
		{"CVE-2019-1,", "CVE-2019-1", 0}, /* fewer than 4 digits: not a CVE number */
		{"CVE-2019-12345,", "CVE-2019-12345", 2},
		{"CVE-2021-1234567", "CVE-2021-1234567", 1},
		{"CVE-?\?\?\?-?\?\?\?\?", "", 0}, /* the placeholder (escaped: no trigraphs) */
		{"CVE-20-1234", "", 0},
		{"XSA-207", "XSA-207", 1},
		{"TALOS-2019-0844", "TALOS-2019-0844", 1},
		{"wnpa-sec-2017-18", "wnpa-sec-2017-18", 1},
		{"ZBX-11023", "ZBX-11023", 1},
		{"XPTI", "", 0},
		{"(BGP)", "", 0},
		{"-1", "", 0},
		{"A--1", "", 0},
		{"", "", 0},
	};
	char out[64];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = ld_vdb_id_normalize(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		if (r != cases[i].r)
			fail_msg("'%s': got %d, want %d", cases[i].in, r, cases[i].r);
		if (r)
			assert_string_equal(out, cases[i].out);
	}
	/* the output buffer bounds the ID */
	assert_int_equal(ld_vdb_id_normalize("CVE-2019-12345", 14, out, 8), 0);
}

/* ../shared/README.md, "vulndata/alpine-secdb/": packages / fixed versions per release and repo. */
static const struct {
	const char *file;
	size_t packages, fixed;
} readme_counts[] = {
	{"v3.3/main.json", 91, 159},   {"v3.3/community.json", 0, 0},
	{"v3.4/main.json", 117, 258},  {"v3.4/community.json", 2, 2},
	{"v3.5/main.json", 131, 316},  {"v3.5/community.json", 20, 25},
	{"v3.6/main.json", 134, 346},  {"v3.6/community.json", 31, 58},
	{"v3.7/main.json", 163, 425},  {"v3.7/community.json", 37, 97},
	{"v3.8/main.json", 164, 442},  {"v3.8/community.json", 44, 125},
	{"v3.9/main.json", 161, 447},  {"v3.9/community.json", 58, 161},
	{"v3.10/main.json", 166, 460}, {"v3.10/community.json", 73, 203},
	{"v3.11/main.json", 175, 502}, {"v3.11/community.json", 85, 239},
};

static void test_real_mirror(void **state)
{
	lading_ctx *ctx;
	feedtap t, all;
	ld_vdb_import_result res;
	char dir[4096];
	size_t sum_pk = 0, sum_fx = 0;
	(void)state;
	lading_ctx_new(&ctx);
	for (size_t i = 0; i < sizeof(readme_counts) / sizeof(readme_counts[0]); i++) {
		char rel[256];
		size_t len = 0;
		char *doc;
		ld_snprintf(rel, sizeof(rel), "vulndata/alpine-secdb/%s", readme_counts[i].file);
		doc = feedtap_slurp("LADING_SHARED", rel, &len);
		if (!doc)
			fail_msg("cannot read %s under LADING_SHARED", rel);
		feedtap_init(&t, true);
		memset(&res, 0, sizeof(res));
		assert_int_equal(ld_vdb_parse_secdb_json(&t.sink, doc, len, rel, &res, ctx), 0);
		if (t.stats.packages != readme_counts[i].packages ||
		    t.stats.fixed_versions != readme_counts[i].fixed)
			fail_msg("%s: %zu packages / %zu fixed versions, README says %zu / %zu",
				 rel, t.stats.packages, t.stats.fixed_versions,
				 readme_counts[i].packages, readme_counts[i].fixed);
		assert_int_equal(res.skipped, 0);
		sum_pk += t.stats.packages;
		sum_fx += t.stats.fixed_versions;
		feedtap_release(&t);
		free(doc);
	}

	/* the whole directory: JSON preferred over its YAML twin, grouped per ID over all branches
	 */
	feedtap_path(dir, sizeof(dir), "LADING_SHARED", "vulndata/alpine-secdb");
	feedtap_init(&all, false);
	assert_int_equal(ld_vdb_import_secdb_to(&all.sink, dir, &res, ctx), 0);
	assert_int_equal(all.stats.files, 18);
	assert_int_equal(all.stats.packages, sum_pk);
	assert_int_equal(all.stats.fixed_versions, sum_fx);
	assert_int_equal(res.skipped, 0);
	assert_int_equal(res.records, all.nadv);
	/* one advisory per ID: the same CVE across branches is one record */
	/* (secdb lists CVE-2019-1543 under "file" too, upstream's own slip, kept as published) */
	expect_line(&all, "adv alpine-secdb CVE-2019-1543 ",
		    "adv alpine-secdb CVE-2019-1543 {Alpine:v3.10|file|introduced:0,fixed:5.36-r0} "
		    "{Alpine:v3.10|openssl|introduced:0,fixed:1.1.1b-r1} "
		    "{Alpine:v3.11|file|introduced:0,fixed:5.36-r0} "
		    "{Alpine:v3.11|openssl|introduced:0,fixed:1.1.1b-r1} "
		    "{Alpine:v3.9|openssl|introduced:0,fixed:1.1.1b-r1}");
	/* the real typos ("CVE 2018-16859" in v3.9 main, "CVE_2019-2426") arrive normalized */
	expect_line(&all, "adv alpine-secdb CVE-2018-16859 ",
		    "adv alpine-secdb CVE-2018-16859 "
		    "{Alpine:v3.9|ansible|introduced:0,fixed:2.7.3-r0}");
	assert_true(feedtap_has(&all, "adv alpine-secdb CVE-2019-2426 "));
	assert_true(feedtap_has(&all, "adv alpine-secdb wnpa-sec-2017-18 "));
	print_message("secdb: %zu advisories, %zu affected entries, %zu IDs normalized, %zu tokens "
		      "dropped\n",
		      all.nadv, all.naffected, all.stats.ids_normalized, all.stats.ids_dropped);
	feedtap_release(&all);
	lading_ctx_free(ctx);
}

/* The YAML of the repository and the JSON served upstream carry the same data: the same records. */
static void test_yaml_matches_json(void **state)
{
	lading_ctx *ctx;
	feedtap tj, ty;
	ld_vdb_import_result rj = {0}, ry = {0};
	size_t lj = 0, ly = 0;
	char *json = feedtap_slurp("LADING_TESTDATA", "feeds/secdb-quirks.json", &lj);
	char *yaml = feedtap_slurp("LADING_TESTDATA", "feeds/secdb-quirks.yaml", &ly);
	(void)state;
	assert_non_null(json);
	assert_non_null(yaml);
	lading_ctx_new(&ctx);
	feedtap_init(&tj, false);
	feedtap_init(&ty, false);
	assert_int_equal(ld_vdb_parse_secdb_json(&tj.sink, json, lj, "q.json", &rj, ctx), 0);
	assert_int_equal(ld_vdb_parse_secdb_yaml(&ty.sink, yaml, ly, "q.yaml", &ry, ctx), 0);
	assert_string_equal(ld_buf_cstr(&ty.dump), ld_buf_cstr(&tj.dump));
	assert_int_equal(ry.records, 22);
	assert_int_equal(ry.skipped, rj.skipped);
	assert_int_equal(ty.stats.packages, 9);
	assert_int_equal(ty.stats.fixed_versions, 15);
	assert_int_equal(ty.stats.ids_normalized, 6);
	feedtap_release(&ty);

	/* a mirror with YAML only (v3.X/main.yaml): read through the directory import */
	{
		char tmpl[] = "/tmp/lading-secdb-XXXXXX", sub[600], file[700];
		char *dir = mkdtemp(tmpl);
		FILE *f;
		assert_non_null(dir);
		ld_snprintf(sub, sizeof(sub), "%s/v3.9", dir);
		assert_int_equal(mkdir(sub, 0755), 0);
		ld_snprintf(file, sizeof(file), "%s/main.yaml", sub);
		f = fopen(file, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(yaml, 1, ly, f), ly);
		fclose(f);
		feedtap_init(&ty, false);
		assert_int_equal(ld_vdb_import_secdb_to(&ty.sink, dir, &ry, ctx), 0);
		assert_string_equal(ld_buf_cstr(&ty.dump), ld_buf_cstr(&tj.dump));
		assert_int_equal(ty.stats.files, 1);
		feedtap_release(&ty);
		assert_int_equal(unlink(file), 0);
		assert_int_equal(rmdir(sub), 0);
		/* an empty mirror is an error */
		feedtap_init(&ty, false);
		assert_int_equal(ld_vdb_import_secdb_to(&ty.sink, dir, &ry, ctx), LADING_ENOTFOUND);
		feedtap_release(&ty);
		assert_int_equal(rmdir(dir), 0);
	}
	feedtap_release(&tj);

	/* broken YAML is an error naming the file */
	feedtap_init(&ty, false);
	assert_int_equal(ld_vdb_parse_secdb_yaml(&ty.sink, "a: [1, 2\n", 9, "bad.yaml", &ry, ctx),
			 LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "bad.yaml"));
	feedtap_release(&ty);
	free(json);
	free(yaml);
	lading_ctx_free(ctx);
}

static void test_yaml_real(void **state)
{
	lading_ctx *ctx;
	(void)state;
	lading_ctx_new(&ctx);
	for (size_t i = 0; i < sizeof(readme_counts) / sizeof(readme_counts[0]); i++) {
		char rj[256], ry[256];
		size_t lj = 0, ly = 0;
		char *json, *yaml;
		feedtap tj, ty;
		ld_vdb_import_result resj = {0}, resy = {0};
		ld_snprintf(rj, sizeof(rj), "vulndata/alpine-secdb/%s", readme_counts[i].file);
		ld_snprintf(ry, sizeof(ry), "%.*s.yaml", (int)(strlen(rj) - 5), rj);
		json = feedtap_slurp("LADING_SHARED", rj, &lj);
		yaml = feedtap_slurp("LADING_SHARED", ry, &ly);
		if (!json || !yaml)
			fail_msg("cannot read %s / %s under LADING_SHARED", rj, ry);
		feedtap_init(&tj, false);
		feedtap_init(&ty, false);
		assert_int_equal(ld_vdb_parse_secdb_json(&tj.sink, json, lj, rj, &resj, ctx), 0);
		assert_int_equal(ld_vdb_parse_secdb_yaml(&ty.sink, yaml, ly, ry, &resy, ctx), 0);
		if (strcmp(ld_buf_cstr(&ty.dump), ld_buf_cstr(&tj.dump)) != 0)
			fail_msg("%s and its JSON twin give different records", ry);
		if (ty.stats.packages != readme_counts[i].packages ||
		    ty.stats.fixed_versions != readme_counts[i].fixed)
			fail_msg("%s: %zu packages / %zu fixed versions, README says %zu / %zu", ry,
				 ty.stats.packages, ty.stats.fixed_versions,
				 readme_counts[i].packages, readme_counts[i].fixed);
		assert_int_equal(resy.records, resj.records);
		assert_int_equal(resy.skipped, 0);
		feedtap_release(&tj);
		feedtap_release(&ty);
		free(json);
		free(yaml);
	}
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quirks_fixture),
		cmocka_unit_test(test_null_packages_and_errors),
		cmocka_unit_test(test_id_normalize),
		cmocka_unit_test(test_real_mirror),
		cmocka_unit_test(test_yaml_matches_json),
		cmocka_unit_test(test_yaml_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* OSV importer: handwritten records covering every event kind, withdrawn, informational notices,
 * aliases/related/upstream, severities, GIT and custom ranges, and malformed records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "vulndb/osv.h"
#include "vulndb/query.h"
#include "vulndb/vdb.h"

typedef struct fx {
	lading_ctx *ctx;
	ld_arena a;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	lading_ctx_new(&f->ctx);
	ld_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	ld_arena_release(&f->a);
	lading_ctx_free(f->ctx);
	free(f);
	return 0;
}

static ld_vdb_osv_record parse_ok(fx *f, const char *json)
{
	ld_vdb_osv_record r;
	int rc = ld_vdb_osv_parse(&r, &f->a, json, strlen(json), "t.json", f->ctx);
	if (rc)
		fail_msg("parse failed: %s", lading_ctx_error(f->ctx)->msg);
	return r;
}

static const char *ev(const ld_vdb_range *r, size_t i, const char **version)
{
	*version = r->events[i].version;
	return r->events[i].kind;
}

/* Every event kind, explicit versions, GIT ranges dropped, purl, aliases/related/upstream. */
static void test_events(void **state)
{
	fx *f = *state;
	const char *v;
	ld_vdb_osv_record r = parse_ok(
		f,
		"{\"id\": \"PYSEC-2099-1\", \"modified\": \"2023-11-07T20:24:23.946863Z\","
		" \"published\": \"2023-01-01T00:00:00Z\", \"summary\": \"s\", \"details\": \"d\","
		" \"aliases\": [\"CVE-2099-0001\", \"GHSA-aaaa-bbbb-cccc\"], \"related\": "
		"[\"CVE-2099-0002\"],"
		" \"upstream\": [\"CVE-2099-0003\"],"
		" \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"Foo.Bar\", "
		"\"purl\": \"pkg:pypi/foo-bar\"},"
		"   \"ranges\": [{\"type\": \"GIT\", \"repo\": \"https://x\", \"events\": "
		"[{\"introduced\": \"abc\"}]},"
		"              {\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, "
		"{\"fixed\": \"1.0\"},"
		"                 {\"introduced\": \"2.0\"}, {\"last_affected\": \"2.5\"}]},"
		"              {\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"3.0.0\"}, "
		"{\"limit\": \"4.0.0\"}]}],"
		"   \"versions\": [\"0.9\", \"1.0rc1\", \"2.1\"]}],"
		" \"references\": [{\"type\": \"WEB\", \"url\": "
		"\"https://example.com/PYSEC-2099-1\"}]}");
	const ld_vdb_advisory *a = &r.adv;
	assert_false(r.withdrawn);
	assert_string_equal(a->source, "osv");
	assert_string_equal(a->id, "PYSEC-2099-1");
	assert_string_equal(a->modified, "2023-11-07T20:24:23.946863Z"); /* exact text */
	assert_int_equal(a->naliases, 2);
	assert_int_equal(a->nrelated, 1);
	assert_string_equal(a->related[0], "CVE-2099-0002");
	assert_int_equal(a->nupstream, 1);
	assert_string_equal(a->upstream[0], "CVE-2099-0003");
	assert_string_equal(a->url, "https://example.com/PYSEC-2099-1");
	assert_null(a->informational);
	assert_null(a->cvss_vector);
	assert_int_equal(a->naffected, 1);
	assert_string_equal(a->affected[0].ecosystem, "PyPI");
	assert_string_equal(a->affected[0].package, "Foo.Bar"); /* the writer normalizes */
	assert_string_equal(a->affected[0].purl, "pkg:pypi/foo-bar");
	assert_int_equal(a->affected[0].nranges, 2); /* GIT dropped */
	assert_string_equal(a->affected[0].ranges[0].type, "ECOSYSTEM");
	assert_int_equal(a->affected[0].ranges[0].nevents, 4);
	assert_string_equal(ev(&a->affected[0].ranges[0], 0, &v), "introduced");
	assert_string_equal(v, "0");
	assert_string_equal(ev(&a->affected[0].ranges[0], 1, &v), "fixed");
	assert_string_equal(v, "1.0");
	assert_string_equal(ev(&a->affected[0].ranges[0], 3, &v), "last_affected");
	assert_string_equal(v, "2.5");
	assert_string_equal(a->affected[0].ranges[1].type, "SEMVER");
	assert_string_equal(ev(&a->affected[0].ranges[1], 1, &v), "limit");
	assert_string_equal(v, "4.0.0");
	assert_false(a->affected[0].ranges[1].custom);
	assert_int_equal(a->affected[0].nversions, 3);
	assert_string_equal(a->affected[0].versions[1], "1.0rc1");
	/* references and the rest are kept verbatim */
	assert_non_null(strstr(a->extra_json, "\"references\":[{\"type\":\"WEB\""));
}

static void test_withdrawn(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r =
		parse_ok(f, "{\"id\": \"RUSTSEC-2099-2\", \"withdrawn\": \"2023-01-01T00:00:00Z\","
			    " \"affected\": []}");
	assert_true(r.withdrawn);
	assert_string_equal(r.adv.id, "RUSTSEC-2099-2");
}

/* crates.io informational notices: kept, marked; per-package CVSS from database_specific.cvss. */
static void test_informational(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r =
		parse_ok(f, "{\"id\": \"RUSTSEC-2016-0004\", \"aliases\": [], \"related\": [], "
			    "\"severity\": [],"
			    " \"summary\": \"libusb is unmaintained\","
			    " \"affected\": [{\"package\": {\"ecosystem\": \"crates.io\", "
			    "\"name\": \"libusb\"},"
			    "   \"database_specific\": {\"categories\": [], \"cvss\": null, "
			    "\"informational\": \"unmaintained\"},"
			    "   \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": "
			    "\"0.0.0-0\"}, {\"fixed\": \"0.3.1-0\"}]}],"
			    "   \"versions\": []}],"
			    " \"references\": [{\"type\": \"PACKAGE\", \"url\": "
			    "\"https://crates.io/crates/libusb\"},"
			    "   {\"type\": \"ADVISORY\", \"url\": "
			    "\"https://rustsec.org/advisories/RUSTSEC-2016-0004.html\"}]}");
	assert_string_equal(r.adv.informational, "unmaintained");
	assert_string_equal(r.adv.url, "https://rustsec.org/advisories/RUSTSEC-2016-0004.html");
	assert_int_equal(r.adv.naliases, 0);
	assert_null(r.adv.affected[0].cvss_vector);
	assert_non_null(strstr(r.adv.affected[0].extra_json, "\"informational\":\"unmaintained\""));

	r = parse_ok(f, "{\"id\": \"RUSTSEC-2016-0001\", \"affected\": [{\"package\": "
			"{\"ecosystem\": \"crates.io\","
			" \"name\": \"openssl\"}, \"database_specific\": {\"cvss\": "
			"\"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H\"},"
			" \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": "
			"\"0.0.0-0\"}]}]}]}");
	assert_null(r.adv.informational);
	assert_string_equal(r.adv.affected[0].cvss_vector,
			    "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
	/* the record has no severity of its own: the package's vector is the record's */
	assert_string_equal(r.adv.cvss_vector, "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
	/* no reference names the ID: the osv.dev page */
	assert_string_equal(r.adv.url, "https://osv.dev/vulnerability/RUSTSEC-2016-0001");
}

/* AlmaLinux keeps CVEs in `related` and rates itself in the summary; ID with ':' in URLs as '-'. */
static void test_almalinux(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r = parse_ok(
		f, "{\"id\": \"ALSA-2019:0975\", \"summary\": \"Important: container-tools:rhel8 "
		   "security update\","
		   " \"affected\": [{\"package\": {\"ecosystem\": \"AlmaLinux:8\", \"name\": "
		   "\"oci-systemd-hook\"},"
		   "   \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"},"
		   "     {\"fixed\": \"1:0.1.15-2.git2d0b8a3.module_el8.5.0+119+9a9ec082\"}]}]}],"
		   " \"related\": [\"CVE-2019-5736\"], \"published\": \"2019-05-07T03:39:11Z\","
		   " \"references\": [{\"url\": \"https://vulners.com/cve/CVE-2019-5736\", "
		   "\"type\": \"REPORT\"},"
		   "   {\"url\": \"https://errata.almalinux.org/8/ALSA-2019-0975.html\", \"type\": "
		   "\"ADVISORY\"}]}");
	assert_int_equal(r.adv.nrelated, 1);
	assert_string_equal(r.adv.related[0], "CVE-2019-5736");
	assert_string_equal(r.adv.severity, "Important");
	assert_string_equal(r.adv.url, "https://errata.almalinux.org/8/ALSA-2019-0975.html");
	assert_string_equal(r.adv.affected[0].ranges[0].events[1].version,
			    "1:0.1.15-2.git2d0b8a3.module_el8.5.0+119+9a9ec082");
}

/* Bitnami: per-package severity vectors (v3 preferred over v4), database_specific.severity. */
static void test_bitnami(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r =
		parse_ok(f, "{\"schema_version\": \"1.6.2\", \"id\": \"BIT-x-2024-1\", "
			    "\"aliases\": [\"CVE-2024-1\"],"
			    " \"affected\": [{\"package\": {\"ecosystem\": \"Bitnami\", \"name\": "
			    "\"x\", \"purl\": \"pkg:bitnami/x\"},"
			    "   \"severity\": [{\"type\": \"CVSS_V4\", \"score\": "
			    "\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\"},"
			    "                {\"type\": \"CVSS_V3\", \"score\": "
			    "\"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N\"}],"
			    "   \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": "
			    "\"2.4.0\"}, {\"last_affected\": \"11.0.15-1\"}]}]}],"
			    " \"database_specific\": {\"severity\": \"Medium\", \"cpes\": "
			    "[\"cpe:2.3:a:x:x:*:*:*:*:*:*:*:*\"]}}");
	assert_string_equal(r.adv.affected[0].cvss_vector,
			    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N");
	assert_string_equal(r.adv.cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N");
	assert_string_equal(r.adv.severity, "Medium");
	assert_non_null(strstr(r.adv.extra_json, "\"cpes\":[\"cpe:2.3:a:x:x:*:*:*:*:*:*:*:*\"]"));
	assert_non_null(strstr(r.adv.extra_json, "\"schema_version\":\"1.6.2\""));
}

/* Go: custom_ranges become refining ranges; database_specific.url is the primary URL. */
static void test_go_custom_ranges(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r = parse_ok(
		f, "{\"id\": \"GO-2023-2385\", \"modified\": \"0001-01-01T00:00:00Z\","
		   " \"affected\": [{\"package\": {\"name\": \"github.com/pubnub/go/v5\", "
		   "\"ecosystem\": \"Go\"},"
		   "   \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}]}],"
		   "   \"ecosystem_specific\": {\"imports\": [{\"path\": "
		   "\"github.com/pubnub/go/v5/utils\", \"symbols\": [\"A\"]}],"
		   "     \"custom_ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": "
		   "[{\"introduced\": \"0\"},"
		   "        {\"fixed\": \"5.0.4-0.20231016150651-428517fef5b9\"}]}]}},"
		   "  {\"package\": {\"name\": \"stdlib\", \"ecosystem\": \"Go\"},"
		   "   \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}, "
		   "{\"fixed\": \"1.21.5\"}]}]}],"
		   " \"references\": [{\"type\": \"WEB\", \"url\": \"https://example.com\"}],"
		   " \"database_specific\": {\"url\": \"https://pkg.go.dev/vuln/GO-2023-2385\", "
		   "\"review_status\": \"REVIEWED\"}}");
	assert_int_equal(r.adv.naffected, 2);
	assert_int_equal(r.adv.affected[0].nranges, 2);
	assert_false(r.adv.affected[0].ranges[0].custom);
	assert_true(r.adv.affected[0].ranges[1].custom);
	assert_string_equal(r.adv.affected[0].ranges[1].events[1].version,
			    "5.0.4-0.20231016150651-428517fef5b9");
	assert_non_null(strstr(r.adv.affected[0].extra_json, "\"imports\""));
	assert_string_equal(r.adv.affected[1].package, "stdlib");
	assert_string_equal(r.adv.url, "https://pkg.go.dev/vuln/GO-2023-2385");
}

/* Entries without anything to match on are dropped, not the record. */
/* Rating words: database_specific/ecosystem_specific "severity" per package, OSV type "Ubuntu". */
static void test_rating_words(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r = parse_ok(
		f,
		"{\"id\": \"UBUNTU-CVE-2099-1\", \"severity\": [{\"type\": \"Ubuntu\", \"score\": "
		"\"medium\"}],"
		" \"affected\": [{\"package\": {\"ecosystem\": \"Ubuntu:22.04:LTS\", \"name\": "
		"\"a\"},"
		"   \"ecosystem_specific\": {\"severity\": \"negligible\"}, \"versions\": [\"1\"]},"
		"  {\"package\": {\"ecosystem\": \"npm\", \"name\": \"b\"},"
		"   \"database_specific\": {\"severity\": \"HIGH\"}, \"versions\": [\"1\"]}]}");
	assert_string_equal(r.adv.severity, "medium");
	assert_string_equal(r.adv.affected[0].severity, "negligible");
	assert_string_equal(r.adv.affected[1].severity, "HIGH");
}

static void test_unmatchable_entries(void **state)
{
	fx *f = *state;
	ld_vdb_osv_record r = parse_ok(
		f, "{\"id\": \"PYSEC-2099-3\", \"affected\": ["
		   " {\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"a\"}, \"ranges\": "
		   "[{\"type\": \"GIT\", \"events\": [{\"introduced\": \"0\"}]}]},"
		   " {\"package\": {\"ecosystem\": \"PyPI\"}, \"versions\": [\"1\"]},"
		   " {\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"b\"}, \"versions\": "
		   "[\"1\"]}]}");
	assert_int_equal(r.adv.naffected, 1);
	assert_string_equal(r.adv.affected[0].package, "b");
	assert_int_equal(r.entries_dropped, 2);
	assert_int_equal(lading_ctx_warning_count(f->ctx), 1); /* the entry without a name */
}

static void test_malformed(void **state)
{
	fx *f = *state;
	static const char *const bad[] = {
		"",
		"[]",
		"{\"summary\": \"no id\"}",
		"{\"id\": \"\"}",
		"{\"id\": \"A B\"}",
		"{\"id\": \"X-1\", \"affected\": {}}",
		"{\"id\": \"X-1\", \"aliases\": \"CVE-1\"}",
		"{\"id\": \"X-1\", \"modified\": 5}",
		"{\"id\": \"X-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", "
		"\"name\": \"a\"},"
		" \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\", "
		"\"fixed\": \"1\"}]}]}]}",
		"{\"id\": \"X-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", "
		"\"name\": \"a\"},"
		" \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"fixed\": 1}]}]}]}",
		"{\"id\": \"X-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", "
		"\"name\": \"a\"},"
		" \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"bogus\": \"1\"}]}]}]}",
		"{\"id\": \"X-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", "
		"\"name\": \"a\"},"
		" \"ranges\": [{\"events\": []}]}]}",
		"{\"id\": \"X-1\"",
	};
	for (size_t i = 0; i < LD_ARRAY_LEN(bad); i++) {
		ld_vdb_osv_record r;
		int rc = ld_vdb_osv_parse(&r, &f->a, bad[i], strlen(bad[i]), "t.json", f->ctx);
		if (rc != LADING_EINVALID)
			fail_msg("case %zu: rc %d", i, rc);
		/* the message names the record when it has an ID */
		if (i >= 5 && i != LD_ARRAY_LEN(bad) - 1)
			assert_non_null(strstr(lading_ctx_error(f->ctx)->msg, "X-1"));
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[1024];
	FILE *fp;
	ld_snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A directory of records through the writer: malformed records are skipped with a warning that
 * names the file and the ID; withdrawn ones are counted; the rest is queryable. */
static void test_import_dir(void **state)
{
	fx *f = *state;
	const char *w = getenv("LADING_WORK");
	char dir[512], sub[600], db[600];
	ld_vdb_store *st;
	ld_vdb_writer *wr;
	ld_vdb_import_result res;
	ld_vdb *q;
	ld_vdb_q_affected *e;
	ld_vdb_q_advisory *adv;
	size_t n;
	bool named = false;

	ld_snprintf(dir, sizeof(dir), "%s/unit-osv", w ? w : "/tmp");
	mkdir(w ? w : "/tmp", 0755);
	mkdir(dir, 0755);
	ld_snprintf(sub, sizeof(sub), "%s/records", dir);
	mkdir(sub, 0755);
	write_file(sub, "PYSEC-1.json",
		   "{\"id\": \"PYSEC-1\", \"modified\": \"2024-01-02T00:00:00Z\", \"aliases\": "
		   "[\"CVE-2024-9\"],"
		   " \"severity\": [{\"type\": \"CVSS_V3\", \"score\": "
		   "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
		   " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"Django\"},"
		   " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, "
		   "{\"fixed\": \"4.2\"}]}]}]}");
	write_file(sub, "PYSEC-2.json",
		   "{\"id\": \"PYSEC-2\", \"withdrawn\": \"2024-01-01T00:00:00Z\"}");
	write_file(sub, "PYSEC-3.json",
		   "{\"id\": \"PYSEC-3\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", "
		   "\"name\": \"a\"},"
		   " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"bogus\": \"1\"}]}]}]}");
	write_file(sub, "notes.txt", "not a record");
	ld_snprintf(db, sizeof(db), "%s/osv.sqlite", dir);
	assert_int_equal(ld_vdb_store_open(&st, db, f->ctx), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "osv/PyPI", sub, &wr), 0);
	assert_int_equal(ld_vdb_import_osv(wr, sub, &res, f->ctx), 0);
	assert_int_equal(ld_vdb_store_feed_end(st, wr, 0, &res), 0);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
	assert_int_equal(res.records, 1);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(res.skipped, 1);
	assert_string_equal(res.snapshot, "2024-01-02T00:00:00Z");
	for (size_t i = 0; i < lading_ctx_warning_kept(f->ctx); i++) {
		const char *m = lading_ctx_warning(f->ctx, i);
		if (strstr(m, "PYSEC-3.json") && strstr(m, "PYSEC-3:"))
			named = true;
	}
	assert_true(named);

	assert_int_equal(ld_vdb_open(&q, db, f->ctx), 0);
	assert_int_equal(ld_vdb_affected_get(q, "PyPI", "django", &f->a, &e, &n, f->ctx), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].id, "PYSEC-1");
	assert_string_equal(e[0].name, "Django");
	assert_int_equal(ld_vdb_advisory_get(q, e[0].advisory, &f->a, &adv, f->ctx), 0);
	assert_string_equal(adv->aliases[0], "CVE-2024-9");
	assert_true(adv->cvss_score > 9.7 && adv->cvss_score < 9.9);
	assert_string_equal(adv->cvss_version, "3.1");
	assert_string_equal(adv->url, "https://osv.dev/vulnerability/PYSEC-1");
	ld_vdb_close(q);

	/* a missing input fails as a whole */
	{
		char missing[700];
		ld_snprintf(missing, sizeof(missing), "%s/nope", dir);
		assert_int_equal(ld_vdb_import_osv(NULL, missing, &res, f->ctx), LADING_ENOTFOUND);
		/* not a zip: a file that is neither a record nor an archive is one bad record */
		write_file(dir, "junk.zip", "PK\x03\x04 truncated");
		ld_snprintf(missing, sizeof(missing), "%s/junk.zip", dir);
		assert_true(ld_vdb_import_osv(NULL, missing, &res, f->ctx) < 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdrawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_informational, setup, teardown),
		cmocka_unit_test_setup_teardown(test_almalinux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bitnami, setup, teardown),
		cmocka_unit_test_setup_teardown(test_go_custom_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rating_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatchable_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Language packages and binaries in the match stage: where each ecosystem's packages are looked
 * up, NVD CPE bounds (letter versions, exact versions, update fields), and a whole match over a
 * small database: OSV ecosystems, Go stdlib, crates.io notices, os_managed, NVD CPEs, Bitnami. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "match/match.h"
#include "vulndb/vdb.h"

static int sign(int x)
{
	return x < 0 ? -1 : x > 0;
}

static void test_cpe_versions(void **state)
{
	const char *td = getenv("LADING_TESTDATA");
	char path[4096], line[256];
	FILE *f;
	size_t n = 0;
	(void)state;
	snprintf(path, sizeof(path), "%s/binary/cpe-versions.txt", td ? td : "tests/data");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char a[64], op[4], b[64];
		bool minor;
		int want, got;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%63s %3s %63s", a, op, b), 3);
		minor = op[1] == 'm';
		want = op[0] == '<' ? -1 : op[0] == '>' ? 1 : 0;
		got = sign(ld_match_cpe_vercmp(ld_slice_cstr(a), ld_slice_cstr(b), minor));
		if (got != want)
			fail_msg("%s %s %s: got %d", a, op, b, got);
		if (!minor &&
		    sign(ld_match_cpe_vercmp(ld_slice_cstr(b), ld_slice_cstr(a), false)) != -want)
			fail_msg("%s %s %s: not antisymmetric", a, op, b);
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
}

static bool cpe_hit(const char *cpe23, const char *version, const char *si, const char *ee,
		    const char *ei, const char *v, bool minor, const char **fixed)
{
	ld_vdb_cpe_match m;
	const char *fx;
	bool r;
	memset(&m, 0, sizeof(m));
	m.cve = "CVE-1";
	m.cpe23 = cpe23;
	m.version = version;
	m.start_incl = si;
	m.end_excl = ee;
	m.end_incl = ei;
	r = ld_match_cpe(&m, ld_slice_cstr(v), minor, &fx);
	if (fixed)
		*fixed = fx;
	return r;
}

static void test_cpe_match(void **state)
{
	const char *star = "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", *fix;
	(void)state;
	/* Heartbleed as NVD's current configuration has it: [1.0.1, 1.0.1g) */
	assert_true(cpe_hit(star, "*", "1.0.1", "1.0.1g", NULL, "1.0.1f", false, &fix));
	assert_string_equal(fix, "1.0.1g");
	assert_true(cpe_hit(star, "*", "1.0.1", "1.0.1g", NULL, "1.0.1", false, NULL));
	assert_false(cpe_hit(star, "*", "1.0.1", "1.0.1g", NULL, "1.0.1g", false, NULL));
	assert_false(cpe_hit(star, "*", "1.0.1", "1.0.1g", NULL, "1.0.0l", false, NULL));
	assert_false(cpe_hit(star, "*", "1.0.1", "1.0.1g", NULL, "3.0.22", false, NULL));
	/* and as older data lists it: one exact version per CPE */
	assert_true(cpe_hit("cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", "1.0.1f", NULL, NULL,
			    NULL, "1.0.1f", false, NULL));
	assert_false(cpe_hit("cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", "1.0.1f", NULL, NULL,
			     NULL, "1.0.1", false, NULL));
	assert_true(cpe_hit("cpe:2.3:a:openssl:openssl:1.0.2:beta1:*:*:*:*:*:*", "1.0.2", NULL,
			    NULL, NULL, "1.0.2-beta1", false, NULL));
	assert_false(cpe_hit("cpe:2.3:a:openssl:openssl:1.0.2:beta1:*:*:*:*:*:*", "1.0.2", NULL,
			     NULL, NULL, "1.0.2", false, NULL));
	/* bash: "through 4.3" covers every 4.3 patch level; "4.4" + "patch2" is 4.4.2 */
	assert_true(cpe_hit("cpe:2.3:a:gnu:bash:*:*:*:*:*:*:*:*", "*", NULL, NULL, "4.3", "4.3.24",
			    true, NULL));
	assert_false(cpe_hit("cpe:2.3:a:gnu:bash:*:*:*:*:*:*:*:*", "*", NULL, NULL, "4.3", "5.2.15",
			     true, NULL));
	assert_true(cpe_hit("cpe:2.3:a:gnu:bash:4.3:*:*:*:*:*:*:*", "4.3", NULL, NULL, NULL,
			    "4.3.11", true, NULL));
	assert_true(cpe_hit("cpe:2.3:a:gnu:bash:4.4:patch2:*:*:*:*:*:*", "4.4", NULL, NULL, NULL,
			    "4.4.2", true, NULL));
	assert_false(cpe_hit("cpe:2.3:a:gnu:bash:4.4:patch2:*:*:*:*:*:*", "4.4", NULL, NULL, NULL,
			     "4.4.3", true, NULL));
	assert_true(cpe_hit("cpe:2.3:a:gnu:bash:3.2.48:*:*:*:*:*:*:*", "3.2.48", NULL, NULL, NULL,
			    "3.2.48", true, NULL));
	assert_false(cpe_hit("cpe:2.3:a:gnu:bash:3.2.48:*:*:*:*:*:*:*", "3.2.48", NULL, NULL, NULL,
			     "3.2.57", true, NULL));
	/* not an application, or "not applicable" */
	assert_false(cpe_hit("cpe:2.3:o:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", "1.0.1f", NULL, NULL,
			     NULL, "1.0.1f", false, NULL));
	assert_false(
	    cpe_hit("cpe:2.3:a:x:y:-:*:*:*:*:*:*:*", "-", NULL, NULL, NULL, "1.0", false, NULL));
}

static lading_package pkg(const char *type, const char *name, const char *version, const char *purl)
{
	lading_package p;
	memset(&p, 0, sizeof(p));
	p.type = type;
	p.name = name;
	p.version = version;
	p.purl = purl;
	p.epoch = -1;
	p.layer = -1;
	return p;
}

static void test_lang_keys(void **state)
{
	static const struct {
		const char *type, *name, *version, *purl, *eco, *key;
	} t[] = {
	    {"pypi", "Django", "2.2.0", "pkg:pypi/django@2.2.0", "PyPI", "Django"},
	    {"npm", "pkg", "1.0.0", "pkg:npm/%40scope/pkg@1.0.0", "npm", "@scope/pkg"},
	    {"npm", "lodash", "4.17.20", "pkg:npm/lodash@4.17.20", "npm", "lodash"},
	    {"maven", "log4j-core", "2.14.1",
	     "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven",
	     "org.apache.logging.log4j:log4j-core"},
	    {"golang", "golang.org/x/text", "v0.3.7", "pkg:golang/golang.org/x/text@v0.3.7", "Go",
	     "golang.org/x/text"},
	    {"golang", "stdlib", "1.19.8", "pkg:golang/stdlib@1.19.8", "Go", "stdlib"},
	    {"gem", "rack", "2.2.3", NULL, "RubyGems", "rack"},
	    {"cargo", "smallvec", "1.6.0", "pkg:cargo/smallvec@1.6.0", "crates.io", "smallvec"},
	    {"composer", "framework", "8.0.0", "pkg:composer/laravel/framework@8.0.0", "Packagist",
	     "laravel/framework"},
	    {"nuget", "Newtonsoft.Json", "12.0.1", "pkg:nuget/Newtonsoft.Json@12.0.1", "NuGet",
	     "Newtonsoft.Json"},
	};
	ld_arena a;
	ld_match_key k;
	lading_package p;
	(void)state;
	ld_arena_init(&a, 0);
	for (size_t i = 0; i < LD_ARRAY_LEN(t); i++) {
		p = pkg(t[i].type, t[i].name, t[i].version, t[i].purl);
		assert_true(ld_match_lang_key(&p, &a, &k));
		assert_string_equal(k.ecosystem, t[i].eco);
		assert_string_equal(k.package, t[i].key);
		assert_string_equal(k.version, t[i].version);
	}
	p = pkg("golang", "example.com/m", "(devel)", NULL);
	assert_false(ld_match_lang_key(&p, &a, &k));
	p = pkg("deb", "bash", "5.2", NULL);
	assert_false(ld_match_lang_key(&p, &a, &k));
	p = pkg("binary", "openssl", "1.0.1f", NULL);
	assert_false(ld_match_lang_key(&p, &a, &k));
	assert_null(ld_match_purl_name(&a, "not a purl", '/'));
	assert_string_equal(ld_match_purl_name(&a, "pkg:maven/g/a@1?type=jar#x", ':'), "g:a");
	ld_arena_release(&a);
}

/* ---- a whole match over a small database ---- */

static char dbpath[512];

static void put_osv(ld_vdb_writer *w, const char *id, const char *cve, const char *eco,
		    const char *pkgname, const char *introduced, const char *fixed,
		    const char *informational)
{
	ld_vdb_event ev[] = {{"introduced", introduced}, {"fixed", fixed}};
	ld_vdb_range r[] = {{"ECOSYSTEM", ev, 2, false}};
	const char *aliases[] = {cve};
	ld_vdb_affected af = {.ecosystem = eco, .package = pkgname, .ranges = r, .nranges = 1};
	ld_vdb_advisory adv = {.source = "osv",
			       .id = id,
			       .aliases = aliases,
			       .naliases = cve ? 1 : 0,
			       .summary = id,
			       .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
			       .cvss_score = -1,
			       .informational = informational,
			       .affected = &af,
			       .naffected = 1};
	assert_int_equal(ld_vdb_put_advisory(w, &adv), 0);
}

static void put_nvd(ld_vdb_writer *w, const char *cve, const char *cpe23, const char *vendor,
		    const char *product, const char *version, const char *end_excl,
		    const char *end_incl)
{
	ld_vdb_nvd nvd = {.cve = cve,
			  .description = "A flaw. More words.",
			  .v3_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
			  .v3_score = 7.5,
			  .v3_severity = "HIGH",
			  .v2_score = -1};
	ld_vdb_cpe_match m = {.cve = cve,
			      .cpe23 = cpe23,
			      .part = "a",
			      .vendor = vendor,
			      .product = product,
			      .version = version,
			      .end_excl = end_excl,
			      .end_incl = end_incl};
	assert_int_equal(ld_vdb_put_nvd(w, &nvd), 0);
	assert_int_equal(ld_vdb_put_cpe_match(w, &m), 0);
}

static void build_db(lading_ctx *ctx)
{
	const char *work = getenv("LADING_WORK");
	char dir[400];
	ld_vdb_store *st;
	ld_vdb_writer *w;
	ld_vdb_import_result res = {0};
	ld_snprintf(dir, sizeof(dir), "%s/unit-binmatch", work ? work : "/tmp");
	mkdir(work ? work : "/tmp", 0755);
	mkdir(dir, 0755);
	ld_snprintf(dbpath, sizeof(dbpath), "%s/db.sqlite", dir);
	assert_int_equal(ld_vdb_store_open(&st, dbpath, ctx), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "osv/test", "test", &w), 0);
	put_osv(w, "GHSA-npm1", "CVE-2099-0001", "npm", "@scope/pkg", "0", "1.0.1", NULL);
	put_osv(w, "GHSA-mvn1", "CVE-2021-44228", "Maven", "org.apache.logging.log4j:log4j-core",
		"2.0", "2.15.0", NULL);
	put_osv(w, "GHSA-gem1", "CVE-2099-0003", "RubyGems", "rack", "0", "2.2.4", NULL);
	put_osv(w, "GHSA-php1", "CVE-2099-0004", "Packagist", "laravel/framework", "0", "8.1.0",
		NULL);
	put_osv(w, "GHSA-nuget1", "CVE-2099-0005", "NuGet", "Newtonsoft.Json", "0", "13.0.1", NULL);
	put_osv(w, "RUSTSEC-2099-0001", "CVE-2099-0006", "crates.io", "smallvec", "0.0.0-0",
		"1.6.1", NULL);
	put_osv(w, "RUSTSEC-2099-0002", NULL, "crates.io", "smallvec", "0.0.0-0", "9.0.0",
		"unmaintained");
	put_osv(w, "RUSTSEC-2099-0003", "CVE-2099-0007", "crates.io", "mylocal", "0.0.0-0", "9.0.0",
		NULL);
	put_osv(w, "GO-2099-0001", "CVE-2099-0008", "Go", "stdlib", "0", "1.19.9", NULL);
	put_osv(w, "GO-2099-0002", "CVE-2099-0009", "Go", "example.com/m", "0", "9.0.0", NULL);
	put_osv(w, "PYSEC-2099-1", "CVE-2099-0010", "PyPI", "django", "0", "3.0", NULL);
	put_osv(w, "BIT-redis-2099-1", "CVE-2099-0011", "Bitnami", "redis", "7.0.0", "7.0.16",
		NULL);
	put_nvd(w, "CVE-2014-0160", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", "openssl",
		"openssl", "*", "1.0.1g", NULL);
	put_nvd(w, "CVE-2014-6271", "cpe:2.3:a:gnu:bash:*:*:*:*:*:*:*:*", "gnu", "bash", "*", NULL,
		"4.3");
	put_nvd(w, "CVE-2099-0011", "cpe:2.3:a:redis:redis:*:*:*:*:*:*:*:*", "redis", "redis", "*",
		"7.0.16", NULL);
	res.records = 16;
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
}

static const lading_finding *finding(const ld_match_result *r, const char *id, const char *pkgname)
{
	for (size_t i = 0; i < r->findings.len; i++) {
		const lading_finding *f = ld_vec_at(&r->findings, i);
		if (!strcmp(f->id, id) && !strcmp(f->package->name, pkgname))
			return f;
	}
	return NULL;
}

static void run(lading_ctx *ctx, const lading_package *pkgs, size_t n, int include_os_managed,
		ld_match_result *r)
{
	const lading_package *pp[32];
	lading_os os;
	ld_match_input in;
	lading_scan_options opts = LADING_SCAN_OPTIONS_INIT;
	ld_vdb *db;
	memset(&os, 0, sizeof(os));
	for (size_t i = 0; i < n; i++)
		pp[i] = &pkgs[i];
	in.os = &os;
	in.pkgs = pp;
	in.npkgs = n;
	opts.include_os_managed = include_os_managed;
	opts.today = "2026-01-01";
	assert_int_equal(ld_vdb_open(&db, dbpath, ctx), 0);
	ld_match_result_init(r);
	assert_int_equal(ld_match_run(r, db, &in, &opts, ctx), 0);
	ld_vdb_close(db);
}

static void test_whole_match(void **state)
{
	lading_ctx *ctx;
	ld_match_result r;
	const lading_finding *f;
	lading_package p[16];
	size_t n = 0;
	bool noted = false;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	build_db(ctx);
	p[n++] = pkg("npm", "pkg", "1.0.0", "pkg:npm/%40scope/pkg@1.0.0");
	p[n++] = pkg("maven", "log4j-core", "2.14.1",
		     "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
	p[n++] = pkg("gem", "rack", "2.2.3", NULL);
	p[n++] =
	    pkg("composer", "laravel/framework", "8.0.0", "pkg:composer/laravel/framework@8.0.0");
	p[n++] = pkg("nuget", "Newtonsoft.Json", "12.0.1", NULL);
	p[n++] = pkg("cargo", "smallvec", "1.6.0", NULL);
	p[n] = pkg("cargo", "mylocal", "1.0.0", NULL);
	p[n++].flags = LADING_PKG_LOCAL;
	p[n++] = pkg("golang", "stdlib", "1.19.8", NULL);
	p[n++] = pkg("golang", "example.com/m", "(devel)", NULL);
	p[n] = pkg("pypi", "Django", "2.2.0", NULL);
	p[n++].flags = LADING_PKG_OS_MANAGED;
	p[n++] = pkg("binary", "openssl", "1.0.1f", NULL);
	p[n++] = pkg("binary", "bash", "4.3.24", NULL);
	p[n++] = pkg("binary", "bash", "5.2.15", NULL);
	p[n++] = pkg("binary", "redis", "7.0.15", NULL);

	run(ctx, p, n, 0, &r);
	assert_non_null(finding(&r, "CVE-2099-0001", "pkg"));
	assert_non_null(f = finding(&r, "CVE-2021-44228", "log4j-core"));
	assert_string_equal(f->fixed_versions[0], "2.15.0");
	assert_non_null(finding(&r, "CVE-2099-0003", "rack"));
	assert_non_null(finding(&r, "CVE-2099-0004", "laravel/framework"));
	assert_non_null(finding(&r, "CVE-2099-0005", "Newtonsoft.Json"));
	assert_non_null(finding(&r, "CVE-2099-0006", "smallvec"));
	assert_null(finding(&r, "RUSTSEC-2099-0002", "smallvec")); /* unmaintained: a notice */
	assert_null(finding(&r, "CVE-2099-0007", "mylocal"));	   /* not a crates.io release */
	assert_non_null(finding(&r, "CVE-2099-0008", "stdlib"));
	assert_null(finding(&r, "CVE-2099-0009", "example.com/m"));
	assert_null(finding(&r, "CVE-2099-0010", "Django")); /* os_managed */
	/* binaries: NVD CPE configurations, rated by NVD */
	assert_non_null(f = finding(&r, "CVE-2014-0160", "openssl"));
	assert_string_equal(f->fixed_versions[0], "1.0.1g");
	assert_string_equal(f->severity_source, "nvd");
	assert_int_equal(f->severity, LADING_SEVERITY_HIGH);
	assert_string_equal(f->advisories[0], "nvd:CVE-2014-0160");
	assert_string_equal(f->url, "https://nvd.nist.gov/vuln/detail/CVE-2014-0160");
	assert_string_equal(f->title, "A flaw.");
	assert_non_null(f = finding(&r, "CVE-2014-6271", "bash"));
	assert_string_equal(f->package->version, "4.3.24");
	for (size_t i = 0; i < r.findings.len; i++) {
		f = ld_vec_at(&r.findings, i);
		assert_false(!strcmp(f->package->name, "bash") &&
			     !strcmp(f->package->version, "5.2.15"));
	}
	/* redis: the Bitnami record and NVD's CPE are one finding with both advisories */
	assert_non_null(f = finding(&r, "CVE-2099-0011", "redis"));
	assert_int_equal(f->advisory_count, 2);
	for (size_t i = 0; i < r.notes.len; i++)
		noted |=
		    strstr(*(const char **)ld_vec_at(&r.notes, i), "--include-os-managed") != NULL;
	assert_true(noted);
	ld_match_result_release(&r);

	/* --include-os-managed */
	run(ctx, p, n, 1, &r);
	assert_non_null(finding(&r, "CVE-2099-0010", "Django"));
	ld_match_result_release(&r);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cpe_versions),
	    cmocka_unit_test(test_cpe_match),
	    cmocka_unit_test(test_lang_keys),
	    cmocka_unit_test(test_whole_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

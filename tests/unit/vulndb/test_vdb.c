/* Writer/query roundtrip, merges, failed feeds, carry-over, name normalization. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "vulndb/query.h"
#include "vulndb/schema.h"
#include "vulndb/vdb.h"

static char scratch[512];

static const char *scratch_path(const char *name)
{
	const char *w = getenv("LADING_WORK");
	char dir[400];
	ld_snprintf(dir, sizeof(dir), "%s/unit-vdb", w ? w : "/tmp");
	mkdir(w ? w : "/tmp", 0755);
	mkdir(dir, 0755);
	ld_snprintf(scratch, sizeof(scratch), "%s/%s", dir, name);
	return scratch;
}

static void test_ecosystem_normalize(void **state)
{
	static const char *const cases[][2] = {
		{"alpine:v3.9", "Alpine:v3.9"},
		{"Alpine:3.9", "Alpine:v3.9"},
		{"Alpine:3.9.6", "Alpine:v3.9"},
		{"alpine:edge", "Alpine:edge"},
		{"Alpine:v3.14.0_alpha20210212", "Alpine:v3.14"},
		{"debian:11", "Debian:11"},
		{"bullseye", "Debian:11"},
		{"Debian:bookworm", "Debian:12"},
		{"debian:11.5", "Debian:11"},
		{"Debian:3.0", "Debian:3.0"},
		{"woody", "Debian:3.0"},
		{"Debian:4.0", "Debian:4"},
		{"AlmaLinux:8", "AlmaLinux:8"},
		{"sid", "Debian:unstable"},
		{"Debian:unstable", "Debian:unstable"},
		{"almalinux:9.4", "AlmaLinux:9"},
		{"pypi", "PyPI"},
		{"PyPI", "PyPI"},
		{"go", "Go"},
		{"Go", "Go"},
		{"crates.io", "crates.io"},
		{"cargo", "crates.io"},
		{"bitnami", "Bitnami"},
		{"npm", "npm"},
		{"NPM", "npm"},
		{"maven", "Maven"},
		{"rubygems", "RubyGems"},
		{"packagist", "Packagist"},
		{"nuget", "NuGet"},
		{"Ubuntu:22.04:LTS", "Ubuntu:22.04:LTS"},
		{" Alpine:v3.20 ", "Alpine:v3.20"},
		{"SomethingNew:1", "SomethingNew:1"},
	};
	char out[LD_VDB_NAME_MAX + 1];
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(cases); i++) {
		assert_int_equal(ld_vdb_ecosystem_normalize(cases[i][0], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i][1]);
		/* idempotent */
		assert_int_equal(ld_vdb_ecosystem_normalize(cases[i][1], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(ld_vdb_ecosystem_normalize("", out, sizeof(out)), LADING_EINVALID);
	assert_int_equal(ld_vdb_ecosystem_normalize(":3", out, sizeof(out)), LADING_EINVALID);
	assert_int_equal(ld_vdb_ecosystem_normalize("a\nb", out, sizeof(out)), LADING_EINVALID);
	assert_int_equal(ld_vdb_ecosystem_normalize("Alpine:v3.9", out, 5), LADING_ELIMIT);
}

static void test_package_normalize(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(ld_vdb_package_normalize("PyPI", "Django", out, sizeof(out)), 0);
	assert_string_equal(out, "django");
	assert_int_equal(ld_vdb_package_normalize("PyPI", "zope.interface", out, sizeof(out)), 0);
	assert_string_equal(out, "zope-interface");
	assert_int_equal(ld_vdb_package_normalize("PyPI", "Foo__-.Bar", out, sizeof(out)), 0);
	assert_string_equal(out, "foo-bar");
	assert_int_equal(ld_vdb_package_normalize("NuGet", "Newtonsoft.Json", out, sizeof(out)), 0);
	assert_string_equal(out, "newtonsoft.json");
	assert_int_equal(
		ld_vdb_package_normalize("Go", "github.com/BurntSushi/toml", out, sizeof(out)), 0);
	assert_string_equal(out, "github.com/BurntSushi/toml");
	assert_int_equal(ld_vdb_package_normalize("Alpine:v3.9", "py3-Foo_bar", out, sizeof(out)),
			 0);
	assert_string_equal(out, "py3-Foo_bar");
	assert_int_equal(ld_vdb_package_normalize("PyPI", "", out, sizeof(out)), LADING_EINVALID);
	assert_int_equal(ld_vdb_package_normalize("PyPI", "abcdefgh", out, 4), LADING_ELIMIT);
}

/* Two feeds, a merge by (source, id), a duplicate entry, KEV/EPSS/NVD/CPE. */
static void fill(ld_vdb_store *st, lading_ctx *ctx, bool fail_second)
{
	ld_vdb_writer *w;
	ld_vdb_import_result res = {0};
	ld_vdb_event ev1[] = {{"introduced", "0"}, {"fixed", "1.2.3"}};
	ld_vdb_event ev2[] = {{"introduced", "2.0"}, {"last_affected", "2.4"}, {"bogus", "x"}};
	ld_vdb_event ev3[] = {{"introduced", "0"},
			      {"fixed", "5.0.4-0.20231016150651-428517fef5b9"}};
	ld_vdb_range r1[] = {{"ECOSYSTEM", ev1, 2, false}, {"GIT", ev1, 2, false}};
	ld_vdb_range r2[] = {{"SEMVER", ev2, 3, false}, {"ECOSYSTEM", ev3, 2, true}};
	const char *vers[] = {"1.0", "1.1"};
	const char *aliases[] = {"GHSA-xxxx-yyyy-zzzz", "CVE-2024-0002"};
	const char *related[] = {"CVE-2024-0001"};
	ld_vdb_affected aff[] = {
		{.ecosystem = "pypi",
		 .package = "Django_Foo",
		 .purl = "pkg:pypi/django-foo",
		 .ranges = r1,
		 .nranges = 2,
		 .versions = vers,
		 .nversions = 2},
		{.ecosystem = "Go",
		 .package = "example.com/m",
		 .ranges = r2,
		 .nranges = 2,
		 .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
	};
	ld_vdb_advisory adv = {.source = "osv",
			       .id = "PYSEC-2024-1",
			       .aliases = aliases,
			       .naliases = 2,
			       .related = related,
			       .nrelated = 1,
			       .summary = "sum",
			       .details = "det",
			       .published = "2024-01-01T00:00:00Z",
			       .url = "https://example.com/a",
			       .severity = "Important",
			       .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
			       .cvss_score = -1,
			       .affected = aff,
			       .naffected = 2};
	ld_vdb_affected aff2[] = {{.ecosystem = "alpine:3.9",
				   .package = "openssl",
				   .status = "unfixed",
				   .severity = "unimportant"}};
	ld_vdb_advisory adv2 = {.source = "alpine-secdb",
				.id = "CVE-2024-0001",
				.affected = aff2,
				.naffected = 1,
				.cvss_score = -1};
	ld_vdb_kev kev = {.cve = "CVE-2024-0001",
			  .vendor = "V",
			  .product = "P",
			  .date_added = "2024-02-01",
			  .due_date = "2024-02-22",
			  .ransomware = "Known"};
	ld_vdb_nvd nvd = {.cve = "CVE-2024-0001",
			  .v3_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			  .v3_score = 9.8,
			  .v3_severity = "CRITICAL",
			  .v2_score = -1};
	ld_vdb_cpe_match m1 = {.cve = "CVE-2024-0001",
			       .cpe23 = "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
			       .part = "a",
			       .vendor = "openssl",
			       .product = "openssl",
			       .version = "*",
			       .end_excl = "1.1.1"};

	assert_int_equal(ld_vdb_store_feed_begin(st, "osv/PyPI", "/mirror/osv/PyPI/all.zip", &w),
			 0);
	assert_int_equal(ld_vdb_put_advisory(w, &adv), 0);
	/* the same advisory again: nothing new */
	assert_int_equal(ld_vdb_put_advisory(w, &adv), 0);
	res.records = 1;
	ld_strlcpy(res.snapshot, "2024-10-10", sizeof(res.snapshot));
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);

	assert_int_equal(ld_vdb_store_feed_begin(st, "alpine-secdb", "/mirror/alpine-secdb", &w),
			 0);
	assert_int_equal(ld_vdb_put_advisory(w, &adv2), 0);
	/* merge: same ID, another release */
	aff2[0].ecosystem = "Alpine:v3.10";
	aff2[0].status = NULL;
	aff2[0].ranges = r1;
	aff2[0].nranges = 1;
	assert_int_equal(ld_vdb_put_advisory(w, &adv2), 0);
	assert_int_equal(ld_vdb_put_kev(w, &kev), 0);
	assert_int_equal(ld_vdb_put_epss(w, "CVE-2024-0001", 0.5, 0.9), 0);
	assert_int_equal(ld_vdb_put_epss(w, "CVE-2024-0001", 0.25, 0.75), 0); /* replaces */
	assert_int_equal(ld_vdb_put_epss(w, "CVE-2024-0001", 1.5, 0.75), LADING_EINVALID);
	assert_int_equal(ld_vdb_put_nvd(w, &nvd), 0);
	assert_int_equal(ld_vdb_put_cpe_match(w, &m1), 0);
	assert_int_equal(ld_vdb_put_cpe_match(w, &m1), 0);
	/* a newer NVD item for the CVE replaces the row and its CPE matches */
	nvd.v3_score = 7.5;
	assert_int_equal(ld_vdb_put_nvd(w, &nvd), 0);
	assert_int_equal(ld_vdb_put_cpe_match(w, &m1), 0);
	res.records = 1;
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);

	assert_int_equal(ld_vdb_store_feed_begin(st, "debian-dsa", "/mirror/debian/DSA.list", &w),
			 0);
	{
		ld_vdb_affected a3[] = {{.ecosystem = "bullseye",
					 .package = "openssl",
					 .ranges = r1,
					 .nranges = 1}};
		ld_vdb_advisory adv3 = {.source = "debian-dsa",
					.id = "DSA-5000-1",
					.affected = a3,
					.naffected = 1,
					.cvss_score = -1};
		assert_int_equal(ld_vdb_put_advisory(w, &adv3), 0);
	}
	if (fail_second) {
		int rc = ld_error_set(ctx, LADING_EINVALID, "DSA.list: not a DSA list");
		assert_int_equal(ld_vdb_store_feed_end(st, w, rc, NULL), 0);
	} else {
		assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);
	}
	/* the same feed twice is a usage error */
	assert_int_equal(ld_vdb_store_feed_begin(st, "alpine-secdb", NULL, &w), LADING_EUSAGE);
}

/* A database at `path` written from fill(). */
static void build(const char *path, lading_ctx *ctx, bool fail_second)
{
	ld_vdb_store *st;
	assert_int_equal(ld_vdb_store_open(&st, path, ctx), 0);
	fill(st, ctx, fail_second);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
}

static void test_roundtrip(void **state)
{
	lading_ctx *ctx;
	ld_vdb *db;
	ld_arena a;
	ld_vdb_q_affected *e;
	ld_vdb_q_advisory *adv;
	ld_vdb_kev *kev;
	ld_vdb_q_epss *ep;
	ld_vdb_nvd *nvd;
	ld_vdb_cpe_match *cm;
	ld_vdb_q_meta *meta;
	const char *const *ecos;
	int64_t *keys;
	size_t n;
	const char *path = scratch_path("roundtrip.sqlite");
	(void)state;

	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	build(path, ctx, true);

	assert_int_equal(ld_vdb_open(&db, path, ctx), 0);
	/* raw names are normalized on the query side too */
	assert_int_equal(ld_vdb_affected_get(db, "PyPI", "django.foo", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].source, "osv");
	assert_string_equal(e[0].id, "PYSEC-2024-1");
	assert_string_equal(e[0].package, "django-foo");
	assert_string_equal(e[0].name, "Django_Foo");
	assert_string_equal(e[0].purl, "pkg:pypi/django-foo");
	assert_int_equal(e[0].nranges, 1); /* GIT dropped */
	assert_string_equal(e[0].ranges[0].type, "ECOSYSTEM");
	assert_int_equal(e[0].ranges[0].nevents, 2);
	assert_string_equal(e[0].ranges[0].events[1].kind, "fixed");
	assert_string_equal(e[0].ranges[0].events[1].version, "1.2.3");
	assert_int_equal(e[0].nversions, 2);
	assert_string_equal(e[0].versions[1], "1.1");
	assert_null(e[0].status);
	assert_true(e[0].cvss_score < 0);

	assert_int_equal(ld_vdb_affected_get(db, "go", "example.com/m", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].nranges, 2);
	assert_int_equal(e[0].ranges[0].nevents, 2); /* the bogus event is dropped */
	assert_string_equal(e[0].ranges[0].events[1].kind, "last_affected");
	assert_true(e[0].ranges[1].custom);
	assert_false(e[0].ranges[0].custom);
	assert_true(e[0].cvss_score > 9.7 && e[0].cvss_score < 9.9);
	assert_string_equal(e[0].severity, "critical");

	assert_int_equal(ld_vdb_advisory_get(db, e[0].advisory, &a, &adv, ctx), 0);
	assert_string_equal(adv->id, "PYSEC-2024-1");
	assert_string_equal(adv->feed, "osv/PyPI");
	assert_int_equal(adv->naliases, 3);
	assert_string_equal(adv->aliases[0], "CVE-2024-0001");
	assert_string_equal(adv->alias_kinds[0], "related");
	assert_string_equal(adv->aliases[1], "CVE-2024-0002");
	assert_string_equal(adv->aliases[2], "GHSA-xxxx-yyyy-zzzz");
	assert_string_equal(adv->severity, "high");
	assert_string_equal(adv->severity_raw, "Important");
	assert_string_equal(adv->cvss_version, "3.1");
	assert_true(adv->cvss_score > 7.4 && adv->cvss_score < 7.6);
	assert_false(adv->is_informational);
	assert_string_equal(adv->summary, "sum");
	assert_null(adv->modified);

	/* merge: one advisory, two releases */
	assert_int_equal(ld_vdb_affected_get(db, "Alpine:v3.9", "openssl", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].status, "unfixed");
	assert_null(e[0].severity);
	assert_string_equal(e[0].severity_raw, "unimportant");
	{
		int64_t k = e[0].advisory;
		assert_int_equal(
			ld_vdb_affected_get(db, "alpine:v3.10", "openssl", &a, &e, &n, ctx), 0);
		assert_int_equal(n, 1);
		assert_int_equal(e[0].advisory, k);
	}
	/* the failed feed left nothing behind */
	assert_int_equal(ld_vdb_affected_get(db, "Debian:11", "openssl", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ld_vdb_affected_get(db, "nope", "nope", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 0);

	assert_int_equal(ld_vdb_advisory_find(db, NULL, "CVE-2024-0001", &a, &keys, &n, ctx), 0);
	assert_int_equal(n, 2); /* the secdb advisory by ID, the OSV one by its related ID */
	assert_int_equal(ld_vdb_advisory_find(db, "osv", "CVE-2024-0001", &a, &keys, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ld_vdb_advisory_get(db, 999999, &a, &adv, ctx), LADING_ENOTFOUND);

	assert_int_equal(ld_vdb_kev_get(db, "CVE-2024-0001", &a, &kev, ctx), 0);
	assert_non_null(kev);
	assert_string_equal(kev->due_date, "2024-02-22");
	assert_string_equal(kev->ransomware, "Known");
	assert_int_equal(ld_vdb_kev_get(db, "CVE-1999-0001", &a, &kev, ctx), 0);
	assert_null(kev);
	assert_int_equal(ld_vdb_epss_get(db, "CVE-2024-0001", &a, &ep, ctx), 0);
	assert_non_null(ep);
	assert_true(ep->score == 0.25 && ep->percentile == 0.75);
	assert_int_equal(ld_vdb_nvd_get(db, "CVE-2024-0001", &a, &nvd, ctx), 0);
	assert_non_null(nvd);
	assert_true(nvd->v3_score == 7.5);
	assert_true(nvd->v2_score < 0);
	assert_int_equal(ld_vdb_cpe_matches(db, "openssl", "openssl", &a, &cm, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cm[0].end_excl, "1.1.1");
	assert_null(cm[0].start_incl);

	assert_int_equal(ld_vdb_ecosystems(db, &a, &ecos, &n, ctx), 0);
	assert_int_equal(n, 4);
	assert_string_equal(ecos[0], "Alpine:v3.10");
	assert_string_equal(ecos[3], "PyPI");

	assert_int_equal(ld_vdb_meta_get(db, &a, &meta, ctx), 0);
	assert_int_equal(meta->schema_version, LD_VDB_SCHEMA_VERSION);
	assert_non_null(meta->built_at);
	assert_true(meta->built_epoch > 1600000000);
	assert_int_equal(meta->nfeeds, 3);
	assert_string_equal(meta->feeds[1].name, "debian-dsa");
	assert_string_equal(meta->feeds[1].status, "failed");
	assert_string_equal(meta->feeds[1].message, "DSA.list: not a DSA list");
	assert_string_equal(meta->feeds[2].name, "osv/PyPI");
	assert_string_equal(meta->feeds[2].snapshot, "2024-10-10");
	assert_int_equal(meta->feeds[2].records, 1);
	ld_vdb_close(db);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

/* A feed that fails in a new build keeps the previous build's rows. */
static void test_carry_over(void **state)
{
	lading_ctx *ctx;
	ld_vdb_store *st;
	ld_vdb_writer *w;
	ld_vdb *db;
	ld_arena a;
	ld_vdb_q_affected *e;
	ld_vdb_q_advisory *adv;
	ld_vdb_q_meta *meta;
	ld_vdb_q_epss *ep;
	ld_vdb_import_result res;
	size_t n;
	char prev[512];
	const char *path;
	(void)state;

	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	ld_strlcpy(prev, scratch_path("prev.sqlite"), sizeof(prev));
	build(prev, ctx, false);

	path = scratch_path("next.sqlite");
	assert_int_equal(ld_vdb_store_open(&st, path, ctx), 0);
	/* osv/PyPI imports fine; alpine-secdb fails and is carried over */
	assert_int_equal(ld_vdb_store_feed_begin(st, "osv/PyPI", NULL, &w), 0);
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, NULL), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "alpine-secdb", NULL, &w), 0);
	assert_int_equal(
		ld_vdb_store_feed_end(st, w, ld_error_set(ctx, LADING_ENET, "HTTP 503"), NULL), 0);
	assert_int_equal(ld_vdb_store_carry_over(st, prev, "alpine-secdb", "HTTP 503", &res), 0);
	/* counted from the tables when prev was finished: 1 advisory, 1 KEV, 1 EPSS, 1 NVD row
	 * (fill() told feed_end 1, which is not what the feed holds) */
	assert_int_equal(res.records, 4);
	assert_int_equal(ld_vdb_store_carry_over(st, prev, "no-such-feed", "x", NULL),
			 LADING_ENOTFOUND);
	/* after carry-over a new put with the same ID merges into the carried advisory */
	assert_int_equal(ld_vdb_store_feed_begin(st, "debian-dsa", NULL, &w), 0);
	{
		ld_vdb_affected a3[] = {
			{.ecosystem = "Alpine:v3.11", .package = "openssl", .status = "unfixed"}};
		ld_vdb_advisory adv3 = {.source = "alpine-secdb",
					.id = "CVE-2024-0001",
					.affected = a3,
					.naffected = 1,
					.cvss_score = -1};
		assert_int_equal(ld_vdb_put_advisory(w, &adv3), 0);
	}
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, NULL), 0);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);

	assert_int_equal(ld_vdb_open(&db, path, ctx), 0);
	assert_int_equal(ld_vdb_affected_get(db, "Alpine:v3.9", "openssl", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ld_vdb_advisory_get(db, e[0].advisory, &a, &adv, ctx), 0);
	assert_string_equal(adv->feed, "alpine-secdb");
	{
		int64_t k = e[0].advisory;
		assert_int_equal(
			ld_vdb_affected_get(db, "Alpine:v3.11", "openssl", &a, &e, &n, ctx), 0);
		assert_int_equal(n, 1);
		assert_int_equal(e[0].advisory, k);
	}
	assert_int_equal(ld_vdb_epss_get(db, "CVE-2024-0001", &a, &ep, ctx), 0);
	assert_non_null(ep);
	assert_int_equal(ld_vdb_affected_get(db, "PyPI", "django-foo", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ld_vdb_meta_get(db, &a, &meta, ctx), 0);
	assert_int_equal(meta->nfeeds, 3);
	assert_string_equal(meta->feeds[0].name, "alpine-secdb");
	assert_string_equal(meta->feeds[0].status, "carried");
	assert_string_equal(meta->feeds[0].message, "HTTP 503");
	assert_int_equal(meta->feeds[0].records, 4);
	ld_vdb_close(db);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

/* Versions with characters JSON escapes take the general decoder; both decoders agree. */
static void test_escaped_versions(void **state)
{
	lading_ctx *ctx;
	ld_vdb_store *st;
	ld_vdb_writer *w;
	ld_vdb *db;
	ld_arena a;
	ld_vdb_q_affected *e;
	size_t n;
	const char *path = scratch_path("escaped.sqlite");
	ld_vdb_event ev[] = {{"introduced", "0"}, {"fixed", "1.0\"q\\x\t\xc3\xa9"}};
	ld_vdb_range r[] = {{"ECOSYSTEM", ev, 2, false}};
	const char *vers[] = {"a\"b", "plain"};
	ld_vdb_affected af[] = {{.ecosystem = "npm",
				 .package = "p",
				 .ranges = r,
				 .nranges = 1,
				 .versions = vers,
				 .nversions = 2}};
	ld_vdb_advisory adv = {
		.source = "osv", .id = "X-1", .affected = af, .naffected = 1, .cvss_score = -1};
	(void)state;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_vdb_store_open(&st, path, ctx), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "osv/npm", NULL, &w), 0);
	assert_int_equal(ld_vdb_put_advisory(w, &adv), 0);
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, NULL), 0);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
	assert_int_equal(ld_vdb_open(&db, path, ctx), 0);
	assert_int_equal(ld_vdb_affected_get(db, "npm", "p", &a, &e, &n, ctx), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].nranges, 1);
	assert_string_equal(e[0].ranges[0].events[0].version, "0");
	assert_string_equal(e[0].ranges[0].events[1].version, "1.0\"q\\x\t\xc3\xa9");
	assert_int_equal(e[0].nversions, 2);
	assert_string_equal(e[0].versions[0], "a\"b");
	assert_string_equal(e[0].versions[1], "plain");
	ld_vdb_close(db);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

/* A damaged or crafted packed row (vulndb/schema.h) is an error naming the package, never a
 * crash or a partial answer: cut blobs, a count larger than the blob, and the real blob. */
static void test_packed_damaged(void **state)
{
	lading_ctx *ctx;
	ld_vdb *db;
	ld_arena a;
	ld_vdb_q_affected *e;
	sqlite3 *raw;
	sqlite3_stmt *q;
	unsigned char *blob;
	int blen;
	int64_t count;
	size_t n;
	const char *path = scratch_path("damaged.sqlite");
	(void)state;

	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	build(path, ctx, true);

	/* the real row decodes; every cut of it is refused */
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw,
					    "SELECT entries, data FROM affected_packed WHERE ecosystem = "
					    "'Alpine:v3.9' AND package = 'openssl'",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	count = sqlite3_column_int64(q, 0);
	blen = sqlite3_column_bytes(q, 1);
	blob = malloc((size_t)blen);
	assert_non_null(blob);
	memcpy(blob, sqlite3_column_blob(q, 1), (size_t)blen);
	sqlite3_finalize(q);
	assert_int_equal(ld_vdb_affected_unpack(blob, (size_t)blen, count, "Alpine:v3.9", "openssl", &a, &e, ctx), 0);
	for (int cut = 0; cut < blen; cut++)
		assert_int_equal(ld_vdb_affected_unpack(blob, (size_t)cut, count, "Alpine:v3.9", "openssl", &a, &e, ctx),
				 LADING_EDB);
	assert_int_equal(ld_vdb_affected_unpack(blob, (size_t)blen, count + 1, "Alpine:v3.9", "openssl", &a, &e, ctx),
			 LADING_EDB);
	assert_int_equal(ld_vdb_affected_unpack(blob, (size_t)blen, 0, "Alpine:v3.9", "openssl", &a, &e, ctx),
			 LADING_EDB);
	free(blob);

	/* through the query API: the message names the package */
	assert_int_equal(sqlite3_exec(raw,
				      "UPDATE affected_packed SET data = substr(data, 1, length(data) - 3)"
				      " WHERE ecosystem = 'Alpine:v3.9' AND package = 'openssl'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(ld_vdb_open(&db, path, ctx), 0);
	assert_int_equal(ld_vdb_affected_get(db, "Alpine:v3.9", "openssl", &a, &e, &n, ctx), LADING_EDB);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "damaged database"));
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "openssl"));
	ld_vdb_close(db);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_open_errors(void **state)
{
	lading_ctx *ctx;
	ld_vdb *db;
	const char *p;
	FILE *f;
	(void)state;
	lading_ctx_new(&ctx);
	assert_int_equal(ld_vdb_open(&db, "/nonexistent/db.sqlite", ctx), LADING_ENOTFOUND);
	p = scratch_path("garbage.sqlite");
	f = fopen(p, "wb");
	assert_non_null(f);
	fputs("this is not a database, just text that is long enough to look like a header.......",
	      f);
	fclose(f);
	assert_true(ld_vdb_open(&db, p, ctx) < 0);
	assert_null(db);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecosystem_normalize),
		cmocka_unit_test(test_package_normalize),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_carry_over),
		cmocka_unit_test(test_escaped_versions),
		cmocka_unit_test(test_packed_damaged),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

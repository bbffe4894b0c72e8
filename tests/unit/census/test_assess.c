/* Census assessment over a small vulnerability database written with the vulndb writer: newest
 * known version (Bitnami events, NVD bounds, the records), behind vs behind its release line,
 * vulnerable vs possibly backported, KEV, versions in other shapes than Bitnami's ("15.4" is
 * 15.4.0, "7.2p2" matches NVD's 7.2 + update p2), products without data, the report writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "census/census.h"
#include "vulndb/query.h"
#include "vulndb/vdb.h"

static char db_path[4096];

static void put_bitnami(ld_vdb_writer *w, const char *id, const char *cve, const char *pkg,
			const ld_vdb_event *ev, size_t nev, const char *severity)
{
	ld_vdb_range r = {"SEMVER", ev, nev, false};
	ld_vdb_affected af;
	ld_vdb_advisory adv;
	const char *aliases[1] = {cve};
	memset(&af, 0, sizeof(af));
	memset(&adv, 0, sizeof(adv));
	af.ecosystem = "Bitnami";
	af.package = pkg;
	af.ranges = &r;
	af.nranges = 1;
	af.severity = severity;
	adv.source = "osv";
	adv.id = id;
	adv.aliases = aliases;
	adv.naliases = 1;
	adv.summary = id;
	adv.cvss_score = -1;
	adv.affected = &af;
	adv.naffected = 1;
	assert_int_equal(ld_vdb_put_advisory(w, &adv), 0);
}

static void put_cpe(ld_vdb_writer *w, const char *cve, const char *cpe23, const char *version,
		    const char *end_incl, const char *end_excl)
{
	ld_vdb_nvd n;
	ld_vdb_cpe_match m;
	memset(&n, 0, sizeof(n));
	n.cve = cve;
	n.v3_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N";
	n.v3_score = 5.3;
	n.v3_severity = "medium";
	n.v2_score = -1;
	assert_int_equal(ld_vdb_put_nvd(w, &n), 0);
	memset(&m, 0, sizeof(m));
	m.cve = cve;
	m.cpe23 = cpe23;
	m.part = "a";
	m.vendor = "openbsd";
	m.product = "openssh";
	m.version = version;
	m.end_incl = end_incl;
	m.end_excl = end_excl;
	assert_int_equal(ld_vdb_put_cpe_match(w, &m), 0);
}

static int setup(void **state)
{
	lading_ctx *ctx;
	ld_vdb_store *st;
	ld_vdb_writer *w;
	ld_vdb_import_result res;
	ld_vdb_kev k;
	static const ld_vdb_event r1[] = {{"introduced", "0"}, {"fixed", "7.0.12"}, {"introduced", "7.2.0"},
					  {"fixed", "7.2.1"}};
	static const ld_vdb_event r2[] = {{"introduced", "7.0.0"}, {"fixed", "7.0.15"}};
	static const ld_vdb_event p1[] = {{"introduced", "0"}, {"fixed", "15.5.0"}};
	(void)state;
	snprintf(db_path, sizeof(db_path), "%s/census-assess-%ld.sqlite", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (long)getpid());
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_vdb_store_open(&st, db_path, ctx), 0);
	memset(&res, 0, sizeof(res));
	assert_int_equal(ld_vdb_store_feed_begin(st, "osv/Bitnami", "test", &w), 0);
	put_bitnami(w, "BIT-redis-2023-1", "CVE-2023-0001", "redis", r1, 4, "high");
	put_bitnami(w, "BIT-redis-2023-2", "CVE-2023-0002", "redis", r2, 2, "critical");
	put_bitnami(w, "BIT-postgresql-2023-3", "CVE-2023-0003", "postgresql", p1, 2, "medium");
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "kev", "test", &w), 0);
	memset(&k, 0, sizeof(k));
	k.cve = "CVE-2023-0002";
	k.vendor = "Redis";
	k.product = "Redis";
	k.date_added = "2024-01-01";
	assert_int_equal(ld_vdb_put_kev(w, &k), 0);
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);
	assert_int_equal(ld_vdb_store_feed_begin(st, "nvd", "test", &w), 0);
	put_cpe(w, "CVE-2017-15906", "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", "*", NULL, "7.6");
	put_cpe(w, "CVE-2016-0001", "cpe:2.3:a:openbsd:openssh:7.2:p2:*:*:*:*:*:*", "7.2", NULL, NULL);
	put_cpe(w, "CVE-2016-0002", "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", "*", NULL, NULL);
	put_cpe(w, "CVE-2016-0003", "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", "*", "8.7", NULL);
	assert_int_equal(ld_vdb_store_feed_end(st, w, 0, &res), 0);
	assert_int_equal(ld_vdb_store_finish(st), 0);
	ld_vdb_store_free(st);
	lading_ctx_free(ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(db_path);
	return 0;
}

static void add(lading_census *c, const char *target, const char *product, const char *version,
		const char *distro)
{
	lading_census_record r;
	memset(&r, 0, sizeof(r));
	r.target = target;
	r.port = 1;
	r.product = product;
	r.version = version;
	r.distro = distro;
	assert_int_equal(ld_census_add_record(c, &r), 0);
}

static const lading_census_product_stat *product(const lading_census_assessment *a, const char *key)
{
	for (size_t i = 0; i < lading_census_product_count(a); i++)
		if (!strcmp(lading_census_product(a, i)->product, key))
			return lading_census_product(a, i);
	fail_msg("no product %s", key);
	return NULL;
}

static const lading_census_version_stat *version(const lading_census_product_stat *p, const char *v)
{
	for (size_t i = 0; i < p->version_count; i++)
		if (v ? p->versions[i].version && !strcmp(p->versions[i].version, v) : !p->versions[i].version)
			return &p->versions[i];
	fail_msg("%s: no version %s", p->product, v ? v : "(none)");
	return NULL;
}

static void test_assess(void **state)
{
	lading_ctx *ctx;
	lading_census *c;
	lading_census_assessment *a;
	const lading_census_product_stat *p;
	const lading_census_version_stat *v;
	char *out;
	size_t len;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_census_new(&c), 0);
	add(c, "10.0.0.1", "redis", "7.0.11", NULL);
	add(c, "10.0.0.2", "redis", "7.0.11", "deb12u1");
	add(c, "10.0.0.3", "redis", "7.0.15", NULL);
	add(c, "10.0.0.4", "redis", "7.2.1", NULL);
	add(c, "10.0.0.5", "redis", "7.2.1", NULL);
	add(c, "10.0.0.6", "redis", NULL, NULL);
	add(c, "10.0.0.7", "postgresql", "15.4", NULL);
	add(c, "10.0.0.8", "postgresql", "15.5", NULL);
	add(c, "10.0.0.9", "openssh", "7.2p2", "Ubuntu-4ubuntu2.10");
	add(c, "10.0.0.10", "openssh", "7.4", NULL);
	add(c, "10.0.0.11", "openssh", "9.2p1", NULL);
	add(c, "10.0.0.12", "gopher", "1.0", NULL);
	add(c, "10.0.0.13", NULL, NULL, NULL);
	assert_int_equal(lading_census_assess(&a, ctx, c, db_path), 0);
	assert_int_equal(lading_census_unidentified(a), 1);
	assert_int_equal(lading_census_product_count(a), 4);

	p = product(a, "redis");
	assert_string_equal(p->name, "Redis");
	assert_int_equal(p->hosts, 6);
	assert_int_equal(p->versioned, 5);
	assert_string_equal(p->newest, "7.2.1");
	assert_string_equal(p->newest_source, "bitnami");
	assert_int_equal(p->behind, 3);	       /* 7.0.11 x2, 7.0.15 */
	assert_int_equal(p->behind_branch, 2); /* 7.0.11 x2: 7.0.15 is the newest 7.0 */
	assert_int_equal(p->vulnerable, 1);    /* 7.0.11 without a distribution build */
	assert_int_equal(p->possibly_backported, 1);
	assert_int_equal(p->kev, 1);
	assert_int_equal(p->kev_possibly_backported, 1);
	assert_int_equal(p->not_assessed, 0);
	v = version(p, "7.0.11");
	assert_int_equal(v->hosts, 2);
	assert_int_equal(v->backported, 1);
	assert_int_equal(v->cve_count, 2);
	assert_string_equal(v->cves[0], "CVE-2023-0001");
	assert_string_equal(v->cves[1], "CVE-2023-0002");
	assert_int_equal(v->kev_count, 1);
	assert_string_equal(v->kev_cves[0], "CVE-2023-0002");
	assert_string_equal(v->max_severity, "critical");
	v = version(p, "7.0.15");
	assert_false(v->vulnerable);
	assert_true(v->behind);
	assert_false(v->behind_branch);
	v = version(p, "7.2.1");
	assert_false(v->behind);
	assert_int_equal(p->versions[0].hosts, 2); /* most hosts first */
	assert_null(p->versions[p->version_count - 1].version); /* undisclosed last */

	p = product(a, "postgresql");
	assert_string_equal(p->newest, "15.5.0");
	assert_int_equal(p->vulnerable, 1);
	assert_true(version(p, "15.4")->behind);
	assert_false(version(p, "15.5")->behind); /* 15.5 == 15.5.0 */
	assert_false(version(p, "15.5")->vulnerable);

	p = product(a, "openssh");
	assert_string_equal(p->newest, "9.2p1");
	assert_string_equal(p->newest_source, "records");
	v = version(p, "7.2p2");
	assert_int_equal(v->cve_count, 3); /* the exact 7.2 p2 match, < 7.6, <= 8.7 */
	assert_int_equal(version(p, "7.4")->cve_count, 2);
	assert_false(version(p, "9.2p1")->vulnerable); /* "*" without bounds says nothing */
	assert_int_equal(p->vulnerable, 1);
	assert_int_equal(p->possibly_backported, 1);
	assert_string_equal(version(p, "7.4")->max_severity, "medium");

	p = product(a, "gopher");
	assert_int_equal(p->not_assessed, 1);
	assert_null(p->data_sources);
	assert_string_equal(p->newest, "1.0");
	assert_string_equal(p->newest_source, "records");

	assert_int_equal(lading_census_assessment_write(&out, &len, ctx, a, LADING_FORMAT_JSON), 0);
	assert_true(strstr(out, "\"kev_cves\": [\n") != NULL || strstr(out, "\"kev_cves\": [") != NULL);
	free(out);
	assert_int_equal(lading_census_assessment_write(&out, &len, ctx, a, LADING_FORMAT_HTML), 0);
	assert_true(strstr(out, "<svg") != NULL);
	free(out);
	assert_int_equal(lading_census_assessment_write(&out, &len, ctx, a, LADING_FORMAT_TABLE), 0);
	assert_true(strstr(out, "Redis") != NULL);
	free(out);
	assert_int_equal(lading_census_assessment_write(&out, &len, ctx, a, LADING_FORMAT_SARIF),
			 LADING_EUSAGE);
	lading_census_assessment_free(a);
	assert_int_equal(lading_census_assess(&a, ctx, c, "/nonexistent/db.sqlite"), LADING_ENOTFOUND);
	lading_census_free(c);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_assess)};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Fleet report statistics on hand-built fleets; every expected value is worked out by hand in
 * the comments (docs/fleet.md has the definitions): median and p90, distinct vulnerabilities
 * across aliases, the base image as the longest proper layer prefix, groups, famous tables and
 * their errors, the fleet JSON reader's errors and round trip, summaries, empty fleets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "store/fleet_data.h"
#include "report/fleet.h"

#define NOW "2026-12-07T00:00:00Z"

static const char *const empty_famous = "name\tids\tdescription\n";

typedef struct fx {
	lading_ctx *ctx;
	ld_fleet_data d;
	ld_famous fm;
	ld_fleet_stats st;
	bool have_stats;
} fx;

static int parse(fx *f, const char *json)
{
	assert_int_equal(lading_ctx_new(&f->ctx), 0);
	ld_fleet_data_init(&f->d);
	ld_famous_init(&f->fm);
	return ld_fleet_data_parse_json(&f->d, json, strlen(json), f->ctx, "test.json");
}

static void compute(fx *f, const char *json, const char *group_by, const char *official, const char *since)
{
	ld_fleet_opts o = {group_by, official, 0, LD_FLEET_TIME_UNKNOWN, 1, NULL};
	int rc = parse(f, json);
	if (rc)
		fail_msg("%s", lading_ctx_error(f->ctx)->msg);
	assert_int_equal(ld_famous_load_builtin(&f->fm, f->ctx), 0);
	o.famous = &f->fm;
	assert_true(ld_fleet_parse_time(NOW, &o.now));
	if (since)
		assert_true(ld_fleet_parse_time(since, &o.since));
	rc = ld_fleet_stats_compute(&f->st, &f->d, &o, f->ctx);
	if (rc)
		fail_msg("%s", lading_ctx_error(f->ctx)->msg);
	f->have_stats = true;
}

static void done(fx *f)
{
	if (f->have_stats)
		ld_fleet_stats_release(&f->st);
	ld_famous_release(&f->fm);
	ld_fleet_data_release(&f->d);
	lading_ctx_free(f->ctx);
}

static const ld_fleet_group_stats *group(const fx *f, const char *name)
{
	for (size_t i = 0; i < f->st.group_count; i++)
		if (!strcmp(f->st.groups[i].name, name))
			return &f->st.groups[i];
	fail_msg("no group %s", name);
	return NULL;
}

static size_t famous_images(const fx *f, const ld_fleet_group_stats *g, const char *name)
{
	for (size_t i = 0; i < f->fm.count; i++)
		if (!strcmp(f->fm.entries[i].name, name))
			return g->famous[i];
	fail_msg("no famous entry %s", name);
	return 0;
}

/* ---- median and p90 ---- */

static void test_quantiles(void **state)
{
	uint32_t ten[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	uint32_t eleven[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100};
	uint32_t one[1] = {7}, four[4] = {0, 0, 1, 2};
	(void)state;
	/* even n: mean of the two middle values (5+6)/2; p90: rank ceil(9.0) = 9 -> 9 */
	assert_true(ld_fleet_median(ten, 10) == 5.5);
	assert_true(ld_fleet_p90(ten, 10) == 9);
	/* odd n: the middle value 5; p90: rank ceil(9.9) = 10 -> the 10th value, 9 */
	assert_true(ld_fleet_median(eleven, 11) == 5);
	assert_true(ld_fleet_p90(eleven, 11) == 9);
	assert_true(ld_fleet_median(one, 1) == 7 && ld_fleet_p90(one, 1) == 7);
	/* (0+1)/2; rank ceil(3.6) = 4 -> 2 */
	assert_true(ld_fleet_median(four, 4) == 0.5 && ld_fleet_p90(four, 4) == 2);
	assert_true(ld_fleet_median(NULL, 0) == 0 && ld_fleet_p90(NULL, 0) == 0);
}

/* ---- distinct vulnerabilities, severity mix, KEV, fixable ---- */

static const char fleet_aliases[] =
	"{\"lading_fleet\":1,\"images\":["
	/* image 0: CVE-1 twice (two packages), GHSA-a aliasing CVE-1 (same vuln), CVE-2: 2 vulns;
	   CVE-1's worst severity critical (KEV), CVE-2 low fixable */
	"{\"digest\":\"sha256:i0\",\"refs\":[\"nginx:1\"],\"findings\":["
	"{\"id\":\"CVE-2020-0001\",\"severity\":\"high\",\"package\":\"a\",\"type\":\"deb\"},"
	"{\"id\":\"CVE-2020-0001\",\"severity\":\"critical\",\"kev\":true,\"package\":\"b\",\"type\":\"deb\"},"
	"{\"id\":\"GHSA-aaaa\",\"aliases\":[\"CVE-2020-0001\"],\"severity\":\"medium\",\"package\":\"c\",\"type\":\"npm\"},"
	"{\"id\":\"CVE-2020-0002\",\"severity\":\"low\",\"fixed_versions\":[\"2\"],\"package\":\"a\",\"type\":\"deb\"}]},"
	/* image 1: GHSA-b (alias GO-b) and GO-b (alias GHSA-b) are one vuln; PYSEC-c another: 2 */
	"{\"digest\":\"sha256:i1\",\"refs\":[\"ghcr.io/x/y:1\"],\"findings\":["
	"{\"id\":\"GHSA-bbbb\",\"aliases\":[\"GO-2021-1\"],\"severity\":\"high\",\"package\":\"m\",\"type\":\"go\"},"
	"{\"id\":\"GO-2021-1\",\"aliases\":[\"GHSA-bbbb\"],\"severity\":\"medium\",\"package\":\"m\",\"type\":\"go\"},"
	"{\"id\":\"PYSEC-2021-9\",\"severity\":\"unknown\",\"package\":\"p\",\"type\":\"python\"}]},"
	/* image 2: an advisory shared by two CVEs (DSA alias) does not merge them: 2 vulns */
	"{\"digest\":\"sha256:i2\",\"refs\":[\"debian:12\"],\"findings\":["
	"{\"id\":\"CVE-2020-0001\",\"aliases\":[\"DSA-1\"],\"severity\":\"high\",\"package\":\"a\",\"type\":\"deb\"},"
	"{\"id\":\"CVE-2020-0003\",\"aliases\":[\"DSA-1\"],\"severity\":\"high\",\"fixable\":true,\"package\":\"a\",\"type\":\"deb\"}]},"
	/* image 3: matched, no findings; image 4: never matched */
	"{\"digest\":\"sha256:i3\",\"refs\":[\"redis:7\"],\"findings\":[]},"
	"{\"digest\":\"sha256:i4\",\"refs\":[\"acme/app:1\"]}]}";

static void test_distinct_across_aliases(void **state)
{
	fx f = {0};
	const ld_fleet_group_stats *o;
	(void)state;
	compute(&f, fleet_aliases, NULL, NULL, NULL);
	o = &f.st.overall;
	/* per image 2, 2, 2, 0, 0: mean 1.2, median 2, p90 rank ceil(4.5)=5 -> 2 */
	assert_int_equal(o->images, 5);
	assert_int_equal(o->matched, 4);
	assert_true(o->vpi_mean > 1.199 && o->vpi_mean < 1.201);
	assert_true(o->vpi_median == 2 && o->vpi_p90 == 2);
	/* pairs: i0 CVE-1 critical, CVE-2 low; i1 GHSA-b high, PYSEC unknown; i2 CVE-1 high, CVE-3 high */
	assert_int_equal(o->findings, 6);
	assert_int_equal(o->by_severity[4], 1);
	assert_int_equal(o->by_severity[3], 3);
	assert_int_equal(o->by_severity[2], 0);
	assert_int_equal(o->by_severity[1], 1);
	assert_int_equal(o->by_severity[0], 1);
	/* images with >=1 critical: i0; with >=1 high: i1, i2 (i0's CVE-1 is critical there) */
	assert_int_equal(o->img_critical, 1);
	assert_int_equal(o->img_high, 2);
	assert_int_equal(o->img_high_or_critical, 3);
	assert_int_equal(o->img_kev, 1);
	/* fixable: i0 (CVE-2 has a fixed version), i2 (fixable flag) */
	assert_int_equal(o->img_fixable, 2);
	/* top: CVE-2020-0001 in 2 images first; the GO/GHSA vulnerability named by its smallest id */
	assert_string_equal(o->top_vulns[0].name, "CVE-2020-0001");
	assert_int_equal(o->top_vulns[0].images, 2);
	assert_int_equal(o->top_vulns[0].severity, 4);
	assert_true(o->top_vulns[0].kev);
	for (size_t i = 0; i < o->n_top_vulns; i++)
		assert_string_not_equal(o->top_vulns[i].name, "GO-2021-1");
	assert_int_equal(o->n_top_vulns, 5);
	assert_int_equal(o->n_top_kev, 1);
	/* packages by images: deb/a in i0 and i2 */
	assert_string_equal(o->top_pkgs[0].name, "deb/a");
	assert_int_equal(o->top_pkgs[0].images, 2);
	/* histogram: two images with 0, three with 1-9 */
	assert_int_equal(o->vuln_hist[0], 2);
	assert_int_equal(o->vuln_hist[1], 3);
	done(&f);
}

/* ---- base images and staleness ---- */

static const char fleet_bases[] =
	"{\"lading_fleet\":1,\"images\":["
	"{\"digest\":\"sha256:A\",\"refs\":[\"alpine:3.18\"],\"created\":\"2025-12-07T00:00:00Z\",\"layers\":[\"L1\"],\"findings\":[]},"
	"{\"digest\":\"sha256:A2\",\"refs\":[\"alpine:3.20\"],\"created\":\"2026-06-07T00:00:00Z\",\"layers\":[\"L9\"],\"findings\":[]},"
	"{\"digest\":\"sha256:A3\",\"refs\":[\"docker.io/library/alpine:3.21\"],\"created\":\"2026-09-07T00:00:00Z\",\"layers\":[\"L8\"],\"findings\":[]},"
	"{\"digest\":\"sha256:B\",\"refs\":[\"app:1\"],\"created\":\"2026-11-07T00:00:00Z\",\"layers\":[\"L1\",\"L2\"],\"findings\":[]},"
	"{\"digest\":\"sha256:C\",\"refs\":[\"app:2\"],\"created\":\"2026-12-06T00:00:00Z\",\"layers\":[\"L1\",\"L2\",\"L3\"],\"findings\":[]},"
	"{\"digest\":\"sha256:D\",\"created\":\"2024-12-07T00:00:00Z\",\"layers\":[\"L1\",\"L3\"],\"findings\":[]},"
	"{\"digest\":\"sha256:E\",\"layers\":[\"L2\",\"L1\"],\"findings\":[]}]}";

static void test_bases_and_age(void **state)
{
	fx f = {0};
	const ld_fleet_group_stats *o;
	(void)state;
	compute(&f, fleet_bases, NULL, NULL, NULL);
	o = &f.st.overall;
	/* bases: B -> A (L1), C -> B (L1 L2, longer than A), D -> A; E has none (L2 is not a base) */
	assert_int_equal(o->with_base, 3);
	assert_int_equal(f.st.base_count, 2);
	assert_string_equal(f.st.bases[0].name, "alpine:3.18");
	assert_int_equal(f.st.bases[0].images, 2);
	/* alpine:3.18's repository docker.io/library/alpine has 2 newer tags (3.20 and 3.21 under
	   another spelling of the same repository) */
	assert_int_equal(f.st.bases[0].newer_tags, 2);
	assert_string_equal(f.st.bases[1].name, "app:1");
	/* app:1 (created 2026-11-07) has app:2 (2026-12-06) newer */
	assert_int_equal(f.st.bases[1].newer_tags, 1);
	/* all 3 images with a base are on a base with newer tags */
	assert_int_equal(o->base_behind, 3);
	/* base ages: A 365, B 30, A 365 -> median 365 */
	assert_true(o->base_age_median_days == 365);
	/* ages (days) of the dated: A 365, A2 183, A3 91, B 30, C 1, D 730 -> median (91+183)/2 = 137 */
	assert_int_equal(o->dated, 6);
	assert_true(o->age_median_days == 137);
	/* older than 90: 365, 183, 91, 730 = 4; than 180: 365, 183, 730 = 3; than 365: 730 = 1 */
	assert_int_equal(o->older[0], 4);
	assert_int_equal(o->older[1], 3);
	assert_int_equal(o->older[2], 1);
	assert_int_equal(o->age_hist[LD_FLEET_AGE_BINS - 1], 1); /* E: unknown */
	done(&f);
}

/* ---- groups ---- */

static const char fleet_groups[] =
	"{\"lading_fleet\":1,\"images\":["
	"{\"digest\":\"sha256:1\",\"refs\":[\"nginx:1\",\"registry.example.com:5000/mirror/nginx:1\"],"
	" \"sources\":[\"crawl:docker.io\"],\"labels\":{\"team\":\"web\"},\"findings\":[{\"id\":\"CVE-2014-6271\",\"severity\":\"critical\"}]},"
	"{\"digest\":\"sha256:2\",\"refs\":[\"bitnami/redis:7\"],\"sources\":[\"crawl:docker.io\"],\"labels\":{\"team\":\"db\"},"
	" \"findings\":[{\"id\":\"CVE-2014-7169\",\"severity\":\"high\"},{\"id\":\"CVE-2014-0160\",\"severity\":\"high\"}]},"
	"{\"digest\":\"sha256:3\",\"refs\":[\"quay.io/official/thing:2\"],\"findings\":[{\"id\":\"CVE-2021-44228\",\"severity\":\"critical\"}]},"
	"{\"digest\":\"sha256:4\",\"findings\":[]}],"
	"\"containers\":["
	"{\"id\":\"c1\",\"image_digest\":\"sha256:1\",\"state\":\"running\"},"
	"{\"id\":\"c2\",\"image_digest\":\"sha256:2\",\"state\":\"gone\",\"last_seen\":\"2026-01-01T00:00:00Z\"},"
	"{\"id\":\"c3\",\"image_digest\":\"sha256:unknown\",\"state\":\"exited\"}]}";

static void test_groups(void **state)
{
	fx f = {0};
	(void)state;
	compute(&f, fleet_groups, NULL, NULL, NULL);
	/* official: only nginx (Docker Hub library/); bitnami/redis, quay.io and no refs: community */
	assert_int_equal(f.st.group_count, 2);
	assert_int_equal(group(&f, "official")->images, 1);
	assert_int_equal(group(&f, "community")->images, 3);
	/* Shellshock is the whole family: image 1 (6271) and image 2 (7169) */
	assert_int_equal(famous_images(&f, &f.st.overall, "Shellshock"), 2);
	assert_int_equal(famous_images(&f, group(&f, "official"), "Shellshock"), 1);
	assert_int_equal(famous_images(&f, &f.st.overall, "Heartbleed"), 1);
	assert_int_equal(famous_images(&f, &f.st.overall, "Log4Shell"), 1);
	/* containers: c1 running in official, c2 gone in community, c3 on an unknown image overall only */
	assert_int_equal(f.st.overall.containers_total, 3);
	assert_int_equal(f.st.containers_unknown_image, 1);
	assert_int_equal(group(&f, "official")->containers[LD_FLEET_RUNNING], 1);
	assert_int_equal(group(&f, "community")->containers_total, 1);
	/* at risk: c1 (critical), c2 (image 2 has only highs: not at risk) */
	assert_int_equal(f.st.overall.risky_running, 1);
	assert_int_equal(f.st.overall.risky_gone, 0);
	/* official has 2 repositories (nginx on Docker Hub and the mirror), 2 tags */
	assert_int_equal(group(&f, "official")->repositories, 2);
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, NULL, "^quay\\.io/official/", NULL);
	assert_int_equal(group(&f, "official")->images, 2);
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, "registry", NULL, NULL);
	/* image 1 is in both registries' groups, image 4 in "(no reference)" */
	assert_int_equal(f.st.group_count, 4);
	assert_int_equal(group(&f, "docker.io")->images, 2);
	assert_int_equal(group(&f, "registry.example.com:5000")->images, 1);
	assert_int_equal(group(&f, "quay.io")->images, 1);
	assert_int_equal(group(&f, "(no reference)")->images, 1);
	assert_int_equal(f.st.overall.images, 4);
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, "namespace", NULL, NULL);
	assert_int_equal(group(&f, "docker.io/library")->images, 1);
	assert_int_equal(group(&f, "docker.io/bitnami")->images, 1);
	assert_int_equal(group(&f, "registry.example.com:5000/mirror")->images, 1);
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, "repo", NULL, NULL);
	assert_int_equal(group(&f, "docker.io/library/nginx")->images, 1);
	assert_int_equal(group(&f, "quay.io/official/thing")->images, 1);
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, "label:team", NULL, NULL);
	assert_int_equal(group(&f, "web")->images, 1);
	assert_int_equal(group(&f, "db")->images, 1);
	assert_int_equal(group(&f, "(no label team)")->images, 2);
	done(&f);

	/* a key that matches nothing is a group of everything, not an error */
	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, "label:nope", NULL, NULL);
	assert_int_equal(f.st.group_count, 1);
	assert_int_equal(group(&f, "(no label nope)")->images, 4);
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_groups, "source", NULL, NULL);
	assert_int_equal(group(&f, "crawl:docker.io")->images, 2);
	assert_int_equal(group(&f, "(no source)")->images, 2);
	done(&f);
}

static void test_group_errors(void **state)
{
	lading_ctx *ctx;
	ld_fleet_grouping *g = NULL;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_fleet_grouping_new(&g, "colour", NULL, ctx), LADING_EUSAGE);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "label:KEY"));
	assert_int_equal(ld_fleet_grouping_new(&g, "label:", NULL, ctx), LADING_EUSAGE);
	assert_int_equal(ld_fleet_grouping_new(&g, "official", "([", ctx), LADING_EUSAGE);
	assert_null(g);
	lading_ctx_free(ctx);
}

static void test_ref_split(void **state)
{
	char h[64], r[128], t[64];
	(void)state;
	ld_fleet_ref_split("nginx", h, sizeof(h), r, sizeof(r), t, sizeof(t));
	assert_string_equal(h, "docker.io");
	assert_string_equal(r, "library/nginx");
	assert_string_equal(t, "");
	ld_fleet_ref_split("localhost:5000/a/b:1.2@sha256:ff", h, sizeof(h), r, sizeof(r), t, sizeof(t));
	assert_string_equal(h, "localhost:5000");
	assert_string_equal(r, "a/b");
	assert_string_equal(t, "1.2");
	ld_fleet_ref_split("index.docker.io/library/redis:7", h, sizeof(h), r, sizeof(r), t, sizeof(t));
	assert_string_equal(h, "docker.io");
	assert_string_equal(r, "library/redis");
	assert_string_equal(t, "7");
}

/* ---- since, containers at risk ---- */

static const char fleet_since[] =
	"{\"lading_fleet\":1,\"images\":["
	"{\"digest\":\"sha256:old\",\"last_seen\":\"2026-01-01T00:00:00Z\",\"findings\":[{\"id\":\"CVE-1\",\"severity\":\"critical\"}]},"
	"{\"digest\":\"sha256:new\",\"last_seen\":\"2026-12-01T00:00:00Z\",\"findings\":[{\"id\":\"CVE-2\",\"kev\":true}]}],"
	"\"containers\":["
	"{\"id\":\"a\",\"image_digest\":\"sha256:new\",\"state\":\"running\",\"last_seen\":\"2026-12-01T00:00:00Z\"},"
	"{\"id\":\"b\",\"image_digest\":\"sha256:new\",\"state\":\"gone\",\"last_seen\":\"2026-11-01T00:00:00Z\"},"
	"{\"id\":\"c\",\"image_digest\":\"sha256:new\",\"state\":\"gone\",\"last_seen\":\"2026-11-20T00:00:00Z\"},"
	"{\"id\":\"d\",\"image_digest\":\"sha256:old\",\"state\":\"gone\",\"last_seen\":\"2026-01-01T00:00:00Z\"}]}";

static void test_since_and_containers(void **state)
{
	fx f = {0};
	(void)state;
	compute(&f, fleet_since, NULL, NULL, NULL);
	assert_int_equal(f.st.overall.risky_running, 1);
	assert_int_equal(f.st.overall.risky_gone, 3);
	/* gone, most recently seen first */
	assert_string_equal(f.st.overall.gone[0].c->id, "c");
	assert_string_equal(f.st.overall.gone[1].c->id, "b");
	done(&f);

	memset(&f, 0, sizeof(f));
	compute(&f, fleet_since, NULL, NULL, "2026-06-01");
	assert_int_equal(f.st.overall.images, 1);
	assert_int_equal(f.st.images_skipped, 1);
	assert_int_equal(f.st.overall.containers_total, 3);
	assert_int_equal(f.st.overall.risky_gone, 2);
	done(&f);
}

/* ---- famous tables ---- */

static int famous(const char *text, lading_ctx **ctx, ld_famous *fm)
{
	assert_int_equal(lading_ctx_new(ctx), 0);
	ld_famous_init(fm);
	return ld_famous_parse(fm, text, strlen(text), "my.tsv", *ctx);
}

static void famous_error(const char *text, int code, const char *needle)
{
	lading_ctx *ctx;
	ld_famous fm;
	assert_int_equal(famous(text, &ctx, &fm), code);
	if (!strstr(lading_ctx_error(ctx)->msg, needle))
		fail_msg("'%s' not in '%s'", needle, lading_ctx_error(ctx)->msg);
	assert_int_equal(fm.count, 0);
	ld_famous_release(&fm);
	lading_ctx_free(ctx);
}

static void test_famous(void **state)
{
	lading_ctx *ctx;
	ld_famous fm;
	(void)state;
	assert_int_equal(famous("# mine\n\nname\tids\tdescription\nBleed\tCVE-1, GHSA-x\tsomething\n"
				"Other\tCVE-2\n",
				&ctx, &fm),
			 0);
	assert_int_equal(fm.count, 2);
	assert_string_equal(fm.entries[0].name, "Bleed");
	assert_int_equal(fm.entries[0].id_count, 2);
	assert_string_equal(fm.entries[0].ids[1], "GHSA-x");
	assert_string_equal(fm.entries[1].description, "");
	/* the shipped table, then a user's entry of the same name replaces it */
	assert_int_equal(ld_famous_load_builtin(&fm, ctx), 0);
	for (size_t i = 0; i < fm.count; i++)
		if (!strcmp(fm.entries[i].name, "Shellshock"))
			assert_int_equal(fm.entries[i].id_count, 6);
	assert_int_equal(ld_famous_parse(&fm, empty_famous, strlen(empty_famous), "e", ctx), 0);
	{
		size_t before = fm.count;
		const char *t = "name\tids\tdescription\nHeartbleed\tCVE-9\tmine\n";
		assert_int_equal(ld_famous_parse(&fm, t, strlen(t), "x", ctx), 0);
		assert_int_equal(fm.count, before);
		for (size_t i = 0; i < fm.count; i++)
			if (!strcmp(fm.entries[i].name, "Heartbleed"))
				assert_string_equal(fm.entries[i].ids[0], "CVE-9");
	}
	ld_famous_release(&fm);
	lading_ctx_free(ctx);

	famous_error("Bleed\tCVE-1\n", LADING_EINVALID, "my.tsv:1: expected the header line");
	famous_error("# c\nname\tids\tdescription\nok\tCVE-1\tx\nno tab here\n", LADING_EINVALID, "my.tsv:4:");
	famous_error("name\tids\tdescription\nx\tCVE-1,,CVE-2\n", LADING_EINVALID, "my.tsv:2: an empty");
	famous_error("name\tids\tdescription\nx\tCVE-1,\n", LADING_EINVALID, "my.tsv:2: an empty");
	famous_error("name\tids\tdescription\nx\tCVE 1\n", LADING_EINVALID, "my.tsv:2: a vulnerability id");
	famous_error("name\tids\tdescription\n\tCVE-1\n", LADING_EINVALID, "my.tsv:2: empty name");
	famous_error("name\tids\tdescription\na\tCVE-1\td\textra\n", LADING_EINVALID, "my.tsv:2: more than 3");
	famous_error("name\tids\tdescription\na\tCVE-1\na\tCVE-2\n", LADING_EINVALID, "my.tsv:3: this name");
	famous_error("# only comments\n", LADING_EINVALID, "no header line");
}

/* ---- the fleet JSON ---- */

static void json_error(const char *json, int code, const char *needle)
{
	fx f = {0};
	assert_int_equal(parse(&f, json), code);
	if (!strstr(lading_ctx_error(f.ctx)->msg, needle))
		fail_msg("'%s' not in '%s'", needle, lading_ctx_error(f.ctx)->msg);
	done(&f);
}

static void test_json_errors(void **state)
{
	(void)state;
	json_error("[]", LADING_EINVALID, "test.json: document: not a JSON object");
	json_error("{\"images\":[]}", LADING_EINVALID, "not a fleet export");
	json_error("{\"lading_fleet\":2}", LADING_EUNSUPPORTED, "version 2");
	json_error("{\"lading_fleet\":1,\"images\":[{\"digest\":\"a\"},{}]}", LADING_EINVALID, "images[1]: 'digest' missing");
	json_error("{\"lading_fleet\":1,\"images\":[{\"digest\":\"a\",\"findings\":[{\"id\":\"x\",\"severity\":\"dire\"}]}]}",
		   LADING_EINVALID, "images[0].findings[0]: unknown severity");
	json_error("{\"lading_fleet\":1,\"images\":[{\"digest\":\"a\",\"created\":\"yesterday\"}]}", LADING_EINVALID,
		   "not an RFC 3339 time");
	json_error("{\"lading_fleet\":1,\"containers\":[{\"id\":\"c\",\"state\":\"paused\"}]}", LADING_EINVALID,
		   "containers[0]: unknown state");
	json_error("{\"lading_fleet\":1,\"images\":[{\"digest\":\"a\",\"refs\":[1]}]}", LADING_EINVALID, "'refs'[0]");
	json_error("{\"lading_fleet\":1,\"history\":[{\"images\":1}]}", LADING_EINVALID, "history[0]: 'time' missing");
	json_error("{\"lading_fleet\":1,", LADING_EINVALID, "test.json");
}

static void test_json_round_trip(void **state)
{
	fx a = {0}, b = {0};
	ld_buf out = LD_BUF_INIT;
	(void)state;
	assert_int_equal(parse(&a, fleet_groups), 0);
	assert_int_equal(ld_fleet_data_write_json(&out, &a.d), 0);
	assert_int_equal(parse(&b, out.ptr), 0);
	assert_int_equal(b.d.image_count, a.d.image_count);
	assert_int_equal(b.d.container_count, a.d.container_count);
	assert_string_equal(b.d.images[0].refs[1], "registry.example.com:5000/mirror/nginx:1");
	assert_string_equal(b.d.images[0].labels[0].value, "web");
	assert_int_equal(b.d.images[1].finding_count, 2);
	assert_int_equal(b.d.images[1].findings[1].severity, 3);
	assert_int_equal(b.d.images[3].matched, 1);
	assert_int_equal(b.d.containers[1].last_seen, a.d.containers[1].last_seen);
	assert_int_equal(b.d.containers[1].state, LD_FLEET_GONE);
	ld_buf_release(&out);
	done(&a);
	done(&b);
}

static void test_times(void **state)
{
	int64_t t;
	char s[32];
	(void)state;
	assert_true(ld_fleet_parse_time("1970-01-01T00:00:00Z", &t) && t == 0);
	assert_true(ld_fleet_parse_time("2024-02-29", &t) && t == 1709164800);
	assert_true(ld_fleet_parse_time("2024-02-29T01:00:00.123+01:00", &t) && t == 1709164800);
	assert_false(ld_fleet_parse_time("2024-13-01", &t));
	assert_false(ld_fleet_parse_time("2024-01-01T00:00:00", &t));
	assert_false(ld_fleet_parse_time("2024-01-01Tjunk", &t));
	ld_fleet_format_time(1709164800, s);
	assert_string_equal(s, "2024-02-29T00:00:00Z");
	ld_fleet_format_time(-86400, s);
	assert_string_equal(s, "1969-12-31T00:00:00Z");
}

/* ---- summaries and writers ---- */

static void test_summaries(void **state)
{
	fx f = {0};
	ld_fleet_vulns *v = NULL;
	ld_fleet_grouping *g = NULL;
	ld_fleet_summary *s = NULL;
	ld_arena arena;
	size_t n = 0;
	(void)state;
	assert_int_equal(parse(&f, fleet_groups), 0);
	ld_arena_init(&arena, 0);
	assert_int_equal(ld_fleet_vulns_build(&v, &f.d, f.ctx), 0);
	assert_int_equal(ld_fleet_grouping_new(&g, "official", NULL, f.ctx), 0);
	assert_int_equal(ld_fleet_summarize(&s, &n, &f.d, v, (const ld_fleet_grouping *const *)&g, 1, 1000, &arena, f.ctx), 0);
	/* overall, community, official (order of first appearance: overall first) */
	assert_int_equal(n, 3);
	assert_null(s[0].group);
	assert_int_equal(s[0].images, 4);
	assert_int_equal(s[0].vulnerabilities, 4); /* 1 + 2 + 1 + 0 */
	assert_int_equal(s[0].critical_images, 2);
	assert_int_equal(s[0].containers_running, 1);
	assert_true(s[0].vulns_median == 1 && s[0].vulns_p90 == 2);
	for (size_t i = 1; i < n; i++) {
		assert_string_equal(s[i].group_by, "official");
		if (!strcmp(s[i].group, "official"))
			assert_true(s[i].images == 1 && s[i].vulnerabilities == 1 && s[i].containers_running == 1);
		else
			assert_true(s[i].images == 3 && s[i].vulnerabilities == 3 && s[i].containers_running == 0);
	}
	ld_arena_release(&arena);
	ld_fleet_grouping_free(g);
	ld_fleet_vulns_free(v);
	done(&f);
}

static void test_empty_and_writers(void **state)
{
	fx f = {0};
	ld_buf b = LD_BUF_INIT;
	(void)state;
	compute(&f, "{\"lading_fleet\":1}", NULL, NULL, NULL);
	assert_int_equal(ld_fleet_write_table(&b, &f.st), 0);
	assert_non_null(strstr(b.ptr, "nothing to report"));
	ld_buf_clear(&b);
	assert_int_equal(ld_fleet_write_json(&b, &f.st), 0);
	assert_non_null(strstr(b.ptr, "\"empty\": true"));
	assert_non_null(strstr(b.ptr, "\"groups\": {}"));
	ld_buf_clear(&b);
	assert_int_equal(ld_fleet_write_html(&b, &f.st), 0);
	assert_non_null(strstr(b.ptr, "nothing to report"));
	ld_buf_release(&b);
	done(&f);

	memset(&f, 0, sizeof(f));
	memset(&b, 0, sizeof(b));
	ld_buf_init(&b, LD_BUF_DEFAULT_MAX);
	compute(&f, fleet_groups, NULL, NULL, NULL);
	assert_int_equal(ld_fleet_write_json(&b, &f.st), 0);
	/* G starts with images then vulnerabilities_per_image */
	assert_non_null(strstr(b.ptr, "\"overall\": {\n    \"images\": 4,\n    \"vulnerabilities_per_image\": {"));
	ld_buf_clear(&b);
	assert_int_equal(ld_fleet_write_html(&b, &f.st), 0);
	assert_null(strstr(b.ptr, "http://"));
	assert_null(strstr(b.ptr, "https://"));
	assert_null(strstr(b.ptr, "<link"));
	assert_non_null(strstr(b.ptr, "<svg"));
	ld_buf_release(&b);
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_distinct_across_aliases),
		cmocka_unit_test(test_bases_and_age),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_group_errors),
		cmocka_unit_test(test_ref_split),
		cmocka_unit_test(test_since_and_containers),
		cmocka_unit_test(test_famous),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_empty_and_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

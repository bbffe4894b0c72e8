/* service/notify.c, deliver.c and the job claims of jobs.c over a SQLite store in a temp dir: the
 * events of an image whose findings change from one database build to the next (new, resolved,
 * newly known exploited; a package in two layers counted once), the webhooks' scopes (running
 * images, all images) and event filters, the first webhook's silent baseline, a failed delivery
 * in the log with its retry time, submitted jobs claimed before rescans and the cap on rescans
 * in flight, a scheduled job queued once per key. integration.webhook runs the same on
 * PostgreSQL with a real receiver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "util/common.h"
#include "util/json.h"
#include "store/store.h"
#include "service/service.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	ld_strlcpy(dir, "/tmp/lading-notify-test.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	ld_snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t count(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static const lading_os alpine = {"alpine",	 "3.7.3", "3.7.3", NULL,
				 "Alpine Linux", NULL,	  NULL,	   NULL};

static lading_package pkg(const char *name, const char *version, int layer)
{
	lading_package p;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.version = version;
	p.type = "apk";
	p.source_name = name;
	p.source_version = version;
	p.epoch = -1;
	p.location = "lib/apk/db/installed";
	p.layer = layer;
	return p;
}

#define D1 "sha256:bbbb000000000000000000000000000000000000000000000000000000000001"

/* musl in layers 0 and 1 (one finding, two rows), busybox */
static void put(lading_store *s, const char *build, const ld_store_finding *f, size_t nf)
{
	static lading_layer_info layers[2] = {
		{"sha256:1111111111111111111111111111111111111111111111111111111111111111",
		 "sha256:1111111111111111111111111111111111111111111111111111111111111111", NULL, 1,
		 NULL, NULL},
		{"sha256:2222222222222222222222222222222222222222222222222222222222222222",
		 "sha256:2222222222222222222222222222222222222222222222222222222222222222", NULL, 1,
		 NULL, NULL}};
	static const char *tags[1] = {"registry.example/app:1"};
	static lading_package musl0, musl1, busybox;
	static const lading_package *pkgs[3] = {&musl0, &musl1, &busybox};
	ld_store_image im;
	ld_store_put_result r;
	musl0 = pkg("musl", "1.1.18-r3", 0);
	musl1 = pkg("musl", "1.1.18-r3", 1);
	busybox = pkg("busybox", "1.27.2-r11", 0);
	memset(&im, 0, sizeof(im));
	im.digest = D1;
	im.os = "linux";
	im.architecture = "amd64";
	im.layers = layers;
	im.nlayers = 2;
	im.tags = tags;
	im.ntags = 1;
	im.osinfo = &alpine;
	im.pkgs = pkgs;
	im.npkgs = 3;
	im.dbbuild = build;
	im.findings = f;
	im.nfindings = nf;
	if (ld_store_put_image(s, &im, &r))
		fail_msg("%s: %s", build, lading_ctx_error(s->ctx)->msg);
}

static void sql(const char *db, const char *text)
{
	sqlite3 *h;
	char *err = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err);
	sqlite3_close(h);
}

/* A new database build matched against the image's package list (what a rescan writes): its
 * findings "VULN PACKAGE SEVERITY KEV", the build made current. */
static void rematch(const char *db, const char *build, const char *const *findings, size_t n)
{
	char q[1024];
	ld_snprintf(q, sizeof(q), "INSERT INTO dbbuild(built_at, first_used) VALUES('%s', '%s')",
		    build, build);
	sql(db, q);
	for (size_t i = 0; i < n; i++) {
		char vuln[32], name[32];
		int sev, kev;
		assert_int_equal(sscanf(findings[i], "%31s %31s %d %d", vuln, name, &sev, &kev), 4);
		ld_snprintf(q, sizeof(q),
			    "INSERT INTO finding(dbbuild_id, os_id, package_id, vuln, severity, "
			    "kev, status)"
			    " SELECT d.id, pl.os_id, p.id, '%s', %d, %d, 'affected' FROM dbbuild "
			    "d, pkglist pl,"
			    " package p WHERE d.built_at = '%s' AND p.name = '%s'",
			    vuln, sev, kev, build, name);
		sql(db, q);
	}
	ld_snprintf(
		q, sizeof(q),
		"UPDATE pkglist SET dbbuild_id = (SELECT id FROM dbbuild WHERE built_at = '%s')",
		build);
	sql(db, q);
}

static void add_hook(lading_store *s, lading_ctx *ctx, const char *url, const char *events, int all)
{
	lading_webhook_options o = LADING_WEBHOOK_OPTIONS_INIT;
	int64_t id = 0;
	o.url = url;
	o.secret = "k";
	o.secret_len = 1;
	o.events = events;
	o.all_images = all;
	assert_int_equal(lading_webhook_add(s, ctx, &o, &id), 0);
	assert_true(id > 0);
}

static lading_notify_result eval(lading_store *s, lading_ctx *ctx, const char *digest)
{
	lading_notify_result r;
	assert_int_equal(lading_notify_evaluate(s, ctx, digest ? "job" : "rescan", digest, &r), 0);
	return r;
}

/* The findings of the newest event of a type: {"vuln/change", ...} as one string. */
static void last_event(const char *db, const char *type, char *out, size_t outsz)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	ld_arena a;
	ld_json *j = NULL;
	lading_ctx *ctx = NULL;
	ld_buf b;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(h,
				   "SELECT body FROM notify_event WHERE type = ?1 ORDER BY id DESC",
				   -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	ld_arena_init(&a, 0);
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_json_parse(&j, &a, (const char *)sqlite3_column_text(st, 0),
				       (size_t)sqlite3_column_bytes(st, 0), NULL, ctx, "body"),
			 0);
	ld_buf_init(&b, outsz);
	for (size_t i = 0; i < ld_json_len(ld_json_get(j, "findings")); i++) {
		const ld_json *f = ld_json_at(ld_json_get(j, "findings"), i);
		ld_buf_addf(&b, "%s%s/%s", i ? " " : "", ld_json_get_str(f, "vulnerability"),
			    ld_json_get_str(f, "change") ? ld_json_get_str(f, "change") : "-");
	}
	ld_strlcpy(out, ld_buf_cstr(&b), outsz);
	ld_buf_release(&b);
	lading_ctx_free(ctx);
	ld_arena_release(&a);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void test_events(void **state)
{
	char db[512], got[512];
	lading_ctx *ctx;
	lading_store *s;
	lading_notify_result r;
	/* findings are per (build, OS, package): musl's reaches the image through both its layers
	 */
	ld_store_finding b1[2] = {{"CVE-1", 0, 3, 0, -1, -1, "1.1.18-r4", "fixed", NULL},
				  {"CVE-2", 2, 2, 0, -1, -1, NULL, "affected", NULL}};
	/* build 2: CVE-1 known exploited now, CVE-2 gone, CVE-3 new */
	static const char *const b2[2] = {"CVE-1 musl 3 1", "CVE-3 busybox 4 0"};
	/* build 3: CVE-3 known exploited too */
	static const char *const b3[2] = {"CVE-1 musl 3 1", "CVE-3 busybox 4 1"};
	/* build 4: the findings of build 1 */
	static const char *const b4[2] = {"CVE-1 musl 3 0", "CVE-2 busybox 2 0"};
	lading_container c = {0};
	lading_snapshot snap = {"host1", "2026-01-01T00:00:00Z", &c, 1};
	lading_snapshot_result sr;

	(void)state;
	ld_snprintf(db, sizeof(db), "%s/events.sqlite", dir);
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	/* no webhook: nothing is kept */
	put(s, "2026-01-01T00:00:00Z", b1, 2);
	r = eval(s, ctx, NULL);
	assert_int_equal(r.events, 0);
	assert_int_equal(count(db, "SELECT count(*) FROM notify_seen"), 0);
	/* the first webhook: the fleet as it is becomes the baseline, silently */
	add_hook(s, ctx, "http://127.0.0.1:1/all", NULL, 1);
	assert_int_equal(count(db, "SELECT count(*) FROM notify_seen"),
			 2); /* musl once for two layers */
	assert_int_equal(count(db, "SELECT count(*) FROM notify_event"), 0);
	add_hook(s, ctx, "http://127.0.0.1:1/running-kev", "kev.added", 0);
	r = eval(s, ctx, D1);
	assert_int_equal(r.events, 0);

	/* build 2: one event of each type for the all-images webhook; the other watches running
	 * images and the image runs nowhere */
	rematch(db, "2026-01-02T00:00:00Z", b2, 2);
	r = eval(s, ctx, NULL);
	assert_int_equal(r.images, 1);
	assert_int_equal(r.events, 3);
	assert_int_equal(r.deliveries, 3);
	last_event(db, "finding.new", got, sizeof(got));
	assert_string_equal(got, "CVE-3/-");
	last_event(db, "finding.resolved", got, sizeof(got));
	assert_string_equal(got, "CVE-2/-");
	last_event(db, "kev.added", got, sizeof(got));
	assert_string_equal(got, "CVE-1/kev");
	/* nothing changed since: nothing again */
	r = eval(s, ctx, NULL);
	assert_int_equal(r.events, 0);

	/* the image runs now; build 3 makes CVE-3 known exploited: both webhooks hear of it */
	c.id = "c1";
	c.state = "running";
	c.image_digest = D1;
	assert_int_equal(lading_inventory_record_snapshot(s, ctx, &snap, &sr), 0);
	rematch(db, "2026-01-03T00:00:00Z", b3, 2);
	r = eval(s, ctx, D1);
	assert_int_equal(r.events, 1);
	assert_int_equal(r.deliveries, 2);
	last_event(db, "kev.added", got, sizeof(got));
	assert_string_equal(got, "CVE-3/kev");
	assert_int_equal(count(db, "SELECT count(*) FROM webhook_delivery WHERE webhook_id = 2"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM notify_event WHERE body LIKE "
				   "'%\"running_containers\":1%'"),
			 1);

	/* a removed webhook gets no more deliveries; build 4 (the findings of build 1) resolves
	 * CVE-3 and brings CVE-2 back: only the kev.added webhook is left, and nothing became KEV
	 */
	assert_int_equal(lading_webhook_remove(s, ctx, 1), 0);
	assert_int_equal(lading_webhook_remove(s, ctx, 1), LADING_ENOTFOUND);
	rematch(db, "2026-01-04T00:00:00Z", b4, 2);
	r = eval(s, ctx, NULL);
	assert_int_equal(r.images, 1);
	assert_int_equal(r.events, 0);
	assert_int_equal(r.deliveries, 0);
	lading_store_close(s);
	lading_ctx_free(ctx);
}

/* A receiver that refuses connections: the attempt fails, the log says so, the retry waits. */
static void test_delivery_log(void **state)
{
	char db[512];
	lading_ctx *ctx;
	lading_store *s;
	ld_store_finding f1[1] = {{"CVE-9", 2, 4, 1, -1, -1, NULL, "affected", NULL}};
	size_t sent = 9, failed = 9;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	ld_snprintf(db, sizeof(db), "%s/log.sqlite", dir);
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	add_hook(s, ctx, "http://127.0.0.1:1/refused", NULL, 1);
	put(s, "2026-02-01T00:00:00Z", f1, 1);
	assert_int_equal(eval(s, ctx, NULL).events, 2); /* finding.new and kev.added ("new") */
	assert_int_equal(lading_webhook_deliver(s, ctx, &sent, &failed), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 2);
	/* due later: a second pass sends nothing */
	assert_int_equal(lading_webhook_deliver(s, ctx, &sent, &failed), 0);
	assert_int_equal(sent + failed, 0);
	assert_int_equal(lading_webhook_deliveries(s, ctx, 0, 0, LADING_FORMAT_JSON, &out, &len),
			 0);
	assert_non_null(strstr(out, "\"state\": \"queued\""));
	assert_non_null(strstr(out, "\"attempts\": 1"));
	assert_non_null(strstr(out, "\"next_attempt\": \"20"));
	assert_null(strstr(out, "\"status\": 200"));
	free(out);
	assert_int_equal(
		count(db, "SELECT count(*) FROM webhook_delivery WHERE error LIKE '%127.0.0.1%'"),
		2);
	assert_int_equal(
		count(db, "SELECT count(*) FROM webhook_delivery WHERE not_before > updated"), 2);
	/* parked after the last attempt; queued again by hand, due now */
	{
		size_t n = 9;
		assert_int_equal(lading_webhook_retry(s, ctx, 1, &n), LADING_ENOTFOUND);
		sql(db, "UPDATE webhook_delivery SET state = 'failed', attempts = 12");
		assert_int_equal(lading_webhook_retry(s, ctx, 1, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(lading_webhook_retry(s, ctx, 0, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(lading_webhook_deliver(s, ctx, &sent, &failed), 0);
		assert_int_equal(failed, 2);
	}
	lading_store_close(s);
	assert_int_equal(count(db, "SELECT count(*) FROM webhook_delivery WHERE attempts = 1 AND "
				   "state = 'queued'"),
			 2);
	lading_ctx_free(ctx);
}

typedef struct claimed_job {
	char kind[16];
	bool found;
} claimed_job;

static int claim_row(void *opaque, const ld_sv *c, size_t n)
{
	claimed_job *j = opaque;
	if (n < 4)
		return 0;
	ld_strlcpy(j->kind, ld_sv_str(&c[1]), sizeof(j->kind));
	j->found = true;
	return 1;
}

static claimed_job claim(lading_store *s, ld_sq q, int64_t max)
{
	claimed_job j = {"", false};
	ld_sv p[4] = {ld_sv_text("2030-01-01T00:00:00Z"), ld_sv_text("2030-01-01T00:01:00Z"),
		      ld_sv_text("w"), ld_sv_int(max)};
	assert_int_equal(ld_store_exec(s, q, p, q == LD_SQ_JOB_CLAIM ? 3 : 4, claim_row, &j, NULL),
			 0);
	return j;
}

static void test_job_claims(void **state)
{
	char db[512];
	lading_ctx *ctx;
	lading_store *s;
	int64_t id;
	bool queued;
	claimed_job j;

	(void)state;
	ld_snprintf(db, sizeof(db), "%s/jobs.sqlite", dir);
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	assert_int_equal(ld_svc_job_submit_once(s, ctx, "rescan:every:60:1", "rescan", "",
						LD_JOB_PRIO_RESCAN, &queued),
			 0);
	assert_true(queued);
	assert_int_equal(ld_svc_job_submit_once(s, ctx, "rescan:every:60:1", "rescan", "",
						LD_JOB_PRIO_RESCAN, &queued),
			 0);
	assert_false(queued);
	assert_int_equal(ld_svc_job_submit_once(s, ctx, "rescan:db:x", "rescan", "",
						LD_JOB_PRIO_RESCAN, &queued),
			 0);
	assert_true(queued);
	assert_int_equal(
		ld_svc_job_submit(s, ctx, "image", "registry:r/a:1", LD_JOB_PRIO_SUBMITTED, &id),
		0);
	/* the submitted job first, though queued last; the job claim never takes a rescan */
	j = claim(s, LD_SQ_JOB_CLAIM, 0);
	assert_true(j.found);
	assert_string_equal(j.kind, "image");
	assert_false(claim(s, LD_SQ_JOB_CLAIM, 0).found);
	/* one rescan in flight at most */
	j = claim(s, LD_SQ_JOB_CLAIM_RESCAN, 1);
	assert_true(j.found);
	assert_string_equal(j.kind, "rescan");
	assert_false(claim(s, LD_SQ_JOB_CLAIM_RESCAN, 1).found);
	assert_true(claim(s, LD_SQ_JOB_CLAIM_RESCAN, 2).found);
	lading_store_close(s);
	assert_int_equal(count(db, "SELECT count(*) FROM job WHERE kind = 'rescan'"), 2);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_delivery_log),
		cmocka_unit_test(test_job_claims),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

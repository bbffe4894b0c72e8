/* The inventory store on SQLite in a temp dir: migrations, identity by content (an image, a
 * package list, a package recorded twice are stored once), findings per (build, OS, package),
 * snapshots marking absent containers gone, refusals (a newer schema, a file that is not a
 * store, a malformed snapshot) that leave the file untouched, prune and check. The same
 * statements run on PostgreSQL in tests/integration/inventory.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "util/common.h"
#include "util/hash.h"
#include "store/store.h"
#include "store/fleet_data.h"

static char dir[256];

static void path_of(char *out, size_t n, const char *name)
{
	ld_snprintf(out, n, "%s/%s", dir, name);
}

static int setup(void **state)
{
	(void)state;
	ld_strlcpy(dir, "/tmp/lading-store-test.XXXXXX", sizeof(dir));
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

static void file_digest(const char *path, char out[LD_DIGEST_STR_LEN])
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ld_sha256_buf(buf, n, out);
}

static const lading_os alpine = {"alpine", "3.7.3", "3.7.3", NULL, "Alpine Linux", NULL, NULL, NULL};

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

static void image(ld_store_image *im, const char *digest, const lading_package *const *pkgs, size_t n,
		  const char *build, const ld_store_finding *f, size_t nf)
{
	static lading_layer_info layer = {"sha256:1111111111111111111111111111111111111111111111111111111111111111",
					  "sha256:1111111111111111111111111111111111111111111111111111111111111111",
					  NULL, 123, NULL, NULL};
	static const char *tags[1] = {"docker.io/library/alpine:3.7"};
	memset(im, 0, sizeof(*im));
	im->digest = digest;
	im->os = "linux";
	im->architecture = "amd64";
	im->layers = &layer;
	im->nlayers = 1;
	im->tags = tags;
	im->ntags = 1;
	im->osinfo = &alpine;
	im->pkgs = pkgs;
	im->npkgs = n;
	im->dbbuild = build;
	im->findings = f;
	im->nfindings = nf;
}

#define D1 "sha256:aaaa000000000000000000000000000000000000000000000000000000000001"
#define D2 "sha256:aaaa000000000000000000000000000000000000000000000000000000000002"

static void test_identity(void **state)
{
	char db[512];
	lading_ctx *ctx;
	lading_store *s;
	lading_package musl = pkg("musl", "1.1.18-r3", 0), busybox = pkg("busybox", "1.27.2-r11", 0);
	const lading_package *pkgs[3] = {&musl, &busybox, &musl}; /* a duplicate entry counts once */
	const lading_package *rev[2] = {&busybox, &musl};
	ld_store_finding f = {"CVE-2019-14697", 0, 4, 1, 0.5, 9.8, "1.1.18-r4", "fixed", "GHSA-x"};
	ld_store_image im;
	ld_store_put_result r;
	bool found, matched;

	(void)state;
	path_of(db, sizeof(db), "a/b/store.sqlite"); /* folders are created */
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	assert_string_equal(lading_store_backend(s), "sqlite");
	image(&im, D1, pkgs, 3, "2026-01-01T00:00:00Z", &f, 1);
	assert_int_equal(ld_store_put_image(s, &im, &r), 0);
	assert_true(r.new_image);
	assert_true(r.new_pkglist);
	/* the same image again: nothing new */
	assert_int_equal(ld_store_put_image(s, &im, &r), 0);
	assert_false(r.new_image);
	assert_false(r.new_pkglist);
	/* another image with the same packages in another order: the list is shared */
	image(&im, D2, rev, 2, "2026-01-01T00:00:00Z", NULL, 0);
	assert_int_equal(ld_store_put_image(s, &im, &r), 0);
	assert_true(r.new_image);
	assert_false(r.new_pkglist);
	assert_int_equal(ld_store_image_known(s, D1, "2026-01-01T00:00:00Z", &found, &matched), 0);
	assert_true(found && matched);
	assert_int_equal(ld_store_image_known(s, D2, "2027-01-01T00:00:00Z", &found, &matched), 0);
	assert_true(found && !matched);
	assert_int_equal(ld_store_image_known(s, D1 "0", NULL, &found, &matched), 0);
	assert_false(found);
	lading_store_close(s);
	assert_int_equal(count(db, "SELECT count(*) FROM image"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM pkglist"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM pkglist_item"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM package"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM layer"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM image_ref"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM finding"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM vuln_alias WHERE alias = 'GHSA-x'"), 1);
	assert_int_equal(count(db, "SELECT max(version) FROM schema_migration"), LD_STORE_SCHEMA_VERSION);
	assert_int_equal(count(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	lading_ctx_free(ctx);
}

static void test_snapshot(void **state)
{
	char db[512];
	lading_ctx *ctx;
	lading_store *s;
	lading_label labels[1] = {{"app", "web"}};
	lading_container c[3];
	lading_snapshot snap = {"host1", "2026-01-01T00:00:00Z", c, 2};
	lading_snapshot_result r;

	(void)state;
	memset(c, 0, sizeof(c));
	c[0].id = "c1";
	c[0].state = "running";
	c[0].image_digest = D1;
	c[0].labels = labels;
	c[0].label_count = 1;
	c[1].id = "c2";
	c[1].state = "exited";
	path_of(db, sizeof(db), "snap.sqlite");
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	assert_int_equal(lading_inventory_record_snapshot(s, ctx, &snap, &r), 0);
	assert_int_equal(r.added, 2);
	/* c1 absent from the next snapshot of host1: gone, last seen kept */
	snap.taken_at = "2026-01-02T00:00:00Z";
	snap.containers = &c[1];
	snap.count = 1;
	assert_int_equal(lading_inventory_record_snapshot(s, ctx, &snap, &r), 0);
	assert_int_equal(r.updated, 1);
	assert_int_equal(r.gone, 1);
	/* another source does not touch host1's */
	snap.source = "host2";
	assert_int_equal(lading_inventory_record_snapshot(s, ctx, &snap, &r), 0);
	assert_int_equal(r.gone, 0);
	/* a duplicate id or a bad state: refused, nothing written */
	c[2] = c[1];
	snap.containers = &c[1];
	snap.count = 2;
	assert_int_equal(lading_inventory_record_snapshot(s, ctx, &snap, &r), LADING_EINVALID);
	c[2].id = "c3";
	c[2].state = "sleeping";
	assert_int_equal(lading_inventory_record_snapshot(s, ctx, &snap, &r), LADING_EINVALID);
	lading_store_close(s);
	assert_int_equal(count(db, "SELECT count(*) FROM container WHERE cid = 'c1' AND state = 'gone' AND"
				   " last_seen = '2026-01-01T00:00:00Z'"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM container"), 3);
	assert_int_equal(count(db, "SELECT count(*) FROM snapshot"), 3);
	assert_int_equal(count(db, "SELECT count(*) FROM container WHERE labels = '{\"app\":\"web\"}'"), 1);
	lading_ctx_free(ctx);
}

static void test_refusals(void **state)
{
	char db[512], other[512], before[LD_DIGEST_STR_LEN], after[LD_DIGEST_STR_LEN];
	lading_ctx *ctx;
	lading_store *s;
	sqlite3 *h;

	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	path_of(db, sizeof(db), "future.sqlite");
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	lading_store_close(s);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode=DELETE; INSERT INTO schema_migration VALUES(99, 'x', 'y')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	file_digest(db, before);
	assert_int_equal(lading_store_open(&s, ctx, db), LADING_EUNSUPPORTED);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "newer lading"));
	file_digest(db, after);
	assert_string_equal(before, after);
	/* a SQLite file that is not a store */
	path_of(other, sizeof(other), "other.sqlite");
	assert_int_equal(sqlite3_open(other, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(lading_store_open(&s, ctx, other), LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "not a lading store"));
	assert_int_equal(lading_store_open(&s, ctx, "ftp://x/y"), LADING_EUSAGE);
	assert_int_equal(lading_store_open(&s, ctx, "sqlite:"), LADING_EUSAGE);
	lading_ctx_free(ctx);
}

static void test_prune_check(void **state)
{
	char db[512], *out = NULL;
	lading_ctx *ctx;
	lading_store *s;
	lading_package musl = pkg("musl", "1.1.18-r3", 0);
	const lading_package *pkgs[1] = {&musl};
	ld_store_image im;
	ld_store_put_result r;
	lading_prune_result pr;
	size_t len;

	(void)state;
	path_of(db, sizeof(db), "prune.sqlite");
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	image(&im, D1, pkgs, 1, NULL, NULL, 0);
	assert_int_equal(ld_store_put_image(s, &im, &r), 0);
	assert_int_equal(lading_inventory_check(s, ctx, LADING_FORMAT_JSON, &out, &len), 0);
	assert_non_null(strstr(out, "\"ok\": true"));
	free(out);
	assert_int_equal(lading_inventory_prune(s, ctx, "2000-01-01", &pr), 0);
	assert_int_equal(pr.images, 0);
	assert_int_equal(lading_inventory_prune(s, ctx, "yesterday", &pr), LADING_EUSAGE);
	assert_int_equal(lading_inventory_prune(s, ctx, "2999-01-01", &pr), 0);
	assert_int_equal(pr.images, 1);
	assert_int_equal(pr.refs, 1);
	assert_int_equal(pr.layers, 1);
	assert_int_equal(pr.package_lists, 1);
	assert_int_equal(lading_inventory_check(s, ctx, LADING_FORMAT_TABLE, &out, &len), 0);
	free(out);
	lading_store_close(s);
	assert_int_equal(count(db, "SELECT count(*) FROM package"), 0);
	/* an inconsistency is reported */
	{
		sqlite3 *h;
		assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "INSERT INTO image_ref VALUES(42, 'tag', 'x', 'a', 'a')", NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(h);
	}
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	assert_int_equal(lading_inventory_check(s, ctx, LADING_FORMAT_TABLE, &out, &len), LADING_EINVALID);
	assert_non_null(strstr(out, "image_ref rows without their image"));
	free(out);
	lading_store_close(s);
	lading_ctx_free(ctx);
}

/* Config labels: stored with the image, completed when it is recorded again, read by the fleet
 * loader, pruned with it. History: summaries written on demand, at most once a day when asked. */
static void test_labels_history(void **state)
{
	char db[512];
	lading_ctx *ctx;
	lading_store *s;
	lading_package musl = pkg("musl", "1.1.18-r3", 0);
	const lading_package *pkgs[1] = {&musl};
	const lading_image_label two[2] = {{"a", "1"}, {"team", "payments"}};
	const lading_image_label three[3] = {{"a", "changed"}, {"b", "2"}, {"team", "payments"}};
	ld_store_image im;
	ld_store_put_result r;
	lading_prune_result pr;
	ld_fleet_data d;

	(void)state;
	path_of(db, sizeof(db), "labels.sqlite");
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_store_open(&s, ctx, db), 0);
	image(&im, D1, pkgs, 1, NULL, NULL, 0);
	im.labels = two;
	im.nlabels = 2;
	assert_int_equal(ld_store_put_image(s, &im, &r), 0);
	im.labels = three; /* the same image: a key already stored keeps its value */
	im.nlabels = 3;
	assert_int_equal(ld_store_put_image(s, &im, &r), 0);
	assert_int_equal(lading_inventory_history(s, ctx, 1), 0);
	assert_int_equal(lading_inventory_history(s, ctx, 1), 0); /* today's exists: nothing */
	ld_fleet_data_init(&d);
	assert_int_equal(ld_store_load_fleet(s, &d, ctx), 0);
	assert_int_equal(d.image_count, 1);
	assert_int_equal(d.images[0].label_count, 3);
	assert_string_equal(d.images[0].labels[0].key, "a");
	assert_string_equal(d.images[0].labels[0].value, "1");
	assert_string_equal(d.images[0].labels[2].value, "payments");
	/* overall, and the image's group under each grouping: official, registry, repo, namespace,
	 * source and one per label key */
	assert_int_equal(d.history_count, 9);
	assert_null(d.history[0].group);
	assert_int_equal(d.history[0].images, 1);
	assert_string_equal(d.history[0].group_by, "official");
	{
		static const char *const want[][2] = {{"official", "official"}, {"registry", "docker.io"},
						      {"repo", "docker.io/library/alpine"}, {"label:a", "1"},
						      {"label:b", "2"}, {"label:team", "payments"}};
		for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
			size_t hits = 0;
			for (size_t i = 1; i < d.history_count; i++)
				if (!strcmp(d.history[i].group_by, want[w][0])) {
					assert_string_equal(d.history[i].group, want[w][1]);
					assert_int_equal(d.history[i].images, 1);
					hits++;
				}
			assert_int_equal(hits, 1);
		}
	}
	ld_fleet_data_release(&d);
	assert_int_equal(lading_inventory_history(s, ctx, 0), 0);
	assert_int_equal(lading_inventory_prune(s, ctx, "2999-01-01", &pr), 0);
	lading_store_close(s);
	assert_int_equal(count(db, "SELECT count(*) FROM fleet_summary"), 18);
	assert_int_equal(count(db, "SELECT count(*) FROM image_label"), 0);
	lading_ctx_free(ctx);
}

static void test_containers_json(void **state)
{
	static const char doc[] =
		"{\"containers\":[{\"id\":\"c1\",\"name\":\"web\",\"labels\":{\"a\":\"b\"},\"state\":\"running\"},"
		"{\"id\":\"c2\",\"state\":\"gone\"},{\"id\":\"c3\",\"namespace\":\"ns\",\"state\":\"exited\"}]}";
	lading_container *v = NULL;
	lading_ctx *ctx;
	size_t n = 0;

	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_containers_parse_json(&v, &n, ctx, doc, sizeof(doc) - 1, "t"), 0);
	assert_int_equal(n, 2); /* the gone one is not in a snapshot */
	assert_string_equal(v[0].id, "c1");
	assert_string_equal(v[0].labels[0].key, "a");
	assert_string_equal(v[0].labels[0].value, "b");
	/* sorted by (namespace, pod, name, id), as every snapshot */
	assert_string_equal(v[1].namespace_name, "ns");
	assert_string_equal(v[1].state, "exited");
	free(v);
	/* a record without a state is malformed input (docs/containers.md), as in a snapshot file */
	assert_int_equal(lading_containers_parse_json(
			     &v, &n, ctx, "{\"containers\":[{\"id\":\"x\",\"state\":null}]}", 40, "t"),
			 LADING_EINVALID);
	/* every prefix of the document is refused cleanly */
	for (size_t k = 0; k < sizeof(doc) - 1; k++) {
		assert_int_not_equal(lading_containers_parse_json(&v, &n, ctx, doc, k, "t"), 0);
		assert_null(v);
	}
	assert_int_equal(lading_containers_parse_json(&v, &n, ctx, "{\"containers\":[{\"id\":3}]}", 24, "t"),
			 LADING_EINVALID);
	assert_int_equal(lading_containers_parse_json(&v, &n, ctx, "{\"containers\":[{\"id\":\"x\",\"state\":\"odd\"}]}",
						      40, "t"),
			 LADING_EINVALID);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),   cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_refusals),   cmocka_unit_test(test_prune_check),
		cmocka_unit_test(test_containers_json), cmocka_unit_test(test_labels_history),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Container snapshot parsers: every file format from tests/data/containers/ (recorded from the
 * real docker CLI against Podman's API, and written from the Kubernetes and CRI API references),
 * time normalization, malformed input with its byte offset, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "source/containers.h"

static char *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("LADING_TESTDATA");
	char path[4096];
	FILE *f;
	char *buf;
	long n;
	ld_snprintf(path, sizeof(path), "%s/containers/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static lading_containers *parse_file(lading_ctx *ctx, const char *name)
{
	size_t len;
	char *p = read_data(name, &len);
	lading_containers *s = NULL;
	int rc = lading_containers_parse(&s, ctx, p, len, name, "test");
	if (rc)
		fail_msg("%s: %s", name, lading_ctx_error(ctx)->msg);
	free(p);
	return s;
}

static const lading_container *by_name(const lading_containers *s, const char *name)
{
	for (size_t i = 0; i < lading_containers_count(s); i++)
		if (!strcmp(lading_containers_get(s, i)->name, name))
			return lading_containers_get(s, i);
	fail_msg("no container %s", name);
	return NULL;
}

static const char *lab(const lading_container *c, const char *k)
{
	for (size_t i = 0; i < c->label_count; i++)
		if (!strcmp(c->labels[i].key, k))
			return c->labels[i].value;
	return NULL;
}

static void test_kubectl(void **state)
{
	lading_ctx *ctx;
	lading_containers *s;
	const lading_container *c;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	s = parse_file(ctx, "pods.json");
	assert_string_equal(lading_containers_format(s), "kubectl");
	assert_int_equal(lading_containers_count(s), 6); /* init + ordinary containers, pending too */
	c = by_name(s, "proxy");
	assert_string_equal(c->namespace_name, "shop");
	assert_string_equal(c->pod, "shop-frontend-7d9c6b5f4-x2k8p");
	assert_string_equal(c->node, "worker-1");
	assert_string_equal(c->owner, "ReplicaSet/shop-frontend-7d9c6b5f4");
	assert_string_equal(c->image_ref, "nginx:1.25");
	/* the image that runs is the status's imageID, not the spec's tag */
	assert_string_equal(c->image_digest, "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c");
	assert_string_equal(c->id, "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1");
	assert_string_equal(c->state, "running");
	assert_string_equal(c->started, "2026-11-30T08:01:44Z"); /* +01:00 to UTC */
	assert_string_equal(c->created, "2026-11-30T08:15:02Z");
	assert_string_equal(lab(c, "app.kubernetes.io/name"), "shop-frontend");
	assert_string_equal(c->source, "test");
	c = by_name(s, "prepare");
	assert_string_equal(c->state, "exited");
	assert_string_equal(c->owner, "DaemonSet/log-agent");
	assert_string_equal(c->image_digest, "sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79");
	c = by_name(s, "report"); /* pending: no status, no digest, an id made of its names */
	assert_string_equal(c->state, "created");
	assert_null(c->image_digest);
	assert_null(c->node);
	assert_string_equal(c->id, "jobs/batch-report-28731000-abcde/report");
	c = by_name(s, "debug"); /* waiting after it ran: exited */
	assert_string_equal(c->state, "exited");
	lading_containers_free(s);
	lading_ctx_free(ctx);
}

static void test_crictl(void **state)
{
	lading_ctx *ctx;
	lading_containers *s;
	const lading_container *c;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	s = parse_file(ctx, "crictl.json");
	assert_string_equal(lading_containers_format(s), "crictl");
	assert_int_equal(lading_containers_count(s), 2);
	c = by_name(s, "frontend");
	assert_string_equal(c->state, "running");
	assert_string_equal(c->namespace_name, "shop");
	assert_string_equal(c->pod, "shop-frontend-7d9c6b5f4-x2k8p");
	assert_string_equal(c->image_digest, "sha256:4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8");
	assert_string_equal(c->created, "2025-11-30T08:15:09Z"); /* nanoseconds since the epoch */
	c = by_name(s, "prepare");
	assert_string_equal(c->state, "exited");
	assert_string_equal(c->image_digest, "sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79");
	lading_containers_free(s);
	lading_ctx_free(ctx);
}

static void test_docker_files(void **state)
{
	lading_ctx *ctx;
	lading_containers *s;
	const lading_container *c;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	s = parse_file(ctx, "docker-ps.jsonl");
	assert_string_equal(lading_containers_format(s), "docker-ps");
	assert_int_equal(lading_containers_count(s), 2);
	c = by_name(s, "web1");
	assert_string_equal(c->state, "created");
	assert_string_equal(lab(c, "app"), "web");
	assert_string_equal(lab(c, "tier"), "front");
	assert_null(c->image_digest); /* docker ps prints no image ID */
	c = by_name(s, "edge-proxy");
	assert_string_equal(c->state, "exited");
	assert_string_equal(c->created, "2026-12-05T06:00:01Z");
	assert_string_equal(lab(c, "com.example.team"), "edge");
	lading_containers_free(s);

	s = parse_file(ctx, "docker-inspect.json");
	assert_string_equal(lading_containers_format(s), "docker-inspect");
	assert_int_equal(lading_containers_count(s), 1);
	c = lading_containers_get(s, 0);
	assert_string_equal(c->name, "web1");
	assert_int_equal(strlen(c->id), 64);
	assert_int_equal(strlen(c->image_digest), 71);
	assert_null(c->started); /* Go's zero time: never started */
	assert_string_equal(lab(c, "tier"), "front");
	lading_containers_free(s);
	lading_ctx_free(ctx);
}

static void test_docker_api_list(void **state)
{
	static const char doc[] =
		"[{\"Id\":\"7bf8d62aa3d4087eb1a9f8d1bc53d5e8ed6951b988fd98090f404eb3a9034a3b\",\"Names\":[\"/web1\"],"
		"\"Image\":\"docker.io/library/alpine:3.12.12\",\"ImageID\":\"sha256:18767358831079a8f205bb409af3a8343bbfafee"
		"58b632a1e6cedebefae1c2ad\",\"Created\":1796675173,\"Labels\":{\"app\":\"web\"},\"State\":\"paused\"}]";
	lading_ctx *ctx;
	lading_containers *s;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_containers_parse(&s, ctx, doc, sizeof(doc) - 1, "api", NULL), 0);
	assert_string_equal(lading_containers_format(s), "docker-api");
	assert_string_equal(lading_containers_get(s, 0)->name, "web1");
	assert_string_equal(lading_containers_get(s, 0)->state, "running");
	assert_string_equal(lading_containers_get(s, 0)->created, "2026-12-07T20:26:13Z");
	assert_string_equal(lading_containers_source(s), "file:api");
	lading_containers_free(s);
	lading_ctx_free(ctx);
}

static void test_times(void **state)
{
	static const char *const cases[][2] = {
		{"2026-11-30T08:15:02Z", "2026-11-30T08:15:02Z"},
		{"2026-11-30T08:15:02.123456789Z", "2026-11-30T08:15:02Z"},
		{"2026-11-30T09:15:02+01:00", "2026-11-30T08:15:02Z"},
		{"2026-11-30T01:15:02-0700", "2026-11-30T08:15:02Z"},
		{"2026-12-07 20:26:13 +0000 UTC", "2026-12-07T20:26:13Z"},
		{"1764490509123456789", "2025-11-30T08:15:09Z"},
		{"1796675173", "2026-12-07T20:26:13Z"},
		{"0001-01-01T00:00:00Z", NULL},
		{"yesterday", NULL},
		{"2026-13-01T00:00:00Z", NULL},
		{"2026-11-30T08:15:02+1", NULL},
		{"", NULL},
	};
	ld_arena a;
	(void)state;
	ld_arena_init(&a, 0);
	for (size_t i = 0; i < LD_ARRAY_LEN(cases); i++) {
		const char *got = ld_snap_time(&a, cases[i][0]);
		if (!cases[i][1]) {
			if (got)
				fail_msg("'%s' gave '%s', want none", cases[i][0], got);
		} else if (!got || strcmp(got, cases[i][1])) {
			fail_msg("'%s' gave '%s', want '%s'", cases[i][0], got ? got : "(none)", cases[i][1]);
		}
	}
	ld_arena_release(&a);
}

static void expect_error(const char *doc, int code, const char *needle, uint64_t offset)
{
	lading_ctx *ctx;
	lading_containers *s = (lading_containers *)1;
	const lading_error *e;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_containers_parse(&s, ctx, doc, strlen(doc), "snap.json", NULL), code);
	assert_null(s);
	e = lading_ctx_error(ctx);
	if (!strstr(e->msg, needle) || !strstr(e->msg, "snap.json"))
		fail_msg("message '%s' lacks '%s' or the file name", e->msg, needle);
	assert_int_equal(e->offset, offset);
	lading_ctx_free(ctx);
}

static void test_malformed(void **state)
{
	(void)state;
	/* a broken second docker ps line: its byte offset */
	expect_error("{\"ID\":\"a\",\"State\":\"running\"}\n{\"ID\":\"b\",\"Names\":", LADING_EINVALID, "line at byte 29", 47);
	expect_error("{\"ID\":\"a\",\"State\":\"running\"}\n{\"ID\":\"b\"}\n", LADING_EINVALID, "has no state", 29);
	expect_error("{\"ID\":\"a\",\"State\":\"running\"}\n[1]\n", LADING_EINVALID, "byte 29", 29);
	expect_error("{\"items\": [{\"metadata\": {}, \"spec\": {\"containers\": [}]}", LADING_EINVALID, "byte 52", 52);
	expect_error("{\"kind\":\"Status\",\"code\":403}", LADING_EUNSUPPORTED, "neither a pod list", 0);
	expect_error("\"hello\"", LADING_EUNSUPPORTED, "not a container list", 0);
	expect_error("  \n", LADING_EINVALID, "empty", 0);
	expect_error("{\"items\": [42]}", LADING_EINVALID, "not a pod object", 0);
	expect_error("[{\"Names\": [\"/x\"]}]", LADING_EINVALID, "no container Id", 0);
}

static void test_label_limit(void **state)
{
	ld_buf b = LD_BUF_INIT;
	lading_ctx *ctx;
	lading_containers *s;
	(void)state;
	ld_buf_adds(&b, "{\"ID\":\"a\",\"State\":\"exited\",\"Labels\":\"");
	for (unsigned i = 0; i <= LD_SNAP_MAX_LABELS; i++)
		ld_buf_addf(&b, "%sk%u=v", i ? "," : "", i);
	ld_buf_adds(&b, "\"}\n");
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_containers_parse(&s, ctx, b.ptr, b.len, "labels", NULL), LADING_ELIMIT);
	lading_ctx_free(ctx);
	ld_buf_release(&b);
}

static void same_str(const char *a, const char *b)
{
	if (a || b)
		assert_string_equal(a ? a : "(null)", b ? b : "(null)");
}

/* lading's own JSON list reads back to the same records (what the inventory takes). */
static void test_roundtrip(void **state)
{
	static const char *const files[] = {"pods.json", "crictl.json", "docker-ps.jsonl", "docker-inspect.json"};
	(void)state;
	for (size_t f = 0; f < LD_ARRAY_LEN(files); f++) {
		lading_ctx *ctx;
		lading_containers *a, *b;
		char *out;
		size_t len;
		assert_int_equal(lading_ctx_new(&ctx), 0);
		a = parse_file(ctx, files[f]);
		assert_int_equal(lading_containers_render(a, 1, &out, &len, ctx), 0);
		assert_int_equal(lading_containers_parse(&b, ctx, out, len, "rendered", "test"), 0);
		assert_string_equal(lading_containers_format(b), "lading");
		assert_int_equal(lading_containers_count(a), lading_containers_count(b));
		assert_ptr_equal(lading_containers_items(a), lading_containers_get(a, 0));
		for (size_t i = 0; i < lading_containers_count(a); i++) {
			const lading_container *x = lading_containers_get(a, i), *y = lading_containers_get(b, i);
			same_str(x->id, y->id);
			same_str(x->name, y->name);
			same_str(x->namespace_name, y->namespace_name);
			same_str(x->pod, y->pod);
			same_str(x->node, y->node);
			same_str(x->owner, y->owner);
			same_str(x->image_ref, y->image_ref);
			same_str(x->image_digest, y->image_digest);
			same_str(x->state, y->state);
			same_str(x->created, y->created);
			same_str(x->started, y->started);
			assert_int_equal(x->label_count, y->label_count);
			for (size_t j = 0; j < x->label_count; j++) {
				same_str(x->labels[j].key, y->labels[j].key);
				same_str(x->labels[j].value, y->labels[j].value);
			}
		}
		free(out);
		lading_containers_free(a);
		lading_containers_free(b);
		lading_ctx_free(ctx);
	}
}

/* Every prefix of a real document either parses or fails with a message; never crashes. */
static void test_prefixes(void **state)
{
	static const char *const files[] = {"pods.json", "crictl.json", "docker-ps.jsonl", "docker-inspect.json"};
	(void)state;
	for (size_t f = 0; f < LD_ARRAY_LEN(files); f++) {
		size_t len;
		char *p = read_data(files[f], &len);
		for (size_t n = 0; n < len; n += 7) {
			lading_ctx *ctx;
			lading_containers *s;
			char *copy = malloc(n + 1);
			memcpy(copy, p, n);
			assert_int_equal(lading_ctx_new(&ctx), 0);
			if (lading_containers_parse(&s, ctx, copy, n, files[f], NULL))
				assert_true(lading_ctx_error(ctx)->msg[0] != '\0');
			else
				lading_containers_free(s);
			lading_ctx_free(ctx);
			free(copy);
		}
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kubectl),	      cmocka_unit_test(test_crictl),
		cmocka_unit_test(test_docker_files),  cmocka_unit_test(test_docker_api_list),
		cmocka_unit_test(test_times),	      cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_label_limit),   cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

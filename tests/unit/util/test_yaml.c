/* util/yaml.h: YAML into ld_json trees, scalar resolution, aliases and their limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/yaml.h"

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

static ld_json *parse(fx *f, const char *doc, const ld_yaml_limits *lim, int want)
{
	ld_json *v = NULL;
	int rc = ld_yaml_parse(&v, &f->a, doc, strlen(doc), lim, f->ctx, "t.yaml");
	assert_int_equal(rc, want);
	if (want)
		assert_null(v);
	else
		assert_non_null(v);
	return v;
}

static void test_structure(void **state)
{
	fx *f = *state;
	const char *doc = "distroversion: v3.9\n"
			  "packages:\n"
			  "  - pkg:\n"
			  "      name: curl\n"
			  "      secfixes:\n"
			  "        7.61.1-r0:\n"
			  "          - CVE-2018-14618\n"
			  "        \"7.53.0\":\n"
			  "          - CVE-2017-1000101 CVE-2017-1000100\n"
			  "        7.4.0-r0: ~\n"
			  "flow: {a: [1, 2], b: 'x'}\n";
	ld_json *v = parse(f, doc, NULL, 0);
	const ld_json *pkgs = ld_json_get(v, "packages"), *sf;
	assert_string_equal(ld_json_get_str(v, "distroversion"), "v3.9");
	assert_int_equal(ld_json_len(pkgs), 1);
	sf = ld_json_getp(ld_json_at(pkgs, 0), "pkg", "secfixes", NULL);
	assert_int_equal(ld_json_len(sf), 3);
	assert_string_equal(sf->u.members[0].key, "7.61.1-r0");
	assert_string_equal(ld_json_str(ld_json_at(&sf->u.members[0].value, 0)), "CVE-2018-14618");
	assert_string_equal(sf->u.members[1].key, "7.53.0");
	assert_true(ld_json_is(&sf->u.members[2].value, LD_JSON_NULL));
	assert_int_equal(ld_json_len(ld_json_getp(v, "flow", "a", NULL)), 2);
	assert_string_equal(ld_json_get_str(ld_json_get(v, "flow"), "b"), "x");
}

static void test_scalars(void **state)
{
	fx *f = *state;
	const char *doc = "- 12\n- -3.5e2\n- 0x1F\n- .inf\n- true\n- False\n- null\n- ~\n-\n- "
			  "'12'\n- \"true\"\n"
			  "- !!str 42\n- 1.2.3\n- 2019-01-01\n- |\n  block\n  text\n- 7.53.0\n";
	ld_json *v = parse(f, doc, NULL, 0);
	ld_yaml_limits lim = {.flags = LD_YAML_PLAIN_STRINGS};
	double d;
	assert_true(ld_json_is(ld_json_at(v, 0), LD_JSON_NUMBER));
	assert_true(ld_json_num(ld_json_at(v, 0), &d) && d == 12);
	assert_true(ld_json_num(ld_json_at(v, 1), &d) && d == -350);
	assert_true(ld_json_is(ld_json_at(v, 2), LD_JSON_NUMBER));
	assert_true(ld_json_is(ld_json_at(v, 3), LD_JSON_NUMBER));
	assert_true(ld_json_is(ld_json_at(v, 4), LD_JSON_TRUE));
	assert_true(ld_json_is(ld_json_at(v, 5), LD_JSON_FALSE));
	assert_true(ld_json_is(ld_json_at(v, 6), LD_JSON_NULL));
	assert_true(ld_json_is(ld_json_at(v, 7), LD_JSON_NULL));
	assert_true(ld_json_is(ld_json_at(v, 8), LD_JSON_NULL));
	assert_string_equal(ld_json_str(ld_json_at(v, 9)), "12");
	assert_string_equal(ld_json_str(ld_json_at(v, 10)), "true");
	assert_string_equal(ld_json_str(ld_json_at(v, 11)), "42");
	assert_string_equal(ld_json_str(ld_json_at(v, 12)), "1.2.3");
	assert_string_equal(ld_json_str(ld_json_at(v, 13)), "2019-01-01");
	assert_string_equal(ld_json_str(ld_json_at(v, 14)), "block\ntext\n");
	assert_string_equal(ld_json_str(ld_json_at(v, 15)), "7.53.0");

	/* exact text mode: only null is resolved */
	v = parse(f, doc, &lim, 0);
	assert_string_equal(ld_json_str(ld_json_at(v, 0)), "12");
	assert_string_equal(ld_json_str(ld_json_at(v, 2)), "0x1F");
	assert_string_equal(ld_json_str(ld_json_at(v, 4)), "true");
	assert_true(ld_json_is(ld_json_at(v, 6), LD_JSON_NULL));
	assert_true(ld_json_is(ld_json_at(v, 8), LD_JSON_NULL));
}

static void test_aliases(void **state)
{
	fx *f = *state;
	ld_json *v =
		parse(f, "base: &b {x: 1, y: [a, b]}\ncopy: *b\nname: &n key1\n*n : 2\n", NULL, 0);
	assert_int_equal(ld_json_len(ld_json_getp(v, "copy", "y", NULL)), 2);
	assert_string_equal(ld_json_str(ld_json_at(ld_json_getp(v, "copy", "y", NULL), 1)), "b");
	/* an aliased scalar may be a key */
	assert_non_null(ld_json_get(v, "key1"));
	parse(f, "a: *nowhere\n", NULL, LADING_EINVALID);
	/* an alias inside its own anchor's node is undefined at that point */
	parse(f, "a: &x [1, *x]\n", NULL, LADING_EINVALID);
}

static void test_alias_bomb(void **state)
{
	fx *f = *state;
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
			   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
			   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	parse(f, bomb, NULL, LADING_ELIMIT);
	assert_non_null(strstr(lading_ctx_error(f->ctx)->msg, "alias"));
	/* a few aliases are fine */
	parse(f, "a: &a [x, x]\nb: [*a, *a]\n", NULL, 0);
}

static void test_limits_and_errors(void **state)
{
	fx *f = *state;
	char deep[400];
	ld_yaml_limits lim = {.max_depth = 100};
	ld_yaml_limits small = {.max_input = 8};
	memset(deep, '[', 150);
	memset(deep + 150, ']', 150);
	deep[300] = 0;
	parse(f, deep, &lim, LADING_ELIMIT);
	lim.max_depth = 200;
	parse(f, deep, &lim, 0);
	parse(f, "a: 1\nb: 2\n", &small, LADING_ELIMIT);
	parse(f, "a: 1\n---\nb: 2\n", NULL, LADING_EINVALID);
	parse(f, "? [a, b]\n: 1\n", NULL, LADING_EUNSUPPORTED);
	parse(f, "a: [1, 2\nb: 3\n", NULL, LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(f->ctx)->msg, "t.yaml: YAML error at line"));
	parse(f, "a:\n\t- b\n", NULL, LADING_EINVALID);
	/* empty input is null */
	assert_true(ld_json_is(parse(f, "", NULL, 0), LD_JSON_NULL));
	assert_true(ld_json_is(parse(f, "# only a comment\n", NULL, 0), LD_JSON_NULL));
}

/* The real secdb YAML: v3.3 community has `packages: null`, v3.6 main a null secfixes value. */
static void test_real_secdb(void **state)
{
	fx *f = *state;
	const char *shared = getenv("LADING_SHARED");
	static const char *const files[] = {"v3.3/community.yaml", "v3.6/main.yaml",
					    "v3.11/main.yaml"};
	if (!shared)
		skip();
	for (size_t i = 0; i < LD_ARRAY_LEN(files); i++) {
		char path[1024];
		FILE *fp;
		ld_buf b = LD_BUF_INIT;
		char chunk[65536];
		size_t n;
		ld_json *v = NULL;
		ld_yaml_limits lim = {.flags = LD_YAML_PLAIN_STRINGS};
		ld_snprintf(path, sizeof(path), "%s/vulndata/alpine-secdb/%s", shared, files[i]);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			ld_buf_add(&b, chunk, n);
		fclose(fp);
		assert_int_equal(ld_yaml_parse(&v, &f->a, b.ptr, b.len, &lim, f->ctx, files[i]), 0);
		assert_string_equal(ld_json_get_str(v, "urlprefix"),
				    "http://dl-cdn.alpinelinux.org/alpine");
		if (i == 0)
			assert_true(ld_json_is(ld_json_get(v, "packages"), LD_JSON_NULL));
		else
			assert_true(ld_json_len(ld_json_get(v, "packages")) > 100);
		ld_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_structure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_bomb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_secdb, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Ruby gemspecs (real ones from Debian's ruby packages and edge cases), Composer installed.json
 * (1 and 2), Cargo.lock (v1 with [metadata], v3, v4) and .NET deps.json. */
#include "langtest.h"

static void test_gemspec(void **state)
{
	size_t len;
	char *text;
	ld_lang_pkg p;
	(void)state;
	text = slurp("ruby/rake-13.0.6.gemspec", &len);
	assert_true(ld_gemspec_parse(ld_slice_make(text, len), &p));
	assert_true(ld_slice_eq_cstr(p.name, "rake"));
	assert_true(ld_slice_eq_cstr(p.version, "13.0.6"));
	assert_true(ld_slice_eq_cstr(p.license, "MIT"));
	free(text);
	text = slurp("ruby/bundler-2.3.27.gemspec", &len);
	assert_true(ld_gemspec_parse(ld_slice_make(text, len), &p));
	assert_true(ld_slice_eq_cstr(p.name, "bundler"));
	assert_true(ld_slice_eq_cstr(p.version, "2.3.27"));
	free(text);
	/* old RubyGems: %q{} literals, no stub line, another block variable */
	assert_true(ld_gemspec_parse(
	    ld_slice_cstr("Gem::Specification.new do |spec|\n  spec.name = %q{old}\n"
			  "  spec.version = \"0.1\"\n  spec.rubygems_version = %q{1.3.7}\nend\n"),
	    &p));
	assert_true(ld_slice_eq_cstr(p.name, "old"));
	assert_true(ld_slice_eq_cstr(p.version, "0.1"));
	/* only the stub line */
	assert_true(
	    ld_gemspec_parse(ld_slice_cstr("# stub: nokogiri 1.15.4 x86_64-linux lib\n"), &p));
	assert_true(ld_slice_eq_cstr(p.name, "nokogiri"));
	assert_true(ld_slice_eq_cstr(p.version, "1.15.4"));
	/* s.version == x is a comparison, s.versions is another attribute */
	assert_false(ld_gemspec_parse(
	    ld_slice_cstr("s.name = 'x'\ns.version == '1'\ns.versions = '2'\n"), &p));
	assert_false(
	    ld_gemspec_parse(ld_slice_cstr("s.name = \"unterminated\ns.version = \"1"), &p));
	assert_false(ld_gemspec_parse(ld_slice_cstr(""), &p));
}

typedef int (*parser)(ld_slice, ld_lang_fn, void *, lading_ctx *, const char *);

static void parsed(const char *file, parser fn, const char *want, size_t warnings)
{
	size_t len;
	char *text = slurp(file, &len), *got;
	lading_ctx *ctx;
	collected c;
	memset(&c, 0, sizeof(c));
	c.keep_dev = true;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	if (fn(ld_slice_make(text, len), collect, &c, ctx, file))
		fail_msg("%s: %s", file, lading_ctx_error(ctx)->msg);
	got = collected_text(&c);
	if (strcmp(got, want))
		fail_msg("%s: got\n%s", file, got);
	assert_int_equal(lading_ctx_warning_count(ctx), warnings);
	collected_free(&c);
	free(got);
	free(text);
	lading_ctx_free(ctx);
}

static void test_composer(void **state)
{
	lading_ctx *ctx;
	collected c;
	(void)state;
	parsed("php/installed-v2.json", ld_composer_parse,
	       "monolog/monolog\t2.9.1\nphpunit/phpunit\t9.6.8\npsr/log\t3.0.0\nsymfony/"
	       "polyfill-mbstring\tv1.27.0\n",
	       1);
	parsed("php/installed-v1.json", ld_composer_parse,
	       "guzzlehttp/guzzle\t6.3.3\nguzzlehttp/psr7\t1.4.2\n", 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(
	    ld_composer_parse(ld_slice_cstr("{\"packages\": 1}"), collect, &c, ctx, "x"),
	    LADING_EINVALID);
	assert_int_equal(ld_composer_parse(ld_slice_cstr("{\"pack"), collect, &c, ctx, "x"),
			 LADING_EINVALID);
	assert_int_equal(
	    ld_composer_parse(ld_slice_cstr("[{\"name\": \"novendor\", \"version\": \"1\"}]"),
			      collect, &c, ctx, "x"),
	    0);
	assert_int_equal(c.n, 0);
	assert_int_equal(lading_ctx_warning_count(ctx), 1);
	lading_ctx_free(ctx);
}

static void test_cargo(void **state)
{
	lading_ctx *ctx;
	collected c;
	(void)state;
	parsed("cargo/Cargo-v1.lock", ld_cargo_lock_parse,
	       "aho-corasick\t0.7.6\nmemchr\t2.2.1\nmyapp\t0.1.0\nregex\t1.3.1\n", 0);
	parsed("cargo/Cargo-v3.lock", ld_cargo_lock_parse,
	       "cfg-if\t1.0.0\nlibc\t0.2.147\ntime\t0.1.45\ntime\t0.3.23\ntool\t0.3.0\n", 0);
	parsed("cargo/Cargo-v4.lock", ld_cargo_lock_parse,
	       "itoa\t1.0.11\nserde_json\t1.0.128\nweird-but-valid\t0.0.1\n", 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(lading_ctx_new(&ctx), 0);
	/* a package without a version, an unterminated string, junk lines, an unclosed array */
	assert_int_equal(
	    ld_cargo_lock_parse(
		ld_slice_cstr("[[package]]\nname = \"a\"\n\n[[package]]\nname = \"b\n"
			      "version = \"1\"\njunk\n[[package]]\nname=\"c\"\nversion=\"2\"\n"
			      "dependencies = [\n \"x\",\n"),
		collect, &c, ctx, "bad"),
	    0);
	assert_int_equal(c.n, 1); /* only c 2 */
	assert_string_equal(c.lines[0], "c\t2");
	assert_true(lading_ctx_warning_count(ctx) >= 3);
	collected_free(&c);
	/* [root] of very old lockfiles; tables that are not packages */
	assert_int_equal(ld_cargo_lock_parse(
			     ld_slice_cstr("[root]\nname = \"r\"\nversion = \"0.0.1\"\n[metadata]\n"
					   "name = \"no\"\nversion = \"no\"\n"),
			     collect, &c, ctx, "root"),
			 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.lines[0], "r\t0.0.1");
	collected_free(&c);
	lading_ctx_free(ctx);
}

static void test_deps_json(void **state)
{
	lading_ctx *ctx;
	collected c;
	(void)state;
	parsed("dotnet/app.deps.json", ld_deps_json_parse,
	       "Newtonsoft.Json\t13.0.1\nSerilog\t2.10.0\n", 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_deps_json_parse(ld_slice_cstr("[]"), collect, &c, ctx, "x"),
			 LADING_EINVALID);
	assert_int_equal(ld_deps_json_parse(ld_slice_cstr("{}"), collect, &c, ctx, "x"), 0);
	assert_int_equal(c.n, 0);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gemspec),
	    cmocka_unit_test(test_composer),
	    cmocka_unit_test(test_cargo),
	    cmocka_unit_test(test_deps_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

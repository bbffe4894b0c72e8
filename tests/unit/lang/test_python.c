/* Python core metadata: real METADATA/PKG-INFO files from Debian's python3 packages and
 * hand-written edge cases (License-Expression, CRLF, licence texts, missing Version), PEP 503
 * names, and the .egg analyzer on zips made here. */
#include <archive.h>
#include <archive_entry.h>

#include "langtest.h"

static void meta(const char *file, bool ok, const char *name, const char *version,
		 const char *license)
{
	size_t len;
	char *text = slurp(file, &len);
	ld_lang_pkg p;
	assert_int_equal(ld_pymeta_parse(ld_slice_make(text, len), &p), ok);
	if (ok) {
		assert_true(ld_slice_eq_cstr(p.name, name));
		assert_true(ld_slice_eq_cstr(p.version, version));
		if (!ld_slice_eq_cstr(p.license, license ? license : ""))
			fail_msg("%s: license '%.*s'", file, (int)p.license.len, p.license.ptr);
	}
	free(text);
}

static void test_metadata(void **state)
{
	(void)state;
	meta("python/PyYAML-6.0.METADATA", true, "PyYAML", "6.0", "MIT");
	meta("python/PyJWT-2.6.0.PKG-INFO", true, "PyJWT", "2.6.0", "MIT");
	meta("python/cryptography-38.0.4.METADATA", true, "cryptography", "38.0.4",
	     "BSD-3-Clause OR Apache-2.0");
	meta("python/license-expression.METADATA", true, "Zope.Interface_Extra", "7.1.0rc1",
	     "MIT OR Apache-2.0");
	meta("python/crlf.PKG-INFO", true, "crlf-dist", "0.3", "BSD License");
	meta("python/long-license.PKG-INFO", true, "old_dist", "1.0", "MIT License");
	meta("python/no-version.METADATA", false, NULL, NULL, NULL);
}

static void test_metadata_edges(void **state)
{
	ld_lang_pkg p;
	(void)state;
	assert_false(ld_pymeta_parse(ld_slice_cstr(""), &p));
	assert_false(
	    ld_pymeta_parse(ld_slice_cstr("\n\nName: x\nVersion: 1\n"), &p)); /* body only */
	assert_true(ld_pymeta_parse(ld_slice_cstr("\xEF\xBB\xBFName: bom\nVersion: 1"), &p));
	assert_true(ld_slice_eq_cstr(p.name, "bom"));
	assert_true(
	    ld_pymeta_parse(ld_slice_cstr("name:  lower \nVERSION: 2\nLicense: UNKNOWN\n"), &p));
	assert_true(ld_slice_eq_cstr(p.name, "lower"));
	assert_int_equal(p.license.len, 0);
}

static void test_normalize(void **state)
{
	static const char *const cases[][2] = {
	    {"PyYAML", "pyyaml"},      {"Zope.Interface_Extra", "zope-interface-extra"},
	    {"a--b__c..d", "a-b-c-d"}, {"ruamel.yaml", "ruamel-yaml"},
	    {"A-._B", "a-b"},	       {"simple", "simple"},
	};
	char out[64];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ld_pypi_normalize(ld_slice_cstr(cases[i][0]), out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	ld_pypi_normalize(ld_slice_cstr("abcdef"), out, 4);
	assert_string_equal(out, "abc");
}

/* A zip with the given (name, content) members, NULL-terminated. */
static size_t make_zip(unsigned char *buf, size_t cap, const char *const *members)
{
	size_t used = 0;
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; members[i]; i += 2) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, members[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(members[i + 1]));
		archive_write_header(a, e);
		archive_write_data(a, members[i + 1], strlen(members[i + 1]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

static void test_egg(void **state)
{
	static unsigned char buf[1 << 16];
	static const char *const egg[] = {
	    "foo/__init__.py", "", "EGG-INFO/PKG-INFO",
	    "Metadata-Version: 1.1\nName: Foo_Bar\nVersion: 0.9\nLicense: BSD\n", NULL};
	static const char *const noinfo[] = {"foo/__init__.py", "x", NULL};
	ld_arena a;
	ld_slice res;
	size_t n;
	(void)state;
	ld_arena_init(&a, 0);
	n = make_zip(buf, sizeof(buf), egg);
	assert_int_equal(ld_egg_analyze(buf, n, "x/Foo_Bar-0.9-py3.11.egg", &a, &res), 0);
	assert_non_null(res.ptr);
	assert_true(ld_slice_eq_cstr(res, "P\tFoo_Bar\t0.9\tBSD\n"));
	n = make_zip(buf, sizeof(buf), noinfo);
	assert_int_equal(ld_egg_analyze(buf, n, "x/y.egg", &a, &res), 0);
	assert_true(ld_slice_starts_with(res, "W\t"));
	/* not a zip at all: a warning line, never a crash */
	assert_int_equal(
	    ld_egg_analyze((const unsigned char *)"PK\x03\x04garbage", 11, "z.egg", &a, &res), 0);
	assert_true(ld_slice_starts_with(res, "W\t"));
	ld_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metadata),
	    cmocka_unit_test(test_metadata_edges),
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_egg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

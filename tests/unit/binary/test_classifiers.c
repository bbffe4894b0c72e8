/* The binary classifier table (data/binary-classifiers.tsv, compiled in) and its byte-pattern
 * matcher: the table parses, covers the products the issue names, is consistent per product,
 * and classifies the evidence of real binaries (tests/data/binary/classifier-cases.tsv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "util/common.h"
#include "catalog/binfmt.h"

static const char *testdata(void)
{
	const char *s = getenv("LADING_TESTDATA");
	return s ? s : "tests/data";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_table(void **state)
{
	static const char *const required[] = {
	    "openssl", "bash",	     "busybox", "nginx",  "httpd",  "redis",  "mysql",
	    "mariadb", "postgresql", "mongodb", "node",	  "python", "curl",   "sqlite",
	    "haproxy", "memcached",  "etcd",	"consul", "vault",  "traefik"};
	size_t n;
	const ld_classifier *rows = ld_classifiers(&n);
	(void)state;
	assert_non_null(rows);
	assert_true(n >= LD_ARRAY_LEN(required));
	for (size_t i = 0; i < LD_ARRAY_LEN(required); i++) {
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found |= !strcmp(rows[j].product, required[i]);
		if (!found)
			fail_msg("no classifier for %s", required[i]);
	}
	/* the matcher reads cpes, bitnami, go and flags from a product's first row: all rows of a
	 * product must agree */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			if (strcmp(rows[i].product, rows[j].product))
				continue;
			if (strcmp(rows[i].cpes ? rows[i].cpes : "",
				   rows[j].cpes ? rows[j].cpes : "") ||
			    strcmp(rows[i].bitnami ? rows[i].bitnami : "",
				   rows[j].bitnami ? rows[j].bitnami : "") ||
			    strcmp(rows[i].go_module ? rows[i].go_module : "",
				   rows[j].go_module ? rows[j].go_module : "") ||
			    rows[i].flags != rows[j].flags)
				fail_msg("rows %zu and %zu of %s disagree on cpes/bitnami/go/flags",
					 j, i, rows[i].product);
			break;
		}
}

static void test_table_is_the_file(void **state)
{
	/* the compiled-in copy is the shipped file (a stale build would show here) */
	char path[4096], err[256];
	size_t len, n, nbuilt;
	char *tsv;
	ld_arena a;
	ld_classifier *rows;
	const ld_classifier *built = ld_classifiers(&nbuilt);
	const char *src = getenv("LADING_SRC");
	(void)state;
	snprintf(path, sizeof(path), "%s/data/binary-classifiers.tsv", src ? src : ".");
	tsv = slurp(path, &len);
	ld_arena_init(&a, 0);
	assert_int_equal(
	    ld_classifiers_parse(ld_slice_make(tsv, len), &a, &rows, &n, err, sizeof(err)), 0);
	assert_int_equal(n, nbuilt);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(rows[i].product, built[i].product);
		assert_string_equal(rows[i].pattern, built[i].pattern);
		assert_string_equal(rows[i].files, built[i].files);
	}
	ld_classifiers_free_all(rows, n);
	ld_arena_release(&a);
	free(tsv);
}

static void test_table_errors(void **state)
{
	static const char *const bad[] = {
	    "p\tf\t(x\t-\t-\t-\t-\n",	      /* unbalanced */
	    "p\tf\tabc\t-\t-\t-\t-\n",	      /* no version group */
	    "p\tf\t(a)(b)\t-\t-\t-\t-\n",     /* two groups */
	    "p\tf\tx(a)\t-\t-\t-\tbogus\n",   /* unknown flag */
	    "p\tf\tx(a)\tnocolon\t-\t-\t-\n", /* cpe without vendor */
	    "p\tf\tx(a)\ta:b:c\t-\t-\t-\n",   /* too many colons */
	    "p\tf\tx(a)\t-\t-\t-\n",	      /* 6 fields */
	    "-\tf\tx(a)\t-\t-\t-\t-\n",	      /* no product */
	    "p\tf\t(?:a)?(b)\t-\t-\t-\t-\n",  /* may begin with nothing */
	};
	char err[256];
	ld_arena a;
	ld_classifier *rows;
	size_t n;
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(bad); i++) {
		ld_arena_init(&a, 0);
		err[0] = '\0';
		if (ld_classifiers_parse(ld_slice_cstr(bad[i]), &a, &rows, &n, err, sizeof(err)) ==
		    0)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strncmp(err, "line 1:", 7) == 0);
		ld_arena_release(&a);
	}
}

static size_t unescape(ld_slice in, unsigned char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < in.len && n < cap; i++) {
		char c = in.ptr[i];
		if (c == '\\' && i + 1 < in.len) {
			char e = in.ptr[++i];
			if (e == 'x' && i + 2 < in.len) {
				char hex[3] = {in.ptr[i + 1], in.ptr[i + 2], 0};
				out[n++] = (unsigned char)strtoul(hex, NULL, 16);
				i += 2;
			} else {
				out[n++] = (unsigned char)(e == 't' ? '\t' : e == 'n' ? '\n' : e);
			}
		} else {
			out[n++] = (unsigned char)c;
		}
	}
	return n;
}

static void test_cases(void **state)
{
	char path[4096];
	size_t len, n, ncases = 0;
	char *text;
	ld_slice rest, line;
	const ld_classifier *rows = ld_classifiers(&n);
	(void)state;
	snprintf(path, sizeof(path), "%s/binary/classifier-cases.tsv", testdata());
	text = slurp(path, &len);
	rest = ld_slice_make(text, len);
	while (ld_slice_next_line(&rest, &line)) {
		ld_slice name, content, expected;
		unsigned char data[4096];
		char fname[256], want[512], got[512] = "";
		size_t dl;
		ld_buf b = LD_BUF_INIT;
		ld_slice out, l;
		if (!line.len || line.ptr[0] == '#')
			continue;
		ld_slice_cut(&line, '\t', &name);
		ld_slice_cut(&line, '\t', &content);
		ld_slice_cut(&line, '\t', &expected);
		ld_slice_copy(fname, sizeof(fname), name);
		ld_slice_copy(want, sizeof(want), expected);
		dl = unescape(content, data, sizeof(data));
		/* the evidence in the middle of unrelated bytes, as in a binary */
		{
			unsigned char buf[8192];
			memset(buf, 0x90, 1000);
			memcpy(buf + 1000, data, dl);
			memset(buf + 1000 + dl, 0xcc, 1000);
			assert_int_equal(ld_classify(rows, n, fname, buf, dl + 2000, &b), 0);
		}
		out = ld_buf_slice(&b);
		while (ld_slice_next_line(&out, &l)) {
			ld_slice prod, ver;
			ld_slice_cut(&l, '\t', &prod);
			ld_slice_cut(&l, '\t', &ver);
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.*s %.*s",
				 got[0] ? "; " : "", (int)prod.len, prod.ptr, (int)ver.len,
				 ver.ptr);
		}
		if (!got[0])
			snprintf(got, sizeof(got), "-");
		if (strcmp(got, want))
			fail_msg("%s: expected '%s', got '%s'", fname, want, got);
		ld_buf_release(&b);
		ncases++;
	}
	assert_true(ncases >= 40);
	free(text);
}

static bool find(const char *pattern, const char *data, size_t len, char *version)
{
	ld_bpat *p;
	ld_slice v;
	char err[160];
	bool r;
	if (ld_bpat_compile(&p, pattern, err, sizeof(err)))
		fail_msg("%s: %s", pattern, err);
	r = ld_bpat_search(p, (const unsigned char *)data, len, NULL, NULL, &v);
	if (r)
		ld_slice_copy(version, 128, v);
	ld_bpat_free(p);
	return r;
}

static void test_pattern_engine(void **state)
{
	char v[128];
	static const char *const bad[] = {
	    "",	     "(",   ")",   "a(b",   "a(b))", "[a",     "[]",	  "[z-a]",    "a{3,2}",
	    "a{65}", "a**", "a+?", "^a(b)", "a(b)$", "\\q(a)", "\\x4(a)", "(?=a)(b)", "*(a)"};
	char err[160];
	ld_bpat *p;
	(void)state;
	assert_true(find("v([0-9]+)", "xxv123yy", 8, v));
	assert_string_equal(v, "123");
	assert_true(find("v((?:a|bc)+)d", "vabcad", 6, v));
	assert_string_equal(v, "abca");
	assert_true(find("x([0-9]{2,3})\\.", "x1.x1234.x123.", 14, v));
	assert_string_equal(v, "123");
	assert_true(find("\\x00(ab?c)\\x00", "\0ac\0", 4, v));
	assert_string_equal(v, "ac");
	assert_true(find("a([^ ]+) ", "a1.2-b c", 8, v));
	assert_string_equal(v, "1.2-b");
	assert_false(find("a([0-9]+)b", "a12c a3", 7, v));
	/* a pattern starting with a class matches where a run of that class starts */
	assert_true(find("([0-9]+\\.[0-9]+)x", "ab12.5x", 7, v));
	assert_string_equal(v, "12.5");
	/* greedy with backtracking */
	assert_true(find("([0-9]+\\.[0-9]+)[0-9]{3}\\x00", "7.0151790\0", 10, v));
	assert_string_equal(v, "7.0151");
	for (size_t i = 0; i < LD_ARRAY_LEN(bad); i++)
		if (ld_bpat_compile(&p, bad[i], err, sizeof(err)) == 0)
			fail_msg("accepted '%s'", bad[i]);
}

static void test_pattern_bounds(void **state)
{
	/* catastrophic backtracking and deep empty repeats stop at the step and frame bounds */
	static const char *const hostile[] = {"a((?:a*)*)b", "a((?:(?:(?:x?){64}){64}){64})b",
					      "a((?:a|a)*)b"};
	size_t len = 1 << 16;
	char *data = malloc(len), v[128];
	(void)state;
	assert_non_null(data);
	memset(data, 'a', len);
	for (size_t i = 0; i < LD_ARRAY_LEN(hostile); i++)
		assert_false(find(hostile[i], data, len, v));
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),	   cmocka_unit_test(test_table_is_the_file),
	    cmocka_unit_test(test_table_errors),   cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_pattern_engine), cmocka_unit_test(test_pattern_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

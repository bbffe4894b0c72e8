/* Version comparators: table cases from tests/data/version/<scheme>.txt, plus properties
 * (reflexivity, antisymmetry, transitivity over every triple of the table's versions and of
 * random strings) for every scheme, and the name/ecosystem mapping and public API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "lading/version.h"
#include "version/version.h"

#define MAX_VERSIONS	  4096
#define RANDOM_PER_SCHEME 160

struct table {
	char *text;		  /* file contents, versions point into it */
	ld_slice v[MAX_VERSIONS]; /* distinct versions seen */
	size_t n;
	size_t cases;
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static void remember(struct table *t, ld_slice v)
{
	for (size_t i = 0; i < t->n; i++)
		if (ld_slice_eq(t->v[i], v))
			return;
	assert_true(t->n < MAX_VERSIONS);
	t->v[t->n++] = v;
}

static const char *show(ld_slice s)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) % 4;
	ld_snprintf(buf[k], sizeof(buf[k]), "%.*s", (int)LD_MIN(s.len, 250), s.ptr);
	return buf[k];
}

/* Split a line into whitespace-separated words (at most 3). */
static size_t words(ld_slice line, ld_slice *w)
{
	size_t n = 0, i = 0;
	while (i < line.len && n < 3) {
		size_t s;
		while (i < line.len && (line.ptr[i] == ' ' || line.ptr[i] == '\t'))
			i++;
		if (i == line.len)
			break;
		s = i;
		while (i < line.len && line.ptr[i] != ' ' && line.ptr[i] != '\t')
			i++;
		w[n++] = ld_slice_make(line.ptr + s, i - s);
	}
	while (i < line.len && (line.ptr[i] == ' ' || line.ptr[i] == '\t'))
		i++;
	return i < line.len ? 4 : n;
}

/* Run every case of a table file; returns the number of failures (printed). */
static int run_table(ld_vscheme s, const char *file, struct table *t)
{
	char path[1024];
	const char *dir = getenv("LADING_TESTDATA");
	size_t len = 0;
	ld_slice rest, line;
	int fails = 0, lineno = 0;

	ld_snprintf(path, sizeof(path), "%s/version/%s", dir ? dir : "tests/data", file);
	t->text = read_file(path, &len);
	if (!t->text)
		fail_msg("cannot read %s (is LADING_TESTDATA set?)", path);
	rest = ld_slice_make(t->text, len);
	while (ld_slice_next_line(&rest, &line)) {
		ptrdiff_t hash = ld_slice_find(line, '#');
		ld_slice w[3];
		size_t nw;
		bool excluded = false;
		lineno++;
		if (hash >= 0) {
			/* "# intransitive": the reference's own order has a cycle through these
			 * versions (Maven), so they stay out of the transitivity check */
			ld_slice c = ld_slice_make(line.ptr + hash, line.len - (size_t)hash);
			excluded = ld_slice_find_str(c, LD_SLICE_LIT("intransitive")) >= 0;
			line.len = (size_t)hash;
		}
		nw = words(line, w);
		if (nw == 0)
			continue;
		if (nw == 2 &&
		    (ld_slice_eq_cstr(w[0], "valid") || ld_slice_eq_cstr(w[0], "invalid"))) {
			bool want = ld_slice_eq_cstr(w[0], "valid");
			t->cases++;
			if (!excluded)
				remember(t, w[1]);
			if (ld_version_valid(s, w[1]) != want) {
				print_error("%s:%d: expected %s to be %s\n", file, lineno,
					    show(w[1]), want ? "valid" : "invalid");
				fails++;
			}
			continue;
		}
		if (nw != 3 || w[1].len != 1 || !strchr("<=>", w[1].ptr[0])) {
			print_error("%s:%d: malformed line\n", file, lineno);
			fails++;
			continue;
		}
		{
			int want = w[1].ptr[0] == '<' ? -1 : w[1].ptr[0] == '>' ? 1 : 0;
			int got = ld_version_cmp(s, w[0], w[2]),
			    back = ld_version_cmp(s, w[2], w[0]);
			t->cases++;
			if (!excluded) {
				remember(t, w[0]);
				remember(t, w[2]);
			}
			if (got != want || back != -want) {
				print_error("%s:%d: %s %c %s expected, got cmp=%d reverse=%d\n",
					    file, lineno, show(w[0]), w[1].ptr[0], show(w[2]), got,
					    back);
				fails++;
			}
		}
	}
	return fails;
}

/* Random strings over an alphabet that exercises the scheme's separators and keywords. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static const char *const atoms[LD_VS_COUNT][24] = {
    [LD_VS_DEB] = {"0", "1", "2", "10", "01", ".", "-", "+", "~", ":", "a", "b", "Z", "~~",
		   "1:", "00", "9", "\xc3", NULL},
    [LD_VS_APK] = {"0",	 "1",	 "2",	 "10", "01", ".",  "a", "z", "_alpha", "_beta", "_rc",
		   "_p", "_git", "_pre", "-r", "~",  "ab", "_", "-", "00",     NULL},
    [LD_VS_RPM] = {"0", "1", "2", "10", "01", ".", "-", "_", "+", "~", "^", ":", "a", "b", "Z",
		   "rc", "el8", "00", NULL},
    [LD_VS_SEMVER] = {"0", "1", "2", "10", "01", ".", "-", "+", "v", "alpha", "beta", "rc", "a",
		      "A", "x-y", "00", NULL},
    [LD_VS_GO] = {"0", "1", "2", "10", "01", ".", "-", "+", "v", "go", "rc", "beta", "incompatible",
		  "2021", "abcdef", NULL},
    [LD_VS_PYPI] = {"0", "1", "2",     "10",  "01",    ".",	 "-",	 "_",
		    "+", "!", "a",     "b",   "rc",    "c",	 "post", "dev",
		    "r", "v", "alpha", "pre", "local", "ubuntu", NULL},
    [LD_VS_MAVEN] = {"0",     "1",	  "2",	   "10", "01",	    ".",  "-",
		     "a",     "b",	  "m",	   "rc", "cr",	    "sp", "ga",
		     "final", "snapshot", "alpha", "x",	 "release", "00", NULL},
    [LD_VS_GEM] = {"0", "1", "2", "10", "01", ".", "-", "a", "b", "pre", "rc", "A", "beta", " ",
		   NULL},
    [LD_VS_NUGET] = {"0", "1", "2", "10", "01", ".", "-", "+", "alpha", "Beta", "rc", "a", "-1",
		     "2147483648", NULL},
    [LD_VS_GENERIC] = {"0", "1", "2", "10", "01", ".", "-", "a", "b", "~", "_", NULL},
};

/* Maven's own order is not transitive for some shapes (see maven.txt, docs): random Maven
 * versions follow the usual grammar N(.N)*[-QUALIFIER[N]|QUALIFIER N] instead. */
static size_t put(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t put(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : LD_MIN((size_t)n, size - 1);
}

static void add_random_maven(struct table *t, char *pool, size_t poolsz)
{
	static const char *const quals[] = {"alpha",	"beta",	 "m",	   "rc", "cr",
					    "SNAPSHOT", "ga",	 "final",  "sp", "jre",
					    "android",	"Final", "RELEASE"};
	size_t used = 0;
	for (int k = 0; k < RANDOM_PER_SCHEME && used + 64 < poolsz; k++) {
		size_t start = used, parts = 1 + rnd(4);
		for (size_t p = 0; p < parts; p++)
			used += put(pool + used, poolsz - used, "%s%u", p ? "." : "",
				    rnd(3) ? rnd(12) : rnd(3));
		switch (rnd(4)) {
		case 0:
			used +=
			    put(pool + used, poolsz - used, "-%s", quals[rnd(LD_ARRAY_LEN(quals))]);
			break;
		case 1:
			used += put(pool + used, poolsz - used, "-%s%u",
				    quals[rnd(LD_ARRAY_LEN(quals))], rnd(3));
			break;
		case 2:
			used += put(pool + used, poolsz - used, "-%u", rnd(3));
			break;
		default:
			break;
		}
		remember(t, ld_slice_make(pool + start, used - start));
	}
}

static void add_random(ld_vscheme s, struct table *t, char *pool, size_t poolsz)
{
	size_t used = 0, natoms = 0;
	if (s == LD_VS_MAVEN) {
		add_random_maven(t, pool, poolsz);
		return;
	}
	while (natoms < 24 && atoms[s][natoms])
		natoms++;
	for (int k = 0; k < RANDOM_PER_SCHEME; k++) {
		size_t start = used, parts = 1 + rnd(7);
		for (size_t p = 0; p < parts; p++) {
			const char *a = atoms[s][rnd((uint32_t)natoms)];
			size_t n = strlen(a);
			if (used + n >= poolsz)
				break;
			memcpy(pool + used, a, n);
			used += n;
		}
		remember(t, ld_slice_make(pool + start, used - start));
	}
}

/* Over all versions: cmp(a,a)=0, antisymmetry, and that the relation is a total preorder on
 * every triple (computed from the full matrix). */
static void check_properties(ld_vscheme s, const struct table *t)
{
	size_t n = t->n;
	int8_t *m = malloc(n * n);
	size_t bad = 0;
	assert_non_null(m);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int r = ld_version_cmp(s, t->v[i], t->v[j]);
			assert_true(r >= -1 && r <= 1);
			m[i * n + j] = (int8_t)r;
		}
	for (size_t i = 0; i < n; i++) {
		if (m[i * n + i] != 0) {
			print_error("%s: cmp(%s, itself) != 0\n", ld_vscheme_name(s),
				    show(t->v[i]));
			bad++;
		}
		for (size_t j = 0; j < n; j++)
			if (m[i * n + j] != -m[j * n + i] && bad++ < 10)
				print_error("%s: antisymmetry: %s vs %s\n", ld_vscheme_name(s),
					    show(t->v[i]), show(t->v[j]));
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int ij = m[i * n + j];
			for (size_t k = 0; k < n; k++) {
				int jk = m[j * n + k], ik = m[i * n + k];
				bool ok = true;
				if (ij == 0)
					ok = ik == jk;
				else if (jk == 0)
					ok = ik == ij;
				else if (ij == jk)
					ok = ik == ij;
				if (!ok && bad++ < 10)
					print_error("%s: not transitive: %s ? %s ? %s (%d %d %d)\n",
						    ld_vscheme_name(s), show(t->v[i]),
						    show(t->v[j]), show(t->v[k]), ij, jk, ik);
			}
		}
	free(m);
	assert_int_equal(bad, 0);
}

static void scheme_test(ld_vscheme s, const char *file)
{
	static struct table t;
	static char pool[RANDOM_PER_SCHEME * 7 * 16];
	int fails;
	memset(&t, 0, sizeof(t));
	fails = run_table(s, file, &t);
	print_message("%s: %zu cases, %zu distinct versions\n", file, t.cases, t.n);
	assert_true(t.cases >= 20);
	add_random(s, &t, pool, sizeof(pool));
	check_properties(s, &t);
	free(t.text);
	assert_int_equal(fails, 0);
}

/* Every scheme of version/schemes.def has its table tests/data/version/<name>.txt (a scheme
 * without one fails here). */
static void test_schemes(void **state)
{
	(void)state;
	for (int s = 0; s < LD_VS_COUNT; s++) {
		char file[64];
		ld_snprintf(file, sizeof(file), "%s.txt", ld_vscheme_name((ld_vscheme)s));
		scheme_test((ld_vscheme)s, file);
	}
}

/* Long inputs, embedded NULs and limits: still a total preorder, no reads out of bounds (ASan). */
static void test_hostile(void **state)
{
	static char big[70000], big2[70000];
	(void)state;
	memset(big, '9', sizeof(big));
	memcpy(big2, big, sizeof(big2));
	big2[sizeof(big2) - 1] = '8';
	for (int s = 0; s < LD_VS_COUNT; s++) {
		ld_slice a = ld_slice_make(big, sizeof(big)), b = ld_slice_make(big2, sizeof(big2));
		ld_slice nul1 = LD_SLICE_LIT("1.0\0zz"), nul2 = LD_SLICE_LIT("1.0\0aa");
		assert_int_equal(ld_version_cmp((ld_vscheme)s, a, a), 0);
		assert_int_equal(ld_version_cmp((ld_vscheme)s, a, b),
				 -ld_version_cmp((ld_vscheme)s, b, a));
		assert_int_equal(ld_version_cmp((ld_vscheme)s, nul1, nul2),
				 -ld_version_cmp((ld_vscheme)s, nul2, nul1));
		assert_int_equal(ld_version_cmp((ld_vscheme)s, LD_SLICE_NULL, LD_SLICE_NULL), 0);
		(void)ld_version_valid((ld_vscheme)s, a);
		(void)ld_version_valid((ld_vscheme)s, LD_SLICE_NULL);
	}
	/* numbers of any length compare by value where the reference does so */
	assert_int_equal(ld_version_cmp(LD_VS_DEB, ld_slice_make(big, sizeof(big)),
					ld_slice_make(big2, sizeof(big2))),
			 1);
	assert_int_equal(ld_version_cmp(LD_VS_RPM, ld_slice_make(big, sizeof(big)),
					ld_slice_make(big2, sizeof(big2))),
			 1);
}

static void test_names(void **state)
{
	static const struct {
		const char *name;
		ld_vscheme s;
	} names[] = {
	    {"deb", LD_VS_DEB},		 {"DPKG", LD_VS_DEB},	     {"debian", LD_VS_DEB},
	    {"apk", LD_VS_APK},		 {"Alpine", LD_VS_APK},	     {"rpm", LD_VS_RPM},
	    {"semver", LD_VS_SEMVER},	 {"npm", LD_VS_SEMVER},	     {"cargo", LD_VS_SEMVER},
	    {"crates.io", LD_VS_SEMVER}, {"composer", LD_VS_SEMVER}, {"go", LD_VS_GO},
	    {"golang", LD_VS_GO},	 {"pypi", LD_VS_PYPI},	     {"PEP440", LD_VS_PYPI},
	    {"maven", LD_VS_MAVEN},	 {"gem", LD_VS_GEM},	     {"rubygems", LD_VS_GEM},
	    {"nuget", LD_VS_NUGET},	 {"generic", LD_VS_GENERIC}};
	static const struct {
		const char *eco;
		ld_vscheme s;
	} ecos[] = {{"Alpine:v3.9", LD_VS_APK},
		    {"Alpine", LD_VS_APK},
		    {"Debian:11", LD_VS_DEB},
		    {"Ubuntu:22.04:LTS", LD_VS_DEB},
		    {"AlmaLinux:8", LD_VS_RPM},
		    {"Rocky Linux:9", LD_VS_RPM},
		    {"Red Hat", LD_VS_RPM},
		    {"openSUSE:Leap 15.5", LD_VS_RPM},
		    {"PyPI", LD_VS_PYPI},
		    {"npm", LD_VS_SEMVER},
		    {"Go", LD_VS_GO},
		    {"crates.io", LD_VS_SEMVER},
		    {"Maven", LD_VS_MAVEN},
		    {"RubyGems", LD_VS_GEM},
		    {"Packagist", LD_VS_SEMVER},
		    {"NuGet", LD_VS_NUGET},
		    {"Bitnami", LD_VS_SEMVER},
		    {"Hackage", LD_VS_GENERIC},
		    {"", LD_VS_GENERIC},
		    {"Wolfi", LD_VS_APK}};
	ld_vscheme s = LD_VS_GENERIC;
	int out = 7;
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(names); i++) {
		assert_int_equal(ld_vscheme_from_name(names[i].name, &s), 0);
		assert_int_equal(s, names[i].s);
	}
	assert_int_equal(ld_vscheme_from_name("nosuch", &s), LADING_EUSAGE);
	assert_int_equal(ld_vscheme_from_name(NULL, &s), LADING_EUSAGE);
	for (size_t i = 0; i < LD_ARRAY_LEN(ecos); i++) {
		if (ld_vscheme_for_ecosystem(ecos[i].eco) != ecos[i].s)
			fail_msg("ecosystem %s", ecos[i].eco);
	}
	assert_int_equal(ld_vscheme_for_ecosystem(NULL), LD_VS_GENERIC);
	for (int k = 0; k < LD_VS_COUNT; k++) {
		ld_vscheme back;
		assert_int_equal(ld_vscheme_from_name(ld_vscheme_name((ld_vscheme)k), &back), 0);
		assert_int_equal(back, k);
	}
	/* public API */
	assert_int_equal(lading_version_compare("deb", "1.0~rc1", "1.0", &out), 0);
	assert_int_equal(out, -1);
	assert_int_equal(lading_version_compare("PyPI", "1.0", "1.0.0", &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(lading_version_compare("rpm", "2:1.0", "1:9.0", &out), 0);
	assert_int_equal(out, 1);
	assert_int_equal(lading_version_compare("nosuch", "1", "2", &out), LADING_EUSAGE);
	assert_int_equal(lading_version_compare("deb", NULL, "2", &out), LADING_EUSAGE);
	assert_int_equal(lading_version_compare("deb", "1", "2", NULL), LADING_EUSAGE);
	assert_int_equal(lading_version_valid("deb", "1:2.3-4", &out), 0);
	assert_int_equal(out, 1);
	assert_int_equal(lading_version_valid("semver", "1.2", &out), 0);
	assert_int_equal(out, 0);
	assert_string_equal(lading_version_scheme_for_ecosystem("Alpine:v3.20"), "apk");
	assert_string_equal(lading_version_scheme_for_ecosystem("whatever"), "generic");
	assert_string_equal(lading_version_scheme_name("rubygems"), "gem");
	assert_null(lading_version_scheme_name("nosuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schemes),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

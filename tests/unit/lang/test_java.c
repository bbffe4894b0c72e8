/* Java archives: zips made here with libarchive (pom.properties, MANIFEST.MF with continuation
 * lines, shaded jars, a war with stored nested jars, nesting beyond the depth limit, file-name
 * fallback, broken zips), and real jars of Debian's Java packages when the machine has them. */
#include <archive.h>
#include <archive_entry.h>

#include "langtest.h"
#include "util/budget.h"

typedef struct zbuf {
	unsigned char *p;
	size_t n;
} zbuf;

/* members: name, content, name, content, ..., NULL; content may be a zbuf (then len != 0) */
typedef struct member {
	const char *name;
	const char *text;
	const zbuf *bin;
} member;

static zbuf make_zip(const member *m, bool store)
{
	zbuf z;
	size_t cap = 32 << 20, used = 0;
	struct archive *a = archive_write_new();
	z.p = malloc(cap);
	archive_write_set_format_zip(a);
	if (store)
		archive_write_set_format_option(a, "zip", "compression", "store");
	archive_write_open_memory(a, z.p, cap, &used);
	for (; m->name; m++) {
		struct archive_entry *e = archive_entry_new();
		const void *d = m->bin ? (const void *)m->bin->p : (const void *)m->text;
		size_t n = m->bin ? m->bin->n : strlen(m->text);
		archive_entry_set_pathname(e, m->name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)n);
		archive_write_header(a, e);
		archive_write_data(a, d, n);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	z.n = used;
	return z;
}

/* The analyzer's result as sorted "where|group|artifact|version|source" lines. */
static char *analyze(const zbuf *z, const char *path)
{
	ld_arena a;
	ld_slice res, blob, f[6];
	size_t n;
	collected c;
	char *out;
	memset(&c, 0, sizeof(c));
	ld_arena_init(&a, 0);
	assert_int_equal(ld_java_analyze(z->p, z->n, path, &a, &res), 0);
	blob = res;
	while (ld_lang_blob_next(&blob, f, 6, &n)) {
		char line[2048];
		if (ld_slice_eq_cstr(f[0], "W"))
			snprintf(line, sizeof(line), "W");
		else
			snprintf(line, sizeof(line), "%.*s|%.*s|%.*s|%.*s|%.*s", (int)f[1].len,
				 f[1].ptr, (int)f[2].len, f[2].ptr, (int)f[3].len, f[3].ptr,
				 (int)f[4].len, f[4].ptr, (int)f[5].len, f[5].ptr);
		c.lines[c.n++] = strdup(line);
	}
	out = collected_text(&c);
	collected_free(&c);
	ld_arena_release(&a);
	return out;
}

static const char pom_log4j[] =
    "#Created by Apache Maven 3.6.3\nversion=2.14.1\ngroupId=org.apache.logging.log4j\n"
    "artifactId=log4j-core\n";

/* The archive as the layer stage's sweep leaves it when it streams past in chunks of `chunk`
 * bytes (layer/read.c, analyze_swept): bytes let go or skipped are zeros. *kept gets how many
 * bytes were kept. */
static zbuf swept(const zbuf *z, size_t chunk, size_t *kept)
{
	zbuf o = {calloc(1, z->n ? z->n : 1), z->n};
	ld_sweep s;
	size_t pos = 0;
	memset(&s, 0, sizeof(s));
	*kept = 0;
	while (pos < z->n) {
		bool keep = s.whole || s.skip_to <= pos;
		size_t want = keep ? (chunk < z->n - pos ? chunk : z->n - pos)
				   : (size_t)(s.skip_to < z->n ? s.skip_to : z->n) - pos;
		if (keep) {
			memcpy(o.p + pos, z->p + pos, want);
			*kept += want;
		}
		pos += want;
		if (!keep || s.whole)
			continue;
		s.skip_to = 0;
		s.nrelease = 0;
		ld_java_sweep(&s, o.p, pos, z->n);
		for (size_t i = 0; i < s.nrelease; i++) {
			assert_true(s.release[i].off + s.release[i].len <= pos);
			memset(o.p + s.release[i].off, 0, (size_t)s.release[i].len);
			*kept -= (size_t)s.release[i].len;
		}
	}
	return o;
}

/* The result read whole, and read through the sweep at a few chunk sizes: the same. */
static void check(const zbuf *z, const char *path, const char *want)
{
	static const size_t chunks[] = {7, 4096, 1 << 20};
	char *got = analyze(z, path);
	if (strcmp(got, want))
		fail_msg("%s: got\n%s\nwant\n%s", path, got, want);
	free(got);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		size_t kept;
		zbuf o = swept(z, chunks[i], &kept);
		got = analyze(&o, path);
		if (strcmp(got, want))
			fail_msg("%s swept by %zu: got\n%s\nwant\n%s", path, chunks[i], got, want);
		free(got);
		free(o.p);
	}
}

/* What the sweep keeps of an archive of one large class file and a pom.properties, with sizes in
 * the local headers or in data descriptors (libarchive's writer): little. */
static void test_sweep_drops(void **state)
{
	size_t n = 4 << 20, kept;
	char *big = malloc(n + 1);
	uint32_t x = 1;
	(void)state;
	for (size_t i = 0; i < n; i++) { /* incompressible: the entry stays large */
		x = x * 1103515245u + 12345u;
		big[i] = (char)('a' + (x >> 16) % 26);
	}
	big[n] = '\0';
	for (int store = 0; store < 2; store++) {
		member m[] = {{"a/Big.class", big, NULL},
			      {"META-INF/maven/g/a/pom.properties", "version=1\n", NULL},
			      {"b/Big2.class", big, NULL},
			      {NULL, NULL, NULL}};
		zbuf z = make_zip(m, store);
		zbuf o = swept(&z, 256 << 10, &kept);
		char *got = analyze(&o, "a-1.jar");
		assert_string_equal(got, "|g|a|1|pom\n");
		if (kept > z.n / 8)
			fail_msg("store=%d: kept %zu of %zu bytes", store, kept, z.n);
		free(got);
		free(o.p);
		free(z.p);
	}
	free(big);
}

static void test_pom(void **state)
{
	member m[] = {
	    {"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Version: 9.9\n", NULL},
	    {"META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", pom_log4j, NULL},
	    {"org/apache/Foo.class", "\xca\xfe\xba\xbe", NULL},
	    {NULL, NULL, NULL}};
	zbuf z = make_zip(m, false);
	(void)state;
	/* the pom describes the jar: the manifest is not consulted */
	check(&z, "usr/share/java/log4j-core.jar",
	      "|org.apache.logging.log4j|log4j-core|2.14.1|pom\n");
	/* extensions the analyzer's wide patterns let through are checked */
	check(&z, "x/log4j-core.tar", "");
	free(z.p);
}

static void test_shaded_and_manifest(void **state)
{
	member m[] = {
	    {"META-INF/MANIFEST.MF",
	     "Manifest-Version: 1.0\r\nImplementation-Title: My App\r\nImplementation-Version: "
	     "2.0.\r\n 1-SNAP\r\n"
	     "Implementation-Vendor-Id: com.example\r\n\r\nName: "
	     "other/section\r\nImplementation-Version: 7\r\n",
	     NULL},
	    {"META-INF/maven/com.google.guava/guava/pom.properties",
	     "groupId=com.google.guava\nartifactId=guava\n"
	     "version=31.1-jre\n",
	     NULL},
	    {"META-INF/maven/org.yaml/snakeyaml/pom.properties", "version = 1.33\n", NULL},
	    {"META-INF/maven/x/broken/pom.properties", "groupId=x\n", NULL},
	    {NULL, NULL, NULL}};
	zbuf z = make_zip(m, false);
	(void)state;
	/* both shaded poms (one with its group/artifact from the path), a warning for the broken
	 * one, and the archive itself from its manifest (continuation line joined, other sections
	 * ignored) */
	check(&z, "app/app-2.0.jar",
	      "W\n|com.example|app|2.0.1-SNAP|manifest\n|com.google.guava|guava|31.1-jre|pom\n|org."
	      "yaml|snakeyaml|1.33|pom\n");
	free(z.p);
}

static void test_nested(void **state)
{
	member inner_pom[] = {
	    {"META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", pom_log4j, NULL},
	    {NULL, NULL, NULL}};
	zbuf j1 = make_zip(inner_pom, false);
	member plain[] = {{"a/B.class", "x", NULL}, {NULL, NULL, NULL}};
	zbuf j2 = make_zip(plain, false);
	member bundle[] = {{"META-INF/MANIFEST.MF",
			    "Bundle-SymbolicName: org.example.lib;singleton:=true\n"
			    "Bundle-Version: 3.2.1\n",
			    NULL},
			   {NULL, NULL, NULL}};
	zbuf j3 = make_zip(bundle, false);
	member war[] = {{"WEB-INF/lib/log4j-core-2.14.1.jar", NULL, &j1},
			{"WEB-INF/lib/plain-1.0.jar", NULL, &j2},
			{"WEB-INF/lib/lib.jar", NULL, &j3},
			{"WEB-INF/lib/notazip-1.0.jar", "just text", NULL},
			{"index.html", "<html>", NULL},
			{NULL, NULL, NULL}};
	zbuf w = make_zip(war, true); /* nested jars stored, as Spring Boot writes them */
	(void)state;
	check(&w, "opt/shop-1.4.war",
	      "WEB-INF/lib/lib.jar|org.example|lib|3.2.1|manifest\n"
	      "WEB-INF/lib/log4j-core-2.14.1.jar|org.apache.logging.log4j|log4j-core|2.14.1|pom\n"
	      "WEB-INF/lib/plain-1.0.jar||plain|1.0|filename\n"
	      "||shop|1.4|filename\n");
	free(j1.p);
	free(j2.p);
	free(j3.p);
	free(w.p);
}

static void test_depth_limit(void **state)
{
	member l6[] = {{"META-INF/maven/g/deep6/pom.properties", "version=6\n", NULL},
		       {NULL, NULL, NULL}};
	zbuf z6 = make_zip(l6, false);
	member l5[] = {{"META-INF/maven/g/deep5/pom.properties", "version=5\n", NULL},
		       {"lib/deep6.jar", NULL, &z6},
		       {NULL, NULL, NULL}};
	zbuf z5 = make_zip(l5, false);
	member l4[] = {{"lib/deep5.jar", NULL, &z5}, {NULL, NULL, NULL}};
	zbuf z4 = make_zip(l4, false);
	member l3[] = {{"lib/deep4.jar", NULL, &z4}, {NULL, NULL, NULL}};
	zbuf z3 = make_zip(l3, false);
	(void)state;
	/* top.jar > deep4 (nesting 1) > deep5 (2) > deep6 (3): with JAVA_MAX_DEPTH 3, archives
	 * nested up to 2 deep are opened and their own archives are not */
	check(&z3, "top.jar", "lib/deep4.jar!/lib/deep5.jar|g|deep5|5|pom\n");
	free(z3.p);
	free(z4.p);
	free(z5.p);
	free(z6.p);
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* pom.properties texts held for one file are capped (JAVA_MAX_POM_TEXTS, 16 MiB) across every
 * nesting level, and one oversized pom.properties is skipped: a jar of 300 poms of 60 KB with a
 * nested jar of 100 more reports some of them and a warning, not all 400 (before, 1 GiB per
 * level). */
static void test_pom_budget(void **state)
{
	enum { OUTER = 300, INNER = 100, PAD = 60000 };
	member *mo = calloc(OUTER + 3, sizeof(member)), *mi = calloc(INNER + 1, sizeof(member));
	char **names = calloc(OUTER + INNER, sizeof(char *)), **texts = calloc(OUTER + INNER, sizeof(char *));
	char *huge = malloc(200000);
	zbuf inner, outer;
	char *got;
	size_t poms;
	(void)state;
	for (int i = 0; i < OUTER + INNER; i++) {
		names[i] = malloc(128);
		texts[i] = malloc(PAD + 128);
		snprintf(names[i], 128, "META-INF/maven/g/a%d/pom.properties", i);
		int k = snprintf(texts[i], PAD + 128, "version=1\ngroupId=g\nartifactId=a%d\n#", i);
		memset(texts[i] + k, 'x', PAD);
		texts[i][k + PAD] = '\0';
	}
	for (int i = 0; i < INNER; i++)
		mi[i] = (member){names[OUTER + i], texts[OUTER + i], NULL};
	inner = make_zip(mi, false);
	memset(huge, 'y', 199999);
	huge[199999] = '\0';
	memcpy(huge, "version=9\nartifactId=huge\n#", 27);
	mo[0] = (member){"META-INF/maven/g/huge/pom.properties", huge, NULL};
	mo[1] = (member){"lib/inner-1.0.jar", NULL, &inner};
	for (int i = 0; i < OUTER; i++)
		mo[i + 2] = (member){names[i], texts[i], NULL};
	outer = make_zip(mo, false);
	got = analyze(&outer, "fat-1.0.jar");
	poms = count_lines(got, "|pom\n");
	assert_true(poms > 200);
	assert_true(poms < OUTER + INNER);
	assert_true(count_lines(got, "W\n") >= 1); /* warned (the huge one, the budget) */
	assert_null(strstr(got, "|huge|")); /* over JAVA_MAX_POM: skipped */
	free(got);
	for (int i = 0; i < OUTER + INNER; i++) {
		free(names[i]);
		free(texts[i]);
	}
	free(names);
	free(texts);
	free(huge);
	free(mo);
	free(mi);
	free(inner.p);
	free(outer.p);
}

static void test_broken(void **state)
{
	static const char bad[] = "PK\x03\x04 not really a zip";
	zbuf z = {(unsigned char *)bad, sizeof(bad) - 1}; /* was 24: two bytes past the string */
	member none[] = {{"a.txt", "x", NULL}, {NULL, NULL, NULL}};
	zbuf e = make_zip(none, false);
	(void)state;
	/* an archive that cannot be read is warned about, not guessed from its name */
	check(&z, "bad-1.0.jar", "W\n");
	/* no metadata and no version in the name: nothing */
	check(&e, "empty.jar", "");
	free(e.p);
}

static void test_file_names(void **state)
{
	static const char *const cases[][3] = {
	    {"log4j-core-2.14.1.jar", "log4j-core", "2.14.1"},
	    {"guava-31.1-jre.jar", "guava", "31.1-jre"},
	    {"spring-boot-3.0.0-SNAPSHOT.war", "spring-boot", "3.0.0-SNAPSHOT"},
	    {"commons-lang3-3.12.0.jar", "commons-lang3", "3.12.0"},
	    {"jackson-2-databind-2.9.jar", "jackson", "2-databind-2.9"},
	};
	ld_slice a, v;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(ld_java_name_from_file(ld_slice_cstr(cases[i][0]), &a, &v));
		assert_true(ld_slice_eq_cstr(a, cases[i][1]));
		assert_true(ld_slice_eq_cstr(v, cases[i][2]));
	}
	assert_false(ld_java_name_from_file(ld_slice_cstr("log4j-core.jar"), &a, &v));
	assert_false(ld_java_name_from_file(ld_slice_cstr("-1.jar"), &a, &v));
}

/* Real jars from Debian's Java packages (libcommons-lang3-java, libguava-java come with
 * libmaven3-core-java in scripts/apt-packages.txt). */
static void test_real_jars(void **state)
{
	static const char *const jars[][2] = {
	    {"/usr/share/java/commons-lang3-3.12.0.jar",
	     "|org.apache.commons|commons-lang3|3.12.0|pom\n"},
	    {"/usr/share/java/guava-31.1-jre.jar", "|com.google.guava|guava|31.1-jre|pom\n"},
	};
	size_t seen = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(jars) / sizeof(jars[0]); i++) {
		FILE *f = fopen(jars[i][0], "rb");
		zbuf z;
		long n;
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		z.p = malloc((size_t)n);
		z.n = fread(z.p, 1, (size_t)n, f);
		fclose(f);
		check(&z, jars[i][0] + 1, jars[i][1]);
		free(z.p);
		seen++;
	}
	if (!seen)
		skip();
}

static int on_pkg(void *opaque, const ld_lang_pkg *p)
{
	(*(size_t *)opaque)++;
	assert_true(ld_slice_eq_cstr(p->source, "pom") || ld_slice_eq_cstr(p->source, "filename"));
	return 0;
}

static void on_warn(void *opaque, ld_slice msg)
{
	(void)msg;
	(*(size_t *)opaque) += 100;
}

static void test_result_each(void **state)
{
	size_t n = 0;
	(void)state;
	assert_int_equal(
	    ld_java_result_each(
		ld_slice_cstr("J\t\tg\ta\t1\tpom\nW\toops\n\nJ\tshort\nJ\tx\t\tb\t2\tfilename\n"),
		on_pkg, on_warn, &n),
	    0);
	assert_int_equal(n, 102);
}

/* A deflated nested jar over 1 MiB is swept as it is inflated: within a 2 MiB budget, a nested
 * jar of 4 MiB (an incompressible class around its pom.properties) is still read (inflated whole,
 * it would not fit). */
static void test_nested_deflated_swept(void **state)
{
	size_t n = 4 << 20;
	char *big = malloc(n + 1);
	uint32_t x = 7;
	ld_budget b;
	ld_arena a;
	ld_slice res;
	(void)state;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (char)('a' + (x >> 16) % 26);
	}
	big[n] = '\0';
	{
		member inner[] = {{"a/Big.class", big, NULL},
				  {"META-INF/maven/g/inner/pom.properties", "version=7\n", NULL},
				  {"b/Big.class", big, NULL},
				  {NULL, NULL, NULL}};
		zbuf in = make_zip(inner, true);
		member outer[] = {{"WEB-INF/lib/inner-7.jar", NULL, &in}, {NULL, NULL, NULL}};
		zbuf out = make_zip(outer, false);
		ld_budget_init(&b, 2 << 20);
		ld_arena_init(&a, 0);
		assert_int_equal(ld_arena_set_budget(&a, &b), 0);
		assert_int_equal(ld_java_analyze(out.p, out.n, "srv/shop.war", &a, &res), 0);
		assert_non_null(res.ptr);
		assert_non_null(strstr(res.ptr, "WEB-INF/lib/inner-7.jar\tg\tinner\t7\tpom"));
		ld_arena_release(&a);
		assert_int_equal(ld_budget_used(&b), 0);
		free(in.p);
		free(out.p);
	}
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pom),	      cmocka_unit_test(test_shaded_and_manifest),
	    cmocka_unit_test(test_nested),    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_broken),    cmocka_unit_test(test_file_names),
	    cmocka_unit_test(test_real_jars), cmocka_unit_test(test_result_each), cmocka_unit_test(test_pom_budget),
	    cmocka_unit_test(test_sweep_drops),
	    cmocka_unit_test(test_nested_deflated_swept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

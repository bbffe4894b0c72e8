/* Go build info: both header layouts, found through the section table, the data segment and
 * (no section table) a scan; the compact blob and how modules and replacements are reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "catalog/binfmt.h"
#include "unit/binary/elfgen.h"

static const char magic[] = "\xff Go buildinf:";

static const char modtext[] = "path\texample.com/cmd/hello\n"
			      "mod\texample.com/hello\t(devel)\t\n"
			      "dep\tgolang.org/x/text\tv0.3.7\th1:abc=\n"
			      "dep\texample.com/greet\tv1.2.3\n"
			      "=>\t./greet\t(devel)\t\n"
			      "dep\texample.com/oldlog\tv0.9.0\n"
			      "=>\texample.com/newlog\tv1.1.0\th1:xyz=\n"
			      "build\t-ldflags=\"-X main.version=1.0\"\n";

static const char blob_want[] = "go\tgo1.21.3\n"
				"path\texample.com/cmd/hello\n"
				"mod\texample.com/hello\t(devel)\n"
				"dep\tgolang.org/x/text\tv0.3.7\n"
				"dep\texample.com/greet\tv1.2.3\n"
				"=>\t./greet\t(devel)\n"
				"dep\texample.com/oldlog\tv0.9.0\n"
				"=>\texample.com/newlog\tv1.1.0\n";

/* modinfo as cmd/go embeds it: 16-byte sentinels around the text */
static size_t framed(unsigned char *out)
{
	size_t n = strlen(modtext);
	memset(out, 0x30, 16);
	memcpy(out + 16, modtext, n);
	memset(out + 16 + n, 0xf9, 16);
	return n + 32;
}

static size_t varint(unsigned char *p, size_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/* Go 1.18+: header, then the two strings inline. `at` shifts the header inside the section. */
static size_t inline_sec(unsigned char *sec, size_t at, const char *version, bool with_mod)
{
	unsigned char mod[1024];
	size_t ml = with_mod ? framed(mod) : 0, o = at + 32;
	memset(sec, 0, EG_SEC_MAX);
	memcpy(sec + at, magic, 14);
	sec[at + 14] = 8;
	sec[at + 15] = 2;
	o += varint(sec + o, strlen(version));
	memcpy(sec + o, version, strlen(version));
	o += strlen(version);
	o += varint(sec + o, ml);
	memcpy(sec + o, mod, ml);
	return o + ml;
}

static void put_ptr(unsigned char *p, uint64_t v, bool be)
{
	for (int i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

/* Go < 1.18: two pointers to Go string headers (data pointer, length) elsewhere in memory. */
static size_t pointer_sec(unsigned char *sec, bool be)
{
	const uint64_t a = EG_BASE + EG_SEC_OFF;
	const char *version = "go1.16.15";
	unsigned char mod[1024];
	size_t ml = framed(mod);
	memset(sec, 0, EG_SEC_MAX);
	memcpy(sec, magic, 14);
	sec[14] = 8;
	sec[15] = be ? 1 : 0;
	put_ptr(sec + 16, a + 0x40, be);
	put_ptr(sec + 24, a + 0x50, be);
	put_ptr(sec + 0x40, a + 0x80, be);
	put_ptr(sec + 0x48, strlen(version), be);
	put_ptr(sec + 0x50, a + 0x100, be);
	put_ptr(sec + 0x58, ml, be);
	memcpy(sec + 0x80, version, strlen(version));
	memcpy(sec + 0x100, mod, ml);
	return 0x100 + ml;
}

static unsigned char img[EG_SIZE], sec[EG_SEC_MAX];

static void check_blob(const char *want_version)
{
	ld_slice v, m;
	ld_buf b = LD_BUF_INIT;
	char want[2048];
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), 0);
	assert_int_equal(v.len, strlen(want_version));
	assert_memory_equal(v.ptr, want_version, v.len);
	assert_int_equal(m.len, strlen(modtext));
	assert_int_equal(ld_go_blob(v, m, &b), 0);
	snprintf(want, sizeof(want), "go\t%s\n%s", want_version,
		 blob_want + strlen("go\tgo1.21.3\n"));
	assert_string_equal(b.ptr, want);
	ld_buf_release(&b);
}

static void test_inline_section(void **state)
{
	(void)state;
	elfgen(img, ".go.buildinfo", sec, inline_sec(sec, 0, "go1.21.3", true), 1);
	check_blob("go1.21.3");
}

static void test_inline_no_sections(void **state)
{
	(void)state;
	/* sstrip'ed: found at the start of the writable segment, like debug/buildinfo does */
	elfgen(img, ".data", sec, inline_sec(sec, 0, "go1.21.3", true), 0);
	check_blob("go1.21.3");
	/* not 16-aligned in the segment: found by the whole-file scan that a missing section
	 * table allows */
	elfgen(img, ".data", sec, inline_sec(sec, 8, "go1.21.3", true), 0);
	check_blob("go1.21.3");
}

static void test_misaligned_with_sections(void **state)
{
	ld_slice v, m;
	(void)state;
	/* with a section table the header must sit where the linker puts it */
	elfgen(img, ".go.buildinfo", sec, inline_sec(sec, 8, "go1.21.3", true), 1);
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), LADING_ENOTFOUND);
}

static void test_pointer_layout(void **state)
{
	(void)state;
	elfgen(img, ".go.buildinfo", sec, pointer_sec(sec, false), 1);
	check_blob("go1.16.15");
	elfgen(img, ".go.buildinfo", sec, pointer_sec(sec, true), 1); /* big-endian pointers */
	check_blob("go1.16.15");
}

static void test_no_module_info(void **state)
{
	ld_slice v, m;
	ld_buf b = LD_BUF_INIT;
	(void)state;
	/* built outside module mode (GOPATH, Debian's dh-golang): toolchain only */
	elfgen(img, ".go.buildinfo", sec, inline_sec(sec, 0, "go1.19.8", false), 1);
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), 0);
	assert_int_equal(m.len, 0);
	assert_int_equal(ld_go_blob(v, m, &b), 0);
	assert_string_equal(b.ptr, "go\tgo1.19.8\n");
	ld_buf_release(&b);
}

static void test_malformed(void **state)
{
	ld_slice v, m;
	size_t n;
	(void)state;
	assert_int_equal(ld_go_buildinfo((const unsigned char *)"not an elf", 10, &v, &m),
			 LADING_ENOTFOUND);
	/* a varint length running past the file */
	n = inline_sec(sec, 0, "go1.21.3", true);
	sec[32] = 0xff;
	sec[33] = 0xff;
	sec[34] = 0x7f;
	elfgen(img, ".go.buildinfo", sec, n, 1);
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), LADING_EINVALID);
	/* a pointer outside every segment */
	pointer_sec(sec, false);
	put_ptr(sec + 16, 0x7fff0000, false);
	elfgen(img, ".go.buildinfo", sec, 0x200, 1);
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), LADING_EINVALID);
	/* a string length beyond the segment */
	pointer_sec(sec, false);
	put_ptr(sec + 0x58, 1u << 30, false);
	elfgen(img, ".go.buildinfo", sec, 0x200, 1);
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), LADING_EINVALID);
	/* a bad pointer size */
	pointer_sec(sec, false);
	sec[14] = 3;
	elfgen(img, ".go.buildinfo", sec, 0x200, 1);
	assert_int_equal(ld_go_buildinfo(img, sizeof(img), &v, &m), LADING_EINVALID);
	/* every truncation of a good image is handled */
	elfgen(img, ".go.buildinfo", sec, inline_sec(sec, 0, "go1.21.3", true), 1);
	for (size_t cut = 0; cut < sizeof(img); cut += 7) {
		int rc = ld_go_buildinfo(img, cut, &v, &m);
		assert_true(rc == 0 || rc == LADING_ENOTFOUND || rc == LADING_EINVALID);
	}
}

typedef struct got {
	char lines[16][256];
	size_t n;
} got;

static int collect(void *opaque, const ld_go_module *m)
{
	got *g = opaque;
	assert_true(g->n < 16);
	snprintf(g->lines[g->n++], 256, "%.*s %.*s %.*s <- %.*s %.*s", (int)m->kind.len,
		 m->kind.ptr, (int)m->path.len, m->path.ptr, (int)m->version.len, m->version.ptr,
		 (int)m->orig_path.len, m->orig_path.ptr, (int)m->orig_version.len,
		 m->orig_version.ptr);
	return 0;
}

static void test_modules(void **state)
{
	got g;
	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(ld_go_blob_each(ld_slice_cstr(blob_want), collect, &g), 0);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.lines[0], "stdlib stdlib 1.21.3 <-  ");
	assert_string_equal(g.lines[1], "mod example.com/hello (devel) <-  ");
	assert_string_equal(g.lines[2], "dep golang.org/x/text v0.3.7 <-  ");
	/* a directory replacement: the required module, as code from a directory */
	assert_string_equal(g.lines[3],
			    "dep example.com/greet (devel) <- example.com/greet v1.2.3");
	/* a module replacement: what was compiled in, and what go.mod asked for */
	assert_string_equal(g.lines[4],
			    "dep example.com/newlog v1.1.0 <- example.com/oldlog v0.9.0");
}

static void test_toolchain_version(void **state)
{
	static const char *const cases[][2] = {
	    {"go1.21.3", "1.21.3"}, {"go1.22rc1 X:nocoverageredesign", "1.22rc1"},
	    {"go1.20", "1.20"},	    {"devel go1.22-abcdef Tue", "devel go1.22-abcdef Tue"},
	    {"go1.9.7", "1.9.7"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ld_slice v = ld_go_toolchain_version(ld_slice_cstr(cases[i][0]));
		assert_int_equal(v.len, strlen(cases[i][1]));
		assert_memory_equal(v.ptr, cases[i][1], v.len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inline_section),
	    cmocka_unit_test(test_inline_no_sections),
	    cmocka_unit_test(test_misaligned_with_sections),
	    cmocka_unit_test(test_pointer_layout),
	    cmocka_unit_test(test_no_module_info),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_modules),
	    cmocka_unit_test(test_toolchain_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

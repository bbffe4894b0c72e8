/* cargo-auditable's .dep-v0: zlib-compressed JSON in an ELF section, decoded into one line per
 * package; bad compression, bombs and odd JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zlib.h>

#include "util/common.h"
#include "catalog/binfmt.h"
#include "unit/binary/elfgen.h"

/* as cargo-auditable 0.6 writes it (defaults omitted: kind "runtime", root false) */
static const char dep_json[] =
    "{\"packages\":[{\"name\":\"adler\",\"version\":\"1.0.2\",\"source\":\"crates.io\"},"
    "{\"name\":\"cc\",\"version\":\"1.0.79\",\"source\":\"crates.io\",\"kind\":\"build\"},"
    "{\"name\":\"hello\",\"version\":\"0.1.0\",\"source\":\"local\",\"dependencies\":[0,1],"
    "\"root\":true},"
    "{\"name\":\"mylib\",\"version\":\"0.3.0\",\"source\":\"git\"},"
    "{\"version\":\"9.9.9\"}]}";

static size_t deflate_to(unsigned char *out, size_t cap, const void *in, size_t n)
{
	uLongf len = cap;
	assert_int_equal(compress2(out, &len, in, n, 9), Z_OK);
	return len;
}

static void test_decode(void **state)
{
	unsigned char z[4096];
	size_t zn = deflate_to(z, sizeof(z), dep_json, strlen(dep_json));
	ld_buf b = LD_BUF_INIT;
	lading_ctx *ctx;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx), 0);
	assert_string_equal(b.ptr, "adler\t1.0.2\tcrates.io\truntime\t0\n"
				   "cc\t1.0.79\tcrates.io\tbuild\t0\n"
				   "hello\t0.1.0\tlocal\truntime\t1\n"
				   "mylib\t0.3.0\tgit\truntime\t0\n");
	ld_buf_release(&b);
	lading_ctx_free(ctx);
}

static void test_from_elf(void **state)
{
	static unsigned char img[EG_SIZE];
	unsigned char z[4096];
	size_t zn = deflate_to(z, sizeof(z), dep_json, strlen(dep_json));
	ld_elf e;
	ld_slice s;
	(void)state;
	elfgen(img, ".dep-v0", z, zn, 1);
	assert_int_equal(ld_elf_open(&e, img, sizeof(img)), 0);
	assert_true(ld_elf_section(&e, ".dep-v0", &s, NULL));
	assert_int_equal(s.len, zn);
	assert_false(ld_elf_section(&e, ".dep-v1", &s, NULL));
	assert_false(ld_elf_section(&e, ".dep-v", &s, NULL));
	/* without a section table the section cannot be found (cargo-auditable needs one) */
	elfgen(img, ".dep-v0", z, zn, 0);
	assert_int_equal(ld_elf_open(&e, img, sizeof(img)), 0);
	assert_false(ld_elf_section(&e, ".dep-v0", &s, NULL));
}

static void test_bad_input(void **state)
{
	unsigned char z[1 << 16];
	char *big;
	size_t zn, bigsz = LD_RUST_MAX_JSON + 16;
	ld_buf b = LD_BUF_INIT;
	lading_ctx *ctx;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	/* not zlib */
	assert_int_equal(ld_rust_audit_decode(ld_slice_cstr("{\"packages\":[]}"), &b, ctx),
			 LADING_EINVALID);
	/* truncated zlib */
	zn = deflate_to(z, sizeof(z), dep_json, strlen(dep_json));
	assert_int_equal(ld_rust_audit_decode(ld_slice_make(z, zn - 6), &b, ctx), LADING_EINVALID);
	/* a corrupted checksum */
	z[zn - 1] ^= 0xff;
	assert_int_equal(ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx), LADING_EINVALID);
	/* a bomb: more than the JSON cap inflates to LADING_ELIMIT, not to memory */
	big = calloc(1, bigsz);
	assert_non_null(big);
	memset(big, ' ', bigsz);
	zn = deflate_to(z, sizeof(z), big, bigsz);
	free(big);
	assert_int_equal(ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx), LADING_ELIMIT);
	/* JSON without a packages array */
	zn = deflate_to(z, sizeof(z), "{\"pkgs\":[]}", 11);
	assert_int_equal(ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx), LADING_EINVALID);
	zn = deflate_to(z, sizeof(z), "[1,2", 4);
	assert_true(ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx) < 0);
	/* control characters in a field: that package is skipped */
	zn = deflate_to(z, sizeof(z),
			"{\"packages\":[{\"name\":\"a\\nb\",\"version\":\"1\"},{\"name\":\"c\","
			"\"version\":\"2\"}]}",
			strlen("{\"packages\":[{\"name\":\"a\\nb\",\"version\":\"1\"},{\"name\":"
			       "\"c\",\"version\":\"2\"}]}"));
	assert_int_equal(ld_rust_audit_decode(ld_slice_make(z, zn), &b, ctx), 0);
	assert_string_equal(b.ptr, "c\t2\tcrates.io\truntime\t0\n");
	ld_buf_release(&b);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_from_elf),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

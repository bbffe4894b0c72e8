/* ld_elf_layout_of: what a large ELF file's head says about where the rest is (the sparse
 * read of layer.h): on this test's own executable, on generated images with and without a Go
 * build ID note, and on heads that are cut or lie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/common.h"
#include "catalog/binfmt.h"
#include "unit/binary/elfgen.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t cap = 0, n = 0, r;
	assert_non_null(f);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			p = realloc(p, cap);
			assert_non_null(p);
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return p;
}

/* This executable (linked by the system's cc and ld): no Go note, a data segment, the section
 * table after every loaded byte, and .shstrtab inside the tail the plan keeps. */
static void test_self(void **state)
{
	size_t len;
	unsigned char *d = slurp("/proc/self/exe", &len);
	ld_elf_layout lay;
	ld_elf e;
	(void)state;
	assert_int_equal(ld_elf_layout_of(d, len < 65536 ? len : 65536, len, &lay), 0);
	assert_false(lay.go);
	assert_true(lay.tail > 0 && lay.tail <= len);
	assert_true(lay.data_len > 0 && lay.data_off < lay.tail);
	assert_true(lay.shoff >= lay.tail);
	assert_int_equal(ld_elf_open(&e, d, len), 0);
	assert_int_equal(lay.shoff, e.shoff);
	assert_int_equal(lay.shsize, e.shnum * e.shentsize);
	assert_int_equal(lay.shoff + lay.shsize, len); /* ld writes the table last */
	free(d);
}

/* A PT_NOTE segment with a note named "Go" of type 4 (the Go linker's build ID) marks a Go
 * binary; the same note under another name does not. */
static void add_note(unsigned char *img, const char *name)
{
	unsigned char *ph = img + 64 + 56, *n = img + 0x100;
	/* second program header: PT_NOTE at 0x100, 20 bytes */
	eg_put(img + 56, 2, 2);
	eg_put(ph, 4, 4);
	eg_put(ph + 8, 0x100, 8);
	eg_put(ph + 32, 12 + 4 + 4, 8);
	eg_put(n, 4, 4);     /* namesz */
	eg_put(n + 4, 4, 4); /* descsz */
	eg_put(n + 8, 4, 4); /* type */
	memcpy(n + 12, name, 4);
	memcpy(n + 16, "abcd", 4);
}

static void test_go_note(void **state)
{
	static unsigned char img[EG_SIZE];
	ld_elf_layout lay;
	(void)state;
	elfgen(img, ".x", "x", 1, 1);
	add_note(img, "Go\0\0");
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_true(lay.go);
	add_note(img, "GNU\0");
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_false(lay.go);
	/* the build ID string at the start of a Go text segment says the same */
	memcpy(img + 0x200, "\xff Go build ID: \"", 16);
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_false(lay.go); /* not closed: just those bytes */
	memcpy(img + 0x210, "a/b/c/d\"\n \xff", 11);
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_true(lay.go);
}

/* A note whose sizes run past its segment ends the walk; a head without all program headers
 * gives no layout (the reader then reads the file whole). */
static void test_hostile(void **state)
{
	static unsigned char img[EG_SIZE];
	ld_elf_layout lay;
	(void)state;
	elfgen(img, ".x", "x", 1, 1);
	add_note(img, "Go\0\0");
	eg_put(img + 0x100, 0xfffffff0u, 4); /* namesz */
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_false(lay.go);
	assert_int_equal(ld_elf_layout_of(img, 64 + 56, EG_SIZE, &lay), LADING_EINVALID);
	assert_int_equal(ld_elf_layout_of(img, 40, EG_SIZE, &lay), LADING_EINVALID);
	/* a table said to start past the end of the file is no table */
	eg_put(img + 40, (uint64_t)EG_SIZE * 2, 8);
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_int_equal(lay.shsize, 0);
	/* a segment that claims more than the file: the tail stops at the file's end */
	elfgen(img, ".x", "x", 1, 1);
	eg_put(img + 64 + 32, UINT64_MAX - 8, 8);
	assert_int_equal(ld_elf_layout_of(img, EG_SIZE, EG_SIZE, &lay), 0);
	assert_true(lay.tail <= EG_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self),
	    cmocka_unit_test(test_go_note),
	    cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

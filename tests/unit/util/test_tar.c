/* The layer tar reader (util/tar.c) on archives written by libarchive in each dialect, and on
 * damaged ones: the same entries libarchive's reader gives, clear errors otherwise. */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/tar.h"

static char long_dir[300];

/* An archive in `fmt` (ARCHIVE_FORMAT_TAR_*): a long-named file with data, a hardlink to it, a
 * symlink with a long target, a directory. */
static size_t make(int fmt, unsigned char *buf, size_t cap)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	char name[400], target[400];
	size_t used = 0;
	memset(long_dir, 'd', 150);
	long_dir[150] = '\0';
	snprintf(name, sizeof(name), "%s/file.txt", long_dir);
	snprintf(target, sizeof(target), "../%s/target", long_dir);
	archive_write_set_format(a, fmt);
	archive_write_open_memory(a, buf, cap, &used);
	e = archive_entry_new();
	archive_entry_set_pathname(e, "etc/");
	archive_entry_set_filetype(e, AE_IFDIR);
	archive_entry_set_perm(e, 0755);
	archive_write_header(a, e);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 5);
	archive_write_header(a, e);
	archive_write_data(a, "hello", 5);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "etc/hard");
	archive_entry_set_hardlink(e, name);
	archive_entry_set_perm(e, 0644);
	archive_write_header(a, e);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "etc/link");
	archive_entry_set_filetype(e, AE_IFLNK);
	archive_entry_set_symlink(e, target);
	archive_entry_set_perm(e, 0777);
	archive_write_header(a, e);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

static ld_tar *open_mem(lading_ctx *ctx, const void *p, size_t n)
{
	ld_stream *s;
	ld_tar *t;
	assert_int_equal(ld_stream_mem(&s, ctx, p, n), 0);
	assert_int_equal(ld_tar_open(&t, s, ctx, "test"), 0);
	return t;
}

static void test_dialects(void **state)
{
	static const int fmts[] = {ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE,
				   ARCHIVE_FORMAT_TAR_PAX_RESTRICTED};
	static unsigned char buf[1 << 16];
	lading_ctx *ctx;
	(void)state;
	lading_ctx_new(&ctx);
	for (size_t k = 0; k < LD_ARRAY_LEN(fmts); k++) {
		size_t n = make(fmts[k], buf, sizeof(buf));
		ld_tar *t = open_mem(ctx, buf, n);
		ld_ar_entry e;
		char data[16];
		char name[400];
		snprintf(name, sizeof(name), "%s/file.txt", long_dir);
		assert_int_equal(ld_tar_next(t, &e), 1);
		assert_string_equal(e.path, "etc/");
		assert_int_equal(e.type, LD_AR_DIR);
		assert_int_equal(ld_tar_next(t, &e), 1);
		assert_string_equal(e.path, name); /* over 100 bytes: GNU 'L' or pax path */
		assert_int_equal(e.type, LD_AR_REG);
		assert_int_equal(e.size, 5);
		assert_int_equal(e.mode, 0644);
		assert_int_equal(ld_tar_read(t, data, sizeof(data)), 5);
		assert_memory_equal(data, "hello", 5);
		assert_int_equal(ld_tar_read(t, data, sizeof(data)), 0);
		assert_int_equal(ld_tar_next(t, &e), 1);
		assert_int_equal(e.type, LD_AR_HARDLINK);
		assert_string_equal(e.link, name);
		assert_int_equal(ld_tar_next(t, &e), 1);
		assert_int_equal(e.type, LD_AR_SYMLINK);
		assert_non_null(strstr(e.link, "/target"));
		assert_true(strlen(e.link) > 100);
		assert_int_equal(ld_tar_next(t, &e), 0);
		assert_int_equal(ld_tar_drain(t), 0);
		ld_tar_close(t);
	}
	lading_ctx_free(ctx);
}

static void test_damaged(void **state)
{
	static unsigned char buf[1 << 16];
	lading_ctx *ctx;
	ld_ar_entry e;
	ld_tar *t;
	size_t n;
	(void)state;
	lading_ctx_new(&ctx);
	n = make(ARCHIVE_FORMAT_TAR_GNUTAR, buf, sizeof(buf));
	/* a flipped byte in the second header: the first entry reads, the second is refused */
	buf[512 + 20] ^= 1;
	t = open_mem(ctx, buf, n);
	assert_int_equal(ld_tar_next(t, &e), 1);
	assert_int_equal(ld_tar_next(t, &e), LADING_EINVALID);
	assert_non_null(strstr(ctx->err.msg, "Damaged tar archive"));
	ld_tar_close(t);
	buf[512 + 20] ^= 1;
	/* cut inside the data of the long-named file */
	t = open_mem(ctx, buf, 512 * 4 + 2);
	assert_int_equal(ld_tar_next(t, &e), 1);
	assert_int_equal(ld_tar_next(t, &e), 1);
	{
		char data[16];
		assert_int_equal(ld_tar_read(t, data, sizeof(data)), LADING_EINVALID);
	}
	ld_tar_close(t);
	/* not a tar at all, and nothing */
	t = open_mem(ctx, "garbage, not a tar header", 25);
	assert_int_equal(ld_tar_next(t, &e), LADING_EINVALID);
	assert_non_null(strstr(ctx->err.msg, "Unrecognized archive format"));
	ld_tar_close(t);
	t = open_mem(ctx, "", 0);
	assert_int_equal(ld_tar_next(t, &e), LADING_EINVALID);
	ld_tar_close(t);
	/* end-of-archive blocks only: an empty layer */
	memset(buf, 0, 1024);
	t = open_mem(ctx, buf, 1024);
	assert_int_equal(ld_tar_next(t, &e), 0);
	ld_tar_close(t);
	lading_ctx_free(ctx);
}

/* A ustar "regular file" whose name ends in '/' is a directory; a ustar hardlink's size is
 * ignored (no body follows), as libarchive reads them. */
static void test_libarchive_rules(void **state)
{
	unsigned char buf[512 * 4];
	lading_ctx *ctx;
	ld_ar_entry e;
	ld_tar *t;
	(void)state;
	lading_ctx_new(&ctx);
	memset(buf, 0, sizeof(buf));
	for (int k = 0; k < 2; k++) {
		unsigned char *h = buf + 512 * k;
		unsigned sum = 0;
		memcpy(h, k ? "hl" : "dir/", k ? 2 : 4);
		memcpy(h + 100, "0000644", 7);
		memcpy(h + 124, k ? "00000000012" : "00000000000", 11); /* the hardlink claims 10 bytes */
		h[156] = k ? '1' : '0';
		if (k)
			memcpy(h + 157, "target", 6);
		memcpy(h + 257, "ustar\0" "00", 8);
		memset(h + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum);
	}
	t = open_mem(ctx, buf, sizeof(buf));
	assert_int_equal(ld_tar_next(t, &e), 1);
	assert_int_equal(e.type, LD_AR_DIR);
	assert_int_equal(ld_tar_next(t, &e), 1);
	assert_int_equal(e.type, LD_AR_HARDLINK);
	assert_int_equal(e.size, 0);
	assert_int_equal(ld_tar_next(t, &e), 0); /* the zero blocks right after: no body was skipped */
	ld_tar_close(t);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialects),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_libarchive_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

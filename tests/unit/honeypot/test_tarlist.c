/* The streaming tar lister of docker cp uploads (honeypot/tarlist.c): the same listing fed whole
 * or byte by byte, hashes of files past any buffer size, GNU long names, a bad checksum, an
 * upload that stops inside a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/hash.h"
#include "honeypot/proto.h"

#define MAXF 8

typedef struct seen {
	ld_hp_tar_file f[MAXF];
	size_t n;
} seen;

static void on_file(void *arg, const ld_hp_tar_file *f)
{
	seen *s = arg;
	if (s->n < MAXF)
		s->f[s->n++] = *f;
}

/* Append a ustar header and the data (padded) of one entry. */
static void entry(ld_buf *b, const char *name, char type, const char *data, size_t n)
{
	unsigned char h[512] = {0};
	unsigned sum = 0;
	memcpy(h, name, strlen(name));
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 124, 12, "%011zo", n);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	ld_buf_add(b, h, 512);
	ld_buf_add(b, data, n);
	ld_buf_add(b, (char[512]){0}, (512 - n % 512) % 512);
}

static int feed(const ld_buf *b, size_t piece, seen *s)
{
	ld_hp_tar_stream t;
	int rc = LD_HP_MORE;
	memset(s, 0, sizeof(*s));
	ld_hp_tar_stream_init(&t, on_file, s);
	for (size_t off = 0; off < b->len && rc == LD_HP_MORE; off += piece)
		rc = ld_hp_tar_stream_feed(&t, b->ptr + off, LD_MIN(piece, b->len - off));
	ld_hp_tar_stream_end(&t);
	return rc;
}

static void test_listing(void **state)
{
	static char big[200000];
	char want[LD_DIGEST_STR_LEN], longname[300];
	ld_buf b;
	seen s;
	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ld_buf_init(&b, 1 << 20);
	entry(&b, "kit/", '5', "", 0);
	entry(&b, "kit/run.sh", '0', "#!/bin/sh\nid\n", 13);
	entry(&b, "kit/big", '0', big, sizeof(big));
	entry(&b, "././@LongLink", 'L', longname, strlen(longname) + 1);
	entry(&b, "short", '0', "x", 1);
	ld_buf_add(&b, (char[1024]){0}, 1024);
	ld_buf_add(&b, "junk after the end", 18);
	ld_sha256_buf(big, sizeof(big), want);
	for (size_t piece = 1; piece <= b.len; piece = piece * 3 + 1) {
		assert_int_equal(feed(&b, piece, &s), LD_HP_DONE);
		assert_int_equal(s.n, 4);
		assert_string_equal(s.f[0].name, "kit/");
		assert_int_equal(s.f[0].type, '5');
		assert_string_equal(s.f[1].name, "kit/run.sh");
		assert_int_equal(s.f[1].headlen, 13);
		assert_memory_equal(s.f[1].head, "#!/bin/sh\nid\n", 13);
		assert_int_equal(s.f[2].size, sizeof(big));
		assert_int_equal(s.f[2].got, sizeof(big));
		assert_int_equal(s.f[2].headlen, LD_TAR_HEAD_KEPT);
		assert_string_equal(s.f[2].sha256, want + 7);
		/* the long name is cut to what the excerpt holds */
		assert_int_equal(strlen(s.f[3].name), LD_TAR_HEAD_KEPT);
		assert_int_equal(s.f[3].name[0], 'n');
	}
	ld_buf_release(&b);
}

static void test_broken(void **state)
{
	ld_buf b;
	seen s;
	(void)state;
	ld_buf_init(&b, 1 << 16);
	entry(&b, "a", '0', "abc", 3);
	entry(&b, "b", '0', "defgh", 5);
	b.ptr[512 + 512 + 148] ^= 1; /* the second header's checksum */
	assert_int_equal(feed(&b, 100, &s), LADING_EINVALID);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.f[0].name, "a");
	/* the upload stops inside a file: reported with what arrived */
	b.len = 0;
	entry(&b, "cut", '0', "0123456789", 10);
	b.len = 512 + 4;
	assert_int_equal(feed(&b, 7, &s), LD_HP_MORE);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].size, 10);
	assert_int_equal(s.f[0].got, 4);
	ld_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

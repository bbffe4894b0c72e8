/* The zip central directory reader (util/zip.c) on archives written here byte by byte: plain,
 * zip64, with a launcher script before it, and hostile ones (truncated, lying offsets and sizes,
 * overlapping entries, huge declared counts, a fake end record inside the comment); and the
 * forward local-header reader the layer stage's sweep uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/zip.h"

typedef struct zw {
	unsigned char b[1 << 16];
	size_t n;
} zw;

static void u16(zw *w, unsigned v)
{
	w->b[w->n++] = (unsigned char)v;
	w->b[w->n++] = (unsigned char)(v >> 8);
}
static void u32(zw *w, uint32_t v)
{
	u16(w, v & 0xffff);
	u16(w, v >> 16);
}
static void u64(zw *w, uint64_t v)
{
	u32(w, (uint32_t)v);
	u32(w, (uint32_t)(v >> 32));
}
static void bytes(zw *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

typedef struct ent {
	const char *name, *data;
	uint32_t off;
	bool descriptor;
} ent;

/* Local header + data (+ descriptor) of one stored entry. */
static void local(zw *w, ent *e)
{
	size_t n = strlen(e->name), d = strlen(e->data);
	e->off = (uint32_t)w->n;
	bytes(w, "PK\x03\x04", 4);
	u16(w, 20);
	u16(w, e->descriptor ? 8 : 0);
	u16(w, 0);
	u32(w, 0);
	u32(w, 0);
	u32(w, e->descriptor ? 0 : (uint32_t)d);
	u32(w, e->descriptor ? 0 : (uint32_t)d);
	u16(w, (unsigned)n);
	u16(w, 0);
	bytes(w, e->name, n);
	bytes(w, e->data, d);
	if (e->descriptor) {
		bytes(w, "PK\x07\x08", 4);
		u32(w, 0);
		u32(w, (uint32_t)d);
		u32(w, (uint32_t)d);
	}
}

static void central(zw *w, const ent *e, bool zip64)
{
	size_t n = strlen(e->name), d = strlen(e->data);
	bytes(w, "PK\x01\x02", 4);
	u16(w, 3 << 8 | 20);
	u16(w, 20);
	u16(w, e->descriptor ? 8 : 0);
	u16(w, 0);
	u32(w, 0);
	u32(w, 0);
	u32(w, zip64 ? 0xffffffffu : (uint32_t)d);
	u32(w, zip64 ? 0xffffffffu : (uint32_t)d);
	u16(w, (unsigned)n);
	u16(w, zip64 ? 28 : 0);
	u16(w, 0);
	u16(w, 0);
	u16(w, 0);
	u32(w, (uint32_t)0100644 << 16);
	u32(w, zip64 ? 0xffffffffu : e->off);
	bytes(w, e->name, n);
	if (zip64) {
		u16(w, 1);
		u16(w, 24);
		u64(w, d);
		u64(w, d);
		u64(w, e->off);
	}
}

static void eocd(zw *w, uint64_t count, uint32_t cd_size, uint32_t cd_off, const char *comment)
{
	size_t c = comment ? strlen(comment) : 0;
	bytes(w, "PK\x05\x06", 4);
	u16(w, 0);
	u16(w, 0);
	u16(w, (unsigned)count);
	u16(w, (unsigned)count);
	u32(w, cd_size);
	u32(w, cd_off);
	u16(w, (unsigned)c);
	if (c)
		bytes(w, comment, c);
}

/* A plain archive of the given entries; returns the central directory's offset. */
static size_t build(zw *w, ent *es, size_t n, const char *comment)
{
	size_t cd;
	for (size_t i = 0; i < n; i++)
		local(w, &es[i]);
	cd = w->n;
	for (size_t i = 0; i < n; i++)
		central(w, &es[i], false);
	eocd(w, n, (uint32_t)(w->n - cd), (uint32_t)cd, comment);
	return cd;
}

/* Every entry's name and data, "name=data;" */
static void listing(const ld_zip *z, char *out, size_t cap)
{
	ld_zip_iter it = {0, 0};
	ld_zip_entry e;
	size_t used = 0;
	out[0] = '\0';
	while (ld_zip_next(z, &it, &e) == 1) {
		ld_slice d;
		if (ld_zip_data(z, &e, &d, NULL))
			d = ld_slice_cstr("!");
		used += (size_t)snprintf(out + used, cap - used, "%.*s=%.*s;", (int)e.name.len,
					 e.name.ptr, (int)d.len, d.ptr);
	}
}

static void test_plain(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n", 0, false},
		    {"a/", "", 0, false},
		    {"x.txt", "hello", 0, true}};
	ld_zip z;
	char got[512];
	(void)state;
	build(w, es, 3, "a comment");
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	assert_int_equal(z.count, 3);
	assert_int_equal(z.base, 0);
	listing(&z, got, sizeof(got));
	assert_string_equal(got, "META-INF/MANIFEST.MF=Manifest-Version: 1.0\n;a/=;x.txt=hello;");
	{
		ld_zip_iter it = {0, 0};
		ld_zip_entry e;
		assert_int_equal(ld_zip_next(&z, &it, &e), 1);
		assert_true(ld_zip_regular(&e));
		assert_int_equal(ld_zip_next(&z, &it, &e), 1);
		assert_false(ld_zip_regular(&e)); /* trailing '/' */
	}
	free(w);
}

/* A script before the archive (self-running jars): offsets are relative to the archive. */
static void test_prefix(void **state)
{
	zw *w = calloc(1, sizeof(*w)), *inner = calloc(1, sizeof(*inner));
	ent es[] = {{"p.txt", "data", 0, false}};
	ld_zip z;
	char got[128];
	(void)state;
	build(inner, es, 1, NULL);
	bytes(w, "#!/bin/sh\nexec java -jar \"$0\"\n", 30);
	bytes(w, inner->b, inner->n);
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	assert_int_equal(z.base, 30);
	listing(&z, got, sizeof(got));
	assert_string_equal(got, "p.txt=data;");
	free(w);
	free(inner);
}

static void test_zip64(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"big.bin", "zip64 data", 0, false}, {"two", "2", 0, false}};
	size_t cd, rec;
	ld_zip z;
	char got[128];
	(void)state;
	local(w, &es[0]);
	local(w, &es[1]);
	cd = w->n;
	central(w, &es[0], true);
	central(w, &es[1], true);
	rec = w->n;
	bytes(w, "PK\x06\x06", 4);
	u64(w, 44);
	u16(w, 45);
	u16(w, 45);
	u32(w, 0);
	u32(w, 0);
	u64(w, 2);
	u64(w, 2);
	u64(w, rec - cd);
	u64(w, cd);
	bytes(w, "PK\x06\x07", 4);
	u32(w, 0);
	u64(w, rec);
	u32(w, 1);
	bytes(w, "PK\x05\x06", 4);
	u16(w, 0xffff);
	u16(w, 0xffff);
	u16(w, 0xffff);
	u16(w, 0xffff);
	u32(w, 0xffffffffu);
	u32(w, 0xffffffffu);
	u16(w, 0);
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	assert_true(z.zip64);
	assert_int_equal(z.count, 2);
	listing(&z, got, sizeof(got));
	assert_string_equal(got, "big.bin=zip64 data;two=2;");
	/* a zip64 extra field too short for the fields it must carry */
	w->b[cd + LD_ZIP_CDH_LEN + 7 + 2] = 8;
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	{
		ld_zip_iter it = {0, 0};
		ld_zip_entry e;
		assert_int_equal(ld_zip_next(&z, &it, &e), LADING_EINVALID);
	}
	free(w);
}

/* Cut anywhere: never a crash, never data from outside the bytes. */
static void test_truncated(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"META-INF/maven/g/a/pom.properties", "version=1\n", 0, false},
		    {"b", "bbbb", 0, false}};
	(void)state;
	build(w, es, 2, NULL);
	for (size_t n = 0; n < w->n; n++) {
		unsigned char *copy = malloc(n ? n : 1);
		ld_zip z;
		memcpy(copy, w->b, n);
		/* no end record reaches the end of a cut archive */
		assert_int_equal(ld_zip_open(&z, copy, n), LADING_EINVALID);
		free(copy);
	}
	free(w);
}

/* Offsets and sizes that point outside the archive or into the directory. */
static void test_lying_offsets(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"a", "aaaa", 0, false}, {"b", "bbbb", 0, false}};
	size_t cd;
	ld_zip z;
	ld_zip_iter it = {0, 0};
	ld_zip_entry e;
	ld_slice d;
	(void)state;
	cd = build(w, es, 2, NULL);
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	assert_int_equal(ld_zip_next(&z, &it, &e), 1);
	e.offset = cd - 10; /* a local header that would run into the directory */
	assert_int_equal(ld_zip_data(&z, &e, &d, NULL), LADING_EINVALID);
	e.offset = UINT64_MAX - 3;
	assert_int_equal(ld_zip_data(&z, &e, &d, NULL), LADING_EINVALID);
	e.offset = 0;
	e.csize = (uint64_t)1 << 40; /* data past the directory */
	assert_int_equal(ld_zip_data(&z, &e, &d, NULL), LADING_EINVALID);
	e.offset = 1; /* no local header there */
	e.csize = 1;
	assert_int_equal(ld_zip_data(&z, &e, &d, NULL), LADING_EINVALID);
	/* an end record whose directory would start before the file: not taken */
	w->b[w->n - 6] = 0xff;
	w->b[w->n - 5] = 0xff;
	assert_int_equal(ld_zip_open(&z, w->b, w->n), LADING_EINVALID);
	/* a directory size larger than everything before the record */
	w->b[w->n - 6] = (unsigned char)cd;
	w->b[w->n - 5] = (unsigned char)(cd >> 8);
	w->b[w->n - 10] = 0xff;
	w->b[w->n - 9] = 0xff;
	assert_int_equal(ld_zip_open(&z, w->b, w->n), LADING_EINVALID);
	free(w);
}

/* Two directory entries naming the same local bytes (a zip bomb's overlap): each read stays
 * inside the archive; the caller (java.c) sees the overlap from the offsets and ends. */
static void test_overlap(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"x", "overlapping", 0, false}};
	ent dup = es[0];
	size_t cd;
	ld_zip z;
	ld_zip_iter it = {0, 0};
	ld_zip_entry a, b;
	ld_slice da, db;
	uint64_t ea, eb;
	(void)state;
	local(w, &es[0]);
	cd = w->n;
	dup.off = es[0].off;
	central(w, &es[0], false);
	central(w, &dup, false);
	eocd(w, 2, (uint32_t)(w->n - cd), (uint32_t)cd, NULL);
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	assert_int_equal(ld_zip_next(&z, &it, &a), 1);
	assert_int_equal(ld_zip_next(&z, &it, &b), 1);
	assert_int_equal(ld_zip_next(&z, &it, &b), 0);
	assert_int_equal(ld_zip_data(&z, &a, &da, &ea), 0);
	assert_int_equal(ld_zip_data(&z, &b, &db, &eb), 0);
	assert_true(b.offset < ea); /* what java.c checks */
	assert_ptr_equal(da.ptr, db.ptr);
	free(w);
}

/* A count far beyond what the directory holds: the walk ends at the directory's end. */
static void test_huge_count(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"a", "1", 0, false}, {"b", "2", 0, false}};
	ld_zip z;
	ld_zip_iter it = {0, 0};
	ld_zip_entry e;
	size_t n = 0;
	int r;
	(void)state;
	build(w, es, 2, NULL);
	w->b[w->n - 12] = 0xfe; /* total entries 0xfffe: no zip64 record expected */
	w->b[w->n - 11] = 0xff;
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	while ((r = ld_zip_next(&z, &it, &e)) == 1)
		n++;
	assert_int_equal(r, 0);
	assert_int_equal(n, 2);
	/* and a zero count: nothing, even with a directory there */
	w->b[w->n - 12] = 0;
	w->b[w->n - 11] = 0;
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	it = (ld_zip_iter){0, 0};
	assert_int_equal(ld_zip_next(&z, &it, &e), 0);
	free(w);
}

/* An end record inside the real one's comment, pointing at a directory of its own making. */
static void test_fake_eocd_in_comment(void **state)
{
	zw *w = calloc(1, sizeof(*w)), *fake = calloc(1, sizeof(*fake));
	ent es[] = {{"real.txt", "real", 0, false}};
	ld_zip z;
	char got[128];
	(void)state;
	/* the fake ends exactly at the end of the file (its own comment "tail"): count 1, a
	 * directory of 46 bytes just before it, at offset 0 */
	eocd(fake, 1, 46, 0, "tail");
	build(w, es, 1, NULL);
	/* the real record's comment is the fake one */
	w->b[w->n - 2] = (unsigned char)fake->n;
	w->b[w->n - 1] = 0;
	bytes(w, fake->b, fake->n);
	assert_int_equal(ld_zip_open(&z, w->b, w->n), 0);
	assert_int_equal(z.count, 1);
	assert_int_equal(z.base, 0);
	listing(&z, got, sizeof(got));
	assert_string_equal(got, "real.txt=real;");
	free(w);
	free(fake);
}

static void test_local_forward(void **state)
{
	zw *w = calloc(1, sizeof(*w));
	ent es[] = {{"sized", "12345", 0, false}, {"desc", "PK\x03\x04 inside", 0, true},
		    {"next", "n", 0, false}};
	ld_zip_local loc;
	int64_t end;
	size_t data;
	(void)state;
	build(w, es, 3, NULL);
	assert_int_equal(ld_zip_local_parse(w->b, 10, &loc), 0); /* incomplete */
	assert_int_equal(ld_zip_local_parse(w->b, w->n, &loc), 1);
	assert_true(loc.sized);
	assert_int_equal(loc.csize, 5);
	assert_int_equal(loc.header_len, 30 + 5);
	assert_int_equal(ld_zip_local_parse(w->b + 1, w->n - 1, &loc), LADING_EINVALID);
	assert_int_equal(ld_zip_local_parse(w->b + es[1].off, w->n - es[1].off, &loc), 1);
	assert_false(loc.sized);
	data = es[1].off + (size_t)loc.header_len;
	/* the signature inside the data has no matching descriptor before it: not the end */
	end = ld_zip_descriptor_end(w->b + data, w->n - data, 0);
	assert_int_equal(end, (int64_t)(es[2].off - data));
	/* not found in a short window; found when resumed with more */
	assert_int_equal(ld_zip_descriptor_end(w->b + data, 20, 0), -1);
	assert_int_equal(ld_zip_descriptor_end(w->b + data, w->n - data, 17), end);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),	     cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_zip64),	     cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_lying_offsets),   cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_huge_count),	     cmocka_unit_test(test_fake_eocd_in_comment),
	    cmocka_unit_test(test_local_forward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Layer cache files: a layer written and read back is the same layer (entries, captured bytes,
 * hardlinks sharing bytes, analyzer results, warnings, counters); every damaged byte, a
 * truncation, another key or format is detected; files fetched after the merge come back set
 * aside until a fetch asks for them. Also the cache directory's eviction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <utime.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/cachedir.h"
#include "layer/cache.h"

static const char KEY[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char DIGEST[] =
    "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

static ld_lfile *add(ld_layer *l, const char *path, ld_lf_type type, const char *data,
		     const char *link)
{
	ld_lfile *f = ld_vec_push(&l->files);
	memset(f, 0, sizeof(*f));
	f->path = ld_arena_strdup(&l->arena, path);
	f->path_len = (uint32_t)strlen(path);
	f->type = (uint8_t)type;
	f->mode = type == LD_LF_DIR ? 040755 : 0100644;
	if (data) {
		f->data = (const unsigned char *)ld_arena_strdup(&l->arena, data);
		f->data_len = strlen(data);
		f->size = f->data_len;
		f->captured = f->wanted = true;
	}
	if (link)
		f->link = ld_arena_strdup(&l->arena, link);
	return f;
}

static void layer_init(ld_layer *l)
{
	memset(l, 0, sizeof(*l));
	ld_arena_init(&l->arena, 0);
	ld_vec_init(&l->files, sizeof(ld_lfile), 0);
	ld_buf_init(&l->plain.fc, 0);
}

static void layer_release(ld_layer *l)
{
	free(l->plain.hash);
	ld_buf_release(&l->plain.fc);
	ld_vec_release(&l->files);
	ld_arena_release(&l->arena);
}

static void sample(ld_layer *l)
{
	ld_lfile *f;
	ld_lresult *r;
	layer_init(l);
	l->comp = LD_COMP_GZIP;
	l->bytes_in = 123456789;
	l->captured_bytes = 42;
	l->analyzed_files = 3;
	l->analyzed_bytes = 99999;
	l->analyze_skipped = 1;
	add(l, "etc", LD_LF_DIR, NULL, NULL);
	add(l, "etc/os-release", LD_LF_REG, "ID=alpine\nVERSION_ID=3.20.3\n", NULL);
	f = add(l, "etc/passwd", LD_LF_REG, NULL, NULL);
	f->size = 5000;
	f->wanted = f->too_big = true;
	add(l, "etc/alpine-release", LD_LF_SYMLINK, NULL, "../usr/lib/alpine-release");
	add(l, "lib/apk/db/installed", LD_LF_REG, "P:musl\nV:1.2.5-r0\n\n", NULL);
	/* a hardlink sharing its target's captured bytes */
	f = add(l, "lib/apk/db/installed.link", LD_LF_HARDLINK, NULL, "lib/apk/db/installed");
	f->data = ld_layer_file(l, 4)->data;
	f->data_len = ld_layer_file(l, 4)->data_len;
	f->captured = f->wanted = true;
	add(l, "opt", LD_LF_WHITEOUT, NULL, NULL);
	add(l, "var/cache", LD_LF_OPAQUE, NULL, NULL);
	/* two analyzer results, list order 1 then 0 */
	f = add(l, "usr/bin/app", LD_LF_REG, NULL, NULL);
	f->mode = 0100755;
	f->size = 1u << 20;
	r = ld_arena_alloc(&l->arena, sizeof(*r));
	r->analyzer = 1;
	r->data = ld_slice_make("go1.22\0mod", 10);
	f->results = r;
	r->next = ld_arena_alloc(&l->arena, sizeof(*r));
	r->next->analyzer = 0;
	r->next->data = ld_slice_make("", 0);
	/* captured by a fetch after the merge (a symlink target) */
	f = add(l, "usr/lib/os-release", LD_LF_REG, "ID=debian\n", NULL);
	f->fetched = true;
	/* binary content with NULs */
	f = add(l, "var/lib/rpm/rpmdb.sqlite", LD_LF_REG, NULL, NULL);
	f->data = (const unsigned char *)ld_arena_memdup(&l->arena, "a\0b\0c\0", 7);
	f->data_len = 6;
	f->size = 6;
	f->captured = f->wanted = true;
	/* plain files (hashes, and their paths front-coded for the file) under an implicit dir */
	f = add(l, "app/node_modules", LD_LF_DIR, NULL, NULL);
	f->implicit = true;
	{
		static const char *const plain[] = {"app/node_modules/a/index.js", "app/node_modules/a/package.jsonx",
						    "app/node_modules/b/index.js", NULL};
		char prev[LD_PATH_MAX];
		size_t prevlen = 0;
		l->plain.keep_paths = true;
		for (size_t i = 0; plain[i]; i++)
			assert_int_equal(ld_layer_add_plain(l, ld_slice_cstr(plain[i]), prev, &prevlen), 0);
		ld_layer_plain_sort(l);
	}
}

static size_t write_sample(const ld_layer *l, unsigned char **out)
{
	static const char *const warn[] = {"layer 1: entry '../x' has a '..' component: skipped",
					   "second"};
	char path[] = "/tmp/lading-test-cache-XXXXXX";
	int fd = mkstemp(path);
	struct stat st;
	size_t got;
	assert_true(fd >= 0);
	assert_int_equal(ld_layer_cache_write(fd, l, DIGEST, KEY, warn, 2), 0);
	assert_int_equal(fstat(fd, &st), 0);
	*out = malloc((size_t)st.st_size);
	got = (size_t)pread(fd, *out, (size_t)st.st_size, 0);
	assert_int_equal(got, (size_t)st.st_size);
	close(fd);
	unlink(path);
	return got;
}

static void test_round_trip(void **state)
{
	ld_layer a, b;
	unsigned char *file;
	size_t len;
	const char **warn;
	size_t nwarn;
	lading_ctx *ctx;
	(void)state;
	lading_ctx_new(&ctx);
	sample(&a);
	len = write_sample(&a, &file);
	assert_true(len > LD_LCACHE_HEADER);
	layer_init(&b);
	assert_int_equal(ld_layer_cache_parse(&b, file, len, KEY, 2, &warn, &nwarn, ctx), 0);
	assert_int_equal(nwarn, 2);
	assert_string_equal(warn[0], "layer 1: entry '../x' has a '..' component: skipped");
	assert_int_equal(b.comp, LD_COMP_GZIP);
	assert_int_equal(b.bytes_in, 123456789);
	assert_int_equal(b.analyzed_files, 3);
	assert_int_equal(b.analyzed_bytes, 99999);
	assert_int_equal(b.analyze_skipped, 1);
	assert_int_equal(b.files.len, a.files.len);
	for (size_t i = 0; i < a.files.len; i++) {
		const ld_lfile *x = ld_layer_file(&a, i), *y = ld_layer_file(&b, i);
		assert_string_equal(x->path, y->path);
		assert_int_equal(x->path_len, y->path_len);
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->mode, y->mode);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->too_big, y->too_big);
		assert_int_equal(!!x->link, !!y->link);
		if (x->link)
			assert_string_equal(x->link, y->link);
		assert_int_equal(x->data_len, y->data_len);
		if (x->data) {
			assert_memory_equal(x->data, y->data, x->data_len);
			assert_int_equal(y->data[y->data_len],
					 0); /* NUL-terminated as when captured */
		}
		if (x->fetched) {
			/* set aside: not captured until a fetch asks */
			assert_false(y->captured);
			assert_false(y->wanted);
		} else {
			assert_int_equal(x->captured, y->captured);
			assert_int_equal(x->wanted, y->wanted);
		}
		{
			const ld_lresult *rx = x->results, *ry = y->results;
			for (; rx && ry; rx = rx->next, ry = ry->next) {
				assert_int_equal(rx->analyzer, ry->analyzer);
				assert_int_equal(rx->data.len, ry->data.len);
				assert_memory_equal(rx->data.ptr, ry->data.ptr, rx->data.len);
			}
			assert_null(rx);
			assert_null(ry);
		}
	}
	/* the hardlink shares its target's bytes again */
	assert_ptr_equal(ld_layer_file(&b, 5)->data, ld_layer_file(&b, 4)->data);
	/* plain files come back as hashes, their coded paths as they were */
	assert_true(ld_layer_file(&b, 11)->implicit);
	assert_int_equal(b.plain.len, 3);
	assert_int_equal(b.plain.fc_count, 3);
	assert_int_equal(b.plain.fc_view.len, a.plain.fc_view.len);
	assert_memory_equal(b.plain.fc_view.ptr, a.plain.fc_view.ptr, a.plain.fc_view.len);
	assert_true(ld_layer_has_plain(&b, ld_hash64_keyed("app/node_modules/a/package.jsonx", 32)));
	assert_true(ld_layer_has_plain(&b, ld_hash64_keyed("app/node_modules/b/index.js", 27)));
	assert_false(ld_layer_has_plain(&b, ld_hash64_keyed("app/node_modules/b/index.jsx", 28)));

	/* a fetch gets the set-aside file back without reading the layer */
	{
		const char *paths[] = {"usr/lib/os-release"};
		ld_lfile *f = ld_layer_file(&b, 9);
		b.cache =
		    ld_arena_alloc(&b.arena, 64); /* any non-NULL state: refetch only checks it */
		const size_t caps[] = {1 << 20};
		ld_layer_cache_refetch(&b, paths, caps, 1);
		assert_true(f->captured && f->wanted);
		assert_string_equal((const char *)f->data, "ID=debian\n");
		b.cache = NULL;
	}
	/* ids of analyzers this run does not have are refused */
	layer_release(&b);
	layer_init(&b);
	assert_int_equal(ld_layer_cache_parse(&b, file, len, KEY, 1, &warn, &nwarn, ctx),
			 LADING_EINVALID);
	layer_release(&b);
	free(file);
	layer_release(&a);
	lading_ctx_free(ctx);
}

static void test_corruption(void **state)
{
	ld_layer a, b;
	unsigned char *file;
	size_t len, detected = 0;
	const char **warn;
	size_t nwarn;
	lading_ctx *ctx;
	char other[sizeof(KEY)];
	(void)state;
	lading_ctx_new(&ctx);
	sample(&a);
	len = write_sample(&a, &file);
	/* every single flipped byte, header or payload, is caught */
	for (size_t i = 0; i < len; i++) {
		file[i] ^= 0x20;
		layer_init(&b);
		if (ld_layer_cache_parse(&b, file, len, KEY, 2, &warn, &nwarn, ctx) ==
		    LADING_EINVALID)
			detected++;
		layer_release(&b);
		file[i] ^= 0x20;
	}
	assert_int_equal(detected, len);
	/* truncations */
	for (size_t cut = 0; cut < len; cut += 1 + cut / 3) {
		layer_init(&b);
		assert_int_equal(ld_layer_cache_parse(&b, file, cut, KEY, 2, &warn, &nwarn, ctx),
				 LADING_EINVALID);
		layer_release(&b);
	}
	/* another key */
	memcpy(other, KEY, sizeof(other));
	other[0] = 'f';
	layer_init(&b);
	assert_int_equal(ld_layer_cache_parse(&b, file, len, other, 2, &warn, &nwarn, ctx),
			 LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "another key"));
	layer_release(&b);
	/* another format version */
	file[8]++;
	layer_init(&b);
	assert_int_equal(ld_layer_cache_parse(&b, file, len, KEY, 2, &warn, &nwarn, ctx),
			 LADING_EINVALID);
	layer_release(&b);
	free(file);
	layer_release(&a);
	lading_ctx_free(ctx);
}

static void test_empty_layer(void **state)
{
	ld_layer a, b;
	unsigned char *file;
	size_t len;
	const char **warn;
	size_t nwarn;
	lading_ctx *ctx;
	(void)state;
	lading_ctx_new(&ctx);
	layer_init(&a);
	len = write_sample(&a, &file);
	layer_init(&b);
	assert_int_equal(ld_layer_cache_parse(&b, file, len, NULL, 0, &warn, &nwarn, ctx), 0);
	assert_int_equal(b.files.len, 0);
	free(file);
	layer_release(&a);
	layer_release(&b);
	lading_ctx_free(ctx);
}

static void make_file(const char *dir, const char *name, size_t size, time_t mtime)
{
	char p[1024];
	struct utimbuf t = {mtime, mtime};
	FILE *f;
	ld_snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('x', f);
	fclose(f);
	assert_int_equal(utime(p, &t), 0);
}

static bool exists(const char *dir, const char *name)
{
	char p[1024];
	ld_snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static void test_evict(void **state)
{
	char dir[] = "/tmp/lading-test-evict-XXXXXX";
	time_t now = time(NULL);
	uint64_t left;
	(void)state;
	assert_non_null(mkdtemp(dir));
	make_file(dir, "oldest", 4000, now - 400);
	make_file(dir, "old", 4000, now - 300);
	make_file(dir, "new", 4000, now - 200);
	make_file(dir, "newest", 4000, now - 100);
	make_file(dir, "tmp.1.abandoned", 100, now - 2 * LD_CACHE_STALE_TMP_SECONDS);
	make_file(dir, "tmp.2.in-progress", 100, now);
	/* under the cap: nothing goes but the abandoned temporary file */
	left = ld_cachedir_evict(dir, 100000);
	assert_int_equal(left, 16000);
	assert_false(exists(dir, "tmp.1.abandoned"));
	assert_true(exists(dir, "tmp.2.in-progress"));
	/* over: the least recently used go until under 90 % of the cap */
	left = ld_cachedir_evict(dir, 10000);
	assert_true(left <= 9000);
	assert_false(exists(dir, "oldest"));
	assert_false(exists(dir, "old"));
	assert_true(exists(dir, "newest"));
	/* a hit refreshes: "new" becomes the newest and survives the next eviction */
	ld_snprintf(dir + strlen(dir), 1, "%s", "");
	{
		char p[1024];
		ld_snprintf(p, sizeof(p), "%s/new", dir);
		ld_cachedir_touch(p);
	}
	left = ld_cachedir_evict(dir, 5000);
	assert_true(exists(dir, "new"));
	assert_false(exists(dir, "newest"));
	/* temp + commit */
	{
		char tmp[1024], fin[1024];
		int fd = ld_cachedir_tmp(dir, tmp, sizeof(tmp));
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "abc", 3), 3);
		close(fd);
		ld_snprintf(fin, sizeof(fin), "%s/entry", dir);
		assert_int_equal(ld_cachedir_commit(tmp, fin), 0);
		assert_true(exists(dir, "entry"));
		assert_int_equal(access(tmp, F_OK), -1);
	}
	{
		char cmd[1100];
		ld_snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_cap_env(void **state)
{
	(void)state;
	unsetenv("LADING_CACHE_MAX");
	assert_int_equal(ld_cachedir_cap(77), 77);
	setenv("LADING_CACHE_MAX", "3G", 1);
	assert_int_equal(ld_cachedir_cap(77), (uint64_t)3 << 30);
	setenv("LADING_CACHE_MAX", "512k", 1);
	assert_int_equal(ld_cachedir_cap(77), 512 << 10);
	setenv("LADING_CACHE_MAX", "12345", 1);
	assert_int_equal(ld_cachedir_cap(77), 12345);
	setenv("LADING_CACHE_MAX", "lots", 1);
	assert_int_equal(ld_cachedir_cap(77), 77);
	unsetenv("LADING_CACHE_MAX");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),	cmocka_unit_test(test_corruption),
	    cmocka_unit_test(test_empty_layer), cmocka_unit_test(test_evict),
	    cmocka_unit_test(test_cap_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

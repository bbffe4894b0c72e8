#include <bzlib.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/map.h"
#include "util/path.h"
#include "util/stream.h"
#include "util/term.h"

static void test_buf_cap(void **state)
{
	ld_buf b;
	(void)state;
	ld_buf_init(&b, 8);
	assert_int_equal(ld_buf_adds(&b, "12345678"), 0);
	assert_int_equal(ld_buf_adds(&b, "9"), LADING_ELIMIT);
	/* sticky: later appends fail too, content unchanged */
	assert_int_equal(ld_buf_adds(&b, ""), LADING_ELIMIT);
	assert_string_equal(ld_buf_cstr(&b), "12345678");
	ld_buf_release(&b);
}

static void test_json_parse(void **state)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_json *v;
	const char *doc = "{\"a\": [1, 2.5e3, \"x\\u00e9\\ud83d\\ude00\"], \"b\": {\"c\": true, \"d\": null}, \"e\": \"\"}";
	double d;
	(void)state;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_json_parse(&v, &a, doc, strlen(doc), NULL, ctx, "t"), 0);
	assert_int_equal(ld_json_len(ld_json_get(v, "a")), 3);
	assert_true(ld_json_num(ld_json_at(ld_json_get(v, "a"), 1), &d));
	assert_true(d == 2500.0);
	assert_string_equal(ld_json_str(ld_json_at(ld_json_get(v, "a"), 2)), "x\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(ld_json_bool(ld_json_getp(v, "b", "c", NULL), false));
	assert_true(ld_json_is(ld_json_getp(v, "b", "d", NULL), LD_JSON_NULL));
	assert_null(ld_json_getp(v, "b", "zz", NULL));
	assert_string_equal(ld_json_get_str(v, "e"), "");
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_json_errors(void **state)
{
	static const char *bad[] = {"", "{", "[1,]", "{\"a\" 1}", "\"abc", "01", "[1 2]", "tru", "{} x",
				    "\"\\x\"", "-", "1.", "1e", "\"a\tb\""};
	lading_ctx *ctx;
	ld_arena a;
	ld_json *v;
	(void)state;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ld_json_parse(&v, &a, bad[i], strlen(bad[i]), NULL, ctx, "t");
		assert_int_equal(rc, LADING_EINVALID);
		assert_null(v);
	}
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_json_depth(void **state)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_json *v;
	char deep[2001];
	ld_json_limits lim = {.max_depth = 100};
	(void)state;
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = 0;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_json_parse(&v, &a, deep, 2000, &lim, ctx, "t"), LADING_ELIMIT);
	assert_int_equal(ld_json_parse(&v, &a, deep + 950, 100, &lim, ctx, "t"), 0);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_json_writer(void **state)
{
	ld_buf b = LD_BUF_INIT;
	ld_jw w;
	(void)state;
	ld_jw_init(&w, &b, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "s", "a\"b\n\x01\xff");
	ld_jw_key(&w, "n");
	ld_jw_fixed(&w, 9.80, 1);
	ld_jw_key(&w, "arr");
	ld_jw_arr(&w);
	ld_jw_i64(&w, -3);
	ld_jw_null(&w);
	ld_jw_arr_end(&w);
	ld_jw_kstr_opt(&w, "skip", "");
	ld_jw_obj_end(&w);
	assert_int_equal(ld_jw_finish(&w), 0);
	assert_string_equal(ld_buf_cstr(&b), "{\"s\":\"a\\\"b\\n\\u0001\\ufffd\",\"n\":9.8,\"arr\":[-3,null]}");
	ld_buf_release(&b);
}

static void test_path_canon(void **state)
{
	char out[LD_PATH_MAX];
	size_t n;
	(void)state;
	assert_int_equal(ld_path_canon(ld_slice_cstr("./etc//os-release"), out, &n), 0);
	assert_string_equal(out, "etc/os-release");
	assert_int_equal(ld_path_canon(ld_slice_cstr("/usr/./lib/"), out, &n), 0);
	assert_string_equal(out, "usr/lib");
	assert_int_equal(ld_path_canon(ld_slice_cstr("./"), out, &n), 0);
	assert_string_equal(out, "");
	assert_int_equal(ld_path_canon(ld_slice_cstr("a/../../etc/passwd"), out, &n), LD_PATH_DOTDOT);
	assert_int_equal(ld_path_canon(ld_slice_cstr(".."), out, &n), LD_PATH_DOTDOT);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(ld_glob_match("var/lib/dpkg/status.d/*", ld_slice_cstr("var/lib/dpkg/status.d/libc6")));
	assert_false(ld_glob_match("var/lib/dpkg/status.d/*", ld_slice_cstr("var/lib/dpkg/status.d/a/b")));
	assert_true(ld_glob_match("**/package.json", ld_slice_cstr("package.json")));
	assert_true(ld_glob_match("**/node_modules/**/package.json",
				  ld_slice_cstr("app/node_modules/@scope/x/package.json")));
	assert_true(ld_glob_match("**/*.dist-info/METADATA",
				  ld_slice_cstr("usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA")));
	assert_false(ld_glob_match("**/*.dist-info/METADATA", ld_slice_cstr("usr/lib/x.dist-info/RECORD")));
	assert_true(ld_glob_match("usr/lib/os-relea?e", ld_slice_cstr("usr/lib/os-release")));
	assert_true(ld_glob_match("**", ld_slice_cstr("a/b/c")));
}

static void test_map(void **state)
{
	ld_map m;
	char keys[1000][16];
	void *old;
	(void)state;
	ld_map_init(&m);
	for (int i = 0; i < 1000; i++) {
		ld_snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_int_equal(ld_map_put(&m, ld_slice_cstr(keys[i]), (void *)(intptr_t)(i + 1), &old), 0);
		assert_null(old);
	}
	for (int i = 0; i < 1000; i += 2)
		assert_int_equal((intptr_t)ld_map_del(&m, ld_slice_cstr(keys[i])), i + 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal((intptr_t)ld_map_gets(&m, keys[i]), i % 2 ? i + 1 : 0);
	assert_int_equal(m.len, 500);
	ld_map_release(&m);
}

static void test_verify_stream(void **state)
{
	lading_ctx *ctx;
	ld_stream *s, *v;
	ld_buf b = LD_BUF_INIT;
	char d[LD_DIGEST_STR_LEN];
	(void)state;
	lading_ctx_new(&ctx);
	ld_sha256_buf("hello", 5, d);
	assert_string_equal(d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	ld_stream_mem(&s, ctx, "hello", 5);
	assert_int_equal(ld_stream_verify(&v, s, d, 5, "blob x"), 0);
	assert_int_equal(ld_stream_read_all(v, &b, 100, "x"), 0);
	ld_stream_close(v);
	ld_stream_mem(&s, ctx, "hellO", 5);
	assert_int_equal(ld_stream_verify(&v, s, d, 5, "blob x"), 0);
	assert_int_equal(ld_stream_read_all(v, &b, 100, "x"), LADING_EDIGEST);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "digest mismatch"));
	ld_stream_close(v);
	ld_buf_release(&b);
	lading_ctx_free(ctx);
}

/* bzip2 and xz layers decode through the same stream as gzip/zstd: concatenated streams, a
 * truncation is an error, and the output and ratio limits hold (before, libarchive decoded them
 * with no limit at all). */
static size_t compress_with(int codec, const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	if (codec == LD_COMP_BZIP2) {
		unsigned int olen = (unsigned int)cap;
		assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out, &olen, (char *)(uintptr_t)in, (unsigned)n, 9, 0, 0),
				 BZ_OK);
		return olen;
	} else {
		size_t opos = 0;
		assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, n, out, &opos, cap), LZMA_OK);
		return opos;
	}
}

static int decode_all(const unsigned char *p, size_t n, const ld_decomp_limits *lim, ld_buf *out, ld_comp *comp,
		      lading_ctx *ctx)
{
	ld_stream *s, *d;
	int rc;
	ld_buf_clear(out);
	assert_int_equal(ld_stream_mem(&s, ctx, p, n), 0);
	if ((rc = ld_stream_decompress(&d, s, lim, "test layer", comp)))
		return rc;
	rc = ld_stream_read_all(d, out, (size_t)1 << 30, "test");
	ld_stream_close(d);
	return rc;
}

static void test_decompress_bz_xz(void **state)
{
	const size_t n = (size_t)1 << 20, zn = (size_t)8 << 20;
	unsigned char *data = malloc(n), *zeros = calloc(1, zn), *c = malloc(2 * n + 4096);
	ld_buf out = LD_BUF_INIT;
	lading_ctx *ctx;
	uint32_t x = 12345;
	(void)state;
	lading_ctx_new(&ctx);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)("abcdefgh \n"[(x >> 16) % 10]);
	}
	for (int codec = LD_COMP_BZIP2; codec <= LD_COMP_XZ; codec++) {
		ld_decomp_limits bomb = {0, (uint64_t)1 << 20, 100};
		ld_decomp_limits small = {(uint64_t)512 << 10, 0, 0};
		ld_comp comp = LD_COMP_NONE;
		size_t k = compress_with(codec, data, n, c, n + 4096);
		/* two streams back to back (pbzip2, xz concatenation) decode to both */
		memcpy(c + k, c, k);
		assert_int_equal(decode_all(c, 2 * k, NULL, &out, &comp, ctx), 0);
		assert_int_equal(comp, codec);
		assert_int_equal(out.len, 2 * n);
		assert_memory_equal(out.ptr, data, n);
		assert_memory_equal(out.ptr + n, data, n);
		/* cut short: an error, not a short success */
		assert_int_equal(decode_all(c, k - 7, NULL, &out, NULL, ctx), LADING_EINVALID);
		/* corrupt in the middle */
		c[k / 2] ^= 0x55;
		assert_int_not_equal(decode_all(c, k, NULL, &out, NULL, ctx), 0);
		/* over the output limit */
		k = compress_with(codec, data, n, c, n + 4096);
		assert_int_equal(decode_all(c, k, &small, &out, NULL, ctx), LADING_ELIMIT);
		/* a bomb: 8 MiB of zeros in a few KB, over a 100:1 ratio past 1 MiB */
		k = compress_with(codec, zeros, zn, c, n + 4096);
		assert_true(k < zn / 100);
		assert_int_equal(decode_all(c, k, &bomb, &out, NULL, ctx), LADING_ELIMIT);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "ratio"));
	}
	ld_buf_release(&out);
	free(data);
	free(zeros);
	free(c);
	lading_ctx_free(ctx);
}

/* Terminal escaping: every C0/C1 control, DEL and invalid byte escaped, valid UTF-8 kept. */
static void test_term_escape(void **state)
{
	static const char *const cases[][2] = {
		{"plain-1.2.3", "plain-1.2.3"},
		{"red\x1b[31mtext", "red\\x1b[31mtext"},
		{"title\x1b]0;pwned\x07", "title\\x1b]0;pwned\\x07"},
		{"a\nb\tc\rd", "a\\x0ab\\x09c\\x0dd"},
		{"del\x7f", "del\\x7f"},
		{"csi\xc2\x9b" "31m", "csi\\u009b31m"},       /* C1 CSI as UTF-8 */
		{"raw\x9b" "31m", "raw\\x9b31m"},              /* C1 as a raw byte */
		{"caf\xc3\xa9 \xe6\xbc\xa2", "caf\xc3\xa9 \xe6\xbc\xa2"}, /* valid UTF-8 passes */
		{"over\xc0\xaflong", "over\\xc0\\xaflong"},     /* overlong '/' */
		{"cut\xe6\xbc", "cut\\xe6\\xbc"},               /* truncated sequence */
		{"sur\xed\xa0\x80", "sur\\xed\\xa0\\x80"},       /* UTF-16 surrogate */
	};
	char out[128];
	ld_buf b = LD_BUF_INIT;
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(cases); i++) {
		assert_string_equal(ld_term(cases[i][0], out, sizeof(out)), cases[i][1]);
		assert_int_equal(lading_text_escape(cases[i][0], out, sizeof(out)), strlen(cases[i][1]));
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(ld_term_width("caf\xc3\xa9"), 4);
	assert_int_equal(ld_term_width("a\x1b"), 5);
	assert_int_equal(ld_term_width(NULL), 0);
	/* truncated output stays terminated; the return value says what it needed */
	assert_int_equal(lading_text_escape("\x1b\x1b\x1b", out, 5), 12);
	assert_int_equal(strlen(out), 4);
	/* the net over a table: row newlines stay, everything else is escaped */
	ld_buf_adds(&b, "head\n");
	ld_buf_adds(&b, "row \x1b[2J\xc2\x85\nnext\n");
	ld_buf_term_sanitize(&b, 5, true);
	assert_string_equal(ld_buf_cstr(&b), "head\nrow \\x1b[2J\\u0085\nnext\n");
	ld_buf_term_sanitize(&b, 0, false);
	assert_string_equal(ld_buf_cstr(&b), "head\\x0arow \\x1b[2J\\u0085\\x0anext\\x0a");
	ld_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),      cmocka_unit_test(test_json_parse),
		cmocka_unit_test(test_json_errors),  cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_json_writer),  cmocka_unit_test(test_path_canon),
		cmocka_unit_test(test_glob),         cmocka_unit_test(test_map),
		cmocka_unit_test(test_verify_stream), cmocka_unit_test(test_decompress_bz_xz),
		cmocka_unit_test(test_term_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Layer walk and merged view on synthetic layers built in memory with libarchive, and on the
 * real two-layer image of ../shared. */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "layer/layer.h"

typedef struct ent {
	const char *path;
	char type; /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink */
	const char *data_or_link;
} ent;

typedef struct mem_layer {
	void *buf;
	size_t len;
} mem_layer;

static mem_layer make_tar(const ent *e)
{
	mem_layer m;
	size_t cap = 1 << 20, used = 0;
	struct archive *a = archive_write_new();
	m.buf = malloc(cap);
	archive_write_set_format_pax_restricted(a);
	archive_write_open_memory(a, m.buf, cap, &used);
	for (; e->path; e++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e->path);
		archive_entry_set_perm(ae, 0644);
		if (e->type == 'f') {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)strlen(e->data_or_link));
		} else if (e->type == 'd') {
			archive_entry_set_filetype(ae, AE_IFDIR);
		} else if (e->type == 'l') {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e->data_or_link);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e->data_or_link);
		}
		archive_write_header(a, ae);
		if (e->type == 'f')
			archive_write_data(a, e->data_or_link, strlen(e->data_or_link));
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	m.len = used;
	return m;
}

static mem_layer g_layers[8];

/* Like the real sources: a layer with a blob digest is checked against it as it is read. */
static int mem_open_layer(lading_image *img, size_t i, ld_stream **out, lading_ctx *ctx)
{
	int rc = ld_stream_mem(out, ctx, g_layers[i].buf, g_layers[i].len);
	if (!rc && img->lsrc[i].blob_digest[0])
		rc = ld_stream_verify(out, *out, img->lsrc[i].blob_digest, (int64_t)g_layers[i].len, "mem layer");
	return rc;
}

static const ld_source_ops mem_ops = {mem_open_layer, NULL, NULL};

static lading_image *fake_image(const ent *const *layers, size_t n, lading_ctx *ctx)
{
	lading_image *img = calloc(1, sizeof(*img));
	ld_arena_init(&img->arena, 0);
	img->kind = LD_SRC_OCI_DIR;
	img->ops = &mem_ops;
	img->ctx = ctx;
	img->info.source_path = "mem";
	assert_int_equal(ld_image_alloc_layers(img, n, ctx), 0);
	for (size_t i = 0; i < n; i++)
		g_layers[i] = make_tar(layers[i]);
	return img;
}

static void free_image(lading_image *img, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g_layers[i].buf);
	ld_arena_release(&img->arena);
	free(img);
}

static ld_view *build(lading_image *img, ld_layer **layers, const char *const *wants, lading_ctx *ctx)
{
	ld_wants *w;
	ld_view *v;
	assert_int_equal(ld_wants_new(&w), 0);
	for (; *wants; wants++)
		assert_int_equal(ld_wants_add(w, *wants, 1 << 20), 0);
	if (ld_layers_read(layers, img, w, ctx))
		fail_msg("read: %s", ctx->err.msg);
	assert_int_equal(ld_view_build(&v, *layers, img->info.layer_count, ctx), 0);
	ld_wants_free(w);
	return v;
}

/* build() with one cap per want */
static ld_view *build_capped(lading_image *img, ld_layer **layers, const char *const *wants, const size_t *caps,
			     lading_ctx *ctx)
{
	ld_wants *w;
	ld_view *v;
	assert_int_equal(ld_wants_new(&w), 0);
	for (size_t i = 0; wants[i]; i++)
		assert_int_equal(ld_wants_add(w, wants[i], caps[i]), 0);
	if (ld_layers_read(layers, img, w, ctx))
		fail_msg("read: %s", ctx->err.msg);
	assert_int_equal(ld_view_build(&v, *layers, img->info.layer_count, ctx), 0);
	ld_wants_free(w);
	return v;
}

/* The record of `path` in a layer: a whole entry, or one a fetch made for a plain file (plain
 * files nobody asked for have none). */
static ld_lfile *layer_record(ld_layer *l, const char *path)
{
	ld_lfile *found = NULL;
	for (size_t i = 0; i < l->files.len; i++)
		if (!strcmp(ld_layer_file(l, i)->path, path))
			found = ld_layer_file(l, i);
	for (size_t i = 0; !found && i < l->extra.len; i++) {
		ld_lfile *f = *(ld_lfile **)ld_vec_at(&l->extra, i);
		if (!strcmp(f->path, path))
			found = f;
	}
	return found;
}

static ld_lfile *layer_find(ld_layer *l, const char *path)
{
	ld_lfile *found = layer_record(l, path);
	assert_non_null(found);
	return found;
}

static void expect_content(ld_view *v, const char *path, const char *content, int layer)
{
	ld_slice d;
	int l = -2;
	int rc = ld_view_read(v, path, &d, &l);
	if (rc)
		fail_msg("%s: not readable (%d)", path, rc);
	assert_int_equal(d.len, strlen(content));
	assert_memory_equal(d.ptr, content, d.len);
	assert_int_equal(l, layer);
}

static void test_whiteouts(void **state)
{
	static const ent l0[] = {{"etc/", 'd', 0},          {"etc/motd", 'f', "hello"},
				 {"etc/keep", 'f', "keep"},   {"var/", 'd', 0},
				 {"var/cache/", 'd', 0},      {"var/cache/a", 'f', "a"},
				 {"var/cache/sub/b", 'f', "b"}, {"opt/x", 'f', "file"},
				 {NULL, 0, 0}};
	static const ent l1[] = {{"etc/.wh.motd", 'f', ""},          {"var/cache/.wh..wh..opq", 'f', ""},
				 {"var/cache/new", 'f', "new"},         {"opt/x/inner", 'f', "dir now"},
				 {"etc/keep", 'f', "keep2"},           {"etc/.wh...", 'f', ""},
				 {"../../escape", 'f', "bad"},          {"/abs/file", 'f', "abs"},
				 {NULL, 0, 0}};
	static const ent l2[] = {{"etc/motd", 'f', "back"}, {NULL, 0, 0}};
	const ent *layers[] = {l0, l1, l2};
	static const char *const wants[] = {"etc/motd", "etc/keep", "var/cache/**", "opt/**", "abs/file", NULL};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_view *v;
	(void)state;

	lading_ctx_new(&ctx);
	/* without the third layer /etc/motd is gone */
	img = fake_image(layers, 2, ctx);
	v = build(img, &ls, wants, ctx);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("etc/motd")));
	expect_content(v, "etc/keep", "keep2", 1);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("var/cache/a")));
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("var/cache/sub/b")));
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("var/cache/sub")));
	expect_content(v, "var/cache/new", "new", 1);
	/* a file replaced by a directory */
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("opt/x"))->type, LD_LF_DIR);
	expect_content(v, "opt/x/inner", "dir now", 1);
	/* "../" entries are skipped, absolute ones land inside the image */
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("escape")));
	expect_content(v, "abs/file", "abs", 1);
	assert_true(lading_ctx_warning_count(ctx) >= 2); /* the ".." entry and the ".wh..." whiteout */
	ld_view_free(v);
	ld_layers_free(ls, 2);
	free_image(img, 2);

	/* a later layer brings it back */
	img = fake_image(layers, 3, ctx);
	v = build(img, &ls, wants, ctx);
	expect_content(v, "etc/motd", "back", 2);
	ld_view_free(v);
	ld_layers_free(ls, 3);
	free_image(img, 3);
	lading_ctx_free(ctx);
}

static void test_symlinks(void **state)
{
	static const ent l0[] = {{"usr/lib/os-release", 'f', "ID=test"},
				 {"etc/os-release", 'l', "../usr/lib/os-release"},
				 {"etc/abs", 'l', "/usr/lib/os-release"},
				 {"lib", 'l', "usr/lib"},
				 {"loop1", 'l', "loop2"},
				 {"loop2", 'l', "loop1"},
				 {"up", 'l', "../../../../usr/lib/os-release"},
				 {"usr/lib/data", 'f', "payload"},
				 {"usr/lib/hard", 'h', "usr/lib/data"},
				 {NULL, 0, 0}};
	const ent *layers[] = {l0};
	static const char *const wants[] = {"etc/os-release", "usr/lib/hard", NULL};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_view *v;
	char canon[LD_PATH_MAX];
	ld_slice d;
	(void)state;

	lading_ctx_new(&ctx);
	img = fake_image(layers, 1, ctx);
	v = build(img, &ls, wants, ctx);
	/* the target was not wanted while streaming, so it is not captured yet */
	assert_int_equal(ld_view_read(v, "etc/os-release", &d, NULL), LADING_ELIMIT);
	assert_non_null(ld_view_resolve(v, LD_SLICE_LIT("etc/os-release"), true, canon));
	assert_string_equal(canon, "usr/lib/os-release");
	{
		const char *need[] = {"usr/lib/os-release"};
		const size_t caps[] = {1 << 20};
		assert_int_equal(ld_layer_fetch(img, &ls[0], need, caps, 1, ctx), 0);
	}
	expect_content(v, "etc/os-release", "ID=test", 0);
	expect_content(v, "etc/abs", "ID=test", 0);
	expect_content(v, "lib/os-release", "ID=test", 0);
	/* ".." never climbs above the image root */
	expect_content(v, "up", "ID=test", 0);
	/* loops end */
	assert_null(ld_view_resolve(v, LD_SLICE_LIT("loop1"), true, canon));
	assert_non_null(ld_view_resolve(v, LD_SLICE_LIT("loop1"), false, canon));
	/* a hardlink gets its target's content although only the link was wanted */
	expect_content(v, "usr/lib/hard", "payload", 0);
	ld_view_free(v);
	ld_layers_free(ls, 1);
	free_image(img, 1);
	lading_ctx_free(ctx);
}

/* Files nothing asked for are kept as hashes only ("plain"): the view must still see them
 * exactly where the old tree of every entry did. */
static void test_plain_files(void **state)
{
	static const ent l0[] = {{"srv/", 'd', 0},
				 {"srv/a/plain1", 'f', "p1"}, /* parent not listed: implicit */
				 {"srv/dir/", 'd', 0},
				 {"srv/dir/x", 'f', "x"},
				 {"srv/dir/wanted", 'f', "w"},
				 {"opq/p1", 'f', "p1"},
				 {"opq/sub/p2", 'f', "p2"},
				 {"etc/target", 'f', "target!"},
				 {"etc/link", 'l', "target"},
				 {"data/big", 'f', "shared bytes"},
				 {"data/hl", 'h', "data/big"},
				 {"gone/p", 'f', "p"},
				 {"keep/p", 'f', "kept"},
				 {NULL, 0, 0}};
	static const ent l1[] = {{"srv/dir", 'f', "now a file"}, /* a plain file replaces a directory */
				 {"srv/a/.wh.plain1", 'f', ""},
				 {".wh.gone", 'f', ""},
				 {"opq/.wh..wh..opq", 'f', ""},
				 {"opq/new", 'f', "n"},
				 {"keep/p", 'f', "again"}, /* the upper copy wins */
				 {NULL, 0, 0}};
	static const ent l2[] = {{"srv/dir/again", 'f', "a"}, {NULL, 0, 0}}; /* a directory again */
	const ent *layers[] = {l0, l1, l2};
	static const char *const wants[] = {"srv/dir/wanted", "data/hl", NULL};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_view *v;
	ld_vnode *n;
	ld_slice d;
	char canon[LD_PATH_MAX];
	(void)state;

	lading_ctx_new(&ctx);
	img = fake_image(layers, 2, ctx);
	v = build(img, &ls, wants, ctx);
	/* only what something needs is kept whole */
	assert_true(ls[0].plain.len >= 7);
	for (size_t i = 0; i < ls[0].files.len; i++)
		assert_string_not_equal(ld_layer_file(&ls[0], i)->path, "srv/dir/x");
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("srv/a/plain1")));
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("srv/a"))->type, LD_LF_DIR);
	n = ld_view_lookup(v, LD_SLICE_LIT("srv/dir"));
	assert_non_null(n);
	assert_int_equal(n->type, LD_LF_REG);
	assert_int_equal(n->layer, 1);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("srv/dir/x")));
	assert_int_equal(ld_view_read(v, "srv/dir/wanted", &d, NULL), LADING_ENOTFOUND);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("gone")));
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("gone/p")));
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("opq/p1")));
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("opq/sub")));
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("opq/sub/p2")));
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("opq/new"))->layer, 1);
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("keep/p"))->layer, 1);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("keep/nothing")));
	/* a symlink to a plain file: found, then fetched from its layer */
	n = ld_view_resolve(v, LD_SLICE_LIT("etc/link"), true, canon);
	assert_non_null(n);
	assert_string_equal(canon, "etc/target");
	assert_int_equal(n->layer, 0);
	assert_int_equal(ld_view_read(v, "etc/link", &d, NULL), LADING_ELIMIT);
	{
		const char *need[] = {"etc/target"};
		const size_t caps[] = {1 << 20};
		assert_int_equal(ld_layer_fetch(img, &ls[0], need, caps, 1, ctx), 0);
	}
	expect_content(v, "etc/link", "target!", 0);
	/* a wanted hardlink to a plain file gets its bytes */
	expect_content(v, "data/hl", "shared bytes", 0);
	ld_view_free(v);
	ld_layers_free(ls, 2);
	free_image(img, 2);

	img = fake_image(layers, 3, ctx);
	v = build(img, &ls, wants, ctx);
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("srv/dir"))->type, LD_LF_DIR);
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("srv/dir/again"))->layer, 2);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("srv/dir/x"))); /* not back from layer 0 */
	ld_view_free(v);
	ld_layers_free(ls, 3);
	free_image(img, 3);
	lading_ctx_free(ctx);
}

static void test_budget(void **state)
{
	static const ent l0[] = {{"var/lib/dpkg/status", 'f', "Package: a\nVersion: 1\n\n"}, {NULL, 0, 0}};
	const ent *layers[] = {l0};
	static const char *const wants[] = {"var/lib/dpkg/status", NULL};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_wants *w;
	(void)state;

	lading_ctx_new(&ctx);
	lading_ctx_set_max_memory(ctx, 1024); /* less than one arena chunk */
	img = fake_image(layers, 1, ctx);
	assert_int_equal(ld_wants_new(&w), 0);
	assert_int_equal(ld_wants_add(w, wants[0], 1 << 20), 0);
	assert_int_equal(ld_layers_read(&ls, img, w, ctx), LADING_ELIMIT);
	assert_non_null(strstr(ctx->err.msg, "memory budget"));
	assert_non_null(strstr(ctx->err.msg, "layer 1"));
	assert_int_equal(ld_budget_used(ld_ctx_budget(ctx)), 0); /* all released */
	ld_wants_free(w);
	free_image(img, 1);
	lading_ctx_free(ctx);
}

static void test_real_twolayer(void **state)
{
	char ref[4096];
	const char *shared = getenv("LADING_SHARED");
	static const char *const wants[] = {"etc/motd", "opt/layer2/added.txt", "etc/os-release", NULL};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_view *v;
	ld_slice d;
	(void)state;
	snprintf(ref, sizeof(ref), "%s/images/oci/alpine-3.20.3-twolayer", shared ? shared : "../shared");
	lading_ctx_new(&ctx);
	assert_int_equal(lading_image_open(&img, ctx, ref, NULL), 0);
	v = build(img, &ls, wants, ctx);
	assert_null(ld_view_lookup(v, LD_SLICE_LIT("etc/motd")));
	assert_int_equal(ld_view_read(v, "opt/layer2/added.txt", &d, NULL), 0);
	assert_int_equal(ld_view_lookup(v, LD_SLICE_LIT("opt/layer2/added.txt"))->layer, 1);
	assert_int_equal(ld_view_read(v, "etc/os-release", &d, NULL), 0);
	/* the first layer alone still has it */
	assert_non_null(ld_view_lookup(v, LD_SLICE_LIT("etc")));
	{
		int found = 0;
		for (size_t i = 0; i < ls[0].files.len; i++)
			found |= !strcmp(ld_layer_file(&ls[0], i)->path, "etc/motd");
		assert_true(found);
	}
	ld_view_free(v);
	ld_layers_free(ls, img->info.layer_count);
	lading_image_free(img);
	lading_ctx_free(ctx);
}


static const char BIG300[] =
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/* A wanted hardlink whose target was not captured is read again within the link's own cap,
 * never uncapped; nor does a link share a captured target over its own cap. */
static void test_hardlink_caps(void **state)
{
	static const ent l0[] = {{"data/big", 'f', BIG300},         {"data/small", 'f', "tiny"},
				 {"data/wanted", 'f', BIG300},      {"etc/biglink", 'h', "data/big"},
				 {"etc/smalllink", 'h', "data/small"}, {"etc/widelink", 'h', "data/big"},
				 {"etc/wantedlink", 'h', "data/wanted"}, {NULL, 0, 0}};
	const ent *layers[] = {l0};
	static const char *const wants[] = {"etc/biglink", "etc/smalllink", "etc/widelink", "data/wanted",
					    "etc/wantedlink", NULL};
	static const size_t caps[] = {100, 100, 1000, 1000, 100};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_view *v;
	ld_lfile *f;
	(void)state;

	lading_ctx_new(&ctx);
	img = fake_image(layers, 1, ctx);
	v = build_capped(img, &ls, wants, caps, ctx);
	expect_content(v, "etc/smalllink", "tiny", 0);
	/* data/big was read again for etc/widelink (cap 1000): etc/biglink (cap 100) stays without */
	f = layer_find(&ls[0], "etc/biglink");
	assert_false(f->captured);
	assert_true(f->too_big);
	expect_content(v, "etc/widelink", BIG300, 0);
	/* a captured target over the link's cap is not shared */
	expect_content(v, "data/wanted", BIG300, 0);
	f = layer_find(&ls[0], "etc/wantedlink");
	assert_false(f->captured);
	assert_true(f->too_big);
	assert_true(lading_ctx_warning_count(ctx) >= 2);
	ld_view_free(v);
	ld_layers_free(ls, 1);
	free_image(img, 1);

	/* only links under their cap: the unwanted target is re-read within 100 bytes, i.e. not */
	{
		static const char *const w2[] = {"etc/biglink", NULL};
		static const size_t c2[] = {100};
		img = fake_image(layers, 1, ctx);
		v = build_capped(img, &ls, w2, c2, ctx);
		f = layer_find(&ls[0], "etc/biglink");
		assert_false(f->captured);
		{
			const ld_lfile *big = layer_record(&ls[0], "data/big");
			assert_true(!big || !big->captured);
		}
		ld_view_free(v);
		ld_layers_free(ls, 1);
		free_image(img, 1);
	}
	lading_ctx_free(ctx);
}

/* ld_layer_fetch applies each path's own cap, not the largest of the call. */
static void test_fetch_caps(void **state)
{
	static const ent l0[] = {{"usr/lib/big", 'f', BIG300}, {"usr/lib/small", 'f', "small"},
				 {"etc/a", 'l', "../usr/lib/big"}, {"etc/b", 'l', "../usr/lib/small"},
				 {NULL, 0, 0}};
	const ent *layers[] = {l0};
	static const char *const wants[] = {"etc/a", "etc/b", NULL};
	lading_ctx *ctx;
	lading_image *img;
	ld_layer *ls;
	ld_view *v;
	const char *need[] = {"usr/lib/big", "usr/lib/small"};
	const size_t caps[] = {100, 1 << 20};
	(void)state;

	lading_ctx_new(&ctx);
	img = fake_image(layers, 1, ctx);
	v = build(img, &ls, wants, ctx);
	assert_int_equal(ld_layer_fetch(img, &ls[0], need, caps, 2, ctx), 0);
	assert_true(layer_find(&ls[0], "usr/lib/big")->too_big);
	assert_false(layer_find(&ls[0], "usr/lib/big")->captured);
	expect_content(v, "etc/b", "small", 0);
	ld_view_free(v);
	ld_layers_free(ls, 1);
	free_image(img, 1);
	lading_ctx_free(ctx);
}

/* Flip the first occurrence of `from` in layer i's bytes to `to` (same length). */
static void tamper(size_t i, const char *from, const char *to)
{
	unsigned char *p = memmem(g_layers[i].buf, g_layers[i].len, from, strlen(from));
	assert_non_null(p);
	memcpy(p, to, strlen(to));
}

/* A second read of a layer whose bytes changed since the first (a registry serving other bytes,
 * a file rewritten) fails on the digest, and nothing it read is kept: with the blob digest of
 * the source, and for sources without one (rootfs-tar) against the digest the first read took. */
static void test_refetch_verified(void **state)
{
	static const ent l0[] = {{"usr/lib/os-release", 'f', "ID=test"}, {"etc/os-release", 'l', "../usr/lib/os-release"},
				 {"zz/after", 'f', "trailer"}, {NULL, 0, 0}};
	const ent *layers[] = {l0};
	static const char *const wants[] = {"etc/os-release", NULL};
	const char *need[] = {"usr/lib/os-release"};
	const size_t caps[] = {1 << 20};
	(void)state;

	for (int with_digest = 0; with_digest < 2; with_digest++) {
		lading_ctx *ctx;
		lading_image *img;
		ld_layer *ls;
		ld_view *v;
		ld_slice d;
		ld_lfile *f;
		lading_ctx_new(&ctx);
		img = fake_image(layers, 1, ctx);
		if (with_digest)
			ld_sha256_buf(g_layers[0].buf, g_layers[0].len, img->lsrc[0].blob_digest);
		v = build(img, &ls, wants, ctx);
		/* the content of the target changes before it is read again */
		tamper(0, "ID=test", "ID=evil");
		assert_int_equal(ld_layer_fetch(img, &ls[0], need, caps, 1, ctx), LADING_EDIGEST);
		f = layer_find(&ls[0], "usr/lib/os-release");
		assert_false(f->captured);
		assert_null(f->data);
		assert_int_equal(ld_view_read(v, "etc/os-release", &d, NULL), LADING_ELIMIT);
		/* so does a byte after the wanted file (the whole blob is checked) */
		tamper(0, "ID=evil", "ID=test");
		tamper(0, "trailer", "TRAILER");
		assert_int_equal(ld_layer_fetch(img, &ls[0], need, caps, 1, ctx), LADING_EDIGEST);
		assert_false(f->captured);
		/* the original bytes read again are fine */
		tamper(0, "TRAILER", "trailer");
		assert_int_equal(ld_layer_fetch(img, &ls[0], need, caps, 1, ctx), 0);
		expect_content(v, "etc/os-release", "ID=test", 0);
		ld_view_free(v);
		ld_layers_free(ls, 1);
		free_image(img, 1);
		lading_ctx_free(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whiteouts),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_plain_files),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_real_twolayer),
		cmocka_unit_test(test_hardlink_caps),
		cmocka_unit_test(test_fetch_caps),
		cmocka_unit_test(test_refetch_verified),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

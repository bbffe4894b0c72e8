/* Fuzz image metadata parsing: the first byte picks what the rest of the input is — an image
 * config, an OCI index.json, an OCI manifest (behind a valid index), or a docker manifest.json —
 * and it is loaded from a scratch OCI layout / docker-archive directory the way real images are. */
#include <dirent.h>

#include "util/common.h"
#include "source/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_dir[256];

static void write_file(const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;
	ld_snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	if (n)
		fwrite(p, 1, n, f);
	fclose(f);
}

static void setup(void)
{
	char p[300];
	if (g_dir[0])
		return;
	ld_snprintf(g_dir, sizeof(g_dir), "/tmp/lading-fuzz-meta-%ld", (long)getpid());
	mkdir(g_dir, 0700);
	ld_snprintf(p, sizeof(p), "%s/blobs", g_dir);
	mkdir(p, 0700);
	ld_snprintf(p, sizeof(p), "%s/blobs/sha256", g_dir);
	mkdir(p, 0700);
	write_file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
}

static void clear_blobs(void)
{
	char p[300];
	DIR *d;
	struct dirent *e;
	ld_snprintf(p, sizeof(p), "%s/blobs/sha256", g_dir);
	d = opendir(p);
	while (d && (e = readdir(d))) {
		char f[600];
		if (e->d_name[0] == '.')
			continue;
		ld_snprintf(f, sizeof(f), "%s/%s", p, e->d_name);
		unlink(f);
	}
	if (d)
		closedir(d);
}

static void open_and_free(lading_ctx *ctx, const char *ref)
{
	lading_image *img = NULL;
	char r[400];
	ld_snprintf(r, sizeof(r), "oci:%s", ref);
	if (lading_image_open(&img, ctx, r, NULL) == 0)
		lading_image_free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lading_ctx *ctx;
	unsigned mode;
	const char *p;
	size_t n;
	char digest[LD_DIGEST_STR_LEN], name[128], idx[512];

	if (size < 1 || lading_ctx_new(&ctx))
		return 0;
	setup();
	clear_blobs();
	mode = data[0] % 3;
	p = (const char *)data + 1;
	n = size - 1;
	if (mode == 0) {
		/* a config applied to a 2-layer image */
		lading_image img;
		memset(&img, 0, sizeof(img));
		ld_arena_init(&img.arena, 0);
		if (ld_image_alloc_layers(&img, 2, ctx) == 0)
			ld_config_apply(&img, p, n, "sha256:00", ctx);
		ld_arena_release(&img.arena);
	} else if (mode == 1) {
		write_file("index.json", p, n);
		open_and_free(ctx, g_dir);
	} else {
		/* the input as a manifest blob named by a valid index */
		ld_sha256_buf(p, n, digest);
		ld_snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
		write_file(name, p, n);
		ld_snprintf(idx, sizeof(idx),
			    "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			    "\"digest\":\"%s\",\"size\":%zu}]}",
			    digest, n);
		write_file("index.json", idx, strlen(idx));
		open_and_free(ctx, g_dir);
	}
	lading_ctx_free(ctx);
	return 0;
}

/* lading_sbom_read: an SBOM document (catalog/sbomdoc.c) as an inventory, with an image record
 * made of what the document says about its image, so scan, reports and the store take it as
 * they take an image's inventory. */
#include "util/common.h"
#include "catalog/catalog.h"
#include "source/source.h"
#include "api/api.h"

/* The image record: only what the document gave; no layers to read (ops stays NULL). */
static int doc_image(lading_image *img, const ld_sbomdoc_image *d, const char *name)
{
	ld_arena *a = &img->arena;
	lading_image_info *in = &img->info;
	in->source_type = "sbom";
	in->source_path = ld_arena_strdup(a, name);
	in->ref = d->name ? ld_arena_strdup(a, d->name) : NULL;
	in->config_digest = d->config_digest ? ld_arena_strdup(a, d->config_digest) : NULL;
	in->manifest_digest = d->manifest_digest ? ld_arena_strdup(a, d->manifest_digest) : NULL;
	in->created = d->created ? ld_arena_strdup(a, d->created) : NULL;
	if (d->platform) {
		char os[64], arch[64], variant[64];
		if (!ld_platform_parse(d->platform, os, sizeof(os), arch, sizeof(arch), variant, sizeof(variant))) {
			in->os = ld_arena_strdup(a, os);
			in->architecture = ld_arena_strdup(a, arch);
			in->variant = variant[0] ? ld_arena_strdup(a, variant) : NULL;
		}
	}
	/* a name with a tag is a reference the inventory can find the image by */
	if (in->ref && strchr(in->ref, ':') && !strchr(in->ref, ' ')) {
		const char **tags = ld_arena_array(a, 1, sizeof(char *));
		if (!tags)
			return LADING_ENOMEM;
		tags[0] = in->ref;
		in->repo_tags = tags;
		in->repo_tag_count = 1;
	}
	if (d->nlayers) {
		img->layers = ld_arena_array(a, d->nlayers, sizeof(lading_layer_info));
		if (!img->layers)
			return LADING_ENOMEM;
		for (size_t i = 0; i < d->nlayers; i++) {
			img->layers[i].digest = d->layers[i] ? ld_arena_strdup(a, d->layers[i]) : NULL;
			img->layers[i].blob_digest = img->layers[i].digest;
			img->layers[i].size = -1;
		}
		in->layers = img->layers;
		in->layer_count = d->nlayers;
	}
	return !in->source_path ? LADING_ENOMEM : 0;
}

int lading_sbom_read(lading_sbom **out, lading_ctx *ctx, const char *data, size_t len, const char *name)
{
	lading_sbom *s;
	ld_sbomdoc_image d;
	int rc;

	*out = NULL;
	ld_error_clear(ctx);
	if (!name)
		name = "SBOM";
	if (!(s = calloc(1, sizeof(*s))) || !(s->image = calloc(1, sizeof(*s->image)))) {
		free(s);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	s->owns_image = true;
	ld_arena_init(&s->image->arena, 0);
	ld_catalog_init(&s->cat, NULL, &s->image->info);
	if ((rc = ld_sbomdoc_parse(&s->cat, &d, data ? data : "", data ? len : 0, ctx, name)))
		goto fail;
	if ((rc = doc_image(s->image, &d, name))) {
		rc = ld_error_set(ctx, rc, "out of memory");
		goto fail;
	}
	s->doc_format = d.format;
	ld_catalog_sort(&s->cat);
	*out = s;
	return 0;
fail:
	lading_sbom_free(s);
	return rc;
}

const char *lading_sbom_document_format(const lading_sbom *s)
{
	return s->doc_format;
}

int lading_sbom_read_file(lading_sbom **out, lading_ctx *ctx, const char *path)
{
	ld_buf b;
	char chunk[65536];
	size_t n;
	FILE *f;
	int rc;

	*out = NULL;
	ld_error_clear(ctx);
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return ld_error_set_path(ctx, LADING_EIO, path, 0, "cannot open %s: %s", path, strerror(errno));
	ld_buf_init(&b, LADING_SBOM_READ_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !ld_buf_error(&b))
		ld_buf_add(&b, chunk, n);
	rc = ferror(f) ? ld_error_set_path(ctx, LADING_EIO, path, 0, "cannot read %s: %s", path, strerror(errno)) : 0;
	if (f != stdin)
		fclose(f);
	if (!rc && ld_buf_error(&b))
		rc = ld_error_set_path(ctx, LADING_ELIMIT, path, 0, "%s: larger than %d MiB", path,
				       LADING_SBOM_READ_MAX >> 20);
	if (!rc)
		rc = lading_sbom_read(out, ctx, b.ptr, b.len, strcmp(path, "-") ? path : "standard input");
	ld_buf_release(&b);
	return rc;
}

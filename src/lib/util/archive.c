#include <archive.h>
#include <archive_entry.h>

#include "util/common.h"
#include "util/archive.h"

#define AR_BLOCK ((size_t)128 * 1024)

struct ld_ar {
	struct archive *a;
	ld_stream *in;
	lading_ctx *ctx;
	char *block;
	uint64_t consumed;
	int in_err;      /* an error from the underlying stream (its detail is already on ctx) */
	char label[256];
};

static la_ssize_t ar_read_cb(struct archive *a, void *opaque, const void **buf)
{
	ld_ar *ar = opaque;
	ssize_t r;
	(void)a;
	r = ld_stream_read(ar->in, ar->block, AR_BLOCK);
	if (r < 0) {
		ar->in_err = (int)r;
		archive_set_error(a, EIO, "input stream failed");
		return -1;
	}
	ar->consumed += (uint64_t)r;
	*buf = ar->block;
	return r;
}

static int ar_fail(ld_ar *ar, const char *what)
{
	if (ar->in_err)
		return ar->in_err; /* the stream's own message is more precise */
	return ld_error_set(ar->ctx, LADING_EINVALID, "%s: %s: %s", ar->label, what,
			    archive_error_string(ar->a) ? archive_error_string(ar->a) : "archive error");
}

int ld_ar_open(ld_ar **out, ld_stream *in, int formats, lading_ctx *ctx, const char *label)
{
	ld_ar *ar;
	*out = NULL;
	ar = calloc(1, sizeof(*ar));
	if (!ar || !(ar->block = malloc(AR_BLOCK)) || !(ar->a = archive_read_new())) {
		if (ar)
			free(ar->block);
		free(ar);
		ld_stream_close(in);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	ar->in = in;
	ar->ctx = ctx;
	ld_strlcpy(ar->label, label ? label : "archive", sizeof(ar->label));
	if (formats & LD_AR_FMT_TAR)
		archive_read_support_format_tar(ar->a);
	if (formats & LD_AR_FMT_ZIP)
		archive_read_support_format_zip(ar->a);
	/* no compression filters: streams come decoded by ld_stream_decompress, under its limits
	 * (libarchive's own bzip2/xz filters would decode without any) */
	archive_read_support_filter_none(ar->a);
	if (archive_read_open(ar->a, ar, NULL, ar_read_cb, NULL) != ARCHIVE_OK) {
		int rc = ar_fail(ar, "cannot read archive");
		ld_ar_close(ar);
		return rc;
	}
	*out = ar;
	return 0;
}

int ld_ar_open_mem(ld_ar **out, const void *p, size_t n, int formats, lading_ctx *ctx, const char *label)
{
	ld_ar *ar;
	*out = NULL;
	ar = calloc(1, sizeof(*ar));
	if (!ar || !(ar->a = archive_read_new())) {
		free(ar);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	ar->ctx = ctx;
	ld_strlcpy(ar->label, label ? label : "archive", sizeof(ar->label));
	if (formats & LD_AR_FMT_TAR)
		archive_read_support_format_tar(ar->a);
	if (formats & LD_AR_FMT_ZIP)
		archive_read_support_format_zip_seekable(ar->a);
	/* archive_read_open_memory also gives libarchive the seek callback the zip reader needs */
	if (archive_read_open_memory(ar->a, p, n) != ARCHIVE_OK) {
		int rc = ar_fail(ar, "cannot read archive");
		ld_ar_close(ar);
		return rc;
	}
	ar->consumed = n;
	*out = ar;
	return 0;
}

int ld_ar_next(ld_ar *ar, ld_ar_entry *e)
{
	struct archive_entry *ent;
	int r;
	mode_t ft;

	r = archive_read_next_header(ar->a, &ent);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r == ARCHIVE_WARN) {
		/* names that the C locale cannot represent: we read them as UTF-8 below, not a problem */
		const char *m = archive_error_string(ar->a);
		if (!m || !strstr(m, "locale"))
			ld_warn(ar->ctx, "%s: %s", ar->label, m ? m : "archive warning");
	} else if (r != ARCHIVE_OK) {
		return ar_fail(ar, "cannot read entry header");
	}
	memset(e, 0, sizeof(*e));
	{
		/* an ASCII name is its own UTF-8: skip libarchive's locale round trip (mbrtowc per
		 * character, ~5% of the CPU of reading a 300,000-entry layer) */
		const char *raw = archive_entry_pathname(ent);
		const unsigned char *q = (const unsigned char *)raw;
		while (q && *q && *q < 0x80)
			q++;
		e->path = q && !*q ? raw : archive_entry_pathname_utf8(ent);
	}
	if (!e->path)
		e->path = archive_entry_pathname(ent);
	if (!e->path)
		e->path = "";
	e->mode = (uint32_t)archive_entry_perm(ent);
	e->size = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
	e->mtime = archive_entry_mtime(ent);
	if (archive_entry_hardlink(ent)) {
		e->type = LD_AR_HARDLINK;
		e->link = archive_entry_hardlink_utf8(ent);
		if (!e->link)
			e->link = archive_entry_hardlink(ent);
		return 1;
	}
	ft = archive_entry_filetype(ent);
	switch (ft) {
	case AE_IFREG: e->type = LD_AR_REG; break;
	case AE_IFDIR: e->type = LD_AR_DIR; break;
	case AE_IFLNK:
		e->type = LD_AR_SYMLINK;
		e->link = archive_entry_symlink_utf8(ent);
		if (!e->link)
			e->link = archive_entry_symlink(ent);
		if (!e->link)
			e->link = "";
		break;
	default: e->type = LD_AR_OTHER; break;
	}
	return 1;
}

ssize_t ld_ar_read(ld_ar *ar, void *buf, size_t n)
{
	la_ssize_t r = archive_read_data(ar->a, buf, n);
	if (r < 0) {
		if (r == ARCHIVE_WARN)
			return 0;
		return ar_fail(ar, "cannot read entry data");
	}
	return (ssize_t)r;
}

int ld_ar_read_all(ld_ar *ar, ld_buf *out, size_t max)
{
	size_t start = out->len;
	for (;;) {
		ssize_t r;
		if (ld_buf_grow(out, 64 * 1024))
			return ld_error_set(ar->ctx, out->err, "%s: out of memory", ar->label);
		r = ld_ar_read(ar, out->ptr + out->len, out->cap - out->len - 1);
		if (r < 0)
			return (int)r;
		if (r == 0)
			return 0;
		out->len += (size_t)r;
		out->ptr[out->len] = '\0';
		if (out->len - start > max)
			return ld_error_set(ar->ctx, LADING_ELIMIT, "%s: entry larger than the limit of %zu bytes",
					    ar->label, max);
	}
}

int ld_ar_drain(ld_ar *ar)
{
	if (ar->in_err)
		return ar->in_err;
	return ar->in ? ld_stream_drain(ar->in) : 0;
}

void ld_ar_close(ld_ar *ar)
{
	if (!ar)
		return;
	if (ar->a)
		archive_read_free(ar->a);
	ld_stream_close(ar->in);
	free(ar->block);
	free(ar);
}

uint64_t ld_ar_consumed(const ld_ar *ar)
{
	return ar->consumed;
}

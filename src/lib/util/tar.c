/* Tar reader for layers: 512-byte headers parsed in place from a buffer over the (decompressed)
 * stream; GNU long names ('L', 'K'), pax extended headers ('x': path, linkpath, size), old GNU
 * sparse headers (the stored bytes are returned), typeflags as libarchive reads them. */
#include "util/common.h"
#include "util/tar.h"

#define TBUF ((size_t)128 * 1024)
#define BLOCK 512

struct ld_tar {
	ld_stream *in;
	lading_ctx *ctx;
	unsigned char *buf;
	size_t pos, len;
	bool eof, done, started;
	int err;
	uint64_t consumed;
	uint64_t remaining; /* data bytes of the current entry not read yet */
	uint64_t padding;   /* then these, to the next block */
	ld_buf lname, llink, pax, ppath, plink; /* long names, pax record data and values */
	bool has_ppath, has_plink, has_psize, pax_seen;
	bool pax_archive; /* a pax header was seen: hardlinks may have bodies (libarchive's rule) */
	bool sparse, sparse_name, has_real; /* GNU sparse entry (pax GNU.sparse.* or type 'S') */
	int64_t realsize;
	bool reading_sparse, sparse_warned;
	int64_t psize;
	char hname[256 + 101], hlink[101];
	char label[256];
};

static int fail(ld_tar *t, int code, const char *what)
{
	/* stream errors carry their own message already */
	if (!t->err)
		t->err = code == LADING_EINVALID || code == LADING_ENOMEM ? ld_error_set(t->ctx, code, "%s: %s", t->label, what)
									  : code;
	return t->err;
}

/* Make at least one byte available: > 0, 0 at the end of the stream, < 0 error. */
static ssize_t fill(ld_tar *t)
{
	ssize_t r;
	if (t->pos < t->len)
		return (ssize_t)(t->len - t->pos);
	if (t->eof)
		return 0;
	r = ld_stream_read(t->in, t->buf, TBUF);
	if (r < 0)
		return t->err = (int)r; /* the stream's message (digest, decompression) stands */
	if (r == 0)
		t->eof = true;
	t->consumed += (uint64_t)r;
	t->pos = 0;
	t->len = (size_t)r;
	return r;
}

/* Copy n bytes (dst NULL: pass over them); returns the number copied (< n at the end) or < 0. */
static ssize_t take(ld_tar *t, void *dst, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t a = fill(t);
		size_t k;
		if (a <= 0)
			return a < 0 ? a : (ssize_t)got;
		k = (size_t)a < n - got ? (size_t)a : n - got;
		if (dst)
			memcpy((unsigned char *)dst + got, t->buf + t->pos, k);
		t->pos += k;
		got += k;
	}
	return (ssize_t)got;
}

static int pass(ld_tar *t, uint64_t n)
{
	while (n) {
		size_t step = n > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)n;
		ssize_t r = take(t, NULL, step);
		if (r < 0)
			return (int)r;
		if ((size_t)r < step)
			return fail(t, LADING_EINVALID, "cannot read entry header: Truncated tar archive");
		n -= step;
	}
	return 0;
}

/* A numeric field: octal (leading spaces or NULs, ends at the first other byte, as libarchive
 * reads it) or base-256 (first byte 0x80); negative or overflowing values are refused. */
bool ld_tar_num(const unsigned char *p, size_t n, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (p[0] & 0x80) {
		if (p[0] & 0x40)
			return false; /* negative */
		v = p[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v >> 55)
				return false;
			v = (v << 8) | p[i];
		}
	} else {
		while (i < n && (p[i] == ' ' || p[i] == '\0'))
			i++;
		for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
			if (v >> 60)
				return false;
			v = v * 8 + (uint64_t)(p[i] - '0');
		}
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

bool ld_tar_checksum_ok(const unsigned char *h)
{
	uint64_t us = 0;
	int64_t ss = 0, stored;
	for (size_t i = 0; i < BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];
		us += c;
		ss += (signed char)c;
	}
	return ld_tar_num(h + 148, 8, &stored) && (stored == (int64_t)us || stored == ss);
}

bool ld_tar_zero_block(const unsigned char *h)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

/* The body of an extension header, whole, into b (NUL-terminated). */
static int read_ext(ld_tar *t, ld_buf *b, int64_t size)
{
	ssize_t r;
	if (size < 0 || (uint64_t)size > LD_TAR_MAX_EXT)
		return fail(t, LADING_EINVALID, "extended header too large");
	ld_buf_clear(b);
	if (ld_buf_grow(b, (size_t)size))
		return fail(t, LADING_ENOMEM, "out of memory");
	if ((r = take(t, b->ptr, (size_t)size)) < 0)
		return (int)r;
	if ((size_t)r < (size_t)size)
		return fail(t, LADING_EINVALID, "cannot read entry header: Truncated tar archive");
	b->len = strnlen(b->ptr, (size_t)size); /* names end at their first NUL */
	b->ptr[b->len] = '\0';
	return pass(t, (BLOCK - ((uint64_t)size & (BLOCK - 1))) & (BLOCK - 1));
}

/* pax records "LEN key=value\n": path, linkpath and size; a malformed record ends the parse. */
static void parse_pax(ld_tar *t, const char *p, size_t n)
{
	while (n) {
		size_t len = 0, i = 0, eq;
		while (i < n && p[i] >= '0' && p[i] <= '9' && len < n)
			len = len * 10 + (size_t)(p[i++] - '0');
		if (!i || i >= n || p[i] != ' ' || len > n || len < i + 3 || p[len - 1] != '\n')
			return;
		for (eq = i + 1; eq < len - 1 && p[eq] != '='; eq++)
			;
		if (eq < len - 1) {
			ld_slice key = ld_slice_make(p + i + 1, eq - i - 1);
			ld_slice val = ld_slice_make(p + eq + 1, len - 1 - eq - 1);
			if (ld_slice_starts_with(key, "GNU.sparse."))
				t->sparse = true;
			if (ld_slice_eq_cstr(key, "GNU.sparse.name") || (ld_slice_eq_cstr(key, "path") && !t->sparse_name)) {
				t->sparse_name |= ld_slice_eq_cstr(key, "GNU.sparse.name");
				ld_buf_clear(&t->ppath);
				ld_buf_addslice(&t->ppath, val);
				t->has_ppath = !ld_buf_error(&t->ppath);
			} else if (ld_slice_eq_cstr(key, "linkpath")) {
				ld_buf_clear(&t->plink);
				ld_buf_addslice(&t->plink, val);
				t->has_plink = !ld_buf_error(&t->plink);
			} else if (ld_slice_eq_cstr(key, "size") || ld_slice_eq_cstr(key, "GNU.sparse.realsize") ||
				   ld_slice_eq_cstr(key, "GNU.sparse.size")) {
				bool real = key.len > 4;
				uint64_t v = 0;
				bool ok = val.len > 0 && val.len < 20;
				for (size_t k = 0; ok && k < val.len; k++) {
					ok = val.ptr[k] >= '0' && val.ptr[k] <= '9';
					v = v * 10 + (uint64_t)(val.ptr[k] - '0');
				}
				if (ok && real) {
					t->realsize = (int64_t)v;
					t->has_real = true;
				} else if (ok) {
					t->psize = (int64_t)v;
					t->has_psize = true;
				}
			}
		}
		p += len;
		n -= len;
	}
}

int ld_tar_open(ld_tar **out, ld_stream *in, lading_ctx *ctx, const char *label)
{
	ld_tar *t = calloc(1, sizeof(*t));
	*out = NULL;
	if (!t || !(t->buf = malloc(TBUF))) {
		free(t);
		ld_stream_close(in);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	t->in = in;
	t->ctx = ctx;
	ld_strlcpy(t->label, label ? label : "tar", sizeof(t->label));
	ld_buf_init(&t->lname, LD_TAR_MAX_EXT);
	ld_buf_init(&t->llink, LD_TAR_MAX_EXT);
	ld_buf_init(&t->pax, LD_TAR_MAX_EXT);
	ld_buf_init(&t->ppath, LD_TAR_MAX_EXT);
	ld_buf_init(&t->plink, LD_TAR_MAX_EXT);
	*out = t;
	return 0;
}

/* Old GNU sparse headers may be followed by extension blocks of the sparse map. */
static int skip_sparse_ext(ld_tar *t, const unsigned char *h)
{
	unsigned char blk[BLOCK];
	bool more = h[482] != 0;
	while (more) {
		ssize_t r = take(t, blk, BLOCK);
		if (r < 0)
			return (int)r;
		if (r < BLOCK)
			return fail(t, LADING_EINVALID, "cannot read entry header: Truncated tar archive");
		more = blk[504] != 0;
	}
	return 0;
}

/* Fill e from a header of a real entry (not an extension). */
static int make_entry(ld_tar *t, const unsigned char *h, int64_t size, ld_ar_entry *e)
{
	char tf = (char)h[156];
	int64_t mode = 0, mtime = 0;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (t->has_ppath) {
		e->path = ld_buf_cstr(&t->ppath);
	} else if (t->lname.len) {
		e->path = ld_buf_cstr(&t->lname);
	} else {
		/* POSIX ustar joins prefix and name; GNU's "ustar  " uses those bytes otherwise */
		size_t pl = !memcmp(h + 257, "ustar\0", 6) ? strnlen((const char *)h + 345, 155) : 0, o = 0;
		if (pl) {
			memcpy(t->hname, h + 345, pl);
			t->hname[pl] = '/';
			o = pl + 1;
		}
		n = strnlen((const char *)h, 100);
		memcpy(t->hname + o, h, n);
		t->hname[o + n] = '\0';
		e->path = t->hname;
	}
	if (t->has_plink) {
		e->link = ld_buf_cstr(&t->plink);
	} else if (t->llink.len) {
		e->link = ld_buf_cstr(&t->llink);
	} else {
		n = strnlen((const char *)h + 157, 100);
		memcpy(t->hlink, h + 157, n);
		t->hlink[n] = '\0';
		e->link = t->hlink;
	}
	(void)ld_tar_num(h + 100, 8, &mode);
	(void)ld_tar_num(h + 136, 12, &mtime);
	e->mode = (uint32_t)mode & 07777;
	e->mtime = mtime;
	e->size = size;
	t->remaining = (uint64_t)size;
	switch (tf) {
	case '1':
		/* a hardlink's size is ignored except in pax interchange archives (libarchive's rule) */
		e->type = LD_AR_HARDLINK;
		if (!t->pax_archive || memcmp(h + 257, "ustar\0", 6))
			e->size = 0;
		t->remaining = (uint64_t)e->size;
		break;
	case '2': e->type = LD_AR_SYMLINK; e->size = 0; t->remaining = 0; break;
	case '3': case '4': case '6': e->type = LD_AR_OTHER; e->size = 0; t->remaining = 0; break;
	case '5': case 'D': e->type = LD_AR_DIR; break;
	default: e->type = LD_AR_REG; break; /* '0', '\0', '7', 'S' and unknown ones, as libarchive */
	}
	if (e->type != LD_AR_SYMLINK && e->type != LD_AR_HARDLINK)
		e->link = NULL;
	n = strlen(e->path);
	if (e->type == LD_AR_REG && n && e->path[n - 1] == '/') {
		e->type = LD_AR_DIR; /* "regular" entries with a trailing '/' are directories */
		t->remaining = 0;
	}
	t->padding = (BLOCK - (t->remaining & (BLOCK - 1))) & (BLOCK - 1);
	if (tf == 'S') {
		t->sparse = true;
		t->has_real = ld_tar_num(h + 483, 12, &t->realsize);
	}
	/* sparse files: their full size is reported; their data (a map, then the stored pieces)
	 * is passed over, not read: they read as empty (ld_tar_read warns) */
	t->reading_sparse = t->sparse && e->type == LD_AR_REG;
	if (t->reading_sparse && t->has_real)
		e->size = t->realsize;
	return tf == 'S' ? skip_sparse_ext(t, h) : 0;
}

int ld_tar_next(ld_tar *t, ld_ar_entry *e)
{
	unsigned char h[BLOCK];
	int rc;

	if (t->err)
		return t->err;
	if (t->done)
		return 0;
	if ((rc = pass(t, t->remaining + t->padding)))
		return rc;
	t->remaining = t->padding = 0;
	ld_buf_clear(&t->lname);
	ld_buf_clear(&t->llink);
	t->has_ppath = t->has_plink = t->has_psize = t->pax_seen = false;
	t->sparse = t->sparse_name = t->has_real = t->reading_sparse = t->sparse_warned = false;
	for (;;) {
		ssize_t r = take(t, h, BLOCK);
		int64_t size;
		if (r < 0)
			return (int)r;
		/* what is not a tar from its first header on is refused as libarchive's bid does */
		bool first = !t->started;
		t->started = true;
		if (r < BLOCK && first)
			return fail(t, LADING_EINVALID, "cannot read archive: Unrecognized archive format");
		if (r == 0 && !t->lname.len && !t->llink.len && !t->pax_seen) {
			t->done = true; /* the stream ends at a header boundary */
			return 0;
		}
		if (r < BLOCK)
			return fail(t, LADING_EINVALID, "cannot read entry header: Truncated tar archive");
		if (ld_tar_zero_block(h)) {
			t->done = true;
			return 0;
		}
		if (!ld_tar_checksum_ok(h))
			return fail(t, LADING_EINVALID, first ? "cannot read archive: Unrecognized archive format"
							      : "cannot read entry header: Damaged tar archive");
		if (!ld_tar_num(h + 124, 12, &size) || size > LD_TAR_MAX_SIZE)
			return fail(t, LADING_EINVALID, "cannot read entry header: bad entry size");
		switch (h[156]) {
		case 'L':
			if ((rc = read_ext(t, &t->lname, size)))
				return rc;
			continue;
		case 'K':
			if ((rc = read_ext(t, &t->llink, size)))
				return rc;
			continue;
		case 'x':
			if ((rc = read_ext(t, &t->pax, size)))
				return rc;
			/* records may hold NULs in values: parse the bytes read, not the string */
			parse_pax(t, t->pax.ptr, (size_t)size);
			t->pax_seen = t->pax_archive = true;
			continue;
		case 'g': case 'V': case 'M': case 'N':
			if ((rc = pass(t, (uint64_t)size + ((BLOCK - ((uint64_t)size & (BLOCK - 1))) & (BLOCK - 1)))))
				return rc;
			continue;
		default: break;
		}
		if (t->has_psize) {
			if (t->psize > LD_TAR_MAX_SIZE)
				return fail(t, LADING_EINVALID, "cannot read entry header: bad entry size");
			size = t->psize;
		}
		if ((rc = make_entry(t, h, size, e)))
			return rc;
		return 1;
	}
}

ssize_t ld_tar_read(ld_tar *t, void *buf, size_t n)
{
	ssize_t r;
	if (t->err)
		return t->err;
	if (!t->remaining || !n)
		return 0;
	if (t->reading_sparse) {
		if (!t->sparse_warned)
			ld_warn(t->ctx, "%s: a sparse file was read as empty (sparse tar entries are not supported)",
				t->label);
		t->sparse_warned = true;
		return 0;
	}
	if (n > t->remaining)
		n = (size_t)t->remaining;
	if ((r = take(t, buf, n)) < 0)
		return r;
	if ((size_t)r < n)
		return fail(t, LADING_EINVALID, "cannot read entry data: Truncated tar archive");
	t->remaining -= (uint64_t)r;
	return r;
}

int ld_tar_drain(ld_tar *t)
{
	if (t->err)
		return t->err;
	t->pos = t->len;
	return t->eof ? 0 : ld_stream_drain(t->in);
}

void ld_tar_close(ld_tar *t)
{
	if (!t)
		return;
	ld_stream_close(t->in);
	ld_buf_release(&t->lname);
	ld_buf_release(&t->llink);
	ld_buf_release(&t->pax);
	ld_buf_release(&t->ppath);
	ld_buf_release(&t->plink);
	free(t->buf);
	free(t);
}

uint64_t ld_tar_consumed(const ld_tar *t)
{
	return t->consumed;
}

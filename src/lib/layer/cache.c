/* Layer cache: one file per (layer digest, what was asked of the layer).
 *
 * Key: sha256 of the layer's digest (the blob digest as stored; for docker's legacy layers,
 * which have none, the diff_id their content was checked against) and ld_wants_fingerprint
 * (wanted paths and globs with their size caps, analyzers with their versions, the catalogers'
 * name@version, the reader's version). A blob digest identifies content only once the content
 * was checked, and it always was when an entry was written.
 *
 * File: a header (magic, format, payload length, payload sha256, key) then the payload of
 * LEB128 numbers and length-prefixed strings: the layer's counters, its warnings, then each
 * entry (path front-coded against the previous one, type, flags, mode, size, link target,
 * captured bytes followed by a NUL, analyzer results). A file whose checksum or key does not
 * match is ignored (and removed). Captured bytes are not copied on load: they point into the
 * file's image in the layer's arena.
 *
 * Trust: a registry layer is trusted by digest (that is what the cache is for: the blob is not
 * downloaded again). A local layer is trusted only while its file is unchanged since its content
 * was last checked: a stamp named by the digest and the file's path, device, inode, size, mtime
 * and ctime records that check; without a matching stamp the blob is hashed again first (no
 * decompression, no tar walk), so a tampered image is still rejected. */
#include <time.h>

#include "util/common.h"
#include "util/cachedir.h"
#include "util/varint.h"
#include "layer/cache.h"

#define STAMPS_MAX_BYTES ((uint64_t)64 << 20) /* stamps are empty files: ~130,000 of them */

struct ld_lcache {
	char key[LD_SHA256_HEX_LEN + 1];
	char digest[LD_DIGEST_STR_LEN];
	char dir[LD_CACHE_PATH_MAX];
	uint64_t cap;
	bool active;	/* the file exists for this layer: later fetches update it */
	bool recording; /* warnings are being recorded (between lookup and finish) */
	pthread_mutex_t mu;
	ld_buf rec;
	size_t nrec;
	lading_ctx *tapped;
	void (*prev_tap)(void *, const char *);
	void *prev_opaque;
	const char **warnings; /* in the layer's arena */
	size_t nwarn;
};

enum {
	F_WANTED = 1,
	F_CAPTURED = 2,
	F_TOO_BIG = 4,
	F_FETCHED = 8,
	F_LINK = 16,
	F_DATA = 32,
	F_DATA_REF = 64,
	F_IMPLICIT = 128,
	F_DROPPED = 256
};

/* Entries kept whole, then plain files captured by fetches (ld_layer.extra). */
static size_t entry_count(const ld_layer *l)
{
	return l->files.len + l->extra.len;
}

static const ld_lfile *entry_at(const ld_layer *l, size_t i)
{
	return i < l->files.len ? ld_layer_file(l, i) : *(ld_lfile *const *)ld_vec_at(&l->extra, i - l->files.len);
}

/* ---- writer ---- */

typedef struct wr {
	int fd;
	ld_sha256 h;
	unsigned char buf[1 << 16];
	size_t n;
	uint64_t off; /* file offset of buf[0] */
	int err;
} wr;

static void wr_flush(wr *w)
{
	size_t done = 0;
	while (!w->err && done < w->n) {
		ssize_t r = pwrite(w->fd, w->buf + done, w->n - done, (off_t)(w->off + done));
		if (r <= 0)
			w->err = LADING_EIO;
		else
			done += (size_t)r;
	}
	w->off += w->n;
	w->n = 0;
}

static void wr_bytes(wr *w, const void *p, size_t n)
{
	const unsigned char *q = p;
	if (w->err || !n)
		return;
	ld_sha256_update(&w->h, p, n);
	if (n > sizeof(w->buf) / 2) {
		/* big captured files go straight to the file */
		size_t done = 0;
		wr_flush(w);
		while (!w->err && done < n) {
			ssize_t r = pwrite(w->fd, q + done, n - done, (off_t)(w->off + done));
			if (r <= 0)
				w->err = LADING_EIO;
			else
				done += (size_t)r;
		}
		w->off += n;
		return;
	}
	if (w->n + n > sizeof(w->buf))
		wr_flush(w);
	memcpy(w->buf + w->n, q, n);
	w->n += n;
}

static void wr_v(wr *w, uint64_t v)
{
	unsigned char b[LD_UVARINT_MAX];
	wr_bytes(w, b, ld_uvarint_put(b, v));
}

static void wr_s(wr *w, const void *p, size_t n)
{
	wr_v(w, n);
	wr_bytes(w, p, n);
}

int ld_layer_cache_write(int fd, const ld_layer *l, const char *digest, const char *key,
			 const char *const *warnings, size_t nwarn)
{
	wr *w = calloc(1, sizeof(*w));
	ld_map shared; /* data pointer -> index + 1 of the first file holding it (hardlinks) */
	unsigned char head[LD_LCACHE_HEADER];
	char sum[LD_DIGEST_STR_LEN];
	const char *prev = "";
	size_t prevlen = 0;
	int rc;

	if (!w)
		return LADING_ENOMEM;
	if (ld_sha256_init(&w->h)) {
		free(w);
		return LADING_ENOMEM;
	}
	ld_map_init(&shared);
	w->fd = fd;
	w->off = LD_LCACHE_HEADER;
	wr_s(w, digest, strlen(digest));
	wr_v(w, (uint64_t)l->comp);
	wr_v(w, l->bytes_in);
	wr_v(w, l->captured_bytes);
	wr_v(w, l->analyzed_files);
	wr_v(w, l->analyzed_bytes);
	wr_v(w, l->analyze_skipped);
	wr_s(w, l->blob_digest, strlen(l->blob_digest));
	wr_v(w, nwarn);
	for (size_t i = 0; i < nwarn; i++)
		wr_s(w, warnings[i], strlen(warnings[i]));
	wr_v(w, entry_count(l));
	for (size_t i = 0; i < entry_count(l); i++) {
		const ld_lfile *f = entry_at(l, i);
		size_t common = 0, nres = 0;
		unsigned flags = 0;
		uintptr_t ref = 0;
		/* a file captured and later fetched-and-dropped keeps its bytes as "fetched" */
		bool stashed = !f->captured && f->data;

		while (common < prevlen && common < f->path_len && prev[common] == f->path[common])
			common++;
		wr_v(w, common);
		wr_s(w, f->path + common, f->path_len - common);
		prev = f->path;
		prevlen = f->path_len;
		flags |= f->wanted ? F_WANTED : 0;
		flags |= f->captured ? F_CAPTURED : 0;
		flags |= f->too_big ? F_TOO_BIG : 0;
		flags |= (f->fetched || stashed) ? F_FETCHED : 0;
		flags |= f->link ? F_LINK : 0;
		flags |= f->implicit ? F_IMPLICIT : 0;
		flags |= f->dropped ? F_DROPPED : 0;
		if (f->data) {
			flags |= F_DATA;
			ref = (uintptr_t)ld_map_get(&shared,
						    ld_slice_make(&f->data, sizeof(f->data)));
			if (ref)
				flags |= F_DATA_REF;
			else if (ld_map_put(&shared, ld_slice_make(&f->data, sizeof(f->data)),
					    (void *)(uintptr_t)(i + 1), NULL))
				w->err = LADING_ENOMEM;
		}
		wr_v(w, f->type);
		wr_v(w, flags);
		wr_v(w, f->mode);
		wr_v(w, f->size);
		if (f->link)
			wr_s(w, f->link, strlen(f->link));
		if (flags & F_DATA_REF) {
			wr_v(w, ref - 1);
		} else if (flags & F_DATA) {
			wr_s(w, f->data, f->data_len);
			wr_bytes(w, "",
				 1); /* captured data is NUL-terminated in memory; keep it so */
		}
		for (const ld_lresult *r = f->results; r; r = r->next)
			nres++;
		wr_v(w, nres);
		for (const ld_lresult *r = f->results; r; r = r->next) {
			wr_v(w, (uint64_t)r->analyzer);
			wr_s(w, r->data.ptr, r->data.len);
		}
	}
	/* plain files: their count and front-coded paths, as the reader kept them */
	wr_v(w, l->plain.fc_count);
	wr_s(w, l->plain.fc_view.ptr, l->plain.fc_view.len);
	wr_flush(w);
	ld_sha256_final(&w->h, sum);
	memset(head, 0, sizeof(head));
	memcpy(head, LD_LCACHE_MAGIC, 8);
	head[8] = (unsigned char)LD_LCACHE_FORMAT;
	ld_le64_put(head + 16, w->off - LD_LCACHE_HEADER);
	memcpy(head + 24, sum + 7, LD_SHA256_HEX_LEN);
	memcpy(head + 24 + LD_SHA256_HEX_LEN, key, LD_SHA256_HEX_LEN);
	if (!w->err && pwrite(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head))
		w->err = LADING_EIO;
	rc = w->err;
	ld_map_release(&shared);
	free(w);
	return rc;
}

/* ---- reader ---- */

typedef struct rd {
	const unsigned char *p, *end;
	bool bad;
} rd;

static uint64_t rd_v(rd *r)
{
	uint64_t v;
	if (!ld_uvarint_get(&r->p, r->end, &v)) {
		r->bad = true;
		return 0;
	}
	return v;
}

static const unsigned char *rd_bytes(rd *r, uint64_t n)
{
	const unsigned char *q = r->p;
	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return q;
}

/* A length-prefixed string of at most `max` bytes. */
static ld_slice rd_s(rd *r, uint64_t max)
{
	uint64_t n = rd_v(r);
	const unsigned char *q;
	if (n > max) {
		r->bad = true;
		return LD_SLICE_NULL;
	}
	q = rd_bytes(r, n);
	return q ? ld_slice_make(q, (size_t)n) : LD_SLICE_NULL;
}

static int corrupt(lading_ctx *ctx, const char *why)
{
	return ld_error_set(ctx, LADING_EINVALID, "layer cache file: %s", why);
}

/* The plain files' section: hashes for the view, and the coded paths kept as they are for the
 * next write of this layer's file. */
static int parse_plain(ld_layer *l, rd *r, lading_ctx *ctx)
{
	char path[LD_PATH_MAX];
	size_t pathlen = 0;
	uint64_t count = rd_v(r);
	ld_slice fc = rd_s(r, (uint64_t)(r->end - r->p));
	rd pr = {(const unsigned char *)fc.ptr, (const unsigned char *)fc.ptr + fc.len, false};

	if (r->bad || count > LD_LAYER_MAX_ENTRIES || count > fc.len / 2)
		return corrupt(ctx, "bad plain-file count"); /* a coded path takes at least 2 bytes */
	l->plain.keep_paths = false; /* the coded paths are in the file already */
	for (uint64_t i = 0; i < count; i++) {
		uint64_t common = rd_v(&pr);
		ld_slice suffix = rd_s(&pr, LD_PATH_MAX);
		size_t dummy = 0;
		if (pr.bad || common > pathlen || common + suffix.len >= LD_PATH_MAX || !(common + suffix.len))
			return corrupt(ctx, "bad plain path");
		memcpy(path + common, suffix.ptr, suffix.len);
		pathlen = (size_t)common + suffix.len;
		if (memchr(path, '\0', pathlen))
			return corrupt(ctx, "bad plain path");
		if (ld_layer_add_plain(l, ld_slice_make(path, pathlen), path, &dummy))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	if (pr.p != pr.end)
		return corrupt(ctx, "bad plain paths");
	l->plain.fc_view = fc;
	l->plain.fc_count = (size_t)count;
	ld_layer_plain_sort(l);
	return 0;
}

/* The header: magic, format, reserved bytes, payload length, key and the payload's checksum. */
static int check_header(const unsigned char *p, size_t len, const char *key, lading_ctx *ctx)
{
	char sum[LD_DIGEST_STR_LEN];
	uint64_t plen;

	if (len < LD_LCACHE_HEADER || memcmp(p, LD_LCACHE_MAGIC, 8))
		return corrupt(ctx, "no header");
	if (p[8] != LD_LCACHE_FORMAT)
		return corrupt(ctx, "other format version");
	for (size_t i = 9; i < LD_LCACHE_HEADER; i++)
		if ((i < 16 || i >= 24 + 2 * LD_SHA256_HEX_LEN) && p[i])
			return corrupt(ctx, "reserved header bytes set"); /* damage, or a newer writer */
	plen = ld_le64_get(p + 16);
	if (plen != len - LD_LCACHE_HEADER || plen > LD_LCACHE_MAX_FILE)
		return corrupt(ctx, "truncated or too long");
	if (key && memcmp(p + 24 + LD_SHA256_HEX_LEN, key, LD_SHA256_HEX_LEN))
		return corrupt(ctx, "written for another key");
	ld_sha256_buf(p + LD_LCACHE_HEADER, (size_t)plen, sum);
	if (memcmp(sum + 7, p + 24, LD_SHA256_HEX_LEN))
		return corrupt(ctx, "checksum mismatch");
	return 0;
}

/* The layer's counters: its digest (not needed: it is the key), compression, bytes and files,
 * the blob digest. */
static int parse_counters(ld_layer *l, rd *r, lading_ctx *ctx)
{
	uint64_t comp;
	ld_slice bd;

	(void)rd_s(r, LD_DIGEST_STR_LEN);
	comp = rd_v(r);
	if (comp > LD_COMP_XZ)
		return corrupt(ctx, "unknown compression");
	l->comp = (ld_comp)comp;
	l->bytes_in = rd_v(r);
	l->captured_bytes = rd_v(r);
	l->analyzed_files = rd_v(r);
	l->analyzed_bytes = rd_v(r);
	l->analyze_skipped = rd_v(r);
	bd = rd_s(r, LD_DIGEST_STR_LEN - 1);
	ld_slice_copy(l->blob_digest, sizeof(l->blob_digest), bd);
	return 0;
}

/* The warnings the layer's walk gave, to be given again. */
static int parse_warnings(ld_layer *l, rd *r, const char ***out, uint64_t *nw, lading_ctx *ctx)
{
	const char **warn = NULL;

	*nw = rd_v(r);
	if (r->bad || *nw > LD_LCACHE_MAX_WARNINGS)
		return corrupt(ctx, "bad warnings");
	if (*nw && !(warn = ld_arena_array(&l->arena, (size_t)*nw, sizeof(char *))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (uint64_t i = 0; i < *nw; i++) {
		ld_slice s = rd_s(r, LD_LCACHE_MAX_WARNING_LEN);
		if (r->bad || !(warn[i] = ld_arena_slice(&l->arena, s)))
			return r->bad ? corrupt(ctx, "bad warning") : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	*out = warn;
	return 0;
}

/* An entry's path, front-coded against the previous entry's in path[0..*pathlen). */
static int parse_path(rd *r, char path[LD_PATH_MAX], size_t *pathlen, lading_ctx *ctx)
{
	uint64_t common = rd_v(r);
	ld_slice suffix = rd_s(r, LD_PATH_MAX);

	if (r->bad || common > *pathlen || common + suffix.len >= LD_PATH_MAX)
		return corrupt(ctx, "bad path");
	memcpy(path + common, suffix.ptr, suffix.len);
	*pathlen = (size_t)common + suffix.len;
	path[*pathlen] = '\0';
	if (!*pathlen || memchr(path, '\0', *pathlen))
		return corrupt(ctx, "bad path");
	return 0;
}

/* Entry i's link target and captured bytes: its own, or those of an earlier entry. */
static int parse_entry_data(ld_layer *l, rd *r, ld_lfile *f, uint64_t flags, uint64_t i, lading_ctx *ctx)
{
	if (flags & F_LINK) {
		ld_slice lk = rd_s(r, LD_PATH_MAX);
		if (r->bad || memchr(lk.ptr, '\0', lk.len))
			return corrupt(ctx, "bad link");
		if (!(f->link = ld_arena_slice(&l->arena, lk)))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	if (flags & F_DATA_REF) {
		uint64_t ref = rd_v(r);
		const ld_lfile *t;
		if (r->bad || !(flags & F_DATA) || ref >= i)
			return corrupt(ctx, "bad shared data");
		t = ld_layer_file(l, (size_t)ref);
		if (!t->data)
			return corrupt(ctx, "bad shared data");
		f->data = t->data;
		f->data_len = t->data_len;
	} else if (flags & F_DATA) {
		uint64_t n = rd_v(r);
		const unsigned char *d = rd_bytes(r, n);
		const unsigned char *nul = rd_bytes(r, 1);
		if (r->bad || !d || !nul || *nul)
			return corrupt(ctx, "bad data");
		f->data = d;
		f->data_len = (size_t)n;
	}
	return 0;
}

/* An entry's analyzer results, in the order written. */
static int parse_results(ld_layer *l, rd *r, ld_lfile *f, size_t nanalyzers, lading_ctx *ctx)
{
	uint64_t nres = rd_v(r);
	ld_lresult **tail = &f->results;

	if (r->bad || nres > LD_MAX_ANALYZERS)
		return corrupt(ctx, "bad results");
	for (uint64_t k = 0; k < nres; k++) {
		uint64_t an = rd_v(r);
		ld_slice d = rd_s(r, (uint64_t)(r->end - r->p));
		ld_lresult *lr;
		if (r->bad || an >= nanalyzers)
			return corrupt(ctx, "bad analyzer result");
		if (!(lr = ld_arena_alloc(&l->arena, sizeof(*lr))))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		lr->analyzer = (int)an;
		lr->data = d;
		*tail = lr;
		tail = &lr->next;
	}
	return 0;
}

/* Entry i: path, type, flags, mode, size, then its data and results. */
static int parse_entry(ld_layer *l, rd *r, uint64_t i, char path[LD_PATH_MAX], size_t *pathlen, size_t nanalyzers,
		       lading_ctx *ctx)
{
	uint64_t type, flags, mode, size;
	ld_lfile *f;
	int rc;

	if ((rc = parse_path(r, path, pathlen, ctx)))
		return rc;
	type = rd_v(r);
	flags = rd_v(r);
	mode = rd_v(r);
	size = rd_v(r);
	if (r->bad || type > LD_LF_OPAQUE || flags > 511 || mode > UINT32_MAX ||
	    ((flags & F_IMPLICIT) && type != LD_LF_DIR))
		return corrupt(ctx, "bad entry");
	if (!(f = ld_vec_push(&l->files)))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	memset(f, 0, sizeof(*f));
	if (!(f->path = ld_arena_strndup(&l->arena, path, *pathlen)))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	f->path_len = (uint32_t)*pathlen;
	f->type = (uint8_t)type;
	f->mode = (uint32_t)mode;
	f->size = size;
	f->wanted = (flags & F_WANTED) != 0;
	f->captured = (flags & F_CAPTURED) != 0;
	f->too_big = (flags & F_TOO_BIG) != 0;
	f->fetched = (flags & F_FETCHED) != 0;
	f->implicit = (flags & F_IMPLICIT) != 0;
	f->dropped = (flags & F_DROPPED) != 0;
	if (f->dropped && (f->captured || type != LD_LF_REG))
		return corrupt(ctx, "bad entry");
	if ((rc = parse_entry_data(l, r, f, flags, i, ctx)))
		return rc;
	if (f->captured && !f->data)
		return corrupt(ctx, "captured file without data");
	if (f->fetched && f->captured) {
		/* captured by a fetch of an earlier run: kept aside until a fetch asks for it */
		f->captured = false;
		f->wanted = false;
	}
	return parse_results(l, r, f, nanalyzers, ctx);
}

int ld_layer_cache_parse(ld_layer *l, const unsigned char *p, size_t len, const char *key,
			 size_t nanalyzers, const char ***warnings, size_t *nwarn, lading_ctx *ctx)
{
	rd r;
	uint64_t nfiles, nw;
	char path[LD_PATH_MAX];
	size_t pathlen = 0;
	const char **warn = NULL;
	int rc;

	*warnings = NULL;
	*nwarn = 0;
	if ((rc = check_header(p, len, key, ctx)))
		return rc;
	r.p = p + LD_LCACHE_HEADER;
	r.end = p + len;
	r.bad = false;
	if ((rc = parse_counters(l, &r, ctx)) || (rc = parse_warnings(l, &r, &warn, &nw, ctx)))
		return rc;
	nfiles = rd_v(&r);
	if (r.bad || nfiles > LD_LAYER_MAX_ENTRIES || nfiles > (uint64_t)(r.end - r.p) / 6)
		return corrupt(ctx, "bad entry count"); /* an entry takes at least 6 bytes */
	for (uint64_t i = 0; i < nfiles; i++)
		if ((rc = parse_entry(l, &r, i, path, &pathlen, nanalyzers, ctx)))
			return rc;
	if ((rc = parse_plain(l, &r, ctx)))
		return rc;
	if (r.bad || r.p != r.end)
		return corrupt(ctx, "trailing bytes");
	*warnings = warn;
	*nwarn = (size_t)nw;
	return 0;
}

/* ---- keys, stamps ---- */

static const char *key_digest(const lading_image *img, size_t i)
{
	if (img->lsrc[i].blob_digest[0])
		return img->lsrc[i].blob_digest;
	if (img->lsrc[i].verify_diff_id && img->lsrc[i].diff_id[0])
		return img->lsrc[i].diff_id;
	return NULL; /* nothing names the content before reading it (rootfs-tar, dir) */
}

/* The stamp that says "this file held this digest when last checked", or false when the
 * source has no file to stamp (registries need none). */
static bool stamp_path(const lading_image *img, size_t i, const char *digest, char *out, size_t n)
{
	char file[LD_PATH_MAX + 128], text[LD_PATH_MAX + 512], h[LD_DIGEST_STR_LEN];
	struct stat st;
	switch (img->kind) {
	case LD_SRC_OCI_DIR:
		if (!img->lsrc[i].blob_digest[0])
			return false;
		ld_snprintf(file, sizeof(file), "%s/blobs/sha256/%s", img->info.source_path,
			    img->lsrc[i].blob_digest + 7);
		break;
	case LD_SRC_OCI_ARCHIVE:
	case LD_SRC_DOCKER_ARCHIVE:
		ld_snprintf(file, sizeof(file), "%s", img->info.source_path);
		break;
	default: return false;
	}
	if (stat(file, &st) != 0)
		return false;
	ld_snprintf(text, sizeof(text), "%s\n%s\n%ju:%ju:%jd:%jd.%09ld:%jd.%09ld", digest, file,
		    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
		    (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t)st.st_ctim.tv_sec,
		    st.st_ctim.tv_nsec);
	ld_sha256_buf(text, strlen(text), h);
	ld_snprintf(out, n, "%s/stamps/%s", img->cache_root, h + 7);
	return true;
}

static void stamp_write(const lading_image *img, size_t i, const char *digest)
{
	char path[LD_CACHE_PATH_MAX + 128], dir[LD_CACHE_PATH_MAX + 16];
	int fd;
	if (!stamp_path(img, i, digest, path, sizeof(path)))
		return;
	ld_snprintf(dir, sizeof(dir), "%s/stamps", img->cache_root);
	if (ld_cachedir_make(dir))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		ld_cachedir_touch(path);
		ld_cachedir_evict(dir, STAMPS_MAX_BYTES);
	}
}

/* Hash the layer's stored bytes (or, for legacy docker layers, its uncompressed bytes) against
 * its digest, without walking the tar. */
static int verify_local(lading_image *img, size_t i, lading_ctx *ctx)
{
	ld_stream *s;
	int rc;
	if ((rc = img->ops->open_layer(img, i, &s, ctx)))
		return rc;
	if (img->lsrc[i].verify_diff_id) {
		char label[160];
		ld_snprintf(label, sizeof(label), "layer %zu %s", i + 1, img->lsrc[i].diff_id);
		if ((rc = ld_stream_decompress(&s, s, NULL, label, NULL)) ||
		    (rc = ld_stream_verify(&s, s, img->lsrc[i].diff_id, -1, label)))
			return rc;
	}
	rc = ld_stream_drain(s);
	ld_stream_close(s);
	return rc;
}

/* ---- hooks ---- */

static void tap(void *opaque, const char *msg)
{
	struct ld_lcache *st = opaque;
	pthread_mutex_lock(&st->mu);
	if (st->nrec < LD_LCACHE_MAX_WARNINGS) {
		ld_buf_add(&st->rec, msg, strnlen(msg, LD_LCACHE_MAX_WARNING_LEN));
		ld_buf_addc(&st->rec, '\0');
		st->nrec++;
	}
	pthread_mutex_unlock(&st->mu);
	if (st->prev_tap)
		st->prev_tap(st->prev_opaque, msg);
}

static void store(lading_image *img, ld_layer *l)
{
	struct ld_lcache *st = l->cache;
	char tmp[LD_CACHE_PATH_MAX + 128], path[LD_CACHE_PATH_MAX + 128];
	int fd, rc;
	if ((fd = ld_cachedir_tmp(st->dir, tmp, sizeof(tmp))) < 0)
		return;
	rc = ld_layer_cache_write(fd, l, st->digest, st->key, st->warnings, st->nwarn);
	if (close(fd) != 0)
		rc = LADING_EIO;
	if (rc) {
		unlink(tmp);
		return;
	}
	ld_snprintf(path, sizeof(path), "%s/%s", st->dir, st->key);
	if (ld_cachedir_commit(tmp, path) == 0) {
		st->active = true;
		ld_cachedir_evict(st->dir, st->cap);
	}
	(void)img;
}

/* Read the entry into l; 0 on success, else l is left empty again. */
static int load(ld_layer *l, const char *path, const ld_wants *w, lading_ctx *ctx)
{
	struct ld_lcache *st = l->cache;
	struct stat sb;
	unsigned char *buf;
	const char **warn;
	size_t nwarn, got = 0;
	lading_ctx probe;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return LADING_ENOTFOUND;
	if (fstat(fd, &sb) != 0 || sb.st_size < (off_t)LD_LCACHE_HEADER ||
	    (uint64_t)sb.st_size > LD_LCACHE_MAX_FILE ||
	    !(buf = ld_arena_alloc(&l->arena, (size_t)sb.st_size))) {
		close(fd);
		return LADING_ENOTFOUND;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)sb.st_size)
		return LADING_ENOTFOUND;
	ld_ctx_init_child(&probe, ctx);
	rc = ld_layer_cache_parse(l, buf, got, st->key, ld_wants_analyzer_count(w), &warn, &nwarn,
				  &probe);
	ld_ctx_release_child(&probe);
	if (rc) {
		/* damaged (a crash, a full disk, an edit): forget it; this run writes it again */
		l->files.len = 0;
		l->plain.len = 0;
		l->plain.fc_count = 0;
		l->plain.fc_view = LD_SLICE_NULL;
		l->comp = LD_COMP_NONE;
		l->bytes_in = l->captured_bytes = l->analyzed_files = l->analyzed_bytes =
		    l->analyze_skipped = 0;
		l->blob_digest[0] = '\0';
		unlink(path);
		return rc;
	}
	st->warnings = warn;
	st->nwarn = nwarn;
	return 0;
}

int ld_layer_cache_lookup(lading_image *img, ld_layer *l, const ld_wants *w, lading_ctx *wctx)
{
	struct ld_lcache *st;
	const char *digest;
	char fp[LD_DIGEST_STR_LEN], k[LD_DIGEST_STR_LEN], path[LD_CACHE_PATH_MAX + 128];
	char stamp[LD_CACHE_PATH_MAX + 128];
	ld_buf keytext = LD_BUF_INIT;
	bool stamped;

	if (!img->cache_root || !(digest = key_digest(img, l->index)))
		return 0;
	if (ld_wants_fingerprint(w, fp))
		return 0;
	if (!(st = ld_arena_alloc(&l->arena, sizeof(*st))))
		return 0;
	ld_buf_addf(&keytext, "lading layer cache %u\n%s\n%s\n", LD_LCACHE_FORMAT, digest, fp);
	if (ld_buf_error(&keytext)) {
		ld_buf_release(&keytext);
		return 0;
	}
	ld_sha256_buf(keytext.ptr, keytext.len, k);
	ld_buf_release(&keytext);
	ld_strlcpy(st->key, k + 7, sizeof(st->key));
	ld_strlcpy(st->digest, digest, sizeof(st->digest));
	ld_snprintf(st->dir, sizeof(st->dir), "%s/layers", img->cache_root);
	st->cap = ld_cachedir_cap(LD_CACHE_DEFAULT_LAYERS_MAX);
	if (ld_cachedir_make(st->dir))
		return 0;
	l->cache = st;
	ld_snprintf(path, sizeof(path), "%s/%s", st->dir, st->key);

	/* a local layer whose file cannot be stamped (missing, unreadable) is read as usual: the
	 * read reports what is wrong with it */
	stamped = img->kind != LD_SRC_REGISTRY;
	if (stamped && !stamp_path(img, l->index, digest, stamp, sizeof(stamp)))
		goto miss;
	if (load(l, path, w, wctx) == 0) {
		if (stamped && access(stamp, F_OK) != 0) {
			/* a local file not checked in this state yet: check it now */
			int rc = verify_local(img, l->index, wctx);
			if (rc) {
				l->files.len = 0;
				l->plain.len = 0;
				l->plain.fc_count = 0;
				l->plain.fc_view = LD_SLICE_NULL;
				l->cache = NULL;
				return rc;
			}
			stamp_write(img, l->index, digest);
		} else if (stamped) {
			ld_cachedir_touch(stamp);
		}
		for (size_t i = 0; i < st->nwarn; i++)
			ld_warn(wctx, "%s", st->warnings[i]);
		ld_cachedir_touch(path);
		st->active = true;
		return 1;
	}
miss:
	/* record this layer's warnings while it is read, to replay them on hits */
	pthread_mutex_init(&st->mu, NULL);
	ld_buf_init(&st->rec, (size_t)LD_LCACHE_MAX_WARNINGS * (LD_LCACHE_MAX_WARNING_LEN + 1));
	st->recording = true;
	st->tapped = wctx;
	st->prev_tap = wctx->warn_tap;
	st->prev_opaque = wctx->warn_tap_opaque;
	wctx->warn_tap = tap;
	wctx->warn_tap_opaque = st;
	return 0;
}

void ld_layer_cache_finish(lading_image *img, ld_layer *l, lading_ctx *wctx, int rc)
{
	struct ld_lcache *st = l->cache;
	(void)wctx;
	if (!st || !st->recording)
		return;
	st->tapped->warn_tap = st->prev_tap;
	st->tapped->warn_tap_opaque = st->prev_opaque;
	st->recording = false;
	pthread_mutex_destroy(&st->mu);
	if (!rc && !ld_buf_error(&st->rec) &&
	    (!st->nrec || (st->warnings = ld_arena_array(&l->arena, st->nrec, sizeof(char *))))) {
		const char *p = ld_buf_cstr(&st->rec);
		for (size_t i = 0; i < st->nrec; i++) {
			st->warnings[i] = ld_arena_strdup(&l->arena, p);
			p += strlen(p) + 1;
			if (!st->warnings[i]) {
				rc = LADING_ENOMEM;
				break;
			}
		}
		st->nwarn = rc ? 0 : st->nrec;
		if (!rc) {
			store(img, l);
			stamp_write(img, l->index, st->digest);
		}
	}
	ld_buf_release(&st->rec);
}

void ld_layer_cache_refetch(ld_layer *l, const char *const *paths, const size_t *caps, size_t n)
{
	if (!l->cache)
		return;
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		size_t cap = 0;
		bool asked = false;
		if (f->type != LD_LF_REG || f->captured || !f->data)
			continue;
		/* a path asked twice keeps its larger cap, as ld_layer_fetch does */
		for (size_t k = 0; k < n; k++) {
			if (!strcmp(paths[k], f->path)) {
				asked = true;
				cap = LD_MAX(cap, caps[k]);
			}
		}
		if (!asked)
			continue;
		f->wanted = true;
		if (f->size > cap)
			f->too_big = true;
		else
			f->captured = true;
	}
}

void ld_layer_cache_update(lading_image *img, ld_layer *l)
{
	if (l->cache && l->cache->active)
		store(img, l);
}

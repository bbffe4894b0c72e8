#include "util/common.h"
#include "util/stream.h"

ssize_t ld_stream_read(ld_stream *s, void *buf, size_t n)
{
	ssize_t r = s->read(s, buf, n);
	if (r > 0)
		s->pos += (uint64_t)r;
	return r;
}

ssize_t ld_stream_read_full(ld_stream *s, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = ld_stream_read(s, (char *)buf + got, n - got);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int ld_stream_read_all(ld_stream *s, ld_buf *out, size_t max, const char *what)
{
	size_t start = out->len;
	for (;;) {
		ssize_t r;
		if (ld_buf_grow(out, 64 * 1024))
			return ld_error_set(s->ctx, out->err, "%s: out of memory", what);
		r = ld_stream_read(s, out->ptr + out->len, out->cap - out->len - 1);
		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		out->len += (size_t)r;
		out->ptr[out->len] = '\0';
		if (out->len - start > max)
			return ld_error_set(s->ctx, LADING_ELIMIT, "%s: larger than the limit of %zu bytes",
					    what, max);
	}
	return 0;
}

int ld_stream_drain(ld_stream *s)
{
	char tmp[65536];
	for (;;) {
		ssize_t r = ld_stream_read(s, tmp, sizeof(tmp));
		if (r < 0)
			return (int)r;
		if (r == 0)
			return 0;
	}
}

void ld_stream_close(ld_stream *s)
{
	if (s)
		s->close(s);
}

/* ---- file region ---- */

typedef struct region_stream {
	ld_stream base;
	int fd;
	bool own_fd;
	uint64_t off, end;
	char what[256];
} region_stream;

static ssize_t region_read(ld_stream *s, void *buf, size_t n)
{
	region_stream *r = (region_stream *)s;
	ssize_t got;
	if (r->off >= r->end)
		return 0;
	if (n > r->end - r->off)
		n = (size_t)(r->end - r->off);
	do {
		got = pread(r->fd, buf, n, (off_t)r->off);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		return ld_error_set_path(s->ctx, LADING_EIO, r->what, r->off, "%s: read error: %s", r->what,
					 strerror(errno));
	if (got == 0)
		return ld_error_set_path(s->ctx, LADING_EINVALID, r->what, r->off,
					 "%s: file ends before the expected %" PRIu64 " bytes", r->what, r->end);
	r->off += (uint64_t)got;
	return got;
}

static void region_close(ld_stream *s)
{
	region_stream *r = (region_stream *)s;
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r);
}

int ld_stream_file_region(ld_stream **out, lading_ctx *ctx, int fd, uint64_t off, uint64_t len,
			  const char *what)
{
	region_stream *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	r->base.read = region_read;
	r->base.close = region_close;
	r->base.ctx = ctx;
	r->fd = fd;
	r->off = off;
	r->end = off + len < off ? UINT64_MAX : off + len;
	ld_strlcpy(r->what, what ? what : "file", sizeof(r->what));
	*out = &r->base;
	return 0;
}

int ld_stream_fd_owned(ld_stream **out, lading_ctx *ctx, int fd, uint64_t off, uint64_t len,
		       const char *what)
{
	int rc = ld_stream_file_region(out, ctx, fd, off, len, what);
	if (rc) {
		close(fd);
		return rc;
	}
	((region_stream *)*out)->own_fd = true;
	return 0;
}

int ld_stream_file(ld_stream **out, lading_ctx *ctx, const char *path)
{
	struct stat st;
	region_stream *r;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path, 0,
					 "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ld_error_set_path(ctx, LADING_EIO, path, 0, "%s is not a regular file", path);
	}
	rc = ld_stream_file_region(out, ctx, fd, 0, (uint64_t)st.st_size, path);
	if (rc) {
		close(fd);
		return rc;
	}
	r = (region_stream *)*out;
	r->own_fd = true;
	return 0;
}

/* ---- memory ---- */

typedef struct mem_stream {
	ld_stream base;
	const char *p;
	size_t n, off;
} mem_stream;

static ssize_t mem_read(ld_stream *s, void *buf, size_t n)
{
	mem_stream *m = (mem_stream *)s;
	if (n > m->n - m->off)
		n = m->n - m->off;
	if (n)
		memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static void mem_close(ld_stream *s)
{
	free(s);
}

int ld_stream_mem(ld_stream **out, lading_ctx *ctx, const void *p, size_t n)
{
	mem_stream *m = calloc(1, sizeof(*m));
	*out = NULL;
	if (!m)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	m->base.read = mem_read;
	m->base.close = mem_close;
	m->base.ctx = ctx;
	m->p = p;
	m->n = n;
	*out = &m->base;
	return 0;
}

/* ---- digest verification ---- */

typedef struct verify_stream {
	ld_stream base;
	char *result;      /* hash-only mode: where to write the digest */
	ld_stream *inner;
	ld_sha256 h;
	char expect[LD_DIGEST_STR_LEN];
	int64_t size;
	uint64_t seen;
	bool done;
	char label[256];
} verify_stream;

static ssize_t verify_read(ld_stream *s, void *buf, size_t n)
{
	verify_stream *v = (verify_stream *)s;
	ssize_t r;
	char got[LD_DIGEST_STR_LEN];

	if (v->done)
		return 0;
	r = ld_stream_read(v->inner, buf, n);
	if (r < 0)
		return r;
	if (r > 0) {
		ld_sha256_update(&v->h, buf, (size_t)r);
		v->seen += (uint64_t)r;
		if (v->size >= 0 && v->seen > (uint64_t)v->size)
			return ld_error_set_path(s->ctx, LADING_EDIGEST, v->label, v->seen,
						 "%s is longer than the %" PRId64 " bytes its descriptor gives",
						 v->label, v->size);
		return r;
	}
	v->done = true;
	ld_sha256_final(&v->h, got);
	if (v->result) {
		memcpy(v->result, got, LD_DIGEST_STR_LEN);
		return 0;
	}
	if (v->size >= 0 && v->seen != (uint64_t)v->size)
		return ld_error_set_path(s->ctx, LADING_EDIGEST, v->label, v->seen,
					 "%s is %" PRIu64 " bytes, its descriptor says %" PRId64, v->label,
					 v->seen, v->size);
	if (strcmp(got, v->expect) != 0)
		return ld_error_set_path(s->ctx, LADING_EDIGEST, v->label, 0,
					 "%s digest mismatch: expected %s, content has %s", v->label, v->expect,
					 got);
	return 0;
}

static void verify_close(ld_stream *s)
{
	verify_stream *v = (verify_stream *)s;
	ld_stream_close(v->inner);
	ld_sha256_release(&v->h);
	free(v);
}

int ld_stream_verify(ld_stream **out, ld_stream *inner, const char *digest, int64_t size, const char *label)
{
	verify_stream *v;
	lading_ctx *ctx = inner->ctx;

	*out = NULL;
	if (!ld_digest_valid(digest)) {
		ld_stream_close(inner);
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "%s: unsupported or malformed digest '%s'",
				    label, digest ? digest : "");
	}
	v = calloc(1, sizeof(*v));
	if (!v || ld_sha256_init(&v->h)) {
		free(v);
		ld_stream_close(inner);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	v->base.read = verify_read;
	v->base.close = verify_close;
	v->base.ctx = ctx;
	v->inner = inner;
	v->size = size;
	ld_strlcpy(v->expect, digest, sizeof(v->expect));
	ld_strlcpy(v->label, label ? label : "blob", sizeof(v->label));
	*out = &v->base;
	return 0;
}

int ld_stream_hash(ld_stream **out, ld_stream *inner, char result[LD_DIGEST_STR_LEN])
{
	/* a verify stream with a placeholder digest and no checks, reporting instead */
	static const char zero[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	int rc = ld_stream_verify(out, inner, zero, -1, "stream");
	if (rc)
		return rc;
	((verify_stream *)*out)->result = result;
	result[0] = '\0';
	return 0;
}

/* ---- read-ahead in a thread ---- */

#define RA_CHUNK ((size_t)1 << 20)
#define RA_SLOTS 4

typedef struct ra_stream {
	ld_stream base;
	ld_stream *inner;
	lading_ctx child;          /* the reader thread's errors */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *buf[RA_SLOTS];
	size_t len[RA_SLOTS];
	size_t head, count;        /* ring of filled slots */
	size_t off;                /* consumed bytes of the head slot */
	bool eof, stop;
	int err;
} ra_stream;

static void *ra_thread(void *arg)
{
	ra_stream *r = arg;
	for (;;) {
		size_t slot;
		ssize_t n;
		pthread_mutex_lock(&r->mu);
		while (r->count == RA_SLOTS && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		slot = (r->head + r->count) % RA_SLOTS;
		pthread_mutex_unlock(&r->mu);
		n = ld_stream_read_full(r->inner, r->buf[slot], RA_CHUNK);
		pthread_mutex_lock(&r->mu);
		if (n < 0) {
			r->err = (int)n;
		} else if (n > 0) {
			r->len[slot] = (size_t)n;
			r->count++;
		}
		/* a short read means the inner stream returned 0: it is at its end (and has run its
		 * end-of-input checks, such as digest verification) */
		if (n <= 0 || (size_t)n < RA_CHUNK)
			r->eof = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (r->eof || r->err)
			return NULL;
	}
}

static ssize_t ra_read(ld_stream *s, void *buf, size_t n)
{
	ra_stream *r = (ra_stream *)s;
	size_t k;
	pthread_mutex_lock(&r->mu);
	while (r->count == 0 && !r->eof && !r->err)
		pthread_cond_wait(&r->cv, &r->mu);
	if (r->count == 0) {
		int e = r->err;
		pthread_mutex_unlock(&r->mu);
		if (e) {
			ld_ctx_adopt_error(s->ctx, &r->child);
			return e;
		}
		return 0;
	}
	k = r->len[r->head] - r->off;
	if (k > n)
		k = n;
	memcpy(buf, r->buf[r->head] + r->off, k);
	r->off += k;
	if (r->off == r->len[r->head]) {
		r->off = 0;
		r->head = (r->head + 1) % RA_SLOTS;
		r->count--;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return (ssize_t)k;
}

static void ra_close(ld_stream *s)
{
	ra_stream *r = (ra_stream *)s;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->tid, NULL);
	ld_stream_close(r->inner);
	for (int i = 0; i < RA_SLOTS; i++)
		free(r->buf[i]);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	ld_ctx_release_child(&r->child);
	free(r);
}

int ld_stream_readahead(ld_stream **out, lading_ctx *ctx,
			int (*open)(void *opaque, ld_stream **inner, lading_ctx *ictx), void *opaque)
{
	ra_stream *r = calloc(1, sizeof(*r));
	int rc;
	*out = NULL;
	if (!r)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_ctx_init_child(&r->child, ctx);
	/* the inner streams live on the reader thread: they report on its own context */
	if ((rc = open(opaque, &r->inner, &r->child))) {
		ld_ctx_adopt_error(ctx, &r->child);
		ld_ctx_release_child(&r->child);
		free(r);
		return rc;
	}
	for (int i = 0; i < RA_SLOTS; i++)
		if (!(r->buf[i] = malloc(RA_CHUNK)))
			goto oom;
	r->base.read = ra_read;
	r->base.close = ra_close;
	r->base.ctx = ctx;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->tid, NULL, ra_thread, r) != 0) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		goto oom;
	}
	*out = &r->base;
	return 0;
oom:
	for (int i = 0; i < RA_SLOTS; i++)
		free(r->buf[i]);
	ld_stream_close(r->inner);
	ld_ctx_release_child(&r->child);
	free(r);
	return ld_error_set(ctx, LADING_ENOMEM, "out of memory starting a read-ahead thread");
}

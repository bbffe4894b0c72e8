/* Streaming decompression, detected by magic bytes. gzip goes through ISA-L's igzip (2-3x
 * zlib's inflate speed on layer data: layers are mostly decompression time), zstd through
 * libzstd, bzip2 through libbz2 and xz through liblzma: every codec under the same limits
 * (decompressed bytes, ratio), and what comes out is the decoded stream, so a diff_id check
 * above sees the tar's bytes whatever the codec. The only user of ISA-L, libzstd, libbz2 and
 * liblzma in the library. */
#include <bzlib.h>
#include <isa-l/igzip_lib.h>
#include <lzma.h>
#include <zstd.h>

#include "util/common.h"
#include "util/stream.h"

#define IN_CHUNK ((size_t)256 * 1024)
#define DEFAULT_MAX_OUT ((uint64_t)64 << 30)
#define DEFAULT_RATIO_AFTER ((uint64_t)256 << 20)
#define DEFAULT_MAX_RATIO 1000u
/* xz headers name their dictionary size (up to 1.5 GiB): `xz -9` needs 65 MiB to decode, so a
 * stream asking for more than this is refused instead of allocated */
#define XZ_MEMLIMIT ((uint64_t)256 << 20)

typedef struct decomp_stream {
	ld_stream base;
	ld_stream *inner;
	ld_comp comp;
	unsigned char *in;
	size_t in_len, in_off; /* pending input in `in` */
	bool in_eof;
	uint64_t total_in, total_out;
	ld_decomp_limits lim;
	char label[256];
	/* gzip */
	struct inflate_state *gz;
	bool gz_member_done;
	/* zstd */
	ZSTD_DStream *zs;
	size_t zs_last; /* last ZSTD_decompressStream hint: 0 = frame complete */
	/* bzip2 (any number of concatenated streams, as pbzip2 writes) */
	bz_stream *bz;
	bool bz_live, bz_done; /* a stream is initialized; the last one ended */
	/* xz (concatenated streams) */
	lzma_stream *xz;
	bool finished;
} decomp_stream;

ld_comp ld_comp_detect(const void *p, size_t n)
{
	const unsigned char *b = p;
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return LD_COMP_GZIP;
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return LD_COMP_ZSTD;
	if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h')
		return LD_COMP_BZIP2;
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return LD_COMP_XZ;
	return LD_COMP_NONE;
}

const char *ld_comp_name(ld_comp c)
{
	switch (c) {
	case LD_COMP_GZIP: return "gzip";
	case LD_COMP_ZSTD: return "zstd";
	case LD_COMP_BZIP2: return "bzip2";
	case LD_COMP_XZ: return "xz";
	default: return "none";
	}
}

/* Make sure some input is pending; returns 0 (possibly at EOF) or < 0. */
static int fill(decomp_stream *d)
{
	ssize_t r;
	if (d->in_off < d->in_len || d->in_eof)
		return 0;
	r = ld_stream_read(d->inner, d->in, IN_CHUNK);
	if (r < 0)
		return (int)r;
	d->in_off = 0;
	d->in_len = (size_t)r;
	d->total_in += (uint64_t)r;
	if (r == 0)
		d->in_eof = true;
	return 0;
}

static int check_limits(decomp_stream *d, size_t produced)
{
	d->total_out += produced;
	if (d->total_out > d->lim.max_out)
		return ld_error_set(d->base.ctx, LADING_ELIMIT,
				    "%s: decompresses to more than %" PRIu64 " bytes (limit)", d->label,
				    d->lim.max_out);
	if (d->total_out > d->lim.ratio_after && d->total_in &&
	    d->total_out / d->total_in > d->lim.max_ratio)
		return ld_error_set(d->base.ctx, LADING_ELIMIT,
				    "%s: compression ratio above %u:1 (a decompression bomb?)", d->label,
				    d->lim.max_ratio);
	return 0;
}

static ssize_t gz_read(decomp_stream *d, void *buf, size_t n)
{
	struct inflate_state *s = d->gz;
	int rc;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	for (;;) {
		if (d->gz_member_done) {
			/* another gzip member may follow (pigz, concatenation); trailing zeros are padding */
			if ((rc = fill(d)))
				return rc;
			while (d->in_off < d->in_len && d->in[d->in_off] == 0)
				d->in_off++;
			if (d->in_off == d->in_len) {
				if (d->in_eof) {
					d->finished = true;
					return 0;
				}
				continue;
			}
			isal_inflate_reset(s);
			s->crc_flag = ISAL_GZIP;
			d->gz_member_done = false;
		}
		if ((rc = fill(d)))
			return rc;
		s->next_in = d->in + d->in_off;
		s->avail_in = (uint32_t)(d->in_len - d->in_off);
		s->next_out = buf;
		s->avail_out = (uint32_t)n;
		rc = isal_inflate(s);
		d->in_off = d->in_len - s->avail_in;
		if (rc < 0)
			return ld_error_set(d->base.ctx, LADING_EINVALID, "%s: corrupt gzip data (%s)", d->label,
					    rc == ISAL_INCORRECT_CHECKSUM ? "checksum mismatch"
					    : rc == ISAL_INVALID_WRAPPER  ? "bad header"
									  : "invalid deflate stream");
		if (s->block_state == ISAL_BLOCK_FINISH)
			d->gz_member_done = true;
		if (n - s->avail_out > 0) {
			size_t got = n - s->avail_out;
			if ((rc = check_limits(d, got)))
				return rc;
			return (ssize_t)got;
		}
		if (d->gz_member_done)
			continue;
		if (d->in_eof && d->in_off == d->in_len)
			return ld_error_set(d->base.ctx, LADING_EINVALID, "%s: truncated gzip stream", d->label);
	}
}

static ssize_t zs_read(decomp_stream *d, void *buf, size_t n)
{
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = {buf, n, 0};
		size_t r;
		int rc;

		if ((rc = fill(d)))
			return rc;
		if (d->in_eof && d->in_off == d->in_len) {
			if (d->zs_last != 0)
				return ld_error_set(d->base.ctx, LADING_EINVALID, "%s: truncated zstd stream",
						    d->label);
			d->finished = true;
			return 0;
		}
		in.src = d->in + d->in_off;
		in.size = d->in_len - d->in_off;
		in.pos = 0;
		r = ZSTD_decompressStream(d->zs, &out, &in);
		d->in_off += in.pos;
		if (ZSTD_isError(r))
			return ld_error_set(d->base.ctx, LADING_EINVALID, "%s: corrupt zstd data (%s)", d->label,
					    ZSTD_getErrorName(r));
		d->zs_last = r;
		if (out.pos) {
			if ((rc = check_limits(d, out.pos)))
				return rc;
			return (ssize_t)out.pos;
		}
	}
}

static ssize_t bz_read(decomp_stream *d, void *buf, size_t n)
{
	if (n > UINT_MAX)
		n = UINT_MAX;
	for (;;) {
		int rc, r;
		if ((rc = fill(d)))
			return rc;
		if (d->bz_done) {
			/* another stream may follow; trailing zeros are padding */
			while (d->in_off < d->in_len && d->in[d->in_off] == 0)
				d->in_off++;
			if (d->in_off == d->in_len) {
				if (d->in_eof) {
					d->finished = true;
					return 0;
				}
				continue;
			}
			if (BZ2_bzDecompressInit(d->bz, 0, 0) != BZ_OK)
				return ld_error_set(d->base.ctx, LADING_ENOMEM, "out of memory");
			d->bz_live = true;
			d->bz_done = false;
		}
		d->bz->next_in = (char *)d->in + d->in_off;
		d->bz->avail_in = (unsigned)(d->in_len - d->in_off);
		d->bz->next_out = buf;
		d->bz->avail_out = (unsigned)n;
		r = BZ2_bzDecompress(d->bz);
		d->in_off = d->in_len - d->bz->avail_in;
		if (r != BZ_OK && r != BZ_STREAM_END)
			return ld_error_set(d->base.ctx, r == BZ_MEM_ERROR ? LADING_ENOMEM : LADING_EINVALID,
					    "%s: corrupt bzip2 data (error %d)", d->label, r);
		if (r == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(d->bz);
			d->bz_live = false;
			d->bz_done = true;
		}
		if (n - d->bz->avail_out > 0) {
			size_t got = n - d->bz->avail_out;
			if ((rc = check_limits(d, got)))
				return rc;
			return (ssize_t)got;
		}
		/* no output: libbz2 holds no more, so it needs input that is not there */
		if (!d->bz_done && d->in_eof && d->in_off == d->in_len)
			return ld_error_set(d->base.ctx, LADING_EINVALID, "%s: truncated bzip2 stream", d->label);
	}
}

static ssize_t xz_read(decomp_stream *d, void *buf, size_t n)
{
	for (;;) {
		lzma_ret r;
		int rc;
		if ((rc = fill(d)))
			return rc;
		d->xz->next_in = d->in + d->in_off;
		d->xz->avail_in = d->in_len - d->in_off;
		d->xz->next_out = buf;
		d->xz->avail_out = n;
		/* LZMA_FINISH at the end of input: with LZMA_CONCATENATED that is how the decoder learns
		 * no further stream follows */
		r = lzma_code(d->xz, d->in_eof ? LZMA_FINISH : LZMA_RUN);
		d->in_off = d->in_len - d->xz->avail_in;
		if (r == LZMA_MEMLIMIT_ERROR)
			return ld_error_set(d->base.ctx, LADING_ELIMIT,
					    "%s: xz stream needs more than %" PRIu64 " bytes of memory to decode (limit)",
					    d->label, XZ_MEMLIMIT);
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return ld_error_set(d->base.ctx, r == LZMA_MEM_ERROR ? LADING_ENOMEM : LADING_EINVALID,
					    "%s: %s xz data (error %d)", d->label,
					    r == LZMA_BUF_ERROR ? "truncated" : "corrupt", (int)r);
		if (n - d->xz->avail_out > 0) {
			size_t got = n - d->xz->avail_out;
			if (r == LZMA_STREAM_END)
				d->finished = true;
			if ((rc = check_limits(d, got)))
				return rc;
			return (ssize_t)got;
		}
		if (r == LZMA_STREAM_END) {
			d->finished = true;
			return 0;
		}
		/* LZMA_OK without output: more input (or, at its end, another LZMA_FINISH call, which
		 * reports LZMA_BUF_ERROR when nothing can progress) */
	}
}

static ssize_t plain_read(decomp_stream *d, void *buf, size_t n)
{
	size_t k;
	int rc;
	if ((rc = fill(d)))
		return rc;
	k = d->in_len - d->in_off;
	if (k == 0)
		return 0;
	if (k > n)
		k = n;
	memcpy(buf, d->in + d->in_off, k);
	d->in_off += k;
	return (ssize_t)k;
}

static ssize_t decomp_read(ld_stream *s, void *buf, size_t n)
{
	decomp_stream *d = (decomp_stream *)s;
	if (d->finished || n == 0)
		return 0;
	switch (d->comp) {
	case LD_COMP_GZIP: return gz_read(d, buf, n);
	case LD_COMP_ZSTD: return zs_read(d, buf, n);
	case LD_COMP_BZIP2: return bz_read(d, buf, n);
	case LD_COMP_XZ: return xz_read(d, buf, n);
	default: return plain_read(d, buf, n);
	}
}

static void decomp_close(ld_stream *s)
{
	decomp_stream *d = (decomp_stream *)s;
	ld_stream_close(d->inner);
	free(d->gz);
	if (d->zs)
		ZSTD_freeDStream(d->zs);
	if (d->bz_live)
		BZ2_bzDecompressEnd(d->bz);
	free(d->bz);
	if (d->xz)
		lzma_end(d->xz);
	free(d->xz);
	free(d->in);
	free(d);
}

int ld_stream_decompress(ld_stream **out, ld_stream *inner, const ld_decomp_limits *lim, const char *label,
			 ld_comp *detected)
{
	lading_ctx *ctx = inner->ctx;
	decomp_stream *d;
	int rc;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->in = malloc(IN_CHUNK))) {
		free(d);
		ld_stream_close(inner);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	d->base.read = decomp_read;
	d->base.close = decomp_close;
	d->base.ctx = ctx;
	d->inner = inner;
	ld_strlcpy(d->label, label ? label : "stream", sizeof(d->label));
	if (lim)
		d->lim = *lim;
	if (!d->lim.max_out)
		d->lim.max_out = DEFAULT_MAX_OUT;
	if (!d->lim.ratio_after)
		d->lim.ratio_after = DEFAULT_RATIO_AFTER;
	if (!d->lim.max_ratio)
		d->lim.max_ratio = DEFAULT_MAX_RATIO;

	/* peek enough bytes for the magic */
	while (d->in_len < 8 && !d->in_eof) {
		ssize_t r = ld_stream_read(inner, d->in + d->in_len, IN_CHUNK - d->in_len);
		if (r < 0) {
			rc = (int)r;
			goto fail;
		}
		if (r == 0)
			d->in_eof = true;
		d->in_len += (size_t)r;
		d->total_in += (uint64_t)r;
	}
	d->comp = ld_comp_detect(d->in, d->in_len);
	if (d->comp == LD_COMP_GZIP) {
		d->gz = malloc(sizeof(*d->gz));
		if (!d->gz) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto fail;
		}
		isal_inflate_init(d->gz);
		d->gz->crc_flag = ISAL_GZIP;
	} else if (d->comp == LD_COMP_ZSTD) {
		d->zs = ZSTD_createDStream();
		if (!d->zs) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto fail;
		}
		ZSTD_initDStream(d->zs);
		/* bound the window so a hostile frame cannot demand gigabytes of memory */
		ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, 27);
		d->zs_last = 1;
	} else if (d->comp == LD_COMP_BZIP2) {
		d->bz = calloc(1, sizeof(*d->bz));
		if (!d->bz || BZ2_bzDecompressInit(d->bz, 0, 0) != BZ_OK) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto fail;
		}
		d->bz_live = true;
	} else if (d->comp == LD_COMP_XZ) {
		static const lzma_stream init = LZMA_STREAM_INIT;
		d->xz = malloc(sizeof(*d->xz));
		if (d->xz)
			*d->xz = init;
		if (!d->xz || lzma_stream_decoder(d->xz, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
			free(d->xz);
			d->xz = NULL;
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (detected)
		*detected = d->comp;
	*out = &d->base;
	return 0;
fail:
	decomp_close(&d->base);
	return rc;
}

/* ---- one-shot zlib (RFC 1950) from memory: cargo-auditable's .dep-v0 ---- */

static int inflate_mem(ld_slice in, size_t max, ld_buf *out, uint32_t flag)
{
	struct inflate_state s;
	int rc;

	if (in.len > UINT32_MAX)
		return LADING_ELIMIT;
	isal_inflate_init(&s);
	s.crc_flag = flag;
	s.next_in = (uint8_t *)(uintptr_t)in.ptr;
	s.avail_in = (uint32_t)in.len;
	if (max >= SIZE_MAX - 2)
		return LADING_ELIMIT;
	ld_buf_clear(out);
	out->max = max + 1; /* one byte past the cap tells "too big" */
	for (;;) {
		size_t room = out->max - out->len;
		if (ld_buf_grow(out, room < (64u << 10) ? room : (64u << 10)))
			return out->err;
		room = out->cap - out->len - 1;
		if (room > out->max - out->len)
			room = out->max - out->len;
		if (room > UINT32_MAX)
			room = UINT32_MAX;
		s.next_out = (uint8_t *)out->ptr + out->len;
		s.avail_out = (uint32_t)room;
		rc = isal_inflate(&s);
		out->len += room - s.avail_out;
		out->ptr[out->len] = '\0';
		if (rc < 0)
			return LADING_EINVALID;
		if (out->len > max)
			return LADING_ELIMIT;
		if (s.block_state == ISAL_BLOCK_FINISH)
			return 0;
		if (s.avail_in == 0 && s.avail_out > 0)
			return LADING_EINVALID; /* truncated */
	}
}

int ld_zlib_inflate(ld_slice in, size_t max, ld_buf *out)
{
	return inflate_mem(in, max, out, ISAL_ZLIB); /* header and adler32 checked */
}

int ld_deflate_inflate(ld_slice in, size_t max, ld_buf *out)
{
	return inflate_mem(in, max, out, ISAL_DEFLATE);
}

/* ---- raw deflate from memory, as a stream ---- */

struct ld_inflater {
	struct inflate_state s;
	ld_slice in;
	size_t used; /* input bytes handed to ISA-L so far */
	bool done;
};

int ld_inflater_new(ld_inflater **out, ld_slice in)
{
	ld_inflater *f = calloc(1, sizeof(*f));
	*out = NULL;
	if (!f)
		return LADING_ENOMEM;
	isal_inflate_init(&f->s);
	f->s.crc_flag = ISAL_DEFLATE;
	f->in = in;
	*out = f;
	return 0;
}

ssize_t ld_inflater_read(ld_inflater *f, void *buf, size_t n)
{
	size_t got = 0;
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	while (!f->done && got < n) {
		uint32_t before, in_before;
		if (!f->s.avail_in && f->used < f->in.len) {
			size_t take = f->in.len - f->used;
			if (take > UINT32_MAX)
				take = UINT32_MAX;
			f->s.next_in = (uint8_t *)(uintptr_t)(f->in.ptr + f->used);
			f->s.avail_in = (uint32_t)take;
			f->used += take;
		}
		f->s.next_out = (uint8_t *)buf + got;
		f->s.avail_out = (uint32_t)(n - got);
		before = f->s.avail_out;
		in_before = f->s.avail_in;
		if (isal_inflate(&f->s) < 0)
			return LADING_EINVALID;
		got += before - f->s.avail_out;
		if (before == f->s.avail_out && in_before == f->s.avail_in && f->s.block_state != ISAL_BLOCK_FINISH &&
		    f->used == f->in.len)
			return LADING_EINVALID; /* no progress: nothing more will come */
		if (f->s.block_state == ISAL_BLOCK_FINISH)
			f->done = true;
		else if (!f->s.avail_in && f->used == f->in.len && f->s.avail_out)
			return LADING_EINVALID; /* truncated */
	}
	return (ssize_t)got;
}

void ld_inflater_free(ld_inflater *f)
{
	free(f);
}

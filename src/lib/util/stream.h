/* ld_stream: a pull byte stream. Streams compose: file region -> digest check -> decompress
 * -> tar reader. Each stream reports errors on its own ctx and returns LADING_E* (< 0). */
#ifndef LD_STREAM_H
#define LD_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lading/common.h"
#include "util/buf.h"
#include "util/hash.h"

typedef struct ld_stream ld_stream;
struct ld_stream {
	/* Read up to n bytes: > 0 count, 0 at the end, < 0 LADING_E* (detail on ctx). */
	ssize_t (*read)(ld_stream *s, void *buf, size_t n);
	void (*close)(ld_stream *s); /* frees the stream and any stream it wraps */
	lading_ctx *ctx;
	uint64_t pos; /* bytes returned so far, maintained by ld_stream_read */
};

ssize_t ld_stream_read(ld_stream *s, void *buf, size_t n);
/* Fill exactly n bytes unless the stream ends first; returns bytes read or < 0. */
ssize_t ld_stream_read_full(ld_stream *s, void *buf, size_t n);
/* Read everything into `out` (appended), failing with LADING_ELIMIT beyond `max` bytes. */
int ld_stream_read_all(ld_stream *s, ld_buf *out, size_t max, const char *what);
/* Read and discard to the end. */
int ld_stream_drain(ld_stream *s);
void ld_stream_close(ld_stream *s);

/* A region [off, off+len) of an open file (pread; the fd stays the caller's). */
int ld_stream_file_region(ld_stream **out, lading_ctx *ctx, int fd, uint64_t off, uint64_t len,
			  const char *what);
/* The same, but the stream owns `fd` and closes it (also when this call fails). */
int ld_stream_fd_owned(ld_stream **out, lading_ctx *ctx, int fd, uint64_t off, uint64_t len,
		       const char *what);
/* A whole file opened by path; `follow` false refuses a symlink as the last component. */
int ld_stream_file(ld_stream **out, lading_ctx *ctx, const char *path);
/* Bytes in memory (not copied; must outlive the stream). */
int ld_stream_mem(ld_stream **out, lading_ctx *ctx, const void *p, size_t n);

/* Check the sha256 of everything read through it against `digest` ("sha256:<hex>"); at the end
 * of input a mismatch fails with LADING_EDIGEST naming `label` and both digests. `size` is the
 * expected length or -1; reading past it fails early (a blob that is too long). Takes ownership of
 * `inner`. */
int ld_stream_verify(ld_stream **out, ld_stream *inner, const char *digest, int64_t size,
		     const char *label);

/* Compute the sha256 of everything read through it; at the end of input "sha256:<hex>" is written
 * to `result` (which must outlive the stream). Takes ownership of `inner`. */
int ld_stream_hash(ld_stream **out, ld_stream *inner, char result[LD_DIGEST_STR_LEN]);

/* Read a stream ahead in a background thread (bounded: a few 1 MiB chunks in flight), so that
 * reading and hashing the stored bytes overlap with decompressing them. `open` creates the inner
 * stream on a context that only the reader thread uses; its errors surface on `ctx` at read. */
int ld_stream_readahead(ld_stream **out, lading_ctx *ctx,
			int (*open)(void *opaque, ld_stream **inner, lading_ctx *ictx), void *opaque);

/* Compression detected from magic bytes, never from names or media types. */
typedef enum { LD_COMP_NONE = 0, LD_COMP_GZIP, LD_COMP_ZSTD, LD_COMP_BZIP2, LD_COMP_XZ } ld_comp;
ld_comp ld_comp_detect(const void *p, size_t n);
const char *ld_comp_name(ld_comp c);

typedef struct ld_decomp_limits {
	uint64_t max_out;     /* total decompressed bytes; 0 = 64 GiB */
	uint64_t ratio_after; /* the ratio check starts after this many output bytes; 0 = 256 MiB */
	uint32_t max_ratio;   /* output/input beyond this is a bomb; 0 = 1000 */
} ld_decomp_limits;

/* Decompress gzip (any number of members, checksums verified), zstd, bzip2 or xz (concatenated
 * streams too) as detected from the first bytes, all under the same limits; other data passes
 * through unchanged (*detected says which). Takes ownership of `inner`. */
int ld_stream_decompress(ld_stream **out, ld_stream *inner, const ld_decomp_limits *lim,
			 const char *label, ld_comp *detected);

/* Inflate a whole zlib stream (RFC 1950: header, deflate, adler32) held in memory into `out`
 * (cleared first; NUL-terminated). LADING_ELIMIT beyond `max` output bytes, LADING_EINVALID for
 * corrupt or truncated data. */
int ld_zlib_inflate(ld_slice in, size_t max, ld_buf *out);
/* The same for raw deflate data (RFC 1951: zip entries of method 8). */
int ld_deflate_inflate(ld_slice in, size_t max, ld_buf *out);
/* Raw deflate data held in memory, inflated piece by piece (a nested archive swept as it is
 * inflated, catalog/java.c): read gives > 0 bytes, 0 at the end of the deflate stream, or
 * LADING_EINVALID for corrupt or truncated data. */
typedef struct ld_inflater ld_inflater;
int ld_inflater_new(ld_inflater **out, ld_slice in);
ssize_t ld_inflater_read(ld_inflater *f, void *buf, size_t n);
void ld_inflater_free(ld_inflater *f);

#endif

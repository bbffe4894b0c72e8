/* Archive entry iterator over an ld_stream (tar in all its dialects, zip), built on libarchive.
 * The only user of libarchive in the library: bzip2/xz layers (other layers: util/tar.c), OSV
 * feeds and Java archives (zip).
 * Entry paths are returned raw; callers canonicalize them (util/path.h) before use. */
#ifndef LD_ARCHIVE_H
#define LD_ARCHIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "util/stream.h"

typedef enum {
	LD_AR_REG = 0,
	LD_AR_DIR,
	LD_AR_SYMLINK,
	LD_AR_HARDLINK,
	LD_AR_OTHER /* devices, fifos, sockets */
} ld_ar_type;

enum { LD_AR_FMT_TAR = 1, LD_AR_FMT_ZIP = 2 };

typedef struct ld_ar_entry {
	const char *path;     /* raw member name, valid until the next ld_ar_next */
	const char *link;     /* symlink target or hardlink source (raw), or NULL */
	ld_ar_type type;
	uint32_t mode;
	int64_t size;         /* data bytes (0 for links and dirs); may be > stored for sparse */
	int64_t mtime;
} ld_ar_entry;

typedef struct ld_ar ld_ar;

/* `formats` is a mask of LD_AR_FMT_*. Takes ownership of `in`. Compression is left to the
 * caller (ld_stream_decompress, under its limits): a compressed stream here is not an archive. */
int ld_ar_open(ld_ar **out, ld_stream *in, int formats, lading_ctx *ctx, const char *label);
/* An archive held in memory (not copied: it must outlive the reader). Zip is read through its
 * central directory (libarchive's seekable zip reader), so skipping an entry costs nothing, even
 * one written with a data descriptor that a streaming reader would have to inflate to find its
 * end (the usual case for jars). */
int ld_ar_open_mem(ld_ar **out, const void *p, size_t n, int formats, lading_ctx *ctx, const char *label);
/* Next entry: 1 = *e filled, 0 = end of archive, < 0 = error. Unread data of the previous
 * entry is skipped. */
int ld_ar_next(ld_ar *ar, ld_ar_entry *e);
/* Read the current entry's data: > 0 bytes, 0 at its end, < 0 error. */
ssize_t ld_ar_read(ld_ar *ar, void *buf, size_t n);
/* Read the current entry whole into `out` (appended); LADING_ELIMIT beyond `max`. */
int ld_ar_read_all(ld_ar *ar, ld_buf *out, size_t max);
/* After the last entry: read the underlying stream to its end, so streams that check digests at
 * the end of input (ld_stream_verify) get to do it. */
int ld_ar_drain(ld_ar *ar);
void ld_ar_close(ld_ar *ar);
/* Bytes consumed from the underlying stream so far (for progress). */
uint64_t ld_ar_consumed(const ld_ar *ar);

#endif

/* Tar reader for image layers (ustar, GNU long names, pax extended headers), with the entry
 * interface of util/archive.h. Why not libarchive for layers: its tar reader converts every
 * regular file's name to wide characters (mbrtowc per character, to look for a trailing '/'),
 * which with its other per-entry work was 60% of the CPU of reading a layer of 1,000,000 files;
 * this reader parses a header in place. libarchive still reads zip, and bzip2/xz layers. */
#ifndef LD_TAR_H
#define LD_TAR_H

#include "util/archive.h"

/* Named limits: a header record of extended data (pax 'x'/'g', GNU 'L'/'K') larger than
 * LD_TAR_MAX_EXT is an error (names are at most LD_PATH_MAX long anyway); sizes beyond
 * LD_TAR_MAX_SIZE (the 64 GiB decompression limit) are. */
#define LD_TAR_MAX_EXT	((size_t)1 << 20)
#define LD_TAR_MAX_SIZE ((int64_t)64 << 30)

typedef struct ld_tar ld_tar;

/* The header block rules, shared with readers that are fed bytes instead of pulling them (the
 * honeypot's docker cp lister): a numeric field (octal, or base-256 when its first byte has the
 * top bit; negative or overflowing values are false), the header checksum (unsigned or signed
 * sum), and the all-zero block that ends an archive. Blocks are LD_TAR_BLOCK bytes. */
#define LD_TAR_BLOCK 512
bool ld_tar_num(const unsigned char *p, size_t n, int64_t *out);
bool ld_tar_checksum_ok(const unsigned char *h);
bool ld_tar_zero_block(const unsigned char *h);

/* Takes ownership of `in` (already decompressed). */
int ld_tar_open(ld_tar **out, ld_stream *in, lading_ctx *ctx, const char *label);
/* 1 = *e filled (valid until the next call), 0 = end of archive, < 0 = error (on ctx). */
int ld_tar_next(ld_tar *t, ld_ar_entry *e);
/* The current entry's data: > 0 bytes, 0 at its end, < 0 error. */
ssize_t ld_tar_read(ld_tar *t, void *buf, size_t n);
/* Read the stream to its end (digests are checked there). */
int ld_tar_drain(ld_tar *t);
void ld_tar_close(ld_tar *t);
uint64_t ld_tar_consumed(const ld_tar *t);

#endif

/* Zip archives read through their central directory (PKWARE APPNOTE 4.3.x), from bytes held in
 * memory: the end-of-central-directory record (and its zip64 form) at the end, the directory it
 * points to, then one entry's local header and data on request. Nothing is decompressed here
 * (stored data is a slice of the archive; deflated data goes to ld_deflate_inflate). Also the
 * forward reading of local headers that the layer stage needs while a large archive streams
 * past (ld_zip_local): it decides what to keep before the directory at the end is seen.
 * Every offset and size is checked against the bytes given; nothing is trusted. */
#ifndef LD_UTIL_ZIP_H
#define LD_UTIL_ZIP_H

#include "util/common.h"

/* Named limits and constants of the format. */
#define LD_ZIP_EOCD_LEN	    22		/* end of central directory record, without comment */
#define LD_ZIP_MAX_COMMENT  65535	/* the record's comment (its length is 16 bits) */
#define LD_ZIP_EOCD64_LEN   56		/* zip64 end record, without extensible data */
#define LD_ZIP_LOCATOR_LEN  20		/* zip64 end locator, just before the end record */
#define LD_ZIP_CDH_LEN	    46		/* central directory header, without name/extra/comment */
#define LD_ZIP_LFH_LEN	    30		/* local file header, without name/extra */
#define LD_ZIP_MAX_NAME	    65535	/* 16-bit lengths: name, extra field, comment */

enum { LD_ZIP_STORED = 0, LD_ZIP_DEFLATED = 8 };
enum { LD_ZIP_FLAG_ENCRYPTED = 1u << 0, LD_ZIP_FLAG_DESCRIPTOR = 1u << 3 };

typedef struct ld_zip {
	const unsigned char *data;
	size_t len;
	uint64_t base;	   /* bytes before the archive (a launcher script): added to offsets */
	uint64_t cd_off;   /* absolute offset of the central directory */
	uint64_t cd_size;
	uint64_t count;	   /* entries the end record declares */
	bool zip64;
} ld_zip;

typedef struct ld_zip_entry {
	ld_slice name;	   /* raw, into the central directory */
	uint64_t csize, usize;
	uint64_t offset;   /* absolute offset of the local header */
	uint32_t crc, ext_attr;
	uint16_t method, flags, made_by;
} ld_zip_entry;

/* Find the end record and the central directory. 0; LADING_EINVALID when no consistent end
 * record is found (not a zip, truncated, or a directory outside the bytes). A record inside the
 * comment of the real one is not taken: the comment must end exactly at the end of the bytes
 * and the directory must lie before the record. */
int ld_zip_open(ld_zip *z, const unsigned char *data, size_t len);
/* Where ld_zip_next is in the directory (zero it to start). */
typedef struct ld_zip_iter {
	uint64_t pos, n;
} ld_zip_iter;
/* Next central directory entry: 1 = *e filled, 0 = end of the directory (as many entries as
 * declared, or its end), LADING_EINVALID for a damaged header. */
int ld_zip_next(const ld_zip *z, ld_zip_iter *it, ld_zip_entry *e);
/* Whether an entry is a regular file: no trailing '/', and no Unix file type or MS-DOS
 * directory attribute saying otherwise. */
bool ld_zip_regular(const ld_zip_entry *e);
/* The entry's stored bytes (compressed unless method 0): its local header must be at its
 * offset, and header, name, extra and data must end before the central directory.
 * LADING_EINVALID otherwise. *end (optional) gets the offset just past the data. */
int ld_zip_data(const ld_zip *z, const ld_zip_entry *e, ld_slice *out, uint64_t *end);

/* ---- forward reading, for data that streams past ---- */

typedef struct ld_zip_local {
	uint64_t header_len;	/* local header + name + extra */
	uint64_t csize;		/* valid when sized */
	ld_slice name;		/* into the bytes given */
	uint16_t method, flags;
	bool sized;		/* the data's length is known from the header (no descriptor) */
} ld_zip_local;
/* Parse the local header at p[0..avail): 1 = parsed, 0 = need more bytes (header incomplete),
 * LADING_EINVALID = not a local header (a central directory header is also "not": the caller
 * checks for it). */
int ld_zip_local_parse(const unsigned char *p, size_t avail, ld_zip_local *out);
/* Where an entry written with a data descriptor ends: `p[0..avail)` are the bytes from its data
 * on. Looks, at offsets `from` and after, for the next local or central header signature
 * preceded by a descriptor whose compressed size equals the distance from p (with or without the
 * descriptor's own signature, 32- or 64-bit sizes). Returns the offset of that next header, or -1
 * when there is none in avail bytes (ask again with more, from avail - 3). */
int64_t ld_zip_descriptor_end(const unsigned char *p, size_t avail, size_t from);

#endif

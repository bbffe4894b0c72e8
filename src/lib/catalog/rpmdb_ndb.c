/* rpm's ndb backend (SUSE, usr/lib/sysimage/rpm/Packages.db): a 32-byte file header, slot pages
 * of 16-byte slots {magic, package index, block offset, block count}, and blobs addressed in
 * 16-byte blocks: a 16-byte blob header, the header blob, padding, a 12-byte tail with an
 * Adler-32 checksum. All integers little-endian. */
#include "util/common.h"

#include "catalog/rpmdb.h"

/* Named limits. */
#define NDB_MAX_SLOT_PAGES 2048u		/* slot pages (256 slots each): ~524k packages */
#define NDB_MAX_BLOB	   ((uint32_t)32 << 20) /* one blob (a header is <= ~17 MiB) */

#define NDB_PAGE     4096u
#define NDB_SLOT     16u
#define NDB_BLK	     16u
#define NDB_HDR	     32u /* the file header takes the first two slots of page 0 */
#define NDB_BLOBHEAD 16u
#define NDB_BLOBTAIL 12u
#define NDB_VERSION  0u

#define LE4(a, b, c, d)                                                                            \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NDB_MAGIC      LE4('R', 'p', 'm', 'P')
#define SLOT_MAGIC     LE4('S', 'l', 'o', 't')
#define BLOBHEAD_MAGIC LE4('B', 'l', 'b', 'S')
#define BLOBTAIL_MAGIC LE4('B', 'l', 'b', 'E')

static inline uint32_t le32(const uint8_t *p)
{
	return LE4(p[0], p[1], p[2], p[3]);
}

/* RFC 1950 Adler-32 (a dozen lines; not worth a second zlib user). */
static uint32_t adler32(const uint8_t *p, size_t n)
{
	uint32_t s1 = 1, s2 = 0;
	while (n) {
		size_t k = n < 5552 ? n : 5552; /* largest run before the sums can overflow */
		n -= k;
		while (k--) {
			s1 += *p++;
			s2 += s1;
		}
		s1 %= 65521;
		s2 %= 65521;
	}
	return s2 << 16 | s1;
}

int ld_rpmdb_ndb_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			 lading_ctx *ctx, const char *label)
{
	uint32_t version, slotnpages, minblkoff;
	uint64_t fileblks, o, end;
	int rc;

	if (len < NDB_HDR || le32(p) != NDB_MAGIC)
		return ld_error_set(ctx, LADING_EINVALID, "%s: not an ndb rpm database", label);
	version = le32(p + 4);
	slotnpages = le32(p + 12);
	if (version != NDB_VERSION)
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "%s: ndb version %u", label, version);
	if (slotnpages == 0)
		return ld_error_set(ctx, LADING_EINVALID, "%s: ndb without slot pages", label);
	if (slotnpages > NDB_MAX_SLOT_PAGES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %u ndb slot pages (limit %u)", label,
				    slotnpages, NDB_MAX_SLOT_PAGES);
	end = (uint64_t)slotnpages * NDB_PAGE;
	if (end > len)
		return ld_error_set(ctx, LADING_EINVALID, "%s: truncated ndb slot table", label);
	fileblks = len / NDB_BLK;
	minblkoff = slotnpages * (NDB_PAGE / NDB_BLK);

	for (o = NDB_HDR; o < end; o += NDB_SLOT) {
		const uint8_t *s = p + o, *b;
		uint32_t pkgidx, blkoff, blkcnt, bloblen;
		uint64_t boff, bend;
		const char *why = NULL;

		/* A slot table with a bad magic is not a slot table: rpm refuses the DB too. */
		if (le32(s) != SLOT_MAGIC)
			return ld_error_set_path(ctx, LADING_EINVALID, label, o,
						 "%s: corrupt ndb slot table", label);
		blkoff = le32(s + 8);
		if (blkoff == 0)
			continue; /* free slot */
		pkgidx = le32(s + 4);
		blkcnt = le32(s + 12);
		boff = (uint64_t)blkoff * NDB_BLK;
		bend = ((uint64_t)blkoff + blkcnt) * NDB_BLK;
		if (pkgidx == 0 || blkoff < minblkoff)
			why = "bad slot";
		else if (blkcnt < (NDB_BLOBHEAD + NDB_BLOBTAIL + NDB_BLK - 1) / NDB_BLK)
			why = "blob too small";
		else if ((uint64_t)blkoff + blkcnt > fileblks)
			why = "blob beyond the end of the file (truncated?)";
		if (why)
			goto skip;
		b = p + boff;
		bloblen = le32(b + 12);
		if (le32(b) != BLOBHEAD_MAGIC || le32(b + 4) != pkgidx) {
			why = "bad blob header";
			goto skip;
		}
		if (bloblen > NDB_MAX_BLOB) {
			why = "blob exceeds the size limit";
			goto skip;
		}
		if ((uint64_t)blkcnt !=
		    (NDB_BLOBHEAD + (uint64_t)bloblen + NDB_BLOBTAIL + NDB_BLK - 1) / NDB_BLK) {
			why = "blob length does not match its block count";
			goto skip;
		}
		{
			const uint8_t *t = p + bend - NDB_BLOBTAIL;
			if (le32(t + 4) != bloblen || le32(t + 8) != BLOBTAIL_MAGIC) {
				why = "bad blob tail";
				goto skip;
			}
			/* rpm does not verify the checksum when reading either: warn, keep the
			 * header (the header parser checks its structure). */
			if (le32(t) != adler32(b, (size_t)(bend - NDB_BLOBTAIL - boff)))
				ld_warn(ctx, "%s: ndb package %u: blob checksum mismatch", label,
					pkgidx);
		}
		if ((rc = fn(opaque, pkgidx, b + NDB_BLOBHEAD, bloblen)) != 0)
			return rc;
		continue;
	skip:
		ld_warn(ctx, "%s: skipped ndb package %u: %s", label, pkgidx, why);
	}
	return 0;
}

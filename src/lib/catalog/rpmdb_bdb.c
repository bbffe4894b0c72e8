/* rpm's Berkeley DB backend (rpm < 4.16, var/lib/rpm/Packages): a BDB hash database whose keys
 * are 4-byte package numbers and whose values are header blobs, usually on overflow pages.
 * Read-only walk of the hash buckets, the way rpm's own bdb_ro backend does it. */
#include "util/common.h"

#include "catalog/rpmdb.h"

/* Named limits. Every page number, offset and length below comes from the file. */
#define BDB_MAX_PAGES	 ((uint64_t)1 << 24)  /* pages in one DB (64 GiB at 4 KiB) */
#define BDB_MAX_VALUE	 ((uint32_t)32 << 20) /* one stored value (a header is <= ~17 MiB) */
#define BDB_MIN_PAGESIZE 512u
#define BDB_MAX_PAGESIZE 65536u
/* Cycles: every page is visited at most once in the whole walk (a valid DB never links a page
 * into two bucket chains or two overflow chains), so chains end after at most BDB_MAX_PAGES
 * steps and the total work is linear in the file size. */

/* Metadata page (page 0) byte offsets: generic DBMETA, then the hash part (HMETA). */
#define META_MAGIC	12
#define META_VERSION	16
#define META_PAGESIZE	20
#define META_ENCRYPT	24
#define META_TYPE	25
#define META_FLAGS	26
#define META_LAST_PGNO	32
#define META_MAX_BUCKET 72
#define META_SPARES	96
#define META_NSPARES	32
#define META_END	(META_SPARES + 4 * META_NSPARES)

#define HASH_MAGIC    0x00061561u
#define DBMETA_CHKSUM 0x01

/* Page header (26 bytes), then the item offset array on hash pages or the data on overflow
 * pages. */
#define PG_PGNO	    8
#define PG_NEXT	    16
#define PG_ENTRIES  20
#define PG_HFOFFSET 22 /* overflow pages: bytes of data on this page */
#define PG_TYPE	    25
#define PG_HDR	    26

#define P_HASH_UNSORTED 2
#define P_OVERFLOW	7
#define P_HASHMETA	8
#define P_HASH		13

#define H_KEYDATA     1
#define H_OFFPAGE     3
#define HOFFPAGE_SIZE 12 /* type, 3 unused, pgno, tlen */

typedef struct bdb {
	const uint8_t *p;
	uint32_t pagesize;
	uint32_t npages;
	bool swapped;
	uint8_t *seen; /* one bit per page */
	uint8_t *val;  /* overflow value reassembly */
	size_t valcap;
	lading_ctx *ctx;
	const char *label;
} bdb;

static inline uint16_t rd16(const bdb *db, const uint8_t *q)
{
	return db->swapped ? (uint16_t)(q[0] << 8 | q[1]) : (uint16_t)(q[1] << 8 | q[0]);
}

static inline uint32_t rd32(const bdb *db, const uint8_t *q)
{
	if (db->swapped)
		return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

/* The page `pg` if it exists, is not yet visited, and says it is page `pg`; else NULL. */
static const uint8_t *take_page(bdb *db, uint32_t pg, const char **why)
{
	const uint8_t *page;
	if (pg == 0 || pg >= db->npages) {
		*why = "page number out of range";
		return NULL;
	}
	if (db->seen[pg / 8] & (1u << (pg % 8))) {
		*why = "page linked twice (loop)";
		return NULL;
	}
	db->seen[pg / 8] |= (uint8_t)(1u << (pg % 8));
	page = db->p + (size_t)pg * db->pagesize;
	if (rd32(db, page + PG_PGNO) != pg) {
		*why = "page number mismatch";
		return NULL;
	}
	return page;
}

/* Reassemble a value stored on a chain of overflow pages into db->val. Returns 0, 1 for a bad
 * chain (*why says why) or a negative LADING_E* code. */
static int overflow_value(bdb *db, uint32_t pg, uint32_t tlen, const char **why)
{
	size_t have = 0;

	if (tlen == 0 || tlen > BDB_MAX_VALUE) {
		*why = tlen ? "value exceeds the size limit" : "empty overflow value";
		return 1;
	}
	if (tlen > db->valcap) {
		uint8_t *nv = realloc(db->val, tlen);
		if (!nv)
			return ld_error_set(db->ctx, LADING_ENOMEM, "%s: out of memory", db->label);
		db->val = nv;
		db->valcap = tlen;
	}
	while (have < tlen) {
		const uint8_t *page = take_page(db, pg, why);
		uint32_t plen;
		if (!page)
			return 1;
		if (page[PG_TYPE] != P_OVERFLOW) {
			*why = "overflow chain reaches a page that is not an overflow page";
			return 1;
		}
		plen = rd16(db, page + PG_HFOFFSET);
		if (plen == 0 || plen > db->pagesize - PG_HDR || plen > tlen - have) {
			*why = "bad overflow page length";
			return 1;
		}
		memcpy(db->val + have, page + PG_HDR, plen);
		have += plen;
		pg = rd32(db, page + PG_NEXT);
		if (have < tlen && pg == 0) {
			*why = "overflow chain ends early";
			return 1;
		}
	}
	return 0;
}

/* One key/data pair at item offsets koff (key) and voff (value), with their lengths. */
static int pair(bdb *db, const uint8_t *page, uint32_t koff, uint32_t klen, uint32_t voff,
		uint32_t vlen, ld_rpmdb_blob_fn fn, void *opaque)
{
	uint64_t id = 0;
	const char *why = NULL;
	int rc;

	if (page[koff] == H_KEYDATA && klen == 5) {
		id = rd32(db, page + koff + 1);
		if (id == 0)
			return 0; /* rpm's record 0 holds the next package number, not a header */
	}
	if (page[voff] == H_KEYDATA) {
		return fn(opaque, id, page + voff + 1, vlen - 1);
	} else if (page[voff] == H_OFFPAGE) {
		if (vlen < HOFFPAGE_SIZE) {
			why = "short overflow reference";
		} else {
			rc = overflow_value(db, rd32(db, page + voff + 4),
					    rd32(db, page + voff + 8), &why);
			if (rc == 0)
				return fn(opaque, id, db->val, rd32(db, page + voff + 8));
			if (rc < 0)
				return rc;
		}
	} else {
		why = "unsupported item type (duplicates?)";
	}
	ld_warn(db->ctx, "%s: skipped record %" PRIu64 ": %s", db->label, id, why);
	return 0;
}

/* All pairs of one hash page. A malformed item offset array ends the page with a warning. */
static int hash_page(bdb *db, uint32_t pg, const uint8_t *page, ld_rpmdb_blob_fn fn, void *opaque)
{
	uint32_t nent = rd16(db, page + PG_ENTRIES), i, prev = db->pagesize, minoff;
	int rc;

	if ((uint64_t)PG_HDR + 2 * (uint64_t)nent > db->pagesize) {
		ld_warn(db->ctx, "%s: hash page %u: %u entries do not fit", db->label, pg, nent);
		return 0;
	}
	minoff = PG_HDR + 2 * nent;
	for (i = 0; i + 1 < nent; i += 2) {
		uint32_t koff = rd16(db, page + PG_HDR + 2 * i);
		uint32_t voff = rd16(db, page + PG_HDR + 2 * i + 2);
		/* items grow down from the end of the page: key above value, both below the
		 * previous */
		if (koff >= prev || voff >= koff || voff < minoff) {
			ld_warn(db->ctx, "%s: hash page %u: bad item offsets", db->label, pg);
			return 0;
		}
		if ((rc = pair(db, page, koff, prev - koff, voff, koff - voff, fn, opaque)) != 0)
			return rc;
		prev = voff;
	}
	return 0;
}

static uint32_t bucket_page(const uint32_t *spares, uint32_t bucket)
{
	unsigned bits = 0;
	for (uint32_t b = bucket; b; b >>= 1)
		bits++;
	/* bits <= 24 since bucket < BDB_MAX_PAGES; the sum may wrap and is range-checked later */
	return bucket + spares[bits < META_NSPARES ? bits : META_NSPARES - 1];
}

int ld_rpmdb_bdb_foreach(const uint8_t *p, size_t len, ld_rpmdb_blob_fn fn, void *opaque,
			 lading_ctx *ctx, const char *label)
{
	bdb db;
	uint32_t magic, version, last_pgno, max_bucket, spares[META_NSPARES];
	uint64_t avail;
	int rc = 0;

	memset(&db, 0, sizeof(db));
	db.p = p;
	db.ctx = ctx;
	db.label = label;
	if (len < META_END)
		return ld_error_set(ctx, LADING_EINVALID, "%s: too short for a Berkeley DB", label);
	magic = (uint32_t)p[META_MAGIC] | (uint32_t)p[META_MAGIC + 1] << 8 |
		(uint32_t)p[META_MAGIC + 2] << 16 | (uint32_t)p[META_MAGIC + 3] << 24;
	if (magic == HASH_MAGIC)
		db.swapped = false;
	else if (magic == __builtin_bswap32(HASH_MAGIC))
		db.swapped = true;
	else
		return ld_error_set(ctx, LADING_EINVALID, "%s: not a Berkeley DB hash database",
				    label);
	version = rd32(&db, p + META_VERSION);
	db.pagesize = rd32(&db, p + META_PAGESIZE);
	if (version < 8 || version > 10)
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "%s: Berkeley DB hash version %u",
				    label, version);
	if (p[META_TYPE] != P_HASHMETA)
		return ld_error_set(ctx, LADING_EINVALID, "%s: page 0 is not a hash metadata page",
				    label);
	if (db.pagesize < BDB_MIN_PAGESIZE || db.pagesize > BDB_MAX_PAGESIZE ||
	    (db.pagesize & (db.pagesize - 1)) != 0)
		return ld_error_set(ctx, LADING_EINVALID, "%s: bad page size %u", label,
				    db.pagesize);
	if (p[META_ENCRYPT] != 0 || (p[META_FLAGS] & DBMETA_CHKSUM))
		return ld_error_set(ctx, LADING_EUNSUPPORTED,
				    "%s: encrypted or checksummed Berkeley DB pages", label);
	last_pgno = rd32(&db, p + META_LAST_PGNO);
	max_bucket = rd32(&db, p + META_MAX_BUCKET);
	for (int i = 0; i < META_NSPARES; i++)
		spares[i] = rd32(&db, p + META_SPARES + 4 * i);

	if ((uint64_t)last_pgno + 1 > BDB_MAX_PAGES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %u pages (limit %" PRIu64 ")", label,
				    last_pgno, BDB_MAX_PAGES);
	avail = len / db.pagesize;
	db.npages = last_pgno + 1;
	if (avail < db.npages) {
		if (avail < 2)
			return ld_error_set(ctx, LADING_EINVALID, "%s: truncated: no data pages",
					    label);
		ld_warn(ctx, "%s: truncated: %u pages declared, %" PRIu64 " present", label,
			db.npages, avail);
		db.npages = (uint32_t)avail;
	}
	if (max_bucket >= db.npages)
		return ld_error_set(ctx, LADING_EINVALID, "%s: %u hash buckets in %u pages", label,
				    max_bucket + 1, db.npages);
	if (!(db.seen = calloc((size_t)db.npages / 8 + 1, 1)))
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", label);

	for (uint32_t bucket = 0; bucket <= max_bucket; bucket++) {
		uint32_t pg = bucket_page(spares, bucket);
		/* a bucket is a chain of hash pages linked by next_pgno */
		while (pg != 0) {
			const char *why = NULL;
			const uint8_t *page = take_page(&db, pg, &why);
			if (page && page[PG_TYPE] != P_HASH && page[PG_TYPE] != P_HASH_UNSORTED)
				why = "not a hash page";
			if (!page || why) {
				ld_warn(ctx, "%s: hash bucket %u: page %u: %s", label, bucket, pg,
					why);
				break;
			}
			if ((rc = hash_page(&db, pg, page, fn, opaque)) != 0)
				goto out;
			pg = rd32(&db, page + PG_NEXT);
		}
	}
out:
	free(db.seen);
	free(db.val);
	return rc;
}

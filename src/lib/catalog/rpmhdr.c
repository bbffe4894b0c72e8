/* RPM header blobs as stored in the package databases: il (index entry count) and dl (data store
 * length), both big-endian 32-bit, then il index entries of 16 bytes {tag, type, offset, count}
 * and dl bytes of data. Only the tags a package inventory needs are decoded. */
#include "util/common.h"

#include "catalog/rpmdb.h"

/* Named limits. rpm refuses headers with more than 0xffff index entries or more than 16 MiB of
 * data (lib/header.c); we take the same bounds. Files: real packages have at most ~10^5 files. */
#define RPMHDR_MAX_INDEX      0xffffu		   /* index entries per header */
#define RPMHDR_MAX_DATA	      ((uint32_t)16 << 20) /* bytes in the data store */
#define RPMHDR_MAX_FILES      ((uint32_t)1 << 20)  /* files (and dirnames) per package */
#define RPMHDR_MAX_PATH	      ((size_t)4096)	   /* bytes in one file path */
#define RPMHDR_MAX_PATH_BYTES ((size_t)64 << 20)   /* all file paths of one package */

#define ENTRY_SIZE 16

enum {
	T_NULL,
	T_CHAR,
	T_INT8,
	T_INT16,
	T_INT32,
	T_INT64,
	T_STRING,
	T_BIN,
	T_STRING_ARRAY,
	T_I18NSTRING,
	T_MAX = T_I18NSTRING
};

/* Region tags: the first entry of a header that carries an immutable region. */
#define TAG_HEADERIMAGE	     61
#define TAG_HEADERSIGNATURES 62
#define TAG_HEADERIMMUTABLE  63

/* The tags we decode, as slots in a small table. */
enum {
	W_NAME,
	W_VERSION,
	W_RELEASE,
	W_EPOCH,
	W_SIZE,
	W_VENDOR,
	W_LICENSE,
	W_ARCH,
	W_OLDFILENAMES,
	W_SOURCERPM,
	W_DIRINDEXES,
	W_BASENAMES,
	W_DIRNAMES,
	W_LONGSIZE,
	W_MODULARITYLABEL,
	W_COUNT
};

static int want_slot(uint32_t tag)
{
	switch (tag) {
	case 1000: return W_NAME;
	case 1001: return W_VERSION;
	case 1002: return W_RELEASE;
	case 1003: return W_EPOCH;
	case 1009: return W_SIZE;
	case 1011: return W_VENDOR;
	case 1014: return W_LICENSE;
	case 1022: return W_ARCH;
	case 1027: return W_OLDFILENAMES;
	case 1044: return W_SOURCERPM;
	case 1116: return W_DIRINDEXES;
	case 1117: return W_BASENAMES;
	case 1118: return W_DIRNAMES;
	case 5009: return W_LONGSIZE;
	case 5096: return W_MODULARITYLABEL;
	default: return -1;
	}
}

static const char *const slot_name[W_COUNT] = {
	"NAME",	      "VERSION",   "RELEASE",  "EPOCH",	       "SIZE",
	"VENDOR",     "LICENSE",   "ARCH",     "OLDFILENAMES", "SOURCERPM",
	"DIRINDEXES", "BASENAMES", "DIRNAMES", "LONGSIZE",     "MODULARITYLABEL"};

typedef struct ent {
	uint32_t tag, type, off, count;
} ent;

typedef struct hdr {
	const uint8_t *data; /* the data store */
	uint32_t dl;
	ent e[W_COUNT];
	bool have[W_COUNT];
	ld_arena *a;
	lading_ctx *ctx;
} hdr;

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void read_ent(const uint8_t *p, ent *e)
{
	e->tag = be32(p);
	e->type = be32(p + 4);
	e->off = be32(p + 8);
	e->count = be32(p + 12);
}

static int bad(hdr *h, int w, const char *what)
{
	return ld_error_set(h->ctx, LADING_EINVALID, "rpm header: tag %s: %s", slot_name[w], what);
}

static int oom(hdr *h)
{
	return ld_error_set(h->ctx, h->a->err ? h->a->err : LADING_ENOMEM,
			    "rpm header: out of memory for package data");
}

/* Walk `count` NUL-terminated strings starting at `off` in the data store. */
typedef struct strarr {
	const uint8_t *p, *end;
	uint32_t left;
} strarr;

static void strarr_init(const hdr *h, const ent *e, strarr *it)
{
	it->p = h->data + (e->off <= h->dl ? e->off : h->dl);
	it->end = h->data + h->dl;
	it->left = e->count;
}

/* false at the end or on a string that runs off the data store (it->p is then NULL). */
static bool strarr_next(strarr *it, ld_slice *s)
{
	const uint8_t *z;
	if (!it->left || !it->p)
		return false;
	z = memchr(it->p, 0, (size_t)(it->end - it->p));
	if (!z) {
		it->p = NULL;
		return false;
	}
	*s = ld_slice_make(it->p, (size_t)(z - it->p));
	it->p = z + 1;
	it->left--;
	return true;
}

/* The first string of a STRING, I18NSTRING or STRING_ARRAY entry, copied into the arena. */
static int get_str(hdr *h, int w, const char **out)
{
	const ent *e = &h->e[w];
	strarr it;
	ld_slice s;

	*out = NULL;
	if (!h->have[w])
		return 0;
	if (e->type != T_STRING && e->type != T_I18NSTRING && e->type != T_STRING_ARRAY)
		return bad(h, w, "not a string");
	if (e->count == 0 || (e->type == T_STRING && e->count != 1))
		return bad(h, w, "bad string count");
	strarr_init(h, e, &it);
	if (!strarr_next(&it, &s))
		return bad(h, w, "string runs past the data store");
	if (!(*out = ld_arena_strndup(h->a, s.ptr, s.len)))
		return oom(h);
	return 0;
}

/* Check that `count` integers of `size` bytes fit at the entry's offset. */
static int int_array(hdr *h, int w, uint32_t type, size_t size, const uint8_t **out)
{
	const ent *e = &h->e[w];
	if (e->type != type)
		return bad(h, w, "unexpected type");
	if (e->count == 0 || (uint64_t)e->off + (uint64_t)e->count * size > h->dl)
		return bad(h, w, "integer array runs past the data store");
	*out = h->data + e->off;
	return 0;
}

/* Count the strings of a string array and check they all lie in the data store. */
static int str_array(hdr *h, int w, strarr *it)
{
	const ent *e = &h->e[w];
	if (e->type != T_STRING_ARRAY)
		return bad(h, w, "not a string array");
	if (e->count > RPMHDR_MAX_FILES)
		return ld_error_set(h->ctx, LADING_ELIMIT,
				    "rpm header: tag %s: %u entries (limit %u)", slot_name[w],
				    e->count, RPMHDR_MAX_FILES);
	/* every string takes at least one byte: a count beyond the store is a lie */
	if (e->count > h->dl)
		return bad(h, w, "more strings than data bytes");
	strarr_init(h, e, it);
	return 0;
}

static int path_limit(hdr *h, size_t plen, size_t total)
{
	if (plen > RPMHDR_MAX_PATH)
		return ld_error_set(h->ctx, LADING_ELIMIT,
				    "rpm header: file path of %zu bytes (limit %zu)", plen,
				    RPMHDR_MAX_PATH);
	if (total > RPMHDR_MAX_PATH_BYTES)
		return ld_error_set(h->ctx, LADING_ELIMIT,
				    "rpm header: file paths exceed %zu bytes in one package",
				    RPMHDR_MAX_PATH_BYTES);
	return 0;
}

/* Files from DIRNAMES/DIRINDEXES/BASENAMES (rpm >= 4.0 "compressed" file names). Two passes over
 * the basenames: size and validate, then fill one arena block, so a package costs two
 * allocations however many files it has. */
static int get_files_compressed(hdr *h, ld_rpm_pkg *out)
{
	const uint8_t *dix = NULL;
	ld_slice *dirs = NULL, s;
	strarr it;
	uint32_t n, nd, i;
	size_t total = 0;
	char *buf, *w;
	const char **files;
	int rc;

	if (!h->have[W_DIRNAMES] || !h->have[W_DIRINDEXES])
		return bad(h, W_BASENAMES, "present without DIRNAMES/DIRINDEXES");
	if ((rc = str_array(h, W_BASENAMES, &it)) != 0)
		return rc;
	n = h->e[W_BASENAMES].count;
	if (n == 0)
		return 0;
	if ((rc = int_array(h, W_DIRINDEXES, T_INT32, 4, &dix)) != 0)
		return rc;
	if (h->e[W_DIRINDEXES].count != n)
		return bad(h, W_DIRINDEXES, "count differs from BASENAMES");

	if ((rc = str_array(h, W_DIRNAMES, &it)) != 0)
		return rc;
	nd = h->e[W_DIRNAMES].count;
	if (nd == 0)
		return bad(h, W_DIRNAMES, "empty while BASENAMES is not");
	if (!(dirs = calloc(nd, sizeof(*dirs))))
		return ld_error_set(h->ctx, LADING_ENOMEM, "rpm header: out of memory");
	for (i = 0; i < nd; i++) {
		if (!strarr_next(&it, &dirs[i])) {
			rc = bad(h, W_DIRNAMES, "string runs past the data store");
			goto out;
		}
	}

	strarr_init(h, &h->e[W_BASENAMES], &it);
	for (i = 0; i < n; i++) {
		uint32_t di = be32(dix + 4 * (size_t)i);
		size_t plen;
		if (!strarr_next(&it, &s)) {
			rc = bad(h, W_BASENAMES, "string runs past the data store");
			goto out;
		}
		if (di >= nd) {
			rc = bad(h, W_DIRINDEXES, "index beyond DIRNAMES");
			goto out;
		}
		plen = dirs[di].len + s.len;
		total += plen + 1; /* cannot wrap: each term is below the data store size */
		if ((rc = path_limit(h, plen, total)) != 0)
			goto out;
	}

	files = ld_arena_array(h->a, n, sizeof(*files));
	buf = ld_arena_alloc(h->a, total);
	if (!files || !buf) {
		rc = oom(h);
		goto out;
	}
	w = buf;
	strarr_init(h, &h->e[W_BASENAMES], &it);
	for (i = 0; i < n; i++) {
		const ld_slice *d = &dirs[be32(dix + 4 * (size_t)i)];
		(void)strarr_next(&it, &s); /* validated above */
		files[i] = w;
		memcpy(w, d->ptr, d->len);
		w += d->len;
		memcpy(w, s.ptr, s.len);
		w += s.len;
		*w++ = '\0';
	}
	out->files = files;
	out->nfiles = n;
	rc = 0;
out:
	free(dirs);
	return rc;
}

/* Files from OLDFILENAMES (rpm 3 headers: one full path per file). */
static int get_files_old(hdr *h, ld_rpm_pkg *out)
{
	strarr it;
	ld_slice s;
	uint32_t n, i;
	size_t total = 0;
	const char **files;
	char *buf, *w;
	int rc;

	if ((rc = str_array(h, W_OLDFILENAMES, &it)) != 0)
		return rc;
	n = h->e[W_OLDFILENAMES].count;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!strarr_next(&it, &s))
			return bad(h, W_OLDFILENAMES, "string runs past the data store");
		total += s.len + 1;
		if ((rc = path_limit(h, s.len, total)) != 0)
			return rc;
	}
	files = ld_arena_array(h->a, n, sizeof(*files));
	buf = ld_arena_alloc(h->a, total);
	if (!files || !buf)
		return oom(h);
	w = buf;
	strarr_init(h, &h->e[W_OLDFILENAMES], &it);
	for (i = 0; i < n; i++) {
		(void)strarr_next(&it, &s);
		files[i] = w;
		memcpy(w, s.ptr, s.len);
		w += s.len;
		*w++ = '\0';
	}
	out->files = files;
	out->nfiles = n;
	return 0;
}

/* A header that starts with a region tag must carry a consistent region trailer: that is how
 * rpm tells the signed immutable part from entries added at install time. */
static int check_region(const uint8_t *idx, uint32_t il, const uint8_t *data, uint32_t dl,
			lading_ctx *ctx)
{
	ent r, t;
	int32_t toff;

	read_ent(idx, &r);
	if (r.tag != TAG_HEADERIMAGE && r.tag != TAG_HEADERSIGNATURES &&
	    r.tag != TAG_HEADERIMMUTABLE)
		return 0; /* legacy header without a region */
	if (r.type != T_BIN || r.count != ENTRY_SIZE || dl < ENTRY_SIZE || r.off > dl - ENTRY_SIZE)
		return ld_error_set(ctx, LADING_EINVALID, "rpm header: bad region tag %u", r.tag);
	read_ent(data + r.off, &t);
	toff = (int32_t)t.off;
	if (t.tag != r.tag || t.type != T_BIN || t.count != ENTRY_SIZE || toff >= 0 ||
	    toff % ENTRY_SIZE != 0 || (uint32_t)(-(int64_t)toff / ENTRY_SIZE) > il)
		return ld_error_set(ctx, LADING_EINVALID, "rpm header: bad region trailer");
	return 0;
}

int ld_rpm_header_parse(const uint8_t *p, size_t len, ld_arena *a, ld_rpm_pkg *out, lading_ctx *ctx)
{
	hdr h;
	uint32_t il, dl, i;
	const uint8_t *idx, *ip;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof(h));
	h.a = a;
	h.ctx = ctx;
	if (len < 8)
		return ld_error_set(ctx, LADING_EINVALID, "rpm header: %zu bytes, too short", len);
	il = be32(p);
	dl = be32(p + 4);
	if (il == 0)
		return ld_error_set(ctx, LADING_EINVALID, "rpm header: no index entries");
	if (il > RPMHDR_MAX_INDEX)
		return ld_error_set(ctx, LADING_ELIMIT, "rpm header: %u index entries (limit %u)",
				    il, RPMHDR_MAX_INDEX);
	if (dl > RPMHDR_MAX_DATA)
		return ld_error_set(ctx, LADING_ELIMIT, "rpm header: %u data bytes (limit %u)", dl,
				    RPMHDR_MAX_DATA);
	/* both bounded above, so the sum fits easily */
	if ((uint64_t)8 + (uint64_t)il * ENTRY_SIZE + dl > len)
		return ld_error_set(
			ctx, LADING_EINVALID,
			"rpm header: truncated (%u entries, %u data bytes, %zu bytes given)", il,
			dl, len);
	idx = p + 8;
	h.data = idx + (size_t)il * ENTRY_SIZE;
	h.dl = dl;
	if ((rc = check_region(idx, il, h.data, dl, ctx)) != 0)
		return rc;

	/* Later entries win: entries appended after the region (at install time) replace region
	 * entries with the same tag, as rpm's header loading does. */
	for (i = 0, ip = idx; i < il; i++, ip += ENTRY_SIZE) {
		ent e;
		int w;
		read_ent(ip, &e);
		if (e.type > T_MAX)
			return ld_error_set(ctx, LADING_EINVALID,
					    "rpm header: entry %u: bad type %u", i, e.type);
		if ((w = want_slot(e.tag)) < 0)
			continue;
		h.e[w] = e;
		h.have[w] = true;
	}
	if (!h.have[W_NAME] || !h.have[W_VERSION] || !h.have[W_RELEASE])
		return ld_error_set(ctx, LADING_EINVALID,
				    "rpm header: no NAME, VERSION or RELEASE");

	if ((rc = get_str(&h, W_NAME, &out->name)) ||
	    (rc = get_str(&h, W_VERSION, &out->version)) ||
	    (rc = get_str(&h, W_RELEASE, &out->release)) ||
	    (rc = get_str(&h, W_ARCH, &out->arch)) ||
	    (rc = get_str(&h, W_SOURCERPM, &out->sourcerpm)) ||
	    (rc = get_str(&h, W_VENDOR, &out->vendor)) ||
	    (rc = get_str(&h, W_LICENSE, &out->license)) ||
	    (rc = get_str(&h, W_MODULARITYLABEL, &out->modularitylabel)))
		return rc;
	if (out->name[0] == '\0')
		return bad(&h, W_NAME, "empty");

	if (h.have[W_EPOCH]) {
		const uint8_t *q;
		if ((rc = int_array(&h, W_EPOCH, T_INT32, 4, &q)) != 0)
			return rc;
		out->epoch = (int32_t)be32(q);
		out->has_epoch = true;
	}
	if (h.have[W_LONGSIZE]) {
		const uint8_t *q;
		if ((rc = int_array(&h, W_LONGSIZE, T_INT64, 8, &q)) != 0)
			return rc;
		out->size = be64(q);
	} else if (h.have[W_SIZE]) {
		const uint8_t *q;
		if ((rc = int_array(&h, W_SIZE, T_INT32, 4, &q)) != 0)
			return rc;
		out->size = be32(q); /* unsigned on disk, despite the INT32 type */
	}

	if (h.have[W_BASENAMES])
		rc = get_files_compressed(&h, out);
	else if (h.have[W_OLDFILENAMES])
		rc = get_files_old(&h, out);
	if (rc) {
		out->files = NULL;
		out->nfiles = 0;
	}
	return rc;
}

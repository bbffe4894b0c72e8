/* Zip central directory reader and forward local-header reader (zip.h). */
#include "util/zip.h"

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool sig(const unsigned char *p, unsigned char a, unsigned char b)
{
	return p[0] == 'P' && p[1] == 'K' && p[2] == a && p[3] == b;
}

/* The zip64 end record named by the locator just before the classic record at `at`. */
static int open_zip64(ld_zip *z, uint64_t at)
{
	const unsigned char *loc, *rec;
	uint64_t off;
	if (at < LD_ZIP_LOCATOR_LEN)
		return LADING_EINVALID;
	loc = z->data + at - LD_ZIP_LOCATOR_LEN;
	if (!sig(loc, 6, 7))
		return LADING_EINVALID;
	off = le64(loc + 8);
	if (off > at - LD_ZIP_LOCATOR_LEN || at - LD_ZIP_LOCATOR_LEN - off < LD_ZIP_EOCD64_LEN)
		return LADING_EINVALID;
	rec = z->data + off;
	if (!sig(rec, 6, 6))
		return LADING_EINVALID;
	z->count = le64(rec + 32);
	z->cd_size = le64(rec + 40);
	z->cd_off = le64(rec + 48);
	z->zip64 = true;
	/* the directory ends where the zip64 record starts */
	if (z->cd_size > off || z->cd_off > off - z->cd_size)
		return LADING_EINVALID;
	z->base = off - z->cd_size - z->cd_off;
	z->cd_off += z->base;
	return 0;
}

/* Is the classic end record at `at` the real one? Fills z when it is. */
static bool try_eocd(ld_zip *z, uint64_t at)
{
	const unsigned char *p = z->data + at;
	uint16_t n16 = le16(p + 10);
	uint32_t size32 = le32(p + 12), off32 = le32(p + 16);
	if (!sig(p, 5, 6) || at + LD_ZIP_EOCD_LEN + le16(p + 20) != z->len)
		return false; /* the comment must reach the end exactly: a record inside it does not */
	if (n16 == 0xffff || size32 == 0xffffffffu || off32 == 0xffffffffu) {
		if (open_zip64(z, at) == 0)
			return true;
	}
	z->zip64 = false;
	z->count = n16;
	z->cd_size = size32;
	if (z->cd_size > at || off32 > at - z->cd_size)
		return false;
	z->base = at - z->cd_size - off32;
	z->cd_off = off32 + z->base;
	return z->count == 0 || (z->cd_size >= 4 && sig(z->data + z->cd_off, 1, 2));
}

int ld_zip_open(ld_zip *z, const unsigned char *data, size_t len)
{
	uint64_t at, stop;
	memset(z, 0, sizeof(*z));
	z->data = data;
	z->len = len;
	if (len < LD_ZIP_EOCD_LEN)
		return LADING_EINVALID;
	at = len - LD_ZIP_EOCD_LEN;
	stop = at > LD_ZIP_MAX_COMMENT ? at - LD_ZIP_MAX_COMMENT : 0;
	for (;; at--) {
		if (data[at] == 'P' && try_eocd(z, at))
			return 0;
		if (at == stop)
			break;
	}
	memset(z, 0, sizeof(*z));
	return LADING_EINVALID;
}

/* Fields at 0xffffffff come from the zip64 extra field (0x0001), in its fixed order. */
static int zip64_extra(ld_slice extra, ld_zip_entry *e, bool usize, bool csize, bool off)
{
	while (extra.len >= 4) {
		const unsigned char *p = (const unsigned char *)extra.ptr;
		uint16_t id = le16(p), n = le16(p + 2);
		size_t at = 4;
		if ((size_t)n > extra.len - 4)
			return LADING_EINVALID;
		if (id == 1) {
			if (usize) {
				if (at + 8 > 4u + n)
					return LADING_EINVALID;
				e->usize = le64(p + at);
				at += 8;
			}
			if (csize) {
				if (at + 8 > 4u + n)
					return LADING_EINVALID;
				e->csize = le64(p + at);
				at += 8;
			}
			if (off) {
				if (at + 8 > 4u + n)
					return LADING_EINVALID;
				e->offset = le64(p + at);
			}
			return 0;
		}
		extra = ld_slice_sub(extra, 4u + n, extra.len);
	}
	return LADING_EINVALID;
}

int ld_zip_next(const ld_zip *z, ld_zip_iter *it, ld_zip_entry *e)
{
	const unsigned char *p;
	uint64_t left, need;
	uint16_t nlen, xlen, clen;
	uint32_t c32, u32, o32;
	if (it->pos >= z->cd_size || it->n >= z->count)
		return 0;
	left = z->cd_size - it->pos;
	p = z->data + z->cd_off + it->pos;
	if (left < LD_ZIP_CDH_LEN || !sig(p, 1, 2))
		return LADING_EINVALID;
	nlen = le16(p + 28);
	xlen = le16(p + 30);
	clen = le16(p + 32);
	need = (uint64_t)LD_ZIP_CDH_LEN + nlen + xlen + clen;
	if (need > left)
		return LADING_EINVALID;
	memset(e, 0, sizeof(*e));
	e->made_by = le16(p + 4);
	e->flags = le16(p + 8);
	e->method = le16(p + 10);
	e->crc = le32(p + 16);
	c32 = le32(p + 20);
	u32 = le32(p + 24);
	o32 = le32(p + 42);
	e->ext_attr = le32(p + 38);
	e->csize = c32;
	e->usize = u32;
	e->offset = o32;
	e->name = ld_slice_make(p + LD_ZIP_CDH_LEN, nlen);
	if ((c32 == 0xffffffffu || u32 == 0xffffffffu || o32 == 0xffffffffu) &&
	    zip64_extra(ld_slice_make(p + LD_ZIP_CDH_LEN + nlen, xlen), e, u32 == 0xffffffffu,
			c32 == 0xffffffffu, o32 == 0xffffffffu))
		return LADING_EINVALID;
	if (e->offset > UINT64_MAX - z->base)
		return LADING_EINVALID;
	e->offset += z->base;
	it->pos += need;
	it->n++;
	return 1;
}

bool ld_zip_regular(const ld_zip_entry *e)
{
	unsigned host = e->made_by >> 8, type = (e->ext_attr >> 16) & 0170000u;
	if (e->name.len && e->name.ptr[e->name.len - 1] == '/')
		return false;
	if (host == 3 && type) /* Unix: the file type in the high bits */
		return type == 0100000u;
	return !(e->ext_attr & 0x10); /* MS-DOS directory attribute */
}

int ld_zip_data(const ld_zip *z, const ld_zip_entry *e, ld_slice *out, uint64_t *end)
{
	const unsigned char *p;
	uint64_t start;
	*out = LD_SLICE_NULL;
	if (e->offset > z->cd_off || z->cd_off - e->offset < LD_ZIP_LFH_LEN)
		return LADING_EINVALID;
	p = z->data + e->offset;
	if (!sig(p, 3, 4))
		return LADING_EINVALID;
	start = e->offset + LD_ZIP_LFH_LEN + le16(p + 26) + le16(p + 28);
	if (start > z->cd_off || e->csize > z->cd_off - start)
		return LADING_EINVALID;
	*out = ld_slice_make(z->data + start, (size_t)e->csize);
	if (end)
		*end = start + e->csize;
	return 0;
}

int ld_zip_local_parse(const unsigned char *p, size_t avail, ld_zip_local *out)
{
	uint16_t nlen, xlen;
	uint32_t c32;
	if (avail < 4)
		return 0;
	if (!sig(p, 3, 4))
		return LADING_EINVALID;
	if (avail < LD_ZIP_LFH_LEN)
		return 0;
	nlen = le16(p + 26);
	xlen = le16(p + 28);
	if (avail < (size_t)LD_ZIP_LFH_LEN + nlen + xlen)
		return 0;
	memset(out, 0, sizeof(*out));
	out->flags = le16(p + 6);
	out->method = le16(p + 8);
	out->header_len = (uint64_t)LD_ZIP_LFH_LEN + nlen + xlen;
	out->name = ld_slice_make(p + LD_ZIP_LFH_LEN, nlen);
	c32 = le32(p + 18);
	out->csize = c32;
	if (c32 == 0xffffffffu) {
		ld_zip_entry e;
		memset(&e, 0, sizeof(e));
		/* a local zip64 extra holds both sizes, uncompressed first */
		if (zip64_extra(ld_slice_make(p + LD_ZIP_LFH_LEN + nlen, xlen), &e, true, true, false))
			return LADING_EINVALID;
		out->csize = e.csize;
	}
	/* with a descriptor the header's sizes are zeros (or lies): the data's end is found later */
	out->sized = !(out->flags & LD_ZIP_FLAG_DESCRIPTOR);
	return 1;
}

/* Is there a data descriptor of `dist` compressed bytes ending at p + at? */
static bool descriptor_before(const unsigned char *p, size_t at, uint64_t dist_base)
{
	/* layouts: [sig] crc csize usize, sizes of 4 or 8 bytes */
	static const struct {
		size_t len, csize_at;
		bool has_sig;
		bool wide;
	} forms[] = {{16, 8, true, false}, {12, 4, false, false}, {24, 8, true, true},
		     {20, 4, false, true}};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const unsigned char *d;
		uint64_t csize;
		if (at < forms[i].len)
			continue;
		d = p + at - forms[i].len;
		if (forms[i].has_sig && !sig(d, 7, 8))
			continue;
		csize = forms[i].wide ? le64(d + forms[i].csize_at) : le32(d + forms[i].csize_at);
		if (csize == dist_base + (at - forms[i].len))
			return true;
	}
	return false;
}

int64_t ld_zip_descriptor_end(const unsigned char *p, size_t avail, size_t from)
{
	if (avail > (size_t)INT64_MAX)
		avail = (size_t)INT64_MAX;
	for (size_t i = from; i + 4 <= avail; i++) {
		const unsigned char *q = memchr(p + i, 'P', avail - 3 - i);
		if (!q)
			break;
		i = (size_t)(q - p);
		if ((sig(q, 3, 4) || sig(q, 1, 2)) && descriptor_before(p, i, 0))
			return (int64_t)i;
	}
	return -1;
}

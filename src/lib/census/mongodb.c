/* MongoDB wire protocol: OP_MSG "hello" (is it MongoDB, which wire version) then "buildInfo"
 * (the version; allowed before authentication on stock servers) on the same connection. Servers
 * older than 3.6 know no OP_MSG and close: they are asked again with OP_QUERY "buildinfo".
 * A small BSON reader takes the top-level fields it needs; nothing is trusted from the input. */
#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define MONGO_MAX_REPLY (256 * 1024) /* bytes of one reply message we accept */
#define MONGO_MAX_ELEMENTS 1024	     /* top-level elements scanned in one document */

enum { OP_REPLY = 1, OP_QUERY = 2004, OP_MSG = 2013 };

static void put32(ld_buf *b, uint32_t v)
{
	char x[4] = {(char)v, (char)(v >> 8), (char)(v >> 16), (char)(v >> 24)};
	ld_buf_add(b, x, 4);
}

static uint32_t le32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* {<cmd>: 1, $db: "admin"} (OP_MSG) or {<cmd>: 1} (OP_QUERY) */
static void command_doc(ld_buf *b, const char *cmd, bool with_db)
{
	size_t start = b->len, clen = strlen(cmd);
	put32(b, 0);
	ld_buf_addc(b, 0x10);
	ld_buf_add(b, cmd, clen + 1);
	put32(b, 1);
	if (with_db) {
		ld_buf_addc(b, 0x02);
		ld_buf_add(b, "$db", 4);
		put32(b, 6);
		ld_buf_add(b, "admin", 6);
	}
	ld_buf_addc(b, 0);
	if (!ld_buf_error(b)) {
		uint32_t n = (uint32_t)(b->len - start);
		char x[4] = {(char)n, (char)(n >> 8), (char)(n >> 16), (char)(n >> 24)};
		memcpy(b->ptr + start, x, 4);
	}
}

bool ld_census_mongodb_request(unsigned step, const ld_census_obs *o, ld_buf *out)
{
	size_t start = out->len;
	(void)o;
	if (step > 2)
		return false;
	put32(out, 0);	      /* messageLength, patched below */
	put32(out, 1 + step); /* requestID */
	put32(out, 0);	      /* responseTo */
	if (step < 2) {
		put32(out, OP_MSG);
		put32(out, 0); /* flagBits */
		ld_buf_addc(out, 0); /* section kind 0: the body */
		command_doc(out, step == 0 ? "hello" : "buildInfo", true);
	} else {
		put32(out, OP_QUERY);
		put32(out, 0);
		ld_buf_add(out, "admin.$cmd", 11);
		put32(out, 0);
		put32(out, (uint32_t)-1);
		command_doc(out, "buildinfo", false);
	}
	if (ld_buf_error(out))
		return false;
	{
		uint32_t n = (uint32_t)(out->len - start);
		char x[4] = {(char)n, (char)(n >> 8), (char)(n >> 16), (char)(n >> 24)};
		memcpy(out->ptr + start, x, 4);
	}
	return true;
}

typedef struct bson_val {
	int type;
	ld_slice raw; /* the value's bytes */
} bson_val;

/* Size of a value of `type` at p[0..n), or -1 when malformed / unknown. */
static ptrdiff_t bson_value_size(int type, const char *p, size_t n)
{
	uint32_t l;
	switch (type) {
	case 1: case 9: case 17: case 18: return n >= 8 ? 8 : -1;
	case 19: return n >= 16 ? 16 : -1;
	case 7: return n >= 12 ? 12 : -1;
	case 8: return n >= 1 ? 1 : -1;
	case 16: return n >= 4 ? 4 : -1;
	case 6: case 10: case 127: case 255: return 0;
	case 2: case 13: case 14:
		if (n < 4 || (l = le32(p)) < 1 || l > n - 4 || p[4 + l - 1] != '\0')
			return -1;
		return (ptrdiff_t)4 + (ptrdiff_t)l;
	case 3: case 4: case 15:
		if (n < 4 || (l = le32(p)) < 5 || l > n)
			return -1;
		return (ptrdiff_t)l;
	case 5:
		if (n < 5 || (l = le32(p)) > n - 5)
			return -1;
		return (ptrdiff_t)5 + (ptrdiff_t)l;
	case 11: {
		const char *z1 = memchr(p, 0, n), *z2;
		if (!z1 || !(z2 = memchr(z1 + 1, 0, n - (size_t)(z1 + 1 - p))))
			return -1;
		return z2 + 1 - p;
	}
	case 12:
		if (n < 4 || (l = le32(p)) < 1 || l > n - 4 || n - 4 - l < 12)
			return -1;
		return (ptrdiff_t)4 + (ptrdiff_t)l + 12;
	default: return -1;
	}
}

/* Top-level element `key` of the document at doc; false when absent or malformed before it. */
static bool bson_get(ld_slice doc, const char *key, bson_val *out)
{
	uint32_t len;
	size_t off = 4;
	if (doc.len < 5 || (len = le32(doc.ptr)) < 5 || len > doc.len)
		return false;
	doc.len = len;
	for (unsigned i = 0; i < MONGO_MAX_ELEMENTS && off < doc.len - 1; i++) {
		int type = (unsigned char)doc.ptr[off++];
		const char *name = doc.ptr + off, *z = memchr(name, 0, doc.len - off);
		ptrdiff_t sz;
		if (!z || type == 0)
			return false;
		off = (size_t)(z + 1 - doc.ptr);
		sz = bson_value_size(type, doc.ptr + off, doc.len - off);
		if (sz < 0)
			return false;
		if (!strcmp(name, key)) {
			out->type = type;
			out->raw = ld_slice_make(doc.ptr + off, (size_t)sz);
			return true;
		}
		off += (size_t)sz;
	}
	return false;
}

static ld_slice bson_str(ld_slice doc, const char *key)
{
	bson_val v;
	if (!bson_get(doc, key, &v) || v.type != 2)
		return LD_SLICE_NULL;
	return ld_slice_sub(v.raw, 4, v.raw.len - 5);
}

static bool bson_num(ld_slice doc, const char *key, double *out)
{
	bson_val v;
	if (!bson_get(doc, key, &v))
		return false;
	if (v.type == 16) {
		*out = (double)(int32_t)le32(v.raw.ptr);
	} else if (v.type == 18) {
		uint64_t u = (uint64_t)le32(v.raw.ptr) | (uint64_t)le32(v.raw.ptr + 4) << 32;
		*out = (double)(int64_t)u;
	} else if (v.type == 1) {
		memcpy(out, v.raw.ptr, 8); /* little-endian IEEE 754 on every platform we build for */
	} else if (v.type == 8) {
		*out = v.raw.ptr[0] ? 1 : 0;
	} else {
		return false;
	}
	return true;
}

/* The reply's body document, or a null slice when `in` is not (yet) a whole MongoDB reply.
 * *verdict says MORE / NOMATCH when it returns null. */
static ld_slice reply_doc(ld_slice in, bool eof, ld_pv *verdict)
{
	uint32_t len, op;
	*verdict = LD_PV_NOMATCH;
	if (in.len < 16) {
		*verdict = eof ? LD_PV_NOMATCH : LD_PV_MORE;
		return LD_SLICE_NULL;
	}
	len = le32(in.ptr);
	op = le32(in.ptr + 12);
	if (len < 21 || len > MONGO_MAX_REPLY || (op != OP_MSG && op != OP_REPLY))
		return LD_SLICE_NULL;
	if (in.len < len) {
		*verdict = eof ? LD_PV_NOMATCH : LD_PV_MORE;
		return LD_SLICE_NULL;
	}
	if (op == OP_MSG) {
		/* flagBits, then section kind 0 with the body (a checksum may follow) */
		if (len < 21 || in.ptr[20] != 0)
			return LD_SLICE_NULL;
		return ld_slice_make(in.ptr + 21, len - 21);
	}
	/* OP_REPLY: responseFlags 4, cursorID 8, startingFrom 4, numberReturned 4, documents */
	if (len < 36 + 5 || le32(in.ptr + 32) < 1)
		return LD_SLICE_NULL;
	return ld_slice_make(in.ptr + 36, len - 36);
}

static const char *wire_release(double w)
{
	static const struct {
		int wire;
		const char *release;
	} map[] = {{6, "3.6"}, {7, "4.0"}, {8, "4.2"}, {9, "4.4"}, {13, "5.0"}, {17, "6.0"},
		   {21, "7.0"}, {25, "8.0"}};
	for (size_t i = 0; i < LD_ARRAY_LEN(map); i++)
		if ((int)w == map[i].wire)
			return map[i].release;
	return NULL;
}

ld_pv ld_census_mongodb_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	ld_pv verdict;
	ld_slice doc = reply_doc(in, eof, &verdict), v;
	double ok = 0, wire;
	if (!doc.ptr) {
		/* no OP_MSG answer at all: perhaps a server before 3.6, try OP_QUERY */
		if (verdict == LD_PV_NOMATCH && step == 0 && !in.len) {
			o->step_next = 2;
			return LD_PV_RECONNECT;
		}
		if (verdict == LD_PV_NOMATCH && o->product)
			return LD_PV_DONE;
		return verdict;
	}
	if (!bson_num(doc, "ok", &ok) && !bson_get(doc, "errmsg", &(bson_val){0}))
		return o->product ? LD_PV_DONE : LD_PV_NOMATCH;
	o->service = "mongodb";
	o->product = "mongodb";
	ld_census_obs_evidence(o, in);
	if (step == 0) {
		if (bson_num(doc, "maxWireVersion", &wire) && wire >= 0 && wire < 1000) {
			char w[16];
			const char *rel = wire_release(wire);
			ld_snprintf(w, sizeof(w), "%d", (int)wire);
			ld_census_obs_attr(o, "max_wire_version", ld_slice_cstr(w));
			if (rel)
				ld_census_obs_attr(o, "wire_release", ld_slice_cstr(rel));
		}
		if (ld_slice_eq_cstr(bson_str(doc, "msg"), "isdbgrid"))
			ld_census_obs_attr(o, "role", ld_slice_cstr("mongos"));
		if ((v = bson_str(doc, "setName")).len)
			ld_census_obs_attr(o, "replica_set", v);
		o->step_next = 1;
		return LD_PV_NEXT;
	}
	if (ok >= 1 && (v = bson_str(doc, "version")).len) {
		ld_census_obs_version(o, v);
		if ((v = bson_str(doc, "gitVersion")).len)
			ld_census_obs_attr(o, "git_version", v);
		o->note = NULL;
		return LD_PV_DONE;
	}
	if ((v = bson_str(doc, "errmsg")).len)
		ld_census_obs_attr(o, "error", v);
	o->note = "buildInfo refused: no version disclosed (see max_wire_version for the release line)";
	return LD_PV_DONE;
}

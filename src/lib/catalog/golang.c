/* Go binaries: the build info the Go linker embeds (toolchain version, main module, every
 * dependency with its version and replacement). An analyzer reads it from each ELF executable
 * while the layers stream and keeps a compact text blob; the cataloger turns blobs into
 * packages located at the binary. */
#include "util/common.h"
#include "util/varint.h"
#include "catalog/binfmt.h"
#include "catalog/catalog.h"

/* Named limits. */
#define GO_SEARCH_WINDOW ((size_t)64 << 10) /* bytes searched for the header, as debug/buildinfo   \
					     */
#define GO_HEADER     32		    /* magic, pointer size, flags, two pointers */
#define GO_ALIGN      16		    /* the header's alignment */
#define GO_MAX_STRING ((uint64_t)4 << 20)   /* version / modinfo string bytes */
#define GO_MAX_FIELD  1024		    /* one path or version in a blob */
#define GO_MAX_LINES  100000		    /* modinfo lines */

static const unsigned char go_magic[14] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u',
					   'i',	 'l', 'd', 'i', 'n', 'f', ':'};

/* First header at a GO_ALIGN-aligned offset of `r` (offsets relative to an aligned address). */
static const unsigned char *find_header(ld_slice r, bool aligned)
{
	const unsigned char *p = (const unsigned char *)r.ptr, *end = p + r.len;
	while ((size_t)(end - p) >= GO_HEADER) {
		const unsigned char *hit = memmem(p, (size_t)(end - p), go_magic, sizeof(go_magic));
		size_t off;
		if (!hit || (size_t)(end - hit) < GO_HEADER)
			return NULL;
		off = (size_t)(hit - (const unsigned char *)r.ptr);
		if (!aligned || off % GO_ALIGN == 0)
			return hit;
		p = hit + 1;
	}
	return NULL;
}

static bool inline_string(const unsigned char **p, const unsigned char *end, ld_slice *out)
{
	uint64_t n;
	if (!ld_uvarint_get(p, end, &n) || n > GO_MAX_STRING || n > (uint64_t)(end - *p))
		return false;
	*out = ld_slice_make(*p, (size_t)n);
	*p += n;
	return true;
}

/* A Go string header (data pointer, length) at virtual address `addr`. */
static bool pointer_string(const ld_elf *e, uint64_t addr, size_t ptrsize, bool be, ld_slice *out)
{
	ld_slice hdr;
	ld_elf pe = *e;
	uint64_t data, n;
	pe.be = be; /* the build info says its own byte order */
	if (!ld_elf_vaddr(e, addr, 2 * ptrsize, &hdr))
		return false;
	data = ld_elf_uint(&pe, (const unsigned char *)hdr.ptr, ptrsize);
	n = ld_elf_uint(&pe, (const unsigned char *)hdr.ptr + ptrsize, ptrsize);
	if (n > GO_MAX_STRING)
		return false;
	if (!n) {
		*out = ld_slice_make("", 0);
		return true;
	}
	return ld_elf_vaddr(e, data, n, out);
}

/* The build info header: in .go.buildinfo, else at the start of the data segment, else (no
 * section table at all: sstrip, packers) anywhere in the file. */
static const unsigned char *locate(const ld_elf *e, const unsigned char *data, size_t len)
{
	ld_slice r;
	uint64_t addr;
	const unsigned char *h = NULL;
	if (ld_elf_section(e, ".go.buildinfo", &r, &addr))
		h = find_header(ld_slice_sub(r, 0, GO_SEARCH_WINDOW), addr % GO_ALIGN == 0);
	else if (ld_elf_data_segment(e, &r, &addr))
		h = find_header(ld_slice_sub(r, 0, GO_SEARCH_WINDOW), addr % GO_ALIGN == 0);
	if (!h && !e->shnum)
		h = find_header(ld_slice_make(data, len), false);
	return h;
}

int ld_go_buildinfo(const unsigned char *data, size_t len, ld_slice *version, ld_slice *modinfo)
{
	ld_elf e;
	const unsigned char *h;

	*version = *modinfo = ld_slice_make("", 0);
	if (ld_elf_open(&e, data, len))
		return LADING_ENOTFOUND;
	if (!(h = locate(&e, data, len)))
		return LADING_ENOTFOUND;

	if (h[15] & 2) { /* Go 1.18+: the strings follow the header */
		const unsigned char *p = h + GO_HEADER, *end = data + len;
		if (!inline_string(&p, end, version) || !inline_string(&p, end, modinfo))
			return LADING_EINVALID;
	} else {
		size_t ps = h[14];
		bool be = h[15] & 1;
		ld_elf pe = e;
		if (ps != 4 && ps != 8)
			return LADING_EINVALID;
		pe.be = be;
		if (!pointer_string(&e, ld_elf_uint(&pe, h + 16, ps), ps, be, version) ||
		    !pointer_string(&e, ld_elf_uint(&pe, h + 16 + ps, ps), ps, be, modinfo))
			return LADING_EINVALID;
	}
	if (!version->len)
		return LADING_ENOTFOUND;
	/* modinfo is framed by two 16-byte sentinels (cmd/go's infoStart/infoEnd) */
	if (modinfo->len >= 33 && modinfo->ptr[modinfo->len - 17] == '\n')
		*modinfo = ld_slice_sub(*modinfo, 16, modinfo->len - 32);
	else
		*modinfo = ld_slice_make("", 0);
	return 0;
}

static bool field_ok(ld_slice f)
{
	if (f.len > GO_MAX_FIELD)
		return false;
	for (size_t i = 0; i < f.len; i++)
		if ((unsigned char)f.ptr[i] < 0x20 || f.ptr[i] == 0x7f)
			return false;
	return true;
}

int ld_go_blob(ld_slice version, ld_slice modinfo, ld_buf *out)
{
	ld_slice line;
	size_t nlines = 0;
	out->max = LD_GO_MAX_BLOB;
	if (!field_ok(version)) /* no control characters: one field of one line */
		return LADING_EINVALID;
	ld_buf_addf(out, "go\t%.*s\n", (int)version.len, version.ptr);
	while (ld_slice_next_line(&modinfo, &line) && nlines++ < GO_MAX_LINES) {
		ld_slice kind, path = LD_SLICE_NULL, ver = LD_SLICE_NULL;
		ld_slice_cut(&line, '\t', &kind);
		if (!ld_slice_eq_cstr(kind, "path") && !ld_slice_eq_cstr(kind, "mod") &&
		    !ld_slice_eq_cstr(kind, "dep") && !ld_slice_eq_cstr(kind, "=>"))
			continue; /* build settings, checksums: not kept */
		ld_slice_cut(&line, '\t', &path);
		if (!ld_slice_eq_cstr(kind, "path"))
			ld_slice_cut(&line, '\t', &ver);
		if (!path.len || !field_ok(path) || !field_ok(ver))
			continue;
		ld_buf_addf(out, "%.*s\t%.*s", (int)kind.len, kind.ptr, (int)path.len, path.ptr);
		if (!ld_slice_eq_cstr(kind, "path"))
			ld_buf_addf(out, "\t%.*s", (int)ver.len, ver.ptr);
		ld_buf_addc(out, '\n');
	}
	return out->err;
}

ld_slice ld_go_toolchain_version(ld_slice v)
{
	if (!ld_slice_starts_with(v, "go"))
		return v;
	v = ld_slice_sub(v, 2, v.len);
	for (size_t i = 0; i < v.len; i++)
		if (v.ptr[i] == ' ')
			return ld_slice_sub(v, 0,
					    i); /* "go1.21.3 X:boringcrypto": experiments dropped */
	return v;
}

static bool local_path(ld_slice p)
{
	/* replacements by a directory: "./x", "../x", "/abs" */
	return p.len && (p.ptr[0] == '.' || p.ptr[0] == '/');
}

int ld_go_blob_each(ld_slice blob, int (*fn)(void *opaque, const ld_go_module *m), void *opaque)
{
	ld_slice line;
	ld_go_module pend;
	bool have = false;
	int rc;

	memset(&pend, 0, sizeof(pend));
	while (ld_slice_next_line(&blob, &line)) {
		ld_slice kind, path, ver;
		ld_slice_cut(&line, '\t', &kind);
		ld_slice_cut(&line, '\t', &path);
		ld_slice_cut(&line, '\t', &ver);
		if (ld_slice_eq_cstr(kind, "=>")) {
			if (!have)
				continue;
			pend.orig_path = pend.path;
			pend.orig_version = pend.version;
			if (local_path(path)) {
				pend.version =
				    ld_slice_make("(devel)", 7); /* code from a directory */
			} else {
				pend.path = path;
				pend.version = ver;
			}
			continue;
		}
		if (have && (rc = fn(opaque, &pend)))
			return rc;
		have = false;
		memset(&pend, 0, sizeof(pend));
		if (ld_slice_eq_cstr(kind, "go")) {
			ld_go_module m;
			memset(&m, 0, sizeof(m));
			m.kind = ld_slice_make("stdlib", 6);
			m.path = m.kind;
			m.version = ld_go_toolchain_version(path);
			if ((rc = fn(opaque, &m)))
				return rc;
		} else if (ld_slice_eq_cstr(kind, "mod") || ld_slice_eq_cstr(kind, "dep")) {
			pend.kind = kind;
			pend.path = path;
			pend.version = ver;
			have = true;
		}
	}
	return have ? fn(opaque, &pend) : 0;
}

/* ---- analyzer ---- */

/* The result of a binary whose build info has the pre-1.18 layout (pointers to strings anywhere
 * in the file) and was read sparsely: the cataloger reads that binary again whole. */
#define GO_REREAD "reread\n"

static bool pointer_layout(const unsigned char *data, size_t len)
{
	ld_elf e;
	const unsigned char *h;
	return !ld_elf_open(&e, data, len) && (h = locate(&e, data, len)) && !(h[15] & 2);
}

static int blob_of(const unsigned char *data, size_t len, ld_buf *b)
{
	ld_slice version, modinfo;
	int rc = ld_go_buildinfo(data, len, &version, &modinfo);
	return rc ? rc : ld_go_blob(version, modinfo, b);
}

static int analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		   ld_slice *result)
{
	ld_buf b = LD_BUF_INIT;
	int rc;

	(void)path;
	rc = blob_of(data, len, &b);
	if (rc && pointer_layout(data, len)) {
		/* its strings may lie in bytes a sparse read passed over */
		ld_buf_clear(&b);
		ld_buf_adds(&b, GO_REREAD);
		rc = ld_buf_error(&b);
	}
	if (!rc) {
		char *s = ld_arena_slice(a, ld_buf_slice(&b));
		if (s)
			*result = ld_slice_make(s, b.len);
		else
			rc = LADING_ENOMEM;
	}
	ld_buf_release(&b);
	return rc;
}

/* Sparse read of a large ELF (layer.h): only where the build info can be: the section table and
 * the non-allocated tail holding the section names (when not huge); for a Go binary (its build
 * ID note or string in the head) every writable segment whole, as the linker may put
 * .go.buildinfo anywhere in them (relro first under PIE, anywhere under external linking); for
 * any other ELF the start of the data segment (ld_go_buildinfo's fallback when the names are
 * missing). Go 1.18+ writes the module strings right after the header; older binaries point to
 * them anywhere (GO_REREAD). Why: Go binaries were read whole (tens of MB each, the peak of an
 * image of Go tools) for a few KB of build info. */
#define GO_PLAN_MAX_TAIL ((uint64_t)16 << 20)
#define GO_PLAN_MAX_DATA ((uint64_t)64 << 20) /* writable segments kept of one Go binary */
static int plan(const unsigned char *head, size_t head_len, uint64_t size, ld_range *out, size_t max)
{
	ld_elf_layout lay;
	uint64_t data = 0;
	int n = 0;
	if (max < 6 || ld_elf_layout_of(head, head_len, size, &lay) || !lay.shsize)
		return -1;
	out[n++] = (ld_range){lay.shoff, lay.shsize};
	if (lay.tail < size && size - lay.tail <= GO_PLAN_MAX_TAIL)
		out[n++] = (ld_range){lay.tail, size - lay.tail};
	if (!lay.go) {
		if (lay.data_len)
			out[n++] = (ld_range){lay.data_off, LD_MIN(lay.data_len, (uint64_t)GO_SEARCH_WINDOW)};
		return n;
	}
	for (size_t i = 0; i < lay.nwr; i++) {
		data += lay.wr_len[i];
		out[n++] = (ld_range){lay.wr_off[i], lay.wr_len[i]};
	}
	return data > GO_PLAN_MAX_DATA ? -1 : n;
}

static const ld_analyzer go_analyzer = {
    .name = "go-buildinfo",
    .version = "3", /* 2: an unfinished plan of this branch, cached on its machine */
    .pattern = NULL,
    .exec_or_lib = true,
    .magic = "\x7f"
	     "ELF",
    .magic_len = 4,
    .max_size = (size_t)512 << 20,
    .fn = analyze,
    .plan = plan,
};

/* ---- cataloger ---- */

typedef struct go_run {
	ld_catalog *c;
	lading_ctx *ctx;
	int analyzer;
	const ld_vnode *node;
} go_run;

static char *copy(ld_catalog *c, ld_slice s)
{
	return ld_arena_slice(&c->arena, s);
}

static int add_module(void *opaque, const ld_go_module *m)
{
	go_run *r = opaque;
	ld_catalog *c = r->c;
	lading_package *p;
	ld_slice base = ld_path_base(m->path);
	char *ns = NULL, *name, *version;

	if (!m->path.len)
		return 0;
	if (base.len < m->path.len &&
	    !(ns = copy(c, ld_slice_sub(m->path, 0, m->path.len - base.len - 1))))
		return LADING_ENOMEM;
	if (!(name = copy(c, m->path)) || !(version = copy(c, m->version)) ||
	    !(p = ld_catalog_add(c)))
		return LADING_ENOMEM;
	p->name = name;
	p->version = version;
	p->type = "golang";
	p->found_by = "go-binary";
	p->layer = r->node->layer;
	p->location = ld_arena_printf(&c->arena, "/%s", r->node->path);
	p->purl = ld_purl_build(&c->arena, "golang", ns,
				ns ? ld_arena_slice(&c->arena, base) : name, version, NULL);
	if (m->orig_path.len) {
		/* a replaced module: report what was compiled in, keep what go.mod required */
		p->source_name = copy(c, m->orig_path);
		p->source_version = copy(c, m->orig_version);
	}
	if (!p->location || !p->purl)
		return LADING_ENOMEM;
	return 0;
}

/* A pre-1.18 binary read sparsely (GO_REREAD): read it again whole, one at a time. */
static int reread_node(go_run *r, const ld_vnode *n)
{
	ld_layer_filebuf f = {NULL, 0, 0, NULL};
	ld_buf b = LD_BUF_INIT;
	int rc;
	if (!r->c->reread || n->layer < 0)
		return 0;
	rc = r->c->reread(r->c->reread_opaque, (size_t)n->layer, n->path, &f);
	if (rc == LADING_ENOMEM || rc == LADING_ELIMIT)
		goto out; /* the scan's memory budget: an error of the scan */
	if (rc) {
		ld_warn(r->ctx, "/%s: Go build info not read: %s", n->path, r->ctx->err.msg);
		ld_error_clear(r->ctx);
		rc = 0;
		goto out;
	}
	if (!blob_of(f.data, f.len, &b))
		rc = ld_go_blob_each(ld_buf_slice(&b), add_module, r);
out:
	ld_buf_release(&b);
	ld_layer_file_release(&f);
	return rc;
}

static int each_node(void *opaque, const ld_vnode *n)
{
	go_run *r = opaque;
	const ld_slice *res;
	if (n->type != LD_LF_REG || !n->file || !n->file->results ||
	    !(res = ld_vnode_result(n, r->analyzer)))
		return 0;
	r->node = n;
	if (ld_slice_eq_cstr(*res, GO_REREAD))
		return reread_node(r, n);
	return ld_go_blob_each(*res, add_module, r);
}

static int run(ld_catalog *c, lading_ctx *ctx)
{
	go_run r = {c, ctx, ld_catalog_analyzer_id(c, go_analyzer.name), NULL};
	int rc;
	if (!c->view || r.analyzer < 0)
		return 0;
	if ((rc = ld_view_each(c->view, each_node, &r)))
		return ctx->err.code ? rc : ld_error_set(ctx, rc, "out of memory listing Go modules");
	return 0;
}

static const char *const no_wants[] = {NULL};
static const ld_analyzer *const analyzers[] = {&go_analyzer, NULL};

const ld_cataloger ld_cataloger_golang = {
    .name = "go-binary",
    .version = "1",
    .wants = no_wants,
    .max_file = 0,
    .run = run,
    .analyzers = analyzers,
};

/* Just enough ELF for the binary catalogers: named sections, PT_LOAD address mapping, the data
 * segment. 32/64-bit, both byte orders. Everything read from the file is bounds-checked. */
#include "util/common.h"
#include "catalog/binfmt.h"

/* Named limits. */
#define ELF_MAX_SECTIONS 65536 /* section headers walked */
#define ELF_MAX_SEGMENTS 4096  /* program headers walked */
#define ELF_MAX_NAME	 256   /* section name bytes compared */

#define SHT_NOBITS 8
#define PT_LOAD	   1
#define PT_NOTE	   4
#define NT_GO_BUILDID 4 /* the Go linker's note type, name "Go" */
#define GO_ID_MAX     256 /* bytes of a Go build ID string */
#define PF_X	   1
#define PF_W	   2

uint64_t ld_elf_uint(const ld_elf *e, const unsigned char *p, size_t size)
{
	uint64_t v = 0;
	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)p[e->be ? size - 1 - i : i] << (8 * i);
	return v;
}

/* The table entry i of `count` entries of `entsize` bytes at `off`, or NULL when outside. */
static const unsigned char *entry(const ld_elf *e, uint64_t off, size_t entsize, size_t i)
{
	size_t at;
	if (off > e->len || ld_mul_overflow(i, entsize, &at) ||
	    ld_add_overflow(at, (size_t)off, &at) || at > e->len || e->len - at < entsize)
		return NULL;
	return e->data + at;
}

int ld_elf_open(ld_elf *e, const unsigned char *d, size_t len)
{
	size_t hdr;
	memset(e, 0, sizeof(*e));
	if (len < 52 ||
	    memcmp(d,
		   "\x7f"
		   "ELF",
		   4) ||
	    (d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2))
		return LADING_EINVALID;
	e->data = d;
	e->len = len;
	e->is64 = d[4] == 2;
	e->be = d[5] == 2;
	hdr = e->is64 ? 64 : 52;
	if (len < hdr)
		return LADING_EINVALID;
	if (e->is64) {
		e->phoff = ld_elf_uint(e, d + 32, 8);
		e->shoff = ld_elf_uint(e, d + 40, 8);
		e->phentsize = ld_elf_uint(e, d + 54, 2);
		e->phnum = ld_elf_uint(e, d + 56, 2);
		e->shentsize = ld_elf_uint(e, d + 58, 2);
		e->shnum = ld_elf_uint(e, d + 60, 2);
		e->shstrndx = ld_elf_uint(e, d + 62, 2);
	} else {
		e->phoff = ld_elf_uint(e, d + 28, 4);
		e->shoff = ld_elf_uint(e, d + 32, 4);
		e->phentsize = ld_elf_uint(e, d + 42, 2);
		e->phnum = ld_elf_uint(e, d + 44, 2);
		e->shentsize = ld_elf_uint(e, d + 46, 2);
		e->shnum = ld_elf_uint(e, d + 48, 2);
		e->shstrndx = ld_elf_uint(e, d + 50, 2);
	}
	/* entries smaller than the format's are unusable: treat the table as absent */
	if (e->shentsize < (e->is64 ? 64u : 40u) || !e->shoff) {
		e->shnum = 0;
	} else {
		/* extended numbering: the real count (when 0) and string table index (when 0xffff)
		 * live in section 0's sh_size and sh_link */
		const unsigned char *s0 = entry(e, e->shoff, e->shentsize, 0);
		if (!s0) {
			e->shnum = 0;
		} else {
			if (!e->shnum) {
				uint64_t n =
				    ld_elf_uint(e, s0 + (e->is64 ? 32 : 20), e->is64 ? 8 : 4);
				e->shnum = n > ELF_MAX_SECTIONS ? ELF_MAX_SECTIONS : (size_t)n;
			}
			if (e->shstrndx == 0xffff)
				e->shstrndx = (size_t)ld_elf_uint(e, s0 + (e->is64 ? 40 : 24), 4);
		}
	}
	if (e->phentsize < (e->is64 ? 56u : 32u) || !e->phoff)
		e->phnum = 0;
	if (e->shnum > ELF_MAX_SECTIONS)
		e->shnum = ELF_MAX_SECTIONS;
	if (e->phnum > ELF_MAX_SEGMENTS)
		e->phnum = ELF_MAX_SEGMENTS;
	if (e->shnum && !entry(e, e->shoff, e->shentsize, e->shnum - 1))
		e->shnum = 0; /* a cut file: no usable section table */
	if (e->phnum && !entry(e, e->phoff, e->phentsize, e->phnum - 1))
		e->phnum = 0;
	return 0;
}

typedef struct shdr {
	uint32_t name, type;
	uint64_t addr, off, size;
} shdr;

static bool get_shdr(const ld_elf *e, size_t i, shdr *s)
{
	const unsigned char *p = entry(e, e->shoff, e->shentsize, i);
	if (!p)
		return false;
	s->name = (uint32_t)ld_elf_uint(e, p, 4);
	s->type = (uint32_t)ld_elf_uint(e, p + 4, 4);
	if (e->is64) {
		s->addr = ld_elf_uint(e, p + 16, 8);
		s->off = ld_elf_uint(e, p + 24, 8);
		s->size = ld_elf_uint(e, p + 32, 8);
	} else {
		s->addr = ld_elf_uint(e, p + 12, 4);
		s->off = ld_elf_uint(e, p + 16, 4);
		s->size = ld_elf_uint(e, p + 20, 4);
	}
	return true;
}

static bool file_range(const ld_elf *e, uint64_t off, uint64_t size, ld_slice *out)
{
	if (off > e->len || size > e->len - off)
		return false;
	*out = ld_slice_make(e->data + off, (size_t)size);
	return true;
}

bool ld_elf_section(const ld_elf *e, const char *name, ld_slice *out, uint64_t *addr)
{
	shdr strtab, s;
	ld_slice names;
	size_t nl = strlen(name);
	if (!e->shnum || e->shstrndx >= e->shnum || !get_shdr(e, e->shstrndx, &strtab) ||
	    !file_range(e, strtab.off, strtab.size, &names) || nl >= ELF_MAX_NAME)
		return false;
	for (size_t i = 1; i < e->shnum; i++) {
		if (!get_shdr(e, i, &s) || s.name >= names.len || names.len - s.name <= nl)
			continue;
		if (memcmp(names.ptr + s.name, name, nl + 1))
			continue;
		if (s.type == SHT_NOBITS || !file_range(e, s.off, s.size, out))
			return false;
		if (addr)
			*addr = s.addr;
		return true;
	}
	return false;
}

typedef struct phdr {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz;
} phdr;

static bool get_phdr(const ld_elf *e, size_t i, phdr *p)
{
	const unsigned char *q = entry(e, e->phoff, e->phentsize, i);
	if (!q)
		return false;
	p->type = (uint32_t)ld_elf_uint(e, q, 4);
	if (e->is64) {
		p->flags = (uint32_t)ld_elf_uint(e, q + 4, 4);
		p->off = ld_elf_uint(e, q + 8, 8);
		p->vaddr = ld_elf_uint(e, q + 16, 8);
		p->filesz = ld_elf_uint(e, q + 32, 8);
	} else {
		p->off = ld_elf_uint(e, q + 4, 4);
		p->vaddr = ld_elf_uint(e, q + 8, 4);
		p->filesz = ld_elf_uint(e, q + 16, 4);
		p->flags = (uint32_t)ld_elf_uint(e, q + 24, 4);
	}
	return true;
}

bool ld_elf_vaddr(const ld_elf *e, uint64_t addr, uint64_t n, ld_slice *out)
{
	phdr p;
	for (size_t i = 0; i < e->phnum; i++) {
		uint64_t delta;
		if (!get_phdr(e, i, &p) || p.type != PT_LOAD || addr < p.vaddr)
			continue;
		delta = addr - p.vaddr;
		if (delta > p.filesz || n > p.filesz - delta || p.off > UINT64_MAX - delta)
			continue;
		return file_range(e, p.off + delta, n, out);
	}
	return false;
}

bool ld_elf_data_segment(const ld_elf *e, ld_slice *out, uint64_t *addr)
{
	phdr p;
	for (size_t i = 0; i < e->phnum; i++) {
		if (!get_phdr(e, i, &p) || p.type != PT_LOAD || (p.flags & (PF_X | PF_W)) != PF_W)
			continue;
		if (!file_range(e, p.off, p.filesz, out))
			return false;
		*addr = p.vaddr;
		return true;
	}
	return false;
}

/* A Go build ID note among the notes of [p, p+n). */
static bool go_note(const ld_elf *e, const unsigned char *p, size_t n)
{
	while (n >= 12) {
		uint64_t namesz = ld_elf_uint(e, p, 4), descsz = ld_elf_uint(e, p + 4, 4),
			 type = ld_elf_uint(e, p + 8, 4);
		uint64_t name_pad = (namesz + 3) & ~(uint64_t)3, desc_pad = (descsz + 3) & ~(uint64_t)3;
		if (name_pad > n - 12 || desc_pad > n - 12 - name_pad)
			return false;
		if (type == NT_GO_BUILDID && namesz == 4 && !memcmp(p + 12, "Go\0\0", 4))
			return true;
		p += 12 + name_pad + desc_pad;
		n -= (size_t)(12 + name_pad + desc_pad);
	}
	return false;
}

int ld_elf_layout_of(const unsigned char *head, size_t head_len, uint64_t size, ld_elf_layout *out)
{
	static const char go_id[] = "\xff Go build ID: \"";
	ld_elf e;
	phdr p;
	uint64_t raw_shnum;
	bool data = false;

	memset(out, 0, sizeof(*out));
	if (ld_elf_open(&e, head, head_len))
		return LADING_EINVALID;
	{
		/* ld_elf_open drops program headers that are not all inside the head: then the
		 * layout is unknown */
		const unsigned char *d = head;
		uint64_t raw_phnum = e.is64 ? ld_elf_uint(&e, d + 56, 2) : ld_elf_uint(&e, d + 44, 2);
		if (raw_phnum && !e.phnum)
			return LADING_EINVALID;
		raw_shnum = e.is64 ? ld_elf_uint(&e, d + 60, 2) : ld_elf_uint(&e, d + 48, 2);
	}
	out->tail = 0;
	for (size_t i = 0; i < e.phnum; i++) {
		if (!get_phdr(&e, i, &p))
			return LADING_EINVALID;
		if (p.type == PT_LOAD) {
			uint64_t end = p.off > size || p.filesz > size - p.off ? size : p.off + p.filesz;
			if (end > out->tail)
				out->tail = end;
			if ((p.flags & (PF_X | PF_W)) == PF_W && out->nwr < 4) {
				out->wr_off[out->nwr] = p.off;
				out->wr_len[out->nwr++] = end > p.off ? end - p.off : 0;
			}
			if (!data && (p.flags & (PF_X | PF_W)) == PF_W) {
				data = true;
				out->data_off = p.off;
				out->data_len = p.filesz;
			}
		} else if (p.type == PT_NOTE && p.off < head_len && p.filesz <= head_len - p.off &&
			   go_note(&e, head + p.off, (size_t)p.filesz)) {
			out->go = true;
		}
	}
	/* the text form, `\xff Go build ID: "ID"\n \xff`, that some Go toolchains put at the start of
	 * the text segment instead of the note */
	for (const unsigned char *s = head, *end = head + head_len; !out->go && s < end;) {
		const unsigned char *hit = memmem(s, (size_t)(end - s), go_id, sizeof(go_id) - 1), *q;
		if (!hit)
			break;
		s = hit + sizeof(go_id) - 1;
		q = memchr(s, '"', (size_t)(end - s) < GO_ID_MAX ? (size_t)(end - s) : GO_ID_MAX);
		out->go = q && end - q >= 4 && !memcmp(q, "\"\n \xff", 4);
	}
	if (e.shoff && e.shentsize >= (e.is64 ? 64u : 40u) && e.shoff < size) {
		out->shoff = e.shoff;
		/* 0 sections here means extended numbering (the count is in section 0): keep all
		 * from the table on */
		out->shsize = raw_shnum ? raw_shnum * e.shentsize : size - e.shoff;
	}
	return 0;
}

/* Fuzz the ELF reader (with the layout a sparse read plans from a file's head) and the Go build
 * info reader (both header layouts, section table, data segment and whole-file scan), then the
 * blob writer and walker on what it finds. */
#include "util/common.h"
#include "catalog/binfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *opaque, const ld_go_module *m)
{
	size_t *n = opaque;
	if (!m->path.ptr && m->path.len)
		__builtin_trap();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_slice v, m, s;
	ld_buf b = LD_BUF_INIT;
	ld_elf e;
	size_t n = 0;
	uint64_t addr;
	if (ld_elf_open(&e, data, size) == 0) {
		if (ld_elf_section(&e, ".dep-v0", &s, NULL) &&
		    (s.ptr < (const char *)data || s.ptr + s.len > (const char *)data + size))
			__builtin_trap();
		if (ld_elf_data_segment(&e, &s, &addr) && s.ptr + s.len > (const char *)data + size)
			__builtin_trap();
	}
	{
		/* the head is the whole input; the declared size is bigger, as for a large file */
		ld_elf_layout lay;
		uint64_t fsize = (uint64_t)size * 3 + 1;
		if (ld_elf_layout_of(data, size, fsize, &lay) == 0 &&
		    (lay.tail > fsize || lay.shoff >= fsize || lay.shsize > fsize))
			__builtin_trap();
	}
	if (ld_go_buildinfo(data, size, &v, &m) == 0) {
		if (v.ptr < (const char *)data || v.ptr + v.len > (const char *)data + size ||
		    (m.len &&
		     (m.ptr < (const char *)data || m.ptr + m.len > (const char *)data + size)))
			__builtin_trap();
		if (ld_go_blob(v, m, &b) == 0)
			ld_go_blob_each(ld_buf_slice(&b), visit, &n);
	}
	/* the walker on raw bytes too: cached blobs are input as well */
	ld_go_blob_each(ld_slice_make(data, size), visit, &n);
	ld_buf_release(&b);
	return 0;
}

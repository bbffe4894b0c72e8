/* Fuzz the zip central directory reader (util/zip.c: end record, zip64, directory entries, local
 * headers, descriptor search) and the Java analyzer's sweep over the same bytes streaming past in
 * small chunks, as the layer stage runs it: what it lets go is zeroed, then the analyzer reads the
 * result. Every slice handed out must lie inside the input; released ranges below what came in. */
#include "util/common.h"
#include "util/zip.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHUNK 4096

static void inside(const uint8_t *data, size_t size, ld_slice s)
{
	if (s.len && ((const uint8_t *)s.ptr < data || (const uint8_t *)s.ptr + s.len > data + size))
		__builtin_trap();
}

static void directory(const uint8_t *data, size_t size)
{
	ld_zip z;
	ld_zip_iter it = {0, 0};
	ld_zip_entry e;
	size_t n = 0;
	if (ld_zip_open(&z, data, size))
		return;
	while (n++ < 100000 && ld_zip_next(&z, &it, &e) == 1) {
		ld_slice d;
		inside(data, size, e.name);
		(void)ld_zip_regular(&e);
		if (!ld_zip_data(&z, &e, &d, NULL))
			inside(data, size, d);
	}
}

static void forward(const uint8_t *data, size_t size)
{
	ld_zip_local loc;
	if (ld_zip_local_parse(data, size, &loc) == 1) {
		inside(data, size, loc.name);
		if (loc.header_len <= size) {
			int64_t at = ld_zip_descriptor_end(data + loc.header_len,
							   size - (size_t)loc.header_len, 0);
			if (at > (int64_t)(size - loc.header_len))
				__builtin_trap();
		}
	}
}

/* The sweep as analyze_swept (layer/read.c) drives it, on a copy. */
static void sweep(const uint8_t *data, size_t size)
{
	unsigned char *m = calloc(1, size ? size : 1);
	ld_sweep s;
	size_t pos = 0;
	ld_arena a;
	ld_slice res;
	if (!m)
		return;
	memset(&s, 0, sizeof(s));
	while (pos < size) {
		bool keep = s.whole || s.skip_to <= pos;
		size_t want = keep ? LD_MIN((size_t)CHUNK, size - pos)
				   : (size_t)LD_MIN(s.skip_to, (uint64_t)size) - pos;
		if (keep)
			memcpy(m + pos, data + pos, want);
		pos += want;
		if (!keep || s.whole)
			continue;
		s.skip_to = 0;
		s.nrelease = 0;
		ld_java_sweep(&s, m, pos, size);
		if (s.nrelease > LD_SWEEP_MAX_RELEASE)
			__builtin_trap();
		for (size_t i = 0; i < s.nrelease; i++) {
			ld_range r = s.release[i];
			if (r.off > pos || r.len > pos - r.off)
				__builtin_trap();
			memset(m + r.off, 0, (size_t)r.len);
		}
	}
	ld_arena_init(&a, 0);
	(void)ld_java_analyze(m, size, "fuzz/app-1.0.jar", &a, &res);
	ld_arena_release(&a);
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	directory(data, size);
	forward(data, size);
	sweep(data, size);
	return 0;
}

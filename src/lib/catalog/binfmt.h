/* Readers behind the binary catalogers (golang.c, rust_audit.c, binary.c): ELF sections and
 * segments, Go build info, cargo-auditable's .dep-v0, and the byte patterns of the classifier
 * table. Exposed for unit tests and fuzzing; every reader takes (ptr, len) and trusts nothing. */
#ifndef LD_CATALOG_BINFMT_H
#define LD_CATALOG_BINFMT_H

#include "lading/common.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/slice.h"

/* ---- ELF (elf.c) ---- */

typedef struct ld_elf {
	const unsigned char *data;
	size_t len;
	bool is64, be;
	uint64_t shoff, phoff;
	size_t shnum, phnum, shentsize, phentsize, shstrndx;
} ld_elf;

/* 0, or LADING_EINVALID when the header is not a readable ELF header. Section and program
 * header tables that do not fit in the file are treated as absent (a stripped or cut file). */
int ld_elf_open(ld_elf *e, const unsigned char *data, size_t len);
/* File bytes of the named section (not SHT_NOBITS); *addr (optional) gets its address. */
bool ld_elf_section(const ld_elf *e, const char *name, ld_slice *out, uint64_t *addr);
/* The file bytes behind virtual addresses [addr, addr+n) of one PT_LOAD segment. */
bool ld_elf_vaddr(const ld_elf *e, uint64_t addr, uint64_t n, ld_slice *out);
/* The first writable, non-executable PT_LOAD segment's file bytes and address (where Go's linker
 * puts the build info when there is no section table). */
bool ld_elf_data_segment(const ld_elf *e, ld_slice *out, uint64_t *addr);
/* Read an unsigned integer of `size` bytes (2, 4, 8) in the file's byte order. */
uint64_t ld_elf_uint(const ld_elf *e, const unsigned char *p, size_t size);

/* What the first bytes of an ELF file (its header and program headers) say about where the
 * rest is, for analyzers that plan a sparse read (layer.h, ld_plan_fn). */
typedef struct ld_elf_layout {
	uint64_t shoff, shsize; /* section header table (shsize 0: none, or its count is elsewhere) */
	uint64_t tail;		/* where bytes no PT_LOAD segment covers begin: the non-allocated
				   sections (.symtab, .comment, .dep-v0, ...) and usually the table */
	uint64_t data_off, data_len; /* the first writable, non-executable PT_LOAD segment */
	uint64_t wr_off[4], wr_len[4]; /* the first four such segments (relro, data, ...) */
	size_t nwr;
	bool go;		/* a Go build ID (its ELF note, or the text string) in the head */
} ld_elf_layout;
/* 0, or LADING_EINVALID when `head` does not hold the ELF header and all program headers. */
int ld_elf_layout_of(const unsigned char *head, size_t head_len, uint64_t size, ld_elf_layout *out);

/* ---- Go build info (golang.c) ---- */

/* Find the Go build info of an ELF executable (the .go.buildinfo section, else the start of
 * the data segment, as Go's debug/buildinfo does; else, with no section table at all, a scan
 * for the magic) in both layouts: Go < 1.18 (pointers to two Go strings) and 1.18+ (inline
 * varint-prefixed strings). *version gets "go1.21.3", *modinfo the module lines without their
 * sentinels (empty for binaries built outside module mode); both point into data.
 * LADING_ENOTFOUND: not a Go binary; LADING_EINVALID: build info present but malformed. */
int ld_go_buildinfo(const unsigned char *data, size_t len, ld_slice *version, ld_slice *modinfo);
/* The compact analyzer result for a binary: "go\tVERSION", then the modinfo lines "path\tP",
 * "mod\tPATH\tVERSION", "dep\tPATH\tVERSION", "=>\tPATH\tVERSION" (checksums and build settings
 * dropped), one per line. LADING_ELIMIT when it would exceed LD_GO_MAX_BLOB. */
int ld_go_blob(ld_slice version, ld_slice modinfo, ld_buf *out);
#define LD_GO_MAX_BLOB ((size_t)1 << 20)

/* One module of a blob, as the cataloger reports it. */
typedef struct ld_go_module {
	ld_slice kind;		/* "stdlib", "mod" (main module) or "dep" */
	ld_slice path, version; /* what the binary was built from (the replacement if any) */
	ld_slice orig_path, orig_version; /* the required module when replaced, else empty */
} ld_go_module;
/* Walk a blob: fn is called for the toolchain (kind "stdlib", version without "go"), the main
 * module and each dependency. Local directory replacements keep the required path with
 * version "(devel)". The "path" line (main package) is not reported. */
int ld_go_blob_each(ld_slice blob, int (*fn)(void *opaque, const ld_go_module *m), void *opaque);
/* "go1.21.3" -> "1.21.3"; "go1.22rc1 X:foo" -> "1.22rc1"; devel builds stay as they are. */
ld_slice ld_go_toolchain_version(ld_slice v);

/* ---- cargo-auditable (rust_audit.c) ---- */

/* Decode a .dep-v0 section (zlib-compressed JSON) into a compact blob: one line per package,
 * "NAME\tVERSION\tSOURCE\tKIND\tROOT" (ROOT is "1" or "0"). LADING_EINVALID / LADING_ELIMIT
 * with detail on ctx (may be NULL). */
int ld_rust_audit_decode(ld_slice section, ld_buf *out, lading_ctx *ctx);
#define LD_RUST_MAX_JSON     ((size_t)8 << 20) /* decompressed .dep-v0 JSON */
#define LD_RUST_MAX_PACKAGES 100000

/* ---- byte patterns of the classifier table (bpat.c) ---- */

typedef struct ld_bpat ld_bpat;
/* Compile a pattern (syntax in docs/catalogers.md): literals, \xHH escapes, classes, groups,
 * alternation, greedy quantifiers; the first capturing group is the version. It must start
 * with a literal or a class (candidate positions are found from that). 0, or LADING_EINVALID
 * with a reason in err[errsz]. */
int ld_bpat_compile(ld_bpat **out, const char *src, char *err, size_t errsz);
void ld_bpat_free(ld_bpat *p);
/* Find matches in data from `*from` on, in file order; for each, `accept` (NULL = all) decides.
 * Returns true with the version capture (into data) of the first accepted match. Bounded: at
 * most LD_BPAT_MAX_MATCH bytes per match, LD_BPAT_MAX_STEPS matcher steps per candidate position
 * and LD_BPAT_MAX_TOTAL_STEPS + 4 x len steps per call (then it gives up: no match). */
bool ld_bpat_search(const ld_bpat *p, const unsigned char *data, size_t len,
		    bool (*accept)(void *opaque, ld_slice version), void *opaque,
		    ld_slice *version);
#define LD_BPAT_MAX_SRC		512
#define LD_BPAT_MAX_NODES	256
#define LD_BPAT_MAX_REPEAT	64	    /* {n,m} bounds */
#define LD_BPAT_MAX_MATCH	256	    /* bytes one match may span */
#define LD_BPAT_MAX_VERSION	64	    /* bytes of a captured version */
#define LD_BPAT_MAX_STEPS	(16u << 10) /* matcher steps at one candidate position */
#define LD_BPAT_MAX_TOTAL_STEPS (4u << 20)  /* per search, plus 4 per byte searched */

/* ---- the classifier table (binary.c) ---- */

typedef struct ld_classifier {
	const char *product;   /* name of the reported package */
	const char *files;     /* comma-separated globs on the file name */
	const char *pattern;   /* byte pattern, first group = version */
	const char *cpes;      /* "vendor:product[,vendor:product...]" as NVD names it, or NULL */
	const char *bitnami;   /* Bitnami OSV package name, or NULL */
	const char *go_module; /* a Go main module path (prefix) that already reports it, or NULL */
	unsigned flags;	       /* LD_CLS_* */
	ld_bpat *bpat;
} ld_classifier;

enum {
	/* the version must begin with the digits of the file name ("python3.11" -> "3.11.") */
	LD_CLS_NAME_VERSION = 1u << 0,
	/* NVD names major.minor releases and carries the patch level in the CPE update field
	 * ("bash 4.3" + "p24"/"patch24"): compare bounds with fewer components on that many */
	LD_CLS_CPE_MINOR = 1u << 1,
};

/* Parse the table text (data/binary-classifiers.tsv); rows are allocated in `a`. Every pattern
 * is compiled; a bad row is LADING_EINVALID with "line N: why" in err. */
int ld_classifiers_parse(ld_slice tsv, ld_arena *a, ld_classifier **out, size_t *n, char *err,
			 size_t errsz);
/* The compiled-in table (parsed once per process). NULL on a broken table (a build defect the
 * unit test catches). */
const ld_classifier *ld_classifiers(size_t *n);
void ld_classifiers_free_all(ld_classifier *rows, size_t n);
/* Run the table on one file: "PRODUCT\tVERSION\tROW" lines for each product found (the first
 * matching row per product), into out. */
int ld_classify(const ld_classifier *rows, size_t n, const char *path, const unsigned char *data,
		size_t len, ld_buf *out);

#endif

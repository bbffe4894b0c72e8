/* ld_arena: a bump allocator for objects that live and die together (one parse, one scan).
 * Capped: allocation beyond `max` total bytes fails (returns NULL) so hostile input cannot
 * make a parse grow without bound. Not thread-safe; one arena per thread of work. */
#ifndef LD_ARENA_H
#define LD_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#include "util/slice.h"

typedef struct ld_arena_chunk ld_arena_chunk;

struct ld_budget;

typedef struct ld_arena {
	ld_arena_chunk *head;
	size_t used;  /* bytes handed out + chunk overhead, for the cap */
	size_t max;   /* 0 = default cap */
	int err;      /* sticky: LADING_ENOMEM or LADING_ELIMIT after a failure */
	struct ld_budget *budget; /* chunks are charged to it (util/budget.h), or NULL */
	bool over_budget;         /* err is LADING_ELIMIT because the budget refused a chunk */
} ld_arena;

#define LD_ARENA_DEFAULT_MAX ((size_t)4 << 30)

void ld_arena_init(ld_arena *a, size_t max);
void ld_arena_release(ld_arena *a);
/* Charge the arena's chunks (those it has and those to come) to a scan's budget. */
int ld_arena_set_budget(ld_arena *a, struct ld_budget *b);
void *ld_arena_alloc(ld_arena *a, size_t n);          /* 16-byte aligned, zeroed */
void *ld_arena_array(ld_arena *a, size_t n, size_t size); /* overflow-checked */
char *ld_arena_strndup(ld_arena *a, const char *p, size_t n);
char *ld_arena_strdup(ld_arena *a, const char *s);
char *ld_arena_slice(ld_arena *a, ld_slice s);
char *ld_arena_printf(ld_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *ld_arena_memdup(ld_arena *a, const void *p, size_t n);

/* malloc for big, long-lived blocks (arena chunks, hash tables): from 2 MiB up, aligned to
 * and advised for transparent huge pages, so filling it takes one page fault per 2 MiB instead
 * of one per 4 KiB (first-touch faults were a third of `lading sbom` time on a 2-core VM).
 * Rounded up to whole huge pages. Not zeroed; release with free(). */
void *ld_mem_big_alloc(size_t n);
#define LD_HUGE_PAGE ((size_t)2 << 20)

/* Zeroed address space of n bytes of which only the pages written to take memory (a private
 * anonymous mapping, never on huge pages): a large file of which a reader keeps a few ranges
 * at their offsets. NULL on failure; release with ld_mem_sparse_free(p, n). */
void *ld_mem_sparse_alloc(size_t n);
void ld_mem_sparse_free(void *p, size_t n);
/* Give back the whole pages inside [off, off+n) of such a mapping (they read as zeros again);
 * returns the bytes given back. */
size_t ld_mem_sparse_drop(void *p, size_t off, size_t n);

#endif

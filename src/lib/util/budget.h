/* ld_budget: one memory budget per scan (--max-memory). Every large holder of memory of a scan
 * (layer arenas with their captured files, analyzer buffers, the plain-file hashes, the view,
 * catalogers' buffers) charges what it allocates and releases it when freed; a charge that would
 * exceed the budget fails, and the caller turns that into LADING_ELIMIT naming what was too big.
 * Thread-safe (atomics): layers are read in parallel. Why: per-part caps did not bound a scan
 * whose image has many layers, each with large wanted files. */
#ifndef LD_BUDGET_H
#define LD_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LD_BUDGET_DEFAULT ((uint64_t)1 << 30) /* 1 GiB */

typedef struct ld_budget {
	uint64_t max;          /* 0 = unlimited */
	atomic_uint_least64_t used;
	atomic_uint_least64_t peak;
} ld_budget;

void ld_budget_init(ld_budget *b, uint64_t max);
/* Charge n bytes: true when they fit (charged), false when they would exceed the budget
 * (nothing charged). A NULL budget accepts everything. */
bool ld_budget_charge(ld_budget *b, size_t n);
void ld_budget_release(ld_budget *b, size_t n);
uint64_t ld_budget_used(const ld_budget *b);
uint64_t ld_budget_peak(const ld_budget *b);
/* "1.0 GiB", "64.0 MiB", "512 bytes" */
void ld_budget_size_str(uint64_t n, char *out, size_t size);

#endif

#include "util/common.h"
#include "util/budget.h"

void ld_budget_init(ld_budget *b, uint64_t max)
{
	b->max = max;
	atomic_init(&b->used, 0);
	atomic_init(&b->peak, 0);
}

bool ld_budget_charge(ld_budget *b, size_t n)
{
	uint_least64_t cur, next, peak;
	if (!b || !n)
		return true;
	cur = atomic_load_explicit(&b->used, memory_order_relaxed);
	do {
		if ((uint64_t)n > UINT64_MAX - cur || (b->max && cur + n > b->max))
			return false;
		next = cur + n;
	} while (!atomic_compare_exchange_weak_explicit(&b->used, &cur, next, memory_order_relaxed,
							memory_order_relaxed));
	peak = atomic_load_explicit(&b->peak, memory_order_relaxed);
	while (next > peak &&
	       !atomic_compare_exchange_weak_explicit(&b->peak, &peak, next, memory_order_relaxed, memory_order_relaxed))
		;
	return true;
}

void ld_budget_release(ld_budget *b, size_t n)
{
	if (b && n)
		atomic_fetch_sub_explicit(&b->used, n, memory_order_relaxed);
}

uint64_t ld_budget_used(const ld_budget *b)
{
	return b ? atomic_load_explicit(&((ld_budget *)b)->used, memory_order_relaxed) : 0;
}

uint64_t ld_budget_peak(const ld_budget *b)
{
	return b ? atomic_load_explicit(&((ld_budget *)b)->peak, memory_order_relaxed) : 0;
}

void ld_budget_size_str(uint64_t n, char *out, size_t size)
{
	if (n >= ((uint64_t)1 << 30))
		ld_snprintf(out, size, "%.1f GiB", (double)n / (double)((uint64_t)1 << 30));
	else if (n >= ((uint64_t)1 << 20))
		ld_snprintf(out, size, "%.1f MiB", (double)n / (double)((uint64_t)1 << 20));
	else if (n >= 1024)
		ld_snprintf(out, size, "%.1f KiB", (double)n / 1024.0);
	else
		ld_snprintf(out, size, "%" PRIu64 " bytes", n);
}

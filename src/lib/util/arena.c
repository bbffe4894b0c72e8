#include "util/common.h"
#include "util/budget.h"

#include <sys/mman.h>
#include <unistd.h>


struct ld_arena_chunk {
	ld_arena_chunk *next;
	size_t size;
	size_t off;
	_Alignas(16) unsigned char data[];
};

#define CHUNK_MIN ((size_t)64 * 1024)

void *ld_mem_big_alloc(size_t n)
{
	void *p;
	if (n < LD_HUGE_PAGE)
		return malloc(n);
	/* whole huge pages: a partial one at the end would be filled 4 KiB at a time */
	if (n > SIZE_MAX - LD_HUGE_PAGE)
		return NULL;
	n = (n + LD_HUGE_PAGE - 1) & ~(LD_HUGE_PAGE - 1);
	if (posix_memalign(&p, LD_HUGE_PAGE, n))
		return NULL;
#ifdef MADV_HUGEPAGE
	/* advice only: where THP is off or unavailable this is a no-op or fails harmlessly */
	(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

void *ld_mem_sparse_alloc(size_t n)
{
	void *p;
	if (!n)
		n = 1;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_NOHUGEPAGE
	/* with THP "always" one written byte would otherwise take 2 MiB */
	(void)madvise(p, n, MADV_NOHUGEPAGE);
#endif
	return p;
}

void ld_mem_sparse_free(void *p, size_t n)
{
	if (p)
		munmap(p, n ? n : 1);
}

size_t ld_mem_sparse_drop(void *p, size_t off, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), a, b;
	if (!p || !n || off > SIZE_MAX - n)
		return 0;
	a = (off + page - 1) / page * page;
	b = (off + n) / page * page;
	if (b <= a || madvise((char *)p + a, b - a, MADV_DONTNEED))
		return 0;
	return b - a;
}

void ld_arena_init(ld_arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max ? max : LD_ARENA_DEFAULT_MAX;
	a->err = 0;
	a->budget = NULL;
	a->over_budget = false;
}

int ld_arena_set_budget(ld_arena *a, ld_budget *b)
{
	if (a->budget == b)
		return 0;
	if (!ld_budget_charge(b, a->used))
		return LADING_ELIMIT;
	ld_budget_release(a->budget, a->used);
	a->budget = b;
	return 0;
}

void ld_arena_release(ld_arena *a)
{
	ld_arena_chunk *c = a->head, *n;
	while (c) {
		n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
	ld_budget_release(a->budget, a->used);
	a->used = 0;
	a->err = 0;
	a->over_budget = false;
}

void *ld_arena_alloc(ld_arena *a, size_t n)
{
	ld_arena_chunk *c = a->head;
	size_t need, csize, total;
	void *p;

	if (a->err)
		return NULL;
	if (ld_add_overflow(n, 15, &need)) {
		a->err = LADING_ENOMEM;
		return NULL;
	}
	need &= ~(size_t)15;
	if (need == 0)
		need = 16;
	if (!c || c->size - c->off < need) {
		csize = need > CHUNK_MIN ? need : CHUNK_MIN;
		/* grow chunk size with the arena so big parses need few mallocs */
		if (a->used / 4 > csize && a->used / 4 < ((size_t)64 << 20))
			csize = a->used / 4;
		/* an arena past 1 MiB is a big one: go straight to huge-page-sized chunks */
		if (a->used >= LD_HUGE_PAGE / 2 && csize < LD_HUGE_PAGE - sizeof(*c))
			csize = LD_HUGE_PAGE - sizeof(*c);
		/* a big chunk uses all of the huge pages it gets (ld_mem_big_alloc rounds up) */
		if (csize >= LD_HUGE_PAGE - sizeof(*c) && csize < ((size_t)1 << 40))
			csize = ((csize + sizeof(*c) + LD_HUGE_PAGE - 1) & ~(LD_HUGE_PAGE - 1)) - sizeof(*c);
		if (ld_add_overflow(csize, sizeof(*c), &total)) {
			a->err = LADING_ENOMEM;
			return NULL;
		}
		if (a->used + total > a->max || a->used + total < a->used) {
			a->err = LADING_ELIMIT;
			return NULL;
		}
		/* what ld_mem_big_alloc really takes (whole huge pages) */
		if (!ld_budget_charge(a->budget, total)) {
			a->err = LADING_ELIMIT;
			a->over_budget = true;
			return NULL;
		}
		c = ld_mem_big_alloc(total);
		if (!c) {
			ld_budget_release(a->budget, total);
			a->err = LADING_ENOMEM;
			return NULL;
		}
		c->size = csize;
		c->off = 0;
		c->next = a->head;
		a->head = c;
		a->used += total;
	}
	p = c->data + c->off;
	c->off += need;
	memset(p, 0, n);
	return p;
}

void *ld_arena_array(ld_arena *a, size_t n, size_t size)
{
	size_t t;
	if (ld_mul_overflow(n, size, &t)) {
		a->err = LADING_ENOMEM;
		return NULL;
	}
	return ld_arena_alloc(a, t);
}

char *ld_arena_strndup(ld_arena *a, const char *p, size_t n)
{
	char *s;
	if (n == SIZE_MAX)
		return NULL;
	s = ld_arena_alloc(a, n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *ld_arena_strdup(ld_arena *a, const char *s)
{
	return s ? ld_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ld_arena_slice(ld_arena *a, ld_slice s)
{
	return ld_arena_strndup(a, s.ptr ? s.ptr : "", s.len);
}

void *ld_arena_memdup(ld_arena *a, const void *p, size_t n)
{
	void *d = ld_arena_alloc(a, n);
	if (d && n)
		memcpy(d, p, n);
	return d;
}

char *ld_arena_printf(ld_arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	int n;
	char *s;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		va_end(ap);
		return NULL;
	}
	s = ld_arena_alloc(a, (size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

#include "util/common.h"
#include "util/arena.h"
#include "util/vec.h"

void ld_vec_init(ld_vec *v, size_t elem, size_t max)
{
	v->ptr = NULL;
	v->len = v->cap = 0;
	v->elem = elem;
	v->max = max;
}

void ld_vec_release(ld_vec *v)
{
	free(v->ptr);
	v->ptr = NULL;
	v->len = v->cap = 0;
}

int ld_vec_reserve(ld_vec *v, size_t n)
{
	size_t ncap, bytes;
	void *np;
	if (n <= v->cap)
		return 0;
	ncap = v->cap ? v->cap : 16;
	while (ncap < n) {
		if (ncap > SIZE_MAX / 2)
			return LADING_ENOMEM;
		ncap *= 2;
	}
	if (ld_mul_overflow(ncap, v->elem, &bytes))
		return LADING_ENOMEM;
	if (bytes >= LD_HUGE_PAGE) {
		/* on huge pages (ld_mem_big_alloc): filling a big vector took a page fault per 4 KiB,
		 * which on a VM cost more than the copy done here instead of realloc's */
		if (!(np = ld_mem_big_alloc(bytes)))
			return LADING_ENOMEM;
		if (v->len)
			memcpy(np, v->ptr, v->len * v->elem);
		free(v->ptr);
	} else if (!(np = realloc(v->ptr, bytes))) {
		return LADING_ENOMEM;
	}
	v->ptr = np;
	v->cap = ncap;
	return 0;
}

void *ld_vec_push(ld_vec *v)
{
	void *p;
	if (v->max && v->len >= v->max)
		return NULL;
	if (v->len == v->cap && ld_vec_reserve(v, v->len + 1))
		return NULL;
	p = (char *)v->ptr + v->len * v->elem;
	memset(p, 0, v->elem);
	v->len++;
	return p;
}

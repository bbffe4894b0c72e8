/* ld_vec: a growable array of fixed-size elements with a hard element cap. */
#ifndef LD_VEC_H
#define LD_VEC_H

#include <stddef.h>

typedef struct ld_vec {
	void *ptr;
	size_t len, cap;
	size_t elem;
	size_t max; /* element cap, 0 = SIZE_MAX / elem */
} ld_vec;

void ld_vec_init(ld_vec *v, size_t elem, size_t max);
void ld_vec_release(ld_vec *v);
/* Append one zeroed element; NULL on OOM or when the cap is reached (check ld_vec_full). */
void *ld_vec_push(ld_vec *v);
int ld_vec_reserve(ld_vec *v, size_t n);
static inline void *ld_vec_at(const ld_vec *v, size_t i)
{
	return (char *)v->ptr + i * v->elem;
}
static inline int ld_vec_full(const ld_vec *v)
{
	return v->max && v->len >= v->max;
}

#endif

#include "util/common.h"
#include "util/budget.h"
#include "util/hash.h"
#include "util/map.h"

/* a deleted slot keeps key == TOMB so probing continues past it */
static const char tomb_marker;
#define TOMB (&tomb_marker)

void ld_map_init(ld_map *m)
{
	memset(m, 0, sizeof(*m));
}

int ld_map_set_budget(ld_map *m, ld_budget *b)
{
	size_t bytes = m->cap * sizeof(*m->slots);
	if (m->budget == b)
		return 0;
	if (!ld_budget_charge(b, bytes))
		return LADING_ELIMIT;
	ld_budget_release(m->budget, bytes);
	m->budget = b;
	return 0;
}

void ld_map_release(ld_map *m)
{
	ld_budget *b = m->budget;
	ld_budget_release(b, m->cap * sizeof(*m->slots));
	free(m->slots);
	memset(m, 0, sizeof(*m));
	m->budget = b; /* still charged to the same budget if used again */
}

void ld_map_clear(ld_map *m)
{
	if (m->cap > LD_MAP_CLEAR_KEEP) {
		ld_map_release(m);
		return;
	}
	if (m->len || m->tomb)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->len = m->tomb = 0;
}

static ld_map_slot *find(const ld_map *m, ld_slice key, uint64_t h)
{
	size_t mask, i;
	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		ld_map_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != TOMB && s->hash == h && s->klen == key.len && memcmp(s->key, key.ptr, key.len) == 0)
			return s;
	}
}

void *ld_map_get(const ld_map *m, ld_slice key)
{
	ld_map_slot *s = find(m, key, ld_hash64(key.ptr, key.len));
	return s ? s->val : NULL;
}

void *ld_map_gets(const ld_map *m, const char *key)
{
	return ld_map_get(m, ld_slice_cstr(key));
}

static int rehash(ld_map *m, size_t ncap)
{
	ld_map_slot *old = m->slots, *ns;
	size_t ocap = m->cap, bytes;

	if (ld_mul_overflow(ncap, sizeof(*ns), &bytes))
		return LADING_ENOMEM;
	if (!ld_budget_charge(m->budget, bytes)) {
		m->over_budget = true;
		return LADING_ELIMIT;
	}
	if (!(ns = ld_mem_big_alloc(bytes))) {
		ld_budget_release(m->budget, bytes);
		return LADING_ENOMEM;
	}
	memset(ns, 0, bytes);
	m->slots = ns;
	m->cap = ncap;
	m->tomb = 0;
	for (size_t i = 0; i < ocap; i++) {
		ld_map_slot *s = &old[i];
		size_t j;
		if (!s->key || s->key == TOMB)
			continue;
		for (j = s->hash & (ncap - 1); ns[j].key; j = (j + 1) & (ncap - 1))
			;
		ns[j] = *s;
	}
	free(old);
	ld_budget_release(m->budget, ocap * sizeof(*ns));
	return 0;
}

int ld_map_put(ld_map *m, ld_slice key, void *val, void **old)
{
	uint64_t h = ld_hash64(key.ptr, key.len);
	ld_map_slot *s;
	size_t i, mask;

	if (old)
		*old = NULL;
	s = find(m, key, h);
	if (s) {
		if (old)
			*old = s->val;
		s->val = val;
		return 0;
	}
	if ((m->len + m->tomb + 1) * 4 >= m->cap * 3) {
		size_t ncap = m->cap ? m->cap : 16;
		while ((m->len + 1) * 2 >= ncap) {
			if (ncap > SIZE_MAX / 2 / sizeof(ld_map_slot))
				return LADING_ENOMEM;
			ncap *= 2;
		}
		int rc = rehash(m, ncap);
		if (rc)
			return rc;
	}
	mask = m->cap - 1;
	for (i = h & mask; m->slots[i].key && m->slots[i].key != TOMB; i = (i + 1) & mask)
		;
	if (m->slots[i].key == TOMB)
		m->tomb--;
	m->slots[i].key = key.ptr ? key.ptr : "";
	m->slots[i].klen = key.len;
	m->slots[i].hash = h;
	m->slots[i].val = val;
	m->len++;
	return 0;
}

void *ld_map_del(ld_map *m, ld_slice key)
{
	ld_map_slot *s = find(m, key, ld_hash64(key.ptr, key.len));
	void *v;
	if (!s)
		return NULL;
	v = s->val;
	s->key = TOMB;
	s->val = NULL;
	m->len--;
	m->tomb++;
	return v;
}

bool ld_map_next(const ld_map *m, size_t *i, const ld_map_slot **slot)
{
	while (*i < m->cap) {
		const ld_map_slot *s = &m->slots[(*i)++];
		if (s->key && s->key != TOMB) {
			*slot = s;
			return true;
		}
	}
	return false;
}

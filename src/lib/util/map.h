/* ld_map: open-addressing hash map from byte-string keys to pointers. Keys are not copied:
 * they must outlive the map (they usually live in the same arena as the values). */
#ifndef LD_MAP_H
#define LD_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/slice.h"

typedef struct ld_map_slot {
	const char *key;
	size_t klen;
	uint64_t hash;
	void *val;
} ld_map_slot;

struct ld_budget;
typedef struct ld_map {
	ld_map_slot *slots;
	size_t cap;  /* power of two or 0 */
	size_t len;
	size_t tomb; /* deleted slots */
	struct ld_budget *budget; /* the table is charged to it (util/budget.h), or NULL */
	bool over_budget;         /* the last put failed because the budget refused the table */
} ld_map;

void ld_map_init(ld_map *m);
/* Charge the table (the one it has and those to come) to a scan's budget; a put that would
 * exceed it fails with LADING_ELIMIT and sets over_budget. */
int ld_map_set_budget(ld_map *m, struct ld_budget *b);
void ld_map_release(ld_map *m);
/* Empty it for reuse: a small table is kept (zeroed), one past LD_MAP_CLEAR_KEEP slots freed. */
void ld_map_clear(ld_map *m);
#define LD_MAP_CLEAR_KEEP 1024
void *ld_map_get(const ld_map *m, ld_slice key);
void *ld_map_gets(const ld_map *m, const char *key);
/* Insert or replace; *old gets the previous value (NULL if none). */
int ld_map_put(ld_map *m, ld_slice key, void *val, void **old);
void *ld_map_del(ld_map *m, ld_slice key);
/* Iterate: for (size_t i = 0; ld_map_next(m, &i, &slot);) */
bool ld_map_next(const ld_map *m, size_t *i, const ld_map_slot **slot);

#endif

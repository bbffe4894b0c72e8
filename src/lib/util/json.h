/* JSON reader: parses (ptr,len) into a read-only tree allocated in an arena.
 *
 * Our own instead of jansson because the NVD/OSV feeds are ~1 GB of JSON per DB build and this
 * parser is several times faster (docs/ARCHITECTURE.md has the figures), because it allocates
 * from one capped arena (one free for a whole document, hard memory bound) and because it
 * reports byte offsets in errors. Strings are decoded (escapes, \u surrogates) and NUL-terminated;
 * numbers keep their source text. Iterative: nesting is limited by `max_depth`, not the C stack. */
#ifndef LD_JSON_H
#define LD_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "lading/common.h"
#include "util/arena.h"
#include "util/slice.h"

typedef enum {
	LD_JSON_NULL = 0,
	LD_JSON_FALSE,
	LD_JSON_TRUE,
	LD_JSON_NUMBER,
	LD_JSON_STRING,
	LD_JSON_ARRAY,
	LD_JSON_OBJECT
} ld_json_type;

typedef struct ld_json ld_json;
typedef struct ld_json_member ld_json_member;

struct ld_json {
	uint32_t type; /* ld_json_type */
	uint32_t n;    /* string/number: byte length; array: elements; object: members */
	union {
		const char *s;           /* string (decoded) or number (source text), NUL-terminated */
		ld_json *items;          /* array */
		ld_json_member *members; /* object, in document order */
	} u;
};

struct ld_json_member {
	const char *key;
	uint32_t klen;
	ld_json value;
};

typedef struct ld_json_limits {
	unsigned max_depth;    /* nesting of arrays/objects; 0 = 512 */
	size_t max_arena;      /* bytes the tree may take; 0 = 16 x input + 1 MiB */
} ld_json_limits;

/* Parse a whole document (trailing blanks allowed). `what` names the input in errors.
 * The tree lives in `arena`; on error *out is NULL and ctx has "WHAT: ... at byte N". */
int ld_json_parse(ld_json **out, ld_arena *arena, const char *p, size_t len,
		  const ld_json_limits *lim, lading_ctx *ctx, const char *what);
/* Parse one value at the start of (p,len) and say how many bytes it took (JSON lines). */
int ld_json_parse_prefix(ld_json **out, size_t *consumed, ld_arena *arena, const char *p, size_t len,
			 const ld_json_limits *lim, lading_ctx *ctx, const char *what);

/* Accessors are NULL-safe: a missing or mistyped value reads as NULL / false / default. */
const ld_json *ld_json_get(const ld_json *obj, const char *key);
/* Walk nested objects: ld_json_getp(v, "a", "b", NULL). */
const ld_json *ld_json_getp(const ld_json *v, ...) __attribute__((sentinel));
const ld_json *ld_json_at(const ld_json *arr, size_t i);
size_t ld_json_len(const ld_json *v); /* array/object size, else 0 */
static inline bool ld_json_is(const ld_json *v, ld_json_type t)
{
	return v && v->type == (uint32_t)t;
}
const char *ld_json_str(const ld_json *v);                 /* string or NULL */
const char *ld_json_str_or(const ld_json *v, const char *def);
ld_slice ld_json_slice(const ld_json *v);                  /* string bytes (may hold NUL) */
const char *ld_json_get_str(const ld_json *obj, const char *key); /* ld_json_str(ld_json_get()) */
bool ld_json_num(const ld_json *v, double *out);
bool ld_json_i64(const ld_json *v, int64_t *out);          /* integral numbers only */
bool ld_json_bool(const ld_json *v, bool def);

#define ld_json_foreach_item(arr, i, it) \
	for (size_t i = 0; ld_json_is((arr), LD_JSON_ARRAY) && i < (arr)->n && ((it) = &(arr)->u.items[i], 1); i++)
#define ld_json_foreach_member(obj, i, m) \
	for (size_t i = 0; ld_json_is((obj), LD_JSON_OBJECT) && i < (obj)->n && ((m) = &(obj)->u.members[i], 1); i++)

#endif

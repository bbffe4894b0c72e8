/* YAML reader: parses (ptr,len) with libyaml into the same read-only ld_json tree as util/json.h
 * (so one set of accessors serves both), allocated in an arena. The only user of libyaml.
 *
 * Scalars: quoted and block scalars are strings; plain scalars are resolved with the YAML 1.2
 * core schema (null, ~, empty -> null; true/false -> booleans; integers and floats -> numbers that
 * keep their source text), unless LD_YAML_PLAIN_STRINGS asks for every non-null scalar as its
 * exact text (what feeds like the Alpine secdb mean: "7.53.0", "1.0" and "2019-01-01" stay text).
 * An explicit !!str tag always gives a string.
 * Mapping keys must be scalars (their text becomes the key); duplicate keys are kept in document
 * order (ld_json_get returns the first). Merge keys ("<<") are not interpreted.
 * Anchors and aliases: an alias shares the anchored subtree (no copy); every alias use counts the
 * subtree's full size against `max_nodes`, so an alias bomb ("billion laughs") fails with
 * LADING_ELIMIT instead of blowing up whoever walks the tree.
 * One document per input: a second document is LADING_EINVALID; an empty stream is null. */
#ifndef LD_YAML_H
#define LD_YAML_H

#include <stddef.h>

#include "lading/common.h"
#include "util/arena.h"
#include "util/json.h"

enum {
	LD_YAML_PLAIN_STRINGS = 1 << 0 /* plain scalars other than null stay strings */
};

typedef struct ld_yaml_limits {
	unsigned max_depth; /* nesting of sequences/mappings; 0 = 64 */
	size_t max_input;   /* input bytes; 0 = 256 MiB */
	size_t max_arena;   /* bytes the tree may take; 0 = 16 x input + 1 MiB */
	size_t max_nodes; /* nodes counted with every alias expanded; 0 = 4 x input bytes + 10000 */
	unsigned flags;	  /* LD_YAML_* */
} ld_yaml_limits;

/* Parse one YAML document. `what` names the input in errors ("v3.9/main.yaml: YAML error at line
 * 3 column 5: ..."). On error *out is NULL and ctx has the detail (with the byte offset). */
int ld_yaml_parse(ld_json **out, ld_arena *arena, const char *p, size_t len,
		  const ld_yaml_limits *lim, lading_ctx *ctx, const char *what);

#endif

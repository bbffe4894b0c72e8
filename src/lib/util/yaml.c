#include <yaml.h>

#include "util/common.h"
#include "util/map.h"
#include "util/yaml.h"

/* Named limits (defaults; callers may lower or raise them through ld_yaml_limits). */
#define YAML_DEFAULT_MAX_DEPTH 64u
#define YAML_DEFAULT_MAX_INPUT ((size_t)256 << 20)
#define YAML_NODES_PER_BYTE 4u		       /* max_nodes default: 4 x input bytes ... */
#define YAML_NODES_SLACK 10000u		       /* ... + this */
#define YAML_MAX_ELEMENTS ((size_t)UINT32_MAX) /* ld_json counts are 32-bit */

typedef struct yframe {
	uint32_t type;	 /* LD_JSON_ARRAY or LD_JSON_OBJECT */
	size_t start;	 /* first pending element of this container */
	const char *key; /* key under which this container sits in its parent mapping */
	uint32_t klen;
	const char *anchor;  /* anchor of this container, recorded when it closes */
	size_t nodes;	     /* nodes below this container (aliases expanded) */
	bool want_key;	     /* mapping: the next value is a key */
	const char *cur_key; /* mapping: key waiting for its value */
	uint32_t cur_klen;
} yframe;

typedef struct anchor_rec {
	ld_json value;
	size_t nodes;	  /* subtree size, aliases expanded */
	const char *text; /* a scalar's source text (for use as a key), else NULL */
	uint32_t tlen;
} anchor_rec;

typedef struct yparser {
	ld_arena *arena;
	lading_ctx *ctx;
	const char *what;
	unsigned flags;
	size_t max_nodes, nodes;
	size_t max_pend_bytes;
	ld_json_member *pend;
	size_t npend, cappend;
	ld_map anchors;
	yframe *st;
	unsigned depth, max_depth;
	ld_json *root;
	bool have_root;
} yparser;

static int yfail(yparser *ps, int code, size_t offset, const char *msg)
{
	return ld_error_set_path(ps->ctx, code, ps->what, (uint64_t)offset,
				 "%s: invalid YAML at byte %zu: %s", ps->what, offset, msg);
}

static int yoom(yparser *ps, size_t offset)
{
	if (ps->arena->err == LADING_ELIMIT)
		return yfail(ps, LADING_ELIMIT, offset, "document too large for its memory limit");
	return ld_error_set(ps->ctx, LADING_ENOMEM, "%s: out of memory parsing YAML", ps->what);
}

static size_t sat_add(size_t a, size_t b)
{
	size_t r;
	return ld_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

/* ---- plain scalar resolution (YAML 1.2 core schema) ---- */

static bool is_null_word(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 &&
		(!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int bool_word(const char *s, size_t n)
{
	if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
		return 1;
	if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
		return 0;
	return -1;
}

static bool all_digits(const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = base == 16  ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
					 (c >= 'A' && c <= 'F'))
			  : base == 8 ? (c >= '0' && c <= '7')
				      : (c >= '0' && c <= '9');
		if (!ok)
			return false;
	}
	return true;
}

static bool is_number_word(const char *s, size_t n)
{
	size_t i = 0, d1 = 0, d2 = 0;
	if (n > 2 && s[0] == '0' && s[1] == 'o')
		return all_digits(s + 2, n - 2, 8);
	if (n > 2 && s[0] == '0' && s[1] == 'x')
		return all_digits(s + 2, n - 2, 16);
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (n - i == 4 &&
	    (!memcmp(s + i, ".inf", 4) || !memcmp(s + i, ".Inf", 4) || !memcmp(s + i, ".INF", 4)))
		return true;
	if (n == 4 && (!memcmp(s, ".nan", 4) || !memcmp(s, ".NaN", 4) || !memcmp(s, ".NAN", 4)))
		return true;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d1++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d2++;
	}
	if (d1 + d2 == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d3 = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d3++;
		if (!d3)
			return false;
	}
	return i == n;
}

/* ---- tree building ---- */

static int push_pending(yparser *ps, const char *key, uint32_t klen, const ld_json *v, size_t off)
{
	if (ps->npend == ps->cappend) {
		size_t ncap = ps->cappend ? ps->cappend * 2 : 256, bytes;
		ld_json_member *np;
		if (ld_mul_overflow(ncap, sizeof(*np), &bytes) || bytes > ps->max_pend_bytes)
			return yfail(ps, LADING_ELIMIT, off,
				     "too many values for the memory limit");
		np = realloc(ps->pend, bytes);
		if (!np)
			return ld_error_set(ps->ctx, LADING_ENOMEM,
					    "%s: out of memory parsing YAML", ps->what);
		ps->pend = np;
		ps->cappend = ncap;
	}
	ps->pend[ps->npend].key = key;
	ps->pend[ps->npend].klen = klen;
	ps->pend[ps->npend].value = *v;
	ps->npend++;
	return 0;
}

static int count_nodes(yparser *ps, size_t n, size_t off)
{
	ps->nodes = sat_add(ps->nodes, n);
	if (ps->nodes > ps->max_nodes)
		return yfail(
			ps, LADING_ELIMIT, off,
			"too many nodes (aliases expanded): the limit guards against alias bombs");
	return 0;
}

static int remember_anchor(yparser *ps, const char *name, const ld_json *v, size_t nodes,
			   const char *text, uint32_t tlen, size_t off)
{
	anchor_rec *a;
	char *k;
	if (!name)
		return 0;
	a = ld_arena_alloc(ps->arena, sizeof(*a));
	k = ld_arena_strdup(ps->arena, name);
	if (!a || !k)
		return yoom(ps, off);
	a->value = *v;
	a->nodes = nodes;
	a->text = text;
	a->tlen = tlen;
	/* a later anchor of the same name replaces the earlier one (YAML allows redefinition) */
	if (ld_map_put(&ps->anchors, ld_slice_cstr(k), a, NULL))
		return ld_error_set(ps->ctx, LADING_ENOMEM, "%s: out of memory parsing YAML",
				    ps->what);
	return 0;
}

/* A complete node: attach it to the open container (or make it the root). `text` is a scalar's
 * source text (keys need it), NULL for containers. */
static int node_done(yparser *ps, const ld_json *v, size_t nodes, const char *text, uint32_t tlen,
		     size_t off)
{
	yframe *f;
	if (ps->depth == 0) {
		if (ps->have_root)
			return yfail(ps, LADING_EINVALID, off, "more than one root node");
		ps->root = ld_arena_alloc(ps->arena, sizeof(*ps->root));
		if (!ps->root)
			return yoom(ps, off);
		*ps->root = *v;
		ps->have_root = true;
		return 0;
	}
	f = &ps->st[ps->depth - 1];
	f->nodes = sat_add(f->nodes, nodes);
	if (f->type == LD_JSON_OBJECT && f->want_key) {
		if (!text)
			return yfail(ps, LADING_EUNSUPPORTED, off,
				     "a mapping key that is not a scalar");
		f->cur_key = text;
		f->cur_klen = tlen;
		f->want_key = false;
		return 0;
	}
	if (f->type == LD_JSON_OBJECT) {
		f->want_key = true;
		return push_pending(ps, f->cur_key, f->cur_klen, v, off);
	}
	return push_pending(ps, NULL, 0, v, off);
}

static int open_container(yparser *ps, uint32_t type, const unsigned char *anchor, size_t off)
{
	yframe *f;
	int rc;
	if (ps->depth >= ps->max_depth)
		return yfail(ps, LADING_ELIMIT, off, "nesting deeper than the limit");
	if ((rc = count_nodes(ps, 1, off)))
		return rc;
	if (ps->depth > 0) {
		yframe *p = &ps->st[ps->depth - 1];
		if (p->type == LD_JSON_OBJECT && p->want_key)
			return yfail(ps, LADING_EUNSUPPORTED, off,
				     "a mapping key that is not a scalar");
	}
	f = &ps->st[ps->depth++];
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->start = ps->npend;
	f->want_key = type == LD_JSON_OBJECT;
	if (anchor && !(f->anchor = ld_arena_strdup(ps->arena, (const char *)anchor)))
		return yoom(ps, off);
	return 0;
}

static int close_container(yparser *ps, size_t off)
{
	yframe f = ps->st[--ps->depth];
	size_t count = ps->npend - f.start;
	ld_json v;
	int rc;

	if (count > YAML_MAX_ELEMENTS)
		return yfail(ps, LADING_ELIMIT, off, "container with more than 2^32 elements");
	v.type = f.type;
	v.n = (uint32_t)count;
	if (f.type == LD_JSON_OBJECT) {
		ld_json_member *m = count ? ld_arena_array(ps->arena, count, sizeof(*m)) : NULL;
		if (count && !m)
			return yoom(ps, off);
		if (count)
			memcpy(m, ps->pend + f.start, count * sizeof(*m));
		v.u.members = m;
	} else {
		ld_json *a = count ? ld_arena_array(ps->arena, count, sizeof(*a)) : NULL;
		if (count && !a)
			return yoom(ps, off);
		for (size_t i = 0; i < count; i++)
			a[i] = ps->pend[f.start + i].value;
		v.u.items = a;
	}
	ps->npend = f.start;
	if ((rc = remember_anchor(ps, f.anchor, &v, sat_add(f.nodes, 1), NULL, 0, off)))
		return rc;
	return node_done(ps, &v, sat_add(f.nodes, 1), NULL, 0, off);
}

static int scalar(yparser *ps, const yaml_event_t *ev, size_t off)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	bool force_str = tag && !strcmp(tag, YAML_STR_TAG);
	char *text;
	ld_json v;
	int rc, b;

	if (n > UINT32_MAX)
		return yfail(ps, LADING_ELIMIT, off, "scalar longer than 4 GiB");
	if ((rc = count_nodes(ps, 1, off)))
		return rc;
	text = ld_arena_strndup(ps->arena, s ? s : "", n);
	if (!text)
		return yoom(ps, off);
	memset(&v, 0, sizeof(v));
	v.type = LD_JSON_STRING;
	v.n = (uint32_t)n;
	v.u.s = text;
	if (plain && !force_str) {
		if (is_null_word(text, n)) {
			v.type = LD_JSON_NULL;
			v.n = 0;
			v.u.s = NULL;
		} else if (!(ps->flags & LD_YAML_PLAIN_STRINGS)) {
			if ((b = bool_word(text, n)) >= 0) {
				v.type = b ? LD_JSON_TRUE : LD_JSON_FALSE;
				v.n = 0;
				v.u.s = NULL;
			} else if (is_number_word(text, n)) {
				v.type = LD_JSON_NUMBER;
			}
		}
	}
	if ((rc = remember_anchor(ps, (const char *)ev->data.scalar.anchor, &v, 1, text,
				  (uint32_t)n, off)))
		return rc;
	return node_done(ps, &v, 1, text, (uint32_t)n, off);
}

static int alias(yparser *ps, const yaml_event_t *ev, size_t off)
{
	const anchor_rec *a = ld_map_gets(&ps->anchors, (const char *)ev->data.alias.anchor);
	int rc;
	if (!a)
		return yfail(ps, LADING_EINVALID, off,
			     "alias to an undefined (or not yet closed) anchor");
	if ((rc = count_nodes(ps, a->nodes, off)))
		return rc;
	return node_done(ps, &a->value, a->nodes, a->text, a->tlen, off);
}

/* The parser's limits: depth, nodes (by default from the input's length), and the arena
 * growth this document may cause (the arena's own cap is lowered to it while parsing). */
static void set_limits(yparser *ps, ld_arena *arena, size_t len, const ld_yaml_limits *lim)
{
	size_t max_arena, before = arena->used;

	ps->max_depth = lim && lim->max_depth ? lim->max_depth : YAML_DEFAULT_MAX_DEPTH;
	if (lim && lim->max_nodes)
		ps->max_nodes = lim->max_nodes;
	else
		ps->max_nodes = sat_add(
			len > SIZE_MAX / YAML_NODES_PER_BYTE ? SIZE_MAX : len * YAML_NODES_PER_BYTE,
			YAML_NODES_SLACK);
	if (lim && lim->max_arena)
		max_arena = lim->max_arena;
	else if (ld_mul_overflow(len, 16, &max_arena) ||
		 ld_add_overflow(max_arena, 1 << 20, &max_arena))
		max_arena = SIZE_MAX;
	ps->max_pend_bytes = max_arena;
	/* bound this document's own growth; the arena's cap stays the owner's */
	if (before + max_arena > before && before + max_arena < arena->max)
		arena->max = before + max_arena;
}

/* libyaml's error as ours: out of memory, or where and what. */
static int parse_error(const yaml_parser_t *parser, const yparser *ps, lading_ctx *ctx)
{
	if (parser->error == YAML_MEMORY_ERROR)
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory parsing YAML", ps->what);
	return ld_error_set_path(ctx, LADING_EINVALID, ps->what, (uint64_t)parser->problem_mark.index,
				 "%s: YAML error at line %zu column %zu: %s%s%s", ps->what,
				 (size_t)parser->problem_mark.line + 1, (size_t)parser->problem_mark.column + 1,
				 parser->problem ? parser->problem : "syntax error", parser->context ? " " : "",
				 parser->context ? parser->context : "");
}

/* One event of the stream; *done at its end. Only one document is accepted. */
static int on_event(yparser *ps, yaml_event_t *ev, bool *done, bool *seen_doc)
{
	size_t off = ev->start_mark.index;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (*seen_doc)
			return yfail(ps, LADING_EINVALID, off, "more than one YAML document");
		*seen_doc = true;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		return open_container(ps, LD_JSON_ARRAY, ev->data.sequence_start.anchor, off);
	case YAML_MAPPING_START_EVENT:
		return open_container(ps, LD_JSON_OBJECT, ev->data.mapping_start.anchor, off);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (ps->depth == 0)
			return yfail(ps, LADING_EINVALID, off, "unbalanced end of a collection");
		return close_container(ps, off);
	case YAML_SCALAR_EVENT:
		return scalar(ps, ev, off);
	case YAML_ALIAS_EVENT:
		return alias(ps, ev, off);
	default:
		return 0;
	}
}

int ld_yaml_parse(ld_json **out, ld_arena *arena, const char *p, size_t len,
		  const ld_yaml_limits *lim, lading_ctx *ctx, const char *what)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	yparser ps;
	size_t max_input = lim && lim->max_input ? lim->max_input : YAML_DEFAULT_MAX_INPUT;
	size_t saved_max = arena->max;
	bool done = false, seen_doc = false;
	int rc = 0;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.arena = arena;
	ps.ctx = ctx;
	ps.what = what ? what : "YAML";
	ps.flags = lim ? lim->flags : 0;
	if (len > max_input)
		return ld_error_set(ctx, LADING_ELIMIT,
				    "%s: YAML input of %zu bytes exceeds the limit of %zu", ps.what,
				    len, max_input);
	set_limits(&ps, arena, len, lim);
	ld_map_init(&ps.anchors);
	ps.st = calloc(ps.max_depth, sizeof(*ps.st));
	if (!ps.st) {
		arena->max = saved_max;
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory parsing YAML", ps.what);
	}
	if (!yaml_parser_initialize(&parser)) {
		free(ps.st);
		arena->max = saved_max;
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory parsing YAML", ps.what);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(p ? p : ""), len);
	while (!done && !rc) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parse_error(&parser, &ps, ctx);
			break;
		}
		rc = on_event(&ps, &ev, &done, &seen_doc);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(ps.st);
	free(ps.pend);
	ld_map_release(&ps.anchors);
	arena->max = saved_max;
	if (arena->err == LADING_ELIMIT)
		arena->err = 0; /* the cap was this document's, not the arena owner's */
	if (rc)
		return rc;
	if (!ps.have_root) {
		/* an empty stream or document is null */
		ps.root = ld_arena_alloc(arena, sizeof(*ps.root));
		if (!ps.root)
			return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory parsing YAML",
					    ps.what);
		ps.root->type = LD_JSON_NULL;
	}
	*out = ps.root;
	return 0;
}

/* lading's own container list ({"containers":[{...}]}, as `inventory list containers --format
 * json` writes it) -> lading_container[], all in one malloc'd block. Untrusted input: named
 * limits, every field type-checked, errors name the input and the entry. */
#include "util/common.h"
#include "util/json.h"
#include "lading/inventory.h"

/* Named limits. */
#define CJ_MAX_BYTES ((size_t)512 << 20) /* whole document */
#define CJ_MAX_CONTAINERS 1000000
#define CJ_MAX_LABELS 4096               /* labels of one container */
#define CJ_MAX_DEPTH 16

enum { F_ID, F_NAME, F_SOURCE, F_NS, F_POD, F_NODE, F_OWNER, F_REF, F_DIGEST, F_STATE, F_CREATED, F_STARTED, F_N };
static const char *const fields[F_N] = {"id",        "name",         "source", "namespace", "pod",     "node",
					"owner",     "image_ref",    "image_digest", "state", "created", "started"};

/* A bump allocator over one block sized in a first pass. */
typedef struct cj_block {
	char *p;
	size_t used, cap;
} cj_block;

static void *take(cj_block *b, size_t n)
{
	void *r;
	n = (n + 15) & ~(size_t)15;
	if (!b->p) {
		b->used += n;
		return NULL;
	}
	r = b->p + b->used;
	b->used += n;
	return r;
}

static const char *put_str(cj_block *b, const ld_json *v)
{
	char *s;
	if (!ld_json_is(v, LD_JSON_STRING))
		return NULL;
	s = take(b, (size_t)v->n + 1);
	if (s) {
		memcpy(s, v->u.s, v->n);
		s[v->n] = '\0';
	}
	return s;
}

static int check_entry(const ld_json *c, size_t i, lading_ctx *ctx, const char *what)
{
	const ld_json *labels;
	const char *state;

	if (!ld_json_is(c, LD_JSON_OBJECT))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: containers[%zu] is not an object", what, i);
	if (!ld_json_get_str(c, "id") || !*ld_json_get_str(c, "id"))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: containers[%zu] has no \"id\" string", what,
					 i);
	for (size_t f = 0; f < F_N; f++) {
		const ld_json *v = ld_json_get(c, fields[f]);
		if (v && !ld_json_is(v, LD_JSON_STRING) && !ld_json_is(v, LD_JSON_NULL))
			return ld_error_set_path(ctx, LADING_EINVALID, what, 0,
						 "%s: containers[%zu].%s is not a string", what, i, fields[f]);
	}
	state = ld_json_get_str(c, "state");
	if (state && strcmp(state, "running") && strcmp(state, "created") && strcmp(state, "exited") &&
	    strcmp(state, "gone"))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0,
					 "%s: containers[%zu].state \"%s\" is not running, created, exited or gone", what,
					 i, state);
	labels = ld_json_get(c, "labels");
	if (labels && !ld_json_is(labels, LD_JSON_OBJECT) && !ld_json_is(labels, LD_JSON_NULL))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: containers[%zu].labels is not an object",
					 what, i);
	if (ld_json_len(labels) > CJ_MAX_LABELS)
		return ld_error_set_path(ctx, LADING_ELIMIT, what, 0, "%s: containers[%zu] has over %d labels", what, i,
					 CJ_MAX_LABELS);
	for (size_t k = 0; ld_json_is(labels, LD_JSON_OBJECT) && k < labels->n; k++)
		if (!ld_json_is(&labels->u.members[k].value, LD_JSON_STRING))
			return ld_error_set_path(ctx, LADING_EINVALID, what, 0,
						 "%s: containers[%zu].labels.%s is not a string", what, i,
						 labels->u.members[k].key);
	return 0;
}

/* Pass 1 (b->p NULL) sizes, pass 2 fills. Gone containers are not in a snapshot: skipped. */
static size_t fill(cj_block *b, const ld_json *arr, lading_container *out)
{
	size_t k = 0;
	for (size_t i = 0; i < arr->n; i++) {
		const ld_json *c = &arr->u.items[i], *labels = ld_json_get(c, "labels");
		const char *st = ld_json_get_str(c, "state");
		const char *v[F_N];
		lading_label *lv;
		size_t nl = ld_json_is(labels, LD_JSON_OBJECT) ? labels->n : 0;

		if (st && !strcmp(st, "gone"))
			continue;
		for (size_t f = 0; f < F_N; f++)
			v[f] = put_str(b, ld_json_get(c, fields[f]));
		lv = take(b, nl * sizeof(lading_label) + 1);
		for (size_t l = 0; l < nl; l++) {
			const ld_json_member *m = &labels->u.members[l];
			char *key = take(b, (size_t)m->klen + 1);
			const char *val = put_str(b, &m->value);
			if (key) {
				memcpy(key, m->key, m->klen);
				key[m->klen] = '\0';
				lv[l].key = key;
				lv[l].value = val;
			}
		}
		if (out) {
			lading_container *o = &out[k];
			memset(o, 0, sizeof(*o));
			o->id = v[F_ID];
			o->name = v[F_NAME];
			o->source = v[F_SOURCE];
			o->namespace_name = v[F_NS];
			o->pod = v[F_POD];
			o->node = v[F_NODE];
			o->owner = v[F_OWNER];
			o->image_ref = v[F_REF];
			o->image_digest = v[F_DIGEST];
			o->state = v[F_STATE] ? v[F_STATE] : "running";
			o->created = v[F_CREATED];
			o->started = v[F_STARTED];
			o->labels = lv;
			o->label_count = nl;
		}
		k++;
	}
	return k;
}

int lading_containers_parse_json(lading_container **out, size_t *count, lading_ctx *ctx, const char *data,
				 size_t len, const char *what)
{
	ld_json_limits lim = {CJ_MAX_DEPTH, 0};
	ld_arena a;
	ld_json *doc = NULL;
	const ld_json *arr;
	cj_block b = {NULL, 0, 0};
	size_t n;
	int rc;

	*out = NULL;
	*count = 0;
	ld_error_clear(ctx);
	if (!what)
		what = "container list";
	if (len > CJ_MAX_BYTES)
		return ld_error_set_path(ctx, LADING_ELIMIT, what, 0, "%s: over %zu bytes", what, CJ_MAX_BYTES);
	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&doc, &a, data, len, &lim, ctx, what)))
		goto out;
	arr = ld_json_get(doc, "containers");
	if (!ld_json_is(arr, LD_JSON_ARRAY)) {
		rc = ld_error_set_path(ctx, LADING_EINVALID, what, 0,
				       "%s: not a lading container list (no \"containers\" array)", what);
		goto out;
	}
	if (arr->n > CJ_MAX_CONTAINERS) {
		rc = ld_error_set_path(ctx, LADING_ELIMIT, what, 0, "%s: over %d containers", what, CJ_MAX_CONTAINERS);
		goto out;
	}
	for (size_t i = 0; i < arr->n; i++)
		if ((rc = check_entry(&arr->u.items[i], i, ctx, what)))
			goto out;
	n = fill(&b, arr, NULL);
	b.used += (n + 1) * sizeof(lading_container) + 16;
	b.cap = b.used;
	if (!(b.p = calloc(1, b.cap))) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	b.used = 0;
	{
		lading_container *v = take(&b, (n + 1) * sizeof(lading_container));
		fill(&b, arr, v);
		*out = v;
		*count = n;
	}
out:
	ld_arena_release(&a);
	return rc;
}

/* lading's own container list ({"containers":[{...}]}, as `inventory list containers --format
 * json` writes it) -> lading_container[], all in one malloc'd block. The list is read by the
 * snapshot reader's "lading" format (source/containers.c: ld_snap_parse_lading), so both read
 * it alike (docs/containers.md: normalized states, digests and times, a record without a state
 * is malformed, gone containers are in no snapshot); this only copies the records out. */
#include "util/common.h"
#include "lading/inventory.h"
#include "source/containers.h"

/* A bump allocator over one block sized in a first pass (p NULL: only count). */
typedef struct cj_block {
	char *p;
	size_t used, cap;
} cj_block;

static void *take(cj_block *b, size_t n)
{
	void *r;
	n = (n + 15) & ~(size_t)15;
	r = b->p ? b->p + b->used : NULL;
	b->used += n;
	return r;
}

static const char *put(cj_block *b, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;
	char *d = s ? take(b, n) : NULL;
	if (d)
		memcpy(d, s, n);
	return d;
}

/* The string members of a record. */
static const size_t str_fields[] = {
	offsetof(lading_container, id),		  offsetof(lading_container, name),
	offsetof(lading_container, source),	  offsetof(lading_container, namespace_name),
	offsetof(lading_container, pod),	  offsetof(lading_container, node),
	offsetof(lading_container, owner),	  offsetof(lading_container, image_ref),
	offsetof(lading_container, image_digest), offsetof(lading_container, state),
	offsetof(lading_container, created),	  offsetof(lading_container, started),
};

/* Pass 1 (b->p NULL) sizes, pass 2 copies. */
static void copy_all(cj_block *b, const lading_containers *s, lading_container *out)
{
	size_t n = lading_containers_count(s);
	for (size_t i = 0; i < n; i++) {
		const lading_container *c = lading_containers_get(s, i);
		lading_label *lv = take(b, c->label_count * sizeof(lading_label) + 1);
		lading_container o;
		o = *c;
		for (size_t f = 0; f < LD_ARRAY_LEN(str_fields); f++) {
			const char **field = (const char **)((char *)&o + str_fields[f]);
			*field = put(b, *field);
		}
		for (size_t l = 0; l < c->label_count; l++) {
			const char *k = put(b, c->labels[l].key), *v = put(b, c->labels[l].value);
			if (lv) {
				lv[l].key = k;
				lv[l].value = v;
			}
		}
		o.labels = lv;
		if (out)
			out[i] = o;
	}
}

int lading_containers_parse_json(lading_container **out, size_t *count, lading_ctx *ctx, const char *data,
				 size_t len, const char *what)
{
	lading_containers *s = NULL;
	cj_block b = {NULL, 0, 0};
	lading_container *v;
	size_t n;
	int rc;

	*out = NULL;
	*count = 0;
	ld_error_clear(ctx);
	if ((rc = ld_snap_parse_lading(&s, ctx, data, len, what ? what : "container list")))
		return rc;
	n = lading_containers_count(s);
	copy_all(&b, s, NULL);
	b.cap = b.used + (n + 1) * sizeof(lading_container) + 16;
	if (!(b.p = calloc(1, b.cap))) {
		lading_containers_free(s);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	b.used = 0;
	v = take(&b, (n + 1) * sizeof(lading_container));
	copy_all(&b, s, v);
	lading_containers_free(s);
	*out = v;
	*count = n;
	return 0;
}

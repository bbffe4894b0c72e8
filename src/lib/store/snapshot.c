/* Container snapshots: one transaction per snapshot. A container is identified by (source, id);
 * its row is created or updated (last seen = the snapshot's time), and the source's containers
 * absent from the snapshot are marked "gone", never deleted. */
#include "util/common.h"
#include "util/jsonw.h"
#include "store/store.h"

/* Named limits. */
#define SNAP_MAX_FIELD 4096        /* bytes of one string field */
#define SNAP_MAX_LABELS_JSON 65536 /* bytes of one container's labels as JSON */

typedef struct snap_ctx {
	const lading_snapshot *snap;
	char **labels; /* JSON per container, or NULL */
	const char *taken_at;
	lading_snapshot_result *res;
} snap_ctx;

static bool state_ok(const char *st)
{
	return st && (!strcmp(st, "running") || !strcmp(st, "created") || !strcmp(st, "exited"));
}

static int id_cmp(const void *a, const void *b)
{
	const lading_container *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

static bool field_ok(const char *s)
{
	return !s || strnlen(s, SNAP_MAX_FIELD + 1) <= SNAP_MAX_FIELD;
}

/* Refuse a snapshot that would be recorded wrongly: nothing is written then. */
static int validate(ld_store *s, const lading_snapshot *snap)
{
	const lading_container **v;
	int rc = 0;

	if (!snap->source || !*snap->source)
		return ld_error_set(s->ctx, LADING_EUSAGE, "snapshot without a source name");
	if (snap->count > LD_STORE_MAX_CONTAINERS)
		return ld_error_set(s->ctx, LADING_ELIMIT, "snapshot of %zu containers (limit %d)", snap->count,
				    LD_STORE_MAX_CONTAINERS);
	for (size_t i = 0; i < snap->count; i++) {
		const lading_container *c = &snap->containers[i];
		if (!c->id || !*c->id)
			return ld_error_set(s->ctx, LADING_EINVALID, "snapshot of %s: container %zu has no id",
					    snap->source, i);
		if (!state_ok(c->state))
			return ld_error_set(s->ctx, LADING_EINVALID,
					    "snapshot of %s: container %s has state \"%s\" (running, created or"
					    " exited)",
					    snap->source, c->id, c->state ? c->state : "");
		if (!field_ok(c->id) || !field_ok(c->name) || !field_ok(c->image_ref) || !field_ok(c->image_digest) ||
		    !field_ok(c->namespace_name) || !field_ok(c->pod) || !field_ok(c->node) || !field_ok(c->owner))
			return ld_error_set(s->ctx, LADING_ELIMIT, "snapshot of %s: container %s: a field over %d bytes",
					    snap->source, c->id, SNAP_MAX_FIELD);
	}
	if (!snap->count)
		return 0;
	if (!(v = malloc(snap->count * sizeof(*v))))
		return ld_error_set(s->ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < snap->count; i++)
		v[i] = &snap->containers[i];
	qsort(v, snap->count, sizeof(*v), id_cmp);
	for (size_t i = 1; i < snap->count; i++)
		if (!strcmp(v[i - 1]->id, v[i]->id)) {
			rc = ld_error_set(s->ctx, LADING_EINVALID, "snapshot of %s: container %s appears twice",
					  snap->source, v[i]->id);
			break;
		}
	free(v);
	return rc;
}

static char *labels_json(const lading_container *c)
{
	ld_buf b;
	ld_jw w;

	if (!c->label_count)
		return NULL;
	ld_buf_init(&b, SNAP_MAX_LABELS_JSON);
	ld_jw_init(&w, &b, false);
	ld_jw_obj(&w);
	for (size_t i = 0; i < c->label_count; i++)
		if (c->labels[i].key)
			ld_jw_kstr(&w, c->labels[i].key, c->labels[i].value ? c->labels[i].value : "");
	ld_jw_obj_end(&w);
	if (ld_buf_error(&b)) {
		ld_buf_release(&b);
		return NULL;
	}
	return ld_buf_detach(&b, NULL);
}

static int count_cb(void *opaque, const ld_sv *cols, size_t n)
{
	if (n >= 1)
		*(int64_t *)opaque += ld_sv_i64(&cols[0]);
	return 0;
}

static const char *container_source(const snap_ctx *sc, const lading_container *c)
{
	return c->source && *c->source ? c->source : sc->snap->source;
}

static void container_row(ld_jw *w, const snap_ctx *sc, size_t i)
{
	const lading_container *c = &sc->snap->containers[i];
	ld_jw_arr(w);
	ld_jw_str(w, container_source(sc, c));
	ld_jw_str(w, c->id);
	ld_jw_str(w, c->name);
	ld_jw_str(w, c->namespace_name);
	ld_jw_str(w, c->pod);
	ld_jw_str(w, c->node);
	ld_jw_str(w, c->owner);
	ld_jw_str(w, c->image_ref);
	ld_jw_str(w, c->image_digest);
	ld_jw_str(w, sc->labels[i]);
	ld_jw_str(w, c->state);
	ld_jw_str(w, c->created);
	ld_jw_str(w, c->started);
	ld_jw_arr_end(w);
}

/* Containers [from, to): created or updated, a statement per batch; each row written says
 * whether it was new (for the added/updated counts). */
static int put_containers(ld_store *s, snap_ctx *sc, int64_t snap_id, size_t from, size_t to)
{
	int64_t max_id = 0, added = 0;
	ld_store_batch ub;
	bool found;
	int rc = 0;

	if ((rc = ld_store_exec_id(s, LD_SQ_CONTAINER_MAX_ID, NULL, 0, &max_id, &found)))
		return rc;
	{
		ld_sv p[3] = {ld_sv_text(sc->taken_at), ld_sv_int(snap_id), ld_sv_int(max_id)};
		ld_store_batch_init(&ub, s, LD_SQ_CONTAINER_UPSERT_MANY, p, 3);
	}
	ub.fn = count_cb;
	ub.opaque = &added;
	for (size_t i = from; i < to && !rc; i++) {
		container_row(ld_store_batch_row(&ub), sc, i);
		rc = ld_store_batch_next(&ub);
	}
	if (!rc)
		rc = ld_store_batch_flush(&ub);
	ld_store_batch_release(&ub);
	sc->res->added += (size_t)added;
	sc->res->updated += (to - from) - (size_t)added;
	return rc;
}

static int snap_tx(ld_store *s, void *opaque)
{
	snap_ctx *sc = opaque;
	const lading_snapshot *snap = sc->snap;
	int64_t snap_id, gone = 0;
	bool found;
	int rc;

	memset(sc->res, 0, sizeof(*sc->res));
	{
		ld_sv q[3] = {ld_sv_text(snap->source), ld_sv_text(sc->taken_at), ld_sv_int((int64_t)snap->count)};
		if ((rc = ld_store_exec_id(s, LD_SQ_SNAPSHOT_INSERT, q, 3, &snap_id, &found)))
			return rc;
	}
	for (size_t i = 0; i < snap->count; i += LD_STORE_BATCH_ROWS) {
		size_t to = snap->count - i > LD_STORE_BATCH_ROWS ? i + LD_STORE_BATCH_ROWS : snap->count;
		if ((rc = put_containers(s, sc, snap_id, i, to)))
			return rc;
	}
	{
		ld_sv q[3] = {ld_sv_text(snap->source), ld_sv_int(snap_id), ld_sv_text(sc->taken_at)};
		if ((rc = ld_store_exec(s, LD_SQ_CONTAINER_GONE, q, 3, NULL, NULL, &gone)))
			return rc;
	}
	sc->res->gone = (size_t)gone;
	sc->res->seen = snap->count;
	{
		ld_sv q[3] = {ld_sv_int(snap_id), ld_sv_int((int64_t)sc->res->added), ld_sv_int(gone)};
		return ld_store_exec(s, LD_SQ_SNAPSHOT_COUNTS, q, 3, NULL, NULL, NULL);
	}
}

int ld_store_put_snapshot(ld_store *s, const lading_snapshot *snap, lading_snapshot_result *res)
{
	snap_ctx sc;
	char now[32];
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = validate(s, snap)))
		return rc;
	ld_store_now(now);
	sc.snap = snap;
	sc.res = res;
	sc.taken_at = snap->taken_at && *snap->taken_at ? snap->taken_at : now;
	if (!(sc.labels = calloc(snap->count ? snap->count : 1, sizeof(char *))))
		return ld_error_set(s->ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < snap->count; i++)
		sc.labels[i] = labels_json(&snap->containers[i]);
	rc = ld_store_transaction(s, snap_tx, &sc);
	for (size_t i = 0; i < snap->count; i++)
		free(sc.labels[i]);
	free(sc.labels);
	return rc;
}

int lading_inventory_record_snapshot(lading_store *s, lading_ctx *ctx, const lading_snapshot *snap,
				     lading_snapshot_result *res)
{
	ld_error_clear(ctx);
	s->ctx = ctx;
	return ld_store_put_snapshot(s, snap, res);
}

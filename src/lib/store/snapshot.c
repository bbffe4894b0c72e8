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

static int snap_tx(ld_store *s, void *opaque)
{
	snap_ctx *sc = opaque;
	const lading_snapshot *snap = sc->snap;
	int64_t snap_id, gone = 0, id;
	bool found;
	int rc;

	memset(sc->res, 0, sizeof(*sc->res));
	{
		ld_sv q[3] = {ld_sv_text(snap->source), ld_sv_text(sc->taken_at), ld_sv_int((int64_t)snap->count)};
		if ((rc = ld_store_exec_id(s, LD_SQ_SNAPSHOT_INSERT, q, 3, &snap_id, &found)))
			return rc;
	}
	for (size_t i = 0; i < snap->count; i++) {
		const lading_container *c = &snap->containers[i];
		const char *src = c->source && *c->source ? c->source : snap->source;
		ld_sv key[2] = {ld_sv_text(src), ld_sv_text(c->id)};
		ld_sv q[15] = {key[0],
			       key[1],
			       ld_sv_text(c->name),
			       ld_sv_text(c->namespace_name),
			       ld_sv_text(c->pod),
			       ld_sv_text(c->node),
			       ld_sv_text(c->owner),
			       ld_sv_text(c->image_ref),
			       ld_sv_text(c->image_digest),
			       ld_sv_text(sc->labels[i]),
			       ld_sv_text(c->state),
			       ld_sv_text(c->created),
			       ld_sv_text(c->started),
			       ld_sv_text(sc->taken_at),
			       ld_sv_int(snap_id)};
		if ((rc = ld_store_exec_id(s, LD_SQ_CONTAINER_GET, key, 2, &id, &found)) ||
		    (rc = ld_store_exec(s, LD_SQ_CONTAINER_UPSERT, q, 15, NULL, NULL, NULL)))
			return rc;
		if (found)
			sc->res->updated++;
		else
			sc->res->added++;
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

/* Notification events (docs/service.md "Notifications"). The findings of each image in the
 * webhooks' scope are compared with those last reported for it (table notify_seen): findings not
 * reported before are finding.new, reported ones no longer found finding.resolved, and findings
 * that are known exploited now but were not when reported (or are new and known exploited)
 * kev.added. Comparing with what was reported, rather than with the previous match, serves jobs,
 * rescans and snapshots alike and heals itself: an evaluation that failed, or a process that died
 * before it ran, is caught up by the next one. One evaluation at a time in the whole fleet (the
 * store's write lock on SQLite, an advisory lock on PostgreSQL), in one transaction with the
 * events and deliveries it queues, so an event is queued once. */
#include <stdlib.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/jsonw.h"
#include "store/store.h"
#include "service/service.h"

/* Named limits */
#define EVAL_ARENA_MAX ((size_t)2 << 30) /* strings of one evaluation */
#define EVAL_ROWS_MAX 50000000		 /* finding rows read in one evaluation */
#define EVAL_HOOKS_MAX 1000		 /* webhooks */
#define REFS_MAX 64			 /* references of an image named in an event */
#define BATCH_FLUSH ((size_t)8 << 20)	 /* bytes of a batch written at once */
#define BATCH_MAX ((size_t)256 << 20)	 /* one batch, whatever one image adds */
#define NOTIFY_LOCK_KEY 0x6c6e6f74	 /* "lnot" */

typedef struct hook {
	int64_t id;
	unsigned events;
	bool all, slack;
} hook;

typedef struct fnd {
	int64_t image;
	const char *digest, *vuln, *pkg, *type, *name, *version, *fixed;
	int severity, kev;
	double epss, cvss;
} fnd;

typedef struct running {
	int64_t image, n;
} running;

/* Rows written in one statement (a JSON array bound as one parameter): one round trip per
 * BATCH_FLUSH bytes instead of several per image (PostgreSQL on a loaded machine: 125 s -> a few
 * for 6,000 images). */
typedef struct batch {
	ld_buf b;
	ld_jw w;
	size_t n;
} batch;

typedef struct tagref {
	int64_t image;
	const char *ref, *digest;
} tagref;

typedef struct eval {
	ld_store *s;
	lading_ctx *ctx;
	const char *trigger, *digest;
	bool silent;  /* baseline: record what is found, queue nothing */
	int64_t only; /* one image (its id), 0 = all */
	ld_arena a;
	ld_vec hooks, cur, seen, run, nf;
	bool all_scope, want_slack;
	lading_notify_result res;
	batch clear, put, events,
		deliveries;   /* image ids; [img, vuln, pkg, kev, sev]; events; [hook, uid] */
	ld_vec refs, digests; /* tags and digests by image (loaded at the first changed image) */
	bool refs_loaded;
} eval;

static int col_text(eval *e, const ld_sv *v, const char **out)
{
	const char *s = ld_sv_str(v);
	*out = NULL;
	if (s && !(*out = ld_arena_strdup(&e->a, s)))
		return LADING_ENOMEM;
	return 0;
}

static double col_real(const ld_sv *v)
{
	return v->t == LD_SV_NULL ? -1 : ld_sv_f64(v);
}

static int hook_row(void *opaque, const ld_sv *c, size_t n)
{
	eval *e = opaque;
	hook *h;
	const char *ev = ld_sv_str(&c[2]), *fmt = ld_sv_str(&c[4]);
	if (n < 6 || !(h = ld_vec_push(&e->hooks)))
		return n < 6 ? 0 : LADING_ELIMIT;
	h->id = ld_sv_i64(&c[0]);
	if (!ev || ld_notify_events_parse(ev, strlen(ev), &h->events))
		h->events = LD_EV_ALL;
	h->all = ld_sv_i64(&c[3]) != 0;
	h->slack = fmt && !strcmp(fmt, "slack");
	e->all_scope |= h->all;
	e->want_slack |= h->slack;
	return 0;
}

static int run_row(void *opaque, const ld_sv *c, size_t n)
{
	eval *e = opaque;
	running *r;
	if (n < 2)
		return 0;
	if (!(r = ld_vec_push(&e->run)))
		return LADING_ELIMIT;
	r->image = ld_sv_i64(&c[0]);
	r->n = ld_sv_i64(&c[1]);
	return 0;
}

/* "type\tname\tversion": the package part of a finding's identity */
static const char *pkg_key(eval *e, const char *type, const char *name, const char *version)
{
	return ld_arena_printf(&e->a, "%s\t%s\t%s", type ? type : "", name ? name : "",
			       version ? version : "");
}

static int cur_row(void *opaque, const ld_sv *c, size_t n)
{
	eval *e = opaque;
	fnd *f;
	int rc;
	if (n < 14)
		return 0;
	if (!(f = ld_vec_push(&e->cur)))
		return LADING_ELIMIT;
	f->image = ld_sv_i64(&c[0]);
	if ((rc = col_text(e, &c[1], &f->digest)) || (rc = col_text(e, &c[2], &f->vuln)) ||
	    (rc = col_text(e, &c[7], &f->fixed)) || (rc = col_text(e, &c[10], &f->type)) ||
	    (rc = col_text(e, &c[11], &f->name)) || (rc = col_text(e, &c[12], &f->version)))
		return rc;
	f->severity = (int)ld_sv_i64(&c[3]);
	f->kev = ld_sv_i64(&c[4]) != 0;
	f->epss = col_real(&c[5]);
	f->cvss = col_real(&c[6]);
	if (!f->vuln || !(f->pkg = pkg_key(e, f->type, f->name, f->version)))
		return LADING_ENOMEM;
	return 0;
}

/* A reported finding: the package part split back from its key for finding.resolved. */
static int seen_row(void *opaque, const ld_sv *c, size_t n)
{
	eval *e = opaque;
	fnd *f;
	char *t1, *t2;
	int rc;
	if (n < 5)
		return 0;
	if (!(f = ld_vec_push(&e->seen)))
		return LADING_ELIMIT;
	f->image = ld_sv_i64(&c[0]);
	if ((rc = col_text(e, &c[1], &f->vuln)) || (rc = col_text(e, &c[2], &f->pkg)))
		return rc;
	f->kev = ld_sv_i64(&c[3]) != 0;
	f->severity = (int)ld_sv_i64(&c[4]);
	f->epss = f->cvss = -1;
	if (!f->vuln || !f->pkg)
		return LADING_ENOMEM;
	if (!(f->type = ld_arena_strdup(&e->a, f->pkg)))
		return LADING_ENOMEM;
	if ((t1 = strchr(f->type, '\t')) && (t2 = strchr(t1 + 1, '\t'))) {
		*t1 = *t2 = '\0';
		f->name = t1 + 1;
		f->version = t2 + 1;
	}
	return 0;
}

static int fnd_cmp(const void *a, const void *b)
{
	const fnd *x = a, *y = b;
	int c;
	if (x->image != y->image)
		return x->image < y->image ? -1 : 1;
	if ((c = strcmp(x->vuln, y->vuln)))
		return c;
	return strcmp(x->pkg, y->pkg);
}

static int run_cmp(const void *a, const void *b)
{
	const running *x = a, *y = b;
	return x->image < y->image ? -1 : x->image > y->image;
}

/* Running containers of an image (e->run sorted by image). */
static int64_t running_of(const eval *e, int64_t image)
{
	running key = {image, 0};
	const running *r =
		e->run.len ? bsearch(&key, e->run.ptr, e->run.len, sizeof(running), run_cmp) : NULL;
	return r ? r->n : 0;
}

static void batch_open(batch *x)
{
	ld_buf_clear(&x->b);
	ld_jw_init(&x->w, &x->b, false);
	ld_jw_arr(&x->w);
	x->n = 0;
}

/* Write the batch's rows (statement q: (json) or (json, now)) and start it again. */
static int batch_flush(eval *e, batch *x, ld_sq q)
{
	char now[32];
	int rc;
	if (!x->n)
		return 0;
	ld_jw_arr_end(&x->w);
	ld_jw_finish(&x->w);
	if (ld_buf_error(&x->b))
		return ld_error_set(e->ctx, LADING_ELIMIT,
				    "notifications: a batch is over %zu bytes", BATCH_MAX);
	ld_store_now(now);
	ld_sv p[2] = {ld_sv_textn(x->b.ptr, x->b.len), ld_sv_text(now)};
	if ((rc = ld_store_exec(e->s, q, p, q == LD_SQ_DELIVERY_INSERT_MANY ? 2 : 1, NULL, NULL,
				NULL)))
		return rc;
	batch_open(x);
	return 0;
}

/* In dependency order: the reported state, then the events, then their deliveries. */
static int flush_all(eval *e, bool force)
{
	int rc;
	if (!force &&
	    e->clear.b.len + e->put.b.len + e->events.b.len + e->deliveries.b.len < BATCH_FLUSH)
		return 0;
	if ((rc = batch_flush(e, &e->clear, LD_SQ_NOTIFY_SEEN_CLEAR_MANY)) ||
	    (rc = batch_flush(e, &e->put, LD_SQ_NOTIFY_SEEN_PUT_ALL)) ||
	    (rc = batch_flush(e, &e->events, LD_SQ_EVENT_INSERT_MANY)))
		return rc;
	return batch_flush(e, &e->deliveries, LD_SQ_DELIVERY_INSERT_MANY);
}

static void eval_reset(eval *e)
{
	ld_arena_release(&e->a);
	ld_arena_init(&e->a, EVAL_ARENA_MAX);
	e->hooks.len = e->cur.len = e->seen.len = e->run.len = e->nf.len = e->refs.len =
		e->digests.len = 0;
	e->all_scope = e->want_slack = e->refs_loaded = false;
	memset(&e->res, 0, sizeof(e->res));
	batch_open(&e->clear);
	batch_open(&e->put);
	batch_open(&e->events);
	batch_open(&e->deliveries);
}

/* Tags (kind "tag") by image, in image order. */
static int ref_row(void *opaque, const ld_sv *c, size_t n)
{
	eval *e = opaque;
	const char *kind = n >= 3 ? ld_sv_str(&c[1]) : NULL;
	tagref *r;
	int rc;
	if (!kind || strcmp(kind, "tag"))
		return 0;
	if (!(r = ld_vec_push(&e->refs)))
		return LADING_ELIMIT;
	r->image = ld_sv_i64(&c[0]);
	return (rc = col_text(e, &c[2], &r->ref)) ? rc : 0;
}

/* Digests by image (images with a package list). */
static int img_digest_row(void *opaque, const ld_sv *c, size_t n)
{
	eval *e = opaque;
	tagref *r;
	if (n < 2)
		return 0;
	if (!(r = ld_vec_push(&e->digests)))
		return LADING_ELIMIT;
	r->image = ld_sv_i64(&c[0]);
	return col_text(e, &c[1], &r->digest);
}

static int tagref_cmp(const void *a, const void *b)
{
	const tagref *x = a, *y = b;
	return x->image < y->image ? -1 : x->image > y->image;
}

/* The first entry of an image in a vector sorted by image, or NULL. */
static const tagref *first_of(const ld_vec *v, int64_t image)
{
	size_t lo = 0, hi = v->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (((const tagref *)ld_vec_at(v, mid))->image < image)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->len && ((const tagref *)ld_vec_at(v, lo))->image == image ? ld_vec_at(v, lo)
										 : NULL;
}

/* References and digests, once per evaluation: of the one image, or of all. */
static int load_refs(eval *e)
{
	int rc;
	ld_sv p[1] = {ld_sv_int(e->only)};
	if (e->refs_loaded)
		return 0;
	e->refs_loaded = true;
	if ((rc = ld_store_exec(e->s, e->only ? LD_SQ_REFS_OF_IMAGE : LD_SQ_LIST_REFS, p,
				e->only ? 1 : 0, ref_row, e, NULL)) ||
	    (rc = ld_store_exec(e->s, LD_SQ_IMAGES_OF_PKGLISTS, NULL, 0, img_digest_row, e, NULL)))
		return rc;
	if (e->refs.len)
		qsort(e->refs.ptr, e->refs.len, sizeof(tagref), tagref_cmp);
	if (e->digests.len)
		qsort(e->digests.ptr, e->digests.len, sizeof(tagref), tagref_cmp);
	return 0;
}

/* The order of a body: known exploited, then severity, then id and package. */
static int nf_cmp(const void *a, const void *b)
{
	const ld_notify_finding *x = a, *y = b;
	int c;
	if (x->kev != y->kev)
		return y->kev - x->kev;
	if (x->severity != y->severity)
		return y->severity - x->severity;
	if ((c = strcmp(x->vuln, y->vuln)))
		return c;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static bool hook_wants(const hook *h, unsigned bit, int64_t run)
{
	return (h->events & bit) && (h->all || run > 0);
}

typedef struct target {
	int64_t image, running;
	const char *digest;
	const char *refs[REFS_MAX];
	size_t nrefs;
} target;

/* One event of type `bit` for the image into the batches: the event, then one delivery per
 * webhook that wants it (none: nothing is queued). */
static int queue_event(eval *e, const target *t, unsigned bit, ld_vec *list)
{
	char uid[40], now[32], hex[33];
	unsigned char rnd[16];
	ld_notify_event ev;
	ld_buf body, slack;
	size_t nh = 0;
	int rc = 0;

	for (size_t i = 0; i < e->hooks.len; i++)
		nh += hook_wants(ld_vec_at(&e->hooks, i), bit, t->running);
	if (!nh || !list->len)
		return 0;
	qsort(list->ptr, list->len, sizeof(ld_notify_finding), nf_cmp);
	if (ld_random_bytes(rnd, sizeof(rnd)))
		return ld_error_set(e->ctx, LADING_EIO,
				    "notifications: no random bytes for an event id");
	for (size_t i = 0; i < sizeof(rnd); i++)
		ld_snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	ld_snprintf(uid, sizeof(uid), "evt_%s", hex);
	ld_store_now(now);
	memset(&ev, 0, sizeof(ev));
	ev.uid = uid;
	ev.type = ld_notify_event_name(bit);
	ev.created = now;
	ev.trigger = e->trigger;
	ev.digest = t->digest;
	ev.refs = t->refs;
	ev.nrefs = t->nrefs;
	ev.running = t->running;
	ev.findings = list->ptr;
	ev.nfindings = list->len;
	ld_buf_init(&body, LD_NOTIFY_BODY_MAX);
	ld_buf_init(&slack, LD_NOTIFY_BODY_MAX);
	if ((rc = ld_notify_body_lading(&ev, &body)) ||
	    (e->want_slack && (rc = ld_notify_body_slack(&ev, &slack)))) {
		rc = ld_error_set(e->ctx, rc, "notifications: an event body of %s is over %d bytes",
				  t->digest, LD_NOTIFY_BODY_MAX);
		goto out;
	}
	ld_jw_arr(&e->events.w);
	ld_jw_str(&e->events.w, uid);
	ld_jw_str(&e->events.w, ev.type);
	ld_jw_str(&e->events.w, t->digest);
	ld_jw_str(&e->events.w, now);
	ld_jw_strn(&e->events.w, body.ptr, body.len);
	if (e->want_slack)
		ld_jw_strn(&e->events.w, slack.ptr, slack.len);
	else
		ld_jw_null(&e->events.w);
	ld_jw_arr_end(&e->events.w);
	e->events.n++;
	for (size_t i = 0; i < e->hooks.len; i++) {
		const hook *h = ld_vec_at(&e->hooks, i);
		if (!hook_wants(h, bit, t->running))
			continue;
		ld_jw_arr(&e->deliveries.w);
		ld_jw_i64(&e->deliveries.w, h->id);
		ld_jw_str(&e->deliveries.w, uid);
		ld_jw_arr_end(&e->deliveries.w);
		e->deliveries.n++;
	}
	e->res.events++;
	e->res.deliveries += nh;
out:
	ld_buf_release(&body);
	ld_buf_release(&slack);
	return rc;
}

static int push_nf(ld_vec *v, const fnd *f, const char *change)
{
	ld_notify_finding *n = ld_vec_push(v);
	if (!n)
		return LADING_ENOMEM;
	n->vuln = f->vuln;
	n->type = f->type;
	n->name = f->name;
	n->version = f->version;
	n->fixed = f->fixed;
	n->change = change;
	n->severity = f->severity;
	n->kev = f->kev;
	n->epss = f->epss;
	n->cvss = f->cvss;
	return 0;
}

/* Index past the duplicates of c[i] (one finding per layer that holds the package). */
static size_t next_unique(const fnd *c, size_t i, size_t n)
{
	size_t k = i + 1;
	while (k < n && !fnd_cmp(&c[i], &c[k]))
		k++;
	return k;
}

/* The image's findings now replace those reported, in the batches. */
static void record_seen(eval *e, int64_t img, const fnd *c, size_t nc)
{
	ld_jw_i64(&e->clear.w, img);
	e->clear.n++;
	for (size_t i = 0; i < nc; i = next_unique(c, i, nc)) {
		ld_jw_arr(&e->put.w);
		ld_jw_i64(&e->put.w, img);
		ld_jw_str(&e->put.w, c[i].vuln);
		ld_jw_str(&e->put.w, c[i].pkg);
		ld_jw_i64(&e->put.w, c[i].kev);
		ld_jw_i64(&e->put.w, c[i].severity);
		ld_jw_arr_end(&e->put.w);
		e->put.n++;
	}
}

/* Merge the image's findings now (c, sorted) with those reported (sn, sorted) into the three
 * lists; *changed when the reported state must be rewritten. */
static int diff_lists(ld_vec l[3], const fnd *c, size_t nc, const fnd *sn, size_t ns, bool *changed)
{
	size_t i = 0, j = 0;
	int rc = 0;
	*changed = false;
	while (!rc && (i < nc || j < ns)) {
		int cmp = i >= nc ? 1 : j >= ns ? -1 : fnd_cmp(&c[i], &sn[j]);
		if (cmp < 0) {
			if (!(rc = push_nf(&l[0], &c[i], NULL)) && c[i].kev)
				rc = push_nf(&l[2], &c[i], "new");
			i = next_unique(c, i, nc);
			*changed = true;
		} else if (cmp > 0) {
			rc = push_nf(&l[1], &sn[j++], NULL);
			*changed = true;
		} else {
			if (c[i].kev && !sn[j].kev)
				rc = push_nf(&l[2], &c[i], "kev");
			*changed |= c[i].kev != sn[j].kev || c[i].severity != sn[j].severity;
			i = next_unique(c, i, nc);
			j++;
		}
	}
	return rc;
}

static int diff_image(eval *e, int64_t img, const fnd *c, size_t nc, const fnd *sn, size_t ns)
{
	static const unsigned bits[3] = {LD_EV_NEW, LD_EV_RESOLVED, LD_EV_KEV};
	ld_vec l[3];
	target t;
	const tagref *r;
	bool changed = false;
	int rc;

	for (int k = 0; k < 3; k++)
		ld_vec_init(&l[k], sizeof(ld_notify_finding), EVAL_ROWS_MAX);
	if ((rc = diff_lists(l, c, nc, sn, ns, &changed)) || !changed)
		goto out;
	record_seen(e, img, c, nc);
	if (e->silent || (rc = load_refs(e)))
		goto out;
	memset(&t, 0, sizeof(t));
	t.image = img;
	t.running = running_of(e, img);
	t.digest = nc ? c[0].digest : (r = first_of(&e->digests, img)) ? r->digest : NULL;
	if (!t.digest)
		goto out; /* an image without a package list any more: nothing to name */
	for (r = first_of(&e->refs, img);
	     r && t.nrefs < REFS_MAX && (size_t)(r - (const tagref *)e->refs.ptr) < e->refs.len &&
	     r->image == img;
	     r++)
		t.refs[t.nrefs++] = r->ref;
	e->res.images++;
	for (int k = 0; k < 3 && !rc; k++)
		rc = queue_event(e, &t, bits[k], &l[k]);
out:
	for (int k = 0; k < 3; k++)
		ld_vec_release(&l[k]);
	return rc ? rc : flush_all(e, false);
}

static int walk(eval *e)
{
	const fnd *c = e->cur.ptr, *sn = e->seen.ptr;
	size_t nc = e->cur.len, ns = e->seen.len, i = 0, j = 0;
	int rc = 0;
	while (!rc && (i < nc || j < ns)) {
		int64_t img =
			i < nc && (j >= ns || c[i].image <= sn[j].image) ? c[i].image : sn[j].image;
		size_t i1 = i, j1 = j;
		while (i1 < nc && c[i1].image == img)
			i1++;
		while (j1 < ns && sn[j1].image == img)
			j1++;
		if (e->all_scope || running_of(e, img) > 0)
			rc = diff_image(e, img, c + i, i1 - i, sn + j, j1 - j);
		i = i1;
		j = j1;
	}
	return rc ? rc : flush_all(e, true);
}

static int eval_tx(ld_store *s, void *opaque)
{
	eval *e = opaque;
	bool found = false;
	int rc;

	eval_reset(e);
	e->only = 0;
	ld_sv lk[1] = {ld_sv_int(NOTIFY_LOCK_KEY)};
	if ((rc = ld_store_exec(s, LD_SQ_XACT_LOCK, lk, 1, NULL, NULL, NULL)) ||
	    (rc = ld_store_exec(s, LD_SQ_WEBHOOK_LIST, NULL, 0, hook_row, e, NULL)) ||
	    !e->hooks.len)
		return rc;
	if (e->digest) {
		ld_sv p[1] = {ld_sv_text(e->digest)};
		if ((rc = ld_store_exec_id(s, LD_SQ_IMAGE_BY_REF, p, 1, &e->only, &found)) ||
		    !found)
			return rc;
	}
	/* a snapshot changes which images run, not their findings: with every image watched there
	 * is nothing to compare */
	if (e->all_scope && !strcmp(e->trigger, "snapshot"))
		return 0;
	if ((rc = ld_store_exec(s, LD_SQ_NOTIFY_RUNNING, NULL, 0, run_row, e, NULL)))
		return rc;
	if (e->run.len)
		qsort(e->run.ptr, e->run.len, sizeof(running), run_cmp);
	if (e->only && !e->all_scope && !running_of(e, e->only))
		return 0;
	ld_sv p[1] = {e->only ? ld_sv_int(e->only) : ld_sv_text(NULL)};
	if (!e->only &&
	    (rc = ld_store_exec(s,
				e->silent ? LD_SQ_NOTIFY_SEEN_CLEAR_ALL : LD_SQ_NOTIFY_SEEN_PRUNE,
				NULL, 0, NULL, NULL, NULL)))
		return rc;
	if ((rc = ld_store_exec(s, LD_SQ_NOTIFY_CURRENT, p, 1, cur_row, e, NULL)) ||
	    (rc = ld_store_exec(s, e->only ? LD_SQ_NOTIFY_SEEN_OF : LD_SQ_NOTIFY_SEEN, p,
				e->only ? 1 : 0, seen_row, e, NULL)))
		return rc;
	if (e->cur.len)
		qsort(e->cur.ptr, e->cur.len, sizeof(fnd), fnd_cmp);
	if (e->seen.len)
		qsort(e->seen.ptr, e->seen.len, sizeof(fnd), fnd_cmp);
	return walk(e);
}

static int evaluate(lading_store *s, lading_ctx *ctx, const char *trigger, const char *digest,
		    bool silent, lading_notify_result *res)
{
	eval e;
	int rc;

	s->ctx = ctx;
	memset(&e, 0, sizeof(e));
	e.s = s;
	e.ctx = ctx;
	e.trigger = trigger ? trigger : "rescan";
	e.digest = digest;
	e.silent = silent;
	ld_arena_init(&e.a, EVAL_ARENA_MAX);
	ld_vec_init(&e.hooks, sizeof(hook), EVAL_HOOKS_MAX);
	ld_vec_init(&e.cur, sizeof(fnd), EVAL_ROWS_MAX);
	ld_vec_init(&e.seen, sizeof(fnd), EVAL_ROWS_MAX);
	ld_vec_init(&e.run, sizeof(running), EVAL_ROWS_MAX);
	ld_vec_init(&e.nf, sizeof(ld_notify_finding), EVAL_ROWS_MAX);
	ld_vec_init(&e.refs, sizeof(tagref), EVAL_ROWS_MAX);
	ld_vec_init(&e.digests, sizeof(tagref), EVAL_ROWS_MAX);
	ld_buf_init(&e.clear.b, BATCH_MAX);
	ld_buf_init(&e.put.b, BATCH_MAX);
	ld_buf_init(&e.events.b, BATCH_MAX);
	ld_buf_init(&e.deliveries.b, BATCH_MAX);
	rc = ld_store_transaction(s, eval_tx, &e);
	if (rc && !ctx->err.code)
		ld_error_set(ctx, rc, "notifications: evaluating the findings of %s failed",
			     s->target);
	if (res)
		*res = rc ? (lading_notify_result){0, 0, 0} : e.res;
	ld_arena_release(&e.a);
	ld_vec_release(&e.hooks);
	ld_vec_release(&e.cur);
	ld_vec_release(&e.seen);
	ld_vec_release(&e.run);
	ld_vec_release(&e.nf);
	ld_vec_release(&e.refs);
	ld_vec_release(&e.digests);
	ld_buf_release(&e.clear.b);
	ld_buf_release(&e.put.b);
	ld_buf_release(&e.events.b);
	ld_buf_release(&e.deliveries.b);
	return rc;
}

int lading_notify_evaluate(lading_store *s, lading_ctx *ctx, const char *trigger,
			   const char *digest, lading_notify_result *res)
{
	ld_error_clear(ctx);
	return evaluate(s, ctx, trigger, digest, false, res);
}

int ld_notify_baseline(lading_store *s, lading_ctx *ctx)
{
	return evaluate(s, ctx, "baseline", NULL, true, NULL);
}

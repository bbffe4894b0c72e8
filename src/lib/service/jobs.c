/* The job queue in the store (table `job`, migration 3): submit, claim with a lease, heartbeat,
 * finish; retries with backoff; a job failed LD_JOB_MAX_ATTEMPTS times is parked with its error.
 * The same pool of threads runs inside `serve` (SQLite) and as `lading worker` (PostgreSQL:
 * the claim is FOR UPDATE SKIP LOCKED, so any number of workers share one queue). */
#include <time.h>

#include "util/common.h"
#include "util/jsonw.h"
#include "store/store.h"
#include "service/service.h"

#define POOL_MAX_THREADS 64
#define IDLE_POLL_MS 1000          /* an idle worker looks at the queue this often */
#define BACKOFF_BASE_S 2           /* retry n waits BASE^n seconds */
#define JOB_DOC_MAX (64 * 1024)
#define WORKER_NAME_MAX 96
#define RESCAN_LOCK_KEY 0x6c726573    /* "lres": the claim of a rescan, fleet-wide (PostgreSQL) */

typedef struct thread_arg {
	struct ld_svc_workers *w;
	unsigned i;
} thread_arg;

struct ld_svc_workers {
	lading_worker_options o;
	volatile sig_atomic_t *stop;
	pthread_t th[POOL_MAX_THREADS];
	pthread_t hb;
	bool hb_started;
	unsigned n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t running[POOL_MAX_THREADS]; /* job id held by each thread, 0 = none */
	char name[POOL_MAX_THREADS][WORKER_NAME_MAX];
	thread_arg args[POOL_MAX_THREADS];
	unsigned lease;                    /* seconds */
};

static void time_at(char out[32], int64_t delta_s)
{
	time_t t = time(NULL) + (time_t)delta_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ld_svc_job_submit(lading_store *s, lading_ctx *ctx, const char *kind, const char *ref, int prio,
		      int64_t *id)
{
	char now[32];
	bool found = false;
	int rc;
	s->ctx = ctx;
	time_at(now, 0);
	ld_sv p[4] = {ld_sv_text(kind), ld_sv_text(ref), ld_sv_int(prio), ld_sv_text(now)};
	if ((rc = ld_store_exec_id(s, LD_SQ_JOB_INSERT, p, 4, id, &found)))
		return rc;
	if (!found)
		return ld_error_set(ctx, LADING_EDB, "store: the job was not queued");
	ld_store_exec(s, LD_SQ_JOB_WAKE, NULL, 0, NULL, NULL, NULL);
	return 0;
}

typedef struct job_doc {
	ld_jw w;
	ld_buf b;
	bool found;
} job_doc;

static int job_row(void *opaque, const ld_sv *c, size_t n)
{
	job_doc *d = opaque;
	if (n < 7)
		return 0;
	d->found = true;
	ld_jw_obj(&d->w);
	ld_jw_ki64(&d->w, "id", ld_sv_i64(&c[0]));
	ld_jw_kstr(&d->w, "kind", ld_sv_str(&c[1]));
	ld_jw_kstr(&d->w, "ref", ld_sv_str(&c[2]));
	ld_jw_kstr(&d->w, "state", ld_sv_str(&c[3]));
	ld_jw_kstr(&d->w, "image", ld_sv_str(&c[4]));
	ld_jw_kstr(&d->w, "error", ld_sv_str(&c[5]));
	ld_jw_ki64(&d->w, "attempts", ld_sv_i64(&c[6]));
	ld_jw_obj_end(&d->w);
	return 1;
}

int ld_svc_job_json(lading_store *s, lading_ctx *ctx, int64_t id, char **out, size_t *len)
{
	job_doc d;
	int rc;
	s->ctx = ctx;
	*out = NULL;
	memset(&d, 0, sizeof(d));
	ld_buf_init(&d.b, JOB_DOC_MAX);
	ld_jw_init(&d.w, &d.b, false);
	ld_sv p[1] = {ld_sv_int(id)};
	if ((rc = ld_store_exec(s, LD_SQ_JOB_GET, p, 1, job_row, &d, NULL)))
		goto out;
	if (!d.found) {
		rc = ld_error_set(ctx, LADING_ENOTFOUND, "no job %" PRId64, id);
		goto out;
	}
	ld_jw_finish(&d.w);
	ld_buf_addc(&d.b, '\n');
	if (ld_buf_error(&d.b)) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	*out = ld_buf_detach(&d.b, len);
	return 0;
out:
	ld_buf_release(&d.b);
	return rc;
}

static void logf_(ld_svc_workers *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(ld_svc_workers *w, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!w->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->o.log(w->o.log_opaque, line);
}

typedef struct claimed {
	int64_t id, attempts;
	char kind[16];
	char *ref;
	bool found;
} claimed;

static int claim_row(void *opaque, const ld_sv *c, size_t n)
{
	claimed *j = opaque;
	if (n < 4)
		return 0;
	j->id = ld_sv_i64(&c[0]);
	ld_strlcpy(j->kind, ld_sv_str(&c[1]) ? ld_sv_str(&c[1]) : "", sizeof(j->kind));
	j->ref = ld_strdup(ld_sv_str(&c[2]) ? ld_sv_str(&c[2]) : "");
	j->attempts = ld_sv_i64(&c[3]);
	j->found = j->ref != NULL;
	return 1;
}

/* The registry host of a reference is one of --insecure-registry. */
static bool insecure_for(const lading_worker_options *o, const char *ref)
{
	const char *slash = strchr(ref, '/');
	size_t hl = slash ? (size_t)(slash - ref) : 0;
	for (size_t i = 0; hl && i < o->insecure_count; i++)
		if (strlen(o->insecure_registries[i]) == hl && !strncmp(ref, o->insecure_registries[i], hl))
			return true;
	return false;
}

/* The job's events for the webhooks. A failure is logged, not the job's: the next evaluation
 * compares with what was reported and catches up. */
static void notify(ld_svc_workers *w, lading_store *s, lading_ctx *ctx, const claimed *j, const char *digest)
{
	lading_notify_result r;
	if (lading_notify_evaluate(s, ctx, digest ? "job" : "rescan", digest, &r))
		logf_(w, "job %" PRId64 ": notifications: %s", j->id, lading_ctx_error(ctx)->msg);
	else if (r.events)
		logf_(w, "job %" PRId64 ": %zu event%s for %zu image%s, %zu deliver%s queued", j->id, r.events,
		      r.events == 1 ? "" : "s", r.images, r.images == 1 ? "" : "s", r.deliveries,
		      r.deliveries == 1 ? "y" : "ies");
	ld_error_clear(ctx);
}

/* Run one claimed job; *digest gets the image recorded. */
static int run_job(ld_svc_workers *w, lading_store *s, lading_ctx *ctx, const claimed *j, char *digest,
		   size_t dsz)
{
	lading_image_options io = LADING_IMAGE_OPTIONS_INIT;
	lading_inventory_options opts = LADING_INVENTORY_OPTIONS_INIT;
	lading_inventory_added a;
	int rc;
	opts.db_path = w->o.db_path;
	opts.image = &io;
	io.insecure = insecure_for(&w->o, j->ref);
	if (!strcmp(j->kind, "rescan")) {
		char *out = NULL;
		size_t len = 0;
		lading_rescan_result r;
		rc = lading_inventory_rescan(s, ctx, &opts, LADING_FORMAT_JSON, &out, &len, &r);
		free(out);
		if (!rc)
			notify(w, s, ctx, j, NULL);
		return rc;
	}
	if (strcmp(j->kind, "image"))
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "unknown job kind '%s'", j->kind);
	if ((rc = lading_inventory_add(s, ctx, j->ref, &opts, &a)))
		return rc;
	ld_strlcpy(digest, a.digest, dsz);
	notify(w, s, ctx, j, digest);
	return 0;
}

static void finish(ld_svc_workers *w, lading_store *s, lading_ctx *ctx, const claimed *j, unsigned i,
		   int rc, const char *digest, const char *err)
{
	char now[32], nb[32];
	const char *state = "done";
	int64_t backoff = 1;
	time_at(now, 0);
	if (rc) {
		for (int64_t k = 0; k < j->attempts && backoff < 3600; k++)
			backoff *= BACKOFF_BASE_S;
		state = j->attempts >= LD_JOB_MAX_ATTEMPTS ? "failed" : "queued";
	}
	time_at(nb, rc ? backoff : 0);
	ld_sv p[7] = {ld_sv_int(j->id), ld_sv_text(w->name[i]), ld_sv_text(state),
		      rc ? ld_sv_text(NULL) : ld_sv_text(digest), rc ? ld_sv_text(err) : ld_sv_text(NULL),
		      ld_sv_text(nb), ld_sv_text(now)};
	if (ld_store_exec(s, LD_SQ_JOB_FINISH, p, 7, NULL, NULL, NULL))
		logf_(w, "job %" PRId64 ": cannot record its end: %s", j->id, lading_ctx_error(ctx)->msg);
	logf_(w, "job %" PRId64 " %s %s: %s%s%s", j->id, j->kind, j->ref, state, rc ? ": " : "",
	      rc ? err : "");
}

typedef struct rescan_claim {
	const char *now, *lease, *worker;
	unsigned max;
	claimed *j;
} rescan_claim;

/* Under the fleet-wide lock, so two workers never both see room for the last rescan. */
static int claim_rescan_tx(lading_store *s, void *opaque)
{
	rescan_claim *c = opaque;
	int rc;
	free(c->j->ref);
	memset(c->j, 0, sizeof(*c->j));
	ld_sv lk[1] = {ld_sv_int(RESCAN_LOCK_KEY)};
	ld_sv p[4] = {ld_sv_text(c->now), ld_sv_text(c->lease), ld_sv_text(c->worker), ld_sv_int(c->max)};
	if ((rc = ld_store_exec(s, LD_SQ_XACT_LOCK, lk, 1, NULL, NULL, NULL)))
		return rc;
	return ld_store_exec(s, LD_SQ_JOB_CLAIM_RESCAN, p, 4, claim_row, c->j, NULL);
}

/* Submitted jobs first; a rescan only when none is ready and fewer than max_rescans run. */
static bool claim(ld_svc_workers *w, lading_store *s, unsigned i, claimed *j)
{
	char now[32], lease[32];
	time_at(now, 0);
	time_at(lease, w->lease);
	ld_sv p[3] = {ld_sv_text(now), ld_sv_text(lease), ld_sv_text(w->name[i])};
	if (!ld_store_exec(s, LD_SQ_JOB_CLAIM, p, 3, claim_row, j, NULL) && j->found)
		return true;
	rescan_claim c = {now, lease, w->name[i], w->o.max_rescans ? w->o.max_rescans : LD_RESCAN_MAX_DEFAULT, j};
	return !ld_store_transaction(s, claim_rescan_tx, &c) && j->found;
}

/* One claim-run-finish step; false when the queue had nothing ready. */
static bool step(ld_svc_workers *w, lading_store *s, lading_ctx *ctx, unsigned i)
{
	char digest[80] = "", err[512] = "";
	claimed j;
	int rc;
	memset(&j, 0, sizeof(j));
	if (!claim(w, s, i, &j)) {
		free(j.ref);
		return false;
	}
	pthread_mutex_lock(&w->mu);
	w->running[i] = j.id;
	pthread_mutex_unlock(&w->mu);
	rc = run_job(w, s, ctx, &j, digest, sizeof(digest));
	if (rc)
		ld_strlcpy(err, lading_ctx_error(ctx)->msg[0] ? lading_ctx_error(ctx)->msg : lading_strerror(rc),
			   sizeof(err));
	pthread_mutex_lock(&w->mu);
	w->running[i] = 0;
	pthread_mutex_unlock(&w->mu);
	finish(w, s, ctx, &j, i, rc, digest, err);
	free(j.ref);
	return true;
}

/* Idle: PostgreSQL wakes the worker by NOTIFY from any machine's submit; the timeout still
 * looks at the queue every IDLE_POLL_MS for expired leases and retries whose backoff ended. */
static void wait_idle(ld_svc_workers *w, lading_store *s)
{
	struct timespec ts;
	if (ld_store_wait(s, IDLE_POLL_MS) != LADING_EUNSUPPORTED)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += IDLE_POLL_MS / 1000;
	pthread_mutex_lock(&w->mu);
	if (!*w->stop)
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	pthread_mutex_unlock(&w->mu);
}

static void *worker_main(void *opaque)
{
	thread_arg *a = opaque;
	ld_svc_workers *w = a->w;
	lading_store *s = NULL;
	lading_ctx *ctx = NULL;
	if (lading_ctx_new(&ctx))
		return NULL;
	if (lading_store_open(&s, ctx, w->o.store)) {
		logf_(w, "worker %u: %s", a->i, lading_ctx_error(ctx)->msg);
		lading_ctx_free(ctx);
		return NULL;
	}
	while (!*w->stop) {
		if (step(w, s, ctx, a->i))
			continue;
		if (w->o.once)
			break;
		wait_idle(w, s);
	}
	lading_store_close(s);
	lading_ctx_free(ctx);
	return NULL;
}

/* Renews the leases of this pool's running jobs every LEASE/3 seconds. */
static void *heartbeat_main(void *opaque)
{
	ld_svc_workers *w = opaque;
	lading_store *s = NULL;
	lading_ctx *ctx = NULL;
	if (lading_ctx_new(&ctx))
		return NULL;
	if (lading_store_open(&s, ctx, w->o.store)) {
		lading_ctx_free(ctx);
		return NULL;
	}
	for (unsigned tick = 0; !*w->stop; tick++) {
		struct timespec ts = {0, 250 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (tick % (w->lease * 4 / 3 ? w->lease * 4 / 3 : 1))
			continue;
		for (unsigned i = 0; i < w->n; i++) {
			char lease[32];
			int64_t id;
			pthread_mutex_lock(&w->mu);
			id = w->running[i];
			pthread_mutex_unlock(&w->mu);
			if (!id)
				continue;
			time_at(lease, w->lease);
			ld_sv p[3] = {ld_sv_int(id), ld_sv_text(w->name[i]), ld_sv_text(lease)};
			ld_store_exec(s, LD_SQ_JOB_HEARTBEAT, p, 3, NULL, NULL, NULL);
		}
	}
	lading_store_close(s);
	lading_ctx_free(ctx);
	return NULL;
}

int ld_svc_workers_start(ld_svc_workers **out, lading_ctx *ctx, const lading_worker_options *o,
			 volatile sig_atomic_t *stop)
{
	ld_svc_workers *w;
	char host[64] = "host";
	unsigned n = o->jobs ? o->jobs : 1;
	*out = NULL;
	if (n > POOL_MAX_THREADS)
		return ld_error_set(ctx, LADING_ELIMIT, "at most %d jobs at once", POOL_MAX_THREADS);
	if (!(w = calloc(1, sizeof(*w))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	w->o = *o;
	w->stop = stop;
	w->lease = o->lease_s ? o->lease_s : LD_JOB_LEASE_S;
	if (w->lease > LD_JOB_LEASE_MAX_S)
		w->lease = LD_JOB_LEASE_MAX_S;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	gethostname(host, sizeof(host) - 1);
	w->hb_started = pthread_create(&w->hb, NULL, heartbeat_main, w) == 0;
	for (unsigned i = 0; i < n; i++) {
		ld_snprintf(w->name[i], WORKER_NAME_MAX, "%s:%ld:%u", host, (long)getpid(), i);
		w->args[i].w = w;
		w->args[i].i = i;
		if (pthread_create(&w->th[i], NULL, worker_main, &w->args[i]) != 0)
			break;
		w->n++;
	}
	*out = w;
	return 0;
}

void ld_svc_workers_wake(ld_svc_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void ld_svc_workers_join(ld_svc_workers *w)
{
	if (!w)
		return;
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->th[i], NULL);
	*w->stop = 1;
	ld_svc_workers_wake(w);
	if (w->hb_started)
		pthread_join(w->hb, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

/* --once: the deliveries the jobs queued that are due now, before returning. */
static int deliver_due(lading_ctx *ctx, const lading_worker_options *o)
{
	lading_store *s = NULL;
	size_t sent = 0, failed = 0;
	char line[160];
	int rc;
	if ((rc = lading_store_open(&s, ctx, o->store)))
		return rc;
	rc = lading_webhook_deliver(s, ctx, &sent, &failed);
	lading_store_close(s);
	if (!rc && (sent || failed) && o->log) {
		ld_snprintf(line, sizeof(line), "webhooks: %zu delivered, %zu failed (retried later or parked)", sent,
			    failed);
		o->log(o->log_opaque, line);
	}
	return rc;
}

int lading_worker_run(lading_ctx *ctx, const lading_worker_options *opts, volatile sig_atomic_t *stop)
{
	ld_svc_workers *w;
	ld_svc_background *bg = NULL;
	ld_svc_bg_options bo = {opts->store, opts->db_path, opts->rescan_interval_s, opts->log, opts->log_opaque};
	int rc;
	ld_error_clear(ctx);
	if ((rc = ld_svc_workers_start(&w, ctx, opts, stop)))
		return rc;
	if (!opts->once && (rc = ld_svc_background_start(&bg, ctx, &bo, stop))) {
		*stop = 1;
		ld_svc_workers_join(w);
		return rc;
	}
	ld_svc_workers_join(w);
	ld_svc_background_join(bg);
	return opts->once ? deliver_due(ctx, opts) : 0;
}

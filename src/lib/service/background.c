/* The background threads of `serve` and `worker`: the deliverer (sends the webhook deliveries that
 * are due, whichever process queued them) and the rescan scheduler. The scheduler queues one
 * rescan per interval for the whole fleet, and one per database build when the database file
 * changes (`lading db update`): each under a key (table schedule_slot) that only the first
 * process to ask gets, so any number of serve and worker processes queue it once. Rescans are
 * jobs of the lowest priority, taken only when no submitted job waits and fewer than
 * --max-rescans run (jobs.c). */
#include <sys/stat.h>
#include <time.h>

#include "util/common.h"
#include "util/arena.h"
#include "util/http.h"
#include "lading/vulndb.h"
#include "lading/vulndb.h"
#include "store/store.h"
#include "service/service.h"

#define TICK_MS 1000 /* the deliverer and the scheduler look this often */
#define KEY_MAX 160

struct ld_svc_background {
	ld_svc_bg_options o;
	volatile sig_atomic_t *stop;
	pthread_t deliverer, scheduler;
	bool deliverer_started, scheduler_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char db_path[4096];
};

static void bg_log(ld_svc_background *b, const char *line)
{
	if (b->o.log)
		b->o.log(b->o.log_opaque, line);
}

/* Sleep up to TICK_MS, or until woken or stopped. */
static void bg_wait(ld_svc_background *b)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += TICK_MS / 1000;
	pthread_mutex_lock(&b->mu);
	if (!*b->stop)
		pthread_cond_timedwait(&b->cv, &b->mu, &ts);
	pthread_mutex_unlock(&b->mu);
}

static void *deliverer_main(void *opaque)
{
	ld_svc_background *b = opaque;
	lading_store *s = NULL;
	lading_ctx *ctx = NULL;
	char line[1200];
	if (lading_ctx_new(&ctx))
		return NULL;
	if (lading_store_open(&s, ctx, b->o.store)) {
		ld_snprintf(line, sizeof(line), "deliverer: %s", lading_ctx_error(ctx)->msg);
		bg_log(b, line);
		lading_ctx_free(ctx);
		return NULL;
	}
	while (!*b->stop) {
		size_t sent = 0, failed = 0;
		if (ld_svc_deliver_due(s, ctx, b->stop, b->o.log, b->o.log_opaque, &sent,
				       &failed)) {
			ld_snprintf(line, sizeof(line), "deliverer: %s",
				    lading_ctx_error(ctx)->msg);
			bg_log(b, line);
		}
		bg_wait(b);
	}
	lading_store_close(s);
	lading_ctx_free(ctx);
	return NULL;
}

typedef struct once_tx {
	lading_ctx *ctx;
	const char *key, *kind, *ref;
	int prio;
	bool queued;
	int64_t id;
} once_tx;

static int once_fn(ld_store *s, void *opaque)
{
	once_tx *t = opaque;
	char now[32];
	int64_t one = 0;
	bool found = false;
	int rc;
	t->queued = false;
	ld_store_now(now);
	ld_sv p[2] = {ld_sv_text(t->key), ld_sv_text(now)};
	if ((rc = ld_store_exec_id(s, LD_SQ_SCHEDULE_SLOT, p, 2, &one, &t->queued)) || !t->queued)
		return rc;
	ld_sv q[4] = {ld_sv_text(t->kind), ld_sv_text(t->ref), ld_sv_int(t->prio), ld_sv_text(now)};
	if ((rc = ld_store_exec_id(s, LD_SQ_JOB_INSERT, q, 4, &t->id, &found)))
		return rc;
	return found ? 0
		     : ld_error_set(t->ctx, LADING_EDB, "store: the %s job was not queued",
				    t->kind);
}

int ld_svc_job_submit_once(lading_store *s, lading_ctx *ctx, const char *key, const char *kind,
			   const char *ref, int prio, bool *queued)
{
	once_tx t = {ctx, key, kind, ref, prio, false, 0};
	int rc;
	s->ctx = ctx;
	*queued = false;
	if ((rc = ld_store_transaction(s, once_fn, &t)))
		return rc;
	*queued = t.queued;
	if (t.queued)
		ld_store_exec(s, LD_SQ_JOB_WAKE, NULL, 0, NULL, NULL, NULL);
	return 0;
}

/* The database's build time, read when its file changed (inode, size or mtime). */
static bool db_changed(ld_svc_background *b, lading_ctx *ctx, struct stat *last, char *built,
		       size_t bsz)
{
	struct stat st;
	lading_db_info *info = NULL;
	bool changed = false;
	if (stat(b->db_path, &st) || (st.st_ino == last->st_ino && st.st_size == last->st_size &&
				      st.st_mtim.tv_sec == last->st_mtim.tv_sec &&
				      st.st_mtim.tv_nsec == last->st_mtim.tv_nsec))
		return false;
	if (!lading_db_info_get(b->db_path, &info, ctx) && info->built_at) {
		ld_strlcpy(built, info->built_at, bsz);
		*last = st;
		changed = true;
	}
	lading_db_info_free(info);
	return changed;
}

static void schedule(ld_svc_background *b, lading_store *s, lading_ctx *ctx, const char *key,
		     const char *why)
{
	char line[KEY_MAX + 200];
	bool queued = false;
	if (ld_svc_job_submit_once(s, ctx, key, "rescan", "", LD_JOB_PRIO_RESCAN, &queued))
		ld_snprintf(line, sizeof(line), "scheduler: %s", lading_ctx_error(ctx)->msg);
	else if (queued)
		ld_snprintf(line, sizeof(line), "scheduler: rescan queued (%s)", why);
	else
		return;
	bg_log(b, line);
}

static void *scheduler_main(void *opaque)
{
	ld_svc_background *b = opaque;
	lading_store *s = NULL;
	lading_ctx *ctx = NULL;
	struct stat last;
	char key[KEY_MAX], built[64];
	int64_t slot_done = -1;
	memset(&last, 0, sizeof(last));
	if (lading_ctx_new(&ctx))
		return NULL;
	if (lading_store_open(&s, ctx, b->o.store)) {
		lading_ctx_free(ctx);
		return NULL;
	}
	while (!*b->stop) {
		int64_t slot = (int64_t)time(NULL) / b->o.rescan_interval_s;
		if (db_changed(b, ctx, &last, built, sizeof(built))) {
			ld_snprintf(key, sizeof(key), "rescan:db:%s", built);
			schedule(b, s, ctx, key, "database built at a new time");
		}
		if (slot != slot_done) {
			ld_snprintf(key, sizeof(key), "rescan:every:%u:%" PRId64,
				    b->o.rescan_interval_s, slot);
			schedule(b, s, ctx, key, "interval");
			slot_done = slot;
		}
		bg_wait(b);
	}
	lading_store_close(s);
	lading_ctx_free(ctx);
	return NULL;
}

int ld_svc_background_start(ld_svc_background **out, lading_ctx *ctx, const ld_svc_bg_options *o,
			    volatile sig_atomic_t *stop)
{
	ld_svc_background *b;
	*out = NULL;
	if (!(b = calloc(1, sizeof(*b))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	b->o = *o;
	b->stop = stop;
	if (o->db_path)
		ld_strlcpy(b->db_path, o->db_path, sizeof(b->db_path));
	else if (lading_db_default_path(b->db_path, sizeof(b->db_path)))
		b->db_path[0] = '\0';
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->deliverer_started = pthread_create(&b->deliverer, NULL, deliverer_main, b) == 0;
	if (o->rescan_interval_s)
		b->scheduler_started = pthread_create(&b->scheduler, NULL, scheduler_main, b) == 0;
	*out = b;
	return 0;
}

void ld_svc_background_wake(ld_svc_background *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

void ld_svc_background_join(ld_svc_background *b)
{
	if (!b)
		return;
	ld_svc_background_wake(b);
	if (b->deliverer_started)
		pthread_join(b->deliverer, NULL);
	if (b->scheduler_started)
		pthread_join(b->scheduler, NULL);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b);
}

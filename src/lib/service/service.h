/* Service stage: the HTTP API over the same library calls the CLI makes (server.c), its request
 * routing and token formats (route.c), tokens in the store (token.c), the job queue (jobs.c). */
#ifndef LD_SERVICE_H
#define LD_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "lading/service.h"
#include "util/buf.h"
#include "util/slice.h"

/* ---- routing (route.c): pure functions, unit-tested and fuzzed ---- */

#define LD_SVC_URL_MAX 1024       /* longer paths are 414 */
#define LD_SVC_JOB_ID_MAX 18      /* digits of a job id */

typedef enum ld_svc_scope { LD_SCOPE_NONE = 0, LD_SCOPE_READ, LD_SCOPE_WRITE, LD_SCOPE_ADMIN } ld_svc_scope;

typedef enum ld_svc_route_id {
	LD_R_DASHBOARD = 0,
	LD_R_IMAGES_LIST,
	LD_R_IMAGES_ADD,
	LD_R_JOB_GET,
	LD_R_CONTAINERS_LIST,
	LD_R_CONTAINERS_PUT,
	LD_R_QUERY,
	LD_R_FLEET,
	LD_R_ADMISSION,
	LD_R_SBOMS_ADD,
	LD_R_FAVICON,
	LD_R_WEBHOOKS,
	LD_R_DELIVERIES,
	LD_R_COUNT
} ld_svc_route_id;

typedef struct ld_svc_route {
	const char *method;
	const char *path;        /* "{id}" matches one decimal segment */
	ld_svc_route_id id;
	ld_svc_scope scope;      /* least scope the route needs */
	size_t body_max;         /* 0: no body accepted */
} ld_svc_route;

#define LD_SVC_ROUTE_NOTFOUND (-1)
#define LD_SVC_ROUTE_METHOD (-2)

/* The route of (method, path) (path without the query string): >= 0 the index into
 * ld_svc_routes(), else LD_SVC_ROUTE_NOTFOUND / LD_SVC_ROUTE_METHOD. *param gets "{id}". */
int ld_svc_route_find(const char *method, ld_slice path, int64_t *param);
const ld_svc_route *ld_svc_routes(size_t *n);

/* "read" / "write" / "admin" */
int ld_svc_scope_parse(const char *s, ld_svc_scope *out);
const char *ld_svc_scope_name(ld_svc_scope s);

/* The token of an Authorization header value "Bearer TOKEN" (scheme case-insensitive): true
 * and *tok when well formed ("ldt_" + 64 lowercase hex). */
bool ld_svc_bearer(ld_slice header, ld_slice *tok);
bool ld_svc_token_valid(ld_slice tok);

#define LD_SVC_REF_MAX 1024
/* A registry reference ("[registry:]HOST/REPO[:TAG][@DIGEST]"), never a local source (a path,
 * oci:, dir:, docker-archive:...): what POST /api/v1/images accepts. */
bool ld_svc_ref_ok(const char *ref);

/* ---- AdmissionReview (admission.c) ---- */

#define LD_SVC_ADM_MAX_IMAGES 256

typedef struct ld_svc_admission {
	const char *uid;                              /* in the arena */
	const char *images[LD_SVC_ADM_MAX_IMAGES];    /* containers, initContainers, ephemeralContainers */
	size_t nimages;
} ld_svc_admission;

struct ld_arena;
int ld_svc_admission_parse(ld_svc_admission *out, struct ld_arena *a, const char *p, size_t len,
			   lading_ctx *ctx);
/* The API server's ?timeout=10s: seconds, 0 when not a duration (at most an hour). */
unsigned ld_svc_timeout_parse(const char *s);

/* ---- tokens (token.c) ---- */

typedef struct ld_svc_token {
	int64_t id;
	char name[128];
	ld_svc_scope scope;
} ld_svc_token;

/* Look a presented token up by its hash: 0 and *t, or LADING_ENOTFOUND. */
int ld_svc_token_check(lading_store *s, lading_ctx *ctx, ld_slice tok, ld_svc_token *t);

/* ---- jobs (jobs.c) ---- */

#define LD_JOB_LEASE_S 30          /* a running job's lease by default; renewed every LEASE/3 */
#define LD_JOB_LEASE_MAX_S 300
#define LD_JOB_MAX_ATTEMPTS 3      /* then the job is parked as failed with its error */
#define LD_JOB_PRIO_SUBMITTED 10   /* submitted jobs before scheduled rescans */
#define LD_JOB_PRIO_RESCAN 0

int ld_svc_job_submit(lading_store *s, lading_ctx *ctx, const char *kind, const char *ref, int prio,
		      int64_t *id);
/* {"id","state","image","error"} into a malloc'd string; LADING_ENOTFOUND when unknown. */
int ld_svc_job_json(lading_store *s, lading_ctx *ctx, int64_t id, char **out, size_t *len);

/* A pool of job threads (serve with SQLite, and `lading worker`). */
typedef struct ld_svc_workers ld_svc_workers;
int ld_svc_workers_start(ld_svc_workers **out, lading_ctx *ctx, const lading_worker_options *o,
			 volatile sig_atomic_t *stop);
void ld_svc_workers_wake(ld_svc_workers *w);
/* Waits for the threads (set *stop first). */
void ld_svc_workers_join(ld_svc_workers *w);

/* ---- notifications (notify_body.c: pure; notify.c: events; deliver.c: webhooks, sending) ---- */

enum { LD_EV_NEW = 1, LD_EV_RESOLVED = 2, LD_EV_KEV = 4, LD_EV_ALL = 7 };
#define LD_NOTIFY_BODY_FINDINGS 200   /* findings listed in one body; findings_total counts all */
#define LD_NOTIFY_BODY_MAX (1024 * 1024) /* bytes of one body */
#define LD_NOTIFY_SIG_LEN 72          /* "sha256=" + 64 hex + NUL */

/* "finding.new,kev.added" (commas or spaces): the bits; LADING_EINVALID for an unknown name or
 * an empty list, LADING_ELIMIT when too long. */
int ld_notify_events_parse(const char *p, size_t len, unsigned *mask);
/* "finding.new kev.added" */
void ld_notify_events_format(unsigned mask, char *out, size_t outsz);
const char *ld_notify_event_name(unsigned bit);
/* "90", "90s", "15m", "2h", "1d": 1 s to 30 days. */
int ld_notify_duration_parse(const char *p, size_t len, unsigned *seconds);

typedef struct ld_notify_finding {
	const char *vuln, *type, *name, *version, *fixed;
	const char *change;   /* kev.added: "new" (a new finding already known exploited) or "kev" */
	int severity;         /* lading_severity */
	int kev;
	double epss, cvss;    /* < 0: none */
} ld_notify_finding;

typedef struct ld_notify_event {
	const char *uid, *type, *created, *trigger, *digest;
	const char *const *refs;
	size_t nrefs;
	int64_t running;      /* running containers of the image */
	const ld_notify_finding *findings;
	size_t nfindings;
} ld_notify_event;

/* Bodies appended to out (capped by the caller's ld_buf): LADING_ELIMIT when it did not fit. */
int ld_notify_body_lading(const ld_notify_event *e, ld_buf *out);
int ld_notify_body_slack(const ld_notify_event *e, ld_buf *out);
/* "sha256=" + hex HMAC-SHA256 of the body with the webhook's secret. */
void ld_notify_sign(const char *secret, size_t slen, const char *body, size_t blen,
		    char out[LD_NOTIFY_SIG_LEN]);

#define LD_DELIVERY_LEASE_S 60          /* a delivery being sent; the send itself is capped below */
#define LD_DELIVERY_MAX_ATTEMPTS 12     /* then parked as failed (about 68 minutes of retries) */
#define LD_DELIVERY_BACKOFF_BASE_S 2    /* retry n waits BASE * 2^(n-1) s ... */
#define LD_DELIVERY_BACKOFF_MAX_S 3600  /* ... at most this */
#define LD_RESCAN_MAX_DEFAULT 1         /* rescans in flight across the fleet */

/* Record the findings of the images in scope as reported, queueing nothing (the first webhook's
 * baseline). */
int ld_notify_baseline(lading_store *s, lading_ctx *ctx);

/* lading_webhook_deliver, returning early once *stop is set (stop may be NULL), with one log
 * line per attempt (log may be NULL). */
int ld_svc_deliver_due(lading_store *s, lading_ctx *ctx, volatile sig_atomic_t *stop, lading_log_fn log,
		       void *log_opaque, size_t *sent, size_t *failed);

/* Seconds before retry `attempts` + 1 of a delivery. */
int64_t ld_notify_backoff(int64_t attempts);

/* Background threads of serve and worker: the deliverer, and the rescan scheduler when
 * rescan_interval_s is set (one rescan per interval for the whole fleet, and one per database
 * build when the database file changes). */
typedef struct ld_svc_background ld_svc_background;
typedef struct ld_svc_bg_options {
	const char *store;
	const char *db_path;
	unsigned rescan_interval_s;   /* 0: no scheduler */
	lading_log_fn log;
	void *log_opaque;
} ld_svc_bg_options;
int ld_svc_background_start(ld_svc_background **out, lading_ctx *ctx, const ld_svc_bg_options *o,
			    volatile sig_atomic_t *stop);
/* Wakes the deliverer (events were queued by this process). */
void ld_svc_background_wake(ld_svc_background *b);
/* Waits for the threads (set *stop first). */
void ld_svc_background_join(ld_svc_background *b);

/* Submit a keyed job once for the whole fleet: *queued false when the key was taken before. */
int ld_svc_job_submit_once(lading_store *s, lading_ctx *ctx, const char *key, const char *kind,
			   const char *ref, int prio, bool *queued);

#endif

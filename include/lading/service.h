/* lading: the HTTP service (`lading serve`), its API tokens (`lading token`) and the job queue's
 * workers (`lading worker`). docs/service.md describes the API; docs/openapi.yaml its paths. */
#ifndef LADING_SERVICE_H
#define LADING_SERVICE_H

#include <signal.h>
#include <stddef.h>

#include "lading/common.h"
#include "lading/containers.h"
#include "lading/inventory.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tokens: the store keeps the SHA-256 of each, never the token ---- */

/* "ldt_" + 64 hex (256 random bits) + NUL */
#define LADING_TOKEN_LEN 69

/* scope: "read" (GET), "write" (also POST), "admin" (everything). `out` receives the token,
 * which exists nowhere else afterwards. LADING_EINVALID for a bad name or scope or a name
 * already taken. */
LADING_EXTERN(int) lading_token_create(lading_store *s, lading_ctx *ctx, const char *name,
				       const char *scope, char out[LADING_TOKEN_LEN]);
/* {"tokens":[{"id","name","scope","created","last_used","revoked"}]} or a table. */
LADING_EXTERN(int) lading_token_list(lading_store *s, lading_ctx *ctx, lading_format fmt, char **out,
				     size_t *len);
/* LADING_ENOTFOUND when no live token has that name. */
LADING_EXTERN(int) lading_token_revoke(lading_store *s, lading_ctx *ctx, const char *name);

/* ---- the server ---- */

typedef void (*lading_log_fn)(void *opaque, const char *line);

typedef struct lading_serve_options {
	unsigned version;              /* LADING_SERVE_OPTIONS_VERSION */
	const char *store;             /* store URL (NULL = the default store) */
	const char *listen;            /* "PORT", "IPV4:PORT", "[IPV6]:PORT", "*:PORT" */
	const char *tls_cert, *tls_key; /* PEM files: HTTPS when both are given */
	const char *db_path;           /* vulnerability database (NULL = the default) */
	const char *const *insecure_registries; /* HOST:PORT: plain HTTP / unverified TLS */
	size_t insecure_count;
	unsigned workers;              /* job threads in the server; 0 = 2 with SQLite, none with
					  PostgreSQL (run `lading worker`) */
	unsigned threads;              /* HTTP threads; 0 = 2 */
	lading_log_fn log;             /* access log and job lines; may be NULL */
	void *log_opaque;
	unsigned token_rate;           /* requests per second per token (bucket of twice that);
					  0 = 1000 */
	/* admission (POST /api/v1/admission), as `scan`'s --fail-on / --fail-on-kev */
	int fail_on;                   /* lading_severity; -1 = no severity gate */
	int fail_on_kev;
	int admission_unknown_allow;   /* an image not in the store after the webhook's timeout:
					  0 deny, 1 allow */
	/* version 2: admission applies scan's suppressions (--ignore-file, --vex) */
	const char *ignore_file;
	const char *const *vex_files;
	size_t vex_count;
	/* version 2: with TLS, a client certificate this CA (PEM) verifies may call admission, as
	   the Kubernetes API server does with its webhook's client configuration */
	const char *tls_client_ca;
	/* version 3 */
	unsigned rescan_interval_s;    /* scheduled rescans (one per interval for the whole fleet,
					  and one when the database changes); 0 = none */
	unsigned max_rescans;          /* rescans running at once in the fleet; 0 = 1 */
} lading_serve_options;
#define LADING_SERVE_OPTIONS_VERSION 3
#define LADING_SERVE_OPTIONS_INIT {LADING_SERVE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, (unsigned)-1, 0, NULL, NULL, 0, -1, 0, 0, NULL, NULL, 0, NULL, 0, 0}

typedef struct lading_service lading_service;

/* Open the store, bind and start serving (threads of its own). */
LADING_EXTERN(int) lading_service_start(lading_service **out, lading_ctx *ctx,
					const lading_serve_options *opts);
/* The bound address ("127.0.0.1:PORT", "[::1]:PORT"). */
LADING_EXTERN(const char *) lading_service_address(const lading_service *svc);
/* Stop serving, finish the jobs in progress, free. */
LADING_EXTERN(void) lading_service_stop(lading_service *svc);

/* ---- workers ---- */

typedef struct lading_worker_options {
	unsigned version;              /* LADING_WORKER_OPTIONS_VERSION */
	const char *store;
	const char *db_path;
	const char *const *insecure_registries;
	size_t insecure_count;
	unsigned jobs;                 /* parallel jobs; 0 = 1 */
	int once;                      /* return when the queue is empty */
	lading_log_fn log;
	void *log_opaque;
	unsigned lease_s;              /* a job's lease, renewed every third of it; 0 = 30 s */
	unsigned rescan_interval_s;    /* as lading_serve_options */
	unsigned max_rescans;
} lading_worker_options;
#define LADING_WORKER_OPTIONS_VERSION 1
#define LADING_WORKER_OPTIONS_INIT {LADING_WORKER_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 0, 0}

/* Take jobs from the store's queue until *stop becomes non-zero (or, with `once`, the queue is
 * empty). A job's lease is renewed while it runs; one whose worker died is taken again when its
 * lease has expired. */
LADING_EXTERN(int) lading_worker_run(lading_ctx *ctx, const lading_worker_options *opts,
				     volatile sig_atomic_t *stop);

/* ---- notifications (docs/service.md "Notifications") ---- */

typedef struct lading_webhook_options {
	unsigned version;              /* LADING_WEBHOOK_OPTIONS_VERSION */
	const char *url;               /* http:// or https:// */
	const char *secret;            /* HMAC-SHA256 key of X-Lading-Signature */
	size_t secret_len;
	const char *events;            /* "finding.new,finding.resolved,kev.added"; NULL = all */
	int all_images;                /* 0: images with running containers only */
	const char *format;            /* "lading" (NULL) or "slack" */
} lading_webhook_options;
#define LADING_WEBHOOK_OPTIONS_VERSION 1
#define LADING_WEBHOOK_OPTIONS_INIT {LADING_WEBHOOK_OPTIONS_VERSION, NULL, NULL, 0, NULL, 0, NULL}

/* Add a webhook; the first one also records the fleet's current findings as the baseline, so
 * a webhook hears of changes from then on. */
LADING_EXTERN(int) lading_webhook_add(lading_store *s, lading_ctx *ctx, const lading_webhook_options *o,
				      int64_t *id);
/* {"webhooks":[{"id","url","events","all_images","format","created"}]} (never the secret) or a table. */
LADING_EXTERN(int) lading_webhook_list(lading_store *s, lading_ctx *ctx, lading_format fmt, char **out,
				       size_t *len);
/* Its queued deliveries are no longer sent; the log keeps them. LADING_ENOTFOUND when unknown. */
LADING_EXTERN(int) lading_webhook_remove(lading_store *s, lading_ctx *ctx, int64_t id);
/* The delivery log, newest first: {"deliveries":[{"id","webhook","url","event","type","image",
 * "state","attempts","status","error","created","updated","delivered","next_attempt"}]}.
 * webhook_id 0: all; limit 0: 100. */
LADING_EXTERN(int) lading_webhook_deliveries(lading_store *s, lading_ctx *ctx, int64_t webhook_id,
					     size_t limit, lading_format fmt, char **out, size_t *len);
/* Queue parked (failed) deliveries again, due now, with their attempts counted from 0:
 * delivery_id 0 = every parked one. *requeued how many; LADING_ENOTFOUND when an id was given
 * and it is not parked. */
LADING_EXTERN(int) lading_webhook_retry(lading_store *s, lading_ctx *ctx, int64_t delivery_id, size_t *requeued);
/* Send the deliveries that are due now, one after the other, until none is: *sent delivered,
 * *failed attempts that failed (retried later, or parked after the last attempt). */
LADING_EXTERN(int) lading_webhook_deliver(lading_store *s, lading_ctx *ctx, size_t *sent, size_t *failed);

typedef struct lading_notify_result {
	size_t images;       /* images whose findings changed */
	size_t events;
	size_t deliveries;
} lading_notify_result;

/* "90", "90s", "15m", "2h", "1d" (1 s to 30 days) into seconds: 0 or LADING_EINVALID. */
LADING_EXTERN(int) lading_duration_parse(const char *s, unsigned *seconds);

/* Compare the findings of the images in the webhooks' scope (one image by digest, or all: NULL)
 * with the findings last reported for them and queue the events (finding.new, finding.resolved,
 * kev.added) for the webhooks. trigger: "job", "rescan", "snapshot", "add". Nothing happens
 * when no webhook is configured. */
LADING_EXTERN(int) lading_notify_evaluate(lading_store *s, lading_ctx *ctx, const char *trigger,
					  const char *digest, lading_notify_result *res);

/* ---- agents: a snapshot pushed to a server (`inventory containers --push URL`) ---- */

typedef struct lading_push_options {
	unsigned version;      /* LADING_PUSH_OPTIONS_VERSION */
	const char *url;       /* the server: http[s]://HOST:PORT[/PREFIX], or its full
				  .../api/v1/containers URL */
	const char *token;     /* a write token (sent as Authorization: Bearer) */
	const char *ca_file;   /* PEM CA for the server's certificate; NULL = the system's */
} lading_push_options;
#define LADING_PUSH_OPTIONS_VERSION 1
#define LADING_PUSH_OPTIONS_INIT {LADING_PUSH_OPTIONS_VERSION, NULL, NULL, NULL}

/* POST the containers (lading's own list, with their source) to the server's
 * POST /api/v1/containers, which records them as `inventory containers` does. *answer: the
 * server's JSON answer (free()). A refused token is LADING_EAUTH; another non-2xx answer
 * LADING_EIO with the status and the server's message on ctx. */
LADING_EXTERN(int) lading_containers_push(const lading_containers *c, lading_ctx *ctx,
					  const lading_push_options *o, char **answer, size_t *alen);

#ifdef __cplusplus
}
#endif
#endif

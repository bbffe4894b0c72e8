/* lading: the HTTP service (`lading serve`), its API tokens (`lading token`) and the job queue's
 * workers (`lading worker`). docs/service.md describes the API; docs/openapi.yaml its paths. */
#ifndef LADING_SERVICE_H
#define LADING_SERVICE_H

#include <signal.h>
#include <stddef.h>

#include "lading/common.h"
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
} lading_serve_options;
#define LADING_SERVE_OPTIONS_VERSION 2
#define LADING_SERVE_OPTIONS_INIT {LADING_SERVE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, (unsigned)-1, 0, NULL, NULL, 0, -1, 0, 0, NULL, NULL, 0, NULL}

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
} lading_worker_options;
#define LADING_WORKER_OPTIONS_VERSION 1
#define LADING_WORKER_OPTIONS_INIT {LADING_WORKER_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, 0}

/* Take jobs from the store's queue until *stop becomes non-zero (or, with `once`, the queue is
 * empty). A job's lease is renewed while it runs; one whose worker died is taken again when its
 * lease has expired. */
LADING_EXTERN(int) lading_worker_run(lading_ctx *ctx, const lading_worker_options *opts,
				     volatile sig_atomic_t *stop);

#ifdef __cplusplus
}
#endif
#endif

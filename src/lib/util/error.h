/* Error detail and warnings on the caller's context (struct lading_ctx). */
#ifndef LD_ERROR_H
#define LD_ERROR_H

#include <pthread.h>
#include <stdarg.h>

#include "lading/common.h"
#include "util/budget.h"

#define LD_WARNINGS_KEPT 256

struct lading_ctx {
	lading_error err;
	lading_ctx *parent;       /* worker contexts forward warnings to their parent */
	pthread_mutex_t lock;     /* guards the warning list (workers append concurrently) */
	size_t nwarn;             /* total count */
	size_t nkept;
	char *warn[LD_WARNINGS_KEPT];
	lading_progress_fn progress;
	void *progress_opaque;
	unsigned threads;
	/* Also sees every warning raised on this context or its children (the layer cache records
	 * a layer's warnings to replay them); called on the warning thread, before forwarding. */
	void (*warn_tap)(void *opaque, const char *msg);
	void *warn_tap_opaque;
	ld_budget budget;         /* the scan's memory budget (root context's; children share it) */
};

/* Record an error and return `code` so callers can `return ld_error_set(...)`. */
int ld_error_set(lading_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ld_error_vset(lading_ctx *ctx, int code, const char *fmt, va_list ap);
int ld_error_set_path(lading_ctx *ctx, int code, const char *path, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Prepend context to the current message ("layer 2: " + msg). Returns the current code. */
int ld_error_prefix(lading_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ld_error_clear(lading_ctx *ctx);
/* Counted warning for a malformed-but-skipped input; thread-safe. */
void ld_warn(lading_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A context for a worker thread: own error, warnings forwarded to `parent`. */
void ld_ctx_init_child(lading_ctx *child, lading_ctx *parent);
void ld_ctx_release_child(lading_ctx *child);
/* Copy a worker's error into `ctx` (when it has one); returns its code. */
int ld_ctx_adopt_error(lading_ctx *ctx, const lading_ctx *child);
unsigned ld_ctx_threads(const lading_ctx *ctx);
/* The memory budget of the scan this context belongs to (the root context's). */
ld_budget *ld_ctx_budget(lading_ctx *ctx);
/* LADING_ELIMIT with a message naming what did not fit in the budget: `what` (e.g. "capturing
 * /var/lib/dpkg/status in layer 2") asked for `n` more bytes. */
int ld_budget_error(lading_ctx *ctx, uint64_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ld_progress(lading_ctx *ctx, const char *what, size_t index, size_t count, uint64_t done,
		 uint64_t total);

#endif

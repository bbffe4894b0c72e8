#include "util/common.h"


int lading_ctx_new(lading_ctx **out)
{
	lading_ctx *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return LADING_ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	ld_budget_init(&c->budget, LD_BUDGET_DEFAULT);
	*out = c;
	return 0;
}

void lading_ctx_set_max_memory(lading_ctx *ctx, uint64_t bytes)
{
	ctx->budget.max = bytes;
}

uint64_t lading_ctx_memory_peak(const lading_ctx *ctx)
{
	return ld_budget_peak(&ctx->budget);
}

ld_budget *ld_ctx_budget(lading_ctx *ctx)
{
	while (ctx->parent)
		ctx = ctx->parent;
	return &ctx->budget;
}

int ld_budget_error(lading_ctx *ctx, uint64_t n, const char *fmt, ...)
{
	char what[512], max[32], need[32], used[32];
	ld_budget *b = ld_ctx_budget(ctx);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ld_budget_size_str(b->max, max, sizeof(max));
	ld_budget_size_str(n, need, sizeof(need));
	ld_budget_size_str(ld_budget_used(b), used, sizeof(used));
	return ld_error_set(ctx, LADING_ELIMIT,
			    "memory budget of %s exceeded: %s needs %s more with %s in use (raise it with "
			    "--max-memory)",
			    max, what, need, used);
}

void lading_ctx_free(lading_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->nkept; i++)
		free(ctx->warn[i]);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

const lading_error *lading_ctx_error(const lading_ctx *ctx)
{
	return &ctx->err;
}

size_t lading_ctx_warning_count(const lading_ctx *ctx)
{
	return ctx->nwarn;
}

size_t lading_ctx_warning_kept(const lading_ctx *ctx)
{
	return ctx->nkept;
}

const char *lading_ctx_warning(const lading_ctx *ctx, size_t i)
{
	return i < ctx->nkept ? ctx->warn[i] : NULL;
}

void lading_ctx_set_progress(lading_ctx *ctx, lading_progress_fn fn, void *opaque)
{
	ctx->progress = fn;
	ctx->progress_opaque = opaque;
}

void lading_ctx_set_threads(lading_ctx *ctx, unsigned n)
{
	ctx->threads = n;
}

unsigned ld_ctx_threads(const lading_ctx *ctx)
{
	long n;
	while (ctx->parent)
		ctx = ctx->parent;
	if (ctx->threads)
		return ctx->threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	return (unsigned)n;
}

void ld_progress(lading_ctx *ctx, const char *what, size_t index, size_t count, uint64_t done,
		 uint64_t total)
{
	while (ctx->parent)
		ctx = ctx->parent;
	if (ctx->progress)
		ctx->progress(ctx->progress_opaque, what, index, count, done, total);
}

int ld_error_vset(lading_ctx *ctx, int code, const char *fmt, va_list ap)
{
	ctx->err.code = code;
	ctx->err.path[0] = '\0';
	ctx->err.offset = 0;
	if (vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap) < 0)
		ctx->err.msg[0] = '\0';
	return code;
}

int ld_error_set(lading_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ld_error_vset(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

int ld_error_set_path(lading_ctx *ctx, int code, const char *path, uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ld_error_vset(ctx, code, fmt, ap);
	va_end(ap);
	ld_strlcpy(ctx->err.path, path ? path : "", sizeof(ctx->err.path));
	ctx->err.offset = offset;
	return code;
}

int ld_error_prefix(lading_ctx *ctx, const char *fmt, ...)
{
	char pre[512], old[sizeof(ctx->err.msg)];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(pre, sizeof(pre), fmt, ap) < 0)
		pre[0] = '\0';
	va_end(ap);
	memcpy(old, ctx->err.msg, sizeof(old));
	ld_snprintf(ctx->err.msg, sizeof(ctx->err.msg), "%s%s", pre, old);
	return ctx->err.code;
}

void ld_error_clear(lading_ctx *ctx)
{
	ctx->err.code = 0;
	ctx->err.msg[0] = '\0';
	ctx->err.path[0] = '\0';
	ctx->err.offset = 0;
}

void ld_warn(lading_ctx *ctx, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(tmp, sizeof(tmp), fmt, ap) < 0)
		tmp[0] = '\0';
	va_end(ap);
	for (; ctx->parent; ctx = ctx->parent)
		if (ctx->warn_tap)
			ctx->warn_tap(ctx->warn_tap_opaque, tmp);
	if (ctx->warn_tap)
		ctx->warn_tap(ctx->warn_tap_opaque, tmp);
	pthread_mutex_lock(&ctx->lock);
	ctx->nwarn++;
	if (ctx->nkept < LD_WARNINGS_KEPT) {
		char *s = ld_strdup(tmp);
		if (s)
			ctx->warn[ctx->nkept++] = s;
	}
	pthread_mutex_unlock(&ctx->lock);
}

void ld_ctx_init_child(lading_ctx *child, lading_ctx *parent)
{
	memset(child, 0, sizeof(*child));
	child->parent = parent;
	pthread_mutex_init(&child->lock, NULL);
}

void ld_ctx_release_child(lading_ctx *child)
{
	pthread_mutex_destroy(&child->lock);
}

int ld_ctx_adopt_error(lading_ctx *ctx, const lading_ctx *child)
{
	if (child->err.code)
		ctx->err = child->err;
	return child->err.code;
}

const char *lading_strerror(int code)
{
	switch (code) {
	case LADING_OK: return "success";
	case LADING_ENOMEM: return "out of memory";
	case LADING_EIO: return "I/O error";
	case LADING_EINVALID: return "invalid input";
	case LADING_ELIMIT: return "safety limit exceeded";
	case LADING_ENOTFOUND: return "not found";
	case LADING_EUNSUPPORTED: return "unsupported";
	case LADING_ENET: return "network error";
	case LADING_EDB: return "database error";
	case LADING_EDIGEST: return "digest mismatch";
	case LADING_EUSAGE: return "invalid usage";
	case LADING_EAUTH: return "authentication failed";
	default: return "unknown error";
	}
}

const char *lading_version_string(void)
{
	return LADING_VERSION;
}

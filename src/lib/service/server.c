/* The HTTP server (libmicrohttpd): each handler parses, authorizes, calls the library function the
 * CLI calls, serializes. The only user of libmicrohttpd. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/netaddr.h"
#include "lading/fleet.h"
#include "lading/scan.h"
#include "api/policy.h"
#include "store/store.h"
#include "service/service.h"

/* Named limits. A slow client (slowloris) meets the idle timeout, the total header deadline, the
 * header memory cap and the per-IP connection cap: it can hold at most PER_IP_CONNECTIONS of
 * CONNECTION_LIMIT, each for HEADER_DEADLINE_S at most. */
#define IDLE_TIMEOUT_S 10             /* MHD_OPTION_CONNECTION_TIMEOUT: no byte for this long */
#define HEADER_DEADLINE_S 10          /* request line + headers complete this long after the
					 connection opened or its previous request ended, however
					 steadily they trickle (libmicrohttpd has idle timeouts only) */
#define DEADLINE_TICK_MS 250          /* how often connections are checked against it */
#define CONNECTION_MEMORY (32 * 1024) /* request line + headers per connection (else 431) */
#define CONNECTION_LIMIT 512
#define PER_IP_CONNECTIONS 32
#define LISTEN_BACKLOG 256
#define TOKEN_RATE_PER_S 1000         /* per-token token bucket: refill per second by default,
					 its depth twice that (--token-rate) */
#define RATE_TABLE 256                /* tokens tracked at once (least recently used replaced) */
#define LAST_USED_EVERY_S 60          /* a token's last_used is written at most this often */
#define TLS_FILE_MAX (1024 * 1024)
#define QUERY_VALUE_MAX 512
#define POOL_MAX 64
#define ADMISSION_TIMEOUT_S 10        /* when the API server gives no ?timeout= */
#define ADMISSION_MARGIN_MS 1500      /* answer this long before the API server gives up */
#define ADMISSION_SHOWN 5             /* blocking vulnerabilities named per image */
#define ADMISSION_MSG_MAX 4096

typedef struct rate_entry {
	int64_t token_id;
	double tokens;
	double last;      /* monotonic seconds */
	double used_written;
} rate_entry;

/* A connection as the header deadline sees it (MHD_OPTION_NOTIFY_CONNECTION). */
typedef struct conn_slot {
	int fd;
	double since;     /* opened, or its previous request ended */
	bool used;
	bool in_request;  /* headers complete: the request's own limits apply */
	bool cut;
} conn_slot;

typedef struct pooled {
	lading_store *s;
	bool busy;
} pooled;

struct lading_service {
	lading_serve_options o;
	char *store_url;
	char addr[96];
	struct MHD_Daemon *d;
	char *tls_cert, *tls_key;
	/* store connections for the handlers: one per HTTP thread and a spare */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	pooled pool[POOL_MAX];
	unsigned npool;
	pthread_mutex_t rate_mu;
	rate_entry rate[RATE_TABLE];
	double rate_per_s;
	ld_svc_workers *workers;
	ld_svc_background *bg;           /* deliverer, rescan scheduler */
	volatile sig_atomic_t stop;
	char *tls_ca;                  /* --tls-client-ca, PEM */
	lading_scan_options policy;    /* admission: --ignore-file, --vex */
	pthread_mutex_t conn_mu;
	conn_slot conns[CONNECTION_LIMIT + 8];
	pthread_t deadline_thread;
	bool deadline_started;
	volatile sig_atomic_t deadline_stop;
};

typedef struct request {
	int route;
	int64_t param;
	ld_svc_token tok;
	bool authorized;
	bool discard;      /* body over its cap: read and dropped, then 413 */
	ld_buf body;
} request;

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void log_line(lading_service *svc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(lading_service *svc, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!svc->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	svc->o.log(svc->o.log_opaque, line);
}

static lading_store *pool_get(lading_service *svc, unsigned *slot)
{
	pthread_mutex_lock(&svc->pool_mu);
	for (;;) {
		for (unsigned i = 0; i < svc->npool; i++) {
			if (!svc->pool[i].busy) {
				svc->pool[i].busy = true;
				*slot = i;
				pthread_mutex_unlock(&svc->pool_mu);
				return svc->pool[i].s;
			}
		}
		pthread_cond_wait(&svc->pool_cv, &svc->pool_mu);
	}
}

static void pool_put(lading_service *svc, unsigned slot)
{
	pthread_mutex_lock(&svc->pool_mu);
	svc->pool[slot].busy = false;
	pthread_cond_signal(&svc->pool_cv);
	pthread_mutex_unlock(&svc->pool_mu);
}

/* Token bucket per token; also says whether last_used is due. */
static bool rate_take(lading_service *svc, int64_t id, bool *write_used)
{
	double now = mono_s();
	rate_entry *e = NULL, *oldest = &svc->rate[0];
	bool ok;
	pthread_mutex_lock(&svc->rate_mu);
	for (size_t i = 0; i < RATE_TABLE; i++) {
		if (svc->rate[i].token_id == id) {
			e = &svc->rate[i];
			break;
		}
		if (svc->rate[i].last < oldest->last)
			oldest = &svc->rate[i];
	}
	if (!e) {
		e = oldest;
		e->token_id = id;
		e->tokens = 2.0 * svc->rate_per_s;
		e->last = now;
		e->used_written = 0;
	}
	e->tokens += (now - e->last) * svc->rate_per_s;
	if (e->tokens > 2.0 * svc->rate_per_s)
		e->tokens = 2.0 * svc->rate_per_s;
	e->last = now;
	ok = e->tokens >= 1.0;
	if (ok)
		e->tokens -= 1.0;
	*write_used = e->used_written == 0 || now - e->used_written > LAST_USED_EVERY_S;
	if (*write_used)
		e->used_written = now;
	pthread_mutex_unlock(&svc->rate_mu);
	return ok;
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	ld_strlcpy(out, "?", n);
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, out,
			  (socklen_t)n);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr,
			  out, (socklen_t)n);
}

/* Queue a response that takes ownership of `body` (malloc'd); logs the request. */
static enum MHD_Result reply(lading_service *svc, struct MHD_Connection *c, const char *method,
			     const char *url, const request *rq, unsigned status, const char *ctype,
			     char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char ip[64];
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"lading\"");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(r, "Retry-After", "1");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	client_ip(c, ip, sizeof(ip));
	/* the path only (MHD keeps the query string apart): a token there is never logged */
	log_line(svc, "%s %s %.200s %u %zu token=%s", ip, method, url, status, len,
		 rq && rq->authorized ? rq->tok.name : "-");
	return ret;
}

static enum MHD_Result reply_error(lading_service *svc, struct MHD_Connection *c, const char *method,
				   const char *url, const request *rq, unsigned status, const char *msg)
{
	ld_buf b;
	ld_jw w;
	ld_buf_init(&b, 4096);
	ld_jw_init(&w, &b, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "error", msg);
	ld_jw_ki64(&w, "status", status);
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
	ld_buf_addc(&b, '\n');
	size_t len = 0;
	char *s = ld_buf_detach(&b, &len);
	if (!s)
		return MHD_NO;
	return reply(svc, c, method, url, rq, status, "application/json", s, len);
}

static unsigned status_of(int rc)
{
	switch (rc) {
	case LADING_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case LADING_EINVALID:
	case LADING_EUSAGE:
	case LADING_ELIMIT:
		return MHD_HTTP_BAD_REQUEST;
	case LADING_EUNSUPPORTED:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

/* ---- handlers: each gets a store connection from the pool ---- */

typedef struct hctx {
	lading_service *svc;
	struct MHD_Connection *c;
	const char *method, *url;
	request *rq;
	lading_store *s;
	lading_ctx *ctx;
} hctx;

static enum MHD_Result fail(hctx *h, int rc)
{
	const char *m = lading_ctx_error(h->ctx)->msg;
	unsigned st = status_of(rc);
	/* internal errors are logged in full and answered briefly */
	if (st == MHD_HTTP_INTERNAL_SERVER_ERROR) {
		log_line(h->svc, "error on %s %.200s: %s", h->method, h->url, m);
		m = "internal error (see the server's log)";
	}
	return reply_error(h->svc, h->c, h->method, h->url, h->rq, st, m[0] ? m : lading_strerror(rc));
}

static enum MHD_Result ok_doc(hctx *h, unsigned status, const char *ctype, char *out, size_t len)
{
	return reply(h->svc, h->c, h->method, h->url, h->rq, status, ctype, out, len);
}

static enum MHD_Result h_list(hctx *h, const char *what)
{
	char *out = NULL;
	size_t len = 0;
	int rc = lading_inventory_list(h->s, h->ctx, what, LADING_FORMAT_JSON, &out, &len);
	return rc ? fail(h, rc) : ok_doc(h, MHD_HTTP_OK, "application/json", out, len);
}

static const char *arg(hctx *h, const char *k)
{
	const char *v = MHD_lookup_connection_value(h->c, MHD_GET_ARGUMENT_KIND, k);
	return v && strlen(v) <= QUERY_VALUE_MAX ? v : NULL;
}

static enum MHD_Result h_webhooks(hctx *h)
{
	char *out = NULL;
	size_t len = 0;
	int rc = lading_webhook_list(h->s, h->ctx, LADING_FORMAT_JSON, &out, &len);
	return rc ? fail(h, rc) : ok_doc(h, MHD_HTTP_OK, "application/json", out, len);
}

/* ?webhook=ID&limit=N */
static enum MHD_Result h_deliveries(hctx *h)
{
	const char *hook = arg(h, "webhook"), *limit = arg(h, "limit");
	uint64_t id = 0, n = 0;
	char *out = NULL;
	size_t len = 0;
	int rc;
	if ((hook && !ld_slice_to_u64(ld_slice_cstr(hook), INT64_MAX, &id)) ||
	    (limit && (!ld_slice_to_u64(ld_slice_cstr(limit), 100000, &n) || !n)))
		return reply_error(h->svc, h->c, h->method, h->url, h->rq, MHD_HTTP_BAD_REQUEST,
				   "?webhook=ID (a number) and ?limit=N (1 to 100000)");
	rc = lading_webhook_deliveries(h->s, h->ctx, (int64_t)id, (size_t)n, LADING_FORMAT_JSON, &out, &len);
	return rc ? fail(h, rc) : ok_doc(h, MHD_HTTP_OK, "application/json", out, len);
}

static enum MHD_Result h_query(hctx *h)
{
	lading_inventory_query q;
	const char *sev = arg(h, "severity");
	char *out = NULL;
	size_t len = 0;
	int rc;
	memset(&q, 0, sizeof(q));
	if ((q.value = arg(h, "cve")))
		q.kind = LADING_QUERY_CVE;
	else if ((q.value = arg(h, "package")))
		q.kind = LADING_QUERY_PACKAGE, q.type = arg(h, "type");
	else if ((q.value = arg(h, "image")))
		q.kind = LADING_QUERY_IMAGE;
	else if (sev)
		q.kind = LADING_QUERY_SEVERITY, q.value = sev;
	else if (arg(h, "kev"))
		q.kind = LADING_QUERY_KEV;
	if (!q.kind || (q.kind != LADING_QUERY_KEV && !q.value[0]))
		return reply_error(h->svc, h->c, h->method, h->url, h->rq, MHD_HTTP_BAD_REQUEST,
				   "query: one of cve=ID, package=NAME[@VERSION] (type=), image=REF, "
				   "kev=1, severity=LEVEL");
	if ((rc = lading_inventory_query_run(h->s, h->ctx, &q, LADING_FORMAT_JSON, &out, &len)))
		return fail(h, rc);
	return ok_doc(h, MHD_HTTP_OK, "application/json", out, len);
}

static enum MHD_Result h_fleet(hctx *h, lading_format fmt)
{
	lading_fleet_options fo = LADING_FLEET_OPTIONS_INIT;
	char *out = NULL;
	size_t len = 0;
	int rc;
	fo.store = h->svc->store_url;
	fo.group_by = arg(h, "group_by");
	if ((rc = lading_fleet_report(&out, &len, h->ctx, &fo, fmt)))
		return fail(h, rc);
	return ok_doc(h, MHD_HTTP_OK, fmt == LADING_FORMAT_HTML ? "text/html; charset=utf-8" : "application/json",
		      out, len);
}

static enum MHD_Result h_job(hctx *h)
{
	char *out = NULL;
	size_t len = 0;
	int rc = ld_svc_job_json(h->s, h->ctx, h->rq->param, &out, &len);
	return rc ? fail(h, rc) : ok_doc(h, MHD_HTTP_OK, "application/json", out, len);
}

static enum MHD_Result h_images_add(hctx *h)
{
	ld_arena a;
	ld_json *doc = NULL;
	const char *ref;
	char refbuf[LD_SVC_REF_MAX + 16];
	int64_t id = 0;
	int rc;
	ld_json_limits lim = {8, 1 << 20};
	ld_arena_init(&a, 4 << 20);
	if ((rc = ld_json_parse(&doc, &a, h->rq->body.ptr ? h->rq->body.ptr : "", h->rq->body.len, &lim, h->ctx,
				"request body"))) {
		ld_arena_release(&a);
		return fail(h, LADING_EINVALID);
	}
	ref = ld_json_get_str(doc, "ref");
	if (!ref || !ld_svc_ref_ok(ref)) {
		ld_arena_release(&a);
		return reply_error(h->svc, h->c, h->method, h->url, h->rq, MHD_HTTP_BAD_REQUEST,
				   "body: {\"ref\": \"HOST/REPOSITORY[:TAG|@DIGEST]\"} (a registry reference)");
	}
	ld_snprintf(refbuf, sizeof(refbuf), "%s%s", strncmp(ref, "registry:", 9) ? "registry:" : "", ref);
	ld_arena_release(&a);
	if ((rc = ld_svc_job_submit(h->s, h->ctx, "image", refbuf, LD_JOB_PRIO_SUBMITTED, &id)))
		return fail(h, rc);
	ld_svc_workers_wake(h->svc->workers);
	char *out = NULL;
	size_t len = 0;
	ld_buf b;
	ld_buf_init(&b, 256);
	ld_buf_addf(&b, "{\"id\":%" PRId64 ",\"state\":\"queued\"}\n", id);
	if (!(out = ld_buf_detach(&b, &len)))
		return MHD_NO;
	return ok_doc(h, MHD_HTTP_ACCEPTED, "application/json", out, len);
}

static enum MHD_Result h_containers_put(hctx *h)
{
	lading_containers *cs = NULL;
	lading_snapshot snap;
	lading_snapshot_result r;
	const char *src = arg(h, "source");
	int rc;
	if ((rc = lading_containers_parse(&cs, h->ctx, h->rq->body.ptr ? h->rq->body.ptr : "", h->rq->body.len,
					  "request body", src)))
		return fail(h, rc == LADING_EUNSUPPORTED ? LADING_EINVALID : rc);
	memset(&snap, 0, sizeof(snap));
	snap.source = lading_containers_source(cs);
	snap.containers = lading_containers_items(cs);
	snap.count = lading_containers_count(cs);
	rc = lading_inventory_record_snapshot(h->s, h->ctx, &snap, &r);
	if (rc) {
		lading_containers_free(cs);
		return fail(h, rc);
	}
	/* images that started running bring their findings to the webhooks of running images; a
	 * failure is logged (the next evaluation catches up), the snapshot is recorded */
	lading_notify_result nr;
	if (lading_notify_evaluate(h->s, h->ctx, "snapshot", NULL, &nr))
		log_line(h->svc, "notifications after a snapshot: %s", lading_ctx_error(h->ctx)->msg);
	else
		ld_svc_background_wake(h->svc->bg);
	ld_buf b;
	ld_jw w;
	ld_buf_init(&b, 1 << 16);
	ld_jw_init(&w, &b, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "source", snap.source);
	ld_jw_ki64(&w, "seen", (int64_t)r.seen);
	ld_jw_ki64(&w, "added", (int64_t)r.added);
	ld_jw_ki64(&w, "updated", (int64_t)r.updated);
	ld_jw_ki64(&w, "gone", (int64_t)r.gone);
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
	ld_buf_addc(&b, '\n');
	lading_containers_free(cs);
	size_t len = 0;
	char *out = ld_buf_detach(&b, &len);
	return out ? ok_doc(h, MHD_HTTP_CREATED, "application/json", out, len) : MHD_NO;
}

/* ---- SBOM uploads: read, recorded and matched as `lading inventory add sbom:FILE` does ---- */

/* The findings of a stored image by severity (the store's answer to `inventory query --image`). */
static int image_summary(hctx *h, const char *digest, ld_jw *w)
{
	lading_inventory_query q = {LADING_QUERY_IMAGE, digest, NULL};
	size_t by[5] = {0}, kev = 0, total = 0;
	ld_json *doc = NULL;
	const ld_json *f;
	ld_arena a;
	char *out = NULL;
	size_t len = 0;
	int rc;
	if ((rc = lading_inventory_query_run(h->s, h->ctx, &q, LADING_FORMAT_JSON, &out, &len)))
		return rc;
	ld_arena_init(&a, 0);
	rc = ld_json_parse(&doc, &a, out, len, NULL, h->ctx, "query");
	free(out);
	f = ld_json_get(ld_json_at(ld_json_get(doc, "images"), 0), "findings");
	for (size_t i = 0; !rc && i < ld_json_len(f); i++) {
		const ld_json *x = ld_json_at(f, i);
		lading_severity sev = LADING_SEVERITY_UNKNOWN;
		lading_severity_parse(ld_json_str_or(ld_json_get(x, "severity"), "unknown"), &sev);
		by[sev]++;
		kev += ld_json_bool(ld_json_get(x, "kev"), false);
		total++;
	}
	ld_arena_release(&a);
	ld_jw_key(w, "findings");
	ld_jw_obj(w);
	ld_jw_ki64(w, "total", (int64_t)total);
	for (int sv = LADING_SEVERITY_CRITICAL; sv >= LADING_SEVERITY_UNKNOWN; sv--)
		ld_jw_ki64(w, lading_severity_name((lading_severity)sv), (int64_t)by[sv]);
	ld_jw_ki64(w, "kev", (int64_t)kev);
	ld_jw_obj_end(w);
	return rc;
}

static enum MHD_Result h_sboms_add(hctx *h)
{
	lading_inventory_options io = LADING_INVENTORY_OPTIONS_INIT;
	lading_inventory_added added;
	lading_sbom *sbom = NULL;
	const char *fmt;
	ld_buf b;
	ld_jw w;
	size_t len = 0;
	char *out;
	int rc;
	if ((rc = lading_sbom_read(&sbom, h->ctx, h->rq->body.ptr ? h->rq->body.ptr : "", h->rq->body.len,
				   "request body")))
		return fail(h, rc == LADING_EUNSUPPORTED || rc == LADING_EIO ? LADING_EINVALID : rc);
	io.db_path = h->svc->o.db_path;
	fmt = lading_sbom_document_format(sbom);
	rc = lading_inventory_record(h->s, h->ctx, sbom, NULL, &io, &added);
	if (rc) {
		lading_sbom_free(sbom);
		/* the SBOM was read: what is missing is the server's database (serve --db) */
		if (rc == LADING_ENOTFOUND)
			return reply_error(h->svc, h->c, h->method, h->url, h->rq, MHD_HTTP_SERVICE_UNAVAILABLE,
					   lading_ctx_error(h->ctx)->msg);
		return fail(h, rc);
	}
	ld_buf_init(&b, 1 << 16);
	ld_jw_init(&w, &b, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "id", added.digest);
	ld_jw_kstr(&w, "digest", added.digest);
	ld_jw_kbool(&w, "new", added.new_image != 0);
	ld_jw_kstr(&w, "format", fmt);
	ld_jw_ki64(&w, "packages", (int64_t)added.packages);
	lading_sbom_free(sbom); /* fmt lived in it */
	if ((rc = image_summary(h, added.digest, &w))) {
		ld_buf_release(&b);
		return fail(h, rc);
	}
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
	ld_buf_addc(&b, '\n');
	if (!(out = ld_buf_detach(&b, &len)))
		return MHD_NO;
	return ok_doc(h, added.new_image ? MHD_HTTP_CREATED : MHD_HTTP_OK, "application/json", out, len);
}

/* ---- admission: the same gate as scan --fail-on / --fail-on-kev, over the stored findings ---- */

typedef struct verdict {
	bool known, blocked;
} verdict;

/* The stored image through the library's gate: scan's --ignore-file/--vex suppressions (policy.c),
 * then --fail-on / --fail-on-kev. */
static int image_verdict(hctx *h, const char *image, ld_buf *msg, verdict *v)
{
	const lading_serve_options *o = &h->svc->o;
	lading_gate g;
	char *why = NULL;
	int rc;
	memset(v, 0, sizeof(*v));
	rc = lading_inventory_gate(h->s, h->ctx, image, &h->svc->policy, o->fail_on, o->fail_on_kev, ADMISSION_SHOWN,
				   &g, &why);
	if (rc == LADING_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	v->known = g.known != 0;
	v->blocked = g.blocked != 0;
	if (v->blocked)
		ld_buf_addf(msg, "%s%s: %s", msg->len ? "; " : "", image, why ? why : "");
	free(why);
	return 0;
}

/* An image not in the store: queue it and wait for its job until the deadline. */
static void scan_unknown(hctx *h, const char *image, double deadline)
{
	char ref[LD_SVC_REF_MAX + 16];
	int64_t id = 0;
	if (!h->svc->workers || !ld_svc_ref_ok(image))
		return;
	ld_snprintf(ref, sizeof(ref), "%s%s", strncmp(image, "registry:", 9) ? "registry:" : "", image);
	if (ld_svc_job_submit(h->s, h->ctx, "image", ref, LD_JOB_PRIO_SUBMITTED + 10, &id))
		return;
	ld_svc_workers_wake(h->svc->workers);
	while (mono_s() < deadline) {
		char *out = NULL;
		size_t len = 0;
		bool end = false;
		struct timespec ts = {0, 100 * 1000 * 1000};
		if (ld_svc_job_json(h->s, h->ctx, id, &out, &len) == 0)
			end = strstr(out, "\"state\":\"done\"") || strstr(out, "\"state\":\"failed\"");
		free(out);
		if (end)
			return;
		nanosleep(&ts, NULL);
	}
}

static enum MHD_Result admission_reply(hctx *h, const char *uid, bool allowed, const char *msg)
{
	ld_buf b;
	ld_jw w;
	size_t len = 0;
	ld_buf_init(&b, ADMISSION_MSG_MAX * 2);
	ld_jw_init(&w, &b, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "apiVersion", "admission.k8s.io/v1");
	ld_jw_kstr(&w, "kind", "AdmissionReview");
	ld_jw_key(&w, "response");
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "uid", uid);
	ld_jw_kbool(&w, "allowed", allowed);
	if (!allowed) {
		ld_jw_key(&w, "status");
		ld_jw_obj(&w);
		ld_jw_ki64(&w, "code", 403);
		ld_jw_kstr(&w, "message", msg);
		ld_jw_obj_end(&w);
	}
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
	ld_buf_addc(&b, '\n');
	char *out = ld_buf_detach(&b, &len);
	return out ? ok_doc(h, MHD_HTTP_OK, "application/json", out, len) : MHD_NO;
}

static enum MHD_Result h_admission(hctx *h)
{
	ld_svc_admission r;
	ld_arena a;
	ld_buf msg;
	unsigned tmo = ld_svc_timeout_parse(arg(h, "timeout"));
	double deadline = mono_s() + (tmo ? tmo : ADMISSION_TIMEOUT_S) - ADMISSION_MARGIN_MS / 1000.0;
	bool allowed = true;
	enum MHD_Result ret;
	int rc;
	ld_arena_init(&a, 0);
	ld_buf_init(&msg, ADMISSION_MSG_MAX);
	if ((rc = ld_svc_admission_parse(&r, &a, h->rq->body.ptr ? h->rq->body.ptr : "", h->rq->body.len, h->ctx))) {
		ld_arena_release(&a);
		ld_buf_release(&msg);
		return fail(h, rc == LADING_ELIMIT ? LADING_EINVALID : rc);
	}
	for (size_t i = 0; i < r.nimages; i++) {
		verdict v;
		if ((rc = image_verdict(h, r.images[i], &msg, &v)) == 0 && !v.known) {
			scan_unknown(h, r.images[i], deadline);
			rc = image_verdict(h, r.images[i], &msg, &v);
		}
		if (rc || !v.known) {
			if (!h->svc->o.admission_unknown_allow) {
				ld_buf_addf(&msg, "%s%s: not in the inventory (--admission-unknown deny)",
					    msg.len ? "; " : "", r.images[i]);
				allowed = false;
			}
			continue;
		}
		if (v.blocked)
			allowed = false;
	}
	if (!allowed)
		log_line(h->svc, "admission denied %s: %s", r.uid, ld_buf_cstr(&msg));
	ret = admission_reply(h, r.uid, allowed, ld_buf_error(&msg) ? "denied (message too long)" : ld_buf_cstr(&msg));
	ld_arena_release(&a);
	ld_buf_release(&msg);
	return ret;
}

static enum MHD_Result dispatch(hctx *h)
{
	switch ((ld_svc_route_id)ld_svc_routes(&(size_t){0})[h->rq->route].id) {
	case LD_R_DASHBOARD:
		return h_fleet(h, LADING_FORMAT_HTML);
	case LD_R_IMAGES_LIST:
		return h_list(h, "images");
	case LD_R_IMAGES_ADD:
		return h_images_add(h);
	case LD_R_JOB_GET:
		return h_job(h);
	case LD_R_CONTAINERS_LIST:
		return h_list(h, "containers");
	case LD_R_CONTAINERS_PUT:
		return h_containers_put(h);
	case LD_R_QUERY:
		return h_query(h);
	case LD_R_FLEET:
		return h_fleet(h, LADING_FORMAT_JSON);
	case LD_R_ADMISSION:
		return h_admission(h);
	case LD_R_SBOMS_ADD:
		return h_sboms_add(h);
	case LD_R_FAVICON:
		return ok_doc(h, MHD_HTTP_NO_CONTENT, "image/x-icon", NULL, 0);
	case LD_R_WEBHOOKS:
		return h_webhooks(h);
	case LD_R_DELIVERIES:
		return h_deliveries(h);
	default:
		return reply_error(h->svc, h->c, h->method, h->url, h->rq, MHD_HTTP_NOT_FOUND, "no such route");
	}
}

/* ---- client certificates (--tls-client-ca): the only use of GnuTLS beside libmicrohttpd's ---- */

/* A client certificate the CA verifies (chain, validity, a key purpose that allows TLS client
 * authentication): true, and its subject's common name in `cn`. */
static bool client_cert(struct MHD_Connection *c, char *cn, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t crt;
	gnutls_session_t ss;
	unsigned ncerts = 0, status = 0;
	size_t len = n;
	bool ok;
	if (!ci || !ci->tls_session)
		return false;
	ss = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_type_get(ss) != GNUTLS_CRT_X509 || !(certs = gnutls_certificate_get_peers(ss, &ncerts)) ||
	    !ncerts)
		return false;
	if (gnutls_certificate_verify_peers(ss, &purpose, 1, &status) != GNUTLS_E_SUCCESS || status)
		return false;
	ld_strlcpy(cn, "?", n);
	if (gnutls_x509_crt_init(&crt) != GNUTLS_E_SUCCESS)
		return true;
	ok = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS &&
	     gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) == GNUTLS_E_SUCCESS;
	if (!ok)
		ld_strlcpy(cn, "?", n);
	/* the name goes to the access log: printable ASCII only */
	for (char *p = cn; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	gnutls_x509_crt_deinit(crt);
	return true;
}

/* ---- the first call of a request: route, authorize, size the body ---- */

static const char *const query_token_names[] = {"token", "access_token", "api_key", "apikey", "bearer",
						"authorization"};

/* An authorized request: its body's cap by Content-Length now, while reading for chunked ones. */
static enum MHD_Result size_body(lading_service *svc, struct MHD_Connection *c, const char *method,
				 const char *url, request *rq, const ld_svc_route *route)
{
	const char *clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen) {
		uint64_t n;
		if (!ld_slice_to_u64(ld_slice_cstr(clen), UINT64_MAX, &n))
			return reply_error(svc, c, method, url, rq, MHD_HTTP_BAD_REQUEST, "bad Content-Length");
		if (n > route->body_max)
			return reply_error(svc, c, method, url, rq, MHD_HTTP_CONTENT_TOO_LARGE,
					   route->body_max ? "request body too large" : "this request takes no body");
	}
	ld_buf_init(&rq->body, route->body_max);
	return MHD_YES;
}

static enum MHD_Result admit(lading_service *svc, struct MHD_Connection *c, const char *method,
			     const char *url, request *rq)
{
	const ld_svc_route *routes;
	const char *auth;
	size_t nroutes;
	unsigned slot;
	lading_ctx *ctx = NULL;
	bool write_used = false;
	int rc;

	for (size_t i = 0; i < sizeof(query_token_names) / sizeof(query_token_names[0]); i++)
		if (MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, query_token_names[i]))
			return reply_error(svc, c, method, url, rq, MHD_HTTP_BAD_REQUEST,
					   "tokens go in the Authorization header (Bearer), never in the URL");
	if (strlen(url) > LD_SVC_URL_MAX)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_URI_TOO_LONG, "path too long");
	rq->route = ld_svc_route_find(method, ld_slice_cstr(url), &rq->param);
	if (rq->route == LD_SVC_ROUTE_NOTFOUND)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_NOT_FOUND, "no such path");
	if (rq->route == LD_SVC_ROUTE_METHOD)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed here");
	routes = ld_svc_routes(&nroutes);
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	ld_slice tok;
	/* no token: a verified client certificate may call admission (and nothing else) */
	if (!auth && svc->tls_ca && routes[rq->route].id == LD_R_ADMISSION) {
		char cn[96];
		if (client_cert(c, cn, sizeof(cn))) {
			rq->authorized = true;
			rq->tok.id = -1; /* one rate bucket for certificate clients */
			rq->tok.scope = LD_SCOPE_READ;
			ld_snprintf(rq->tok.name, sizeof(rq->tok.name), "cert:%s", cn);
			if (!rate_take(svc, rq->tok.id, &write_used))
				return reply_error(svc, c, method, url, rq, MHD_HTTP_TOO_MANY_REQUESTS,
						   "rate limit of certificate clients");
			return size_body(svc, c, method, url, rq, &routes[rq->route]);
		}
	}
	if (!auth || !ld_svc_bearer(ld_slice_cstr(auth), &tok))
		return reply_error(svc, c, method, url, rq, MHD_HTTP_UNAUTHORIZED,
				   "an API token is needed: Authorization: Bearer TOKEN (lading token create)");
	if (lading_ctx_new(&ctx))
		return MHD_NO;
	lading_store *s = pool_get(svc, &slot);
	rc = ld_svc_token_check(s, ctx, tok, &rq->tok);
	if (!rc && rate_take(svc, rq->tok.id, &write_used) && write_used) {
		char now[32];
		ld_store_now(now);
		ld_sv p[2] = {ld_sv_int(rq->tok.id), ld_sv_text(now)};
		ld_store_exec(s, LD_SQ_TOKEN_USED, p, 2, NULL, NULL, NULL);
	} else if (!rc && !write_used && !rate_take(svc, rq->tok.id, &write_used)) {
		rc = 1;
	}
	pool_put(svc, slot);
	if (rc && rc != 1)
		log_line(svc, "token check: %s", lading_ctx_error(ctx)->msg[0] ? lading_ctx_error(ctx)->msg : "unknown token");
	lading_ctx_free(ctx);
	if (rc == 1) {
		rq->authorized = true;
		return reply_error(svc, c, method, url, rq, MHD_HTTP_TOO_MANY_REQUESTS, "rate limit of this token");
	}
	if (rc)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_UNAUTHORIZED, "unknown or revoked token");
	rq->authorized = true;
	if (rq->tok.scope < routes[rq->route].scope)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_FORBIDDEN,
				   "this token's scope does not allow this request");
	return size_body(svc, c, method, url, rq, &routes[rq->route]);
}

/* ---- the total header deadline ---- */

static conn_slot *slot_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void slot_mark(lading_service *svc, struct MHD_Connection *c, bool in_request)
{
	conn_slot *sl = slot_of(c);
	if (!sl)
		return;
	pthread_mutex_lock(&svc->conn_mu);
	sl->in_request = in_request;
	sl->since = mono_s();
	pthread_mutex_unlock(&svc->conn_mu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	lading_service *svc = cls;
	conn_slot *sl = *socket_context;
	pthread_mutex_lock(&svc->conn_mu);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		for (size_t i = 0; ci && i < LD_ARRAY_LEN(svc->conns); i++) {
			if (svc->conns[i].used)
				continue;
			svc->conns[i] = (conn_slot){ci->connect_fd, mono_s(), true, false, false};
			*socket_context = &svc->conns[i];
			break;
		}
	} else if (sl) {
		/* before libmicrohttpd closes the socket: the deadline thread never touches it after */
		sl->used = false;
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&svc->conn_mu);
}

/* Cut connections whose request line and headers are not complete within HEADER_DEADLINE_S:
 * shutdown() makes libmicrohttpd see the end of the stream and close the connection itself. */
static void *deadline_main(void *arg)
{
	lading_service *svc = arg;
	struct timespec tick = {0, DEADLINE_TICK_MS * 1000L * 1000L};
	while (!svc->deadline_stop) {
		double now = mono_s();
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&svc->conn_mu);
		for (size_t i = 0; i < LD_ARRAY_LEN(svc->conns); i++) {
			conn_slot *sl = &svc->conns[i];
			if (!sl->used || sl->in_request || sl->cut || now - sl->since < HEADER_DEADLINE_S)
				continue;
			shutdown(sl->fd, SHUT_RDWR);
			sl->cut = true;
			log_line(svc, "connection cut: request headers not complete within %d s", HEADER_DEADLINE_S);
		}
		pthread_mutex_unlock(&svc->conn_mu);
	}
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
	lading_service *svc = cls;
	request *rq = *req_cls;
	const ld_svc_route *routes;
	size_t nroutes;
	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		rq->route = -1;
		*req_cls = rq;
		slot_mark(svc, c, true); /* the headers are complete */
		return admit(svc, c, method, url, rq);
	}
	if (*upload_size) {
		/* a chunked body over its cap is read and dropped, then answered 413 */
		if (!rq->discard && ld_buf_add(&rq->body, upload, *upload_size))
			rq->discard = true;
		*upload_size = 0;
		return MHD_YES;
	}
	routes = ld_svc_routes(&nroutes);
	if (rq->discard)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
	if (rq->body.len && !routes[rq->route].body_max)
		return reply_error(svc, c, method, url, rq, MHD_HTTP_CONTENT_TOO_LARGE, "this request takes no body");
	hctx h = {svc, c, method, url, rq, NULL, NULL};
	unsigned slot;
	enum MHD_Result ret;
	if (lading_ctx_new(&h.ctx))
		return MHD_NO;
	h.s = pool_get(svc, &slot);
	ret = dispatch(&h);
	pool_put(svc, slot);
	lading_ctx_free(h.ctx);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	request *rq = *req_cls;
	(void)toe;
	slot_mark(cls, c, false); /* the next request's headers: a new deadline */
	if (!rq)
		return;
	ld_buf_release(&rq->body);
	free(rq);
	*req_cls = NULL;
}

/* ---- start and stop ---- */

static int read_file(const char *path, char **out, lading_ctx *ctx)
{
	FILE *f = fopen(path, "rb");
	ld_buf b;
	char chunk[4096];
	size_t n;
	if (!f)
		return ld_error_set(ctx, LADING_EIO, "%s: %s", path, strerror(errno));
	ld_buf_init(&b, TLS_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ld_buf_add(&b, chunk, n);
	fclose(f);
	if (ld_buf_error(&b)) {
		ld_buf_release(&b);
		return ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %d bytes", path, TLS_FILE_MAX);
	}
	*out = ld_buf_detach(&b, &n);
	return *out ? 0 : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
}

static int open_pool(lading_service *svc, lading_ctx *ctx, unsigned n)
{
	int rc;
	for (unsigned i = 0; i < n && i < POOL_MAX; i++) {
		if ((rc = lading_store_open(&svc->pool[i].s, ctx, svc->o.store)))
			return rc;
		svc->npool++;
	}
	return 0;
}

static int start_daemon(lading_service *svc, lading_ctx *ctx, unsigned threads)
{
	struct sockaddr_storage ss;
	size_t sl;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY;
	char host[64] = "";
	if (!svc->o.listen || ld_net_parse_addr(svc->o.listen, &ss, &sl))
		return ld_error_set(ctx, LADING_EUSAGE,
				    "--listen: PORT, IPV4:PORT, [IPV6]:PORT or *:PORT, not '%s'",
				    svc->o.listen ? svc->o.listen : "");
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (svc->tls_cert)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_SOCK_ADDR, 0, &ss},
		{MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S, NULL},
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL},
		{MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT, NULL},
		{MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_IP_CONNECTIONS, NULL},
		{MHD_OPTION_LISTEN_BACKLOG_SIZE, LISTEN_BACKLOG, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, svc},
		{MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, svc},
		{svc->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, svc->tls_cert},
		{svc->tls_key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, svc->tls_key},
		/* the CA that client certificates are checked against (client_cert) */
		{svc->tls_ca && svc->tls_cert ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, svc->tls_ca},
		{MHD_OPTION_END, 0, NULL},
	};
	svc->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, svc, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!svc->d)
		return ld_error_set(ctx, LADING_EIO, "cannot listen on %s (in use? TLS files valid?)", svc->o.listen);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(svc->d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? di->port : 0;
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
		ld_snprintf(svc->addr, sizeof(svc->addr), "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		ld_snprintf(svc->addr, sizeof(svc->addr), "%s:%u", host, port);
	}
	return 0;
}

/* The ignore file and VEX documents are read at every admission (they may change while the
 * server runs); a bad one is refused at start, not at the first pod. */
static int check_policy(lading_service *svc, lading_ctx *ctx)
{
	return ld_inv_policy_check(&svc->policy, ctx);
}

int lading_service_start(lading_service **out, lading_ctx *ctx, const lading_serve_options *o)
{
	lading_service *svc;
	unsigned threads = o->threads ? o->threads : 2;
	unsigned workers;
	int rc;
	char url[LD_STORE_URL_MAX];

	ld_error_clear(ctx);
	*out = NULL;
	if (threads > POOL_MAX - 1)
		return ld_error_set(ctx, LADING_ELIMIT, "at most %d HTTP threads", POOL_MAX - 1);
	if (!!o->tls_cert != !!o->tls_key)
		return ld_error_set(ctx, LADING_EUSAGE, "--tls-cert and --tls-key go together");
	if (!o->store) {
		if ((rc = lading_store_default_url(url, sizeof(url))))
			return ld_error_set(ctx, rc, "no store given and no default store can be named");
	} else {
		ld_strlcpy(url, o->store, sizeof(url));
	}
	if (!(svc = calloc(1, sizeof(*svc))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	svc->o = *o;
	svc->store_url = ld_strdup(url);
	svc->o.store = svc->store_url;
	svc->rate_per_s = o->token_rate ? o->token_rate : TOKEN_RATE_PER_S;
	pthread_mutex_init(&svc->pool_mu, NULL);
	pthread_cond_init(&svc->pool_cv, NULL);
	pthread_mutex_init(&svc->rate_mu, NULL);
	pthread_mutex_init(&svc->conn_mu, NULL);
	svc->policy = (lading_scan_options)LADING_SCAN_OPTIONS_INIT;
	if (o->version >= 2) {
		svc->policy.ignore_file = o->ignore_file;
		svc->policy.vex_files = o->vex_files;
		svc->policy.vex_count = o->vex_count;
	} else {
		svc->o.ignore_file = NULL, svc->o.vex_files = NULL, svc->o.vex_count = 0, svc->o.tls_client_ca = NULL;
	}
	if (o->version < 3)
		svc->o.rescan_interval_s = 0, svc->o.max_rescans = 0;
	if (!svc->store_url) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto fail;
	}
	if (svc->o.tls_client_ca && !o->tls_cert) {
		rc = ld_error_set(ctx, LADING_EUSAGE, "--tls-client-ca needs --tls-cert and --tls-key");
		goto fail;
	}
	if ((o->tls_cert && (rc = read_file(o->tls_cert, &svc->tls_cert, ctx))) ||
	    (o->tls_key && (rc = read_file(o->tls_key, &svc->tls_key, ctx))) ||
	    (svc->o.tls_client_ca && (rc = read_file(svc->o.tls_client_ca, &svc->tls_ca, ctx))))
		goto fail;
	if ((rc = check_policy(svc, ctx)))
		goto fail;
	/* opening the first connection migrates the store, before any thread runs */
	if ((rc = open_pool(svc, ctx, threads + 1)))
		goto fail;
	workers = o->workers == (unsigned)-1 ? (strcmp(lading_store_backend(svc->pool[0].s), "sqlite") ? 0 : 2)
					     : o->workers;
	if (workers) {
		lading_worker_options wo = LADING_WORKER_OPTIONS_INIT;
		wo.store = svc->store_url;
		wo.db_path = o->db_path;
		wo.insecure_registries = o->insecure_registries;
		wo.insecure_count = o->insecure_count;
		wo.jobs = workers;
		wo.log = o->log;
		wo.log_opaque = o->log_opaque;
		wo.max_rescans = svc->o.max_rescans;
		if ((rc = ld_svc_workers_start(&svc->workers, ctx, &wo, &svc->stop)))
			goto fail;
	}
	/* webhook deliveries and scheduled rescans, whether or not this server runs jobs */
	ld_svc_bg_options bo = {svc->store_url, o->db_path, svc->o.rescan_interval_s, o->log, o->log_opaque};
	if ((rc = ld_svc_background_start(&svc->bg, ctx, &bo, &svc->stop)))
		goto fail;
	if ((rc = start_daemon(svc, ctx, threads)))
		goto fail;
	if (pthread_create(&svc->deadline_thread, NULL, deadline_main, svc)) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "cannot start a thread");
		goto fail;
	}
	svc->deadline_started = true;
	*out = svc;
	return 0;
fail:
	lading_service_stop(svc);
	return rc;
}

const char *lading_service_address(const lading_service *svc)
{
	return svc->addr;
}

void lading_service_stop(lading_service *svc)
{
	if (!svc)
		return;
	if (svc->deadline_started) {
		svc->deadline_stop = 1;
		pthread_join(svc->deadline_thread, NULL);
	}
	if (svc->d)
		MHD_stop_daemon(svc->d);
	svc->stop = 1;
	ld_svc_workers_wake(svc->workers);
	ld_svc_workers_join(svc->workers);
	ld_svc_background_join(svc->bg);
	for (unsigned i = 0; i < svc->npool; i++)
		lading_store_close(svc->pool[i].s);
	pthread_mutex_destroy(&svc->pool_mu);
	pthread_cond_destroy(&svc->pool_cv);
	pthread_mutex_destroy(&svc->rate_mu);
	pthread_mutex_destroy(&svc->conn_mu);
	free(svc->tls_ca);
	free(svc->tls_cert);
	free(svc->tls_key);
	free(svc->store_url);
	free(svc);
}

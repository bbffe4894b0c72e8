/* Webhooks (docs/service.md "Notifications"): their settings in the store, the delivery queue
 * (claimed with a lease, as jobs are: FOR UPDATE SKIP LOCKED on PostgreSQL, so any serve or worker
 * process sends a delivery, and only one does), the signed POST through util/http.c (libcurl: no
 * redirects, timeouts, a cap on the answer), retries with exponential backoff then parked as
 * failed, and the delivery log. */
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/http.h"
#include "util/jsonw.h"
#include "store/store.h"
#include "service/service.h"

/* Named limits */
#define URL_MAX 2048
#define SECRET_MAX 4096
#define CONNECT_TIMEOUT_MS 5000
#define READ_TIMEOUT_MS 10000
#define TOTAL_TIMEOUT_MS 15000	    /* one attempt; well inside LD_DELIVERY_LEASE_S */
#define ANSWER_MAX (64 * 1024)	    /* bytes of a receiver's answer read (the rest is an error) */
#define LIST_MAX (16 * 1024 * 1024) /* a listing document */
#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX 100000
#define ERROR_MAX 480 /* bytes of an attempt's error kept in the log */
#define WORKER_NAME_MAX 96

int64_t ld_notify_backoff(int64_t attempts)
{
	int64_t s = LD_DELIVERY_BACKOFF_BASE_S;
	for (int64_t k = 1; k < attempts && s < LD_DELIVERY_BACKOFF_MAX_S; k++)
		s *= 2;
	return s < LD_DELIVERY_BACKOFF_MAX_S ? s : LD_DELIVERY_BACKOFF_MAX_S;
}

static void time_in(char out[32], int64_t delta_s)
{
	time_t t = time(NULL) + (time_t)delta_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- settings ---- */

static bool url_ok(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	if (!n || n > URL_MAX || (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return false;
	return true;
}

typedef struct count_acc {
	size_t n;
} count_acc;

static int count_row(void *opaque, const ld_sv *c, size_t n)
{
	(void)c;
	(void)n;
	((count_acc *)opaque)->n++;
	return 0;
}

static int check_options(lading_ctx *ctx, const lading_webhook_options *o, unsigned *events)
{
	*events = LD_EV_ALL;
	if (!o || o->version != LADING_WEBHOOK_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE, "webhook: options of another version");
	if (!url_ok(o->url))
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"webhook: --url takes an http:// or https:// URL of at most %d bytes,"
			" without spaces",
			URL_MAX);
	if (!o->secret || !o->secret_len || o->secret_len > SECRET_MAX ||
	    memchr(o->secret, '\0', o->secret_len))
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"webhook: the secret must be 1 to %d bytes without NUL (--secret-file)",
			SECRET_MAX);
	if (o->events && ld_notify_events_parse(o->events, strlen(o->events), events))
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"webhook: --events takes finding.new, finding.resolved and kev.added,"
			" separated by commas");
	if (o->format && strcmp(o->format, "lading") && strcmp(o->format, "slack"))
		return ld_error_set(ctx, LADING_EUSAGE, "webhook: --format takes lading or slack");
	return 0;
}

int lading_webhook_add(lading_store *s, lading_ctx *ctx, const lading_webhook_options *o,
		       int64_t *id)
{
	char now[32], evs[64];
	unsigned events;
	count_acc before = {0};
	bool found = false;
	int rc;

	ld_error_clear(ctx);
	s->ctx = ctx;
	*id = 0;
	if ((rc = check_options(ctx, o, &events)) ||
	    (rc = ld_store_exec(s, LD_SQ_WEBHOOK_LIST, NULL, 0, count_row, &before, NULL)))
		return rc;
	ld_notify_events_format(events, evs, sizeof(evs));
	ld_store_now(now);
	ld_sv p[6] = {ld_sv_text(o->url),
		      ld_sv_textn(o->secret, o->secret_len),
		      ld_sv_text(evs),
		      ld_sv_int(o->all_images ? 1 : 0),
		      ld_sv_text(o->format ? o->format : "lading"),
		      ld_sv_text(now)};
	if ((rc = ld_store_exec_id(s, LD_SQ_WEBHOOK_INSERT, p, 6, id, &found)))
		return rc;
	if (!found)
		return ld_error_set(ctx, LADING_EDB, "store: the webhook was not recorded");
	/* the first webhook starts from the fleet as it is: it hears of changes, not of the past */
	return before.n ? 0 : ld_notify_baseline(s, ctx);
}

int lading_webhook_remove(lading_store *s, lading_ctx *ctx, int64_t id)
{
	char now[32];
	int64_t changes = 0;
	int rc;
	ld_error_clear(ctx);
	s->ctx = ctx;
	ld_store_now(now);
	ld_sv p[2] = {ld_sv_int(id), ld_sv_text(now)};
	if ((rc = ld_store_exec(s, LD_SQ_WEBHOOK_REMOVE, p, 2, NULL, NULL, &changes)))
		return rc;
	return changes ? 0 : ld_error_set(ctx, LADING_ENOTFOUND, "no webhook %" PRId64, id);
}

int lading_webhook_retry(lading_store *s, lading_ctx *ctx, int64_t delivery_id, size_t *requeued)
{
	char now[32];
	int64_t changes = 0;
	int rc;
	ld_error_clear(ctx);
	s->ctx = ctx;
	*requeued = 0;
	ld_store_now(now);
	ld_sv p[2] = {delivery_id ? ld_sv_int(delivery_id) : ld_sv_text(NULL), ld_sv_text(now)};
	if ((rc = ld_store_exec(s, LD_SQ_DELIVERY_REQUEUE, p, 2, NULL, NULL, &changes)))
		return rc;
	*requeued = (size_t)changes;
	if (delivery_id && !changes)
		return ld_error_set(ctx, LADING_ENOTFOUND,
				    "delivery %" PRId64 " is not parked (webhook deliveries shows"
				    " the failed ones)",
				    delivery_id);
	return 0;
}

typedef struct lister {
	ld_buf b;
	ld_jw w;
	bool json;
} lister;

static int hook_list_row(void *opaque, const ld_sv *c, size_t n)
{
	lister *l = opaque;
	if (n < 6)
		return 0;
	if (!l->json) {
		ld_buf_addf(&l->b, "%-5" PRId64 " %-7s %-5s %-21s %-45s %s\n", ld_sv_i64(&c[0]),
			    ld_sv_str(&c[4]), ld_sv_i64(&c[3]) ? "all" : "run", ld_sv_str(&c[5]),
			    ld_sv_str(&c[2]), ld_sv_str(&c[1]));
		return 0;
	}
	ld_jw_obj(&l->w);
	ld_jw_ki64(&l->w, "id", ld_sv_i64(&c[0]));
	ld_jw_kstr(&l->w, "url", ld_sv_str(&c[1]));
	ld_jw_kstr(&l->w, "events", ld_sv_str(&c[2]));
	ld_jw_kbool(&l->w, "all_images", ld_sv_i64(&c[3]) != 0);
	ld_jw_kstr(&l->w, "format", ld_sv_str(&c[4]));
	ld_jw_kstr(&l->w, "created", ld_sv_str(&c[5]));
	ld_jw_obj_end(&l->w);
	return 0;
}

static void text_col(ld_buf *b, const char *s, int width)
{
	ld_buf_addf(b, "%-*s ", width, s && *s ? s : "-");
}

static int delivery_row(void *opaque, const ld_sv *c, size_t n)
{
	lister *l = opaque;
	char st[16];
	if (n < 14)
		return 0;
	if (!l->json) {
		ld_snprintf(st, sizeof(st), "%" PRId64, ld_sv_i64(&c[8]));
		ld_buf_addf(&l->b, "%-6" PRId64 " %-4" PRId64 " ", ld_sv_i64(&c[0]),
			    ld_sv_i64(&c[1]));
		text_col(&l->b, ld_sv_str(&c[4]), 16);
		text_col(&l->b, ld_sv_str(&c[6]), 7);
		ld_buf_addf(&l->b, "%-3" PRId64 " ", ld_sv_i64(&c[7]));
		text_col(&l->b, c[8].t == LD_SV_NULL ? NULL : st, 6);
		text_col(&l->b, ld_sv_str(&c[11]), 20);
		text_col(&l->b, ld_sv_str(&c[3]), 36);
		ld_buf_addf(&l->b, "%s\n", ld_sv_str(&c[9]) ? ld_sv_str(&c[9]) : "");
		return 0;
	}
	ld_jw_obj(&l->w);
	ld_jw_ki64(&l->w, "id", ld_sv_i64(&c[0]));
	ld_jw_ki64(&l->w, "webhook", ld_sv_i64(&c[1]));
	ld_jw_kstr(&l->w, "url", ld_sv_str(&c[2]));
	ld_jw_kstr(&l->w, "event", ld_sv_str(&c[3]));
	ld_jw_kstr(&l->w, "type", ld_sv_str(&c[4]));
	ld_jw_kstr(&l->w, "image", ld_sv_str(&c[5]));
	ld_jw_kstr(&l->w, "state", ld_sv_str(&c[6]));
	ld_jw_ki64(&l->w, "attempts", ld_sv_i64(&c[7]));
	ld_jw_key(&l->w, "status");
	if (c[8].t == LD_SV_NULL)
		ld_jw_null(&l->w);
	else
		ld_jw_i64(&l->w, ld_sv_i64(&c[8]));
	ld_jw_kstr(&l->w, "error", ld_sv_str(&c[9]));
	ld_jw_kstr(&l->w, "created", ld_sv_str(&c[10]));
	ld_jw_kstr(&l->w, "updated", ld_sv_str(&c[11]));
	ld_jw_kstr(&l->w, "delivered", ld_sv_str(&c[12]));
	ld_jw_kstr(&l->w, "next_attempt",
		   !strcmp(ld_sv_str(&c[6]) ? ld_sv_str(&c[6]) : "", "queued") ? ld_sv_str(&c[13])
									       : NULL);
	ld_jw_obj_end(&l->w);
	return 0;
}

/* One listing document: {"KEY":[rows]} or a table under its header line. */
static int list_doc(lading_store *s, lading_ctx *ctx, ld_sq q, const ld_sv *p, size_t np,
		    ld_store_row_fn fn, const char *key, const char *header, lading_format fmt,
		    char **out, size_t *len)
{
	lister l;
	int rc;
	ld_error_clear(ctx);
	s->ctx = ctx;
	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.json = fmt == LADING_FORMAT_JSON;
	ld_buf_init(&l.b, LIST_MAX);
	ld_jw_init(&l.w, &l.b, true);
	if (l.json) {
		ld_jw_obj(&l.w);
		ld_jw_key(&l.w, key);
		ld_jw_arr(&l.w);
	} else {
		ld_buf_adds(&l.b, header);
	}
	if ((rc = ld_store_exec(s, q, p, np, fn, &l, NULL))) {
		ld_buf_release(&l.b);
		return rc;
	}
	if (l.json) {
		ld_jw_arr_end(&l.w);
		ld_jw_obj_end(&l.w);
		ld_jw_finish(&l.w);
	}
	if (ld_buf_error(&l.b)) {
		ld_buf_release(&l.b);
		return ld_error_set(ctx, LADING_ELIMIT, "%s: the listing is over %d bytes", key,
				    LIST_MAX);
	}
	*out = ld_buf_detach(&l.b, len);
	return *out ? 0 : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
}

int lading_webhook_list(lading_store *s, lading_ctx *ctx, lading_format fmt, char **out,
			size_t *len)
{
	return list_doc(s, ctx, LD_SQ_WEBHOOK_LIST, NULL, 0, hook_list_row, "webhooks",
			"ID    FORMAT  SCOPE CREATED               EVENTS                          "
			"              URL\n",
			fmt, out, len);
}

int lading_webhook_deliveries(lading_store *s, lading_ctx *ctx, int64_t webhook_id, size_t limit,
			      lading_format fmt, char **out, size_t *len)
{
	if (!limit)
		limit = LIST_LIMIT_DEFAULT;
	if (limit > LIST_LIMIT_MAX)
		limit = LIST_LIMIT_MAX;
	ld_sv p[2] = {webhook_id ? ld_sv_int(webhook_id) : ld_sv_text(NULL),
		      ld_sv_int((int64_t)limit)};
	return list_doc(s, ctx, LD_SQ_DELIVERY_LIST, p, 2, delivery_row, "deliveries",
			"ID     HOOK TYPE             STATE   TRY STATUS UPDATED              EVENT"
			"                                ERROR\n",
			fmt, out, len);
}

/* ---- sending ---- */

typedef struct claimed_d {
	int64_t id, attempts;
	bool found;
} claimed_d;

static int claim_d_row(void *opaque, const ld_sv *c, size_t n)
{
	claimed_d *d = opaque;
	if (n < 2)
		return 0;
	d->id = ld_sv_i64(&c[0]);
	d->attempts = ld_sv_i64(&c[1]);
	d->found = true;
	return 1;
}

typedef struct loaded_d {
	char *url, *secret, *format, *uid, *type, *body, *slack;
	size_t secret_len, body_len, slack_len;
	bool found;
} loaded_d;

static int load_d_row(void *opaque, const ld_sv *c, size_t n)
{
	loaded_d *d = opaque;
	if (n < 8)
		return 0;
	d->url = ld_strdup(ld_sv_str(&c[0]) ? ld_sv_str(&c[0]) : "");
	d->secret = ld_strndup(c[1].s ? c[1].s : "", c[1].s ? c[1].n : 0);
	d->secret_len = c[1].s ? c[1].n : 0;
	d->format = ld_strdup(ld_sv_str(&c[2]) ? ld_sv_str(&c[2]) : "lading");
	d->uid = ld_strdup(ld_sv_str(&c[3]) ? ld_sv_str(&c[3]) : "");
	d->type = ld_strdup(ld_sv_str(&c[4]) ? ld_sv_str(&c[4]) : "");
	d->body = ld_strndup(c[6].s ? c[6].s : "", c[6].s ? c[6].n : 0);
	d->body_len = c[6].s ? c[6].n : 0;
	if (c[7].t != LD_SV_NULL && c[7].s) {
		d->slack = ld_strndup(c[7].s, c[7].n);
		d->slack_len = c[7].n;
	}
	d->found = d->url && d->secret && d->format && d->uid && d->type && d->body;
	return 1;
}

static void loaded_release(loaded_d *d)
{
	free(d->url);
	free(d->secret);
	free(d->format);
	free(d->uid);
	free(d->type);
	free(d->body);
	free(d->slack);
	memset(d, 0, sizeof(*d));
}

/* One signed POST; *status the answer's (0: none), err what went wrong. */
static int post(ld_http *h, const loaded_d *d, int64_t delivery, int64_t attempt, long *status,
		char *err, size_t errsz)
{
	char sig[LD_NOTIFY_SIG_LEN], hdr[6][160];
	const char *headers[8];
	bool slack = !strcmp(d->format, "slack") && d->slack;
	const char *body = slack ? d->slack : d->body;
	size_t blen = slack ? d->slack_len : d->body_len;
	ld_http_request req;
	ld_http_response resp;
	ld_buf answer;
	lading_ctx *ctx = NULL;
	int rc;

	ld_notify_sign(d->secret, d->secret_len, body, blen, sig);
	ld_snprintf(hdr[0], sizeof(hdr[0]), "X-Lading-Signature: %s", sig);
	ld_snprintf(hdr[1], sizeof(hdr[1]), "X-Lading-Event: %s", d->type);
	ld_snprintf(hdr[2], sizeof(hdr[2]), "X-Lading-Event-Id: %s", d->uid);
	ld_snprintf(hdr[3], sizeof(hdr[3]), "X-Lading-Timestamp: %lld", (long long)time(NULL));
	ld_snprintf(hdr[4], sizeof(hdr[4]), "X-Lading-Delivery: %" PRId64, delivery);
	ld_snprintf(hdr[5], sizeof(hdr[5]), "X-Lading-Attempt: %" PRId64, attempt);
	for (int i = 0; i < 6; i++)
		headers[i] = hdr[i];
	headers[6] = "Content-Type: application/json";
	headers[7] = "Expect:"; /* no 100-continue round trip */
	memset(&req, 0, sizeof(req));
	req.url = d->url;
	req.headers = headers;
	req.nheaders = 8;
	req.post = body;
	req.post_len = blen;
	req.no_redirect = true;
	req.no_retry = true;
	req.identity = true;
	req.max_bytes = ANSWER_MAX;
	ld_buf_init(&answer, ANSWER_MAX + 1);
	req.body = &answer;
	*status = 0;
	if (lading_ctx_new(&ctx)) {
		ld_buf_release(&answer);
		ld_strlcpy(err, "out of memory", errsz);
		return LADING_ENOMEM;
	}
	rc = ld_http_get(h, &req, &resp, ctx);
	*status = resp.status;
	if (rc)
		ld_strlcpy(err,
			   lading_ctx_error(ctx)->msg[0] ? lading_ctx_error(ctx)->msg
							 : lading_strerror(rc),
			   errsz);
	lading_ctx_free(ctx);
	ld_buf_release(&answer);
	return rc;
}

static int finish_d(lading_store *s, const char *worker, const claimed_d *c, int rc, long status,
		    const char *err)
{
	char now[32], nb[32];
	const char *state = "done";
	time_in(now, 0);
	time_in(nb, 0);
	if (rc) {
		state = c->attempts >= LD_DELIVERY_MAX_ATTEMPTS ? "failed" : "queued";
		time_in(nb, ld_notify_backoff(c->attempts));
	}
	ld_sv p[8] = {ld_sv_int(c->id),
		      ld_sv_text(worker),
		      ld_sv_text(state),
		      status ? ld_sv_int(status) : ld_sv_text(NULL),
		      rc ? ld_sv_text(err) : ld_sv_text(NULL),
		      ld_sv_text(nb),
		      ld_sv_text(now),
		      rc ? ld_sv_text(NULL) : ld_sv_text(now)};
	return ld_store_exec(s, LD_SQ_DELIVERY_FINISH, p, 8, NULL, NULL, NULL);
}

/* Claim one due delivery and send it: *any false when none was due; *ok whether it was
 * delivered. A store error is returned; a failed attempt is not an error (it is logged). */
static int deliver_one(lading_store *s, lading_ctx *ctx, ld_http *h, const char *worker, bool *any,
		       bool *ok, char *line, size_t linesz)
{
	char now[32], lease[32], err[ERROR_MAX] = "";
	claimed_d c = {0, 0, false};
	loaded_d d;
	long status = 0;
	int rc, sent;

	*any = *ok = false;
	s->ctx = ctx;
	memset(&d, 0, sizeof(d));
	time_in(now, 0);
	time_in(lease, LD_DELIVERY_LEASE_S);
	ld_sv p[3] = {ld_sv_text(now), ld_sv_text(lease), ld_sv_text(worker)};
	if ((rc = ld_store_exec(s, LD_SQ_DELIVERY_CLAIM, p, 3, claim_d_row, &c, NULL)) || !c.found)
		return rc;
	*any = true;
	ld_sv q[1] = {ld_sv_int(c.id)};
	if ((rc = ld_store_exec(s, LD_SQ_DELIVERY_LOAD, q, 1, load_d_row, &d, NULL)))
		goto out;
	if (!d.found) {
		sent = LADING_ENOMEM;
		ld_strlcpy(err, "the delivery could not be loaded", sizeof(err));
	} else {
		sent = post(h, &d, c.id, c.attempts, &status, err, sizeof(err));
	}
	*ok = sent == 0;
	rc = finish_d(s, worker, &c, sent, status, err);
	ld_snprintf(line, linesz, "delivery %" PRId64 " (%s %s) attempt %" PRId64 ": %s%s%s", c.id,
		    d.type ? d.type : "?", d.uid ? d.uid : "?", c.attempts,
		    sent ? "failed" : "delivered", sent ? ": " : "", sent ? err : "");
out:
	loaded_release(&d);
	return rc;
}

static int http_for_delivery(ld_http **h, lading_ctx *ctx)
{
	ld_http_options ho;
	memset(&ho, 0, sizeof(ho));
	ho.connect_timeout_ms = CONNECT_TIMEOUT_MS;
	ho.read_timeout_ms = READ_TIMEOUT_MS;
	ho.total_timeout_ms = TOTAL_TIMEOUT_MS;
	return ld_http_new(h, &ho, ctx);
}

int ld_svc_deliver_due(lading_store *s, lading_ctx *ctx, volatile sig_atomic_t *stop,
		       lading_log_fn log, void *log_opaque, size_t *sent, size_t *failed)
{
	char worker[WORKER_NAME_MAX], host[64] = "host", line[1024];
	ld_http *h = NULL;
	bool any = true, ok;
	int rc;

	ld_error_clear(ctx);
	*sent = *failed = 0;
	gethostname(host, sizeof(host) - 1);
	ld_snprintf(worker, sizeof(worker), "%s:%ld:deliver", host, (long)getpid());
	if ((rc = http_for_delivery(&h, ctx)))
		return rc;
	while ((!stop || !*stop) && any &&
	       !(rc = deliver_one(s, ctx, h, worker, &any, &ok, line, sizeof(line)))) {
		if (!any)
			break;
		ok ? (*sent)++ : (*failed)++;
		if (log)
			log(log_opaque, line);
	}
	ld_http_free(h);
	return rc;
}

int lading_webhook_deliver(lading_store *s, lading_ctx *ctx, size_t *sent, size_t *failed)
{
	return ld_svc_deliver_due(s, ctx, NULL, NULL, NULL, sent, failed);
}

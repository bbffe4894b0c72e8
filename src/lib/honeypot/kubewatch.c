/* Kubernetes watch streams (GET of a list with watch=1 or watch=true): a chunked response of
 * JSON event lines, held open as a real API server holds it. Without a resourceVersion (or
 * with "0") the stream starts with an ADDED event for every object a list would show; with
 * one (kubectl get -w, informers after their list) it starts empty. While it is open, the
 * objects the same source creates on other connections arrive as ADDED events, so an attacker
 * watching in one terminal sees what it started in another. It ends at timeoutSeconds, or at
 * WATCH_MAX_S, or earlier when the connection's idle or session limits close it. */
#include <time.h>

#include "util/common.h"
#include "honeypot/hp.h"
#include "honeypot/kube.h"

#define WATCH_MAX_S	 300		/* longest watch we hold open */
#define WATCH_EVENTS_MAX (512 * 1024)	/* bytes of events written in one go */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void chunk(ld_hp_conn *c, const ld_buf *b)
{
	if (!b->len || ld_buf_error(b))
		return;
	ld_hp_outf(c, "%zx\r\n", b->len);
	ld_hp_out(c, b->ptr, b->len);
	ld_hp_outs(c, "\r\n");
}

static unsigned timeout_s(const ld_http_req *r)
{
	char v[16];
	unsigned long t;
	char *end;
	if (!ld_http_query_get(r->query, "timeoutSeconds", v, sizeof(v)))
		return WATCH_MAX_S;
	t = strtoul(v, &end, 10);
	if (*end || !t || t > WATCH_MAX_S)
		return WATCH_MAX_S;
	return (unsigned)t;
}

/* The source's objects a watch from list version rv must still send: those after the list's
 * sequence number; an unknown version sends only what comes next. */
static uint32_t after_rv(const char *rv, uint32_t seq)
{
	char *end;
	unsigned long long v = strtoull(rv, &end, 10);
	if (*end || v < LD_HP_KUBE_RV_BASE || v - LD_HP_KUBE_RV_BASE > seq)
		return seq;
	return (uint32_t)(v - LD_HP_KUBE_RV_BASE);
}

void ld_hp_kube_watch_start(ld_hp_conn *c, const ld_http_req *r, const ld_kube_res *res,
			    const char *ns, const char *name, bool table)
{
	ld_hp_kube_state *k = &c->st.kube;
	const ld_hp_src_state *st = ld_hp_source_state(c, false);
	uint32_t seq = st ? st->seq : 0;
	char rv[32] = "";
	bool from_start = !ld_http_query_get(r->query, "resourceVersion", rv, sizeof(rv)) ||
			  !rv[0] || !strcmp(rv, "0");
	uint32_t after = from_start ? 0 : after_rv(rv, seq);
	ld_buf b;
	memset(k, 0, sizeof(*k));
	k->watch = true;
	k->watch_table = table;
	k->watch_res = res;
	k->watch_until = now_ms() + 1000 * (uint64_t)timeout_s(r);
	ld_strlcpy(k->pod, ns ? ns : "", sizeof(k->pod));
	ld_strlcpy(k->line, name ? name : "", sizeof(k->line));
	ld_hp_outs(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		      "Cache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\n\r\n");
	ld_buf_init(&b, WATCH_EVENTS_MAX);
	ld_hp_kube_watch_events(&b, res, ns, name, table, st, from_start, after);
	chunk(c, &b);
	ld_buf_release(&b);
	k->watch_seq = seq;
}

void ld_hp_kube_on_tick(ld_hp_conn *c)
{
	ld_hp_kube_state *k = &c->st.kube;
	const ld_hp_src_state *st;
	if (!k->watch)
		return;
	st = ld_hp_source_state(c, false);
	if (st && st->seq != k->watch_seq) {
		ld_buf b;
		ld_buf_init(&b, WATCH_EVENTS_MAX);
		ld_hp_kube_watch_events(&b, k->watch_res, k->pod[0] ? k->pod : NULL,
					k->line[0] ? k->line : NULL, k->watch_table, st, false,
					k->watch_seq);
		chunk(c, &b);
		ld_buf_release(&b);
		k->watch_seq = st->seq;
	}
	if (now_ms() >= k->watch_until) {
		ld_hp_outs(c, "0\r\n\r\n");
		k->watch = false;
	}
}

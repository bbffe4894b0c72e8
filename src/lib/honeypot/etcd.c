/* etcd emulation (3.4 on 2379 without client authentication): the v2 keys API and the v3 JSON
 * gateway (/v3/kv/range, /v3/kv/put, /v3/kv/deleterange; also under /v3beta and /v3alpha).
 * Reads find an almost empty store, writes succeed without storing; keys and values (base64 in
 * v3) are decoded and recorded, values as payloads. A connection that starts with the HTTP/2
 * preface is etcdctl's gRPC (etcdgrpc.c). */
#include "util/common.h"
#include "util/json.h"
#include "honeypot/hp.h"

#define BODY_JSON_DEPTH 16
#define KEY_MAX		1024 /* decoded key bytes recorded */

static const char header_json[] = "\"header\":{\"cluster_id\":\"14841639068965178418\",\"member_"
				  "id\":\"10276657743932975437\","
				  "\"revision\":\"31\",\"raft_term\":\"4\"}";

/* The request's body as JSON (NULL when absent or not JSON: recorded as raw body anyway). */
static const ld_json *body_json(ld_arena *a, const ld_http_req *r)
{
	return ld_hp_json_body(a, r->body, BODY_JSON_DEPTH);
}

static void b64_field(ld_hp_conn *c, const char *key, const ld_json *v, bool payload)
{
	char buf[LD_HTTP_MAX_BODY];
	size_t n;
	if (!ld_json_is(v, LD_JSON_STRING))
		return;
	n = ld_hp_base64_decode(ld_json_slice(v), buf, sizeof(buf));
	ld_hp_kstr(c, key, buf, LD_MIN(n, payload ? n : (size_t)KEY_MAX));
	if (payload)
		ld_hp_event_payload(c, buf, n);
}

static void v3(ld_hp_conn *c, const ld_http_req *r, ld_slice op)
{
	ld_arena a;
	const ld_json *v;
	const char *eventid = ld_slice_eq_cstr(op, "range")	    ? "etcd.kv.range"
			      : ld_slice_eq_cstr(op, "put")	    ? "etcd.kv.put"
			      : ld_slice_eq_cstr(op, "deleterange") ? "etcd.kv.delete"
								    : "etcd.request";
	char reply[512];
	ld_arena_init(&a, LD_HP_BODY_JSON_ARENA);
	v = body_json(&a, r);
	ld_hp_http_event(c, eventid, r);
	b64_field(c, "key", ld_json_get(v, "key"), false);
	b64_field(c, "range_end", ld_json_get(v, "range_end"), false);
	if (ld_slice_eq_cstr(op, "put"))
		b64_field(c, "value", ld_json_get(v, "value"), true);
	ld_hp_event_end(c);
	ld_arena_release(&a);
	if (ld_slice_eq_cstr(op, "range"))
		ld_snprintf(reply, sizeof(reply), "{%s,\"count\":\"0\"}", header_json);
	else if (ld_slice_eq_cstr(op, "deleterange"))
		ld_snprintf(reply, sizeof(reply), "{%s,\"deleted\":\"0\"}", header_json);
	else
		ld_snprintf(reply, sizeof(reply), "{%s}", header_json);
	ld_hp_http_json(c, r, 200, reply);
}

static void v2_keys(ld_hp_conn *c, const ld_http_req *r, ld_slice key)
{
	bool get = ld_slice_eq_cstr(r->method, "GET") || ld_slice_eq_cstr(r->method, "HEAD");
	bool del = ld_slice_eq_cstr(r->method, "DELETE");
	char value[LD_HTTP_MAX_BODY];
	bool have = ld_http_query_get(r->body, "value", value, sizeof(value)) ||
		    ld_http_query_get(r->query, "value", value, sizeof(value));
	ld_buf b;
	char keybuf[KEY_MAX];
	ld_hp_http_event(c, get ? "etcd.v2.get" : del ? "etcd.v2.delete" : "etcd.v2.set", r);
	ld_http_unescape(key, false, keybuf, sizeof(keybuf));
	ld_hp_kstr(c, "key", keybuf, strlen(keybuf));
	if (have && !get) {
		ld_hp_kstr(c, "value", value, strlen(value));
		ld_hp_event_payload(c, value, strlen(value));
	}
	ld_hp_event_end(c);

	ld_buf_init(&b, 4 * sizeof(value) + 1024);
	if (get && (!strcmp(keybuf, "/") || !keybuf[0])) {
		ld_buf_adds(
			&b,
			"{\"action\":\"get\",\"node\":{\"dir\":true,\"nodes\":[{\"key\":\"/"
			"registry\",\"dir\":true,"
			"\"modifiedIndex\":4,\"createdIndex\":4},{\"key\":\"/config\",\"dir\":true,"
			"\"modifiedIndex\":7,\"createdIndex\":7}]}}");
	} else if (get) {
		ld_buf_adds(&b, "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"");
		ld_hp_json_inner(&b, keybuf);
		ld_buf_adds(&b, "\",\"index\":31}");
	} else {
		ld_buf_addf(&b, "{\"action\":\"%s\",\"node\":{\"key\":\"", del ? "delete" : "set");
		ld_hp_json_inner(&b, keybuf);
		ld_buf_adds(&b, "\"");
		if (have && !del) {
			ld_buf_adds(&b, ",\"value\":\"");
			ld_hp_json_inner(&b, value);
			ld_buf_adds(&b, "\"");
		}
		ld_buf_adds(&b, ",\"modifiedIndex\":32,\"createdIndex\":32}}");
	}
	if (!ld_buf_error(&b))
		ld_hp_http_reply(c, r,
				 get && keybuf[0] && strcmp(keybuf, "/") ? 404
				 : del || get				 ? 200
									 : 201,
				 "application/json",
				 "X-Etcd-Cluster-Id: cdf818194e3a8c32\r\nX-Etcd-Index: 31\r\n",
				 b.ptr, b.len);
	else
		ld_hp_http_json(c, r, 500, "{}");
	ld_buf_release(&b);
}

static void route(ld_hp_conn *c, const ld_http_req *r)
{
	ld_slice seg[4];
	size_t n = ld_hp_http_segments(r->path, seg, LD_ARRAY_LEN(seg));
	if (n == 1 && ld_slice_eq_cstr(seg[0], "version")) {
		ld_hp_http_event(c, "etcd.version", r);
		ld_hp_event_end(c);
		ld_hp_http_json(c, r, 200, "{\"etcdserver\":\"3.4.13\",\"etcdcluster\":\"3.4.0\"}");
	} else if (n == 1 && ld_slice_eq_cstr(seg[0], "health")) {
		ld_hp_http_event(c, "etcd.request", r);
		ld_hp_event_end(c);
		ld_hp_http_json(c, r, 200, "{\"health\":\"true\"}");
	} else if (n >= 2 && ld_slice_eq_cstr(seg[0], "v2") && ld_slice_eq_cstr(seg[1], "keys")) {
		/* the key is everything after /v2/keys */
		ld_slice key = ld_slice_sub(
			r->path, (size_t)(seg[1].ptr + seg[1].len - r->path.ptr), SIZE_MAX);
		v2_keys(c, r, key.len ? key : LD_SLICE_LIT("/"));
	} else if (n == 3 && ld_slice_starts_with(seg[0], "v3") && ld_slice_eq_cstr(seg[1], "kv") &&
		   ld_slice_eq_cstr(r->method, "POST")) {
		v3(c, r, seg[2]);
	} else {
		ld_hp_http_event(c, "etcd.request", r);
		ld_hp_event_end(c);
		ld_hp_http_reply(c, r, 404, "text/plain; charset=utf-8", NULL,
				 "404 page not found\n", 19);
	}
}

size_t ld_hp_etcd_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	ld_hp_etcd_state *e = &c->st.etcd;
	if (!e->proto) {
		int h2 = ld_hp_etcd_h2_detect(p, n);
		if (h2 < 0)
			return 0;
		e->proto = h2 ? 2 : 1;
	}
	if (e->proto == 2)
		return ld_hp_etcd_h2_data(c, p, n);
	return ld_hp_http_on_data(c, p, n, route);
}

/* etcd v3 over gRPC (what etcdctl 3.4 speaks): HTTP/2 with prior knowledge on the etcd port,
 * framed by libnghttp2 (this file is its only user). The calls are a table of methods
 * (etcdkv.c, etcdlease.c, and Watch here); unary calls are answered when the request stream
 * ends, the two bidirectional ones (Watch, LeaseKeepAlive) message by message while the
 * stream stays open. A watch sends a created response, then an event for every put or delete
 * the same source makes on any connection (the loop's tick looks for them). Protobuf is
 * decoded by hand (pb.c). Bounds: 32 concurrent streams, one gRPC message of LD_GRPC_MAX_MSG,
 * 64 KiB of header list, REPLY_MAX of pending output per stream, 8 watches per stream. */
#include <nghttp2/nghttp2.h>

#include "util/common.h"
#include "honeypot/etcdv3.h"

#define MAX_STREAMS	  32
#define MAX_HEADER_LIST	  (64 * 1024)
#define STREAMS_PER_CONN  4096 /* calls on one connection; then GOAWAY */
#define REPLY_MAX	  (256 * 1024)
#define WATCHES_MAX	  8    /* watches created on one Watch stream */

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

typedef struct watch {
	int64_t id;
	char key[LD_ETCD_KEY_MAX], end[LD_ETCD_KEY_MAX];
	size_t keylen, endlen;
	uint32_t seq; /* the source's keys changed up to this were sent */
} watch;

typedef struct stream {
	struct stream *prev, *next; /* the connection's open streams (freed with it) */
	char path[128];
	ld_buf in, out;
	size_t outoff;
	int grpc_status;
	const char *grpc_message;
	bool bidi, replying, ended; /* a streaming call; its response begun; its input done */
	int32_t id;
	watch watches[WATCHES_MAX];
	size_t nwatches;
} stream;

typedef struct h2 {
	nghttp2_session *s;
	unsigned streams;
	stream *open;
	bool closing; /* session_del runs: the list frees the streams */
} h2;

typedef int (*method_fn)(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			 const char **why);

static int status(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why);
static int authenticate(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			const char **why);
static int watch_msg(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
		     const char **why);

/* The methods served; `bidi` ones answer each message of an open stream. */
static const struct {
	const char *path;
	method_fn fn;
	bool bidi;
} methods[] = {
	{"/etcdserverpb.KV/Range", ld_etcd_kv_range, false},
	{"/etcdserverpb.KV/Put", ld_etcd_kv_put, false},
	{"/etcdserverpb.KV/DeleteRange", ld_etcd_kv_delete, false},
	{"/etcdserverpb.KV/Txn", ld_etcd_kv_txn, false},
	{"/etcdserverpb.Lease/LeaseGrant", ld_etcd_lease_grant, false},
	{"/etcdserverpb.Lease/LeaseRevoke", ld_etcd_lease_revoke, false},
	{"/etcdserverpb.Lease/LeaseTimeToLive", ld_etcd_lease_ttl, false},
	{"/etcdserverpb.Lease/LeaseLeases", ld_etcd_lease_leases, false},
	{"/etcdserverpb.Lease/LeaseKeepAlive", ld_etcd_lease_keepalive, true},
	{"/etcdserverpb.Watch/Watch", watch_msg, true},
	{"/etcdserverpb.Auth/Authenticate", authenticate, false},
	{"/etcdserverpb.Maintenance/Status", status, false},
};

static int method(const char *path)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(methods); i++)
		if (!strcmp(methods[i].path, path))
			return (int)i;
	return -1;
}

static int authenticate(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			const char **why)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b, name = LD_SLICE_NULL, pass = LD_SLICE_NULL;
	char token[33];
	(void)why;
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (f == 1 && w == 2)
			name = b;
		else if (f == 2 && w == 2)
			pass = b;
	}
	ld_hp_event_begin(c, "etcd.login");
	ld_hp_kstr(c, "grpc", grpc, strlen(grpc));
	ld_hp_kslice(c, "username", name);
	ld_hp_kslice(c, "password", pass);
	ld_hp_event_end(c);
	ld_hp_hex_id(token, 16);
	ld_etcd_pb_header(out);
	ld_etcd_pb_bytes(out, 2, token, 32);
	return 0;
}

static int status(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why)
{
	(void)m;
	(void)why;
	ld_hp_event_begin(c, "etcd.version");
	ld_hp_kstr(c, "grpc", grpc, strlen(grpc));
	ld_hp_event_end(c);
	ld_etcd_pb_header(out);
	ld_etcd_pb_bytes(out, 2, "3.4.13", 6);
	ld_etcd_pb_uint(out, 3, 2433024);
	ld_etcd_pb_uint(out, 4, 10276657743932975437ull);
	ld_etcd_pb_uint(out, 5, 48213);
	ld_etcd_pb_uint(out, 6, 4);
	return 0;
}

/* ---- Watch ---- */

static stream *current; /* the stream whose message watch_msg handles (one loop thread) */

static void watch_response(ld_buf *out, int64_t id, bool created, bool canceled)
{
	ld_etcd_pb_header(out);
	if (id)
		ld_etcd_pb_uint(out, 2, (uint64_t)id);
	if (created)
		ld_etcd_pb_uint(out, 3, 1);
	if (canceled)
		ld_etcd_pb_uint(out, 4, 1);
}

static void watch_create(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out)
{
	const ld_hp_src_state *ss = ld_hp_source_state(c, false);
	stream *st = current;
	ld_slice key = LD_SLICE_NULL, end = LD_SLICE_NULL, b;
	uint32_t f;
	int w;
	uint64_t v, want_id = 0;
	watch *wt;
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (f == 1 && w == 2)
			key = b;
		else if (f == 2 && w == 2)
			end = b;
		else if (f == 7 && w == 0)
			want_id = v;
	}
	ld_hp_event_begin(c, "etcd.watch");
	ld_hp_kstr(c, "grpc", grpc, strlen(grpc));
	ld_hp_kslice(c, "key", key);
	if (end.len)
		ld_hp_kslice(c, "range_end", end);
	ld_hp_event_end(c);
	if (st->nwatches == WATCHES_MAX || key.len > LD_ETCD_KEY_MAX ||
	    end.len > LD_ETCD_KEY_MAX) {
		watch_response(out, -1, true, true); /* created and canceled at once */
		return;
	}
	wt = &st->watches[st->nwatches++];
	memset(wt, 0, sizeof(*wt));
	wt->id = want_id ? (int64_t)want_id : (int64_t)st->nwatches - 1;
	if ((wt->keylen = key.len))
		memcpy(wt->key, key.ptr, key.len);
	if ((wt->endlen = end.len))
		memcpy(wt->end, end.ptr, end.len);
	wt->seq = ss ? ss->seq : 0;
	watch_response(out, wt->id, true, false);
}

static int watch_msg(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
		     const char **why)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	(void)why;
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (f == 1 && w == 2) {
			watch_create(c, grpc, b, out);
		} else if (f == 2 && w == 2) {
			/* cancel: the watch stops; its id is echoed */
			uint64_t id = 0;
			uint32_t g;
			int gw;
			ld_slice x;
			while (ld_pb_next(&b, &g, &gw, &id, &x) == LD_HP_DONE && g != 1)
				id = 0;
			for (size_t i = 0; i < current->nwatches; i++)
				if (current->watches[i].id == (int64_t)id)
					current->watches[i] = current->watches[--current->nwatches];
			watch_response(out, (int64_t)id, false, true);
		} else if (f == 3 && w == 2) {
			watch_response(out, 0, false, false); /* progress */
		}
	}
	return 0;
}

/* The events of one watch: the source's keys in its range changed since it last looked. */
static void watch_events(const ld_hp_src_state *ss, watch *wt, ld_buf *out)
{
	ld_etcd_range r = {ld_slice_make(wt->key, wt->keylen), ld_slice_make(wt->end, wt->endlen)};
	ld_buf evs;
	size_t n = 0;
	ld_buf_init(&evs, REPLY_MAX);
	for (unsigned i = 0; i < ss->n; i++) {
		const ld_hp_obj *o = &ss->obj[i];
		bool del = !strcmp(o->kind, "etcd-deleted");
		ld_buf ev, kv;
		if (o->seq <= wt->seq || (!del && strcmp(o->kind, "etcd")) ||
		    !ld_etcd_in_range(ld_slice_cstr(o->name), &r))
			continue;
		ld_buf_init(&ev, REPLY_MAX);
		ld_buf_init(&kv, REPLY_MAX);
		if (del)
			ld_etcd_pb_uint(&ev, 1, 1);
		ld_etcd_pb_kv_body(&kv, ld_slice_cstr(o->name),
				   del ? LD_SLICE_NULL : ld_slice_cstr(o->cmd), 0, del);
		ld_etcd_pb_bytes(&ev, 2, kv.ptr ? kv.ptr : "", kv.len);
		ld_etcd_pb_bytes(&evs, 11, ev.ptr ? ev.ptr : "", ev.len);
		ld_buf_release(&kv);
		ld_buf_release(&ev);
		n++;
	}
	wt->seq = ss->seq;
	if (n) {
		watch_response(out, wt->id, false, false);
		ld_buf_add(out, evs.ptr, evs.len);
	}
	ld_buf_release(&evs);
}

/* ---- calls over HTTP/2 streams ---- */

/* Append a reply message (5-byte prefix, then body) to the stream's output. */
static void frame_msg(stream *st, const ld_buf *body)
{
	unsigned char pre[5] = {0, (unsigned char)(body->len >> 24), (unsigned char)(body->len >> 16),
				(unsigned char)(body->len >> 8), (unsigned char)body->len};
	ld_buf_add(&st->out, pre, 5);
	ld_buf_add(&st->out, body->ptr ? body->ptr : "", body->len);
	if (ld_buf_error(&st->out)) {
		st->grpc_status = 8;
		st->grpc_message = "reply too large";
	}
}

static void unknown(ld_hp_conn *c, stream *st, ld_slice payload, int code, const char *why)
{
	ld_hp_event_begin(c, "etcd.request");
	ld_hp_kstr(c, "grpc", st->path, strlen(st->path));
	if (payload.len)
		ld_hp_event_payload(c, payload.ptr, payload.len);
	ld_hp_event_end(c);
	st->grpc_status = code;
	st->grpc_message = why;
}

/* One request message through its method; the reply message goes to the stream's output. */
static void run(ld_hp_conn *c, stream *st, ld_slice msg)
{
	int m = method(st->path), rc;
	const char *why = NULL;
	ld_buf body;
	c->steps++;
	if (m < 0) {
		unknown(c, st, msg, 12, "unknown method");
		return;
	}
	ld_buf_init(&body, REPLY_MAX);
	current = st;
	rc = methods[m].fn(c, st->path, msg, &body, &why);
	if (rc < 0) {
		st->grpc_status = -rc;
		st->grpc_message = why;
	} else if (ld_buf_error(&body)) {
		st->grpc_status = 8;
		st->grpc_message = "reply too large";
	} else {
		frame_msg(st, &body);
	}
	ld_buf_release(&body);
}

/* The whole messages at the front of the stream's input: all of them on a streaming call,
 * the one a unary call has otherwise. */
static void take_messages(ld_hp_conn *c, stream *st)
{
	size_t off = 0;
	while (!st->grpc_status && off < st->in.len) {
		ld_slice msg;
		size_t used;
		int rc = ld_grpc_message(st->in.ptr + off, st->in.len - off, &msg, &used);
		if (rc == LD_HP_MORE)
			break;
		if (rc < 0) {
			unknown(c, st, ld_slice_make(st->in.ptr + off, st->in.len - off), 13,
				"grpc: error unmarshalling request");
			break;
		}
		run(c, st, msg);
		off += used;
		if (!st->bidi)
			break;
	}
	if (off) {
		memmove(st->in.ptr, st->in.ptr + off, st->in.len - off);
		st->in.len -= off;
	}
}

/* ---- HTTP/2 (libnghttp2) ---- */

static void stream_free(h2 *h, stream *st)
{
	if (!st)
		return;
	if (st->prev)
		st->prev->next = st->next;
	else
		h->open = st->next;
	if (st->next)
		st->next->prev = st->prev;
	ld_buf_release(&st->in);
	ld_buf_release(&st->out);
	free(st);
}

static int trailers(nghttp2_session *s, int32_t id, stream *st)
{
	char code[12];
	nghttp2_nv tr[2] = {
		{(uint8_t *)"grpc-status", (uint8_t *)code, 11, 0, NGHTTP2_NV_FLAG_NONE},
		{(uint8_t *)"grpc-message", (uint8_t *)(st->grpc_message ? st->grpc_message : ""),
		 12, st->grpc_message ? strlen(st->grpc_message) : 0, NGHTTP2_NV_FLAG_NONE}};
	ld_snprintf(code, sizeof(code), "%d", st->grpc_status);
	tr[0].valuelen = strlen(code);
	return nghttp2_submit_trailer(s, id, tr, st->grpc_message ? 2 : 1);
}

/* What the stream has to send; a streaming call still open waits (DEFERRED) for more. */
static ssize_t read_reply(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
			  uint32_t *flags, nghttp2_data_source *src, void *user)
{
	stream *st = src->ptr;
	size_t n = LD_MIN(len, st->out.len - st->outoff);
	(void)user;
	if (n)
		memcpy(buf, st->out.ptr + st->outoff, n);
	st->outoff += n;
	if (st->outoff < st->out.len)
		return (ssize_t)n;
	if (st->bidi && !st->ended && !st->grpc_status) {
		st->out.len = st->outoff = 0; /* all sent: the buffer starts over */
		return n ? (ssize_t)n : NGHTTP2_ERR_DEFERRED;
	}
	*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
	if (trailers(s, id, st) != 0)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	return (ssize_t)n;
}

/* Start the response (headers, then the output as it comes), or wake it for more output. */
static void reply(nghttp2_session *s, stream *st)
{
	static const nghttp2_nv hdrs[] = {
		{(uint8_t *)":status", (uint8_t *)"200", 7, 3, NGHTTP2_NV_FLAG_NONE},
		{(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16,
		 NGHTTP2_NV_FLAG_NONE}};
	nghttp2_data_provider prd;
	if (st->replying) {
		nghttp2_session_resume_data(s, st->id);
		return;
	}
	if (st->grpc_status)
		st->out.len = st->outoff = 0; /* a failed call sends no message */
	st->replying = true;
	prd.source.ptr = st;
	prd.read_callback = read_reply;
	nghttp2_submit_response(s, st->id, hdrs, LD_ARRAY_LEN(hdrs), &prd);
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	ld_hp_conn *c = user;
	h2 *h = c->st.etcd.h2;
	stream *st;
	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if (++h->streams > STREAMS_PER_CONN) {
		nghttp2_submit_goaway(s, NGHTTP2_FLAG_NONE, f->hd.stream_id, NGHTTP2_ENHANCE_YOUR_CALM,
				      NULL, 0);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	if (!(st = calloc(1, sizeof(*st))))
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	ld_buf_init(&st->in, LD_GRPC_MAX_MSG + 5);
	ld_buf_init(&st->out, REPLY_MAX);
	st->id = f->hd.stream_id;
	st->next = h->open;
	if (h->open)
		h->open->prev = st;
	h->open = st;
	nghttp2_session_set_stream_user_data(s, f->hd.stream_id, st);
	return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *user)
{
	stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	(void)flags;
	(void)user;
	if (st && namelen == 5 && !memcmp(name, ":path", 5)) {
		int m;
		ld_slice_copy(st->path, sizeof(st->path), ld_slice_make(value, valuelen));
		m = method(st->path);
		st->bidi = m >= 0 && methods[m].bidi;
	}
	return 0;
}

static int on_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
		    size_t len, void *user)
{
	stream *st = nghttp2_session_get_stream_user_data(s, id);
	(void)flags;
	(void)user;
	if (!st)
		return 0;
	if (ld_buf_add(&st->in, data, len) != 0)
		return nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, id,
						 NGHTTP2_ENHANCE_YOUR_CALM) == 0
			       ? 0
			       : NGHTTP2_ERR_CALLBACK_FAILURE;
	return 0;
}

static int on_frame(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	ld_hp_conn *c = user;
	stream *st;
	bool end = f->hd.flags & NGHTTP2_FLAG_END_STREAM;
	if (f->hd.type != NGHTTP2_DATA && f->hd.type != NGHTTP2_HEADERS)
		return 0;
	st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (!st || (!end && !st->bidi))
		return 0;
	if (!st->bidi && !st->in.len)
		run(c, st, LD_SLICE_NULL); /* a request without a message (Status) */
	else
		take_messages(c, st);
	st->ended = st->ended || end;
	if (end || st->out.len > st->outoff || st->grpc_status)
		reply(s, st);
	return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t code, void *user)
{
	ld_hp_conn *c = user;
	h2 *h = c->st.etcd.h2;
	(void)code;
	if (!h || h->closing)
		return 0;
	stream_free(h, nghttp2_session_get_stream_user_data(s, id));
	nghttp2_session_set_stream_user_data(s, id, NULL);
	return 0;
}

static h2 *h2_new(ld_hp_conn *c)
{
	nghttp2_session_callbacks *cb;
	nghttp2_option *opt;
	nghttp2_settings_entry set[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS},
					{NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST}};
	h2 *h = calloc(1, sizeof(*h));
	if (!h || nghttp2_session_callbacks_new(&cb) != 0) {
		free(h);
		return NULL;
	}
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	if (nghttp2_option_new(&opt) != 0) {
		nghttp2_session_callbacks_del(cb);
		free(h);
		return NULL;
	}
	nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
	if (nghttp2_session_server_new2(&h->s, cb, c, opt) != 0) {
		free(h);
		h = NULL;
	}
	nghttp2_option_del(opt);
	nghttp2_session_callbacks_del(cb);
	if (h)
		nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, set, LD_ARRAY_LEN(set));
	return h;
}

static void h2_flush(ld_hp_conn *c, h2 *h)
{
	for (;;) {
		const uint8_t *d;
		ssize_t n = nghttp2_session_mem_send(h->s, &d);
		if (n <= 0)
			break;
		ld_hp_out(c, d, (size_t)n);
	}
	if (!nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s))
		c->close_after_write = true;
}

/* 1: the input is HTTP/2 (prior knowledge), 0: HTTP/1, -1: too short to tell. */
int ld_hp_etcd_h2_detect(const char *p, size_t n)
{
	size_t k = LD_MIN(n, sizeof(preface) - 1);
	if (memcmp(p, preface, k))
		return 0;
	return k == sizeof(preface) - 1 ? 1 : -1;
}

size_t ld_hp_etcd_h2_data(ld_hp_conn *c, const char *p, size_t n)
{
	h2 *h = c->st.etcd.h2;
	ssize_t rv;
	if (!h) {
		if (!(h = h2_new(c))) {
			c->close_after_write = true;
			c->close_reason = "memory limit";
			return n;
		}
		c->st.etcd.h2 = h;
		ld_hp_event_begin(c, "etcd.grpc");
		ld_hp_event_end(c);
	}
	rv = nghttp2_session_mem_recv(h->s, (const uint8_t *)p, n);
	if (rv < 0) {
		ld_hp_event_begin(c, "etcd.protocol_error");
		ld_hp_kstr(c, "error", nghttp2_strerror((int)rv), strlen(nghttp2_strerror((int)rv)));
		ld_hp_event_end(c);
		c->close_after_write = true;
		return n;
	}
	h2_flush(c, h);
	return n;
}

/* New keys of the source for the open watches of this connection. */
void ld_hp_etcd_on_tick(ld_hp_conn *c)
{
	h2 *h = c->st.etcd.h2;
	const ld_hp_src_state *ss = ld_hp_source_state(c, false);
	bool more = false;
	if (!h || !ss)
		return;
	for (stream *st = h->open; st; st = st->next) {
		for (size_t i = 0; i < st->nwatches && !st->grpc_status; i++) {
			ld_buf body;
			if (st->watches[i].seq == ss->seq)
				continue;
			ld_buf_init(&body, REPLY_MAX);
			watch_events(ss, &st->watches[i], &body);
			if (body.len)
				frame_msg(st, &body);
			ld_buf_release(&body);
		}
		if (st->replying && st->out.len > st->outoff) {
			nghttp2_session_resume_data(h->s, st->id);
			more = true;
		}
	}
	if (more)
		h2_flush(c, h);
}

void ld_hp_etcd_on_close(ld_hp_conn *c)
{
	h2 *h = c->st.etcd.h2;
	if (!h)
		return;
	h->closing = true;
	nghttp2_session_del(h->s); /* frees its streams, not our stream structs */
	while (h->open)
		stream_free(h, h->open);
	free(h);
	c->st.etcd.h2 = NULL;
}

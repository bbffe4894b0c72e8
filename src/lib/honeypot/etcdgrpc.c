/* etcd v3 over gRPC (what etcdctl 3.4 speaks): HTTP/2 with prior knowledge on the etcd port,
 * framed by libnghttp2 (this file is its only user), the few calls an attacker's etcdctl makes
 * decoded by hand (pb.c): KV Range, Put, DeleteRange, Auth Authenticate, Maintenance Status.
 * Keys a source puts are kept for its later gets (hp.h state) beside the decoy keys of a
 * Kubernetes cluster's store; nothing is stored anywhere else. Bounds: 32 concurrent streams,
 * one gRPC message of LD_GRPC_MAX_MSG per call, 64 KiB of header list, the loop's buffers. */
#include <nghttp2/nghttp2.h>

#include "util/common.h"
#include "honeypot/hp.h"

#define MAX_STREAMS	  32
#define MAX_HEADER_LIST	  (64 * 1024)
#define STREAMS_PER_CONN  4096 /* calls on one connection; then GOAWAY */
#define REPLY_MAX	  (256 * 1024)
#define ETCD_REVISION	  31

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

typedef struct stream {
	struct stream *prev, *next; /* the connection's open streams (freed with it) */
	char path[128];
	ld_buf in, out;
	size_t outoff;
	int grpc_status;
	const char *grpc_message;
} stream;

typedef struct h2 {
	nghttp2_session *s;
	unsigned streams;
	stream *open;
	bool closing; /* session_del runs: the list frees the streams */
} h2;

/* The decoy keys: what a cluster's etcd holds under /registry (as JSON: an API server started
 * with --storage-media-type=application/json). */
static const struct {
	const char *key, *value;
} decoys[] = {
	{"/registry/configmaps/kube-system/coredns",
	 "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"coredns\","
	 "\"namespace\":\"kube-system\"},\"data\":{\"Corefile\":\".:53 {\\n    forward . "
	 "/etc/resolv.conf\\n}\\n\"}}"},
	{"/registry/namespaces/default",
	 "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"default\"}}"},
	{"/registry/namespaces/kube-system",
	 "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"kube-system\"}}"},
	{"/registry/secrets/default/db-credentials",
	 "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db-credentials\","
	 "\"namespace\":\"default\"},\"data\":{\"username\":\"YXBw\",\"password\":"
	 "\"VGgzLVAwc3RncjNzLVBhc3M=\"},\"type\":\"Opaque\"}"},
	{"/registry/secrets/kube-system/default-token-m4qzt",
	 "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
	 "\"default-token-m4qzt\",\"namespace\":\"kube-system\"},\"type\":"
	 "\"kubernetes.io/service-account-token\"}"},
	{"/registry/serviceaccounts/default/default",
	 "{\"kind\":\"ServiceAccount\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
	 "\"default\",\"namespace\":\"default\"}}"},
};

/* ---- protobuf writing ---- */

static void pb_varint(ld_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		ld_buf_addc(b, (char)(v | 0x80));
		v >>= 7;
	}
	ld_buf_addc(b, (char)v);
}

static void pb_uint(ld_buf *b, uint32_t field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static void pb_bytes(ld_buf *b, uint32_t field, const void *p, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	ld_buf_add(b, p, n);
}

/* ResponseHeader as field 1 of every response */
static void pb_header(ld_buf *b)
{
	ld_buf h;
	ld_buf_init(&h, 64);
	pb_uint(&h, 1, 14841639068965178418ull);
	pb_uint(&h, 2, 10276657743932975437ull);
	pb_uint(&h, 3, ETCD_REVISION);
	pb_uint(&h, 4, 4);
	pb_bytes(b, 1, h.ptr, h.len);
	ld_buf_release(&h);
}

static void pb_kv(ld_buf *b, ld_slice key, ld_slice value, bool keys_only)
{
	ld_buf kv;
	ld_buf_init(&kv, REPLY_MAX);
	pb_bytes(&kv, 1, key.ptr, key.len);
	pb_uint(&kv, 2, 4);
	pb_uint(&kv, 3, ETCD_REVISION - 2);
	pb_uint(&kv, 4, 1);
	if (!keys_only)
		pb_bytes(&kv, 5, value.ptr, value.len);
	pb_bytes(b, 2, kv.ptr, kv.len);
	ld_buf_release(&kv);
}

/* ---- the calls ---- */

typedef struct kv_req {
	ld_slice key, range_end, value;
	bool keys_only, count_only;
	uint64_t limit;
} kv_req;

static void parse_kv(ld_slice m, kv_req *q, bool put)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	memset(q, 0, sizeof(*q));
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (f == 1 && w == 2)
			q->key = b;
		else if (f == 2 && w == 2)
			(put ? &q->value : &q->range_end)[0] = b;
		else if (!put && f == 3 && w == 0)
			q->limit = v;
		else if (!put && f == 8 && w == 0)
			q->keys_only = v != 0;
		else if (!put && f == 9 && w == 0)
			q->count_only = v != 0;
	}
}

static bool in_range(ld_slice k, const kv_req *q)
{
	int lo;
	size_t n = LD_MIN(k.len, q->key.len);
	lo = memcmp(k.ptr, q->key.ptr, n);
	if (!lo)
		lo = k.len < q->key.len ? -1 : k.len > q->key.len;
	if (!q->range_end.len)
		return lo == 0;
	if (lo < 0)
		return false;
	if (q->range_end.len == 1 && q->range_end.ptr[0] == '\0')
		return true; /* "\0": every key from key on */
	n = LD_MIN(k.len, q->range_end.len);
	lo = memcmp(k.ptr, q->range_end.ptr, n);
	return lo < 0 || (lo == 0 && k.len < q->range_end.len);
}

static void kv_event(ld_hp_conn *c, const char *eventid, const stream *st, const kv_req *q)
{
	ld_hp_event_begin(c, eventid);
	ld_hp_kstr(c, "grpc", st->path, strlen(st->path));
	ld_hp_kslice(c, "key", q->key);
	if (q->range_end.len)
		ld_hp_kslice(c, "range_end", q->range_end);
	if (q->value.ptr) {
		ld_hp_kslice(c, "value", q->value);
		ld_hp_event_payload(c, q->value.ptr, q->value.len);
	}
	ld_hp_event_end(c);
}

static void range(ld_hp_conn *c, stream *st, ld_slice m)
{
	const ld_hp_src_state *ss = ld_hp_source_state(c, false);
	kv_req q;
	uint64_t count = 0;
	ld_buf kvs;
	parse_kv(m, &q, false);
	kv_event(c, "etcd.kv.range", st, &q);
	ld_buf_init(&kvs, REPLY_MAX);
	for (size_t i = 0; i < LD_ARRAY_LEN(decoys); i++) {
		ld_slice k = ld_slice_cstr(decoys[i].key);
		if (!in_range(k, &q))
			continue;
		if (!q.count_only && (!q.limit || count < q.limit))
			pb_kv(&kvs, k, ld_slice_cstr(decoys[i].value),
			      q.keys_only);
		count++;
	}
	for (unsigned i = 0; ss && i < ss->n; i++) {
		const ld_hp_obj *o = &ss->obj[i];
		ld_slice k = ld_slice_cstr(o->name);
		if (strcmp(o->kind, "etcd") || !in_range(k, &q))
			continue;
		if (!q.count_only && (!q.limit || count < q.limit))
			pb_kv(&kvs, k, ld_slice_cstr(o->cmd), q.keys_only);
		count++;
	}
	pb_header(&st->out);
	ld_buf_add(&st->out, kvs.ptr ? kvs.ptr : "", kvs.len);
	if (q.limit && count > q.limit)
		pb_uint(&st->out, 3, 1);
	pb_uint(&st->out, 4, count);
	ld_buf_release(&kvs);
}

static void put(ld_hp_conn *c, stream *st, ld_slice m)
{
	kv_req q;
	ld_hp_obj *o;
	parse_kv(m, &q, true);
	if (!q.value.ptr)
		q.value = LD_SLICE_LIT("");
	kv_event(c, "etcd.kv.put", st, &q);
	if ((o = ld_hp_state_add(c, "etcd"))) {
		ld_slice_copy(o->name, sizeof(o->name), q.key);
		ld_slice_copy(o->cmd, sizeof(o->cmd), q.value);
	}
	pb_header(&st->out);
}

static void delete_range(ld_hp_conn *c, stream *st, ld_slice m)
{
	ld_hp_src_state *ss = ld_hp_source_state(c, false);
	kv_req q;
	uint64_t deleted = 0;
	parse_kv(m, &q, false);
	kv_event(c, "etcd.kv.delete", st, &q);
	for (unsigned i = 0; ss && i < ss->n; i++)
		if (!strcmp(ss->obj[i].kind, "etcd") && in_range(ld_slice_cstr(ss->obj[i].name), &q)) {
			ld_strlcpy(ss->obj[i].kind, "etcd-deleted", sizeof(ss->obj[i].kind));
			deleted++;
		}
	pb_header(&st->out);
	pb_uint(&st->out, 2, deleted);
}

static void authenticate(ld_hp_conn *c, stream *st, ld_slice m)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b, name = LD_SLICE_NULL, pass = LD_SLICE_NULL;
	char token[33];
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (f == 1 && w == 2)
			name = b;
		else if (f == 2 && w == 2)
			pass = b;
	}
	ld_hp_event_begin(c, "etcd.login");
	ld_hp_kstr(c, "grpc", st->path, strlen(st->path));
	ld_hp_kslice(c, "username", name);
	ld_hp_kslice(c, "password", pass);
	ld_hp_event_end(c);
	ld_hp_hex_id(token, 16);
	pb_header(&st->out);
	pb_bytes(&st->out, 2, token, 32);
}

static void status(ld_hp_conn *c, stream *st)
{
	ld_hp_event_begin(c, "etcd.version");
	ld_hp_kstr(c, "grpc", st->path, strlen(st->path));
	ld_hp_event_end(c);
	pb_header(&st->out);
	pb_bytes(&st->out, 2, "3.4.13", 6);
	pb_uint(&st->out, 3, 2433024);
	pb_uint(&st->out, 4, 10276657743932975437ull);
	pb_uint(&st->out, 5, 48213);
	pb_uint(&st->out, 6, 4);
}

/* Answer a whole request: the message is decoded, recorded and answered in st->out. */
static void call(ld_hp_conn *c, stream *st)
{
	ld_slice msg = LD_SLICE_NULL;
	size_t used;
	int rc = st->in.len ? ld_grpc_message(st->in.ptr, st->in.len, &msg, &used) : LD_HP_DONE;
	c->steps++;
	if (rc != LD_HP_DONE) {
		ld_hp_event_begin(c, "etcd.request");
		ld_hp_kstr(c, "grpc", st->path, strlen(st->path));
		ld_hp_event_payload(c, st->in.ptr, st->in.len);
		ld_hp_event_end(c);
		st->grpc_status = 13;
		st->grpc_message = "grpc: error unmarshalling request";
		return;
	}
	if (!strcmp(st->path, "/etcdserverpb.KV/Range"))
		range(c, st, msg);
	else if (!strcmp(st->path, "/etcdserverpb.KV/Put"))
		put(c, st, msg);
	else if (!strcmp(st->path, "/etcdserverpb.KV/DeleteRange"))
		delete_range(c, st, msg);
	else if (!strcmp(st->path, "/etcdserverpb.Auth/Authenticate"))
		authenticate(c, st, msg);
	else if (!strcmp(st->path, "/etcdserverpb.Maintenance/Status"))
		status(c, st);
	else {
		ld_hp_event_begin(c, "etcd.request");
		ld_hp_kstr(c, "grpc", st->path, strlen(st->path));
		if (msg.len)
			ld_hp_event_payload(c, msg.ptr, msg.len);
		ld_hp_event_end(c);
		st->grpc_status = 12;
		st->grpc_message = "unknown method";
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

static ssize_t read_reply(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
			  uint32_t *flags, nghttp2_data_source *src, void *user)
{
	stream *st = src->ptr;
	size_t n = LD_MIN(len, st->out.len - st->outoff);
	(void)user;
	if (n)
		memcpy(buf, st->out.ptr + st->outoff, n);
	st->outoff += n;
	if (st->outoff == st->out.len) {
		char code[12];
		nghttp2_nv tr[2] = {
			{(uint8_t *)"grpc-status", (uint8_t *)code, 11, 0, NGHTTP2_NV_FLAG_NONE},
			{(uint8_t *)"grpc-message", (uint8_t *)(st->grpc_message ? st->grpc_message : ""),
			 12, st->grpc_message ? strlen(st->grpc_message) : 0, NGHTTP2_NV_FLAG_NONE}};
		ld_snprintf(code, sizeof(code), "%d", st->grpc_status);
		tr[0].valuelen = strlen(code);
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		if (nghttp2_submit_trailer(s, id, tr, st->grpc_message ? 2 : 1) != 0)
			return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	return (ssize_t)n;
}

static void respond(ld_hp_conn *c, nghttp2_session *s, int32_t id, stream *st)
{
	static const nghttp2_nv hdrs[] = {
		{(uint8_t *)":status", (uint8_t *)"200", 7, 3, NGHTTP2_NV_FLAG_NONE},
		{(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16,
		 NGHTTP2_NV_FLAG_NONE}};
	nghttp2_data_provider prd;
	size_t n;
	/* the reply message after its 5-byte prefix */
	ld_buf_add(&st->out, "\0\0\0\0\0", 5);
	call(c, st);
	n = st->out.len - 5;
	if (st->grpc_status || ld_buf_error(&st->out)) {
		st->out.len = 0;
		if (!st->grpc_status) {
			st->grpc_status = 8;
			st->grpc_message = "reply too large";
		}
	} else {
		st->out.ptr[1] = (char)(n >> 24);
		st->out.ptr[2] = (char)(n >> 16);
		st->out.ptr[3] = (char)(n >> 8);
		st->out.ptr[4] = (char)n;
	}
	prd.source.ptr = st;
	prd.read_callback = read_reply;
	nghttp2_submit_response(s, id, hdrs, LD_ARRAY_LEN(hdrs), &prd);
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
	if (st && namelen == 5 && !memcmp(name, ":path", 5))
		ld_slice_copy(st->path, sizeof(st->path), ld_slice_make(value, valuelen));
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
	stream *st;
	if ((f->hd.type != NGHTTP2_DATA && f->hd.type != NGHTTP2_HEADERS) ||
	    !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (st)
		respond(user, s, f->hd.stream_id, st);
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

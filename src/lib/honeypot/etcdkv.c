/* The KV service of the etcd v3 emulation, Txn included: Range, Put and DeleteRange over the
 * decoy keys of a Kubernetes cluster's store and the keys the source put (hp.h state, kind
 * "etcd": name the key, cmd the value, extra the lease); a Txn's compares are evaluated on the
 * same keys and its chosen branch runs through the same calls, each operation recorded as the
 * call would be. Also the protobuf writers the other calls share. Nothing is stored anywhere
 * else. */
#include <inttypes.h>

#include "util/common.h"
#include "honeypot/etcdv3.h"

#define REPLY_MAX (256 * 1024)

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

void ld_etcd_pb_uint(ld_buf *b, uint32_t field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

void ld_etcd_pb_bytes(ld_buf *b, uint32_t field, const void *p, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	ld_buf_add(b, p, n);
}

void ld_etcd_pb_header(ld_buf *b)
{
	ld_buf h;
	ld_buf_init(&h, 64);
	ld_etcd_pb_uint(&h, 1, 14841639068965178418ull);
	ld_etcd_pb_uint(&h, 2, 10276657743932975437ull);
	ld_etcd_pb_uint(&h, 3, LD_ETCD_REVISION);
	ld_etcd_pb_uint(&h, 4, 4);
	ld_etcd_pb_bytes(b, 1, h.ptr, h.len);
	ld_buf_release(&h);
}

void ld_etcd_pb_kv_body(ld_buf *b, ld_slice key, ld_slice value, uint64_t lease, bool keys_only)
{
	ld_etcd_pb_bytes(b, 1, key.ptr, key.len);
	ld_etcd_pb_uint(b, 2, 4);
	ld_etcd_pb_uint(b, 3, LD_ETCD_REVISION - 2);
	ld_etcd_pb_uint(b, 4, 1);
	if (!keys_only)
		ld_etcd_pb_bytes(b, 5, value.ptr, value.len);
	if (lease)
		ld_etcd_pb_uint(b, 6, lease);
}

/* A KeyValue as field `field` of b. */
static void pb_kv(ld_buf *b, uint32_t field, ld_slice key, ld_slice value, uint64_t lease,
		  bool keys_only)
{
	ld_buf kv;
	ld_buf_init(&kv, REPLY_MAX);
	ld_etcd_pb_kv_body(&kv, key, value, lease, keys_only);
	ld_etcd_pb_bytes(b, field, kv.ptr ? kv.ptr : "", kv.len);
	ld_buf_release(&kv);
}

/* ---- keys ---- */

typedef struct kv_req {
	ld_etcd_range r;
	ld_slice value;
	uint64_t lease, limit;
	bool keys_only, count_only;
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
			q->r.key = b;
		else if (f == 2 && w == 2)
			(put ? &q->value : &q->r.range_end)[0] = b;
		else if (put && f == 3 && w == 0)
			q->lease = v;
		else if (!put && f == 3 && w == 0)
			q->limit = v;
		else if (!put && f == 8 && w == 0)
			q->keys_only = v != 0;
		else if (!put && f == 9 && w == 0)
			q->count_only = v != 0;
	}
}

bool ld_etcd_in_range(ld_slice k, const ld_etcd_range *q)
{
	int lo;
	size_t n = LD_MIN(k.len, q->key.len);
	lo = n ? memcmp(k.ptr, q->key.ptr, n) : 0;
	if (!lo)
		lo = k.len < q->key.len ? -1 : k.len > q->key.len;
	if (!q->range_end.len)
		return lo == 0;
	if (lo < 0)
		return false;
	if (q->range_end.len == 1 && q->range_end.ptr[0] == '\0')
		return true; /* "\0": every key from key on */
	n = LD_MIN(k.len, q->range_end.len);
	lo = n ? memcmp(k.ptr, q->range_end.ptr, n) : 0;
	return lo < 0 || (lo == 0 && k.len < q->range_end.len);
}

/* The source's live key `k`, or NULL. */
static ld_hp_obj *own_key(ld_hp_src_state *ss, ld_slice k)
{
	for (unsigned i = 0; ss && i < ss->n; i++)
		if (!strcmp(ss->obj[i].kind, "etcd") && ld_slice_eq_cstr(k, ss->obj[i].name))
			return &ss->obj[i];
	return NULL;
}

static uint64_t obj_lease(const ld_hp_obj *o)
{
	return o && o->extra[0] ? strtoull(o->extra, NULL, 16) : 0;
}

/* What a key holds: the source's own value over a decoy's. False when it does not exist. */
static bool lookup(ld_hp_conn *c, ld_slice k, ld_slice *value, uint64_t *lease)
{
	const ld_hp_obj *o = own_key(ld_hp_source_state(c, false), k);
	*lease = obj_lease(o);
	if (o) {
		*value = ld_slice_cstr(o->cmd);
		return true;
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(decoys); i++)
		if (ld_slice_eq_cstr(k, decoys[i].key)) {
			*value = ld_slice_cstr(decoys[i].value);
			return true;
		}
	return false;
}

static void kv_event(ld_hp_conn *c, const char *eventid, const char *grpc, const kv_req *q)
{
	ld_hp_event_begin(c, eventid);
	ld_hp_kstr(c, "grpc", grpc, strlen(grpc));
	ld_hp_kslice(c, "key", q->r.key);
	if (q->r.range_end.len)
		ld_hp_kslice(c, "range_end", q->r.range_end);
	if (q->value.ptr) {
		ld_hp_kslice(c, "value", q->value);
		ld_hp_event_payload(c, q->value.ptr, q->value.len);
	}
	if (q->lease) {
		char id[20];
		ld_snprintf(id, sizeof(id), "%016" PRIx64, q->lease);
		ld_hp_kstr(c, "lease", id, strlen(id));
	}
	ld_hp_event_end(c);
}

/* ---- calls ---- */

int ld_etcd_kv_range(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why)
{
	const ld_hp_src_state *ss = ld_hp_source_state(c, false);
	kv_req q;
	uint64_t count = 0;
	ld_buf kvs;
	(void)why;
	parse_kv(m, &q, false);
	kv_event(c, "etcd.kv.range", grpc, &q);
	ld_buf_init(&kvs, REPLY_MAX);
	for (size_t i = 0; i < LD_ARRAY_LEN(decoys); i++) {
		ld_slice k = ld_slice_cstr(decoys[i].key);
		if (!ld_etcd_in_range(k, &q.r) || own_key((ld_hp_src_state *)ss, k))
			continue;
		if (!q.count_only && (!q.limit || count < q.limit))
			pb_kv(&kvs, 2, k, ld_slice_cstr(decoys[i].value), 0, q.keys_only);
		count++;
	}
	for (unsigned i = 0; ss && i < ss->n; i++) {
		const ld_hp_obj *o = &ss->obj[i];
		ld_slice k = ld_slice_cstr(o->name);
		if (strcmp(o->kind, "etcd") || !ld_etcd_in_range(k, &q.r))
			continue;
		if (!q.count_only && (!q.limit || count < q.limit))
			pb_kv(&kvs, 2, k, ld_slice_cstr(o->cmd), obj_lease(o), q.keys_only);
		count++;
	}
	ld_etcd_pb_header(out);
	ld_buf_add(out, kvs.ptr ? kvs.ptr : "", kvs.len);
	if (q.limit && count > q.limit)
		ld_etcd_pb_uint(out, 3, 1);
	ld_etcd_pb_uint(out, 4, count);
	ld_buf_release(&kvs);
	return 0;
}

int ld_etcd_kv_put(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why)
{
	ld_hp_src_state *ss;
	kv_req q;
	ld_hp_obj *o;
	parse_kv(m, &q, true);
	if (!q.value.ptr)
		q.value = LD_SLICE_LIT("");
	kv_event(c, "etcd.kv.put", grpc, &q);
	if (q.lease && !ld_etcd_lease_find(c, q.lease)) {
		*why = "etcdserver: requested lease not found";
		return -5; /* NOT_FOUND, as etcd answers */
	}
	ss = ld_hp_source_state(c, false);
	/* a key put again is updated in place; a watch sees it as a new revision */
	if ((o = own_key(ss, q.r.key)))
		o->seq = ++ss->seq;
	else if ((o = ld_hp_state_add(c, "etcd")))
		ld_slice_copy(o->name, sizeof(o->name), q.r.key);
	if (o) {
		ld_slice_copy(o->cmd, sizeof(o->cmd), q.value);
		o->extra[0] = '\0';
		if (q.lease)
			ld_snprintf(o->extra, sizeof(o->extra), "%016" PRIx64, q.lease);
	}
	ld_etcd_pb_header(out);
	return 0;
}

int ld_etcd_kv_delete(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
		      const char **why)
{
	ld_hp_src_state *ss = ld_hp_source_state(c, false);
	kv_req q;
	uint64_t deleted = 0;
	(void)why;
	parse_kv(m, &q, false);
	kv_event(c, "etcd.kv.delete", grpc, &q);
	for (unsigned i = 0; ss && i < ss->n; i++)
		if (!strcmp(ss->obj[i].kind, "etcd") &&
		    ld_etcd_in_range(ld_slice_cstr(ss->obj[i].name), &q.r)) {
			ld_strlcpy(ss->obj[i].kind, "etcd-deleted", sizeof(ss->obj[i].kind));
			ss->obj[i].seq = ++ss->seq; /* watches send the deletion */
			deleted++;
		}
	ld_etcd_pb_header(out);
	ld_etcd_pb_uint(out, 2, deleted);
	return 0;
}

/* ---- Txn ---- */

enum { CMP_EQUAL, CMP_GREATER, CMP_LESS, CMP_NOT_EQUAL };
enum { TGT_VERSION, TGT_CREATE, TGT_MOD, TGT_VALUE, TGT_LEASE };

typedef struct cmp {
	uint64_t result, target, number;
	ld_slice key, value;
} cmp;

static void parse_cmp(ld_slice m, cmp *k)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	memset(k, 0, sizeof(*k));
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (f == 1 && w == 0)
			k->result = v;
		else if (f == 2 && w == 0)
			k->target = v;
		else if (f == 3 && w == 2)
			k->key = b;
		else if (f == 7 && w == 2)
			k->value = b;
		else if (f >= 4 && f <= 8 && w == 0)
			k->number = v; /* version, create, mod revision or lease: the target's */
	}
}

/* A compare on the key's current state (the revisions are those Range reports). */
static bool cmp_true(ld_hp_conn *c, const cmp *k)
{
	ld_slice value = LD_SLICE_NULL;
	uint64_t lease, have;
	bool exists = lookup(c, k->key, &value, &lease);
	int d;
	if (k->target == TGT_VALUE) {
		size_t n = LD_MIN(value.len, k->value.len);
		d = n ? memcmp(value.ptr, k->value.ptr, n) : 0;
		if (!d)
			d = value.len < k->value.len ? -1 : value.len > k->value.len;
		if (!exists)
			return false; /* etcd: a value compare on a missing key fails */
	} else {
		have = !exists			 ? 0
		       : k->target == TGT_CREATE ? 4
		       : k->target == TGT_MOD	 ? LD_ETCD_REVISION - 2
		       : k->target == TGT_LEASE	 ? lease
						 : 1;
		d = have < k->number ? -1 : have > k->number;
	}
	switch (k->result) {
	case CMP_EQUAL:
		return d == 0;
	case CMP_GREATER:
		return d > 0;
	case CMP_LESS:
		return d < 0;
	default:
		return d != 0;
	}
}

static void cmp_event(ld_hp_conn *c, const cmp *k)
{
	static const char *const targets[] = {"version", "create", "mod", "value", "lease"};
	static const char *const results[] = {"=", ">", "<", "!="};
	ld_jw *w = &ld_hp_shared(c->hp)->jw;
	ld_jw_obj(w);
	ld_hp_kslice(c, "key", k->key);
	ld_jw_kstr(w, "target", k->target < 5 ? targets[k->target] : "unknown");
	ld_jw_kstr(w, "result", k->result < 4 ? results[k->result] : "unknown");
	if (k->target == TGT_VALUE)
		ld_hp_kslice(c, "value", k->value);
	else
		ld_jw_ki64(w, "number", (int64_t)k->number);
	ld_jw_obj_end(w);
}

/* One RequestOp of the chosen branch, its ResponseOp appended to out. */
static void txn_op(ld_hp_conn *c, const char *grpc, ld_slice op, ld_buf *out)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	const char *why = NULL;
	ld_buf r;
	if (ld_pb_next(&op, &f, &w, &v, &b) != LD_HP_DONE || w != 2 || f < 1 || f > 3)
		return; /* a nested Txn is not run */
	ld_buf_init(&r, REPLY_MAX);
	if (f == 1)
		ld_etcd_kv_range(c, grpc, b, &r, &why);
	else if (f == 2)
		ld_etcd_kv_put(c, grpc, b, &r, &why);
	else
		ld_etcd_kv_delete(c, grpc, b, &r, &why);
	{
		ld_buf one;
		ld_buf_init(&one, REPLY_MAX);
		ld_etcd_pb_bytes(&one, f, r.ptr ? r.ptr : "", r.len);
		ld_etcd_pb_bytes(out, 3, one.ptr ? one.ptr : "", one.len);
		ld_buf_release(&one);
	}
	ld_buf_release(&r);
}

int ld_etcd_kv_txn(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why)
{
	ld_slice cmps[LD_ETCD_TXN_OPS], ops[2][LD_ETCD_TXN_OPS];
	size_t ncmp = 0, nops[2] = {0, 0};
	bool ok = true;
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	ld_jw *jw;
	(void)why;
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE) {
		if (w != 2)
			continue;
		if (f == 1 && ncmp < LD_ETCD_TXN_OPS)
			cmps[ncmp++] = b;
		else if ((f == 2 || f == 3) && nops[f - 2] < LD_ETCD_TXN_OPS)
			ops[f - 2][nops[f - 2]++] = b;
	}
	jw = ld_hp_event_begin(c, "etcd.kv.txn");
	ld_hp_kstr(c, "grpc", grpc, strlen(grpc));
	ld_jw_key(jw, "compares");
	ld_jw_arr(jw);
	for (size_t i = 0; i < ncmp; i++) {
		cmp k;
		parse_cmp(cmps[i], &k);
		ok = cmp_true(c, &k) && ok;
		cmp_event(c, &k);
	}
	ld_jw_arr_end(jw);
	ld_jw_kbool(jw, "succeeded", ok);
	ld_jw_ki64(jw, "success_ops", (int64_t)nops[0]);
	ld_jw_ki64(jw, "failure_ops", (int64_t)nops[1]);
	ld_hp_event_end(c);
	ld_etcd_pb_header(out);
	if (ok)
		ld_etcd_pb_uint(out, 2, 1);
	for (size_t i = 0; i < nops[ok ? 0 : 1]; i++)
		txn_op(c, grpc, ops[ok ? 0 : 1][i], out);
	return 0;
}

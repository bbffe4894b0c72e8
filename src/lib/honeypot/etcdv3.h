/* etcd v3 calls of the gRPC emulation (etcdgrpc.c carries them over HTTP/2): protobuf writers,
 * the KV service with Txn (etcdkv.c), leases (etcdlease.c) and watches. Each call reads one
 * request message and appends its response message to `out`; a negative return is a gRPC
 * status to end the call with instead (its message in *why). */
#ifndef LD_HP_ETCDV3_H
#define LD_HP_ETCDV3_H

#include "util/buf.h"
#include "util/slice.h"
#include "honeypot/hp.h"

#define LD_ETCD_REVISION 31
#define LD_ETCD_KEY_MAX	 72  /* bytes of a key kept for a source (ld_hp_obj.name) */
#define LD_ETCD_TXN_OPS	 64  /* compares, and operations per branch, of one Txn */

/* ---- protobuf writing ---- */
void ld_etcd_pb_uint(ld_buf *b, uint32_t field, uint64_t v);
void ld_etcd_pb_bytes(ld_buf *b, uint32_t field, const void *p, size_t n);
/* ResponseHeader as field 1, as every response starts. */
void ld_etcd_pb_header(ld_buf *b);
/* A KeyValue message (fields 1-6) into b, without a field tag around it. */
void ld_etcd_pb_kv_body(ld_buf *b, ld_slice key, ld_slice value, uint64_t lease, bool keys_only);

/* A key range of a request: key alone, [key, range_end), or from key on when range_end is
 * "\0". */
typedef struct ld_etcd_range {
	ld_slice key, range_end;
} ld_etcd_range;
bool ld_etcd_in_range(ld_slice k, const ld_etcd_range *r);

/* ---- calls (grpc: the method's path, recorded in the events) ---- */
int ld_etcd_kv_range(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why);
int ld_etcd_kv_put(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why);
int ld_etcd_kv_delete(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
		      const char **why);
int ld_etcd_kv_txn(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out, const char **why);

int ld_etcd_lease_grant(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			const char **why);
int ld_etcd_lease_revoke(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			 const char **why);
int ld_etcd_lease_ttl(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
		      const char **why);
int ld_etcd_lease_leases(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			 const char **why);
/* One LeaseKeepAliveRequest of the bidirectional stream. */
int ld_etcd_lease_keepalive(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			    const char **why);
/* The source's lease `id` (kind "lease", name its hex id), or NULL. */
ld_hp_obj *ld_etcd_lease_find(ld_hp_conn *c, uint64_t id);

#endif

/* The Lease service of the etcd v3 emulation: grant, revoke, time-to-live, the list of leases
 * and keep-alive. A lease is part of the source's state (kind "lease": name its id in hex,
 * flags its granted TTL, created its last renewal), so `put --lease` from a later connection
 * finds it and `lease timetolive --keys` lists the keys put with it. Revoking deletes those
 * keys, as etcd does. Nothing expires anything but the reckoning of the remaining TTL. */
#include <inttypes.h>
#include <time.h>

#include "util/common.h"
#include "honeypot/etcdv3.h"

#define TTL_MIN	       5	   /* etcd's minimum lease TTL */
#define TTL_MAX	       (9000000000ull) /* etcd's MaxLeaseTTL */
#define LEASES_LISTED  LD_HP_STATE_OBJS

static const char not_found[] = "etcdserver: requested lease not found";

ld_hp_obj *ld_etcd_lease_find(ld_hp_conn *c, uint64_t id)
{
	ld_hp_src_state *ss = ld_hp_source_state(c, false);
	char hex[20];
	ld_snprintf(hex, sizeof(hex), "%016" PRIx64, id);
	for (unsigned i = 0; ss && i < ss->n; i++)
		if (!strcmp(ss->obj[i].kind, "lease") && !strcmp(ss->obj[i].name, hex))
			return &ss->obj[i];
	return NULL;
}

/* The first varint field `want` of a message (lease requests carry one or two). */
static uint64_t field(ld_slice m, uint32_t want)
{
	uint32_t f;
	int w;
	uint64_t v;
	ld_slice b;
	while (ld_pb_next(&m, &f, &w, &v, &b) == LD_HP_DONE)
		if (f == want && w == 0)
			return v;
	return 0;
}

static void lease_event(ld_hp_conn *c, const char *eventid, const char *grpc, uint64_t id,
			int64_t ttl)
{
	char hex[20];
	ld_jw *w = ld_hp_event_begin(c, eventid);
	ld_snprintf(hex, sizeof(hex), "%016" PRIx64, id);
	ld_hp_kstr(c, "grpc", grpc, strlen(grpc));
	if (id)
		ld_hp_kstr(c, "lease", hex, strlen(hex));
	if (ttl >= 0)
		ld_jw_ki64(w, "ttl", ttl);
	ld_hp_event_end(c);
}

/* Seconds left of a lease (-1: expired, as etcd reports it). */
static int64_t remaining(const ld_hp_obj *o)
{
	int64_t left = (int64_t)o->flags - ((int64_t)time(NULL) - o->created);
	return left > 0 ? left : -1;
}

int ld_etcd_lease_grant(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			const char **why)
{
	uint64_t ttl = field(m, 1), id = field(m, 2);
	ld_hp_obj *o;
	(void)why;
	if (ttl < TTL_MIN)
		ttl = TTL_MIN;
	if (ttl > TTL_MAX)
		ttl = TTL_MAX;
	while (!id || id >> 63)
		ld_hp_random(&id, sizeof(id)); /* a positive int64, as etcd's ids are */
	lease_event(c, "etcd.lease.grant", grpc, id, (int64_t)ttl);
	if ((o = ld_hp_state_add(c, "lease"))) {
		ld_snprintf(o->name, sizeof(o->name), "%016" PRIx64, id);
		o->flags = (unsigned)LD_MIN(ttl, (uint64_t)UINT32_MAX);
	}
	ld_etcd_pb_header(out);
	ld_etcd_pb_uint(out, 2, id);
	ld_etcd_pb_uint(out, 3, ttl);
	return 0;
}

int ld_etcd_lease_revoke(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			 const char **why)
{
	uint64_t id = field(m, 1);
	ld_hp_obj *o = ld_etcd_lease_find(c, id);
	ld_hp_src_state *ss = ld_hp_source_state(c, false);
	lease_event(c, "etcd.lease.revoke", grpc, id, -1);
	if (!o) {
		*why = not_found;
		return -5;
	}
	/* its keys go with it */
	for (unsigned i = 0; ss && i < ss->n; i++)
		if (!strcmp(ss->obj[i].kind, "etcd") && !strcmp(ss->obj[i].extra, o->name)) {
			ld_strlcpy(ss->obj[i].kind, "etcd-deleted", sizeof(ss->obj[i].kind));
			ss->obj[i].seq = ++ss->seq;
		}
	ld_strlcpy(o->kind, "lease-revoked", sizeof(o->kind));
	ld_etcd_pb_header(out);
	return 0;
}

int ld_etcd_lease_ttl(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
		      const char **why)
{
	uint64_t id = field(m, 1);
	bool keys = field(m, 2) != 0;
	const ld_hp_obj *o = ld_etcd_lease_find(c, id);
	const ld_hp_src_state *ss = ld_hp_source_state(c, false);
	(void)why;
	lease_event(c, "etcd.lease.timetolive", grpc, id, -1);
	ld_etcd_pb_header(out);
	ld_etcd_pb_uint(out, 2, id);
	/* an unknown lease: TTL -1, as etcd answers (etcdctl prints "already expired") */
	ld_etcd_pb_uint(out, 3, o ? (uint64_t)remaining(o) : (uint64_t)-1);
	if (o)
		ld_etcd_pb_uint(out, 4, o->flags);
	for (unsigned i = 0; o && keys && ss && i < ss->n; i++)
		if (!strcmp(ss->obj[i].kind, "etcd") && !strcmp(ss->obj[i].extra, o->name))
			ld_etcd_pb_bytes(out, 5, ss->obj[i].name, strlen(ss->obj[i].name));
	return 0;
}

int ld_etcd_lease_leases(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			 const char **why)
{
	const ld_hp_src_state *ss = ld_hp_source_state(c, false);
	size_t listed = 0;
	(void)m;
	(void)why;
	lease_event(c, "etcd.lease.list", grpc, 0, -1);
	ld_etcd_pb_header(out);
	for (unsigned i = 0; ss && i < ss->n && listed < LEASES_LISTED; i++) {
		ld_buf one;
		if (strcmp(ss->obj[i].kind, "lease"))
			continue;
		ld_buf_init(&one, 32);
		ld_etcd_pb_uint(&one, 1, strtoull(ss->obj[i].name, NULL, 16));
		ld_etcd_pb_bytes(out, 2, one.ptr, one.len);
		ld_buf_release(&one);
		listed++;
	}
	return 0;
}

int ld_etcd_lease_keepalive(ld_hp_conn *c, const char *grpc, ld_slice m, ld_buf *out,
			    const char **why)
{
	uint64_t id = field(m, 1);
	ld_hp_obj *o = ld_etcd_lease_find(c, id);
	(void)why;
	lease_event(c, "etcd.lease.keepalive", grpc, id, -1);
	if (o)
		o->created = (int64_t)time(NULL);
	ld_etcd_pb_header(out);
	ld_etcd_pb_uint(out, 2, id);
	/* TTL 0 for a lease not found: etcdctl then says it expired or was revoked */
	ld_etcd_pb_uint(out, 3, o ? o->flags : 0);
	return 0;
}

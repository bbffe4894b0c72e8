/* The Kubernetes emulation's cluster (kubeobj.c): resources, discovery and decoy objects, used
 * by the API routes in kube.c. */
#ifndef LD_HP_KUBE_H
#define LD_HP_KUBE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/slice.h"
#include "honeypot/hp.h"

typedef struct ld_kube_res {
	const char *name, *singular, *kind, *gv, *shorts; /* shorts: JSON strings, comma-joined */
	bool namespaced;
	const char *verbs; /* JSON array */
	const char *cols;  /* Table column definitions (JSON objects), NULL for subresources */
} ld_kube_res;

/* The resource NAME of group/version gv ("v1", "apps/v1"), or NULL. */
const ld_kube_res *ld_hp_kube_res(ld_slice gv, ld_slice name);
/* Discovery documents for path segments seg[0..n); false when the path is not discovery. */
bool ld_hp_kube_discovery(ld_buf *b, const ld_slice *seg, size_t n);
/* A List (or, single, the one object named; with table, a meta.k8s.io Table) of resource r in
 * namespace ns (NULL: all), only the object `name` when given, from the decoys and what the
 * source created, less what it deleted (st may be NULL). Returns the number of objects. */
size_t ld_hp_kube_list(ld_buf *b, const ld_kube_res *r, const char *ns, const char *name,
		       bool single, bool table, const ld_hp_src_state *st);

/* A list's resourceVersion: the base, plus the sequence number of the source's last object, so
 * that a watch from it knows what the list did not show yet. */
#define LD_HP_KUBE_RV_BASE 48213977u
uint64_t ld_hp_kube_list_rv(const ld_hp_src_state *st);
/* Watch events (one JSON line each, "ADDED" with the object or a one-row Table) for the
 * objects a list would show: the decoys when decoys_too, and the source's own objects added
 * after its state's sequence number `after`. Returns the number of events. */
size_t ld_hp_kube_watch_events(ld_buf *b, const ld_kube_res *r, const char *ns, const char *name,
			       bool table, const ld_hp_src_state *st, bool decoys_too,
			       uint32_t after);
/* Watch streams (kubewatch.c): answer a GET with watch=1/true and hold it open; the loop's
 * tick sends the source's new objects and ends it when due. */
void ld_hp_kube_watch_start(ld_hp_conn *c, const ld_http_req *r, const ld_kube_res *res,
			    const char *ns, const char *name, bool table);

/* exec/attach of a pod: recorded (kube.c). */
void ld_hp_kube_exec(ld_hp_conn *c, const ld_http_req *r, const char *ns, const char *pod,
		     bool attach);

/* A protobuf-encoded object ("k8s\0" envelope) rewritten as its JSON form, the fields the
 * emulation records only (kubepb.c). LADING_EINVALID: not such an envelope. */
int ld_hp_kube_pb_json(ld_slice body, ld_buf *out);

/* SPDY exec streams (kubeexec.c): grant the upgrade when offered (false: not offered), then
 * the connection's input. */
bool ld_hp_kube_spdy_start(ld_hp_conn *c, const ld_http_req *r, const char *pod,
			   const char *line);
size_t ld_hp_kube_spdy_data(ld_hp_conn *c, const char *p, size_t n);
/* What the exec streams share (kubeexec.c): the canned output of a command line, and stdin
 * recorded line by line and answered, written on SPDY or WebSocket as the connection speaks. */
void ld_hp_kube_stream_output(ld_hp_conn *c, ld_slice line);
void ld_hp_kube_stream_stdin(ld_hp_conn *c, ld_slice d);
/* The command has ended: true the first time only, when an unfinished last stdin line is
 * recorded and the caller closes its streams. */
bool ld_hp_kube_stream_end(ld_hp_conn *c);

/* WebSocket exec streams (kubews.c, v5/v4.channel.k8s.io): as for SPDY. */
bool ld_hp_kube_ws_start(ld_hp_conn *c, const ld_http_req *r, const char *pod, const char *line);
size_t ld_hp_kube_ws_data(ld_hp_conn *c, const char *p, size_t n);
/* A channel message (channel byte, then the bytes) in one binary frame. */
void ld_hp_kube_ws_send(ld_hp_conn *c, uint8_t chan, const void *p, size_t n);

#endif

/* Container snapshots (containers.c: records, file formats, rendering; docker.c: Docker Engine
 * API; kube.c: Kubernetes API). Internal to the source stage. */
#ifndef LD_SOURCE_CONTAINERS_H
#define LD_SOURCE_CONTAINERS_H

#include "lading/containers.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"

/* Named limits of snapshot parsing. */
#define LD_SNAP_MAX_CONTAINERS 1000000u   /* records in one snapshot */
#define LD_SNAP_MAX_LABELS 4096u          /* labels of one container */
#define LD_SNAP_MAX_DOC_BYTES (512u << 20) /* one snapshot file or API answer */
#define LD_SNAP_MAX_JSON_DEPTH 64u
#define LD_SNAP_MAX_STR 65536u            /* one field (id, name, label value...) */

struct lading_containers {
	ld_arena arena;
	const char *source;
	const char *format;
	lading_container *items;
	size_t n, cap;
};

/* Parse lading's own container list only (the "lading" format of lading_containers_parse, not
 * detected but required): what lading_containers_parse_json reads. */
int ld_snap_parse_lading(lading_containers **out, lading_ctx *ctx, const char *p, size_t len,
			 const char *what);

int ld_snap_new(lading_containers **out, const char *source, const char *format, lading_ctx *ctx);
/* A zeroed record appended to the snapshot (its source set), NULL on limit or memory error. */
lading_container *ld_snap_add(lading_containers *s, const char *what, lading_ctx *ctx);
/* Sort labels and records: output does not depend on the order a source answered in. */
void ld_snap_finish(lading_containers *s);

/* Record adders, one per document shape. `what` names the file or URL in errors; `off` is the
 * byte offset of the document in it (JSON lines). */
int ld_snap_add_pods(lading_containers *s, const ld_json *items, const char *what, lading_ctx *ctx);
int ld_snap_add_docker_list(lading_containers *s, const ld_json *arr, const char *what, lading_ctx *ctx);
int ld_snap_add_docker_inspect(lading_containers *s, const ld_json *obj, const char *what, lading_ctx *ctx);

/* Docker Engine API (docker.c). */
int ld_docker_snapshot(lading_containers **out, const char *host, const char *source_name,
		       lading_ctx *ctx);
/* Kubernetes API (kube.c). */
#define LD_KUBE_MAX_TOKEN 65536u
typedef struct ld_kube_cfg {
	ld_arena arena;
	bool no_files; /* refuse tokenFile (fuzzing: read nothing from the host) */
	const char *file;
	const char *cluster;
	const char *server;
	const char *ca_file, *cert_file, *key_file; /* paths made relative to the kubeconfig's dir */
	ld_buf ca, cert, key; /* PEM from the *-data fields */
	char auth[LD_KUBE_MAX_TOKEN + 32]; /* "Authorization: Bearer ..." or "" */
	bool insecure;
} ld_kube_cfg;
/* Read a kubeconfig held in memory (zeroed `k` with its arena initialized): the context
 * (NULL = current-context), its cluster and user. `file` names it in errors and anchors
 * relative paths. */
int ld_kube_config_parse(ld_kube_cfg *k, const char *p, size_t len, const char *file, const char *context,
			 lading_ctx *ctx);
void ld_kube_config_release(ld_kube_cfg *k);
int ld_kube_snapshot(lading_containers **out, const lading_containers_options *o, lading_ctx *ctx);

/* "2024-01-02T03:04:05.999+01:00", "2024-01-02 03:04:05 +0000 UTC", unix seconds or
 * nanoseconds as text -> "2024-01-02T02:04:05Z" in the arena; NULL for Go's zero time and for
 * text that is no time. */
const char *ld_snap_time(ld_arena *a, const char *s);
const char *ld_snap_time_unix(ld_arena *a, int64_t secs);

#endif

/* lading: snapshots of the containers of one host or cluster (fleet inventory, issue 15).
 *
 * A snapshot is read from a Docker Engine API (Docker or Podman's compatible service), from a
 * Kubernetes API server (kubeconfig), or from a file written by `docker ps --format json`,
 * `docker inspect`, `crictl ps -o json` or `kubectl get pods -A -o json` (auto-detected).
 * Every source gives the same neutral record, `lading_container`, which the inventory store
 * records as it is (one field per column). */
#ifndef LADING_CONTAINERS_H
#define LADING_CONTAINERS_H

#include "lading/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The record is the inventory's own (include/lading/inventory.h of the store stage declares the
 * same struct, field for field): whichever of the two headers comes first defines it. */
#ifndef LADING_CONTAINER_DEFINED
#define LADING_CONTAINER_DEFINED
typedef struct lading_label {
	const char *key;
	const char *value;
} lading_label;

/* One container as a source reports it. Strings are NULL when the source does not know them;
 * they live as long as the snapshot. Times are RFC 3339 in UTC ("2026-12-07T20:21:15Z"). */
typedef struct lading_container {
	const char *id;             /* required: the engine's container ID (Docker: 64 hex, docker ps:
				       its 12-character prefix; CRI: containerID without its
				       "runtime://" prefix); a Kubernetes container not created yet:
				       "NAMESPACE/POD/CONTAINER" */
	const char *name;           /* container name (Docker: without the leading '/') */
	const char *source;         /* the snapshot's source name (lading_containers_source) */
	const char *namespace_name; /* Kubernetes namespace (crictl: the pod namespace label) */
	const char *pod;
	const char *node;
	const char *owner;          /* the pod's controller "Kind/name" (ReplicaSet/web-7d9f...) */
	const char *image_ref;      /* the image as the container names it ("nginx:1.25") */
	/* The image that really runs, "sha256:HEX": the image ID (config digest) when the source
	 * knows it (Docker, Podman, docker inspect, crictl imageRef), else the registry manifest
	 * digest the runtime pulled (Kubernetes status.containerStatuses[].imageID); docker ps
	 * prints none (NULL). */
	const char *image_digest;
	const lading_label *labels; /* sorted by key */
	size_t label_count;
	const char *state;          /* "running" (also paused, restarting), "created" (Kubernetes:
				       waiting, never run), "exited" (also dead; Kubernetes:
				       terminated, or waiting after a run) */
	const char *created;        /* creation time */
	const char *started;        /* last start time, NULL if never started or unknown */
} lading_container;
#endif

typedef struct lading_containers lading_containers;

typedef struct lading_containers_options {
	unsigned version;          /* LADING_CONTAINERS_OPTIONS_VERSION */
	/* exactly one of these three */
	const char *docker_host;   /* "unix:///var/run/docker.sock" or "tcp://HOST:PORT" */
	const char *kubeconfig;    /* kubeconfig file (its current-context) */
	const char *from_file;     /* snapshot file, "-" = standard input */
	const char *source_name;   /* NULL = derived: "docker:unix:///...", "kube:CLUSTER", "file:PATH" */
	const char *kube_context;  /* kubeconfig context to use, NULL = current-context */
	int insecure;              /* Kubernetes: do not verify the server certificate */
} lading_containers_options;

#define LADING_CONTAINERS_OPTIONS_VERSION 1
#define LADING_CONTAINERS_OPTIONS_INIT {LADING_CONTAINERS_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0}

/* Take one snapshot. Errors name the file or URL, with the byte offset for malformed input. */
LADING_EXTERN(int) lading_containers_read(lading_containers **out, lading_ctx *ctx,
					  const lading_containers_options *opts);
/* Parse a snapshot document held in memory (any of the file formats, or the JSON of the Docker
 * API's /containers/json). `what` names it in errors; `source_name` as in the options. */
LADING_EXTERN(int) lading_containers_parse(lading_containers **out, lading_ctx *ctx, const char *p,
					   size_t len, const char *what, const char *source_name);
LADING_EXTERN(void) lading_containers_free(lading_containers *c);
LADING_EXTERN(size_t) lading_containers_count(const lading_containers *c);
LADING_EXTERN(const lading_container *) lading_containers_get(const lading_containers *c, size_t i);
/* The records as one array of lading_containers_count() (NULL when empty): what
 * lading_snapshot.containers takes. */
LADING_EXTERN(const lading_container *) lading_containers_items(const lading_containers *c);
/* The source name every record carries, and the format that was read: "docker-api",
 * "kubernetes", "docker-ps", "docker-inspect", "crictl", "kubectl", "lading" (lading's own JSON
 * list, as `containers list --format json` writes it). */
LADING_EXTERN(const char *) lading_containers_source(const lading_containers *c);
LADING_EXTERN(const char *) lading_containers_format(const lading_containers *c);
/* Write the snapshot as JSON ({"source","format","containers":[...]}) or as a table.
 * *out is malloc'ed, the caller frees it. */
LADING_EXTERN(int) lading_containers_render(const lading_containers *c, int json, char **out,
					    size_t *len, lading_ctx *ctx);

/* Default Docker host: $DOCKER_HOST, else unix:///var/run/docker.sock. */
LADING_EXTERN(const char *) lading_docker_host_default(void);

#ifdef __cplusplus
}
#endif
#endif

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

typedef struct lading_label {
	const char *key;
	const char *value;
} lading_label;

/* One container. Strings are NULL when the source does not know them; they live as long as the
 * snapshot. Times are RFC 3339 in UTC ("2026-12-07T20:21:15Z"). */
typedef struct lading_container {
	const char *id;           /* engine container id (full when the source gives it), or for a
				     Kubernetes container not created yet "NAMESPACE/POD/CONTAINER" */
	const char *name;         /* container name (Docker: without the leading '/') */
	const char *source;       /* the snapshot's source name (lading_containers_source) */
	const char *namespace_;   /* Kubernetes namespace (crictl: pod namespace label) */
	const char *pod;
	const char *node;
	const char *owner_kind;   /* controller owner reference of the pod (ReplicaSet, DaemonSet...) */
	const char *owner_name;
	const char *image_ref;    /* the image as the container names it ("nginx:1.25", "sha256:...") */
	/* The image that really runs. image_digest is the image's identity in lading: its config
	 * digest (the image ID) when the source knows it (Docker, Podman, crictl, docker inspect);
	 * otherwise the registry manifest digest the runtime pulled (Kubernetes imageID), and
	 * image_digest_kind says which. repo_digest keeps "REPO@sha256:..." when known. */
	const char *image_digest;
	const char *image_digest_kind; /* "config" or "manifest", NULL when no digest is known */
	const char *repo_digest;
	const char *state;        /* "running", "created" or "exited" */
	const char *created;      /* creation time */
	const char *started;      /* last start time, NULL if never started or unknown */
	size_t label_count;
	const lading_label *labels; /* sorted by key */
} lading_container;

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
/* The source name every record carries, and the format that was read: "docker-api",
 * "kubernetes", "docker-ps", "docker-inspect", "crictl", "kubectl". */
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

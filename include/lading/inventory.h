/* lading: the fleet inventory. One store (a SQLite file or a PostgreSQL database) remembers every
 * image recorded (layers, references, package list, findings per database build) and every
 * container seen in a snapshot of a host or cluster, so that `rescan` can match the whole fleet
 * against a new database without reading any image, and `query` can say which images and
 * containers (running or gone) a vulnerability or a package concerns. docs/inventory.md
 * describes the store table by table; docs/formats.md the JSON documents. */
#ifndef LADING_INVENTORY_H
#define LADING_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "lading/containers.h"
#include "lading/image.h"
#include "lading/sbom.h"
#include "lading/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lading_store lading_store;

/* The store to use when none is given: $LADING_STORE, else $XDG_DATA_HOME/lading/store.sqlite,
 * else $HOME/.local/share/lading/store.sqlite (user data: never under the cache directory,
 * which users may wipe). LADING_ENOTFOUND when none can be named, LADING_ELIMIT when too long. */
LADING_EXTERN(int) lading_store_default_url(char *out, size_t outsz);

/* Open (and create, and migrate to the current schema) a store. `url`: a path or
 * "sqlite:PATH" is a SQLite file (WAL, busy timeout: several processes may write at once);
 * "postgres://USER@HOST:PORT/DB?..." or "postgresql://..." is PostgreSQL. NULL = the default.
 * A store written by a newer lading (schema version above this one's) is refused with
 * LADING_EUNSUPPORTED and left untouched. */
LADING_EXTERN(int) lading_store_open(lading_store **out, lading_ctx *ctx, const char *url);
LADING_EXTERN(void) lading_store_close(lading_store *s);
/* The schema version this lading writes, and the one an open store has. */
LADING_EXTERN(int) lading_store_schema_version(void);
/* "sqlite" or "postgres". */
LADING_EXTERN(const char *) lading_store_backend(const lading_store *s);

/* ---- containers: what a snapshot of one host or cluster says about each ---- */

/* lading_label and lading_container: include/lading/containers.h (the sources fill it). */

typedef struct lading_snapshot {
	const char *source;       /* required: names the host or cluster ("unix:///run/docker.sock",
				     a kubeconfig context, --source NAME) */
	const char *taken_at;     /* RFC 3339 UTC; NULL = now */
	const lading_container *containers;
	size_t count;
} lading_snapshot;

typedef struct lading_snapshot_result {
	size_t seen;      /* containers in the snapshot */
	size_t added;     /* first seen now */
	size_t updated;   /* known before (state, image or labels may have changed) */
	size_t gone;      /* known running/created/exited on this source, absent now: marked gone */
} lading_snapshot_result;

/* Record one snapshot in one transaction: each container's row is created or updated (last seen
 * = taken_at), and every container of the same source absent from it is marked "gone" (its last
 * seen time kept). Never deletes. Containers with a duplicate or missing id are refused
 * (LADING_EINVALID, nothing written). */
LADING_EXTERN(int) lading_inventory_record_snapshot(lading_store *s, lading_ctx *ctx,
						  const lading_snapshot *snap,
						  lading_snapshot_result *res);

/* Parse lading's own container list (the document `inventory list containers --format json`
 * writes: {"containers":[{...}]}) into containers allocated in one block: free(*out) frees all.
 * `what` names the input in errors (file name or "-"); errors carry the byte offset. */
LADING_EXTERN(int) lading_containers_parse_json(lading_container **out, size_t *count, lading_ctx *ctx,
					      const char *data, size_t len, const char *what);

/* ---- images ---- */

typedef struct lading_inventory_options {
	unsigned version;                  /* LADING_INVENTORY_OPTIONS_VERSION */
	const char *db_path;               /* vulnerability database; NULL = lading_db_default_path() */
	const lading_image_options *image; /* how to open images (registries, caches); may be NULL */
	int no_match;                      /* record without matching (no database needed) */
} lading_inventory_options;
#define LADING_INVENTORY_OPTIONS_VERSION 1
#define LADING_INVENTORY_OPTIONS_INIT {LADING_INVENTORY_OPTIONS_VERSION, NULL, NULL, 0}

typedef struct lading_inventory_added {
	char digest[80];      /* the image's digest in the store (config digest) */
	int new_image;        /* 1: first time recorded; 0: known (references and times updated) */
	int layers_read;      /* 0 when the image was known and not read at all */
	size_t packages;
	size_t findings;      /* of the current match (0 with no_match) */
	int matched;          /* 1 when a match against the database was stored or reused */
} lading_inventory_added;

/* Open `ref` (anything `scan` takes), and unless the store already has this image with its
 * package list: read it, catalog it, match it against the database, and record image, layers,
 * references, package list and findings in one transaction. A known image is not read again: its
 * reference and times are updated, and it is matched from its stored package list when the
 * database build is new to it. */
LADING_EXTERN(int) lading_inventory_add(lading_store *s, lading_ctx *ctx, const char *ref,
				      const lading_inventory_options *opts, lading_inventory_added *out);

/* Record an inventory already built (an SBOM of an image opened by the caller), and its scan
 * when `scan` is not NULL (findings then belong to the database build `db_path` names). */
LADING_EXTERN(int) lading_inventory_record(lading_store *s, lading_ctx *ctx, const lading_sbom *sbom,
					 const char *ref, const lading_inventory_options *opts,
					 lading_inventory_added *out);

/* An admission decision on a stored image (a reference or digest), by the policy `scan` applies:
 * its current findings go through the ignore file and VEX documents of `policy` (ignore_file,
 * vex_files, today; the library's policy code), then block when one left is at `fail_on` or above
 * (fail_on < 0: no severity gate) or, with `fail_on_kev`, known exploited. */
typedef struct lading_gate {
	int known;          /* the store has the image */
	int blocked;
	size_t blocking;    /* findings that block */
	size_t suppressed;  /* findings the ignore file or VEX suppressed */
} lading_gate;
/* *message (malloc'd, NULL when nothing blocks) names up to `shown` blocking findings:
 * "ID (PACKAGE VERSION, SEVERITY[, known exploited]) ... and N more". */
LADING_EXTERN(int) lading_inventory_gate(lading_store *s, lading_ctx *ctx, const char *image,
				       const lading_scan_options *policy, int fail_on, int fail_on_kev,
				       size_t shown, lading_gate *out, char **message);

/* After lading_inventory_record_snapshot: the images the snapshot's containers run that the store
 * does not have yet are read and recorded as lading_inventory_add does: from the engine for a
 * Docker/Podman API snapshot (docker:ID; opts->image names the engine), from their registry by
 * digest for a Kubernetes snapshot (REPO@sha256:...). Snapshots read from files are left as they
 * are. An image that cannot be read is a warning on ctx and counted in *failed. */
LADING_EXTERN(int) lading_inventory_snapshot_images(lading_store *s, lading_ctx *ctx,
						  const lading_containers *snap,
						  const lading_inventory_options *opts, size_t *added,
						  size_t *failed);

/* ---- crawling a registry: the references `inventory crawl` records ---- */

typedef struct lading_crawl_options {
	unsigned version;      /* LADING_CRAWL_OPTIONS_VERSION */
	const char *repos;     /* glob over repository paths (library/ and a star); NULL = all */
	const char *tags;      /* "latest" (default), "all", or N: the N last tags in the registry's
				  (lexical) order */
	int insecure;          /* plain HTTP or unverified TLS (loopback hosts use HTTP anyway) */
	const char *username;  /* registry credentials; NULL = those of `image`, the environment or
				  the docker config */
	const char *password;
	unsigned page_size;    /* names asked for per request; 0 = 1000 */
	/* version 2 */
	const lading_image_options *image; /* credentials, insecure registries, cache; may be NULL */
	const char *const *platforms;      /* "os/arch[/variant]" filters of index entries (and of
					      single images, by their config); none = every platform */
	size_t platform_count;
} lading_crawl_options;
#define LADING_CRAWL_OPTIONS_VERSION 2
#define LADING_CRAWL_OPTIONS_INIT {LADING_CRAWL_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0}

/* Every selected image of a registry: /v2/_catalog and /v2/NAME/tags/list page by page (the
 * Link header's next page, else n and last), with the registry's authentication (Basic, or
 * Bearer tokens of scope registry:catalog:* and repository:NAME:pull). Each selected tag is
 * resolved to its image manifests: one "REGISTRY/REPO:TAG@sha256:..." per image, i.e. one per
 * platform of a multi-platform index. Names that are not valid references, and tags whose
 * manifest cannot be read, are skipped with a warning. Free the list with
 * lading_registry_crawl_list_free. */
LADING_EXTERN(int) lading_registry_crawl_list(char ***out, size_t *count, lading_ctx *ctx,
					    const char *registry, const lading_crawl_options *o);
LADING_EXTERN(void) lading_registry_crawl_list_free(char **refs, size_t count);

/* ---- reading the store: every function renders a document (table or JSON) into *out
 * (malloc'd, NUL-terminated; free()). JSON shapes are in docs/formats.md. */

typedef enum lading_inventory_query_kind {
	LADING_QUERY_CVE = 1,     /* value: any vulnerability id or alias */
	LADING_QUERY_PACKAGE,     /* value: NAME or NAME@VERSION; `type` optional purl type */
	LADING_QUERY_IMAGE,       /* value: a reference (HOST/REPO:TAG) or a digest (config or manifest) */
	LADING_QUERY_KEV,         /* images with a known exploited finding */
	LADING_QUERY_SEVERITY     /* value: low|medium|high|critical: findings at or above */
} lading_inventory_query_kind;

typedef struct lading_inventory_query {
	lading_inventory_query_kind kind;
	const char *value;
	const char *type;
} lading_inventory_query;

/* {"images":[{"digest","refs","manifests",...,"findings":[...]}],"containers":[...]} */
LADING_EXTERN(int) lading_inventory_query_run(lading_store *s, lading_ctx *ctx,
					    const lading_inventory_query *q, lading_format fmt,
					    char **out, size_t *len);

/* what: "images", "containers", "layers". */
LADING_EXTERN(int) lading_inventory_list(lading_store *s, lading_ctx *ctx, const char *what,
				       lading_format fmt, char **out, size_t *len);

typedef struct lading_rescan_result {
	size_t package_lists;   /* distinct package lists matched */
	size_t packages;        /* distinct package versions matched */
	size_t images;          /* images concerned */
	size_t new_findings;    /* (image, vulnerability) pairs new since the previous match */
	size_t resolved;        /* ... no longer found */
	size_t kev_new;         /* new ones known exploited (newly in KEV or new findings) */
} lading_rescan_result;

/* Match every stored package list against the database (opts->db_path) without reading any
 * image: each distinct package version once for the whole fleet. Stores the new match and
 * renders what changed since each list's previous match: {"new":[...],"resolved":[...]}. */
LADING_EXTERN(int) lading_inventory_rescan(lading_store *s, lading_ctx *ctx,
					 const lading_inventory_options *opts, lading_format fmt,
					 char **out, size_t *len, lading_rescan_result *res);

/* The fleet history: summaries of the fleet as stored now (per "official" group and overall,
 * docs/fleet.md) kept for `report fleet --history`. A rescan writes them itself; `add` callers
 * call this once after recording (`once_a_day`: nothing is written when today's (UTC) summary
 * exists). */
LADING_EXTERN(int) lading_inventory_history(lading_store *s, lading_ctx *ctx, int once_a_day);

typedef struct lading_prune_result {
	size_t images, containers, matches, package_lists, layers, refs;
} lading_prune_result;

/* Delete what was last seen before `before` (YYYY-MM-DD or RFC 3339): image references,
 * containers, images no longer referenced by a reference or a container seen since, then the
 * package lists, matches, packages and layers nothing uses. One transaction. */
LADING_EXTERN(int) lading_inventory_prune(lading_store *s, lading_ctx *ctx, const char *before,
					lading_prune_result *res);

/* Consistency: foreign keys, orphans, counts. Renders the report; returns 0 when consistent,
 * LADING_EINVALID (with the first problem as the error) when not. */
LADING_EXTERN(int) lading_inventory_check(lading_store *s, lading_ctx *ctx, lading_format fmt,
					char **out, size_t *len);

#ifdef __cplusplus
}
#endif
#endif

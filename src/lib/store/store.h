/* Store stage: the fleet inventory's persistence. One interface (ld_store_ops) with one file per
 * backend (sqlite.c, postgres.c). The backends own every SQL text: each implements the same
 * numbered statements (ld_sq) with bound parameters, the numbered migrations, and transactions;
 * store.c holds the logic written once over them (identity by content, one transaction per
 * record with retries, snapshots). Callers above never see SQL or a backend type. */
#ifndef LD_STORE_H
#define LD_STORE_H

#include "lading/inventory.h"
#include "lading/scan.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/vec.h"

/* Named limits. */
#define LD_STORE_URL_MAX 4096
#define LD_STORE_RETRIES 8            /* a transaction that met a conflict or deadlock is re-run */
#define LD_STORE_BUSY_MS 30000        /* SQLite: wait this long for another writer */
#define LD_STORE_MAX_CONTAINERS 1000000 /* containers in one snapshot */
#define LD_STORE_MAX_PARAMS 24
#define LD_STORE_MAX_COLS 24
#define LD_STORE_HASH_LEN 32          /* hex characters of a content hash kept (128 bits) */

/* The schema version this lading writes (migrations 1..N in each backend). */
#define LD_STORE_SCHEMA_VERSION 5

/* Internal: a transaction met a conflict (SQLite busy, PostgreSQL serialization failure or
 * deadlock); store.c re-runs the whole transaction. Never returned to callers. */
#define LD_STORE_ERETRY (-100)

/* A bound value or a result column. */
typedef enum { LD_SV_NULL = 0, LD_SV_INT, LD_SV_REAL, LD_SV_TEXT } ld_sv_type;
typedef struct ld_sv {
	ld_sv_type t;
	int64_t i;
	double d;
	const char *s; /* TEXT: not necessarily NUL-terminated as a parameter; columns are */
	size_t n;
} ld_sv;

static inline ld_sv ld_sv_int(int64_t i)
{
	ld_sv v = {LD_SV_INT, i, 0, NULL, 0};
	return v;
}
static inline ld_sv ld_sv_real(double d)
{
	ld_sv v = {LD_SV_REAL, 0, d, NULL, 0};
	return v;
}
/* NULL or "" binds SQL NULL? No: NULL binds NULL, "" binds the empty string. */
ld_sv ld_sv_text(const char *s);
ld_sv ld_sv_textn(const char *s, size_t n);
/* Column readers: NULL column -> NULL / 0. */
const char *ld_sv_str(const ld_sv *v);
int64_t ld_sv_i64(const ld_sv *v);
double ld_sv_f64(const ld_sv *v);

/* Return 0 to go on, > 0 to stop early (not an error), < 0 on error. */
typedef int (*ld_store_row_fn)(void *opaque, const ld_sv *cols, size_t ncols);

/* The statements every backend implements (parameters and columns in the order the comment
 * gives; docs/inventory.md has the tables). */
typedef enum ld_sq {
	/* os and packages (layers, packages, references, labels: the *_MANY statements below) */
	LD_SQ_OS_GET = 0,        /* (hash) -> id */
	LD_SQ_OS_INSERT,         /* (hash, id, version_id, version, codename, name, pretty, id_like)
				    -> id | no row */
	LD_SQ_PKGLIST_GET,       /* (hash) -> id */
	LD_SQ_PKGLIST_INSERT,    /* (hash, os_id, npkgs, now) -> id | no row */
	/* images */
	LD_SQ_IMAGE_GET,         /* (digest) -> id, pkglist_id */
	LD_SQ_IMAGE_INSERT,      /* (digest, os, arch, variant, created, source_type, pkglist_id, now)
				    -> id | no row */
	LD_SQ_IMAGE_SEEN,        /* (id, now) */
	LD_SQ_IMAGE_BY_REF,      /* (ref) -> image id: by image digest, tag or manifest digest */
	LD_SQ_IMAGE_BY_MANIFEST, /* (manifest digest) -> image digest */
	/* database builds and matches */
	LD_SQ_DBBUILD_GET,       /* (built_at) -> id */
	LD_SQ_DBBUILD_INSERT,    /* (built_at, now) -> id | no row */
	LD_SQ_MATCH_GET,         /* (pkglist_id, dbbuild_id) -> 1 */
	LD_SQ_MATCH_INSERT,      /* (pkglist_id, dbbuild_id, now) */
	LD_SQ_PKGLIST_CURRENT,   /* (pkglist_id, dbbuild_id): the list's current match */
	LD_SQ_FINDINGS_INSERT_MANY, /* (dbbuild_id, [[os_id, package_id, vuln, severity, kev, epss,
				       cvss, fixed, status, aliases], ...]) */
	LD_SQ_MATCH_INSERT_MANY, /* ([pkglist_id, ...], dbbuild_id, now) */
	LD_SQ_PKGLIST_CURRENT_MANY, /* ([pkglist_id, ...], dbbuild_id) */
	/* containers */
	LD_SQ_SNAPSHOT_INSERT,   /* (source, taken_at, containers) -> id */
	LD_SQ_CONTAINER_GONE,    /* (source, snapshot_id, taken_at) -> changes: marked gone */
	LD_SQ_SNAPSHOT_COUNTS,   /* (id, added, gone) */
	/* reading */
	LD_SQ_LIST_IMAGES,       /* () -> IMAGE_COLS: id, digest, os, arch, variant, created,
				    source_type, first_seen, last_seen, npkgs, built_at, layers,
				    os id, os version_id */
	LD_SQ_IMAGE_ROW,         /* (image_id) -> IMAGE_COLS */
	LD_SQ_LIST_REFS,         /* () -> image_id, kind, ref, first_seen, last_seen */
	LD_SQ_REFS_OF_IMAGE,     /* (image_id) -> same */
	LD_SQ_LIST_CONTAINERS,   /* () -> CONTAINER_COLS: source, cid, name, namespace, pod, node,
				    owner, image_ref, image_digest, labels, state, created, started,
				    first_seen, last_seen */
	LD_SQ_LIST_LAYERS,       /* () -> digest, blob_digest, media_type, size, first_seen,
				    last_seen, images */
	LD_SQ_IMAGE_FINDINGS,    /* (image_id) -> image_id, FINDING_COLS: vuln, severity, kev, epss,
				    cvss, fixed, status, aliases, type, name, version, layer */
	LD_SQ_IMAGES_BY_VULN,    /* (id) -> image_id, FINDING_COLS (id itself or an alias of it) */
	LD_SQ_IMAGES_BY_PACKAGE, /* (name, version|NULL, type|NULL) -> image_id */
	LD_SQ_IMAGES_BY_KEV,     /* () -> image_id, FINDING_COLS */
	LD_SQ_IMAGES_BY_SEVERITY,/* (min severity) -> image_id, FINDING_COLS */
	LD_SQ_CONTAINERS_OF_IMAGE, /* (image_id) -> CONTAINER_COLS */
	/* sets bound as one JSON array parameter: one statement whatever the set's size */
	LD_SQ_IMAGES_BY_IDS,     /* ([ids]) -> IMAGE_COLS */
	LD_SQ_REFS_BY_IDS,       /* ([ids]) -> image_id, kind, ref, first_seen, last_seen */
	LD_SQ_CONTAINERS_BY_DIGESTS, /* (["sha256:..."]) -> CONTAINER_COLS */
	/* rescan */
	LD_SQ_RESCAN_ITEMS,      /* () -> pkglist_id, os_id, dbbuild_id|NULL, package_id, layer */
	LD_SQ_RESCAN_OSES,       /* () -> id, os_id, version_id, version, codename, name, pretty, id_like */
	LD_SQ_RESCAN_PACKAGES,   /* () -> id, then the package columns of PKG_INSERT_MANY after hash */
	LD_SQ_FINDINGS_OF_BUILD, /* (dbbuild_id) -> os_id, package_id, vuln, severity, kev */
	LD_SQ_IMAGES_OF_PKGLISTS,/* () -> image id, digest, pkglist_id */
	/* the fleet report (fleet_load.c) */
	LD_SQ_FLEET_IMAGES,      /* () -> id, digest, created, source_type, first_seen, last_seen,
				    dbbuild_id of its list (NULL: never matched) */
	LD_SQ_FLEET_LAYERS,      /* () -> image_id, position, layer digest */
	LD_SQ_FLEET_BUILD_FINDINGS, /* () -> dbbuild_id, os_id, package_id, vuln, severity, kev, epss,
				       cvss, fixed, status, aliases, type, name, version: the findings
				       of every build that is some image's list's current one, in
				       (build, os, package, vuln) order */
	LD_SQ_FLEET_ITEMS,       /* () -> pkglist_id, os_id, dbbuild_id|NULL, package_id, layer: the
				    items of the lists images use, in (list, package, layer) order */
	LD_SQ_FLEET_CONTAINERS,  /* () -> source, cid, name, namespace, image_ref, image_digest, state,
				    first_seen, last_seen, in the order they were first recorded */
	LD_SQ_ITEMS_OF_IMAGE,    /* (digest) -> as RESCAN_ITEMS, for one image's list */
	LD_SQ_PACKAGES_OF_IMAGE, /* (digest) -> as RESCAN_PACKAGES, for one image's list */
	/* prune (before) and check */
	LD_SQ_PRUNE_REFS,
	LD_SQ_PRUNE_CONTAINERS,
	LD_SQ_PRUNE_IMAGE_LAYERS,
	LD_SQ_PRUNE_IMAGES,
	LD_SQ_PRUNE_MATCHES,
	LD_SQ_PRUNE_ITEMS,
	LD_SQ_PRUNE_PKGLISTS,
	LD_SQ_PRUNE_FINDINGS,
	LD_SQ_PRUNE_PACKAGES,
	LD_SQ_PRUNE_LAYERS,
	LD_SQ_CHECK,             /* () -> problem, count: one row per consistency check (0 = good) */
	LD_SQ_COUNTS,            /* () -> table, count */
	/* the census (migration 2): exposed services, one row per (target, port, transport) */
	LD_SQ_CENSUS_PUT,        /* (target, port, transport, service, product, version, distro, cpe,
				    evidence, time, source, origin, note, attrs): a newer record
				    replaces an older one */
	LD_SQ_CENSUS_NOTE_IMPORT,/* (origin, format, imported_at, records, skipped, ignored) */
	LD_SQ_CENSUS_IMPORTED,   /* (origin, format) -> count */
	LD_SQ_CENSUS_LOAD,       /* () -> target, port, transport, service, product, version, distro,
				    cpe, evidence, time, source, note, attrs */
	/* the HTTP service (migration 3): tokens (their SHA-256 only) and the job queue */
	LD_SQ_TOKEN_INSERT,      /* (name, scope, hash, now) -> id | no row (name or hash taken) */
	LD_SQ_TOKEN_BY_HASH,     /* (hash) -> id, name, scope, hash: not revoked */
	LD_SQ_TOKEN_LIST,        /* () -> id, name, scope, created, last_used, revoked */
	LD_SQ_TOKEN_REVOKE,      /* (name, now) -> changes */
	LD_SQ_TOKEN_USED,        /* (id, now) */
	LD_SQ_JOB_INSERT,        /* (kind, ref, priority, now) -> id */
	LD_SQ_JOB_GET,           /* (id) -> id, kind, ref, state, image, error, attempts */
	LD_SQ_JOB_CLAIM,         /* (now, lease_until, worker) -> id, kind, ref, attempts: the ready
				    job of highest priority, or one whose lease expired (PostgreSQL:
				    FOR UPDATE SKIP LOCKED) */
	LD_SQ_JOB_HEARTBEAT,     /* (id, worker, lease_until) -> changes */
	LD_SQ_JOB_FINISH,        /* (id, worker, state, image, error, not_before, now) -> changes:
				    only while this worker holds the lease */
	LD_SQ_JOB_WAKE,          /* (): PostgreSQL NOTIFY lading_job */
	/* image config labels and the fleet history (migration "labels and history") */
	LD_SQ_FLEET_LABELS,      /* () -> image_id, key, value */
	LD_SQ_LABELS_BY_IDS,     /* ([ids]) -> image_id, key, value */
	LD_SQ_PRUNE_LABELS,      /* (): labels of images no longer stored */
	LD_SQ_SUMMARY_LIST,      /* () -> time, group_by, grp|NULL, images, vulnerabilities,
				    vulns_median, vulns_p90, new_findings, fixed_findings, kev_images,
				    critical_images, fixable_images, containers_running, in time order */
	LD_SQ_SUMMARY_PUT_MANY,  /* ([[the 13 columns of SUMMARY_LIST], ...]) */
	LD_SQ_SUMMARY_LAST,      /* () -> time of the newest summary (text), no row when none */
	/* notifications and scheduled rescans (migration 5, service/notify.c, service/deliver.c) */
	LD_SQ_WEBHOOK_INSERT,    /* (url, secret, events, all_images, format, now) -> id */
	LD_SQ_WEBHOOK_LIST,      /* () -> id, url, events, all_images, format, created: not removed */
	LD_SQ_WEBHOOK_REMOVE,    /* (id, now) -> changes */
	LD_SQ_XACT_LOCK,         /* (key): PostgreSQL pg_advisory_xact_lock (SQLite: the write lock
				    BEGIN IMMEDIATE took is already exclusive) */
	LD_SQ_NOTIFY_RUNNING,    /* () -> image_id, running containers (by config or manifest digest) */
	LD_SQ_NOTIFY_CURRENT,    /* (image_id|NULL = all) -> image_id, digest, FINDING_COLS */
	LD_SQ_NOTIFY_SEEN,       /* () -> image_id, vuln, pkg, kev, severity */
	LD_SQ_NOTIFY_SEEN_OF,    /* (image_id) -> the same for one image */
	LD_SQ_NOTIFY_SEEN_CLEAR_MANY, /* ([image_id, ...]) */
	LD_SQ_NOTIFY_SEEN_CLEAR_ALL, /* () */
	LD_SQ_NOTIFY_SEEN_PUT_ALL, /* ([[image_id, vuln, pkg, kev, severity], ...]) */
	LD_SQ_NOTIFY_SEEN_PRUNE, /* (): rows of images no longer stored */
	LD_SQ_EVENT_INSERT_MANY, /* ([[uid, type, image, created, body, slack|null], ...]) */
	LD_SQ_DELIVERY_INSERT_MANY, /* ([[webhook_id, event uid], ...], now) */
	LD_SQ_DELIVERY_CLAIM,    /* (now, lease_until, worker) -> id, attempts: a ready delivery of a
				    live webhook, or one whose lease expired (FOR UPDATE SKIP LOCKED) */
	LD_SQ_DELIVERY_LOAD,     /* (id) -> url, secret, format, uid, type, created, body, slack */
	LD_SQ_DELIVERY_FINISH,   /* (id, worker, state, status, error, not_before, now, delivered)
				    -> changes: only while this worker holds the lease */
	LD_SQ_DELIVERY_LIST,     /* (webhook_id|NULL, limit) -> id, webhook_id, url, uid, type, image,
				    state, attempts, status, error, created, updated, delivered,
				    not_before: newest first */
	LD_SQ_DELIVERY_REQUEUE,  /* (id|NULL = every parked one, now) -> changes: parked -> queued, due now */
	LD_SQ_SCHEDULE_SLOT,     /* (key, now) -> 1 | no row when the key was taken before */
	LD_SQ_PRUNE_DELIVERIES,  /* (before): delivered or parked deliveries last updated before */
	LD_SQ_PRUNE_EVENTS,      /* (before): events created before that no delivery names */
	LD_SQ_PRUNE_SLOTS,       /* (before): keys of scheduled rescans */
	LD_SQ_JOB_CLAIM_RESCAN,  /* (now, lease_until, worker, max) -> id, kind, ref, attempts: a rescan
				    job, only while fewer than max run (call under LD_SQ_XACT_LOCK) */
	/* many rows per statement (batch.c): the last parameter is a JSON array of rows */
	LD_SQ_PKG_INSERT_MANY,   /* ([[hash, type, name, version, arch, purl, source_name,
				    source_version, epoch, upstream_version, release, license, found_by,
				    location, flags, cpe], ...]): the packages not yet stored */
	LD_SQ_PKG_IDS_MANY,      /* ([hash, ...]) -> hash, id */
	LD_SQ_PKGLIST_ITEM_MANY, /* (pkglist_id, [[package_id, layer], ...]) */
	LD_SQ_ALIAS_INSERT_MANY, /* ([[alias, vuln], ...]) */
	LD_SQ_LAYER_PUT_MANY,    /* (now, [[digest, blob_digest, media_type, size], ...]): inserted, or
				    last_seen = now */
	LD_SQ_IMAGE_LAYER_MANY,  /* (image_id, [[position, layer digest], ...]) */
	LD_SQ_IMAGE_LABEL_PUT_MANY, /* (image_id, [[key, value], ...]): an existing (image, key) kept */
	LD_SQ_REF_UPSERT_MANY,   /* (image_id, now, [[kind, ref], ...]): first_seen kept, last_seen = now */
	LD_SQ_CONTAINER_MAX_ID,  /* () -> the highest container id (no row or NULL: none) */
	LD_SQ_CONTAINER_UPSERT_MANY, /* (now, snapshot_id, max_id, [[source, cid, name, namespace, pod,
					node, owner, image_ref, image_digest, labels, state, created,
					started], ...]): created, or updated when not older -> one row per container
					written: 1 if it was inserted (its id above max_id, the
					highest id before the statement), 0 if updated */
	LD_SQ_COUNT
} ld_sq;

typedef struct lading_store ld_store;

typedef struct ld_store_ops {
	const char *name; /* "sqlite", "postgres" */
	/* Connect; `target` is the path or the connection URL. */
	int (*open)(ld_store *s, const char *target);
	void (*close)(ld_store *s);
	/* Apply the numbered migrations not yet applied, one transaction each; refuse a store with a
	 * newer schema (LADING_EUNSUPPORTED) before changing anything. Sets s->schema. */
	int (*migrate)(ld_store *s);
	int (*begin)(ld_store *s);
	int (*commit)(ld_store *s);
	void (*rollback)(ld_store *s);
	/* Run statement q with its parameters; each result row goes to fn (may be NULL). *changes
	 * (may be NULL) gets the rows changed by an INSERT/UPDATE/DELETE. */
	int (*exec)(ld_store *s, ld_sq q, const ld_sv *params, size_t nparams, ld_store_row_fn fn,
		    void *opaque, int64_t *changes);
	/* Wait up to timeout_ms for a wake-up of the job queue from any process (PostgreSQL:
	 * LISTEN/NOTIFY, LD_SQ_JOB_WAKE sends it). NULL when the backend has none (SQLite). */
	int (*wait)(ld_store *s, int timeout_ms);
} ld_store_ops;

struct lading_store {
	const ld_store_ops *ops;
	void *be;                   /* the backend's connection state */
	lading_ctx *ctx;            /* the context of the call in progress */
	char target[LD_STORE_URL_MAX]; /* path or URL without its password, for messages */
	int schema;                 /* version found/applied */
	bool in_tx;
};

extern const ld_store_ops ld_store_sqlite_ops;
extern const ld_store_ops ld_store_postgres_ops;

/* ops->wait, or LADING_EUNSUPPORTED at once when the backend has no wake-ups. */
int ld_store_wait(ld_store *s, int timeout_ms);

/* One statement, with the error put on s->ctx. */
int ld_store_exec(ld_store *s, ld_sq q, const ld_sv *p, size_t np, ld_store_row_fn fn, void *opaque,
		  int64_t *changes);
/* One statement returning at most one integer: *out = first column of the first row, *found. */
int ld_store_exec_id(ld_store *s, ld_sq q, const ld_sv *p, size_t np, int64_t *out, bool *found);

/* Run fn inside one transaction; re-run it (LD_STORE_RETRIES times) when the backend reports a
 * conflict. fn must be safe to re-run (it only writes through the store). */
typedef int (*ld_store_tx_fn)(ld_store *s, void *opaque);
int ld_store_transaction(ld_store *s, ld_store_tx_fn fn, void *opaque);

/* Rows sent many at a time (batch.c): each row is one JSON value (an array of the row's columns,
 * or a scalar) written by the caller; the rows go to statement q as one JSON array, the parameter
 * after the fixed ones. Use: row = ld_store_batch_row(), write one value, ld_store_batch_next();
 * at the end ld_store_batch_flush() and ld_store_batch_release(). */
#define LD_STORE_BATCH_ROWS 4000
#define LD_STORE_BATCH_BYTES (4u << 20)
typedef struct ld_store_batch {
	ld_store *s;
	ld_sq q;
	ld_sv p[LD_STORE_MAX_PARAMS];
	size_t np;
	ld_buf b;
	ld_jw w;
	size_t rows;
	ld_store_row_fn fn; /* result rows of each statement (may be NULL) */
	void *opaque;
} ld_store_batch;
void ld_store_batch_init(ld_store_batch *bt, ld_store *s, ld_sq q, const ld_sv *p, size_t np);
ld_jw *ld_store_batch_row(ld_store_batch *bt);
int ld_store_batch_next(ld_store_batch *bt);
int ld_store_batch_flush(ld_store_batch *bt);
void ld_store_batch_release(ld_store_batch *bt);

/* "2026-12-07T20:21:15Z" */
void ld_store_now(char out[32]);
/* sha256 of the bytes, first LD_STORE_HASH_LEN hex characters. */
void ld_store_hash(const void *p, size_t n, char out[LD_STORE_HASH_LEN + 1]);

/* ---- what store.c records ---- */

typedef struct ld_store_finding {
	const char *vuln;
	size_t package;       /* index into the record's packages */
	int severity;         /* lading_severity */
	int kev;
	double epss;          /* < 0 unknown */
	double cvss;          /* < 0 none */
	const char *fixed;    /* fixed versions joined by ", " or NULL */
	const char *status;
	const char *aliases;  /* joined by " " or NULL */
} ld_store_finding;

typedef struct ld_store_image {
	const char *digest;        /* config digest (image identity) */
	const char *os, *architecture, *variant, *created, *source_type;
	const lading_layer_info *layers;
	size_t nlayers;
	const char *const *tags;   /* normalized HOST/REPO:TAG */
	size_t ntags;
	const char *const *manifests; /* manifest digests */
	size_t nmanifests;
	const lading_os *osinfo;
	const lading_package *const *pkgs;
	size_t npkgs;
	/* match (optional: dbbuild NULL = not matched) */
	const char *dbbuild;       /* the database's built_at */
	const ld_store_finding *findings;
	size_t nfindings;
	const lading_image_label *labels; /* config labels */
	size_t nlabels;
} ld_store_image;

typedef struct ld_store_put_result {
	int64_t image_id;
	bool new_image;
	bool new_pkglist;
} ld_store_put_result;

/* Record an image in one transaction (identity by content: re-recording is a no-op apart from
 * last-seen times). */
int ld_store_put_image(ld_store *s, const ld_store_image *img, ld_store_put_result *res);
/* vuln_alias rows for the space-separated aliases of vuln, into a batch of ALIAS_INSERT_MANY. */
int ld_store_alias_rows(ld_store_batch *bt, const char *vuln, const char *aliases);
/* What the store knows of an image digest: *found, its pkglist and whether the list has a match
 * for `dbbuild` (NULL: not asked). */
int ld_store_image_known(ld_store *s, const char *digest, const char *dbbuild, bool *found,
			 bool *matched);
/* The image (its digest) a manifest digest was recorded for: *found. */
int ld_store_image_by_manifest(ld_store *s, const char *manifest, char *digest, size_t digestsz,
			       bool *found);
/* Touch a known image: references seen now; its config labels stored when missing (images
 * recorded before labels were kept get them so). */
int ld_store_touch_image(ld_store *s, const char *digest, const char *const *tags, size_t ntags,
			 const char *const *manifests, size_t nmanifests, const lading_image_label *labels,
			 size_t nlabels);
/* Snapshots (one transaction). */
int ld_store_put_snapshot(ld_store *s, const lading_snapshot *snap, lading_snapshot_result *res);

/* SQLite only: rows of a census file of the old format (table `records`, before the census moved
 * into the store) at `path`, read-only: target, port, transport, service, product, version,
 * distro, cpe, evidence, time, source, origin, note, attrs. *present = false when `path` is not
 * such a file (nothing read). */
int ld_store_sqlite_legacy_census(const char *path, ld_store_row_fn fn, void *opaque, bool *present,
				  lading_ctx *ctx);

/* Open with an explicit URL (no default lookup); used by lading_store_open. */
int ld_store_open(lading_store **out, lading_ctx *ctx, const char *url);

#endif

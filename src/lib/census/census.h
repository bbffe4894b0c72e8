/* Census stage: probes (one file per protocol), the non-blocking engine, importers of scan data,
 * the census store and the assessment. docs/census.md describes formats and methods.
 *
 * Protocol parsers are pure functions over the bytes one exchange has read so far: the engine
 * (engine.c) owns sockets and time, the parsers only say what the bytes mean. The same parsers
 * read banners found in imported scan data. */
#ifndef LD_CENSUS_H
#define LD_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/census.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/slice.h"
#include "util/vec.h"

/* Named limits shared by probes and importers. */
#define LD_CENSUS_EVIDENCE_MAX 512 /* bytes of what a service said kept as evidence (raw) */
#define LD_CENSUS_FIELD_MAX 128	   /* product, version, distro, note strings */
#define LD_CENSUS_ATTRS_MAX 12	   /* attributes on one record */
#define LD_CENSUS_ATTR_MAX 256	   /* one attribute value */
#define LD_CENSUS_TARGET_MAX 255   /* host name or address */

/* ------------------------------------------------------------------ observations */

/* What one service disclosed so far; parsers fill it, strings live in `arena`. */
typedef struct ld_census_obs {
	ld_arena *arena;
	const char *service, *product, *version, *distro, *cpe, *note, *evidence;
	lading_census_attr attrs[LD_CENSUS_ATTRS_MAX];
	size_t nattrs;
	/* set by a parser with its verdict */
	unsigned step_next; /* LD_PV_NEXT / LD_PV_RECONNECT: the step to run (default step + 1) */
	int switch_to;	    /* LD_PV_SWITCH: the probe to run instead */
	/* probe state carried between steps (HTTP: paths already asked) */
	unsigned flags;
} ld_census_obs;

void ld_census_obs_init(ld_census_obs *o, ld_arena *arena);
/* Store a sanitized copy of `v` (printable, capped at LD_CENSUS_FIELD_MAX, blanks trimmed) in
 * *field; an empty value leaves the field as it was. */
void ld_census_obs_set(ld_census_obs *o, const char **field, ld_slice v);
/* Add or replace an attribute (value sanitized, capped at LD_CENSUS_ATTR_MAX). */
void ld_census_obs_attr(ld_census_obs *o, const char *key, ld_slice v);
const char *ld_census_obs_get_attr(const ld_census_obs *o, const char *key);
/* Product from a name as services and scan data spell it ("OpenSSH", "Apache httpd", "nginx",
 * "Redis key-value store", "MariaDB"...): canonical key, or the name lowercased when unknown. */
void ld_census_obs_product(ld_census_obs *o, ld_slice name);
/* Version as disclosed: split off a distribution build hint and product-specific decorations
 * ("9.2p1 Debian 2+deb12u3", "5.5.5-10.11.19-MariaDB-0+deb12u1", "2.4.57 (Debian)",
 * "v1.28.2"); fills version and distro (when it finds one). */
void ld_census_obs_version(ld_census_obs *o, ld_slice raw);
/* Evidence: escaped copy of at most LD_CENSUS_EVIDENCE_MAX bytes (\r \n \t \\ \xNN). */
void ld_census_obs_evidence(ld_census_obs *o, ld_slice raw);
/* Fill the CPE from product and version when a mapping is known and none was given. */
void ld_census_obs_finish(ld_census_obs *o);
/* Copy an observation into a public record (attrs copied into the arena). */
int ld_census_obs_to_record(const ld_census_obs *o, lading_census_record *r);

/* Escape bytes for display: printable ASCII kept, \r \n \t \\ and \xNN otherwise. */
void ld_census_escape(ld_buf *b, ld_slice raw);
/* Does this look like a distribution build marker ("deb12u3", "ubuntu", "el8", "Debian")? */
bool ld_census_is_distro_hint(ld_slice s);

/* ------------------------------------------------------------------ products */

typedef struct ld_census_product {
	const char *key;     /* canonical: "openssh" */
	const char *name;    /* display: "OpenSSH" */
	const char *bitnami; /* Bitnami OSV package, NULL when Bitnami does not track it */
	const char *cpe_vendor, *cpe_product; /* NVD's names (also for the CPE we write) */
	const char *cpe_vendor2, *cpe_product2; /* a second NVD spelling, or NULL */
	unsigned branch_parts; /* components of a release line: 2 (major.minor) or 1 (major) */
} ld_census_product;

/* By canonical key; NULL when lading knows nothing about it. */
const ld_census_product *ld_census_product_get(const char *key);
/* Canonical key for a name as written (case-insensitive aliases), NULL when unknown. */
const char *ld_census_product_key(ld_slice name);

/* ------------------------------------------------------------------ protocols */

/* A parser's verdict on the bytes one exchange has read so far. */
typedef enum {
	LD_PV_MORE = 0,	  /* need more bytes (a parser never says this when `eof`) */
	LD_PV_DONE,	  /* the observation is complete */
	LD_PV_NOMATCH,	  /* not this protocol (or nothing said) */
	LD_PV_NEXT,	  /* run step o->step_next on this connection */
	LD_PV_RECONNECT,  /* run step o->step_next on a new connection */
	LD_PV_SWITCH	  /* it is protocol o->switch_to: run it from step 0 on a new connection */
} ld_pv;

enum {
	LD_PROBE_BANNER = 0, /* say nothing, read the greeting */
	LD_PROBE_SSH,
	LD_PROBE_MYSQL,
	LD_PROBE_HTTP,
	LD_PROBE_REDIS,
	LD_PROBE_MEMCACHED,
	LD_PROBE_POSTGRES,
	LD_PROBE_MONGODB,
	LD_PROBE_COUNT
};

typedef struct ld_census_probe {
	const char *name;
	bool server_first; /* the service speaks first: step 0 sends nothing */
	/* The request of `step` into `out` (left empty: send nothing). False: no such step. */
	bool (*request)(unsigned step, const ld_census_obs *o, ld_buf *out);
	/* Judge `in` (everything this exchange read so far); `eof` when no more will come (peer
	 * closed, time or byte cap reached). */
	ld_pv (*parse)(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
} ld_census_probe;

extern const ld_census_probe ld_census_probes[LD_PROBE_COUNT];

/* The probe a well-known port suggests, or -1. */
int ld_census_probe_for_port(unsigned port);
/* Recognize what a service sent unprompted or in answer to another protocol's request.
 * Returns a probe ID or -1; *reparse is true when that probe's step-0 parser reads these very
 * bytes (a greeting), false when the probe must run on a new connection. */
int ld_census_classify(ld_slice in, bool *reparse);

/* Parsers and requests, one pair per protocol file (exposed for tests and fuzzing). */
ld_pv ld_census_banner_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_ssh_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_mysql_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_http_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_redis_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_memcached_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_postgres_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
ld_pv ld_census_mongodb_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o);
bool ld_census_http_request(unsigned step, const ld_census_obs *o, ld_buf *out);
bool ld_census_redis_request(unsigned step, const ld_census_obs *o, ld_buf *out);
bool ld_census_memcached_request(unsigned step, const ld_census_obs *o, ld_buf *out);
bool ld_census_postgres_request(unsigned step, const ld_census_obs *o, ld_buf *out);
bool ld_census_mongodb_request(unsigned step, const ld_census_obs *o, ld_buf *out);

/* HTTP pieces reused by importers: read a response's status, headers and body (de-chunked into
 * `body`); false when `in` is not an HTTP response. */
typedef struct ld_http_msg {
	int status;
	ld_slice server, headers; /* Server header value; the raw header block */
	bool complete;		  /* the whole body is in */
} ld_http_msg;
bool ld_census_http_read(ld_slice in, bool eof, ld_http_msg *m, ld_buf *body);
/* Header value by name (case-insensitive) in a raw header block. */
ld_slice ld_census_http_header(ld_slice headers, const char *name);
/* Interpret a Server header ("nginx/1.22.1", "Apache/2.4.57 (Debian)", "Docker/24.0.7 (linux)").
 */
void ld_census_http_server(ld_census_obs *o, ld_slice server);
/* Interpret a JSON body from "/", "/version" or "/v1/agent/self". True when it named a product. */
bool ld_census_http_json(ld_census_obs *o, ld_slice body);

/* ------------------------------------------------------------------ record sets */

struct lading_census {
	ld_arena arena;
	ld_vec recs; /* lading_census_record */
	lading_probe_stats stats;
};

int ld_census_new(lading_census **out);
/* Append a copy of a record (strings copied into c's arena). */
int ld_census_add_record(lading_census *c, const lading_census_record *r);
/* Current time as RFC 3339 UTC ("2024-05-01T12:00:00Z"). */
void ld_census_now(char out[32]);

/* ------------------------------------------------------------------ probing (engine.c) */

int ld_census_probe_run(lading_census *c, const char *const *targets, size_t ntargets,
			const lading_probe_options *opts, lading_ctx *ctx);
/* Parse "22,80,8000-8100" into a sorted, de-duplicated list (malloc'd). */
int ld_census_parse_ports(const char *spec, uint16_t **out, size_t *n, lading_ctx *ctx);

/* ------------------------------------------------------------------ importers */

/* Importers hand each record to a sink (the store). */
typedef struct ld_census_sink {
	int (*put)(void *opaque, const lading_census_record *r);
	void *opaque;
	uint64_t records, skipped, ignored;
} ld_census_sink;

/* Hand a finished observation to the sink as a record (CPE filled in, time normalized). */
int ld_census_emit(ld_census_sink *sink, ld_census_obs *o, const char *target, unsigned port,
		   const char *transport, const char *time, const char *source);
/* Fill what an importer's structured fields left open from the raw banner a scanner kept
 * (SSH identification, HTTP response head, greeting, Redis INFO text). */
void ld_census_obs_from_banner(ld_census_obs *o, ld_slice data);
/* Protocol names as scanners write them ("SSH", "memcache", "postgres", "https") -> ours. */
void ld_census_obs_service(ld_census_obs *o, ld_slice name);
/* "2024-05-01T12:00:00.123456+00:00", "2024-05-01 12:00:00", epoch seconds -> RFC 3339 UTC
 * ("2024-05-01T12:00:00Z"); NULL when it cannot tell. */
const char *ld_census_time_norm(ld_arena *a, const char *t);

/* Each importer reads a whole document from memory. `what` names it in warnings. */
int ld_census_import_shodan(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what);
int ld_census_import_censys(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what);
int ld_census_import_zgrab2(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what);
int ld_census_import_nmap(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what);
int ld_census_import_lading(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what);
/* Each JSON value of a document: the items of a top-level array, else one value per line (JSON
 * lines; a line that does not parse is a warning and counted as skipped). A line whose object has
 * `array_key` holding an array (an API response: {"matches": [...]}) yields that array's items.
 * Values live in `a` until fn returns. */
typedef int (*ld_census_json_fn)(void *opaque, const ld_json *v, size_t index, ld_arena *a);
int ld_census_json_each(ld_slice data, const char *array_key, ld_census_json_fn fn, void *opaque,
			ld_census_sink *sink, lading_ctx *ctx, const char *what);
/* Format of a document from its first bytes: "shodan", "censys", "zgrab2", "nmap", "lading", or
 * NULL. */
const char *ld_census_detect_format(ld_slice data);
int ld_census_import_data(ld_slice data, const char *format, ld_census_sink *sink, lading_ctx *ctx,
			  const char *what);

/* ------------------------------------------------------------------ store (store.c) */

typedef struct ld_census_store ld_census_store;
int ld_census_store_open(ld_census_store **out, const char *path, bool create, lading_ctx *ctx);
void ld_census_store_close(ld_census_store *s);
int ld_census_store_begin(ld_census_store *s);
int ld_census_store_commit(ld_census_store *s);
int ld_census_store_put(ld_census_store *s, const lading_census_record *r, const char *origin);
int ld_census_store_note_import(ld_census_store *s, const char *origin,
				const lading_census_import_result *res);
int ld_census_store_load(ld_census_store *s, lading_census *c);

/* ------------------------------------------------------------------ assessment */

struct lading_census_assessment {
	ld_arena arena;
	lading_census_product_stat *products;
	size_t nproducts;
	size_t unidentified;
	size_t records;
	const char *db_built_at;
	const char *generated_at;
};

/* Normalize a disclosed version for comparison with Bitnami's SEMVER ranges: the leading
 * numeric core padded to three components ("15.4" -> "15.4.0"); NULL when it has none. */
const char *ld_census_semver_core(ld_arena *a, const char *v);

int ld_census_write_table(ld_buf *b, const lading_census_assessment *a);
int ld_census_write_json(ld_buf *b, const lading_census_assessment *a);
int ld_census_write_html(ld_buf *b, const lading_census_assessment *a);

#endif

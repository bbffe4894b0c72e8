/* lading: exposed-service census (docs/census.md).
 *
 * Probe network services for the product and version they disclose (lading_probe), import banner
 * records from internet scanning services and tools (Shodan, Censys, zgrab2, nmap XML) into a
 * census store (one SQLite file), and assess the stored records against the vulnerability
 * database: per product, the version spread, the share at least one release behind the newest
 * known version, the share running a version with known vulnerabilities and with known-exploited
 * ones (CISA KEV). "Behind" and "vulnerable" are kept apart, and a version that a distribution
 * build announces (OpenSSH "Debian-2+deb12u3") is called "possibly backported", never vulnerable
 * on the strength of its upstream number alone. */
#ifndef LADING_CENSUS_H
#define LADING_CENSUS_H

#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"
#include "lading/sbom.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lading_census_attr {
	const char *key, *value;
} lading_census_attr;

/* One service seen on one port. Strings are NULL when unknown. */
typedef struct lading_census_record {
	const char *target;	 /* address or host name as probed, or the scan data's IP */
	unsigned port;
	const char *transport;	 /* "tcp" (imports may say "udp") */
	const char *service;	 /* protocol: "ssh", "mysql", "redis", "http", "mongodb", "memcached",
				    "postgresql", "ftp", "smtp", ...; NULL when not recognized */
	const char *product;	 /* canonical key: "openssh", "mysql", "mariadb", "redis", "nginx",
				    "apache-httpd", "elasticsearch", "docker", "etcd", ... */
	const char *version;	 /* upstream version as disclosed ("9.2p1", "10.11.19"); NULL when the
				    service does not tell (see `note`) */
	const char *distro;	 /* distribution build hint ("Debian-2+deb12u3", "0+deb12u1",
				    "0ubuntu0.22.04.1", "Debian"): the vendor may have backported fixes */
	const char *cpe;	 /* CPE 2.3 name of product and version */
	const char *evidence;	 /* what the service said, escaped (\r \n \xNN) and capped */
	const char *time;	 /* RFC 3339 UTC */
	const char *source;	 /* "probe", "shodan", "censys", "zgrab2", "nmap", "lading" */
	const char *note;	 /* why the version is missing or what limits it */
	const lading_census_attr *attrs; /* other facts disclosed (os, mode, api_version, auth...) */
	size_t attr_count;
} lading_census_record;

/* A set of records (a probe's results or a store's contents). */
typedef struct lading_census lading_census;

#define LADING_PROBE_OPTIONS_VERSION 1
typedef struct lading_probe_options {
	unsigned version;     /* LADING_PROBE_OPTIONS_VERSION */
	const char *ports;    /* "22,80,8000-8100" for targets given without a port; NULL = a
				 default list of the services lading knows */
	unsigned timeout_ms;  /* connect timeout, and the time one exchange may take; 0 = 3000 */
	unsigned banner_ms;   /* how long to wait for a greeting on a port with no known service
				 before speaking first; 0 = 800 */
	unsigned concurrency; /* connections open at once; 0 = 256 (clamped to the fd limit) */
	size_t max_bytes;     /* bytes read from one service over all its exchanges; 0 = 65536 */
	size_t max_targets;   /* host:port pairs after expanding CIDR ranges and port lists;
				 0 = 1048576 */
} lading_probe_options;
#define LADING_PROBE_OPTIONS_INIT {LADING_PROBE_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0}

typedef struct lading_probe_stats {
	uint64_t targets;     /* host:port pairs tried */
	uint64_t open;	      /* accepted a connection */
	uint64_t refused;     /* connection refused */
	uint64_t timeout;     /* no answer to the connection attempt */
	uint64_t failed;      /* other connection errors (unreachable, reset...) */
	uint64_t identified;  /* open with a product named */
	uint64_t versioned;   /* ... and a version */
	uint64_t connections; /* connections made (a service may take several exchanges) */
	uint64_t bytes_read;
	double seconds;	      /* wall time */
} lading_probe_stats;

/* Probe `targets`: "HOST:PORT", "[V6]:PORT", "HOST" or "A.B.C.D/NN" (with opts->ports). Host
 * names are resolved first (all addresses of a name are probed). One record per open port, in
 * target order. A target that cannot be parsed or resolved is LADING_EUSAGE / LADING_ENOTFOUND. */
LADING_EXTERN(int)
lading_probe(lading_census **out, lading_ctx *ctx, const char *const *targets, size_t ntargets,
	     const lading_probe_options *opts);
/* Statistics of the probe that made `c` (zeros for a loaded census). */
LADING_EXTERN(const lading_probe_stats *) lading_census_probe_stats(const lading_census *c);
LADING_EXTERN(size_t) lading_census_count(const lading_census *c);
LADING_EXTERN(const lading_census_record *) lading_census_record_at(const lading_census *c, size_t i);
LADING_EXTERN(void) lading_census_free(lading_census *c);
/* Records as a JSON array (LADING_FORMAT_JSON; field names as in lading_census_record) or a text
 * table (LADING_FORMAT_TABLE). *out is NUL-terminated; free() it. */
LADING_EXTERN(int)
lading_census_records_write(char **out, size_t *len, lading_ctx *ctx, const lading_census *c,
			    lading_format fmt);

/* ---- the census store (one SQLite file; docs/census.md) */

/* $LADING_CENSUS, else $XDG_CACHE_HOME/lading/census.sqlite, else
 * $HOME/.cache/lading/census.sqlite. LADING_ENOTFOUND when none of these is set. */
LADING_EXTERN(int) lading_census_default_path(char *out, size_t outsz);
/* Add records to the store (created when missing). A record replaces the stored one for the same
 * (target, port, transport) unless the stored one is newer. */
LADING_EXTERN(int) lading_census_save(const char *store, const lading_census *c, lading_ctx *ctx);
/* Every stored record, ordered by product, target and port. */
LADING_EXTERN(int) lading_census_load(lading_census **out, const char *store, lading_ctx *ctx);

typedef struct lading_census_import_result {
	char format[16];   /* "shodan", "censys", "zgrab2", "nmap", "lading" */
	uint64_t records;  /* records stored */
	uint64_t skipped;  /* entries that could not be read: each one is a warning on ctx */
	uint64_t ignored;  /* well-formed entries with no service in them (closed ports, failed
			      zgrab2 modules, hosts without services) */
} lading_census_import_result;

/* Import one file of scan data into the store. `format` NULL or "auto" detects it from the
 * content (gzip-compressed files are read too). A bad line or entry is a warning, never the end
 * of the import; an unreadable file or an unknown format is an error. */
LADING_EXTERN(int)
lading_census_import(const char *store, const char *path, const char *format,
		     lading_census_import_result *res, lading_ctx *ctx);

/* ---- assessment */

typedef struct lading_census_version_stat {
	const char *version;   /* NULL: hosts that did not disclose one */
	size_t hosts;
	size_t backported;     /* of them, with a distribution build hint */
	int behind;	       /* older than the newest version known */
	int behind_branch;     /* older than the newest known of its own release line */
	int vulnerable;	       /* the upstream version has known vulnerabilities */
	int kev;	       /* ... of which at least one is known exploited */
	const char *const *cves; /* known vulnerabilities of the upstream version, sorted */
	size_t cve_count;
	const char *const *kev_cves;
	size_t kev_count;
	const char *max_severity; /* "critical", "high", "medium", "low", or NULL */
} lading_census_version_stat;

typedef struct lading_census_product_stat {
	const char *product;	     /* canonical key */
	const char *name;	     /* display name ("Apache httpd") */
	size_t hosts;		     /* records */
	size_t versioned;	     /* records with a version: the denominator of the shares */
	const char *newest;	     /* newest version known, NULL when none */
	const char *newest_source;   /* "bitnami", "nvd" or "records" */
	size_t behind;		     /* hosts older than `newest` */
	size_t behind_branch;	     /* hosts older than the newest of their release line */
	size_t vulnerable;	     /* hosts on an affected version, without a distribution hint */
	size_t kev;		     /* ... of which on a version with a known-exploited CVE */
	size_t possibly_backported;  /* hosts on an affected version that announce a distribution
					build: they may carry the fixes */
	size_t kev_possibly_backported;
	size_t not_assessed;	     /* versioned hosts the database has no data to judge */
	const char *data_sources;    /* "bitnami:redis, nvd:redis/redis" */
	const lading_census_version_stat *versions; /* by hosts, descending; undisclosed last */
	size_t version_count;
} lading_census_product_stat;

typedef struct lading_census_assessment lading_census_assessment;

/* Assess `c` with the vulnerability database at `db_path` (NULL = lading_db_default_path()). */
LADING_EXTERN(int)
lading_census_assess(lading_census_assessment **out, lading_ctx *ctx, const lading_census *c,
		     const char *db_path);
LADING_EXTERN(size_t) lading_census_product_count(const lading_census_assessment *a);
LADING_EXTERN(const lading_census_product_stat *)
lading_census_product(const lading_census_assessment *a, size_t i);
/* Records with no product (unrecognized services). */
LADING_EXTERN(size_t) lading_census_unidentified(const lading_census_assessment *a);
/* Render: LADING_FORMAT_TABLE, _JSON or _HTML (self-contained, one chart per product). */
LADING_EXTERN(int)
lading_census_assessment_write(char **out, size_t *len, lading_ctx *ctx,
			       const lading_census_assessment *a, lading_format fmt);
LADING_EXTERN(void) lading_census_assessment_free(lading_census_assessment *a);

#ifdef __cplusplus
}
#endif
#endif

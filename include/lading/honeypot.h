/* lading: a honeypot for cloud-native services and the analysis of what it records.
 *
 * The service (lading_honeypot_new / _run) emulates just enough of the Docker Engine API, Redis,
 * the Kubernetes API server and kubelet, etcd, Elasticsearch and a MySQL login to draw the next
 * step of an automated attack, and writes one JSON line per step to an event log (fsync'd in
 * batches, rotated by size). It never executes or fetches anything a client sends. Per-source
 * connection and byte rate limits, caps on sessions, buffered bytes and bytes kept per session
 * bound its memory under a flood. Started as root it drops to an unprivileged user after
 * binding. docs/honeypot.md has the emulations, the event schema and the limits.
 *
 * The analysis (lading_honeypot_report_build) reads event logs, groups each source's steps into
 * attack sessions, classifies them (automated or manual; attack type) with rules from a data
 * file, looks up each source's country in an MMDB database, and computes the figures the report
 * writers print as a table, JSON or a self-contained HTML page with charts. */
#ifndef LADING_HONEYPOT_H
#define LADING_HONEYPOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LADING_HONEYPOT_OPTIONS_VERSION 2
#define LADING_HONEYPOT_MAX_LISTEN	32

typedef struct lading_honeypot_listen {
	char service[16]; /* docker, redis, kube, etcd, elasticsearch, mysql */
	char addr[96]; /* "PORT" (loopback), "HOST:PORT" or "[V6]:PORT"; port 0 = any free port */
} lading_honeypot_listen;

/* Options of the service. Fill with lading_honeypot_options_init, then set fields directly or
 * by name with lading_honeypot_options_set / _load (the names are the CLI's long options). */
typedef struct lading_honeypot_options {
	unsigned version; /* LADING_HONEYPOT_OPTIONS_VERSION */
	char sensor[64];  /* "sensor" in every event; default: the host name */
	char log_path[1024];
	lading_honeypot_listen listen[LADING_HONEYPOT_MAX_LISTEN];
	size_t nlisten;
	bool kube_tls; /* Kubernetes listeners speak TLS (self-signed certificate made at start) */
	char user[64]; /* started as root: user to switch to after binding (default "nobody") */
	uint64_t log_rotate_bytes; /* rotate the log when it would grow past this; 0 = never */
	unsigned log_keep;	   /* rotated files kept (FILE.1 ... FILE.N) */
	unsigned flush_ms;     /* a batch of events is written and fsync'd at least this often */
	unsigned max_sessions; /* concurrent connections, all services */
	unsigned max_sources;  /* sources tracked for rate limits */
	unsigned source_max_conns; /* concurrent connections per source address */
	unsigned source_conn_rate; /* new connections per second per source (burst: 2x); 0 = no
				      limit */
	uint64_t source_byte_rate; /* bytes read per second per source (burst: 4x); 0 = no limit */
	uint64_t session_keep_bytes; /* attacker bytes kept in the log per session; past it, strings
					are cut (their sha256 and size still logged) */
	uint64_t max_buffered;	     /* bytes of connection buffers, all connections */
	unsigned idle_timeout_s;     /* close a connection silent this long */
	unsigned session_timeout_s;  /* close any connection this old */
	/* Log budget (docs/honeypot.md has the arithmetic): a session logs at most session_events
	 * events, then one session.capped and its session.closed; a source (an IPv4 address or an
	 * IPv6 /64) writes at most source_log_burst bytes of log at once and source_log_rate bytes
	 * per second after that; what is not written is counted in the summaries. */
	unsigned session_events;   /* 0 = no cap */
	uint64_t source_log_rate;  /* bytes/s; 0 = no cap */
	uint64_t source_log_burst; /* bytes */
	/* MySQL logins accepted: "user:password" entries, comma-separated ("" = none, every login
	 * fails). A client that sends the password in clear (after the auth switch) and matches gets
	 * in: its queries are recorded and answered (docs/honeypot.md). */
	char mysql_accept[512];
} lading_honeypot_options;

LADING_EXTERN(void) lading_honeypot_options_init(lading_honeypot_options *o);
/* Set one option by name (lading_honeypot_option_at lists them): a service name adds a listener;
 * sizes take K/M/G suffixes; "mysql-accept" (USER:PASSWORD) may be given several times. */
LADING_EXTERN(int)
lading_honeypot_options_set(lading_honeypot_options *o, const char *name, const char *value,
			    lading_ctx *ctx);
/* The options lading_honeypot_options_set takes, as the library defines them (one listener
 * option per emulated service first, then the others): a command line shows them as --NAME, a
 * configuration file as NAME. `arg` is the value's placeholder ("ADDR", "N", "BYTES", "FILE"),
 * NULL for a flag (set with "true"); `help` is one line. */
typedef struct lading_honeypot_option_info {
	const char *name;
	const char *arg;
	const char *help;
} lading_honeypot_option_info;
LADING_EXTERN(size_t) lading_honeypot_option_count(void);
/* The i-th option (i < lading_honeypot_option_count()), or NULL. */
LADING_EXTERN(const lading_honeypot_option_info *) lading_honeypot_option_at(size_t i);

/* A configuration file: one "NAME VALUE" per line, '#' comments, the names above. */
LADING_EXTERN(int)
lading_honeypot_options_load(lading_honeypot_options *o, const char *path, lading_ctx *ctx);

typedef struct lading_honeypot lading_honeypot;

/* Bind every listener, open the log, make the TLS certificate; when root, check the user to
 * switch to (run() switches before serving). */
LADING_EXTERN(int)
lading_honeypot_new(lading_honeypot **out, const lading_honeypot_options *o, lading_ctx *ctx);
LADING_EXTERN(size_t) lading_honeypot_listener_count(const lading_honeypot *hp);
/* The i-th listener's service and bound address ("127.0.0.1:6379"), port 0 resolved. */
LADING_EXTERN(int)
lading_honeypot_listener(const lading_honeypot *hp, size_t i, const char **service, char *addr,
			 size_t addrsz);
/* Started as root: switch to the configured user, then serve until lading_honeypot_stop; then
 * the last events are written and fsync'd. The caller should ignore SIGPIPE (TLS writes go
 * through write(2)). */
LADING_EXTERN(int) lading_honeypot_run(lading_honeypot *hp, lading_ctx *ctx);
/* Ask run() to return; async-signal-safe (for a SIGINT/SIGTERM handler). */
LADING_EXTERN(void) lading_honeypot_stop(lading_honeypot *hp);

typedef struct lading_honeypot_stats {
	uint64_t accepted;	 /* connections served */
	uint64_t refused;	 /* connections closed at once by a limit */
	uint64_t closed_limit;	 /* connections closed later by a limit (timeouts, memory) */
	uint64_t events;	 /* events logged */
	uint64_t events_durable; /* events written and fsync'd */
	uint64_t log_bytes;	 /* bytes written to the log (all files) */
	uint64_t batches;	 /* fsync'd batches */
	uint64_t rotations;	 /* log files rotated */
	uint64_t bytes_in, bytes_out;
	uint64_t sessions_peak; /* most concurrent connections */
	uint64_t buffered_peak; /* most bytes in connection buffers */
	uint64_t throttled;	/* times a connection was paused by its source's byte rate */
} lading_honeypot_stats;

LADING_EXTERN(void)
lading_honeypot_get_stats(const lading_honeypot *hp, lading_honeypot_stats *out);
LADING_EXTERN(void) lading_honeypot_free(lading_honeypot *hp);

/* ---- analysis ---- */

#define LADING_HONEYPOT_REPORT_OPTIONS_VERSION 1

typedef struct lading_honeypot_report_options {
	unsigned version;	/* LADING_HONEYPOT_REPORT_OPTIONS_VERSION */
	const char *rules_path; /* classification rules (docs/honeypot.md); required */
	const char *geoip_path; /* MMDB country database; NULL = countries unknown */
	size_t top;		/* entries in the top-N lists; 0 = 10 */
} lading_honeypot_report_options;

#define LADING_HONEYPOT_REPORT_OPTIONS_INIT                                                        \
	{                                                                                          \
		LADING_HONEYPOT_REPORT_OPTIONS_VERSION, NULL, NULL, 10                             \
	}

/* One row of a figure: a key, what it is, how many (sessions unless said otherwise), share of
 * the total in [0,1]. */
typedef struct lading_honeypot_count {
	const char *key;
	const char *label; /* for attack types and payloads: a description / example; may be NULL */
	uint64_t count;
	double share;
} lading_honeypot_count;

/* An attack session: the steps of one source with no silence longer than the rules' gap. */
typedef struct lading_honeypot_session {
	const char *src_ip;
	const char *country;	  /* ISO 3166 code, or "??" when unknown */
	const char *first, *last; /* timestamps as logged */
	uint64_t steps, connections;
	const char *services; /* comma-separated, in first-seen order */
	bool automated;
	const char *why;     /* rule that decided automated/manual */
	const char *type;    /* primary attack type (first matching rule), or the fallback */
	const char *types;   /* every matching type, comma-separated */
	double median_gap_s; /* between steps; -1 with fewer than 2 steps */
} lading_honeypot_session;

typedef struct lading_honeypot_report {
	uint64_t files, lines, events, bad_lines;
	uint64_t connections, sources, nsessions, automated, manual;
	const char *first, *last;
	const char *rules_path, *geoip_path, *geoip_description;
	lading_honeypot_count *by_type, *by_country, *by_service, *by_reason, *sources_by_country;
	size_t nby_type, nby_country, nby_service, nby_reason, nsources_by_country;
	lading_honeypot_count *top_payloads, *top_images, *top_commands, *top_users, *top_passwords,
		*top_user_agents;
	size_t ntop_payloads, ntop_images, ntop_commands, ntop_users, ntop_passwords,
		ntop_user_agents;
	lading_honeypot_session *sessions;
	size_t nsession_rows;
	void *priv; /* owned memory */
} lading_honeypot_report;

/* Read the logs (JSON lines; a malformed line is a counted warning), group, classify, count. */
LADING_EXTERN(int)
lading_honeypot_report_build(lading_honeypot_report **out, const char *const *logs, size_t nlogs,
			     const lading_honeypot_report_options *o, lading_ctx *ctx);
/* format: "table", "json" or "html"; *out is malloc'd (free()). */
LADING_EXTERN(int)
lading_honeypot_report_write(const lading_honeypot_report *r, const char *format, char **out,
			     size_t *len, lading_ctx *ctx);
LADING_EXTERN(void) lading_honeypot_report_free(lading_honeypot_report *r);

#ifdef __cplusplus
}
#endif
#endif

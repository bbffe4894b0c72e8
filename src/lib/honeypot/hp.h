/* Internals of the honeypot service: the event loop (loop.c) owns listeners and connections;
 * each emulation (docker.c, redis.c, kube.c, etcd.c, elasticsearch.c, mysql.c) reads a
 * connection's input, answers through ld_hp_out*, and records steps through ld_hp_event_*
 * (event.c), which hands JSON lines to the log writer (log.c). One thread runs the loop; the
 * log writer has its own. */
#ifndef LD_HP_H
#define LD_HP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/honeypot.h"
#include "honeypot/proto.h"
#include "util/buf.h"
#include "util/jsonw.h"

/* Fields written as attacker strings are cut at this many bytes (the payload hash covers all). */
#define LD_HP_FIELD_MAX 4096

typedef struct lading_honeypot ld_hp;
typedef struct ld_hp_conn ld_hp_conn;
typedef struct ld_hp_source ld_hp_source;

/* Per-connection protocol state of the emulations. */
typedef struct ld_hp_redis_state {
	char dir[256], dbfilename[128];
	bool replica;
} ld_hp_redis_state;

typedef struct ld_hp_mysql_state {
	unsigned char salt[20];
	int stage; /* greeting sent, switched to cleartext, done, logged in (mysql.c) */
	char user[128];
	char auth_hex[129];
	char plugin[64];
} ld_hp_mysql_state;

/* A Docker connection after the attach/exec upgrade: the attacker's stdin comes in raw, output
 * goes out in the multiplexed frames (or raw with a TTY). */
typedef struct ld_hp_docker_state {
	bool stream, tty, stdin_open;
	char id[72]; /* container (attach) or exec id */
	void *upload; /* a docker cp upload streaming in (dockercp.c) */
} ld_hp_docker_state;

/* etcd: the HTTP/2 session of a gRPC client (etcdgrpc.c), decided by the first bytes. */
typedef struct ld_hp_etcd_state {
	void *h2;
	int proto; /* 0 undecided, 1 HTTP/1, 2 HTTP/2 */
} ld_hp_etcd_state;

/* Kubernetes: an exec or attach upgraded to SPDY/3.1 (kubeexec.c) or WebSocket (kubews.c), or
 * a watch held open (kubewatch.c). */
typedef struct ld_hp_kube_state {
	bool spdy, tty, want_stdin, want_stdout, want_stderr, finished, zlib_started;
	bool ws, ws_frag;     /* WebSocket; a fragmented message is open */
	uint8_t ws_proto;     /* 4 or 5 (v5 has the close signal) */
	uint8_t ws_chan;      /* channel of the open fragmented message */
	bool watch, watch_table; /* a chunked watch response is held open; rows as Tables */
	uint32_t watch_seq;	 /* the source's objects up to this one were sent */
	uint64_t watch_until;	 /* unix ms its end is due */
	const void *watch_res;	 /* the ld_kube_res watched */
	uint8_t opened, expected;
	uint32_t sid_error, sid_stdin, sid_stdout, sid_stderr;
	char pod[64];
	char line[256]; /* the command line, for its canned output */
	char part[512]; /* stdin: a line not finished yet */
	uint16_t partlen;
} ld_hp_kube_state;

struct ld_hp_conn {
	int kind; /* first member: epoll data points at listeners and connections alike */
	int fd;
	void *ssl; /* SSL * for TLS listeners */
	ld_hp *hp;
	ld_hp_source *src;
	int service;
	char session[17];
	char src_ip[48];
	uint16_t src_port, dst_port;
	/* input (parsed from the front) and output (written from outoff) buffers */
	char *in;
	size_t inlen, incap;
	char *out;
	size_t outlen, outoff, outcap;
	uint64_t t_start, t_last; /* monotonic ms */
	uint64_t bytes_in, bytes_out, kept, steps;
	uint64_t events, suppressed, suppressed_bytes; /* log budget (event.c) */
	bool tls_done, eof, close_after_write, paused_rate, truncated, closing, capped;
	uint32_t epoll_mask;
	const char *close_reason;
	union {
		ld_hp_redis_state redis;
		ld_hp_mysql_state mysql;
		ld_hp_docker_state docker;
		ld_hp_etcd_state etcd;
		ld_hp_kube_state kube;
	} st;
	ld_hp_conn *prev, *next; /* all connections, for timeouts */
};

/* An emulation (services.c has the table): its listener option's name, usual ports and help
 * line, the input it may buffer, whether --kube-tls applies to it, then its handlers:
 * greeting on connect (may be NULL) and input handling. on_data consumes whole messages from
 * (p, n) and returns how many bytes it used (0: need more); it may set c->close_after_write. */
typedef struct ld_hp_service_ops {
	lading_honeypot_option_info opt; /* name (the service's), "ADDR", help */
	const char *ports;
	size_t in_max;
	bool tls;
	void (*on_open)(ld_hp_conn *c);
	size_t (*on_data)(ld_hp_conn *c, const char *p, size_t n);
	void (*on_close)(ld_hp_conn *c); /* last events before session.closed (may be NULL) */
	void (*on_tick)(ld_hp_conn *c);	 /* every tick, for output not caused by input (may be NULL) */
} ld_hp_service_ops;

size_t ld_hp_service_count(void);
const ld_hp_service_ops *ld_hp_service(int service);
int ld_hp_service_by_name(const char *name);

/* ---- output (loop.c) ---- */
void ld_hp_out(ld_hp_conn *c, const void *p, size_t n);
void ld_hp_outs(ld_hp_conn *c, const char *s);
void ld_hp_outf(ld_hp_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fill a buffer with random bytes (session ids, salts, container ids). */
void ld_hp_random(void *p, size_t n);

/* What a source created (Kubernetes objects, Docker containers and images) and later lists
 * show it again; nothing runs. Allocated on a source's first creation, at most
 * LD_HP_MAX_STATES sources at once (past that, creations are answered but not remembered),
 * forgotten with the source. Strings are cut to their fields. */
#define LD_HP_STATE_OBJS 16
#define LD_HP_MAX_STATES 4096
typedef struct ld_hp_obj {
	char kind[24];	/* "pods", "deployments", ..., "container", "image", "exec" */
	char ns[64];	/* namespace; Docker: container id of an exec */
	char name[72];	/* name; Docker: id */
	char image[160];
	char cmd[256];	/* joined command line */
	char extra[128]; /* Kubernetes: schedule; Docker: container name */
	int64_t created; /* unix seconds */
	unsigned flags; /* LD_HP_OBJ_* */
	uint32_t seq;	/* the state's sequence number when added (watches send what is newer) */
} ld_hp_obj;
#define LD_HP_OBJ_RUNNING 1u /* Docker: started */
#define LD_HP_OBJ_TTY	  2u /* Docker: Tty */
#define LD_HP_OBJ_STDIN	  4u /* Docker: OpenStdin / AttachStdin */
#define LD_HP_OBJ_EXITED  8u /* Docker: its attached command has ended */
#define LD_HP_OBJ_AUTORM  16u /* Docker: --rm (gone once exited) */
typedef struct ld_hp_src_state {
	ld_hp_obj obj[LD_HP_STATE_OBJS];
	unsigned n;
	uint32_t seq; /* of the last object added */
} ld_hp_src_state;
/* The connection's source state; NULL when it has none and `create` is false, or when no more
 * states may be allocated. */
ld_hp_src_state *ld_hp_source_state(ld_hp_conn *c, bool create);
/* A new object slot (the oldest is reused when full); NULL without a state. */
ld_hp_obj *ld_hp_state_add(ld_hp_conn *c, const char *kind);

/* Charge an event of `bytes` to the connection's source log budget (loop.c); false: the source
 * is out of budget, the event is not written (counted for its honeypot.limit summary). */
bool ld_hp_source_admit(ld_hp_conn *c, size_t bytes);

/* ---- events (event.c) ---- */
/* Start an event: common fields are written, "request" is open for the caller's members. */
ld_jw *ld_hp_event_begin(ld_hp_conn *c, const char *eventid);
/* The bytes an attacker sent as a payload (script, cron line, body): sha256 and size recorded. */
void ld_hp_event_payload(ld_hp_conn *c, const void *p, size_t n);
/* ... or its digest ("sha256:<hex>"), for a payload hashed as it streamed in. */
void ld_hp_event_payload_digest(ld_hp_conn *c, const char digest[72], uint64_t size);
void ld_hp_event_end(ld_hp_conn *c);
/* Attacker strings, cut at LD_HP_FIELD_MAX and at what the session may still keep. */
void ld_hp_kstr(ld_hp_conn *c, const char *key, const void *p, size_t n);
void ld_hp_kslice(ld_hp_conn *c, const char *key, ld_slice s);
void ld_hp_str(ld_hp_conn *c, const void *p, size_t n); /* array element */
/* An event not tied to a connection (sensor start/stop, limits). */
ld_jw *ld_hp_event_begin_sensor(ld_hp *hp, const char *eventid);
void ld_hp_event_end_sensor(ld_hp *hp);
/* Current UTC time as ISO 8601 with microseconds. */
void ld_hp_timestamp(char out[32]);

/* ---- canned shell output (shell.c) ---- */
/* What an Alpine root shell would print for a command line (nothing is run); appended to out. */
void ld_hp_shell_output(ld_slice line, ld_buf *out);

/* ---- the log (log.c) ---- */
typedef struct ld_hp_log ld_hp_log;
typedef struct ld_hp_log_opts {
	const char *path;
	uint64_t rotate_bytes;
	unsigned keep;
	unsigned flush_ms;
	size_t batch_max; /* the loop waits for the writer when a batch reaches this */
} ld_hp_log_opts;

int ld_hp_log_open(ld_hp_log **out, const ld_hp_log_opts *o, lading_ctx *ctx);
int ld_hp_log_start(ld_hp_log *l, lading_ctx *ctx); /* the writer thread */
/* Append one line (without its newline); blocks only when the writer is a full batch behind. */
void ld_hp_log_append(ld_hp_log *l, const char *line, size_t n);
/* Write and fsync everything appended so far, stop the thread. */
int ld_hp_log_close(ld_hp_log *l, lading_ctx *ctx);
void ld_hp_log_free(ld_hp_log *l);
void ld_hp_log_stats(ld_hp_log *l, uint64_t *events, uint64_t *durable, uint64_t *bytes,
		     uint64_t *batches, uint64_t *rotations, int *err);
/* Check before dropping privileges that uid/gid could rotate the log. */
int ld_hp_log_check_owner(ld_hp_log *l, unsigned uid, unsigned gid, lading_ctx *ctx);

/* ---- TLS (tls.c): the only user of libssl ---- */
int ld_hp_tls_ctx_new(void **out, lading_ctx *ctx);
void ld_hp_tls_ctx_free(void *tls);
void *ld_hp_tls_new(void *tls, int fd);
void ld_hp_tls_free(void *ssl);
/* 1 handshake done, 0 in progress (*want_write says which way), negative: failed. */
int ld_hp_tls_handshake(void *ssl, bool *want_write);
/* >0 bytes, 0 EOF, -1 would block (*want_write), -2 error */
ssize_t ld_hp_tls_read(void *ssl, void *p, size_t n, bool *want_write);
ssize_t ld_hp_tls_write(void *ssl, const void *p, size_t n, bool *want_write);
bool ld_hp_tls_pending(void *ssl);

/* ---- HTTP emulations (httpsvc.c) ---- */
/* A route handler answers one parsed request (ld_hp_http_reply) and records it. */
typedef void (*ld_hp_http_route)(ld_hp_conn *c, const ld_http_req *r);
size_t ld_hp_http_on_data(ld_hp_conn *c, const char *p, size_t n, ld_hp_http_route route);
/* Reply with a body; `headers` are extra "Name: value\r\n" lines (may be NULL). */
void ld_hp_http_reply(ld_hp_conn *c, const ld_http_req *r, int status, const char *ctype,
		      const char *headers, const void *body, size_t len);
void ld_hp_http_json(ld_hp_conn *c, const ld_http_req *r, int status, const char *json);
/* Begin an HTTP event with the request's method, path, query, user agent, host, content type
 * and body (kept and hashed); the caller adds members and calls ld_hp_event_end. */
ld_jw *ld_hp_http_event(ld_hp_conn *c, const char *eventid, const ld_http_req *r);
/* Record the request's header `header` as `key` when the request has it. */
void ld_hp_kheader(ld_hp_conn *c, const char *key, const ld_http_req *r, const char *header);
/* Path without a Docker API version prefix ("/v1.41/containers/json" -> "/containers/json"). */
ld_slice ld_hp_http_strip_version(ld_slice path);
/* Split a path into segments: up to `max`, returns the count. */
size_t ld_hp_http_segments(ld_slice path, ld_slice *seg, size_t max);
/* A request body parsed as JSON into arena a (ld_arena_init(a, LD_HP_BODY_JSON_ARENA)): NULL
 * when empty, not JSON or past the limits (its raw bytes are recorded anyway). Every HTTP
 * emulation reads its bodies through this, each with the nesting depth it allows. */
#define LD_HP_BODY_JSON_ARENA ((size_t)2 << 20)
struct ld_arena;
struct ld_json;
const struct ld_json *ld_hp_json_body(struct ld_arena *a, ld_slice body, unsigned max_depth);
/* JSON-escape s into b without the surrounding quotes (attacker text inside canned JSON). */
void ld_hp_json_inner(ld_buf *b, const char *s);
/* Base64 (standard or URL alphabet, padding optional) into out; returns bytes written. */
size_t ld_hp_base64_decode(ld_slice in, char *out, size_t outsz);
/* Standard base64 with padding into out (NUL-terminated, truncated to outsz - 1). */
void ld_hp_base64_encode(ld_slice in, char *out, size_t outsz);
/* Random lowercase hex of n bytes (2n chars + NUL in out). */
void ld_hp_hex_id(char *out, size_t nbytes);

/* routes of the HTTP emulations */
size_t ld_hp_docker_on_data(ld_hp_conn *c, const char *p, size_t n);
/* docker cp uploads (dockercp.c): start one when the request head is PUT .../archive (false:
 * it is not; *used 0: the head is not complete), then its body as it comes. */
bool ld_hp_docker_upload_start(ld_hp_conn *c, const char *p, size_t n, size_t *used);
size_t ld_hp_docker_upload_data(ld_hp_conn *c, const char *p, size_t n);
void ld_hp_docker_upload_free(ld_hp_conn *c);
/* The container a Docker request names (id, id prefix or name), or NULL (docker.c). */
const ld_hp_obj *ld_hp_docker_container(ld_hp_conn *c, ld_slice key);
#define LD_HP_DOCKER_HEADERS                                                                       \
	"Api-Version: 1.41\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: "           \
	"Docker/20.10.24 (linux)\r\n"
void ld_hp_docker_on_close(ld_hp_conn *c);
size_t ld_hp_kube_on_data(ld_hp_conn *c, const char *p, size_t n);
void ld_hp_kube_on_tick(ld_hp_conn *c);
size_t ld_hp_etcd_on_data(ld_hp_conn *c, const char *p, size_t n);
void ld_hp_etcd_on_close(ld_hp_conn *c);
void ld_hp_etcd_on_tick(ld_hp_conn *c);
int ld_hp_etcd_h2_detect(const char *p, size_t n);
size_t ld_hp_etcd_h2_data(ld_hp_conn *c, const char *p, size_t n);
size_t ld_hp_es_on_data(ld_hp_conn *c, const char *p, size_t n);
size_t ld_hp_redis_on_data(ld_hp_conn *c, const char *p, size_t n);
void ld_hp_mysql_on_open(ld_hp_conn *c);
size_t ld_hp_mysql_on_data(ld_hp_conn *c, const char *p, size_t n);
void ld_hp_mysql_on_close(ld_hp_conn *c);

/* The honeypot itself (loop.c): what event.c needs to see. */
struct ld_hp_shared {
	char sensor[64];
	ld_hp_log *log;
	ld_buf ev; /* the event being built (one at a time: single loop thread) */
	ld_jw jw;
	char payload_digest[72];
	uint64_t payload_size;
	bool has_payload;
	uint64_t session_keep;
	unsigned session_events;
	const char *mysql_accept; /* options' "user:password,..." */
	bool closing_event; /* the event being built is session.closed (not under session_events) */
	/* parser scratch of the loop thread (too big for the stack) */
	ld_resp_cmd resp;
	ld_http_req req;
	char scratch[LD_HTTP_MAX_BODY > LD_RESP_MAX_INLINE ? LD_HTTP_MAX_BODY : LD_RESP_MAX_INLINE];
};
/* kubews.c unmasks a whole WebSocket frame into the scratch */
_Static_assert(LD_WS_MAX_PAYLOAD <= LD_HTTP_MAX_BODY, "WebSocket payload fits the scratch");
struct ld_hp_shared *ld_hp_shared(ld_hp *hp);

#endif

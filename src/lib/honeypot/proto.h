/* Protocol parsers of the honeypot: RESP (Redis), HTTP/1.1 requests, MySQL packets and the
 * client's login packet. Every parser reads (ptr, len) that an attacker controls, keeps within
 * its named limits and never allocates: results are slices into the input (or into a scratch
 * buffer the caller provides when bytes must be decoded). They are incremental in the simplest
 * way: called again with more bytes, they parse again from the start and say "need more" until
 * one whole message is there. Fuzzed by fuzz/fuzz_honeypot_{resp,http,mysql}.c. */
#ifndef LD_HP_PROTO_H
#define LD_HP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/slice.h"

/* Results of the incremental parsers: one message parsed, more bytes needed, or (negative
 * LADING_E*) the input is not this protocol / exceeds a limit. */
#define LD_HP_DONE 1
#define LD_HP_MORE 0

/* ---- RESP (Redis serialization protocol): arrays of bulk strings and inline commands ---- */

/* Limits: a real Redis accepts 1M arguments of 512 MB each; attacks need far less, and what we
 * keep per connection is capped by the input buffer anyway. */
#define LD_RESP_MAX_ARGS   1024		/* arguments in one command */
#define LD_RESP_MAX_BULK   (512 * 1024) /* bytes in one argument */
#define LD_RESP_MAX_INLINE (64 * 1024)	/* bytes in one inline command line */
#define LD_RESP_MAX_HEADER 32		/* "*<count>" / "$<len>" line, as Redis checks */

typedef struct ld_resp_cmd {
	size_t argc;
	ld_slice argv[LD_RESP_MAX_ARGS];
	bool inline_form; /* typed as a line (telnet/nc), not sent as a RESP array */
} ld_resp_cmd;

/* Parse one command at the start of (p, len). On LD_HP_DONE, *consumed is its size and
 * cmd->argv hold slices into p (arrays) or into scratch (inline commands, whose quoted
 * arguments are unescaped; scratch must hold LD_RESP_MAX_INLINE bytes). A command with no
 * arguments (empty line, "*0") is DONE with argc 0. Errors: LADING_EINVALID (protocol error,
 * the message Redis would send is in *why), LADING_ELIMIT. */
int ld_resp_parse(ld_resp_cmd *cmd, const char *p, size_t len, char *scratch, size_t *consumed,
		  const char **why);

/* ---- HTTP/1.1 requests ---- */

/* Limits. Headers: 16 KiB and 64 lines is generous for every client we emulate for; bodies are
 * kept (and hashed) up to 64 KiB, which holds any container-create or search request seen in
 * attacks; larger ones are refused with 413. */
#define LD_HTTP_MAX_HEAD       (16 * 1024) /* request line + headers */
#define LD_HTTP_MAX_HEADERS    64	   /* header lines */
#define LD_HTTP_MAX_BODY       (64 * 1024) /* decoded body */
#define LD_HTTP_MAX_CHUNKS     4096	   /* chunks in a chunked body */
#define LD_HTTP_MAX_CHUNK_LINE 256	   /* "<hex>[;ext]" line of a chunk */

typedef struct ld_http_header {
	ld_slice name, value;
} ld_http_header;

typedef struct ld_http_req {
	ld_slice method, target, path, query, version;
	ld_http_header hdr[LD_HTTP_MAX_HEADERS];
	size_t nhdr;
	ld_slice body;		 /* into the input (Content-Length) or the scratch (chunked) */
	uint64_t content_length; /* declared (Content-Length) or decoded (chunked) size */
	bool chunked;
	bool keep_alive;
	int minor;  /* HTTP/1.minor */
	int status; /* on error: the status to answer with (400, 413, 431, 501, 505) */
} ld_http_req;

/* Parse one request (head and body) at the start of (p, len). Chunked bodies are decoded into
 * scratch (LD_HTTP_MAX_BODY bytes). On LD_HP_DONE *consumed is the request's size on the wire. */
int ld_http_parse(ld_http_req *r, const char *p, size_t len, char *scratch, size_t *consumed);
/* The request line and headers only (for a body read as it streams in): on LD_HP_DONE
 * *head_len is where the body starts; content_length and chunked say how it is framed. */
int ld_http_parse_head(ld_http_req *r, const char *p, size_t len, size_t *head_len);
/* A chunked body decoded as it streams in, without a size limit of its own (the caller
 * counts): chunk-size lines of at most LD_HTTP_MAX_CHUNK_LINE bytes, sizes below 2^60,
 * extensions and trailers skipped. */
typedef struct ld_http_dechunk {
	int state;
	char line[LD_HTTP_MAX_CHUNK_LINE + 1];
	size_t linelen;
	uint64_t left; /* bytes of the current chunk still to come */
} ld_http_dechunk;
typedef void (*ld_http_data_fn)(void *arg, const char *p, size_t n);
/* Feed (p, n): the body's bytes go to fn; *used is what was taken (less than n once the body
 * has ended). 0, or LADING_EINVALID for a malformed chunk line. Zero-initialise d first. */
int ld_http_dechunk_feed(ld_http_dechunk *d, const char *p, size_t n, size_t *used,
			 ld_http_data_fn fn, void *arg);
bool ld_http_dechunk_done(const ld_http_dechunk *d);
/* First header with this name (case-insensitive), or LD_SLICE_NULL. */
ld_slice ld_http_header_get(const ld_http_req *r, const char *name);
/* Iterate "a=1&b=2": false at the end. Name and value are still percent-encoded. */
bool ld_http_query_next(ld_slice *q, ld_slice *name, ld_slice *value);
/* Percent-decode (and '+' as space when form is true) into out[outsz], NUL-terminated,
 * truncating; returns the decoded length (before truncation). */
size_t ld_http_unescape(ld_slice in, bool form, char *out, size_t outsz);
/* Decoded value of the first query parameter `name` into out; false when absent. */
bool ld_http_query_get(ld_slice query, const char *name, char *out, size_t outsz);

/* ---- MySQL client/server protocol ---- */

/* Limits: the only client packet we read is the login (a few hundred bytes; connection
 * attributes may add a few KiB). */
#define LD_MYSQL_MAX_PACKET (64 * 1024) /* payload bytes of one packet */
#define LD_MYSQL_MAX_ATTRS  32		/* connection attributes kept */
#define LD_MYSQL_MAX_FIELD  1024	/* user, database, plugin name, attribute strings */

#define LD_MYSQL_CLIENT_CONNECT_WITH_DB	   0x00000008u
#define LD_MYSQL_CLIENT_PROTOCOL_41	   0x00000200u
#define LD_MYSQL_CLIENT_SSL		   0x00000800u
#define LD_MYSQL_CLIENT_SECURE_CONNECTION  0x00008000u
#define LD_MYSQL_CLIENT_PLUGIN_AUTH	   0x00080000u
#define LD_MYSQL_CLIENT_CONNECT_ATTRS	   0x00100000u
#define LD_MYSQL_CLIENT_PLUGIN_AUTH_LENENC 0x00200000u

/* One packet: 3-byte little-endian length, sequence id, payload. Packets of 16 MiB - 1 (a
 * split payload) are refused: no login needs one. */
int ld_mysql_packet(const char *p, size_t len, ld_slice *payload, uint8_t *seq, size_t *consumed);

typedef struct ld_mysql_login {
	uint32_t caps;
	uint32_t max_packet;
	uint8_t charset;
	bool ssl_request; /* the short packet a client sends before starting TLS */
	ld_slice user, auth, db, plugin;
	struct {
		ld_slice key, value;
	} attrs[LD_MYSQL_MAX_ATTRS];
	size_t nattrs;
} ld_mysql_login;

/* Parse a HandshakeResponse41 or HandshakeResponse320 payload. */
int ld_mysql_parse_login(ld_mysql_login *l, const char *p, size_t len);

/* ---- gRPC messages and protobuf fields (etcd v3 over HTTP/2) ---- */

#define LD_GRPC_MAX_MSG (64 * 1024) /* bytes of one gRPC message we read */

/* One length-prefixed gRPC message at the start of (p, len): flag byte (compressed: refused),
 * 4-byte big-endian length. LD_HP_DONE with *msg and *consumed, LD_HP_MORE, LADING_EINVALID
 * (compressed), LADING_ELIMIT (longer than LD_GRPC_MAX_MSG). */
int ld_grpc_message(const char *p, size_t len, ld_slice *msg, size_t *consumed);

/* The next protobuf field of *in (advanced past it): its number and wire type; varints in *v,
 * length-delimited bytes in *bytes (a slice of the input); fixed32/64 in *v. LD_HP_DONE,
 * LD_HP_MORE at the end, LADING_EINVALID for a truncated or malformed field. */
int ld_pb_next(ld_slice *in, uint32_t *field, int *wire, uint64_t *v, ld_slice *bytes);

/* ---- SPDY/3.1 frames (kubectl's exec and attach streams) ---- */

#define LD_SPDY_MAX_FRAME (64 * 1024) /* payload bytes of one frame we read */

typedef struct ld_spdy_frame {
	bool control;
	uint16_t type;	    /* control frames: 1 SYN_STREAM, 2 SYN_REPLY, 3 RST_STREAM, 4 SETTINGS,
			       6 PING, 7 GOAWAY, 8 HEADERS, 9 WINDOW_UPDATE */
	uint8_t flags;	    /* 1: FIN */
	uint32_t stream_id; /* data frames; SYN_STREAM, SYN_REPLY, RST_STREAM, WINDOW_UPDATE */
	ld_slice data;	    /* the payload (control frames: after the type's fixed fields) */
} ld_spdy_frame;

/* One frame at the start of (p, len): LD_HP_DONE with *consumed, LD_HP_MORE, LADING_EINVALID
 * (not SPDY/3, a control frame too short for its type), LADING_ELIMIT (a frame past
 * LD_SPDY_MAX_FRAME). */
int ld_spdy_frame_parse(const char *p, size_t len, ld_spdy_frame *f, size_t *consumed);

/* ---- WebSocket frames (RFC 6455: kubectl's exec and attach streams since 1.29) ---- */

/* Limits: kubectl sends stdin in messages of at most 32 KiB; control frames are at most 125
 * bytes by the RFC. A frame past these is refused, not buffered. */
#define LD_WS_MAX_PAYLOAD (64 * 1024) /* payload bytes of one data frame we read */
#define LD_WS_MAX_CONTROL 125	      /* payload bytes of a close, ping or pong */
#define LD_WS_HEAD_MAX	  14	      /* 2 + 8 (64-bit length) + 4 (mask) */

enum { LD_WS_CONT = 0, LD_WS_TEXT = 1, LD_WS_BINARY = 2, LD_WS_CLOSE = 8, LD_WS_PING = 9,
       LD_WS_PONG = 10 };

typedef struct ld_ws_frame {
	bool fin;
	uint8_t opcode;
	uint8_t mask[4];
	ld_slice data; /* the payload as sent, still masked (ld_ws_unmask) */
} ld_ws_frame;

/* One client frame at the start of (p, len): LD_HP_DONE with *consumed, LD_HP_MORE,
 * LADING_EINVALID (unmasked, reserved bits or opcodes, a fragmented or long control frame, a
 * length with its top bit set or not in its shortest form), LADING_ELIMIT (a payload past
 * LD_WS_MAX_PAYLOAD). */
int ld_ws_frame_parse(const char *p, size_t len, ld_ws_frame *f, size_t *consumed);
/* The payload of f unmasked into out (f->data.len bytes). */
void ld_ws_unmask(const ld_ws_frame *f, char *out);
/* The head of a server frame (unmasked, FIN set) of `len` payload bytes; returns its size. */
size_t ld_ws_head(unsigned char out[LD_WS_HEAD_MAX], uint8_t opcode, uint64_t len);

/* ---- tar archives (docker cp uploads), listed as they stream in ---- */

/* Limits: we only list what an upload holds (names, sizes, content hashes and first bytes),
 * never keep or write it; the header rules are util/tar.c's. */
#define LD_TAR_MAX_NAME	   356 /* prefix + "/" + name of a ustar header; GNU long names cut */
#define LD_TAR_HEAD_KEPT   256 /* first bytes of each file kept (a script's first line) */

typedef struct ld_hp_tar_file {
	char name[LD_TAR_MAX_NAME];
	char type;	/* '0' file, '5' directory, '2' symlink, ... */
	uint64_t size;	/* declared size */
	uint64_t got;	/* bytes of it that arrived (less than size when the upload stopped) */
	char sha256[65]; /* of what arrived (files only), lowercase hex */
	char head[LD_TAR_HEAD_KEPT];
	size_t headlen;
} ld_hp_tar_file;

typedef void (*ld_hp_tar_fn)(void *arg, const ld_hp_tar_file *f);

/* A push parser: fed the bytes of a tar stream in pieces of any size, it calls `fn` once per
 * entry when the entry's data is complete, hashing file data as it passes. */
typedef struct ld_hp_tar_stream {
	unsigned char block[512]; /* the header being gathered */
	size_t blen;
	uint64_t left, pad;	  /* data bytes of the current entry still to come, then padding */
	bool in_entry, ended, failed, long_name;
	ld_hp_tar_file cur;
	char next_name[LD_TAR_MAX_NAME]; /* a GNU 'L' entry's name for the next header */
	void *sha;			 /* ld_sha256 of the current file's data */
	ld_hp_tar_fn fn;
	void *arg;
} ld_hp_tar_stream;

void ld_hp_tar_stream_init(ld_hp_tar_stream *t, ld_hp_tar_fn fn, void *arg);
/* LD_HP_MORE (feed on), LD_HP_DONE (the end-of-archive block was seen: the rest is ignored),
 * LADING_EINVALID (a bad header: sticky, the rest is ignored). */
int ld_hp_tar_stream_feed(ld_hp_tar_stream *t, const char *p, size_t n);
/* The upload stopped: an entry still open is reported with what arrived. Frees the state. */
void ld_hp_tar_stream_end(ld_hp_tar_stream *t);

#endif

/* kubectl exec and attach over WebSocket (RFC 6455; the protocol kubectl >= 1.29 asks for
 * first, subprotocols v5.channel.k8s.io and v4.channel.k8s.io). After "101 Switching
 * Protocols" every binary message starts with its channel byte: 0 stdin, 1 stdout, 2 stderr,
 * 3 error, 4 resize; v5 adds 255, the close signal ("this channel has ended"). The command's
 * canned output (shell.c) goes out on stdout, stdin lines are recorded (kube.stdin) and
 * answered, and the exchange ends as a real API server ends it: a Success Status on the error
 * channel, then a close frame, which kubectl takes as exit status 0. Nothing runs. */
#include <strings.h>

#include "util/base64.h"
#include "util/common.h"
#include "util/hash.h"
#include "honeypot/hp.h"
#include "honeypot/kube.h"

#define WS_GUID		 "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" /* RFC 6455 section 1.3 */
#define WS_KEY_MAX	 64 /* a key is 24 characters; longer ones are refused */
#define CHAN_STDIN	 0
#define CHAN_ERROR	 3
#define CHAN_RESIZE	 4
#define CHAN_CLOSE	 255
#define CLOSE_NORMAL	 1000
#define CLOSE_PROTOCOL	 1002

static const char success_status[] = "{\"metadata\":{},\"status\":\"Success\"}";

static void frame(ld_hp_conn *c, uint8_t opcode, const void *p, size_t n)
{
	unsigned char h[LD_WS_HEAD_MAX];
	ld_hp_out(c, h, ld_ws_head(h, opcode, n));
	if (n)
		ld_hp_out(c, p, n);
}

void ld_hp_kube_ws_send(ld_hp_conn *c, uint8_t chan, const void *p, size_t n)
{
	unsigned char h[LD_WS_HEAD_MAX];
	ld_hp_out(c, h, ld_ws_head(h, LD_WS_BINARY, (uint64_t)n + 1));
	ld_hp_out(c, &chan, 1);
	if (n)
		ld_hp_out(c, p, n);
}

static void close_frame(ld_hp_conn *c, unsigned code)
{
	unsigned char b[2] = {(unsigned char)(code >> 8), (unsigned char)code};
	frame(c, LD_WS_CLOSE, b, 2);
	c->close_after_write = true;
}

/* The command has ended: Success on the error channel, then the close handshake. */
static void finish(ld_hp_conn *c)
{
	if (!ld_hp_kube_stream_end(c))
		return;
	ld_hp_kube_ws_send(c, CHAN_ERROR, success_status, sizeof(success_status) - 1);
	close_frame(c, CLOSE_NORMAL);
}

static void protocol_error(ld_hp_conn *c, const char *why, const char *p, size_t n)
{
	ld_hp_event_begin(c, "kube.protocol_error");
	ld_hp_kstr(c, "error", why, strlen(why));
	ld_hp_event_payload(c, p, n);
	ld_hp_event_end(c);
	close_frame(c, CLOSE_PROTOCOL);
}

/* A channel message (or a continuation of one): stdin is recorded, v5's close signal on stdin
 * ends the command; resize and the rest are read and dropped. */
static void message(ld_hp_conn *c, uint8_t chan, ld_slice d)
{
	ld_hp_kube_state *k = &c->st.kube;
	if (chan == CHAN_STDIN && k->want_stdin && !k->finished)
		ld_hp_kube_stream_stdin(c, d);
	else if (chan == CHAN_CLOSE && k->ws_proto >= 5 && d.len >= 1 && d.ptr[0] == CHAN_STDIN)
		finish(c);
}

static void data_frame(ld_hp_conn *c, const ld_ws_frame *f, ld_slice d)
{
	ld_hp_kube_state *k = &c->st.kube;
	if (f->opcode != LD_WS_CONT) {
		if (!d.len)
			return;
		k->ws_chan = (uint8_t)d.ptr[0];
		d = ld_slice_sub(d, 1, SIZE_MAX);
	}
	k->ws_frag = !f->fin;
	message(c, k->ws_chan, d);
}

size_t ld_hp_kube_ws_data(ld_hp_conn *c, const char *p, size_t n)
{
	ld_hp_kube_state *k = &c->st.kube;
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_ws_frame f;
	size_t used;
	int rc = ld_ws_frame_parse(p, n, &f, &used);
	if (rc == LD_HP_MORE)
		return 0;
	if (rc < 0) {
		protocol_error(c, rc == LADING_ELIMIT ? "WebSocket frame too large"
						      : "bad WebSocket frame",
			       p, LD_MIN(n, (size_t)LD_WS_HEAD_MAX));
		return n;
	}
	if ((f.opcode == LD_WS_CONT) != k->ws_frag && f.opcode < LD_WS_CLOSE) {
		protocol_error(c, "WebSocket fragments out of order", p, used);
		return n;
	}
	/* the payload unmasked in the loop's scratch (LD_WS_MAX_PAYLOAD fits in it) */
	ld_ws_unmask(&f, sh->scratch);
	{
		ld_slice d = ld_slice_make(sh->scratch, f.data.len);
		if (f.opcode == LD_WS_PING)
			frame(c, LD_WS_PONG, d.ptr, d.len);
		else if (f.opcode == LD_WS_CLOSE && !c->close_after_write)
			close_frame(c, CLOSE_NORMAL);
		else if (f.opcode <= LD_WS_BINARY)
			data_frame(c, &f, d);
	}
	return used;
}

/* The subprotocol to speak: the best of v5/v4.channel.k8s.io among those offered (one header
 * or several, comma-separated), 0 when neither is. */
static int subprotocol(const ld_http_req *r)
{
	int best = 0;
	for (size_t i = 0; i < r->nhdr; i++) {
		ld_slice v = r->hdr[i].value, tok;
		if (!ld_slice_case_eq_cstr(r->hdr[i].name, "sec-websocket-protocol"))
			continue;
		while (v.len) {
			ld_slice_cut(&v, ',', &tok);
			tok = ld_slice_trim(tok);
			if (ld_slice_eq_cstr(tok, "v5.channel.k8s.io"))
				best = 5;
			else if (ld_slice_eq_cstr(tok, "v4.channel.k8s.io") && best < 4)
				best = 4;
		}
	}
	return best;
}

/* Sec-WebSocket-Accept: base64(SHA-1(key + GUID)). */
static bool accept_key(ld_slice key, char *out, size_t outsz)
{
	char in[WS_KEY_MAX + sizeof(WS_GUID)];
	unsigned char md[20];
	ld_buf b;
	bool ok;
	if (!key.len || key.len > WS_KEY_MAX)
		return false;
	memcpy(in, key.ptr, key.len);
	memcpy(in + key.len, WS_GUID, sizeof(WS_GUID) - 1);
	ld_sha1_raw(in, key.len + sizeof(WS_GUID) - 1, md);
	ld_buf_init(&b, 64);
	ok = ld_base64_encode(&b, md, sizeof(md)) == 0 && b.len < outsz;
	if (ok)
		ld_strlcpy(out, b.ptr, outsz);
	ld_buf_release(&b);
	return ok;
}

static bool query_true(const ld_http_req *r, const char *name)
{
	char v[8];
	return ld_http_query_get(r->query, name, v, sizeof(v)) && !strcmp(v, "true");
}

bool ld_hp_kube_ws_start(ld_hp_conn *c, const ld_http_req *r, const char *pod, const char *line)
{
	ld_hp_kube_state *k = &c->st.kube;
	char accept[40];
	int proto;
	if (!ld_slice_case_eq_cstr(ld_slice_trim(ld_http_header_get(r, "upgrade")), "websocket") ||
	    !ld_slice_eq_cstr(ld_slice_trim(ld_http_header_get(r, "sec-websocket-version")), "13") ||
	    !(proto = subprotocol(r)) ||
	    !accept_key(ld_slice_trim(ld_http_header_get(r, "sec-websocket-key")), accept,
			sizeof(accept)))
		return false;
	memset(k, 0, sizeof(*k));
	k->ws = true;
	k->ws_proto = (uint8_t)proto;
	k->want_stdin = query_true(r, "stdin");
	k->tty = query_true(r, "tty");
	ld_strlcpy(k->pod, pod, sizeof(k->pod));
	ld_strlcpy(k->line, line, sizeof(k->line));
	ld_hp_outf(c,
		   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
		   "Upgrade\r\nSec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: "
		   "v%d.channel.k8s.io\r\n\r\n",
		   accept, proto);
	ld_hp_kube_stream_output(c, ld_slice_cstr(k->line));
	if (!k->want_stdin)
		finish(c);
	return true;
}

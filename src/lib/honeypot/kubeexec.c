/* kubectl exec and attach over SPDY/3.1 (the upgrade kubectl uses before 1.29; protocol
 * v4.channel.k8s.io): after "101 Switching Protocols" kubectl opens its streams in a fixed
 * order (error, stdin when -i, stdout, stderr unless -t, resize with -t), each answered with a
 * SYN_REPLY; the command's canned output (shell.c) goes out on stdout, every stdin line is
 * recorded (kube.stdin) and answered the same way, and the streams end with FIN, which kubectl
 * takes as exit status 0. Nothing runs. Our header blocks are one zlib stream of stored deflate
 * blocks (no dictionary needed to write them); kubectl's are not inflated: the order of the
 * streams says what each is. */
#include <strings.h>

#include "util/common.h"
#include "honeypot/hp.h"
#include "honeypot/kube.h"

#define OUTPUT_MAX	(32 * 1024) /* canned output per command line */
#define STDIN_LINE_MAX	(8 * 1024)  /* stdin bytes recorded as one line without a newline */

static void frame_head(ld_hp_conn *c, bool control, uint32_t word0, uint8_t flags, size_t len)
{
	unsigned char h[8] = {(unsigned char)(word0 >> 24 | (control ? 0x80 : 0)),
			      (unsigned char)(word0 >> 16),
			      (unsigned char)(word0 >> 8),
			      (unsigned char)word0,
			      flags,
			      (unsigned char)(len >> 16),
			      (unsigned char)(len >> 8),
			      (unsigned char)len};
	ld_hp_out(c, h, sizeof(h));
}

static void data(ld_hp_conn *c, uint32_t sid, const void *p, size_t n, bool fin)
{
	if (!sid)
		return;
	while (n > LD_SPDY_MAX_FRAME) {
		frame_head(c, false, sid, 0, LD_SPDY_MAX_FRAME);
		ld_hp_out(c, p, LD_SPDY_MAX_FRAME);
		p = (const char *)p + LD_SPDY_MAX_FRAME;
		n -= LD_SPDY_MAX_FRAME;
	}
	frame_head(c, false, sid, fin ? 1 : 0, n);
	ld_hp_out(c, p, n);
}

/* SYN_REPLY with no headers: the empty name/value block (a zero count) as a stored deflate
 * block, then the empty stored block of a zlib sync flush (decoders hand out what they have at
 * it instead of reading on), after the zlib header on the connection's first block. */
static void syn_reply(ld_hp_conn *c, uint32_t sid)
{
	static const unsigned char block[] = {0x00, 0x04, 0x00, 0xfb, 0xff, 0,    0,
					      0,    0,    0x00, 0x00, 0x00, 0xff, 0xff};
	static const unsigned char zhdr[] = {0x78, 0x01};
	bool first = !c->st.kube.zlib_started;
	unsigned char id[4] = {(unsigned char)(sid >> 24), (unsigned char)(sid >> 16),
			       (unsigned char)(sid >> 8), (unsigned char)sid};
	frame_head(c, true, 0x00030002, 0, 4 + (first ? 2 : 0) + sizeof(block));
	ld_hp_out(c, id, 4);
	if (first)
		ld_hp_out(c, zhdr, 2);
	ld_hp_out(c, block, sizeof(block));
	c->st.kube.zlib_started = true;
}

void ld_hp_kube_stream_output(ld_hp_conn *c, ld_slice line)
{
	ld_buf out;
	ld_buf_init(&out, OUTPUT_MAX);
	ld_hp_shell_output(line, &out);
	if (out.len && c->st.kube.ws)
		ld_hp_kube_ws_send(c, 1, out.ptr, out.len);
	else if (out.len)
		data(c, c->st.kube.sid_stdout, out.ptr, out.len, false);
	ld_buf_release(&out);
}

static void finish(ld_hp_conn *c)
{
	ld_hp_kube_state *k = &c->st.kube;
	if (!ld_hp_kube_stream_end(c))
		return;
	data(c, k->sid_stdout, "", 0, true);
	data(c, k->sid_stderr, "", 0, true);
	data(c, k->sid_error, "", 0, true); /* no Status: success */
}

/* The next stream kubectl opens is the next of error, stdin, stdout, stderr, resize it asked
 * for in the query. */
static void opened(ld_hp_conn *c, uint32_t sid)
{
	ld_hp_kube_state *k = &c->st.kube;
	uint32_t *slots[5] = {&k->sid_error, k->want_stdin ? &k->sid_stdin : NULL,
			      k->want_stdout ? &k->sid_stdout : NULL,
			      k->want_stderr && !k->tty ? &k->sid_stderr : NULL, NULL};
	unsigned seen = 0;
	syn_reply(c, sid);
	for (size_t i = 0; i < LD_ARRAY_LEN(slots); i++) {
		if (!slots[i])
			continue;
		if (seen++ == k->opened) {
			*slots[i] = sid;
			break;
		}
	}
	k->opened++;
	if (k->opened != k->expected)
		return;
	ld_hp_kube_stream_output(c, ld_slice_cstr(k->line));
	if (!k->want_stdin)
		finish(c);
}

static void stdin_line(ld_hp_conn *c, ld_slice line)
{
	c->steps++;
	ld_hp_event_begin(c, "kube.stdin");
	ld_hp_kstr(c, "pod", c->st.kube.pod, strlen(c->st.kube.pod));
	ld_hp_kslice(c, "line", line);
	ld_hp_event_payload(c, line.ptr, line.len);
	ld_hp_event_end(c);
	ld_hp_kube_stream_output(c, line);
}

/* The line kept from earlier messages, completed by `more`, recorded. */
static void part_line(ld_hp_conn *c, ld_slice more)
{
	ld_hp_kube_state *k = &c->st.kube;
	ld_buf b;
	ld_buf_init(&b, STDIN_LINE_MAX);
	ld_buf_add(&b, k->part, k->partlen);
	ld_buf_addslice(&b, ld_slice_sub(more, 0, STDIN_LINE_MAX - k->partlen));
	k->partlen = 0;
	stdin_line(c, ld_buf_slice(&b));
	ld_buf_release(&b);
}

/* A line may come in several messages (kubectl sends what one read of its stdin gave, a
 * WebSocket message may be fragmented): the unfinished tail is kept, up to sizeof(part). */
void ld_hp_kube_stream_stdin(ld_hp_conn *c, ld_slice d)
{
	ld_hp_kube_state *k = &c->st.kube;
	while (d.len) {
		ptrdiff_t nl = ld_slice_find(d, '\n');
		size_t len = nl >= 0 ? (size_t)nl : d.len;
		if (nl < 0 && k->partlen + d.len <= sizeof(k->part)) {
			memcpy(k->part + k->partlen, d.ptr, d.len);
			k->partlen = (uint16_t)(k->partlen + d.len);
			return;
		}
		if (nl < 0)
			len = LD_MIN(d.len, (size_t)STDIN_LINE_MAX);
		if (k->partlen)
			part_line(c, ld_slice_sub(d, 0, len));
		else
			stdin_line(c, ld_slice_sub(d, 0, len));
		d = ld_slice_sub(d, nl >= 0 ? len + 1 : len, SIZE_MAX);
	}
}

bool ld_hp_kube_stream_end(ld_hp_conn *c)
{
	if (c->st.kube.finished)
		return false;
	c->st.kube.finished = true;
	if (c->st.kube.partlen)
		part_line(c, LD_SLICE_NULL);
	return true;
}

size_t ld_hp_kube_spdy_data(ld_hp_conn *c, const char *p, size_t n)
{
	ld_hp_kube_state *k = &c->st.kube;
	ld_spdy_frame f;
	size_t used;
	int rc = ld_spdy_frame_parse(p, n, &f, &used);
	if (rc == LD_HP_MORE)
		return 0;
	if (rc < 0) {
		ld_hp_event_begin(c, "kube.protocol_error");
		ld_hp_kstr(c, "error", "bad SPDY frame", 14);
		ld_hp_event_payload(c, p, n);
		ld_hp_event_end(c);
		c->close_after_write = true;
		return n;
	}
	if (f.control && f.type == 1) {
		opened(c, f.stream_id);
	} else if (f.control && f.type == 6 && f.data.len == 4) {
		frame_head(c, true, 0x00030006, 0, 4); /* PING: echoed */
		ld_hp_out(c, f.data.ptr, 4);
	} else if (f.control && f.type == 7) {
		c->close_after_write = true;
	} else if (!f.control && f.stream_id && f.stream_id == k->sid_stdin) {
		ld_hp_kube_stream_stdin(c, f.data);
		if (f.flags & 1)
			finish(c);
	}
	return used;
}

/* Grant the upgrade: true when the client offered SPDY/3.1 (the exec was recorded already). */
bool ld_hp_kube_spdy_start(ld_hp_conn *c, const ld_http_req *r, const char *pod,
			   const char *line)
{
	ld_hp_kube_state *k = &c->st.kube;
	ld_slice up = ld_http_header_get(r, "upgrade");
	const char *proto = NULL;
	char v[8];
	if (ld_slice_find_str(up, LD_SLICE_LIT("SPDY/3.1")) < 0)
		return false;
	for (size_t i = 0; i < r->nhdr; i++) {
		ld_slice name = r->hdr[i].name, val = r->hdr[i].value;
		if (name.len != 25 || strncasecmp(name.ptr, "x-stream-protocol-version", 25))
			continue;
		if (ld_slice_eq_cstr(val, "v4.channel.k8s.io"))
			proto = "v4.channel.k8s.io";
		else if (!proto && (ld_slice_eq_cstr(val, "v3.channel.k8s.io") ||
				    ld_slice_eq_cstr(val, "v2.channel.k8s.io")))
			proto = ld_slice_eq_cstr(val, "v3.channel.k8s.io") ? "v3.channel.k8s.io"
									   : "v2.channel.k8s.io";
	}
	if (!proto)
		return false;
	memset(k, 0, sizeof(*k));
	k->spdy = true;
	k->want_stdin = ld_http_query_get(r->query, "stdin", v, sizeof(v)) && !strcmp(v, "true");
	k->want_stdout = !ld_http_query_get(r->query, "stdout", v, sizeof(v)) || !strcmp(v, "true");
	k->want_stderr = ld_http_query_get(r->query, "stderr", v, sizeof(v)) && !strcmp(v, "true");
	k->tty = ld_http_query_get(r->query, "tty", v, sizeof(v)) && !strcmp(v, "true");
	k->expected = (uint8_t)(1 + k->want_stdin + k->want_stdout + (k->want_stderr && !k->tty) +
				(k->tty && strcmp(proto, "v2.channel.k8s.io") ? 1 : 0));
	ld_strlcpy(k->pod, pod, sizeof(k->pod));
	ld_strlcpy(k->line, line, sizeof(k->line));
	ld_hp_outf(c,
		   "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "
		   "SPDY/3.1\r\nX-Stream-Protocol-Version: %s\r\n\r\n",
		   proto);
	return true;
}

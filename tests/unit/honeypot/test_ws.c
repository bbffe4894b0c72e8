/* WebSocket framing (honeypot/wsframe.c) and the accept key (util/hash.c SHA-1 + base64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/base64.h"
#include "util/common.h"
#include "util/hash.h"
#include "honeypot/proto.h"

/* A masked client frame: head with the given length form (0 shortest, 16, 64), mask, payload. */
static size_t client_frame(unsigned char *out, uint8_t b0, const char *payload, size_t n, int form)
{
	static const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
	size_t at = 0;
	out[at++] = b0;
	if (form == 64 || (!form && n > 0xffff)) {
		out[at++] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			out[at++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	} else if (form == 16 || (!form && n >= 126)) {
		out[at++] = 0x80 | 126;
		out[at++] = (unsigned char)(n >> 8);
		out[at++] = (unsigned char)n;
	} else {
		out[at++] = (unsigned char)(0x80 | n);
	}
	memcpy(out + at, mask, 4);
	at += 4;
	for (size_t i = 0; i < n; i++)
		out[at + i] = (unsigned char)(payload[i] ^ mask[i & 3]);
	return at + n;
}

static void test_ws_short(void **state)
{
	unsigned char b[64];
	char out[64];
	ld_ws_frame f;
	size_t used = 0, n = client_frame(b, 0x82, "\0id\n", 4, 0);
	(void)state;
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(ld_ws_frame_parse((char *)b, cut, &f, &used), LD_HP_MORE);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LD_HP_DONE);
	assert_int_equal(used, n);
	assert_true(f.fin);
	assert_int_equal(f.opcode, LD_WS_BINARY);
	assert_int_equal(f.data.len, 4);
	ld_ws_unmask(&f, out);
	assert_memory_equal(out, "\0id\n", 4);
}

static void test_ws_lengths(void **state)
{
	static unsigned char b[LD_WS_MAX_PAYLOAD + 64];
	static char payload[LD_WS_MAX_PAYLOAD + 1], out[LD_WS_MAX_PAYLOAD];
	ld_ws_frame f;
	size_t used, n;
	(void)state;
	memset(payload, 'x', sizeof(payload));
	n = client_frame(b, 0x82, payload, 300, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LD_HP_DONE);
	assert_int_equal(f.data.len, 300);
	n = client_frame(b, 0x82, payload, LD_WS_MAX_PAYLOAD, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LD_HP_DONE);
	assert_int_equal(used, n);
	ld_ws_unmask(&f, out);
	assert_int_equal(out[LD_WS_MAX_PAYLOAD - 1], 'x');
	/* one byte over the limit: refused from the head alone, before the payload arrives */
	n = client_frame(b, 0x82, payload, LD_WS_MAX_PAYLOAD + 1, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, 14, &f, &used), LADING_ELIMIT);
	/* lengths not in their shortest form, a 64-bit length with its top bit set */
	n = client_frame(b, 0x82, payload, 5, 16);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	n = client_frame(b, 0x82, payload, 300, 64);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	b[2] = 0x80;
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
}

static void test_ws_rules(void **state)
{
	unsigned char b[512];
	char big[200];
	ld_ws_frame f;
	size_t used, n;
	(void)state;
	memset(big, 'p', sizeof(big));
	/* unmasked client frame */
	b[0] = 0x82;
	b[1] = 2;
	b[2] = 0;
	b[3] = 'a';
	assert_int_equal(ld_ws_frame_parse((char *)b, 4, &f, &used), LADING_EINVALID);
	/* reserved bits (no extension negotiated), reserved opcodes */
	n = client_frame(b, 0xc2, "\0a", 2, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	n = client_frame(b, 0x83, "\0a", 2, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	n = client_frame(b, 0x8b, "", 0, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	/* control frames: not fragmented, at most 125 bytes */
	n = client_frame(b, 0x09, "hi", 2, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	n = client_frame(b, 0x89, big, 126, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LADING_EINVALID);
	n = client_frame(b, 0x89, big, 125, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LD_HP_DONE);
	assert_int_equal(f.opcode, LD_WS_PING);
	/* fragments: first without FIN, then a continuation */
	n = client_frame(b, 0x02, "\0ab", 3, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LD_HP_DONE);
	assert_false(f.fin);
	n = client_frame(b, 0x80, "c\n", 2, 0);
	assert_int_equal(ld_ws_frame_parse((char *)b, n, &f, &used), LD_HP_DONE);
	assert_true(f.fin);
	assert_int_equal(f.opcode, LD_WS_CONT);
}

static void test_ws_head(void **state)
{
	unsigned char h[LD_WS_HEAD_MAX];
	(void)state;
	assert_int_equal(ld_ws_head(h, LD_WS_BINARY, 5), 2);
	assert_int_equal(h[0], 0x82);
	assert_int_equal(h[1], 5);
	assert_int_equal(ld_ws_head(h, LD_WS_BINARY, 126), 4);
	assert_int_equal(h[1], 126);
	assert_int_equal(h[2] << 8 | h[3], 126);
	assert_int_equal(ld_ws_head(h, LD_WS_CLOSE, 70000), 10);
	assert_int_equal(h[0], 0x88);
	assert_int_equal(h[1], 127);
	assert_int_equal(h[7] << 16 | h[8] << 8 | h[9], 70000);
}

static void test_ws_accept(void **state)
{
	/* RFC 6455 section 1.3: key dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo= */
	const char *in = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char md[20];
	ld_buf b;
	(void)state;
	ld_sha1_raw(in, strlen(in), md);
	ld_buf_init(&b, 64);
	assert_int_equal(ld_base64_encode(&b, md, sizeof(md)), 0);
	assert_string_equal(b.ptr, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	ld_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ws_short), cmocka_unit_test(test_ws_lengths),
		cmocka_unit_test(test_ws_rules), cmocka_unit_test(test_ws_head),
		cmocka_unit_test(test_ws_accept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "util/common.h"
#include "util/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ld_base64_encode(ld_buf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		char q[4] = {alphabet[s[i] >> 2], alphabet[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			     alphabet[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)],
			     alphabet[s[i + 2] & 63]};
		ld_buf_add(out, q, 4);
	}
	if (n - i == 1) {
		char q[4] = {alphabet[s[i] >> 2], alphabet[(s[i] & 3) << 4], '=', '='};
		ld_buf_add(out, q, 4);
	} else if (n - i == 2) {
		char q[4] = {alphabet[s[i] >> 2], alphabet[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			     alphabet[(s[i + 1] & 15) << 2], '='};
		ld_buf_add(out, q, 4);
	}
	return ld_buf_error(out);
}

static int value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int ld_base64_decode(ld_buf *out, const char *p, size_t n)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t pad = 0;

	while (n && p[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if ((n + pad) % 4 && pad)
		return LADING_EINVALID; /* padding only completes a quantum */
	if (n % 4 == 1)
		return LADING_EINVALID; /* one leftover character holds no whole byte */
	for (size_t i = 0; i < n; i++) {
		int v = value(p[i]);
		if (v < 0)
			return LADING_EINVALID;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			ld_buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return ld_buf_error(out);
}

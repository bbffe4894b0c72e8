/* RESP request parser: what a Redis server reads from a client. Two forms, as Redis accepts them:
 * arrays of bulk strings ("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", what redis-cli and client
 * libraries send) and inline commands ("CONFIG SET dir /tmp\r\n", what attackers type into nc),
 * the latter split like Redis' sdssplitargs (double quotes with C escapes, single quotes).
 * Limits are in proto.h (LD_RESP_*). */
#include "util/common.h"
#include "honeypot/proto.h"

/* Index of the first "\r\n" at or after p (within n bytes), or -1. */
static ptrdiff_t find_crlf(const char *p, size_t n)
{
	const char *cr = n ? memchr(p, '\r', n) : NULL;
	while (cr) {
		size_t off = (size_t)(cr - p);
		if (off + 1 >= n)
			return -1; /* '\r' is the last byte: need more */
		if (cr[1] == '\n')
			return (ptrdiff_t)off;
		cr = memchr(cr + 1, '\r', n - off - 1);
	}
	return -1;
}

/* "<sigil><signed integer>\r\n" at p. LD_HP_DONE with *v and *used, LD_HP_MORE, or an error. */
static int header_line(const char *p, size_t len, int64_t *v, size_t *used, const char **why,
		       const char *bad)
{
	size_t lim = LD_MIN(len, (size_t)LD_RESP_MAX_HEADER + 2);
	ptrdiff_t e = find_crlf(p, lim);
	ld_slice num;
	uint64_t u;
	bool neg;
	if (e < 0) {
		if (len >= (size_t)LD_RESP_MAX_HEADER + 2) {
			*why = bad;
			return LADING_EINVALID;
		}
		return LD_HP_MORE;
	}
	num = ld_slice_make(p + 1, (size_t)e - 1);
	neg = num.len && num.ptr[0] == '-';
	if (neg)
		num = ld_slice_sub(num, 1, num.len - 1);
	if (!ld_slice_to_u64(num, INT64_MAX, &u)) {
		*why = bad;
		return LADING_EINVALID;
	}
	*v = neg ? -(int64_t)u : (int64_t)u;
	*used = (size_t)e + 2;
	return LD_HP_DONE;
}

static int parse_array(ld_resp_cmd *cmd, const char *p, size_t len, size_t *consumed,
		       const char **why)
{
	int64_t count, blen;
	size_t pos, used;
	int rc = header_line(p, len, &count, &used, why, "invalid multibulk length");
	if (rc != LD_HP_DONE)
		return rc;
	pos = used;
	if (count <= 0) { /* "*0" and "*-1" are no command at all, as in Redis */
		*consumed = pos;
		return LD_HP_DONE;
	}
	if (count > LD_RESP_MAX_ARGS) {
		*why = "invalid multibulk length";
		return LADING_ELIMIT;
	}
	for (int64_t i = 0; i < count; i++) {
		if (pos >= len)
			return LD_HP_MORE;
		if (p[pos] != '$') {
			*why = "expected '$'";
			return LADING_EINVALID;
		}
		rc = header_line(p + pos, len - pos, &blen, &used, why, "invalid bulk length");
		if (rc != LD_HP_DONE)
			return rc;
		if (blen < 0 || blen > LD_RESP_MAX_BULK) {
			*why = "invalid bulk length";
			return blen < 0 ? LADING_EINVALID : LADING_ELIMIT;
		}
		pos += used;
		/* pos <= len and blen is small: no overflow in pos + blen + 2 */
		if (len - pos < (size_t)blen + 2)
			return LD_HP_MORE;
		if (p[pos + (size_t)blen] != '\r' || p[pos + (size_t)blen + 1] != '\n') {
			*why = "bulk string not terminated by CRLF";
			return LADING_EINVALID;
		}
		cmd->argv[cmd->argc++] = ld_slice_make(p + pos, (size_t)blen);
		pos += (size_t)blen + 2;
	}
	*consumed = pos;
	return LD_HP_DONE;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\0';
}

/* sdssplitargs: unescaped bytes go to out (never more than the line's length). */
static int split_inline(ld_resp_cmd *cmd, const char *s, size_t n, char *out, const char **why)
{
	size_t i = 0, o = 0;
	for (;;) {
		size_t start;
		while (i < n && blank(s[i]))
			i++;
		if (i >= n)
			return 0;
		if (cmd->argc >= LD_RESP_MAX_ARGS) {
			*why = "too many arguments";
			return LADING_ELIMIT;
		}
		start = o;
		if (s[i] == '"') {
			for (i++;; i++) {
				if (i >= n) {
					*why = "unbalanced quotes in request";
					return LADING_EINVALID;
				}
				if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
				    hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
					out[o++] = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
					i += 3;
				} else if (s[i] == '\\' && i + 1 < n) {
					char c = s[++i];
					out[o++] = c == 'n'   ? '\n'
						   : c == 'r' ? '\r'
						   : c == 't' ? '\t'
						   : c == 'b' ? '\b'
						   : c == 'a' ? '\a'
							      : c;
				} else if (s[i] == '"') {
					if (i + 1 < n && !blank(s[i + 1])) {
						*why = "unbalanced quotes in request";
						return LADING_EINVALID;
					}
					i++;
					break;
				} else {
					out[o++] = s[i];
				}
			}
		} else if (s[i] == '\'') {
			for (i++;; i++) {
				if (i >= n) {
					*why = "unbalanced quotes in request";
					return LADING_EINVALID;
				}
				if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\'') {
					out[o++] = '\'';
					i++;
				} else if (s[i] == '\'') {
					if (i + 1 < n && !blank(s[i + 1])) {
						*why = "unbalanced quotes in request";
						return LADING_EINVALID;
					}
					i++;
					break;
				} else {
					out[o++] = s[i];
				}
			}
		} else {
			while (i < n && !blank(s[i]))
				out[o++] = s[i++];
		}
		cmd->argv[cmd->argc++] = ld_slice_make(out + start, o - start);
	}
}

int ld_resp_parse(ld_resp_cmd *cmd, const char *p, size_t len, char *scratch, size_t *consumed,
		  const char **why)
{
	const char *nl;
	size_t n;
	int rc;

	cmd->argc = 0;
	cmd->inline_form = false;
	*why = NULL;
	if (!len)
		return LD_HP_MORE;
	if (p[0] == '*')
		return parse_array(cmd, p, len, consumed, why);

	cmd->inline_form = true;
	nl = memchr(p, '\n', LD_MIN(len, (size_t)LD_RESP_MAX_INLINE));
	if (!nl) {
		if (len >= LD_RESP_MAX_INLINE) {
			*why = "too big inline request";
			return LADING_ELIMIT;
		}
		return LD_HP_MORE;
	}
	n = (size_t)(nl - p);
	*consumed = n + 1;
	if (n && p[n - 1] == '\r')
		n--;
	rc = split_inline(cmd, p, n, scratch, why);
	return rc < 0 ? rc : LD_HP_DONE;
}

/* Greetings: what a service says before the client does (the "NULL probe"), and recognition of
 * one protocol's answer to another's request. SSH and MySQL greetings go to their own parsers;
 * FTP, SMTP, POP3, IMAP, VNC and telnet greetings are named here; anything else is kept as the
 * raw banner (escaped and capped by the evidence rules). */
#include <ctype.h>

#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define BANNER_ENOUGH 512 /* bytes of a greeting worth waiting for without a line end */
#define BANNER_WORDS 16	  /* words of a greeting searched for a product name */

static const char mongo_http[] = "It looks like you are trying to access MongoDB over HTTP";

static bool mysql_like(ld_slice in)
{
	const unsigned char *p = (const unsigned char *)in.ptr;
	size_t len;
	if (in.len < 6)
		return false;
	len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	if (p[3] != 0 || len < 2 || len > 4096)
		return false;
	return ((p[4] == 0x0a || p[4] == 0x09) && isdigit(p[5])) || (p[4] == 0xff && in.len >= 7);
}

int ld_census_classify(ld_slice in, bool *reparse)
{
	*reparse = false;
	if (!in.len)
		return -1;
	if (ld_slice_find_str(ld_slice_sub(in, 0, 512), LD_SLICE_LIT(mongo_http)) >= 0)
		return LD_PROBE_MONGODB;
	*reparse = true;
	if (ld_slice_starts_with(in, "SSH-"))
		return LD_PROBE_SSH;
	if (ld_slice_starts_with(in, "HTTP/"))
		return LD_PROBE_HTTP;
	if (mysql_like(in))
		return LD_PROBE_MYSQL;
	*reparse = false;
	if (ld_slice_starts_with(in, "-ERR") || ld_slice_starts_with(in, "-NOAUTH") ||
	    ld_slice_starts_with(in, "-DENIED") || ld_slice_starts_with(in, "-WRONGTYPE") ||
	    ld_slice_starts_with(in, "+PONG"))
		return LD_PROBE_REDIS;
	if (ld_slice_starts_with(in, "ERROR\r\n") || ld_slice_starts_with(in, "CLIENT_ERROR") ||
	    ld_slice_starts_with(in, "SERVER_ERROR"))
		return LD_PROBE_MEMCACHED;
	return -1;
}

/* Look for "<product> <version>" among the first words of a greeting line. */
static void product_words(ld_census_obs *o, ld_slice line)
{
	ld_slice words[BANNER_WORDS];
	size_t n = 0, i = 0;
	while (i < line.len && n < BANNER_WORDS) {
		size_t s;
		while (i < line.len && (line.ptr[i] == ' ' || line.ptr[i] == '(' || line.ptr[i] == ')'))
			i++;
		s = i;
		while (i < line.len && line.ptr[i] != ' ' && line.ptr[i] != '(' && line.ptr[i] != ')')
			i++;
		if (i > s)
			words[n++] = ld_slice_sub(line, s, i - s);
	}
	for (i = 0; i < n; i++) {
		const char *key = ld_census_product_key(words[i]);
		if (!key)
			continue;
		o->product = key;
		if (i + 1 < n && isdigit((unsigned char)words[i + 1].ptr[0]))
			ld_census_obs_version(o, words[i + 1]);
		break;
	}
	for (i = 0; i < n; i++) {
		if (ld_census_is_distro_hint(words[i]) && !o->distro) {
			ld_slice w = words[i];
			ptrdiff_t slash = ld_slice_find(w, '/'); /* Postfix's "(Debian/GNU)" */
			if (slash > 0)
				w.len = (size_t)slash;
			ld_census_obs_set(o, &o->distro, w);
		}
	}
}

ld_pv ld_census_banner_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	ptrdiff_t nl = ld_slice_find(in, '\n');
	ld_slice line;
	(void)step;
	if (!in.len)
		return eof ? LD_PV_NOMATCH : LD_PV_MORE;
	if ((unsigned char)in.ptr[0] == 0xff && in.len >= 2 && (unsigned char)in.ptr[1] >= 0xfb &&
	    (unsigned char)in.ptr[1] <= 0xfe) {
		o->service = "telnet"; /* IAC WILL/WONT/DO/DONT option negotiation */
		ld_census_obs_evidence(o, in);
		return LD_PV_DONE;
	}
	if (nl < 0 && !eof && in.len < BANNER_ENOUGH)
		return LD_PV_MORE;
	line = ld_slice_trim(nl < 0 ? in : ld_slice_sub(in, 0, (size_t)nl));
	ld_census_obs_evidence(o, in);
	if (ld_slice_starts_with(line, "220")) {
		bool smtp = ld_slice_find_str(line, LD_SLICE_LIT("SMTP")) >= 0;
		o->service = smtp ? "smtp" : "ftp";
		product_words(o, ld_slice_sub(line, 4, line.len));
	} else if (ld_slice_starts_with(line, "+OK")) {
		o->service = "pop3";
		product_words(o, ld_slice_sub(line, 3, line.len));
	} else if (ld_slice_starts_with(line, "* OK")) {
		o->service = "imap";
		product_words(o, ld_slice_sub(line, 4, line.len));
	} else if (ld_slice_starts_with(line, "RFB ")) {
		o->service = "vnc";
		ld_census_obs_attr(o, "protocol", ld_slice_sub(line, 4, line.len));
	} else if (ld_slice_starts_with(in, "\x15\x03") || ld_slice_starts_with(in, "\x16\x03")) {
		o->service = "tls";
		o->note = "TLS: lading probes in plain text only";
	}
	if (!o->product && !o->note && o->service)
		o->note = "the greeting names no product lading knows";
	return LD_PV_DONE;
}

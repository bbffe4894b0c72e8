/* SSH: the server's identification line (RFC 4253 4.2), "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3".
 * The comment after the software version is the distribution's build ("Debian-2+deb12u3",
 * "Ubuntu-3ubuntu0.10", "FreeBSD-20230316") and is kept whole as the distro hint. */
#include <ctype.h>

#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define SSH_MAX_LINE 1024    /* RFC 4253 allows 255 bytes; be lenient, never unbounded */
#define SSH_MAX_PRELINES 32  /* lines a server may send before its identification */

static void software(ld_census_obs *o, ld_slice sw)
{
	ld_slice name = sw, ver = LD_SLICE_NULL;
	for (size_t i = 0; i + 1 < sw.len; i++) {
		if ((sw.ptr[i] == '_' || sw.ptr[i] == '-') && isdigit((unsigned char)sw.ptr[i + 1])) {
			name = ld_slice_sub(sw, 0, i);
			ver = ld_slice_sub(sw, i + 1, sw.len - i - 1);
			break;
		}
	}
	ld_census_obs_product(o, name);
	if (ver.len)
		ld_census_obs_version(o, ver);
	ld_census_obs_attr(o, "software", sw);
}

ld_pv ld_census_ssh_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	ld_slice rest = in, line;
	size_t lines = 0;
	(void)step;
	while (rest.len) {
		ptrdiff_t nl = ld_slice_find(rest, '\n');
		ld_slice proto, sw, comment = LD_SLICE_NULL;
		if (nl < 0) {
			if (!eof && rest.len < SSH_MAX_LINE)
				return LD_PV_MORE;
			line = rest;
			rest = LD_SLICE_NULL;
		} else {
			line = ld_slice_sub(rest, 0, (size_t)nl);
			rest = ld_slice_sub(rest, (size_t)nl + 1, rest.len);
		}
		if (line.len > SSH_MAX_LINE)
			line.len = SSH_MAX_LINE;
		if (line.len && line.ptr[line.len - 1] == '\r')
			line.len--;
		if (!ld_slice_starts_with(line, "SSH-")) {
			/* other lines may precede the identification, but they are text */
			for (size_t i = 0; i < line.len; i++)
				if (line.ptr[i] == '\0')
					return LD_PV_NOMATCH;
			if (++lines > SSH_MAX_PRELINES)
				return LD_PV_NOMATCH;
			continue;
		}
		o->service = "ssh";
		ld_census_obs_evidence(o, line);
		line = ld_slice_sub(line, 4, line.len - 4);
		if (!ld_slice_cut(&line, '-', &proto))
			return LD_PV_DONE; /* "SSH-2.0" alone: an SSH server that names nothing */
		ld_census_obs_attr(o, "protocol", proto);
		sw = line;
		{
			ptrdiff_t sp = ld_slice_find(line, ' ');
			if (sp >= 0) {
				sw = ld_slice_sub(line, 0, (size_t)sp);
				comment = ld_slice_trim(ld_slice_sub(line, (size_t)sp + 1, line.len));
			}
		}
		if (sw.len)
			software(o, sw);
		if (comment.len) {
			if (ld_census_is_distro_hint(comment))
				ld_census_obs_set(o, &o->distro, comment);
			else
				ld_census_obs_attr(o, "comment", comment);
		}
		return LD_PV_DONE;
	}
	return eof ? LD_PV_NOMATCH : LD_PV_MORE;
}

#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "report/report.h"

const char *ld_report_tool_version(const ld_sbom_view *v)
{
	if (v->opts && v->opts->tool_version)
		return v->opts->tool_version;
	return lading_version_string();
}

static bool rfc3339_prefix(const char *s)
{
	/* "YYYY-MM-DDTHH:MM:SS" */
	if (!s || strlen(s) < 19)
		return false;
	for (int i = 0; i < 19; i++) {
		char c = s[i];
		if (i == 4 || i == 7) {
			if (c != '-')
				return false;
		} else if (i == 10) {
			if (c != 'T')
				return false;
		} else if (i == 13 || i == 16) {
			if (c != ':')
				return false;
		} else if (c < '0' || c > '9') {
			return false;
		}
	}
	return true;
}

void ld_report_timestamp(const ld_sbom_view *v, char out[32])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t;
	struct tm tm;
	if (v->opts && v->opts->timestamp && rfc3339_prefix(v->opts->timestamp)) {
		ld_snprintf(out, 32, "%.19sZ", v->opts->timestamp);
		return;
	}
	if (sde && *sde) {
		char *end;
		long long x = strtoll(sde, &end, 10);
		if (*end == '\0' && x >= 0) {
			t = (time_t)x;
			gmtime_r(&t, &tm);
			strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
			return;
		}
	}
	if (v->image && rfc3339_prefix(v->image->created)) {
		/* seconds precision, UTC as written by builders ("...Z"); offsets are rare in configs */
		ld_snprintf(out, 32, "%.19sZ", v->image->created);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ld_report_uuid(const ld_sbom_view *v, const char *salt, char out[37])
{
	char d[LD_DIGEST_STR_LEN];
	ld_buf b = LD_BUF_INIT;
	unsigned char u[16];
	const char *h;
	ld_buf_addf(&b, "%s|%s|%s|%zu|", salt, v->image->config_digest ? v->image->config_digest : "",
		    v->image->source_path ? v->image->source_path : "", v->npkgs);
	for (size_t i = 0; i < v->npkgs; i++)
		ld_buf_addf(&b, "%s|", v->pkgs[i]->purl ? v->pkgs[i]->purl : v->pkgs[i]->name);
	ld_sha256_buf(b.ptr ? b.ptr : "", b.len, d);
	ld_buf_release(&b);
	h = d + 7;
	for (int i = 0; i < 16; i++) {
		unsigned hi = (unsigned)(h[2 * i] <= '9' ? h[2 * i] - '0' : h[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(h[2 * i + 1] <= '9' ? h[2 * i + 1] - '0' : h[2 * i + 1] - 'a' + 10);
		u[i] = (unsigned char)(hi << 4 | lo);
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x50); /* version 5 (name-based, SHA) */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	ld_snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		    u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

const char *ld_report_platform(const lading_image_info *img, char *buf, size_t n)
{
	if (!img->os || !img->architecture)
		return NULL;
	if (img->variant)
		ld_snprintf(buf, n, "%s/%s/%s", img->os, img->architecture, img->variant);
	else
		ld_snprintf(buf, n, "%s/%s", img->os, img->architecture);
	return buf;
}

const char *ld_report_image_name(const lading_image_info *img)
{
	return img->ref ? img->ref : img->source_path;
}

/* Request routing and token formats: pure functions over (ptr,len), no I/O. */
#include <strings.h>

#include "util/common.h"
#include "service/service.h"

/* Named limits of the request bodies each route accepts. */
#define BODY_IMAGE_MAX (16 * 1024)            /* {"ref": ...} */
#define BODY_SNAPSHOT_MAX (32 * 1024 * 1024)  /* a cluster's container list */
#define BODY_ADMISSION_MAX (4 * 1024 * 1024)  /* an AdmissionReview with its Pod */
#define BODY_SBOM_MAX (64 * 1024 * 1024)      /* an SBOM document (CycloneDX, SPDX, lading JSON) */
#define TOKEN_PREFIX "ldt_"
#define TOKEN_HEX 64

static const ld_svc_route routes[] = {
	{"GET", "/", LD_R_DASHBOARD, LD_SCOPE_READ, 0},
	/* browsers ask for it beside the dashboard: 204 rather than a 404 in their console */
	{"GET", "/favicon.ico", LD_R_FAVICON, LD_SCOPE_READ, 0},
	{"GET", "/api/v1/images", LD_R_IMAGES_LIST, LD_SCOPE_READ, 0},
	{"POST", "/api/v1/images", LD_R_IMAGES_ADD, LD_SCOPE_WRITE, BODY_IMAGE_MAX},
	{"POST", "/api/v1/sboms", LD_R_SBOMS_ADD, LD_SCOPE_WRITE, BODY_SBOM_MAX},
	{"GET", "/api/v1/jobs/{id}", LD_R_JOB_GET, LD_SCOPE_READ, 0},
	{"GET", "/api/v1/containers", LD_R_CONTAINERS_LIST, LD_SCOPE_READ, 0},
	{"POST", "/api/v1/containers", LD_R_CONTAINERS_PUT, LD_SCOPE_WRITE, BODY_SNAPSHOT_MAX},
	{"GET", "/api/v1/query", LD_R_QUERY, LD_SCOPE_READ, 0},
	{"GET", "/api/v1/report/fleet", LD_R_FLEET, LD_SCOPE_READ, 0},
	/* any valid token: the API server's webhook configuration carries a read token */
	{"POST", "/api/v1/admission", LD_R_ADMISSION, LD_SCOPE_READ, BODY_ADMISSION_MAX},
	/* webhooks name their URLs: admin only */
	{"GET", "/api/v1/webhooks", LD_R_WEBHOOKS, LD_SCOPE_ADMIN, 0},
	{"GET", "/api/v1/webhooks/deliveries", LD_R_DELIVERIES, LD_SCOPE_ADMIN, 0},
};

const ld_svc_route *ld_svc_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

/* pattern against path; "{id}" takes one segment of 1..LD_SVC_JOB_ID_MAX digits */
static bool path_match(const char *pat, ld_slice path, int64_t *param)
{
	size_t i = 0;
	while (*pat) {
		if (!strncmp(pat, "{id}", 4)) {
			size_t start = i;
			uint64_t v;
			while (i < path.len && path.ptr[i] >= '0' && path.ptr[i] <= '9')
				i++;
			if (i == start || i - start > LD_SVC_JOB_ID_MAX ||
			    !ld_slice_to_u64(ld_slice_make(path.ptr + start, i - start), INT64_MAX, &v))
				return false;
			*param = (int64_t)v;
			pat += 4;
			continue;
		}
		if (i >= path.len || path.ptr[i] != *pat)
			return false;
		i++;
		pat++;
	}
	return i == path.len;
}

int ld_svc_route_find(const char *method, ld_slice path, int64_t *param)
{
	bool path_known = false;
	*param = 0;
	if (path.len > LD_SVC_URL_MAX)
		return LD_SVC_ROUTE_NOTFOUND;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int64_t p = 0;
		if (!path_match(routes[i].path, path, &p))
			continue;
		path_known = true;
		if (!strcmp(method, routes[i].method) ||
		    (!strcmp(method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
			*param = p;
			return (int)i;
		}
	}
	return path_known ? LD_SVC_ROUTE_METHOD : LD_SVC_ROUTE_NOTFOUND;
}

int ld_svc_scope_parse(const char *s, ld_svc_scope *out)
{
	if (!s)
		return LADING_EINVALID;
	if (!strcmp(s, "read"))
		*out = LD_SCOPE_READ;
	else if (!strcmp(s, "write"))
		*out = LD_SCOPE_WRITE;
	else if (!strcmp(s, "admin"))
		*out = LD_SCOPE_ADMIN;
	else
		return LADING_EINVALID;
	return 0;
}

const char *ld_svc_scope_name(ld_svc_scope s)
{
	switch (s) {
	case LD_SCOPE_READ:
		return "read";
	case LD_SCOPE_WRITE:
		return "write";
	case LD_SCOPE_ADMIN:
		return "admin";
	default:
		return "none";
	}
}

bool ld_svc_token_valid(ld_slice tok)
{
	if (tok.len != strlen(TOKEN_PREFIX) + TOKEN_HEX || !ld_slice_starts_with(tok, TOKEN_PREFIX))
		return false;
	for (size_t i = strlen(TOKEN_PREFIX); i < tok.len; i++) {
		char c = tok.ptr[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

bool ld_svc_bearer(ld_slice h, ld_slice *tok)
{
	size_t i = 0;
	h = ld_slice_trim(h);
	if (h.len < 7 || strncasecmp(h.ptr, "bearer", 6) != 0 || (h.ptr[6] != ' ' && h.ptr[6] != '\t'))
		return false;
	i = 6;
	while (i < h.len && (h.ptr[i] == ' ' || h.ptr[i] == '\t'))
		i++;
	*tok = ld_slice_make(h.ptr + i, h.len - i);
	return ld_svc_token_valid(*tok);
}

/* A registry reference only: no local paths or other sources through the API (the job runs it
 * as "registry:REF" in any case; this answers 400 at once instead of a failed job). */
static const char *const local_schemes[] = {"docker-archive:", "oci-archive:", "oci:", "dir:", "rootfs-tar:",
					    "docker:", "docker-dir:", "file:", "docker-daemon:",
					    "containers-storage:", "podman:", "sbom:"};

bool ld_svc_ref_ok(const char *r)
{
	size_t n;
	if (!strncmp(r, "registry:", 9))
		r += 9;
	else if (!strncmp(r, "docker://", 9))
		r += 9;
	n = strlen(r);
	if (!n || n > LD_SVC_REF_MAX || r[0] == '/' || r[0] == '.' || r[0] == '-' || r[0] == ':')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r[i] <= ' ' || r[i] == '\\' || (unsigned char)r[i] >= 0x7f)
			return false;
	if (strstr(r, "..") || strstr(r, "://") || strstr(r, "//"))
		return false;
	for (size_t i = 0; i < sizeof(local_schemes) / sizeof(local_schemes[0]); i++)
		if (!strncmp(r, local_schemes[i], strlen(local_schemes[i])))
			return false;
	return true;
}

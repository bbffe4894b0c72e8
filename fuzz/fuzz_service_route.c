/* Fuzz the service's request routing, Authorization header and reference checks: input lines
 * METHOD, PATH, AUTHORIZATION, REF (anything an HTTP client sends). */
#include "util/common.h"
#include "service/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t line(const char *p, size_t n, size_t *next)
{
	size_t i = 0;
	while (i < n && p[i] != '\n')
		i++;
	*next = i < n ? i + 1 : n;
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	char method[16], *path = NULL, *ref = NULL;
	size_t n1, n2, n3, next, off = 0;
	int64_t param;
	ld_slice tok;
	n1 = line(p, size, &next);
	ld_slice_copy(method, sizeof(method), ld_slice_make(p, n1));
	off = next;
	n2 = line(p + off, size - off, &next);
	path = ld_strndup(p + off, n2);
	off += next;
	n3 = line(p + off, size - off, &next);
	ld_slice auth = ld_slice_make(p + off, n3);
	off += next;
	ref = ld_strndup(p + off, size - off);
	if (path) {
		size_t nr;
		const ld_svc_route *r = ld_svc_routes(&nr);
		int i = ld_svc_route_find(method, ld_slice_make(path, n2), &param);
		if (i >= (int)nr || (i >= 0 && param < 0))
			__builtin_trap();
		(void)r;
	}
	if (ld_svc_bearer(auth, &tok) && (!ld_svc_token_valid(tok) || tok.ptr < auth.ptr ||
					  tok.ptr + tok.len > auth.ptr + auth.len))
		__builtin_trap();
	if (ref && ld_svc_ref_ok(ref) && (ref[0] == '/' || strstr(ref, "..")))
		__builtin_trap();
	free(path);
	free(ref);
	return 0;
}

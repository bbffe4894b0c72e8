#include "util/common.h"
#include "util/path.h"

int ld_path_canon(ld_slice in, char *out, size_t *outlen)
{
	size_t o = 0;
	ld_slice rest = in, comp;

	if (memchr(in.ptr ? in.ptr : "", '\0', in.len))
		return LD_PATH_NUL;
	while (rest.len) {
		ld_slice_cut(&rest, '/', &comp);
		if (comp.len == 0 || (comp.len == 1 && comp.ptr[0] == '.'))
			continue;
		if (comp.len == 2 && comp.ptr[0] == '.' && comp.ptr[1] == '.')
			return LD_PATH_DOTDOT;
		if (o + (o ? 1 : 0) + comp.len >= LD_PATH_MAX)
			return LD_PATH_TOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, comp.ptr, comp.len);
		o += comp.len;
	}
	out[o] = '\0';
	*outlen = o;
	return LD_PATH_OK;
}

ld_slice ld_path_base(ld_slice p)
{
	for (size_t i = p.len; i > 0; i--)
		if (p.ptr[i - 1] == '/')
			return ld_slice_make(p.ptr + i, p.len - i);
	return p;
}

ld_slice ld_path_dir(ld_slice p)
{
	for (size_t i = p.len; i > 0; i--)
		if (p.ptr[i - 1] == '/')
			return ld_slice_make(p.ptr, i - 1);
	return ld_slice_make(p.ptr, 0);
}

/* Depth-bounded recursive matcher; patterns are ours (few stars), paths are capped. */
static bool match(const char *p, const char *s, const char *e, int budget)
{
	if (budget <= 0)
		return false;
	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			const char *q = p + 2;
			if (*q == '/') {
				/* "**" "/" : zero or more whole components */
				if (match(q + 1, s, e, budget - 1))
					return true;
				for (const char *t = s; t < e; t++)
					if (*t == '/' && match(q + 1, t + 1, e, budget - 1))
						return true;
				return false;
			}
			for (const char *t = e;; t--) {
				if (match(q, t, e, budget - 1))
					return true;
				if (t == s)
					return false;
			}
		}
		if (*p == '*') {
			const char *t = s;
			while (t < e && *t != '/')
				t++;
			for (;; t--) {
				if (match(p + 1, t, e, budget - 1))
					return true;
				if (t == s)
					return false;
			}
		}
		if (s >= e)
			return false;
		if (*p == '?') {
			if (*s == '/')
				return false;
		} else if (*p != *s) {
			return false;
		}
		p++;
		s++;
	}
	return s == e;
}

bool ld_glob_match(const char *pattern, ld_slice path)
{
	return match(pattern, path.ptr, path.ptr + path.len, 10000);
}

static bool usable(const char *v, bool absolute)
{
	return v && *v && (!absolute || v[0] == '/');
}

int ld_user_path(char *out, size_t n, const char *env, const char *xdg, const char *home_sub,
		 const char *file, unsigned flags)
{
	const char *e = env ? getenv(env) : NULL, *x = getenv(xdg), *h = getenv("HOME");
	const char *sep = file ? "/" : "", *f = file ? file : "";
	int k;
	if (e && *e)
		k = snprintf(out, n, "%s", e);
	else if (usable(x, flags & LD_USER_XDG_ABS))
		k = snprintf(out, n, "%s/lading%s%s", x, sep, f);
	else if (usable(h, flags & LD_USER_HOME_ABS))
		k = snprintf(out, n, "%s/%s/lading%s%s", h, home_sub, sep, f);
	else
		return LADING_ENOTFOUND;
	return k < 0 || (size_t)k >= n ? LADING_ELIMIT : 0;
}

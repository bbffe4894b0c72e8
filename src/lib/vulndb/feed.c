#include <dirent.h>

#include "util/common.h"
#include "util/json.h"
#include "util/stream.h"
#include "vulndb/feed.h"

/* Named limits. */
#define FEED_DIR_MAX_ENTRIES 100000u /* a feed directory holds tens of files; refuse absurd ones   \
				      */
#define FEED_JSON_MAX_DEPTH 512u     /* nesting the value skipper accepts (feeds use < 10) */

/* ------------------------------------------------------------------ emission */

int ld_feed_advisory(const ld_vdb_sink *out, const ld_vdb_advisory *a)
{
	if (out && out->tap && out->tap->advisory)
		return out->tap->advisory(out->tap->opaque, a);
	return 0;
}

int ld_feed_kev(const ld_vdb_sink *out, const ld_vdb_kev *k)
{
	if (out && out->tap && out->tap->kev)
		return out->tap->kev(out->tap->opaque, k);
	return 0;
}

int ld_feed_epss(const ld_vdb_sink *out, const char *cve, double score, double percentile)
{
	if (out && out->tap && out->tap->epss)
		return out->tap->epss(out->tap->opaque, cve, score, percentile);
	return 0;
}

int ld_feed_nvd(const ld_vdb_sink *out, const ld_vdb_nvd *n)
{
	if (out && out->tap && out->tap->nvd)
		return out->tap->nvd(out->tap->opaque, n);
	return 0;
}

int ld_feed_cpe_match(const ld_vdb_sink *out, const ld_vdb_cpe_match *m)
{
	if (out && out->tap && out->tap->cpe_match)
		return out->tap->cpe_match(out->tap->opaque, m);
	return 0;
}

void ld_feed_result_reset(ld_vdb_import_result *res)
{
	memset(res, 0, sizeof(*res));
}

void ld_feed_snapshot(ld_vdb_import_result *res, const char *date, size_t len)
{
	char tmp[sizeof(res->snapshot)];
	if (!res || !date || len == 0)
		return;
	ld_slice_copy(tmp, sizeof(tmp), ld_slice_make(date, len));
	if (strcmp(tmp, res->snapshot) > 0)
		ld_strlcpy(res->snapshot, tmp, sizeof(res->snapshot));
}

/* ------------------------------------------------------------------ files */

int ld_feed_read(const char *path, size_t max, const char *digest, int64_t size, ld_buf *out,
		 lading_ctx *ctx)
{
	ld_stream *s = NULL, *d = NULL;
	ld_decomp_limits lim = {.max_out = max};
	int rc;

	rc = ld_stream_file(&s, ctx, path);
	if (rc)
		return rc;
	rc = ld_stream_decompress(&d, s, &lim, path, NULL);
	if (rc)
		return rc; /* the decompressor owns and closed `s` */
	if (digest) {
		ld_stream *v = NULL;
		rc = ld_stream_verify(&v, d, digest, size, path);
		if (rc)
			return rc;
		d = v;
	}
	rc = ld_stream_read_all(d, out, max, path);
	ld_stream_close(d);
	return rc;
}

int ld_feed_stat(const char *path, lading_ctx *ctx)
{
	struct stat st;
	if (!path || !*path)
		return ld_error_set(ctx, LADING_EUSAGE, "no feed path given");
	if (stat(path, &st) != 0)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path,
					 0, "cannot read %s: %s", path, strerror(errno));
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ld_feed_dir_list(ld_feed_dir *d, const char *path, lading_ctx *ctx)
{
	DIR *dir;
	struct dirent *e;
	size_t cap = 0;
	int rc = 0;

	d->names = NULL;
	d->n = 0;
	dir = opendir(path);
	if (!dir)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path,
					 0, "cannot list %s: %s", path, strerror(errno));
	while ((e = readdir(dir)) != NULL) {
		char *name;
		if (e->d_name[0] == '.')
			continue;
		if (d->n >= FEED_DIR_MAX_ENTRIES) {
			rc = ld_error_set_path(ctx, LADING_ELIMIT, path, 0,
					       "%s: more than %u entries", path,
					       FEED_DIR_MAX_ENTRIES);
			goto out;
		}
		if (d->n == cap) {
			size_t ncap = cap ? cap * 2 : 32, bytes;
			char **nn;
			if (ld_mul_overflow(ncap, sizeof(*nn), &bytes) ||
			    !(nn = realloc(d->names, bytes))) {
				rc = ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", path);
				goto out;
			}
			d->names = nn;
			cap = ncap;
		}
		name = ld_strdup(e->d_name);
		if (!name) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", path);
			goto out;
		}
		d->names[d->n++] = name;
	}
	if (d->n)
		qsort(d->names, d->n, sizeof(*d->names), cmp_names);
out:
	closedir(dir);
	if (rc)
		ld_feed_dir_release(d);
	return rc;
}

void ld_feed_dir_release(ld_feed_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->names);
	d->names = NULL;
	d->n = 0;
}

int ld_feed_join(char *out, size_t outsz, const char *dir, const char *name, lading_ctx *ctx)
{
	size_t dl = strlen(dir), nl = strlen(name), need;
	bool slash = dl > 0 && dir[dl - 1] != '/';
	if (ld_add3_overflow(dl, nl, (size_t)slash + 1, &need) || need > outsz)
		return ld_error_set(ctx, LADING_ELIMIT, "path too long: %s/%s", dir, name);
	memcpy(out, dir, dl);
	if (slash)
		out[dl++] = '/';
	memcpy(out + dl, name, nl);
	out[dl + nl] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ JSON cursor */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* p at the opening quote; returns just past the closing quote or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	p++;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		const char *b;
		size_t n;
		if (!q)
			return NULL;
		/* a quote preceded by an odd number of backslashes is escaped */
		for (b = q, n = 0; b > p && b[-1] == '\\'; b--)
			n++;
		if ((n & 1) == 0)
			return q + 1;
		p = q + 1;
	}
	return NULL;
}

const char *ld_feed_jskip(const char *p, const char *end)
{
	unsigned depth = 0;

	p = skip_ws(p, end);
	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[') {
		if (*p == '"')
			return skip_string(p, end);
		/* number, true, false, null: up to the next delimiter */
		const char *s = p;
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
		       *p != '\r' && *p != '\t')
			p++;
		return p > s ? p : NULL;
	}
	while (p < end) {
		char c = *p;
		if (c == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (c == '{' || c == '[') {
			if (++depth > FEED_JSON_MAX_DEPTH)
				return NULL;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return NULL;
			if (--depth == 0)
				return p + 1;
		}
		p++;
	}
	return NULL;
}

static int jfail(ld_feed_jcur *c, const char *msg)
{
	size_t off = (size_t)(c->p - c->base);
	return ld_error_set_path(c->ctx, LADING_EINVALID, c->what, off,
				 "%s: invalid JSON at byte %zu: %s", c->what ? c->what : "input",
				 off, msg);
}

int ld_feed_jopen(ld_feed_jcur *c, const char *p, size_t len, char open, lading_ctx *ctx,
		  const char *what)
{
	c->base = p ? p : "";
	c->end = c->base + len;
	c->ctx = ctx;
	c->what = what;
	c->first = true;
	c->close = open == '{' ? '}' : ']';
	c->p = skip_ws(c->base, c->end);
	/* a UTF-8 byte order mark is tolerated before the document */
	if (c->p == c->base && len >= 3 && memcmp(c->base, "\xef\xbb\xbf", 3) == 0)
		c->p = skip_ws(c->base + 3, c->end);
	if (c->p >= c->end || *c->p != open)
		return jfail(c, open == '{' ? "expected an object" : "expected an array");
	c->p++;
	return 0;
}

int ld_feed_jstep(ld_feed_jcur *c, ld_slice *key)
{
	*key = LD_SLICE_NULL;
	c->p = skip_ws(c->p, c->end);
	if (c->p >= c->end)
		return jfail(c, "truncated");
	if (*c->p == c->close) {
		c->p++;
		return 0;
	}
	if (!c->first) {
		if (*c->p != ',')
			return jfail(c, "expected ','");
		c->p = skip_ws(c->p + 1, c->end);
	}
	c->first = false;
	if (c->close == '}') {
		const char *ke;
		if (c->p >= c->end || *c->p != '"')
			return jfail(c, "expected a member name");
		ke = skip_string(c->p, c->end);
		if (!ke)
			return jfail(c, "unterminated member name");
		*key = ld_slice_make(c->p + 1, (size_t)(ke - c->p - 2));
		c->p = skip_ws(ke, c->end);
		if (c->p >= c->end || *c->p != ':')
			return jfail(c, "expected ':'");
		c->p++;
	}
	c->p = skip_ws(c->p, c->end);
	if (c->p >= c->end)
		return jfail(c, "truncated");
	return 1;
}

int ld_feed_jskipval(ld_feed_jcur *c, ld_slice *val)
{
	const char *e = ld_feed_jskip(c->p, c->end);
	if (!e)
		return jfail(c, "malformed or truncated value");
	*val = ld_slice_make(c->p, (size_t)(e - c->p));
	c->p = e;
	return 0;
}

int ld_feed_jtree(ld_feed_jcur *c, ld_arena *a, const ld_json_limits *lim, ld_json **out)
{
	size_t used = 0;
	int rc = ld_json_parse_prefix(out, &used, a, c->p, (size_t)(c->end - c->p), lim, c->ctx,
				      c->what);
	if (rc)
		return rc;
	c->p += used;
	return 0;
}

int ld_feed_jenter(ld_feed_jcur *c, ld_feed_jcur *sub, char open)
{
	int rc = ld_feed_jopen(sub, c->p, (size_t)(c->end - c->p), open, c->ctx, c->what);
	/* offsets in messages stay relative to the whole document */
	sub->base = c->base;
	return rc;
}

void ld_feed_jleave(ld_feed_jcur *c, const ld_feed_jcur *sub)
{
	c->p = sub->p;
}

int ld_feed_jnext(ld_feed_jcur *c, ld_slice *key, ld_slice *val)
{
	int r = ld_feed_jstep(c, key);
	*val = LD_SLICE_NULL;
	if (r <= 0)
		return r;
	r = ld_feed_jskipval(c, val);
	return r < 0 ? r : 1;
}

/* ------------------------------------------------------------------ IDs */

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

bool ld_feed_is_cve(ld_slice s)
{
	return s.len >= 13 && s.len <= 24 && memcmp(s.ptr, "CVE-", 4) == 0 &&
	       all_digits(s.ptr + 4, 4) && s.ptr[8] == '-' && all_digits(s.ptr + 9, s.len - 9);
}

void ld_feed_printable(char *out, size_t outsz, ld_slice s)
{
	size_t n = 0;
	if (!outsz)
		return;
	for (size_t i = 0; i < s.len && n + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (s.len >= outsz && outsz > 4) {
		out[outsz - 4] = out[outsz - 3] = out[outsz - 2] = '.';
		n = outsz - 1;
	}
	out[n] = '\0';
}

int ld_feed_text_check(const char *p, size_t len, const char *name, lading_ctx *ctx)
{
	const char *nul = len ? memchr(p, '\0', len) : NULL;
	if (!nul)
		return 0;
	return ld_error_set_path(ctx, LADING_EINVALID, name, (uint64_t)(nul - p),
				 "%s: NUL byte at offset %zu: not a text file (damaged?)", name,
				 (size_t)(nul - p));
}

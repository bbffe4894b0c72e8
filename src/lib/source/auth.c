/* Registry references and credentials: reference parsing (Docker's grammar and Docker Hub
 * rules), WWW-Authenticate challenges, token answers, docker config.json `auths`, and where
 * credentials come from. Secrets are only ever copied into ld_creds and request headers; no
 * message built here contains one. */
#include <ctype.h>

#include "util/common.h"
#include "util/base64.h"
#include "util/http.h"
#include "source/registry.h"

/* Named limits (besides LD_REF_* in registry.h). */
#define AUTH_MAX_PARAMS	    32	 /* parameters in one challenge */
#define CONFIG_MAX_AUTHS    4096 /* entries of `auths` looked at */
#define CONFIG_MAX_AUTH_B64 4096 /* length of one base64 `auth` value */

/* ---- references ---- */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool valid_component(ld_slice c)
{
	size_t i = 0;
	if (!c.len || !is_lower_alnum(c.ptr[0]) || !is_lower_alnum(c.ptr[c.len - 1]))
		return false;
	while (i < c.len) {
		if (is_lower_alnum(c.ptr[i])) {
			i++;
			continue;
		}
		/* a separator: ".", "_", "__" or a run of "-" between alphanumerics */
		if (c.ptr[i] == '.') {
			i++;
		} else if (c.ptr[i] == '_') {
			i++;
			if (i < c.len && c.ptr[i] == '_')
				i++;
		} else if (c.ptr[i] == '-') {
			while (i < c.len && c.ptr[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i >= c.len || !is_lower_alnum(c.ptr[i]))
			return false;
	}
	return true;
}

static bool valid_port(ld_slice p)
{
	uint64_t v;
	return p.len && p.len <= 5 && ld_slice_to_u64(p, 65535, &v) && v > 0;
}

/* host[:port]: DNS labels of [A-Za-z0-9-] (not starting or ending with '-'), or [IPv6]. */
static bool valid_host(ld_slice h)
{
	ld_slice name = h, port = LD_SLICE_NULL;
	if (!h.len || h.len > LD_REF_MAX_HOST)
		return false;
	if (h.ptr[0] == '[') {
		ptrdiff_t close = ld_slice_find(h, ']');
		if (close < 2)
			return false;
		for (ptrdiff_t i = 1; i < close; i++)
			if (!isxdigit((unsigned char)h.ptr[i]) && h.ptr[i] != ':')
				return false;
		if ((size_t)close + 1 == h.len)
			return true;
		return h.ptr[close + 1] == ':' &&
		       valid_port(ld_slice_sub(h, (size_t)close + 2, h.len));
	}
	{
		ptrdiff_t colon = ld_slice_find(h, ':');
		if (colon >= 0) {
			name = ld_slice_make(h.ptr, (size_t)colon);
			port = ld_slice_sub(h, (size_t)colon + 1, h.len);
			if (!valid_port(port))
				return false;
		}
	}
	if (!name.len)
		return false;
	for (size_t i = 0, start = 0; i <= name.len; i++) {
		if (i < name.len && name.ptr[i] != '.') {
			char c = name.ptr[i];
			if (!isalnum((unsigned char)c) && c != '-')
				return false;
			continue;
		}
		/* end of a label */
		if (i == start || name.ptr[start] == '-' || name.ptr[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

static bool valid_tag(ld_slice t)
{
	if (!t.len || t.len > LD_REF_MAX_TAG)
		return false;
	for (size_t i = 0; i < t.len; i++) {
		char c = t.ptr[i];
		if (isalnum((unsigned char)c) || c == '_' || (i > 0 && (c == '.' || c == '-')))
			continue;
		return false;
	}
	return true;
}

/* algorithm:hex of some other algorithm: well-formed, but not one we verify. */
static bool other_digest(ld_slice d)
{
	ptrdiff_t colon = ld_slice_find(d, ':');
	if (colon < 1 || d.len - (size_t)colon - 1 < 32)
		return false;
	if (colon == 6 && !memcmp(d.ptr, "sha256", 6))
		return false; /* sha256, but not 64 lowercase hex digits: just malformed */
	for (ptrdiff_t i = 0; i < colon; i++)
		if (!isalnum((unsigned char)d.ptr[i]) && (!d.ptr[i] || !strchr("-_+.", d.ptr[i])))
			return false;
	for (size_t i = (size_t)colon + 1; i < d.len; i++)
		if (!isxdigit((unsigned char)d.ptr[i]))
			return false;
	return true;
}

int ld_imgref_parse(ld_imgref *out, const char *s, size_t len)
{
	ld_slice all = ld_slice_make(s, len), name, dom = LD_SLICE_NULL, path;
	ptrdiff_t at, slash, colon;

	memset(out, 0, sizeof(*out));
	if (!len || len > LD_REF_MAX_LEN || memchr(s, '\0', len))
		return LADING_EINVALID;
	at = ld_slice_find(all, '@');
	name = at >= 0 ? ld_slice_make(s, (size_t)at) : all;
	if (at >= 0) {
		ld_slice d = ld_slice_sub(all, (size_t)at + 1, all.len);
		if (!ld_digest_valid_slice(d))
			return other_digest(d) ? LADING_EUNSUPPORTED : LADING_EINVALID;
		ld_slice_copy(out->digest, sizeof(out->digest), d);
	}
	/* a tag follows the last ':' when no '/' comes after it */
	colon = -1;
	for (size_t i = name.len; i-- > 0;) {
		if (name.ptr[i] == '/')
			break;
		if (name.ptr[i] == ':') {
			colon = (ptrdiff_t)i;
			break;
		}
	}
	if (colon >= 0) {
		ld_slice t = ld_slice_sub(name, (size_t)colon + 1, name.len);
		if (!valid_tag(t))
			return LADING_EINVALID;
		ld_slice_copy(out->tag, sizeof(out->tag), t);
		name.len = (size_t)colon;
	}
	if (!name.len)
		return LADING_EINVALID;
	/* the first component is a registry if it looks like a host (Docker's rule) */
	slash = ld_slice_find(name, '/');
	path = name;
	if (slash > 0) {
		ld_slice first = ld_slice_make(name.ptr, (size_t)slash);
		bool upper = false;
		for (size_t i = 0; i < first.len; i++)
			upper |= isupper((unsigned char)first.ptr[i]) != 0;
		if (ld_slice_find(first, '.') >= 0 || ld_slice_find(first, ':') >= 0 ||
		    first.ptr[0] == '[' || ld_slice_eq_cstr(first, "localhost") || upper) {
			dom = first;
			path = ld_slice_sub(name, (size_t)slash + 1, name.len);
		}
	}
	if (dom.len) {
		if (!valid_host(dom))
			return LADING_EINVALID;
		if (ld_slice_eq_cstr(dom, "index.docker.io"))
			dom = ld_slice_cstr(LD_DOCKER_HUB);
	} else {
		dom = ld_slice_cstr(LD_DOCKER_HUB);
	}
	/* repository path: components separated by single '/' */
	if (!path.len)
		return LADING_EINVALID;
	{
		ld_slice rest = path, comp;
		while (rest.len) {
			bool more = ld_slice_cut(&rest, '/', &comp);
			if (!valid_component(comp))
				return LADING_EINVALID;
			if (more && !rest.len)
				return LADING_EINVALID; /* trailing '/' */
		}
	}
	/* kept as written: capitals are what make "Host/app" a registry (hosts compare caselessly) */
	ld_slice_copy(out->registry, sizeof(out->registry), dom);
	if (ld_slice_eq_cstr(dom, LD_DOCKER_HUB) && ld_slice_find(path, '/') < 0) {
		if (path.len + 8 > LD_REF_MAX_REPO)
			return LADING_EINVALID;
		ld_snprintf(out->repo, sizeof(out->repo), "library/%.*s", (int)path.len, path.ptr);
	} else {
		if (path.len > LD_REF_MAX_REPO)
			return LADING_EINVALID;
		ld_slice_copy(out->repo, sizeof(out->repo), path);
	}
	if (strlen(out->registry) + 1 + strlen(out->repo) > LD_REF_MAX_REPO)
		return LADING_EINVALID; /* Docker limits the whole name */
	ld_strlcpy(out->api_host,
		   strcmp(out->registry, LD_DOCKER_HUB) ? out->registry : LD_DOCKER_HUB_API,
		   sizeof(out->api_host));
	if (!out->tag[0] && !out->digest[0])
		ld_strlcpy(out->tag, "latest", sizeof(out->tag));
	return 0;
}

void ld_imgref_format(const ld_imgref *r, char *out, size_t n)
{
	ld_snprintf(out, n, "%s/%s%s%s%s%s", r->registry, r->repo, r->tag[0] ? ":" : "", r->tag,
		    r->digest[0] ? "@" : "", r->digest);
}

bool ld_url_is_loopback(const char *url)
{
	char host[LD_REF_MAX_HOST + 1];
	long port;
	if (ld_http_url_host(url, host, sizeof(host), &port))
		return false;
	return ld_host_is_loopback(host);
}

bool ld_url_same_host(const char *url, const char *hostport)
{
	char a[LD_REF_MAX_HOST + 1], b[LD_REF_MAX_HOST + 1], https[LD_REF_MAX_HOST + 16];
	long pa, pb;
	if (!hostport || strpbrk(hostport, "/@?#"))
		return false;
	ld_snprintf(https, sizeof(https), "https://%s/", hostport);
	if (ld_http_url_host(url, a, sizeof(a), &pa) || ld_http_url_host(https, b, sizeof(b), &pb))
		return false;
	return !strcmp(a, b);
}

bool ld_host_is_loopback(const char *host)
{
	char h[LD_REF_MAX_HOST + 1];
	char *colon;
	if (!host)
		return false;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (!close)
			return false;
		ld_slice_copy(h, sizeof(h), ld_slice_make(host + 1, (size_t)(close - host - 1)));
		return !strcmp(h, "::1") || !strcmp(h, "0:0:0:0:0:0:0:1");
	}
	ld_strlcpy(h, host, sizeof(h));
	if ((colon = strchr(h, ':')) != NULL)
		*colon = '\0';
	for (char *p = h; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!strcmp(h, "localhost"))
		return true;
	/* exactly four decimal octets, the first 127 */
	{
		ld_slice rest = ld_slice_cstr(h), part;
		int octets = 0;
		while (rest.len || octets == 0) {
			uint64_t v;
			ld_slice_cut(&rest, '.', &part);
			if (part.len == 0 || part.len > 3 || !ld_slice_to_u64(part, 255, &v))
				return false;
			if (octets == 0 && v != 127)
				return false;
			if (++octets > 4)
				return false;
			if (!rest.len)
				break;
		}
		return octets == 4;
	}
}

/* ---- WWW-Authenticate ---- */

static bool is_token_char(char c)
{
	/* (strchr would also find the string's own NUL) */
	return c && (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c));
}

int ld_auth_challenge_parse(ld_auth_challenge *out, const char *p, size_t len)
{
	size_t i = 0, params = 0;
	memset(out, 0, sizeof(*out));
	if (len > LD_AUTH_MAX_HEADER)
		return LADING_EINVALID;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	{
		size_t s = i;
		while (i < len && is_token_char(p[i]))
			i++;
		if (i == s || i - s >= sizeof(out->scheme))
			return LADING_EINVALID;
		for (size_t k = s; k < i; k++)
			out->scheme[k - s] = (char)tolower((unsigned char)p[k]);
	}
	for (;;) {
		size_t ns, ne;
		char *dst = NULL;
		size_t dsz = 0, dl = 0;

		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		if (i >= len)
			break;
		ns = i;
		while (i < len && is_token_char(p[i]))
			i++;
		ne = i;
		if (ne == ns)
			return LADING_EINVALID;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i >= len || p[i] != '=')
			break; /* the next challenge begins: the first one is all we use */
		i++;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (++params > AUTH_MAX_PARAMS)
			return LADING_EINVALID;
#define PARAM(nm, field)                                                                           \
	if (ne - ns == sizeof(nm) - 1 && !strncasecmp(p + ns, nm, ne - ns)) {                      \
		dst = out->field;                                                                  \
		dsz = sizeof(out->field);                                                          \
	}
		PARAM("realm", realm)
		PARAM("service", service)
		PARAM("scope", scope)
		PARAM("error", error)
#undef PARAM
		if (i < len && p[i] == '"') {
			i++;
			for (;;) {
				char c;
				if (i >= len)
					return LADING_EINVALID; /* unterminated */
				c = p[i++];
				if (c == '"')
					break;
				if (c == '\\') {
					if (i >= len)
						return LADING_EINVALID;
					c = p[i++];
				}
				if ((unsigned char)c < 0x20 || c == 0x7f)
					return LADING_EINVALID;
				if (dst) {
					if (dl + 1 >= dsz)
						return LADING_EINVALID; /* too long to be honest */
					dst[dl++] = c;
				}
			}
		} else {
			/* unquoted: a token by the RFC, but servers send URLs this way too */
			size_t s = i;
			while (i < len && p[i] != ',' && p[i] != ' ' && p[i] != '\t' && p[i] != '"' &&
			       (unsigned char)p[i] > 0x20 && p[i] != 0x7f)
				i++;
			if (i == s)
				return LADING_EINVALID;
			if (dst) {
				if (i - s >= dsz)
					return LADING_EINVALID;
				memcpy(dst, p + s, i - s);
				dl = i - s;
			}
		}
		if (dst)
			dst[dl] = '\0';
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i < len && p[i] != ',')
			return LADING_EINVALID;
	}
	return 0;
}

/* ---- token answers ---- */

int ld_auth_token_parse(const char *json, size_t len, ld_buf *token, lading_ctx *ctx)
{
	ld_arena a;
	ld_json *doc;
	ld_json_limits lim = {.max_depth = 16, .max_arena = 0};
	const char *t;
	int rc;

	ld_arena_init(&a, 4u << 20);
	if (len > LD_TOKEN_MAX * 4) {
		rc = ld_error_set(ctx, LADING_ELIMIT, "token server answer is larger than %d bytes",
				  LD_TOKEN_MAX * 4);
		goto out;
	}
	if ((rc = ld_json_parse(&doc, &a, json, len, &lim, ctx, "token server answer")))
		goto out;
	t = ld_json_get_str(doc, "token");
	if (!t || !*t)
		t = ld_json_get_str(doc, "access_token");
	if (!t || !*t) {
		rc = ld_error_set(ctx, LADING_EINVALID, "token server answer has no token");
		goto out;
	}
	if (strlen(t) > LD_TOKEN_MAX) {
		rc = ld_error_set(ctx, LADING_ELIMIT, "token longer than %d bytes", LD_TOKEN_MAX);
		goto out;
	}
	/* it goes into a header line: visible ASCII only (no CR/LF injection) */
	for (const char *q = t; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f) {
			rc = ld_error_set(
			    ctx, LADING_EINVALID,
			    "token server answer: token has characters a header cannot carry");
			goto out;
		}
	ld_buf_clear(token);
	if (ld_buf_adds(token, t))
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
out:
	ld_arena_release(&a);
	return rc;
}

/* ---- credentials ---- */

void ld_creds_wipe(ld_creds *c)
{
	explicit_bzero(c, sizeof(*c));
}

static bool split_userpass(const char *s, size_t n, ld_creds *out)
{
	const char *colon = memchr(s, ':', n);
	size_t ul, pl;
	if (!colon)
		return false;
	ul = (size_t)(colon - s);
	pl = n - ul - 1;
	if (!ul || ul >= sizeof(out->username) || pl >= sizeof(out->password) || memchr(s, '\0', n))
		return false;
	memcpy(out->username, s, ul);
	out->username[ul] = '\0';
	memcpy(out->password, colon + 1, pl);
	out->password[pl] = '\0';
	return true;
}

/* "https://index.docker.io/v1/" -> "index.docker.io"; "localhost:5000" stays. */
static ld_slice config_key_host(const char *key)
{
	ld_slice k = ld_slice_cstr(key);
	ptrdiff_t slash;
	if (ld_slice_starts_with(k, "https://"))
		k = ld_slice_sub(k, 8, k.len);
	else if (ld_slice_starts_with(k, "http://"))
		k = ld_slice_sub(k, 7, k.len);
	slash = ld_slice_find(k, '/');
	if (slash >= 0)
		k.len = (size_t)slash;
	return k;
}

static bool is_hub(ld_slice h)
{
	return ld_slice_case_eq_cstr(h, LD_DOCKER_HUB) ||
	       ld_slice_case_eq_cstr(h, "index.docker.io") ||
	       ld_slice_case_eq_cstr(h, LD_DOCKER_HUB_API);
}

int ld_docker_config_find(const char *json, size_t len, const char *registry, ld_creds *out,
			  lading_ctx *ctx)
{
	ld_arena a;
	ld_json *doc;
	ld_json_limits lim = {.max_depth = 32, .max_arena = 0};
	const ld_json *auths, *entry = NULL;
	const char *key = NULL;
	bool want_hub = is_hub(ld_slice_cstr(registry));
	ld_buf dec = LD_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > LD_DOCKER_CONFIG_MAX)
		return ld_error_set(ctx, LADING_ELIMIT, "docker config is larger than %u bytes",
				    LD_DOCKER_CONFIG_MAX);
	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&doc, &a, json, len, &lim, ctx, "docker config"))) {
		rc = LADING_EINVALID;
		goto out;
	}
	auths = ld_json_get(doc, "auths");
	if (auths && !ld_json_is(auths, LD_JSON_OBJECT)) {
		rc =
		    ld_error_set(ctx, LADING_EINVALID, "docker config: \"auths\" is not an object");
		goto out;
	}
	for (size_t i = 0; auths && i < auths->n && i < CONFIG_MAX_AUTHS; i++) {
		const ld_json_member *m = &auths->u.members[i];
		ld_slice h = config_key_host(m->key);
		/* an exact host match wins over Docker Hub aliases */
		if (ld_slice_case_eq_cstr(h, registry)) {
			entry = &m->value;
			key = m->key;
			break;
		}
		if (want_hub && is_hub(h) && !entry) {
			entry = &m->value;
			key = m->key;
		}
	}
	if (!entry) {
		rc = LADING_ENOTFOUND;
		goto out;
	}
	if (!ld_json_is(entry, LD_JSON_OBJECT)) {
		rc = ld_error_set(ctx, LADING_EINVALID,
				  "docker config: entry for %s is not an object", key);
		goto out;
	}
	{
		const char *b64 = ld_json_get_str(entry, "auth");
		const char *user = ld_json_get_str(entry, "username");
		const char *pass = ld_json_get_str(entry, "password");
		if (b64 && *b64) {
			size_t bl = strlen(b64);
			if (bl > CONFIG_MAX_AUTH_B64 || ld_base64_decode(&dec, b64, bl) ||
			    !split_userpass(dec.ptr ? dec.ptr : "", dec.len, out)) {
				rc = ld_error_set(ctx, LADING_EINVALID,
						  "docker config: the \"auth\" of %s is not base64 "
						  "of user:password",
						  key);
				goto out;
			}
		} else if (user && *user && pass) {
			if (strlen(user) >= sizeof(out->username) ||
			    strlen(pass) >= sizeof(out->password)) {
				rc = ld_error_set(ctx, LADING_EINVALID,
						  "docker config: credentials of %s are too long",
						  key);
				goto out;
			}
			ld_strlcpy(out->username, user, sizeof(out->username));
			ld_strlcpy(out->password, pass, sizeof(out->password));
		} else {
			/* identity tokens and credential helpers: not run by lading */
			rc = LADING_ENOTFOUND;
			goto out;
		}
	}
	ld_strlcpy(out->from, "docker config", sizeof(out->from));
	rc = 0;
out:
	if (dec.ptr)
		explicit_bzero(dec.ptr, dec.cap);
	ld_buf_release(&dec);
	ld_arena_release(&a);
	if (rc)
		ld_creds_wipe(out);
	return rc;
}

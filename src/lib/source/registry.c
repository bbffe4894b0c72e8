/* Registry source: the OCI distribution / Docker Registry HTTP API v2 over util/http.h.
 *
 * Opening an image reads its manifest (an index first when the tag names one: the platform is
 * chosen as for OCI layouts), then the config; every document is checked against its digest.
 * A layer is opened as a stream that a download thread fills: the bytes are hashed, written to
 * a temporary file of the blob cache and handed to the layer reader as they arrive, so a layer
 * is analyzed while it downloads. At the end the digest decides: the temporary file is renamed
 * into the cache, or removed and the read fails naming the digest. A cached blob is read from
 * the disk instead (and checked again). Manifests and configs go to the same cache.
 *
 * Authentication: the /v2/ probe returns a challenge; Basic sends the credentials, Bearer trades
 * them (or nothing, anonymously) at the token server for a token with the repository's pull
 * scope. A 401 later (expired token, another scope) renews the authorization once. Credentials
 * and tokens live in ld_creds and one header buffer, both wiped when done, and are never part
 * of a message. */
#include <stdatomic.h>

#include "util/common.h"
#include "util/base64.h"
#include "util/cachedir.h"
#include "util/http.h"
#include "source/registry.h"

/* Named limits and settings. */
#define REG_PARALLEL	     4 /* layers downloaded (and analyzed) at once */
#define REG_RETRIES	     4 /* after the first attempt, on 429/5xx/network errors */
#define REG_MAX_BACKOFF_MS   30000u
#define REG_RING_BYTES	     ((size_t)4 << 20) /* between a download and the layer reader */
#define REG_POOL	     8		       /* idle HTTP handles kept (connection reuse) */
#define REG_PROGRESS_STEP    ((uint64_t)256 << 10)
#define REG_MAX_TOKEN_ANSWER (64u << 10)
#define REG_URL_MAX	     2048
#define REG_HTTP_MEMO	     64 /* plain-HTTP registries remembered per process */

#define ACCEPT_MANIFESTS                                                                           \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.v2+json"

typedef struct reg_client {
	ld_imgref ref;
	char refstr[LD_REF_MAX_LEN + 80];
	char base[LD_REF_MAX_HOST + 16]; /* "https://host[:port]" once probed */
	bool allow_http;		 /* loopback host or --insecure */
	bool insecure;
	bool ready;
	pthread_mutex_t probe_mu; /* one probe at a time */
	pthread_mutex_t mu;	  /* authorization, pool */
	ld_creds creds;
	bool have_creds;
	ld_buf authz; /* "Authorization: ..." (secret), empty = none */
	unsigned auth_gen;
	char challenge[LD_AUTH_MAX_HEADER + 1]; /* the last Bearer challenge answered */
	bool scope_stale; /* the repository changed since (ld_reg_set_repo): ask for its scope */
	ld_http *pool[REG_POOL];
	size_t npool;
	ld_http_options hopt;
	char blob_dir[LD_CACHE_PATH_MAX]; /* "" = no blob cache */
	uint64_t blob_cap;
	size_t nlayers;
	atomic_uint_fast64_t downloaded; /* bytes of layer blobs fetched over the network */
} reg_client;

/* ---- HTTP handles, authorization ---- */

static int pool_get(reg_client *c, ld_http **out, lading_ctx *ctx)
{
	pthread_mutex_lock(&c->mu);
	if (c->npool) {
		*out = c->pool[--c->npool];
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	pthread_mutex_unlock(&c->mu);
	return ld_http_new(out, &c->hopt, ctx);
}

static void pool_put(reg_client *c, ld_http *h)
{
	pthread_mutex_lock(&c->mu);
	if (c->npool < REG_POOL) {
		c->pool[c->npool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&c->mu);
	ld_http_free(h);
}

static void set_authz(reg_client *c, const char *scheme, const char *secret, size_t len)
{
	if (c->authz.ptr)
		explicit_bzero(c->authz.ptr, c->authz.cap);
	ld_buf_clear(&c->authz);
	ld_buf_addf(&c->authz, "Authorization: %s %.*s", scheme, (int)len, secret);
	c->auth_gen++;
}

static const char *who(const reg_client *c)
{
	return c->have_creds ? c->creds.username : "";
}

/* For messages: the repository, or the catalog when a crawl lists it. */
static const char *repo_name(const reg_client *c)
{
	return c->ref.repo[0] ? c->ref.repo : "its catalog";
}

static int need_creds_error(reg_client *c, lading_ctx *ctx)
{
	return ld_error_set(
	    ctx, LADING_EAUTH,
	    "%s requires authentication for %s: give --username and --password-stdin, set "
	    "LADING_REGISTRY_USERNAME and LADING_REGISTRY_PASSWORD, or log in with docker login",
	    c->ref.registry, repo_name(c));
}

/* base64(user:password) into `basic` (which the caller wipes), or nothing without credentials. */
static int basic_secret(reg_client *c, ld_buf *basic, lading_ctx *ctx)
{
	ld_buf up = LD_BUF_INIT;
	if (!c->have_creds)
		return 0;
	ld_buf_addf(&up, "%s:%s", c->creds.username, c->creds.password);
	ld_base64_encode(basic, up.ptr ? up.ptr : "", up.len);
	if (up.ptr)
		explicit_bzero(up.ptr, up.cap);
	ld_buf_release(&up);
	return ld_buf_error(basic) ? ld_error_set(ctx, LADING_ENOMEM, "out of memory") : 0;
}

/* The token server must be http(s), and plain HTTP only where credentials may travel in clear. */
static int check_realm(const reg_client *c, const ld_auth_challenge *ch, const char *logurl,
		       lading_ctx *ctx)
{
	if (strncmp(ch->realm, "https://", 8) && strncmp(ch->realm, "http://", 7))
		return ld_error_set(ctx, LADING_EAUTH,
				    "%s names a token server that is not an http(s) URL",
				    c->ref.registry);
	/* on the parsed URL: "http://localhost:1@evil/" is on evil; --insecure covers the
	 * registry's own host only */
	if (!strncmp(ch->realm, "http://", 7) && c->have_creds && !ld_url_is_loopback(ch->realm) &&
	    !(c->insecure && ld_url_same_host(ch->realm, c->ref.api_host)))
		return ld_error_set(ctx, LADING_EAUTH,
				    "the token server of %s (%s) is plain HTTP: refusing to send "
				    "credentials over it (--insecure allows it)",
				    c->ref.registry, logurl);
	return 0;
}

/* The scope asked for when the challenge names none (or names the previous repository's):
 * pull of the repository, or the catalog when there is none (inventory crawl). */
static void default_scope(const reg_client *c, ld_buf *url)
{
	ld_buf scope = LD_BUF_INIT;
	if (c->ref.repo[0])
		ld_buf_addf(&scope, "repository:%s:pull", c->ref.repo);
	else
		ld_buf_adds(&scope, "registry:catalog:*");
	ld_buf_add_pct(url, ld_slice_cstr(ld_buf_cstr(&scope)));
	ld_buf_release(&scope);
}

/* realm?service=...&scope=... */
static int token_url(const reg_client *c, const ld_auth_challenge *ch, bool own_scope, ld_buf *url,
		     lading_ctx *ctx)
{
	ld_buf_adds(url, ch->realm);
	ld_buf_addc(url, strchr(ch->realm, '?') ? '&' : '?');
	if (ch->service[0]) {
		ld_buf_adds(url, "service=");
		ld_buf_add_pct(url, ld_slice_cstr(ch->service));
		ld_buf_addc(url, '&');
	}
	ld_buf_adds(url, "scope=");
	if (ch->scope[0] && !own_scope)
		ld_buf_add_pct(url, ld_slice_cstr(ch->scope));
	else
		default_scope(c, url);
	return ld_buf_error(url) ? ld_error_set(ctx, LADING_ENOMEM, "out of memory") : 0;
}

/* Ask the token server (with Basic credentials when we have some) into `body`. */
static int token_request(reg_client *c, ld_http *h, const char *url, const ld_buf *basic,
			 const char *logurl, ld_buf *body, lading_ctx *ctx)
{
	ld_http_request rq = {0};
	ld_http_response rs;
	ld_buf line = LD_BUF_INIT;
	const char *hdr[1];
	int rc;

	if (c->have_creds) {
		ld_buf_addf(&line, "Authorization: Basic %s", basic->ptr);
		hdr[0] = ld_buf_cstr(&line);
		rq.headers = hdr;
		rq.nheaders = 1;
	}
	rq.url = url;
	rq.body = body;
	rq.max_bytes = REG_MAX_TOKEN_ANSWER;
	rc = ld_http_get(h, &rq, &rs, ctx);
	if (line.ptr)
		explicit_bzero(line.ptr, line.cap);
	ld_buf_release(&line);
	if (rc == LADING_EAUTH && c->have_creds)
		return ld_error_set(ctx, LADING_EAUTH,
				    "the token server of %s refused user '%s' (credentials from %s): "
				    "wrong user name or password? (HTTP %ld from %s)",
				    c->ref.registry, who(c), c->creds.from, rs.status, logurl);
	if (rc == LADING_EAUTH)
		return ld_error_set(ctx, LADING_EAUTH,
				    "the token server of %s refused anonymous access to %s (HTTP %ld): "
				    "give --username and --password-stdin, or log in with docker login",
				    c->ref.registry, repo_name(c), rs.status);
	if (rc)
		ld_error_prefix(ctx, "token server of %s: ", c->ref.registry);
	return rc;
}

/* Answer a challenge: Basic sends the credentials; Bearer asks the token server for a token of
 * the challenge's scope (or, with `own_scope`, of the current repository's). Called with c->mu
 * held. */
static int authenticate(reg_client *c, ld_http *h, const char *header, bool own_scope,
			lading_ctx *ctx)
{
	ld_auth_challenge ch;
	ld_buf url = LD_BUF_INIT, body = LD_BUF_INIT, tok = LD_BUF_INIT, basic = LD_BUF_INIT;
	char logurl[512];
	int rc;

	if (ld_auth_challenge_parse(&ch, header, strlen(header)))
		return ld_error_set(ctx, LADING_EAUTH,
				    "%s sent an authentication challenge I cannot parse",
				    c->ref.registry);
	if ((rc = basic_secret(c, &basic, ctx)))
		goto out;
	if (!strcmp(ch.scheme, "basic")) {
		if (!c->have_creds) {
			rc = need_creds_error(c, ctx);
			goto out;
		}
		set_authz(c, "Basic", basic.ptr, basic.len);
		rc = ld_buf_error(&c->authz) ? ld_error_set(ctx, LADING_ENOMEM, "out of memory") : 0;
		goto out;
	}
	if (strcmp(ch.scheme, "bearer")) {
		rc = ld_error_set(ctx, LADING_EUNSUPPORTED,
				  "%s asks for '%s' authentication, which lading does not speak",
				  c->ref.registry, ch.scheme);
		goto out;
	}
	ld_http_url_for_log(ch.realm, logurl, sizeof(logurl));
	if ((rc = check_realm(c, &ch, logurl, ctx)) || (rc = token_url(c, &ch, own_scope, &url, ctx)) ||
	    (rc = token_request(c, h, url.ptr, &basic, logurl, &body, ctx)))
		goto out;
	if ((rc = ld_auth_token_parse(body.ptr ? body.ptr : "", body.len, &tok, ctx))) {
		ld_error_prefix(ctx, "%s: ", logurl);
		goto out;
	}
	set_authz(c, "Bearer", tok.ptr, tok.len);
	rc = ld_buf_error(&c->authz) ? ld_error_set(ctx, LADING_ENOMEM, "out of memory") : 0;
	/* kept to ask for another repository's scope without a 401 first (crawl) */
	ld_strlcpy(c->challenge, header, sizeof(c->challenge));
	c->scope_stale = false;
out:
	/* everything that held a secret is wiped before it is freed */
	if (body.ptr)
		explicit_bzero(body.ptr, body.cap);
	if (tok.ptr)
		explicit_bzero(tok.ptr, tok.cap);
	if (basic.ptr)
		explicit_bzero(basic.ptr, basic.cap);
	ld_buf_release(&url);
	ld_buf_release(&body);
	ld_buf_release(&tok);
	ld_buf_release(&basic);
	return rc;
}

/* Registries of this process found to speak plain HTTP (where it is allowed: loopback or
 * insecure), so that the next client for one (inventory crawl opens one per image) does not try
 * HTTPS first: a failed TLS attempt costs a load of the CA store, ~25 ms of CPU. `op`: 0 asks,
 * 1 adds, -1 forgets (it did not answer over HTTP after all). */
static bool http_memo(const char *host, int op)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static char hosts[REG_HTTP_MEMO][LD_REF_MAX_HOST + 1];
	static size_t n;
	bool found = false;
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n && !found; i++)
		found = !strcasecmp(hosts[i], host);
	if (op > 0 && !found && n < REG_HTTP_MEMO)
		ld_strlcpy(hosts[n++], host, sizeof(hosts[0]));
	else if (op < 0 && found)
		memmove(hosts[i - 1], hosts[i], (n-- - i) * sizeof(hosts[0]));
	pthread_mutex_unlock(&mu);
	return found;
}

/* GET /v2/ over HTTPS, then (when allowed and HTTPS had no server) plain HTTP; c->base is the
 * scheme that answered. `known_http`: this process saw the registry speak HTTP, start there. */
static int probe_schemes(reg_client *c, ld_http *h, bool known_http, ld_http_response *rs, lading_ctx *ctx)
{
	ld_http_request rq = {0};
	char url[LD_REF_MAX_HOST + 32], first[sizeof(ctx->err.msg)];
	bool loopback = ld_host_is_loopback(c->ref.api_host);
	int rc = 0;

	memset(rs, 0, sizeof(*rs));
	ld_strlcpy(first, "not tried: it spoke plain HTTP before", sizeof(first));
	/* HTTPS first; a plain-HTTP registry fails the TLS handshake at once, so no retries when
	 * HTTP may follow */
	for (int scheme = known_http; scheme < 2; scheme++) {
		if (scheme == 1) {
			if (!c->allow_http || rs->status != 0)
				break;
			if (!known_http)
				ld_strlcpy(first, ctx->err.msg, sizeof(first));
		}
		ld_snprintf(c->base, sizeof(c->base), "%s://%s", scheme ? "http" : "https", c->ref.api_host);
		ld_snprintf(url, sizeof(url), "%s/v2/", c->base);
		rq.url = url;
		/* nothing to wait for when one's own machine refuses the connection */
		rq.no_retry = (scheme == 0 && c->allow_http) || loopback;
		rc = ld_http_get(h, &rq, rs, ctx);
		if (rc == LADING_ENET && rs->status != 0 && rq.no_retry && loopback) {
			rq.no_retry = false; /* an overloaded registry (429/5xx): that is worth waiting for */
			rc = ld_http_get(h, &rq, rs, ctx);
		}
		if (scheme == 0 && (rc != LADING_ENET || rs->status != 0))
			break; /* HTTPS answered */
		if (scheme == 1 && rc && rc != LADING_ENOTFOUND && !(rc == LADING_EAUTH && rs->status == 401)) {
			/* no registry over plain HTTP either: both reasons matter (a certificate
			 * problem on HTTPS, a TLS-only server on HTTP) */
			char second[sizeof(ctx->err.msg)];
			ld_strlcpy(second, ctx->err.msg, sizeof(second));
			rc = ld_error_set(ctx, LADING_ENET, "cannot reach %s over HTTPS (%s) nor over HTTP (%s)",
					  c->ref.registry, first, second);
		}
	}
	return rc;
}

/* What the probe's answer means: a challenge is answered, other refusals explained. */
static int probe_answer(reg_client *c, ld_http *h, int rc, const ld_http_response *rs, lading_ctx *ctx)
{
	if (rc == LADING_EAUTH && rs->status == 401) {
		if (!rs->www_authenticate[0])
			return ld_error_set(ctx, LADING_EAUTH, "%s answered 401 without saying how to authenticate",
					    c->ref.registry);
		pthread_mutex_lock(&c->mu);
		rc = authenticate(c, h, rs->www_authenticate, false, ctx);
		pthread_mutex_unlock(&c->mu);
	} else if (rc == LADING_ENOTFOUND) {
		rc = ld_error_set(ctx, LADING_EUNSUPPORTED,
				  "%s does not speak the registry API v2 (GET /v2/ answered HTTP %ld)", c->ref.registry,
				  rs->status);
	} else if (rc == LADING_EAUTH) {
		rc = ld_error_set(ctx, LADING_EAUTH, "%s refused access (HTTP %ld)", c->ref.registry, rs->status);
	} else if (rc && !strstr(ctx->err.msg, "cannot reach")) {
		ld_error_prefix(ctx, rs->status == 0 ? "cannot reach registry %s: " : "registry %s: ",
				c->ref.registry);
	}
	return rc;
}

/* Probe /v2/ once: choose https or (when allowed) http, and authenticate if asked to. */
static int ensure_ready(reg_client *c, lading_ctx *ctx)
{
	ld_http *h = NULL;
	ld_http_response rs;
	bool known_http;
	int rc;

	pthread_mutex_lock(&c->probe_mu);
	if (c->ready) {
		pthread_mutex_unlock(&c->probe_mu);
		return 0;
	}
	if ((rc = pool_get(c, &h, ctx)))
		goto out;
	known_http = c->allow_http && http_memo(c->ref.api_host, 0);
	rc = probe_answer(c, h, probe_schemes(c, h, known_http, &rs, ctx), &rs, ctx);
	if (!rc)
		c->ready = true;
	if (c->allow_http)
		http_memo(c->ref.api_host, !rc && !strncmp(c->base, "http:", 5) ? 1 : known_http ? -1 : 0);
out:
	if (h)
		pool_put(c, h);
	pthread_mutex_unlock(&c->probe_mu);
	return rc;
}

/* The registry's error code from its JSON body ({"errors":[{"code":"DENIED",...}]}): an enum,
 * safe to show (free text could echo anything). */
static void error_code(const char *body, char *out, size_t n)
{
	const char *p = strstr(body, "\"code\"");
	size_t k = 0;
	out[0] = '\0';
	if (!p)
		return;
	p += 6;
	while (*p == ' ' || *p == ':')
		p++;
	if (*p++ != '"')
		return;
	while (k + 1 < n && ((*p >= 'A' && *p <= 'Z') || *p == '_'))
		out[k++] = *p++;
	if (*p != '"')
		k = 0; /* not a plain code: show nothing */
	out[k] = '\0';
}

typedef struct reg_req {
	char path[REG_URL_MAX]; /* "/v2/<repo>/manifests/<ref>", or a list page's path and query */
	bool head, identity;
	const char *accept;
	ld_buf *body;
	uint64_t max;
	int (*write)(void *opaque, const void *p, size_t n);
	int (*reset)(void *opaque);
	void *opaque;
	const char *what; /* for messages: "manifest latest", "blob sha256:..." */
} reg_req;

/* A refusal or a miss of one request, said with the registry's error code (an enum, safe). */
static int reg_error(reg_client *c, const reg_req *r, int rc, const ld_http_response *rs, lading_ctx *ctx)
{
	char code[48];
	if (rc != LADING_EAUTH && rc != LADING_ENOTFOUND)
		return rc; /* rs may hold no answer */
	error_code(rs->error_body, code, sizeof(code));
	if (rc == LADING_EAUTH && rs->status == 401 && c->have_creds)
		return ld_error_set(ctx, LADING_EAUTH,
				    "%s refused user '%s' (credentials from %s) for %s (%s): wrong user name or "
				    "password, or no pull permission? (HTTP 401%s%s)",
				    c->ref.registry, who(c), c->creds.from, repo_name(c), r->what, code[0] ? " " : "",
				    code);
	if (rc == LADING_EAUTH && rs->status == 401)
		return need_creds_error(c, ctx);
	if (rc == LADING_EAUTH)
		return ld_error_set(ctx, LADING_EAUTH, "%s denied access to %s (%s): HTTP %ld%s%s", c->ref.registry,
				    repo_name(c), r->what, rs->status, code[0] ? " " : "", code);
	return ld_error_set(ctx, LADING_ENOTFOUND, "%s: %s not found (HTTP %ld%s%s)", c->refstr, r->what,
			    rs->status, code[0] ? " " : "", code);
}

/* After ld_reg_set_repo: a Bearer token is for one scope, so the new repository's is asked for
 * before its first request rather than after a 401. */
static int renew_scope(reg_client *c, ld_http *h, lading_ctx *ctx)
{
	int rc = 0;
	pthread_mutex_lock(&c->mu);
	if (c->scope_stale && c->challenge[0])
		rc = authenticate(c, h, c->challenge, true, ctx);
	c->scope_stale = false;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* One request with the current authorization; a 401 renews it once. */
static int reg_do(reg_client *c, const reg_req *r, ld_http_response *rs, lading_ctx *ctx)
{
	ld_http *h = NULL;
	char url[REG_URL_MAX + sizeof(c->base)];
	ld_buf authz = LD_BUF_INIT;
	int rc;

	if ((rc = ensure_ready(c, ctx)))
		return rc;
	if ((rc = pool_get(c, &h, ctx)))
		return rc;
	if ((rc = renew_scope(c, h, ctx))) {
		pool_put(c, h);
		return rc;
	}
	ld_snprintf(url, sizeof(url), "%s%s", c->base, r->path);
	for (int attempt = 0;; attempt++) {
		ld_http_request rq = {0};
		const char *hdr[2];
		size_t nh = 0;
		unsigned gen;

		pthread_mutex_lock(&c->mu);
		ld_buf_clear(&authz);
		if (c->authz.len)
			ld_buf_addslice(&authz, ld_buf_slice(&c->authz));
		gen = c->auth_gen;
		pthread_mutex_unlock(&c->mu);
		if (ld_buf_error(&authz)) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			break;
		}
		if (r->accept)
			hdr[nh++] = r->accept;
		if (authz.len)
			hdr[nh++] = authz.ptr;
		rq.url = url;
		rq.headers = hdr;
		rq.nheaders = nh;
		rq.head = r->head;
		rq.identity = r->identity;
		rq.body = r->body;
		rq.max_bytes = r->max;
		rq.write = r->write;
		rq.reset = r->reset;
		rq.opaque = r->opaque;
		if (r->body)
			ld_buf_clear(r->body);
		rc = ld_http_get(h, &rq, rs, ctx);
		if (rc == LADING_EAUTH && rs->status == 401 && attempt == 0 &&
		    rs->www_authenticate[0]) {
			char challenge[sizeof(rs->www_authenticate)];
			ld_strlcpy(challenge, rs->www_authenticate, sizeof(challenge));
			pthread_mutex_lock(&c->mu);
			/* another thread may have renewed it meanwhile: then just try again */
			rc = c->auth_gen == gen ? authenticate(c, h, challenge, false, ctx) : 0;
			pthread_mutex_unlock(&c->mu);
			if (rc)
				break;
			if (r->reset && (rc = r->reset(r->opaque)) < 0)
				break;
			continue;
		}
		break;
	}
	if (authz.ptr)
		explicit_bzero(authz.ptr, authz.cap);
	ld_buf_release(&authz);
	pool_put(c, h);
	return rc ? reg_error(c, r, rc, rs, ctx) : 0;
}

/* ---- the blob cache ---- */

static void blob_path(const reg_client *c, const char *digest, char *out, size_t n)
{
	ld_snprintf(out, n, "%s/%s", c->blob_dir, digest + 7);
}

/* A small cached blob (manifest, config), verified; LADING_ENOTFOUND when absent or damaged. */
static int cache_read_small(reg_client *c, const char *digest, size_t max, ld_buf *out,
			    lading_ctx *ctx)
{
	char path[LD_CACHE_PATH_MAX + 80], got[LD_DIGEST_STR_LEN];
	ld_stream *s;
	lading_ctx probe;
	int rc;

	if (!c->blob_dir[0])
		return LADING_ENOTFOUND;
	blob_path(c, digest, path, sizeof(path));
	ld_ctx_init_child(&probe, ctx);
	rc = ld_stream_file(&s, &probe, path);
	if (!rc) {
		ld_buf_clear(out);
		rc = ld_stream_read_all(s, out, max, "cached blob");
		ld_stream_close(s);
	}
	ld_ctx_release_child(&probe);
	if (rc)
		return LADING_ENOTFOUND;
	ld_sha256_buf(out->ptr ? out->ptr : "", out->len, got);
	if (strcmp(got, digest)) {
		unlink(path); /* damaged: fetch it again */
		return LADING_ENOTFOUND;
	}
	ld_cachedir_touch(path);
	return 0;
}

static void cache_write_small(reg_client *c, const char *digest, const ld_buf *b)
{
	char tmp[LD_CACHE_PATH_MAX + 80], path[LD_CACHE_PATH_MAX + 80];
	int fd;
	size_t off = 0;
	if (!c->blob_dir[0])
		return;
	if ((fd = ld_cachedir_tmp(c->blob_dir, tmp, sizeof(tmp))) < 0)
		return;
	while (off < b->len) {
		ssize_t w = write(fd, b->ptr + off, b->len - off);
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return;
		}
		off += (size_t)w;
	}
	close(fd);
	blob_path(c, digest, path, sizeof(path));
	ld_cachedir_commit(tmp, path);
}

/* ---- manifests and small blobs ---- */

static bool mt_is_schema1(const char *mt)
{
	return mt && !strncmp(mt, "application/vnd.docker.distribution.manifest.v1", 47);
}

static int schema1_error(const reg_client *c, const char *which, lading_ctx *ctx)
{
	return ld_error_set(
	    ctx, LADING_EUNSUPPORTED,
	    "%s: manifest %s is Docker schema 1, which is deprecated and unsupported; "
	    "re-push the image with a current tool (e.g. skopeo copy) to get a schema 2 or "
	    "OCI manifest",
	    c->refstr, which);
}

/* Fetch a manifest by tag or digest into `out`; `digest_out` gets its digest. A tag's manifest
 * is looked up in the cache by the digest a HEAD request reports. */
static int fetch_manifest(reg_client *c, const char *ref, bool by_digest, int64_t size, ld_buf *out,
			  char digest_out[LD_DIGEST_STR_LEN], char *mt, size_t mtsz,
			  lading_ctx *ctx)
{
	ld_http_response rs;
	reg_req r = {0};
	char got[LD_DIGEST_STR_LEN], what[LD_DIGEST_STR_LEN + LD_REF_MAX_TAG + 16];
	int rc;

	mt[0] = '\0';
	ld_snprintf(r.path, sizeof(r.path), "/v2/%s/manifests/%s", c->ref.repo, ref);
	r.accept = ACCEPT_MANIFESTS;
	ld_snprintf(what, sizeof(what), "%s %s", by_digest ? "manifest" : "tag", ref);
	r.what = what;
	if (by_digest && cache_read_small(c, ref, LD_MAX_MANIFEST_BYTES, out, ctx) == 0) {
		ld_strlcpy(digest_out, ref, LD_DIGEST_STR_LEN);
		return 0;
	}
	if (!by_digest && c->blob_dir[0]) {
		r.head = true;
		if (reg_do(c, &r, &rs, ctx) == 0 && ld_digest_valid(rs.content_digest) &&
		    cache_read_small(c, rs.content_digest, LD_MAX_MANIFEST_BYTES, out, ctx) == 0) {
			ld_strlcpy(digest_out, rs.content_digest, LD_DIGEST_STR_LEN);
			ld_slice_copy(
			    mt, mtsz,
			    ld_slice_make(rs.content_type, strcspn(rs.content_type, ";")));
			return 0;
		}
		ld_error_clear(ctx); /* the GET says what is wrong, if anything */
		r.head = false;
	}
	r.body = out;
	r.max = LD_MAX_MANIFEST_BYTES;
	if ((rc = reg_do(c, &r, &rs, ctx))) {
		if (rc == LADING_ELIMIT)
			return ld_error_set(ctx, LADING_ELIMIT, "%s: manifest larger than %u bytes",
					    c->refstr, LD_MAX_MANIFEST_BYTES);
		return rc;
	}
	ld_slice_copy(mt, mtsz, ld_slice_make(rs.content_type, strcspn(rs.content_type, ";")));
	if (mt_is_schema1(mt))
		return schema1_error(c, ref, ctx); /* signed: its digest is not over these bytes */
	ld_sha256_buf(out->ptr ? out->ptr : "", out->len, got);
	if (by_digest && strcmp(got, ref))
		return ld_error_set(ctx, LADING_EDIGEST,
				    "manifest %s digest mismatch: expected %s, content has %s", ref,
				    ref, got);
	if (!by_digest && ld_digest_valid(rs.content_digest) && strcmp(got, rs.content_digest))
		return ld_error_set(
		    ctx, LADING_EDIGEST,
		    "manifest of %s digest mismatch: the registry says %s, content has %s",
		    c->refstr, rs.content_digest, got);
	if (size >= 0 && (uint64_t)size != out->len)
		return ld_error_set(ctx, LADING_EDIGEST,
				    "manifest %s is %zu bytes, its descriptor says %" PRId64, got,
				    out->len, size);
	ld_strlcpy(digest_out, got, LD_DIGEST_STR_LEN);
	if (!mt_is_schema1(mt))
		cache_write_small(c, got, out);
	return 0;
}

static int fetch_small_blob(reg_client *c, const char *digest, int64_t size, size_t max,
			    ld_buf *out, lading_ctx *ctx)
{
	ld_http_response rs;
	reg_req r = {0};
	char got[LD_DIGEST_STR_LEN], what[LD_DIGEST_STR_LEN + 16];
	int rc;

	if (cache_read_small(c, digest, max, out, ctx) == 0)
		return 0;
	ld_snprintf(r.path, sizeof(r.path), "/v2/%s/blobs/%s", c->ref.repo, digest);
	r.identity = true;
	r.body = out;
	r.max = max;
	ld_snprintf(what, sizeof(what), "config blob %s", digest);
	r.what = what;
	if ((rc = reg_do(c, &r, &rs, ctx)))
		return rc;
	ld_sha256_buf(out->ptr ? out->ptr : "", out->len, got);
	if (strcmp(got, digest))
		return ld_error_set(ctx, LADING_EDIGEST,
				    "blob %s digest mismatch: expected %s, content has %s", digest,
				    digest, got);
	if (size >= 0 && (uint64_t)size != out->len)
		return ld_error_set(ctx, LADING_EDIGEST,
				    "blob %s is %zu bytes, its descriptor says %" PRId64, digest,
				    out->len, size);
	cache_write_small(c, digest, out);
	return 0;
}

/* What a manifest document is, from its Content-Type or else its own fields. */
static const char *doc_media_type(const ld_json *doc, const char *ctype)
{
	const char *mt = ld_json_get_str(doc, "mediaType");
	int64_t schema = 0;
	if (mt)
		return mt;
	if (ctype && *ctype && strcmp(ctype, "application/json") && strcmp(ctype, "text/plain"))
		return ctype;
	ld_json_i64(ld_json_get(doc, "schemaVersion"), &schema);
	if (schema == 1)
		return "application/vnd.docker.distribution.manifest.v1+json";
	if (ld_json_is(ld_json_get(doc, "manifests"), LD_JSON_ARRAY))
		return "application/vnd.oci.image.index.v1+json";
	return NULL;
}

/* ---- layer streams ---- */

/* A blob being downloaded: the thread writes, the layer reader reads (bounded ring). */
typedef struct dl_stream {
	ld_stream base;
	reg_client *c;
	size_t layer;
	char digest[LD_DIGEST_STR_LEN];
	int64_t size;
	pthread_t th;
	bool started;
	lading_ctx tctx; /* the thread's context: its error is adopted at the end */
	pthread_mutex_t mu;
	pthread_cond_t can_read, can_write;
	unsigned char *ring;
	size_t head, len; /* ring read position and fill */
	bool done, cancel;
	int rc;
	/* thread-only state */
	ld_sha256 h;
	uint64_t got;	     /* bytes delivered (hashed, cached, queued) */
	uint64_t attempt_at; /* bytes of the current HTTP attempt seen (re-sent ones are skipped) */
	uint64_t reported;
	int tmpfd;
	char tmp[LD_CACHE_PATH_MAX + 80];
	bool too_long;
} dl_stream;

static int dl_reset(void *opaque)
{
	dl_stream *d = opaque;
	bool cancel;
	pthread_mutex_lock(&d->mu);
	cancel = d->cancel;
	pthread_mutex_unlock(&d->mu);
	if (cancel)
		return LADING_EIO; /* the reader is gone: no retry (nor its back-off wait) */
	d->attempt_at = 0;	   /* a retry starts over: skip what was delivered already */
	return 0;
}

static int dl_write(void *opaque, const void *p, size_t n)
{
	dl_stream *d = opaque;
	const unsigned char *q = p;
	if (d->attempt_at < d->got) {
		uint64_t skip = d->got - d->attempt_at;
		if (skip >= n) {
			d->attempt_at += n;
			return 0;
		}
		d->attempt_at += skip;
		q += skip;
		n -= (size_t)skip;
	}
	d->attempt_at += n;
	if (d->size >= 0 && d->got + n > (uint64_t)d->size) {
		d->too_long = true;
		return LADING_EDIGEST;
	}
	ld_sha256_update(&d->h, q, n);
	if (d->tmpfd >= 0) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(d->tmpfd, q + off, n - off);
			if (w <= 0) {
				/* the cache is best effort: a full disk only costs the cached copy
				 */
				close(d->tmpfd);
				unlink(d->tmp);
				d->tmpfd = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	pthread_mutex_lock(&d->mu);
	while (n) {
		size_t tail, k;
		while (d->len == REG_RING_BYTES && !d->cancel)
			pthread_cond_wait(&d->can_write, &d->mu);
		if (d->cancel) {
			pthread_mutex_unlock(&d->mu);
			return LADING_EIO; /* the reader is gone */
		}
		tail = (d->head + d->len) % REG_RING_BYTES;
		k = REG_RING_BYTES - d->len;
		if (k > REG_RING_BYTES - tail)
			k = REG_RING_BYTES - tail;
		if (k > n)
			k = n;
		memcpy(d->ring + tail, q, k);
		d->len += k;
		q += k;
		n -= k;
		d->got += k;
		pthread_cond_signal(&d->can_read);
	}
	pthread_mutex_unlock(&d->mu);
	if (d->got - d->reported >= REG_PROGRESS_STEP) {
		d->reported = d->got;
		ld_progress(&d->tctx, "downloading", d->layer, d->c->nlayers, d->got,
			    d->size > 0 ? (uint64_t)d->size : 0);
	}
	return 0;
}

static void *dl_thread(void *arg)
{
	dl_stream *d = arg;
	reg_client *c = d->c;
	ld_http_response rs;
	reg_req r = {0};
	char got[LD_DIGEST_STR_LEN], what[LD_DIGEST_STR_LEN + 32];
	int rc;

	ld_snprintf(r.path, sizeof(r.path), "/v2/%s/blobs/%s", c->ref.repo, d->digest);
	ld_snprintf(what, sizeof(what), "layer blob %s", d->digest);
	r.identity = true;
	r.write = dl_write;
	r.reset = dl_reset;
	r.opaque = d;
	r.what = what;
	rc = reg_do(c, &r, &rs, &d->tctx);
	if (d->too_long)
		rc = ld_error_set(&d->tctx, LADING_EDIGEST,
				  "layer %zu blob %s is longer than the %" PRId64
				  " bytes its descriptor gives",
				  d->layer + 1, d->digest, d->size);
	ld_sha256_final(&d->h, got);
	if (!rc && d->size >= 0 && d->got != (uint64_t)d->size)
		rc = ld_error_set(&d->tctx, LADING_EDIGEST,
				  "layer %zu blob %s is %" PRIu64
				  " bytes, its descriptor says %" PRId64,
				  d->layer + 1, d->digest, d->got, d->size);
	if (!rc && strcmp(got, d->digest))
		rc = ld_error_set(&d->tctx, LADING_EDIGEST,
				  "layer %zu blob %s digest mismatch: expected %s, content has %s "
				  "(downloaded from %s)",
				  d->layer + 1, d->digest, d->digest, got, c->ref.registry);
	atomic_fetch_add(&c->downloaded, d->got);
	if (d->tmpfd >= 0) {
		close(d->tmpfd);
		d->tmpfd = -1;
		if (!rc) {
			char path[LD_CACHE_PATH_MAX + 80];
			blob_path(c, d->digest, path, sizeof(path));
			if (ld_cachedir_commit(d->tmp, path) == 0)
				ld_cachedir_evict(c->blob_dir, c->blob_cap);
		} else {
			unlink(d->tmp); /* a partial or wrong blob never enters the cache */
		}
	}
	ld_progress(&d->tctx, "downloading", d->layer, c->nlayers, d->got,
		    d->size > 0 ? (uint64_t)d->size : d->got);
	pthread_mutex_lock(&d->mu);
	d->rc = rc;
	d->done = true;
	pthread_cond_broadcast(&d->can_read);
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static ssize_t dl_read(ld_stream *s, void *buf, size_t n)
{
	dl_stream *d = (dl_stream *)s;
	size_t k;
	pthread_mutex_lock(&d->mu);
	while (!d->len && !d->done)
		pthread_cond_wait(&d->can_read, &d->mu);
	if (!d->len) {
		int rc = d->rc;
		pthread_mutex_unlock(&d->mu);
		if (rc) {
			ld_ctx_adopt_error(s->ctx, &d->tctx);
			return rc;
		}
		return 0; /* the end, and the digest matched */
	}
	k = d->len < n ? d->len : n;
	if (k > REG_RING_BYTES - d->head)
		k = REG_RING_BYTES - d->head;
	memcpy(buf, d->ring + d->head, k);
	d->head = (d->head + k) % REG_RING_BYTES;
	d->len -= k;
	pthread_cond_signal(&d->can_write);
	pthread_mutex_unlock(&d->mu);
	return (ssize_t)k;
}

static void dl_close(ld_stream *s)
{
	dl_stream *d = (dl_stream *)s;
	if (d->started) {
		pthread_mutex_lock(&d->mu);
		d->cancel = true;
		pthread_cond_broadcast(&d->can_write);
		pthread_mutex_unlock(&d->mu);
		pthread_join(d->th, NULL);
	} else {
		ld_sha256_release(&d->h);
	}
	if (d->tmpfd >= 0) {
		close(d->tmpfd);
		unlink(d->tmp);
	}
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->can_read);
	pthread_cond_destroy(&d->can_write);
	ld_ctx_release_child(&d->tctx);
	free(d->ring);
	free(d);
}

static int dl_open(reg_client *c, size_t i, const char *digest, int64_t size, ld_stream **out,
		   lading_ctx *ctx)
{
	dl_stream *d = calloc(1, sizeof(*d));
	if (!d)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	d->ring = malloc(REG_RING_BYTES);
	if (!d->ring || ld_sha256_init(&d->h)) {
		free(d->ring);
		free(d);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	d->base.read = dl_read;
	d->base.close = dl_close;
	d->base.ctx = ctx;
	d->c = c;
	d->layer = i;
	d->size = size;
	d->tmpfd = -1;
	ld_strlcpy(d->digest, digest, sizeof(d->digest));
	ld_ctx_init_child(&d->tctx, ctx);
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->can_read, NULL);
	pthread_cond_init(&d->can_write, NULL);
	if (c->blob_dir[0])
		d->tmpfd = ld_cachedir_tmp(c->blob_dir, d->tmp, sizeof(d->tmp));
	ld_progress(ctx, "downloading", i, c->nlayers, 0, size > 0 ? (uint64_t)size : 0);
	if (pthread_create(&d->th, NULL, dl_thread, d) != 0) {
		dl_close(&d->base);
		return ld_error_set(ctx, LADING_ENOMEM, "cannot start a download thread");
	}
	d->started = true;
	*out = &d->base;
	return 0;
}

/* A cached blob: checked while read; a damaged copy is removed (the next run downloads it). */
typedef struct cached_stream {
	ld_stream base;
	ld_stream *inner;
	char path[LD_CACHE_PATH_MAX + 80];
} cached_stream;

static ssize_t cached_read(ld_stream *s, void *buf, size_t n)
{
	cached_stream *cs = (cached_stream *)s;
	ssize_t r = ld_stream_read(cs->inner, buf, n);
	if (r == LADING_EDIGEST) {
		char msg[sizeof(s->ctx->err.msg)];
		unlink(cs->path);
		ld_strlcpy(msg, s->ctx->err.msg, sizeof(msg));
		ld_error_set(s->ctx, LADING_EDIGEST,
			     "%s (cached copy in %s, now removed: run again to download it)", msg,
			     cs->path);
	}
	return r;
}

static void cached_close(ld_stream *s)
{
	cached_stream *cs = (cached_stream *)s;
	ld_stream_close(cs->inner);
	free(cs);
}

static int reg_open_layer(lading_image *img, size_t i, ld_stream **out, lading_ctx *ctx)
{
	reg_client *c = img->state;
	const char *digest = img->lsrc[i].blob_digest;
	int64_t size = img->lsrc[i].size;

	*out = NULL;
	if (i >= img->info.layer_count)
		return ld_error_set(ctx, LADING_EUSAGE, "no layer %zu", i);
	if (c->blob_dir[0]) {
		char path[LD_CACHE_PATH_MAX + 80], label[160];
		int fd;
		blob_path(c, digest, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			cached_stream *cs = calloc(1, sizeof(*cs));
			struct stat st;
			ld_stream *s;
			int rc;
			if (!cs || fstat(fd, &st) != 0) {
				free(cs);
				close(fd);
				return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			}
			ld_cachedir_touch(path);
			if ((rc = ld_stream_fd_owned(&s, ctx, fd, 0, (uint64_t)st.st_size, path))) {
				free(cs);
				return rc;
			}
			ld_snprintf(label, sizeof(label), "layer %zu blob %s", i + 1, digest);
			if ((rc = ld_stream_verify(&cs->inner, s, digest, size, label))) {
				free(cs);
				return rc;
			}
			ld_strlcpy(cs->path, path, sizeof(cs->path));
			cs->base.read = cached_read;
			cs->base.close = cached_close;
			cs->base.ctx = ctx;
			*out = &cs->base;
			return 0;
		}
	}
	return dl_open(c, i, digest, size, out, ctx);
}

static void client_free(reg_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npool; i++)
		ld_http_free(c->pool[i]);
	ld_creds_wipe(&c->creds);
	if (c->authz.ptr)
		explicit_bzero(c->authz.ptr, c->authz.cap);
	explicit_bzero(c->challenge, sizeof(c->challenge));
	ld_buf_release(&c->authz);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->probe_mu);
	free(c);
}

static void reg_free(lading_image *img)
{
	client_free(img->state);
	img->state = NULL;
}

static const ld_source_ops registry_ops = {reg_open_layer, NULL, reg_free};

/* ---- credentials ---- */

static void read_docker_config(reg_client *c, lading_ctx *ctx)
{
	const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char path[LD_CACHE_PATH_MAX];
	ld_stream *s;
	ld_buf b = LD_BUF_INIT;
	lading_ctx probe;
	int rc;

	if (dc && *dc)
		ld_snprintf(path, sizeof(path), "%s/config.json", dc);
	else if (home && *home)
		ld_snprintf(path, sizeof(path), "%s/.docker/config.json", home);
	else
		return;
	ld_ctx_init_child(&probe, ctx);
	if (ld_stream_file(&s, &probe, path) == 0) {
		rc = ld_stream_read_all(s, &b, LD_DOCKER_CONFIG_MAX, path);
		ld_stream_close(s);
		if (!rc) {
			rc = ld_docker_config_find(b.ptr ? b.ptr : "", b.len, c->ref.registry,
						   &c->creds, &probe);
			if (rc == 0)
				c->have_creds = true;
			else if (rc != LADING_ENOTFOUND)
				ld_warn(ctx, "%s: %s (ignored)", path, probe.err.msg);
		}
	}
	if (b.ptr)
		explicit_bzero(b.ptr, b.cap);
	ld_buf_release(&b);
	ld_ctx_release_child(&probe);
}

static int find_creds(reg_client *c, const lading_image_options *o, lading_ctx *ctx)
{
	const char *eu = getenv("LADING_REGISTRY_USERNAME"),
		   *ep = getenv("LADING_REGISTRY_PASSWORD");
	const char *eh = getenv("LADING_REGISTRY_HOST");
	const char *u = o ? o->username : NULL, *p = o ? o->password : NULL, *from = "--username";

	if ((u && *u) != (p != NULL))
		return ld_error_set(ctx, LADING_EUSAGE,
				    "a registry user name needs a password (--password-stdin)");
	if (!u || !*u) {
		u = eu;
		p = ep;
		from = "LADING_REGISTRY_USERNAME";
		if (eh && *eh && strcasecmp(eh, c->ref.registry))
			u = NULL; /* meant for another registry */
	}
	if (u && *u) {
		if (!p)
			return ld_error_set(
			    ctx, LADING_EUSAGE,
			    "LADING_REGISTRY_USERNAME is set but LADING_REGISTRY_PASSWORD is not");
		if (strlen(u) >= sizeof(c->creds.username) ||
		    strlen(p) >= sizeof(c->creds.password))
			return ld_error_set(ctx, LADING_EUSAGE,
					    "registry user name or password too long");
		ld_strlcpy(c->creds.username, u, sizeof(c->creds.username));
		ld_strlcpy(c->creds.password, p, sizeof(c->creds.password));
		ld_strlcpy(c->creds.from, from, sizeof(c->creds.from));
		c->have_creds = true;
		return 0;
	}
	read_docker_config(c, ctx);
	return 0;
}

/* ---- opening ---- */

/* A client for `ref`'s registry: TLS and plain-HTTP rules, the blob cache under `cache_root`
 * (NULL: none), credentials. */
static int client_new(reg_client **out, const ld_imgref *ref, const lading_image_options *opts,
		      const char *cache_root, lading_ctx *ctx)
{
	reg_client *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	c->ref = *ref;
	ld_imgref_format(ref, c->refstr, sizeof(c->refstr));
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->probe_mu, NULL);
	ld_buf_init(&c->authz, LD_TOKEN_MAX + 64);
	atomic_init(&c->downloaded, 0);
	/* --insecure: the registry named; --insecure-registry: the registries listed */
	c->insecure = lading_image_registry_insecure(opts, ref->api_host) ||
		      (ref->registry[0] && lading_image_registry_insecure(opts, ref->registry));
	c->allow_http = c->insecure || ld_host_is_loopback(ref->api_host);
	c->hopt.retries = REG_RETRIES;
	c->hopt.max_backoff_ms = REG_MAX_BACKOFF_MS;
	/* --insecure relaxes TLS for the registry named only: token servers and redirect targets
	 * elsewhere stay verified */
	c->hopt.insecure_host = c->insecure ? c->ref.api_host : NULL;
	if (cache_root) {
		ld_snprintf(c->blob_dir, sizeof(c->blob_dir), "%s/blobs/sha256", cache_root);
		if (ld_cachedir_make(c->blob_dir))
			c->blob_dir[0] = '\0'; /* no cache rather than no scan */
		c->blob_cap = ld_cachedir_cap(LD_CACHE_DEFAULT_BLOBS_MAX);
	}
	if ((rc = find_creds(c, opts, ctx))) {
		client_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* The image's source fields and its tag reference. */
static int describe_image(lading_image *img, const reg_client *c, lading_ctx *ctx)
{
	const ld_imgref *ref = &c->ref;
	img->info.source_type = "registry";
	img->info.source_path = ld_arena_strdup(&img->arena, c->refstr);
	img->info.ref = img->info.source_path;
	if (ref->tag[0]) {
		const char **rt = ld_arena_array(&img->arena, 1, sizeof(char *));
		char tagged[sizeof(c->refstr)];
		ld_snprintf(tagged, sizeof(tagged), "%s/%s:%s", ref->registry, ref->repo, ref->tag);
		if (!rt || !(rt[0] = ld_arena_strdup(&img->arena, tagged)))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		img->info.repo_tags = rt;
		img->info.repo_tag_count = 1;
	}
	return 0;
}

/* The manifest named, then down through indexes to the platform's image manifest: *man (in
 * img's arena), its digest and media type. */
static int resolve_manifest(reg_client *c, lading_image *img, const char *platform, ld_buf *doc,
			    ld_json **man, char digest[LD_DIGEST_STR_LEN], char *mt, size_t mtsz,
			    lading_ctx *ctx)
{
	char cur[LD_DIGEST_STR_LEN + LD_REF_MAX_TAG];
	bool by_digest = c->ref.digest[0] != '\0';
	int64_t size = -1;
	int rc;

	ld_strlcpy(cur, by_digest ? c->ref.digest : c->ref.tag, sizeof(cur));
	for (int depth = 0;; depth++) {
		const char *dmt;
		const ld_json *chosen;
		if (depth > LD_MAX_INDEX_DEPTH)
			return ld_error_set(ctx, LADING_ELIMIT, "image index nested deeper than %d levels",
					    LD_MAX_INDEX_DEPTH);
		if ((rc = fetch_manifest(c, cur, by_digest, size, doc, digest, mt, mtsz, ctx)))
			return rc;
		if ((rc = ld_json_parse(man, &img->arena, doc->ptr ? doc->ptr : "", doc->len, NULL, ctx,
					"image manifest")))
			return rc;
		dmt = doc_media_type(*man, mt);
		if (mt_is_schema1(dmt) || mt_is_schema1(mt))
			return schema1_error(c, digest, ctx);
		if (!ld_mt_is_index(dmt)) {
			ld_strlcpy(mt, dmt ? dmt : "", mtsz);
			return 0;
		}
		if ((rc = ld_index_choose(*man, NULL, platform, &chosen, ctx))) {
			ld_error_prefix(ctx, "%s: ", c->refstr);
			return rc;
		}
		ld_strlcpy(cur, ld_json_get_str(chosen, "digest"), sizeof(cur));
		size = -1;
		ld_json_i64(ld_json_get(chosen, "size"), &size);
		by_digest = true;
	}
}

int ld_registry_open(lading_image *img, const ld_imgref *ref, const lading_image_options *opts,
		     lading_ctx *ctx)
{
	reg_client *c;
	ld_buf doc = LD_BUF_INIT;
	char digest[LD_DIGEST_STR_LEN], mt[128];
	const ld_json *cfgdesc;
	ld_json *man = NULL;
	int rc;

	if ((rc = client_new(&c, ref, opts, img->cache_root, ctx)))
		return rc;
	img->state = c;
	img->ops = &registry_ops;
	img->io_parallel = REG_PARALLEL;
	if ((rc = describe_image(img, c, ctx)) ||
	    (rc = resolve_manifest(c, img, opts ? opts->platform : NULL, &doc, &man, digest, mt,
				   sizeof(mt), ctx)))
		goto out;
	img->info.manifest_digest = ld_arena_strdup(&img->arena, digest);
	if ((rc = ld_manifest_apply(img, man, digest, mt[0] ? mt : NULL, &cfgdesc, ctx)))
		goto out;
	c->nlayers = img->info.layer_count;
	{
		const char *cd = ld_json_get_str(cfgdesc, "digest");
		int64_t csz = -1;
		ld_json_i64(ld_json_get(cfgdesc, "size"), &csz);
		if ((rc = fetch_small_blob(c, cd, csz, LD_MAX_CONFIG_BYTES, &doc, ctx)))
			goto out;
		rc = ld_config_apply(img, doc.ptr ? doc.ptr : "", doc.len, cd, ctx);
	}
out:
	ld_buf_release(&doc);
	return rc;
}

/* ---- the client for other callers (inventory crawl) ---- */

int ld_reg_new(ld_reg **out, const char *registry, const lading_image_options *opts,
	       const char *cache_root, lading_ctx *ctx)
{
	ld_imgref ref;
	memset(&ref, 0, sizeof(ref));
	if (!registry || strlen(registry) > LD_REF_MAX_HOST)
		return ld_error_set(ctx, LADING_EUSAGE, "not a registry host: '%s'", registry ? registry : "");
	ld_strlcpy(ref.registry, registry, sizeof(ref.registry));
	ld_strlcpy(ref.api_host, strcmp(registry, LD_DOCKER_HUB) ? registry : LD_DOCKER_HUB_API,
		   sizeof(ref.api_host));
	return client_new(out, &ref, opts, cache_root, ctx);
}

void ld_reg_free(ld_reg *c)
{
	client_free(c);
}

int ld_reg_set_repo(ld_reg *c, const char *repo)
{
	if (!repo || strlen(repo) > LD_REF_MAX_REPO)
		return LADING_EINVALID;
	if (!strcmp(c->ref.repo, repo))
		return 0;
	ld_strlcpy(c->ref.repo, repo, sizeof(c->ref.repo));
	ld_snprintf(c->refstr, sizeof(c->refstr), "%s/%s", c->ref.registry, repo);
	pthread_mutex_lock(&c->mu);
	c->scope_stale = !strncmp(ld_buf_cstr(&c->authz), "Authorization: Bearer", 21);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

int ld_reg_base(ld_reg *c, const char **base, lading_ctx *ctx)
{
	int rc = ensure_ready(c, ctx);
	*base = rc ? NULL : c->base;
	return rc;
}

int ld_reg_get(ld_reg *c, const char *path, ld_buf *body, uint64_t max, ld_http_response *rs,
	       const char *what, lading_ctx *ctx)
{
	reg_req r = {0};
	if (strlen(path) >= sizeof(r.path))
		return ld_error_set(ctx, LADING_ELIMIT, "%s: a URL longer than %d bytes", what,
				    REG_URL_MAX);
	ld_strlcpy(r.path, path, sizeof(r.path));
	r.body = body;
	r.max = max;
	r.what = what;
	return reg_do(c, &r, rs, ctx);
}

int ld_reg_manifest(ld_reg *c, const char *ref, ld_buf *out, char digest[LD_DIGEST_STR_LEN],
		    const char **mt, ld_json **doc, ld_arena *a, lading_ctx *ctx)
{
	char ctype[128];
	bool by_digest = ld_digest_valid(ref);
	int rc;

	*mt = NULL;
	if ((rc = fetch_manifest(c, ref, by_digest, -1, out, digest, ctype, sizeof(ctype), ctx)))
		return rc;
	if ((rc = ld_json_parse(doc, a, out->ptr ? out->ptr : "", out->len, NULL, ctx,
				"image manifest"))) {
		ld_error_prefix(ctx, "%s:%s: ", c->refstr, ref);
		return rc;
	}
	*mt = doc_media_type(*doc, ctype);
	if (*mt && !strcmp(*mt, ctype))
		*mt = ld_arena_strdup(a, ctype);
	if (mt_is_schema1(*mt))
		return schema1_error(c, digest, ctx);
	return 0;
}

int ld_reg_blob(ld_reg *c, const char *digest, int64_t size, size_t max, ld_buf *out,
		lading_ctx *ctx)
{
	if (!ld_digest_valid(digest))
		return ld_error_set(ctx, LADING_EINVALID, "%s: a config descriptor without a valid digest",
				    c->refstr);
	return fetch_small_blob(c, digest, size, max, out, ctx);
}

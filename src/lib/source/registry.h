/* Registry sources (OCI distribution / Docker Registry HTTP API v2): image references,
 * credentials and authentication challenges. The parsers here take untrusted text (command
 * lines, server headers, token responses, docker config files) and have fuzz harnesses. */
#ifndef LD_REGISTRY_H
#define LD_REGISTRY_H

#include "source/source.h"
#include "util/http.h"

/* Named limits of references (Docker's distribution/reference grammar). */
#define LD_REF_MAX_LEN	1024 /* whole reference as typed */
#define LD_REF_MAX_HOST 255  /* registry host[:port] */
#define LD_REF_MAX_REPO 255  /* repository path, Docker's limit */
#define LD_REF_MAX_TAG	128  /* tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */

#define LD_DOCKER_HUB	  "docker.io"
#define LD_DOCKER_HUB_API "registry-1.docker.io"

typedef struct ld_imgref {
	char registry[LD_REF_MAX_HOST + 1]; /* "docker.io", "localhost:5000", "[::1]:5000" */
	char
	    api_host[LD_REF_MAX_HOST + 1]; /* host to talk to: registry-1.docker.io for docker.io */
	char repo[LD_REF_MAX_REPO + 1];	   /* "library/alpine" */
	char tag[LD_REF_MAX_TAG + 1];	   /* "" when only a digest was given */
	char digest[LD_DIGEST_STR_LEN];	   /* "" unless REF@sha256:... */
} ld_imgref;

/* Parse "[REGISTRY/]REPO[:TAG][@sha256:DIGEST]" (Docker's rules: the first component is a
 * registry when it has a '.' or a ':' or is "localhost"; docker.io when none is given, with
 * "library/" before single-component names; no tag and no digest means "latest").
 * 0, LADING_EINVALID (not a reference) or LADING_EUNSUPPORTED (a digest algorithm other than
 * sha256). */
int ld_imgref_parse(ld_imgref *out, const char *s, size_t len);
/* "registry/repo[:tag][@digest]" */
void ld_imgref_format(const ld_imgref *r, char *out, size_t n);
/* localhost, 127.0.0.0/8, ::1: plain HTTP never leaves the machine, so it is allowed without
 * --insecure (Docker's rule too). `host` may carry a port. */
bool ld_host_is_loopback(const char *host);
/* The same for the host of an http(s) URL, parsed as libcurl parses it (user-info is not the
 * host: "http://localhost:1@evil/" is not loopback); false for what does not parse. */
bool ld_url_is_loopback(const char *url);
/* Whether an http(s) URL is on the host of `hostport` (any port): the registry's own host. */
bool ld_url_same_host(const char *url, const char *hostport);

/* inventory crawl (crawl.c): one page of /v2/_catalog ("repositories") or tags/list ("tags"),
 * exposed for the fuzz harness. Valid names are appended to `out`; *count = names in the page,
 * `last` = the last one (the continuation). */
typedef struct crawl_list {
	char **v;
	size_t n, cap;
} crawl_list;
int ld_crawl_parse_page(const char *p, size_t len, const char *key, bool tags, crawl_list *out, size_t *count,
			char *last, size_t lastsz, lading_ctx *ctx, const char *what);

/* The target of the first link-value of a Link header (RFC 8288) whose first rel parameter
 * holds "next", as written (a URI reference: resolve it). 0, LADING_ENOTFOUND (none),
 * LADING_EINVALID (malformed), LADING_ELIMIT (header or target too long). */
int ld_link_next(const char *p, size_t len, char *out, size_t outsz);

/* One challenge of a WWW-Authenticate header (RFC 7235), the one a registry sends:
 * `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"` or
 * `Basic realm="..."`. */
#define LD_AUTH_MAX_HEADER 4096
typedef struct ld_auth_challenge {
	char scheme[16]; /* lowercase: "bearer", "basic" */
	char realm[1024];
	char service[256];
	char scope[512];
	char error[64]; /* e.g. "insufficient_scope", "invalid_token" */
} ld_auth_challenge;
/* 0 or LADING_EINVALID; unknown parameters are ignored, quoted strings unescaped. */
int ld_auth_challenge_parse(ld_auth_challenge *out, const char *p, size_t len);

/* Credentials for one registry. Secrets never leave this struct except into request headers. */
typedef struct ld_creds {
	char username[256];
	char password[1024];
	char from[64]; /* where they came from, for messages: "--username", "docker config"... */
} ld_creds;
void ld_creds_wipe(ld_creds *c);

/* Find the credentials for `registry` in a docker config.json (`auths` entries keyed by host,
 * by URL, or for Docker Hub by "https://index.docker.io/v1/"; `auth` = base64(user:password),
 * or `username` + `password`). 0 (found), LADING_ENOTFOUND (no entry, or only a credential
 * helper / identity token, which we do not run), LADING_EINVALID (the file is not JSON, or an
 * entry is malformed: ctx says which, without the secret). */
#define LD_DOCKER_CONFIG_MAX (1u << 20)
int ld_docker_config_find(const char *json, size_t len, const char *registry, ld_creds *out,
			  lading_ctx *ctx);

/* The token of a token server's JSON answer ({"token": ...} or {"access_token": ...}). */
#define LD_TOKEN_MAX 16384
int ld_auth_token_parse(const char *json, size_t len, ld_buf *token, lading_ctx *ctx);

/* A registry API client for callers other than lading_image_open (inventory crawl): the same
 * TLS rules, credentials (options, environment, docker config), Basic or Bearer authentication
 * (a token for the repository set last, or for `registry:catalog:*` before any), retries and
 * blob cache (`cache_root`, NULL = none). One thread at a time. */
typedef struct reg_client ld_reg;
int ld_reg_new(ld_reg **out, const char *registry, const lading_image_options *opts,
	       const char *cache_root, lading_ctx *ctx);
void ld_reg_free(ld_reg *c);
/* Requests from now on are for this repository ("" = the catalog). LADING_EINVALID if too long. */
int ld_reg_set_repo(ld_reg *c, const char *repo);
/* "https://host[:port]" or "http://..." once the registry answered on it. */
int ld_reg_base(ld_reg *c, const char **base, lading_ctx *ctx);
/* GET `path` (path and query, on the registry's base) into body (at most `max` bytes); 404 is
 * LADING_ENOTFOUND. `what` names it in messages. */
int ld_reg_get(ld_reg *c, const char *path, ld_buf *body, uint64_t max, ld_http_response *rs,
	       const char *what, lading_ctx *ctx);
/* The manifest (or index) of the current repository by tag or digest, digest-checked and
 * cached: the bytes in `out`, parsed into *doc (in `a`), its digest and media type. Schema 1
 * is refused. */
int ld_reg_manifest(ld_reg *c, const char *ref, ld_buf *out, char digest[LD_DIGEST_STR_LEN],
		    const char **mt, ld_json **doc, ld_arena *a, lading_ctx *ctx);
/* A small blob (a config) of the current repository, digest-checked and cached. */
int ld_reg_blob(ld_reg *c, const char *digest, int64_t size, size_t max, ld_buf *out,
		lading_ctx *ctx);

/* Open a registry image into `img` (called by lading_image_open). */
int ld_registry_open(lading_image *img, const ld_imgref *ref, const lading_image_options *opts,
		     lading_ctx *ctx);

#endif

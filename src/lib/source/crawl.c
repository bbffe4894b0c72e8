/* Listing a registry for `inventory crawl`: /v2/_catalog and /v2/NAME/tags/list, paginated with
 * `n` and `last` (the continuation the registry's Link header names: a page as long as asked
 * means there may be more, asked for from the last name seen). The answers are untrusted:
 * named limits, each name checked against the reference grammar before it is used in a URL. */
#include "util/common.h"
#include "util/base64.h"
#include "util/http.h"
#include "util/json.h"
#include "util/path.h"
#include "source/registry.h"
#include "lading/inventory.h"

/* Named limits. */
#define CRAWL_PAGE 1000                    /* names asked for per request (default) */
#define CRAWL_MAX_PAGE_BYTES (8u << 20)    /* one answer */
#define CRAWL_MAX_REPOS 1000000
#define CRAWL_MAX_TAGS_PER_REPO 100000
#define CRAWL_MAX_PAGES 100000             /* requests per listing: a registry that never ends */
#define CRAWL_MAX_REFS 10000000


static int list_add(crawl_list *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return LADING_ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	if (!(l->v[l->n] = ld_strndup(s, len)))
		return LADING_ENOMEM;
	l->n++;
	return 0;
}

static void list_free(crawl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A repository path or a tag as the reference grammar allows it (it goes into URLs). */
static bool name_ok(const char *s, bool tag)
{
	size_t n = strlen(s);
	if (!n || n > (tag ? LD_REF_MAX_TAG : LD_REF_MAX_REPO))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
			  (tag ? ((c >= 'A' && c <= 'Z')) : c == '/');
		if (!ok)
			return false;
	}
	return tag ? (s[0] != '.' && s[0] != '-') : (s[0] != '/' && s[n - 1] != '/' && !strstr(s, "//"));
}

/* One page: {"repositories": [...]} or {"name": ..., "tags": [...]} (tags may be null).
 * Appends the valid names; *count = names in the page (valid or not), *last = the last one. */
int ld_crawl_parse_page(const char *p, size_t len, const char *key, bool tags, crawl_list *out, size_t *count,
			char *last, size_t lastsz, lading_ctx *ctx, const char *what)
{
	ld_json_limits lim = {8, 0};
	ld_arena a;
	ld_json *doc = NULL;
	const ld_json *arr;
	int rc;

	*count = 0;
	last[0] = '\0';
	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&doc, &a, p, len, &lim, ctx, what)))
		goto out;
	arr = ld_json_get(doc, key);
	if (ld_json_is(arr, LD_JSON_NULL) || (!arr && tags))
		goto out; /* a repository without tags */
	if (!ld_json_is(arr, LD_JSON_ARRAY)) {
		rc = ld_error_set(ctx, LADING_EINVALID, "%s: no \"%s\" array", what, key);
		goto out;
	}
	for (size_t i = 0; i < arr->n; i++) {
		const char *s = ld_json_str(&arr->u.items[i]);
		(*count)++;
		if (!s)
			continue;
		ld_strlcpy(last, s, lastsz);
		if (!name_ok(s, tags)) {
			ld_warn(ctx, "%s: skipped the invalid name \"%.80s\"", what, s);
			continue;
		}
		if (out->n >= (tags ? CRAWL_MAX_TAGS_PER_REPO : CRAWL_MAX_REPOS)) {
			rc = ld_error_set(ctx, LADING_ELIMIT, "%s: over %d names", what,
					  tags ? CRAWL_MAX_TAGS_PER_REPO : CRAWL_MAX_REPOS);
			goto out;
		}
		if ((rc = list_add(out, s, strlen(s))))
			goto out;
	}
out:
	ld_arena_release(&a);
	return rc;
}

typedef struct crawler {
	ld_http *http;
	const char *base; /* scheme://host[:port] */
	const lading_crawl_options *o;
	char auth[1100];
	lading_ctx *ctx;
} crawler;

/* Every name of a paginated listing. */
static int list_all(crawler *c, const char *path, const char *key, bool tags, crawl_list *out)
{
	ld_buf body;
	char url[4096], last[512] = "", prev[512] = "", what[1024];
	const char *hdr[1] = {c->auth};
	unsigned page_size = c->o && c->o->page_size ? c->o->page_size : CRAWL_PAGE;
	int rc = 0;

	ld_buf_init(&body, CRAWL_MAX_PAGE_BYTES);
	for (unsigned page = 0; page < CRAWL_MAX_PAGES; page++) {
		ld_http_request req;
		ld_http_response resp;
		size_t count;
		char esc[512 * 3 + 1];
		size_t k = 0;
		/* `last` is a name we checked or the server's own: escape it for the query */
		for (const char *q = last; *q && k + 4 < sizeof(esc); q++) {
			unsigned char ch = (unsigned char)*q;
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
			    ch == '_' || ch == '-')
				esc[k++] = (char)ch;
			else
				k += (size_t)snprintf(esc + k, sizeof(esc) - k, "%%%02X", ch);
		}
		esc[k] = '\0';
		ld_snprintf(url, sizeof(url), "%s%s?n=%u%s%s", c->base, path, page_size, k ? "&last=" : "", esc);
		ld_snprintf(what, sizeof(what), "%s%s", c->base, path);
		memset(&req, 0, sizeof(req));
		req.url = url;
		req.headers = hdr;
		req.nheaders = c->auth[0] ? 1 : 0;
		req.max_bytes = CRAWL_MAX_PAGE_BYTES;
		ld_buf_clear(&body);
		req.body = &body;
		if ((rc = ld_http_get(c->http, &req, &resp, c->ctx))) {
			if (rc == LADING_ENOTFOUND && tags)
				rc = 0; /* a repository deleted meanwhile */
			break;
		}
		if ((rc = ld_crawl_parse_page(body.ptr ? body.ptr : "", body.len, key, tags, out, &count, last,
					      sizeof(last), c->ctx, what)))
			break;
		/* a page shorter than asked ends the listing; one longer means the server does not
		   paginate (docker-registry's tags/list returns every tag); no progress ends it too */
		if (count != page_size || !last[0] || !strcmp(last, prev))
			break;
		ld_strlcpy(prev, last, sizeof(prev));
	}
	ld_buf_release(&body);
	return rc;
}

static int tag_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Which tags: "latest", "all", or N (the N last in lexical order, which is the registry's). */
static int select_tags(crawl_list *tags, const char *sel, size_t *from, size_t *to)
{
	if (tags->n)
		qsort(tags->v, tags->n, sizeof(char *), tag_cmp);
	*from = 0;
	*to = tags->n;
	if (!sel || !strcmp(sel, "latest")) {
		for (size_t i = 0; i < tags->n; i++)
			if (!strcmp(tags->v[i], "latest")) {
				*from = i;
				*to = i + 1;
				return 0;
			}
		*to = 0;
		return 0;
	}
	if (!strcmp(sel, "all"))
		return 0;
	{
		char *end;
		unsigned long n = strtoul(sel, &end, 10);
		if (*end || !n)
			return LADING_EUSAGE;
		if (n < tags->n)
			*from = tags->n - n;
	}
	return 0;
}

/* Plain HTTP only for loopback or an insecure registry, as for images. An insecure registry is
 * asked over HTTPS first (its certificate unverified), as Docker does: plain HTTP when no TLS
 * server answers there. */
static void choose_base(ld_http *h, const char *registry, bool insecure, char *base, size_t n, lading_ctx *ctx)
{
	ld_http_request rq;
	ld_http_response rs;
	char url[LD_REF_MAX_HOST + 32];

	if (!insecure) {
		ld_snprintf(base, n, "%s://%s", ld_host_is_loopback(registry) ? "http" : "https", registry);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	ld_snprintf(url, sizeof(url), "https://%s/v2/", registry);
	rq.url = url;
	rq.no_retry = true;
	rq.max_bytes = 65536;
	(void)ld_http_get(h, &rq, &rs, ctx);
	ld_error_clear(ctx); /* the answer's status (401 included) is all the probe asks */
	ld_snprintf(base, n, "%s://%s", rs.status ? "https" : "http", registry);
}

int lading_registry_crawl_list(char ***out, size_t *count, lading_ctx *ctx, const char *registry,
			       const lading_crawl_options *o)
{
	ld_http_options ho = {0};
	crawler c;
	crawl_list repos = {0}, refs = {0};
	char base[LD_REF_MAX_HOST + 16];
	int rc;

	*out = NULL;
	*count = 0;
	ld_error_clear(ctx);
	memset(&c, 0, sizeof(c));
	if (!registry || !*registry || strlen(registry) > LD_REF_MAX_HOST || strpbrk(registry, "/?#@ "))
		return ld_error_set(ctx, LADING_EUSAGE, "crawl: REGISTRY is HOST[:PORT], not '%s'", registry ? registry : "");
	if (o && o->tags && strcmp(o->tags, "latest") && strcmp(o->tags, "all") && strspn(o->tags, "0123456789") != strlen(o->tags))
		return ld_error_set(ctx, LADING_EUSAGE, "--tags: latest, all or a number");
	ho.insecure_host = o && o->insecure ? registry : NULL; /* the registry named only */
	ho.retries = 3;
	if ((rc = ld_http_new(&c.http, &ho, ctx)))
		return rc;
	choose_base(c.http, registry, o && o->insecure, base, sizeof(base), ctx);
	c.base = base;
	c.o = o;
	c.ctx = ctx;
	if (o && o->username && o->password) {
		/* Basic credentials; registries that want a bearer token for the catalog are not crawled yet */
		char pair[512];
		ld_buf b64;
		ld_buf_init(&b64, 1024);
		ld_snprintf(pair, sizeof(pair), "%s:%s", o->username, o->password);
		if (ld_base64_encode(&b64, pair, strlen(pair)) == 0)
			ld_snprintf(c.auth, sizeof(c.auth), "Authorization: Basic %s", ld_buf_cstr(&b64));
		explicit_bzero(pair, sizeof(pair));
		if (b64.ptr)
			explicit_bzero(b64.ptr, b64.len);
		ld_buf_release(&b64);
	}
	if ((rc = list_all(&c, "/v2/_catalog", "repositories", false, &repos)))
		goto out;
	for (size_t i = 0; i < repos.n && !rc; i++) {
		crawl_list tags = {0};
		char path[LD_REF_MAX_REPO + 32];
		size_t from, to;
		if (o && o->repos && !ld_glob_match(o->repos, ld_slice_cstr(repos.v[i])))
			continue;
		ld_snprintf(path, sizeof(path), "/v2/%s/tags/list", repos.v[i]);
		if (!(rc = list_all(&c, path, "tags", true, &tags)) &&
		    (rc = select_tags(&tags, o ? o->tags : NULL, &from, &to)) == 0) {
			for (size_t t = from; t < to && !rc; t++) {
				char ref[LD_REF_MAX_LEN + 1];
				if (refs.n >= CRAWL_MAX_REFS) {
					rc = ld_error_set(ctx, LADING_ELIMIT, "crawl: over %d images", CRAWL_MAX_REFS);
					break;
				}
				ld_snprintf(ref, sizeof(ref), "%s/%s:%s", registry, repos.v[i], tags.v[t]);
				rc = list_add(&refs, ref, strlen(ref));
			}
		}
		list_free(&tags);
	}
out:
	ld_http_free(c.http);
	list_free(&repos);
	if (rc) {
		list_free(&refs);
		if (rc == LADING_ENOMEM)
			ld_error_set(ctx, rc, "out of memory");
		return rc;
	}
	*out = refs.v;
	*count = refs.n;
	return 0;
}

void lading_registry_crawl_list_free(char **refs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(refs[i]);
	free(refs);
}

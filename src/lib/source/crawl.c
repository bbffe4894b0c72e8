/* Listing a registry for `inventory crawl`: /v2/_catalog and /v2/NAME/tags/list page by page,
 * then every selected tag resolved to its image manifests, one per platform of an index.
 *
 * Pages follow the `Link: <...>; rel="next"` header (RFC 8288) when the registry sends one
 * (relative or absolute, on the registry's own scheme, host and port only), else `n` and `last`
 * (a page as long as asked means there may be more, asked for from the last name seen). Every
 * request goes through the registry client of registry.c: its credentials, Basic or Bearer
 * tokens (scope registry:catalog:* for the catalog, repository:NAME:pull for each repository),
 * retries and blob cache (the manifests read here are then read from the cache when the images
 * are recorded). The answers are untrusted: named limits, each name checked against the
 * reference grammar before it is used in a URL. */
#include "util/common.h"
#include "util/cachedir.h"
#include "util/http.h"
#include "util/json.h"
#include "util/path.h"
#include "source/registry.h"
#include "lading/inventory.h"

/* Named limits. */
#define CRAWL_PAGE 1000			/* names asked for per request (default) */
#define CRAWL_MAX_PAGE_BYTES (8u << 20) /* one answer */
#define CRAWL_MAX_REPOS 1000000
#define CRAWL_MAX_TAGS_PER_REPO 100000
#define CRAWL_MAX_PAGES 100000 /* requests per listing: a registry that never ends */
#define CRAWL_MAX_REFS 10000000
#define CRAWL_MAX_PLATFORMS 64 /* --platform filters */
#define LINK_MAX_BYTES 8192    /* one Link header (all its fields) */
#define LINK_MAX_VALUES 64     /* link-values in it */
#define LINK_MAX_PARAMS 32     /* parameters of one link-value */

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

/* ---- Link header (RFC 8288, section 3) ---- */

static bool tchar(char c)
{
	return c && (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ||
		     strchr("!#$%&'*+-.^_`|~", c));
}

static void skip_ows(const char *p, size_t len, size_t *i)
{
	while (*i < len && (p[*i] == ' ' || p[*i] == '\t'))
		(*i)++;
}

/* A parameter value: token or quoted-string (unescaped into v, cut at vsz - 1). */
static int link_value(const char *p, size_t len, size_t *i, char *v, size_t vsz)
{
	size_t k = 0;
	if (*i < len && p[*i] == '"') {
		for ((*i)++;; (*i)++) {
			char c;
			if (*i >= len)
				return LADING_EINVALID; /* unterminated */
			c = p[*i];
			if (c == '"')
				break;
			if (c == '\\' && ++(*i) >= len)
				return LADING_EINVALID;
			c = p[*i];
			if ((unsigned char)c < 0x20 && c != '\t')
				return LADING_EINVALID;
			if (k + 1 < vsz)
				v[k++] = c;
		}
		(*i)++;
	} else {
		size_t s = *i;
		while (*i < len && tchar(p[*i])) {
			if (k + 1 < vsz)
				v[k++] = p[*i];
			(*i)++;
		}
		if (*i == s)
			return LADING_EINVALID;
	}
	v[k] = '\0';
	return 0;
}

/* Whether a rel value (space-separated relation types, compared without case) holds "next". */
static bool rel_has_next(const char *v)
{
	ld_slice rest = ld_slice_cstr(v), t;
	while (rest.len) {
		ld_slice_cut(&rest, ' ', &t);
		if (ld_slice_case_eq_cstr(ld_slice_trim(t), "next"))
			return true;
	}
	return false;
}

/* The parameters after a target: *next = its first rel holds "next" (later rels are ignored,
 * as the RFC says). Stops before the ',' of the next link-value. */
static int link_params(const char *p, size_t len, size_t *i, bool *next)
{
	bool rel_seen = false;
	*next = false;
	for (size_t n = 0;; n++) {
		size_t ns, ne;
		char v[256] = "";
		skip_ows(p, len, i);
		if (*i >= len || p[*i] == ',')
			return 0;
		if (p[*i] != ';' || n >= LINK_MAX_PARAMS)
			return p[*i] != ';' ? LADING_EINVALID : LADING_ELIMIT;
		(*i)++;
		skip_ows(p, len, i);
		ns = *i;
		while (*i < len && tchar(p[*i]))
			(*i)++;
		ne = *i;
		if (ne == ns)
			return LADING_EINVALID;
		skip_ows(p, len, i);
		if (*i < len && p[*i] == '=') {
			int rc;
			(*i)++;
			skip_ows(p, len, i);
			if ((rc = link_value(p, len, i, v, sizeof(v))))
				return rc;
		}
		if (ne - ns == 3 && !strncasecmp(p + ns, "rel", 3) && !rel_seen) {
			rel_seen = true;
			*next = rel_has_next(v);
		}
	}
}

int ld_link_next(const char *p, size_t len, char *out, size_t outsz)
{
	size_t i = 0;

	if (len > LINK_MAX_BYTES)
		return LADING_ELIMIT;
	for (size_t links = 0;; links++) {
		size_t us, ue;
		bool next;
		int rc;
		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		if (i >= len)
			return LADING_ENOTFOUND;
		if (links >= LINK_MAX_VALUES)
			return LADING_ELIMIT;
		if (p[i] != '<')
			return LADING_EINVALID;
		us = ++i;
		while (i < len && p[i] != '>') {
			/* a URI reference has no spaces, quotes or controls (RFC 3986) */
			if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f || p[i] == '"' || p[i] == '<')
				return LADING_EINVALID;
			i++;
		}
		if (i >= len)
			return LADING_EINVALID;
		ue = i++;
		if ((rc = link_params(p, len, &i, &next)))
			return rc;
		if (next) {
			if (ue - us >= outsz)
				return LADING_ELIMIT;
			memcpy(out, p + us, ue - us);
			out[ue - us] = '\0';
			return 0;
		}
	}
}

/* ---- listings ---- */

typedef struct crawler {
	ld_reg *reg;
	const char *registry;
	const char *base;
	const lading_crawl_options *o;
	char os[CRAWL_MAX_PLATFORMS][32], arch[CRAWL_MAX_PLATFORMS][32], variant[CRAWL_MAX_PLATFORMS][32];
	size_t nplat;
	crawl_list refs;
	size_t tags_seen;
	lading_ctx *ctx;
} crawler;

static unsigned page_size(const crawler *c)
{
	return c->o && c->o->page_size ? c->o->page_size : CRAWL_PAGE;
}

/* The first page's path: /v2/_catalog?n=N, or with &last= (escaped) to go on after a name. */
static void page_path(const crawler *c, const char *path, const char *last, char *out, size_t outsz)
{
	char esc[512 * 3 + 1];
	size_t k = 0;
	for (const char *q = last; *q && k + 4 < sizeof(esc); q++) {
		unsigned char ch = (unsigned char)*q;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		    ch == '_' || ch == '-')
			esc[k++] = (char)ch;
		else
			k += (size_t)snprintf(esc + k, sizeof(esc) - k, "%%%02X", ch);
	}
	esc[k] = '\0';
	ld_snprintf(out, outsz, "%s?n=%u%s%s", path, page_size(c), k ? "&last=" : "", esc);
}

/* The next page from a Link header: resolved against the page's URL, on the registry's own
 * origin only (a registry does not send its client elsewhere with its token). 0 and the path
 * and query in `out`, LADING_ENOTFOUND when there is no next link. */
static int link_next_path(crawler *c, const char *link, const char *cur, char *out, size_t outsz,
			  const char *what)
{
	char target[2048], curl_[4096], abs[4096];
	const char *path;
	int rc = ld_link_next(link, strlen(link), target, sizeof(target));

	if (rc == LADING_ENOTFOUND)
		return rc;
	if (rc)
		return ld_error_set(c->ctx, LADING_EINVALID, "%s: a Link header I cannot parse", what);
	ld_snprintf(curl_, sizeof(curl_), "%s%s", c->base, cur);
	if (ld_http_url_resolve(curl_, target, abs, sizeof(abs)))
		return ld_error_set(c->ctx, LADING_EINVALID, "%s: the next page's link is not an http(s) URL",
				    what);
	if (!ld_http_url_same_origin(abs, c->base))
		return ld_error_set(c->ctx, LADING_EINVALID,
				    "%s: the next page's link leaves the registry (%.200s is not on %s)", what,
				    abs, c->base);
	path = strchr(strstr(abs, "://") + 3, '/');
	if (!path || strlen(path) >= outsz)
		return ld_error_set(c->ctx, LADING_ELIMIT, "%s: the next page's link is too long", what);
	ld_strlcpy(out, path, outsz);
	return 0;
}

/* Every name of a paginated listing of `repo` ("" = the catalog). */
static int list_all(crawler *c, const char *repo, crawl_list *out)
{
	bool tags = repo[0] != '\0';
	const char *key = tags ? "tags" : "repositories";
	char path[2048], base_path[LD_REF_MAX_REPO + 32], last[512] = "", prev[512] = "", what[1024];
	ld_buf body;
	int rc;

	if ((rc = ld_reg_set_repo(c->reg, repo)))
		return ld_error_set(c->ctx, rc, "a repository name too long");
	if (tags)
		ld_snprintf(base_path, sizeof(base_path), "/v2/%s/tags/list", repo);
	else
		ld_strlcpy(base_path, "/v2/_catalog", sizeof(base_path));
	ld_snprintf(what, sizeof(what), "%s%s", c->base, base_path);
	page_path(c, base_path, "", path, sizeof(path));
	ld_buf_init(&body, CRAWL_MAX_PAGE_BYTES);
	for (unsigned page = 0;; page++) {
		ld_http_response rs;
		size_t count;
		if (page >= CRAWL_MAX_PAGES) {
			rc = ld_error_set(c->ctx, LADING_ELIMIT, "%s: over %d pages", what, CRAWL_MAX_PAGES);
			break;
		}
		ld_buf_clear(&body);
		if ((rc = ld_reg_get(c->reg, path, &body, CRAWL_MAX_PAGE_BYTES, &rs, tags ? "tags list" : "catalog",
				     c->ctx))) {
			if (rc == LADING_ENOTFOUND && tags)
				rc = 0; /* a repository deleted meanwhile */
			break;
		}
		if ((rc = ld_crawl_parse_page(body.ptr ? body.ptr : "", body.len, key, tags, out, &count, last,
					      sizeof(last), c->ctx, what)))
			break;
		if (rs.link[0]) {
			char next[2048];
			rc = link_next_path(c, rs.link, path, next, sizeof(next), what);
			if (rc == LADING_ENOTFOUND) {
				rc = 0;
				break; /* the registry paginates and says this is the last page */
			}
			if (rc)
				break;
			if (!strcmp(next, path) || !count) {
				/* a link to the same page, or past an empty one, would never end */
				ld_warn(c->ctx, "%s: the next page's link goes nowhere new: the listing stops here",
					what);
				break;
			}
			ld_strlcpy(path, next, sizeof(path));
			continue;
		}
		/* no Link: a page shorter than asked ends the listing; one longer means the server
		   does not paginate (docker-registry's tags/list returns every tag); no progress ends
		   it too */
		if (count != page_size(c) || !last[0] || !strcmp(last, prev))
			break;
		ld_strlcpy(prev, last, sizeof(prev));
		page_path(c, base_path, last, path, sizeof(path));
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

/* ---- tags to image manifests, one per platform ---- */

/* A filter's variant against an entry's: none asked takes every one; an entry that names none
 * has its architecture's default (arm64 is v8, as containerd normalizes it). */
static bool variant_ok(const char *want, const char *arch, const char *have)
{
	if (!want[0])
		return true;
	if (have && *have)
		return !strcmp(want, have);
	return !strcmp(arch, "arm64") && !strcmp(want, "v8");
}

/* Whether os/arch/variant passes the --platform filters (none: every platform). */
static bool platform_wanted(const crawler *c, const char *os, const char *arch, const char *variant)
{
	if (!c->nplat)
		return true;
	for (size_t i = 0; i < c->nplat; i++)
		if (os && arch && !strcmp(c->os[i], os) && !strcmp(c->arch[i], arch) &&
		    variant_ok(c->variant[i], arch, variant))
			return true;
	return false;
}

static int add_ref(crawler *c, const char *repo, const char *tag, const char *digest)
{
	char ref[LD_REF_MAX_LEN + 1];
	if (c->refs.n >= CRAWL_MAX_REFS)
		return ld_error_set(c->ctx, LADING_ELIMIT, "crawl: over %d images", CRAWL_MAX_REFS);
	ld_snprintf(ref, sizeof(ref), "%s/%s:%s@%s", c->registry, repo, tag, digest);
	return list_add(&c->refs, ref, strlen(ref)) ? ld_error_set(c->ctx, LADING_ENOMEM, "out of memory") : 0;
}

/* A single image manifest: with --platform, its config says which platform it is. */
static int image_platform_ok(crawler *c, const ld_json *man, bool *ok)
{
	const ld_json *cd = ld_json_get(man, "config");
	ld_buf cfg = LD_BUF_INIT;
	ld_arena a;
	ld_json *doc;
	int64_t size = -1;
	int rc;

	*ok = true;
	if (!c->nplat)
		return 0;
	ld_arena_init(&a, 0);
	ld_json_i64(ld_json_get(cd, "size"), &size);
	if (!(rc = ld_reg_blob(c->reg, ld_json_get_str(cd, "digest"), size, LD_MAX_CONFIG_BYTES, &cfg, c->ctx)) &&
	    !(rc = ld_json_parse(&doc, &a, cfg.ptr ? cfg.ptr : "", cfg.len, NULL, c->ctx, "image config")))
		*ok = platform_wanted(c, ld_json_get_str(doc, "os"), ld_json_get_str(doc, "architecture"),
				      ld_json_get_str(doc, "variant"));
	ld_buf_release(&cfg);
	ld_arena_release(&a);
	return rc;
}

/* `ref` (a tag, or an index entry's digest) of repository `repo`, listed under `tag`: an image
 * manifest becomes one reference; an index, one per platform entry that the filters take
 * (attestations skipped, nested indexes followed). */
static int resolve(crawler *c, const char *repo, const char *tag, const char *ref, int depth)
{
	ld_buf doc = LD_BUF_INIT;
	ld_arena a;
	ld_json *man;
	const ld_json *mans, *d;
	const char *mt;
	char digest[LD_DIGEST_STR_LEN];
	int rc;

	ld_arena_init(&a, 0);
	if ((rc = ld_reg_manifest(c->reg, ref, &doc, digest, &mt, &man, &a, c->ctx)))
		goto out;
	if (!ld_mt_is_index(mt)) {
		bool ok;
		if (!(rc = image_platform_ok(c, man, &ok)) && ok)
			rc = add_ref(c, repo, tag, digest);
		goto out;
	}
	mans = ld_json_get(man, "manifests");
	if (!ld_json_is(mans, LD_JSON_ARRAY) || mans->n > LD_MAX_INDEX_ENTRIES) {
		rc = ld_error_set(c->ctx, LADING_EINVALID, "%s/%s:%s: an index without a manifests list (or over %d)",
				  c->registry, repo, tag, LD_MAX_INDEX_ENTRIES);
		goto out;
	}
	ld_json_foreach_item(mans, i, d) {
		const char *dd = ld_json_get_str(d, "digest"), *dmt = ld_json_get_str(d, "mediaType");
		const ld_json *p = ld_json_get(d, "platform");
		if (!ld_digest_valid(dd)) {
			ld_warn(c->ctx, "%s/%s:%s: an index entry without a valid digest skipped", c->registry, repo, tag);
			continue;
		}
		/* attestation manifests (buildx) are not images */
		if (ld_json_get_str(ld_json_get(d, "annotations"), "vnd.docker.reference.type"))
			continue;
		/* a nested index, or (with --platform) an entry that does not say its platform: its
		   manifest (and config) decide */
		if ((dmt && ld_mt_is_index(dmt)) || (!p && c->nplat)) {
			if (depth >= LD_MAX_INDEX_DEPTH) {
				rc = ld_error_set(c->ctx, LADING_ELIMIT, "%s/%s:%s: indexes nested deeper than %d",
						  c->registry, repo, tag, LD_MAX_INDEX_DEPTH);
				break;
			}
			if ((rc = resolve(c, repo, tag, dd, depth + 1)))
				break;
			continue;
		}
		if (p && !platform_wanted(c, ld_json_get_str(p, "os"), ld_json_get_str(p, "architecture"),
					  ld_json_get_str(p, "variant")))
			continue;
		if ((rc = add_ref(c, repo, tag, dd)))
			break;
	}
out:
	ld_buf_release(&doc);
	ld_arena_release(&a);
	return rc;
}

/* The selected tags of one repository, resolved. A tag whose manifest cannot be read (deleted
 * meanwhile, schema 1, malformed) is a warning: the rest of the registry is still crawled. */
static int crawl_repo(crawler *c, const char *repo)
{
	crawl_list tags = {0};
	size_t from, to;
	int rc;

	if ((rc = list_all(c, repo, &tags)))
		goto out;
	if ((rc = select_tags(&tags, c->o ? c->o->tags : NULL, &from, &to)))
		goto out;
	for (size_t t = from; t < to; t++) {
		c->tags_seen++;
		if ((rc = resolve(c, repo, tags.v[t], tags.v[t], 0))) {
			if (rc == LADING_ENOMEM || rc == LADING_ELIMIT || rc == LADING_EAUTH || rc == LADING_ENET)
				break;
			ld_warn(c->ctx, "%s", lading_ctx_error(c->ctx)->msg);
			ld_error_clear(c->ctx);
			rc = 0;
		}
	}
out:
	list_free(&tags);
	return rc;
}

/* Check the options; parse the --platform filters. */
static int check_options(crawler *c, const char *registry, const lading_crawl_options *o)
{
	if (!registry || !*registry || strlen(registry) > LD_REF_MAX_HOST || strpbrk(registry, "/?#@ "))
		return ld_error_set(c->ctx, LADING_EUSAGE, "crawl: REGISTRY is HOST[:PORT], not '%s'",
				    registry ? registry : "");
	if (o && o->tags && strcmp(o->tags, "latest") && strcmp(o->tags, "all") &&
	    strspn(o->tags, "0123456789") != strlen(o->tags))
		return ld_error_set(c->ctx, LADING_EUSAGE, "--tags: latest, all or a number");
	if (!o || o->version < 2)
		return 0;
	if (o->platform_count > CRAWL_MAX_PLATFORMS)
		return ld_error_set(c->ctx, LADING_EUSAGE, "--platform: at most %d", CRAWL_MAX_PLATFORMS);
	for (size_t i = 0; i < o->platform_count; i++) {
		if (!o->platforms[i] || strlen(o->platforms[i]) >= 90 ||
		    ld_platform_parse(o->platforms[i], c->os[i], 32, c->arch[i], 32, c->variant[i], 32))
			return ld_error_set(c->ctx, LADING_EUSAGE, "--platform: OS/ARCH[/VARIANT], not '%s'",
					    o->platforms[i] ? o->platforms[i] : "");
		c->nplat++;
	}
	return 0;
}

/* The registry client: the caller's image options (credentials, insecure registries, cache),
 * or version 1's Basic credentials and insecure flag. */
static int open_client(crawler *c, const char *registry, const lading_crawl_options *o)
{
	lading_image_options io = LADING_IMAGE_OPTIONS_INIT;
	char root[LD_CACHE_PATH_MAX];
	const char *cache = NULL;

	if (o && o->version >= 2 && o->image)
		io = *o->image;
	if (o && o->insecure)
		io.insecure = 1;
	if (o && o->username && o->password) {
		io.username = o->username;
		io.password = o->password;
	}
	if (!io.no_cache && ld_cachedir_root(root, sizeof(root), io.cache_dir) == 0)
		cache = root;
	return ld_reg_new(&c->reg, registry, &io, cache, c->ctx);
}

int lading_registry_crawl_list(char ***out, size_t *count, lading_ctx *ctx, const char *registry,
			       const lading_crawl_options *o)
{
	crawler c;
	crawl_list repos = {0};
	int rc;

	*out = NULL;
	*count = 0;
	ld_error_clear(ctx);
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.o = o;
	c.registry = registry;
	if ((rc = check_options(&c, registry, o)) || (rc = open_client(&c, registry, o)))
		return rc;
	if ((rc = ld_reg_base(c.reg, &c.base, ctx)) || (rc = list_all(&c, "", &repos)))
		goto out;
	for (size_t i = 0; i < repos.n && !rc; i++) {
		if (o && o->repos && !ld_glob_match(o->repos, ld_slice_cstr(repos.v[i])))
			continue;
		/* the listing of a large registry (a manifest per tag) takes a while: repositories i/n */
		ld_progress(ctx, "crawl: listing repositories", i, repos.n, i + 1, repos.n);
		rc = crawl_repo(&c, repos.v[i]);
	}
out:
	ld_reg_free(c.reg);
	list_free(&repos);
	if (rc) {
		list_free(&c.refs);
		if (rc == LADING_ENOMEM)
			ld_error_set(ctx, rc, "out of memory");
		return rc;
	}
	*out = c.refs.v;
	*count = c.refs.n;
	return 0;
}

void lading_registry_crawl_list_free(char **refs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(refs[i]);
	free(refs);
}

/* `lading db update`: download the feeds into a cache laid out like the mirror (<db>.feeds/ by
 * default), with conditional requests against the copies already there, then build from the
 * cache (builder.c). Where each feed is and which files it needs comes from the feed table
 * (sources.c), so `--source NAME=URL` reads the layout `db build --mirror` reads: a mirror is a
 * plain static file server, its files found from its HTML directory listing (listing.c) or,
 * where it serves none, by their known names; upstream servers by their known names.
 *
 * The promise: a feed that had data keeps the same data unless a newer copy was fetched and
 * imported whole. A feed not modified since (every file 304) keeps its previous rows as they
 * are; one that cannot be refreshed (an HTTP error, a timeout, a truncated or damaged file, an
 * import that fails, a file it had that is now missing) is carried over from the previous
 * database and reported stale; "absent" is only for a feed that never had data.
 *
 * Cache layout: the mirror layout (osv/<Ecosystem>/all.zip, alpine-secdb/v3.X/main.json, ...);
 * .http/<same path> holds each file's URL digest, ETag and Last-Modified; .tmp/ holds downloads
 * in progress (a killed update leaves at most a stale file there, removed by the next one). A
 * file is renamed into place complete, and its validators are written after it, so a validator
 * never describes content we do not have. */
#include <dirent.h>
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/http.h"
#include "lading/vulndb.h"
#include "vulndb/builder.h"
#include "vulndb/listing.h"
#include "vulndb/vdb.h"

/* Named limits. */
#define U_MAX_FILES 256u		     /* files of one feed */
#define U_MAX_FOUND 4096u		     /* files one directory line finds before picking */
#define U_MAX_FEED_BYTES ((uint64_t)8 << 30) /* one downloaded file */
#define U_MAX_STATE 8192		     /* bytes of one .http state file */
#define U_MAX_FAMILIES 16u		     /* source families in the feed table */
#define U_LISTING_DEPTH 2		     /* directory levels listed under a feed's directory */
#define U_DEFAULT_RETRIES 3u

typedef struct ufile {
	char rel[512]; /* path in the cache (= in the mirror layout) */
	char url[2048];
	bool listed; /* named by the server's directory listing: a 404 for it is a failure */
} ufile;

typedef struct ufeed {
	char name[64]; /* the job's name (jobs get reordered by the build) */
	const ld_vdb_feed_desc *d;
	ufile *files;
	size_t nfiles;
	bool alternatives; /* one-file feed: the first of its files found is the feed */
	bool fetch_failed;
	unsigned found, removed;
	char found_rel[512];
} ufeed;

typedef struct updater {
	const lading_db_options *opts;
	char cache[4096];
	const char *families[U_MAX_FAMILIES];
	size_t nfamilies;
	const char *base[U_MAX_FAMILIES]; /* override URL per family, or NULL */
	bool selected[U_MAX_FAMILIES];
	ld_vdb_job *jobs;
	ufeed *feeds;
	size_t n, cap;
	const char **prev; /* feeds with data in the previous database */
	size_t nprev;
	/* directory listings that failed for one-feed-per-subdirectory lines (osv/): their
	 * previous feeds are carried over with this reason */
	const ld_vdb_feed_desc *dfail[U_MAX_FAMILIES];
	char dfail_why[U_MAX_FAMILIES][1024];
	size_t ndfail;
	ld_http *http;
	lading_ctx *ctx;
} updater;

static int family_index(const updater *u, const char *name, size_t len)
{
	for (size_t i = 0; i < u->nfamilies; i++)
		if (strlen(u->families[i]) == len && !strncmp(u->families[i], name, len))
			return (int)i;
	return -1;
}

static void init_families(updater *u)
{
	size_t nd;
	const ld_vdb_feed_desc *d = ld_vdb_feed_descs(&nd);
	for (size_t i = 0; i < nd; i++)
		if (family_index(u, d[i].family, strlen(d[i].family)) < 0 &&
		    u->nfamilies < U_MAX_FAMILIES)
			u->families[u->nfamilies++] = d[i].family;
}

static const char *override(const updater *u, const char *family)
{
	int i = family_index(u, family, strlen(family));
	return i >= 0 ? u->base[i] : NULL;
}

static bool selected(const updater *u, const char *family)
{
	int i = family_index(u, family, strlen(family));
	return i >= 0 && u->selected[i];
}

static bool had_data(const updater *u, const char *feed)
{
	for (size_t i = 0; i < u->nprev; i++)
		if (!strcmp(u->prev[i], feed))
			return true;
	return false;
}

static int add_feed(updater *u, const char *name, const char *path_rel, const char *origin)
{
	ld_vdb_feed_kind k;
	ld_vdb_job *j;
	if (ld_vdb_feed_lookup(name, &k))
		return ld_error_set(u->ctx, LADING_EUSAGE, "unknown feed %s", name);
	if (u->n == u->cap) {
		size_t ncap = u->cap ? u->cap * 2 : 16;
		ld_vdb_job *nj = realloc(u->jobs, ncap * sizeof(*nj));
		ufeed *nf;
		if (!nj)
			return ld_error_set(u->ctx, LADING_ENOMEM, "out of memory");
		u->jobs = nj;
		nf = realloc(u->feeds, ncap * sizeof(*nf));
		if (!nf)
			return ld_error_set(u->ctx, LADING_ENOMEM, "out of memory");
		u->feeds = nf;
		u->cap = ncap;
	}
	j = &u->jobs[u->n];
	memset(j, 0, sizeof(*j));
	memset(&u->feeds[u->n], 0, sizeof(u->feeds[u->n]));
	ld_strlcpy(u->feeds[u->n].name, name, sizeof(u->feeds[u->n].name));
	u->feeds[u->n].d = ld_vdb_feed_find(name);
	ld_strlcpy(j->name, name, sizeof(j->name));
	ld_strlcpy(j->family, k.family, sizeof(j->family));
	if (path_rel)
		ld_snprintf(j->path, sizeof(j->path), "%s/%s", u->cache, path_rel);
	ld_http_url_for_log(origin, j->origin, sizeof(j->origin));
	j->fn = k.fn;
	j->action = LD_JOB_IMPORT;
	u->n++;
	return 0;
}

static int add_file(updater *u, const char *rel, const char *url, bool listed)
{
	ufeed *f = &u->feeds[u->n - 1];
	ufile *nf;
	if (f->nfiles >= U_MAX_FILES)
		return ld_error_set(u->ctx, LADING_ELIMIT, "feed %s: more than %u files",
				    u->jobs[u->n - 1].name, U_MAX_FILES);
	nf = realloc(f->files, (f->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return ld_error_set(u->ctx, LADING_ENOMEM, "out of memory");
	f->files = nf;
	ld_strlcpy(nf[f->nfiles].rel, rel, sizeof(nf[f->nfiles].rel));
	ld_strlcpy(nf[f->nfiles].url, url, sizeof(nf[f->nfiles].url));
	nf[f->nfiles].listed = listed;
	f->nfiles++;
	return 0;
}

/* Base URL without a trailing slash. */
static void base_of(const char *url, char *out, size_t outsz)
{
	size_t n;
	ld_strlcpy(out, url, outsz);
	n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = '\0';
}

/* base + "/" + rel, rel percent-encoded except for '/' and the unreserved characters. */
static void url_join(char *out, size_t outsz, const char *base, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o;
	ld_snprintf(out, outsz, "%s/", base);
	o = strlen(out);
	for (const unsigned char *p = (const unsigned char *)rel; *p && o + 4 < outsz; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o < outsz ? o : outsz - 1] = '\0';
}

/* ------------------------------------------------------------------ cache state */

static void cache_path(const updater *u, const char *sub, const char *rel, char *out, size_t outsz)
{
	if (sub)
		ld_snprintf(out, outsz, "%s/%s/%s", u->cache, sub, rel);
	else
		ld_snprintf(out, outsz, "%s/%s", u->cache, rel);
}

static int mkdirs_for(const char *file, lading_ctx *ctx)
{
	char d[4200];
	char *slash;
	ld_strlcpy(d, file, sizeof(d));
	slash = strrchr(d, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(d, 0755) != 0 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	return ld_error_set(ctx, LADING_EIO, "cannot create directory %s: %s", d, strerror(errno));
}

/* Validators of one cached file. The URL is kept as a digest: an override URL may carry
 * credentials, which have no business in the cache. */
typedef struct vstate {
	char url_digest[LD_DIGEST_STR_LEN], etag[256], last_modified[64];
} vstate;

static bool read_state(const updater *u, const char *rel, vstate *s)
{
	char p[4600], buf[U_MAX_STATE];
	FILE *f;
	size_t n;
	ld_slice in, line;
	memset(s, 0, sizeof(*s));
	cache_path(u, ".http", rel, p, sizeof(p));
	if (!(f = fopen(p, "rb")))
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	in = ld_slice_make(buf, n);
	while (ld_slice_next_line(&in, &line)) {
		ld_slice key;
		if (!ld_slice_cut(&line, ' ', &key))
			continue;
		if (ld_slice_eq_cstr(key, "url"))
			ld_slice_copy(s->url_digest, sizeof(s->url_digest), line);
		else if (ld_slice_eq_cstr(key, "etag"))
			ld_slice_copy(s->etag, sizeof(s->etag), line);
		else if (ld_slice_eq_cstr(key, "last-modified"))
			ld_slice_copy(s->last_modified, sizeof(s->last_modified), line);
	}
	return s->url_digest[0] != '\0';
}

static int write_state(const updater *u, const char *rel, const char *url,
		       const ld_http_response *r)
{
	char p[4600], tmp[4700];
	FILE *f;
	int ok;
	cache_path(u, ".http", rel, p, sizeof(p));
	if (mkdirs_for(p, u->ctx))
		return LADING_EIO;
	ld_snprintf(tmp, sizeof(tmp), "%s.new", p);
	if (!(f = fopen(tmp, "wb")))
		return ld_error_set(u->ctx, LADING_EIO, "cannot write %s: %s", tmp,
				    strerror(errno));
	{
		char dg[LD_DIGEST_STR_LEN];
		ld_sha256_buf(url, strlen(url), dg);
		ok = fprintf(f, "url %s\netag %s\nlast-modified %s\n", dg, r->etag,
			     r->last_modified) > 0;
	}
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, p) != 0) {
		unlink(tmp);
		return ld_error_set(u->ctx, LADING_EIO, "cannot write %s", p);
	}
	return 0;
}

static void forget(const updater *u, const char *rel)
{
	char p[4600];
	cache_path(u, ".http", rel, p, sizeof(p));
	unlink(p);
}

static int write_cb(void *opaque, const void *p, size_t n)
{
	FILE *f = opaque;
	return fwrite(p, 1, n, f) == n ? 0 : LADING_EIO;
}

static int reset_cb(void *opaque)
{
	FILE *f = opaque;
	if (fflush(f) != 0 || ftruncate(fileno(f), 0) != 0 || fseek(f, 0, SEEK_SET) != 0)
		return LADING_EIO;
	return 0;
}

/* Fetch one file into the cache. Returns 0 (downloaded or not modified), LADING_ENOTFOUND (404:
 * the caller decides what it means; the cached copy is left alone), or another error (the
 * cached copy is left as it was). */
static int fetch(updater *u, ld_vdb_job *j, const ufile *uf)
{
	char dest[4600], tmp[4700];
	vstate st;
	bool have = false, cond = false;
	struct stat sb;
	ld_http_request rq = {0};
	ld_http_response rs;
	FILE *f;
	int fd, rc;

	cache_path(u, NULL, uf->rel, dest, sizeof(dest));
	have = stat(dest, &sb) == 0 && S_ISREG(sb.st_mode);
	if (have && read_state(u, uf->rel, &st)) {
		char dg[LD_DIGEST_STR_LEN];
		ld_sha256_buf(uf->url, strlen(uf->url), dg);
		cond = !strcmp(st.url_digest, dg);
	}
	ld_snprintf(tmp, sizeof(tmp), "%s/.tmp/dl-XXXXXX", u->cache);
	if ((rc = mkdirs_for(tmp, u->ctx)))
		return rc;
	if ((fd = mkstemp(tmp)) < 0)
		return ld_error_set(u->ctx, LADING_EIO, "cannot create a file in %s/.tmp: %s",
				    u->cache, strerror(errno));
	if (!(f = fdopen(fd, "wb"))) {
		close(fd);
		unlink(tmp);
		return ld_error_set(u->ctx, LADING_EIO, "cannot write %s: %s", tmp,
				    strerror(errno));
	}
	rq.url = uf->url;
	rq.if_none_match = cond && st.etag[0] ? st.etag : NULL;
	rq.if_modified_since = cond && st.last_modified[0] ? st.last_modified : NULL;
	rq.max_bytes = U_MAX_FEED_BYTES;
	rq.write = write_cb;
	rq.reset = reset_cb;
	rq.opaque = f;
	rc = ld_http_get(u->http, &rq, &rs, u->ctx);
	j->retries += rs.attempts > 1 ? rs.attempts - 1 : 0;
	if (fclose(f) != 0 && !rc)
		rc = ld_error_set(u->ctx, LADING_EIO, "cannot write %s: %s", tmp, strerror(errno));
	if (rc) {
		unlink(tmp);
		return rc;
	}
	if (rs.status == 304) {
		unlink(tmp);
		j->not_modified++;
		return 0;
	}
	if ((rc = mkdirs_for(dest, u->ctx))) {
		unlink(tmp);
		return rc;
	}
	/* the validators of the old copy go first: a crash in between costs a full download, never
	 * a 304 for content we do not have */
	forget(u, uf->rel);
	if (rename(tmp, dest) != 0) {
		rc = ld_error_set(u->ctx, LADING_EIO, "cannot rename %s to %s: %s", tmp, dest,
				  strerror(errno));
		unlink(tmp);
		return rc;
	}
	j->downloaded++;
	j->bytes += rs.bytes;
	if (rs.etag[0] || rs.last_modified[0])
		return write_state(u, uf->rel, uf->url, &rs);
	return 0;
}

/* Remove files of a feed's cache directory that its current file list does not name (an OSV
 * ecosystem or NVD file layout that went away). */
static unsigned prune(updater *u, const ufeed *f, const char *dir_rel, const char *sub, int depth)
{
	unsigned removed = 0;
	char d[4600];
	DIR *dh;
	struct dirent *e;
	if (depth > 4)
		return 0;
	ld_snprintf(d, sizeof(d), "%s/%s%s%s", u->cache, dir_rel, sub[0] ? "/" : "", sub);
	if (!(dh = opendir(d)))
		return 0;
	while ((e = readdir(dh))) {
		char rel[1024], p[5200];
		struct stat sb;
		bool keep = false;
		if (e->d_name[0] == '.')
			continue;
		ld_snprintf(rel, sizeof(rel), "%s%s%s/%s", dir_rel, sub[0] ? "/" : "", sub,
			    e->d_name);
		ld_snprintf(p, sizeof(p), "%s/%s", u->cache, rel);
		if (stat(p, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			char nsub[600];
			ld_snprintf(nsub, sizeof(nsub), "%s%s%s", sub, sub[0] ? "/" : "",
				    e->d_name);
			removed += prune(u, f, dir_rel, nsub, depth + 1);
			continue;
		}
		for (size_t i = 0; i < f->nfiles && !keep; i++)
			keep = !strcmp(f->files[i].rel, rel);
		if (!keep) {
			unlink(p);
			forget(u, rel);
			removed++;
		}
	}
	closedir(dh);
	return removed;
}

/* ------------------------------------------------------------------ finding the files */

/* Files found for one line of the feed table, before they are split into feeds. */
typedef struct found {
	ufile *f;
	size_t n;
	lading_ctx *ctx;
	const char *base; /* URL of the feed's directory */
	bool listed;
} found;

static int found_add(void *opaque, const char *rel)
{
	found *c = opaque;
	ufile *nf;
	if (c->n >= U_MAX_FOUND)
		return ld_error_set(c->ctx, LADING_ELIMIT, "%s: more than %u files", c->base,
				    U_MAX_FOUND);
	if (!(nf = realloc(c->f, (c->n + 1) * sizeof(*nf))))
		return ld_error_set(c->ctx, LADING_ENOMEM, "out of memory");
	c->f = nf;
	ld_strlcpy(nf[c->n].rel, rel, sizeof(nf[c->n].rel));
	url_join(nf[c->n].url, sizeof(nf[c->n].url), c->base, rel);
	nf[c->n].listed = c->listed;
	c->n++;
	return 0;
}

/* The listing of url + "/" into *l. LADING_ENOTFOUND when the server serves none there. */
static int get_listing(updater *u, const char *url, ld_listing *l)
{
	char dir[2600];
	ld_buf b;
	ld_http_request rq = {0};
	ld_http_response rs;
	int rc;
	ld_snprintf(dir, sizeof(dir), "%s/", url);
	ld_buf_init(&b, LD_LISTING_MAX_BYTES + 1);
	rq.url = dir;
	rq.body = &b;
	rq.max_bytes = LD_LISTING_MAX_BYTES;
	rc = ld_http_get(u->http, &rq, &rs, u->ctx);
	if (rc == LADING_EAUTH)
		rc = LADING_ENOTFOUND; /* listings turned off (403) */
	if (!rc)
		rc = ld_listing_parse(b.ptr ? b.ptr : "", b.len, l, u->ctx);
	ld_buf_release(&b);
	return rc;
}

/* Walk the listing of `sub` (a path under the feed's directory, "" at the top). */
static int walk(updater *u, const ld_vdb_feed_desc *d, found *c, const char *sub, int depth)
{
	char url[2600];
	ld_listing l;
	int rc;
	if (sub[0])
		url_join(url, sizeof(url), c->base, sub);
	else
		ld_strlcpy(url, c->base, sizeof(url));
	if ((rc = get_listing(u, url, &l)))
		return rc;
	for (size_t i = 0; !rc && i < l.n; i++) {
		char rel[512];
		ld_snprintf(rel, sizeof(rel), "%s%s%s", sub, sub[0] ? "/" : "", l.e[i].name);
		if (!d->want(rel, l.e[i].dir))
			continue;
		if (l.e[i].dir && depth < U_LISTING_DEPTH)
			rc = walk(u, d, c, rel, depth + 1);
		else if (!l.e[i].dir)
			rc = found_add(c, rel);
	}
	ld_listing_release(&l);
	return rc;
}

/* Split the files of a directory line into its feed(s) ("osv/" -> one per subdirectory). */
static int plan_feeds(updater *u, const ld_vdb_feed_desc *d, const found *c)
{
	bool per_sub = d->name[strlen(d->name) - 1] == '/';
	char cur[256] = "";
	int rc = 0;
	for (size_t i = 0; !rc && i < c->n; i++) {
		char unit[256], name[64], path[800], origin[2600], rel[1024];
		size_t n = per_sub ? strcspn(c->f[i].rel, "/") : 0;
		ld_snprintf(unit, sizeof(unit), "%.*s", (int)n, c->f[i].rel);
		if (i == 0 || strcmp(unit, cur)) {
			ld_strlcpy(cur, unit, sizeof(cur));
			ld_snprintf(name, sizeof(name), "%s%s", d->name, unit);
			ld_snprintf(path, sizeof(path), "%s%s%s", d->dir, per_sub ? "/" : "", unit);
			if (per_sub)
				url_join(origin, sizeof(origin), c->base, unit);
			else
				ld_strlcpy(origin, c->base, sizeof(origin));
			if ((rc = add_feed(u, name, path, origin)))
				break;
		}
		ld_snprintf(rel, sizeof(rel), "%s/%s", d->dir, c->f[i].rel);
		rc = add_file(u, rel, c->f[i].url, c->f[i].listed);
	}
	return rc;
}

static int cmp_ufile(const void *a, const void *b)
{
	return strcmp(((const ufile *)a)->rel, ((const ufile *)b)->rel);
}

/* A listing that failed (not one that is not served): the feed(s) of this line cannot be
 * refreshed. */
static int listing_failed(updater *u, const ld_vdb_feed_desc *d, const char *base)
{
	char why[1024];
	int rc;
	ld_snprintf(why, sizeof(why), "directory listing: %s",
		    lading_ctx_error(u->ctx)->msg);
	ld_error_clear(u->ctx);
	if (d->name[strlen(d->name) - 1] == '/') {
		if (u->ndfail < U_MAX_FAMILIES) {
			u->dfail[u->ndfail] = d;
			ld_strlcpy(u->dfail_why[u->ndfail++], why, sizeof(u->dfail_why[0]));
		}
		return 0;
	}
	if ((rc = add_feed(u, d->name, d->dir, base)))
		return rc;
	u->feeds[u->n - 1].fetch_failed = true;
	ld_strlcpy(u->jobs[u->n - 1].why, why, sizeof(u->jobs[u->n - 1].why));
	return 0;
}

/* The feed line's own choice among the files a listing shows (EPSS: the newest daily file
 * alone). Known names are only asked for: which of them exist is not known yet. */
static int pick(updater *u, const ld_vdb_feed_desc *d, found *c)
{
	const char **rels;
	bool *keep;
	size_t o = 0;
	if (!d->pick || !c->n || !c->listed)
		return 0;
	rels = calloc(c->n, sizeof(*rels));
	keep = calloc(c->n, sizeof(*keep));
	if (!rels || !keep) {
		free(rels);
		free(keep);
		return ld_error_set(u->ctx, LADING_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->n; i++) {
		rels[i] = c->f[i].rel;
		keep[i] = true;
	}
	d->pick(rels, c->n, keep);
	for (size_t i = 0; i < c->n; i++)
		if (keep[i])
			c->f[o++] = c->f[i];
	c->n = o;
	free(rels);
	free(keep);
	return 0;
}

/* No feed of the line holds more than U_MAX_FILES files (LADING_ELIMIT: the line fails alone). */
static int check_sizes(updater *u, const ld_vdb_feed_desc *d, const found *c)
{
	bool per_sub = d->name[strlen(d->name) - 1] == '/';
	size_t run = 0, prev_n = 0;
	for (size_t i = 0; i < c->n; i++) {
		/* files arrive sorted: one feed's files are one run */
		size_t n = per_sub ? strcspn(c->f[i].rel, "/") : 0;
		bool same = i && n == prev_n && !strncmp(c->f[i].rel, c->f[i - 1].rel, n);
		prev_n = n;
		run = same ? run + 1 : 1;
		if (run > U_MAX_FILES)
			return ld_error_set(u->ctx, LADING_ELIMIT, "%s: more than %u files of one feed",
					    c->base, U_MAX_FILES);
	}
	return 0;
}

/* A directory feed: from the mirror's listing, else by known names. */
static int plan_dir(updater *u, const ld_vdb_feed_desc *d, const char *ov)
{
	char base[2048];
	found c = {NULL, 0, u->ctx, base, false};
	int rc = LADING_ENOTFOUND;
	base_of(ov ? ov : d->upstream, base, sizeof(base));
	if (ov) {
		c.listed = true;
		rc = walk(u, d, &c, "", 0);
		if (rc && rc != LADING_ENOTFOUND && rc != LADING_ENOMEM) {
			free(c.f);
			return listing_failed(u, d, base);
		}
		ld_error_clear(u->ctx);
	}
	if (rc == LADING_ENOMEM) {
		free(c.f);
		return rc;
	}
	if (c.n == 0) { /* no listing, or nothing of this feed in it: ask for the known names */
		c.listed = false;
		if ((rc = d->known(found_add, &c, !ov))) {
			free(c.f);
			return rc;
		}
	}
	if (c.n)
		qsort(c.f, c.n, sizeof(*c.f), cmp_ufile);
	if ((rc = pick(u, d, &c)) || (rc = check_sizes(u, d, &c))) {
		free(c.f);
		return rc == LADING_ELIMIT ? listing_failed(u, d, base) : rc;
	}
	rc = plan_feeds(u, d, &c);
	free(c.f);
	return rc;
}

/* A one-file feed: upstream its URL; on a mirror the first of its accepted names found. */
static int plan_file(updater *u, const ld_vdb_feed_desc *d, const char *ov)
{
	char base[2048], name[256], rel[512], url[2600];
	const char *p = d->files;
	size_t n = strcspn(p, "|");
	int rc;
	ld_snprintf(name, sizeof(name), "%.*s", (int)n, p);
	ld_snprintf(rel, sizeof(rel), "%s/%s", d->dir, name);
	if (!ov) {
		if ((rc = add_feed(u, d->name, NULL, d->upstream)))
			return rc;
		return add_file(u, rel, d->upstream, false);
	}
	base_of(ov, base, sizeof(base));
	url_join(url, sizeof(url), base, name);
	if ((rc = add_feed(u, d->name, NULL, url)))
		return rc;
	u->feeds[u->n - 1].alternatives = true;
	while (*p) {
		n = strcspn(p, "|");
		ld_snprintf(name, sizeof(name), "%.*s", (int)n, p);
		ld_snprintf(rel, sizeof(rel), "%s/%s", d->dir, name);
		url_join(url, sizeof(url), base, name);
		if ((rc = add_file(u, rel, url, false)))
			return rc;
		p += n + (p[n] == '|');
	}
	return 0;
}

static int plan(updater *u)
{
	size_t nd;
	const ld_vdb_feed_desc *d = ld_vdb_feed_descs(&nd);
	int rc = 0;
	for (size_t i = 0; !rc && i < nd; i++) {
		if (!selected(u, d[i].family))
			continue;
		rc = d[i].files ? plan_file(u, &d[i], override(u, d[i].family))
				: plan_dir(u, &d[i], override(u, d[i].family));
	}
	return rc;
}

/* ------------------------------------------------------------------ fetching, deciding */

/* A 404 for a file: missing (a name probed that is not published), or a failure (the listing
 * named it, or the feed had data and this file was part of it). */
static int not_found(updater *u, size_t i, const ufile *uf)
{
	ufeed *f = &u->feeds[i];
	ld_vdb_job *j = &u->jobs[i];
	char dest[4600];
	struct stat sb;
	bool had;
	cache_path(u, NULL, uf->rel, dest, sizeof(dest));
	had = stat(dest, &sb) == 0 && S_ISREG(sb.st_mode);
	if (uf->listed || (had && had_data(u, j->name))) {
		f->fetch_failed = true;
		ld_snprintf(j->why, sizeof(j->why), "%s%s", lading_ctx_error(u->ctx)->msg,
			    uf->listed ? ", though the directory listing names it"
				       : ", though it was published before");
		ld_error_clear(u->ctx);
		return 0;
	}
	ld_error_clear(u->ctx);
	if (had) {
		unlink(dest);
		forget(u, uf->rel);
		f->removed++;
	}
	j->missing++;
	return 0;
}

/* Download the files of feed i. < 0 only for failures of our own disk or memory. */
static int fetch_feed(updater *u, size_t i)
{
	ld_vdb_job *j = &u->jobs[i];
	ufeed *f = &u->feeds[i];
	for (size_t k = 0; k < f->nfiles && !f->fetch_failed; k++) {
		int rc;
		if (f->alternatives && f->found)
			break;
		ld_progress(u->ctx, "download", i, u->n, j->bytes, 0);
		rc = fetch(u, j, &f->files[k]);
		if (rc == LADING_ENOTFOUND) {
			if ((rc = not_found(u, i, &f->files[k])))
				return rc;
			continue;
		}
		if (rc == LADING_EIO || rc == LADING_ENOMEM)
			return rc; /* our disk or memory, not the network: stop */
		if (rc) {
			f->fetch_failed = true;
			ld_strlcpy(j->why, lading_ctx_error(u->ctx)->msg, sizeof(j->why));
			ld_error_clear(u->ctx);
			break;
		}
		f->found++;
		ld_strlcpy(f->found_rel, f->files[k].rel, sizeof(f->found_rel));
	}
	return 0;
}

/* What to do with feed i once its files are fetched. */
static void decide(updater *u, size_t i)
{
	ld_vdb_job *j = &u->jobs[i];
	ufeed *f = &u->feeds[i];
	bool prev = had_data(u, j->name);
	struct stat sb;
	if (f->fetch_failed) {
		j->action = LD_JOB_CARRY;
		j->stale = true;
		return;
	}
	if (!f->found) {
		if (prev) {
			j->action = LD_JOB_CARRY;
			j->stale = true;
			ld_snprintf(j->why, sizeof(j->why),
				    "no longer published at %s (HTTP 404 for every file)", j->origin);
		} else {
			j->action = LD_JOB_ABSENT;
			ld_snprintf(j->why, sizeof(j->why), "not published at %s (HTTP 404)",
				    j->origin);
		}
		return;
	}
	if (f->d && f->d->files) /* a one-file feed: the file found */
		ld_snprintf(j->path, sizeof(j->path), "%s/%s", u->cache, f->found_rel);
	else if (strlen(j->path) > strlen(u->cache)) /* a directory feed drops files gone */
		f->removed += prune(u, f, j->path + strlen(u->cache) + 1, "", 0);
	if (prev && !j->downloaded && !f->removed) {
		j->action = LD_JOB_KEEP;
		ld_strlcpy(j->why, "not modified since it was imported", sizeof(j->why));
		return;
	}
	for (size_t k = 0; k < f->nfiles; k++) {
		char p[4600];
		cache_path(u, NULL, f->files[k].rel, p, sizeof(p));
		if (stat(p, &sb) == 0)
			j->cost += (uint64_t)sb.st_size;
	}
}

/* Feeds of the previous database this update does not fetch: carried over; stale when their
 * source was to be refreshed (its listing failed, or no longer names them). */
static int add_prev_feeds(updater *u)
{
	for (size_t i = 0; i < u->nprev; i++) {
		const ld_vdb_feed_desc *d = ld_vdb_feed_find(u->prev[i]);
		ld_vdb_job *j;
		bool have = false;
		int rc;
		for (size_t m = 0; m < u->n && !have; m++)
			have = !strcmp(u->jobs[m].name, u->prev[i]);
		if (have || !d)
			continue;
		if ((rc = add_feed(u, u->prev[i], NULL, "")))
			return rc;
		j = &u->jobs[u->n - 1];
		j->action = LD_JOB_CARRY;
		if (!selected(u, d->family)) {
			ld_strlcpy(j->why, "not updated (--source names other sources)",
				   sizeof(j->why));
			continue;
		}
		j->stale = true;
		ld_snprintf(j->why, sizeof(j->why), "not found at %s",
			    override(u, d->family) ? override(u, d->family) : d->upstream);
		for (size_t k = 0; k < u->ndfail; k++)
			if (u->dfail[k] == d)
				ld_strlcpy(j->why, u->dfail_why[k], sizeof(j->why));
	}
	return 0;
}

/* A feed that was not imported from what was downloaded: forget its validators, so that the
 * next update downloads it whole again instead of trusting a copy its rows do not come from. */
static void forget_unimported(updater *u, const lading_db_report *r)
{
	for (size_t i = 0; i < r->nfeeds; i++) {
		const lading_db_feed_report *fr = &r->feeds[i];
		if (!strcmp(fr->status, "ok") || !strcmp(fr->status, "absent"))
			continue;
		for (size_t m = 0; m < u->n; m++) {
			if (strcmp(u->feeds[m].name, fr->name))
				continue;
			for (size_t k = 0; k < u->feeds[m].nfiles; k++)
				forget(u, u->feeds[m].files[k].rel);
		}
	}
}

static int parse_sources(updater *u)
{
	const lading_db_options *o = u->opts;
	if (!o->nsources) {
		for (size_t i = 0; i < u->nfamilies; i++)
			u->selected[i] = true;
		return 0;
	}
	for (size_t i = 0; i < o->nsources; i++) {
		const char *s = o->sources[i], *eq = s ? strchr(s, '=') : NULL;
		size_t len = eq ? (size_t)(eq - s) : (s ? strlen(s) : 0);
		int k = s ? family_index(u, s, len) : -1;
		if (k < 0)
			return ld_error_set(u->ctx, LADING_EUSAGE,
					    "unknown source '%.*s' (sources: osv, alpine-secdb, "
					    "debian, kev, epss, nvd)",
					    (int)len, s ? s : "");
		u->selected[k] = true;
		if (eq) {
			if (strncmp(eq + 1, "http://", 7) && strncmp(eq + 1, "https://", 8))
				return ld_error_set(
					u->ctx, LADING_EUSAGE,
					"--source %.*s: the URL must be http:// or https://",
					(int)len, s);
			u->base[k] = eq + 1;
		}
	}
	return 0;
}

/* The cache directory and its .tmp/, emptied of a killed update's leftovers. */
static int prepare_cache(updater *u)
{
	char t[4200];
	DIR *d;
	struct dirent *e;
	int rc;
	ld_snprintf(t, sizeof(t), "%s/.tmp/x", u->cache);
	if ((rc = mkdirs_for(t, u->ctx)))
		return rc;
	ld_snprintf(t, sizeof(t), "%s/.tmp", u->cache);
	d = opendir(t);
	while (d && (e = readdir(d))) {
		char p[4600];
		if (e->d_name[0] == '.')
			continue;
		ld_snprintf(p, sizeof(p), "%s/%s", t, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	return 0;
}

static int open_http(updater *u)
{
	const lading_db_options *o = u->opts;
	ld_http_options ho = {0};
	ho.connect_timeout_ms = (long)(o->connect_timeout_s ? o->connect_timeout_s : 30) * 1000L;
	ho.read_timeout_ms = (long)(o->read_timeout_s ? o->read_timeout_s : 60) * 1000L;
	ho.retries = o->retries >= 0 ? (unsigned)o->retries : U_DEFAULT_RETRIES;
	return ld_http_new(&u->http, &ho, u->ctx);
}

int lading_db_update(const lading_db_options *opts, lading_db_report **out, lading_ctx *ctx)
{
	updater u;
	char db[4096];
	double t0 = ld_vdb_now();
	ld_arena a;
	int rc, lock = -1;

	*out = NULL;
	memset(&u, 0, sizeof(u));
	u.opts = opts;
	u.ctx = ctx;
	ld_arena_init(&a, 0);
	if (!opts || opts->version != LADING_DB_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "lading_db_update: options of another version");
	init_families(&u);
	if ((rc = parse_sources(&u)))
		return rc;
	if ((rc = ld_vdb_resolve_db_path(opts, db, sizeof(db), ctx)))
		return rc;
	if (opts->cache_dir && *opts->cache_dir)
		ld_strlcpy(u.cache, opts->cache_dir, sizeof(u.cache));
	else
		ld_snprintf(u.cache, sizeof(u.cache), "%s.feeds", db);
	if ((rc = ld_vdb_lock(db, &lock, ctx)))
		return rc;
	ld_vdb_prev_feeds(db, &a, &u.prev, &u.nprev);
	if ((rc = prepare_cache(&u)) || (rc = open_http(&u)) || (rc = plan(&u)))
		goto out;
	for (size_t i = 0; i < u.n; i++) {
		if (!u.feeds[i].fetch_failed && (rc = fetch_feed(&u, i)))
			goto out;
		decide(&u, i);
	}
	if ((rc = add_prev_feeds(&u)))
		goto out;
	rc = ld_vdb_build_run(u.jobs, u.n, db, opts->threads, t0, out, ctx);
	if (!rc)
		forget_unimported(&u, *out);
out:
	ld_http_free(u.http);
	for (size_t i = 0; i < u.n; i++)
		free(u.feeds[i].files);
	free(u.feeds);
	free(u.jobs);
	ld_arena_release(&a);
	ld_vdb_unlock(lock);
	return rc;
}

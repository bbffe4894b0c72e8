/* `lading db update`: download the feeds from their upstream URLs into a cache laid out like the
 * mirror (<db>.feeds/ by default), with conditional requests against the copies already there,
 * then build from the cache (builder.c). A feed whose download fails is not imported from a
 * possibly mixed cache: its rows are carried over from the previous database.
 *
 * Cache layout: the mirror layout (osv/<Ecosystem>/all.zip, alpine-secdb/v3.X/main.json, ...);
 * .http/<same path> holds each file's URL, ETag and Last-Modified; .tmp/ holds downloads in
 * progress (a killed update leaves at most a stale file there, removed by the next one). A file
 * is renamed into place complete, and its validators are written after it, so a validator never
 * describes content we do not have. */
#include <dirent.h>
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/http.h"
#include "lading/vulndb.h"
#include "vulndb/builder.h"
#include "vulndb/vdb.h"

/* Named limits. */
#define U_MAX_FILES 128u		     /* files of one feed */
#define U_MAX_FEED_BYTES ((uint64_t)8 << 30) /* one downloaded file */
#define U_MAX_STATE 8192		     /* bytes of one .http state file */
#define U_DEFAULT_RETRIES 3u

/* Upstream locations (../shared/README.md lists them). */
#define OSV_BASE "https://osv-vulnerabilities.storage.googleapis.com"
#define SECDB_BASE "https://secdb.alpinelinux.org"
#define DEBIAN_DSA_URL                                                                             \
	"https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/"   \
	"list"
#define DEBIAN_DLA_URL                                                                             \
	"https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/"   \
	"list"
#define DEBIAN_TRACKER_URL "https://security-tracker.debian.org/tracker/data/json"
#define KEV_URL                                                                                    \
	"https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
#define EPSS_URL "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
#define NVD_BASE "https://nvd.nist.gov/feeds/json/cve/2.0"

/* The OSV ecosystems fetched by default: those lading has catalogers or comparators for. */
static const char *const osv_ecosystems[] = {"AlmaLinux", "Bitnami",  "Go",	   "Maven",
					     "npm",	  "NuGet",    "Packagist", "PyPI",
					     "RubyGems",  "crates.io"};
static const char *const families[] = {"osv", "alpine-secdb", "debian", "kev", "epss", "nvd"};

typedef struct ufile {
	char rel[512]; /* path in the cache */
	char url[2048];
} ufile;

typedef struct ufeed {
	char name[64]; /* the job's name (jobs get reordered by the build) */
	ufile *files;
	size_t nfiles;
	bool fetch_failed;
} ufeed;

typedef struct updater {
	const lading_db_options *opts;
	char cache[4096];
	const char *base[LD_ARRAY_LEN(families)]; /* override URL per family, or NULL */
	bool selected[LD_ARRAY_LEN(families)];
	ld_vdb_job *jobs;
	ufeed *feeds;
	size_t n, cap;
	ld_http *http;
	lading_ctx *ctx;
} updater;

static int family_index(const char *name, size_t len)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(families); i++)
		if (strlen(families[i]) == len && !strncmp(families[i], name, len))
			return (int)i;
	return -1;
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

static int add_file(updater *u, const char *rel, const char *url)
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
 * the cached copy is removed), or another error (the cached copy is left as it was). */
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
	if (rc == LADING_ENOTFOUND) {
		unlink(tmp);
		unlink(dest);
		forget(u, uf->rel);
		j->missing++;
		return rc;
	}
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
static void prune(updater *u, const ufeed *f, const char *dir_rel, const char *sub, int depth)
{
	char d[4600];
	DIR *dh;
	struct dirent *e;
	if (depth > 4)
		return;
	ld_snprintf(d, sizeof(d), "%s/%s%s%s", u->cache, dir_rel, sub[0] ? "/" : "", sub);
	if (!(dh = opendir(d)))
		return;
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
			prune(u, f, dir_rel, nsub, depth + 1);
			continue;
		}
		for (size_t i = 0; i < f->nfiles && !keep; i++)
			keep = !strcmp(f->files[i].rel, rel);
		if (!keep) {
			unlink(p);
			forget(u, rel);
		}
	}
	closedir(dh);
}

/* ------------------------------------------------------------------ the feed list */

static const char * override(const updater *u, const char *family)
{
	int i = family_index(family, strlen(family));
	return i >= 0 ? u->base[i] : NULL;
}

static bool selected(const updater *u, const char *family)
{
	int i = family_index(family, strlen(family));
	return i >= 0 && u->selected[i];
}

static int plan_osv(updater *u)
{
	const char *ov = override(u, "osv");
	char base[2048];
	int rc;
	base_of(ov ? ov : OSV_BASE, base, sizeof(base));
	for (size_t i = 0; i < LD_ARRAY_LEN(osv_ecosystems); i++) {
		char name[64], rel[512], url[2600];
		ld_snprintf(name, sizeof(name), "osv/%s", osv_ecosystems[i]);
		ld_snprintf(rel, sizeof(rel), "osv/%s", osv_ecosystems[i]);
		ld_snprintf(url, sizeof(url), "%s/%s/all.zip", base, osv_ecosystems[i]);
		if ((rc = add_feed(u, name, rel, url)))
			return rc;
		ld_snprintf(rel, sizeof(rel), "osv/%s/all.zip", osv_ecosystems[i]);
		if ((rc = add_file(u, rel, url)))
			return rc;
	}
	return 0;
}

static int plan_secdb(updater *u)
{
	const char *ov = override(u, "alpine-secdb");
	char base[2048];
	int rc;
	base_of(ov ? ov : SECDB_BASE, base, sizeof(base));
	if ((rc = add_feed(u, "alpine-secdb", "alpine-secdb", base)))
		return rc;
	/* releases v3.2 .. v3.24 and edge; ones not published (yet, or any more) answer 404 */
	for (int minor = 2; minor <= 25; minor++) {
		static const char *const repos[] = {"main", "community"};
		for (size_t r = 0; r < 2; r++) {
			char rel[512], url[2600], br[16];
			if (minor == 25)
				ld_strlcpy(br, "edge", sizeof(br));
			else
				ld_snprintf(br, sizeof(br), "v3.%d", minor);
			ld_snprintf(rel, sizeof(rel), "alpine-secdb/%s/%s.json", br, repos[r]);
			ld_snprintf(url, sizeof(url), "%s/%s/%s.json", base, br, repos[r]);
			if ((rc = add_file(u, rel, url)))
				return rc;
		}
	}
	return 0;
}

/* A feed of one file `rel`; the job imports `job_rel` (the file or its directory). */
static int plan_one(updater *u, const char *feed, const char *family, const char *job_rel,
		    const char *rel, const char *def_url, const char *file)
{
	const char *ov = override(u, family);
	char url[2600], base[2048];
	int rc;
	if (ov) {
		base_of(ov, base, sizeof(base));
		ld_snprintf(url, sizeof(url), "%s/%s", base, file);
	} else {
		ld_strlcpy(url, def_url, sizeof(url));
	}
	if ((rc = add_feed(u, feed, job_rel, url)))
		return rc;
	return add_file(u, rel, url);
}

/* NVD: the JSON 2.0 yearly feeds upstream; an override may serve either layout, told apart by
 * which "modified" .meta file exists. */
static int plan_nvd(updater *u)
{
	const char *ov = override(u, "nvd");
	char base[2048];
	const char *flavor = "2.0";
	time_t now = time(NULL);
	struct tm tm;
	int rc, last;

	base_of(ov ? ov : NVD_BASE, base, sizeof(base));
	if (ov) {
		char url[2600];
		ld_buf b;
		ld_http_request rq = {0};
		ld_http_response rs;
		ld_buf_init(&b, 1 << 16);
		ld_snprintf(url, sizeof(url), "%s/nvdcve-2.0-modified.meta", base);
		rq.url = url;
		rq.body = &b;
		rq.max_bytes = 1 << 15;
		if (ld_http_get(u->http, &rq, &rs, u->ctx) == LADING_ENOTFOUND)
			flavor = "1.1";
		ld_error_clear(u->ctx);
		ld_buf_release(&b);
	}
	if ((rc = add_feed(u, "nvd", "nvd", base)))
		return rc;
	gmtime_r(&now, &tm);
	last = tm.tm_year + 1900;
	for (int y = 2002; y <= last + 1; y++) {
		char stem[64];
		if (y == last + 1)
			ld_snprintf(stem, sizeof(stem), "nvdcve-%s-modified", flavor);
		else
			ld_snprintf(stem, sizeof(stem), "nvdcve-%s-%d", flavor, y);
		for (int m = 0; m < 2; m++) {
			char rel[512], url[2600];
			ld_snprintf(rel, sizeof(rel), "nvd/%s.%s", stem, m ? "meta" : "json.gz");
			ld_snprintf(url, sizeof(url), "%s/%s.%s", base, stem,
				    m ? "meta" : "json.gz");
			if ((rc = add_file(u, rel, url)))
				return rc;
		}
	}
	{
		char rel[512], url[2600];
		for (int m = 0; m < 2; m++) {
			ld_snprintf(rel, sizeof(rel), "nvd/nvdcve-%s-recent.%s", flavor,
				    m ? "meta" : "json.gz");
			ld_snprintf(url, sizeof(url), "%s/nvdcve-%s-recent.%s", base, flavor,
				    m ? "meta" : "json.gz");
			if ((rc = add_file(u, rel, url)))
				return rc;
		}
	}
	return 0;
}

static int plan(updater *u)
{
	int rc = 0;
	if (selected(u, "osv") && (rc = plan_osv(u)))
		return rc;
	if (selected(u, "alpine-secdb") && (rc = plan_secdb(u)))
		return rc;
	if (selected(u, "debian")) {
		ld_vdb_feed_kind k;
		if ((rc = plan_one(u, "debian-dsa", "debian", "debian/DSA.list", "debian/DSA.list",
				   DEBIAN_DSA_URL, "DSA.list")) ||
		    (rc = plan_one(u, "debian-dla", "debian", "debian/DLA.list", "debian/DLA.list",
				   DEBIAN_DLA_URL, "DLA.list")))
			return rc;
		/* the tracker export is big: fetched only when this build can import it */
		if (!ld_vdb_feed_lookup("debian-tracker", &k) && k.fn &&
		    (rc = plan_one(u, "debian-tracker", "debian", "debian/tracker.json",
				   "debian/tracker.json", DEBIAN_TRACKER_URL, "tracker.json")))
			return rc;
	}
	if (selected(u, "kev") &&
	    (rc = plan_one(u, "kev", "kev", "kev", "kev/known_exploited_vulnerabilities.json",
			   KEV_URL, "known_exploited_vulnerabilities.json")))
		return rc;
	if (selected(u, "epss") &&
	    (rc = plan_one(u, "epss", "epss", "epss", "epss/epss_scores-current.csv.gz", EPSS_URL,
			   "epss_scores-current.csv.gz")))
		return rc;
	if (selected(u, "nvd") && (rc = plan_nvd(u)))
		return rc;
	return 0;
}

static int parse_sources(updater *u)
{
	const lading_db_options *o = u->opts;
	if (!o->nsources) {
		for (size_t i = 0; i < LD_ARRAY_LEN(families); i++)
			u->selected[i] = true;
		return 0;
	}
	for (size_t i = 0; i < o->nsources; i++) {
		const char *s = o->sources[i], *eq = s ? strchr(s, '=') : NULL;
		size_t len = eq ? (size_t)(eq - s) : (s ? strlen(s) : 0);
		int k = s ? family_index(s, len) : -1;
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

int lading_db_update(const lading_db_options *opts, lading_db_report **out, lading_ctx *ctx)
{
	updater u;
	char db[4096];
	ld_http_options ho = {0};
	double t0 = ld_vdb_now();
	ld_arena a;
	const char **prev_names = NULL;
	size_t nprev = 0;
	int rc, lock = -1;

	*out = NULL;
	memset(&u, 0, sizeof(u));
	u.opts = opts;
	u.ctx = ctx;
	ld_arena_init(&a, 0);
	if (!opts || opts->version != LADING_DB_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "lading_db_update: options of another version");
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
	{
		char t[4200];
		ld_snprintf(t, sizeof(t), "%s/.tmp/x", u.cache);
		if ((rc = mkdirs_for(t, ctx)))
			goto out;
		/* leftovers of a killed update */
		ld_snprintf(t, sizeof(t), "%s/.tmp", u.cache);
		{
			DIR *d = opendir(t);
			struct dirent *e;
			while (d && (e = readdir(d))) {
				char p[4600];
				if (e->d_name[0] == '.')
					continue;
				ld_snprintf(p, sizeof(p), "%s/%s", t, e->d_name);
				unlink(p);
			}
			if (d)
				closedir(d);
		}
	}
	ho.connect_timeout_ms =
		(long)(opts->connect_timeout_s ? opts->connect_timeout_s : 30) * 1000L;
	ho.read_timeout_ms = (long)(opts->read_timeout_s ? opts->read_timeout_s : 60) * 1000L;
	ho.retries = opts->retries >= 0 ? (unsigned)opts->retries : U_DEFAULT_RETRIES;
	if ((rc = ld_http_new(&u.http, &ho, ctx)))
		goto out;
	if ((rc = plan(&u)))
		goto out;

	/* download */
	for (size_t i = 0; i < u.n; i++) {
		ld_vdb_job *j = &u.jobs[i];
		ufeed *f = &u.feeds[i];
		if (!j->fn) {
			/* no importer in this build: nothing to fetch it for */
			j->action = LD_JOB_CARRY;
			ld_snprintf(j->why, sizeof(j->why),
				    "%s: this build of lading has no importer for it", j->name);
			continue;
		}
		for (size_t k = 0; k < f->nfiles; k++) {
			ld_progress(ctx, "download", i, u.n, j->bytes, 0);
			rc = fetch(&u, j, &f->files[k]);
			if (rc == LADING_ENOTFOUND) {
				ld_error_clear(ctx);
				continue;
			}
			if (rc == LADING_EIO || rc == LADING_ENOMEM)
				goto out; /* our disk or memory, not the network: stop */
			if (rc) {
				f->fetch_failed = true;
				ld_strlcpy(j->why, lading_ctx_error(ctx)->msg, sizeof(j->why));
				ld_error_clear(ctx);
				rc = 0;
				break;
			}
		}
		if (f->fetch_failed) {
			j->action = LD_JOB_CARRY;
		} else if (j->missing == f->nfiles) {
			j->action = LD_JOB_ABSENT;
			ld_snprintf(j->why, sizeof(j->why), "not published at %s (HTTP 404)",
				    j->origin);
		} else {
			struct stat sb;
			/* feeds owning a directory drop files that are no longer published */
			if (strcmp(j->family, "debian"))
				prune(&u, f, j->path + strlen(u.cache) + 1, "", 0);
			for (size_t k = 0; k < f->nfiles; k++) {
				char p[4600];
				cache_path(&u, NULL, f->files[k].rel, p, sizeof(p));
				if (stat(p, &sb) == 0)
					j->cost += (uint64_t)sb.st_size;
			}
		}
	}
	rc = 0;

	/* feeds of the previous database that this update does not fetch are kept */
	ld_vdb_prev_feeds(db, &a, &prev_names, &nprev);
	for (size_t i = 0; i < nprev; i++) {
		ld_vdb_feed_kind k;
		bool have = false;
		if (ld_vdb_feed_lookup(prev_names[i], &k) || selected(&u, k.family))
			continue;
		for (size_t m = 0; m < u.n && !have; m++)
			have = !strcmp(u.jobs[m].name, prev_names[i]);
		if (have)
			continue;
		if ((rc = add_feed(&u, prev_names[i], NULL, "")))
			goto out;
		u.jobs[u.n - 1].action = LD_JOB_CARRY;
		ld_snprintf(u.jobs[u.n - 1].why, sizeof(u.jobs[u.n - 1].why),
			    "not updated (--source names other sources)");
	}

	rc = ld_vdb_build_run(u.jobs, u.n, db, opts->threads, t0, out, ctx);
	/* a feed that downloaded but did not import: forget its validators so the next update
	 * downloads it again instead of trusting a possibly damaged copy */
	if (!rc) {
		for (size_t i = 0; i < (*out)->nfeeds; i++) {
			const lading_db_feed_report *fr = &(*out)->feeds[i];
			if (strcmp(fr->status, "ok") && strcmp(fr->status, "absent")) {
				for (size_t m = 0; m < u.n; m++) {
					if (strcmp(u.feeds[m].name, fr->name) ||
					    u.feeds[m].fetch_failed)
						continue;
					for (size_t k = 0; k < u.feeds[m].nfiles; k++)
						forget(&u, u.feeds[m].files[k].rel);
				}
			}
		}
	}
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

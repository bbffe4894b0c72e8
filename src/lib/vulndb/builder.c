/* `lading db build`: feeds from a mirror directory into a new database file that replaces the
 * old one atomically (temp file beside the target, fsync, rename, fsync of the directory).
 * Feeds are imported by up to `threads` workers, biggest first; their parsing runs in parallel and
 * their row writes are serialized by the store (writer.c). A feed that fails is removed from the
 * new file and, when the previous database has it, carried over from there. */
#include <dirent.h>
#include <math.h>
#include <sys/file.h>
#include <time.h>

#include "util/common.h"
#include "util/jsonw.h"
#include "util/path.h"
#include "lading/vulndb.h"
#include "vulndb/builder.h"
#include "vulndb/importers.h"
#include "vulndb/osv.h"
#include "vulndb/query.h"
#include "vulndb/vdb.h"

#define B_MAX_THREADS 2u /* SQLite writes are serialized: more parsers than this do not help */
#define B_MAX_FEEDS 512u /* feeds in one build (osv/<Ecosystem> directories included) */

double ld_vdb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ paths, lock */

int lading_db_default_path(char *out, size_t outsz)
{
	return ld_user_path(out, outsz, "LADING_DB", "XDG_CACHE_HOME", ".cache", "db.sqlite", 0);
}

static int mkdir_p(char *path, lading_ctx *ctx)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			int e = errno;
			*p = '/';
			return ld_error_set(ctx, LADING_EIO, "cannot create directory %s: %s", path,
					    strerror(e));
		}
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return ld_error_set(ctx, LADING_EIO, "cannot create directory %s: %s", path,
				    strerror(errno));
	return 0;
}

int ld_vdb_resolve_db_path(const lading_db_options *opts, char *out, size_t outsz, lading_ctx *ctx)
{
	char dir[4096];
	char *slash;
	int rc;
	if (opts && opts->db_path && *opts->db_path) {
		if (strlen(opts->db_path) >= outsz)
			return ld_error_set(ctx, LADING_ELIMIT, "database path too long");
		ld_strlcpy(out, opts->db_path, outsz);
	} else if ((rc = lading_db_default_path(out, outsz))) {
		return ld_error_set(
			ctx, rc == LADING_ELIMIT ? LADING_ELIMIT : LADING_EUSAGE,
			"no database path: set --db, LADING_DB, XDG_CACHE_HOME or HOME");
	}
	ld_strlcpy(dir, out, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		return mkdir_p(dir, ctx);
	}
	return 0;
}

int ld_vdb_lock(const char *db_path, int *fd, lading_ctx *ctx)
{
	char p[4200];
	ld_snprintf(p, sizeof(p), "%s.lock", db_path);
	*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0)
		return ld_error_set(ctx, LADING_EIO, "cannot create %s: %s", p, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return ld_error_set(ctx, LADING_EIO,
					    "another 'lading db build/update' is writing %s",
					    db_path);
		return ld_error_set(ctx, LADING_EIO, "cannot lock %s: %s", p, strerror(e));
	}
	return 0;
}

void ld_vdb_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* Temporary files of builds that were killed (we hold the lock, so none is in use). */
static void remove_stale_temps(const char *db_path)
{
	char dir[4096], prefix[512];
	const char *base = strrchr(db_path, '/');
	DIR *d;
	struct dirent *e;
	if (base) {
		ld_snprintf(dir, sizeof(dir), "%.*s", (int)(base - db_path), db_path);
		if (!dir[0])
			ld_strlcpy(dir, "/", sizeof(dir));
		base++;
	} else {
		ld_strlcpy(dir, ".", sizeof(dir));
		base = db_path;
	}
	ld_snprintf(prefix, sizeof(prefix), "%s.tmp-", base);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char p[4600];
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		ld_snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

static int fsync_path(const char *path, bool dir, lading_ctx *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	int rc = 0;
	if (fd < 0)
		return ld_error_set(ctx, LADING_EIO, "cannot open %s: %s", path, strerror(errno));
	if (fsync(fd) != 0 && !(dir && (errno == EINVAL || errno == EROFS)))
		rc = ld_error_set(ctx, LADING_EIO, "cannot flush %s to disk: %s", path,
				  strerror(errno));
	close(fd);
	return rc;
}

int ld_vdb_prev_feeds(const char *path, ld_arena *a, const char ***names, size_t *n)
{
	lading_ctx *tmp;
	ld_vdb *db = NULL;
	ld_vdb_q_meta *m;
	const char **arr;
	*names = NULL;
	*n = 0;
	if (lading_ctx_new(&tmp))
		return LADING_ENOMEM;
	if (ld_vdb_open(&db, path, tmp) || ld_vdb_meta_get(db, a, &m, tmp)) {
		ld_vdb_close(db);
		lading_ctx_free(tmp);
		return 0; /* no usable previous database: nothing to carry */
	}
	arr = m->nfeeds ? ld_arena_array(a, m->nfeeds, sizeof(*arr)) : NULL;
	for (size_t i = 0; arr && i < m->nfeeds; i++)
		if (m->feeds[i].name && m->feeds[i].status && strcmp(m->feeds[i].status, "failed"))
			arr[(*n)++] = m->feeds[i].name;
	*names = arr;
	ld_vdb_close(db);
	lading_ctx_free(tmp);
	return 0;
}

/* ------------------------------------------------------------------ the build */

typedef struct run {
	ld_vdb_store *st;
	ld_vdb_job *jobs;
	size_t njobs, next, done;
	pthread_mutex_t lock;
	lading_ctx *ctx;
	int fatal; /* a failure of the store itself */
	uint64_t total_cost, done_cost;
} run;

static void import_one(run *r, ld_vdb_job *j)
{
	lading_ctx child;
	ld_vdb_writer *w = NULL;
	int rc;

	ld_ctx_init_child(&child, r->ctx);
	memset(&j->res, 0, sizeof(j->res));
	rc = ld_vdb_store_feed_begin(r->st, j->name, j->origin[0] ? j->origin : j->path, &w);
	if (rc) {
		ld_ctx_adopt_error(r->ctx, &child);
		pthread_mutex_lock(&r->lock);
		if (!r->fatal)
			r->fatal = rc;
		pthread_mutex_unlock(&r->lock);
		ld_ctx_release_child(&child);
		return;
	}
	ld_vdb_writer_set_ctx(w, &child);
	if (!j->fn)
		rc = ld_error_set(&child, LADING_EUNSUPPORTED,
				  "%s: this build of lading has no importer for it", j->name);
	else
		rc = j->fn(w, j->path, &j->res, &child);
	if (rc > 0)
		rc = 0;
	j->rc = rc;
	if (rc < 0)
		ld_strlcpy(j->msg, child.err.code ? child.err.msg : lading_strerror(rc),
			   sizeof(j->msg));
	rc = ld_vdb_store_feed_end(r->st, w, j->rc, &j->res);
	if (rc) {
		pthread_mutex_lock(&r->lock);
		if (!r->fatal) {
			r->fatal = rc;
			ld_ctx_adopt_error(r->ctx, &child);
		}
		pthread_mutex_unlock(&r->lock);
	}
	ld_ctx_release_child(&child);
}

static void *worker(void *arg)
{
	run *r = arg;
	for (;;) {
		ld_vdb_job *j = NULL;
		pthread_mutex_lock(&r->lock);
		while (!r->fatal && r->next < r->njobs) {
			ld_vdb_job *c = &r->jobs[r->next++];
			if (c->action == LD_JOB_IMPORT) {
				j = c;
				break;
			}
		}
		pthread_mutex_unlock(&r->lock);
		if (!j)
			return NULL;
		import_one(r, j);
		pthread_mutex_lock(&r->lock);
		r->done++;
		r->done_cost += j->cost;
		ld_progress(r->ctx, "feeds", r->done - 1, r->njobs, r->done_cost, r->total_cost);
		pthread_mutex_unlock(&r->lock);
	}
}

static int cmp_cost(const void *a, const void *b)
{
	const ld_vdb_job *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
	const lading_db_feed_report *x = a, *y = b;
	return strcmp(x->name, y->name);
}

typedef struct report_box {
	lading_db_report pub;
	ld_arena arena;
} report_box;

void lading_db_report_free(lading_db_report *r)
{
	report_box *b = (report_box *)r;
	if (!r)
		return;
	ld_arena_release(&b->arena);
	free(b);
}

static int make_report(ld_vdb_job *jobs, size_t njobs, const char *db_path, double t0,
		       lading_db_report **out, lading_ctx *ctx)
{
	report_box *b = calloc(1, sizeof(*b));
	lading_db_report *r;
	struct stat sb;
	*out = NULL;
	if (!b)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_arena_init(&b->arena, 0);
	r = &b->pub;
	r->db_path = ld_arena_strdup(&b->arena, db_path);
	r->feeds = njobs ? ld_arena_array(&b->arena, njobs, sizeof(*r->feeds)) : NULL;
	for (size_t i = 0; i < njobs; i++) {
		const ld_vdb_job *j = &jobs[i];
		lading_db_feed_report *f = &r->feeds[r->nfeeds++];
		f->name = ld_arena_strdup(&b->arena, j->name);
		f->status = j->status;
		f->origin = ld_arena_strdup(&b->arena, j->origin[0] ? j->origin : j->path);
		f->message = j->msg[0] ? ld_arena_strdup(&b->arena, j->msg) : NULL;
		f->snapshot =
			j->res.snapshot[0] ? ld_arena_strdup(&b->arena, j->res.snapshot) : NULL;
		f->records = j->res.records;
		f->skipped = j->res.skipped;
		f->withdrawn = j->res.withdrawn;
		f->downloaded = j->downloaded;
		f->not_modified = j->not_modified;
		f->missing = j->missing;
		f->retries = j->retries;
		f->bytes = j->bytes;
		f->stale = j->stale && strcmp(j->status, "ok") && strcmp(j->status, "absent");
		r->stale += (size_t)f->stale;
		if (!strcmp(j->status, "failed"))
			r->failed++;
		else if (!strcmp(j->status, "carried"))
			r->carried++;
	}
	if (r->nfeeds)
		qsort(r->feeds, r->nfeeds, sizeof(*r->feeds), cmp_name);
	if (stat(db_path, &sb) == 0)
		r->db_bytes = (uint64_t)sb.st_size;
	r->seconds = ld_vdb_now() - t0;
	if (b->arena.err) {
		lading_db_report_free(r);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	*out = r;
	return 0;
}

/* Carry a feed over (main thread, after the imports) with the status `as` ("carried", or "ok"
 * for a feed not modified since). Sets j->status. */
static int carry(ld_vdb_store *st, const char *prev, ld_vdb_job *j, const char *why,
		 const char *as, lading_ctx *ctx)
{
	int rc;
	if (!prev) {
		j->status = "failed";
		return 0;
	}
	rc = ld_vdb_store_carry_over_as(st, prev, j->name, why, as, &j->res);
	if (rc == 0) {
		j->status = !strcmp(as, "ok") ? "ok" : "carried";
		return 0;
	}
	if (rc == LADING_ENOTFOUND || rc == LADING_EUNSUPPORTED) {
		j->status = "failed";
		ld_error_clear(ctx);
		return 0;
	}
	return rc; /* the new file is broken */
}

/* Decide each feed's status once the imports are done: imported, kept, carried or failed. */
static int settle(ld_vdb_store *st, const char *prev, ld_vdb_job *jobs, size_t njobs,
		  lading_ctx *ctx)
{
	int rc;
	for (size_t i = 0; i < njobs; i++) {
		ld_vdb_job *j = &jobs[i];
		if (j->action == LD_JOB_ABSENT) {
			j->status = "absent";
			if (!j->msg[0])
				ld_strlcpy(j->msg, j->why, sizeof(j->msg));
			continue;
		}
		if (j->action == LD_JOB_KEEP || j->action == LD_JOB_CARRY) {
			bool keep = j->action == LD_JOB_KEEP;
			ld_strlcpy(j->msg, j->why, sizeof(j->msg));
			if ((rc = carry(st, prev, j, keep ? NULL : j->why, keep ? "ok" : "carried",
					ctx)))
				return rc;
			continue;
		}
		if (j->rc == 0) {
			j->status = "ok";
			continue;
		}
		j->stale = true; /* the import failed: whatever is kept is not a refresh */
		if ((rc = carry(st, prev, j, j->msg, "carried", ctx)))
			return rc;
	}
	return 0;
}

/* The record counts as the installed file holds them (counted from its tables when it was
 * finished), so that the report and `db info` cannot disagree. */
static void read_back_records(ld_vdb_job *jobs, size_t njobs, const char *db_path)
{
	lading_ctx *tmp;
	ld_vdb *db = NULL;
	ld_vdb_q_meta *m;
	ld_arena a;
	if (lading_ctx_new(&tmp))
		return;
	ld_arena_init(&a, 0);
	if (!ld_vdb_open(&db, db_path, tmp) && !ld_vdb_meta_get(db, &a, &m, tmp)) {
		for (size_t i = 0; i < njobs; i++) {
			jobs[i].res.records = 0;
			for (size_t k = 0; k < m->nfeeds; k++)
				if (m->feeds[k].name && !strcmp(m->feeds[k].name, jobs[i].name))
					jobs[i].res.records = (size_t)m->feeds[k].records;
		}
	}
	ld_vdb_close(db);
	ld_arena_release(&a);
	lading_ctx_free(tmp);
}

int ld_vdb_build_run(ld_vdb_job *jobs, size_t njobs, const char *db_path, unsigned threads,
		     double t0, lading_db_report **out, lading_ctx *ctx)
{
	char tmp[4200], prev_buf[4200];
	const char *prev = NULL;
	run r;
	pthread_t th[B_MAX_THREADS];
	unsigned nth, started = 0;
	struct stat sb;
	int rc, fd;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	/* the previous database, if usable, is the source of carried-over feeds */
	if (stat(db_path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		ld_arena a;
		const char **names;
		size_t n;
		ld_arena_init(&a, 0);
		ld_vdb_prev_feeds(db_path, &a, &names, &n);
		if (n) {
			ld_strlcpy(prev_buf, db_path, sizeof(prev_buf));
			prev = prev_buf;
		}
		ld_arena_release(&a);
	}
	remove_stale_temps(db_path);
	/* mkstemp: a fresh name even if two builds target one directory with different locks */
	ld_snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", db_path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return ld_error_set(ctx, LADING_EIO, "cannot create a temporary file beside %s: %s",
				    db_path, strerror(errno));
	close(fd);
	if ((rc = ld_vdb_store_open(&r.st, tmp, ctx)))
		goto fail;

	qsort(jobs, njobs, sizeof(*jobs), cmp_cost);
	r.jobs = jobs;
	r.njobs = njobs;
	r.ctx = ctx;
	pthread_mutex_init(&r.lock, NULL);
	for (size_t i = 0; i < njobs; i++)
		r.total_cost += jobs[i].action == LD_JOB_IMPORT ? jobs[i].cost : 0;
	nth = threads ? threads : ld_ctx_threads(ctx);
	if (nth > B_MAX_THREADS)
		nth = B_MAX_THREADS;
	if (nth < 1)
		nth = 1;
	for (unsigned i = 1; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &r) == 0)
			started++;
	worker(&r); /* this thread works too */
	for (unsigned i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&r.lock);
	if ((rc = r.fatal))
		goto fail;

	if ((rc = settle(r.st, prev, jobs, njobs, ctx)))
		goto fail;
	if ((rc = ld_vdb_store_finish(r.st)))
		goto fail;
	ld_vdb_store_free(r.st);
	r.st = NULL;
	if ((rc = fsync_path(tmp, false, ctx)))
		goto fail;
	if (rename(tmp, db_path) != 0) {
		rc = ld_error_set(ctx, LADING_EIO, "cannot rename %s to %s: %s", tmp, db_path,
				  strerror(errno));
		goto fail;
	}
	{
		char dir[4200];
		char *slash;
		ld_strlcpy(dir, db_path, sizeof(dir));
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		else
			ld_strlcpy(dir, ".", sizeof(dir));
		/* the rename itself must reach the disk */
		if ((rc = fsync_path(dir, true, ctx)))
			return rc;
	}
	read_back_records(jobs, njobs, db_path);
	return make_report(jobs, njobs, db_path, t0, out, ctx);
fail:
	ld_vdb_store_free(r.st);
	unlink(tmp);
	return rc;
}

int lading_db_report_json(const lading_db_report *r, char **out, size_t *len)
{
	ld_buf b = LD_BUF_INIT;
	ld_jw w;
	int rc;

	*out = NULL;
	*len = 0;
	ld_jw_init(&w, &b, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "db", r->db_path);
	ld_jw_ki64(&w, "db_bytes", (int64_t)r->db_bytes);
	ld_jw_key(&w, "seconds");
	ld_jw_fixed(&w, r->seconds, 3);
	ld_jw_ki64(&w, "failed", (int64_t)r->failed);
	ld_jw_ki64(&w, "carried", (int64_t)r->carried);
	ld_jw_ki64(&w, "stale", (int64_t)r->stale);
	ld_jw_key(&w, "feeds");
	ld_jw_arr(&w);
	for (size_t i = 0; i < r->nfeeds; i++) {
		const lading_db_feed_report *f = &r->feeds[i];
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "name", f->name);
		ld_jw_kstr(&w, "status", f->status);
		ld_jw_kstr(&w, "snapshot", f->snapshot);
		ld_jw_ki64(&w, "records", (int64_t)f->records);
		ld_jw_ki64(&w, "skipped", (int64_t)f->skipped);
		ld_jw_ki64(&w, "withdrawn", (int64_t)f->withdrawn);
		ld_jw_kstr(&w, "origin", f->origin);
		ld_jw_kstr_opt(&w, "message", f->message);
		ld_jw_kbool(&w, "stale", f->stale);
		ld_jw_key(&w, "http");
		ld_jw_obj(&w);
		ld_jw_ki64(&w, "downloaded", f->downloaded);
		ld_jw_ki64(&w, "not_modified", f->not_modified);
		ld_jw_ki64(&w, "missing", f->missing);
		ld_jw_ki64(&w, "retries", f->retries);
		ld_jw_ki64(&w, "bytes", (int64_t)f->bytes);
		ld_jw_obj_end(&w);
		ld_jw_obj_end(&w);
	}
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	if ((rc = ld_jw_finish(&w))) {
		ld_buf_release(&b);
		return rc;
	}
	*out = ld_buf_detach(&b, len);
	return *out ? 0 : LADING_ENOMEM;
}

/* ------------------------------------------------------------------ build from a mirror */

static uint64_t du(const char *path, int depth)
{
	struct stat sb;
	uint64_t total = 0;
	DIR *d;
	struct dirent *e;
	if (stat(path, &sb) != 0)
		return 0;
	if (!S_ISDIR(sb.st_mode))
		return (uint64_t)sb.st_size;
	if (depth > 4 || !(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		char p[4096];
		if (e->d_name[0] == '.')
			continue;
		ld_snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		total += du(p, depth + 1);
	}
	closedir(d);
	return total;
}

static int add_job(ld_vdb_job **jobs, size_t *n, const char *name, const char *path,
		   lading_ctx *ctx)
{
	ld_vdb_job *j, *nj;
	ld_vdb_feed_kind k;
	if (*n >= B_MAX_FEEDS)
		return ld_error_set(ctx, LADING_ELIMIT, "more than %u feeds", B_MAX_FEEDS);
	if (ld_vdb_feed_lookup(name, &k))
		return 0;
	nj = realloc(*jobs, (*n + 1) * sizeof(**jobs));
	if (!nj)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	*jobs = nj;
	j = &nj[(*n)++];
	memset(j, 0, sizeof(*j));
	ld_strlcpy(j->name, name, sizeof(j->name));
	ld_strlcpy(j->family, k.family, sizeof(j->family));
	ld_strlcpy(j->path, path, sizeof(j->path));
	j->fn = k.fn;
	j->cost = du(path, 0);
	j->action = LD_JOB_IMPORT;
	return 0;
}

static bool exists(const char *p, bool dir)
{
	struct stat sb;
	return stat(p, &sb) == 0 && (dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One feed per subdirectory of dir ("osv/<Ecosystem>"), in name order. */
static int mirror_subdir_jobs(const ld_vdb_feed_desc *d, const char *dir, ld_vdb_job **jobs,
			      size_t *nj, lading_ctx *ctx)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0;
	int rc = 0;
	while (dh && (e = readdir(dh))) {
		char sub[4096];
		char **t;
		if (e->d_name[0] == '.')
			continue;
		ld_snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (!exists(sub, true) || nn >= B_MAX_FEEDS)
			continue;
		t = realloc(names, (nn + 1) * sizeof(*names));
		if (!t || !(t[nn] = ld_strdup(e->d_name))) {
			if (t)
				names = t;
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			break;
		}
		names = t;
		nn++;
	}
	if (dh)
		closedir(dh);
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		char name[64], sub[4096];
		ld_snprintf(name, sizeof(name), "%s%s", d->name, names[i]);
		ld_snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		if (!rc)
			rc = add_job(jobs, nj, name, sub, ctx);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The mirror's file of a one-file feed: the first of its accepted names that exists. */
static bool mirror_file(const ld_vdb_feed_desc *d, const char *dir, char *out, size_t outsz)
{
	const char *p = d->files;
	while (*p) {
		size_t n = strcspn(p, "|");
		ld_snprintf(out, outsz, "%s/%.*s", dir, (int)n, p);
		if (exists(out, false))
			return true;
		p += n + (p[n] == '|');
	}
	return false;
}

int ld_vdb_mirror_jobs(const char *mirror, ld_vdb_job **out, size_t *n, lading_ctx *ctx)
{
	size_t nd;
	const ld_vdb_feed_desc *descs = ld_vdb_feed_descs(&nd);
	ld_vdb_job *jobs = NULL;
	size_t nj = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!exists(mirror, true))
		return ld_error_set(ctx, LADING_ENOTFOUND, "mirror directory %s does not exist",
				    mirror);
	for (size_t i = 0; !rc && i < nd; i++) {
		const ld_vdb_feed_desc *d = &descs[i];
		char dir[4096], file[4400];
		ld_snprintf(dir, sizeof(dir), "%s/%s", mirror, d->dir);
		if (d->files) {
			if (mirror_file(d, dir, file, sizeof(file)))
				rc = add_job(&jobs, &nj, d->name, file, ctx);
		} else if (exists(dir, true)) {
			rc = d->name[strlen(d->name) - 1] == '/'
				     ? mirror_subdir_jobs(d, dir, &jobs, &nj, ctx)
				     : add_job(&jobs, &nj, d->name, dir, ctx);
		}
	}
	if (!rc && nj == 0)
		rc = ld_error_set(
			ctx, LADING_ENOTFOUND,
			"%s holds no known feed (osv/, alpine-secdb/, debian/, kev/, epss/, nvd/)",
			mirror);
	if (rc) {
		free(jobs);
		return rc;
	}
	*out = jobs;
	*n = nj;
	return 0;
}

int lading_db_build(const lading_db_options *opts, lading_db_report **out, lading_ctx *ctx)
{
	char db[4096];
	ld_vdb_job *jobs = NULL;
	size_t n = 0;
	double t0 = ld_vdb_now();
	int rc, lock = -1;

	*out = NULL;
	if (!opts || opts->version != LADING_DB_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "lading_db_build: options of another version");
	if (!opts->mirror || !*opts->mirror)
		return ld_error_set(ctx, LADING_EUSAGE, "no mirror directory given (--mirror DIR)");
	if ((rc = ld_vdb_resolve_db_path(opts, db, sizeof(db), ctx)))
		return rc;
	if ((rc = ld_vdb_mirror_jobs(opts->mirror, &jobs, &n, ctx)))
		return rc;
	for (size_t i = 0; i < n; i++)
		ld_strlcpy(jobs[i].origin, jobs[i].path, sizeof(jobs[i].origin));
	if (!(rc = ld_vdb_lock(db, &lock, ctx)))
		rc = ld_vdb_build_run(jobs, n, db, opts->threads, t0, out, ctx);
	ld_vdb_unlock(lock);
	free(jobs);
	return rc;
}

/* ------------------------------------------------------------------ info */

typedef struct info_box {
	lading_db_info pub;
	ld_arena arena;
} info_box;

void lading_db_info_free(lading_db_info *info)
{
	info_box *b = (info_box *)info;
	if (!info)
		return;
	ld_arena_release(&b->arena);
	free(b);
}

int lading_db_info_get(const char *db_path, lading_db_info **out, lading_ctx *ctx)
{
	char path[4096];
	info_box *b;
	ld_vdb *db = NULL;
	ld_vdb_q_meta *m;
	struct stat sb;
	lading_db_feed_info *feeds;
	lading_db_count_info *counts;
	int rc;

	*out = NULL;
	if (db_path && *db_path)
		ld_strlcpy(path, db_path, sizeof(path));
	else if ((rc = lading_db_default_path(path, sizeof(path))))
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"no database path: set --db, LADING_DB, XDG_CACHE_HOME or HOME");
	if (!(b = calloc(1, sizeof(*b))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_arena_init(&b->arena, 0);
	if ((rc = ld_vdb_open(&db, path, ctx)) || (rc = ld_vdb_meta_get(db, &b->arena, &m, ctx)))
		goto fail;
	b->pub.path = ld_arena_strdup(&b->arena, path);
	b->pub.schema_version = m->schema_version;
	b->pub.built_at = m->built_at;
	b->pub.built_epoch = m->built_epoch;
	b->pub.age_seconds = (int64_t)time(NULL) - m->built_epoch;
	b->pub.lading_version = m->lading_version;
	if (stat(path, &sb) == 0)
		b->pub.file_bytes = (uint64_t)sb.st_size;
	feeds = m->nfeeds ? ld_arena_array(&b->arena, m->nfeeds, sizeof(*feeds)) : NULL;
	counts = m->ncounts ? ld_arena_array(&b->arena, m->ncounts, sizeof(*counts)) : NULL;
	if ((m->nfeeds && !feeds) || (m->ncounts && !counts) || !b->pub.path) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < m->nfeeds; i++) {
		const ld_vdb_q_feed *f = &m->feeds[i];
		feeds[i] = (lading_db_feed_info){f->name,     f->status,      f->origin,
						 f->snapshot, f->imported_at, f->message,
						 f->records,  f->skipped,     f->withdrawn};
	}
	for (size_t i = 0; i < m->ncounts; i++) {
		const ld_vdb_q_count *c = &m->counts[i];
		counts[i] = (lading_db_count_info){c->feed, c->ecosystem, c->advisories,
						   c->packages, c->affected};
	}
	b->pub.feeds = feeds;
	b->pub.nfeeds = m->nfeeds;
	b->pub.counts = counts;
	b->pub.ncounts = m->ncounts;
	ld_vdb_close(db);
	*out = &b->pub;
	return 0;
fail:
	ld_vdb_close(db);
	lading_db_info_free(&b->pub);
	return rc;
}

int lading_db_info_json(const lading_db_info *info, char **out, size_t *len)
{
	ld_buf b = LD_BUF_INIT;
	ld_jw w;
	int rc;

	*out = NULL;
	*len = 0;
	ld_jw_init(&w, &b, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "path", info->path);
	ld_jw_ki64(&w, "schema_version", info->schema_version);
	ld_jw_kstr(&w, "built_at", info->built_at);
	ld_jw_ki64(&w, "age_seconds", info->age_seconds);
	ld_jw_kstr(&w, "lading_version", info->lading_version);
	ld_jw_ki64(&w, "file_bytes", (int64_t)info->file_bytes);
	ld_jw_key(&w, "feeds");
	ld_jw_arr(&w);
	for (size_t i = 0; i < info->nfeeds; i++) {
		const lading_db_feed_info *f = &info->feeds[i];
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "name", f->name);
		ld_jw_kstr(&w, "status", f->status);
		ld_jw_kstr(&w, "snapshot", f->snapshot);
		ld_jw_kstr(&w, "imported_at", f->imported_at);
		ld_jw_ki64(&w, "records", (int64_t)f->records);
		ld_jw_ki64(&w, "skipped", (int64_t)f->skipped);
		ld_jw_ki64(&w, "withdrawn", (int64_t)f->withdrawn);
		ld_jw_kstr(&w, "origin", f->origin);
		ld_jw_kstr_opt(&w, "message", f->message);
		ld_jw_key(&w, "ecosystems");
		ld_jw_arr(&w);
		for (size_t k = 0; k < info->ncounts; k++) {
			const lading_db_count_info *c = &info->counts[k];
			if (strcmp(c->feed, f->name))
				continue;
			ld_jw_obj(&w);
			ld_jw_kstr(&w, "ecosystem", c->ecosystem);
			ld_jw_ki64(&w, "advisories", (int64_t)c->advisories);
			ld_jw_ki64(&w, "packages", (int64_t)c->packages);
			ld_jw_ki64(&w, "affected", (int64_t)c->affected);
			ld_jw_obj_end(&w);
		}
		ld_jw_arr_end(&w);
		ld_jw_obj_end(&w);
	}
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	if ((rc = ld_jw_finish(&w))) {
		ld_buf_release(&b);
		return rc;
	}
	*out = ld_buf_detach(&b, len);
	return *out ? 0 : LADING_ENOMEM;
}

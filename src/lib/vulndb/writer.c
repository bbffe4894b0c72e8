/* The database writer: one SQLite file filled by the importers through per-feed writers.
 *
 * Bulk-load discipline: one transaction for the whole build, prepared statements, no journal,
 * no fsync (the builder fsyncs the finished file and renames it into place, so a half-written
 * file is never seen), secondary indexes created after the load. Importers of different feeds
 * may run in parallel threads: parsing runs concurrently, the row writes are serialized by the
 * store's lock. Each row carries the feed that wrote it, so a feed that fails is removed as a
 * whole and a previous database's rows for it can be carried over. */
#include <math.h>
#include <sqlite3.h>
#include <strings.h>
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/jsonw.h"
#include "util/map.h"
#include "util/varint.h"
#include "vulndb/cvss.h"
#include "vulndb/schema.h"
#include "vulndb/vdb.h"

/* Named limits on what one put may carry (far above real feeds; bounds hostile input). */
#define W_MAX_AFFECTED 100000u	      /* affected entries per advisory */
#define W_MAX_RANGES 1024u	      /* ranges per affected entry */
#define W_MAX_EVENTS 4096u	      /* events per range */
#define W_MAX_VERSIONS 200000u	      /* explicit versions per affected entry */
#define W_MAX_ALIASES 10000u	      /* aliases + related + upstream per advisory */
#define W_MAX_ID 256u		      /* source, advisory ID, alias and CVE lengths */
#define W_MAX_JSON ((size_t)64 << 20) /* encoded ranges/versions of one entry */
#define W_CACHE_KIB 65536	      /* SQLite page cache while building */
/* 16 KiB pages: fewer overflow pages for long advisory texts and CPE rows, a smaller file and
 * faster lookups than the 4 KiB default (docs/vulndb.md has the figures) */
#define W_PAGE_SIZE 16384

/* Affected entries are staged in a temporary table in arrival order and copied into the
 * clustered table sorted by its key at the end: the clustered table is then written once, in
 * order, with full pages (a lookup touches fewer pages than after random-order inserts). */
static const char staging_sql[] = "CREATE TEMP TABLE affected_load(ecosystem TEXT, package TEXT, "
				  "advisory INTEGER, seq INTEGER,"
				  " feed INTEGER, source TEXT, advisory_id TEXT, informational "
				  "TEXT, name TEXT, purl TEXT, ranges TEXT,"
				  " versions TEXT, status TEXT, severity TEXT, severity_raw TEXT, "
				  "cvss_vector TEXT, cvss_score REAL,"
				  " extra TEXT);";
static const char unstage_sql[] = "INSERT OR IGNORE INTO main.affected(ecosystem, package, "
				  "advisory, seq, feed, source, advisory_id, informational,"
				  " name, purl, ranges, versions, status, severity, severity_raw, "
				  "cvss_vector, cvss_score, extra)"
				  " SELECT ecosystem, package, advisory, seq, feed, source, "
				  "advisory_id, informational, name, purl, ranges,"
				  " versions, status, severity, severity_raw, cvss_vector, "
				  "cvss_score, extra FROM temp.affected_load"
				  " ORDER BY ecosystem, package, advisory, seq;"
				  "DROP TABLE temp.affected_load;";

/* feeds.records is what the tables hold for the feed, counted when the file is finished (never
 * an importer's tally or a previous file's figure, which could drift from the rows). A feed's
 * records live in these tables; kev/epss/nvd rows are keyed by CVE, so a CVE that two files of
 * a feed name counts once. */
static const char recount_sql[] =
	"CREATE TEMP TABLE feed_rows AS"
	" SELECT feed, COUNT(*) AS n FROM main.advisories GROUP BY feed"
	" UNION ALL SELECT feed, COUNT(*) FROM main.kev GROUP BY feed"
	" UNION ALL SELECT feed, COUNT(*) FROM main.epss GROUP BY feed"
	" UNION ALL SELECT feed, COUNT(*) FROM main.nvd GROUP BY feed;"
	"UPDATE main.feeds SET records ="
	" (SELECT COALESCE(SUM(n), 0) FROM temp.feed_rows r WHERE r.feed = feeds.id);"
	"DROP TABLE temp.feed_rows;";

enum {
	S_ADV,
	S_ALIAS,
	S_AFF,
	S_KEV,
	S_EPSS,
	S_NVD,
	S_CPE_DEL,
	S_CPE,
	S_FEED_NEW,
	S_FEED_OK,
	S_FEED_FAIL,
	S_N
};

static const char *const stmt_sql[S_N] = {
	[S_ADV] = "INSERT INTO advisories(feed, source, advisory, summary, details, published, "
		  "modified, url,"
		  " severity, severity_raw, cvss_vector, cvss_version, cvss_score, informational, "
		  "extra)"
		  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
	[S_ALIAS] =
		"INSERT OR IGNORE INTO aliases(advisory, alias, kind, feed) VALUES(?1,?2,?3,?4)",
	[S_AFF] = "INSERT INTO temp.affected_load(ecosystem, package, advisory, seq, feed, name, "
		  "purl, ranges,"
		  " versions, status, severity, severity_raw, cvss_vector, cvss_score, extra, "
		  "source, advisory_id,"
		  " informational) "
		  "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
	[S_KEV] =
		"INSERT OR REPLACE INTO kev(cve, feed, vendor, product, name, date_added, due_date,"
		" required_action, ransomware, description) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
	[S_EPSS] = "INSERT OR REPLACE INTO epss(cve, feed, score, percentile) VALUES(?1,?2,?3,?4)",
	[S_NVD] =
		"INSERT OR REPLACE INTO nvd(cve, feed, published, modified, description, v3_vector,"
		" v3_score, v3_severity, v2_vector, v2_score, v2_severity)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
	[S_CPE_DEL] = "DELETE FROM cpe_match WHERE cve = ?1",
	[S_CPE] = "INSERT INTO cpe_match(cve, seq, feed, cpe23, part, vendor, product, version, "
		  "start_incl,"
		  " start_excl, end_incl, end_excl) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
	[S_FEED_NEW] =
		"INSERT INTO feeds(name, origin, status, imported_at) VALUES(?1,?2,'importing',?3)",
	[S_FEED_OK] =
		"UPDATE feeds SET status='ok', records=?2, skipped=?3, withdrawn=?4, snapshot=?5,"
		" message=NULL WHERE id=?1",
	[S_FEED_FAIL] = "UPDATE feeds SET status='failed', records=0, skipped=0, withdrawn=0, "
			"snapshot=NULL,"
			" message=?2 WHERE id=?1",
};

typedef struct adv_slot {
	int64_t rowid;
	int64_t feed;
	uint32_t next_seq;
	const char *source, *id, *informational; /* as stored first (arena) */
} adv_slot;

struct ld_vdb_store {
	sqlite3 *db;
	lading_ctx *ctx;
	pthread_mutex_t lock;
	sqlite3_stmt *st[S_N];
	ld_map advs;	 /* "source\0id" -> adv_slot: merges puts of one advisory */
	ld_map affset;	 /* advisory rowid + content hash -> feed: an identical entry is stored once
			  */
	ld_map nvd_seen; /* CVE -> feed: NVD rows stored, so a replacement drops older CPE matches
			  */
	ld_arena keys;	 /* keys and slots of the maps */
	int64_t cpe_seq;
	int broken; /* sticky: a failed write leaves the file unusable */
	char imported_at[32];
};

struct ld_vdb_writer {
	ld_vdb_store *st;
	lading_ctx *ctx;
	int64_t feed;
	char name[128];
};

static void now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	if (!strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		ld_strlcpy(out, "1970-01-01T00:00:00Z", 32);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_score(sqlite3_stmt *s, int i, double v)
{
	if (v >= 0 && !isnan(v))
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* Step a write statement to completion and reset it. Caller holds the lock. */
static int step(ld_vdb_store *st, sqlite3_stmt *s, lading_ctx *ctx, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		st->broken = ld_vdb_sql_fail(st->db, rc, ctx, what);
		return st->broken;
	}
	return 0;
}

int ld_vdb_store_open(ld_vdb_store **out, const char *path, lading_ctx *ctx)
{
	ld_vdb_store *st;
	char uri[8192];
	int rc;

	*out = NULL;
	if ((rc = ld_vdb_sql_uri(uri, sizeof(uri), path, NULL)))
		return ld_error_set(ctx, rc, "%s: database path too long", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return ld_error_set(ctx, LADING_EIO, "cannot replace %s: %s", path,
				    strerror(errno));
	st = calloc(1, sizeof(*st));
	if (!st)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	st->ctx = ctx;
	pthread_mutex_init(&st->lock, NULL);
	ld_map_init(&st->advs);
	ld_map_init(&st->affset);
	ld_map_init(&st->nvd_seen);
	ld_arena_init(&st->keys, 0);
	now_rfc3339(st->imported_at);

	rc = sqlite3_open_v2(uri, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
				     SQLITE_OPEN_URI,
			     NULL);
	if (rc != SQLITE_OK) {
		rc = ld_vdb_sql_fail(st->db, rc, ctx, path);
		goto fail;
	}
	{
		char pragmas[256];
		ld_snprintf(pragmas, sizeof(pragmas),
			    "PRAGMA page_size=%d; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
			    " PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-%d; PRAGMA "
			    "temp.cache_size=-%d;"
			    " PRAGMA foreign_keys=OFF;",
			    W_PAGE_SIZE, W_CACHE_KIB, W_CACHE_KIB);
		if ((rc = ld_vdb_sql_exec(st->db, pragmas, ctx, path)))
			goto fail;
	}
	if ((rc = ld_vdb_sql_exec(st->db, ld_vdb_schema_tables, ctx,
				  "creating the database schema")) ||
	    (rc = ld_vdb_sql_exec(st->db, staging_sql, ctx, "creating the database schema")))
		goto fail;
	for (int i = 0; i < S_N; i++) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&st->st[i], NULL);
		if (rc != SQLITE_OK) {
			rc = ld_vdb_sql_fail(st->db, rc, ctx, "preparing the database writer");
			goto fail;
		}
	}
	if ((rc = ld_vdb_sql_exec(st->db, "BEGIN", ctx, path)))
		goto fail;
	*out = st;
	return 0;
fail:
	ld_vdb_store_free(st);
	return rc;
}

void ld_vdb_store_free(ld_vdb_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < S_N; i++)
		sqlite3_finalize(st->st[i]);
	if (st->db)
		sqlite3_close_v2(st->db);
	ld_map_release(&st->advs);
	ld_map_release(&st->affset);
	ld_map_release(&st->nvd_seen);
	ld_arena_release(&st->keys);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

void ld_vdb_writer_set_ctx(ld_vdb_writer *w, lading_ctx *ctx)
{
	w->ctx = ctx;
}

int ld_vdb_store_feed_begin(ld_vdb_store *st, const char *feed, const char *origin,
			    ld_vdb_writer **out)
{
	ld_vdb_writer *w;
	sqlite3_stmt *s = st->st[S_FEED_NEW];
	int rc;

	*out = NULL;
	if (!feed || !*feed || strlen(feed) >= sizeof(w->name))
		return ld_error_set(st->ctx, LADING_EUSAGE, "invalid feed name");
	w = calloc(1, sizeof(*w));
	if (!w)
		return ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
	w->st = st;
	w->ctx = st->ctx;
	ld_strlcpy(w->name, feed, sizeof(w->name));
	pthread_mutex_lock(&st->lock);
	if (st->broken) {
		rc = st->broken;
	} else {
		bind_text(s, 1, feed);
		bind_text(s, 2, origin);
		bind_text(s, 3, st->imported_at);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc == SQLITE_DONE)
			rc = 0;
		else if ((rc & 0xff) == SQLITE_CONSTRAINT)
			rc = ld_error_set(st->ctx, LADING_EUSAGE, "feed %s is imported twice",
					  feed);
		else
			rc = st->broken = ld_vdb_sql_fail(st->db, rc, st->ctx, "recording a feed");
		w->feed = sqlite3_last_insert_rowid(st->db);
	}
	pthread_mutex_unlock(&st->lock);
	if (rc) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

/* Remove everything `feed` wrote (caller holds the lock). */
static int purge_feed(ld_vdb_store *st, int64_t feed)
{
	static const char *const del[] = {
		"DELETE FROM temp.affected_load WHERE feed = ?1 OR advisory IN (SELECT id FROM "
		"advisories WHERE feed = ?1)",
		"DELETE FROM aliases WHERE feed = ?1 OR advisory IN (SELECT id FROM advisories "
		"WHERE feed = ?1)",
		"DELETE FROM advisories WHERE feed = ?1",
		"DELETE FROM kev WHERE feed = ?1",
		"DELETE FROM epss WHERE feed = ?1",
		"DELETE FROM nvd WHERE feed = ?1",
		"DELETE FROM cpe_match WHERE feed = ?1",
	};
	ld_map *maps[] = {&st->affset, &st->nvd_seen};
	size_t i = 0;
	const ld_map_slot *slot;

	for (size_t k = 0; k < LD_ARRAY_LEN(del); k++) {
		sqlite3_stmt *s;
		int rc = sqlite3_prepare_v2(st->db, del[k], -1, &s, NULL);
		if (rc != SQLITE_OK)
			return st->broken = ld_vdb_sql_fail(st->db, rc, st->ctx,
							    "removing a failed feed");
		sqlite3_bind_int64(s, 1, feed);
		rc = step(st, s, st->ctx, "removing a failed feed");
		sqlite3_finalize(s);
		if (rc)
			return rc;
	}
	while (ld_map_next(&st->advs, &i, &slot)) {
		const adv_slot *a = slot->val;
		if (a->feed == feed)
			ld_map_del(&st->advs, ld_slice_make(slot->key, slot->klen));
	}
	for (size_t m = 0; m < LD_ARRAY_LEN(maps); m++) {
		i = 0;
		while (ld_map_next(maps[m], &i, &slot))
			if ((int64_t)(intptr_t)slot->val == feed)
				ld_map_del(maps[m], ld_slice_make(slot->key, slot->klen));
	}
	return 0;
}

int ld_vdb_store_feed_end(ld_vdb_store *st, ld_vdb_writer *w, int rc,
			  const ld_vdb_import_result *res)
{
	int out = 0;
	if (!w)
		return 0;
	pthread_mutex_lock(&st->lock);
	if (st->broken) {
		out = st->broken;
	} else if (rc < 0) {
		const char *msg = w->ctx->err.code ? w->ctx->err.msg : lading_strerror(rc);
		sqlite3_stmt *s = st->st[S_FEED_FAIL];
		out = purge_feed(st, w->feed);
		if (!out) {
			sqlite3_bind_int64(s, 1, w->feed);
			bind_text(s, 2, msg);
			out = step(st, s, st->ctx, "recording a failed feed");
		}
	} else {
		sqlite3_stmt *s = st->st[S_FEED_OK];
		sqlite3_bind_int64(s, 1, w->feed);
		sqlite3_bind_int64(s, 2, res ? (int64_t)res->records : 0);
		sqlite3_bind_int64(s, 3, res ? (int64_t)res->skipped : 0);
		sqlite3_bind_int64(s, 4, res ? (int64_t)res->withdrawn : 0);
		bind_text(s, 5, res && res->snapshot[0] ? res->snapshot : NULL);
		out = step(st, s, st->ctx, "recording a feed");
	}
	pthread_mutex_unlock(&st->lock);
	free(w);
	return out;
}

/* ------------------------------------------------------------------ advisories */

static const char *norm_severity(const char *s)
{
	static const struct {
		const char *in, *out;
	} tab[] = {{"none", "none"},	    {"low", "low"},   {"medium", "medium"},
		   {"moderate", "medium"},  {"high", "high"}, {"important", "high"},
		   {"critical", "critical"}};
	if (!s)
		return NULL;
	for (size_t i = 0; i < LD_ARRAY_LEN(tab); i++)
		if (!strcasecmp(s, tab[i].in))
			return tab[i].out;
	return NULL;
}

/* The feed's own text is kept when it says more than the normalized word ("Important"). */
static const char *raw_severity(const char *given, const char *raw, const char *norm)
{
	if (raw && *raw)
		return raw;
	if (given && *given && (!norm || strcmp(given, norm) != 0))
		return given;
	return NULL;
}

static bool valid_kind(const char *k)
{
	return k && (!strcmp(k, "introduced") || !strcmp(k, "fixed") ||
		     !strcmp(k, "last_affected") || !strcmp(k, "limit"));
}

/* One affected entry ready to insert: computed before taking the lock. */
typedef struct prep_aff {
	const char *eco, *pkg, *name, *purl, *ranges, *versions, *status, *sev, *sev_raw,
		*cvss_vector;
	const char *extra;
	double cvss_score;
	uint64_t h1, h2; /* content hash for the identical-entry check */
} prep_aff;

typedef struct scored {
	const char *vector;
	char version[8];
	double score;
	const char *severity;
} scored;

static void score_vector(const char *vec, double given, scored *out, lading_ctx *ctx,
			 const char *src, const char *id)
{
	ld_cvss c;
	out->vector = vec && *vec ? vec : NULL;
	out->version[0] = '\0';
	out->score = -1;
	out->severity = NULL;
	if (!out->vector)
		return;
	if (ld_cvss_score(vec, strlen(vec), &c) == 0) {
		ld_snprintf(out->version, sizeof(out->version), "%d.%d", c.major, c.minor);
		out->score = c.base_score;
		out->severity = c.severity;
		return;
	}
	ld_warn(ctx, "%s %s: cannot score CVSS vector '%.80s' (kept unscored)", src, id, vec);
	if (given > 0 && given <= 10)
		out->score = given;
}

static uint64_t hash_cat(uint64_t seed, const char *const *parts, size_t n, ld_buf *tmp)
{
	ld_buf_clear(tmp);
	ld_buf_add(tmp, &seed, sizeof(seed));
	for (size_t i = 0; i < n; i++) {
		if (parts[i])
			ld_buf_adds(tmp, parts[i]);
		ld_buf_addc(tmp, '\x1f'); /* separator; NULL and "" differ by the marker below */
		ld_buf_addc(tmp, parts[i] ? '1' : '0');
	}
	return ld_hash64(tmp->ptr, tmp->len);
}

static void hash_entry(prep_aff *p, ld_buf *tmp)
{
	const char *parts[] = {p->eco, p->pkg, p->ranges, p->versions, p->status, p->sev, p->purl};
	p->h1 = hash_cat(0x6c6164696e67ULL, parts, LD_ARRAY_LEN(parts), tmp);
	p->h2 = hash_cat(0x9e3779b97f4a7c15ULL, parts, LD_ARRAY_LEN(parts), tmp);
}

/* Encode ranges as OSV's own JSON shape (docs/vulndb.md, "range encoding"). */
static int encode_ranges(const ld_vdb_affected *a, ld_buf *b, lading_ctx *ctx, const char *src,
			 const char *id, size_t *nstored)
{
	ld_jw jw;
	*nstored = 0;
	ld_buf_clear(b);
	ld_jw_init(&jw, b, false);
	ld_jw_arr(&jw);
	for (size_t r = 0; r < a->nranges; r++) {
		const ld_vdb_range *rg = &a->ranges[r];
		if (!rg->type || !strcmp(rg->type, "GIT"))
			continue;
		if (rg->nevents > W_MAX_EVENTS) {
			ld_warn(ctx, "%s %s: range with %zu events skipped (limit %u)", src, id,
				rg->nevents, W_MAX_EVENTS);
			continue;
		}
		ld_jw_obj(&jw);
		ld_jw_kstr(&jw, "type", rg->type);
		if (rg->custom)
			ld_jw_kbool(&jw, "custom", true);
		ld_jw_key(&jw, "events");
		ld_jw_arr(&jw);
		for (size_t e = 0; e < rg->nevents; e++) {
			const ld_vdb_event *ev = &rg->events[e];
			if (!valid_kind(ev->kind) || !ev->version) {
				ld_warn(ctx, "%s %s: range event '%s' skipped", src, id,
					ev->kind ? ev->kind : "(none)");
				continue;
			}
			ld_jw_obj(&jw);
			ld_jw_kstr(&jw, ev->kind, ev->version);
			ld_jw_obj_end(&jw);
		}
		ld_jw_arr_end(&jw);
		ld_jw_obj_end(&jw);
		(*nstored)++;
	}
	ld_jw_arr_end(&jw);
	if (b->len > W_MAX_JSON)
		return LADING_ELIMIT;
	return ld_jw_finish(&jw);
}

static int encode_versions(const ld_vdb_affected *a, ld_buf *b)
{
	ld_jw jw;
	ld_buf_clear(b);
	ld_jw_init(&jw, b, false);
	ld_jw_arr(&jw);
	for (size_t i = 0; i < a->nversions; i++)
		if (a->versions[i])
			ld_jw_str(&jw, a->versions[i]);
	ld_jw_arr_end(&jw);
	if (b->len > W_MAX_JSON)
		return LADING_ELIMIT;
	return ld_jw_finish(&jw);
}

static int prepare_affected(const ld_vdb_advisory *adv, ld_arena *ar, prep_aff **out, size_t *nout,
			    lading_ctx *ctx)
{
	prep_aff *pa;
	ld_buf b = LD_BUF_INIT, tmp = LD_BUF_INIT;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (!adv->naffected)
		return 0;
	pa = ld_arena_array(ar, adv->naffected, sizeof(*pa));
	if (!pa)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < adv->naffected; i++) {
		const ld_vdb_affected *a = &adv->affected[i];
		prep_aff *p = &pa[n];
		char eco[LD_VDB_NAME_MAX + 1], pkg[LD_VDB_NAME_MAX + 1];
		size_t nranges = 0;
		scored sc;

		if (!a->ecosystem || !a->package ||
		    ld_vdb_ecosystem_normalize(a->ecosystem, eco, sizeof(eco)) ||
		    ld_vdb_package_normalize(eco, a->package, pkg, sizeof(pkg))) {
			ld_warn(ctx,
				"%s %s: affected entry with an invalid ecosystem or package name "
				"skipped",
				adv->source, adv->id);
			continue;
		}
		if (a->nranges > W_MAX_RANGES || a->nversions > W_MAX_VERSIONS) {
			ld_warn(ctx, "%s %s: affected entry for %s beyond the size limits skipped",
				adv->source, adv->id, pkg);
			continue;
		}
		if ((rc = encode_ranges(a, &b, ctx, adv->source, adv->id, &nranges)))
			goto out;
		p->ranges = nranges ? ld_arena_strndup(ar, b.ptr, b.len) : NULL;
		if (a->nversions) {
			if ((rc = encode_versions(a, &b)))
				goto out;
			p->versions = ld_arena_strndup(ar, b.ptr, b.len);
		}
		p->eco = ld_arena_strdup(ar, eco);
		p->pkg = ld_arena_strdup(ar, pkg);
		p->name = a->package;
		p->purl = a->purl && *a->purl ? a->purl : NULL;
		p->status = a->status && *a->status ? a->status : NULL;
		p->sev = norm_severity(a->severity);
		p->sev_raw = raw_severity(a->severity, a->severity_raw, p->sev);
		p->extra = a->extra_json;
		score_vector(a->cvss_vector, -1, &sc, ctx, adv->source, adv->id);
		p->cvss_vector = sc.vector;
		p->cvss_score = sc.score;
		if (!p->sev && !a->severity && sc.severity)
			p->sev = sc.severity;
		if (ar->err) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto out;
		}
		hash_entry(p, &tmp);
		n++;
	}
	*out = pa;
	*nout = n;
out:
	ld_buf_release(&b);
	ld_buf_release(&tmp);
	return rc;
}

static int put_alias(ld_vdb_store *st, ld_vdb_writer *w, int64_t adv, const char *alias,
		     const char *kind)
{
	sqlite3_stmt *s = st->st[S_ALIAS];
	if (!alias || !*alias || strlen(alias) > W_MAX_ID)
		return 0;
	sqlite3_bind_int64(s, 1, adv);
	bind_text(s, 2, alias);
	bind_text(s, 3, kind);
	sqlite3_bind_int64(s, 4, w->feed);
	return step(st, s, w->ctx, "storing an alias");
}

static int put_affected_row(ld_vdb_store *st, ld_vdb_writer *w, adv_slot *slot, const prep_aff *p)
{
	sqlite3_stmt *s = st->st[S_AFF];
	unsigned char key[24];
	int64_t rowid = slot->rowid;
	char *k;
	int rc;

	memcpy(key, &rowid, 8);
	memcpy(key + 8, &p->h1, 8);
	memcpy(key + 16, &p->h2, 8);
	if (ld_map_get(&st->affset, ld_slice_make(key, sizeof(key))))
		return 0; /* the same entry again (one advisory put per release, duplicate zips) */
	bind_text(s, 1, p->eco);
	bind_text(s, 2, p->pkg);
	sqlite3_bind_int64(s, 3, slot->rowid);
	sqlite3_bind_int64(s, 4, slot->next_seq++);
	sqlite3_bind_int64(s, 5, w->feed);
	bind_text(s, 6, p->name);
	bind_text(s, 7, p->purl);
	bind_text(s, 8, p->ranges);
	bind_text(s, 9, p->versions);
	bind_text(s, 10, p->status);
	bind_text(s, 11, p->sev);
	bind_text(s, 12, p->sev_raw);
	bind_text(s, 13, p->cvss_vector);
	bind_score(s, 14, p->cvss_score);
	bind_text(s, 15, p->extra);
	bind_text(s, 16, slot->source);
	bind_text(s, 17, slot->id);
	bind_text(s, 18, slot->informational);
	if ((rc = step(st, s, w->ctx, "storing an affected package")))
		return rc;
	k = ld_arena_memdup(&st->keys, key, sizeof(key));
	if (!k ||
	    ld_map_put(&st->affset, ld_slice_make(k, sizeof(key)), (void *)(intptr_t)w->feed, NULL))
		return st->broken = ld_error_set(w->ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

int ld_vdb_put_advisory(ld_vdb_writer *w, const ld_vdb_advisory *adv)
{
	ld_vdb_store *st = w->st;
	lading_ctx *ctx = w->ctx;
	ld_arena ar;
	prep_aff *pa = NULL;
	size_t npa = 0, klen, nal;
	adv_slot *slot;
	char *key = NULL;
	scored sc;
	const char *sev;
	int rc;

	if (!adv->source || !*adv->source || !adv->id || !*adv->id ||
	    strlen(adv->source) > W_MAX_ID || strlen(adv->id) > W_MAX_ID)
		return ld_error_set(ctx, LADING_EINVALID, "advisory without a valid source and ID");
	if (adv->naffected > W_MAX_AFFECTED)
		return ld_error_set(ctx, LADING_ELIMIT, "%s %s: %zu affected entries (limit %u)",
				    adv->source, adv->id, adv->naffected, W_MAX_AFFECTED);
	nal = adv->naliases + adv->nrelated + adv->nupstream;
	if (nal > W_MAX_ALIASES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s %s: %zu aliases (limit %u)",
				    adv->source, adv->id, nal, W_MAX_ALIASES);

	ld_arena_init(&ar, 0);
	if ((rc = prepare_affected(adv, &ar, &pa, &npa, ctx)))
		goto out;
	score_vector(adv->cvss_vector, adv->cvss_score, &sc, ctx, adv->source, adv->id);
	sev = norm_severity(adv->severity);
	klen = strlen(adv->source) + 1 + strlen(adv->id);

	pthread_mutex_lock(&st->lock);
	if (st->broken) {
		rc = st->broken;
		goto unlock;
	}
	{
		char kbuf[2 * W_MAX_ID + 2];
		memcpy(kbuf, adv->source, strlen(adv->source) + 1);
		memcpy(kbuf + strlen(adv->source) + 1, adv->id, strlen(adv->id));
		slot = ld_map_get(&st->advs, ld_slice_make(kbuf, klen));
		if (!slot) {
			sqlite3_stmt *s = st->st[S_ADV];
			key = ld_arena_memdup(&st->keys, kbuf, klen);
			slot = ld_arena_alloc(&st->keys, sizeof(*slot));
			if (!key || !slot) {
				rc = st->broken = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
				goto unlock;
			}
			sqlite3_bind_int64(s, 1, w->feed);
			bind_text(s, 2, adv->source);
			bind_text(s, 3, adv->id);
			bind_text(s, 4, adv->summary);
			bind_text(s, 5, adv->details);
			bind_text(s, 6, adv->published);
			bind_text(s, 7, adv->modified);
			bind_text(s, 8, adv->url);
			bind_text(s, 9, sev);
			bind_text(s, 10, raw_severity(adv->severity, adv->severity_raw, sev));
			bind_text(s, 11, sc.vector);
			bind_text(s, 12, sc.version[0] ? sc.version : NULL);
			bind_score(s, 13, sc.score);
			bind_text(s, 14,
				  adv->informational && *adv->informational ? adv->informational
									    : NULL);
			bind_text(s, 15, adv->extra_json);
			if ((rc = step(st, s, ctx, "storing an advisory")))
				goto unlock;
			slot->rowid = sqlite3_last_insert_rowid(st->db);
			slot->feed = w->feed;
			slot->source = ld_arena_strdup(&st->keys, adv->source);
			slot->id = ld_arena_strdup(&st->keys, adv->id);
			slot->informational =
				adv->informational && *adv->informational
					? ld_arena_strdup(&st->keys, adv->informational)
					: NULL;
			if (!slot->source || !slot->id) {
				rc = st->broken = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
				goto unlock;
			}
			if (ld_map_put(&st->advs, ld_slice_make(key, klen), slot, NULL)) {
				rc = st->broken = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
				goto unlock;
			}
		}
	}
	for (size_t i = 0; i < adv->naliases && !rc; i++)
		rc = put_alias(st, w, slot->rowid, adv->aliases[i], "alias");
	for (size_t i = 0; i < adv->nrelated && !rc; i++)
		rc = put_alias(st, w, slot->rowid, adv->related[i], "related");
	for (size_t i = 0; i < adv->nupstream && !rc; i++)
		rc = put_alias(st, w, slot->rowid, adv->upstream[i], "upstream");
	for (size_t i = 0; i < npa && !rc; i++)
		rc = put_affected_row(st, w, slot, &pa[i]);
unlock:
	pthread_mutex_unlock(&st->lock);
out:
	ld_arena_release(&ar);
	return rc;
}

/* ------------------------------------------------------------------ KEV, EPSS, NVD */

static bool valid_cve(const char *c)
{
	return c && *c && strlen(c) <= W_MAX_ID;
}

int ld_vdb_put_kev(ld_vdb_writer *w, const ld_vdb_kev *k)
{
	ld_vdb_store *st = w->st;
	sqlite3_stmt *s = st->st[S_KEV];
	int rc;
	if (!valid_cve(k->cve))
		return ld_error_set(w->ctx, LADING_EINVALID, "KEV entry without a valid CVE ID");
	pthread_mutex_lock(&st->lock);
	if (!(rc = st->broken)) {
		bind_text(s, 1, k->cve);
		sqlite3_bind_int64(s, 2, w->feed);
		bind_text(s, 3, k->vendor);
		bind_text(s, 4, k->product);
		bind_text(s, 5, k->name);
		bind_text(s, 6, k->date_added);
		bind_text(s, 7, k->due_date);
		bind_text(s, 8, k->required_action);
		bind_text(s, 9, k->ransomware);
		bind_text(s, 10, k->description);
		rc = step(st, s, w->ctx, "storing a KEV entry");
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int ld_vdb_put_epss(ld_vdb_writer *w, const char *cve, double score, double percentile)
{
	ld_vdb_store *st = w->st;
	sqlite3_stmt *s = st->st[S_EPSS];
	int rc;
	if (!valid_cve(cve))
		return ld_error_set(w->ctx, LADING_EINVALID, "EPSS row without a valid CVE ID");
	if (!(score >= 0 && score <= 1) || !(percentile >= 0 && percentile <= 1))
		return ld_error_set(w->ctx, LADING_EINVALID,
				    "%s: EPSS score or percentile outside [0,1]", cve);
	pthread_mutex_lock(&st->lock);
	if (!(rc = st->broken)) {
		bind_text(s, 1, cve);
		sqlite3_bind_int64(s, 2, w->feed);
		sqlite3_bind_double(s, 3, score);
		sqlite3_bind_double(s, 4, percentile);
		rc = step(st, s, w->ctx, "storing an EPSS score");
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int ld_vdb_put_nvd(ld_vdb_writer *w, const ld_vdb_nvd *n)
{
	ld_vdb_store *st = w->st;
	sqlite3_stmt *s = st->st[S_NVD];
	ld_slice key;
	int rc;
	if (!valid_cve(n->cve))
		return ld_error_set(w->ctx, LADING_EINVALID, "NVD item without a valid CVE ID");
	key = ld_slice_cstr(n->cve);
	pthread_mutex_lock(&st->lock);
	if ((rc = st->broken))
		goto unlock;
	if (ld_map_get(&st->nvd_seen, key)) {
		/* a newer item for this CVE (modified/recent feed): its CPE matches replace the old
		 * ones */
		sqlite3_stmt *d = st->st[S_CPE_DEL];
		bind_text(d, 1, n->cve);
		if ((rc = step(st, d, w->ctx, "replacing NVD CPE matches")))
			goto unlock;
	} else {
		char *k = ld_arena_strdup(&st->keys, n->cve);
		if (!k ||
		    ld_map_put(&st->nvd_seen, ld_slice_cstr(k), (void *)(intptr_t)w->feed, NULL)) {
			rc = st->broken = ld_error_set(w->ctx, LADING_ENOMEM, "out of memory");
			goto unlock;
		}
	}
	bind_text(s, 1, n->cve);
	sqlite3_bind_int64(s, 2, w->feed);
	bind_text(s, 3, n->published);
	bind_text(s, 4, n->modified);
	bind_text(s, 5, n->description);
	bind_text(s, 6, n->v3_vector);
	bind_score(s, 7, n->v3_vector ? n->v3_score : -1);
	bind_text(s, 8, n->v3_severity);
	bind_text(s, 9, n->v2_vector);
	bind_score(s, 10, n->v2_vector ? n->v2_score : -1);
	bind_text(s, 11, n->v2_severity);
	rc = step(st, s, w->ctx, "storing an NVD item");
unlock:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int ld_vdb_put_cpe_match(ld_vdb_writer *w, const ld_vdb_cpe_match *m)
{
	ld_vdb_store *st = w->st;
	sqlite3_stmt *s = st->st[S_CPE];
	int rc;
	if (!valid_cve(m->cve) || !m->cpe23 || !*m->cpe23)
		return ld_error_set(w->ctx, LADING_EINVALID,
				    "CPE match without a CVE ID or CPE name");
	pthread_mutex_lock(&st->lock);
	if (!(rc = st->broken)) {
		bind_text(s, 1, m->cve);
		sqlite3_bind_int64(s, 2, ++st->cpe_seq);
		sqlite3_bind_int64(s, 3, w->feed);
		bind_text(s, 4, m->cpe23);
		bind_text(s, 5, m->part);
		bind_text(s, 6, m->vendor);
		bind_text(s, 7, m->product);
		bind_text(s, 8, m->version);
		bind_text(s, 9, m->start_incl);
		bind_text(s, 10, m->start_excl);
		bind_text(s, 11, m->end_incl);
		bind_text(s, 12, m->end_excl);
		rc = step(st, s, w->ctx, "storing an NVD CPE match");
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------ carry-over, finish */

static int exec_bind(ld_vdb_store *st, const char *sql, int64_t a, int64_t b, int64_t c,
		     const char *what)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return ld_vdb_sql_fail(st->db, rc, st->ctx, what);
	/* parameters not in the statement are ignored by SQLite (bind returns SQLITE_RANGE) */
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	sqlite3_bind_int64(s, 3, c);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ld_vdb_sql_fail(st->db, rc, st->ctx, what);
	return 0;
}

static int64_t query_i64(ld_vdb_store *st, const char *sql, int64_t a, int64_t def)
{
	sqlite3_stmt *s;
	int64_t v = def;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return def;
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Make the carried rows known to the merge maps, as if they had been put. */
static int register_carried(ld_vdb_store *st, int64_t feed)
{
	sqlite3_stmt *s;
	ld_buf tmp = LD_BUF_INIT;
	int rc = 0, r;

	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT id, source, advisory, informational FROM advisories WHERE feed = ?1",
		    -1, &s, NULL) != SQLITE_OK)
		return ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, "carrying a feed over");
	sqlite3_bind_int64(s, 1, feed);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(s, 1),
			   *id = (const char *)sqlite3_column_text(s, 2);
		size_t ls = src ? strlen(src) : 0, li = id ? strlen(id) : 0;
		char *key = ld_arena_alloc(&st->keys, ls + li + 2); /* "source\0id\0" */
		adv_slot *slot = ld_arena_alloc(&st->keys, sizeof(*slot));
		if (!key || !slot) {
			rc = ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
			break;
		}
		if (ls)
			memcpy(key, src, ls);
		if (li)
			memcpy(key + ls + 1, id, li);
		slot->rowid = sqlite3_column_int64(s, 0);
		slot->feed = feed;
		slot->source = key;
		slot->id = key + ls + 1;
		if (sqlite3_column_type(s, 3) != SQLITE_NULL &&
		    !(slot->informational = ld_arena_strdup(
			      &st->keys, (const char *)sqlite3_column_text(s, 3)))) {
			rc = ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
			break;
		}
		slot->next_seq = 1u << 20; /* above any carried seq of this advisory */
		if (ld_map_put(&st->advs, ld_slice_make(key, ls + li + 1), slot, NULL)) {
			rc = ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT advisory, ecosystem, package, ranges, versions, status, severity, purl"
		    " FROM temp.affected_load WHERE feed = ?1",
		    -1, &s, NULL) != SQLITE_OK)
		return ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, "carrying a feed over");
	sqlite3_bind_int64(s, 1, feed);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		prep_aff p = {0};
		unsigned char key[24];
		int64_t rowid = sqlite3_column_int64(s, 0);
		char *k;
		p.eco = (const char *)sqlite3_column_text(s, 1);
		p.pkg = (const char *)sqlite3_column_text(s, 2);
		p.ranges = (const char *)sqlite3_column_text(s, 3);
		p.versions = (const char *)sqlite3_column_text(s, 4);
		p.status = (const char *)sqlite3_column_text(s, 5);
		p.sev = (const char *)sqlite3_column_text(s, 6);
		p.purl = (const char *)sqlite3_column_text(s, 7);
		hash_entry(&p, &tmp);
		memcpy(key, &rowid, 8);
		memcpy(key + 8, &p.h1, 8);
		memcpy(key + 16, &p.h2, 8);
		k = ld_arena_memdup(&st->keys, key, sizeof(key));
		if (!k || ld_map_put(&st->affset, ld_slice_make(k, sizeof(key)),
				     (void *)(intptr_t)feed, NULL)) {
			rc = ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
			break;
		}
	}
	sqlite3_finalize(s);
	ld_buf_release(&tmp);
	return rc;
}

static int carry_rows(ld_vdb_store *st, int64_t pf, int64_t nf)
{
	static const char *const copy[] = {
		"INSERT INTO main.advisories SELECT id + ?3, ?2, source, advisory, summary, "
		"details, published,"
		" modified, url, severity, severity_raw, cvss_vector, cvss_version, cvss_score, "
		"informational, extra"
		" FROM prev.advisories WHERE feed = ?1",
		"INSERT OR IGNORE INTO main.aliases SELECT advisory + ?3, alias, kind, ?2 FROM "
		"prev.aliases"
		" WHERE feed = ?1 AND advisory IN (SELECT id FROM prev.advisories WHERE feed = ?1)",
		"INSERT INTO temp.affected_load SELECT ecosystem, package, advisory + ?3, seq, ?2, "
		"source,"
		" advisory_id, informational, name, purl, ranges, versions, status, severity, "
		"severity_raw,"
		" cvss_vector, cvss_score, extra FROM prev.affected"
		" WHERE feed = ?1 AND advisory IN (SELECT id FROM prev.advisories WHERE feed = ?1)",
		"INSERT OR REPLACE INTO main.kev SELECT cve, ?2, vendor, product, name, "
		"date_added, due_date,"
		" required_action, ransomware, description FROM prev.kev WHERE feed = ?1",
		"INSERT OR REPLACE INTO main.epss SELECT cve, ?2, score, percentile FROM prev.epss "
		"WHERE feed = ?1",
		"INSERT OR REPLACE INTO main.nvd SELECT cve, ?2, published, modified, description, "
		"v3_vector,"
		" v3_score, v3_severity, v2_vector, v2_score, v2_severity FROM prev.nvd WHERE feed "
		"= ?1",
		"INSERT OR REPLACE INTO main.cpe_match SELECT cve, seq + ?3, ?2, cpe23, part, "
		"vendor, product,"
		" version, start_incl, start_excl, end_incl, end_excl FROM prev.cpe_match WHERE "
		"feed = ?1",
	};
	int64_t adv_off = query_i64(st, "SELECT MAX(id) FROM main.advisories", 0, 0);
	int64_t cpe_off = st->cpe_seq;
	int rc;
	for (size_t i = 0; i < LD_ARRAY_LEN(copy); i++) {
		int64_t off = i == LD_ARRAY_LEN(copy) - 1 ? cpe_off : adv_off;
		if ((rc = exec_bind(st, copy[i], pf, nf, off, "carrying a feed over")))
			return rc;
	}
	st->cpe_seq = query_i64(st, "SELECT MAX(seq) FROM main.cpe_match", 0, st->cpe_seq);
	return register_carried(st, nf);
}

int ld_vdb_store_carry_over(ld_vdb_store *st, const char *prev_path, const char *feed,
			    const char *why, ld_vdb_import_result *res)
{
	return ld_vdb_store_carry_over_as(st, prev_path, feed, why, "carried", res);
}

/* A feed's row in the previous database. */
typedef struct prev_feed {
	int64_t id, rec, skipped, withdrawn;
	char snapshot[64], origin[1024], imported[64];
} prev_feed;

static void column_copy(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const char *v = (const char *)sqlite3_column_text(s, col);
	ld_strlcpy(dst, v ? v : "", n);
}

/* The feed's row in the previous database, when it was imported there (or carried). */
static int read_prev_feed(ld_vdb_store *st, const char *prev_path, const char *feed, prev_feed *pf)
{
	sqlite3_stmt *s = NULL;

	memset(pf, 0, sizeof(*pf));
	pf->id = -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, snapshot, origin, imported_at, records, skipped, "
			       "withdrawn FROM prev.feeds"
			       " WHERE name = ?1 AND status IN ('ok', 'carried')",
			       -1, &s, NULL) != SQLITE_OK)
		return ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, prev_path);
	bind_text(s, 1, feed);
	if (sqlite3_step(s) == SQLITE_ROW) {
		pf->id = sqlite3_column_int64(s, 0);
		column_copy(pf->snapshot, sizeof(pf->snapshot), s, 1);
		column_copy(pf->origin, sizeof(pf->origin), s, 2);
		column_copy(pf->imported, sizeof(pf->imported), s, 3);
		pf->rec = sqlite3_column_int64(s, 4);
		pf->skipped = sqlite3_column_int64(s, 5);
		pf->withdrawn = sqlite3_column_int64(s, 6);
	}
	sqlite3_finalize(s);
	if (pf->id < 0)
		return ld_error_set(st->ctx, LADING_ENOTFOUND, "%s: the previous database has no data for feed %s",
				    prev_path, feed);
	return 0;
}

/* The feed's row in this build: the row of a feed that failed in it, else a new one. */
static int feed_row(ld_vdb_store *st, const char *feed, const char *status, const char *imported, int64_t *nf)
{
	sqlite3_stmt *s = NULL;

	*nf = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM main.feeds WHERE name = ?1", -1, &s, NULL) ==
	    SQLITE_OK) {
		bind_text(s, 1, feed);
		*nf = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
		sqlite3_finalize(s);
		s = NULL;
	}
	if (*nf >= 0)
		return 0;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO feeds(name, status, imported_at) VALUES(?1, "
			       "?3, ?2)",
			       -1, &s, NULL) != SQLITE_OK)
		return ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, "carrying a feed over");
	bind_text(s, 1, feed);
	bind_text(s, 2, imported);
	bind_text(s, 3, status);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, "carrying a feed over");
	}
	sqlite3_finalize(s);
	*nf = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* The feed's row takes the previous one's facts, with this status and why. */
static int update_feed_row(ld_vdb_store *st, int64_t nf, const prev_feed *pf, const char *why,
			   const char *status)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db,
			       "UPDATE feeds SET status=?9, origin=?2, snapshot=?3, "
			       "imported_at=?4, records=?5,"
			       " skipped=?6, withdrawn=?7, message=?8 WHERE id=?1",
			       -1, &s, NULL) != SQLITE_OK)
		return ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, "carrying a feed over");
	sqlite3_bind_int64(s, 1, nf);
	bind_text(s, 2, pf->origin[0] ? pf->origin : NULL);
	bind_text(s, 3, pf->snapshot[0] ? pf->snapshot : NULL);
	bind_text(s, 4, pf->imported[0] ? pf->imported : st->imported_at);
	sqlite3_bind_int64(s, 5, pf->rec);
	sqlite3_bind_int64(s, 6, pf->skipped);
	sqlite3_bind_int64(s, 7, pf->withdrawn);
	bind_text(s, 8, why);
	bind_text(s, 9, status);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ld_vdb_sql_fail(st->db, SQLITE_ERROR, st->ctx, "carrying a feed over");
	sqlite3_finalize(s);
	return rc;
}

/* Inside the transaction, with the previous database attached: the feed's row, then its data. */
static int carry_feed(ld_vdb_store *st, const char *prev_path, const char *feed, const char *why,
		      const char *status, ld_vdb_import_result *res)
{
	prev_feed pf;
	int64_t nf;
	int rc;

	if ((rc = read_prev_feed(st, prev_path, feed, &pf)) || (rc = feed_row(st, feed, status, pf.imported, &nf)) ||
	    (rc = update_feed_row(st, nf, &pf, why, status)) || (rc = carry_rows(st, pf.id, nf)))
		return rc;
	if (res) {
		memset(res, 0, sizeof(*res));
		res->records = (size_t)pf.rec;
		res->skipped = (size_t)pf.skipped;
		res->withdrawn = (size_t)pf.withdrawn;
		ld_strlcpy(res->snapshot, pf.snapshot, sizeof(res->snapshot));
	}
	return 0;
}

int ld_vdb_store_carry_over_as(ld_vdb_store *st, const char *prev_path, const char *feed,
			       const char *why, const char *status, ld_vdb_import_result *res)
{
	char uri[8300], *sql = NULL;
	int rc, attached = 0;

	if ((rc = ld_vdb_sql_uri(uri, sizeof(uri), prev_path, "mode=ro")))
		return ld_error_set(st->ctx, rc, "%s: path too long", prev_path);
	pthread_mutex_lock(&st->lock);
	if ((rc = st->broken))
		goto out;
	/* ATTACH is not allowed inside a transaction; with no journal a COMMIT only writes pages */
	if ((rc = ld_vdb_sql_exec(st->db, "COMMIT", st->ctx, "carrying a feed over")))
		goto broken;
	sql = sqlite3_mprintf("ATTACH DATABASE %Q AS prev", uri);
	if (!sql || (rc = ld_vdb_sql_exec(st->db, sql, st->ctx, prev_path))) {
		rc = rc ? rc : ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
		goto reopen;
	}
	attached = 1;
	if (query_i64(st,
		      "SELECT CAST(value AS INTEGER) FROM prev.meta WHERE key = 'schema_version'",
		      0, -1) != LD_VDB_SCHEMA_VERSION) {
		rc = ld_error_set(
			st->ctx, LADING_EUNSUPPORTED,
			"%s: previous database has another schema version; nothing carried over",
			prev_path);
		goto reopen;
	}
	if ((rc = ld_vdb_sql_exec(st->db, "BEGIN", st->ctx, "carrying a feed over")))
		goto broken;
	rc = carry_feed(st, prev_path, feed, why, status, res);
	if (ld_vdb_sql_exec(st->db, "COMMIT", st->ctx, "carrying a feed over") && !rc)
		rc = LADING_EDB;
reopen:
	if (attached &&
	    ld_vdb_sql_exec(st->db, "DETACH DATABASE prev", st->ctx, "carrying a feed over") && !rc)
		rc = LADING_EDB;
	if (ld_vdb_sql_exec(st->db, "BEGIN", st->ctx, "carrying a feed over"))
		goto broken;
	goto out;
broken:
	st->broken = rc ? rc : LADING_EDB;
	rc = st->broken;
out:
	sqlite3_free(sql);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static void put_uvarint(ld_buf *b, uint64_t v)
{
	unsigned char t[LD_UVARINT_MAX];
	ld_buf_add(b, t, ld_uvarint_put(t, v));
}

static void put_le64(ld_buf *b, uint64_t v)
{
	unsigned char t[8];
	ld_le64_put(t, v);
	ld_buf_add(b, t, 8);
}

static int flush_packed(ld_vdb_store *st, sqlite3_stmt *ins, const char *eco, const char *pkg,
			int64_t n, const ld_buf *b)
{
	int rc;
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, eco, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, pkg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, n);
	sqlite3_bind_blob(ins, 4, b->ptr, (int)b->len, SQLITE_STATIC);
	rc = sqlite3_step(ins);
	return rc == SQLITE_DONE ? 0 : ld_vdb_sql_fail(st->db, rc, st->ctx, "packing the affected entries");
}

/* affected_packed from affected (schema.h): one row per (ecosystem, package). */
static int pack_affected(ld_vdb_store *st)
{
	/* columns in LD_VDB_PK_* order after the key, advisory and score */
	static const char sel_sql[] =
		"SELECT ecosystem, package, advisory, cvss_score, source, advisory_id, informational, "
		"name, purl, status, severity, severity_raw, cvss_vector, extra, ranges, versions"
		" FROM affected ORDER BY ecosystem, package, advisory, seq";
	sqlite3_stmt *sel = NULL, *ins = NULL;
	ld_buf b = LD_BUF_INIT, eco = LD_BUF_INIT, pkg = LD_BUF_INIT;
	int64_t n = 0;
	int rc, r;

	b.max = LD_VDB_PACKED_MAX;
	if ((r = sqlite3_prepare_v2(st->db, sel_sql, -1, &sel, NULL)) != SQLITE_OK ||
	    (r = sqlite3_prepare_v2(st->db,
				    "INSERT INTO affected_packed(ecosystem, package, entries, data)"
				    " VALUES (?1, ?2, ?3, ?4)",
				    -1, &ins, NULL)) != SQLITE_OK) {
		rc = ld_vdb_sql_fail(st->db, r, st->ctx, "packing the affected entries");
		goto out;
	}
	rc = 0;
	while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(sel, 0),
			   *p = (const char *)sqlite3_column_text(sel, 1);
		double score;
		if (!e || !p)
			continue;
		if (n && (strcmp(e, ld_buf_cstr(&eco)) || strcmp(p, ld_buf_cstr(&pkg)))) {
			if ((rc = flush_packed(st, ins, ld_buf_cstr(&eco), ld_buf_cstr(&pkg), n, &b)))
				goto out;
			n = 0;
		}
		if (!n) {
			ld_buf_clear(&b);
			ld_buf_clear(&eco);
			ld_buf_clear(&pkg);
			ld_buf_adds(&eco, e);
			ld_buf_adds(&pkg, p);
		}
		put_le64(&b, (uint64_t)sqlite3_column_int64(sel, 2));
		if (sqlite3_column_type(sel, 3) == SQLITE_NULL) {
			ld_buf_addc(&b, 0);
		} else {
			uint64_t bits;
			score = sqlite3_column_double(sel, 3);
			memcpy(&bits, &score, sizeof(bits));
			ld_buf_addc(&b, 1);
			put_le64(&b, bits);
		}
		for (int k = 0; k < LD_VDB_PACKED_TEXTS; k++) {
			const char *t = (const char *)sqlite3_column_text(sel, 4 + k);
			size_t len = t ? (size_t)sqlite3_column_bytes(sel, 4 + k) : 0;
			put_uvarint(&b, t ? (uint64_t)len + 1 : 0);
			if (t) {
				ld_buf_add(&b, t, len);
				ld_buf_addc(&b, 0);
			}
		}
		n++;
		if ((rc = ld_buf_error(&b)) || (rc = ld_buf_error(&eco)) || (rc = ld_buf_error(&pkg))) {
			rc = ld_error_set(st->ctx, rc,
					  rc == LADING_ELIMIT ? "affected entries of %s %s exceed %zu bytes"
							      : "out of memory packing %s %s",
					  e, p, LD_VDB_PACKED_MAX);
			goto out;
		}
	}
	if (r != SQLITE_DONE) {
		rc = ld_vdb_sql_fail(st->db, r, st->ctx, "packing the affected entries");
		goto out;
	}
	if (n)
		rc = flush_packed(st, ins, ld_buf_cstr(&eco), ld_buf_cstr(&pkg), n, &b);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	ld_buf_release(&b);
	ld_buf_release(&eco);
	ld_buf_release(&pkg);
	return rc;
}

int ld_vdb_store_finish(ld_vdb_store *st)
{
	char meta[512], built[32];
	int rc;

	pthread_mutex_lock(&st->lock);
	if ((rc = st->broken))
		goto out;
	if ((rc = ld_vdb_sql_exec(st->db, unstage_sql, st->ctx, "sorting the affected entries")) ||
	    (rc = ld_vdb_sql_exec(st->db, recount_sql, st->ctx, "counting the feeds' records")) ||
	    (rc = pack_affected(st)) ||
	    (rc = ld_vdb_sql_exec(st->db, ld_vdb_schema_indexes, st->ctx,
				  "creating the database indexes")))
		goto out;
	now_rfc3339(built);
	ld_snprintf(meta, sizeof(meta),
		    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '%d'),"
		    " ('built_at', '%s'), ('built_epoch', '%lld'), ('lading_version', '%s');",
		    LD_VDB_SCHEMA_VERSION, built, (long long)time(NULL), LADING_VERSION);
	if ((rc = ld_vdb_sql_exec(st->db, meta, st->ctx, "writing the database metadata")))
		goto out;
	if ((rc = ld_vdb_sql_exec(st->db, "COMMIT", st->ctx, "committing the database")))
		goto out;
	for (int i = 0; i < S_N; i++) {
		sqlite3_finalize(st->st[i]);
		st->st[i] = NULL;
	}
	rc = sqlite3_close(st->db);
	st->db = NULL;
	if (rc != SQLITE_OK)
		rc = ld_error_set(st->ctx, LADING_EIO, "closing the database failed: %s",
				  sqlite3_errstr(rc));
out:
	if (rc)
		st->broken = rc;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

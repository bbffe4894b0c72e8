/* Read side of the vulnerability database (query.h). Prepared statements are made on first use
 * and kept on the handle; every lookup is one probe of a primary key or index. */
#include <sqlite3.h>

#include "util/common.h"
#include "util/json.h"
#include "util/varint.h"
#include "vulndb/query.h"
#include "vulndb/schema.h"

/* Named limits on what a (possibly damaged or hostile) database file may hand back. */
#define Q_MAX_ROWS 1000000u		    /* rows one query returns */
#define Q_MAX_RANGE_JSON ((size_t)16 << 20) /* encoded ranges/versions of one entry */
#define Q_JSON_DEPTH 8u			    /* our encodings nest 4 deep */
#define Q_MMAP_BYTES ((int64_t)1 << 30)

enum {
	Q_AFFECTED,
	Q_ADVISORY,
	Q_ALIASES,
	Q_FIND,
	Q_KEV,
	Q_EPSS,
	Q_NVD,
	Q_CPE,
	Q_ECOS,
	Q_META,
	Q_FEEDS,
	Q_COUNTS,
	Q_N
};

static const char *const q_sql[Q_N] = {
	[Q_AFFECTED] = "SELECT entries, data FROM affected_packed WHERE ecosystem = ?1 AND package = ?2",
	[Q_ADVISORY] =
		"SELECT v.source, v.advisory, f.name, v.summary, v.details, v.published, "
		"v.modified, v.url,"
		" v.severity, v.severity_raw, v.cvss_vector, v.cvss_version, v.cvss_score, "
		"v.informational,"
		" v.extra FROM advisories v LEFT JOIN feeds f ON f.id = v.feed WHERE v.id = ?1",
	[Q_ALIASES] = "SELECT alias, kind FROM aliases WHERE advisory = ?1"
		      " ORDER BY alias NOT LIKE 'CVE-%', alias",
	[Q_FIND] = "SELECT id FROM advisories WHERE advisory = ?1 AND (?2 IS NULL OR source = ?2)"
		   " UNION SELECT a.advisory FROM aliases a JOIN advisories v ON v.id = a.advisory"
		   " WHERE a.alias = ?1 AND (?2 IS NULL OR v.source = ?2) ORDER BY 1",
	[Q_KEV] = "SELECT vendor, product, name, date_added, due_date, required_action, "
		  "ransomware, description"
		  " FROM kev WHERE cve = ?1",
	[Q_EPSS] = "SELECT score, percentile FROM epss WHERE cve = ?1",
	[Q_NVD] = "SELECT published, modified, description, v3_vector, v3_score, v3_severity, "
		  "v2_vector, v2_score,"
		  " v2_severity FROM nvd WHERE cve = ?1",
	[Q_CPE] = "SELECT cve, cpe23, part, vendor, product, version, start_incl, start_excl, "
		  "end_incl, end_excl"
		  " FROM cpe_match WHERE vendor = ?1 AND product = ?2 ORDER BY cve, seq",
	[Q_ECOS] = "SELECT DISTINCT ecosystem FROM stats ORDER BY ecosystem",
	[Q_META] = "SELECT key, value FROM meta",
	[Q_FEEDS] = "SELECT name, status, origin, snapshot, imported_at, message, records, "
		    "skipped, withdrawn"
		    " FROM feeds ORDER BY name",
	[Q_COUNTS] = "SELECT feed, ecosystem, advisories, packages, affected FROM stats ORDER BY "
		     "feed, ecosystem",
};

struct ld_vdb {
	sqlite3 *db;
	sqlite3_stmt *st[Q_N];
	char path[512];
};

static int fail(ld_vdb *db, int rc, lading_ctx *ctx)
{
	char what[600];
	ld_snprintf(what, sizeof(what), "vulnerability database %s", db->path);
	return ld_vdb_sql_fail(db->db, rc, ctx, what);
}

static int stmt(ld_vdb *db, int which, sqlite3_stmt **out, lading_ctx *ctx)
{
	int rc;
	if (!db->st[which]) {
		rc = sqlite3_prepare_v3(db->db, q_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
					&db->st[which], NULL);
		if (rc != SQLITE_OK)
			return fail(db, rc, ctx);
	}
	*out = db->st[which];
	return 0;
}

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Copy a text column into the arena; NULL stays NULL. */
static const char *col(sqlite3_stmt *s, int i, ld_arena *a, int *err)
{
	const unsigned char *t;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(s, i);
	if (!t)
		return NULL;
	{
		char *c = ld_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
		if (!c)
			*err = LADING_ENOMEM;
		return c;
	}
}

static double col_score(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1.0 : sqlite3_column_double(s, i);
}

int ld_vdb_open(ld_vdb **out, const char *path, lading_ctx *ctx)
{
	ld_vdb *db;
	char uri[8300];
	struct stat sb;
	sqlite3_stmt *s = NULL;
	int rc, version = -1;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return ld_error_set(ctx, LADING_ENOTFOUND,
					    "no vulnerability database at %s (run 'lading db "
					    "build' or 'lading db update')",
					    path);
		return ld_error_set(ctx, LADING_EIO, "%s: %s", path, strerror(errno));
	}
	/* immutable: the file is never changed in place (updates rename a new file over it) */
	if ((rc = ld_vdb_sql_uri(uri, sizeof(uri), path, "mode=ro&immutable=1")))
		return ld_error_set(ctx, rc, "%s: path too long", path);
	db = calloc(1, sizeof(*db));
	if (!db)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_strlcpy(db->path, path, sizeof(db->path));
	rc = sqlite3_open_v2(uri, &db->db,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(db, rc, ctx);
		goto fail;
	}
	{
		char pragma[64];
		ld_snprintf(pragma, sizeof(pragma), "PRAGMA mmap_size=%lld",
			    (long long)Q_MMAP_BYTES);
		sqlite3_exec(db->db, pragma, NULL, NULL, NULL); /* an optimization only */
	}
	rc = sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
				&s, NULL);
	if (rc != SQLITE_OK) {
		rc = ld_error_set(ctx, LADING_EDB, "%s is not a lading vulnerability database (%s)",
				  path, sqlite3_errmsg(db->db));
		goto fail;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version != LD_VDB_SCHEMA_VERSION) {
		/* the only LADING_EUNSUPPORTED of a scan (lading_scan_run, scan.h): scan rebuilds on it */
		rc = ld_error_set(ctx, LADING_EUNSUPPORTED,
				  "%s has database schema version %d, this lading reads version "
				  "%d: run 'lading db build'"
				  " or 'lading db update'",
				  path, version, LD_VDB_SCHEMA_VERSION);
		goto fail;
	}
	*out = db;
	return 0;
fail:
	ld_vdb_close(db);
	return rc;
}

void ld_vdb_close(ld_vdb *db)
{
	if (!db)
		return;
	for (int i = 0; i < Q_N; i++)
		sqlite3_finalize(db->st[i]);
	sqlite3_close_v2(db->db);
	free(db);
}

/* Grow an arena array (doubling; the old copy stays in the arena until it is released). */
static void *grow(ld_arena *a, void *arr, size_t *cap, size_t len, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *n;
	if (len < *cap)
		return arr;
	n = ld_arena_array(a, ncap, elem);
	if (!n)
		return NULL;
	if (len)
		memcpy(n, arr, len * elem);
	*cap = ncap;
	return n;
}

/* ---- fast decoding of the writer's own encodings (docs/vulndb.md, "range encoding") ----
 * The writer emits compact JSON of one fixed shape; this reads that shape in place, in a copy of
 * the column made for the caller (strings are cut out by writing a NUL over their closing quote),
 * without building a tree or allocating per string. Anything else (a backslash escape, another
 * layout, more than FAST_MAX_* items) makes it return -1 and the caller falls back to the general
 * JSON reader on a fresh copy, so a database written by another tool still reads correctly. */
#define FAST_MAX_RANGES 32
#define FAST_MAX_EVENTS 256

typedef struct fcur {
	char *p, *end;
} fcur;

static bool fc_lit(fcur *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

/* A string without escapes, NUL-terminated in place. */
static bool fc_str(fcur *c, const char **s)
{
	char *q;
	if (c->p >= c->end || *c->p != '"')
		return false;
	for (q = c->p + 1; q < c->end && *q != '"'; q++)
		if (*q == '\\')
			return false;
	if (q >= c->end)
		return false;
	*q = '\0';
	*s = c->p + 1;
	c->p = q + 1;
	return true;
}

static int fast_ranges(char *txt, size_t len, ld_arena *a, ld_vdb_q_affected *e)
{
	ld_vdb_range rs[FAST_MAX_RANGES];
	ld_vdb_event ev[FAST_MAX_EVENTS];
	size_t nr = 0, nev = 0, first[FAST_MAX_RANGES];
	fcur c = {txt, txt + len};
	ld_vdb_range *outr;
	ld_vdb_event *oute;

	if (!fc_lit(&c, "["))
		return -1;
	if (fc_lit(&c, "]"))
		goto done;
	for (;;) {
		ld_vdb_range *r;
		if (nr >= FAST_MAX_RANGES || !fc_lit(&c, "{\"type\":"))
			return -1;
		r = &rs[nr];
		memset(r, 0, sizeof(*r));
		first[nr++] = nev;
		if (!fc_str(&c, &r->type))
			return -1;
		if (fc_lit(&c, ",\"custom\":true"))
			r->custom = true;
		if (!fc_lit(&c, ",\"events\":["))
			return -1;
		if (!fc_lit(&c, "]")) {
			for (;;) {
				if (nev >= FAST_MAX_EVENTS || !fc_lit(&c, "{") ||
				    !fc_str(&c, &ev[nev].kind) || !fc_lit(&c, ":") ||
				    !fc_str(&c, &ev[nev].version) || !fc_lit(&c, "}"))
					return -1;
				nev++;
				r->nevents++;
				if (fc_lit(&c, "]"))
					break;
				if (!fc_lit(&c, ","))
					return -1;
			}
		}
		if (!fc_lit(&c, "}"))
			return -1;
		if (fc_lit(&c, "]"))
			break;
		if (!fc_lit(&c, ","))
			return -1;
	}
done:
	if (c.p != c.end)
		return -1;
	outr = ld_arena_alloc(a, nr * sizeof(*outr) + nev * sizeof(*oute));
	if (!outr)
		return -1;
	oute = (ld_vdb_event *)(outr + nr);
	if (nev)
		memcpy(oute, ev, nev * sizeof(*oute));
	for (size_t i = 0; i < nr; i++) {
		outr[i] = rs[i];
		outr[i].events = oute + first[i];
	}
	e->ranges = outr;
	e->nranges = nr;
	return 0;
}

static int fast_versions(char *txt, size_t len, ld_arena *a, ld_vdb_q_affected *e)
{
	fcur c = {txt, txt + len};
	size_t cap = 1, n = 0;
	const char **vs;
	/* an upper bound of the count: one more than the commas */
	for (size_t i = 0; i < len; i++)
		cap += txt[i] == ',';
	if (!fc_lit(&c, "["))
		return -1;
	vs = ld_arena_array(a, cap, sizeof(*vs));
	if (!vs)
		return -1;
	if (!fc_lit(&c, "]")) {
		for (;;) {
			if (n >= cap || !fc_str(&c, &vs[n++]))
				return -1;
			if (fc_lit(&c, "]"))
				break;
			if (!fc_lit(&c, ","))
				return -1;
		}
	}
	if (c.p != c.end)
		return -1;
	e->versions = vs;
	e->nversions = n;
	return 0;
}

static int decode_ranges(const char *txt, size_t len, char *copy, ld_arena *a, ld_vdb_q_affected *e,
			 lading_ctx *ctx)
{
	ld_json *v;
	ld_json_limits lim = {.max_depth = Q_JSON_DEPTH, .max_arena = 0};
	ld_vdb_range *r;
	size_t n = 0;
	int rc;

	if (len > Q_MAX_RANGE_JSON)
		return ld_error_set(ctx, LADING_ELIMIT, "database entry with oversized ranges");
	if (copy && fast_ranges(copy, len, a, e) == 0)
		return 0;
	if (a->err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if ((rc = ld_json_parse(&v, a, txt, len, &lim, ctx, "stored ranges")))
		return rc;
	if (!ld_json_is(v, LD_JSON_ARRAY))
		return ld_error_set(ctx, LADING_EDB, "stored ranges are not a JSON array");
	r = v->n ? ld_arena_array(a, v->n, sizeof(*r)) : NULL;
	if (v->n && !r)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < v->n; i++) {
		const ld_json *jr = &v->u.items[i], *evs = ld_json_get(jr, "events");
		ld_vdb_event *ev;
		size_t ne = 0;
		r[n].type = ld_json_get_str(jr, "type");
		r[n].custom = ld_json_bool(ld_json_get(jr, "custom"), false);
		ev = ld_json_len(evs) ? ld_arena_array(a, ld_json_len(evs), sizeof(*ev)) : NULL;
		if (ld_json_len(evs) && !ev)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		for (uint32_t k = 0; ld_json_is(evs, LD_JSON_ARRAY) && k < evs->n; k++) {
			const ld_json *o = &evs->u.items[k];
			if (!ld_json_is(o, LD_JSON_OBJECT) || o->n != 1 ||
			    !ld_json_is(&o->u.members[0].value, LD_JSON_STRING))
				continue;
			ev[ne].kind = o->u.members[0].key;
			ev[ne].version = o->u.members[0].value.u.s;
			ne++;
		}
		if (!r[n].type)
			continue;
		r[n].events = ev;
		r[n].nevents = ne;
		n++;
	}
	e->ranges = r;
	e->nranges = n;
	return 0;
}

static int decode_versions(const char *txt, size_t len, char *copy, ld_arena *a,
			   ld_vdb_q_affected *e, lading_ctx *ctx)
{
	ld_json *v;
	ld_json_limits lim = {.max_depth = Q_JSON_DEPTH, .max_arena = 0};
	const char **vs;
	size_t n = 0;
	int rc;

	if (len > Q_MAX_RANGE_JSON)
		return ld_error_set(ctx, LADING_ELIMIT,
				    "database entry with oversized version list");
	if (copy && fast_versions(copy, len, a, e) == 0)
		return 0;
	if (a->err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if ((rc = ld_json_parse(&v, a, txt, len, &lim, ctx, "stored versions")))
		return rc;
	if (!ld_json_is(v, LD_JSON_ARRAY))
		return ld_error_set(ctx, LADING_EDB, "stored versions are not a JSON array");
	vs = v->n ? ld_arena_array(a, v->n, sizeof(*vs)) : NULL;
	if (v->n && !vs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < v->n; i++)
		if (ld_json_is(&v->u.items[i], LD_JSON_STRING))
			vs[n++] = v->u.items[i].u.s;
	e->versions = vs;
	e->nversions = n;
	return 0;
}

/* One packed entry (schema.h) at *p of the arena copy `cp` whose original (for the JSON
 * fallback, which needs the text uncut) is at the same offset of `orig`. */
static int unpack_entry(const unsigned char **p, const unsigned char *end, const unsigned char *cp,
			const unsigned char *orig, ld_arena *a, ld_vdb_q_affected *e, lading_ctx *ctx)
{
	const char **dst[LD_VDB_PACKED_TEXTS] = {
		[LD_VDB_PK_SOURCE] = &e->source,	 [LD_VDB_PK_ADVISORY_ID] = &e->id,
		[LD_VDB_PK_INFORMATIONAL] = &e->informational, [LD_VDB_PK_NAME] = &e->name,
		[LD_VDB_PK_PURL] = &e->purl,		 [LD_VDB_PK_STATUS] = &e->status,
		[LD_VDB_PK_SEVERITY] = &e->severity,	 [LD_VDB_PK_SEVERITY_RAW] = &e->severity_raw,
		[LD_VDB_PK_CVSS_VECTOR] = &e->cvss_vector, [LD_VDB_PK_EXTRA] = &e->extra_json,
	};
	const unsigned char *q = *p;
	size_t toff[LD_VDB_PACKED_TEXTS], tlen[LD_VDB_PACKED_TEXTS];
	bool tnull[LD_VDB_PACKED_TEXTS];
	int rc;

	if (end - q < 9)
		return LADING_EDB;
	e->advisory = (int64_t)ld_le64_get(q);
	q += 8;
	if (*q++ & 1) {
		uint64_t bits;
		double d;
		if (end - q < 8)
			return LADING_EDB;
		bits = ld_le64_get(q);
		memcpy(&d, &bits, sizeof(d));
		e->cvss_score = d;
		q += 8;
	} else {
		e->cvss_score = -1.0;
	}
	for (int k = 0; k < LD_VDB_PACKED_TEXTS; k++) {
		uint64_t v;
		if (!ld_uvarint_get(&q, end, &v))
			return LADING_EDB;
		tnull[k] = v == 0;
		if (!v)
			continue;
		/* the bytes, then the NUL the writer put after them */
		if (v - 1 >= (uint64_t)(end - q) || q[v - 1] != '\0')
			return LADING_EDB;
		toff[k] = (size_t)(q - cp);
		tlen[k] = (size_t)(v - 1);
		if (dst[k])
			*dst[k] = (const char *)q; /* NUL-terminated in the copy */
		q += v;
	}
	if ((!tnull[LD_VDB_PK_RANGES] && tlen[LD_VDB_PK_RANGES] > Q_MAX_RANGE_JSON) ||
	    (!tnull[LD_VDB_PK_VERSIONS] && tlen[LD_VDB_PK_VERSIONS] > Q_MAX_RANGE_JSON))
		return ld_error_set(ctx, LADING_ELIMIT, "database entry with oversized ranges or versions");
	if (!tnull[LD_VDB_PK_RANGES] &&
	    (rc = decode_ranges((const char *)orig + toff[LD_VDB_PK_RANGES], tlen[LD_VDB_PK_RANGES],
				(char *)cp + toff[LD_VDB_PK_RANGES], a, e, ctx)))
		return rc;
	if (!tnull[LD_VDB_PK_VERSIONS] &&
	    (rc = decode_versions((const char *)orig + toff[LD_VDB_PK_VERSIONS], tlen[LD_VDB_PK_VERSIONS],
				  (char *)cp + toff[LD_VDB_PK_VERSIONS], a, e, ctx)))
		return rc;
	*p = q;
	return 0;
}

int ld_vdb_affected_unpack(const void *blob, size_t blen, int64_t count, const char *eco,
			   const char *pkg, ld_arena *arena, ld_vdb_q_affected **out, lading_ctx *ctx)
{
	const unsigned char *orig = blob, *cp, *p, *end;
	ld_vdb_q_affected *arr;
	const char *eco_c, *pkg_c;
	int rc;

	*out = NULL;
	/* every entry takes at least 9 + LD_VDB_PACKED_TEXTS bytes: the count is checked against
	 * the blob before anything is allocated for it */
	if (count <= 0 || (uint64_t)count > Q_MAX_ROWS || !orig ||
	    (uint64_t)count > blen / (9 + LD_VDB_PACKED_TEXTS))
		return ld_error_set(ctx, count > (int64_t)Q_MAX_ROWS ? LADING_ELIMIT : LADING_EDB,
				    "damaged database: packed entries of %s %s (%lld for %zu bytes)", eco,
				    pkg, (long long)count, blen);
	if (!(cp = ld_arena_memdup(arena, orig, blen)) ||
	    !(arr = ld_arena_array(arena, (size_t)count, sizeof(*arr))) ||
	    !(eco_c = ld_arena_strdup(arena, eco)) || !(pkg_c = ld_arena_strdup(arena, pkg)))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	p = cp;
	end = cp + blen;
	for (int64_t i = 0; i < count; i++) {
		ld_vdb_q_affected *e = &arr[i];
		e->ecosystem = eco_c;
		e->package = pkg_c;
		if ((rc = unpack_entry(&p, end, cp, orig, arena, e, ctx)))
			return rc == LADING_EDB ? ld_error_set(ctx, LADING_EDB,
							       "damaged database: packed entry %lld of %s %s",
							       (long long)i, eco, pkg)
						: rc;
	}
	if (p != end)
		return ld_error_set(ctx, LADING_EDB, "damaged database: packed entries of %s %s", eco, pkg);
	*out = arr;
	return 0;
}

int ld_vdb_affected_get(ld_vdb *db, const char *ecosystem, const char *package, ld_arena *arena,
			ld_vdb_q_affected **out, size_t *n, lading_ctx *ctx)
{
	char eco[LD_VDB_NAME_MAX + 1], pkg[LD_VDB_NAME_MAX + 1];
	sqlite3_stmt *s = NULL;
	int64_t count;
	int rc, r;

	*out = NULL;
	*n = 0;
	if (ld_vdb_ecosystem_normalize(ecosystem, eco, sizeof(eco)) ||
	    ld_vdb_package_normalize(eco, package, pkg, sizeof(pkg)))
		return 0; /* a name no feed could have stored */
	if ((rc = stmt(db, Q_AFFECTED, &s, ctx)))
		return rc;
	sqlite3_bind_text(s, 1, eco, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pkg, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		count = sqlite3_column_int64(s, 0);
		rc = ld_vdb_affected_unpack(sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1),
					    count, eco, pkg, arena, out, ctx);
		if (!rc)
			*n = (size_t)count;
	} else if (r != SQLITE_DONE) {
		rc = fail(db, r, ctx); /* SQLITE_DONE: no entries */
	}
	done(s);
	return rc;
}

int ld_vdb_advisory_get(ld_vdb *db, int64_t key, ld_arena *arena, ld_vdb_q_advisory **out,
			lading_ctx *ctx)
{
	ld_vdb_q_advisory *a;
	sqlite3_stmt *s = NULL;
	const char **al = NULL, **kinds = NULL;
	size_t n = 0, cap = 0, kcap = 0;
	int rc, r, err = 0;

	*out = NULL;
	if ((rc = stmt(db, Q_ADVISORY, &s, ctx)))
		return rc;
	sqlite3_bind_int64(s, 1, key);
	r = sqlite3_step(s);
	if (r != SQLITE_ROW) {
		done(s);
		if (r == SQLITE_DONE)
			return ld_error_set(ctx, LADING_ENOTFOUND, "no advisory with key %lld",
					    (long long)key);
		return fail(db, r, ctx);
	}
	a = ld_arena_alloc(arena, sizeof(*a));
	if (!a) {
		done(s);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	a->key = key;
	a->source = col(s, 0, arena, &err);
	a->id = col(s, 1, arena, &err);
	a->feed = col(s, 2, arena, &err);
	a->summary = col(s, 3, arena, &err);
	a->details = col(s, 4, arena, &err);
	a->published = col(s, 5, arena, &err);
	a->modified = col(s, 6, arena, &err);
	a->url = col(s, 7, arena, &err);
	a->severity = col(s, 8, arena, &err);
	a->severity_raw = col(s, 9, arena, &err);
	a->cvss_vector = col(s, 10, arena, &err);
	a->cvss_version = col(s, 11, arena, &err);
	a->cvss_score = col_score(s, 12);
	a->informational = col(s, 13, arena, &err);
	a->is_informational = a->informational != NULL;
	a->extra_json = col(s, 14, arena, &err);
	done(s);
	if (err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");

	if ((rc = stmt(db, Q_ALIASES, &s, ctx)))
		return rc;
	sqlite3_bind_int64(s, 1, key);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n >= Q_MAX_ROWS || !(al = grow(arena, al, &cap, n, sizeof(*al))) ||
		    !(kinds = grow(arena, kinds, &kcap, n, sizeof(*kinds)))) {
			done(s);
			return ld_error_set(ctx, n >= Q_MAX_ROWS ? LADING_ELIMIT : LADING_ENOMEM,
					    "too many aliases");
		}
		al[n] = col(s, 0, arena, &err);
		kinds[n] = col(s, 1, arena, &err);
		if (!al[n])
			continue;
		n++;
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);
	if (err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	a->aliases = (const char *const *)al;
	a->alias_kinds = (const char *const *)kinds;
	a->naliases = n;
	*out = a;
	return 0;
}

int ld_vdb_advisory_find(ld_vdb *db, const char *source, const char *id, ld_arena *arena,
			 int64_t **keys, size_t *n, lading_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	int64_t *arr = NULL;
	size_t len = 0, cap = 0;
	int rc, r;

	*keys = NULL;
	*n = 0;
	if (!id)
		return 0;
	if ((rc = stmt(db, Q_FIND, &s, ctx)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (source)
		sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (len >= Q_MAX_ROWS || !(arr = grow(arena, arr, &cap, len, sizeof(*arr)))) {
			done(s);
			return ld_error_set(ctx, len >= Q_MAX_ROWS ? LADING_ELIMIT : LADING_ENOMEM,
					    "too many advisories");
		}
		arr[len++] = sqlite3_column_int64(s, 0);
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);
	*keys = arr;
	*n = len;
	return 0;
}

int ld_vdb_kev_get(ld_vdb *db, const char *cve, ld_arena *arena, ld_vdb_kev **out, lading_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	ld_vdb_kev *k;
	int rc, r, err = 0;

	*out = NULL;
	if ((rc = stmt(db, Q_KEV, &s, ctx)))
		return rc;
	sqlite3_bind_text(s, 1, cve, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		if (!(k = ld_arena_alloc(arena, sizeof(*k)))) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		k->cve = ld_arena_strdup(arena, cve);
		k->vendor = col(s, 0, arena, &err);
		k->product = col(s, 1, arena, &err);
		k->name = col(s, 2, arena, &err);
		k->date_added = col(s, 3, arena, &err);
		k->due_date = col(s, 4, arena, &err);
		k->required_action = col(s, 5, arena, &err);
		k->ransomware = col(s, 6, arena, &err);
		k->description = col(s, 7, arena, &err);
		if (err || !k->cve) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		*out = k;
	}
	done(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return fail(db, r, ctx);
	return 0;
}

int ld_vdb_epss_get(ld_vdb *db, const char *cve, ld_arena *arena, ld_vdb_q_epss **out,
		    lading_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	*out = NULL;
	if ((rc = stmt(db, Q_EPSS, &s, ctx)))
		return rc;
	sqlite3_bind_text(s, 1, cve, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		ld_vdb_q_epss *e = ld_arena_alloc(arena, sizeof(*e));
		if (!e) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		e->score = sqlite3_column_double(s, 0);
		e->percentile = sqlite3_column_double(s, 1);
		*out = e;
	}
	done(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return fail(db, r, ctx);
	return 0;
}

int ld_vdb_nvd_get(ld_vdb *db, const char *cve, ld_arena *arena, ld_vdb_nvd **out, lading_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, r, err = 0;

	*out = NULL;
	if ((rc = stmt(db, Q_NVD, &s, ctx)))
		return rc;
	sqlite3_bind_text(s, 1, cve, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		ld_vdb_nvd *v = ld_arena_alloc(arena, sizeof(*v));
		if (!v) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		v->cve = ld_arena_strdup(arena, cve);
		v->published = col(s, 0, arena, &err);
		v->modified = col(s, 1, arena, &err);
		v->description = col(s, 2, arena, &err);
		v->v3_vector = col(s, 3, arena, &err);
		v->v3_score = col_score(s, 4);
		v->v3_severity = col(s, 5, arena, &err);
		v->v2_vector = col(s, 6, arena, &err);
		v->v2_score = col_score(s, 7);
		v->v2_severity = col(s, 8, arena, &err);
		if (err || !v->cve) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		*out = v;
	}
	done(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return fail(db, r, ctx);
	return 0;
}

int ld_vdb_cpe_matches(ld_vdb *db, const char *vendor, const char *product, ld_arena *arena,
		       ld_vdb_cpe_match **out, size_t *n, lading_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	ld_vdb_cpe_match *arr = NULL;
	size_t len = 0, cap = 0;
	int rc, r, err = 0;

	*out = NULL;
	*n = 0;
	if ((rc = stmt(db, Q_CPE, &s, ctx)))
		return rc;
	sqlite3_bind_text(s, 1, vendor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, product, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ld_vdb_cpe_match *m;
		if (len >= Q_MAX_ROWS || !(arr = grow(arena, arr, &cap, len, sizeof(*arr)))) {
			done(s);
			return ld_error_set(ctx, len >= Q_MAX_ROWS ? LADING_ELIMIT : LADING_ENOMEM,
					    "too many CPE matches");
		}
		m = &arr[len++];
		m->cve = col(s, 0, arena, &err);
		m->cpe23 = col(s, 1, arena, &err);
		m->part = col(s, 2, arena, &err);
		m->vendor = col(s, 3, arena, &err);
		m->product = col(s, 4, arena, &err);
		m->version = col(s, 5, arena, &err);
		m->start_incl = col(s, 6, arena, &err);
		m->start_excl = col(s, 7, arena, &err);
		m->end_incl = col(s, 8, arena, &err);
		m->end_excl = col(s, 9, arena, &err);
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);
	if (err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	*out = arr;
	*n = len;
	return 0;
}

int ld_vdb_ecosystems(ld_vdb *db, ld_arena *arena, const char *const **out, size_t *n,
		      lading_ctx *ctx)
{
	sqlite3_stmt *s = NULL;
	const char **arr = NULL;
	size_t len = 0, cap = 0;
	int rc, r, err = 0;

	*out = NULL;
	*n = 0;
	if ((rc = stmt(db, Q_ECOS, &s, ctx)))
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (len >= Q_MAX_ROWS || !(arr = grow(arena, arr, &cap, len, sizeof(*arr)))) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		arr[len++] = col(s, 0, arena, &err);
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);
	if (err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	*out = (const char *const *)arr;
	*n = len;
	return 0;
}

int ld_vdb_meta_get(ld_vdb *db, ld_arena *arena, ld_vdb_q_meta **out, lading_ctx *ctx)
{
	ld_vdb_q_meta *m;
	ld_vdb_q_feed *feeds = NULL;
	ld_vdb_q_count *counts = NULL;
	size_t nf = 0, cf = 0, nc = 0, cc = 0;
	sqlite3_stmt *s = NULL;
	int rc, r, err = 0;

	*out = NULL;
	if (!(m = ld_arena_alloc(arena, sizeof(*m))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if ((rc = stmt(db, Q_META, &s, ctx)))
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		if (!k)
			continue;
		if (!strcmp(k, "schema_version"))
			m->schema_version = sqlite3_column_int(s, 1);
		else if (!strcmp(k, "built_at"))
			m->built_at = col(s, 1, arena, &err);
		else if (!strcmp(k, "built_epoch"))
			m->built_epoch = sqlite3_column_int64(s, 1);
		else if (!strcmp(k, "lading_version"))
			m->lading_version = col(s, 1, arena, &err);
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);

	if ((rc = stmt(db, Q_FEEDS, &s, ctx)))
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ld_vdb_q_feed *f;
		if (nf >= Q_MAX_ROWS || !(feeds = grow(arena, feeds, &cf, nf, sizeof(*feeds)))) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		f = &feeds[nf++];
		f->name = col(s, 0, arena, &err);
		f->status = col(s, 1, arena, &err);
		f->origin = col(s, 2, arena, &err);
		f->snapshot = col(s, 3, arena, &err);
		f->imported_at = col(s, 4, arena, &err);
		f->message = col(s, 5, arena, &err);
		f->records = (uint64_t)sqlite3_column_int64(s, 6);
		f->skipped = (uint64_t)sqlite3_column_int64(s, 7);
		f->withdrawn = (uint64_t)sqlite3_column_int64(s, 8);
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);

	if ((rc = stmt(db, Q_COUNTS, &s, ctx)))
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		ld_vdb_q_count *c;
		if (nc >= Q_MAX_ROWS || !(counts = grow(arena, counts, &cc, nc, sizeof(*counts)))) {
			done(s);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		c = &counts[nc++];
		c->feed = col(s, 0, arena, &err);
		c->ecosystem = col(s, 1, arena, &err);
		c->advisories = (uint64_t)sqlite3_column_int64(s, 2);
		c->packages = (uint64_t)sqlite3_column_int64(s, 3);
		c->affected = (uint64_t)sqlite3_column_int64(s, 4);
	}
	done(s);
	if (r != SQLITE_DONE)
		return fail(db, r, ctx);
	if (err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	m->feeds = feeds;
	m->nfeeds = nf;
	m->counts = counts;
	m->ncounts = nc;
	*out = m;
	return 0;
}

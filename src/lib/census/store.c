/* The census store: one SQLite file holding the records between `census import` / `probe --save`
 * and `census report` (docs/census.md). One row per (target, port, transport); a newer record
 * replaces an older one. */
#include <sqlite3.h>

#include "util/common.h"
#include "census/census.h"
#include "util/json.h"
#include "util/jsonw.h"

/* Named limits. */
#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_MS 10000	     /* wait for another writer this long */
#define STORE_MAX_ATTRS_JSON 65536   /* bytes of a stored attrs object we read back */
#define STORE_PATH_MAX 4096

struct ld_census_store {
	sqlite3 *db;
	sqlite3_stmt *put;
	lading_ctx *ctx;
	char path[STORE_PATH_MAX];
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS records("
	" target TEXT NOT NULL, port INTEGER NOT NULL, transport TEXT NOT NULL,"
	" service TEXT, product TEXT, version TEXT, distro TEXT, cpe TEXT, evidence TEXT,"
	" time TEXT, source TEXT, origin TEXT, note TEXT, attrs TEXT,"
	" PRIMARY KEY (target, port, transport));"
	"CREATE INDEX IF NOT EXISTS records_by_product ON records(product, version);"
	"CREATE TABLE IF NOT EXISTS imports(id INTEGER PRIMARY KEY, origin TEXT, format TEXT,"
	" imported_at TEXT, records INTEGER, skipped INTEGER, ignored INTEGER);";

static const char put_sql[] =
	"INSERT INTO records(target, port, transport, service, product, version, distro, cpe,"
	" evidence, time, source, origin, note, attrs) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	" ON CONFLICT(target, port, transport) DO UPDATE SET service = excluded.service,"
	" product = excluded.product, version = excluded.version, distro = excluded.distro,"
	" cpe = excluded.cpe, evidence = excluded.evidence, time = excluded.time,"
	" source = excluded.source, origin = excluded.origin, note = excluded.note,"
	" attrs = excluded.attrs"
	" WHERE coalesce(excluded.time, '') >= coalesce(records.time, '')";

static int db_error(ld_census_store *s, const char *what)
{
	return ld_error_set(s->ctx, LADING_EDB, "census store %s: %s: %s", s->path, what,
			    s->db ? sqlite3_errmsg(s->db) : "cannot open");
}

static int mkdir_parents(const char *path)
{
	char tmp[STORE_PATH_MAX];
	ld_strlcpy(tmp, path, sizeof(tmp));
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int ld_census_store_open(ld_census_store **out, const char *path, bool create, lading_ctx *ctx)
{
	ld_census_store *s;
	sqlite3_stmt *st = NULL;
	int rc, flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	struct stat sb;

	*out = NULL;
	if (!path || !*path || strlen(path) >= STORE_PATH_MAX)
		return ld_error_set(ctx, LADING_EUSAGE, "census store: bad path");
	if (!create && stat(path, &sb) != 0)
		return ld_error_set_path(ctx, LADING_ENOTFOUND, path, 0,
					 "no census store at %s: import scan data first "
					 "('lading census import FILE' or 'lading probe --save')",
					 path);
	if (create && mkdir_parents(path) != 0)
		return ld_error_set_path(ctx, LADING_EIO, path, 0, "cannot create the folder of %s: %s",
					 path, strerror(errno));
	if (!(s = calloc(1, sizeof(*s))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	s->ctx = ctx;
	ld_strlcpy(s->path, path, sizeof(s->path));
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = db_error(s, "open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_error(s, "schema (is it a census store?)");
		goto fail;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = db_error(s, "meta");
		goto fail;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		int v = sqlite3_column_int(st, 0);
		if (v != STORE_SCHEMA_VERSION) {
			rc = ld_error_set_path(ctx, LADING_EUNSUPPORTED, path, 0,
					       "census store %s has schema version %d, this lading "
					       "reads %d: import into a new file",
					       path, v, STORE_SCHEMA_VERSION);
			goto fail;
		}
	} else if (sqlite3_exec(s->db,
				"INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1')",
				NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_error(s, "meta");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, put_sql, -1, &s->put, NULL) != SQLITE_OK) {
		rc = db_error(s, "prepare");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sqlite3_finalize(st);
	ld_census_store_close(s);
	return rc;
}

void ld_census_store_close(ld_census_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->put);
	sqlite3_close(s->db);
	free(s);
}

int ld_census_store_begin(ld_census_store *s)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, "begin");
	return 0;
}

int ld_census_store_commit(ld_census_store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, "commit");
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int ld_census_store_put(ld_census_store *s, const lading_census_record *r, const char *origin)
{
	ld_buf attrs;
	int rc = 0;
	ld_buf_init(&attrs, STORE_MAX_ATTRS_JSON);
	if (r->attr_count) {
		ld_jw w;
		ld_jw_init(&w, &attrs, false);
		ld_jw_obj(&w);
		for (size_t i = 0; i < r->attr_count; i++)
			ld_jw_kstr(&w, r->attrs[i].key, r->attrs[i].value);
		ld_jw_obj_end(&w);
	}
	sqlite3_reset(s->put);
	bind_text(s->put, 1, r->target);
	sqlite3_bind_int(s->put, 2, (int)r->port);
	bind_text(s->put, 3, r->transport ? r->transport : "tcp");
	bind_text(s->put, 4, r->service);
	bind_text(s->put, 5, r->product);
	bind_text(s->put, 6, r->version);
	bind_text(s->put, 7, r->distro);
	bind_text(s->put, 8, r->cpe);
	bind_text(s->put, 9, r->evidence);
	bind_text(s->put, 10, r->time);
	bind_text(s->put, 11, r->source);
	bind_text(s->put, 12, origin);
	bind_text(s->put, 13, r->note);
	bind_text(s->put, 14, attrs.len && !ld_buf_error(&attrs) ? ld_buf_cstr(&attrs) : NULL);
	if (sqlite3_step(s->put) != SQLITE_DONE)
		rc = db_error(s, "insert");
	sqlite3_reset(s->put);
	ld_buf_release(&attrs);
	return rc;
}

int ld_census_store_note_import(ld_census_store *s, const char *origin,
				const lading_census_import_result *res)
{
	sqlite3_stmt *st = NULL;
	char when[32];
	int rc = 0;
	ld_census_now(when);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO imports(origin, format, imported_at, records, skipped, ignored)"
			       " VALUES(?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "imports");
	bind_text(st, 1, origin);
	bind_text(st, 2, res->format);
	bind_text(st, 3, when);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)res->records);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)res->skipped);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)res->ignored);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(s, "imports");
	sqlite3_finalize(st);
	return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int ld_census_store_load(ld_census_store *s, lading_census *c)
{
	sqlite3_stmt *st = NULL;
	lading_census_attr attrs[LD_CENSUS_ATTRS_MAX];
	int rc = 0, step;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT target, port, transport, service, product, version, distro, cpe,"
			       " evidence, time, source, note, attrs FROM records"
			       " ORDER BY product IS NULL, product, target, port",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "select");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		lading_census_record r;
		ld_arena tmp;
		const char *aj = col(st, 12);
		memset(&r, 0, sizeof(r));
		r.target = col(st, 0);
		r.port = (unsigned)sqlite3_column_int(st, 1);
		r.transport = col(st, 2);
		r.service = col(st, 3);
		r.product = col(st, 4);
		r.version = col(st, 5);
		r.distro = col(st, 6);
		r.cpe = col(st, 7);
		r.evidence = col(st, 8);
		r.time = col(st, 9);
		r.source = col(st, 10);
		r.note = col(st, 11);
		ld_arena_init(&tmp, 4 * STORE_MAX_ATTRS_JSON);
		if (aj && strlen(aj) < STORE_MAX_ATTRS_JSON) {
			ld_json *doc = NULL;
			const ld_json_member *m;
			lading_ctx scratch;
			ld_ctx_init_child(&scratch, NULL);
			if (!ld_json_parse(&doc, &tmp, aj, strlen(aj), NULL, &scratch, "attrs")) {
				ld_json_foreach_member(doc, i, m)
				{
					if (r.attr_count < LD_CENSUS_ATTRS_MAX && ld_json_str(&m->value)) {
						attrs[r.attr_count].key = m->key;
						attrs[r.attr_count++].value = ld_json_str(&m->value);
					}
				}
			}
			ld_ctx_release_child(&scratch);
		}
		r.attrs = attrs;
		rc = ld_census_add_record(c, &r);
		ld_arena_release(&tmp);
		if (rc) {
			rc = ld_error_set(s->ctx, rc, "census store: out of memory");
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_error(s, "read");
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------------ public */

int lading_census_default_path(char *out, size_t outsz)
{
	const char *env = getenv("LADING_CENSUS"), *xdg = getenv("XDG_CACHE_HOME"),
		   *home = getenv("HOME");
	int n;
	if (env && *env)
		n = snprintf(out, outsz, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(out, outsz, "%s/lading/census.sqlite", xdg);
	else if (home && *home)
		n = snprintf(out, outsz, "%s/.cache/lading/census.sqlite", home);
	else
		return LADING_ENOTFOUND;
	return n < 0 || (size_t)n >= outsz ? LADING_ELIMIT : 0;
}

int lading_census_save(const char *store, const lading_census *c, lading_ctx *ctx)
{
	ld_census_store *s;
	int rc;
	ld_error_clear(ctx);
	if ((rc = ld_census_store_open(&s, store, true, ctx)))
		return rc;
	if (!(rc = ld_census_store_begin(s))) {
		for (size_t i = 0; i < c->recs.len && !rc; i++)
			rc = ld_census_store_put(s, ld_vec_at(&c->recs, i), "probe");
		rc = rc ? rc : ld_census_store_commit(s);
	}
	ld_census_store_close(s);
	return rc;
}

int lading_census_load(lading_census **out, const char *store, lading_ctx *ctx)
{
	ld_census_store *s;
	lading_census *c;
	int rc;
	*out = NULL;
	ld_error_clear(ctx);
	if ((rc = ld_census_store_open(&s, store, false, ctx)))
		return rc;
	if ((rc = ld_census_new(&c))) {
		ld_census_store_close(s);
		return ld_error_set(ctx, rc, "out of memory");
	}
	rc = ld_census_store_load(s, c);
	ld_census_store_close(s);
	if (rc) {
		lading_census_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

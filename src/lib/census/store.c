/* The census records live in the inventory store (store/: SQLite or PostgreSQL), in the tables
 * migration 2 adds (docs/inventory.md): one row per (target, port, transport); a newer record
 * replaces an older one. A census file of the old format (its own SQLite file, formerly under the
 * cache directory) is imported once: the file named, or the old default one when the default
 * store is used; the library says so with a warning. */
#include "util/common.h"
#include "util/path.h"
#include "census/census.h"
#include "store/store.h"
#include "util/json.h"
#include "util/jsonw.h"

/* Named limits. */
#define STORE_MAX_ATTRS_JSON 65536 /* bytes of a stored attrs object we read back */
#define STORE_PATH_MAX 4096
#define LEGACY_FORMAT "census-store" /* census_import.format of a file imported from the old format */

struct ld_census_store {
	lading_store *st;
	lading_ctx *ctx;
	bool in_tx;
};

static bool is_sqlite_url(const char *url, const char **path)
{
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
		return false;
	*path = !strncmp(url, "sqlite:", 7) ? url + 7 : url;
	return true;
}

/* The old default census file: $XDG_CACHE_HOME/lading/census.sqlite, else ~/.cache/... */
static bool legacy_default(char *out, size_t n)
{
	return ld_user_path(out, n, NULL, "XDG_CACHE_HOME", ".cache", "census.sqlite", 0) == 0;
}

typedef struct legacy_ctx {
	ld_census_store *s;
	size_t records;
} legacy_ctx;

static int legacy_row(void *opaque, const ld_sv *c, size_t n)
{
	legacy_ctx *lc = opaque;
	int rc;
	if (n < 14)
		return LADING_EDB;
	rc = ld_store_exec(lc->s->st, LD_SQ_CENSUS_PUT, c, 14, NULL, NULL, NULL);
	lc->records += rc == 0;
	return rc;
}

/* Import an old-format census file once (marked by a census_import row naming it). */
static int import_legacy(ld_census_store *s, const char *path)
{
	ld_sv key[2] = {ld_sv_text(path), ld_sv_text(LEGACY_FORMAT)};
	legacy_ctx lc = {s, 0};
	int64_t done;
	bool present, found;
	char now[32];
	int rc;

	if (access(path, R_OK) != 0)
		return 0;
	if ((rc = ld_store_exec_id(s->st, LD_SQ_CENSUS_IMPORTED, key, 2, &done, &found)) || done > 0)
		return rc;
	if ((rc = s->st->ops->begin(s->st)))
		return rc == LD_STORE_ERETRY ? ld_error_set(s->ctx, LADING_EDB, "census store: busy") : rc;
	rc = ld_store_sqlite_legacy_census(path, legacy_row, &lc, &present, s->ctx);
	ld_store_now(now);
	if (!rc && present) {
		ld_sv p[6] = {ld_sv_text(path), ld_sv_text(LEGACY_FORMAT), ld_sv_text(now), ld_sv_int((int64_t)lc.records),
			      ld_sv_int(0), ld_sv_int(0)};
		rc = ld_store_exec(s->st, LD_SQ_CENSUS_NOTE_IMPORT, p, 6, NULL, NULL, NULL);
	}
	if (!rc)
		rc = s->st->ops->commit(s->st);
	if (rc) {
		s->st->ops->rollback(s->st);
		return rc == LD_STORE_ERETRY ? ld_error_set(s->ctx, LADING_EDB, "census store: busy") : rc;
	}
	if (present)
		ld_warn(s->ctx, "imported %zu census records from the old census file %s into the store %s (once; the"
			" old file is no longer used)", lc.records, path, s->st->target);
	return 0;
}

int ld_census_store_open(ld_census_store **out, const char *url, bool create, lading_ctx *ctx)
{
	ld_census_store *s;
	const char *path = NULL;
	char def[STORE_PATH_MAX], legacy[STORE_PATH_MAX];
	bool is_default = false;
	struct stat sb;
	int rc;

	*out = NULL;
	if (!lading_store_default_url(def, sizeof(def)) && (!url || !*url || !strcmp(url, def)))
		is_default = true;
	if (!url || !*url) {
		if (!is_default)
			return ld_error_set(ctx, LADING_EUSAGE, "census: no store named (--store, LADING_STORE)");
		url = def;
	}
	if (strlen(url) >= STORE_PATH_MAX)
		return ld_error_set(ctx, LADING_EUSAGE, "census store: path too long");
	/* reading: a missing store is an error, unless the old default census file is there to move in */
	if (!is_sqlite_url(url, &path))
		path = NULL;
	if (!create && path && stat(path, &sb) != 0 &&
	    !(is_default && legacy_default(legacy, sizeof(legacy)) && access(legacy, R_OK) == 0))
		return ld_error_set_path(ctx, LADING_ENOTFOUND, path, 0,
					 "no census store at %s: import scan data first "
					 "('lading census import FILE' or 'lading probe --save')",
					 path);
	if (!(s = calloc(1, sizeof(*s))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	s->ctx = ctx;
	if ((rc = ld_store_open(&s->st, ctx, url)))
		goto fail;
	s->st->ctx = ctx;
	/* a census file of the old format named as the store became a store: its records move in */
	if (path && (rc = import_legacy(s, path)))
		goto fail;
	if (is_default && legacy_default(legacy, sizeof(legacy)) && (!path || strcmp(legacy, path)) &&
	    (rc = import_legacy(s, legacy)))
		goto fail;
	*out = s;
	return 0;
fail:
	ld_census_store_close(s);
	return rc;
}

void ld_census_store_close(ld_census_store *s)
{
	if (!s)
		return;
	if (s->in_tx && s->st)
		s->st->ops->rollback(s->st);
	lading_store_close(s->st);
	free(s);
}

int ld_census_store_begin(ld_census_store *s)
{
	int rc = s->st->ops->begin(s->st);
	if (rc == LD_STORE_ERETRY)
		rc = ld_error_set(s->ctx, LADING_EDB, "census store %s: busy", s->st->target);
	s->in_tx = rc == 0;
	return rc;
}

int ld_census_store_commit(ld_census_store *s)
{
	int rc = s->st->ops->commit(s->st);
	if (rc == LD_STORE_ERETRY)
		rc = ld_error_set(s->ctx, LADING_EDB, "census store %s: busy", s->st->target);
	s->in_tx = false;
	return rc;
}

int ld_census_store_put(ld_census_store *s, const lading_census_record *r, const char *origin)
{
	ld_buf attrs;
	int rc;
	ld_buf_init(&attrs, STORE_MAX_ATTRS_JSON);
	if (r->attr_count) {
		ld_jw w;
		ld_jw_init(&w, &attrs, false);
		ld_jw_obj(&w);
		for (size_t i = 0; i < r->attr_count; i++)
			ld_jw_kstr(&w, r->attrs[i].key, r->attrs[i].value);
		ld_jw_obj_end(&w);
	}
	{
		ld_sv p[14] = {ld_sv_text(r->target),
			       ld_sv_int(r->port),
			       ld_sv_text(r->transport ? r->transport : "tcp"),
			       ld_sv_text(r->service),
			       ld_sv_text(r->product),
			       ld_sv_text(r->version),
			       ld_sv_text(r->distro),
			       ld_sv_text(r->cpe),
			       ld_sv_text(r->evidence),
			       ld_sv_text(r->time),
			       ld_sv_text(r->source),
			       ld_sv_text(origin),
			       ld_sv_text(r->note),
			       ld_sv_text(attrs.len && !ld_buf_error(&attrs) ? ld_buf_cstr(&attrs) : NULL)};
		s->st->ctx = s->ctx;
		rc = ld_store_exec(s->st, LD_SQ_CENSUS_PUT, p, 14, NULL, NULL, NULL);
	}
	ld_buf_release(&attrs);
	return rc == LD_STORE_ERETRY ? ld_error_set(s->ctx, LADING_EDB, "census store: busy") : rc;
}

int ld_census_store_note_import(ld_census_store *s, const char *origin, const lading_census_import_result *res)
{
	char when[32];
	ld_census_now(when);
	{
		ld_sv p[6] = {ld_sv_text(origin),	     ld_sv_text(res->format),	       ld_sv_text(when),
			      ld_sv_int((int64_t)res->records), ld_sv_int((int64_t)res->skipped), ld_sv_int((int64_t)res->ignored)};
		s->st->ctx = s->ctx;
		return ld_store_exec(s->st, LD_SQ_CENSUS_NOTE_IMPORT, p, 6, NULL, NULL, NULL);
	}
}

typedef struct load_ctx {
	ld_census_store *s;
	lading_census *c;
} load_ctx;

static int load_row(void *opaque, const ld_sv *c, size_t n)
{
	load_ctx *lc = opaque;
	lading_census_attr attrs[LD_CENSUS_ATTRS_MAX];
	lading_census_record r;
	ld_arena tmp;
	const char *aj;
	int rc;

	if (n < 13)
		return LADING_EDB;
	memset(&r, 0, sizeof(r));
	r.target = ld_sv_str(&c[0]);
	r.port = (unsigned)ld_sv_i64(&c[1]);
	r.transport = ld_sv_str(&c[2]);
	r.service = ld_sv_str(&c[3]);
	r.product = ld_sv_str(&c[4]);
	r.version = ld_sv_str(&c[5]);
	r.distro = ld_sv_str(&c[6]);
	r.cpe = ld_sv_str(&c[7]);
	r.evidence = ld_sv_str(&c[8]);
	r.time = ld_sv_str(&c[9]);
	r.source = ld_sv_str(&c[10]);
	r.note = ld_sv_str(&c[11]);
	aj = ld_sv_str(&c[12]);
	ld_arena_init(&tmp, 4 * STORE_MAX_ATTRS_JSON);
	if (aj && c[12].n < STORE_MAX_ATTRS_JSON) {
		ld_json *doc = NULL;
		const ld_json_member *m;
		lading_ctx scratch;
		ld_ctx_init_child(&scratch, NULL);
		if (!ld_json_parse(&doc, &tmp, aj, c[12].n, NULL, &scratch, "attrs")) {
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
	rc = ld_census_add_record(lc->c, &r);
	ld_arena_release(&tmp);
	return rc ? ld_error_set(lc->s->ctx, rc, "census store: out of memory") : 0;
}

int ld_census_store_load(ld_census_store *s, lading_census *c)
{
	load_ctx lc = {s, c};
	s->st->ctx = s->ctx;
	return ld_store_exec(s->st, LD_SQ_CENSUS_LOAD, NULL, 0, load_row, &lc, NULL);
}

/* ------------------------------------------------------------------ public */

int lading_census_default_path(char *out, size_t outsz)
{
	const char *env = getenv("LADING_CENSUS");
	int n;
	/* LADING_CENSUS: the deprecated alias of LADING_STORE for the census */
	if (env && *env) {
		n = snprintf(out, outsz, "%s", env);
		return n < 0 || (size_t)n >= outsz ? LADING_ELIMIT : 0;
	}
	return lading_store_default_url(out, outsz);
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

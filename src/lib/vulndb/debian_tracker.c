/* Debian security tracker JSON export (https://security-tracker.debian.org/tracker/data/json),
 * as written by the tracker's bin/tracker_service.py (null fields are left out):
 *   {"<source package>": {"<CVE-... or TEMP-...>": {"description", "scope": "local"|"remote",
 *     "debianbug": 123, "releases": {"<codename>": {"status": "resolved"|"open"|"undetermined",
 *     "repositories": {"<codename>[-security]": "<version>"}, "fixed_version": "<version>"|"0",
 *     "urgency": "low"|"medium"|"high" (+"**" when NVD-derived)|"unimportant"|"not yet assigned"|
 *                "end-of-life", "nodsa": "<reason text>", "nodsa_reason": "ignored"|"postponed",
 *     "next_point_update": true}}}}}
 * The real export is ~60 MB: the top level is walked with the cursor of feed.h and one source
 * package at a time becomes a tree. One advisory per (package, ID) is put; the writer merges the
 * puts of one ID into one advisory with one affected entry per (release, package).
 * What the schema has no column for (scope, debianbug, nodsa text, repositories) is kept per entry
 * in its extra JSON. Status mapping (docs/vulndb.md): resolved + fixed_version "0" -> not-affected;
 * resolved + V -> fixed in V; resolved without a version -> nothing recorded; open -> unfixed, or
 * wontfix when nodsa_reason is "ignored" or the urgency is "end-of-life"; undetermined ->
 * undetermined. */
#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/map.h"
#include "vulndb/feed.h"
#include "vulndb/importers.h"

/* Named limits. */
#define TRK_MAX_FILE ((size_t)1 << 30)	      /* uncompressed bytes (real: ~60 MB) */
#define TRK_MAX_PKG_ARENA ((size_t)512 << 20) /* tree of one source package (linux: ~10 MB) */
#define TRK_MAX_DEPTH 16u		      /* nesting inside one package (real: 5) */
#define TRK_MAX_RELEASES 64u		      /* releases of one issue (real: <= 8) */
#define TRK_MAX_NAME 256u		      /* package name, ID, version, urgency */
#define TRK_MAX_IDS 10000000u		      /* distinct IDs per import */
#define TRK_MAX_EXTRA ((size_t)64 << 10)      /* bytes of one entry's extra JSON */

static const char SOURCE[] = "debian-tracker";

typedef struct trk {
	const ld_vdb_sink *out;
	const char *name;
	ld_vdb_import_result *res;
	lading_ctx *ctx;
	ld_map ids; /* distinct IDs, for res->records */
	ld_arena keys;
} trk;

static bool printable(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* "medium**" -> severity "medium"; "unimportant" -> "low"; others no severity. */
static const char *urgency_severity(const char *u)
{
	static const char *const sev[] = {"low", "medium", "high"};
	size_t n;
	if (!u)
		return NULL;
	if (strcmp(u, "unimportant") == 0)
		return "low";
	n = strlen(u);
	if (n >= 2 && strcmp(u + n - 2, "**") == 0)
		n -= 2;
	for (size_t i = 0; i < LD_ARRAY_LEN(sev); i++)
		if (strlen(sev[i]) == n && memcmp(sev[i], u, n) == 0)
			return sev[i];
	return NULL;
}

static bool valid_version(const char *v)
{
	size_t n = strlen(v);
	return printable(v, n, TRK_MAX_NAME) && v[0] >= '0' && v[0] <= '9';
}

static int count_id(trk *t, const char *id)
{
	char *k;
	if (ld_map_gets(&t->ids, id))
		return 0;
	if (t->ids.len >= TRK_MAX_IDS)
		return ld_error_set(t->ctx, LADING_ELIMIT, "%s: more than %u IDs", t->name,
				    TRK_MAX_IDS);
	k = ld_arena_strdup(&t->keys, id);
	if (!k || ld_map_put(&t->ids, ld_slice_cstr(k), k, NULL))
		return ld_error_set(t->ctx, LADING_ENOMEM, "%s: out of memory", t->name);
	t->res->records++;
	return 0;
}

/* What the schema has no column for, kept verbatim per entry: scope, debianbug, nodsa(_reason),
 * repositories, next_point_update. NULL when there is none. */
static const char *entry_extra(ld_buf *b, const ld_json *issue, const ld_json *rel)
{
	ld_jw w;
	const ld_json *bug = ld_json_get(issue, "debianbug"),
		      *repos = ld_json_get(rel, "repositories");
	const ld_json_member *m;
	int64_t n;

	ld_buf_clear(b);
	ld_jw_init(&w, b, false);
	ld_jw_obj(&w);
	ld_jw_kstr_opt(&w, "scope", ld_json_get_str(issue, "scope"));
	if (ld_json_i64(bug, &n))
		ld_jw_ki64(&w, "debianbug", n);
	ld_jw_kstr_opt(&w, "nodsa", ld_json_get_str(rel, "nodsa"));
	ld_jw_kstr_opt(&w, "nodsa_reason", ld_json_get_str(rel, "nodsa_reason"));
	if (ld_json_len(repos)) {
		ld_jw_key(&w, "repositories");
		ld_jw_obj(&w);
		ld_json_foreach_member(repos, i, m) {
			const char *v = ld_json_str(&m->value);
			if (!v)
				continue;
			ld_jw_key(&w, m->key);
			ld_jw_str(&w, v);
		}
		ld_jw_obj_end(&w);
	}
	if (ld_json_bool(ld_json_get(rel, "next_point_update"), false))
		ld_jw_kbool(&w, "next_point_update", true);
	ld_jw_obj_end(&w);
	if (ld_jw_finish(&w) || b->len <= 2)
		return NULL;
	return ld_buf_cstr(b);
}

/* A release's status as the entry's: a fixed version (one range from ev[0..1]), not-affected,
 * unfixed, wontfix or undetermined. false: nothing to record (with a warning where the tracker's
 * data is odd). */
static bool entry_status(trk *t, const char *pkg, const char *id, const char *eco, const ld_json *rel,
			 const char *urg, ld_vdb_affected *f, ld_vdb_range *rng, ld_vdb_event *ev)
{
	const char *status = ld_json_get_str(rel, "status");
	const char *fixed = ld_json_get_str(rel, "fixed_version");
	const char *reason = ld_json_get_str(rel, "nodsa_reason");
	char shown[64];

	if (!status) {
		ld_warn(t->ctx, "%s: %s %s: release %s has no status, ignored", t->name, pkg, id, eco);
		return false;
	} else if (strcmp(status, "resolved") == 0) {
		if (!fixed)
			return false; /* resolved, but the tracker names no version: nothing to record */
		if (strcmp(fixed, "0") == 0) {
			f->status = "not-affected";
		} else if (valid_version(fixed)) {
			ev[0] = (ld_vdb_event){"introduced", "0"};
			ev[1] = (ld_vdb_event){"fixed", fixed};
			*rng = (ld_vdb_range){.type = "ECOSYSTEM", .events = ev, .nevents = 2};
			f->ranges = rng;
			f->nranges = 1;
			LD_FEED_COUNT(t->out, fixed_versions, 1);
		} else {
			ld_feed_printable(shown, sizeof(shown), ld_slice_cstr(fixed));
			ld_warn(t->ctx, "%s: %s %s: fixed_version '%s' is not a Debian version, ignored", t->name,
				pkg, id, shown);
			return false;
		}
	} else if (strcmp(status, "open") == 0) {
		bool ignored = reason && strcmp(reason, "ignored") == 0;
		bool eol = urg && strcmp(urg, "end-of-life") == 0;
		f->status = (ignored || eol) ? "wontfix" : "unfixed";
	} else if (strcmp(status, "undetermined") == 0) {
		f->status = "undetermined";
	} else {
		ld_feed_printable(shown, sizeof(shown), ld_slice_cstr(status));
		ld_warn(t->ctx, "%s: %s %s: unknown status '%s' in %s, ignored", t->name, pkg, id, shown, eco);
		return false;
	}
	return true;
}

/* Store the advisory of one (package, ID) with its affected releases. */
static int store_issue(trk *t, const char *id, const ld_json *issue, ld_vdb_affected *aff, size_t naff)
{
	ld_vdb_advisory a;
	char url[TRK_MAX_NAME + 64];

	memset(&a, 0, sizeof(a));
	a.source = SOURCE;
	a.id = id;
	a.details = ld_json_get_str(issue, "description");
	ld_snprintf(url, sizeof(url), "https://security-tracker.debian.org/tracker/%s", id);
	a.url = url;
	a.cvss_score = -1;
	a.affected = aff;
	a.naffected = naff;
	LD_FEED_COUNT(t->out, packages, naff);
	return ld_feed_advisory(t->out, &a);
}

/* One (package, ID) entry. 0, or < 0 on a storage failure. */
static int put_issue(trk *t, const char *pkg, const char *id, const ld_json *issue)
{
	ld_vdb_affected aff[TRK_MAX_RELEASES];
	ld_vdb_range rng[TRK_MAX_RELEASES];
	ld_vdb_event ev[2 * TRK_MAX_RELEASES];
	const ld_json *rels = ld_json_get(issue, "releases");
	const ld_json_member *m;
	ld_buf extra[TRK_MAX_RELEASES];
	size_t naff = 0;
	int rc;

	if (!ld_json_is(issue, LD_JSON_OBJECT) ||
	    (rels && !ld_json_is(rels, LD_JSON_OBJECT) && !ld_json_is(rels, LD_JSON_NULL))) {
		ld_warn(t->ctx, "%s: %s %s: not an issue object, skipped", t->name, pkg, id);
		t->res->skipped++;
		return 0;
	}
	for (size_t i = 0; i < TRK_MAX_RELEASES; i++)
		ld_buf_init(&extra[i], TRK_MAX_EXTRA);
	ld_json_foreach_member(rels, i, m) {
		const char *eco = ld_vdb_debian_ecosystem(m->key, m->klen);
		const char *urg = ld_json_get_str(&m->value, "urgency");
		ld_vdb_affected *f = &aff[naff];
		char shown[64];

		if (!eco) {
			/* a release the tracker knows and we do not: say so once per entry */
			ld_feed_printable(shown, sizeof(shown), ld_slice_make(m->key, m->klen));
			ld_warn(t->ctx, "%s: %s %s: unknown Debian release '%s', ignored", t->name,
				pkg, id, shown);
			continue;
		}
		if (naff >= TRK_MAX_RELEASES) {
			ld_warn(t->ctx, "%s: %s %s: more than %u releases, the rest ignored",
				t->name, pkg, id, TRK_MAX_RELEASES);
			break;
		}
		if (urg && !printable(urg, strlen(urg), TRK_MAX_NAME) &&
		    strcmp(urg, "not yet assigned") != 0)
			urg = NULL;
		memset(f, 0, sizeof(*f));
		f->ecosystem = eco;
		f->package = pkg;
		f->severity = urgency_severity(urg);
		f->severity_raw = urg;
		f->extra_json = entry_extra(&extra[naff], issue, &m->value);
		if (entry_status(t, pkg, id, eco, &m->value, urg, f, &rng[naff], &ev[2 * naff]))
			naff++;
	}
	rc = store_issue(t, id, issue, aff, naff);
	for (size_t i = 0; i < TRK_MAX_RELEASES; i++)
		ld_buf_release(&extra[i]);
	if (rc) {
		if (!lading_ctx_error(t->ctx)->code)
			ld_error_set(t->ctx, rc, "%s: storing %s failed", t->name, id);
		return rc;
	}
	return count_id(t, id);
}

static int put_package(trk *t, ld_slice key, const ld_json *pkgv)
{
	char pkg[TRK_MAX_NAME + 1], shown[80];
	const ld_json_member *m;
	int rc;

	if (!printable(key.ptr, key.len, TRK_MAX_NAME) || memchr(key.ptr, '\\', key.len)) {
		ld_feed_printable(shown, sizeof(shown), key);
		ld_warn(t->ctx, "%s: package '%s': not a source package name, skipped", t->name,
			shown);
		t->res->skipped++;
		return 0;
	}
	ld_slice_copy(pkg, sizeof(pkg), key);
	if (!ld_json_is(pkgv, LD_JSON_OBJECT)) {
		ld_warn(t->ctx, "%s: package %s: not an object of issues, skipped", t->name, pkg);
		t->res->skipped++;
		return 0;
	}
	ld_json_foreach_member(pkgv, i, m) {
		char id[TRK_MAX_NAME];
		LD_FEED_COUNT(t->out, ids, 1);
		if (!printable(m->key, m->klen, TRK_MAX_NAME - 1) ||
		    ld_vdb_id_normalize(m->key, m->klen, id, sizeof(id)) == 0) {
			ld_feed_printable(shown, sizeof(shown), ld_slice_make(m->key, m->klen));
			ld_warn(t->ctx, "%s: %s: '%s' is not an issue ID, skipped", t->name, pkg,
				shown);
			t->res->skipped++;
			continue;
		}
		/* the tracker's own spelling is the ID (TEMP-... included) */
		ld_slice_copy(id, sizeof(id), ld_slice_make(m->key, m->klen));
		if ((rc = put_issue(t, pkg, id, &m->value)))
			return rc;
	}
	return 0;
}

int ld_vdb_parse_debian_tracker(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
				ld_vdb_import_result *res, lading_ctx *ctx)
{
	trk t;
	ld_feed_jcur c;
	ld_slice key;
	ld_arena a;
	ld_json_limits lim = {.max_depth = TRK_MAX_DEPTH, .max_arena = TRK_MAX_PKG_ARENA};
	int rc, more;

	name = name ? name : "tracker";
	if (len > TRK_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, TRK_MAX_FILE);
	LD_FEED_COUNT(out, files, 1);
	if ((rc = ld_feed_jopen(&c, p, len, '{', ctx, name)))
		return ld_error_prefix(ctx, "not a Debian security tracker export: ");
	memset(&t, 0, sizeof(t));
	t.out = out;
	t.name = name;
	t.res = res;
	t.ctx = ctx;
	ld_map_init(&t.ids);
	ld_arena_init(&t.keys, 0);
	ld_arena_init(&a, 0);
	while ((more = ld_feed_jstep(&c, &key)) == 1) {
		ld_json *v = NULL;
		if (a.used > ((size_t)16 << 20)) {
			ld_arena_release(&a);
			ld_arena_init(&a, 0);
		}
		/* a package that is not valid JSON means a corrupt file: the feed fails as a whole
		 */
		if ((rc = ld_feed_jtree(&c, &a, &lim, &v)))
			break;
		if ((rc = put_package(&t, key, v)))
			break;
	}
	if (rc == 0 && more < 0)
		rc = more;
	if (rc == 0) {
		const char *q = c.p;
		while (q < c.end && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
			q++;
		if (q != c.end)
			rc = ld_error_set_path(ctx, LADING_EINVALID, name, (uint64_t)(q - c.base),
					       "%s: trailing data after the JSON document", name);
	}
	ld_arena_release(&a);
	ld_arena_release(&t.keys);
	ld_map_release(&t.ids);
	return rc;
}

int ld_vdb_import_debian_tracker_to(const ld_vdb_sink *out, const char *path,
				    ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_buf b;
	char file[4096];
	int rc, kind;

	ld_feed_result_reset(res);
	kind = ld_feed_stat(path, ctx);
	if (kind < 0)
		return kind;
	if (kind == 1) {
		/* a directory: the export saved as "json", "json.gz" or "tracker.json(.gz)" */
		static const char *const names[] = {"json", "json.gz", "tracker.json",
						    "tracker.json.gz"};
		bool found = false;
		for (size_t i = 0; i < LD_ARRAY_LEN(names) && !found; i++) {
			if ((rc = ld_feed_join(file, sizeof(file), path, names[i], ctx)))
				return rc;
			found = access(file, F_OK) == 0;
		}
		if (!found)
			return ld_error_set_path(
				ctx, LADING_ENOTFOUND, path, 0,
				"%s: no tracker export (json, json.gz, tracker.json[.gz]) found",
				path);
		path = file;
	}
	ld_buf_init(&b, LD_FEED_BUF_MAX(TRK_MAX_FILE));
	rc = ld_feed_read(path, TRK_MAX_FILE, NULL, -1, &b, ctx);
	if (rc == 0)
		rc = ld_vdb_parse_debian_tracker(out, b.ptr, b.len, path, res, ctx);
	ld_buf_release(&b);
	return rc;
}

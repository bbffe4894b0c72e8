/* OSV importer. Records are read one at a time (zip entry or file), parsed with util/json into a
 * per-record arena, mapped onto ld_vdb_advisory and stored through the writer. */
#include <dirent.h>
#include <strings.h>

#include "util/common.h"
#include "util/archive.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/stream.h"
#include "vulndb/osv.h"
#include "vulndb/vdb.h"

/* Named limits. Real records are at most a few hundred KiB (Go records with long symbol lists);
 * AlmaLinux has a few hundred affected entries per record, PyPI a few thousand versions. */
#define OSV_MAX_RECORD ((size_t)32 << 20) /* bytes of one JSON record */
#define OSV_MAX_DEPTH 32u		  /* JSON nesting of one record */
#define OSV_MAX_AFFECTED 50000u		  /* affected entries per record */
#define OSV_MAX_RANGES 1000u		  /* ranges per affected entry (custom ranges included) */
#define OSV_MAX_EVENTS 10000u		  /* events per range */
#define OSV_MAX_VERSIONS 200000u	  /* explicit versions per affected entry */
#define OSV_MAX_ALIASES 5000u		  /* aliases, related, upstream: each */
#define OSV_MAX_ID 256u			  /* ID length */
#define OSV_MAX_ENTRIES 2000000u	  /* records in one zip or directory tree */
#define OSV_MAX_TOTAL ((uint64_t)8 << 30) /* uncompressed bytes read from one zip */
#define OSV_MAX_DIR_DEPTH 8		  /* directory tree depth */

static const char *id_of(const ld_json *v)
{
	return ld_json_get_str(v, "id");
}

static int bad(lading_ctx *ctx, const char *id, const char *msg)
{
	return ld_error_set(ctx, LADING_EINVALID, "%s: %s", id ? id : "(no id)", msg);
}

/* An array of strings (non-strings and empty strings are dropped). NULL/absent gives n = 0. */
static int str_array(const ld_json *v, size_t max, ld_arena *a, const char *const **out, size_t *n,
		     lading_ctx *ctx, const char *id, const char *what)
{
	const char **arr;
	size_t k = 0;
	*out = NULL;
	*n = 0;
	if (!v || ld_json_is(v, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(v, LD_JSON_ARRAY))
		return ld_error_set(ctx, LADING_EINVALID, "%s: '%s' is not an array", id, what);
	if (v->n > max)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %u %s (limit %zu)", id, v->n, what,
				    max);
	if (!v->n)
		return 0;
	arr = ld_arena_array(a, v->n, sizeof(*arr));
	if (!arr)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < v->n; i++) {
		const char *s = ld_json_str(&v->u.items[i]);
		if (s && *s)
			arr[k++] = s;
	}
	*out = (const char *const *)arr;
	*n = k;
	return 0;
}

/* ---- verbatim JSON for the `extra` columns ---- */

static void dump(ld_buf *b, const ld_json *v)
{
	const ld_json *it;
	const ld_json_member *m;
	switch (v->type) {
	case LD_JSON_NULL:
		ld_buf_adds(b, "null");
		break;
	case LD_JSON_TRUE:
		ld_buf_adds(b, "true");
		break;
	case LD_JSON_FALSE:
		ld_buf_adds(b, "false");
		break;
	case LD_JSON_NUMBER:
		ld_buf_add(b, v->u.s, v->n);
		break;
	case LD_JSON_STRING:
		ld_json_escape(b, v->u.s, v->n);
		break;
	case LD_JSON_ARRAY:
		ld_buf_addc(b, '[');
		ld_json_foreach_item(v, i, it)
		{
			if (i)
				ld_buf_addc(b, ',');
			dump(b, it); /* recursion bounded by OSV_MAX_DEPTH */
		}
		ld_buf_addc(b, ']');
		break;
	case LD_JSON_OBJECT:
		ld_buf_addc(b, '{');
		ld_json_foreach_member(v, i, m)
		{
			if (i)
				ld_buf_addc(b, ',');
			ld_json_escape(b, m->key, m->klen);
			ld_buf_addc(b, ':');
			dump(b, &m->value);
		}
		ld_buf_addc(b, '}');
		break;
	default:
		ld_buf_adds(b, "null");
		break;
	}
}

/* {"k1": v1, ...} of the members of `obj` named in `keys` that are present (NULL if none). */
static const char *extra_of(const ld_json *obj, const char *const *keys, size_t nkeys, ld_arena *a,
			    int *err)
{
	ld_buf b;
	bool any = false;
	char *s;
	ld_buf_init(&b, OSV_MAX_RECORD * 2);
	ld_buf_addc(&b, '{');
	for (size_t k = 0; k < nkeys; k++) {
		const ld_json *v = ld_json_get(obj, keys[k]);
		if (!v || ld_json_is(v, LD_JSON_NULL))
			continue;
		if (any)
			ld_buf_addc(&b, ',');
		ld_json_escape(&b, keys[k], strlen(keys[k]));
		ld_buf_addc(&b, ':');
		dump(&b, v);
		any = true;
	}
	ld_buf_addc(&b, '}');
	if (ld_buf_error(&b)) {
		*err = LADING_ENOMEM;
		ld_buf_release(&b);
		return NULL;
	}
	s = any ? ld_arena_strndup(a, b.ptr, b.len) : NULL;
	if (any && !s)
		*err = LADING_ENOMEM;
	ld_buf_release(&b);
	return s;
}

/* ---- severity ---- */

/* Rank of a CVSS severity type: v3.x preferred (what most tools and NVD show), then v4, then v2. */
static int cvss_rank(const char *type)
{
	if (!type)
		return 0;
	if (!strcmp(type, "CVSS_V3"))
		return 3;
	if (!strcmp(type, "CVSS_V4"))
		return 2;
	if (!strcmp(type, "CVSS_V2"))
		return 1;
	return 0;
}

static const char *best_vector(const ld_json *sev)
{
	const ld_json *it;
	const char *best = NULL;
	int rank = 0;
	ld_json_foreach_item(sev, i, it)
	{
		int r = cvss_rank(ld_json_get_str(it, "type"));
		const char *score = ld_json_get_str(it, "score");
		if (r > rank && score && *score) {
			best = score;
			rank = r;
		}
	}
	return best;
}

/* A rating word in a severity list (OSV type "Ubuntu": {"type": "Ubuntu", "score": "medium"}). */
static const char *rating_in_list(const ld_json *sev)
{
	const ld_json *it;
	ld_json_foreach_item(sev, i, it)
	{
		const char *type = ld_json_get_str(it, "type"),
			   *score = ld_json_get_str(it, "score");
		if (type && score && *score && !cvss_rank(type) && strncmp(score, "CVSS:", 5))
			return score;
	}
	return NULL;
}

/* A feed-specific rating word: "severity" in database_specific or ecosystem_specific. */
static const char *rating_in(const ld_json *ds, const ld_json *es)
{
	const char *r = ld_json_get_str(ds, "severity");
	if (!r || !*r)
		r = ld_json_get_str(es, "severity");
	return r && *r ? r : NULL;
}

/* Red Hat-style advisories (AlmaLinux, Rocky) rate themselves in the summary: "Important: ...". */
static const char *summary_rating(const char *id, const char *summary)
{
	static const char *const words[] = {"Critical", "Important", "Moderate", "Low"};
	if (!id || !summary)
		return NULL;
	if (strncmp(id, "ALSA-", 5) && strncmp(id, "ALBA-", 5) && strncmp(id, "ALEA-", 5) &&
	    strncmp(id, "RLSA-", 5) && strncmp(id, "RLBA-", 5) && strncmp(id, "RHSA-", 5))
		return NULL;
	for (size_t i = 0; i < LD_ARRAY_LEN(words); i++) {
		size_t n = strlen(words[i]);
		if (!strncmp(summary, words[i], n) && summary[n] == ':')
			return words[i];
	}
	return NULL;
}

/* ---- primary URL ---- */

static bool contains_id(const char *url, const char *id)
{
	char alt[OSV_MAX_ID + 1];
	size_t n = strlen(id);
	if (!url || n == 0 || n > OSV_MAX_ID)
		return false;
	if (strcasestr(url, id))
		return true;
	/* "ALSA-2019:0975" is "ALSA-2019-0975" in URLs */
	ld_strlcpy(alt, id, sizeof(alt));
	for (char *p = alt; *p; p++)
		if (*p == ':')
			*p = '-';
	return strcasestr(url, alt) != NULL;
}

static const char *primary_url(const ld_json *rec, const char *id, ld_arena *a)
{
	const ld_json *refs = ld_json_get(rec, "references"), *it;
	const char *u = ld_json_get_str(ld_json_get(rec, "database_specific"), "url");
	ld_json_foreach_item(refs, i, it)
	{
		const char *url = ld_json_get_str(it, "url");
		if (url && contains_id(url, id))
			return url;
	}
	if (u && *u)
		return u;
	/* every OSV record has a page on osv.dev */
	return ld_arena_printf(a, "https://osv.dev/vulnerability/%s", id);
}

/* ---- affected entries ---- */

static int parse_range(const ld_json *r, bool custom, ld_vdb_range *out, ld_arena *a,
		       lading_ctx *ctx, const char *id, bool *use)
{
	const char *type = ld_json_get_str(r, "type");
	const ld_json *evs = ld_json_get(r, "events"), *it;
	ld_vdb_event *ev;
	size_t n = 0;

	*use = false;
	if (!type)
		return bad(ctx, id, "range without a type");
	if (!strcmp(type, "GIT"))
		return 0; /* commit ranges: we have no commits to match */
	if (strcmp(type, "ECOSYSTEM") && strcmp(type, "SEMVER")) {
		ld_warn(ctx, "%s: range type '%.40s' ignored", id, type);
		return 0;
	}
	if (!ld_json_is(evs, LD_JSON_ARRAY))
		return bad(ctx, id, "range without events");
	if (evs->n > OSV_MAX_EVENTS)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: range with %u events (limit %u)", id,
				    evs->n, OSV_MAX_EVENTS);
	ev = evs->n ? ld_arena_array(a, evs->n, sizeof(*ev)) : NULL;
	if (evs->n && !ev)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_json_foreach_item(evs, i, it)
	{
		const ld_json_member *m;
		if (!ld_json_is(it, LD_JSON_OBJECT) || it->n != 1)
			return bad(ctx, id, "range event is not an object with one member");
		m = &it->u.members[0];
		if (!ld_json_is(&m->value, LD_JSON_STRING))
			return bad(ctx, id, "range event version is not a string");
		if (strcmp(m->key, "introduced") && strcmp(m->key, "fixed") &&
		    strcmp(m->key, "last_affected") && strcmp(m->key, "limit"))
			return bad(ctx, id, "unknown range event");
		ev[n].kind = m->key;
		ev[n].version = m->value.u.s;
		n++;
	}
	out->type = type;
	out->events = ev;
	out->nevents = n;
	out->custom = custom;
	*use = n > 0;
	return 0;
}

static int parse_affected(const ld_json *af, ld_vdb_affected *out, bool *use,
			  const char **informational, ld_arena *a, lading_ctx *ctx, const char *id)
{
	static const char *const extra_keys[] = {"ecosystem_specific", "database_specific"};
	const ld_json *pkg = ld_json_get(af, "package"), *ranges = ld_json_get(af, "ranges");
	const ld_json *es = ld_json_get(af, "ecosystem_specific"),
		      *ds = ld_json_get(af, "database_specific");
	const ld_json *custom = ld_json_get(es, "custom_ranges"), *it;
	ld_vdb_range *rs;
	size_t nr = 0, cap;
	const char *info;
	int rc, err = 0;

	*use = false;
	if (!ld_json_is(af, LD_JSON_OBJECT))
		return bad(ctx, id, "affected entry is not an object");
	if (ranges && !ld_json_is(ranges, LD_JSON_ARRAY) && !ld_json_is(ranges, LD_JSON_NULL))
		return bad(ctx, id, "'ranges' is not an array");
	out->ecosystem = ld_json_get_str(pkg, "ecosystem");
	out->package = ld_json_get_str(pkg, "name");
	out->purl = ld_json_get_str(pkg, "purl");
	if (!out->ecosystem || !*out->ecosystem || !out->package || !*out->package) {
		ld_warn(ctx, "%s: affected entry without a package ecosystem and name skipped", id);
		return 0;
	}
	cap = ld_json_len(ranges) + ld_json_len(custom);
	if (cap > OSV_MAX_RANGES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %zu ranges in one entry (limit %u)",
				    id, cap, OSV_MAX_RANGES);
	rs = cap ? ld_arena_array(a, cap, sizeof(*rs)) : NULL;
	if (cap && !rs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_json_foreach_item(ranges, i, it)
	{
		bool u;
		if ((rc = parse_range(it, false, &rs[nr], a, ctx, id, &u)))
			return rc;
		nr += u;
	}
	/* Go: ranges in pseudo-version space that the SEMVER ranges cannot express */
	ld_json_foreach_item(custom, i, it)
	{
		bool u;
		if ((rc = parse_range(it, true, &rs[nr], a, ctx, id, &u)))
			return rc;
		nr += u;
	}
	out->ranges = rs;
	out->nranges = nr;
	if ((rc = str_array(ld_json_get(af, "versions"), OSV_MAX_VERSIONS, a, &out->versions,
			    &out->nversions, ctx, id, "versions")))
		return rc;
	/* per-package CVSS: affected[].severity (Bitnami), database_specific.cvss (RustSec) */
	out->cvss_vector = best_vector(ld_json_get(af, "severity"));
	if (!out->cvss_vector)
		out->cvss_vector = ld_json_get_str(ds, "cvss");
	/* the package's own rating word, kept as the feed writes it (the writer normalizes) */
	out->severity = rating_in(ds, es);
	if (!out->severity)
		out->severity = rating_in_list(ld_json_get(af, "severity"));
	info = ld_json_get_str(ds, "informational");
	if (info && *info && !*informational)
		*informational = info;
	out->extra_json = extra_of(af, extra_keys, LD_ARRAY_LEN(extra_keys), a, &err);
	if (err)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	/* nothing to match on: only GIT ranges and no explicit versions */
	*use = out->nranges > 0 || out->nversions > 0;
	return 0;
}

int ld_vdb_osv_parse(ld_vdb_osv_record *out, ld_arena *arena, const char *p, size_t len,
		     const char *name, lading_ctx *ctx)
{
	static const char *const extra_keys[] = {"schema_version", "references",
						 "database_specific", "credits", "severity"};
	ld_json_limits lim = {.max_depth = OSV_MAX_DEPTH, .max_arena = 0};
	ld_vdb_advisory *adv = &out->adv;
	const ld_json *rec, *aff, *it, *ds;
	ld_vdb_affected *afs;
	const char *id, *w, *rating;
	ld_json *root;
	size_t n = 0;
	int rc, err = 0;

	memset(out, 0, sizeof(*out));
	if (len > OSV_MAX_RECORD)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: record of %zu bytes (limit %zu)", name,
				    len, OSV_MAX_RECORD);
	if ((rc = ld_json_parse(&root, arena, p, len, &lim, ctx, name)))
		return rc;
	rec = root;
	if (!ld_json_is(rec, LD_JSON_OBJECT))
		return bad(ctx, NULL, "not a JSON object");
	id = id_of(rec);
	if (!id || !*id)
		return bad(ctx, NULL, "record without an 'id'");
	if (strlen(id) > OSV_MAX_ID)
		return ld_error_set(ctx, LADING_ELIMIT, "record ID longer than %u bytes",
				    OSV_MAX_ID);
	for (const char *c = id; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f)
			return bad(ctx, NULL, "record ID with blanks or control characters");
	adv->source = "osv";
	adv->id = id;
	adv->cvss_score = -1;
	w = ld_json_get_str(rec, "withdrawn");
	if (w && *w) {
		out->withdrawn = true;
		return 0;
	}
	aff = ld_json_get(rec, "affected");
	if (aff && !ld_json_is(aff, LD_JSON_ARRAY) && !ld_json_is(aff, LD_JSON_NULL))
		return bad(ctx, id, "'affected' is not an array");
	if (ld_json_len(aff) > OSV_MAX_AFFECTED)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %zu affected entries (limit %u)", id,
				    ld_json_len(aff), OSV_MAX_AFFECTED);
	if ((rc = str_array(ld_json_get(rec, "aliases"), OSV_MAX_ALIASES, arena, &adv->aliases,
			    &adv->naliases, ctx, id, "aliases")) ||
	    (rc = str_array(ld_json_get(rec, "related"), OSV_MAX_ALIASES, arena, &adv->related,
			    &adv->nrelated, ctx, id, "related")) ||
	    (rc = str_array(ld_json_get(rec, "upstream"), OSV_MAX_ALIASES, arena, &adv->upstream,
			    &adv->nupstream, ctx, id, "upstream")))
		return rc;
	adv->summary = ld_json_get_str(rec, "summary");
	adv->details = ld_json_get_str(rec, "details");
	adv->published = ld_json_get_str(rec, "published");
	adv->modified = ld_json_get_str(rec, "modified");
	if (ld_json_get(rec, "modified") && !adv->modified)
		return bad(ctx, id, "'modified' is not a string");

	afs = ld_json_len(aff) ? ld_arena_array(arena, ld_json_len(aff), sizeof(*afs)) : NULL;
	if (ld_json_len(aff) && !afs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_json_foreach_item(aff, i, it)
	{
		bool use;
		if ((rc = parse_affected(it, &afs[n], &use, &adv->informational, arena, ctx, id)))
			return rc;
		if (use)
			n++;
		else
			out->entries_dropped++;
	}
	adv->affected = afs;
	adv->naffected = n;

	/* the record's CVSS: its own severity list, else the first package's (Bitnami) */
	adv->cvss_vector = best_vector(ld_json_get(rec, "severity"));
	for (size_t i = 0; !adv->cvss_vector && i < n; i++)
		adv->cvss_vector = afs[i].cvss_vector;
	/* the source's own rating: database_specific.severity (Bitnami "Medium", GHSA "MODERATE"),
	 * or the summary's prefix for Red Hat-style advisories */
	ds = ld_json_get(rec, "database_specific");
	adv->severity = rating_in(ds, NULL);
	if (!adv->severity)
		adv->severity = rating_in_list(ld_json_get(rec, "severity"));
	rating = summary_rating(id, adv->summary);
	if (!adv->severity && rating)
		adv->severity = rating;
	adv->url = primary_url(rec, id, arena);
	adv->extra_json = extra_of(rec, extra_keys, LD_ARRAY_LEN(extra_keys), arena, &err);
	if (err || !adv->url)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

/* ---- import ---- */

typedef struct osv_import {
	ld_vdb_writer *w;
	ld_vdb_import_result *res;
	lading_ctx *ctx;
	const char *label; /* the zip or directory, for messages */
	size_t entries;
} osv_import;

static void raise_snapshot(ld_vdb_import_result *res, const char *modified)
{
	if (!modified || strlen(modified) >= sizeof(res->snapshot))
		return;
	/* Go's repository writes a placeholder ("0001-01-01T00:00:00Z") that osv.dev replaces */
	if (strcmp(modified, "1970") < 0)
		return;
	/* RFC 3339 texts of one feed compare in time order as strings */
	if (strcmp(modified, res->snapshot) > 0)
		ld_strlcpy(res->snapshot, modified, sizeof(res->snapshot));
}

/* One record: parse and store. Only a writer failure is returned; a bad record is a warning. */
static int one_record(osv_import *im, const char *p, size_t len, const char *entry)
{
	ld_arena a;
	ld_vdb_osv_record r;
	int rc;

	ld_arena_init(&a, 0);
	rc = ld_vdb_osv_parse(&r, &a, p, len, entry, im->ctx);
	if (rc == LADING_ENOMEM)
		goto out;
	if (rc) {
		ld_warn(im->ctx, "%s: %s: %s (record skipped)", im->label, entry,
			lading_ctx_error(im->ctx)->msg);
		ld_error_clear(im->ctx);
		im->res->skipped++;
		rc = 0;
		goto out;
	}
	if (r.withdrawn) {
		im->res->withdrawn++;
		goto out;
	}
	if ((rc = ld_vdb_put_advisory(im->w, &r.adv))) {
		if (rc == LADING_EINVALID || rc == LADING_ELIMIT) {
			ld_warn(im->ctx, "%s: %s: %s (record skipped)", im->label, entry,
				lading_ctx_error(im->ctx)->msg);
			ld_error_clear(im->ctx);
			im->res->skipped++;
			rc = 0;
		}
		goto out;
	}
	im->res->records++;
	raise_snapshot(im->res, r.adv.modified);
out:
	ld_arena_release(&a);
	return rc;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcasecmp(s + n - m, suf);
}

static int import_zip(osv_import *im, const char *path)
{
	ld_stream *in;
	ld_ar *ar = NULL;
	ld_ar_entry e;
	ld_buf b;
	uint64_t total = 0;
	int rc, r;

	if ((rc = ld_stream_file(&in, im->ctx, path)))
		return rc;
	if ((rc = ld_ar_open(&ar, in, LD_AR_FMT_ZIP, im->ctx, path)))
		return rc;
	ld_buf_init(&b, OSV_MAX_RECORD + 1);
	while ((r = ld_ar_next(ar, &e)) == 1) {
		char entry[512];
		if (e.type != LD_AR_REG || !ends_with(e.path, ".json"))
			continue;
		if (++im->entries > OSV_MAX_ENTRIES) {
			rc = ld_error_set(im->ctx, LADING_ELIMIT, "%s: more than %u records", path,
					  OSV_MAX_ENTRIES);
			goto out;
		}
		ld_strlcpy(entry, e.path, sizeof(entry));
		ld_buf_clear(&b);
		rc = ld_ar_read_all(ar, &b, OSV_MAX_RECORD);
		if (rc == LADING_ELIMIT) {
			ld_warn(im->ctx, "%s: %s: record larger than %zu bytes (record skipped)",
				path, entry, OSV_MAX_RECORD);
			ld_error_clear(im->ctx);
			im->res->skipped++;
			rc = 0;
			continue;
		}
		if (rc)
			goto out; /* a damaged archive fails the feed */
		total += b.len;
		if (total > OSV_MAX_TOTAL) {
			rc = ld_error_set(im->ctx, LADING_ELIMIT,
					  "%s: more than %llu bytes of records", path,
					  (unsigned long long)OSV_MAX_TOTAL);
			goto out;
		}
		if ((rc = one_record(im, b.ptr, b.len, entry)))
			goto out;
	}
	if (r < 0)
		rc = r;
	else if (im->entries == 0)
		rc = ld_error_set(im->ctx, LADING_EINVALID,
				  "%s: no OSV records (*.json) in the archive", path);
out:
	ld_buf_release(&b);
	ld_ar_close(ar);
	return rc;
}

static int read_file(const char *path, ld_buf *b, lading_ctx *ctx)
{
	ld_stream *in;
	int rc;
	if ((rc = ld_stream_file(&in, ctx, path)))
		return rc;
	ld_buf_clear(b);
	rc = ld_stream_read_all(in, b, OSV_MAX_RECORD, path);
	ld_stream_close(in);
	return rc;
}

static int import_dir(osv_import *im, const char *dir, int depth, ld_buf *b)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > OSV_MAX_DIR_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d)
		return ld_error_set(im->ctx, LADING_EIO, "cannot read directory %s: %s", dir,
				    strerror(errno));
	while (!rc && (de = readdir(d))) {
		char path[4096];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		ld_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			rc = import_dir(im, path, depth + 1, b);
		} else if (S_ISREG(sb.st_mode) && ends_with(de->d_name, ".json")) {
			if (++im->entries > OSV_MAX_ENTRIES) {
				rc = ld_error_set(im->ctx, LADING_ELIMIT,
						  "%s: more than %u records", im->label,
						  OSV_MAX_ENTRIES);
				break;
			}
			rc = read_file(path, b, im->ctx);
			if (rc == LADING_ELIMIT || rc == LADING_EIO) {
				ld_warn(im->ctx, "%s: %s (record skipped)", path,
					lading_ctx_error(im->ctx)->msg);
				ld_error_clear(im->ctx);
				im->res->skipped++;
				rc = 0;
				continue;
			}
			if (!rc)
				rc = one_record(im, b->ptr, b->len,
						path + strlen(im->label) +
							(path[strlen(im->label)] == '/'));
		}
	}
	closedir(d);
	return rc;
}

static bool is_zip(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	bool z;
	if (!f)
		return false;
	z = fread(m, 1, 4, f) == 4 && m[0] == 'P' && m[1] == 'K' && (m[2] == 3 || m[2] == 5);
	fclose(f);
	return z;
}

int ld_vdb_import_osv(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		      lading_ctx *ctx)
{
	osv_import im = {.w = w, .res = res, .ctx = ctx, .label = path};
	struct stat sb;
	char zip[4096];
	int rc;

	memset(res, 0, sizeof(*res));
	if (stat(path, &sb) != 0)
		return ld_error_set(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, "%s: %s",
				    path, strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		ld_buf b;
		ld_snprintf(zip, sizeof(zip), "%s/all.zip", path);
		if (stat(zip, &sb) == 0 && S_ISREG(sb.st_mode)) {
			im.label = zip;
			return import_zip(&im, zip);
		}
		ld_buf_init(&b, OSV_MAX_RECORD + 1);
		rc = import_dir(&im, path, 0, &b);
		ld_buf_release(&b);
		if (!rc && im.entries == 0)
			rc = ld_error_set(ctx, LADING_ENOTFOUND,
					  "%s: no all.zip and no OSV records (*.json)", path);
		return rc;
	}
	if (is_zip(path))
		return import_zip(&im, path);
	{
		ld_buf b;
		ld_buf_init(&b, OSV_MAX_RECORD + 1);
		rc = read_file(path, &b, ctx);
		if (!rc) {
			im.entries = 1;
			rc = one_record(&im, b.ptr, b.len, path);
		}
		ld_buf_release(&b);
	}
	return rc;
}

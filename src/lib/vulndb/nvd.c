/* NVD CVE feeds, for severity (CVSS v3.x and v2 per CVE) and for the CPE configurations of
 * products no distribution feed covers. Never used to match distribution packages.
 *
 * JSON 1.1 (nvdcve-1.1-<YEAR|modified|recent>.json.gz, retired upstream; the mirror's form):
 *   {"CVE_data_timestamp", "CVE_Items": [{"cve": {"CVE_data_meta": {"ID"}, "description":
 *    {"description_data": [{"lang","value"}]}}, "configurations": {"nodes": [{"operator",
 *    "children": [...], "cpe_match": [{"vulnerable", "cpe23Uri", "versionStartIncluding", ...}]}]},
 *    "impact": {"baseMetricV3": {"cvssV3": {"vectorString","baseScore","baseSeverity"}},
 *    "baseMetricV2": {"cvssV2": {"vectorString","baseScore"}, "severity"}},
 *    "publishedDate", "lastModifiedDate"}]}
 * JSON 2.0 (nvdcve-2.0-*.json.gz, current):
 *   {"timestamp", "vulnerabilities": [{"cve": {"id", "published", "lastModified", "descriptions",
 *    "metrics": {"cvssMetricV31"|"cvssMetricV30"|"cvssMetricV2": [{"type": "Primary"|"Secondary",
 *    "cvssData": {"vectorString","baseScore","baseSeverity"}, "baseSeverity"}]},
 *    "configurations": [{"nodes": [{"cpeMatch": [{"vulnerable","criteria",
 * "versionStart..."}]}]}]}}]}
 *
 * A year file is up to ~85 MB of JSON: the top levels are walked with the tree-less cursor of
 * feed.h and only one CVE item at a time becomes an ld_json tree, so memory is the file's bytes
 * plus one item. Only vulnerable CPE matches are kept (platform "running on" entries are context,
 * and AND-nodes are flattened: docs/vulndb.md). */
#include "util/common.h"
#include "util/json.h"
#include "util/map.h"
#include "vulndb/feed.h"
#include "vulndb/importers.h"

/* Named limits. */
#define NVD_MAX_FILE ((size_t)2 << 30) /* uncompressed bytes of one feed file (real: <= 85 MB) */
#define NVD_MAX_ITEM_ARENA ((size_t)256 << 20) /* tree of one CVE item */
#define NVD_MAX_DEPTH 64u		       /* JSON nesting inside one item (real: ~10) */
#define NVD_MAX_NODE_DEPTH 16u		       /* nested configuration "children" */
#define NVD_MAX_CPE 2048u		       /* bytes of one CPE name */
#define NVD_MAX_CVES 10000000u		       /* distinct CVEs per import */
#define NVD_MAX_META 4096u		       /* bytes of a .meta file */

typedef struct nvd_state {
	ld_map seen; /* CVE -> lastModified (arena strings) of the version emitted */
	ld_arena keys;
	size_t ncves;
	ld_buf file; /* one file's bytes, reused: its pages stay mapped from one year to the next */
} nvd_state;

static void state_init(nvd_state *s)
{
	ld_map_init(&s->seen);
	ld_arena_init(&s->keys, 0);
	s->ncves = 0;
	ld_buf_init(&s->file, LD_FEED_BUF_MAX(NVD_MAX_FILE));
}

static void state_release(nvd_state *s)
{
	ld_map_release(&s->seen);
	ld_arena_release(&s->keys);
	ld_buf_release(&s->file);
}

/* ------------------------------------------------------------------ CPE names */

int ld_vdb_cpe23_split(const char *cpe23, char *buf, size_t bufsz, const char *fields[11])
{
	const char *p;
	size_t n = 0, nf = 0;

	for (int i = 0; i < 11; i++)
		fields[i] = NULL;
	if (!cpe23 || strncmp(cpe23, "cpe:2.3:", 8) != 0 || bufsz < strlen(cpe23) + 1)
		return LADING_EINVALID;
	p = cpe23 + 8;
	fields[nf++] = buf;
	for (; *p; p++) {
		if (*p == '\\') {
			/* "\:" "\\" "\." "\(" ...: the quoted character itself */
			if (!p[1])
				return LADING_EINVALID;
			buf[n++] = *++p;
		} else if (*p == ':') {
			buf[n++] = '\0';
			if (nf == 11)
				return LADING_EINVALID;
			fields[nf++] = buf + n;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	if (nf < 4 || fields[0][0] == '\0' || fields[0][1] != '\0' || !strchr("aoh*", fields[0][0]))
		return LADING_EINVALID;
	return 0;
}

/* ------------------------------------------------------------------ one item */

typedef struct item_ctx {
	const ld_vdb_sink *out;
	const char *name; /* file */
	const char *cve;
	lading_ctx *ctx;
	int rc;
} item_ctx;

static const char *str_or_null(const ld_json *v)
{
	const char *s = ld_json_str(v);
	return (s && *s && !memchr(s, '\0', v->n)) ? s : NULL;
}

static int put_match(item_ctx *ic, const ld_json *m, const char *cpe_key)
{
	const char *cpe = str_or_null(ld_json_get(m, cpe_key));
	char buf[NVD_MAX_CPE + 1];
	const char *f[11];
	ld_vdb_cpe_match cm;
	int rc;

	if (!ld_json_bool(ld_json_get(m, "vulnerable"), false))
		return 0;
	if (!cpe || strlen(cpe) > NVD_MAX_CPE ||
	    ld_vdb_cpe23_split(cpe, buf, sizeof(buf), f) != 0) {
		char shown[96];
		ld_feed_printable(shown, sizeof(shown), ld_json_slice(ld_json_get(m, cpe_key)));
		ld_warn(ic->ctx, "%s: %s: CPE match '%s' is not a CPE 2.3 name, ignored", ic->name,
			ic->cve, shown);
		return 0;
	}
	memset(&cm, 0, sizeof(cm));
	cm.cve = ic->cve;
	cm.cpe23 = cpe;
	cm.part = f[0];
	cm.vendor = f[1];
	cm.product = f[2];
	cm.version = f[3];
	cm.start_incl = str_or_null(ld_json_get(m, "versionStartIncluding"));
	cm.start_excl = str_or_null(ld_json_get(m, "versionStartExcluding"));
	cm.end_incl = str_or_null(ld_json_get(m, "versionEndIncluding"));
	cm.end_excl = str_or_null(ld_json_get(m, "versionEndExcluding"));
	rc = ld_feed_cpe_match(ic->out, &cm);
	if (rc == 0)
		LD_FEED_COUNT(ic->out, cpe_matches, 1);
	return rc;
}

static int walk_node(item_ctx *ic, const ld_json *node, const char *match_key, const char *cpe_key,
		     unsigned depth)
{
	const ld_json *m, *c;
	int rc;
	if (depth > NVD_MAX_NODE_DEPTH) {
		ld_warn(ic->ctx, "%s: %s: configuration nested deeper than %u, the rest ignored",
			ic->name, ic->cve, NVD_MAX_NODE_DEPTH);
		return 0;
	}
	ld_json_foreach_item(ld_json_get(node, match_key), i, m) {
		if ((rc = put_match(ic, m, cpe_key)))
			return rc;
	}
	ld_json_foreach_item(ld_json_get(node, "children"), i, c) {
		if ((rc = walk_node(ic, c, match_key, cpe_key, depth + 1)))
			return rc;
	}
	return 0;
}

static const char *english(const ld_json *list, const char *vkey)
{
	const ld_json *d;
	const char *first = NULL;
	ld_json_foreach_item(list, i, d) {
		const char *v = str_or_null(ld_json_get(d, vkey));
		const char *lang = ld_json_get_str(d, "lang");
		if (!v)
			continue;
		if (lang && strcmp(lang, "en") == 0)
			return v;
		if (!first)
			first = v;
	}
	return first;
}

static double score_of(const ld_json *v)
{
	double d;
	if (ld_json_num(v, &d) && d >= 0.0 && d <= 10.0)
		return d;
	return -1.0;
}

/* The 2.0 metric to use from a list: the "Primary" one (NVD's own), else the first. */
static const ld_json *pick_metric(const ld_json *list)
{
	const ld_json *m;
	ld_json_foreach_item(list, i, m) {
		const char *t = ld_json_get_str(m, "type");
		if (t && strcmp(t, "Primary") == 0)
			return m;
	}
	return ld_json_at(list, 0);
}

/* Fill `n` from a 1.1 item; returns the configuration root to walk. */
static void read_v11(const ld_json *it, ld_vdb_nvd *n, const char **id)
{
	const ld_json *v3 = ld_json_getp(it, "impact", "baseMetricV3", NULL);
	const ld_json *v2 = ld_json_getp(it, "impact", "baseMetricV2", NULL);
	*id = str_or_null(ld_json_getp(it, "cve", "CVE_data_meta", "ID", NULL));
	n->published = str_or_null(ld_json_get(it, "publishedDate"));
	n->modified = str_or_null(ld_json_get(it, "lastModifiedDate"));
	n->description =
		english(ld_json_getp(it, "cve", "description", "description_data", NULL), "value");
	n->v3_vector = str_or_null(ld_json_getp(v3, "cvssV3", "vectorString", NULL));
	n->v3_score = score_of(ld_json_getp(v3, "cvssV3", "baseScore", NULL));
	n->v3_severity = str_or_null(ld_json_getp(v3, "cvssV3", "baseSeverity", NULL));
	n->v2_vector = str_or_null(ld_json_getp(v2, "cvssV2", "vectorString", NULL));
	n->v2_score = score_of(ld_json_getp(v2, "cvssV2", "baseScore", NULL));
	n->v2_severity = str_or_null(ld_json_get(v2, "severity"));
}

static void read_v20(const ld_json *cve, ld_vdb_nvd *n, const char **id)
{
	const ld_json *metrics = ld_json_get(cve, "metrics");
	const ld_json *v3 = pick_metric(ld_json_get(metrics, "cvssMetricV31"));
	const ld_json *v2 = pick_metric(ld_json_get(metrics, "cvssMetricV2"));
	if (!v3)
		v3 = pick_metric(ld_json_get(metrics, "cvssMetricV30"));
	*id = str_or_null(ld_json_get(cve, "id"));
	n->published = str_or_null(ld_json_get(cve, "published"));
	n->modified = str_or_null(ld_json_get(cve, "lastModified"));
	n->description = english(ld_json_get(cve, "descriptions"), "value");
	n->v3_vector = str_or_null(ld_json_getp(v3, "cvssData", "vectorString", NULL));
	n->v3_score = score_of(ld_json_getp(v3, "cvssData", "baseScore", NULL));
	n->v3_severity = str_or_null(ld_json_getp(v3, "cvssData", "baseSeverity", NULL));
	n->v2_vector = str_or_null(ld_json_getp(v2, "cvssData", "vectorString", NULL));
	n->v2_score = score_of(ld_json_getp(v2, "cvssData", "baseScore", NULL));
	/* v2's severity sits beside cvssData in 2.0 */
	n->v2_severity = str_or_null(ld_json_get(v2, "baseSeverity"));
}

static int process_item(nvd_state *st, const ld_vdb_sink *out, const ld_json *it, bool v20,
			size_t index, const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_vdb_nvd n;
	const char *id = NULL, *prev;
	const ld_json *cve = v20 ? ld_json_get(it, "cve") : it;
	item_ctx ic;
	int rc;

	memset(&n, 0, sizeof(n));
	if (v20)
		read_v20(cve, &n, &id);
	else
		read_v11(it, &n, &id);
	LD_FEED_COUNT(out, rows, 1);
	if (!id || !ld_feed_is_cve(ld_slice_cstr(id))) {
		char shown[64];
		ld_feed_printable(shown, sizeof(shown), ld_slice_cstr(id ? id : ""));
		ld_warn(ctx, "%s: item #%zu (%s): no valid CVE ID, skipped", name, index + 1,
			shown[0] ? shown : "no ID");
		res->skipped++;
		return 0;
	}
	n.cve = id;
	/* a vector without a score (or the reverse) is kept; the writer scores vectors itself */
	if (!n.v3_vector)
		n.v3_score = -1;
	if (!n.v2_vector)
		n.v2_score = -1;

	/* emitted already from another file: only a newer version replaces it */
	prev = ld_map_gets(&st->seen, id);
	if (prev) {
		if (!n.modified || strcmp(n.modified, prev) <= 0) {
			LD_FEED_COUNT(out, duplicates, 1);
			return 0;
		}
	}
	{
		/* the map keeps its key pointers: both strings live in the state's arena */
		char *k = ld_arena_strdup(&st->keys, id);
		char *m = ld_arena_strdup(&st->keys, n.modified ? n.modified : "");
		void *old;
		if (!prev && st->ncves >= NVD_MAX_CVES)
			return ld_error_set(ctx, LADING_ELIMIT, "%s: more than %u CVEs", name,
					    NVD_MAX_CVES);
		if (!k || !m || ld_map_put(&st->seen, ld_slice_cstr(k), m, &old))
			return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
		if (!prev) {
			st->ncves++;
			res->records++;
		}
	}
	rc = ld_feed_nvd(out, &n);
	if (rc)
		goto fail;

	ic = (item_ctx){out, name, id, ctx, 0};
	if (v20) {
		const ld_json *conf, *node;
		ld_json_foreach_item(ld_json_get(cve, "configurations"), i, conf) {
			ld_json_foreach_item(ld_json_get(conf, "nodes"), j, node) {
				if ((rc = walk_node(&ic, node, "cpeMatch", "criteria", 0)))
					goto fail;
			}
		}
	} else {
		const ld_json *node;
		ld_json_foreach_item(ld_json_getp(it, "configurations", "nodes", NULL), i, node) {
			if ((rc = walk_node(&ic, node, "cpe_match", "cpe23Uri", 0)))
				goto fail;
		}
	}
	return 0;
fail:
	if (!lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: storing %s failed", name, id);
	return rc;
}

/* ------------------------------------------------------------------ one file */

/* The items of the "CVE_Items"/"vulnerabilities" array at the parent cursor. */
static int parse_items(nvd_state *st, const ld_vdb_sink *out, ld_feed_jcur *parent, bool v20,
		       const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_feed_jcur c;
	ld_slice key;
	ld_arena a;
	ld_json_limits lim = {.max_depth = NVD_MAX_DEPTH, .max_arena = NVD_MAX_ITEM_ARENA};
	size_t index = 0;
	int rc, more;

	if ((rc = ld_feed_jenter(parent, &c, '[')))
		return rc;
	ld_arena_init(&a, 0);
	while ((more = ld_feed_jstep(&c, &key)) == 1) {
		ld_json *it = NULL;
		/* one tree per item; the arena's memory is reused while it stays small */
		if (a.used > ((size_t)8 << 20)) {
			ld_arena_release(&a);
			ld_arena_init(&a, 0);
		}
		/* a malformed item means a corrupt file: the feed fails as a whole */
		if ((rc = ld_feed_jtree(&c, &a, &lim, &it)))
			break;
		if ((rc = process_item(st, out, it, v20, index, name, res, ctx)))
			break;
		index++;
	}
	if (rc == 0 && more < 0)
		rc = more;
	if (rc == 0)
		ld_feed_jleave(parent, &c);
	ld_arena_release(&a);
	return rc;
}

static int parse_file(nvd_state *st, const ld_vdb_sink *out, const char *p, size_t len,
		      const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_feed_jcur c;
	ld_slice key, val;
	ld_arena small;
	bool found = false;
	int rc, more;

	if (len > NVD_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, NVD_MAX_FILE);
	LD_FEED_COUNT(out, files, 1);
	if ((rc = ld_feed_jopen(&c, p, len, '{', ctx, name)))
		return rc;
	ld_arena_init(&small, 0);
	while ((more = ld_feed_jstep(&c, &key)) == 1) {
		bool v11 = ld_slice_eq_cstr(key, "CVE_Items"),
		     v20 = ld_slice_eq_cstr(key, "vulnerabilities");
		if (v11 || v20) {
			if (found) {
				rc = ld_error_set_path(ctx, LADING_EINVALID, name, 0,
						       "%s: two lists of CVE items", name);
				break;
			}
			found = true;
			if ((rc = parse_items(st, out, &c, v20, name, res, ctx)))
				break;
		} else if (ld_slice_eq_cstr(key, "CVE_data_timestamp") ||
			   ld_slice_eq_cstr(key, "timestamp")) {
			ld_json *v = NULL;
			if ((rc = ld_feed_jtree(&c, &small, NULL, &v)))
				break;
			if (ld_json_str(v))
				ld_feed_snapshot(res, ld_json_str(v), v->n);
		} else if ((rc = ld_feed_jskipval(&c, &val))) {
			break;
		}
	}
	if (rc == 0 && more < 0)
		rc = more;
	if (rc == 0) {
		/* nothing but blanks after the document */
		const char *q = c.p;
		while (q < c.end && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
			q++;
		if (q != c.end)
			rc = ld_error_set_path(ctx, LADING_EINVALID, name, (uint64_t)(q - c.base),
					       "%s: trailing data after the JSON document", name);
	}
	if (rc == 0 && !found)
		rc = ld_error_set_path(
			ctx, LADING_EINVALID, name, 0,
			"%s: not an NVD JSON feed (no \"CVE_Items\" or \"vulnerabilities\")", name);
	ld_arena_release(&small);
	return rc;
}

int ld_vdb_parse_nvd(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		     ld_vdb_import_result *res, lading_ctx *ctx)
{
	nvd_state st;
	int rc;
	state_init(&st);
	rc = parse_file(&st, out, p, len, name ? name : "nvd", res, ctx);
	state_release(&st);
	return rc;
}

/* ------------------------------------------------------------------ files and directories */

/* "nvdcve-1.1-2017.json.gz" -> version 11, kind: 0 recent, 1 modified, 2 year (year set) */
typedef struct nvd_file {
	const char *name;
	int version; /* 11 or 20 */
	int kind;
	unsigned year;
} nvd_file;

static bool classify(const char *nm, nvd_file *f)
{
	const char *p;
	size_t n = strlen(nm);
	if (strncmp(nm, "nvdcve-1.1-", 11) == 0)
		f->version = 11;
	else if (strncmp(nm, "nvdcve-2.0-", 11) == 0)
		f->version = 20;
	else
		return false;
	if (!(n > 16 && strcmp(nm + n - 5, ".json") == 0) &&
	    !(n > 19 && strcmp(nm + n - 8, ".json.gz") == 0))
		return false;
	p = nm + 11;
	f->name = nm;
	f->year = 0;
	if (strncmp(p, "recent.", 7) == 0) {
		f->kind = 0;
	} else if (strncmp(p, "modified.", 9) == 0) {
		f->kind = 1;
	} else {
		unsigned y = 0;
		int d = 0;
		while (p[d] >= '0' && p[d] <= '9' && d < 4)
			y = y * 10 + (unsigned)(p[d++] - '0');
		if (d != 4 || p[4] != '.')
			return false;
		f->kind = 2;
		f->year = y;
	}
	return true;
}

/* recent and modified first (they win), 2.0 before 1.1, then the years in order */
static int cmp_file(const void *x, const void *y)
{
	const nvd_file *a = x, *b = y;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	return b->version - a->version;
}

/* The .meta beside a feed file: "sha256:<HEX>" and "size:<n>" of the uncompressed JSON. */
static void read_meta(const char *dir, const nvd_file *f, char digest[80], int64_t *size,
		      lading_ctx *ctx)
{
	char path[4096], stem[256];
	const char *dot = strstr(f->name, ".json");
	ld_buf b;
	ld_slice in, line;
	lading_ctx *scratch = NULL;

	digest[0] = '\0';
	*size = -1;
	ld_snprintf(stem, sizeof(stem), "%.*s.meta", (int)(dot - f->name), f->name);
	if (ld_feed_join(path, sizeof(path), dir, stem, ctx)) {
		ld_error_clear(ctx);
		return;
	}
	if (access(path, F_OK) != 0)
		return; /* no .meta: nothing to verify */
	if (lading_ctx_new(&scratch))
		return;
	ld_buf_init(&b,
		    0); /* default cap: reads grow in 64 KiB steps; NVD_MAX_META bounds the file */
	if (ld_feed_read(path, NVD_MAX_META, NULL, -1, &b, scratch)) {
		ld_warn(ctx, "%s: unreadable (%s); %s read without a digest check", path,
			lading_ctx_error(scratch)->msg, f->name);
		goto out;
	}
	in = ld_buf_slice(&b);
	while (ld_slice_next_line(&in, &line)) {
		ld_slice k;
		line = ld_slice_trim(line);
		if (!ld_slice_cut(&line, ':', &k))
			continue;
		if (ld_slice_eq_cstr(k, "sha256") && line.len == 64) {
			char hex[65];
			bool ok = true;
			for (size_t i = 0; i < 64; i++) {
				char c = line.ptr[i];
				if (c >= 'A' && c <= 'F')
					c = (char)(c - 'A' + 'a');
				ok &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
				hex[i] = c;
			}
			hex[64] = '\0';
			if (ok)
				ld_snprintf(digest, 80, "sha256:%s", hex);
		} else if (ld_slice_eq_cstr(k, "size")) {
			uint64_t v;
			if (ld_slice_to_u64(line, (uint64_t)NVD_MAX_FILE, &v))
				*size = (int64_t)v;
		}
	}
	if (!digest[0])
		ld_warn(ctx, "%s: no valid sha256 line; %s read without a digest check", path,
			f->name);
out:
	ld_buf_release(&b);
	lading_ctx_free(scratch);
}

static int import_one(nvd_state *st, const ld_vdb_sink *out, const char *dir, const nvd_file *f,
		      ld_vdb_import_result *res, lading_ctx *ctx)
{
	char path[4096], digest[80];
	int64_t size = -1;
	ld_buf *b = &st->file;
	int rc;

	if ((rc = ld_feed_join(path, sizeof(path), dir, f->name, ctx)))
		return rc;
	read_meta(dir, f, digest, &size, ctx);
	ld_buf_clear(b);
	/* sized once from the .meta: no regrowth while reading */
	if (size > 0 && (size_t)size <= NVD_MAX_FILE &&
	    (rc = ld_buf_grow(b, (size_t)size + ((size_t)64 << 10))))
		goto out;
	rc = ld_feed_read(path, NVD_MAX_FILE, digest[0] ? digest : NULL, digest[0] ? size : -1, b,
			  ctx);
	if (rc == 0)
		rc = parse_file(st, out, b->ptr, b->len, path, res, ctx);
out:
	if (rc == LADING_ENOMEM && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: out of memory", path);
	return rc;
}

int ld_vdb_import_nvd_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			 lading_ctx *ctx)
{
	nvd_state st;
	ld_feed_dir d;
	nvd_file *files = NULL;
	size_t nf = 0;
	int rc, kind;

	ld_feed_result_reset(res);
	kind = ld_feed_stat(path, ctx);
	if (kind < 0)
		return kind;
	state_init(&st);
	if (kind == 0) {
		/* one file: its .meta, if any, sits beside it */
		char dir[4096];
		const char *slash = strrchr(path, '/');
		nvd_file f = {0};
		if (!classify(slash ? slash + 1 : path, &f)) {
			f.name = slash ? slash + 1 : path;
			f.version = 11;
		}
		if (!slash)
			ld_strlcpy(dir, ".", sizeof(dir));
		else if (slash == path)
			ld_strlcpy(dir, "/", sizeof(dir));
		else
			ld_snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		rc = import_one(&st, out, dir, &f, res, ctx);
		state_release(&st);
		return rc;
	}
	if ((rc = ld_feed_dir_list(&d, path, ctx)))
		goto out;
	files = calloc(d.n ? d.n : 1, sizeof(*files));
	if (!files) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out_dir;
	}
	for (size_t i = 0; i < d.n; i++)
		if (classify(d.names[i], &files[nf]))
			nf++;
	qsort(files, nf, sizeof(*files), cmp_file);
	{
		size_t used = 0;
		for (size_t i = 0; i < nf && rc == 0; i++) {
			/* a year present in both schemas: the 2.0 file (sorted first) is the
			 * current one */
			if (i > 0 && files[i].kind == 2 && files[i - 1].kind == 2 &&
			    files[i].year == files[i - 1].year)
				continue;
			rc = import_one(&st, out, path, &files[i], res, ctx);
			used++;
		}
		if (rc == 0 && used == 0)
			rc = ld_error_set_path(ctx, LADING_ENOTFOUND, path, 0,
					       "%s: no NVD feed files (nvdcve-1.1-<YEAR>.json.gz "
					       "or nvdcve-2.0-...) found",
					       path);
	}
out_dir:
	free(files);
	ld_feed_dir_release(&d);
out:
	state_release(&st);
	return rc;
}

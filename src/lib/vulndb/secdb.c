/* Alpine secdb importer: the JSON of secdb.alpinelinux.org and the YAML of the alpine-secdb
 * repository (same tree once parsed). Each file is one branch+repository:
 *   {"distroversion": "v3.9", "reponame": "main", "packages": [{"pkg": {"name": "openssl",
 *    "secfixes": {"1.1.1b-r1": ["CVE-2019-1543"], "0": ["CVE-..."]}}}]}
 * A secfixes key is the first fixed version ("0": never affected); its list names what it fixes.
 * The lists are hand-written: several IDs in one string, typos, free text and non-CVE IDs occur
 * (see ld_vdb_id_normalize). Records are grouped per ID over all files of one import: one advisory
 * per ID, one affected entry per (branch, package, fixed version). docs/vulndb.md has the mapping.
 */
#include "util/common.h"
#include "util/json.h"
#include "util/vec.h"
#include "util/yaml.h"
#include "vulndb/feed.h"
#include "vulndb/importers.h"

/* Named limits. The largest real file (v3.11 main.json) is 70 KB with 175 packages. */
#define SECDB_MAX_FILE ((size_t)64 << 20) /* bytes of one file */
#define SECDB_MAX_DEPTH 32u		  /* JSON nesting (the format uses 5) */
#define SECDB_MAX_ENTRIES 5000000u	  /* (id, branch, package, fix) entries per import */
#define SECDB_MAX_ID_LEN 64u		  /* one advisory ID */
#define SECDB_MAX_TOKENS 256u		  /* IDs in one secfixes string */
#define SECDB_MAX_AFFECTED 100000u	  /* affected entries of one advisory */

static const char SOURCE[] = "alpine-secdb";

typedef struct entry {
	const char *id;
	const char *eco; /* "Alpine:v3.9" */
	const char *pkg;
	const char *fixed; /* NULL: not affected (key "0") */
	const char *alias; /* another ID named in the same string (CVE <-> XSA/TALOS...), or NULL */
} entry;

typedef struct acc {
	ld_arena arena; /* all strings of the import */
	ld_vec ents;	/* entry */
} acc;

static void acc_init(acc *a)
{
	ld_arena_init(&a->arena, 0);
	ld_vec_init(&a->ents, sizeof(entry), SECDB_MAX_ENTRIES);
}

static void acc_release(acc *a)
{
	ld_vec_release(&a->ents);
	ld_arena_release(&a->arena);
}

/* ------------------------------------------------------------------ IDs */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}
static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int ld_vdb_id_normalize(const char *tok, size_t len, char *out, size_t outsz)
{
	const char *p = tok, *e = tok + len;
	size_t n;

	if (!tok || !out || outsz == 0)
		return 0;
	out[0] = '\0';
	/* trailing punctuation of prose ("CVE-2019-1,") */
	while (e > p && (e[-1] == ',' || e[-1] == ';' || e[-1] == ':' || e[-1] == '.'))
		e--;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(e - p);
	if (n == 0)
		return 0;
	if (n >= 3 && (p[0] | 0x20) == 'c' && (p[1] | 0x20) == 'v' && (p[2] | 0x20) == 'e') {
		const char *q = p + 3, *ys, *ns;
		size_t ylen, nlen;
		char tmp[SECDB_MAX_ID_LEN];
		int w;
		/* separator: "-" normally; "_" or " " are typos */
		if (q >= e || (*q != '-' && *q != '_' && *q != ' '))
			goto other;
		while (q < e && (*q == '-' || *q == '_' || *q == ' '))
			q++;
		ys = q;
		while (q < e && is_digit(*q))
			q++;
		ylen = (size_t)(q - ys);
		if (ylen != 4 || q >= e || (*q != '-' && *q != '_'))
			return 0; /* "CVE-????-?????" placeholders and other junk */
		q++;
		ns = q;
		while (q < e && is_digit(*q))
			q++;
		nlen = (size_t)(q - ns);
		if (nlen < 4 || nlen > 12)
			return 0;
		/* anything after the number ("-1", ".patch") is a suffix of the writer's, not the
		 * ID */
		if (nlen + 9 >= outsz)
			return 0;
		ld_snprintf(tmp, sizeof(tmp), "CVE-%.4s-%.*s", ys, (int)nlen, ns);
		w = (int)(nlen + 9);
		memcpy(out, tmp, (size_t)w + 1);
		return ((size_t)w == len && memcmp(out, tok, len) == 0) ? 1 : 2;
	}
other:
	/* other IDs: letters/digits in dash-separated groups, with at least one digit and one dash
	 * (XSA-207, TALOS-2017-0497, wnpa-sec-2017-18, ZBX-11023); bare words are not IDs */
	{
		bool digit = false, dash = false;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return 0;
		for (const char *q = p; q < e; q++) {
			if (*q == '-') {
				if (q + 1 >= e || q[1] == '-')
					return 0;
				dash = true;
			} else if (is_digit(*q)) {
				digit = true;
			} else if (!is_alnum(*q)) {
				return 0;
			}
		}
		if (!digit || !dash || n >= outsz || n >= SECDB_MAX_ID_LEN)
			return 0;
		memcpy(out, p, n);
		out[n] = '\0';
		return (n == len) ? 1 : 2;
	}
}

/* Split one secfixes string into IDs. Returns the count (ids[] in the arena) or < 0 on OOM. */
static int split_ids(acc *a, const ld_vdb_sink *out, const char *s, size_t len, const char **ids,
		     size_t maxids)
{
	const char *p = s, *e = s + len;
	const char *paren = memchr(s, '(', len);
	size_t nids = 0;

	if (paren) {
		/* "CVE-2017-2616 (+ regression fix)", "CVE-2018-14462 (ICMP)": free text */
		e = paren;
		LD_FEED_COUNT(out, ids_dropped, 1);
	}
	while (p < e) {
		const char *t, *te;
		char id[SECDB_MAX_ID_LEN];
		int r;
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ','))
			p++;
		if (p >= e)
			break;
		t = p;
		while (p < e && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ',')
			p++;
		te = p;
		/* "CVE 2018-16859": the typo splits the ID in two tokens */
		if (te - t == 3 && strncasecmp(t, "CVE", 3) == 0 && p < e) {
			const char *q = p;
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			if (q < e && is_digit(*q)) {
				while (q < e && *q != ' ' && *q != '\t' && *q != ',')
					q++;
				te = q;
				p = q;
			}
		}
		r = ld_vdb_id_normalize(t, (size_t)(te - t), id, sizeof(id));
		if (r == 0) {
			LD_FEED_COUNT(out, ids_dropped, 1);
			continue;
		}
		if (r == 2)
			LD_FEED_COUNT(out, ids_normalized, 1);
		LD_FEED_COUNT(out, ids, 1);
		if (nids >= maxids)
			break;
		{
			bool dup = false;
			for (size_t i = 0; i < nids; i++)
				dup |= strcmp(ids[i], id) == 0;
			if (dup)
				continue;
		}
		ids[nids] = ld_arena_strdup(&a->arena, id);
		if (!ids[nids])
			return LADING_ENOMEM;
		nids++;
	}
	return (int)nids;
}

static int add_entry(acc *a, const char *id, const char *eco, const char *pkg, const char *fixed,
		     const char *alias)
{
	entry *en = ld_vec_push(&a->ents);
	if (!en)
		return ld_vec_full(&a->ents) ? LADING_ELIMIT : LADING_ENOMEM;
	en->id = id;
	en->eco = eco;
	en->pkg = pkg;
	en->fixed = fixed;
	en->alias = alias;
	return 0;
}

/* "v3.9", "v3.10", "edge" */
static bool valid_branch(const char *s)
{
	const char *p = s;
	if (strcmp(s, "edge") == 0)
		return true;
	if (*p++ != 'v' || !is_digit(*p))
		return false;
	while (is_digit(*p))
		p++;
	if (*p++ != '.' || !is_digit(*p))
		return false;
	while (is_digit(*p))
		p++;
	return *p == '\0';
}

/* A version key: printable, no blanks, bounded. */
static bool valid_key(const char *k, size_t n)
{
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] <= 0x20 || (unsigned char)k[i] >= 0x7f)
			return false;
	return true;
}

/* The entries of one string's IDs: a CVE and a vendor ID in one string name the same flaw, so
 * each is recorded with the other as its alias. */
static int add_ids(acc *a, const char *const *ids, int nids, const char *eco, const char *pname,
		   const char *fixed, const char *name, lading_ctx *ctx)
{
	for (int x = 0; x < nids; x++) {
		bool xcve = ld_feed_is_cve(ld_slice_cstr(ids[x]));
		int added = 0, rc;
		for (int y = 0; y < nids; y++) {
			if (y == x || ld_feed_is_cve(ld_slice_cstr(ids[y])) == xcve)
				continue;
			rc = add_entry(a, ids[x], eco, pname, fixed, ids[y]);
			if (rc)
				return ld_error_set(ctx, rc, "%s: too many entries", name);
			added++;
		}
		if (!added) {
			rc = add_entry(a, ids[x], eco, pname, fixed, NULL);
			if (rc)
				return ld_error_set(ctx, rc, "%s: too many entries", name);
		}
	}
	return 0;
}

/* One secfixes key: a fixed version ("0": not affected) and its list of ID strings. */
static int load_secfix(acc *a, const ld_vdb_sink *out, const ld_json_member *m, const char *eco,
		       const char *pname, const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	const char *ids[SECDB_MAX_TOKENS];
	const char *fixed;
	const ld_json *v;
	char shown[80];
	int rc;

	LD_FEED_COUNT(out, fixed_versions, 1);
	if (!valid_key(m->key, m->klen)) {
		ld_feed_printable(shown, sizeof(shown), ld_slice_make(m->key, m->klen));
		ld_warn(ctx, "%s: %s: secfixes key '%s' is not a version, skipped", name, pname, shown);
		res->skipped++;
		return 0;
	}
	if (ld_json_is(&m->value, LD_JSON_NULL))
		return 0; /* a key without IDs (heimdal 7.4.0-r0 in v3.6): nothing to record */
	if (!ld_json_is(&m->value, LD_JSON_ARRAY)) {
		ld_warn(ctx, "%s: %s %s: the fixed IDs are not a list, skipped", name, pname, m->key);
		res->skipped++;
		return 0;
	}
	fixed = (m->klen == 1 && m->key[0] == '0') ? NULL : ld_arena_strndup(&a->arena, m->key, m->klen);
	if (fixed == NULL && !(m->klen == 1 && m->key[0] == '0'))
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
	ld_json_foreach_item(&m->value, k, v) {
		const char *s = ld_json_str(v);
		int nids;
		if (!s) {
			/* numbers or nested lists: not an ID list entry */
			ld_warn(ctx, "%s: %s %s: entry #%zu is not a string, skipped", name, pname, m->key, k + 1);
			res->skipped++;
			continue;
		}
		nids = split_ids(a, out, s, v->n, ids, SECDB_MAX_TOKENS);
		if (nids < 0)
			return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
		if (nids == 0) {
			ld_feed_printable(shown, sizeof(shown), ld_slice_make(s, v->n));
			ld_warn(ctx, "%s: %s %s: '%s' names no advisory ID, skipped", name, pname, m->key, shown);
			res->skipped++;
			continue;
		}
		if ((rc = add_ids(a, ids, nids, eco, pname, fixed, name, ctx)))
			return rc;
	}
	return 0;
}

/* Package #i of the list: its name and its secfixes. */
static int load_package(acc *a, const ld_vdb_sink *out, const ld_json *it, size_t i, const char *eco,
			const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	const ld_json *pkg = ld_json_get(it, "pkg"), *fixes;
	const ld_json_member *m;
	const char *pname = ld_json_get_str(pkg, "name");
	int rc;

	LD_FEED_COUNT(out, packages, 1);
	if (!pname || !*pname || !valid_key(pname, strlen(pname))) {
		ld_warn(ctx, "%s: package #%zu: no valid pkg.name, skipped", name, i + 1);
		res->skipped++;
		return 0;
	}
	pname = ld_arena_strdup(&a->arena, pname);
	if (!pname)
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
	fixes = ld_json_get(pkg, "secfixes");
	if (!fixes || ld_json_is(fixes, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(fixes, LD_JSON_OBJECT)) {
		ld_warn(ctx, "%s: %s: secfixes is not a mapping, skipped", name, pname);
		res->skipped++;
		return 0;
	}
	ld_json_foreach_member(fixes, j, m)
		if ((rc = load_secfix(a, out, m, eco, pname, name, res, ctx)))
			return rc;
	return 0;
}

static int load_tree(acc *a, const ld_vdb_sink *out, const ld_json *root, const char *name,
		     ld_vdb_import_result *res, lading_ctx *ctx)
{
	const char *dv, *eco;
	const ld_json *pkgs, *it;
	int rc;

	if (!ld_json_is(root, LD_JSON_OBJECT))
		return ld_error_set_path(
			ctx, LADING_EINVALID, name, 0,
			"%s: not an Alpine secdb file (the document is not an object)", name);
	dv = ld_json_get_str(root, "distroversion");
	if (!dv || !valid_branch(dv))
		return ld_error_set_path(
			ctx, LADING_EINVALID, name, 0,
			"%s: not an Alpine secdb file (distroversion missing or not like \"v3.9\")",
			name);
	eco = ld_arena_printf(&a->arena, "Alpine:%s", dv);
	if (!eco)
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
	pkgs = ld_json_get(root, "packages");
	if (!pkgs || ld_json_is(pkgs, LD_JSON_NULL))
		return 0; /* "packages: null" (v3.3 community): an empty repository */
	if (!ld_json_is(pkgs, LD_JSON_ARRAY))
		return ld_error_set_path(ctx, LADING_EINVALID, name, 0,
					 "%s: \"packages\" is not a list", name);
	ld_json_foreach_item(pkgs, i, it)
		if ((rc = load_package(a, out, it, i, eco, name, res, ctx)))
			return rc;
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

static int cmp_entry(const void *x, const void *y)
{
	const entry *a = x, *b = y;
	int c;
	if ((c = strcmp(a->id, b->id)) || (c = strcmp(a->eco, b->eco)) ||
	    (c = strcmp(a->pkg, b->pkg)) || (c = cmp_str(a->fixed, b->fixed)))
		return c;
	return cmp_str(a->alias, b->alias);
}

/* Group entries by ID and emit one advisory each. */
static int flush(acc *a, const ld_vdb_sink *out, ld_vdb_import_result *res, lading_ctx *ctx)
{
	entry *e = a->ents.ptr;
	size_t n = a->ents.len, i = 0, maxrun = 0;
	ld_vdb_affected *aff = NULL;
	ld_vdb_range *rng = NULL;
	ld_vdb_event *ev = NULL;
	const char **aliases = NULL;
	int rc = 0;

	if (n == 0)
		return 0;
	qsort(e, n, sizeof(*e), cmp_entry);
	/* the arrays are sized for the largest group */
	for (size_t x = 0, run = 0; x < n; x++) {
		run = (x > 0 && strcmp(e[x].id, e[x - 1].id) == 0) ? run + 1 : 1;
		if (run > maxrun)
			maxrun = run;
	}
	if (maxrun > SECDB_MAX_AFFECTED)
		maxrun = SECDB_MAX_AFFECTED;
	aff = calloc(maxrun, sizeof(*aff));
	rng = calloc(maxrun, sizeof(*rng));
	ev = calloc(maxrun, 2 * sizeof(*ev));
	aliases = calloc(maxrun, sizeof(*aliases));
	if (!aff || !rng || !ev || !aliases) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "alpine-secdb: out of memory");
		goto out;
	}
	while (i < n) {
		size_t j = i, naff = 0, nal = 0;
		ld_vdb_advisory adv;
		while (j < n && strcmp(e[j].id, e[i].id) == 0) {
			const entry *c = &e[j];
			/* same (branch, package, fix) again, e.g. once per alias: one affected
			 * entry */
			bool same = naff > 0 && j > i && strcmp(c->eco, e[j - 1].eco) == 0 &&
				    strcmp(c->pkg, e[j - 1].pkg) == 0 &&
				    cmp_str(c->fixed, e[j - 1].fixed) == 0;
			if (!same && naff < maxrun) {
				ld_vdb_affected *f = &aff[naff];
				memset(f, 0, sizeof(*f));
				f->ecosystem = c->eco;
				f->package = c->pkg;
				if (c->fixed) {
					ev[2 * naff].kind = "introduced";
					ev[2 * naff].version = "0";
					ev[2 * naff + 1].kind = "fixed";
					ev[2 * naff + 1].version = c->fixed;
					rng[naff].type = "ECOSYSTEM";
					rng[naff].events = &ev[2 * naff];
					rng[naff].nevents = 2;
					f->ranges = &rng[naff];
					f->nranges = 1;
				} else {
					f->status = "not-affected";
				}
				naff++;
			}
			if (c->alias && nal < maxrun) {
				bool dup = false;
				for (size_t k = 0; k < nal && !dup; k++)
					dup = strcmp(aliases[k], c->alias) == 0;
				if (!dup)
					aliases[nal++] = c->alias;
			}
			j++;
		}
		memset(&adv, 0, sizeof(adv));
		adv.source = SOURCE;
		adv.id = e[i].id;
		adv.aliases = aliases;
		adv.naliases = nal;
		adv.cvss_score = -1;
		adv.affected = aff;
		adv.naffected = naff;
		rc = ld_feed_advisory(out, &adv);
		if (rc) {
			if (!lading_ctx_error(ctx)->code)
				ld_error_set(ctx, rc, "alpine-secdb: storing %s failed", adv.id);
			goto out;
		}
		res->records++;
		i = j;
	}
out:
	free(aff);
	free(rng);
	free(ev);
	free(aliases);
	a->ents.len = 0;
	return rc;
}

static int parse_json_into(acc *a, const ld_vdb_sink *out, const char *p, size_t len,
			   const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_arena tree;
	ld_json *root = NULL;
	ld_json_limits lim = {.max_depth = SECDB_MAX_DEPTH, .max_arena = 0};
	int rc;

	if (len > SECDB_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, SECDB_MAX_FILE);
	ld_arena_init(&tree, 0);
	rc = ld_json_parse(&root, &tree, p, len, &lim, ctx, name);
	if (rc == 0)
		rc = load_tree(a, out, root, name, res, ctx);
	ld_arena_release(&tree);
	LD_FEED_COUNT(out, files, 1);
	return rc;
}

int ld_vdb_parse_secdb_json(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			    ld_vdb_import_result *res, lading_ctx *ctx)
{
	acc a;
	int rc;
	acc_init(&a);
	rc = parse_json_into(&a, out, p, len, name ? name : "secdb", res, ctx);
	if (rc == 0)
		rc = flush(&a, out, res, ctx);
	acc_release(&a);
	return rc;
}

/* The YAML of the alpine-secdb repository: util/yaml.h gives the same tree as the JSON. Plain
 * scalars stay text ("7.53.0", "0", "1.0" are versions, not numbers). */
static int parse_yaml_into(acc *a, const ld_vdb_sink *out, const char *p, size_t len,
			   const char *name, ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_arena tree;
	ld_json *root = NULL;
	ld_yaml_limits lim = {.max_depth = SECDB_MAX_DEPTH,
			      .max_input = SECDB_MAX_FILE,
			      .flags = LD_YAML_PLAIN_STRINGS};
	int rc;

	if (len > SECDB_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, SECDB_MAX_FILE);
	ld_arena_init(&tree, 0);
	rc = ld_yaml_parse(&root, &tree, p, len, &lim, ctx, name);
	if (rc == 0)
		rc = load_tree(a, out, root, name, res, ctx);
	ld_arena_release(&tree);
	LD_FEED_COUNT(out, files, 1);
	return rc;
}

int ld_vdb_parse_secdb_yaml(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			    ld_vdb_import_result *res, lading_ctx *ctx)
{
	acc a;
	int rc;
	acc_init(&a);
	rc = parse_yaml_into(&a, out, p, len, name ? name : "secdb", res, ctx);
	if (rc == 0)
		rc = flush(&a, out, res, ctx);
	acc_release(&a);
	return rc;
}

/* ------------------------------------------------------------------ files and directories */

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int load_file(acc *a, const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
		     lading_ctx *ctx)
{
	ld_buf b;
	int rc;
	bool yaml = ends_with(path, ".yaml") || ends_with(path, ".yml");
	ld_buf_init(&b, LD_FEED_BUF_MAX(SECDB_MAX_FILE));
	rc = ld_feed_read(path, SECDB_MAX_FILE, NULL, -1, &b, ctx);
	if (rc == 0) {
		if (yaml)
			rc = parse_yaml_into(a, out, b.ptr, b.len, path, res, ctx);
		else
			rc = parse_json_into(a, out, b.ptr, b.len, path, res, ctx);
	}
	ld_buf_release(&b);
	return rc;
}

/* The secdb files of one directory: .json, and .yaml/.yml without a .json twin. */
static int load_dir_files(acc *a, const ld_vdb_sink *out, const char *dir,
			  ld_vdb_import_result *res, size_t *nfiles, lading_ctx *ctx)
{
	ld_feed_dir d;
	char path[4096], twin[4096];
	int rc = ld_feed_dir_list(&d, dir, ctx);
	if (rc)
		return rc;
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		const char *nm = d.names[i];
		bool json = ends_with(nm, ".json");
		bool yaml = ends_with(nm, ".yaml") || ends_with(nm, ".yml");
		if (!json && !yaml)
			continue;
		if ((rc = ld_feed_join(path, sizeof(path), dir, nm, ctx)))
			break;
		if (ld_feed_stat(path, ctx) != 0) {
			ld_error_clear(ctx);
			continue;
		}
		if (yaml) {
			size_t stem = strlen(path) - (ends_with(nm, ".yml") ? 4 : 5);
			struct stat st;
			ld_snprintf(twin, sizeof(twin), "%.*s.json", (int)stem, path);
			if (stat(twin, &st) == 0)
				continue; /* the JSON twin carries the same data */
		}
		rc = load_file(a, out, path, res, ctx);
		(*nfiles)++;
	}
	ld_feed_dir_release(&d);
	return rc;
}

int ld_vdb_import_secdb_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			   lading_ctx *ctx)
{
	acc a;
	size_t nfiles = 0;
	int rc, kind;

	ld_feed_result_reset(res);
	kind = ld_feed_stat(path, ctx);
	if (kind < 0)
		return kind;
	acc_init(&a);
	if (kind == 0) {
		rc = load_file(&a, out, path, res, ctx);
		nfiles = 1;
	} else {
		ld_feed_dir d;
		char sub[4096];
		rc = load_dir_files(&a, out, path, res, &nfiles, ctx);
		if (rc == 0)
			rc = ld_feed_dir_list(&d, path, ctx);
		if (rc == 0) {
			/* v3.X/ branch directories */
			for (size_t i = 0; i < d.n && rc == 0; i++) {
				if ((rc = ld_feed_join(sub, sizeof(sub), path, d.names[i], ctx)))
					break;
				if (ld_feed_stat(sub, ctx) != 1) {
					ld_error_clear(ctx);
					continue;
				}
				rc = load_dir_files(&a, out, sub, res, &nfiles, ctx);
			}
			ld_feed_dir_release(&d);
		}
		if (rc == 0 && nfiles == 0)
			rc = ld_error_set_path(
				ctx, LADING_ENOTFOUND, path, 0,
				"%s: no Alpine secdb files (v3.X/main.json or .yaml) found", path);
	}
	if (rc == 0)
		rc = flush(&a, out, res, ctx);
	acc_release(&a);
	return rc;
}

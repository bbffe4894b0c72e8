/* Policies applied to findings: severity filter and --ignore-unfixed (drop), ignore file and
 * VEX statements (suppress, keeping the finding and the reason). */
#include <time.h>

#include "util/common.h"
#include "util/json.h"
#include "match/match.h"

/* Named limits. */
#define IGNORE_MAX_BYTES ((size_t)16 << 20)
#define IGNORE_MAX_RULES 100000
#define VEX_MAX_BYTES ((size_t)256 << 20)
#define VEX_MAX_STATEMENTS 1000000
#define VEX_MAX_PRODUCTS 100000

static bool valid_date(ld_slice d)
{
	if (d.len != 10 || d.ptr[4] != '-' || d.ptr[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d.ptr[i] < '0' || d.ptr[i] > '9'))
			return false;
	return true;
}

int ld_ignore_parse(ld_slice text, ld_arena *a, ld_ignore_rule **out, size_t *n, lading_ctx *ctx, const char *what)
{
	ld_slice line;
	size_t lineno = 0, cap = 0;
	ld_ignore_rule *rules = NULL;

	*out = NULL;
	*n = 0;
	if (text.len > IGNORE_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %zu bytes", what, IGNORE_MAX_BYTES);
	while (ld_slice_next_line(&text, &line)) {
		ld_slice body, reason = LD_SLICE_NULL, tok, rest;
		ptrdiff_t hash;
		ld_ignore_rule r;
		bool bad = false;

		lineno++;
		hash = ld_slice_find(line, '#');
		body = line;
		if (hash >= 0) {
			body.len = (size_t)hash;
			reason = ld_slice_trim(ld_slice_sub(line, (size_t)hash + 1, line.len));
		}
		body = ld_slice_trim(body);
		if (!body.len)
			continue;
		memset(&r, 0, sizeof(r));
		r.lineno = lineno;
		r.line = ld_arena_slice(a, ld_slice_trim(line));
		r.reason = reason.len ? ld_arena_slice(a, reason) : NULL;
		rest = body;
		while (rest.len) {
			rest = ld_slice_trim(rest);
			if (!rest.len)
				break;
			{
				ptrdiff_t sp = -1;
				for (size_t i = 0; i < rest.len; i++)
					if (rest.ptr[i] == ' ' || rest.ptr[i] == '\t') {
						sp = (ptrdiff_t)i;
						break;
					}
				tok = sp < 0 ? rest : ld_slice_make(rest.ptr, (size_t)sp);
				rest = sp < 0 ? LD_SLICE_NULL : ld_slice_sub(rest, (size_t)sp + 1, rest.len);
			}
			if (!r.id) {
				r.id = ld_arena_slice(a, tok);
			} else if (ld_slice_eq_cstr(tok, "until")) {
				ld_slice d;
				rest = ld_slice_trim(rest);
				{
					ptrdiff_t sp = ld_slice_find(rest, ' ');
					d = sp < 0 ? rest : ld_slice_make(rest.ptr, (size_t)sp);
					rest = sp < 0 ? LD_SLICE_NULL : ld_slice_sub(rest, (size_t)sp + 1, rest.len);
				}
				if (!valid_date(d) || r.until) {
					bad = true;
					break;
				}
				r.until = ld_arena_slice(a, d);
			} else if (!r.package) {
				r.package = ld_arena_slice(a, tok);
			} else {
				bad = true;
				break;
			}
		}
		if (bad || !r.id) {
			ld_warn(ctx, "%s:%zu: expected 'ID [package] [until YYYY-MM-DD] [# reason]': line skipped", what,
				lineno);
			continue;
		}
		if (*n >= IGNORE_MAX_RULES)
			return ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d rules", what, IGNORE_MAX_RULES);
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			ld_ignore_rule *nr = ld_arena_array(a, ncap, sizeof(*nr));
			if (!nr)
				return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			if (*n)
				memcpy(nr, rules, *n * sizeof(*nr));
			rules = nr;
			cap = ncap;
		}
		rules[(*n)++] = r;
	}
	*out = rules;
	return 0;
}

/* ---- VEX ---- */

static int add_stmt(ld_arena *a, ld_vex_stmt **out, size_t *n, size_t *cap, const ld_vex_stmt *s, lading_ctx *ctx,
		    const char *what)
{
	if (*n >= VEX_MAX_STATEMENTS)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d statements", what, VEX_MAX_STATEMENTS);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		ld_vex_stmt *ns = ld_arena_array(a, ncap, sizeof(*ns));
		if (!ns)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		if (*n)
			memcpy(ns, *out, *n * sizeof(*ns));
		*out = ns;
		*cap = ncap;
	}
	(*out)[(*n)++] = *s;
	return 0;
}

static void put_ref(const char **refs, size_t *n, const char *r)
{
	if (refs)
		refs[*n] = r;
	(*n)++;
}

/* Product references of an OpenVEX product: its @id, identifiers.purl, or its subcomponents.
 * With refs NULL, only counts them (up to max). */
static size_t openvex_products(const ld_json *products, const char **refs, size_t max)
{
	const ld_json *p, *sub;
	size_t n = 0;
	ld_json_foreach_item(products, i, p) {
		const ld_json *subs = ld_json_get(p, "subcomponents");
		if (ld_json_is(p, LD_JSON_STRING)) {
			if (n < max)
				put_ref(refs, &n, ld_json_str(p));
			continue;
		}
		if (ld_json_len(subs)) {
			/* the statement is about these components of the product (an image) */
			ld_json_foreach_item(subs, j, sub) {
				const char *id = ld_json_get_str(sub, "@id");
				if (!id)
					id = ld_json_str(ld_json_getp(sub, "identifiers", "purl", NULL));
				if (id && n < max)
					put_ref(refs, &n, id);
			}
			continue;
		}
		{
			const char *id = ld_json_get_str(p, "@id");
			if (!id)
				id = ld_json_str(ld_json_getp(p, "identifiers", "purl", NULL));
			if (id && n < max)
				put_ref(refs, &n, id);
		}
	}
	return n;
}

int ld_vex_parse(ld_slice text, ld_arena *a, ld_vex_stmt **out, size_t *n, lading_ctx *ctx, const char *what)
{
	ld_json *doc;
	ld_json_limits lim = {.max_depth = 64};
	const ld_json *stmts, *s;
	size_t cap = *n;
	int rc;

	if (text.len > VEX_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %zu bytes", what, VEX_MAX_BYTES);
	if ((rc = ld_json_parse(&doc, a, text.ptr, text.len, &lim, ctx, what)))
		return rc;
	stmts = ld_json_get(doc, "statements");
	if (ld_json_is(stmts, LD_JSON_ARRAY)) {
		/* OpenVEX */
		ld_json_foreach_item(stmts, i, s) {
			ld_vex_stmt st;
			const ld_json *v = ld_json_get(s, "vulnerability");
			/* counted first: a fixed array per statement cost 32 KiB each, 32 GiB for a
			 * million short statements */
			size_t np = openvex_products(ld_json_get(s, "products"), NULL, VEX_MAX_PRODUCTS);
			const char **refs = ld_arena_array(a, np + 1, sizeof(char *));
			memset(&st, 0, sizeof(st));
			if (!refs)
				return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			st.vuln = ld_json_is(v, LD_JSON_STRING) ? ld_json_str(v) : ld_json_get_str(v, "name");
			if (!st.vuln)
				st.vuln = ld_json_get_str(v, "@id");
			st.status = ld_json_get_str(s, "status");
			if (!st.vuln || !st.status) {
				ld_warn(ctx, "%s: statement %zu has no vulnerability or status: skipped", what, i + 1);
				continue;
			}
			st.reason = ld_json_get_str(s, "justification");
			if (!st.reason)
				st.reason = ld_json_get_str(s, "impact_statement");
			if (!st.reason)
				st.reason = ld_json_get_str(s, "status_notes");
			st.nproducts = openvex_products(ld_json_get(s, "products"), refs, np);
			st.products = refs;
			if ((rc = add_stmt(a, out, n, &cap, &st, ctx, what)))
				return rc;
		}
		return 0;
	}
	stmts = ld_json_get(doc, "vulnerabilities");
	if (ld_json_is(stmts, LD_JSON_ARRAY)) {
		/* CycloneDX: vulnerabilities[].analysis.state with affects[].ref */
		ld_json_foreach_item(stmts, i, s) {
			ld_vex_stmt st;
			const ld_json *an = ld_json_get(s, "analysis"), *aff = ld_json_get(s, "affects"), *x;
			const char *state = ld_json_get_str(an, "state");
			const char **refs;
			size_t nr = 0;
			memset(&st, 0, sizeof(st));
			st.vuln = ld_json_get_str(s, "id");
			if (!st.vuln || !state)
				continue; /* a vulnerability without analysis states nothing */
			if (!strcmp(state, "not_affected") || !strcmp(state, "false_positive"))
				st.status = "not_affected";
			else if (!strcmp(state, "resolved") || !strcmp(state, "resolved_with_pedigree"))
				st.status = "fixed";
			else
				st.status = state;
			st.reason = ld_json_get_str(an, "justification");
			if (!st.reason)
				st.reason = ld_json_get_str(an, "detail");
			if (!st.reason)
				st.reason = state;
			refs = ld_arena_array(a, ld_json_len(aff) + 1, sizeof(char *));
			if (!refs)
				return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			ld_json_foreach_item(aff, j, x) {
				const char *r = ld_json_get_str(x, "ref");
				if (r)
					refs[nr++] = r;
			}
			st.products = refs;
			st.nproducts = nr;
			if ((rc = add_stmt(a, out, n, &cap, &st, ctx, what)))
				return rc;
		}
		return 0;
	}
	return ld_error_set(ctx, LADING_EINVALID, "%s: neither OpenVEX (statements) nor CycloneDX (vulnerabilities)", what);
}

/* pkg:type/ns/name@version?qualifiers#subpath -> base "pkg:type/ns/name", version, qualifiers */
static void purl_parts(const char *p, ld_slice *base, ld_slice *ver, ld_slice *quals)
{
	ld_slice s = ld_slice_cstr(p);
	ptrdiff_t h = ld_slice_find(s, '#'), q, at;
	if (h >= 0)
		s.len = (size_t)h;
	q = ld_slice_find(s, '?');
	*quals = q >= 0 ? ld_slice_sub(s, (size_t)q + 1, s.len) : LD_SLICE_NULL;
	if (q >= 0)
		s.len = (size_t)q;
	at = -1;
	for (size_t i = s.len; i > 0; i--)
		if (s.ptr[i - 1] == '@') {
			at = (ptrdiff_t)(i - 1);
			break;
		}
	*ver = at >= 0 ? ld_slice_sub(s, (size_t)at + 1, s.len) : LD_SLICE_NULL;
	*base = at >= 0 ? ld_slice_make(s.ptr, (size_t)at) : s;
}

bool ld_vex_purl_matches(const char *ref, const char *purl)
{
	ld_slice rb, rv, rq, pb, pv, pq, rest, one;
	if (!ref || !purl)
		return false;
	if (!strcmp(ref, purl))
		return true;
	if (strncmp(ref, "pkg:", 4) || strncmp(purl, "pkg:", 4))
		return false;
	purl_parts(ref, &rb, &rv, &rq);
	purl_parts(purl, &pb, &pv, &pq);
	if (!ld_slice_eq(rb, pb))
		return false;
	if (rv.len && !ld_slice_eq(rv, pv))
		return false;
	/* every qualifier the reference names must be on the package too */
	rest = rq;
	while (rest.len) {
		ld_slice_cut(&rest, '&', &one);
		if (one.len && ld_slice_find_str(pq, one) < 0)
			return false;
	}
	return true;
}

/* ---- applying them ---- */

static bool finding_has_id(const lading_finding *f, const char *id)
{
	if (!id)
		return false;
	if (ld_slice_case_eq_cstr(ld_slice_cstr(f->id), id))
		return true;
	for (size_t i = 0; i < f->alias_count; i++)
		if (ld_slice_case_eq_cstr(ld_slice_cstr(f->aliases[i]), id))
			return true;
	return false;
}

static bool image_ref(const char *r)
{
	return !strncmp(r, "pkg:oci/", 8) || !strncmp(r, "pkg:docker/", 11);
}

static int read_file(const char *path, ld_buf *b, size_t max, lading_ctx *ctx)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;
	if (!f)
		return ld_error_set_path(ctx, LADING_ENOTFOUND, path, 0, "cannot open %s: %s", path, strerror(errno));
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (ld_buf_add(b, tmp, n) || b->len > max) {
			fclose(f);
			return ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %zu bytes", path, max);
		}
	}
	fclose(f);
	return 0;
}

/* Today as YYYY-MM-DD (UTC), or the date the options pin. */
static void today_date(const lading_scan_options *opts, char today[16])
{
	if (opts->today && valid_date(ld_slice_cstr(opts->today))) {
		ld_strlcpy(today, opts->today, 16);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(today, 16, "%Y-%m-%d", &tm);
	}
}

/* The ignore file's rules; the expired ones are listed in r->expired. */
static int load_ignore_file(ld_match_result *r, const char *path, const char *today, ld_ignore_rule **rules,
			    size_t *nrules, lading_ctx *ctx)
{
	ld_buf b = LD_BUF_INIT;
	int rc;

	rc = read_file(path, &b, IGNORE_MAX_BYTES, ctx);
	if (!rc)
		rc = ld_ignore_parse(ld_buf_slice(&b), &r->arena, rules, nrules, ctx, path);
	/* the rules keep pointers into the arena only */
	ld_buf_release(&b);
	if (rc)
		return rc;
	for (size_t i = 0; i < *nrules; i++) {
		const ld_ignore_rule *ru = &(*rules)[i];
		if (ru->until && strcmp(ru->until, today) < 0) {
			const char **slot = ld_vec_push(&r->expired);
			if (slot)
				*slot = ld_arena_printf(&r->arena, "%s:%zu: %s (expired %s)", path, ru->lineno,
							ru->line, ru->until);
		}
	}
	return 0;
}

/* The statements of every VEX document given. */
static int load_vex(ld_match_result *r, const lading_scan_options *opts, ld_vex_stmt **vex, size_t *nvex,
		    lading_ctx *ctx)
{
	int rc;

	for (size_t i = 0; i < opts->vex_count; i++) {
		ld_buf b = LD_BUF_INIT;
		char *copy;
		rc = read_file(opts->vex_files[i], &b, VEX_MAX_BYTES, ctx);
		/* the statements point into the document's text: keep it in the arena */
		copy = rc ? NULL : ld_arena_slice(&r->arena, ld_buf_slice(&b));
		ld_buf_release(&b);
		if (rc)
			return rc;
		if (!copy)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		if ((rc = ld_vex_parse(ld_slice_cstr(copy), &r->arena, vex, nvex, ctx, opts->vex_files[i])))
			return rc;
	}
	return 0;
}

/* The first rule of the ignore file (not expired) naming the finding and its package suppresses. */
static void apply_ignore(ld_match_result *r, lading_finding *f, const ld_ignore_rule *rules, size_t nrules,
			 const char *today, const char *ignore_file)
{
	for (size_t k = 0; k < nrules && !f->suppressed; k++) {
		const ld_ignore_rule *ru = &rules[k];
		if (ru->until && strcmp(ru->until, today) < 0)
			continue;
		if (!finding_has_id(f, ru->id))
			continue;
		if (ru->package && strcmp(ru->package, f->package->name) &&
		    (!f->package->source_name || strcmp(ru->package, f->package->source_name)) &&
		    !ld_vex_purl_matches(ru->package, f->package->purl))
			continue;
		f->suppressed = "ignore-file";
		f->suppressed_reason = ru->reason ? ru->reason
						  : ld_arena_printf(&r->arena, "%s:%zu", ignore_file, ru->lineno);
	}
}

/* VEX not_affected / fixed suppress; the last statement about a finding wins, as later
 * statements in a VEX document supersede earlier ones. */
static void apply_vex(ld_match_result *r, lading_finding *f, const ld_vex_stmt *vex, size_t nvex)
{
	for (size_t k = 0; k < nvex; k++) {
		const ld_vex_stmt *st = &vex[k];
		bool prod = st->nproducts == 0;
		if (!finding_has_id(f, st->vuln))
			continue;
		for (size_t j = 0; j < st->nproducts && !prod; j++)
			prod = image_ref(st->products[j]) || ld_vex_purl_matches(st->products[j], f->package->purl);
		if (!prod)
			continue;
		if (!strcmp(st->status, "not_affected") || !strcmp(st->status, "fixed")) {
			if (!f->suppressed || !strcmp(f->suppressed, "vex")) {
				f->suppressed = "vex";
				f->suppressed_reason = ld_arena_printf(&r->arena, "%s%s%s", st->status,
								       st->reason ? ": " : "", st->reason ? st->reason : "");
			}
		} else if (f->suppressed && !strcmp(f->suppressed, "vex")) {
			f->suppressed = NULL; /* affected / under_investigation supersedes */
			f->suppressed_reason = NULL;
		}
	}
}

int ld_match_policy(ld_match_result *r, const lading_scan_options *opts, lading_ctx *ctx)
{
	ld_ignore_rule *rules = NULL;
	size_t nrules = 0, nvex = 0, o = 0;
	ld_vex_stmt *vex = NULL;
	char today[16];
	int rc;

	if (!opts)
		return 0;
	today_date(opts, today);
	if (opts->ignore_file && (rc = load_ignore_file(r, opts->ignore_file, today, &rules, &nrules, ctx)))
		return rc;
	if ((rc = load_vex(r, opts, &vex, &nvex, ctx)))
		return rc;
	for (size_t i = 0; i < r->findings.len; i++) {
		lading_finding *f = ld_vec_at(&r->findings, i);
		/* filters drop */
		if (opts->severities && !(opts->severities & (1u << f->severity)))
			continue;
		if (opts->ignore_unfixed && !f->fixed_count)
			continue;
		apply_ignore(r, f, rules, nrules, today, opts->ignore_file);
		apply_vex(r, f, vex, nvex);
		if (o != i)
			memcpy(ld_vec_at(&r->findings, o), f, sizeof(*f));
		o++;
	}
	r->findings.len = o;
	return 0;
}

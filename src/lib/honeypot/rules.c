/* Classification rules: a line-oriented data file (data/honeypot-rules.conf; the format is in
 * docs/honeypot.md).
 *
 *   set session_gap 1800
 *   type redis-rogue-master "Rogue master: SLAVEOF + MODULE LOAD"
 *     all redis.command command = slaveof
 *     all redis.command command = module args ~ "^load$"
 *   automated tool-user-agent "known tool (user agent)"
 *     any * user_agent ~ "zgrab|masscan|python-requests"
 *   fallback recon "Reconnaissance only"
 *
 * A condition is an eventid pattern (fnmatch) and field tests that must all hold on one event:
 * FIELD = VALUE (case-insensitive equality), FIELD ~ ERE (case-insensitive search), FIELD !~ ERE
 * (no value matches), FIELD exists. Block lines: all COND (some event meets it), any COND (at
 * least one of the block's any lines), count N COND, distinct N FIELD COND (N different values
 * of FIELD among events meeting COND), seq COND (the block's seq lines met in this order), not
 * COND (no event meets it). Limits are in analysis.h (LD_HPR_*). */
#include <fnmatch.h>

#include "util/common.h"
#include "honeypot/analysis.h"

static const struct {
	const char *name;
	int kind;
} line_kinds[] = {
	{"all", LD_HPR_ALL},	       {"any", LD_HPR_ANY}, {"count", LD_HPR_COUNT},
	{"distinct", LD_HPR_DISTINCT}, {"seq", LD_HPR_SEQ}, {"not", LD_HPR_NOT},
};

/* Split a line into tokens (bare words, "quoted strings" with \" and \\), in place. */
static int tokenize(char *line, char **tok, size_t *ntok)
{
	char *p = line;
	*ntok = 0;
	for (;;) {
		char *out;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			return 0;
		if (*ntok >= LD_HPR_MAX_TOKENS)
			return LADING_ELIMIT;
		if (*p == '"') {
			out = ++p;
			tok[(*ntok)++] = out;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*out++ = *p++;
			}
			if (*p != '"')
				return LADING_EINVALID;
			p++;
			*out = '\0';
			if (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				return LADING_EINVALID;
			if (*p)
				p++;
		} else {
			tok[(*ntok)++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
			if (*p)
				*p++ = '\0';
		}
	}
}

static int fail(lading_ctx *ctx, const char *what, unsigned lineno, int code, const char *msg)
{
	return ld_error_set(ctx, code, "%s:%u: %s", what, lineno, msg);
}

static int parse_cond(ld_hp_rules *r, char **tok, size_t n, unsigned *out, const char *what,
		      unsigned lineno, lading_ctx *ctx)
{
	ld_hpr_cond *c;
	size_t i = 1;
	if (!n)
		return fail(ctx, what, lineno, LADING_EINVALID,
			    "a condition starts with an eventid pattern");
	if (r->nconds >= LD_HPR_MAX_CONDS)
		return fail(ctx, what, lineno, LADING_ELIMIT, "too many conditions");
	c = &r->conds[r->nconds++]; /* counted now so that rules_free releases what is made */
	memset(c, 0, sizeof(*c));
	if (strlen(tok[0]) >= sizeof(c->glob))
		return fail(ctx, what, lineno, LADING_ELIMIT, "eventid pattern too long");
	ld_strlcpy(c->glob, tok[0], sizeof(c->glob));
	while (i < n) {
		ld_hpr_test *t;
		const char *op;
		if (c->ntests >= LD_HPR_MAX_TESTS)
			return fail(ctx, what, lineno, LADING_ELIMIT,
				    "too many field tests in one condition");
		if (i + 1 >= n)
			return fail(ctx, what, lineno, LADING_EINVALID,
				    "a field test is FIELD OP VALUE or FIELD exists");
		t = &c->tests[c->ntests];
		if (strlen(tok[i]) >= sizeof(t->field))
			return fail(ctx, what, lineno, LADING_ELIMIT, "field name too long");
		ld_strlcpy(t->field, tok[i], sizeof(t->field));
		op = tok[i + 1];
		if (!strcmp(op, "exists")) {
			t->op = LD_HPR_EXISTS;
			c->ntests++;
			i += 2;
			continue;
		}
		if (i + 2 >= n)
			return fail(ctx, what, lineno, LADING_EINVALID,
				    "a field test is FIELD OP VALUE or FIELD exists");
		if (!strcmp(op, "="))
			t->op = LD_HPR_EQ;
		else if (!strcmp(op, "~"))
			t->op = LD_HPR_RE;
		else if (!strcmp(op, "!~"))
			t->op = LD_HPR_NRE;
		else
			return fail(ctx, what, lineno, LADING_EINVALID,
				    "operators are =, ~, !~ and exists");
		t->value = ld_strdup(tok[i + 2]);
		if (!t->value)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		c->ntests++;
		if (t->op != LD_HPR_EQ) {
			int e = regcomp(&t->re, t->value, REG_EXTENDED | REG_ICASE | REG_NOSUB);
			if (e) {
				char msg[256], full[400];
				regerror(e, &t->re, msg, sizeof(msg));
				ld_snprintf(full, sizeof(full), "bad regular expression \"%s\": %s",
					    t->value, msg);
				return fail(ctx, what, lineno, LADING_EINVALID, full);
			}
			t->has_re = true;
		}
		i += 3;
	}
	*out = (unsigned)(r->nconds - 1);
	return 0;
}

static int set_option(ld_hp_rules *r, char **tok, size_t n, const char *what, unsigned lineno,
		      lading_ctx *ctx)
{
	char *end;
	double v;
	if (n != 3)
		return fail(ctx, what, lineno, LADING_EINVALID, "set NAME VALUE");
	if (!strcmp(tok[1], "few_steps")) {
		if (strcmp(tok[2], "automated") && strcmp(tok[2], "manual"))
			return fail(ctx, what, lineno, LADING_EINVALID,
				    "few_steps is automated or manual");
		r->few_steps_automated = !strcmp(tok[2], "automated");
		return 0;
	}
	errno = 0;
	v = strtod(tok[2], &end);
	if (errno || *end || v < 0 || v > 1e9)
		return fail(ctx, what, lineno, LADING_EINVALID, "a non-negative number is needed");
	if (!strcmp(tok[1], "session_gap"))
		r->session_gap_s = v;
	else if (!strcmp(tok[1], "human_gap"))
		r->human_gap_s = v;
	else if (!strcmp(tok[1], "timing_steps"))
		r->timing_steps = (unsigned)v;
	else
		return fail(ctx, what, lineno, LADING_EINVALID,
			    "settings are session_gap, human_gap, timing_steps and few_steps");
	return 0;
}

static int parse_line(ld_hp_rules *r, ld_hpr_block **cur, char **tok, size_t n, const char *what,
		      unsigned lineno, lading_ctx *ctx)
{
	const char *k = tok[0];
	ld_hpr_line *l;
	size_t first = 1;
	int rc;

	if (!strcmp(k, "set"))
		return set_option(r, tok, n, what, lineno, ctx);
	if (!strcmp(k, "type") || !strcmp(k, "automated") || !strcmp(k, "fallback")) {
		ld_hpr_block *b;
		if (n != 3)
			return fail(ctx, what, lineno, LADING_EINVALID,
				    "a block starts with KIND NAME \"LABEL\"");
		if (strlen(tok[1]) >= LD_HPR_NAME_MAX)
			return fail(ctx, what, lineno, LADING_ELIMIT, "name too long");
		if (!strcmp(k, "fallback")) {
			ld_strlcpy(r->fallback, tok[1], sizeof(r->fallback));
			free(r->fallback_label);
			r->fallback_label = ld_strdup(tok[2]);
			*cur = NULL;
			return r->fallback_label
				       ? 0
				       : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		if (r->nblocks >= LD_HPR_MAX_BLOCKS)
			return fail(ctx, what, lineno, LADING_ELIMIT, "too many blocks");
		b = &r->blocks[r->nblocks++];
		memset(b, 0, sizeof(*b));
		b->kind = !strcmp(k, "type") ? LD_HPR_TYPE : LD_HPR_AUTOMATED;
		ld_strlcpy(b->name, tok[1], sizeof(b->name));
		b->label = ld_strdup(tok[2]);
		if (!b->label)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		*cur = b;
		return 0;
	}
	if (!*cur)
		return fail(ctx, what, lineno, LADING_EINVALID,
			    "a condition line outside a type or automated block");
	if ((*cur)->nlines >= LD_HPR_MAX_LINES)
		return fail(ctx, what, lineno, LADING_ELIMIT, "too many lines in one block");
	l = &(*cur)->lines[(*cur)->nlines];
	memset(l, 0, sizeof(*l));
	l->kind = -1;
	for (size_t i = 0; i < LD_ARRAY_LEN(line_kinds); i++)
		if (!strcmp(k, line_kinds[i].name))
			l->kind = line_kinds[i].kind;
	if (l->kind < 0)
		return fail(ctx, what, lineno, LADING_EINVALID,
			    "lines are set, type, automated, fallback, all, any, count, distinct, "
			    "seq, not");
	if (l->kind == LD_HPR_COUNT || l->kind == LD_HPR_DISTINCT) {
		uint64_t v;
		if (n < 3 || !ld_slice_to_u64(ld_slice_cstr(tok[1]), 1000000, &v) || v == 0)
			return fail(ctx, what, lineno, LADING_EINVALID,
				    "count/distinct need a number from 1");
		l->n = (unsigned)v;
		first = 2;
		if (l->kind == LD_HPR_DISTINCT) {
			if (n < 4 || strlen(tok[2]) >= sizeof(l->field))
				return fail(ctx, what, lineno, LADING_EINVALID,
					    "distinct N FIELD CONDITION");
			if (r->ndistinct >= LD_HPR_MAX_DISTINCT)
				return fail(ctx, what, lineno, LADING_ELIMIT,
					    "too many distinct lines");
			ld_strlcpy(l->field, tok[2], sizeof(l->field));
			l->slot = (unsigned)r->ndistinct++;
			first = 3;
		}
	}
	if ((rc = parse_cond(r, tok + first, n - first, &l->cond, what, lineno, ctx)) != 0)
		return rc;
	(*cur)->nlines++;
	return 0;
}

int ld_hp_rules_parse(ld_hp_rules **out, const char *text, size_t len, const char *what,
		      lading_ctx *ctx)
{
	ld_hp_rules *r;
	ld_slice in = ld_slice_make(text, len), line;
	ld_hpr_block *cur = NULL;
	unsigned lineno = 0;
	int rc = 0;

	*out = NULL;
	if (len > LD_HPR_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %d bytes", what,
				    LD_HPR_MAX_BYTES);
	r = calloc(1, sizeof(*r));
	if (!r)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	r->session_gap_s = 1800;
	r->human_gap_s = 2.0;
	r->timing_steps = 3;
	r->few_steps_automated = true;
	while (ld_slice_next_line(&in, &line)) {
		char buf[LD_HPR_MAX_LINE + 1];
		char *tok[LD_HPR_MAX_TOKENS];
		size_t n;
		lineno++;
		if (line.len > LD_HPR_MAX_LINE) {
			rc = fail(ctx, what, lineno, LADING_ELIMIT, "line too long");
			break;
		}
		if (memchr(line.ptr, '\0', line.len)) {
			rc = fail(ctx, what, lineno, LADING_EINVALID, "NUL byte");
			break;
		}
		ld_slice_copy(buf, sizeof(buf), line);
		if ((rc = tokenize(buf, tok, &n)) != 0) {
			rc = fail(ctx, what, lineno, rc,
				  rc == LADING_ELIMIT ? "too many tokens" : "unterminated quote");
			break;
		}
		if (!n)
			continue;
		if ((rc = parse_line(r, &cur, tok, n, what, lineno, ctx)) != 0)
			break;
	}
	if (!rc) {
		for (size_t i = 0; i < r->nblocks; i++)
			if (!r->blocks[i].nlines) {
				rc = ld_error_set(ctx, LADING_EINVALID,
						  "%s: block %s has no condition", what,
						  r->blocks[i].name);
				break;
			}
	}
	if (!rc && !r->fallback[0]) {
		ld_strlcpy(r->fallback, "recon", sizeof(r->fallback));
		r->fallback_label = ld_strdup("Reconnaissance only");
		if (!r->fallback_label)
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	if (rc) {
		ld_hp_rules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ld_hp_rules_load(ld_hp_rules **out, const char *path, lading_ctx *ctx)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;
	*out = NULL;
	if (!path)
		return ld_error_set(ctx, LADING_EUSAGE, "no classification rules file given");
	f = fopen(path, "re");
	if (!f)
		return ld_error_set(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO,
				    "cannot open rules %s: %s", path, strerror(errno));
	buf = malloc(LD_HPR_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	n = fread(buf, 1, LD_HPR_MAX_BYTES + 1, f);
	if (ferror(f)) {
		rc = ld_error_set(ctx, LADING_EIO, "cannot read rules %s", path);
	} else {
		rc = ld_hp_rules_parse(out, buf, n, path, ctx);
	}
	fclose(f);
	free(buf);
	return rc;
}

void ld_hp_rules_free(ld_hp_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nconds; i++)
		for (size_t t = 0; t < r->conds[i].ntests; t++) {
			free(r->conds[i].tests[t].value);
			if (r->conds[i].tests[t].has_re)
				regfree(&r->conds[i].tests[t].re);
		}
	for (size_t i = 0; i < r->nblocks; i++)
		free(r->blocks[i].label);
	free(r->fallback_label);
	free(r);
}

const char *ld_hp_flat_next(const ld_hp_flat *ev, const char *field, size_t *i)
{
	bool any = !strcmp(field, "*");
	while (*i < ev->n) {
		size_t k = (*i)++;
		if (any ? !ev->kv[k].top : !strcmp(ev->kv[k].key, field))
			return ev->kv[k].value;
	}
	return NULL;
}

static bool test(const ld_hpr_test *t, const ld_hp_flat *ev)
{
	size_t i = 0;
	const char *v;
	if (t->op == LD_HPR_NRE) {
		while ((v = ld_hp_flat_next(ev, t->field, &i)))
			if (regexec(&t->re, v, 0, NULL, 0) == 0)
				return false;
		return true;
	}
	while ((v = ld_hp_flat_next(ev, t->field, &i))) {
		if (t->op == LD_HPR_EXISTS)
			return true;
		if (t->op == LD_HPR_EQ ? !strcasecmp(v, t->value)
				       : regexec(&t->re, v, 0, NULL, 0) == 0)
			return true;
	}
	return false;
}

bool ld_hp_cond_match(const ld_hpr_cond *c, const ld_hp_flat *ev)
{
	if (fnmatch(c->glob, ev->eventid, 0) != 0)
		return false;
	for (size_t i = 0; i < c->ntests; i++)
		if (!test(&c->tests[i], ev))
			return false;
	return true;
}

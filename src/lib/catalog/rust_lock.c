/* Rust: Cargo.lock files (format v1 to v4). Each [[package]] table gives name, version and
 * source ("registry+https://github.com/rust-lang/crates.io-index", a git URL, or none for the
 * workspace's own crates). Very old lockfiles put the root crate in a [root] table.
 *
 * A small reader for the TOML subset Cargo writes (tables, arrays of tables, key = string,
 * multi-line arrays of strings, comments) rather than a TOML library: bookworm has only C++ ones
 * (libcpptoml, toml11, toml++), and Cargo.lock needs a fraction of the grammar. Anything else is
 * skipped, never misread as a package field. */
#include "util/common.h"
#include "catalog/lang.h"

/* Named limits. */
#define CARGO_MAX_LOCK ((size_t)64 << 20) /* one Cargo.lock */
#define CARGO_MAX_PACKAGES 1000000
#define CARGO_MAX_ARRAY_DEPTH 32 /* nested arrays in one value */

static const char *const cargo_wants[] = {"**/Cargo.lock", NULL};

typedef struct toml_pos {
	const char *p, *end;
	size_t line;
} toml_pos;

static void skip_blank(toml_pos *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

static void skip_line(toml_pos *t)
{
	while (t->p < t->end && *t->p != '\n')
		t->p++;
	if (t->p < t->end) {
		t->p++;
		t->line++;
	}
}

/* A basic ("...", with escapes) or literal ('...') string at t->p; *out is the raw text between
 * the quotes (the fields we read never hold escapes). false if unterminated on its line. */
static bool read_string(toml_pos *t, ld_slice *out)
{
	char q = *t->p;
	const char *s = ++t->p;
	while (t->p < t->end && *t->p != q && *t->p != '\n') {
		if (q == '"' && *t->p == '\\' && t->p + 1 < t->end && t->p[1] != '\n')
			t->p++;
		t->p++;
	}
	if (t->p >= t->end || *t->p != q)
		return false;
	*out = ld_slice_make(s, (size_t)(t->p - s));
	t->p++;
	return true;
}

/* Skip a value we do not use: an array (possibly over several lines), a string, a bare word. */
static bool skip_value(toml_pos *t)
{
	int depth = 0;
	ld_slice s;
	do {
		skip_blank(t);
		if (t->p >= t->end)
			return depth == 0;
		switch (*t->p) {
		case '[':
			if (++depth > CARGO_MAX_ARRAY_DEPTH)
				return false;
			t->p++;
			break;
		case ']':
			depth--;
			t->p++;
			break;
		case '"':
		case '\'':
			if (!read_string(t, &s))
				return false;
			break;
		case '#':
		case '\n':
			if (!depth)
				return true;
			skip_line(t);
			break;
		default: t->p++; break;
		}
	} while (depth > 0);
	return true;
}

typedef struct cargo_pkg {
	bool in;
	size_t line;
	ld_lang_pkg p;
} cargo_pkg;

static int flush(cargo_pkg *cp, ld_lang_fn fn, void *opaque, lading_ctx *ctx, const char *what,
		 size_t *count)
{
	int rc = 0;
	if (!cp->in)
		return 0;
	cp->in = false;
	if (++*count > CARGO_MAX_PACKAGES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d packages", what,
				    CARGO_MAX_PACKAGES);
	if (!cp->p.name.len || !cp->p.version.len)
		ld_warn(ctx, "%s: package at line %zu lacks a name or version: skipped", what,
			cp->line);
	else
		rc = fn(opaque, &cp->p);
	return rc;
}

int ld_cargo_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
			const char *what)
{
	toml_pos t = {text.ptr, text.ptr + text.len, 1};
	cargo_pkg cp;
	size_t count = 0;
	int rc;

	memset(&cp, 0, sizeof(cp));
	while (t.p < t.end) {
		const char *k;
		ld_slice key, val;
		skip_blank(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '\n' || *t.p == '#' || *t.p == '\r') {
			skip_line(&t);
			continue;
		}
		if (*t.p == '[') {
			/* a table header ends the previous package */
			const char *h = t.p;
			while (t.p < t.end && *t.p != '\n')
				t.p++;
			key = ld_slice_trim(ld_slice_make(h, (size_t)(t.p - h)));
			if ((rc = flush(&cp, fn, opaque, ctx, what, &count)))
				return rc;
			if (ld_slice_eq_cstr(key, "[[package]]") ||
			    ld_slice_eq_cstr(key, "[root]")) {
				memset(&cp, 0, sizeof(cp));
				cp.in = true;
				cp.line = t.line;
			}
			skip_line(&t);
			continue;
		}
		/* key = value */
		k = t.p;
		while (t.p < t.end && *t.p != '=' && *t.p != '\n')
			t.p++;
		if (t.p >= t.end || *t.p != '=') {
			ld_warn(ctx, "%s: line %zu is not key = value: skipped", what, t.line);
			skip_line(&t);
			continue;
		}
		key = ld_lang_unquote(ld_slice_make(k, (size_t)(t.p - k)));
		t.p++;
		skip_blank(&t);
		if (cp.in && t.p < t.end && (*t.p == '"' || *t.p == '\'') &&
		    (ld_slice_eq_cstr(key, "name") || ld_slice_eq_cstr(key, "version") ||
		     ld_slice_eq_cstr(key, "source"))) {
			if (!read_string(&t, &val)) {
				ld_warn(ctx, "%s: unterminated string at line %zu", what, t.line);
				skip_line(&t);
				continue;
			}
			if (ld_slice_eq_cstr(key, "name"))
				cp.p.name = val;
			else if (ld_slice_eq_cstr(key, "version"))
				cp.p.version = val;
			else
				cp.p.source = val;
		} else if (!skip_value(&t)) {
			ld_warn(ctx, "%s: value at line %zu not understood: skipped", what, t.line);
		}
		skip_line(&t);
	}
	return flush(&cp, fn, opaque, ctx, what, &count);
}

static const ld_lang_lockfile cargo_lock = {"cargo", "rust-cargo-lock", ld_cargo_lock_parse, false,
					    false};

static int cargo_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	return ld_lang_lockfile_run(c, ctx, cargo_wants, &cargo_lock);
}

const ld_cataloger ld_cataloger_rust_lock = {"rust-lock",    "1",	    cargo_wants,
					     CARGO_MAX_LOCK, cargo_run_cat, NULL};

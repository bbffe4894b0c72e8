/* Ruby gems: the gemspecs RubyGems writes for installed gems (specifications/NAME-VERSION.gemspec,
 * and specifications/default/ for the gems that ship with Ruby). They are Ruby code; we read the
 * generated shape only: "s.name = "rake".freeze", "s.version = "13.0.6"", and the "# stub:" line
 * RubyGems puts at the top. */
#include "util/common.h"
#include "catalog/lang.h"

/* Named limits. */
#define GEM_MAX_SPEC ((size_t)8 << 20) /* one gemspec */
#define GEM_MAX_LINES 200000	       /* lines looked at in one gemspec */

static const char *const gem_wants[] = {"**/specifications/*.gemspec",
					"**/specifications/default/*.gemspec", NULL};

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The first Ruby string literal in s: "..." or '...' or %q{...} %Q(...) (escapes are kept). */
static bool string_literal(ld_slice s, ld_slice *out)
{
	for (size_t i = 0; i < s.len; i++) {
		char open = s.ptr[i], close;
		size_t start;
		if (open == '"' || open == '\'') {
			close = open;
			start = i + 1;
		} else if (open == '%' && i + 2 < s.len &&
			   (s.ptr[i + 1] == 'q' || s.ptr[i + 1] == 'Q')) {
			char d = s.ptr[i + 2];
			close = d == '{'   ? '}'
				: d == '(' ? ')'
				: d == '[' ? ']'
				: d == '<' ? '>'
					   : d;
			start = i + 3;
		} else {
			continue;
		}
		for (size_t j = start; j < s.len; j++) {
			if (s.ptr[j] == '\\') {
				j++;
				continue;
			}
			if (s.ptr[j] == close) {
				*out = ld_slice_make(s.ptr + start, j - start);
				return true;
			}
		}
		return false;
	}
	return false;
}

/* "  s.name = ..." -> true with *rhs = "..." when the attribute is `attr`. */
static bool assignment(ld_slice line, const char *attr, ld_slice *rhs)
{
	size_t i = 0, n = strlen(attr);
	line = ld_slice_trim(line);
	while (i < line.len && ident_char(line.ptr[i]))
		i++;
	if (!i || i >= line.len || line.ptr[i] != '.')
		return false;
	i++;
	if (line.len - i < n || memcmp(line.ptr + i, attr, n))
		return false;
	i += n;
	if (i < line.len && ident_char(line.ptr[i]))
		return false;
	while (i < line.len && line.ptr[i] == ' ')
		i++;
	if (i >= line.len || line.ptr[i] != '=' || (i + 1 < line.len && line.ptr[i + 1] == '='))
		return false;
	*rhs = ld_slice_sub(line, i + 1, line.len);
	return true;
}

bool ld_gemspec_parse(ld_slice text, ld_lang_pkg *out)
{
	ld_slice line, rhs, stub_name = LD_SLICE_NULL, stub_version = LD_SLICE_NULL;
	size_t lines = 0;

	memset(out, 0, sizeof(*out));
	while (ld_slice_next_line(&text, &line) && ++lines <= GEM_MAX_LINES) {
		if (ld_slice_starts_with(line, "# stub: ")) {
			/* "# stub: rake 13.0.6 ruby lib" */
			ld_slice rest = ld_slice_sub(line, 8, line.len);
			ld_slice_cut(&rest, ' ', &stub_name);
			ld_slice_cut(&rest, ' ', &stub_version);
			continue;
		}
		if (!out->name.len && assignment(line, "name", &rhs))
			string_literal(rhs, &out->name);
		else if (!out->version.len && assignment(line, "version", &rhs))
			string_literal(rhs, &out->version);
		else if (!out->license.len &&
			 (assignment(line, "licenses", &rhs) || assignment(line, "license", &rhs)))
			string_literal(rhs, &out->license);
	}
	if (!out->name.len)
		out->name = stub_name;
	if (!out->version.len)
		out->version = stub_version;
	return out->name.len && out->version.len;
}

typedef struct gem_run {
	ld_catalog *cat;
	lading_ctx *ctx;
} gem_run;

static int on_gemspec(void *opaque, const ld_lang_file *f)
{
	gem_run *r = opaque;
	ld_lang_pkg p;
	if (!ld_gemspec_parse(f->data, &p)) {
		ld_warn(r->ctx, "/%s: no name or version: skipped", f->path);
		return 0;
	}
	if (!ld_lang_add(r->cat, "gem", "ruby", p.name, LD_SLICE_NULL, LD_SLICE_NULL, p.version,
			 p.license, f->path, f->layer))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

static int gem_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	gem_run r = {c, ctx};
	return ld_lang_files(c, gem_wants, ctx, on_gemspec, &r);
}

const ld_cataloger ld_cataloger_ruby = {"ruby", "1", gem_wants, GEM_MAX_SPEC, gem_run_cat, NULL};

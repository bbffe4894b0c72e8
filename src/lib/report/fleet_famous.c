/* Famous vulnerabilities: the tab-separated table of data/famous.tsv (compiled in) and of the
 * files users add with --famous. Format: '#' comments and blank lines anywhere; the first other
 * line is the header "name<TAB>ids<TAB>description"; then one entry per line. */
#include "util/common.h"
#include "report/fleet.h"

#include "famous_tsv.inc"

void ld_famous_init(ld_famous *f)
{
	memset(f, 0, sizeof(*f));
	ld_arena_init(&f->arena, (size_t)256 << 20);
}

void ld_famous_release(ld_famous *f)
{
	ld_arena_release(&f->arena);
	free(f->entries);
	memset(f, 0, sizeof(*f));
}

static bool id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.' || c == ':';
}

static int line_err(lading_ctx *ctx, const char *what, size_t line, const char *msg)
{
	return ld_error_set(ctx, LADING_EINVALID, "%s:%zu: %s", what, line, msg);
}

/* Split "a,b,c" into ids; each must be a non-empty run of id characters. */
static int parse_ids(ld_famous *f, ld_famous_entry *e, ld_slice s, const char *what, size_t line, lading_ctx *ctx)
{
	ld_slice id;
	size_t n = 1;
	for (size_t i = 0; i < s.len; i++)
		n += s.ptr[i] == ',';
	if (n > LD_FAMOUS_MAX_IDS)
		return ld_error_set(ctx, LADING_ELIMIT, "%s:%zu: more than %u ids", what, line, LD_FAMOUS_MAX_IDS);
	if (!(e->ids = ld_arena_array(&f->arena, n, sizeof(*e->ids))))
		return LADING_ENOMEM;
	while (s.len || e->id_count < n) {
		ld_slice_cut(&s, ',', &id);
		id = ld_slice_trim(id);
		if (!id.len)
			return line_err(ctx, what, line, "an empty vulnerability id in the ids column");
		for (size_t i = 0; i < id.len; i++)
			if (!id_char(id.ptr[i]))
				return line_err(ctx, what, line, "a vulnerability id may hold only letters, digits "
								 "and - _ . : (ids are separated by commas)");
		if (!(e->ids[e->id_count++] = ld_arena_slice(&f->arena, id)))
			return LADING_ENOMEM;
		if (e->id_count == n)
			break;
	}
	return 0;
}

static int parse_entry(ld_famous *f, ld_famous_entry *e, ld_slice line, const char *what, size_t no, lading_ctx *ctx)
{
	ld_slice name, ids, desc;
	bool has_desc;
	if (!ld_slice_cut(&line, '\t', &name))
		return line_err(ctx, what, no, "expected name<TAB>ids<TAB>description (no tab found)");
	has_desc = ld_slice_cut(&line, '\t', &ids);
	desc = has_desc ? line : LD_SLICE_NULL;
	if (has_desc && ld_slice_find(desc, '\t') >= 0)
		return line_err(ctx, what, no, "more than 3 tab-separated columns");
	name = ld_slice_trim(name);
	if (!name.len)
		return line_err(ctx, what, no, "empty name");
	if (name.len > LD_FAMOUS_MAX_NAME)
		return line_err(ctx, what, no, "name longer than 100 bytes");
	for (size_t i = 0; i < name.len; i++)
		if ((unsigned char)name.ptr[i] < 0x20 || name.ptr[i] == 0x7f)
			return line_err(ctx, what, no, "control character in the name");
	if (!(e->name = ld_arena_slice(&f->arena, name)) ||
	    !(e->description = ld_arena_slice(&f->arena, ld_slice_trim(desc))))
		return LADING_ENOMEM;
	return parse_ids(f, e, ld_slice_trim(ids), what, no, ctx);
}

static bool is_header(ld_slice line)
{
	ld_slice a, b;
	if (!ld_slice_cut(&line, '\t', &a) || !ld_slice_eq_cstr(ld_slice_trim(a), "name"))
		return false;
	ld_slice_cut(&line, '\t', &b);
	return ld_slice_eq_cstr(ld_slice_trim(b), "ids");
}

/* Merge parsed entries: a name already known is replaced in place, a new one appended. */
static int merge(ld_famous *f, const ld_famous_entry *add, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < f->count && strcmp(f->entries[k].name, add[i].name))
			k++;
		if (k == f->count) {
			if (f->count == f->cap) {
				size_t cap = f->cap ? f->cap * 2 : 32;
				ld_famous_entry *p = realloc(f->entries, cap * sizeof(*p));
				if (!p)
					return LADING_ENOMEM;
				f->entries = p;
				f->cap = cap;
			}
			f->count++;
		}
		f->entries[k] = add[i];
	}
	return 0;
}

static int parse_lines(ld_famous *f, ld_slice s, ld_famous_entry *tmp, size_t *n, const char *what, lading_ctx *ctx)
{
	ld_slice line;
	size_t no = 0;
	bool header = false;
	int rc;
	while (ld_slice_next_line(&s, &line)) {
		no++;
		if (line.len > LD_FAMOUS_MAX_LINE)
			return ld_error_set(ctx, LADING_ELIMIT, "%s:%zu: line longer than %u bytes", what, no,
					    LD_FAMOUS_MAX_LINE);
		if (!ld_slice_trim(line).len || line.ptr[0] == '#')
			continue;
		if (!header) {
			if (!is_header(line))
				return line_err(ctx, what, no, "expected the header line "
							       "\"name<TAB>ids<TAB>description\"");
			header = true;
			continue;
		}
		if (*n >= LD_FAMOUS_MAX_ENTRIES)
			return ld_error_set(ctx, LADING_ELIMIT, "%s:%zu: more than %u entries", what, no,
					    LD_FAMOUS_MAX_ENTRIES);
		if ((rc = parse_entry(f, &tmp[*n], line, what, no, ctx)))
			return rc;
		for (size_t k = 0; k < *n; k++)
			if (!strcmp(tmp[k].name, tmp[*n].name))
				return line_err(ctx, what, no, "this name is already defined in this file");
		(*n)++;
	}
	if (!header)
		return ld_error_set(ctx, LADING_EINVALID, "%s: no header line \"name<TAB>ids<TAB>description\"", what);
	return 0;
}

int ld_famous_parse(ld_famous *f, const char *p, size_t len, const char *what, lading_ctx *ctx)
{
	ld_slice s = ld_slice_make(p, len);
	size_t lines = 1, n = 0;
	ld_famous_entry *tmp;
	int rc;
	for (size_t i = 0; i < len; i++)
		lines += p[i] == '\n';
	if (memchr(p, '\0', len))
		return ld_error_set(ctx, LADING_EINVALID, "%s: a NUL byte: not a text file", what);
	if (!(tmp = calloc(LD_MIN(lines, (size_t)LD_FAMOUS_MAX_ENTRIES + 1), sizeof(*tmp))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	rc = parse_lines(f, s, tmp, &n, what, ctx);
	if (!rc)
		rc = merge(f, tmp, n);
	free(tmp);
	if (rc == LADING_ENOMEM && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: out of memory", what);
	return rc;
}

int ld_famous_load_builtin(ld_famous *f, lading_ctx *ctx)
{
	return ld_famous_parse(f, famous_tsv, sizeof(famous_tsv) - 1, "data/famous.tsv", ctx);
}

/* dpkg: var/lib/dpkg/status (one file, all packages) and distroless var/lib/dpkg/status.d/<pkg>
 * (one stanza per file); owned files from info/<pkg>[:<arch>].list or status.d/<pkg>.md5sums. */
#include "util/common.h"
#include "catalog/catalog.h"
#include "catalog/parsers.h"

/* Named limits. */
#define DPKG_MAX_STATUS ((size_t)256 << 20) /* status file */
#define DPKG_MAX_STANZAS 1000000
#define DPKG_MAX_FIELD_LINE ((size_t)1 << 20)

static const char *const dpkg_wants[] = {
	"var/lib/dpkg/status",
	"var/lib/dpkg/status.d/*",
	"var/lib/dpkg/info/*.list",
	NULL,
};

/* ---- parser ---- */

static bool field_is(ld_slice name, const char *want)
{
	return ld_slice_case_eq_cstr(name, want);
}

int ld_dpkg_parse(ld_slice text, int (*fn)(void *opaque, const ld_dpkg_stanza *s), void *opaque, lading_ctx *ctx,
		  const char *what)
{
	ld_dpkg_stanza st;
	ld_slice line;
	size_t lineno = 0, count = 0;
	bool in = false;
	int rc;

	memset(&st, 0, sizeof(st));
	for (;;) {
		bool more = ld_slice_next_line(&text, &line);
		lineno++;
		if (!more || ld_slice_trim(line).len == 0) {
			/* end of a stanza */
			if (in) {
				if (++count > DPKG_MAX_STANZAS)
					return ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d stanzas", what,
							    DPKG_MAX_STANZAS);
				if (!st.package.len)
					ld_warn(ctx, "%s: stanza at line %zu has no Package field: skipped", what, st.line);
				else if ((rc = fn(opaque, &st)))
					return rc;
			}
			memset(&st, 0, sizeof(st));
			in = false;
			if (!more)
				return 0;
			continue;
		}
		if (!in) {
			in = true;
			st.line = lineno;
		}
		if (line.ptr[0] == ' ' || line.ptr[0] == '\t')
			continue; /* continuation of a multi-line field (Description, Conffiles...) */
		{
			ld_slice rest = line, name;
			if (!ld_slice_cut(&rest, ':', &name))
				continue; /* not a field; dpkg would complain, we skip the line */
			rest = ld_slice_trim(rest);
			if (field_is(name, "Package"))
				st.package = rest;
			else if (field_is(name, "Version"))
				st.version = rest;
			else if (field_is(name, "Architecture"))
				st.arch = rest;
			else if (field_is(name, "Source"))
				st.source = rest;
			else if (field_is(name, "Status"))
				st.status = rest;
			else if (field_is(name, "Maintainer"))
				st.maintainer = rest;
		}
	}
}

void ld_dpkg_split_source(ld_slice src, ld_slice *name, ld_slice *version)
{
	ptrdiff_t p = ld_slice_find(src, '(');
	*version = LD_SLICE_NULL;
	if (p < 0) {
		*name = ld_slice_trim(src);
		return;
	}
	*name = ld_slice_trim(ld_slice_make(src.ptr, (size_t)p));
	{
		ld_slice v = ld_slice_sub(src, (size_t)p + 1, src.len);
		ptrdiff_t q = ld_slice_find(v, ')');
		if (q >= 0)
			v.len = (size_t)q;
		*version = ld_slice_trim(v);
	}
}

void ld_dpkg_split_version(ld_slice v, int *epoch, ld_slice *upstream, ld_slice *revision)
{
	ptrdiff_t c = ld_slice_find(v, ':');
	uint64_t e;
	*epoch = -1;
	if (c > 0 && ld_slice_to_u64(ld_slice_make(v.ptr, (size_t)c), INT32_MAX, &e)) {
		*epoch = (int)e;
		v = ld_slice_sub(v, (size_t)c + 1, v.len);
	}
	*revision = LD_SLICE_NULL;
	for (size_t i = v.len; i > 0; i--) {
		if (v.ptr[i - 1] == '-') {
			*revision = ld_slice_sub(v, i, v.len);
			v.len = i - 1;
			break;
		}
	}
	*upstream = v;
}

/* installed = the package's files are on disk: unpacked or further (dpkg(1) package states) */
static bool is_installed(ld_slice status)
{
	ld_slice rest = status, want, flag, state;
	if (!status.len)
		return true; /* distroless status.d stanzas often have no Status */
	ld_slice_cut(&rest, ' ', &want);
	ld_slice_cut(&rest, ' ', &flag);
	state = ld_slice_trim(rest);
	return ld_slice_eq_cstr(state, "installed") || ld_slice_eq_cstr(state, "unpacked") ||
	       ld_slice_eq_cstr(state, "half-configured") || ld_slice_eq_cstr(state, "triggers-awaited") ||
	       ld_slice_eq_cstr(state, "triggers-pending");
}

/* ---- cataloger ---- */

typedef struct dpkg_run {
	ld_catalog *cat;
	lading_ctx *ctx;
	const char *location;
	int layer;          /* for status.d files: the file's own layer */
	ld_attrib *attrib;  /* for the status file */
	bool collecting;    /* feeding attribution rather than adding packages */
} dpkg_run;

static char *key_of(ld_arena *a, ld_slice name, ld_slice arch)
{
	return ld_arena_printf(a, "%.*s:%.*s", (int)name.len, name.ptr, (int)arch.len, arch.ptr);
}

/* owned files from a .list (absolute paths) or .md5sums ("<md5>  <relative path>") */
static int load_files(ld_catalog *c, lading_package *p, ld_slice text, bool md5sums)
{
	ld_slice line, t = text;
	size_t n = 0, i = 0;
	const char **files;
	while (ld_slice_next_line(&t, &line))
		n++;
	files = n ? ld_arena_array(&c->arena, n, sizeof(char *)) : NULL;
	if (n && !files)
		return LADING_ENOMEM;
	t = text;
	while (ld_slice_next_line(&t, &line) && i < n) {
		if (md5sums) {
			ptrdiff_t sp = ld_slice_find(line, ' ');
			if (sp < 0)
				continue;
			line = ld_slice_trim(ld_slice_sub(line, (size_t)sp, line.len));
			if (!line.len)
				continue;
			files[i] = ld_arena_printf(&c->arena, "/%.*s", (int)line.len, line.ptr);
		} else {
			line = ld_slice_trim(line);
			if (!line.len || ld_slice_eq_cstr(line, "/."))
				continue;
			files[i] = ld_arena_slice(&c->arena, line);
		}
		if (!files[i])
			return LADING_ENOMEM;
		i++;
	}
	p->files = files;
	p->file_count = i;
	return 0;
}

static int add_pkg(void *opaque, const ld_dpkg_stanza *s)
{
	dpkg_run *r = opaque;
	ld_catalog *c = r->cat;
	ld_arena *a = &c->arena;
	lading_package *p;
	ld_slice sname, sver, up, rev;
	const char *quals[8];
	char listpath[600];
	ld_slice list;

	if (!is_installed(s->status))
		return 0;
	if (r->collecting)
		return ld_attrib_add(r->attrib, key_of(a, s->package, s->arch), ld_arena_slice(a, s->version)) ? LADING_ENOMEM : 0;
	if (!s->version.len) {
		ld_warn(r->ctx, "%s: package %.*s has no Version: skipped", r->location, (int)s->package.len,
			s->package.ptr);
		return 0;
	}
	p = ld_catalog_add(c);
	if (!p)
		return LADING_ENOMEM;
	p->name = ld_arena_slice(a, s->package);
	p->version = ld_arena_slice(a, s->version);
	p->arch = s->arch.len ? ld_arena_slice(a, s->arch) : NULL;
	p->type = "deb";
	p->found_by = "dpkg";
	p->location = r->location;
	ld_dpkg_split_version(s->version, &p->epoch, &up, &rev);
	p->upstream_version = ld_arena_slice(a, up);
	p->release = rev.len ? ld_arena_slice(a, rev) : NULL;
	ld_dpkg_split_source(s->source, &sname, &sver);
	p->source_name = sname.len ? ld_arena_slice(a, sname) : p->name;
	p->source_version = sver.len ? ld_arena_slice(a, sver) : p->version;
	if (!p->name || !p->version || !p->source_name || !p->source_version)
		return LADING_ENOMEM;
	p->layer = r->attrib ? ld_attrib_layer(r->attrib, key_of(a, s->package, s->arch), p->version) : r->layer;
	{
		size_t q = 0;
		quals[q++] = "arch";
		quals[q++] = p->arch;
		quals[q++] = "distro";
		quals[q++] = c->distro[0] ? c->distro : NULL;
		if (strcmp(p->source_name, p->name) || strcmp(p->source_version, p->version)) {
			quals[q++] = "upstream";
			quals[q++] = strcmp(p->source_version, p->version)
					     ? ld_arena_printf(a, "%s@%s", p->source_name, p->source_version)
					     : p->source_name;
		}
		quals[q] = NULL;
		p->purl = ld_purl_build(a, "deb", c->os.id ? c->os.id : "debian", p->name, p->version, quals);
	}
	/* owned files: info/<pkg>:<arch>.list (multi-arch: same) or info/<pkg>.list */
	if (r->attrib) {
		ld_snprintf(listpath, sizeof(listpath), "var/lib/dpkg/info/%s:%s.list", p->name, p->arch ? p->arch : "");
		if (ld_view_read(c->view, listpath, &list, NULL) != 0) {
			ld_snprintf(listpath, sizeof(listpath), "var/lib/dpkg/info/%s.list", p->name);
			if (ld_view_read(c->view, listpath, &list, NULL) != 0)
				list = LD_SLICE_NULL;
		}
		if (list.ptr && load_files(c, p, list, false))
			return LADING_ENOMEM;
	} else {
		ld_snprintf(listpath, sizeof(listpath), "var/lib/dpkg/status.d/%s.md5sums", p->name);
		if (ld_view_read(c->view, listpath, &list, NULL) == 0 && load_files(c, p, list, true))
			return LADING_ENOMEM;
	}
	return 0;
}

static int feed_history(void *opaque, int layer, ld_slice content)
{
	dpkg_run *r = opaque;
	int rc;
	ld_attrib_begin(r->attrib, layer);
	r->collecting = true;
	rc = ld_dpkg_parse(content, add_pkg, r, r->ctx, r->location);
	r->collecting = false;
	ld_attrib_end(r->attrib);
	return rc;
}

static int dpkg_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	ld_slice text;
	dpkg_run r;
	int rc = 0, layer;
	ld_vnode *dir;

	memset(&r, 0, sizeof(r));
	r.cat = c;
	r.ctx = ctx;
	if (ld_view_read(c->view, "var/lib/dpkg/status", &text, &layer) == 0) {
		r.location = "/var/lib/dpkg/status";
		if ((rc = ld_attrib_new(&r.attrib)))
			return ld_error_set(ctx, rc, "out of memory");
		rc = ld_catalog_history(c, "var/lib/dpkg/status", feed_history, &r);
		if (!rc)
			rc = ld_dpkg_parse(text, add_pkg, &r, ctx, r.location);
		ld_attrib_free(r.attrib);
		r.attrib = NULL;
		if (rc)
			return rc < 0 ? rc : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	/* distroless: one stanza per file */
	dir = ld_view_resolve(c->view, LD_SLICE_LIT("var/lib/dpkg/status.d"), true, NULL);
	if (dir && dir->type == LD_LF_DIR) {
		for (ld_vnode *n = dir->child; n; n = n->next) {
			ld_slice base = ld_slice_cstr(n->name);
			char path[LD_PATH_MAX + 8];
			if (ld_slice_ends_with(base, ".md5sums") || n->type == LD_LF_DIR)
				continue; /* the companion of <pkg>, not a stanza */
			ld_snprintf(path, sizeof(path), "%s", n->path);
			if (ld_view_read(c->view, path, &text, &layer) != 0)
				continue;
			r.location = ld_arena_printf(&c->arena, "/%s", n->path);
			r.layer = layer;
			if ((rc = ld_dpkg_parse(text, add_pkg, &r, ctx, r.location)))
				return rc < 0 ? rc : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
	}
	return 0;
}

const ld_cataloger ld_cataloger_dpkg = {"dpkg", "1", dpkg_wants, DPKG_MAX_STATUS, dpkg_run_cat, NULL};

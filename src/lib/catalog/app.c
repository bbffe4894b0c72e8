/* The image's own application, recorded as a component flagged LADING_PKG_APPLICATION:
 * - a project's package.json with a name and a version (npm),
 * - a pyproject.toml ([project], else [tool.poetry]) or setup.cfg ([metadata]) project (pypi),
 * - a top-level jar's own coordinates (its pom.properties; the java cataloger already reported
 *   the package, this one flags it).
 * Only where applications are deployed: the image root and the usual application directories
 * (APP_ROOTS), never inside dependency trees, package-manager directories, hidden directories,
 * tests or library folders (SKIP_DIRS). An OS distribution's own files are not under those
 * roots, so images of a bare distribution have no application component. */
#include "util/common.h"
#include "util/path.h"
#include "catalog/lang.h"

/* Named limits. */
#define APP_MAX_MANIFEST ((size_t)8 << 20) /* one package.json / pyproject.toml / setup.cfg */
#define APP_MAX_FIELD 256                  /* a name or a version */
#define APP_MAX_LINES 200000               /* lines scanned in one TOML / INI file */

/* the image root's own files as exact paths: the double-star globs start below the root */
static const char *const app_wants[] = {"**/package.json", "**/pyproject.toml", "**/setup.cfg", "package.json",
					"pyproject.toml", "setup.cfg", NULL};

/* Directories applications are deployed to (canonical, no leading '/'). */
static const char *const APP_ROOTS[] = {"app",	     "opt",	  "srv",  "usr/src", "usr/app", "usr/local/app",
					"home",	     "root",	  "code", "workspace", "var/www", "src",
					NULL};
/* Directory names under which a manifest belongs to something else than the application. */
static const char *const SKIP_DIRS[] = {
	"node_modules", "bower_components", "jspm_packages", "vendor",	   "site-packages", "dist-packages",
	"lib",		"libs",		    "lib64",	     "jars",	   "plugins",	    "modules",
	"ext",		"extensions",	    "WEB-INF",	     "share",	   "test",	    "tests",
	"testing",	"fixtures",	    "examples",	     "example",	   "__tests__",	    "docs",
	"third_party",	"third-party",	    "deps",	     "bundle",	   "packages-cache", "Library",
	NULL};

static bool in_list(ld_slice comp, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (ld_slice_eq_cstr(comp, list[i]))
			return true;
	return false;
}

/* Is the directory `dir` (canonical, "" = the image root) a place for the image's application? */
static bool app_dir(ld_slice dir)
{
	ld_slice rest = dir, comp;
	bool rooted = dir.len == 0;
	for (size_t i = 0; APP_ROOTS[i] && !rooted; i++) {
		size_t n = strlen(APP_ROOTS[i]);
		rooted = ld_slice_starts_with(dir, APP_ROOTS[i]) && (dir.len == n || dir.ptr[n] == '/');
	}
	if (!rooted)
		return false;
	while (rest.len) {
		ld_slice_cut(&rest, '/', &comp);
		if (!comp.len || comp.ptr[0] == '.' || in_list(comp, SKIP_DIRS))
			return false;
	}
	return true;
}

static bool field_ok(ld_slice s)
{
	if (!s.len || s.len > APP_MAX_FIELD)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.ptr[i] < 0x21 || s.ptr[i] == 0x7f)
			return false;
	return true;
}

/* ---- pyproject.toml / setup.cfg ---- */

/* `key = "value"` (TOML basic or literal string) or `key = value` (INI) on one line. */
static bool kv_line(ld_slice line, bool toml, ld_slice *key, ld_slice *val)
{
	ld_slice v = line;
	if (!ld_slice_cut(&v, '=', key))
		return false;
	*key = ld_slice_trim(*key);
	v = ld_slice_trim(v);
	if (!toml) {
		*val = v;
		return true;
	}
	if (v.len < 2 || (v.ptr[0] != '"' && v.ptr[0] != '\'') || memchr(v.ptr + 1, v.ptr[0], v.len - 1) == NULL)
		return false; /* not a one-line string (dynamic, multi-line, table...) */
	*val = ld_slice_make(v.ptr + 1, (size_t)((const char *)memchr(v.ptr + 1, v.ptr[0], v.len - 1) - (v.ptr + 1)));
	return true;
}

/* A project's name and version from the first of `tables` that has both. */
bool ld_app_project_parse(ld_slice text, bool toml, ld_lang_pkg *out)
{
	static const char *const toml_tables[] = {"[project]", "[tool.poetry]"};
	static const char *const ini_tables[] = {"[metadata]"};
	const char *const *tables = toml ? toml_tables : ini_tables;
	size_t ntables = toml ? 2 : 1;
	for (size_t t = 0; t < ntables; t++) {
		ld_slice rest = text, line, key, val, name = LD_SLICE_NULL, version = LD_SLICE_NULL;
		bool in = false;
		for (size_t n = 0; n < APP_MAX_LINES && ld_slice_next_line(&rest, &line); n++) {
			line = ld_slice_trim(line);
			if (line.len && line.ptr[0] == '[') {
				in = ld_slice_eq_cstr(line, tables[t]);
				continue;
			}
			if (!in || !line.len || line.ptr[0] == '#' || line.ptr[0] == ';' || !kv_line(line, toml, &key, &val))
				continue;
			if (ld_slice_eq_cstr(key, "name") && !name.len)
				name = val;
			else if (ld_slice_eq_cstr(key, "version") && !version.len)
				version = val;
		}
		/* setup.cfg "version = attr: pkg.__version__" / "file: VERSION": not a literal */
		if (field_ok(name) && field_ok(version) && !ld_slice_starts_with(version, "attr:") &&
		    !ld_slice_starts_with(version, "file:")) {
			memset(out, 0, sizeof(*out));
			out->name = name;
			out->version = version;
			return true;
		}
	}
	return false;
}

/* ---- the cataloger ---- */

typedef struct app_run {
	ld_catalog *cat;
	lading_ctx *ctx;
	ld_arena scratch;
} app_run;

static int add_app(app_run *r, const char *type, ld_slice name, ld_slice version, const ld_lang_file *f,
		   unsigned flags)
{
	char norm[APP_MAX_FIELD + 1];
	ld_slice purl_name = name, ns = LD_SLICE_NULL;
	lading_package *p;
	if (!strcmp(type, "pypi")) {
		ld_pypi_normalize(name, norm, sizeof(norm));
		purl_name = ld_slice_cstr(norm);
	} else if (name.len && name.ptr[0] == '@' && ld_slice_find(name, '/') > 0) {
		/* npm scope: the purl namespace */
		ptrdiff_t slash = ld_slice_find(name, '/');
		ns = ld_slice_make(name.ptr, (size_t)slash);
		purl_name = ld_slice_sub(name, (size_t)slash + 1, name.len);
	}
	p = ld_lang_add(r->cat, type, "application", name, ns, purl_name, version, LD_SLICE_NULL, f->path, f->layer);
	if (!p)
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	p->flags |= LADING_PKG_APPLICATION | flags;
	return 0;
}

static int on_manifest(void *opaque, const ld_lang_file *f)
{
	app_run *r = opaque;
	ld_slice path = ld_slice_cstr(f->path), base = ld_path_base(path);
	ld_lang_pkg pkg;
	if (f->too_big || !app_dir(ld_path_dir(path)))
		return 0;
	if (ld_slice_eq_cstr(base, "package.json")) {
		ld_json *doc;
		ld_json_limits lim = {.max_depth = 64};
		lading_ctx *quiet;
		int rc;
		if (lading_ctx_new(&quiet))
			return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
		/* a project's package.json that is not JSON is not a package: no warning either */
		rc = ld_npm_pkgjson_parse(f->data, &r->scratch, &pkg, quiet, f->path);
		if (!rc && field_ok(pkg.name) && field_ok(pkg.version)) {
			bool private_pkg = false;
			if (ld_json_parse(&doc, &r->scratch, f->data.ptr, f->data.len, &lim, quiet, f->path) == 0)
				private_pkg = ld_json_bool(ld_json_get(doc, "private"), false);
			/* "private": npm refuses to publish it: no registry release to match */
			rc = add_app(r, "npm", pkg.name, pkg.version, f, private_pkg ? LADING_PKG_LOCAL : 0);
			lading_ctx_free(quiet);
			return rc;
		}
		lading_ctx_free(quiet);
		return 0;
	}
	if (ld_app_project_parse(f->data, ld_slice_eq_cstr(base, "pyproject.toml"), &pkg))
		return add_app(r, "pypi", pkg.name, pkg.version, f, 0);
	return 0;
}

/* ---- jars ---- */

typedef struct jar_pick {
	ld_slice base;   /* jar file name without extension */
	ld_lang_pkg own; /* the chosen pom coordinates */
	size_t poms;     /* top-level pom.properties seen */
	bool named;      /* `own` matches the file name */
} jar_pick;

static int on_jar_pkg(void *opaque, const ld_lang_pkg *p)
{
	jar_pick *j = opaque;
	bool named;
	if (p->path.len || !ld_slice_eq_cstr(p->source, "pom"))
		return 0; /* nested archives and guesses from the manifest or the file name */
	named = p->name.len && j->base.len >= p->name.len && !memcmp(j->base.ptr, p->name.ptr, p->name.len);
	j->poms++;
	if (j->poms == 1 || (named && !j->named)) {
		j->own = *p;
		j->named = named;
	}
	return 0;
}

/* Flag the java cataloger's package for a jar's own coordinates: its only top-level
 * pom.properties, or (a shaded jar carries its dependencies' too) the one named like the file. */
static int on_jar(void *opaque, const ld_lang_file *f)
{
	app_run *r = opaque;
	ld_slice path = ld_slice_cstr(f->path), base = ld_path_base(path);
	jar_pick j = {0};
	ld_vec *pkgs = &r->cat->pkgs;
	int rc;
	if (!app_dir(ld_path_dir(path)))
		return 0;
	j.base = base;
	if ((rc = ld_java_result_each(f->data, on_jar_pkg, NULL, &j)))
		return rc;
	if (!j.poms || (j.poms > 1 && !j.named))
		return 0;
	for (size_t i = 0; i < pkgs->len; i++) {
		lading_package *p = ld_vec_at(pkgs, i);
		const char *colon = p->name ? strrchr(p->name, ':') : NULL;
		if (strcmp(p->type, "maven") || !p->location || strcmp(p->location + 1, f->path) || !colon ||
		    !ld_slice_eq_cstr(j.own.name, colon + 1) || !p->version || !ld_slice_eq_cstr(j.own.version, p->version))
			continue;
		p->flags |= LADING_PKG_APPLICATION;
	}
	return 0;
}

static int app_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	app_run r = {c, ctx, {0}};
	int rc;
	ld_arena_init(&r.scratch, 0);
	rc = ld_lang_files(c, app_wants, ctx, on_manifest, &r);
	if (!rc)
		rc = ld_lang_results(c, "java-archive", on_jar, &r);
	ld_arena_release(&r.scratch);
	return rc;
}

const ld_cataloger ld_cataloger_app = {"application", "1", app_wants, APP_MAX_MANIFEST, app_run_cat, NULL};

/* Language package catalogers (python.c, node.c, java.c, ruby.c, php.c, rust_lock.c, dotnet.c):
 * their parsers, exposed for unit tests and fuzzing, and the helpers they share (lang.c).
 * Every parser takes (ptr, len) and reports packages through a callback with slices that are
 * valid during the call only (into the input or into the parser's scratch arena). */
#ifndef LD_CATALOG_LANG_H
#define LD_CATALOG_LANG_H

#include "catalog/catalog.h"

/* One package as a parser sees it. */
typedef struct ld_lang_pkg {
	ld_slice name; /* as written (maven: artifactId) */
	ld_slice version;
	ld_slice ns; /* maven groupId; empty elsewhere */
	ld_slice license;
	ld_slice path;	 /* where inside the input: npm lock install path ("node_modules/a"),
			    java nested archive ("WEB-INF/lib/x.jar"); may be empty */
	ld_slice source; /* cargo: "registry+https://...", java: "pom", "manifest", "filename" */
	unsigned flags;	 /* LD_LANG_* */
} ld_lang_pkg;

enum {
	LD_LANG_DEV = 1u << 0 /* a lockfile says it is a development-only dependency */
};

/* Return 0 to go on, non-zero to stop (the parser returns it). */
typedef int (*ld_lang_fn)(void *opaque, const ld_lang_pkg *p);

/* ---- Python ---- */
/* Core metadata (METADATA, PKG-INFO): RFC 822 headers up to the first blank line. Fills name,
 * version, license (License-Expression, else a short License, else the first license
 * classifier). Returns false when Name or Version is missing. */
bool ld_pymeta_parse(ld_slice text, ld_lang_pkg *out);
/* PEP 503 normalized name into out[size]: lower case, runs of "-_." become one "-". */
void ld_pypi_normalize(ld_slice name, char *out, size_t size);
/* The .egg analyzer: a zip holding EGG-INFO/PKG-INFO. Result: a blob (see ld_lang_blob_*). */
int ld_egg_analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		   ld_slice *result);

/* ---- Node.js ---- */
/* package.json: name, version, license ("MIT", {"type": "MIT"} or [{"type": ...}]). Name and
 * version are empty when the file does not have them (not a package). JSON errors are returned
 * (detail on ctx). */
int ld_npm_pkgjson_parse(ld_slice text, ld_arena *scratch, ld_lang_pkg *out, lading_ctx *ctx,
			 const char *what);
/* package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (nested "dependencies"), 2 and 3
 * ("packages" keyed by install path). The root project, links and workspace sources are not
 * reported; aliases ("npm:real@1.0.0") are resolved to the real name. */
int ld_npm_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		      const char *what);
/* yarn.lock: classic v1 and berry (v2+, YAML). Berry entries other than npm resolutions
 * (workspace, link, portal, patch...) are not reported. */
int ld_yarn_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		       const char *what);
/* pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x ("packages" keys). */
int ld_pnpm_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		       const char *what);
/* True when `path` (canonical) is a package directory's manifest: DIR/NAME/package.json or
 * DIR/@SCOPE/NAME/package.json where DIR is a node_modules directory or one of Debian's system
 * module directories (usr/share/nodejs, usr/lib/nodejs, usr/lib/TRIPLET/nodejs). */
bool ld_npm_is_install_path(ld_slice path);

/* ---- Java ---- */
/* The jar/war/ear/par/jpi/hpi analyzer: pom.properties, MANIFEST.MF, nested archives, file name.
 * Result: a blob, one "J" line per package (see java.c). */
/* The Java analyzer's sweep (layer.h, ld_sweep_fn): which bytes of a large archive streaming past
 * to keep (exposed for fuzzing). */
void ld_java_sweep(ld_sweep *s, const unsigned char *m, uint64_t avail, uint64_t size);
int ld_java_analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		    ld_slice *result);
/* "log4j-core-2.14.1.jar" -> "log4j-core", "2.14.1"; false when no version can be split off. */
bool ld_java_name_from_file(ld_slice base, ld_slice *artifact, ld_slice *version);
/* Walk a result blob of ld_java_analyze: fn gets ns (group), name (artifact), version, path
 * (nested archive or empty) and source; warnings recorded in the blob go to `warn`. */
int ld_java_result_each(ld_slice blob, ld_lang_fn fn, void (*warn)(void *opaque, ld_slice msg),
			void *opaque);

/* ---- Ruby ---- */
/* An installed gemspec (specifications/NAME-VERSION.gemspec, written by RubyGems): s.name,
 * s.version
 * ("x".freeze, 'x', %q{x}), s.license(s); the "# stub:" line as a fallback. */
bool ld_gemspec_parse(ld_slice text, ld_lang_pkg *out);

/* ---- PHP ---- */
/* vendor/composer/installed.json: Composer 1 (an array) and 2 ({"packages": [...]}). name is
 * "vendor/package". */
int ld_composer_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		      const char *what);

/* ---- Rust ---- */
/* Cargo.lock (v1-v4): each [[package]] table's name, version, source. */
int ld_cargo_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
			const char *what);

/* ---- .NET ---- */
/* *.deps.json: "libraries" entries of type "package", keyed "Name/Version". */
int ld_deps_json_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		       const char *what);

/* ---- the image's own application (app.c) ---- */
/* pyproject.toml ([project], else [tool.poetry]; toml = true) or setup.cfg ([metadata]): a
 * literal one-line name and version. False when the file has no such project. */
bool ld_app_project_parse(ld_slice text, bool toml, ld_lang_pkg *out);

/* ---- shared by the catalogers ---- */

/* A captured file the cataloger asked for. */
typedef struct ld_lang_file {
	const char *path; /* canonical (no leading "/") */
	ld_slice data;	  /* empty when too_big */
	int layer;
	bool too_big;
} ld_lang_file;

/* Files of the final view that match one of `globs` (a cataloger's wants), sorted by path: those
 * too big to capture are warned about and skipped. fn returns 0 to go on. */
int ld_lang_files(ld_catalog *c, const char *const *globs, lading_ctx *ctx,
		  int (*fn)(void *opaque, const ld_lang_file *f), void *opaque);
/* Regular files of the final view that have a result from analyzer `name`, sorted by path. */
int ld_lang_results(ld_catalog *c, const char *analyzer,
		    int (*fn)(void *opaque, const ld_lang_file *f), void *opaque);

/* A lockfile-style parser: (ptr, len) of one file, packages through fn; `what` names the file in
 * its errors. */
typedef int (*ld_lang_parse_fn)(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
				const char *what);
/* Parse one captured file with `parse`: a broken file is one bad input among many, so its error
 * becomes a warning and 0 is returned (only LADING_ENOMEM, or fn's own non-zero, stops). */
int ld_lang_parse_file(const ld_lang_file *f, ld_lang_parse_fn parse, ld_lang_fn fn, void *opaque,
		       lading_ctx *ctx);

/* The whole of a cataloger that adds every package of every wanted file as it is (dotnet,
 * php, rust-lock): its purl type, found_by, parser, and whether names are "namespace/name". */
typedef struct ld_lang_lockfile {
	const char *type;
	const char *found_by;
	ld_lang_parse_fn parse;
	bool ns_in_name; /* "vendor/name" (composer): the purl namespace is the part before '/' */
	bool license;	 /* keep the license the parser reports */
} ld_lang_lockfile;
int ld_lang_lockfile_run(ld_catalog *c, lading_ctx *ctx, const char *const *wants,
			 const ld_lang_lockfile *lf);

/* Add a package: strings are copied into the catalog's arena. `name` is the display name; the
 * purl carries `purl_ns` (may be empty) and `purl_name` (empty = name). location gets a leading
 * "/". Returns the package or NULL on OOM. */
lading_package *ld_lang_add(ld_catalog *c, const char *type, const char *found_by, ld_slice name,
			    ld_slice purl_ns, ld_slice purl_name, ld_slice version,
			    ld_slice license, const char *location, int layer);

/* Analyzer results are compact blobs cached with the layer: lines of tab-separated fields, the
 * first one a kind ("J" package, "W" warning...). Tabs and newlines inside fields become spaces. */
void ld_lang_blob_line(ld_buf *b, const char *kind, const ld_slice *fields, size_t n);
/* Next line: fields[0] is the kind; *n gets the count (at most max). false at the end. */
bool ld_lang_blob_next(ld_slice *blob, ld_slice *fields, size_t max, size_t *n);

/* Trim and drop one pair of matching surrounding quotes ('...' or "..."). */
ld_slice ld_lang_unquote(ld_slice s);

#endif

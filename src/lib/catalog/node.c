/* Node.js packages: every package.json installed in a node_modules tree (nested and scoped) or
 * in Debian's system module directories (/usr/share/nodejs...), and the lockfiles of projects
 * (package-lock.json / npm-shrinkwrap.json v1-v3, yarn.lock v1 and berry, pnpm-lock.yaml
 * v5-v9). A lockfile is read only for a project without an installed node_modules tree: where
 * one is installed it is what the image holds (lockfiles also list other platforms' optional
 * packages and omitted development ones), where none is the lockfile says what the project
 * ships (bundled applications, copied sources). Development-only lockfile entries are not
 * reported. Lockfiles inside node_modules belong to a dependency's sources and are ignored. */
#include "util/common.h"
#include "util/json.h"
#include "util/map.h"
#include "util/path.h"
#include "util/yaml.h"
#include "catalog/lang.h"

/* Named limits. */
#define NODE_MAX_PKGJSON ((size_t)8 << 20) /* one package.json */
#define NODE_MAX_LOCK ((size_t)64 << 20)   /* one lockfile */
#define NODE_JSON_DEPTH 64		   /* package.json nesting */
#define NPM_LOCK_MAX_DEPTH 128	      /* v1 "dependencies" nesting (one per node_modules level) */
#define NODE_LOCK_MAX_ENTRIES 1000000 /* packages in one lockfile */
#define NODE_MAX_NAME 512	      /* npm allows 214; longer is not a name */

/* "@scope/name@range" or "name@range": the '@' that ends the name, or -1. */
static ptrdiff_t name_end(ld_slice desc)
{
	for (size_t i = 1; i < desc.len; i++)
		if (desc.ptr[i] == '@')
			return (ptrdiff_t)i;
	return -1;
}

static bool plausible_name(ld_slice n)
{
	if (!n.len || n.len > NODE_MAX_NAME)
		return false;
	for (size_t i = 0; i < n.len; i++)
		if ((unsigned char)n.ptr[i] <= ' ' || n.ptr[i] == ':' || n.ptr[i] == '"')
			return false;
	return true;
}

/* ---- package.json ---- */

static ld_slice json_license(const ld_json *root)
{
	const ld_json *l = ld_json_get(root, "license");
	if (ld_json_is(l, LD_JSON_STRING))
		return ld_json_slice(l);
	if (ld_json_is(l, LD_JSON_OBJECT))
		return ld_json_slice(ld_json_get(l, "type"));
	l = ld_json_get(root, "licenses");
	if (ld_json_is(l, LD_JSON_ARRAY) && l->n) {
		const ld_json *first = ld_json_at(l, 0);
		if (ld_json_is(first, LD_JSON_STRING))
			return ld_json_slice(first);
		return ld_json_slice(ld_json_get(first, "type"));
	}
	return LD_SLICE_NULL;
}

int ld_npm_pkgjson_parse(ld_slice text, ld_arena *scratch, ld_lang_pkg *out, lading_ctx *ctx,
			 const char *what)
{
	ld_json *root;
	ld_json_limits lim = {NODE_JSON_DEPTH, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ld_json_parse(&root, scratch, text.ptr, text.len, &lim, ctx, what)))
		return rc;
	if (!ld_json_is(root, LD_JSON_OBJECT))
		return 0;
	out->name = ld_json_slice(ld_json_get(root, "name"));
	out->version = ld_json_slice(ld_json_get(root, "version"));
	out->license = json_license(root);
	if (!plausible_name(out->name) || !ld_json_is(ld_json_get(root, "version"), LD_JSON_STRING))
		out->name = out->version = LD_SLICE_NULL;
	return 0;
}

/* A directory packages are installed in: any node_modules, and the Debian/Ubuntu system module
 * directories (/usr/share/nodejs, /usr/lib/nodejs, /usr/lib/<triplet>/nodejs). */
static bool module_dir(ld_slice dir)
{
	ld_slice up;
	if (ld_slice_eq_cstr(ld_path_base(dir), "node_modules"))
		return true;
	if (ld_slice_eq_cstr(dir, "usr/share/nodejs") || ld_slice_eq_cstr(dir, "usr/lib/nodejs"))
		return true;
	up = ld_path_dir(dir);
	return ld_slice_eq_cstr(ld_path_base(dir), "nodejs") &&
	       ld_slice_eq_cstr(ld_path_dir(up), "usr/lib");
}

bool ld_npm_is_install_path(ld_slice path)
{
	ld_slice dir, parent, base;
	if (!ld_slice_ends_with(path, "/package.json"))
		return false;
	dir = ld_slice_make(path.ptr, path.len - strlen("/package.json"));
	parent = ld_path_dir(dir);
	base = ld_path_base(dir);
	if (!base.len || base.ptr[0] == '.')
		return false;
	if (module_dir(parent))
		return base.ptr[0] != '@';
	if (ld_path_base(parent).len > 1 && ld_path_base(parent).ptr[0] == '@')
		return module_dir(ld_path_dir(parent));
	return false;
}

/* ---- package-lock.json ---- */

typedef struct lock_ctx {
	ld_lang_fn fn;
	void *opaque;
	lading_ctx *ctx;
	const char *what;
	size_t count;
} lock_ctx;

static int emit(lock_ctx *lc, ld_lang_pkg *p)
{
	if (++lc->count > NODE_LOCK_MAX_ENTRIES)
		return ld_error_set(lc->ctx, LADING_ELIMIT, "%s: more than %d packages", lc->what,
				    NODE_LOCK_MAX_ENTRIES);
	if (!plausible_name(p->name) || !p->version.len) {
		ld_warn(lc->ctx, "%s: entry \"%.*s\" without a usable name or version: skipped",
			lc->what, (int)(p->name.len > 200 ? 200 : p->name.len), p->name.ptr);
		return 0;
	}
	return lc->fn(lc->opaque, p);
}

/* "npm:@scope/real@1.2.3" (an alias) -> name "@scope/real", version "1.2.3" */
static bool npm_alias(ld_slice v, ld_slice *name, ld_slice *version)
{
	ptrdiff_t at;
	if (!ld_slice_starts_with(v, "npm:"))
		return false;
	v = ld_slice_sub(v, 4, v.len);
	if ((at = name_end(v)) < 0)
		return false;
	*name = ld_slice_make(v.ptr, (size_t)at);
	*version = ld_slice_sub(v, (size_t)at + 1, v.len);
	return true;
}

/* A version that is a URL, a path or a git reference is not a registry version. */
static bool registry_version(ld_slice v)
{
	return v.len && ld_slice_find(v, ':') < 0 && ld_slice_find(v, '/') < 0 &&
	       ld_slice_find(v, '#') < 0;
}

static int lock_v1_walk(lock_ctx *lc, const ld_json *deps, int depth)
{
	const ld_json_member *m;
	int rc;
	if (depth > NPM_LOCK_MAX_DEPTH)
		return ld_error_set(lc->ctx, LADING_ELIMIT,
				    "%s: dependencies nested deeper than %d", lc->what,
				    NPM_LOCK_MAX_DEPTH);
	ld_json_foreach_member (deps, i, m) {
		ld_lang_pkg p;
		const ld_json *v = &m->value;
		memset(&p, 0, sizeof(p));
		if (!ld_json_is(v, LD_JSON_OBJECT)) {
			ld_warn(lc->ctx, "%s: dependency \"%.*s\" is not an object: skipped",
				lc->what, (int)(m->klen > 200 ? 200 : m->klen), m->key);
			continue;
		}
		p.name = ld_slice_make(m->key, m->klen);
		p.version = ld_json_slice(ld_json_get(v, "version"));
		p.flags = ld_json_bool(ld_json_get(v, "dev"), false) ? LD_LANG_DEV : 0;
		if (!npm_alias(p.version, &p.name, &p.version) && !registry_version(p.version) &&
		    p.version.len) {
			/* git, file: and tarball dependencies: no registry version to report */
		} else if ((rc = emit(lc, &p))) {
			return rc;
		}
		if ((rc = lock_v1_walk(lc, ld_json_get(v, "dependencies"), depth + 1)))
			return rc;
	}
	return 0;
}

int ld_npm_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx, const char *what)
{
	ld_arena a;
	ld_json *root;
	ld_json_limits lim = {NPM_LOCK_MAX_DEPTH * 2 + 8, 0};
	lock_ctx lc = {fn, opaque, ctx, what, 0};
	const ld_json *pkgs;
	int rc;

	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&root, &a, text.ptr, text.len, &lim, ctx, what)))
		goto out;
	if (!ld_json_is(root, LD_JSON_OBJECT)) {
		rc = ld_error_set(ctx, LADING_EINVALID, "%s: not a JSON object", what);
		goto out;
	}
	pkgs = ld_json_get(root, "packages");
	if (ld_json_is(pkgs, LD_JSON_OBJECT)) {
		/* v2, v3: keyed by install path relative to the project */
		const ld_json_member *m;
		ld_json_foreach_member (pkgs, i, m) {
			ld_slice key = ld_slice_make(m->key, m->klen);
			const ld_json *v = &m->value;
			ld_lang_pkg p;
			ptrdiff_t nm = -1;
			if (!key.len)
				continue; /* the project itself */
			if (!ld_json_is(v, LD_JSON_OBJECT)) {
				ld_warn(ctx, "%s: package \"%.*s\" is not an object: skipped", what,
					(int)(key.len > 200 ? 200 : key.len), key.ptr);
				continue;
			}
			if (ld_json_bool(ld_json_get(v, "link"), false))
				continue; /* a symlink to a workspace package, reported where it
					     lives */
			for (size_t j = 0; j + 13 <= key.len; j++)
				if (!memcmp(key.ptr + j, "node_modules/", 13) &&
				    (j == 0 || key.ptr[j - 1] == '/'))
					nm = (ptrdiff_t)j;
			if (nm < 0)
				continue; /* a workspace's own sources */
			memset(&p, 0, sizeof(p));
			p.path = key;
			p.name = ld_json_slice(ld_json_get(v, "name"));
			if (!p.name.len)
				p.name = ld_slice_sub(key, (size_t)nm + 13, key.len);
			p.version = ld_json_slice(ld_json_get(v, "version"));
			npm_alias(p.version, &p.name, &p.version);
			p.license = ld_json_slice(ld_json_get(v, "license"));
			p.flags = ld_json_bool(ld_json_get(v, "dev"), false) ? LD_LANG_DEV : 0;
			if ((rc = emit(&lc, &p)))
				goto out;
		}
	} else {
		rc = lock_v1_walk(&lc, ld_json_get(root, "dependencies"), 0);
	}
out:
	ld_arena_release(&a);
	return rc;
}

/* ---- yarn.lock ---- */

/* The entry's first descriptor: `"@a/b@^1", "@a/b@^1.2":` -> `@a/b@^1` */
static ld_slice first_descriptor(ld_slice key)
{
	ld_slice head, rest = key;
	ld_slice_cut(&rest, ',', &head);
	return ld_lang_unquote(head);
}

static int yarn_flush(lock_ctx *lc, ld_slice key, ld_slice version, ld_slice resolution, bool berry)
{
	ld_lang_pkg p;
	ld_slice desc = first_descriptor(key), range;
	ptrdiff_t at;

	memset(&p, 0, sizeof(p));
	if (berry) {
		ptrdiff_t np;
		if (ld_slice_eq_cstr(desc, "__metadata"))
			return 0;
		/* only registry resolutions: "name@npm:1.2.3" (workspace:, patch:, link:... are
		 * not) */
		resolution = ld_lang_unquote(resolution);
		np = ld_slice_find_str(resolution, LD_SLICE_LIT("@npm:"));
		if (np <= 0)
			return 0;
		p.name = ld_slice_make(resolution.ptr, (size_t)np);
		p.version = ld_slice_sub(resolution, (size_t)np + 5, resolution.len);
		if (!registry_version(p.version))
			return 0;
		return emit(lc, &p);
	}
	if ((at = name_end(desc)) < 0) {
		ld_warn(lc->ctx, "%s: entry \"%.*s\" has no name@range: skipped", lc->what,
			(int)(key.len > 200 ? 200 : key.len), key.ptr);
		return 0;
	}
	p.name = ld_slice_make(desc.ptr, (size_t)at);
	range = ld_slice_sub(desc, (size_t)at + 1, desc.len);
	if (ld_slice_starts_with(range, "npm:")) {
		/* an alias "alias@npm:real@^1": the real package */
		ld_slice real = ld_slice_sub(range, 4, range.len);
		ptrdiff_t rat = name_end(real);
		p.name = rat > 0 ? ld_slice_make(real.ptr, (size_t)rat) : real;
	} else if (ld_slice_starts_with(range, "file:") || ld_slice_starts_with(range, "link:")) {
		return 0; /* local directories */
	}
	p.version = ld_lang_unquote(version);
	return emit(lc, &p);
}

int ld_yarn_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		       const char *what)
{
	lock_ctx lc = {fn, opaque, ctx, what, 0};
	ld_slice line, key = LD_SLICE_NULL, version = LD_SLICE_NULL, resolution = LD_SLICE_NULL;
	bool berry = false, in = false;
	int rc;

	/* berry lockfiles are YAML with a __metadata entry; classic ones are not YAML */
	{
		ld_slice t = text;
		while (ld_slice_next_line(&t, &line))
			if (ld_slice_starts_with(line, "__metadata:")) {
				berry = true;
				break;
			}
	}
	for (;;) {
		bool more = ld_slice_next_line(&text, &line);
		if (!more ||
		    (line.len && line.ptr[0] != ' ' && line.ptr[0] != '\t' && line.ptr[0] != '#')) {
			if (in) {
				if (!version.len && !berry)
					ld_warn(ctx, "%s: entry \"%.*s\" has no version: skipped",
						what, (int)(key.len > 200 ? 200 : key.len),
						key.ptr);
				else if ((rc = yarn_flush(&lc, key, version, resolution, berry)))
					return rc;
			}
			if (!more)
				return 0;
			key = ld_slice_trim(line);
			if (key.len && key.ptr[key.len - 1] == ':')
				key.len--;
			version = resolution = LD_SLICE_NULL;
			in = true;
			continue;
		}
		if (!in || !line.len || line.ptr[0] == '#')
			continue;
		{
			/* "  version "1.2.3"" (classic) or "  version: 1.2.3" (berry), at the first
			 * level */
			ld_slice l = line, field;
			size_t ind = 0;
			while (ind < l.len && l.ptr[ind] == ' ')
				ind++;
			if (ind != 2)
				continue;
			l = ld_slice_sub(l, 2, l.len);
			field = l;
			for (size_t i = 0; i < l.len; i++)
				if (l.ptr[i] == ' ' || l.ptr[i] == ':') {
					field.len = i;
					break;
				}
			l = ld_slice_sub(l, field.len, l.len);
			if (l.len && l.ptr[0] == ':')
				l = ld_slice_sub(l, 1, l.len);
			if (ld_slice_eq_cstr(field, "version"))
				version = ld_lang_unquote(l);
			else if (ld_slice_eq_cstr(field, "resolution"))
				resolution = ld_lang_unquote(l);
		}
	}
}

/* ---- pnpm-lock.yaml ---- */

/* With LD_YAML_PLAIN_STRINGS a YAML "true" stays the string "true". */
static bool yaml_true(const ld_json *v)
{
	const char *s = ld_json_str(v);
	return ld_json_bool(v, false) || (s && !strcmp(s, "true"));
}

static int pnpm_entry(lock_ctx *lc, ld_slice key, const ld_json *v, int major,
		      const ld_map *shipped)
{
	ld_lang_pkg p;
	memset(&p, 0, sizeof(p));
	if (shipped && !ld_map_get(shipped, key))
		p.flags |= LD_LANG_DEV;
	if (key.len && key.ptr[0] == '/')
		key = ld_slice_sub(key, 1, key.len);
	p.path = key;
	if (!major) {
		/* unknown version: v6+ keys have "@version" with no "/" after it */
		ptrdiff_t at = name_end(key);
		major = at > 0 && ld_slice_find(ld_slice_sub(key, (size_t)at, key.len), '/') < 0
			    ? 6
			    : 5;
	}
	if (major >= 6) {
		/* "name@1.2.3(peer@1.0.0)" */
		ptrdiff_t paren = ld_slice_find(key, '('), at = -1;
		ld_slice k = paren >= 0 ? ld_slice_make(key.ptr, (size_t)paren) : key;
		for (size_t i = k.len; i > 1; i--)
			if (k.ptr[i - 1] == '@') {
				at = (ptrdiff_t)i - 1;
				break;
			}
		if (at > 0) {
			p.name = ld_slice_make(k.ptr, (size_t)at);
			p.version = ld_slice_sub(k, (size_t)at + 1, k.len);
		}
	} else {
		/* v5: "name/1.2.3_peer@1.0.0" or "@scope/name/1.2.3" */
		for (size_t i = key.len; i > 0; i--)
			if (key.ptr[i - 1] == '/') {
				ld_slice ver = ld_slice_sub(key, i, key.len);
				ptrdiff_t us = ld_slice_find(ver, '_');
				p.name = ld_slice_make(key.ptr, i - 1);
				p.version = us >= 0 ? ld_slice_make(ver.ptr, (size_t)us) : ver;
				break;
			}
	}
	if (ld_json_get_str(v, "name"))
		p.name = ld_json_slice(ld_json_get(v, "name"));
	if (ld_json_get_str(v, "version"))
		p.version = ld_json_slice(ld_json_get(v, "version"));
	if (!registry_version(p.version) && !ld_json_get_str(v, "version"))
		return 0; /* tarball, git or directory dependencies keyed by URL or path */
	if (yaml_true(ld_json_get(v, "dev")))
		p.flags |= LD_LANG_DEV;
	return emit(lc, &p);
}

/* v9 lockfiles dropped the "dev" flag: what the importers' dependencies and
 * optionalDependencies reach through "snapshots" is shipped; the rest came only from
 * devDependencies. Fills `shipped` with the reached "packages" keys (peer suffixes cut). */
typedef struct pnpm_walk {
	ld_arena *a;
	ld_map seen;  /* snapshot key -> itself */
	ld_map snaps; /* snapshot key -> its node (ld_json_get is a linear search) */
	ld_vec todo;  /* char * snapshot keys */
	ld_map *shipped;
	lock_ctx *lc;
} pnpm_walk;

static int pnpm_reach(pnpm_walk *w, const char *name, const ld_json *ver)
{
	const char *v = ld_json_str(ver);
	char *key, **slot;
	ld_slice pk;
	ptrdiff_t paren;
	if (!v && ld_json_is(ver, LD_JSON_OBJECT))
		v = ld_json_get_str(ver, "version"); /* importers: {specifier, version} */
	if (!v || ld_slice_starts_with(ld_slice_cstr(v), "link:"))
		return 0;
	/* "4.2.3(peer@1)" -> "name@4.2.3(peer@1)"; an alias is already "real@4.2.3" */
	key = name_end(ld_slice_cstr(v)) > 0 ? ld_arena_strdup(w->a, v)
					     : ld_arena_printf(w->a, "%s@%s", name, v);
	if (!key)
		return LADING_ENOMEM;
	if (ld_map_gets(&w->seen, key))
		return 0;
	if (w->seen.len >= NODE_LOCK_MAX_ENTRIES)
		return ld_error_set(w->lc->ctx, LADING_ELIMIT, "%s: more than %d snapshots",
				    w->lc->what, NODE_LOCK_MAX_ENTRIES);
	if (ld_map_put(&w->seen, ld_slice_cstr(key), key, NULL) || !(slot = ld_vec_push(&w->todo)))
		return LADING_ENOMEM;
	*slot = key;
	pk = ld_slice_cstr(key);
	if ((paren = ld_slice_find(pk, '(')) >= 0)
		pk.len = (size_t)paren;
	return ld_map_put(w->shipped, pk, key, NULL);
}

static int pnpm_deps(pnpm_walk *w, const ld_json *node)
{
	static const char *const kinds[] = {"dependencies", "optionalDependencies"};
	const ld_json_member *m;
	int rc;
	for (size_t k = 0; k < 2; k++)
		ld_json_foreach_member (ld_json_get(node, kinds[k]), i, m)
			if ((rc = pnpm_reach(w, m->key, &m->value)))
				return rc;
	return 0;
}

static int pnpm_shipped(const ld_json *root, ld_arena *a, ld_map *shipped, lock_ctx *lc)
{
	const ld_json *importers = ld_json_get(root, "importers"),
		      *snaps = ld_json_get(root, "snapshots");
	const ld_json_member *m;
	pnpm_walk w;
	int rc = 0;
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.shipped = shipped;
	w.lc = lc;
	ld_map_init(&w.seen);
	ld_map_init(&w.snaps);
	ld_vec_init(&w.todo, sizeof(char *), 0);
	ld_json_foreach_member (snaps, i, m)
		if ((rc = ld_map_put(&w.snaps, ld_slice_make(m->key, m->klen), (void *)&m->value,
				     NULL)))
			goto out;
	ld_json_foreach_member (importers, i, m)
		if ((rc = pnpm_deps(&w, &m->value)))
			goto out;
	while (w.todo.len) {
		char *key = *(char **)ld_vec_at(&w.todo, --w.todo.len);
		if ((rc = pnpm_deps(&w, ld_map_gets(&w.snaps, key))))
			goto out;
	}
out:
	ld_vec_release(&w.todo);
	ld_map_release(&w.snaps);
	ld_map_release(&w.seen);
	return rc == LADING_ENOMEM ? ld_error_set(lc->ctx, rc, "out of memory") : rc;
}

int ld_pnpm_lock_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		       const char *what)
{
	ld_arena a;
	ld_json *root;
	ld_yaml_limits lim;
	lock_ctx lc = {fn, opaque, ctx, what, 0};
	const ld_json *ver, *pkgs;
	const ld_json_member *m;
	ld_map shipped;
	bool have_shipped = false;
	int rc, major = 0;

	memset(&lim, 0, sizeof(lim));
	lim.max_input = NODE_MAX_LOCK;
	lim.flags = LD_YAML_PLAIN_STRINGS; /* versions such as 1.10 stay text */
	ld_arena_init(&a, 0);
	ld_map_init(&shipped);
	if ((rc = ld_yaml_parse(&root, &a, text.ptr, text.len, &lim, ctx, what)))
		goto out;
	if (!ld_json_is(root, LD_JSON_OBJECT)) {
		rc = ld_error_set(ctx, LADING_EINVALID, "%s: not a YAML mapping", what);
		goto out;
	}
	ver = ld_json_get(root, "lockfileVersion");
	if (ld_json_is(ver, LD_JSON_STRING) || ld_json_is(ver, LD_JSON_NUMBER)) {
		uint64_t mv = 0;
		ld_slice vs = ld_slice_make(ver->u.s, ver->n), head;
		ld_slice_cut(&vs, '.', &head);
		if (ld_slice_to_u64(head, 1000, &mv))
			major = (int)mv;
	}
	if (major >= 9 && ld_json_is(ld_json_get(root, "snapshots"), LD_JSON_OBJECT)) {
		if ((rc = pnpm_shipped(root, &a, &shipped, &lc)))
			goto out;
		have_shipped = true;
	}
	pkgs = ld_json_get(root, "packages");
	ld_json_foreach_member (pkgs, i, m) {
		rc = pnpm_entry(&lc, ld_slice_make(m->key, m->klen), &m->value, major,
				have_shipped ? &shipped : NULL);
		if (rc)
			goto out;
	}
out:
	ld_map_release(&shipped);
	ld_arena_release(&a);
	return rc;
}

/* ---- catalogers ---- */

/* Two catalogers so that each kind of file gets its own capture cap: installed package.json
 * files ("npm"), then lockfiles ("node-lock"), which run after and skip what is installed. */
static const char *const npm_wants[] = {
    "**/node_modules/**/package.json",
    "usr/share/nodejs/**/package.json",
    "usr/lib/nodejs/**/package.json",
    "usr/lib/*/nodejs/**/package.json",
    NULL,
};
static const char *const lock_wants[] = {
    "**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml", NULL,
};

typedef struct node_run {
	ld_catalog *cat;
	lading_ctx *ctx;
	ld_arena keys; /* project roots with an installed node_modules tree */
	ld_map installed;
	const ld_lang_file *lock;
	ld_slice lock_root;
	const char *found_by;
} node_run;

static int add_npm(node_run *r, ld_slice name, ld_slice version, ld_slice license,
		   const char *found_by, const ld_lang_file *f)
{
	ld_slice ns = LD_SLICE_NULL, base = name;
	if (name.len && name.ptr[0] == '@') {
		ld_slice rest = name;
		ld_slice_cut(&rest, '/', &ns);
		base = rest;
	}
	if (!ld_lang_add(r->cat, "npm", found_by, name, ns, base, version, license, f->path,
			 f->layer))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

static bool in_node_modules(ld_slice path)
{
	return ld_slice_starts_with(path, "node_modules/") ||
	       ld_slice_find_str(path, LD_SLICE_LIT("/node_modules/")) >= 0;
}

/* A copy of a package shipped inside another one: node_modules/PKG/.../vendor/NAME/package.json
 * (or vendor/@SCOPE/NAME). *name gets NAME (@SCOPE/NAME): the manifest must say the same. */
static bool vendored_path(ld_slice path, ld_slice *name)
{
	ld_slice dir = ld_path_dir(path), parent = ld_path_dir(dir), base = ld_path_base(dir);
	if (!in_node_modules(path) || !base.len || base.ptr[0] == '.' || base.ptr[0] == '@')
		return false;
	*name = base;
	if (ld_path_base(parent).len > 1 && ld_path_base(parent).ptr[0] == '@') {
		*name = ld_slice_make(ld_path_base(parent).ptr,
				      (size_t)(base.ptr + base.len - ld_path_base(parent).ptr));
		parent = ld_path_dir(parent);
	}
	return ld_slice_eq_cstr(ld_path_base(parent), "vendor");
}

static int on_pkgjson(void *opaque, const ld_lang_file *f)
{
	node_run *r = opaque;
	ld_slice path = ld_slice_cstr(f->path), vendored = LD_SLICE_NULL;
	ld_arena scratch;
	ld_lang_pkg p;
	char what[LD_PATH_MAX + 2];
	int rc;

	if (!ld_npm_is_install_path(path) && !vendored_path(path, &vendored))
		return 0; /* a file inside a package (fixtures, sub-entry points), not a package */
	ld_snprintf(what, sizeof(what), "/%s", f->path);
	ld_arena_init(&scratch, 0);
	rc = ld_npm_pkgjson_parse(f->data, &scratch, &p, r->ctx, what);
	if (rc && rc != LADING_ENOMEM) {
		ld_warn(r->ctx, "%s", r->ctx->err.msg);
		ld_error_clear(r->ctx);
		rc = 0;
	} else if (!rc && vendored.len) {
		if (ld_slice_eq(p.name,
				vendored)) /* else some other manifest that sits in a vendor dir */
			rc = add_npm(r, p.name, p.version, p.license, "npm", f);
	} else if (!rc && !p.name.len) {
		ld_warn(r->ctx, "%s: no name or version: skipped", what);
	} else if (!rc) {
		rc = add_npm(r, p.name, p.version, p.license, "npm", f);
	}
	ld_arena_release(&scratch);
	return rc;
}

static int npm_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	node_run r;
	memset(&r, 0, sizeof(r));
	r.cat = c;
	r.ctx = ctx;
	return ld_lang_files(c, npm_wants, ctx, on_pkgjson, &r);
}

/* The project a node_modules path belongs to: what precedes its first node_modules. */
static ld_slice project_root(ld_slice path)
{
	ptrdiff_t p;
	if (ld_slice_starts_with(path, "node_modules/"))
		return ld_slice_make(path.ptr, 0);
	p = ld_slice_find_str(path, LD_SLICE_LIT("/node_modules/"));
	return p < 0 ? ld_path_dir(path) : ld_slice_make(path.ptr, (size_t)p);
}

static int on_lock_pkg(void *opaque, const ld_lang_pkg *p)
{
	node_run *r = opaque;
	if (p->flags & LD_LANG_DEV)
		return 0;
	return add_npm(r, p->name, p->version, p->license, r->found_by, r->lock);
}

static int on_lock(void *opaque, const ld_lang_file *f)
{
	node_run *r = opaque;
	ld_slice path = ld_slice_cstr(f->path), base = ld_path_base(path);
	ld_lang_parse_fn parse;

	if (in_node_modules(path))
		return 0;
	r->lock_root = ld_path_dir(path);
	if (ld_map_get(&r->installed, r->lock_root))
		return 0; /* its node_modules is what the image holds (platform optionals, dev
			     omitted) */
	r->lock = f;
	if (ld_slice_eq_cstr(base, "yarn.lock")) {
		r->found_by = "yarn-lock";
		parse = ld_yarn_lock_parse;
	} else if (ld_slice_eq_cstr(base, "pnpm-lock.yaml")) {
		r->found_by = "pnpm-lock";
		parse = ld_pnpm_lock_parse;
	} else {
		r->found_by = "npm-lock";
		parse = ld_npm_lock_parse;
	}
	return ld_lang_parse_file(f, parse, on_lock_pkg, r, r->ctx);
}

static int lock_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	node_run r;
	int rc = 0;
	memset(&r, 0, sizeof(r));
	r.cat = c;
	r.ctx = ctx;
	ld_arena_init(&r.keys, 0);
	ld_map_init(&r.installed);
	/* the projects whose node_modules the npm cataloger found packages in */
	for (size_t i = 0; i < c->pkgs.len && !rc; i++) {
		const lading_package *p = ld_vec_at(&c->pkgs, i);
		ld_slice loc;
		char *k;
		if (strcmp(p->type, "npm") || strcmp(p->found_by, "npm"))
			continue;
		loc = ld_slice_cstr(p->location);
		if (loc.len && loc.ptr[0] == '/')
			loc = ld_slice_sub(loc, 1, loc.len);
		if (!in_node_modules(loc))
			continue; /* system module directories belong to no project */
		loc = project_root(loc);
		if (ld_map_get(&r.installed, loc))
			continue;
		if (!(k = ld_arena_slice(&r.keys, loc)) ||
		    ld_map_put(&r.installed, ld_slice_cstr(k), k, NULL))
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = ld_lang_files(c, lock_wants, ctx, on_lock, &r);
	ld_map_release(&r.installed);
	ld_arena_release(&r.keys);
	return rc;
}

const ld_cataloger ld_cataloger_npm = {"npm", "1", npm_wants, NODE_MAX_PKGJSON, npm_run_cat, NULL};
const ld_cataloger ld_cataloger_node_lock = {"node-lock",   "1",	  lock_wants,
					     NODE_MAX_LOCK, lock_run_cat, NULL};

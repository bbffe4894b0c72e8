/* .NET: the dependency manifests the SDK writes next to an application (*.deps.json); their
 * "libraries" entries of type "package" are NuGet packages ("Name/Version"). */
#include "util/common.h"
#include "util/json.h"
#include "catalog/lang.h"

/* Named limits. */
#define DEPS_MAX_FILE ((size_t)64 << 20) /* one deps.json */
#define DEPS_JSON_DEPTH 64
#define DEPS_MAX_LIBRARIES 1000000

static const char *const deps_wants[] = {"**/*.deps.json", NULL};

int ld_deps_json_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx,
		       const char *what)
{
	ld_arena a;
	ld_json *root;
	const ld_json *libs;
	const ld_json_member *m;
	ld_json_limits lim = {DEPS_JSON_DEPTH, 0};
	int rc;

	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&root, &a, text.ptr, text.len, &lim, ctx, what)))
		goto out;
	libs = ld_json_get(root, "libraries");
	if (!ld_json_is(libs, LD_JSON_OBJECT)) {
		if (!ld_json_is(root, LD_JSON_OBJECT))
			rc = ld_error_set(ctx, LADING_EINVALID, "%s: not a JSON object", what);
		goto out; /* no libraries: nothing to report */
	}
	if (libs->n > DEPS_MAX_LIBRARIES) {
		rc = ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d libraries", what,
				  DEPS_MAX_LIBRARIES);
		goto out;
	}
	ld_json_foreach_member (libs, i, m) {
		ld_slice key = ld_slice_make(m->key, m->klen), name;
		ld_lang_pkg p;
		const char *type = ld_json_get_str(&m->value, "type");
		if (!type || strcmp(type, "package"))
			continue; /* "project" and "reference": the application's own assemblies */
		memset(&p, 0, sizeof(p));
		if (!ld_slice_cut(&key, '/', &name) || !name.len || !key.len) {
			ld_warn(ctx, "%s: library \"%.*s\" is not Name/Version: skipped", what,
				(int)(m->klen > 200 ? 200 : m->klen), m->key);
			continue;
		}
		p.name = name;
		p.version = key;
		if ((rc = fn(opaque, &p)))
			goto out;
	}
out:
	ld_arena_release(&a);
	return rc;
}

static const ld_lang_lockfile deps_lock = {"nuget", "dotnet", ld_deps_json_parse, false, false};

static int deps_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	return ld_lang_lockfile_run(c, ctx, deps_wants, &deps_lock);
}

const ld_cataloger ld_cataloger_dotnet = {"dotnet",	 "1",	       deps_wants,
					  DEPS_MAX_FILE, deps_run_cat, NULL};

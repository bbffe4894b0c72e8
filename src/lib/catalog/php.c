/* PHP packages installed by Composer: vendor/composer/installed.json, an array of packages
 * (Composer 1) or {"packages": [...]} (Composer 2). */
#include "util/common.h"
#include "util/json.h"
#include "catalog/lang.h"

/* Named limits. */
#define COMPOSER_MAX_FILE ((size_t)64 << 20) /* one installed.json */
#define COMPOSER_JSON_DEPTH 64
#define COMPOSER_MAX_PACKAGES 1000000

static const char *const composer_wants[] = {"**/vendor/composer/installed.json", NULL};

int ld_composer_parse(ld_slice text, ld_lang_fn fn, void *opaque, lading_ctx *ctx, const char *what)
{
	ld_arena a;
	ld_json *root;
	const ld_json *pkgs, *it;
	ld_json_limits lim = {COMPOSER_JSON_DEPTH, 0};
	int rc;

	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&root, &a, text.ptr, text.len, &lim, ctx, what)))
		goto out;
	pkgs = ld_json_is(root, LD_JSON_ARRAY) ? root : ld_json_get(root, "packages");
	if (!ld_json_is(pkgs, LD_JSON_ARRAY)) {
		rc = ld_error_set(ctx, LADING_EINVALID,
				  "%s: neither a package array nor {\"packages\": [...]}", what);
		goto out;
	}
	if (pkgs->n > COMPOSER_MAX_PACKAGES) {
		rc = ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d packages", what,
				  COMPOSER_MAX_PACKAGES);
		goto out;
	}
	ld_json_foreach_item (pkgs, i, it) {
		ld_lang_pkg p;
		const ld_json *lic = ld_json_get(it, "license");
		memset(&p, 0, sizeof(p));
		p.name = ld_json_slice(ld_json_get(it, "name"));
		p.version = ld_json_slice(ld_json_get(it, "version"));
		if (ld_json_is(lic, LD_JSON_ARRAY))
			lic = ld_json_at(lic, 0);
		p.license = ld_json_slice(lic);
		if (!p.name.len || !p.version.len || ld_slice_find(p.name, '/') <= 0) {
			ld_warn(ctx, "%s: package %zu has no vendor/name or version: skipped", what,
				i);
			continue;
		}
		if ((rc = fn(opaque, &p)))
			goto out;
	}
out:
	ld_arena_release(&a);
	return rc;
}

static const ld_lang_lockfile composer_lock = {"composer", "php", ld_composer_parse, true, true};

static int composer_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	return ld_lang_lockfile_run(c, ctx, composer_wants, &composer_lock);
}

const ld_cataloger ld_cataloger_php = {
    "php", "1", composer_wants, COMPOSER_MAX_FILE, composer_run_cat, NULL};

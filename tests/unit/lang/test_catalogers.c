/* The language catalogers end to end: a root filesystem written here (node_modules trees with
 * nested and scoped packages and non-package manifests, lockfiles next to and inside
 * node_modules, Python dist-info/egg-info/eggs, a jar, gemspecs, Composer, Cargo and .NET files)
 * read as a dir: image through the public API. */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lading/lading.h"

static char root[4096];

static void put(const char *rel, const void *data, size_t n)
{
	char path[8192], *p;
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void puts_(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void put_zip(const char *rel, const char *member, const char *content)
{
	static unsigned char buf[1 << 16];
	size_t used = 0;
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, sizeof(buf), &used);
	archive_entry_set_pathname(e, member);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(content));
	archive_write_header(a, e);
	archive_write_data(a, content, strlen(content));
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	put(rel, buf, used);
}

static const char lock_v3[] = "{\"name\": \"app\", \"lockfileVersion\": 3, \"packages\": {"
			      "\"\": {\"name\": \"app\", \"version\": \"1.0.0\"},"
			      "\"node_modules/a\": {\"version\": \"1.0.0\"},"
			      "\"node_modules/@s/b\": {\"version\": \"9.9.9\"},"
			      "\"node_modules/d\": {\"version\": \"4.0.0\", \"license\": \"MIT\"},"
			      "\"node_modules/e\": {\"version\": \"5.0.0\", \"dev\": true}}}";

static int setup(void **state)
{
	const char *work = getenv("LADING_WORK");
	char *huge;
	(void)state;
	snprintf(root, sizeof(root), "%s/lang-catalogers-XXXXXX", work ? work : "/tmp");
	if (work)
		mkdir(work, 0755);
	assert_non_null(mkdtemp(root));
	/* node */
	puts_("app/node_modules/a/package.json",
	      "{\"name\": \"a\", \"version\": \"1.0.0\", \"license\": \"MIT\"}");
	puts_("app/node_modules/a/node_modules/c/package.json",
	      "{\"name\": \"c\", \"version\": \"3.0.0\"}");
	puts_("app/node_modules/a/test/fixture/package.json",
	      "{\"name\": \"fixture\", \"version\": \"0.0.0\"}");
	puts_("app/node_modules/a/lib/package.json", "{\"type\": \"module\"}");
	puts_("app/node_modules/@s/b/package.json", "{\"name\": \"@s/b\", \"version\": \"2.0.0\"}");
	puts_("app/node_modules/broken/package.json", "{\"name\": \"broken\", ");
	puts_("app/node_modules/a/yarn.lock",
	      "zzz@1:\n  version \"1.0.0\"\n"); /* a dependency's own: ignored */
	/* installed project: its lockfile adds nothing; a project with no node_modules: its
	 * lockfile's packages except development ones */
	puts_("app/package-lock.json", lock_v3);
	puts_("srv/bundled/package-lock.json", lock_v3);
	/* a package vendored inside another one; a vendor dir holding something else */
	puts_("app/node_modules/a/vendor/vscode-jsonrpc/package.json",
	      "{\"name\": \"vscode-jsonrpc\", \"version\": \"9.0.0\"}");
	puts_("app/node_modules/a/vendor/@v/x/package.json",
	      "{\"name\": \"@v/x\", \"version\": \"1.1.0\"}");
	puts_("app/node_modules/a/vendor/build/package.json",
	      "{\"name\": \"a-build\", \"version\": \"1.0.0\"}");
	/* Debian's system module directory */
	puts_("usr/share/nodejs/semver/package.json",
	      "{\"name\": \"semver\", \"version\": \"7.3.5\"}");
	puts_("usr/share/nodejs/@types/node/package.json",
	      "{\"name\": \"@types/node\", \"version\": \"18.0.0\"}");
	puts_("usr/share/nodejs/semver/ranges/package.json",
	      "{\"name\": \"not-a-package\", \"version\": \"1\"}");
	puts_("app/package.json",
	      "{\"name\": \"app\", \"version\": \"1.0.0\"}"); /* the project, not installed */
	/* python */
	puts_("usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA",
	      "Name: PyYAML\nVersion: 6.0\n");
	puts_("usr/lib/python3/dist-packages/old-1.0.egg-info", "Name: old\nVersion: 1.0\n");
	puts_("usr/lib/python3/dist-packages/dir.egg-info/PKG-INFO",
	      "Name: Dir_Dist\nVersion: 2.0\n");
	puts_("usr/lib/python3/site-packages/unzipped-1.0-py3.egg/EGG-INFO/PKG-INFO",
	      "Name: unzipped\nVersion: 1.0\n");
	put_zip("usr/lib/python3/site-packages/zipped-3.0-py3.egg", "EGG-INFO/PKG-INFO",
		"Name: zipped\nVersion: 3.0\n");
	puts_("usr/lib/python3/dist-packages/nover.dist-info/METADATA", "Name: nover\n");
	/* a METADATA beyond the 8 MiB capture cap */
	huge = malloc((8 << 20) + 100);
	memset(huge, 'x', (8 << 20) + 100);
	memcpy(huge, "Name: huge\nVersion: 1\n\n", 23);
	put("usr/lib/python3/dist-packages/huge-1.dist-info/METADATA", huge, (8 << 20) + 100);
	free(huge);
	/* java */
	put_zip("opt/app/lib/log4j-core-2.14.1.jar",
		"META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
		"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n");
	/* ruby, php, rust, .NET */
	puts_("usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.3.gemspec",
	      "Gem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = "
	      "\"2.2.3\"\nend\n");
	puts_("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
	      "# stub: json 2.6.1 ruby lib\n");
	puts_("srv/www/vendor/composer/installed.json",
	      "{\"packages\": [{\"name\": \"monolog/monolog\", \"version\": \"1.0.0\"}]}");
	puts_("src/tool/Cargo.lock",
	      "version = 3\n[[package]]\nname = \"libc\"\nversion = \"0.2.1\"\n");
	puts_("app/web/Web.deps.json",
	      "{\"libraries\": {\"Newtonsoft.Json/13.0.1\": {\"type\": \"package\"}}}");
	return 0;
}

static int teardown(void **state)
{
	char cmd[8300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const lading_package *find(lading_sbom *s, const char *type, const char *name,
				  const char *location)
{
	for (size_t i = 0; i < lading_sbom_package_count(s); i++) {
		const lading_package *p = lading_sbom_package(s, i);
		if (!strcmp(p->type, type) && !strcmp(p->name, name) &&
		    (!location || !strcmp(p->location, location)))
			return p;
	}
	return NULL;
}

static void expect(lading_sbom *s, const char *type, const char *name, const char *version,
		   const char *purl, const char *found_by, const char *location)
{
	const lading_package *p = find(s, type, name, location);
	if (!p)
		fail_msg("%s %s at %s not found", type, name, location);
	assert_string_equal(p->version, version);
	assert_string_equal(p->purl, purl);
	assert_string_equal(p->found_by, found_by);
	assert_int_equal(p->layer, 0);
}

static void test_image(void **state)
{
	char ref[4200];
	lading_ctx *ctx;
	lading_image *img;
	lading_sbom *s;
	size_t npm = 0;
	(void)state;
	snprintf(ref, sizeof(ref), "dir:%s", root);
	assert_int_equal(lading_ctx_new(&ctx), 0);
	if (lading_image_open(&img, ctx, ref, NULL) || lading_sbom_build(&s, ctx, img, NULL))
		fail_msg("%s", lading_ctx_error(ctx)->msg);

	expect(s, "npm", "a", "1.0.0", "pkg:npm/a@1.0.0", "npm",
	       "/app/node_modules/a/package.json");
	expect(s, "npm", "c", "3.0.0", "pkg:npm/c@3.0.0", "npm",
	       "/app/node_modules/a/node_modules/c/package.json");
	expect(s, "npm", "@s/b", "2.0.0", "pkg:npm/%40s/b@2.0.0", "npm",
	       "/app/node_modules/@s/b/package.json");
	expect(s, "npm", "a", "1.0.0", "pkg:npm/a@1.0.0", "npm-lock",
	       "/srv/bundled/package-lock.json");
	expect(s, "npm", "@s/b", "9.9.9", "pkg:npm/%40s/b@9.9.9", "npm-lock",
	       "/srv/bundled/package-lock.json");
	expect(s, "npm", "d", "4.0.0", "pkg:npm/d@4.0.0", "npm-lock",
	       "/srv/bundled/package-lock.json");
	expect(s, "npm", "semver", "7.3.5", "pkg:npm/semver@7.3.5", "npm",
	       "/usr/share/nodejs/semver/package.json");
	expect(s, "npm", "@types/node", "18.0.0", "pkg:npm/%40types/node@18.0.0", "npm",
	       "/usr/share/nodejs/@types/node/package.json");
	assert_string_equal(find(s, "npm", "a", "/app/node_modules/a/package.json")->license,
			    "MIT");
	assert_null(find(s, "npm", "d", "/app/package-lock.json"));
	expect(s, "npm", "vscode-jsonrpc", "9.0.0", "pkg:npm/vscode-jsonrpc@9.0.0", "npm",
	       "/app/node_modules/a/vendor/vscode-jsonrpc/package.json");
	expect(s, "npm", "@v/x", "1.1.0", "pkg:npm/%40v/x@1.1.0", "npm",
	       "/app/node_modules/a/vendor/@v/x/package.json");
	assert_null(find(s, "npm", "a-build", NULL));
	/* the project's own package.json is not an installed package: it is the image's
	 * application (catalog/app.c), flagged as such */
	expect(s, "npm", "app", "1.0.0", "pkg:npm/app@1.0.0", "application", "/app/package.json");
	assert_true(find(s, "npm", "app", "/app/package.json")->flags & LADING_PKG_APPLICATION);
	for (size_t i = 0; i < lading_sbom_package_count(s); i++) {
		npm += !strcmp(lading_sbom_package(s, i)->type, "npm");
		if (strcmp(lading_sbom_package(s, i)->location, "/app/package.json"))
			assert_false(lading_sbom_package(s, i)->flags & LADING_PKG_APPLICATION);
	}
	/* not: /app's lockfile, e (dev), fixture, zzz, broken, not-a-package, a-build */
	assert_int_equal(npm, 11);

	expect(s, "pypi", "PyYAML", "6.0", "pkg:pypi/pyyaml@6.0", "python",
	       "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA");
	expect(s, "pypi", "old", "1.0", "pkg:pypi/old@1.0", "python",
	       "/usr/lib/python3/dist-packages/old-1.0.egg-info");
	expect(s, "pypi", "Dir_Dist", "2.0", "pkg:pypi/dir-dist@2.0", "python",
	       "/usr/lib/python3/dist-packages/dir.egg-info/PKG-INFO");
	expect(s, "pypi", "unzipped", "1.0", "pkg:pypi/unzipped@1.0", "python",
	       "/usr/lib/python3/site-packages/unzipped-1.0-py3.egg/EGG-INFO/PKG-INFO");
	expect(s, "pypi", "zipped", "3.0", "pkg:pypi/zipped@3.0", "python",
	       "/usr/lib/python3/site-packages/zipped-3.0-py3.egg");
	assert_null(find(s, "pypi", "nover", NULL));
	assert_null(find(s, "pypi", "huge", NULL));

	expect(s, "maven", "org.apache.logging.log4j:log4j-core", "2.14.1",
	       "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "java",
	       "/opt/app/lib/log4j-core-2.14.1.jar");
	expect(s, "gem", "rack", "2.2.3", "pkg:gem/rack@2.2.3", "ruby",
	       "/usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.3.gemspec");
	expect(s, "gem", "json", "2.6.1", "pkg:gem/json@2.6.1", "ruby",
	       "/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec");
	expect(s, "composer", "monolog/monolog", "1.0.0", "pkg:composer/monolog/monolog@1.0.0",
	       "php", "/srv/www/vendor/composer/installed.json");
	expect(s, "cargo", "libc", "0.2.1", "pkg:cargo/libc@0.2.1", "rust-cargo-lock",
	       "/src/tool/Cargo.lock");
	expect(s, "nuget", "Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1",
	       "dotnet", "/app/web/Web.deps.json");
	/* npm 11 (the application included), pypi 5, maven 1, gem 2, composer 1, cargo 1, nuget 1 */
	assert_int_equal(lading_sbom_package_count(s), 22);

	/* warnings: broken package.json, METADATA without Version, the METADATA over the cap */
	{
		size_t n = lading_ctx_warning_kept(ctx);
		bool broken = false, nover = false, huge = false;
		for (size_t i = 0; i < n; i++) {
			const char *w = lading_ctx_warning(ctx, i);
			broken |= strstr(w, "/app/node_modules/broken/package.json") != NULL;
			nover |= strstr(w, "nover.dist-info/METADATA") != NULL;
			huge |= strstr(w, "huge-1.dist-info/METADATA") != NULL;
		}
		assert_true(broken && nover && huge);
	}
	lading_sbom_free(s);
	lading_image_free(img);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_image),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

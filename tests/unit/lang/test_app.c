/* The image's own application (catalog/app.c): the project readers, and end to end a root
 * filesystem written here with application manifests where applications live and look-alikes
 * where they do not (dependency trees, tests, hidden and library directories, a distribution's
 * own files), read as a dir: image through the public API. */
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include "langtest.h"
#include "lading/lading.h"

static void test_project_parse(void **state)
{
	static const struct {
		const char *text;
		bool toml;
		const char *name, *version;
	} cases[] = {
		{"[project]\nname = \"Acme_API\"\nversion = \"0.9.0\"\n", true, "Acme_API", "0.9.0"},
		{"[build-system]\nname = \"x\"\nversion = \"1\"\n[project]\nname = 'p'\nversion = '2.0'\n", true, "p", "2.0"},
		{"[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n", true, NULL, NULL},
		{"[project]\nname = \"a\"\n[tool.poetry]\nname = \"b\"\nversion = \"3.1\"\n", true, "b", "3.1"},
		{"[project.urls]\nname = \"a\"\nversion = \"1\"\n", true, NULL, NULL},
		{"[project]\nname = \"a b\"\nversion = \"1\"\n", true, NULL, NULL},
		{"[project]\nname = \"a\nversion = \"1\"\n", true, NULL, NULL},
		{"[metadata]\nname = acme-tool\nversion = 1.2.3\n", false, "acme-tool", "1.2.3"},
		{"[metadata]\nname = x\nversion = attr: x.__version__\n", false, NULL, NULL},
		{"[metadata]\n; comment\nname=x\nversion=file: VERSION\n", false, NULL, NULL},
		{"[options]\nname = x\nversion = 1\n", false, NULL, NULL},
		{"", false, NULL, NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ld_lang_pkg p;
		bool ok = ld_app_project_parse(ld_slice_cstr(cases[i].text), cases[i].toml, &p);
		if (ok != (cases[i].name != NULL))
			fail_msg("case %zu: parse gave %d", i, ok);
		if (ok && (!ld_slice_eq_cstr(p.name, cases[i].name) || !ld_slice_eq_cstr(p.version, cases[i].version)))
			fail_msg("case %zu: got %.*s %.*s", i, (int)p.name.len, p.name.ptr, (int)p.version.len,
				 p.version.ptr);
	}
}

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

/* A jar holding pom.properties for each "group:artifact:version" given. */
static void put_jar(const char *rel, const char *const *gav, size_t n)
{
	static unsigned char buf[1 << 16];
	size_t used = 0;
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, sizeof(buf), &used);
	for (size_t i = 0; i < n; i++) {
		char g[128], art[128], v[128], member[512], content[512];
		struct archive_entry *e = archive_entry_new();
		assert_int_equal(sscanf(gav[i], "%127[^:]:%127[^:]:%127s", g, art, v), 3);
		snprintf(member, sizeof(member), "META-INF/maven/%s/%s/pom.properties", g, art);
		snprintf(content, sizeof(content), "groupId=%s\nartifactId=%s\nversion=%s\n", g, art, v);
		archive_entry_set_pathname(e, member);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(content));
		archive_write_header(a, e);
		archive_write_data(a, content, strlen(content));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	put(rel, buf, used);
}

static void test_image(void **state)
{
	static const char *const shaded[] = {"com.google.guava:guava:31.1-jre", "com.acme:service:3.1.0"};
	static const char *const dep[] = {"org.x:dep:1.0"};
	static const char *const two[] = {"org.a:one:1.0", "org.b:other:2.0"};
	const char *work = getenv("LADING_WORK");
	char ref[8192];
	lading_ctx *ctx;
	lading_image *img;
	lading_sbom *sbom;
	collected got = {0};
	(void)state;
	snprintf(root, sizeof(root), "%s/app-catalog-XXXXXX", work ? work : "/tmp");
	if (work)
		mkdir(work, 0755);
	assert_non_null(mkdtemp(root));
	puts_("etc/os-release", "ID=debian\nVERSION_ID=12\n");
	/* applications */
	puts_("app/package.json", "{\"name\": \"@acme/shop-web\", \"version\": \"2.4.1\", \"private\": true}");
	puts_("srv/api/pyproject.toml", "[project]\nname = \"Acme_API\"\nversion = \"0.9.0\"\n");
	puts_("opt/tool/setup.cfg", "[metadata]\nname = acme-tool\nversion = 1.2.3\n");
	puts_("package.json", "{\"name\": \"rootapp\", \"version\": \"0.0.1\"}");
	put_jar("app/service.jar", shaded, 2);
	/* not applications */
	puts_("app/node_modules/left-pad/package.json", "{\"name\": \"left-pad\", \"version\": \"1.3.0\"}");
	puts_("app/test/fixture/package.json", "{\"name\": \"fixture\", \"version\": \"0.0.1\"}");
	puts_("home/u/.cache/x/package.json", "{\"name\": \"cachey\", \"version\": \"0.0.1\"}");
	puts_("usr/lib/python3/dist-packages/foo/static/package.json", "{\"name\": \"foo-static\", \"version\": \"9\"}");
	puts_("usr/share/doc/x/setup.cfg", "[metadata]\nname = doc\nversion = 1\n");
	puts_("opt/noversion/package.json", "{\"name\": \"noversion\"}");
	puts_("opt/broken/package.json", "{\"name\": ");
	put_jar("app/lib/dep.jar", dep, 1);
	put_jar("opt/x/two.jar", two, 2);

	assert_int_equal(lading_ctx_new(&ctx), 0);
	snprintf(ref, sizeof(ref), "dir:%s", root);
	assert_int_equal(lading_image_open(&img, ctx, ref, NULL), 0);
	assert_int_equal(lading_sbom_build(&sbom, ctx, img, NULL), 0);
	for (size_t i = 0; i < lading_sbom_package_count(sbom); i++) {
		const lading_package *p = lading_sbom_package(sbom, i);
		char line[1024];
		if (!(p->flags & LADING_PKG_APPLICATION))
			continue;
		snprintf(line, sizeof(line), "%s %s %s %s %s%s", p->type, p->name, p->version, p->location, p->purl,
			 p->flags & LADING_PKG_LOCAL ? " local" : "");
		got.lines[got.n++] = strdup(line);
	}
	assert_int_equal(got.n, 5);
	assert_string_equal(got.lines[0], "maven com.acme:service 3.1.0 /app/service.jar pkg:maven/com.acme/service@3.1.0");
	assert_string_equal(got.lines[1],
			    "npm @acme/shop-web 2.4.1 /app/package.json pkg:npm/%40acme/shop-web@2.4.1 local");
	assert_string_equal(got.lines[2], "npm rootapp 0.0.1 /package.json pkg:npm/rootapp@0.0.1");
	assert_string_equal(got.lines[3], "pypi Acme_API 0.9.0 /srv/api/pyproject.toml pkg:pypi/acme-api@0.9.0");
	assert_string_equal(got.lines[4], "pypi acme-tool 1.2.3 /opt/tool/setup.cfg pkg:pypi/acme-tool@1.2.3");
	for (size_t i = 0; i < got.n; i++)
		free(got.lines[i]);
	lading_sbom_free(sbom);
	lading_image_free(img);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_parse),
		cmocka_unit_test(test_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

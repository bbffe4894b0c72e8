/* Catalogers end to end on the real package databases of ../shared/fixtures, each read as a
 * dir: image through the public API and compared with its EXPECTED-packages.tsv. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lading/lading.h"

static const char *shared(void)
{
	const char *s = getenv("LADING_SHARED");
	return s ? s : "../shared";
}

static lading_sbom *sbom_of(const char *dir, lading_image **img, lading_ctx **ctx)
{
	char ref[4096];
	lading_sbom *s = NULL;
	snprintf(ref, sizeof(ref), "dir:%s", dir);
	assert_int_equal(lading_ctx_new(ctx), 0);
	if (lading_image_open(img, *ctx, ref, NULL) != 0)
		fail_msg("open %s: %s", ref, lading_ctx_error(*ctx)->msg);
	if (lading_sbom_build(&s, *ctx, *img, NULL) != 0)
		fail_msg("sbom %s: %s", ref, lading_ctx_error(*ctx)->msg);
	return s;
}

static const lading_package *find(lading_sbom *s, const char *name, const char *arch)
{
	for (size_t i = 0; i < lading_sbom_package_count(s); i++) {
		const lading_package *p = lading_sbom_package(s, i);
		if (!strcmp(p->name, name) && (!arch || !p->arch || !strcmp(p->arch, arch)))
			return p;
	}
	return NULL;
}

/* split a TSV line in place */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static void check_rpm_dir(const char *dir)
{
	char path[4096], line[4096];
	FILE *f;
	lading_ctx *ctx;
	lading_image *img;
	lading_sbom *s = sbom_of(dir, &img, &ctx);
	size_t rows = 0;

	snprintf(path, sizeof(path), "%s/EXPECTED-packages.tsv", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *c[6], evr[512], src[512];
		const lading_package *p;
		long epoch;
		if (fields(line, c, 6) != 6)
			continue;
		rows++;
		p = find(s, c[0], c[4]);
		if (!p)
			fail_msg("%s: package %s.%s missing", dir, c[0], c[4]);
		epoch = strtol(c[1], NULL, 10);
		assert_int_equal(p->epoch < 0 ? 0 : p->epoch, epoch);
		assert_string_equal(p->upstream_version, c[2]);
		assert_string_equal(p->release, c[3]);
		assert_string_equal(p->type, "rpm");
		if (p->epoch >= 0)
			snprintf(evr, sizeof(evr), "%d:%s-%s", p->epoch, c[2], c[3]);
		else
			snprintf(evr, sizeof(evr), "%s-%s", c[2], c[3]);
		assert_string_equal(p->version, evr);
		snprintf(src, sizeof(src), "%s-%s.src.rpm", p->source_name, p->source_version);
		assert_string_equal(src, c[5]);
		assert_non_null(strstr(p->purl, "pkg:rpm/"));
	}
	fclose(f);
	assert_true(rows > 0);
	assert_int_equal(lading_sbom_package_count(s), rows);
	lading_sbom_free(s);
	lading_image_free(img);
	lading_ctx_free(ctx);
}

static void test_rpmdb(void **state)
{
	char base[4096], dir[4600];
	DIR *d;
	struct dirent *e;
	int n = 0;
	(void)state;
	snprintf(base, sizeof(base), "%s/fixtures/rpmdb", shared());
	d = opendir(base);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		check_rpm_dir(dir);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 5);
}

static void check_dpkg_dir(const char *dir)
{
	char path[4096], line[4096];
	FILE *f;
	lading_ctx *ctx;
	lading_image *img;
	lading_sbom *s = sbom_of(dir, &img, &ctx);
	size_t installed = 0;

	snprintf(path, sizeof(path), "%s/EXPECTED-packages.tsv", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *c[5];
		const lading_package *p;
		int n = fields(line, c, 5);
		if (n < 4)
			continue;
		p = find(s, c[0], c[2]);
		/* status abbreviation: second letter is the state; files on disk from 'U'npacked on */
		if (!strchr("UFWti", c[3][1])) {
			if (p)
				fail_msg("%s: %s is in state %s but was inventoried", dir, c[0], c[3]);
			continue;
		}
		installed++;
		if (!p)
			fail_msg("%s: package %s missing", dir, c[0]);
		assert_string_equal(p->version, c[1]);
		assert_string_equal(p->type, "deb");
		if (n == 5 && c[4][0]) {
			char name[256];
			snprintf(name, sizeof(name), "%s", c[4]);
			name[strcspn(name, " ")] = '\0';
			assert_string_equal(p->source_name, name);
		} else {
			assert_string_equal(p->source_name, p->name);
		}
	}
	fclose(f);
	assert_int_equal(lading_sbom_package_count(s), installed);
	lading_sbom_free(s);
	lading_image_free(img);
	lading_ctx_free(ctx);
}

static void test_dpkg(void **state)
{
	static const char *dirs[] = {"debian12-gce", "ubuntu-deinstall", "ubuntu1804"};
	char dir[4096];
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "%s/fixtures/dpkg/%s", shared(), dirs[i]);
		check_dpkg_dir(dir);
	}
}

static void test_distroless(void **state)
{
	char dir[4096];
	lading_ctx *ctx;
	lading_image *img;
	lading_sbom *s;
	const lading_package *p;
	(void)state;
	snprintf(dir, sizeof(dir), "%s/fixtures/distroless/debian11-libsqlite3", shared());
	s = sbom_of(dir, &img, &ctx);
	assert_int_equal(lading_sbom_package_count(s), 1);
	p = lading_sbom_package(s, 0);
	assert_string_equal(p->name, "libsqlite3-0");
	assert_string_equal(p->version, "3.34.1-3");
	assert_string_equal(p->arch, "arm64");
	assert_string_equal(p->source_name, "sqlite3");
	assert_string_equal(p->source_version, "3.34.1-3");
	/* owned files from the .md5sums companion */
	assert_true(p->file_count > 0);
	assert_int_equal(p->files[0][0], '/');
	lading_sbom_free(s);
	lading_image_free(img);
	lading_ctx_free(ctx);

	snprintf(dir, sizeof(dir), "%s/fixtures/distroless/debian12-libpam-runtime", shared());
	s = sbom_of(dir, &img, &ctx);
	p = find(s, "libpam-runtime", NULL);
	assert_non_null(p);
	assert_string_equal(p->version, "1.5.2-6+deb12u1");
	assert_string_equal(p->source_name, "pam");
	/* the upstream test file's version-less stanzas are skipped with warnings */
	assert_int_equal(lading_sbom_package_count(s), 1);
	assert_true(lading_ctx_warning_count(ctx) >= 5);
	lading_sbom_free(s);
	lading_image_free(img);
	lading_ctx_free(ctx);
}

/* apk: compare with an independent reading of the DB (P:/V:/A:/o: lines) */
static void test_apk(void **state)
{
	static const char *dirs[] = {"alpine-3.9.6", "alpine-3.12.12", "alpine-3.16", "alpine-3.18", "alpine-3.20.3",
				     "trivy-edited"};
	(void)state;
	for (size_t i = 0; i < 6; i++) {
		char dir[4096], path[4200], line[4096], name[256] = "", ver[256] = "", arch[64] = "", origin[256] = "";
		lading_ctx *ctx;
		lading_image *img;
		lading_sbom *s;
		FILE *f;
		size_t expect = 0;
		snprintf(dir, sizeof(dir), "%s/fixtures/apk/%s", shared(), dirs[i]);
		s = sbom_of(dir, &img, &ctx);
		snprintf(path, sizeof(path), "%s/lib/apk/db/installed", dir);
		f = fopen(path, "r");
		assert_non_null(f);
		for (;;) {
			char *r = fgets(line, sizeof(line), f);
			line[strcspn(line, "\r\n")] = '\0';
			if (!r || !line[0]) {
				if (name[0] && ver[0]) {
					const lading_package *p = find(s, name, NULL);
					if (!p)
						fail_msg("%s: %s missing", dir, name);
					assert_string_equal(p->version, ver);
					if (arch[0])
						assert_string_equal(p->arch, arch);
					assert_string_equal(p->source_name, origin[0] ? origin : name);
					expect++;
				}
				name[0] = ver[0] = arch[0] = origin[0] = '\0';
				if (!r)
					break;
				continue;
			}
			if (!strncmp(line, "P:", 2))
				snprintf(name, sizeof(name), "%s", line + 2);
			else if (!strncmp(line, "V:", 2))
				snprintf(ver, sizeof(ver), "%s", line + 2);
			else if (!strncmp(line, "A:", 2))
				snprintf(arch, sizeof(arch), "%s", line + 2);
			else if (!strncmp(line, "o:", 2))
				snprintf(origin, sizeof(origin), "%s", line + 2);
		}
		fclose(f);
		assert_true(expect > 0);
		assert_int_equal(lading_sbom_package_count(s), expect);
		lading_sbom_free(s);
		lading_image_free(img);
		lading_ctx_free(ctx);
	}
}

/* os-release and the distribution files of ../shared/fixtures/os-release */
static void test_os_detection(void **state)
{
	static const struct {
		const char *dir, *id, *version;
	} t[] = {
		{"alma", "almalinux", "9.4"},         {"alpine", "alpine", "3.15.4"},      {"centos", "centos", "7"},
		{"debian9", "debian", "9.8"},         {"debian-sid", "debian", NULL},      {"fedora", "fedora", "42"},
		{"fedora29", "fedora", "29"},         {"rhel6", "rhel", "6.2"},            {"oracle7", "ol", "7.6"},
		{"ubuntu", "ubuntu", "18.04"},        {"mariner-2.0", "mariner", "2.0"},   {"rocky", "rocky", "9.3"},
		{"opensuseleap-15.2.1", "opensuse-leap", "15.2.1"}, {"sles", "sles", "15.3"}, {"photon", "photon", "4.0"},
		{"azurelinux-3.0", "azurelinux", "3.0"}, {"oracle", "ol", "8.10"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char dir[4096];
		lading_ctx *ctx;
		lading_image *img;
		lading_sbom *s;
		const lading_os *os;
		snprintf(dir, sizeof(dir), "%s/fixtures/os-release/%s", shared(), t[i].dir);
		s = sbom_of(dir, &img, &ctx);
		os = lading_sbom_os(s);
		if (!os->id || strcmp(os->id, t[i].id))
			fail_msg("%s: id %s, expected %s", t[i].dir, os->id ? os->id : "(none)", t[i].id);
		if (t[i].version && (!os->version_id || strncmp(os->version ? os->version : "", t[i].version, strlen(t[i].version))))
			fail_msg("%s: version %s / %s, expected %s", t[i].dir, os->version ? os->version : "(none)",
				 os->version_id ? os->version_id : "(none)", t[i].version);
		lading_sbom_free(s);
		lading_image_free(img);
		lading_ctx_free(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpmdb),      cmocka_unit_test(test_dpkg),       cmocka_unit_test(test_distroless),
		cmocka_unit_test(test_apk),        cmocka_unit_test(test_os_detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

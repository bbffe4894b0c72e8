/* The report format table (src/lib/api/formats.c): every row is rendered here and its output
 * checked by its format's validator (a row whose format has none fails), or, for the honeypot's
 * rows (rendered inside the honeypot), named in tests/data/formats/integration.txt with the
 * integration test that checks it. Also the names the CLI shows and accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/json.h"
#include "api/formats.h"
#include "lading/image.h"
#include "lading/inventory.h"
#include "lading/sbom.h"
#include "report/fleet.h"
#include "store/fleet_data.h"
#ifdef LADING_HAVE_CENSUS
#include "census/census.h"
#endif

typedef struct fx {
	lading_ctx *ctx;
	lading_image *img;
	lading_sbom *sbom;
} fx;

static const ld_json *parse_json(ld_arena *a, const char *p, size_t len, const char *what)
{
	ld_json *j = NULL;
	lading_ctx *ctx;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	if (ld_json_parse(&j, a, p, len, NULL, ctx, what))
		fail_msg("%s: %s", what, lading_ctx_error(ctx)->msg);
	lading_ctx_free(ctx);
	return j;
}

static void check_table(const char *p, size_t len, const char *what)
{
	assert_true(len > 0);
	if (p[len - 1] != '\n' || memchr(p, '\x1b', len))
		fail_msg("%s: not a table of lines", what);
}

static void check_json(const char *p, size_t len, const char *what)
{
	ld_arena a;
	ld_arena_init(&a, 0);
	assert_non_null(parse_json(&a, p, len, what));
	ld_arena_release(&a);
}

static void check_cyclonedx(const char *p, size_t len, const char *what)
{
	ld_arena a;
	ld_arena_init(&a, 0);
	assert_string_equal(ld_json_get_str(parse_json(&a, p, len, what), "bomFormat"), "CycloneDX");
	ld_arena_release(&a);
}

static void check_spdx(const char *p, size_t len, const char *what)
{
	ld_arena a;
	const char *v;
	ld_arena_init(&a, 0);
	v = ld_json_get_str(parse_json(&a, p, len, what), "spdxVersion");
	assert_true(v && !strncmp(v, "SPDX-2.", 7));
	ld_arena_release(&a);
}

static void check_sarif(const char *p, size_t len, const char *what)
{
	ld_arena a;
	const ld_json *j;
	ld_arena_init(&a, 0);
	j = parse_json(&a, p, len, what);
	assert_string_equal(ld_json_get_str(j, "version"), "2.1.0");
	assert_non_null(ld_json_get(j, "runs"));
	ld_arena_release(&a);
}

static void check_html(const char *p, size_t len, const char *what)
{
	if (len < 15 || strncmp(p, "<!DOCTYPE html>", 15) || !strstr(p, "</html>"))
		fail_msg("%s: not an HTML document", what);
}

/* One validator per format name: a row of a name without one fails test_rows. */
static const struct {
	const char *name;
	void (*check)(const char *p, size_t len, const char *what);
} checks[] = {
	{"table", check_table}, {"json", check_json},	{"cyclonedx", check_cyclonedx},
	{"spdx", check_spdx},	{"spdx-json", check_spdx}, {"sarif", check_sarif},
	{"html", check_html},
};

static void check_output(const ld_format_row *r, const char *p, size_t len)
{
	char what[64];
	ld_snprintf(what, sizeof(what), "kind %d, %s", (int)r->kind, r->name);
	for (size_t i = 0; i < LD_ARRAY_LEN(checks); i++)
		if (!strcmp(checks[i].name, r->name)) {
			assert_int_equal(strlen(p), len);
			checks[i].check(p, len, what);
			return;
		}
	fail_msg("%s: no validator for this format (add one to test_formats.c)", what);
}

static void open_sbom(fx *f)
{
	char ref[1024];
	const char *shared = getenv("LADING_SHARED");
	if (!shared)
		fail_msg("LADING_SHARED is not set");
	ld_snprintf(ref, sizeof(ref), "oci:%s/images/oci/alpine-3.9.6", shared);
	assert_int_equal(lading_ctx_new(&f->ctx), 0);
	if (lading_image_open(&f->img, f->ctx, ref, NULL) ||
	    lading_sbom_build(&f->sbom, f->ctx, f->img, NULL))
		fail_msg("%s: %s", ref, lading_ctx_error(f->ctx)->msg);
}

static void close_sbom(fx *f)
{
	lading_sbom_free(f->sbom);
	lading_image_free(f->img);
	lading_ctx_free(f->ctx);
}

int ld_api_sbom_view(const lading_sbom *s, const lading_report_options *opts, ld_sbom_view *v,
		     const lading_package ***pkgs);

/* A row's writer on a real inventory (scan: with no findings), or its public entry point. */
static void render(fx *f, const ld_format_row *r, lading_store *store)
{
	lading_report_options ro = LADING_REPORT_OPTIONS_INIT;
	lading_scan_summary sum;
	ld_scan_view sv;
	ld_buf b;
	const lading_package **pkgs;
	char *out = NULL;
	size_t len = 0;

	ro.timestamp = "2024-01-01T00:00:00Z";
	ld_buf_init(&b, LD_BUF_DEFAULT_MAX);
	memset(&sv, 0, sizeof(sv));
	memset(&sum, 0, sizeof(sum));
	switch (r->kind) {
	case LADING_REPORT_SBOM:
		assert_int_equal(lading_sbom_report(&out, &len, f->ctx, f->sbom, r->fmt, &ro), 0);
		break;
	case LADING_REPORT_SCAN:
		assert_int_equal(ld_api_sbom_view(f->sbom, &ro, &sv.sbom, &pkgs), 0);
		sv.summary = &sum;
		assert_int_equal(r->w.scan(&b, &sv), 0);
		free(pkgs);
		out = ld_buf_detach(&b, &len);
		break;
	case LADING_REPORT_FLEET: {
		/* an empty fleet: every section still written */
		ld_fleet_data d;
		ld_fleet_stats st;
		ld_fleet_opts o = {NULL, NULL, 1700000000, LD_FLEET_TIME_UNKNOWN, 1, NULL};
		ld_fleet_data_init(&d);
		assert_int_equal(ld_fleet_stats_compute(&st, &d, &o, f->ctx), 0);
		assert_int_equal(r->w.fleet(&b, &st), 0);
		out = ld_buf_detach(&b, &len);
		ld_fleet_stats_release(&st);
		ld_fleet_data_release(&d);
		break;
	}
	case LADING_REPORT_LIST:
		assert_int_equal(lading_inventory_list(store, f->ctx, "images", r->fmt, &out, &len), 0);
		break;
#ifdef LADING_HAVE_CENSUS
	case LADING_REPORT_CENSUS: {
		lading_census_assessment a;
		memset(&a, 0, sizeof(a));
		assert_int_equal(lading_census_assessment_write(&out, &len, f->ctx, &a, r->fmt), 0);
		break;
	}
	case LADING_REPORT_CENSUS_LIST: {
		lading_census *c = NULL;
		assert_int_equal(ld_census_new(&c), 0);
		assert_int_equal(lading_census_records_write(&out, &len, f->ctx, c, r->fmt), 0);
		lading_census_free(c);
		break;
	}
#endif
	default:
		fail_msg("kind %d: no way to render it here (add one to test_formats.c)", (int)r->kind);
	}
	ld_buf_release(&b);
	if (!out)
		fail_msg("kind %d, %s: no output", (int)r->kind, r->name);
	check_output(r, out, len);
	free(out);
}

/* Rows rendered elsewhere, each with the integration test that checks it. */
static bool covered_elsewhere(const ld_format_row *r)
{
	char path[1024], line[512], want[128];
	const char *dir = getenv("LADING_TESTDATA");
	bool found = false;
	FILE *fp;
	ld_snprintf(path, sizeof(path), "%s/formats/integration.txt", dir ? dir : "tests/data");
	if (!(fp = fopen(path, "r")))
		fail_msg("cannot read %s", path);
	ld_snprintf(want, sizeof(want), "%d %s ", (int)r->kind, r->name);
	while (!found && fgets(line, sizeof(line), fp))
		found = !strncmp(line, want, strlen(want));
	fclose(fp);
	return found;
}

static void test_rows(void **state)
{
	fx f;
	lading_store *store = NULL;
	char url[256];
	size_t n;
	const ld_format_row *rows = ld_format_rows(&n);
	(void)state;
	open_sbom(&f);
	ld_snprintf(url, sizeof(url), "/tmp/lading-test-formats-%ld.sqlite", (long)getpid());
	unlink(url);
	if (lading_store_open(&store, f.ctx, url))
		fail_msg("%s: %s", url, lading_ctx_error(f.ctx)->msg);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].kind == LADING_REPORT_HONEYPOT) {
			if (!covered_elsewhere(&rows[i]))
				fail_msg("honeypot %s: no line in tests/data/formats/integration.txt",
					 rows[i].name);
			continue;
		}
		render(&f, &rows[i], store);
	}
	lading_store_close(store);
	unlink(url);
	close_sbom(&f);
}

static void test_names(void **state)
{
	char buf[128];
	lading_format fmt = LADING_FORMAT_HTML;
	(void)state;
	assert_int_equal(lading_format_names(LADING_REPORT_SBOM, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "table, json, cyclonedx, spdx");
	assert_int_equal(lading_format_names(LADING_REPORT_SCAN, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "table, json, sarif, cyclonedx, html");
	assert_int_equal(lading_format_names(LADING_REPORT_FLEET, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "table, json, html");
	assert_int_equal(lading_format_names(LADING_REPORT_SCAN, buf, 8), LADING_ELIMIT);
	assert_int_equal(lading_format_for(LADING_REPORT_SBOM, "spdx-json", &fmt), 0);
	assert_int_equal(fmt, LADING_FORMAT_SPDX);
	assert_int_equal(lading_format_for(LADING_REPORT_SCAN, "spdx", &fmt), LADING_EUSAGE);
	assert_int_equal(lading_format_for(LADING_REPORT_SBOM, "sarif", &fmt), LADING_EUSAGE);
	assert_int_equal(lading_format_for(LADING_REPORT_LIST, NULL, &fmt), LADING_EUSAGE);
	assert_int_equal(lading_format_parse("sarif", &fmt), 0);
	assert_int_equal(fmt, LADING_FORMAT_SARIF);
	assert_int_equal(lading_format_parse("nosuch", &fmt), LADING_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

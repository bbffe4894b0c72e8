/* HTML directory listings (vulndb/listing.h): the pages of python3 -m http.server, nginx
 * autoindex and Apache mod_autoindex (fuzz/corpora/listing/) give exactly their entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "util/common.h"
#include "vulndb/listing.h"

static char *slurp(const char *name, size_t *len)
{
	char p[1024];
	FILE *f;
	char *b = malloc(1 << 20);
	snprintf(p, sizeof(p), "%s/fuzz/corpora/listing/%s", getenv("LADING_SRC"), name);
	f = fopen(p, "rb");
	assert_non_null(f);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

/* "name/" for directories, joined with spaces */
static void names(const char *file, const char *want)
{
	lading_ctx *ctx;
	ld_listing l;
	size_t len;
	char *b = slurp(file, &len), got[4096] = "";
	lading_ctx_new(&ctx);
	assert_int_equal(ld_listing_parse(b, len, &l, ctx), 0);
	for (size_t i = 0; i < l.n; i++) {
		size_t o = strlen(got);
		snprintf(got + o, sizeof(got) - o, "%s%s%s", o ? " " : "", l.e[i].name,
			 l.e[i].dir ? "/" : "");
	}
	assert_string_equal(got, want);
	ld_listing_release(&l);
	lading_ctx_free(ctx);
	free(b);
}

static void test_servers(void **state)
{
	(void)state;
	names("python.html", "ALSA-2024:8127.json CVE_1999_EPSS.csv a b&c.txt crates.io/ v3.10/");
	names("nginx.html", "edge/ main.json v3.10/ v3.11/");
	names("apache.html", "kev/ nvdcve-1.1-2002.json.gz nvdcve-1.1-2002.meta osv/");
	names("bare.html", "bare.txt");
	names("unterminated.html", "");
}

static void test_limits(void **state)
{
	lading_ctx *ctx;
	ld_listing l;
	size_t n = (LD_LISTING_MAX_ENTRIES + 1) * 24, o = 0;
	char *b = malloc(n + 64);
	(void)state;
	lading_ctx_new(&ctx);
	for (unsigned i = 0; i <= LD_LISTING_MAX_ENTRIES; i++)
		o += (size_t)snprintf(b + o, n + 64 - o, "<a href=\"f%u\">x</a>\n", i);
	assert_int_equal(ld_listing_parse(b, o, &l, ctx), LADING_ELIMIT);
	assert_int_equal(ld_listing_parse(b, LD_LISTING_MAX_BYTES + 1, &l, ctx), LADING_ELIMIT);
	free(b);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servers),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

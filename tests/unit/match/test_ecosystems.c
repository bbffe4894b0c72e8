/* The ecosystem table (src/lib/version/ecosystems.c) against tests/data/ecosystems/ecosystems.txt:
 * every entry has a line (name, a spelling normalized to it, a version pair in its scheme's
 * order, a package key, the purl type matched there) and every line an entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/common.h"
#include "match/match.h"
#include "version/ecosystems.h"
#include "vulndb/vdb.h"

#define NFIELDS 7

typedef struct eco_case {
	char *f[NFIELDS]; /* name, spelling, older, newer, package, key, purl */
	int line;
} eco_case;

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split "a | b | ..." in place; false unless it has exactly NFIELDS fields. */
static bool split_line(char *s, eco_case *c)
{
	size_t n = 0;
	char *p = s, *bar;
	while ((bar = strchr(p, '|')) && n < NFIELDS) {
		*bar = '\0';
		c->f[n++] = trim(p);
		p = bar + 1;
	}
	if (n != NFIELDS - 1 || strchr(p, '|'))
		return false;
	c->f[n++] = trim(p);
	return true;
}

static size_t read_cases(eco_case *cases, size_t max, char *buf, size_t bufsz)
{
	char path[1024];
	const char *dir = getenv("LADING_TESTDATA");
	FILE *f;
	size_t n = 0, used = 0;
	int lineno = 0;
	ld_snprintf(path, sizeof(path), "%s/ecosystems/ecosystems.txt", dir ? dir : "tests/data");
	if (!(f = fopen(path, "r")))
		fail_msg("cannot read %s (is LADING_TESTDATA set?)", path);
	while (used + 512 < bufsz && fgets(buf + used, 512, f)) {
		char *line = buf + used;
		lineno++;
		used += strlen(line) + 1;
		if (*trim(line) == '\0' || *trim(line) == '#')
			continue;
		if (n == max)
			fail_msg("more than %zu cases", max);
		if (!split_line(line, &cases[n]))
			fail_msg("ecosystems.txt:%d: want %d '|'-separated fields", lineno, NFIELDS);
		cases[n++].line = lineno;
	}
	fclose(f);
	return n;
}

/* The matcher's own range evaluation: introduced 0, fixed `newer`. */
static void check_match_case(const ld_ecosystem *e, const eco_case *c)
{
	ld_vdb_event ev[2] = {{"introduced", "0"}, {"fixed", c->f[3]}};
	ld_vdb_range r = {"ECOSYSTEM", ev, 2, false};
	ld_vdb_q_affected a;
	const char *fixed[4];
	size_t nfixed = 0;
	memset(&a, 0, sizeof(a));
	a.ranges = &r;
	a.nranges = 1;
	if (!ld_match_affected(e->scheme, &a, ld_slice_cstr(c->f[2]), fixed, 4, &nfixed))
		fail_msg("line %d: %s %s not affected", c->line, e->name, c->f[2]);
	if (ld_match_affected(e->scheme, &a, ld_slice_cstr(c->f[3]), fixed, 4, &nfixed))
		fail_msg("line %d: %s %s affected", c->line, e->name, c->f[3]);
}

/* A language package of the entry's purl type is looked up in it, under the key given. */
static void check_purl_case(const ld_ecosystem *e, const eco_case *c)
{
	lading_package p;
	ld_match_key k;
	ld_arena a;
	char key[256];
	const char *type;
	if (!strcmp(c->f[6], "-")) {
		if (e->purl_type)
			fail_msg("line %d: %s matches purl type %s: give a purl", c->line, e->name,
				 e->purl_type);
		return;
	}
	type = c->f[6] + 4;
	assert_true(!strncmp(c->f[6], "pkg:", 4));
	assert_non_null(e->purl_type);
	assert_true(!strncmp(type, e->purl_type, strlen(e->purl_type)));
	ld_arena_init(&a, 0);
	memset(&p, 0, sizeof(p));
	p.type = e->purl_type;
	p.name = c->f[4];
	p.version = c->f[2];
	p.purl = c->f[6];
	if (!ld_match_lang_key(&p, &a, &k))
		fail_msg("line %d: %s: no lookup key", c->line, c->f[6]);
	assert_string_equal(k.ecosystem, e->name);
	assert_int_equal(k.scheme, e->scheme);
	assert_int_equal(ld_vdb_package_normalize(k.ecosystem, k.package, key, sizeof(key)), 0);
	assert_string_equal(key, c->f[5]);
	ld_arena_release(&a);
}

static void check_case(const ld_ecosystem *e, const eco_case *c)
{
	char norm[256], key[256];
	ld_vscheme s = e->scheme;
	/* the version stage finds the scheme by the name, with or without a release */
	ld_snprintf(norm, sizeof(norm), "%s:1", e->name);
	assert_int_equal(ld_vscheme_for_ecosystem(e->name), s);
	assert_int_equal(ld_vscheme_for_ecosystem(norm), s);
	/* the vercmp case */
	if (ld_version_cmp(s, ld_slice_cstr(c->f[2]), ld_slice_cstr(c->f[3])) >= 0)
		fail_msg("line %d: %s: not %s < %s", c->line, e->name, c->f[2], c->f[3]);
	assert_true(ld_version_valid(s, ld_slice_cstr(c->f[2])));
	assert_true(ld_version_valid(s, ld_slice_cstr(c->f[3])));
	/* the DB's spelling */
	assert_int_equal(ld_vdb_ecosystem_normalize(c->f[1], norm, sizeof(norm)), 0);
	assert_string_equal(norm, (e->flags & LD_ECO_SCHEME_ONLY) ? c->f[1] : e->name);
	assert_int_equal(ld_vdb_package_normalize(e->name, c->f[4], key, sizeof(key)), 0);
	assert_string_equal(key, c->f[5]);
	check_match_case(e, c);
	check_purl_case(e, c);
}

static void test_table(void **state)
{
	static eco_case cases[256];
	static char buf[65536];
	size_t n = read_cases(cases, LD_ARRAY_LEN(cases), buf, sizeof(buf)), neco;
	const ld_ecosystem *eco = ld_ecosystems(&neco);
	(void)state;
	for (size_t i = 0; i < neco; i++) {
		size_t hits = 0;
		for (size_t j = 0; j < n; j++) {
			if (strcmp(cases[j].f[0], eco[i].name))
				continue;
			hits++;
			check_case(&eco[i], &cases[j]);
		}
		if (hits != 1)
			fail_msg("ecosystem %s: %zu lines in ecosystems.txt (want 1)", eco[i].name,
				 hits);
	}
	for (size_t j = 0; j < n; j++) {
		size_t i = 0;
		while (i < neco && strcmp(cases[j].f[0], eco[i].name))
			i++;
		if (i == neco)
			fail_msg("line %d: no ecosystem %s in the table", cases[j].line, cases[j].f[0]);
	}
	print_message("%zu ecosystems, each with its cases\n", neco);
}

/* Lookups by spelling and purl type. */
static void test_lookup(void **state)
{
	(void)state;
	assert_string_equal(ld_ecosystem_lookup("rocky linux", 11)->name, "Rocky Linux");
	assert_string_equal(ld_ecosystem_lookup("PIP", 3)->name, "PyPI");
	assert_null(ld_ecosystem_lookup("centos", 6)); /* the DB keeps it as spelled */
	assert_null(ld_ecosystem_lookup("nosuch", 6));
	assert_string_equal(ld_ecosystem_by_purl("cargo")->name, "crates.io");
	assert_null(ld_ecosystem_by_purl("deb"));
	assert_null(ld_ecosystem_by_purl(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

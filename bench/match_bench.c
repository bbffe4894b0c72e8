/* Matching N packages against the database (the match stage alone, DB already open): packages
 * made from every Debian:<release> source package the database knows, cycled to N binaries, half
 * at an old version (affected by most advisories), half past every fix. Prints the best and
 * median of several passes. Usage: match_bench DB [N] [RELEASE] */
#include <sqlite3.h>
#include <time.h>

#include "util/common.h"
#include "match/match.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *dbp = argc > 1 ? argv[1] : "db.sqlite";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	const char *rel = argc > 3 ? argv[3] : "10";
	char eco[32], q[256];
	sqlite3 *s;
	sqlite3_stmt *st;
	char **names = NULL;
	size_t nn = 0, cap = 0;
	lading_package *pk = calloc(n, sizeof(*pk));
	const lading_package **pp = calloc(n, sizeof(*pp));
	lading_os os = {.id = "debian", .version_id = rel, .version = rel};
	double t[7];
	size_t findings = 0;

	snprintf(eco, sizeof(eco), "Debian:%s", rel);
	if (sqlite3_open_v2(dbp, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 2;
	snprintf(q, sizeof(q), "SELECT DISTINCT package FROM affected WHERE ecosystem = '%s'", eco);
	if (sqlite3_prepare_v2(s, q, -1, &st, NULL) != SQLITE_OK)
		return 2;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (nn == cap) {
			cap = cap ? cap * 2 : 1024;
			names = realloc(names, cap * sizeof(char *));
		}
		names[nn++] = strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	if (!nn) {
		fprintf(stderr, "no %s packages in %s\n", eco, dbp);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		char *name = malloc(300);
		snprintf(name, 300, "%s-bin%zu", names[i % nn], i);
		pk[i].name = name;
		pk[i].type = "deb";
		pk[i].source_name = names[i % nn];
		pk[i].version = pk[i].source_version = (i % 2) ? "0.1-1" : "99:99-1";
		pk[i].epoch = -1;
		pk[i].layer = 0;
		pp[i] = &pk[i];
	}
	for (int r = 0; r < 7; r++) {
		lading_ctx *ctx;
		ld_vdb *db;
		ld_match_result res;
		ld_match_input in = {&os, pp, n};
		lading_scan_options o = LADING_SCAN_OPTIONS_INIT;
		double t0;
		lading_ctx_new(&ctx);
		if (ld_vdb_open(&db, dbp, ctx))
			return 2;
		ld_match_result_init(&res);
		t0 = now();
		if (ld_match_run(&res, db, &in, &o, ctx)) {
			fprintf(stderr, "%s\n", ctx->err.msg);
			return 2;
		}
		t[r] = (now() - t0) * 1e3;
		findings = res.findings.len;
		ld_match_result_release(&res);
		ld_vdb_close(db);
		lading_ctx_free(ctx);
	}
	qsort(t, 7, sizeof(double), dcmp);
	printf("matching %zu packages (%zu distinct %s sources, half affected): best %.1f ms, median %.1f ms, %zu findings\n",
	       n, nn, eco, t[0], t[3], findings);
	return 0;
}

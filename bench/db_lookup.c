/* Lookup benchmark of the vulnerability database query API (src/lib/vulndb/query.h).
 *
 *   db_lookup DB [N]
 *
 * Picks N (default 10,000) (ecosystem, package) pairs: 80 % drawn from the packages the database
 * has entries for (uniformly over packages, fixed seed), 20 % names it has none for (the common
 * case in a scan). Runs them once to warm the page cache, then times PASSES (7) passes of
 * ld_vdb_affected_get() with results in an arena (released every 100 lookups, as a scan would)
 * and reports the best and the median pass (the machine is shared: the best is the cost, the
 * median shows the noise), then ld_vdb_advisory_get() for every advisory found. Prints figures;
 * never fails on time. */
#include <sqlite3.h>
#include <time.h>

#include "util/common.h"
#include "vulndb/query.h"

#define PASSES 7

typedef struct pair {
	char eco[64];
	char pkg[256];
} pair;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static int load_pairs(const char *path, pair **out, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	pair *p = NULL;
	size_t len = 0, cap = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT ecosystem, package FROM affected", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (len == cap) {
			pair *np;
			cap = cap ? cap * 2 : 4096;
			np = realloc(p, cap * sizeof(*p));
			if (!np)
				break;
			p = np;
		}
		ld_strlcpy(p[len].eco, (const char *)sqlite3_column_text(st, 0),
			   sizeof(p[len].eco));
		ld_strlcpy(p[len].pkg, (const char *)sqlite3_column_text(st, 1),
			   sizeof(p[len].pkg));
		len++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	*out = p;
	*n = len;
	return len ? 0 : -1;
}

int main(int argc, char **argv)
{
	lading_ctx *ctx;
	ld_vdb *db;
	ld_arena a;
	pair *all = NULL, *q;
	size_t nall = 0, n = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 10000, entries = 0,
	       hits = 0;
	size_t nadv = 0;
	int64_t *advs;
	unsigned seed = 42;
	double t0, c0, t_adv, c_adv, walls[PASSES + 1], cpus[PASSES + 1];

	if (argc < 2 || n == 0) {
		fprintf(stderr, "usage: db_lookup DB [N]\n");
		return 2;
	}
	if (load_pairs(argv[1], &all, &nall)) {
		fprintf(stderr, "db_lookup: cannot read packages from %s\n", argv[1]);
		return 1;
	}
	q = calloc(n, sizeof(*q));
	advs = calloc(n * 64, sizeof(*advs));
	if (!q || !advs)
		return 1;
	for (size_t i = 0; i < n; i++) {
		const pair *src = &all[((size_t)rnd(&seed) << 15 | rnd(&seed)) % nall];
		q[i] = *src;
		if (i % 5 == 4) /* a package no feed knows */
			ld_snprintf(q[i].pkg, sizeof(q[i].pkg), "no-such-package-%zu", i);
	}
	lading_ctx_new(&ctx);
	if (ld_vdb_open(&db, argv[1], ctx)) {
		fprintf(stderr, "db_lookup: %s\n", lading_ctx_error(ctx)->msg);
		return 1;
	}
	ld_arena_init(&a, 0);
	for (int pass = 0; pass <= PASSES; pass++) {
		entries = hits = nadv = 0;
		t0 = now();
		c0 = cpu();
		for (size_t i = 0; i < n; i++) {
			ld_vdb_q_affected *e;
			size_t k;
			if (ld_vdb_affected_get(db, q[i].eco, q[i].pkg, &a, &e, &k, ctx)) {
				fprintf(stderr, "db_lookup: %s\n", lading_ctx_error(ctx)->msg);
				return 1;
			}
			entries += k;
			hits += k > 0;
			for (size_t j = 0; j < k && nadv < n * 64; j++)
				advs[nadv++] = e[j].advisory;
			if (i % 100 == 99) {
				ld_arena_release(&a);
				ld_arena_init(&a, 0);
			}
		}
		walls[pass] = now() - t0;
		cpus[pass] = cpu() - c0;
	}
	/* pass 0 warmed the cache; sort the others */
	for (int i = 1; i <= PASSES; i++)
		for (int j = i + 1; j <= PASSES; j++)
			if (walls[j] < walls[i]) {
				double t = walls[i], c = cpus[i];
				walls[i] = walls[j];
				cpus[i] = cpus[j];
				walls[j] = t;
				cpus[j] = c;
			}
	ld_arena_release(&a);
	ld_arena_init(&a, 0);
	t0 = now();
	c0 = cpu();
	for (size_t i = 0; i < nadv; i++) {
		ld_vdb_q_advisory *adv;
		if (ld_vdb_advisory_get(db, advs[i], &a, &adv, ctx)) {
			fprintf(stderr, "db_lookup: %s\n", lading_ctx_error(ctx)->msg);
			return 1;
		}
		if (i % 100 == 99) {
			ld_arena_release(&a);
			ld_arena_init(&a, 0);
		}
	}
	t_adv = now() - t0;
	c_adv = cpu() - c0;
	printf("packages in db:         %zu (ecosystem, package) pairs\n", nall);
	printf("lookups:                %zu (%zu with entries, %zu entries returned)\n", n, hits,
	       entries);
	printf("affected lookups:       best %.1f ms wall (%.1f ms CPU) for %zu, %.2f us each; "
	       "median %.1f ms\n",
	       walls[1] * 1e3, cpus[1] * 1e3, n, walls[1] * 1e6 / (double)n,
	       walls[(PASSES + 1) / 2 + 0] * 1e3);
	printf("advisory details:       %zu in %.1f ms wall (%.1f ms CPU), %.2f us each\n", nadv,
	       t_adv * 1e3, c_adv * 1e3, nadv ? t_adv * 1e6 / (double)nadv : 0.0);
	ld_arena_release(&a);
	ld_vdb_close(db);
	lading_ctx_free(ctx);
	free(q);
	free(all);
	free(advs);
	return 0;
}

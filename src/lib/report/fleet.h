/* The fleet report (docs/fleet.md): statistics per group and overall computed from the fleet
 * data (store/fleet_data.h), and one writer per format (fleet_table.c, fleet_json.c,
 * fleet_html.c). The writers only format what fleet.c computed. */
#ifndef LD_REPORT_FLEET_H
#define LD_REPORT_FLEET_H

#include "store/fleet_data.h"
#include "util/buf.h"
#include "util/map.h"

/* ---- famous vulnerabilities (data/famous.tsv and --famous FILE) ---- */

#define LD_FAMOUS_MAX_ENTRIES 10000u
#define LD_FAMOUS_MAX_IDS 256u    /* per entry */
#define LD_FAMOUS_MAX_LINE 4096u
#define LD_FAMOUS_MAX_NAME 100u

typedef struct ld_famous_entry {
	const char *name, *description;
	const char **ids;
	size_t id_count;
} ld_famous_entry;

typedef struct ld_famous {
	ld_arena arena;
	ld_famous_entry *entries;
	size_t count, cap;
} ld_famous;

void ld_famous_init(ld_famous *f);
void ld_famous_release(ld_famous *f);
/* Add the entries of one file (an entry named as an earlier one replaces it). A malformed line
 * is LADING_EINVALID "WHAT:LINE: ..." and nothing of the file is kept. */
int ld_famous_parse(ld_famous *f, const char *p, size_t len, const char *what, lading_ctx *ctx);
/* The table shipped with lading (data/famous.tsv, compiled in). */
int ld_famous_load_builtin(ld_famous *f, lading_ctx *ctx);

/* ---- statistics ---- */

#define LD_FLEET_TOP 20            /* rows of each "top" table */
#define LD_FLEET_LIST_MAX 200      /* containers listed overall per kind (all are counted) */
#define LD_FLEET_GROUP_LIST_MAX 20 /* ... and per group: a report grouped by repository stays small */
#define LD_FLEET_VULN_BINS 8
#define LD_FLEET_AGE_BINS 7

typedef struct ld_fleet_top {
	const char *name;   /* vulnerability id, or "type/name" of a package */
	size_t images;
	uint8_t severity;   /* vulnerabilities: worst severity seen */
	uint8_t kev;
	size_t extra;       /* packages: distinct vulnerabilities in it */
} ld_fleet_top;

typedef struct ld_fleet_ctr_row {
	const ld_fleet_container *c;
	const char *image;  /* first reference of its image, else its digest */
	uint8_t kev, critical;
} ld_fleet_ctr_row;

typedef struct ld_fleet_group_stats {
	const char *name;
	size_t images, matched, repositories, tags;
	size_t containers[5];       /* by ld_fleet_state */
	size_t containers_total;
	double vpi_mean, vpi_median, vpi_p90;
	size_t findings;            /* distinct (image, vulnerability) pairs */
	size_t by_severity[5];      /* of those pairs, by the pair's worst severity */
	size_t img_critical, img_high, img_high_or_critical, img_kev, img_fixable;
	size_t vuln_hist[LD_FLEET_VULN_BINS];
	size_t *famous;             /* images affected per famous entry */
	size_t dated;               /* images with a known `created` */
	double age_median_days;
	size_t older[3];            /* older than 90, 180, 365 days */
	size_t age_hist[LD_FLEET_AGE_BINS];
	size_t with_base, base_behind;
	double base_age_median_days;
	ld_fleet_top *top_vulns, *top_kev, *top_pkgs;
	size_t n_top_vulns, n_top_kev, n_top_pkgs;
	size_t risky_running, risky_gone;  /* containers on images with a KEV or critical finding */
	ld_fleet_ctr_row *running, *gone;  /* the first LD_FLEET_LIST_MAX of each */
	size_t n_running, n_gone;
} ld_fleet_group_stats;

typedef struct ld_fleet_base_row {
	const char *name;      /* first reference of the base image, else its digest */
	size_t images;         /* images built on it */
	int64_t created;
	size_t newer_tags;     /* tags of its repositories on images created after it */
} ld_fleet_base_row;

typedef struct ld_fleet_opts {
	const char *group_by;     /* NULL: official */
	const char *official_re;
	int64_t now;              /* ages are computed at this time */
	int64_t since;            /* LD_FLEET_TIME_UNKNOWN: everything */
	int history;
	const ld_famous *famous;
} ld_fleet_opts;

typedef struct ld_fleet_stats {
	ld_arena arena;
	const char *group_by;
	int64_t now, since, generated;
	ld_fleet_group_stats overall;
	ld_fleet_group_stats *groups; /* by name */
	size_t group_count;
	const ld_famous *famous;
	ld_fleet_base_row *bases;     /* by images built on them, LD_FLEET_TOP at most */
	size_t base_count;
	size_t containers_unknown_image, images_skipped, duplicates;
	int history;
	const ld_fleet_summary **hist; /* the summaries of this grouping (and overall), time order */
	size_t hist_count;
	const ld_fleet_census *census;
} ld_fleet_stats;

int ld_fleet_stats_compute(ld_fleet_stats *st, const ld_fleet_data *d, const ld_fleet_opts *o,
			   lading_ctx *ctx);
void ld_fleet_stats_release(ld_fleet_stats *st);

extern const char *const ld_fleet_vuln_bin_names[LD_FLEET_VULN_BINS];
extern const char *const ld_fleet_age_bin_names[LD_FLEET_AGE_BINS];
/* n/d as a percentage, 0 when d is 0. */
double ld_fleet_pct(size_t n, size_t d);

int ld_fleet_write_table(ld_buf *b, const ld_fleet_stats *st);
int ld_fleet_write_json(ld_buf *b, const ld_fleet_stats *st);
int ld_fleet_write_html(ld_buf *b, const ld_fleet_stats *st);

#endif

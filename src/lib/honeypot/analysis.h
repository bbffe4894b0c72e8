/* Internals of the honeypot analysis: the classification rules (rules.c), country lookups
 * (geoip.c), the grouping and classification of logged events (analyze.c) and the report
 * writers (report_text.c, report_html.c). docs/honeypot.md describes the rules format. */
#ifndef LD_HP_ANALYSIS_H
#define LD_HP_ANALYSIS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/honeypot.h"
#include "util/buf.h"
#include "util/slice.h"

/* Limits of the rules file (local data, but a typo should fail clearly, not run away). */
#define LD_HPR_MAX_BYTES    (1 << 20) /* file size */
#define LD_HPR_MAX_LINE	    4096      /* bytes per line */
#define LD_HPR_MAX_TOKENS   32	      /* tokens per line */
#define LD_HPR_MAX_BLOCKS   64	      /* type / automated / fallback blocks */
#define LD_HPR_MAX_CONDS    256	      /* conditions in all blocks */
#define LD_HPR_MAX_TESTS    8	      /* field tests per condition */
#define LD_HPR_MAX_DISTINCT 16	      /* "distinct" lines in all blocks */
#define LD_HPR_MAX_LINES    32	      /* lines per block */
#define LD_HPR_NAME_MAX	    64	      /* names, event globs, field names */

enum { LD_HPR_EQ, LD_HPR_RE, LD_HPR_NRE, LD_HPR_EXISTS };
enum { LD_HPR_ALL, LD_HPR_ANY, LD_HPR_COUNT, LD_HPR_DISTINCT, LD_HPR_SEQ, LD_HPR_NOT };
enum { LD_HPR_TYPE, LD_HPR_AUTOMATED, LD_HPR_FALLBACK };

typedef struct ld_hpr_test {
	char field[LD_HPR_NAME_MAX]; /* "*" = any field of the request */
	int op;
	char *value;
	regex_t re;
	bool has_re;
} ld_hpr_test;

typedef struct ld_hpr_cond {
	char glob[LD_HPR_NAME_MAX]; /* eventid pattern (fnmatch) */
	ld_hpr_test tests[LD_HPR_MAX_TESTS];
	size_t ntests;
} ld_hpr_cond;

typedef struct ld_hpr_line {
	int kind;
	unsigned cond;
	unsigned n;		     /* count / distinct: at least n */
	char field[LD_HPR_NAME_MAX]; /* distinct: whose values are counted */
	unsigned slot;		     /* distinct: index of its per-event value hash */
} ld_hpr_line;

typedef struct ld_hpr_block {
	int kind;
	char name[LD_HPR_NAME_MAX];
	char *label;
	ld_hpr_line lines[LD_HPR_MAX_LINES];
	size_t nlines;
} ld_hpr_block;

typedef struct ld_hp_rules {
	double session_gap_s; /* silence that ends an attack session of one source */
	double human_gap_s; /* median gap between steps at or above which a session may be manual */
	unsigned timing_steps;	  /* steps needed before timing decides */
	bool few_steps_automated; /* sessions with fewer steps: automated ("single probe") or manual
				   */
	ld_hpr_block blocks[LD_HPR_MAX_BLOCKS];
	size_t nblocks;
	ld_hpr_cond conds[LD_HPR_MAX_CONDS];
	size_t nconds;
	size_t ndistinct;
	char fallback[LD_HPR_NAME_MAX];
	char *fallback_label;
} ld_hp_rules;

int ld_hp_rules_parse(ld_hp_rules **out, const char *text, size_t len, const char *what,
		      lading_ctx *ctx);
int ld_hp_rules_load(ld_hp_rules **out, const char *path, lading_ctx *ctx);
void ld_hp_rules_free(ld_hp_rules *r);

/* An event flattened for rule tests: top-level fields and the request's members, nested keys
 * joined with '.', array elements repeated under their key, scalars as text. */
#define LD_HP_FLAT_MAX 512
typedef struct ld_hp_flat {
	const char *eventid;
	size_t n;
	struct {
		const char *key;
		const char *value;
		bool top; /* outside "request" */
	} kv[LD_HP_FLAT_MAX];
} ld_hp_flat;

bool ld_hp_cond_match(const ld_hpr_cond *c, const ld_hp_flat *ev);
/* Values of `field` in an event (NULL-terminated iteration): for (i = 0; (v =
 * ld_hp_flat_next(...)); ) */
const char *ld_hp_flat_next(const ld_hp_flat *ev, const char *field, size_t *i);

/* Countries (libmaxminddb; its only user). */
typedef struct ld_hp_geoip ld_hp_geoip;
int ld_hp_geoip_open(ld_hp_geoip **out, const char *path, lading_ctx *ctx);
/* ISO 3166 alpha-2 in out (upper case), or "??" when unknown. */
void ld_hp_geoip_country(ld_hp_geoip *g, const char *ip, char out[3]);
const char *ld_hp_geoip_description(const ld_hp_geoip *g);
void ld_hp_geoip_close(ld_hp_geoip *g);

/* Report writers. */
int ld_hp_report_table(ld_buf *b, const lading_honeypot_report *r);
int ld_hp_report_json(ld_buf *b, const lading_honeypot_report *r);
int ld_hp_report_html(ld_buf *b, const lading_honeypot_report *r);

#endif

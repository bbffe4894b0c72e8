/* lading report fleet: the fleet report over the inventory store or an exported inventory
 * (lading/fleet.h, docs/fleet.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_FAMOUS_FILES 64

extern const cli_command cli_cmd_report;

typedef struct fleet_args {
	lading_fleet_options o;
	const char *format, *output, *export;
	const char *famous[MAX_FAMOUS_FILES];
} fleet_args;

/* One option (with its value); 1 when taken, 0 when unknown, EXIT_USAGE on a missing value. */
static int fleet_opt(int argc, char **argv, int *i, fleet_args *a)
{
	static const char *const names[] = {"--store", "--from", "--format", "-f", "--output", "-o",
					    "--group-by", "--since", "--official", "--famous", "--now", "--export",
					    "--db"};
	const char *val = NULL;
	size_t k;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (cli_opt(argc, argv, i, names[k], &val))
			break;
	if (k == sizeof(names) / sizeof(names[0]))
		return 0;
	if (!val)
		return cli_usage("%s needs a value", names[k]);
	switch (k) {
	case 0: a->o.store = val; break;
	case 1: a->o.from = val; break;
	case 2: case 3: a->format = val; break;
	case 4: case 5: a->output = val; break;
	case 6: a->o.group_by = val; break;
	case 7: a->o.since = val; break;
	case 8: a->o.official = val; break;
	case 9:
		if (a->o.famous_count >= MAX_FAMOUS_FILES)
			return cli_usage("at most %d --famous files", MAX_FAMOUS_FILES);
		a->famous[a->o.famous_count++] = val;
		break;
	case 10: a->o.now = val; break;
	case 11: a->export = val; break;
	default: a->o.db = val; break;
	}
	return 1;
}

static int fleet(int argc, char **argv)
{
	fleet_args a = {.o = LADING_FLEET_OPTIONS_INIT, .format = "table"};
	lading_ctx *ctx = NULL;
	lading_format fmt;
	char names[128];
	char *out = NULL;
	size_t len = 0;
	int rc, ret;

	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_report);
			return EXIT_OK;
		} else if (cli_flag(argv, i, "--history")) {
			a.o.history = 1;
		} else if ((rc = fleet_opt(argc, argv, &i, &a)) != 1) {
			return rc ? rc : cli_usage("unknown argument %s (lading report fleet --help)", argv[i]);
		}
	}
	a.o.famous_files = a.famous;
	if (!a.o.store && !a.o.from)
		a.o.store = getenv("LADING_STORE");
	if (lading_format_for(LADING_REPORT_FLEET, a.format, &fmt)) {
		lading_format_names(LADING_REPORT_FLEET, names, sizeof(names));
		return cli_usage("unknown fleet report format '%s' (%s)", a.format, names);
	}
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if (a.export)
		rc = lading_fleet_export(&out, &len, ctx, &a.o);
	else
		rc = lading_fleet_report(&out, &len, ctx, &a.o, fmt);
	ret = rc ? cli_fail(ctx, rc) : cli_write_output(a.export ? a.export : a.output, out, len);
	free(out);
	lading_ctx_free(ctx);
	return ret;
}

static const cli_option fleet_options[] = {
	{"--store", NULL, "URL", "the inventory store (also LADING_STORE)", CLI_C_FILE, NULL},
	{"--from", NULL, "FILE", "an exported inventory (fleet JSON, docs/fleet.md) instead of a store",
	 CLI_C_FILE, NULL},
	{"--format", "-f", "F", "table (default), json, html", CLI_C_WORDS, "table json html"},
	{"--output", "-o", "FILE", "write the report to FILE instead of standard output", CLI_C_FILE,
	 NULL},
	{"--group-by", NULL, "KEY",
	 "official (default: official and community), registry, repo,\n"
	 "namespace, source or label:KEY",
	 CLI_C_WORDS, "official registry repo namespace source label:"},
	{"--official", NULL, "REGEX",
	 "references of other registries that count as official (POSIX\n"
	 "extended regex; Docker Hub library/ images always do)",
	 CLI_C_NONE, NULL},
	{"--since", NULL, "DATE", "only images and containers seen since DATE (YYYY-MM-DD or RFC 3339)",
	 CLI_C_NONE, NULL},
	{"--famous", NULL, "FILE",
	 "add famous vulnerabilities (name<TAB>ids<TAB>description; repeatable)", CLI_C_FILE, NULL},
	{"--history", NULL, NULL, "the trend of the stored summaries (one per group per rescan)",
	 CLI_C_NONE, NULL},
	{"--db", NULL, "FILE",
	 "the vulnerability database for the census section's behind,\n"
	 "vulnerable and known-exploited columns (default: LADING_DB or the\n"
	 "default database when it exists, else those columns say \"not assessed\")",
	 CLI_C_FILE, NULL},
	{"--now", NULL, "TIME", "compute ages at TIME instead of now (reproducible reports)",
	 CLI_C_NONE, NULL},
	{"--export", NULL, "FILE",
	 "write the data the report reads as a fleet export (for --from)\n"
	 "instead of the report",
	 CLI_C_FILE, NULL},
	{0},
};

static const cli_command report_fleet = {
	.name = "fleet",
	.summary = "the fleet report: per-group vulnerability, staleness and container figures",
	.synopsis = "[--store URL | --from FILE] [--format table|json|html]\n"
		    " [-o FILE] [--group-by KEY] [--since DATE] [--official REGEX]\n"
		    " [--famous FILE]... [--history] [--now TIME] [--export FILE] [--db FILE]",
	.description =
		"The studies' tables for your own fleet, per group and overall: distinct\n"
		"vulnerabilities per image (mean, median, p90), severity mix, known-exploited (KEV)\n"
		"and famous vulnerabilities, image and base-image age, fixable findings, top\n"
		"vulnerabilities and packages, and the containers running (or that ran) images with\n"
		"KEV or critical findings. Reads each image's latest stored match: no vulnerability\n"
		"database is needed for the images. The census section (exposed services in the same\n"
		"store) is assessed as `lading census report` does when a database is at hand.",
	.options = fleet_options,
	.run = fleet,
};

static const cli_command *const report_subs[] = {&report_fleet, NULL};

const cli_command cli_cmd_report = {
	.name = "report",
	.summary = "reports over the inventory: fleet (table, json, html)",
	.notes = "Exit status: 0 done (also for an empty store), 2 usage, 3 error.",
	.subs = report_subs,
};

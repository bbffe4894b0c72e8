/* lading report fleet: the fleet report over the inventory store or an exported inventory
 * (lading/fleet.h, docs/fleet.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_FAMOUS_FILES 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lading report fleet [--store URL | --from FILE] [--format table|json|html]\n"
		"                           [-o FILE] [--group-by KEY] [--since DATE] [--official REGEX]\n"
		"                           [--famous FILE]... [--history]\n"
		"\n"
		"The studies' tables for your own fleet, per group and overall: distinct vulnerabilities\n"
		"per image (mean, median, p90), severity mix, known-exploited (KEV) and famous\n"
		"vulnerabilities, image and base-image age, fixable findings, top vulnerabilities and\n"
		"packages, and the containers running (or that ran) images with KEV or critical findings.\n"
		"Reads each image's latest stored match: no vulnerability database is needed.\n"
		"\n"
		"  --store URL        the inventory store (also LADING_STORE)\n"
		"  --from FILE        an exported inventory (fleet JSON, docs/fleet.md) instead of a store\n"
		"  --group-by KEY     official (default: official and community), registry, repo,\n"
		"                     namespace, source or label:KEY\n"
		"  --official REGEX   references of other registries that count as official (POSIX\n"
		"                     extended regex; Docker Hub library/ images always do)\n"
		"  --since DATE       only images and containers seen since DATE (YYYY-MM-DD or RFC 3339)\n"
		"  --famous FILE      add famous vulnerabilities (name<TAB>ids<TAB>description; repeatable)\n"
		"  --history          the trend of the stored summaries (one per group per rescan)\n"
		"  --now TIME         compute ages at TIME instead of now (reproducible reports)\n"
		"  --export FILE      write the data the report reads as a fleet export (for --from)\n"
		"                     instead of the report\n"
		"Exit status: 0 done (also for an empty store), 2 usage, 3 error.\n");
}

typedef struct fleet_args {
	lading_fleet_options o;
	const char *format, *output, *export;
	const char *famous[MAX_FAMOUS_FILES];
} fleet_args;

/* One option (with its value); 1 when taken, 0 when unknown, EXIT_USAGE on a missing value. */
static int fleet_opt(int argc, char **argv, int *i, fleet_args *a)
{
	static const char *const names[] = {"--store", "--from", "--format", "-f", "--output", "-o",
					    "--group-by", "--since", "--official", "--famous", "--now", "--export"};
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
	default: a->export = val; break;
	}
	return 1;
}

static int fleet(int argc, char **argv)
{
	fleet_args a = {.o = LADING_FLEET_OPTIONS_INIT, .format = "table"};
	lading_ctx *ctx = NULL;
	lading_format fmt;
	char *out = NULL;
	size_t len = 0;
	int rc, ret;

	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			usage(stdout);
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
	if (lading_format_parse(a.format, &fmt) ||
	    (fmt != LADING_FORMAT_TABLE && fmt != LADING_FORMAT_JSON && fmt != LADING_FORMAT_HTML))
		return cli_usage("unknown fleet report format '%s' (table, json, html)", a.format);
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

int cmd_report(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "fleet"))
		return fleet(argc - 1, argv + 1);
	return cli_usage("unknown report '%s' (fleet)", argv[1]);
}

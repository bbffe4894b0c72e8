/* lading census import|report|list: the exposed-service census store (lading/census.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lading census import FILE... [--format auto|shodan|censys|zgrab2|nmap|lading]\n"
		"                                    [--store URL] [-v]\n"
		"       lading census report [--format table|json|html] [-o FILE] [--db FILE]\n"
		"                            [--store URL]\n"
		"       lading census list [--format table|json] [-o FILE] [--store URL]\n"
		"\n"
		"import  add banner records from scan data: Shodan JSON lines (shodan download, .gz\n"
		"        too), Censys host records, zgrab2 JSON lines, nmap XML (-sV -oX), or\n"
		"        'lading probe --format json' output. Bad lines are reported and skipped.\n"
		"report  per product: version spread, share behind the newest known release, share\n"
		"        on versions with known vulnerabilities and known-exploited ones (KEV),\n"
		"        hosts that are possibly backported (a distribution build). Needs the\n"
		"        vulnerability database (--db, as for 'lading scan').\n"
		"list    the stored records\n"
		"\n"
		"The records live in the inventory store (see 'lading inventory'): --store URL, else\n"
		"$LADING_STORE, else $XDG_DATA_HOME/lading/store.sqlite. --census FILE and\n"
		"$LADING_CENSUS are deprecated aliases. A census file of the old format (named, or\n"
		"the old default $XDG_CACHE_HOME/lading/census.sqlite) is imported once, with a\n"
		"message. Exit status: 0 done, 2 usage, 3 error\n"
		"(import: also when a file could not be read at all; the others are imported).\n");
}

/* --census FILE: the deprecated alias of --store */
static bool census_alias(int argc, char **argv, int *i, const char **val)
{
	if (!cli_opt(argc, argv, i, "--census", val))
		return false;
	fprintf(stderr, "lading: --census is deprecated: use --store (the census lives in the inventory store)\n");
	return true;
}

static int store_path(const char *census, char *path, size_t n)
{
	if (census) {
		if ((size_t)snprintf(path, n, "%s", census) >= n)
			return cli_usage("--census path too long");
		return EXIT_OK;
	}
	if (lading_census_default_path(path, n))
		return cli_usage("no store: give --store URL or set LADING_STORE");
	return EXIT_OK;
}

static int do_import(int argc, char **argv)
{
	const char *format = NULL, *census = NULL, *val;
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	size_t nfiles = 0, failed = 0;
	lading_ctx *ctx = NULL;
	char path[4096];
	bool verbose = false;
	int ret = EXIT_OK;

	if (!files)
		return EXIT_ERROR;
	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			usage(stdout);
			goto out;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!val) {
				ret = cli_usage("--format needs a value");
				goto out;
			}
			format = val;
		} else if (cli_opt(argc, argv, &i, "--store", &val) || census_alias(argc, argv, &i, &val)) {
			if (!val) {
				ret = cli_usage("--store needs a URL");
				goto out;
			}
			census = val;
		} else if (cli_flag(argv, i, "-v") || cli_flag(argv, i, "--verbose")) {
			verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ret = cli_usage("unknown option %s", argv[i]);
			goto out;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		ret = cli_usage("census import: name at least one file");
		goto out;
	}
	if ((ret = store_path(census, path, sizeof(path))))
		goto out;
	for (size_t i = 0; i < nfiles; i++) {
		lading_census_import_result res;
		int rc;
		if (lading_ctx_new(&ctx)) {
			ret = EXIT_ERROR;
			goto out;
		}
		rc = lading_census_import(path, files[i], format, &res, ctx);
		if (rc) {
			cli_fail(ctx, rc);
			failed++;
		} else {
			fprintf(stderr, "lading: %s (%s): %llu records imported, %llu skipped, %llu without "
					"a service\n",
				files[i], res.format, (unsigned long long)res.records,
				(unsigned long long)res.skipped, (unsigned long long)res.ignored);
		}
		cli_print_warnings(ctx, verbose);
		lading_ctx_free(ctx);
		ctx = NULL;
	}
	if (failed)
		ret = EXIT_ERROR;
out:
	free(files);
	return ret;
}

static int do_report(int argc, char **argv, bool list)
{
	const char *format = "table", *census = NULL, *db = NULL, *output = NULL, *val;
	lading_ctx *ctx = NULL;
	lading_census *c = NULL;
	lading_census_assessment *a = NULL;
	lading_format fmt;
	char path[4096], dbpath[4096], *out = NULL;
	size_t len = 0;
	int rc, ret = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!val)
				return cli_usage("--format needs a value");
			format = val;
		} else if (cli_opt(argc, argv, &i, "--output", &val) || cli_opt(argc, argv, &i, "-o", &val)) {
			if (!val)
				return cli_usage("-o needs a file name");
			output = val;
		} else if (cli_opt(argc, argv, &i, "--store", &val) || census_alias(argc, argv, &i, &val)) {
			if (!val)
				return cli_usage("--store needs a URL");
			census = val;
		} else if (!list && cli_opt(argc, argv, &i, "--db", &val)) {
			if (!val)
				return cli_usage("--db needs a file");
			db = val;
		} else {
			return cli_usage("unknown argument %s", argv[i]);
		}
	}
	if (lading_format_parse(format, &fmt) ||
	    (fmt != LADING_FORMAT_TABLE && fmt != LADING_FORMAT_JSON && (list || fmt != LADING_FORMAT_HTML)))
		return cli_usage("unknown census %s format '%s' (%s)", list ? "list" : "report", format,
				 list ? "table, json" : "table, json, html");
	if ((ret = store_path(census, path, sizeof(path))))
		return ret;
	if (db)
		snprintf(dbpath, sizeof(dbpath), "%s", db);
	else if (!list && lading_db_default_path(dbpath, sizeof(dbpath)))
		return cli_usage("no database path: give --db FILE or set LADING_DB");
	if (lading_ctx_new(&ctx))
		return EXIT_ERROR;
	if ((rc = lading_census_load(&c, path, ctx))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	cli_print_warnings(ctx, true); /* an old census file imported */
	if (list) {
		rc = lading_census_records_write(&out, &len, ctx, c, fmt);
	} else if (!(rc = lading_census_assess(&a, ctx, c, dbpath))) {
		rc = lading_census_assessment_write(&out, &len, ctx, a, fmt);
	} else if (rc == LADING_ENOTFOUND) {
		fprintf(stderr, "lading: no vulnerability database at %s: build one with 'lading db build "
				"--mirror DIR' or 'lading db update', or point --db at one\n",
			dbpath);
		ret = EXIT_ERROR;
		goto out;
	}
	if (rc) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	ret = cli_write_output(output, out, len);
out:
	free(out);
	lading_census_assessment_free(a);
	lading_census_free(c);
	lading_ctx_free(ctx);
	return ret;
}

int cmd_census(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "import"))
		return do_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return do_report(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "list"))
		return do_report(argc - 1, argv + 1, true);
	usage(stderr);
	return cli_usage("unknown census command '%s' (import, report, list)", argv[1]);
}

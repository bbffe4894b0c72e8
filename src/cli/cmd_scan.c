/* lading scan IMAGE: inventory + vulnerability findings, reports, and CI gates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_VEX 64
#define DB_STALE_SECONDS (7 * 24 * 3600)

static int run_scan(int argc, char **argv);

#define SEVERITIES "unknown low medium high critical"

static const cli_option scan_options[] = {
	{"--db", NULL, "FILE",
	 "vulnerability database (default: $LADING_DB, else\n"
	 "$XDG_CACHE_HOME/lading/db.sqlite, else ~/.cache/lading/db.sqlite)",
	 CLI_C_FILE, NULL},
	{"--mirror", NULL, "DIR",
	 "with no database yet, build it from DIR (also $LADING_MIRROR);\n"
	 "without one, the first scan runs 'lading db update'",
	 CLI_C_DIR, NULL},
	{"--format", "-f", "F", "table (default), json, sarif, cyclonedx, html", CLI_C_WORDS,
	 "table json sarif cyclonedx html"},
	{"--output", "-o", "FILE", "write the report to FILE instead of standard output", CLI_C_FILE,
	 NULL},
	{"--severity", NULL, "LIST", "report only these severities (e.g. critical,high)", CLI_C_WORDS,
	 SEVERITIES},
	{"--ignore-unfixed", NULL, NULL, "drop findings that have no fixed version yet", CLI_C_NONE,
	 NULL},
	{"--fail-on", NULL, "SEV",
	 "exit 1 when a reported finding is at SEV or above\n"
	 "(unknown, low, medium, high, critical; unknown fails on any)",
	 CLI_C_WORDS, SEVERITIES},
	{"--fail-on-kev", NULL, NULL, "exit 1 when a reported finding is known exploited (CISA KEV)",
	 CLI_C_NONE, NULL},
	{"--ignore-file", NULL, "F", "lines 'ID [package] [until YYYY-MM-DD] [# reason]'", CLI_C_FILE,
	 NULL},
	{"--vex", NULL, "F", "OpenVEX or CycloneDX VEX: not_affected/fixed statements suppress",
	 CLI_C_FILE, NULL},
	{"--include-os-managed", NULL, NULL,
	 "also match language packages that OS packages installed\n"
	 "against their language's feed (default: the distribution's feed only)",
	 CLI_C_NONE, NULL},
	{"--sbom", NULL, "FILE",
	 "scan an SBOM instead of an image (CycloneDX, SPDX or lading\n"
	 "JSON; '-' reads standard input): the same as IMAGE sbom:FILE",
	 CLI_C_FILE, NULL},
	{"--platform", NULL, "P", "platform to pick from a multi-platform index (default linux/amd64)",
	 CLI_C_WORDS, "linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x"},
	{"--files", NULL, NULL, "include the files each package owns (json, cyclonedx)", CLI_C_NONE,
	 NULL},
	{"--verbose", "-v", NULL, "print every warning and the matching notes", CLI_C_NONE, NULL},
	CLI_QUIET_OPTION,
	CLI_IMAGE_OPTIONS,
	{0},
};

const cli_command cli_cmd_scan = {
	.name = "scan",
	.summary = "find known vulnerabilities in an image",
	.synopsis = "IMAGE|sbom:FILE|--sbom FILE [--db FILE] [--mirror DIR] [--format table|json|sarif|cyclonedx|html]\n"
		    " [-o FILE] [--severity LIST] [--ignore-unfixed] [--fail-on SEVERITY]\n"
		    " [--fail-on-kev] [--ignore-file FILE] [--vex FILE ...] [--platform P]\n"
		    " [--include-os-managed] [-v] [-q]\n"
		    " [--username USER --password-stdin] [--insecure] [--no-cache]",
	.description = "IMAGE as for 'lading sbom' (see lading(1)). sbom:FILE (or --sbom FILE) matches an\n"
		       "SBOM document instead: CycloneDX 1.2-1.6 JSON, SPDX 2.2/2.3 JSON or lading's JSON,\n"
		       "as 'trivy sbom' and grype's sbom: do (docs/sbom-input.md).",
	.options = scan_options,
	.notes = "Exit status: 0 no policy violated, 1 a --fail-on/--fail-on-kev policy violated,\n"
		 "2 usage, 3 error.",
	.operands = CLI_C_IMAGE,
	.run = run_scan,
};

static int parse_severities(const char *list, unsigned *mask)
{
	char buf[256];
	char *save = NULL, *tok;
	if (strlen(list) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", list);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		lading_severity s;
		if (lading_severity_parse(tok, &s))
			return -1;
		*mask |= 1u << s;
	}
	return *mask ? 0 : -1;
}

/* Match against the database. First use gets one as Trivy does (cli_ensure_db: from a mirror
 * when one is given, else online); a database of another schema version (an older lading wrote
 * it) is replaced the same way, atomically, and the match run again. */
static int match(lading_ctx *ctx, const char *dbpath, const char *mirror, lading_sbom *sbom,
		 const lading_scan_options *sopts, lading_scan **scan)
{
	int rc;
	if (cli_ensure_db(ctx, dbpath, mirror, false))
		return EXIT_ERROR;
	rc = lading_scan_run(scan, ctx, sbom, sopts);
	if (rc == LADING_EUNSUPPORTED) { /* a database of another schema version (scan.h) */
		if (cli_ensure_db(ctx, dbpath, mirror, true))
			return EXIT_ERROR;
		rc = lading_scan_run(scan, ctx, sbom, sopts);
	}
	return rc ? cli_fail(ctx, rc) : EXIT_OK;
}

/* What the user should know besides the report: an old database, expired ignore entries, notes. */
static void print_notices(const lading_scan *scan, bool verbose)
{
	if (lading_scan_db_age(scan) > DB_STALE_SECONDS)
		fprintf(stderr, "lading: warning: the vulnerability database is %lld days old; run 'lading db update'\n",
			(long long)(lading_scan_db_age(scan) / 86400));
	for (size_t i = 0; i < lading_scan_expired_count(scan); i++)
		cli_eprint("lading: warning: ignore entry expired and no longer applies: ", lading_scan_expired(scan, i));
	for (size_t i = 0; verbose && i < lading_scan_note_count(scan); i++)
		cli_eprint("lading: note: ", lading_scan_note(scan, i));
}

static int run_scan(int argc, char **argv)
{
	const char *db = NULL, *val;
	const char *mirror = getenv("LADING_MIRROR");
	const char *vex[MAX_VEX];
	cli_image_args a;
	lading_scan_options sopts = LADING_SCAN_OPTIONS_INIT;
	lading_format fmt;
	lading_ctx *ctx = NULL;
	lading_image *img = NULL;
	lading_sbom *sbom = NULL;
	lading_scan *scan = NULL;
	char dbpath[4096], sbomref[4096 + 8], *out = NULL;
	size_t len = 0, nvex = 0;
	int fail_on = -1, fail_on_kev = 0, rc, ret = EXIT_OK;

	cli_image_args_init(&a);
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--db", &val)) {
			if (!val)
				return cli_usage("--db needs a file");
			db = val;
		} else if (cli_opt(argc, argv, &i, "--mirror", &val)) {
			if (!val)
				return cli_usage("--mirror needs a directory");
			mirror = val;
		} else if (cli_opt(argc, argv, &i, "--sbom", &val)) {
			if (!val)
				return cli_usage("--sbom needs a file");
			if (a.image)
				return cli_usage("more than one image given ('%s' and --sbom %s)", a.image, val);
			snprintf(sbomref, sizeof(sbomref), "sbom:%s", val);
			a.image = sbomref;
		} else if (cli_opt(argc, argv, &i, "--severity", &val)) {
			if (!val || parse_severities(val, &sopts.severities))
				return cli_usage("--severity takes a list of unknown, low, medium, high, critical");
		} else if (cli_flag(argv, i, "--ignore-unfixed")) {
			sopts.ignore_unfixed = 1;
		} else if (cli_flag(argv, i, "--include-os-managed")) {
			sopts.include_os_managed = 1;
		} else if (cli_opt(argc, argv, &i, "--fail-on", &val)) {
			lading_severity s;
			if (!val || lading_severity_parse(val, &s))
				return cli_usage("--fail-on takes unknown, low, medium, high or critical");
			fail_on = (int)s;
		} else if (cli_flag(argv, i, "--fail-on-kev")) {
			fail_on_kev = 1;
		} else if (cli_opt(argc, argv, &i, "--ignore-file", &val)) {
			if (!val)
				return cli_usage("--ignore-file needs a file");
			sopts.ignore_file = val;
		} else if (cli_opt(argc, argv, &i, "--vex", &val)) {
			if (!val)
				return cli_usage("--vex needs a file");
			if (nvex >= MAX_VEX)
				return cli_usage("at most %d --vex files", MAX_VEX);
			vex[nvex++] = val;
		} else if ((rc = cli_image_arg(argc, argv, &i, &cli_cmd_scan, &a)) != CLI_ARG_TAKEN) {
			return rc;
		}
	}
	if ((rc = cli_image_args_check(&a, &cli_cmd_scan, LADING_REPORT_SCAN, "scan", &fmt)))
		return rc;
	if (db)
		snprintf(dbpath, sizeof(dbpath), "%s", db);
	else if (lading_db_default_path(dbpath, sizeof(dbpath)))
		return cli_usage("no database path: give --db FILE or set LADING_DB");
	sopts.db_path = dbpath;
	sopts.vex_files = vex;
	sopts.vex_count = nvex;
	sopts.today = getenv("LADING_TODAY"); /* tests pin the date for ignore-file expiry */
	if ((ret = cli_open_sbom(&a, &ctx, &img, &sbom)) != EXIT_OK)
		goto out;
	if ((ret = match(ctx, dbpath, mirror, sbom, &sopts, &scan)) != EXIT_OK)
		goto out;
	print_notices(scan, a.verbose);
	if ((rc = lading_scan_report(&out, &len, ctx, scan, fmt, &a.ropts))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	ret = cli_write_output(a.output, out, len);
	cli_print_warnings(ctx, a.verbose);
	if (ret == EXIT_OK && lading_scan_violates(scan, fail_on, fail_on_kev))
		ret = EXIT_POLICY;
out:
	free(out);
	lading_scan_free(scan);
	lading_sbom_free(sbom);
	lading_image_free(img);
	lading_ctx_free(ctx);
	return ret;
}

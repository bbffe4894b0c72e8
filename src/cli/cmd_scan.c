/* lading scan IMAGE: inventory + vulnerability findings, reports, and CI gates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	.synopsis = "IMAGE [--db FILE] [--mirror DIR] [--format table|json|sarif|cyclonedx|html]\n"
		    " [-o FILE] [--severity LIST] [--ignore-unfixed] [--fail-on SEVERITY]\n"
		    " [--fail-on-kev] [--ignore-file FILE] [--vex FILE ...] [--platform P]\n"
		    " [--include-os-managed] [-v] [-q]\n"
		    " [--username USER --password-stdin] [--insecure] [--no-cache]",
	.description = "IMAGE as for 'lading sbom' (see lading(1)).",
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

/* First use: get a database as Trivy does, from a mirror when one is given, else online. With
 * `stale`, the database is there but of another schema version (an older lading wrote it): it is
 * replaced the same way (the update is atomic; the old file stays until the new one is done). */
static int ensure_db(lading_ctx *ctx, const char *db, const char *mirror, bool stale)
{
	lading_db_options o = LADING_DB_OPTIONS_INIT;
	lading_db_report *rep = NULL;
	struct stat st;
	int rc;
	if (!stale && stat(db, &st) == 0)
		return 0;
	o.db_path = db;
	if (stale)
		fprintf(stderr, "lading: the vulnerability database at %s has another schema version: replacing it\n", db);
	if (mirror) {
		fprintf(stderr, "lading: %s at %s%s; building it from %s\n", stale ? "rebuilding the database" : "no vulnerability database",
			db, stale ? "" : " yet", mirror);
		o.mirror = mirror;
		rc = lading_db_build(&o, &rep, ctx);
	} else {
		fprintf(stderr, "lading: %s at %s%s; downloading the feeds (lading db update)\n",
			stale ? "rebuilding the database" : "no vulnerability database", db, stale ? "" : " yet");
		o.retries = 1; /* first use: an offline machine should hear so soon, not after minutes */
		rc = lading_db_update(&o, &rep, ctx);
	}
	cli_progress_done();
	if (rep) {
		size_t ok = 0;
		for (size_t i = 0; i < rep->nfeeds; i++)
			ok += !strcmp(rep->feeds[i].status, "ok");
		if (!ok) {
			/* a database without a single feed would report every image clean */
			if (!rc)
				rc = -1;
			if (!stale)
				unlink(db);
		} else if (rep->failed) {
			fprintf(stderr, "lading: warning: %zu feed(s) could not be read; see 'lading db info'\n", rep->failed);
		}
	}
	lading_db_report_free(rep);
	if (rc || stat(db, &st) != 0) {
		cli_eprint("lading: ", lading_ctx_error(ctx)->msg[0] ? lading_ctx_error(ctx)->msg : "no feed could be downloaded");
		fprintf(stderr, "lading: there is no vulnerability database at %s and none could be obtained; build one with "
				"'lading db build --mirror DIR' (offline, from a copy of the feeds) or 'lading db update', or "
				"point --db / LADING_DB at an existing one\n",
			db);
		return -1;
	}
	return 0;
}

/* The command line of a scan. */
typedef struct scan_args {
	const char *image, *format, *output, *platform, *db, *mirror;
	const char *vex[MAX_VEX];
	size_t nvex;
	lading_image_options iopts;
	cli_image_opts regopts;
	lading_report_options ropts;
	lading_scan_options sopts;
	lading_format fmt;
	char dbpath[4096];
	int fail_on, fail_on_kev;
	bool verbose;
} scan_args;

/* The options and the image operand: 0, -1 when help was printed, else an exit status. */
static int parse_args(scan_args *a, int argc, char **argv)
{
	const char *val;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_scan);
			return -1;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!val)
				return cli_usage("--format needs a value");
			a->format = val;
		} else if (cli_opt(argc, argv, &i, "--output", &val) || cli_opt(argc, argv, &i, "-o", &val)) {
			if (!val)
				return cli_usage("-o needs a file name");
			a->output = val;
		} else if (cli_opt(argc, argv, &i, "--db", &val)) {
			if (!val)
				return cli_usage("--db needs a file");
			a->db = val;
		} else if (cli_opt(argc, argv, &i, "--mirror", &val)) {
			if (!val)
				return cli_usage("--mirror needs a directory");
			a->mirror = val;
		} else if (cli_opt(argc, argv, &i, "--platform", &val)) {
			if (!val)
				return cli_usage("--platform needs a value");
			a->platform = val;
		} else if (cli_opt(argc, argv, &i, "--severity", &val)) {
			if (!val || parse_severities(val, &a->sopts.severities))
				return cli_usage("--severity takes a list of unknown, low, medium, high, critical");
		} else if (cli_flag(argv, i, "--ignore-unfixed")) {
			a->sopts.ignore_unfixed = 1;
		} else if (cli_flag(argv, i, "--include-os-managed")) {
			a->sopts.include_os_managed = 1;
		} else if (cli_opt(argc, argv, &i, "--fail-on", &val)) {
			lading_severity s;
			if (!val || lading_severity_parse(val, &s))
				return cli_usage("--fail-on takes unknown, low, medium, high or critical");
			a->fail_on = (int)s;
		} else if (cli_flag(argv, i, "--fail-on-kev")) {
			a->fail_on_kev = 1;
		} else if (cli_opt(argc, argv, &i, "--ignore-file", &val)) {
			if (!val)
				return cli_usage("--ignore-file needs a file");
			a->sopts.ignore_file = val;
		} else if (cli_opt(argc, argv, &i, "--vex", &val)) {
			if (!val)
				return cli_usage("--vex needs a file");
			if (a->nvex >= MAX_VEX)
				return cli_usage("at most %d --vex files", MAX_VEX);
			a->vex[a->nvex++] = val;
		} else if (cli_flag(argv, i, "--files")) {
			a->ropts.with_files = 1;
		} else if (cli_flag(argv, i, "-v") || cli_flag(argv, i, "--verbose")) {
			a->verbose = true;
		} else if (cli_flag(argv, i, "-q") || cli_flag(argv, i, "--quiet")) {
			cli_quiet = true;
		} else if ((rc = cli_image_flag(argc, argv, &i, &a->regopts)) != 0) {
			if (rc != 1)
				return rc;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_help(stderr, &cli_cmd_scan);
			return cli_usage("unknown option %s", argv[i]);
		} else if (!a->image) {
			a->image = argv[i];
		} else {
			return cli_usage("more than one image given ('%s' and '%s')", a->image, argv[i]);
		}
	}
	return 0;
}

/* The image is given, the format is one of a scan's, the database has a path; the scan's options. */
static int check_args(scan_args *a)
{
	if (!a->image) {
		cli_help(stderr, &cli_cmd_scan);
		return EXIT_USAGE;
	}
	if (lading_format_parse(a->format, &a->fmt) || a->fmt == LADING_FORMAT_SPDX)
		return cli_usage("unknown scan format '%s' (table, json, sarif, cyclonedx, html)", a->format);
	if (a->db)
		snprintf(a->dbpath, sizeof(a->dbpath), "%s", a->db);
	else if (lading_db_default_path(a->dbpath, sizeof(a->dbpath)))
		return cli_usage("no database path: give --db FILE or set LADING_DB");
	a->sopts.db_path = a->dbpath;
	a->sopts.vex_files = a->vex;
	a->sopts.vex_count = a->nvex;
	a->sopts.today = getenv("LADING_TODAY"); /* tests pin the date for ignore-file expiry */
	return 0;
}

/* Open the image and build its inventory (the registry password is wiped once it is open). */
static int inventory(scan_args *a, lading_ctx *ctx, lading_image **img, lading_sbom **sbom)
{
	int rc;

	a->iopts.platform = a->platform;
	rc = lading_image_open(img, ctx, a->image, &a->iopts);
	cli_image_release(&a->regopts); /* the password is not needed after opening */
	if (rc)
		return cli_fail(ctx, rc);
	rc = lading_sbom_build(sbom, ctx, *img, NULL);
	cli_progress_done();
	return rc ? cli_fail(ctx, rc) : EXIT_OK;
}

/* Match against the database, getting it first when there is none or it is of another schema. */
static int match(const scan_args *a, lading_ctx *ctx, lading_sbom *sbom, lading_scan **scan)
{
	int rc;

	if (ensure_db(ctx, a->dbpath, a->mirror, false))
		return EXIT_ERROR;
	rc = lading_scan_run(scan, ctx, sbom, &a->sopts);
	if (rc == LADING_EUNSUPPORTED) { /* a database of another schema version (scan.h) */
		if (ensure_db(ctx, a->dbpath, a->mirror, true))
			return EXIT_ERROR;
		rc = lading_scan_run(scan, ctx, sbom, &a->sopts);
	}
	return rc ? cli_fail(ctx, rc) : EXIT_OK;
}

/* Warnings, the report, and the exit status the policy gives. */
static int report(const scan_args *a, lading_ctx *ctx, lading_scan *scan)
{
	char *out = NULL;
	size_t len = 0;
	int rc, ret;

	if (lading_scan_db_age(scan) > DB_STALE_SECONDS)
		fprintf(stderr, "lading: warning: the vulnerability database is %lld days old; run 'lading db update'\n",
			(long long)(lading_scan_db_age(scan) / 86400));
	for (size_t i = 0; i < lading_scan_expired_count(scan); i++)
		cli_eprint("lading: warning: ignore entry expired and no longer applies: ", lading_scan_expired(scan, i));
	for (size_t i = 0; a->verbose && i < lading_scan_note_count(scan); i++)
		cli_eprint("lading: note: ", lading_scan_note(scan, i));
	if ((rc = lading_scan_report(&out, &len, ctx, scan, a->fmt, &a->ropts)))
		return cli_fail(ctx, rc);
	ret = cli_write_output(a->output, out, len);
	free(out);
	cli_print_warnings(ctx, a->verbose);
	if (ret == EXIT_OK && lading_scan_violates(scan, a->fail_on, a->fail_on_kev))
		ret = EXIT_POLICY;
	return ret;
}

static int run_scan(int argc, char **argv)
{
	scan_args a = {.format = "table",
		       .mirror = getenv("LADING_MIRROR"),
		       .iopts = LADING_IMAGE_OPTIONS_INIT,
		       .ropts = LADING_REPORT_OPTIONS_INIT,
		       .sopts = LADING_SCAN_OPTIONS_INIT,
		       .fail_on = -1};
	lading_ctx *ctx = NULL;
	lading_image *img = NULL;
	lading_sbom *sbom = NULL;
	lading_scan *scan = NULL;
	int rc, ret;

	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = check_args(&a)) != 0)
		return rc;
	if ((rc = cli_image_apply(&a.regopts, &a.iopts)) != 0) {
		cli_image_release(&a.regopts);
		return rc;
	}
	if (lading_ctx_new(&ctx)) {
		cli_image_release(&a.regopts);
		fprintf(stderr, "lading: out of memory\n");
		return EXIT_ERROR;
	}
	cli_image_ctx(&a.regopts, ctx);
	cli_progress_install(ctx);
	ret = inventory(&a, ctx, &img, &sbom);
	if (ret == EXIT_OK)
		ret = match(&a, ctx, sbom, &scan);
	if (ret == EXIT_OK)
		ret = report(&a, ctx, scan);
	lading_scan_free(scan);
	lading_sbom_free(sbom);
	lading_image_free(img);
	lading_ctx_free(ctx);
	return ret;
}

/* lading vercmp SCHEME A B: compare two versions with an ecosystem's rules, print <, = or >. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

static int run_vercmp(int argc, char **argv);

static const cli_option vercmp_options[] = {
	{"--ecosystem", NULL, NULL,
	 "SCHEME is an advisory ecosystem (\"Debian:12\", \"Alpine:v3.20\", \"PyPI\");\n"
	 "unknown ones use the generic rules.",
	 CLI_C_NONE, NULL},
	{"--valid", NULL, NULL, "print 'valid' or 'invalid' for V (exit 0 either way).", CLI_C_NONE,
	 NULL},
	{"--batch", NULL, NULL,
	 "read 'A<TAB>B' lines from standard input, print one result per line\n"
	 "(with --valid: one version per line, print valid or invalid).",
	 CLI_C_NONE, NULL},
	{0},
};

const cli_command cli_cmd_vercmp = {
	.name = "vercmp",
	.summary = "compare two versions with an ecosystem's rules",
	.synopsis = "[--ecosystem] SCHEME A B\n"
		    "--valid SCHEME V\n"
		    "--batch SCHEME < PAIRS",
	.description = "Prints '<', '=' or '>' for A against B under SCHEME's ordering rules.\n"
		       "SCHEME: deb apk rpm semver go pypi maven gem nuget generic, or an alias\n"
		       "        (dpkg debian alpine npm cargo crates.io composer rubygems python ...).",
	.options = vercmp_options,
	.operands = CLI_C_WORDS,
	.operand_words = "deb apk rpm semver go pypi maven gem nuget generic",
	.run = run_vercmp,
};

/* One comparison per input line "A\tB"; output is line-buffered in bulk for speed. */
static int batch(const char *scheme, bool valid)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rc = EXIT_OK;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char *tab;
		int r;
		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (valid) {
			int ok = 0;
			if (memchr(line, '\0', (size_t)n) ||
			    lading_version_valid(scheme, line, &ok)) {
				rc = cli_usage("vercmp --batch --valid: line %lu: bad input",
					       lineno);
				break;
			}
			fputs(ok ? "valid\n" : "invalid\n", stdout);
			continue;
		}
		tab = memchr(line, '\t', (size_t)n);
		if (!tab || memchr(line, '\0', (size_t)n)) {
			rc = cli_usage("vercmp --batch: line %lu: expected A<TAB>B", lineno);
			break;
		}
		*tab = '\0';
		if (lading_version_compare(scheme, line, tab + 1, &r)) {
			rc = cli_usage("vercmp: bad arguments");
			break;
		}
		fputs(r < 0 ? "<\n" : r > 0 ? ">\n" : "=\n", stdout);
	}
	free(line);
	if (fflush(stdout) != 0)
		return EXIT_ERROR;
	return rc;
}

static int run_vercmp(int argc, char **argv)
{
	const char *scheme, *pos[3];
	bool eco = false, valid = false, bulk = false;
	int npos = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cli_help(stdout, &cli_cmd_vercmp);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--ecosystem")) {
			eco = true;
			continue;
		}
		if (!strcmp(argv[i], "--valid")) {
			valid = true;
			continue;
		}
		if (!strcmp(argv[i], "--batch")) {
			bulk = true;
			continue;
		}
		if (!strcmp(argv[i], "--")) {
			/* the rest are positional, even if they start with '-' */
			for (i++; i < argc; i++) {
				if (npos == 3)
					return cli_usage("vercmp: too many arguments (see 'lading "
							 "vercmp --help')");
				pos[npos++] = argv[i];
			}
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] && npos == 0)
			return cli_usage("vercmp: unknown option '%s' (see 'lading vercmp --help')",
					 argv[i]);
		if (npos == 3)
			return cli_usage("vercmp: too many arguments (see 'lading vercmp --help')");
		pos[npos++] = argv[i];
	}
	if (npos != (bulk ? 1 : valid ? 2 : 3)) {
		cli_help(stderr, &cli_cmd_vercmp);
		return cli_usage(
		    bulk    ? "vercmp --batch: expected SCHEME only (pairs come on standard input)"
		    : valid ? "vercmp --valid: expected SCHEME and one version"
			    : "vercmp: expected SCHEME and two versions");
	}
	scheme = eco ? lading_version_scheme_for_ecosystem(pos[0]) : pos[0];
	if (!lading_version_scheme_name(scheme))
		return cli_usage(
		    "vercmp: unknown scheme '%s' (one of deb apk rpm semver go pypi maven "
		    "gem nuget generic, or an alias such as dpkg, npm, rubygems)",
		    scheme);
	if (bulk)
		return batch(scheme, valid);
	if (valid) {
		int ok = 0;
		if (lading_version_valid(scheme, pos[1], &ok))
			return cli_usage("vercmp: bad arguments");
		puts(ok ? "valid" : "invalid");
		return EXIT_OK;
	}
	if (lading_version_compare(scheme, pos[1], pos[2], &r))
		return cli_usage("vercmp: bad arguments");
	puts(r < 0 ? "<" : r > 0 ? ">" : "=");
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

/* lading vercmp SCHEME A B: compare two versions with an ecosystem's rules, print <, = or >. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lading vercmp [--ecosystem] SCHEME A B\n"
		"       lading vercmp --valid SCHEME V\n"
		"\n"
		"Prints '<', '=' or '>' for A against B under SCHEME's ordering rules.\n"
		"SCHEME: deb apk rpm semver go pypi maven gem nuget generic, or an alias\n"
		"        (dpkg debian alpine npm cargo crates.io composer rubygems python ...).\n"
		"--ecosystem  SCHEME is an advisory ecosystem (\"Debian:12\", \"Alpine:v3.20\", \"PyPI\");\n"
		"             unknown ones use the generic rules.\n"
		"--valid      print 'valid' or 'invalid' for V (exit 0 either way).\n");
}

int cmd_vercmp(int argc, char **argv)
{
	const char *scheme, *pos[3];
	bool eco = false, valid = false;
	int npos = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
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
		if (!strcmp(argv[i], "--")) {
			/* the rest are positional, even if they start with '-' */
			for (i++; i < argc; i++) {
				if (npos == 3)
					return cli_usage("vercmp: too many arguments (see 'lading vercmp --help')");
				pos[npos++] = argv[i];
			}
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] && npos == 0)
			return cli_usage("vercmp: unknown option '%s' (see 'lading vercmp --help')", argv[i]);
		if (npos == 3)
			return cli_usage("vercmp: too many arguments (see 'lading vercmp --help')");
		pos[npos++] = argv[i];
	}
	if (npos != (valid ? 2 : 3)) {
		usage(stderr);
		return cli_usage(valid ? "vercmp --valid: expected SCHEME and one version"
				       : "vercmp: expected SCHEME and two versions");
	}
	scheme = eco ? lading_version_scheme_for_ecosystem(pos[0]) : pos[0];
	if (!lading_version_scheme_name(scheme))
		return cli_usage("vercmp: unknown scheme '%s' (one of deb apk rpm semver go pypi maven "
				 "gem nuget generic, or an alias such as dpkg, npm, rubygems)",
				 scheme);
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

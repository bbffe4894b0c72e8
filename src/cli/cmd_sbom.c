/* lading sbom IMAGE: list what is inside an image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run_sbom(int argc, char **argv);

static const cli_option sbom_options[] = {
	{"--format", "-f", "F", "output format (default table)", CLI_C_WORDS,
	 "table json cyclonedx spdx"},
	{"--output", "-o", "FILE", "write the report to FILE instead of standard output", CLI_C_FILE,
	 NULL},
	{"--platform", NULL, "P", "platform to pick from a multi-platform index (default linux/amd64)",
	 CLI_C_WORDS, "linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x"},
	{"--files", NULL, NULL, "include the files each package owns (json, cyclonedx, spdx)",
	 CLI_C_NONE, NULL},
	{"--verbose", "-v", NULL, "print every warning (malformed entries skipped)", CLI_C_NONE, NULL},
	CLI_QUIET_OPTION,
	CLI_IMAGE_OPTIONS,
	{0},
};

const cli_command cli_cmd_sbom = {
	.name = "sbom",
	.summary = "list what is inside an image (packages, OS, layers)",
	.synopsis = "IMAGE [--format table|json|cyclonedx|spdx] [-o FILE]\n"
		    " [--platform OS/ARCH[/VARIANT]] [--files] [-v] [-q]\n"
		    " [--username USER --password-stdin] [--insecure] [--no-cache]",
	.description = "IMAGE: docker-archive:FILE[:TAG], oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:PATH,\n"
		       "       rootfs-tar:FILE, a path (its kind is detected), or a registry image\n"
		       "       [REGISTRY/]REPO[:TAG|@sha256:DIGEST] (also as registry:REF or docker://REF)",
	.options = sbom_options,
	.notes = "Exit status: 0 done, 2 usage, 3 error.",
	.operands = CLI_C_IMAGE,
	.run = run_sbom,
};

static int run_sbom(int argc, char **argv)
{
	const char *image = NULL, *format = "table", *output = NULL, *platform = NULL, *val;
	lading_image_options iopts = LADING_IMAGE_OPTIONS_INIT;
	cli_image_opts regopts = {0};
	lading_report_options ropts = LADING_REPORT_OPTIONS_INIT;
	lading_format fmt;
	char names[128];
	lading_ctx *ctx = NULL;
	lading_image *img = NULL;
	lading_sbom *sbom = NULL;
	char *out = NULL;
	size_t len = 0;
	bool verbose = false;
	int rc, ret = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_sbom);
			return EXIT_OK;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!val)
				return cli_usage("--format needs a value");
			format = val;
		} else if (cli_opt(argc, argv, &i, "--output", &val) || cli_opt(argc, argv, &i, "-o", &val)) {
			if (!val)
				return cli_usage("-o needs a file name");
			output = val;
		} else if (cli_opt(argc, argv, &i, "--platform", &val)) {
			if (!val)
				return cli_usage("--platform needs a value");
			platform = val;
		} else if (cli_flag(argv, i, "--files")) {
			ropts.with_files = 1;
		} else if (cli_flag(argv, i, "-v") || cli_flag(argv, i, "--verbose")) {
			verbose = true;
		} else if (cli_flag(argv, i, "-q") || cli_flag(argv, i, "--quiet")) {
			cli_quiet = true;
		} else if ((rc = cli_image_flag(argc, argv, &i, &regopts)) != 0) {
			if (rc != 1)
				return rc;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_help(stderr, &cli_cmd_sbom);
			return cli_usage("unknown option %s", argv[i]);
		} else if (!image) {
			image = argv[i];
		} else {
			return cli_usage("more than one image given ('%s' and '%s')", image, argv[i]);
		}
	}
	if (!image) {
		cli_help(stderr, &cli_cmd_sbom);
		return EXIT_USAGE;
	}
	if (lading_format_for(LADING_REPORT_SBOM, format, &fmt)) {
		lading_format_names(LADING_REPORT_SBOM, names, sizeof(names));
		return cli_usage("unknown sbom format '%s' (%s)", format, names);
	}
	if ((ret = cli_open_sbom(image, platform, &regopts, &iopts, &ctx, &img, &sbom)) != EXIT_OK)
		goto out;
	if ((rc = lading_sbom_report(&out, &len, ctx, sbom, fmt, &ropts))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	ret = cli_write_output(output, out, len);
	cli_print_warnings(ctx, verbose);
out:
	free(out);
	lading_sbom_free(sbom);
	lading_image_free(img);
	lading_ctx_free(ctx);
	return ret;
}

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
		       "       [REGISTRY/]REPO[:TAG|@sha256:DIGEST] (also as registry:REF or docker://REF),\n"
		       "       docker:NAME, or sbom:FILE, an SBOM document (CycloneDX, SPDX or lading JSON)\n"
		       "       read back, e.g. to convert it to another format",
	.options = sbom_options,
	.notes = "Exit status: 0 done, 2 usage, 3 error.",
	.operands = CLI_C_IMAGE,
	.run = run_sbom,
};

static int run_sbom(int argc, char **argv)
{
	cli_image_args a;
	lading_format fmt;
	lading_ctx *ctx = NULL;
	lading_image *img = NULL;
	lading_sbom *sbom = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc, ret = EXIT_OK;

	cli_image_args_init(&a);
	for (int i = 1; i < argc; i++)
		if ((rc = cli_image_arg(argc, argv, &i, &cli_cmd_sbom, &a)) != CLI_ARG_TAKEN)
			return rc;
	if ((rc = cli_image_args_check(&a, &cli_cmd_sbom, LADING_REPORT_SBOM, "sbom", &fmt)))
		return rc;
	if ((ret = cli_open_sbom(&a, &ctx, &img, &sbom)) != EXIT_OK)
		goto out;
	if ((rc = lading_sbom_report(&out, &len, ctx, sbom, fmt, &a.ropts))) {
		ret = cli_fail(ctx, rc);
		goto out;
	}
	ret = cli_write_output(a.output, out, len);
	cli_print_warnings(ctx, a.verbose);
out:
	free(out);
	lading_sbom_free(sbom);
	lading_image_free(img);
	lading_ctx_free(ctx);
	return ret;
}

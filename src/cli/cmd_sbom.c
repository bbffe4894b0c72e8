#include <stdio.h>

#include "cli.h"

int cmd_sbom(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lading: 'sbom' is not built yet\n");
	return EXIT_ERROR;
}

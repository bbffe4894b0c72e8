#include <stdio.h>

#include "cli.h"

int cmd_vercmp(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lading: 'vercmp' is not built yet\n");
	return EXIT_ERROR;
}

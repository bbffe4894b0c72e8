#include <stdio.h>

#include "cli.h"

int cmd_scan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lading: 'scan' is not built yet\n");
	return EXIT_ERROR;
}

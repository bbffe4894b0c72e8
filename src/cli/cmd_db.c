#include <stdio.h>

#include "cli.h"

int cmd_db(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lading: 'db' is not built yet\n");
	return EXIT_ERROR;
}

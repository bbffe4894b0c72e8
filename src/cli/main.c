/* lading CLI: a thin layer over liblading's public API. The commands are in the table of
 * commands.c; each is one cmd_<name>.c. */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_dispatch(argc, argv);
}

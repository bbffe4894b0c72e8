/* Shared helpers of the CLI commands. The CLI uses only the public API (include/lading). */
#ifndef LADING_CLI_H
#define LADING_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "lading/lading.h"

/* Exit codes (documented in README and docs/cli.md). */
enum { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_USAGE = 2, EXIT_ERROR = 3 };

/* Print "lading: <msg>" for the context's error and return EXIT_ERROR. */
int cli_fail(lading_ctx *ctx, int rc);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_warnings(lading_ctx *ctx, bool verbose);
/* Write a buffer to -o FILE (atomically: temp + rename) or stdout. */
int cli_write_output(const char *path, const char *data, size_t len);
/* Progress bar on stderr when it is a terminal. */
void cli_progress_install(lading_ctx *ctx);
void cli_progress_done(void);

/* Option scanning: returns true when argv[*i] is `name` (with its value in *val for options
 * taking one, either "--name VALUE" or "--name=VALUE"). */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **val);
bool cli_flag(char **argv, int i, const char *name);

int cmd_sbom(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_vercmp(int argc, char **argv);
int cmd_honeypot(int argc, char **argv);

#endif

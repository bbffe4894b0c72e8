/* Shared helpers of the CLI commands. The CLI uses only the public API (include/lading). */
#ifndef LADING_CLI_H
#define LADING_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lading/lading.h"

/* Exit codes (documented in README and docs/cli.md). */
enum { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_USAGE = 2, EXIT_ERROR = 3 };

/* Print "lading: <msg>" for the context's error and return EXIT_ERROR. */
int cli_fail(lading_ctx *ctx, int rc);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_warnings(lading_ctx *ctx, bool verbose);
/* Write a buffer to -o FILE or stdout; prints the error. */
int cli_write_output(const char *path, const char *data, size_t len);
/* Write a buffer to `path`: a regular file or a new path through an O_EXCL|O_NOFOLLOW temporary
 * in the same directory and rename (readers never see half a file); a device, FIFO, socket or
 * symlink in place (never replaced). 0 or -1 with errno. */
int cli_write_file(const char *path, const char *data, size_t len);
/* Progress bar on stderr when it is a terminal. */
void cli_progress_install(lading_ctx *ctx);
void cli_progress_done(void);

/* Registry and cache options of commands that open images: --insecure, --username USER,
 * --password-stdin, --no-cache. cli_image_flag returns 1 when argv[*i] was one of them, 0 when
 * not, EXIT_USAGE (message printed) on a bad one; cli_image_apply reads the password and fills
 * the image options (0 or EXIT_USAGE); cli_image_release wipes the password. */
typedef struct cli_image_opts {
	const char *username;
	bool password_stdin;
	bool insecure;
	bool no_cache;
	const char *docker_host;
	uint64_t max_memory; /* --max-memory (when max_memory_set) */
	bool max_memory_set;
	char password[1024];
} cli_image_opts;
int cli_image_flag(int argc, char **argv, int *i, cli_image_opts *o);
int cli_image_apply(cli_image_opts *o, lading_image_options *io);
void cli_image_release(cli_image_opts *o);
/* Settings of the scan's context: the memory budget. */
void cli_image_ctx(const cli_image_opts *o, lading_ctx *ctx);
/* "1073741824", "512K", "64M", "1G", "2GiB" -> bytes; false when not a size. */
bool cli_parse_size(const char *s, uint64_t *out);
#define CLI_IMAGE_USAGE                                                                            \
	"  --username USER    registry user (the password comes from --password-stdin)\n"          \
	"  --password-stdin   read the registry password (or token) from standard input\n"        \
	"  --insecure         allow plain HTTP and unverified TLS to the registry named\n"          \
	"  --no-cache         neither use nor fill the blob and layer caches\n"                    \
	"  --docker-host URL  engine of docker:NAME images (unix:///PATH or tcp://HOST:PORT;\n"     \
	"                     default $DOCKER_HOST, else unix:///var/run/docker.sock)\n"           \
	"  --max-memory SIZE  memory budget of the scan (default 1G; K, M, G suffixes; 0 = none):\n" \
	"                     more is a clean error (exit 3) naming what was too big\n"            \
	"                     (registries also read ~/.docker/config.json and\n"                   \
	"                     LADING_REGISTRY_USERNAME/LADING_REGISTRY_PASSWORD)\n"

/* Option scanning: returns true when argv[*i] is `name` (with its value in *val for options
 * taking one, either "--name VALUE" or "--name=VALUE"). */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **val);
bool cli_flag(char **argv, int i, const char *name);

int cmd_sbom(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_vercmp(int argc, char **argv);
int cmd_honeypot(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_census(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_containers(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif

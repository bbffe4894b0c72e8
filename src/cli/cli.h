/* Shared helpers of the CLI commands. The CLI uses only the public API (include/lading). */
#ifndef LADING_CLI_H
#define LADING_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "lading/lading.h"

typedef struct cli_command cli_command;

/* Exit codes (documented in README and docs/cli.md). */
enum { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_USAGE = 2, EXIT_ERROR = 3 };

/* Print "lading: <msg>" for the context's error and return EXIT_ERROR. */
int cli_fail(lading_ctx *ctx, int rc);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_warnings(lading_ctx *ctx, bool verbose);
/* "<prefix><msg>\n" on stderr with msg escaped (lading_text_escape): messages carry text from
 * images and servers, which must not drive the terminal. */
void cli_eprint(const char *prefix, const char *msg);
/* Write a buffer to -o FILE or stdout; prints the error. */
int cli_write_output(const char *path, const char *data, size_t len);
/* Write a buffer to `path`: a regular file or a new path through an O_EXCL|O_NOFOLLOW temporary
 * in the same directory and rename (readers never see half a file); a device, FIFO, socket or
 * symlink in place (never replaced). 0 or -1 with errno. */
int cli_write_file(const char *path, const char *data, size_t len);
/* Find data file `name` (e.g. "honeypot-rules.conf"): in $LADING_DATA_DIR, else in the install
 * prefix's share/lading beside the binary (/proc/self/exe/../../share/lading), else, for a binary
 * run from its build directory, in the source tree's data/. 0 and the path in `out`, or -1 with
 * the places looked at in `out`. */
int cli_data_file(const char *name, char *out, size_t outsz);
/* Progress bar on stderr when it is a terminal, not with --quiet or LADING_NO_PROGRESS; with
 * NO_COLOR set it writes no escape sequences. */
void cli_progress_install(lading_ctx *ctx);
/* One step of a long operation the CLI drives itself (images i/n of add and crawl). */
void cli_progress_step(const char *what, size_t index, size_t count);
void cli_progress_done(void);

/* Registry, engine and memory options of commands that open images: --insecure, --username USER,
 * --password-stdin, --no-cache, --docker-host URL, --max-memory SIZE. cli_image_flag returns 1 when argv[*i] was one of them, 0 when
 * not, EXIT_USAGE (message printed) on a bad one; cli_image_apply reads the password and fills
 * the image options (0 or EXIT_USAGE); cli_image_release wipes the password. */
#define CLI_MAX_INSECURE_REGISTRIES 64
typedef struct cli_image_opts {
	const char *username;
	bool password_stdin;
	bool insecure;
	const char *insecure_registries[CLI_MAX_INSECURE_REGISTRIES]; /* --insecure-registry, repeatable */
	size_t insecure_registry_count;
	bool no_cache;
	const char *docker_host;
	uint64_t max_memory; /* --max-memory (when max_memory_set) */
	bool max_memory_set;
	char password[1024];
	bool password_read; /* read from standard input by cli_image_apply already */
} cli_image_opts;
int cli_image_flag(int argc, char **argv, int *i, cli_image_opts *o);
int cli_image_apply(cli_image_opts *o, lading_image_options *io);
void cli_image_release(cli_image_opts *o);
/* "sbom:FILE" (an SBOM document: CycloneDX, SPDX or lading JSON; FILE "-" is standard input)
 * is read as an inventory; anything else is opened as an image and cataloged. *img stays NULL
 * for an SBOM. Returns a lading rc (message on ctx). */
int cli_inventory_open(lading_ctx *ctx, const char *ref, const lading_image_options *io, lading_image **img,
		       lading_sbom **sbom);
void cli_docker_tls_verify(void);
/* Settings of the scan's context: the memory budget. */
void cli_image_ctx(const cli_image_opts *o, lading_ctx *ctx);
/* The database of scan, serve and worker: obtained when there is none at `db` (or replaced, with
 * `stale`: one of another schema version) by lading_db_ensure -- from `mirror` when given, else
 * downloaded -- saying what it does on stderr. 0, or -1 with the error printed. */
int cli_ensure_db(lading_ctx *ctx, const char *db, const char *mirror, bool stale);
/* serve and worker: with $LADING_MIRROR set, a missing database (`db`, NULL = the default) is
 * built from it before jobs run; without, nothing is done (a job without a database fails). */
int cli_ensure_db_from_mirror(lading_ctx *ctx, const char *db);

/* What the image commands (sbom, scan) share: IMAGE, --format/-f, --output/-o, --platform,
 * --files, -v, -q and the registry options. */
typedef struct cli_image_args {
	const char *image, *format, *output, *platform;
	bool verbose;
	lading_report_options ropts;
	cli_image_opts reg;
	lading_image_options io;
} cli_image_args;
void cli_image_args_init(cli_image_args *a);
/* One argument of an image command (the command tries its own options first): CLI_ARG_TAKEN
 * when it was one of the shared ones or IMAGE, else the exit status to return (after -h:
 * EXIT_OK; a usage error is printed). */
#define CLI_ARG_TAKEN (-1)
int cli_image_arg(int argc, char **argv, int *i, const cli_command *cmd, cli_image_args *a);
/* After the arguments: IMAGE given (else the help on stderr) and --format one of the kind's
 * ("unknown WHAT format"). EXIT_OK or EXIT_USAGE. */
int cli_image_args_check(const cli_image_args *a, const cli_command *cmd, lading_report_kind kind,
			 const char *what, lading_format *fmt);
/* The start of sbom and scan: apply the image options (releasing the credentials once the image
 * is open), make the context, open IMAGE with a progress bar and build its inventory. Returns
 * EXIT_OK, or the exit status after printing the error; *ctx, *img and *sbom are set as far as
 * it got (the caller frees them either way). */
int cli_open_sbom(cli_image_args *a, lading_ctx **ctx, lading_image **img, lading_sbom **sbom);
/* "1073741824", "512K", "64M", "1G", "2GiB" -> bytes; false when not a size. */
bool cli_parse_size(const char *s, uint64_t *out);
/* The option table entries of these options (inside a command's cli_option array). */
#define CLI_IMAGE_OPTIONS                                                                          \
	{"--username", "-u", "USER", "registry user (the password comes from --password-stdin)",   \
	 CLI_C_NONE, NULL},                                                                        \
	    {"--password-stdin", NULL, NULL,                                                       \
	     "read the registry password (or token) from standard input", CLI_C_NONE, NULL},       \
	    {"--insecure", NULL, NULL, "allow plain HTTP and unverified TLS to the registry named", \
	     CLI_C_NONE, NULL},                                                                    \
	    {"--insecure-registry", NULL, "HOST:PORT",                                             \
	     "plain HTTP or unverified TLS for this registry only (repeatable;\n"                  \
	     "as Docker's insecure-registries)",                                                   \
	     CLI_C_NONE, NULL},                                                                    \
	    {"--no-cache", NULL, NULL, "neither use nor fill the blob and layer caches",           \
	     CLI_C_NONE, NULL},                                                                    \
	    {"--docker-host", NULL, "URL",                                                         \
	     "engine of docker:NAME images (unix:///PATH or tcp://HOST:PORT;\n"                    \
	     "default $DOCKER_HOST, else unix:///var/run/docker.sock)",                            \
	     CLI_C_NONE, NULL},                                                                    \
	    {"--tls-verify", NULL, NULL,                                                           \
	     "a tcp:// engine over TLS, verified with $DOCKER_CERT_PATH/ca.pem\n"                 \
	     "and authenticated by its cert.pem and key.pem (as DOCKER_TLS_VERIFY=1)",            \
	     CLI_C_NONE, NULL},                                                                    \
	    {"--max-memory", NULL, "SIZE",                                                         \
	     "memory budget of the scan (default 1G; K, M, G suffixes; 0 = none):\n"               \
	     "more is a clean error (exit 3) naming what was too big\n"                            \
	     "(registries also read ~/.docker/config.json and\n"                                   \
	     "LADING_REGISTRY_USERNAME/LADING_REGISTRY_PASSWORD)",                                 \
	     CLI_C_NONE, NULL}
#define CLI_QUIET_OPTION                                                                           \
	{"--quiet", "-q", NULL, "no progress bar (it is shown only on a terminal anyway)",         \
	 CLI_C_NONE, NULL}

/* serve and worker: cli_stop_flag is set by SIGINT/SIGTERM once cli_install_stop_signals ran
 * (SIGPIPE ignored); cli_log_line writes a log line with its UTC time on stderr. */
extern volatile sig_atomic_t cli_stop_flag;
void cli_install_stop_signals(void);
void cli_log_line(void *opaque, const char *line);
/* A whole decimal number from 0 to max. */
bool cli_parse_count(const char *v, unsigned max, unsigned *out);

/* Option scanning: returns true when argv[*i] is `name` (with its value in *val for options
 * taking one, either "--name VALUE" or "--name=VALUE"). */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **val);
bool cli_flag(char **argv, int i, const char *name);

/* ---- the command table: the one source of --help, the man pages and the completions ----
 * A command is one cli_command (in its cmd_<name>.c) plus one line in commands.c; `lading
 * help-man` and `lading completion` then cover it with no other edit. */

/* What an option's value or a command's operands complete to. */
typedef enum cli_complete {
	CLI_C_NONE,  /* free text: nothing to offer */
	CLI_C_FILE,  /* a file name */
	CLI_C_DIR,   /* a directory name */
	CLI_C_IMAGE, /* an image reference: the kind prefixes (oci:, dir:, ...) and files */
	CLI_C_WORDS, /* one of `words` (space-separated) */
	CLI_C_COMMAND /* a command name (from the table) */
} cli_complete;

typedef struct cli_option {
	const char *name;      /* "--format" */
	const char *alias;     /* "-f", or NULL */
	const char *arg;       /* the value's placeholder ("F"), NULL for a flag */
	const char *help;      /* lines separated by '\n' */
	cli_complete complete; /* what the value completes to (options with `arg`) */
	const char *words;     /* CLI_C_WORDS: the values, space-separated */
} cli_option;

struct cli_command {
	const char *name;        /* the command's word: "scan"; a subcommand's own word: "build" */
	const char *summary;     /* one line: 'lading --help' and NAME of the man page */
	/* The arguments after the command words; '\n' starts another form, a line starting with a
	 * space continues the form before it. */
	const char *synopsis;
	const char *description; /* before the options; lines separated by '\n'; may be NULL */
	const cli_option *options; /* ends with an entry whose name is NULL; may be NULL */
	const char *notes;       /* after the options (environment, exit status); may be NULL */
	cli_complete operands;   /* what the operands complete to */
	const char *operand_words; /* CLI_C_WORDS: the operands, space-separated */
	/* argv[0] is the command's own word; NULL when a subcommand is required */
	int (*run)(int argc, char **argv);
	const cli_command *const *subs; /* subcommands, NULL-terminated; NULL when none */
};

/* The top-level commands (commands.c), NULL-terminated, and the text that 'lading --help' and
 * lading(1) share (image references, environment, exit status). */
extern const cli_command *const cli_commands[];
extern const char cli_main_notes[];
/* Run the command line (main.c's whole job). */
int cli_dispatch(int argc, char **argv);
const cli_command *cli_command_find(const cli_command *const *list, const char *name);
/* --help text of a top-level command and its subcommands; of lading itself. */
void cli_help(FILE *f, const cli_command *cmd);
void cli_help_main(FILE *f);
/* Man page (roff) of a top-level command, or lading(1) when cmd is NULL. */
void cli_man(FILE *f, const cli_command *cmd);
/* Completion script for "bash", "zsh" or "fish"; -1 for another shell. */
int cli_completion(FILE *f, const char *shell);

/* -q/--quiet: no progress bar (commands set it while reading their options). */
extern bool cli_quiet;

extern const cli_command cli_cmd_sbom, cli_cmd_scan, cli_cmd_db, cli_cmd_vercmp, cli_cmd_honeypot,
	cli_cmd_probe, cli_cmd_census, cli_cmd_inventory, cli_cmd_containers,
	cli_cmd_report, cli_cmd_serve, cli_cmd_worker, cli_cmd_token, cli_cmd_webhook, cli_cmd_version, cli_cmd_completion, cli_cmd_help_man;

#endif

/* The command table: one line per command. A new command is its cli_command (in its own
 * cmd_<name>.c) and one line here; --help, its man page and the completions follow from it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const cli_command *const cli_commands[] = {
	&cli_cmd_sbom,
	&cli_cmd_scan,
	&cli_cmd_db,
	&cli_cmd_vercmp,
#ifdef LADING_HAVE_HONEYPOT
	&cli_cmd_honeypot,
#endif
#ifdef LADING_HAVE_CENSUS
	&cli_cmd_probe,
	&cli_cmd_census,
#endif
	&cli_cmd_inventory,
	&cli_cmd_containers,
	&cli_cmd_report,
	&cli_cmd_serve,
	&cli_cmd_worker,
	&cli_cmd_token,
	&cli_cmd_webhook,
	&cli_cmd_completion,
	&cli_cmd_help_man,
	&cli_cmd_version,
	NULL,
};

const char cli_main_notes[] =
	"IMAGE: docker-archive:FILE[:TAG], oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:PATH,\n"
	"       rootfs-tar:FILE, docker:NAME[:TAG] (Docker Engine or Podman API, --docker-host URL),\n"
	"       a path (its kind is detected), or a registry image\n"
	"       [REGISTRY/]REPO[:TAG|@sha256:DIGEST] (also as registry:REF or docker://REF).\n"
	"\n"
	"Environment: LADING_DB (the vulnerability database), LADING_MIRROR (a local copy of the\n"
	"feeds), LADING_STORE (the inventory store, which also holds the census; LADING_CENSUS is\n"
	"a deprecated alias), XDG_CACHE_HOME (default place of the database and of the layer\n"
	"cache), XDG_DATA_HOME (default place of the store), DOCKER_HOST (the engine that\n"
	"docker:NAME images come from), LADING_NO_PROGRESS (no progress bar), NO_COLOR (no\n"
	"escape sequences), LADING_DATA_DIR (the data files, default ../share/lading beside the\n"
	"binary).\n"
	"Exit status: 0 done, 1 a policy (--fail-on) violated, 2 usage, 3 error.\n";

const cli_command *cli_command_find(const cli_command *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp((*list)->name, name))
			return *list;
	return NULL;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int cli_dispatch(int argc, char **argv)
{
	const cli_command *cmd, *sub;
	if (argc < 2) {
		cli_help_main(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
		cmd = argc > 2 ? cli_command_find(cli_commands, argv[2]) : NULL;
		if (cmd)
			cli_help(stdout, cmd);
		else
			cli_help_main(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cli_cmd_version.run(argc - 1, argv + 1);
	cmd = cli_command_find(cli_commands, argv[1]);
	if (!cmd) {
		fprintf(stderr, "lading: unknown command '%s'\n", argv[1]);
		cli_help_main(stderr);
		return EXIT_USAGE;
	}
	if (argc > 2 && (sub = cli_command_find(cmd->subs, argv[2])) != NULL)
		return sub->run(argc - 2, argv + 2);
	if (argc > 2 && is_help(argv[2])) {
		cli_help(stdout, cmd);
		return EXIT_OK;
	}
	if (!cmd->run) {
		cli_help(stderr, cmd);
		if (argc > 2)
			return cli_usage("unknown %s command '%s'", cmd->name, argv[2]);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}

/* ---- lading version ---- */

static int run_version(int argc, char **argv)
{
	lading_build_info bi;
	(void)argc;
	(void)argv;
	lading_build_info_get(&bi);
	printf("lading %s\n", bi.version);
	printf("commit: %s\n", bi.commit);
	printf("database schema: %d\n", bi.db_schema);
	if (bi.store_schema > 0)
		printf("store schema: %d\n", bi.store_schema);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

const cli_command cli_cmd_version = {
	.name = "version",
	.summary = "print the version, the git commit and the schema versions",
	.synopsis = "",
	.description = "The top-level version option prints the same. The commit is the short\n"
		       "hash of the source tree lading was built from ('unknown' when not\n"
		       "built from git).",
	.run = run_version,
};

/* ---- lading completion ---- */

static int run_completion(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage("completion: name a shell: bash, zsh or fish");
	if (cli_completion(stdout, argv[1]) != 0)
		return cli_usage("completion: unknown shell '%s' (bash, zsh or fish)", argv[1]);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

const cli_command cli_cmd_completion = {
	.name = "completion",
	.summary = "print a shell completion script",
	.synopsis = "bash|zsh|fish",
	.description =
		"Completes commands, options, formats, image kinds and files. To use it now:\n"
		"  source <(lading completion bash)      (bash; zsh after compinit likewise)\n"
		"  lading completion fish | source\n"
		"Installed packages put them where the shells find them: the bash-completion\n"
		"directory, zsh's site-functions and fish's vendor_completions.d.",
	.operands = CLI_C_WORDS,
	.operand_words = "bash zsh fish",
	.run = run_completion,
};

/* ---- lading help-man ---- */

static int write_page(const char *dir, const char *name, const cli_command *cmd)
{
	char path[4096];
	FILE *f;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.1", dir, name) >= sizeof(path))
		return cli_usage("help-man: directory name too long");
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "lading: cannot write %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	cli_man(f, cmd);
	if (fclose(f) != 0) {
		fprintf(stderr, "lading: cannot write %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int run_help_man(int argc, char **argv)
{
	const char *dir = NULL, *val;
	const cli_command *cmd = NULL;
	char name[128];
	int rc;
	for (int i = 1; i < argc; i++) {
		if (cli_opt(argc, argv, &i, "--dir", &val)) {
			if (!val)
				return cli_usage("--dir needs a directory");
			dir = val;
		} else if (is_help(argv[i])) {
			cli_help(stdout, &cli_cmd_help_man);
			return EXIT_OK;
		} else if (!cmd && (cmd = cli_command_find(cli_commands, argv[i])) != NULL) {
			continue;
		} else {
			return cli_usage("help-man: unknown command or option '%s'", argv[i]);
		}
	}
	if (!dir) {
		cli_man(stdout, cmd);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "lading: cannot create %s: %s\n", dir, strerror(errno));
		return EXIT_ERROR;
	}
	if ((rc = write_page(dir, "lading", NULL)) != EXIT_OK)
		return rc;
	for (const cli_command *const *c = cli_commands; *c; c++) {
		snprintf(name, sizeof(name), "lading-%s", (*c)->name);
		if ((rc = write_page(dir, name, *c)) != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}

static const cli_option help_man_options[] = {
	{"--dir", NULL, "DIR", "write lading.1 and one lading-COMMAND.1 per command into DIR",
	 CLI_C_DIR, NULL},
	{0},
};

const cli_command cli_cmd_help_man = {
	.name = "help-man",
	.summary = "print the manual pages (roff), made from the same table as --help",
	.synopsis = "[COMMAND] [--dir DIR]",
	.description = "Without COMMAND, lading(1); with --dir, every page as files (the build\n"
		       "installs them in share/man/man1).",
	.options = help_man_options,
	.operands = CLI_C_COMMAND,
	.run = run_help_man,
};

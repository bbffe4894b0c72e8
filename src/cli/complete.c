/* Shell completion scripts, generated from the command table (cli.h). Each script is the same
 * data function (what a command path offers: subcommands, options, option values, operands) and a
 * small driver per shell that walks the words typed so far. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The image kinds an IMAGE operand can start with (lading(1), "IMAGE"). */
#define IMAGE_KINDS "docker-archive: oci: oci-archive: dir: rootfs-tar: registry: docker:"

typedef enum { SH_BASH, SH_ZSH, SH_FISH } shell;

/* One entry of the data function: `key` -> `value` (space-separated words or @kind markers). */
static void entry_begin(FILE *f, shell sh, const char *kind, const char *path, const char *opt,
			const char *alias)
{
	if (sh == SH_FISH) {
		fprintf(f, "\tcase '%s:%s%s%s'", kind, path, opt ? ":" : "", opt ? opt : "");
		if (alias)
			fprintf(f, " '%s:%s:%s'", kind, path, alias);
		fputs("\n\t\techo '", f);
	} else {
		fprintf(f, "\t'%s:%s%s%s'", kind, path, opt ? ":" : "", opt ? opt : "");
		if (alias)
			fprintf(f, "|'%s:%s:%s'", kind, path, alias);
		fputs(") echo '", f);
	}
}

static void entry_end(FILE *f, shell sh)
{
	fputs(sh == SH_FISH ? "'\n" : "' ;;\n", f);
}

static void spec_words(FILE *f, cli_complete c, const char *words)
{
	switch (c) {
	case CLI_C_FILE:
		fputs("@file", f);
		break;
	case CLI_C_DIR:
		fputs("@dir", f);
		break;
	case CLI_C_IMAGE:
		fputs("@image", f);
		break;
	case CLI_C_WORDS:
		fputs(words ? words : "", f);
		break;
	case CLI_C_COMMAND:
		for (const cli_command *const *c2 = cli_commands; *c2; c2++)
			fprintf(f, "%s%s", c2 == cli_commands ? "" : " ", (*c2)->name);
		break;
	case CLI_C_NONE:
		break;
	}
}

static void data_path(FILE *f, shell sh, const cli_command *cmd, const char *path)
{
	char sub[256];
	if (cmd->subs) {
		entry_begin(f, sh, "subs", path, NULL, NULL);
		for (const cli_command *const *s = cmd->subs; *s; s++)
			fprintf(f, "%s%s", s == cmd->subs ? "" : " ", (*s)->name);
		entry_end(f, sh);
	}
	entry_begin(f, sh, "opts", path, NULL, NULL);
	fputs("--help", f);
	for (const cli_option *o = cmd->options; o && o->name; o++)
		fprintf(f, " %s%s%s", o->name, o->alias ? " " : "", o->alias ? o->alias : "");
	entry_end(f, sh);
	entry_begin(f, sh, "args", path, NULL, NULL);
	for (const cli_option *o = cmd->options; o && o->name; o++)
		if (o->arg)
			fprintf(f, " %s%s%s", o->name, o->alias ? " " : "", o->alias ? o->alias : "");
	entry_end(f, sh);
	for (const cli_option *o = cmd->options; o && o->name; o++) {
		if (!o->arg || o->complete == CLI_C_NONE)
			continue;
		entry_begin(f, sh, "val", path, o->name, o->alias);
		spec_words(f, o->complete, o->words);
		entry_end(f, sh);
	}
	if (cmd->operands != CLI_C_NONE) {
		entry_begin(f, sh, "pos", path, NULL, NULL);
		spec_words(f, cmd->operands, cmd->operand_words);
		entry_end(f, sh);
	}
	for (const cli_command *const *s = cmd->subs; s && *s; s++) {
		snprintf(sub, sizeof(sub), "%s %s", path, (*s)->name);
		data_path(f, sh, *s, sub);
	}
}

static void data_function(FILE *f, shell sh)
{
	if (sh == SH_FISH)
		fputs("function __lading_data\n\tswitch (string join : -- $argv)\n", f);
	else
		fputs("__lading_data()\n{\n\tcase \"$1:$2${3+:$3}\" in\n", f);
	entry_begin(f, sh, "subs", "", NULL, NULL);
	spec_words(f, CLI_C_COMMAND, NULL);
	entry_end(f, sh);
	entry_begin(f, sh, "opts", "", NULL, NULL);
	fputs("--help --version", f);
	entry_end(f, sh);
	for (const cli_command *const *c = cli_commands; *c; c++)
		data_path(f, sh, *c, (*c)->name);
	fputs(sh == SH_FISH ? "\tend\nend\n\n" : "\tesac\n}\n\n", f);
}

/* The drivers: find the command path among the words before the cursor (skipping option
 * values), then offer the value of the option before the cursor, options, or subcommands and
 * operands. */
static const char bash_driver[] =
	"__lading_reply()\n"
	"{\n"
	"\tlocal cur=$1 w\n"
	"\tshift\n"
	"\tfor w in \"$@\"; do\n"
	"\t\tcase $w in\n"
	"\t\t@file) mapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
	"\t\t@dir) mapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -d -- \"$cur\") ;;\n"
	"\t\t@image)\n"
	"\t\t\tmapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -W '" IMAGE_KINDS "' -- \"$cur\")\n"
	"\t\t\tmapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
	"\t\t*) [[ $w == \"$cur\"* ]] && COMPREPLY+=(\"$w\") ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"}\n"
	"\n"
	"_lading()\n"
	"{\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmdpath='' w i skip=0 fixed=0 opt='' spec\n"
	"\tCOMPREPLY=()\n"
	"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif ((skip)); then\n"
	"\t\t\t[[ $w == = ]] || skip=0\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tcase $w in\n"
	"\t\t--*=*) ;;\n"
	"\t\t-*) [[ \" $(__lading_data args \"$cmdpath\") \" == *\" $w \"* ]] && skip=1 opt=$w ;;\n"
	"\t\t*)\n"
	"\t\t\tif ((!fixed)) && [[ \" $(__lading_data subs \"$cmdpath\") \" == *\" $w \"* ]]; then\n"
	"\t\t\t\tcmdpath=${cmdpath:+$cmdpath }$w\n"
	"\t\t\telse\n"
	"\t\t\t\tfixed=1\n"
	"\t\t\tfi ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\t# '=' is a word of its own in bash: --format=js is --format, =, js\n"
	"\tif [[ $cur == = ]]; then\n"
	"\t\tcur='' skip=1 opt=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tfi\n"
	"\tif ((skip)); then\n"
	"\t\tspec=$(__lading_data val \"$cmdpath\" \"$opt\")\n"
	"\telif [[ $cur == -* ]]; then\n"
	"\t\tspec=$(__lading_data opts \"$cmdpath\")\n"
	"\telse\n"
	"\t\tspec=\"$(__lading_data subs \"$cmdpath\") $(__lading_data pos \"$cmdpath\")\"\n"
	"\tfi\n"
	"\t# shellcheck disable=SC2086\n"
	"\t__lading_reply \"$cur\" $spec\n"
	"}\n";

static const char zsh_driver[] =
	"_lading()\n"
	"{\n"
	"\tlocal cur=${words[CURRENT]} cmdpath='' w i skip=0 fixed=0 opt='' spec s\n"
	"\tlocal -a plain\n"
	"\tfor ((i = 2; i < CURRENT; i++)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tif ((skip)); then\n"
	"\t\t\tskip=0\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tcase $w in\n"
	"\t\t--*=*) ;;\n"
	"\t\t-*) [[ \" $(__lading_data args \"$cmdpath\") \" == *\" $w \"* ]] && skip=1 opt=$w ;;\n"
	"\t\t*)\n"
	"\t\t\tif ((!fixed)) && [[ \" $(__lading_data subs \"$cmdpath\") \" == *\" $w \"* ]]; then\n"
	"\t\t\t\tcmdpath=${cmdpath:+$cmdpath }$w\n"
	"\t\t\telse\n"
	"\t\t\t\tfixed=1\n"
	"\t\t\tfi ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tif ((skip)); then\n"
	"\t\tspec=$(__lading_data val \"$cmdpath\" \"$opt\")\n"
	"\telif [[ $cur == --*=* ]]; then\n"
	"\t\tspec=$(__lading_data val \"$cmdpath\" \"${cur%%=*}\")\n"
	"\t\tcompset -P '*='\n"
	"\telif [[ $cur == -* ]]; then\n"
	"\t\tspec=$(__lading_data opts \"$cmdpath\")\n"
	"\telse\n"
	"\t\tspec=\"$(__lading_data subs \"$cmdpath\") $(__lading_data pos \"$cmdpath\")\"\n"
	"\tfi\n"
	"\tfor s in ${=spec}; do\n"
	"\t\tcase $s in\n"
	"\t\t@file) _files ;;\n"
	"\t\t@dir) _files -/ ;;\n"
	"\t\t@image)\n"
	"\t\t\tcompadd -S '' -- " IMAGE_KINDS "\n"
	"\t\t\t_files ;;\n"
	"\t\t*) plain+=(\"$s\") ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\t((${#plain})) && compadd -- \"${plain[@]}\"\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# autoloaded from site-functions, or sourced after compinit\n"
	"if [[ ${funcstack[1]} == _lading ]]; then\n"
	"\t_lading \"$@\"\n"
	"else\n"
	"\tcompdef _lading lading\n"
	"fi\n";

static const char fish_driver[] =
	"function __lading_complete\n"
	"\tset -l words (commandline -opc)\n"
	"\tset -l cur (commandline -ct)\n"
	"\tset -l cmdpath ''\n"
	"\tset -l skip 0\n"
	"\tset -l fixed 0\n"
	"\tset -l opt ''\n"
	"\tset -l prefix ''\n"
	"\tfor w in $words[2..-1]\n"
	"\t\tif test $skip = 1\n"
	"\t\t\tset skip 0\n"
	"\t\t\tcontinue\n"
	"\t\tend\n"
	"\t\tswitch $w\n"
	"\t\t\tcase '--*=*'\n"
	"\t\t\tcase '-*'\n"
	"\t\t\t\tif contains -- $w (string split ' ' -- (__lading_data args \"$cmdpath\"))\n"
	"\t\t\t\t\tset skip 1\n"
	"\t\t\t\t\tset opt $w\n"
	"\t\t\t\tend\n"
	"\t\t\tcase '*'\n"
	"\t\t\t\tif test $fixed = 0; and contains -- $w (string split ' ' -- (__lading_data subs \"$cmdpath\"))\n"
	"\t\t\t\t\tset cmdpath (string trim -- \"$cmdpath $w\")\n"
	"\t\t\t\telse\n"
	"\t\t\t\t\tset fixed 1\n"
	"\t\t\t\tend\n"
	"\t\tend\n"
	"\tend\n"
	"\tset -l spec\n"
	"\tif test $skip = 1\n"
	"\t\tset spec (__lading_data val \"$cmdpath\" $opt)\n"
	"\telse if string match -q -- '--*=*' $cur\n"
	"\t\tset -l parts (string split -m1 = -- $cur)\n"
	"\t\tset prefix \"$parts[1]=\"\n"
	"\t\tset cur $parts[2]\n"
	"\t\tset spec (__lading_data val \"$cmdpath\" $parts[1])\n"
	"\telse if string match -q -- '-*' $cur\n"
	"\t\tset spec (__lading_data opts \"$cmdpath\")\n"
	"\telse\n"
	"\t\tset spec (__lading_data subs \"$cmdpath\") (__lading_data pos \"$cmdpath\")\n"
	"\tend\n"
	"\tfor s in (string split ' ' -- (string join ' ' -- $spec))\n"
	"\t\tswitch $s\n"
	"\t\t\tcase '@file'\n"
	"\t\t\t\t__fish_complete_path $cur | string replace -r '^' -- \"$prefix\"\n"
	"\t\t\tcase '@dir'\n"
	"\t\t\t\t__fish_complete_directories $cur | string replace -r '^' -- \"$prefix\"\n"
	"\t\t\tcase '@image'\n"
	"\t\t\t\tprintf '%s\\n' " IMAGE_KINDS "\n"
	"\t\t\t\t__fish_complete_path $cur\n"
	"\t\t\tcase ''\n"
	"\t\t\tcase '*'\n"
	"\t\t\t\techo \"$prefix$s\"\n"
	"\t\tend\n"
	"\tend\n"
	"end\n"
	"\n"
	"complete -c lading -f -a '(__lading_complete)'\n";

int cli_completion(FILE *f, const char *name)
{
	shell sh;
	if (!strcmp(name, "bash"))
		sh = SH_BASH;
	else if (!strcmp(name, "zsh"))
		sh = SH_ZSH;
	else if (!strcmp(name, "fish"))
		sh = SH_FISH;
	else
		return -1;
	if (sh == SH_ZSH)
		fputs("#compdef lading\n", f);
	fprintf(f, "# %s completion for lading %s, generated by 'lading completion %s' from the\n"
		   "# command table in src/cli/ (the same source as --help and the man pages)\n\n",
		name, lading_version_string(), name);
	data_function(f, sh);
	fputs(sh == SH_BASH ? bash_driver : sh == SH_ZSH ? zsh_driver : fish_driver, f);
	if (sh == SH_BASH)
		fputs("\ncomplete -o filenames -F _lading lading\n", f);
	return 0;
}

#!/usr/bin/env bash
# Man pages and completions cannot drift from --help: for every command that `lading --help`
# lists, every option its --help shows must be in its man page (the build's generated page and
# `lading help-man CMD`) and be offered by the bash, zsh and fish completions (the real
# completion functions, run on "lading CMD [SUB] -"). A command added to the table is covered
# with no edit here.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_WORK:?}" "${LADING_BUILD:?}" "${LADING_SRC:?}"
W="$LADING_WORK/cli_docs"
rm -rf "$W" && mkdir -p "$W/empty"
cd "$W/empty" # file completions offer nothing here
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$LADING_BIN" completion bash > "$W/lading.bash"
"$LADING_BIN" completion zsh > "$W/_lading"
"$LADING_BIN" completion fish > "$W/lading.fish"
"$LADING_BIN" help-man --dir "$W/man1"
bash -n "$W/lading.bash" || fail "bash completion: syntax"

# roff to plain words: \- is -, font changes go
plain_man() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g' "$1"; }

# options shown in a --help text: --long and -x words
help_options() {
	grep -oE '(^|[][ ,(|])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[][ ,(|]//' |
		grep -E '^(--[A-Za-z0-9][A-Za-z0-9-]*|-[A-Za-z])$' | sort -u
}

bash_complete() { # WORDS... (the last one is being completed)
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lading
		printf "%s\n" "${COMPREPLY[@]}"' _ "$W/lading.bash" "$@"
}
zsh_complete() { # WORDS...: the driver with compadd/_files recording what they are given
	command -v zsh > /dev/null || return 0
	zsh -fc 'compdef() { :; }; source "$1"; shift
		compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done
			[[ $1 == -- ]] && shift; print -l -- "$@"; }
		_files() { :; }; compset() { :; }
		words=("$@"); CURRENT=$#; _lading' _ "$W/_lading" "$@"
}
fish_complete() { # COMMAND-LINE
	command -v fish > /dev/null || return 0
	fish -c 'source $argv[1]; complete -C"$argv[2]"' "$W/lading.fish" "$1" | cut -f1
}

# lading(1) and `lading --help`: the commands
"$LADING_BIN" --help > "$W/main.help"
cmds=$(sed -n '/^commands:/,/^$/p' "$W/main.help" | awk 'NF && !/^commands:/ {print $1}')
[ -n "$cmds" ] || fail "no commands in lading --help"
for c in $cmds; do
	plain_man "$W/man1/lading.1" | grep -F "lading-$c" > /dev/null || fail "lading(1) does not list $c"
	bash_complete lading "" | grep -x "$c" > /dev/null || fail "bash: 'lading <TAB>' does not offer $c"
done
for o in --help --version; do
	bash_complete lading - | grep -x -- "$o" > /dev/null || fail "bash: lading $o"
done

total=0
for c in $cmds; do
	"$LADING_BIN" "$c" --help > "$W/$c.help" 2>&1 || fail "lading $c --help: exit $?"
	[ -s "$W/$c.help" ] || fail "lading $c --help printed nothing"
	page="$W/man1/lading-$c.1"
	[ -f "$page" ] || { fail "no man page lading-$c.1"; continue; }
	# the page the build installs is the one help-man makes now
	if [ -f "$LADING_BUILD/generated-doc/man1/lading-$c.1" ]; then
		cmp -s "$page" "$LADING_BUILD/generated-doc/man1/lading-$c.1" || fail "build's lading-$c.1 is stale"
	fi
	"$LADING_BIN" help-man "$c" | cmp -s - "$page" || fail "help-man $c differs from help-man --dir"
	plain_man "$page" > "$W/$c.man"
	# what the completions offer for "lading c -" and "lading c SUB -" for each word offered
	# after "lading c " (subcommands; other operands just repeat the command's options)
	: > "$W/$c.bash" && : > "$W/$c.zsh" && : > "$W/$c.fish"
	for sub in "" $(bash_complete lading "$c" "" | grep -E '^[a-z][a-z0-9-]*$' || true); do
		# shellcheck disable=SC2086
		bash_complete lading "$c" $sub - >> "$W/$c.bash"
		# shellcheck disable=SC2086
		zsh_complete lading "$c" $sub - >> "$W/$c.zsh"
		fish_complete "lading $c${sub:+ $sub} -" >> "$W/$c.fish"
	done
	n=0
	for o in $(help_options < "$W/$c.help"); do
		n=$((n + 1))
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$W/$c.man" || fail "lading-$c(1) lacks $o"
		grep -qx -- "$o" "$W/$c.bash" || fail "bash completion of 'lading $c' lacks $o"
		if command -v zsh > /dev/null; then
			grep -qx -- "$o" "$W/$c.zsh" || fail "zsh completion of 'lading $c' lacks $o"
		fi
		if command -v fish > /dev/null; then
			grep -qx -- "$o" "$W/$c.fish" || fail "fish completion of 'lading $c' lacks $o"
		fi
	done
	total=$((total + n))
	echo "lading $c: $n options in --help, man page and completions"
done

[ "$total" -gt 50 ] || fail "only $total options found in all --help texts"

# and the other way: an option the code of src/cli/cmd_NAME.c parses is in `lading NAME --help`
# (files of no command, against every --help), so nothing is parsed that the table does not list
cat "$W"/*.help > "$W/all.help"
for f in "$LADING_SRC"/src/cli/*.c; do
	name=$(basename "$f" .c)
	name=${name#cmd_}
	h="$W/$name.help"
	[ -f "$h" ] || h="$W/all.help"
	[ "$(basename "$f")" = util.c ] && h="$W/all.help" # the registry options of sbom and scan
	for o in $(grep -E 'cli_opt\(|cli_flag\(|strcmp\(argv\[[a-z0-9]+\], "-' "$f" |
		grep -oE '"--?[A-Za-z][A-Za-z0-9-]*"' | tr -d '"' | sort -u); do
		case $o in -h | --help | --password) continue ;; esac
		help_options < "$h" | grep -x -- "$o" > /dev/null || fail "$(basename "$f") parses $o, which 'lading $name --help' does not show"
	done
done

# values and operands: formats, image kinds, files
bash_complete lading scan --format "" | grep -x sarif > /dev/null || fail "bash: scan --format values"
bash_complete lading sbom --format "" | grep -x spdx > /dev/null || fail "bash: sbom --format values"
bash_complete lading scan "" | grep -x 'oci:' > /dev/null || fail "bash: scan image kinds"
touch "$W/empty/image.tar"
bash_complete lading scan im | grep -x image.tar > /dev/null || fail "bash: scan IMAGE file names"
bash_complete lading scan -o im | grep -x image.tar > /dev/null || fail "bash: -o FILE file names"
if command -v fish > /dev/null; then
	fish_complete "lading scan --format=s" | grep -x -- --format=sarif > /dev/null || fail "fish: --format=VALUE"
	fish_complete "lading scan im" | grep -x image.tar > /dev/null || fail "fish: IMAGE file names"
fi
if command -v zsh > /dev/null; then
	zsh_complete lading db "" | grep -x update > /dev/null || fail "zsh: db subcommands"
fi
# roff without warnings where groff is installed
if command -v groff > /dev/null; then
	for p in "$W"/man1/*.1; do
		w=$(groff -man -Tutf8 -ww -z "$p" 2>&1 || true)
		[ -z "$w" ] || fail "$(basename "$p"): groff: $w"
	done
fi
"$LADING_BIN" completion tcsh > /dev/null 2>&1 && fail "completion tcsh should be refused"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "cli_docs: ok"

#!/usr/bin/env bash
# Progress on a terminal (script(1) gives the command one): db build, db update, sbom, inventory
# add and rescan draw a
# progress line on stderr; nothing of it with --quiet or when stderr is not a terminal; with
# NO_COLOR the line is drawn without any escape sequence.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_WORK:?}" "${LADING_SHARED:?}" "${LADING_SRC:?}"
command -v script > /dev/null || { echo "SKIP: no script(1)"; exit 77; }
# shellcheck source=feedserver.bash
. "$LADING_SRC/tests/integration/feedserver.bash"
W="$LADING_WORK/progress_tty"
rm -rf "$W" && mkdir -p "$W/mirror"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
unset LADING_NO_PROGRESS NO_COLOR
v="$LADING_SHARED/vulndata"
for f in kev alpine-secdb osv; do ln -s "$v/$f" "$W/mirror/$f"; done
img="$LADING_SHARED/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz"

tty_run() { # OUT ENV-ASSIGNMENTS... -- ARGS...: run lading on a terminal, its output in OUT
	local out=$1 envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" script -qec "$(printf '%q ' "$LADING_BIN" "$@")" /dev/null > "$out" < /dev/null
}
has_bar() { grep -qaE $'\r'"$2" "$1"; }
has_esc() { grep -qa $'\033' "$1"; }

tty_run "$W/build.tty" X=1 -- db build --mirror "$W/mirror" --db "$W/db1.sqlite" || fail "db build on a tty: exit $?"
has_bar "$W/build.tty" 'feeds [0-9]' || fail "db build: no progress line on a terminal"
has_esc "$W/build.tty" || fail "db build: the line is not erased (ESC [K) without NO_COLOR"
tty_run "$W/nocolor.tty" NO_COLOR=1 -- db build --mirror "$W/mirror" --db "$W/db2.sqlite" || fail "db build NO_COLOR: exit $?"
has_bar "$W/nocolor.tty" 'feeds [0-9]' || fail "NO_COLOR: no progress line"
has_esc "$W/nocolor.tty" && fail "NO_COLOR: escape sequences written"
tty_run "$W/quiet.tty" X=1 -- db build --quiet --mirror "$W/mirror" --db "$W/db3.sqlite" || fail "db build --quiet: exit $?"
has_bar "$W/quiet.tty" 'feeds' && fail "--quiet: progress drawn"
"$LADING_BIN" db build --mirror "$W/mirror" --db "$W/db4.sqlite" > /dev/null 2> "$W/notty.err" || fail "db build: exit $?"
grep -qa $'\r' "$W/notty.err" && fail "progress drawn on a stderr that is not a terminal"

feeds_www "$W/www"
feeds_start "$W/www"
tty_run "$W/update.tty" X=1 -- db update --db "$W/db5.sqlite" --source "kev=$FEEDS_URL/kev" \
	--source "alpine-secdb=$FEEDS_URL/alpine-secdb" --source "osv=$FEEDS_URL/osv" || fail "db update on a tty: exit $?"
has_bar "$W/update.tty" '(download|feeds) [0-9]' || fail "db update: no progress line on a terminal"

tty_run "$W/sbom.tty" X=1 -- sbom "$img" || fail "sbom on a tty: exit $?"
has_bar "$W/sbom.tty" 'reading layers' || fail "sbom: no progress line on a terminal"
tty_run "$W/sbomq.tty" X=1 -- sbom -q "$img" || fail "sbom -q: exit $?"
has_bar "$W/sbomq.tty" 'reading layers' && fail "sbom -q: progress drawn"

# the inventory: add (images i/n and each image's layers) and rescan (matching the fleet)
img2="$LADING_SHARED/images/alpine/alpine-minirootfs-3.8.5-x86_64.tar.gz"
tty_run "$W/add.tty" X=1 -- inventory add --store "$W/store.sqlite" --db "$W/db1.sqlite" "$img" "$img2" ||
	fail "inventory add on a tty: exit $?"
has_bar "$W/add.tty" 'images [0-9]' || fail "inventory add: no progress line on a terminal"
tty_run "$W/rescan.tty" X=1 -- inventory rescan --store "$W/store.sqlite" --db "$W/db1.sqlite" ||
	fail "inventory rescan on a tty: exit $?"
has_bar "$W/rescan.tty" 'rescan: matching' || fail "inventory rescan: no progress line on a terminal"
tty_run "$W/rescanq.tty" X=1 -- inventory rescan --quiet --store "$W/store.sqlite" --db "$W/db1.sqlite" ||
	fail "inventory rescan --quiet: exit $?"
has_bar "$W/rescanq.tty" 'rescan' && fail "inventory rescan --quiet: progress drawn"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "progress_tty: ok"

#!/usr/bin/env bash
# Debian packages: dpkg-buildpackage -us -uc -b on a copy of the sources builds lading,
# liblading0 and liblading-dev; lintian reports no errors; dpkg --root installs them into an
# empty root, and the lading there (run with that root's library directory, from another cwd, with
# a clean environment) prints the commit it was built from, scans a shared image with the build
# tree's findings, reads its data files from the root's /usr/share/lading; a C program builds
# against the root's liblading-dev with pkg-config. About 1.5 minutes (a full build).
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_WORK:?}" "${LADING_SRC:?}" "${LADING_SHARED:?}" "${LADING_BUILD:?}"
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" > /dev/null || { echo "SKIP: $t is not installed (scripts/apt-packages.txt)"; exit 77; }
done
W="$LADING_WORK/deb_package"
rm -rf "$W" && mkdir -p "$W/src" "$W/root/var/lib/dpkg/info" "$W/root/var/lib/dpkg/updates" "$W/cwd"
touch "$W/root/var/lib/dpkg/status" "$W/root/var/lib/dpkg/available"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# the sources as a checkout has them (no build directories), and the commit they are
(cd "$LADING_SRC" && git ls-files -co --exclude-standard 2> /dev/null || find . -path ./build\* -prune -o -type f -print) |
	grep -v '^\./\?build' | (cd "$LADING_SRC" && tar -cf - -T -) | tar -xf - -C "$W/src"
commit=$(git -C "$LADING_SRC" rev-parse --short HEAD 2> /dev/null || echo unknown)
(cd "$W/src" && LADING_GIT_COMMIT=$commit dpkg-buildpackage -us -uc -b -j"$(nproc)") > "$W/build.log" 2>&1 ||
	{ tail -40 "$W/build.log"; fail "dpkg-buildpackage failed"; exit 1; }
for p in lading liblading0 liblading-dev; do
	ls "$W"/${p}_*.deb > /dev/null 2>&1 || fail "package $p not built"
done
lintian --tag-display-limit 0 "$W"/lading_*.changes > "$W/lintian.log" 2>&1 || true
if grep -q '^E:' "$W/lintian.log"; then fail "lintian errors: $(grep '^E:' "$W/lintian.log" | head -10)"; fi
dpkg-deb -f "$W"/lading_*.deb Depends | grep 'liblading0' > /dev/null || fail "lading does not depend on liblading0"

# a fresh root: nothing but dpkg's database (dependencies are the host's, hence --force-depends)
nonroot=()
[ "$(id -u)" = 0 ] || nonroot=(--force-not-root)
dpkg --root="$W/root" "${nonroot[@]}" --force-depends --force-script-chrootless -i "$W"/lading_*.deb "$W"/liblading0_*.deb \
	"$W"/liblading-dev_*.deb > "$W/dpkg.log" 2>&1 || fail "dpkg --root -i: $(tail -5 "$W/dpkg.log")"
R="$W/root"
libdir=$(dirname "$(find "$R/usr/lib" -name 'liblading.so.0' | head -1)")
for f in usr/bin/lading usr/share/lading/honeypot-rules.conf usr/share/lading/binary-classifiers.tsv \
	usr/share/man/man1/lading.1.gz usr/share/man/man1/lading-scan.1.gz usr/include/lading/lading.h \
	usr/share/bash-completion/completions/lading usr/share/zsh/vendor-completions/_lading \
	usr/share/fish/vendor_completions.d/lading.fish; do
	[ -e "$R/$f" ] || fail "not installed by the packages: /$f"
done
readelf -d "$R/usr/bin/lading" | grep -E 'RPATH|RUNPATH' > /dev/null && fail "the packaged lading has an RPATH"

run() { (cd "$W/cwd" && env -i PATH=/usr/bin:/bin HOME="$W/cwd" LD_LIBRARY_PATH="$libdir" "$R/usr/bin/lading" "$@"); }
run --version > "$W/version" || fail "--version: exit $?"
grep -qx "commit: $commit" "$W/version" || fail "--version does not name commit $commit: $(cat "$W/version")"
db=$(bash "$LADING_SRC/tests/setup/vulndb.sh")
img="$LADING_SHARED/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz"
run scan "$img" --db "$db" --format json -o "$W/deb.json" || fail "scan from the package: exit $?"
"$LADING_BIN" scan "$img" --db "$db" --format json -o "$W/build.json"
n=$(jq '.vulnerabilities | length' "$W/deb.json" 2> /dev/null || echo 0)
[ "$n" -gt 0 ] && [ "$n" = "$(jq '.vulnerabilities | length' "$W/build.json")" ] ||
	fail "scan from the package: $n findings, the build tree's: $(jq '.vulnerabilities | length' "$W/build.json")"
: > "$W/empty.log"
run honeypot report "$W/empty.log" > /dev/null 2> "$W/err" || fail "honeypot rules not found in /usr/share/lading: $(cat "$W/err")"
man -l "$R/usr/share/man/man1/lading-scan.1.gz" 2> /dev/null | grep -- '--fail-on' > /dev/null || fail "man lading-scan"

cat > "$W/prog.c" << 'C'
#include <lading/lading.h>
#include <stdio.h>

int main(void)
{
	lading_build_info bi;
	lading_build_info_get(&bi);
	printf("%s %s\n", bi.version, bi.commit);
	return 0;
}
C
flags=$(PKG_CONFIG_SYSROOT_DIR="$R" PKG_CONFIG_LIBDIR="$libdir/pkgconfig" pkg-config --cflags --libs lading) ||
	fail "pkg-config lading in the root"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$W/prog" "$W/prog.c" $flags && LD_LIBRARY_PATH="$libdir" "$W/prog" | grep " $commit\$" > /dev/null ||
	fail "a program against liblading-dev"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; cat "$W/lintian.log"; exit 1; }
echo "deb_package: ok ($(grep -c '^W:' "$W/lintian.log" || true) lintian warnings, $n findings from the package)"

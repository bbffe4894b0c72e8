#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed tree copied elsewhere (the prefix
# it was installed to is deleted) runs on its own: from another cwd, with a clean environment, it
# scans a shared image with the same findings as the build tree's binary, finds its data files
# under its own share/lading (and not in the source tree), loads its library through its RPATH,
# and a C program builds against it with pkg-config and runs. The library exports only lading_*.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_WORK:?}" "${LADING_BUILD:?}" "${LADING_SHARED:?}" "${LADING_SRC:?}"
W="$LADING_WORK/install_prefix"
rm -rf "$W" && mkdir -p "$W/home" "$W/cwd"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$LADING_BUILD" --prefix "$W/prefix" > "$W/install.log"
cp -a "$W/prefix" "$W/moved"
rm -rf "$W/prefix"
P="$W/moved"
libdir=$(cd "$P" && dirname "$(find . -name 'liblading.so.0' | head -1)")
libdir=${libdir#./}
[ -n "$libdir" ] || { fail "no liblading.so.0 installed"; exit 1; }

# the layout
for f in bin/lading "$libdir/liblading.so" "$libdir/pkgconfig/lading.pc" include/lading/lading.h \
	include/lading/scan.h share/lading/binary-classifiers.tsv share/lading/honeypot-rules.conf \
	share/man/man1/lading.1 share/man/man1/lading-scan.1 share/man/man1/lading-db.1 \
	share/bash-completion/completions/lading share/zsh/site-functions/_lading \
	share/fish/vendor_completions.d/lading.fish; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
for f in "$LADING_SRC"/data/*; do
	cmp -s "$f" "$P/share/lading/$(basename "$f")" || fail "share/lading/$(basename "$f") differs from data/"
done
ncmd=$("$LADING_BIN" --help | sed -n '/^commands:/,/^$/p' | grep -c '^  ')
[ "$(ls "$P/share/man/man1" | wc -l)" -eq $((ncmd + 1)) ] || fail "not lading.1 and one man page per command"

# the library: SONAME, RPATH, exports
readelf -d "$P/$libdir/liblading.so.0" | grep 'SONAME.*\[liblading\.so\.0\]' > /dev/null || fail "SONAME is not liblading.so.0"
readelf -d "$P/bin/lading" | grep -E 'RPATH|RUNPATH' | grep -F '$ORIGIN/../' > /dev/null || fail "bin/lading has no \$ORIGIN RPATH"
bad=$(nm -D --defined-only "$P/$libdir/liblading.so.0" | awk '$2 ~ /^[TDBRW]$/ {print $3}' |
	grep -v '^lading_' | grep -v '^LADING_0$' || true)
[ -z "$bad" ] || fail "liblading exports more than lading_*: $(echo "$bad" | head -5 | tr '\n' ' ')"
nm -D --defined-only "$P/$libdir/liblading.so.0" | grep ' T lading_scan_run@@LADING_0' > /dev/null ||
	fail "lading_scan_run is not exported with version LADING_0"

# the installed binary, alone: another cwd, no build paths in the environment
run() { (cd "$W/cwd" && env -i PATH=/usr/bin:/bin HOME="$W/home" XDG_CACHE_HOME="$W/home/cache" "$P/bin/lading" "$@"); }
LDD=$(cd "$W/cwd" && env -i PATH=/usr/bin:/bin ldd "$P/bin/lading" | grep liblading || true)
case $LDD in *"$P/"*) ;; *) fail "bin/lading does not load the installed liblading: $LDD" ;; esac
run --version > "$W/version" || fail "--version: exit $?"
grep -q '^lading [0-9]' "$W/version" && grep -q '^commit: ' "$W/version" && grep -q '^database schema: [0-9]' "$W/version" &&
	grep -q '^store schema: [1-9][0-9]*$' "$W/version" ||
	fail "--version: $(cat "$W/version")"
db=$(bash "$LADING_SRC/tests/setup/vulndb.sh")
img="$LADING_SHARED/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz" # musl 1.1.18-r3: CVE-2019-14697
run scan --db "$db" --format json -o "$W/installed.json" "$img" || fail "installed scan: exit $?"
"$LADING_BIN" scan --db "$db" --format json -o "$W/build.json" "$img"
n=$(jq '.vulnerabilities | length' "$W/installed.json" 2> /dev/null || echo 0)
[ "$n" -gt 0 ] || fail "installed scan found nothing"
[ "$n" = "$(jq '.vulnerabilities | length' "$W/build.json")" ] || fail "installed scan: $n findings, build tree's: $(jq '.vulnerabilities | length' "$W/build.json")"
run sbom --format json "$img" | jq -e '.packages | length > 10' > /dev/null || fail "installed sbom"

# data files: from share/lading of the installed tree, never from the source tree
: > "$W/empty.log"
run honeypot report "$W/empty.log" > "$W/report" 2> "$W/report.err" || fail "honeypot report found no rules: $(cat "$W/report.err")"
mv "$P/share/lading/honeypot-rules.conf" "$W/rules.conf"
if run honeypot report "$W/empty.log" > /dev/null 2> "$W/report.err"; then
	fail "without share/lading/honeypot-rules.conf the installed lading still found rules"
fi
grep -q "$P/bin/../share/lading/honeypot-rules.conf" "$W/report.err" || fail "error does not name the place looked at: $(cat "$W/report.err")"
mv "$W/rules.conf" "$P/share/lading/honeypot-rules.conf"

# a C program against the installed library, found by pkg-config
cat > "$W/prog.c" << 'C'
#include <lading/lading.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	lading_build_info bi;
	lading_ctx *ctx = NULL;
	lading_image *img = NULL;
	lading_sbom *sbom = NULL;
	char *out = NULL;
	size_t len = 0;
	int cmp = 0, rc;
	lading_build_info_get(&bi);
	if (lading_version_compare("deb", "1.0~rc1", "1.0", &cmp) || cmp >= 0)
		return 10;
	if (argc < 2 || lading_ctx_new(&ctx))
		return 11;
	rc = lading_image_open(&img, ctx, argv[1], NULL);
	if (!rc)
		rc = lading_sbom_build(&sbom, ctx, img, NULL);
	if (!rc)
		rc = lading_sbom_report(&out, &len, ctx, sbom, LADING_FORMAT_JSON, NULL);
	if (rc) {
		fprintf(stderr, "prog: %s\n", lading_ctx_error(ctx)->msg);
		return 12;
	}
	printf("lading %s schema %d: %zu bytes of SBOM\n", bi.version, bi.db_schema, len);
	fwrite(out, 1, len, stderr);
	free(out);
	lading_sbom_free(sbom);
	lading_image_free(img);
	lading_ctx_free(ctx);
	return 0;
}
C
flags=$(PKG_CONFIG_PATH="$P/$libdir/pkgconfig" pkg-config --cflags --libs lading)
case $flags in *"$P"*) ;; *) fail "pkg-config flags do not point into the installed tree: $flags" ;; esac
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$W/prog" "$W/prog.c" $flags || fail "prog.c does not build with pkg-config lading"
if [ -x "$W/prog" ]; then
	(cd "$W/cwd" && env -i LD_LIBRARY_PATH="$P/$libdir" "$W/prog" "$img" > "$W/prog.out" 2> "$W/prog.json") ||
		fail "prog: exit $?: $(head -c 300 "$W/prog.json")"
	jq -e '.packages | length > 10' "$W/prog.json" > /dev/null || fail "prog: no SBOM"
	grep -q '^lading ' "$W/prog.out" || fail "prog: $(cat "$W/prog.out")"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "install_prefix: ok ($n findings from the installed tree)"

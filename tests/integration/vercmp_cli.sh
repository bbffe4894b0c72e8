#!/usr/bin/env bash
# `lading vercmp`: prints <, = or > and exits 0; bad usage exits 2 with a message on stderr.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_WORK:?}"
W="$LADING_WORK/vercmp_cli"
rm -rf "$W" && mkdir -p "$W"
fails=0
ok() { # EXPECTED-STDOUT ARGS...
	local want=$1 out rc=0
	shift
	out=$("$LADING_BIN" vercmp "$@" 2> "$W/err") || rc=$?
	if [ "$rc" -ne 0 ] || [ "$out" != "$want" ]; then
		echo "FAIL: vercmp $*: got '$out' (exit $rc), want '$want' (exit 0); stderr: $(cat "$W/err")"
		fails=$((fails + 1))
	fi
}
usage_err() { # STDERR-PATTERN ARGS...
	local pat=$1 rc=0
	shift
	"$LADING_BIN" vercmp "$@" > "$W/out" 2> "$W/err" || rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q -- "$pat" "$W/err" || [ -s "$W/out" ]; then
		echo "FAIL: vercmp $*: exit $rc, stderr '$(cat "$W/err")', stdout '$(cat "$W/out")'; want exit 2 and /$pat/"
		fails=$((fails + 1))
	fi
}

ok '<' deb 1.0~rc1 1.0
ok '>' deb 1:0.1 9.9
ok '=' deb 1.0 1.0-0
ok '<' dpkg 2.36-9+deb12u4 2.36-9+deb12u7
ok '<' apk 1.2.3_rc1-r0 1.2.3-r0
ok '>' alpine 1.0_p1 1.0
ok '>' rpm 2:1.0.1-38.module_el8.9.0+3627+db8ec155 1:9.9
ok '<' rpm 1.0~rc1 1.0
ok '>' rpm 1.0^git1 1.0
ok '<' semver 1.0.0-alpha 1.0.0-alpha.1
ok '=' npm 1.0.0+build 1.0.0
ok '<' go 0.0.0-20260220133927-c29cf05d40f8 0.0.1
ok '=' go go1.20 1.20.0
ok '<' go 1.21rc2 1.21.0
ok '=' pypi 1.0RC1 1.0rc1
ok '=' PyPI 1.0 1.0.0
ok '<' pypi 1.0.dev0 1.0a0
ok '<' maven 1.0-SNAPSHOT 1.0
ok '=' maven 1ga 1
ok '<' gem 1.0.a 1.0
ok '=' rubygems 1.0 1
ok '<' nuget 1.0.0-beta 1.0.0
ok '=' nuget 1.0.0-BETA 1.0.0.0-beta
ok '<' generic 1.9 1.10
ok '>' --ecosystem Alpine:v3.20 1.0-r1 1.0-r0
ok '<' --ecosystem Debian:12 1.0~rc1 1.0
ok '=' --ecosystem Hackage 1.01 1.1
ok '<' deb -- -1 1
ok 'valid' --valid deb 1:2.3-4
ok 'invalid' --valid semver 1.2
ok $'<\n=\n>' --batch deb < <(printf '1.0~rc1\t1.0\n1.0\t1.0-0\n2\t1\n')
ok $'valid\ninvalid' --batch --valid pypi < <(printf '1.0.post1\n1.0.\n')
ok '' --batch deb < /dev/null

usage_err "unknown scheme 'nosuch'" nosuch 1 2
usage_err "expected SCHEME and two versions" deb 1
usage_err "expected SCHEME and two versions"
usage_err "too many arguments" deb 1 2 3
usage_err "unknown option '--frobnicate'" --frobnicate deb 1 2
usage_err "expected SCHEME and one version" --valid deb
usage_err "expected A<TAB>B" --batch deb < <(printf 'no tab here\n')

# --help is not an error
"$LADING_BIN" vercmp --help | grep -q 'usage: lading vercmp' || { echo "FAIL: vercmp --help"; fails=$((fails + 1)); }

if [ "$fails" -ne 0 ]; then
	echo "vercmp_cli: $fails failure(s)"
	exit 1
fi
echo "vercmp_cli: ok"

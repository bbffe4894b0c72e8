#!/usr/bin/env bash
# docs/ci.md cannot rot: every `lading` command line in its code blocks runs here against shared
# images (a vulnerable one, Alpine 3.7.3 with musl 1.1.18-r3, and a clean one, Alpine 3.9.6), the
# Makefile and the hook script run as written. `lading db update` lines get the local feed
# server's --source options added (no network in tests); the database goes to its default place,
# which must be the path the recipes cache. Outputs are checked: SARIF and CycloneDX against the
# official schemas, and each gate's exit status against the JSON report read with jq.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_WORK:?}" "${LADING_SHARED:?}" "${LADING_SRC:?}" "${LADING_BUILD:?}"
# shellcheck source=feedserver.bash
. "$LADING_SRC/tests/integration/feedserver.bash"
W="$LADING_WORK/ci_recipes"
rm -rf "$W" && mkdir -p "$W/bin" "$W/home" "$W/run"
DOC="$LADING_SRC/docs/ci.md"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# `lading` on PATH is the binary under test; the database in the default place under HOME
ln -s "$LADING_BIN" "$W/bin/lading"
export PATH="$W/bin:$PATH" HOME="$W/home" LADING_NO_PROGRESS=1
unset XDG_CACHE_HOME LADING_DB LADING_MIRROR
VULN="$LADING_SHARED/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz"
CLEAN="oci:$LADING_SHARED/images/oci/alpine-3.9.6:3.9.6"

feeds_www "$W/www"
feeds_start "$W/www"
sources="--source osv=$FEEDS_URL/osv --source alpine-secdb=$FEEDS_URL/alpine-secdb --source debian=$FEEDS_URL/debian --source kev=$FEEDS_URL/kev --source epss=$FEEDS_URL/epss"

# code blocks of docs/ci.md: block N's text in $W/blocks/N.<info>
mkdir -p "$W/blocks"
awk -v d="$W/blocks" '
	/^```/ { if (inb) { inb = 0; next } inb = 1; n++; info = substr($0, 4); if (info == "") info = "txt"; next }
	inb { print > (d "/" n "." info) }' "$DOC"
ls "$W/blocks"/*.yaml > /dev/null 2>&1 || fail "no YAML recipes in docs/ci.md"

# the lading command lines of the YAML recipes, in order ("run: lading ..." or "- lading ...")
sed -nE 's/^[[:space:]]*(- )?(run: )?(lading .*)$/\3/p' "$W/blocks"/*.yaml > "$W/lines"
nlines=$(wc -l < "$W/lines")
[ "$nlines" -ge 6 ] || fail "only $nlines lading command lines found in docs/ci.md"
grep -q '^lading db update' "$W/lines" || fail "no recipe updates the database"

# severity rank for the jq check of a gate
expect_gate() { # JSON-REPORT LINE -> 1 when the gate must fail, else 0
	local sev kev unfixed
	sev=$(sed -nE 's/.*--fail-on[ =]([a-z]+).*/\1/p' <<< "$2")
	kev=$(grep -c -- '--fail-on-kev' <<< "$2" || true)
	unfixed=$(grep -c -- '--ignore-unfixed' <<< "$2" || true)
	jq -r --arg sev "${sev:-none}" --argjson kev "$kev" --argjson unfixed "$unfixed" '
		{"unknown":0,"low":1,"medium":2,"high":3,"critical":4} as $r
		| [.vulnerabilities[] | select($unfixed == 0 or .status == "fixed")
		   | select(($sev != "none" and $r[.severity] >= $r[$sev]) or ($kev == 1 and .kev != null))]
		| if length > 0 then 1 else 0 end' "$1"
}

run_line() { # IMAGE LINE -> exit status
	local rc=0
	(cd "$W/run" && IMAGE="$1" bash -c "$2") > "$W/out" 2> "$W/err" || rc=$?
	return $rc
}

n=0
while IFS= read -r line; do
	n=$((n + 1))
	case $line in
	"lading db update"*)
		rc=0
		run_line "$VULN" "$line $sources" || rc=$?
		[ "$rc" = 0 ] || fail "'$line': exit $rc: $(tail -3 "$W/err")"
		continue ;;
	esac
	for img in "$VULN" "$CLEAN"; do
		rc=0
		run_line "$img" "$line" || rc=$?
		case $line in
		*--fail-on*)
			# the gate's verdict, against the JSON report of the same image
			(cd "$W/run" && lading scan "$img" --format json --quiet -o "$W/gate.json")
			want=$(expect_gate "$W/gate.json" "$line")
			[ "$rc" = "$want" ] || fail "'$line' on $(basename "$img"): exit $rc, want $want: $(tail -2 "$W/err")"
			if [ "$img" = "$VULN" ]; then
				# the same gate at the lowest threshold fires on the vulnerable image
				low=$(sed -E 's/--fail-on[ =][a-z]+/--fail-on unknown/' <<< "$line")
				rc=0
				run_line "$img" "$low" || rc=$?
				[ "$rc" = 1 ] || fail "'$low': exit $rc on a vulnerable image, want 1"
			fi ;;
		*)
			[ "$rc" = 0 ] || fail "'$line' on $(basename "$img"): exit $rc: $(tail -3 "$W/err")" ;;
		esac
	done
done < "$W/lines"
echo "ran $n command lines of docs/ci.md"

# the database is where the recipes' caches look
[ -s "$HOME/.cache/lading/db.sqlite" ] || fail "the database is not in ~/.cache/lading (the cached path)"
grep -q 'path: ~/.cache/lading$' "$DOC" || fail "GitHub recipe does not cache ~/.cache/lading"

# the outputs the recipes hand to GitHub and GitLab (the last image's; both are valid)
V="$LADING_SRC/tests/tools/validate.sh"
for f in $(grep -oE -- '-o [^ ]+' "$W/lines" | awk '{print $2}' | sort -u); do
	[ -s "$W/run/$f" ] || { fail "recipe output $f not written"; continue; }
	case $f in
	*.sarif) bash "$V" sarif-2.1.0 "$W/run/$f" > /dev/null || fail "$f is not valid SARIF 2.1.0" ;;
	*.cdx.json) bash "$V" cyclonedx-1.5 "$W/run/$f" > /dev/null || fail "$f is not valid CycloneDX 1.5" ;;
	*.json) jq -e '.vulnerabilities | type == "array"' "$W/run/$f" > /dev/null || fail "$f is not a scan report" ;;
	esac
done
grep -q 'sarif_file: lading.sarif' "$DOC" && grep -q -- '-o lading.sarif' "$W/lines" || fail "the uploaded SARIF file is not the one written"
grep -q -- '- gl-sbom-lading.cdx.json' "$DOC" && grep -q -- '-o gl-sbom-lading.cdx.json' "$W/lines" || fail "the CycloneDX report is not the one written"

# the Makefile and the hook, as written
mk=$(grep -l '^scan:' "$W/blocks"/*.make | head -1)
[ -n "$mk" ] || fail "no Makefile recipe"
if [ -n "$mk" ]; then
	rc=0
	(cd "$W/run" && make -s -f "$mk" scan IMAGE="$CLEAN") > "$W/out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "make scan on a clean image: exit $rc: $(tail -3 "$W/out")"
	sed -E 's/--fail-on [a-z]+/--fail-on unknown/' "$mk" > "$W/low.make"
	(cd "$W/run" && make -s -f "$W/low.make" scan IMAGE="$VULN") > "$W/out" 2>&1 && fail "make scan: gate at 'unknown' passed a vulnerable image"
fi
hook=$(grep -l '^#!/bin/sh' "$W/blocks"/*.sh | head -1)
[ -n "$hook" ] || fail "no hook recipe"
if [ -n "$hook" ]; then
	rc=0
	(cd "$W/run" && IMAGE="$CLEAN" sh "$hook") > "$W/out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "pre-push hook on a clean image: exit $rc: $(tail -3 "$W/out")"
	(cd "$W/run" && IMAGE="$VULN" sh <(sed -E 's/--fail-on [a-z]+/--fail-on unknown/' "$hook")) > "$W/out" 2>&1 &&
		fail "pre-push hook: gate at 'unknown' passed a vulnerable image"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ci_recipes: ok"

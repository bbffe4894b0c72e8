#!/usr/bin/env bash
# Differential test of the deb and rpm comparators against the real implementations:
# - deb: >= 100,000 generated pairs through dpkg's own parseversion()/dpkg_version_compare()
#   (libdpkg), plus a sample through the `dpkg --compare-versions` binary itself;
# - rpm: >= 100,000 generated pairs through librpm's rpmverParse()/rpmverCmp(), and all of
#   them again through rpm's lua rpm.vercmp() (the `rpm` binary), batched in one lua block.
# Zero disagreements allowed. Pairs stress tildes, carets, epochs, letters, leading zeros,
# empty segments and long numbers (tests/integration/vercmp_ref/vgen.c).
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SRC:?}" "${LADING_WORK:?}"
REF="$LADING_SRC/tests/integration/vercmp_ref"
W="$LADING_WORK/vercmp_differential"
PAIRS=${VERCMP_PAIRS:-120000}
SAMPLE=${VERCMP_SAMPLE:-400}
MIN=100000
rm -rf "$W" && mkdir -p "$W"

need() { command -v "$1" >/dev/null || { echo "FAIL: $1 not found ($2; see scripts/apt-packages.txt)"; exit 1; }; }
need cc "build-essential"
need dpkg "dpkg"
need rpm "rpm"
pkg-config --exists libdpkg || { echo "FAIL: libdpkg not found (install libdpkg-dev)"; exit 1; }
pkg-config --exists rpm || { echo "FAIL: librpm not found (install librpm-dev)"; exit 1; }

cc -O2 -o "$W/vgen" "$REF/vgen.c"
# shellcheck disable=SC2046
cc -O2 -o "$W/dpkgcmp" "$REF/dpkgcmp.c" $(pkg-config --cflags --libs libdpkg)
# shellcheck disable=SC2046
cc -O2 -o "$W/rpmcmp" "$REF/rpmcmp.c" $(pkg-config --cflags --libs rpm)

fails=0
# compare PAIRS OURS REF LABEL: count pairs the reference accepts and disagreements
compare() {
	paste "$1" "$2" "$3" | awk -F'\t' -v label="$4" -v min="$MIN" '
		$4 == "E" { rejected++; next }
		{ n++; if ($3 != $4) { bad++; if (bad <= 20) printf "DISAGREE %s: %s vs %s: lading %s, reference %s\n", label, $1, $2, $3, $4 } }
		END {
			printf "%s: %d pairs compared, %d rejected by the reference, %d disagreements\n", label, n, rejected, bad
			exit (bad > 0 || n < min) ? 1 : 0
		}'
}

# --- deb ---
"$W/vgen" deb "$PAIRS" 20240601 > "$W/deb.pairs"
"$LADING_BIN" vercmp --batch deb < "$W/deb.pairs" > "$W/deb.ours"
"$W/dpkgcmp" < "$W/deb.pairs" > "$W/deb.ref"
compare "$W/deb.pairs" "$W/deb.ours" "$W/deb.ref" "deb vs libdpkg" || fails=$((fails + 1))
# the dpkg binary itself on a sample (every k-th pair dpkg accepts, long numbers included;
# not versions starting with '-' ("-0:1"), which the dpkg command line takes for options)
paste "$W/deb.pairs" "$W/deb.ours" "$W/deb.ref" |
	awk -F'\t' -v s="$SAMPLE" '$4 != "E" && $1 !~ /^-/ && $2 !~ /^-/ && NR % 97 == 0 && c++ < s' > "$W/deb.sample"
n=0 bad=0
while IFS=$'\t' read -r a b ours _; do
	if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then want='<'
	elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then want='='
	else want='>'; fi
	n=$((n + 1))
	if [ "$want" != "$ours" ]; then
		bad=$((bad + 1))
		echo "DISAGREE deb vs dpkg --compare-versions: $a vs $b: lading $ours, dpkg $want"
	fi
done < "$W/deb.sample"
echo "deb vs dpkg --compare-versions: $n pairs compared, $bad disagreements"
{ [ "$bad" -eq 0 ] && [ "$n" -ge 100 ]; } || fails=$((fails + 1))

# --- rpm ---
"$W/vgen" rpm "$PAIRS" 20240602 > "$W/rpm.pairs"
"$LADING_BIN" vercmp --batch rpm < "$W/rpm.pairs" > "$W/rpm.ours"
"$W/rpmcmp" < "$W/rpm.pairs" > "$W/rpm.ref"
compare "$W/rpm.pairs" "$W/rpm.ours" "$W/rpm.ref" "rpm vs librpm" || fails=$((fails + 1))
# the same pairs through the rpm binary's lua rpm.vercmp(), one lua block for all of them
rpm --eval "%{lua: local o = io.open('$W/rpm.lua', 'w')
for l in io.lines('$W/rpm.pairs') do
  local a, b = l:match('^([^\t]*)\t(.*)$')
  local ok, r = pcall(rpm.vercmp, a, b)
  if not ok then o:write('E\n') elseif r < 0 then o:write('<\n') elseif r > 0 then o:write('>\n') else o:write('=\n') end
end
o:close()}" > /dev/null
compare "$W/rpm.pairs" "$W/rpm.ours" "$W/rpm.lua" "rpm vs rpm --eval rpm.vercmp" || fails=$((fails + 1))

# the test must be able to fail: a deliberately wrong answer is caught by compare()
printf '1.0\t1.0~rc1\n' > "$W/canary.pairs"; printf '<\n' > "$W/canary.ours"
"$W/dpkgcmp" < "$W/canary.pairs" > "$W/canary.ref"
if MIN=1 compare "$W/canary.pairs" "$W/canary.ours" "$W/canary.ref" "canary" > /dev/null; then
	echo "FAIL: the comparison did not catch a wrong answer"; fails=$((fails + 1))
fi

if [ "$fails" -ne 0 ]; then
	echo "vercmp_differential: $fails check(s) failed"
	exit 1
fi
echo "vercmp_differential: ok"

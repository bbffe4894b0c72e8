#!/usr/bin/env bash
# The pypi, gem, semver and maven comparators against each ecosystem's own implementation on
# generated pairs (tests/integration/vercmp_ref/vgen.c): Python's `packaging` (pip's), Ruby's
# Gem::Version, npm's node-semver, and Maven's ComparableVersion (maven-artifact jar).
# Zero disagreements on order, and on validity where the reference has a notion of it.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SRC:?}" "${LADING_WORK:?}"
REF="$LADING_SRC/tests/integration/vercmp_ref"
W="$LADING_WORK/vercmp_reference"
PAIRS=${VERCMP_REF_PAIRS:-30000}
MAVEN_JAR=${MAVEN_JAR:-/usr/share/java/maven3-artifact.jar}
rm -rf "$W" && mkdir -p "$W"

need() { command -v "$1" >/dev/null || { echo "FAIL: $1 not found (install $2; see scripts/apt-packages.txt)"; exit 1; }; }
need cc build-essential
# Debian's python3 (python3-packaging installs for it), not whatever python3 is first in PATH
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
need ruby ruby
need node node-semver
need javac default-jdk-headless
"$PY" -c 'import packaging.version' 2>/dev/null || { echo "FAIL: python3 packaging module missing (install python3-packaging)"; exit 1; }
[ -f /usr/share/nodejs/semver/functions/compare.js ] || { echo "FAIL: node-semver missing (install node-semver)"; exit 1; }
[ -f "$MAVEN_JAR" ] || { echo "FAIL: $MAVEN_JAR missing (install libmaven3-core-java)"; exit 1; }

cc -O2 -o "$W/vgen" "$REF/vgen.c"
javac -d "$W/java" -cp "$MAVEN_JAR" "$REF/MavenCmp.java"

reference() { # SCHEME [--valid]
	case $1 in
	pypi) "$PY" "$REF/pypi_ref.py" ${2:-} ;;
	gem) ruby "$REF/gem_ref.rb" ${2:-} ;;
	semver) node "$REF/semver_ref.js" ${2:-} ;;
	maven) java -cp "$W/java:$MAVEN_JAR" MavenCmp | sed 's/^-1$/</; s/^1$/>/; s/^0$/=/' ;;
	esac
}

fails=0
for scheme in pypi gem semver maven; do
	"$W/vgen" "$scheme" "$PAIRS" 7 > "$W/$scheme.pairs"
	"$LADING_BIN" vercmp --batch "$scheme" < "$W/$scheme.pairs" > "$W/$scheme.ours"
	reference "$scheme" < "$W/$scheme.pairs" > "$W/$scheme.ref"
	paste "$W/$scheme.pairs" "$W/$scheme.ours" "$W/$scheme.ref" | awk -F'\t' -v label="$scheme" -v min=$((PAIRS / 4)) '
		$4 == "E" { rejected++; next }
		{ n++; if ($3 != $4) { bad++; if (bad <= 20) printf "DISAGREE %s: %s vs %s: lading %s, reference %s\n", label, $1, $2, $3, $4 } }
		END {
			printf "%s order: %d pairs compared, %d rejected by the reference, %d disagreements\n", label, n, rejected, bad
			exit (bad > 0 || n < min) ? 1 : 0
		}' || fails=$((fails + 1))
	[ "$scheme" = maven ] && continue # Maven accepts every string
	tr '\t' '\n' < "$W/$scheme.pairs" > "$W/$scheme.one"
	"$LADING_BIN" vercmp --batch --valid "$scheme" < "$W/$scheme.one" > "$W/$scheme.vours"
	reference "$scheme" --valid < "$W/$scheme.one" > "$W/$scheme.vref"
	paste "$W/$scheme.one" "$W/$scheme.vours" "$W/$scheme.vref" | awk -F'\t' -v label="$scheme" '
		$3 == "skip" { next }
		{ n++; if ($2 != $3) { bad++; if (bad <= 20) printf "DISAGREE %s validity: %s: lading %s, reference %s\n", label, $1, $2, $3 } }
		END { printf "%s validity: %d versions, %d disagreements\n", label, n, bad; exit bad > 0 }' || fails=$((fails + 1))
done

if [ "$fails" -ne 0 ]; then
	echo "vercmp_reference: $fails check(s) failed"
	exit 1
fi
echo "vercmp_reference: ok"

#!/usr/bin/env bash
# Vulnerability database benchmark: a full `lading db build` from ../shared/vulndata (wall time,
# CPU time, peak RSS, database size, records per feed), then 10,000 (ecosystem, package) lookups
# through the query API (bench/db_lookup.c). Prints figures; never passes or fails on time.
#
#   bench/db_build.sh [BUILD_DIR] [RUNS]
#
# BUILD_DIR: a configured and built tree (default $LADING_BUILD, else ./build); RUNS: builds to
# time (default 3; the figures of each run and the best are printed).
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-${LADING_BUILD:-$SRC/build}}"
RUNS="${2:-3}"
SHARED="${LADING_SHARED:-$SRC/../shared}"
BIN="$BUILD/lading"
LIB="$BUILD/src/lib/liblading.a"
[ -x "$BIN" ] && [ -f "$LIB" ] || { echo "build lading_cli first (no $BIN or $LIB)"; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time, Debian package 'time')"; exit 2; }
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
export LADING_NO_PROGRESS=1

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1e6}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:   $SHARED/vulndata ($(du -shL "$SHARED/vulndata" | cut -f1))"
best=""
for r in $(seq "$RUNS"); do
	rm -f "$W/db.sqlite"
	sync
	/usr/bin/time -v "$BIN" db build --mirror "$SHARED/vulndata" --db "$W/db.sqlite" --json \
		> "$W/report.json" 2> "$W/time.txt"
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$W/time.txt")
	user=$(awk -F': ' '/User time/ {print $2}' "$W/time.txt")
	sys=$(awk -F': ' '/System time/ {print $2}' "$W/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$W/time.txt")
	printf "build %d: %6.2f s wall, %5.2f s user, %5.2f s sys, peak RSS %s MB\n" "$r" "$wall" "$user" "$sys" "$rss"
	if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$wall; fi
done
printf "best build: %.2f s wall (target <= 30 s)\n" "$best"
printf "database: %.1f MB\n" "$(stat -c %s "$W/db.sqlite" | awk '{print $1 / 1e6}')"
echo
printf "%-16s %-8s %9s %8s %9s\n" FEED STATUS RECORDS SKIPPED WITHDRAWN
jq -r '.feeds[] | [.name, .status, .records, .skipped, .withdrawn] | @tsv' "$W/report.json" \
	| awk -F'\t' '{printf "%-16s %-8s %9s %8s %9s\n", $1, $2, $3, $4, $5}'
echo
# tables by size (dbstat is compiled into Debian's sqlite3)
sqlite3 "$W/db.sqlite" "SELECT name, ROUND(SUM(pgsize) / 1e6, 1) || ' MB', SUM(ncell) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC" \
	2> /dev/null | awk -F'|' '{printf "  %-24s %10s %10s rows/cells\n", $1, $2, $3}' || true
echo
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_GNU_SOURCE -I"$SRC/src/lib" -I"$SRC/include" "$SRC/bench/db_lookup.c" "$LIB" \
	$(pkg-config --libs libarchive libzstd libisal libcrypto yaml-0.1 zlib libcurl sqlite3) -lpthread -lm \
	-o "$W/db_lookup"
"$W/db_lookup" "$W/db.sqlite" 10000
echo "(target: 10,000 lookups <= 50 ms)"

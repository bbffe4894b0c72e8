#!/usr/bin/env bash
# The fleet inventory at scale (docs/inventory.md), on SQLite and on PostgreSQL 15:
#  - a fleet of $FLEET_N OCI images built from real layers (bench/fleet_gen.py: the 18 Alpine
#    minirootfs bases of ../shared, shared as registries share bases, each with a distinct small
#    top layer of Python distributions);
#  - `inventory add` rate once the bases are stored (--jobs 2), with 2 `add` processes at once, and
#    without layer reuse (--no-cache, a sample);
#  - 100,000 container records in one snapshot;
#  - `rescan` after a database change: a feed added (alpine-secdb -> + 95 % of the PyPI OSV feed,
#    every image changes) and an update (+ the other 5 % of PyPI advisories and KEV): images/s;
#  - `query --cve` time (median of $RUNS) for a rare and for a common vulnerability;
#  - store bytes per image (the store keeps no layer content: all of it is "beyond layers").
# No peer keeps an inventory that rescans without the images (Trivy's server keeps no results), so
# these are absolute figures. Prints figures; never passes or fails.
source "$(dirname "$0")/common.sh"
need jq jq
need python3 python3
N=${FLEET_N:-6000}
NCONT=${FLEET_CONTAINERS:-100000}
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-fleet.XXXXXX")
source "$BENCH_SRC/tests/integration/pg_lib.bash"
PG_NO_TRAP=1
trap 'pg_stop; rm -rf "$W"' EXIT
export XDG_CACHE_HOME="$W/cache"
# measure_cpu CMD...: $RUNS runs; prints "median_wall_s median_cpu_s" (user + system): on a machine
# shared with other work the wall time includes waiting for a core, the CPU time does not
measure_cpu() {
	local walls=() cpus=() t0 out
	for _ in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		/usr/bin/time -f "%U %S" -o "$W/time.out" "$@" > /dev/null 2>&1 || true
		walls+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')")
		out=$(tail -1 "$W/time.out")
		cpus+=("$(awk -v u="${out% *}" -v s="${out#* }" 'BEGIN { printf "%.3f", u + s }')")
	done
	echo "$(median "${walls[@]}") $(median "${cpus[@]}")"
}
# CPU seconds of the PostgreSQL server so far (postmaster and its ended backends), or nothing
# when no server of ours runs: on a loopback connection its work is part of each command's cost
pg_cpu() {
	[ -n "${PG_DIR:-}" ] && [ -s "$PG_DIR/data/postmaster.pid" ] || return 0
	awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' \
		"/proc/$(head -1 "$PG_DIR/data/postmaster.pid")/stat" 2> /dev/null || true
}
# timed CMD...: runs it once; sets T_WALL and T_CPU (seconds), and T_SRV (", server N" when a
# PostgreSQL server of ours runs: its CPU over the command)
timed() {
	local t0=$EPOCHREALTIME out s0 s1
	s0=$(pg_cpu)
	/usr/bin/time -f "%U %S" -o "$W/time.out" "$@" > /dev/null 2> "$W/timed.err" || { cat "$W/timed.err" >&2; }
	T_WALL=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	out=$(tail -1 "$W/time.out")
	T_CPU=$(awk -v u="${out% *}" -v s="${out#* }" 'BEGIN { printf "%.2f", u + s }')
	T_SRV=""
	if [ -n "$s0" ]; then
		sleep 0.3 # the backend ends after the client
		s1=$(pg_cpu)
		T_SRV=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf ", server %.2f", b - a }')
	fi
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

echo "generating $N images..." >&2
python3 "$BENCH_SRC/bench/fleet_gen.py" "$SHARED" "$W/fleet" "$N"
cut -d' ' -f1 "$W/fleet/refs.txt" > "$W/refs"
cut -d' ' -f2 "$W/fleet/refs.txt" > "$W/digests"
NB=$(ls "$SHARED"/images/alpine/alpine-minirootfs-*.tar.gz | wc -l)

# databases: A = alpine-secdb; P = + the PyPI OSV feed less one advisory in 20 (a feed added:
# every image changes); B = + the whole PyPI feed and KEV (an overnight update: 5 % more advisories)
for v in A P B; do mkdir -p "$W/m$v"; cp -r "$SHARED/vulndata/alpine-secdb" "$W/m$v/"; done
mkdir -p "$W/mP/osv/PyPI" "$W/mB/osv/PyPI" "$W/mB/kev"
cp "$SHARED/vulndata/osv/PyPI/all.zip" "$W/mB/osv/PyPI/"
python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for k, n in enumerate(sorted(src.namelist())):
        if k % 20 != 7:
            dst.writestr(n, src.read(n))' "$SHARED/vulndata/osv/PyPI/all.zip" "$W/mP/osv/PyPI/all.zip"
cp "$SHARED/vulndata/kev/known_exploited_vulnerabilities.json" "$W/mB/kev/"
for v in A P B; do "$LADING" db build --mirror "$W/m$v" --db "$W/$v.sqlite" > /dev/null 2>&1; sleep 1; done

# 100,000 containers over the fleet (some of them gone later is not needed for timing)
python3 - "$W/digests" "$NCONT" > "$W/containers.json" << 'EOF'
import json, sys
d = open(sys.argv[1]).read().split()
n = int(sys.argv[2])
print(json.dumps({"containers": [{"id": "%064x" % i, "name": "c%d" % i, "namespace": "ns%d" % (i % 50),
  "pod": "p%d" % i, "node": "n%d" % (i % 200), "image_ref": "app:%d" % (i % len(d)),
  "image_digest": d[i % len(d)], "state": "running" if i % 3 else "exited",
  "labels": {"app": "a%d" % (i % 300)}} for i in range(n)]}))
EOF

run() { # BACKEND STORE-URL size-function
	local b=$1 st=$2 qr qc rare common size w c
	echo
	echo "== $b                                         wall (cpu)     rate (by wall)"
	timed "$LADING" inventory add --store "$st" --db "$W/A.sqlite" $(head -n "$NB" "$W/refs")
	printf '%-44s %7s s (%6s)  %6s images/s\n' "add: the $NB bases (first layer reads)" "$T_WALL" "$T_CPU" "$(rate "$NB" "$T_WALL")"
	tail -n +"$((NB + 1))" "$W/refs" > "$W/rest"
	timed xargs -a "$W/rest" "$LADING" inventory add --store "$st" --db "$W/A.sqlite" --jobs 2
	printf '%-44s %7s s (%6s)  %6s images/s\n' "add: $((N - NB)) more (bases stored, --jobs 2)" "$T_WALL" "$T_CPU" \
		"$(rate $((N - NB)) "$T_WALL")"
	timed "$LADING" inventory containers --store "$st" --from "$W/containers.json" --source bench
	printf '%-44s %7s s (%6s)  %6s containers/s%s\n' "containers: one snapshot of $NCONT" "$T_WALL" "$T_CPU" \
		"$(rate "$NCONT" "$T_WALL")" "$T_SRV"
	timed "$LADING" inventory rescan --store "$st" --db "$W/P.sqlite" --format json -o "$W/rescan-$b.json"
	printf '%-44s %7s s (%6s)  %6s images/s%s\n' "rescan of $N, a feed added (PyPI)" "$T_WALL" "$T_CPU" \
		"$(rate "$N" "$T_WALL")" "$T_SRV"
	echo "   $(tail -1 "$W/timed.err")"
	timed "$LADING" inventory rescan --store "$st" --db "$W/B.sqlite" --format json -o "$W/rescan2-$b.json"
	printf '%-44s %7s s (%6s)  %6s images/s%s\n' "rescan of $N, an update (+5 % advisories, KEV)" "$T_WALL" \
		"$T_CPU" "$(rate "$N" "$T_WALL")" "$T_SRV"
	echo "   $(tail -1 "$W/timed.err")"
	timed "$LADING" inventory rescan --store "$st" --db "$W/B.sqlite" --format json -o /dev/null
	printf '%-44s %7s s (%6s)  %6s images/s\n' "rescan again (same build, no change)" "$T_WALL" "$T_CPU" "$(rate "$N" "$T_WALL")"
	# a rare and the most common vulnerability of the new findings
	rare=$(jq -r '[.new[].id] | group_by(.) | sort_by(length) | .[0][0]' "$W/rescan-$b.json")
	common=$(jq -r '[.new[].id] | group_by(.) | sort_by(-length) | .[0][0]' "$W/rescan-$b.json")
	for id in "$rare" "$common"; do
		"$LADING" inventory query --store "$st" --cve "$id" --format json -o "$W/q.json"
		read -r w c < <(measure_cpu "$LADING" inventory query --store "$st" --cve "$id" --format json -o /dev/null)
		printf '%-44s %7s s (%6s)  %s images, %s containers\n' "query --cve $id" "$w" "$c" \
			"$(jq '.images | length' "$W/q.json")" "$(jq '.containers | length' "$W/q.json")"
	done
	read -r w c < <(measure_cpu "$LADING" inventory query --store "$st" --cve CVE-0000-00000 --format json -o /dev/null)
	printf '%-44s %7s s (%6s)\n' "query --cve (no image: the floor)" "$w" "$c"
	read -r w c < <(measure_cpu "$LADING" version)
	printf '%-44s %7s s (%6s)\n' "lading version (process start, for reference)" "$w" "$c"
	size=$($3)
	printf '%-44s %9s bytes  %6s bytes/image (%s images, %s containers)\n' "store size" "$size" \
		"$(awk -v s="$size" -v n="$N" 'BEGIN { printf "%.0f", s / n }')" "$N" "$NCONT"
}

# two add processes at once on a fresh store, each half of the fleet after the bases
two() { # BACKEND STORE-URL
	local st=$2 t0 t n
	# a cache of its own: the images' top layers are new to it, as in the single-process figure
	export XDG_CACHE_HOME="$W/cache-two-$1"
	"$LADING" inventory add --store "$st" --db "$W/A.sqlite" $(head -n "$NB" "$W/refs") > /dev/null
	sed -n "$((NB + 1)),$((NB + 2000))p" "$W/refs" > "$W/two"
	n=$(wc -l < "$W/two")
	t0=$(now)
	awk 'NR % 2 == 1' "$W/two" | xargs "$LADING" inventory add --store "$st" --db "$W/A.sqlite" > /dev/null &
	awk 'NR % 2 == 0' "$W/two" | xargs "$LADING" inventory add --store "$st" --db "$W/A.sqlite" > /dev/null &
	wait
	t=$(since "$t0")
	printf '%-44s %7s s           %6s images/s\n' "$1: 2 add processes at once, $n images" "$t" "$(rate "$n" "$t")"
}

sqlite_size() {
	sqlite3 "$W/fleet.sqlite" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
	stat -c %s "$W/fleet.sqlite"
}
run sqlite "$W/fleet.sqlite" sqlite_size
# without layer reuse: a sample of 200 new images, no layer cache
tail -n 200 "$W/refs" > "$W/sample"
timed xargs -a "$W/sample" "$LADING" inventory add --store "$W/nocache.sqlite" --db "$W/A.sqlite" --no-cache --jobs 2
printf '%-44s %7s s (%6s)  %6s images/s\n' "add without layer reuse (--no-cache, 200)" "$T_WALL" "$T_CPU" "$(rate 200 "$T_WALL")"
two sqlite "$W/two.sqlite"

if pg_start > /dev/null 2>&1; then
	U=$(pg_newdb fleet)
	pg_size() { pg_psql fleet -tAc "SELECT pg_database_size('fleet')"; }
	run postgres "$U" pg_size
	U2=$(pg_newdb two)
	two postgres "$U2"
else
	echo "PostgreSQL not available: its figures are missing"
fi

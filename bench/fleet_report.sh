#!/usr/bin/env bash
# lading report fleet over a generated registry-shaped fleet: 6,000 images (Alpine/Debian/Ubuntu
# bases, official and community repositories, ~19 findings per image) and 100,000 container
# records, read from a fleet export (--from). Median wall time of $RUNS runs per format and
# grouping, peak RSS, HTML size (target: under 2 MB), and as a reference the same export read by
# jq computing just the mean of distinct vulnerability ids per image (no peer tool makes this
# report); then the same fleet from a SQLite inventory store. Target: <= 1 s. Prints figures; never passes or fails.
source "$(dirname "$0")/common.sh"
need jq jq
need python3 python3
IMAGES=${IMAGES:-6000}
CONTAINERS=${CONTAINERS:-100000}
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
python3 "$BENCH_SRC/tests/tools/gen_fleet.py" --images "$IMAGES" --containers "$CONTAINERS" --census \
  --seed 1 -o "$W/fleet.json"
findings=$(jq '[.images[].findings | length] | add' "$W/fleet.json")
echo "fleet export: $IMAGES images, $findings findings, $CONTAINERS containers, $(du -m "$W/fleet.json" | cut -f1) MB"
printf '%-34s %9s %12s %10s\n' run wall_s peak_rss_mb output_kb
COLD=0
for args in "table" "json" "html" "html --history" "json --group-by repo" "json --group-by label:team"; do
  set -- $args
  fmt=$1; shift
  read -r t m < <(measure "$LADING" report fleet --from "$W/fleet.json" --format "$fmt" -o "$W/out" "$@")
  "$LADING" report fleet --from "$W/fleet.json" --format "$fmt" -o "$W/out.$fmt" "$@"
  printf '%-34s %9s %12s %10s\n' "lading $args" "$t" "$m" "$(( $(stat -c %s "$W/out.$fmt") / 1024 ))"
  [ "$fmt $*" = "json " ] && lt=$t
done
# the same fleet in a SQLite inventory store (filled through the store's tables: recording 6,000
# images with `inventory add` is bench/fleet.sh's subject, not this one's)
"$LADING" inventory list images --store "sqlite:$W/store.sqlite" --format json > /dev/null
python3 "$BENCH_SRC/bench/fleet_store_fill.py" "$W/fleet.json" "$W/store.sqlite"
for fmt in json html; do
  read -r t m < <(measure "$LADING" report fleet --store "sqlite:$W/store.sqlite" --format "$fmt" -o "$W/out")
  cpu=$( { /usr/bin/time -f "%U %S" "$LADING" report fleet --store "sqlite:$W/store.sqlite" --format "$fmt" -o "$W/out" ; } 2>&1 | tail -1 | awk '{print $1 + $2}')
  printf '%-34s %9s %12s %10s\n' "lading --store sqlite $fmt" "$t" "$m" "cpu ${cpu}s"
done
# and in PostgreSQL 15 (the same rows copied from the SQLite store), when it is installed
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  source "$BENCH_SRC/tests/integration/pg_lib.bash"
  PG_NO_TRAP=1
  trap 'pg_stop; rm -rf "$W"' EXIT
  pg_start > /dev/null
  url=$(pg_newdb fleet)
  "$LADING" inventory list images --store "$url" --format json > /dev/null
  python3 "$BENCH_SRC/bench/fleet_store_fill.py" --copy-from "$W/store.sqlite" > "$W/pg.sql"
  pg_psql fleet -q -f "$W/pg.sql" > /dev/null
  pg_psql fleet -q -c ANALYZE > /dev/null
  read -r t m < <(measure "$LADING" report fleet --store "$url" --format json -o "$W/out")
  # the server's CPU too (postmaster's accounting of its ended backends): on loopback it is part
  # of the report's cost
  pgsrv() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' \
    "/proc/$(head -1 "$PG_DIR/data/postmaster.pid")/stat"; }
  s0=$(pgsrv)
  cpu=$( { /usr/bin/time -f "%U %S" "$LADING" report fleet --store "$url" --format json -o "$W/out" ; } 2>&1 | tail -1 | awk '{print $1 + $2}')
  sleep 0.3
  srv=$(awk -v a="$s0" -v b="$(pgsrv)" 'BEGIN { printf "%.2f", b - a }')
  printf '%-34s %9s %12s %10s\n' "lading --store postgres json" "$t" "$m" "cpu ${cpu}s + server ${srv}s"
fi
read -r jt jm < <(measure jq '[.images[] | [.findings[]? | .id] | unique | length] | add / length' "$W/fleet.json")
printf '%-34s %9s %12s\n' "jq (mean distinct ids only)" "$jt" "$jm"
echo "ratio lading json report / jq one figure: $(ratio "$lt" "$jt")x"

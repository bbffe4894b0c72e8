# Shared helpers for bench/*.sh (sourced). Figures only: benchmarks print, they never pass/fail.
set -euo pipefail
BENCH_SRC=${BENCH_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SHARED=${LADING_SHARED:-$BENCH_SRC/../shared}
BUILD=${LADING_BUILD:-$BENCH_SRC/build}
LADING=${LADING_BIN:-$BUILD/lading}
RUNS=${RUNS:-5}
export LADING_NO_PROGRESS=1

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: needs $1 (apt-get install $2)" >&2; exit 2; }; }
need /usr/bin/time time

# drop the page cache when we may (root), so "cold" means cold for every tool alike
drop_caches() { if [ -w /proc/sys/vm/drop_caches ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }

# median N...: the middle value (the upper one of the two middles for an even count)
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# measure CMD...: runs it $RUNS times, prints "median_seconds peak_rss_mb" (median of each)
measure() {
  local times=() rss=() out
  for _ in $(seq "$RUNS"); do
    [ "${COLD:-1}" = 1 ] && drop_caches
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    # wall time from bash's microsecond clock: GNU time's %e has 10 ms steps, too coarse for
    # runs of tens of milliseconds (it made 0.04 vs 0.06 s out of 44 vs 47 ms)
    local t0=$EPOCHREALTIME
    /usr/bin/time -f "%e %M" -o "${TMPDIR:-/tmp}/lading-bench-time.$$" "$@" >/dev/null 2>&1 || true
    local t1=$EPOCHREALTIME
    out=$(tail -1 "${TMPDIR:-/tmp}/lading-bench-time.$$")
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')"); rss+=("${out#* }")
  done
  local mt mr
  mt=$(median "${times[@]}")
  mr=$(awk -v k="$(median "${rss[@]}")" 'BEGIN{printf "%.1f", k/1024}')
  echo "$mt $mr"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

trivy_bin() {
  local pd=${PEER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lading-peers}
  if [ ! -x "$pd/bin/trivy-unpacked" ]; then
    need gdb gdb
    PEER_DIR=$pd bash "$SHARED/tools/peer/get-trivy.sh" >&2
    PEER_DIR=$pd bash "$SHARED/tools/peer/unpack-trivy.sh" >&2 ||
      { echo "bench: no hardware breakpoint here? unpacking with a software breakpoint" >&2
        OUT="$pd/bin/trivy-unpacked" gdb -q -batch -x "$BENCH_SRC/bench/trivy_unpack_sw.py" \
          --args "$pd/bin/trivy" --version >&2 || true; }
  fi
  "$pd/bin/trivy-unpacked" --version >/dev/null 2>&1 ||
    { echo "bench: no working $pd/bin/trivy-unpacked (see above)" >&2; return 2; }
  echo "$pd/bin/trivy-unpacked"
}

# Trivy fetches its Java DB as soon as an image holds a jar; offline it needs a stub one in the
# cache dir (empty tables, metadata saying it is current). Usage: trivy_stub_cache DIR
trivy_stub_cache() {
  local d=$1/java-db
  mkdir -p "$d"
  sqlite3 "$d/trivy-java.db" "CREATE TABLE IF NOT EXISTS artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
    CREATE TABLE IF NOT EXISTS indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT);"
  printf '{"Version":1,"NextUpdate":"2099-01-01T00:00:00Z","UpdatedAt":"2024-01-01T00:00:00Z","DownloadedAt":"2024-01-01T00:00:00Z"}' > "$d/metadata.json"
}

#!/usr/bin/env bash
# Honeypot under load: events logged per second and peak RSS with a local load generator,
# redis-benchmark against the Redis emulation (PING/SET/GET, 50 clients, then pipelined) and wrk
# against the Docker API emulation (keep-alive GET /_ping and /version), and the cores the
# honeypot used meanwhile (on a shared 2-core machine the load generator is often the bottleneck:
# a honeypot well below 1.0 core was waiting for requests). Limits are lifted
# (a benchmark is one source); the log is written, fsync'd in batches, to $BENCH_LOG_DIR (default
# a fresh directory under the build dir, i.e. on disk). Checks afterwards that every request is
# an event in the log ("lost" must be 0). Target: >= 50,000 simple requests/s on 2 cores.
# Prints figures; never passes or fails.
source "$(dirname "$0")/common.sh"
need redis-benchmark redis-tools
need wrk wrk
need jq jq
N=${N:-200000}           # requests per redis-benchmark test
SECS=${SECS:-10}         # seconds per wrk run
D=${BENCH_LOG_DIR:-$BUILD/bench-honeypot}
rm -rf "$D"; mkdir -p "$D"; chmod 0777 "$D"
LOG="$D/events.jsonl"

"$LADING" honeypot --redis 0 --docker 0 --log "$LOG" --ready-file "$D/ready" --rotate-size 0 \
  --source-byte-rate 0 --source-conn-rate 0 --source-conns 100000 --max-sessions 10000 \
  --session-keep 1G --session-events 0 --source-log-rate 0 2>"$D/stderr" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$D/ready" ] && break; sleep 0.05; done
port() { awk -v s="$1" '$1==s { n=split($2,a,":"); print a[n] }' "$D/ready"; }
R=$(port redis); DK=$(port docker)

events() { wc -l <"$LOG"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; } # all threads, clock ticks
printf '%-40s %12s %12s %14s\n' load requests/s events/s honeypot_cpu
run() { # name, command...: requests/s (from the tool), events/s (from the log), cores the honeypot used
  local name=$1; shift
  local e0 t0 e1 t1 c0 c1 out rps
  sleep 0.3; e0=$(events); t0=$(date +%s.%N); c0=$(cpu)
  out=$("$@" 2>&1)
  c1=$(cpu); sleep 0.3; e1=$(events); t1=$(date +%s.%N)
  case "$1" in
    redis-benchmark) rps=$(echo "$out" | tr '\r' '\n' | awk -F'"' '/^"/ { s += $4; n++ } END { printf "%.0f", s / n }') ;;
    wrk) rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }') ;;
  esac
  # events per second over the run (the 0.6 s of settling counted against us)
  printf '%-40s %12s %12.0f %14.2f\n' "$name" "$rps" "$(echo "($e1 - $e0) / ($t1 - $t0)" | bc -l)" \
    "$(echo "($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0 - 0.6)" | bc -l)"
}
run "redis PING/SET/GET, 50 clients" redis-benchmark -p "$R" -t ping,set,get -n "$N" -c 50 --csv
run "redis PING/SET/GET, 50 clients, 2 threads" redis-benchmark -p "$R" -t ping,set,get -n "$N" -c 50 --threads 2 --csv
run "redis PING/SET/GET, 50 clients, -P 16" redis-benchmark -p "$R" -t ping,set,get -n "$((N * 4))" -c 50 -P 16 --csv
run "docker GET /_ping, wrk 50 conns" wrk -t1 -c50 -d"${SECS}s" "http://127.0.0.1:$DK/_ping"
run "docker GET /version, wrk 50 conns" wrk -t1 -c50 -d"${SECS}s" "http://127.0.0.1:$DK/v1.41/version"

rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$PID/status")
kill -TERM $PID; wait $PID || true
trap - EXIT
stop=$(grep '"eventid":"honeypot.stop"' "$LOG")
lines=$(events)
logged=$(echo "$stop" | jq .events)
redis_events=$(grep -c '"eventid":"redis.command"' "$LOG" || true)
redis_sent=$((4 * N + 4 * N + 4 * 4 * N)) # ping = PING_INLINE + PING_MBULK
echo
echo "peak RSS: $((rss / 1024)) MiB; log: $lines lines, $(du -m "$LOG" | cut -f1) MiB"
echo "events logged by the honeypot: $logged; lines in the log: $lines (the stop event is the extra one)"
echo "redis commands sent: >= $redis_sent (plus redis-benchmark's own CONFIG GETs); redis.command events: $redis_events;" \
  "lost: $(( redis_sent > redis_events ? redis_sent - redis_events : 0 ))"
grep -h "connections served" "$D/stderr" || true

# The ceiling the load generator allows on this machine: the same redis-benchmark runs against
# Debian's real redis-server (no persistence) in the same run. A honeypot rate close to this one
# means the generator, not the honeypot, set the pace.
if command -v redis-server >/dev/null 2>&1; then
  RD=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench-redis.XXXXXX"); chmod 0777 "$RD"
  source "$BENCH_SRC/tests/integration/census_lib.bash" # free_port, start_server, wait_port
  W=$RD RP=$(free_port)
  start_server redis --user redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$RD" --daemonize no
  wait_port "$RP" 10
  ref() { redis-benchmark -p "$RP" "$@" --csv 2>&1 | tr '\r' '\n' | awk -F'"' '/^"/ { s += $4; n++ } END { printf "%.0f", s / n }'; }
  echo
  echo "reference, real redis-server $(redis-server --version | grep -o 'v=[^ ]*' | cut -d= -f2) with the same load:"
  printf '  %-40s %12s requests/s\n' "PING/SET/GET, 50 clients" "$(ref -t ping,set,get -n "$N" -c 50)"
  printf '  %-40s %12s requests/s\n' "PING/SET/GET, 50 clients, -P 16" "$(ref -t ping,set,get -n "$((N * 4))" -c 50 -P 16)"
  census_cleanup
  rm -rf "$RD"
fi

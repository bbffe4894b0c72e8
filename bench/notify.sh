#!/usr/bin/env bash
# Notifications over a generated registry-shaped fleet (6,000 images, ~19 findings each, 100,000
# container records of which ~40% run) in a SQLite inventory store: the first webhook's baseline
# (every image compared once), an evaluation after 5% of the findings became known exploited
# (kev.added events queued for the images that run), one with nothing changed, and the delivery
# of the queued events to a local receiver (Python's http.server answering 200). No peer tool
# queues these events from a stored inventory (Clair's notifier sends Clair's own, Trivy's server
# keeps no results): figures only. Never passes or fails. Then the same on PostgreSQL 15 when
# it is installed (the rows copied from the SQLite store).
source "$(dirname "$0")/common.sh"
need python3 python3
need sqlite3 sqlite3
IMAGES=${IMAGES:-6000}
CONTAINERS=${CONTAINERS:-100000}
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
RECV=""
PG=0
trap '[ -n "$RECV" ] && kill "$RECV" 2> /dev/null; [ "$PG" = 1 ] && pg_stop; rm -rf "$W"' EXIT
python3 "$BENCH_SRC/tests/tools/gen_fleet.py" --images "$IMAGES" --containers "$CONTAINERS" --seed 1 -o "$W/fleet.json"
S="sqlite:$W/store.sqlite"
"$LADING" inventory list images --store "$S" --format json > /dev/null
python3 "$BENCH_SRC/bench/fleet_store_fill.py" "$W/fleet.json" "$W/store.sqlite"
running=$(sqlite3 "$W/store.sqlite" "SELECT count(*) FROM image WHERE digest IN (SELECT image_digest FROM container WHERE state = 'running')")
current=$(sqlite3 "$W/store.sqlite" "SELECT count(*) FROM image i JOIN pkglist_item it ON it.pkglist_id = i.pkglist_id JOIN finding f ON f.package_id = it.package_id")
echo "store: $IMAGES images ($running with running containers), $current findings of images"
printf 'a secret\n' > "$W/secret"
cat > "$W/recv.py" << 'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$W/recv.py" "$W/port" & RECV=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}'; }
cpu_of() { awk '{printf "%.2f", $1 + $2}' "$W/cpu"; }

run() { # STORE BACKEND KEV-SQL-COMMAND...
  local st=$1 be=$2 t0 t m n
  shift 2
  printf '%-50s %8s %8s %8s\n' "$be: run" wall_s cpu_s rss_mb
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%U %S %M" -o "$W/cpu" "$LADING" webhook add --store "$st" --url "http://127.0.0.1:$(cat "$W/port")/" \
    --secret-file "$W/secret" > /dev/null
  t=$(elapsed "$t0")
  printf '%-50s %8s %8s %8s\n' "webhook add (baseline of the running images)" "$t" "$(cpu_of)" "$(awk '{printf "%.1f", $3/1024}' "$W/cpu")"
  "$@"
  # a snapshot evaluates the running images (the webhook watches those)
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%U %S %M" -o "$W/cpu" "$LADING" inventory containers --store "$st" --from "$W/empty.json" \
    --source bench > /dev/null 2> "$W/eval.err"
  t=$(elapsed "$t0")
  printf '%-50s %8s %8s %8s\n' "evaluation: 5% of the findings newly KEV" "$t" "$(cpu_of)" "$(awk '{printf "%.1f", $3/1024}' "$W/cpu")"
  sed -n 's/^notifications: /  queued: /p' "$W/eval.err"
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%U %S %M" -o "$W/cpu" "$LADING" inventory containers --store "$st" --from "$W/empty.json" \
    --source bench > /dev/null 2>&1
  t=$(elapsed "$t0")
  printf '%-50s %8s %8s %8s\n' "evaluation: nothing changed" "$t" "$(cpu_of)" "$(awk '{printf "%.1f", $3/1024}' "$W/cpu")"
  n=$("$LADING" webhook deliveries --store "$st" --limit 100000 --format json | grep -c '"state": "queued"' || true)
  t0=$EPOCHREALTIME
  "$LADING" webhook deliver --store "$st" > "$W/deliver.out"
  t=$(elapsed "$t0")
  printf '%-50s %8s\n' "webhook deliver ($n deliveries, one sender)" "$t"
  echo "  $(cut -d'(' -f1 "$W/deliver.out"); $(awk -v n="$n" -v t="$t" 'BEGIN{ if (t > 0) printf "%.0f", n/t; else print "n/a" }') deliveries/s"
}
echo '{"containers":[]}' > "$W/empty.json"
# the PostgreSQL copy is made before the SQLite store gets its webhook
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  python3 "$BENCH_SRC/bench/fleet_store_fill.py" --copy-from "$W/store.sqlite" > "$W/pg.sql"
fi
run "$S" sqlite sqlite3 "$W/store.sqlite" "UPDATE finding SET kev = 1 WHERE kev = 0 AND abs(random()) % 20 = 0"
if [ -s "$W/pg.sql" ]; then
  source "$BENCH_SRC/tests/integration/pg_lib.bash"
  PG_NO_TRAP=1
  pg_start > /dev/null
  PG=1
  url=$(pg_newdb notify)
  "$LADING" inventory list images --store "$url" --format json > /dev/null
  pg_psql notify -q -f "$W/pg.sql" > /dev/null
  pg_psql notify -q -c ANALYZE > /dev/null
  run "$url" postgres pg_psql notify -q -c "UPDATE finding SET kev = 1 WHERE kev = 0 AND random() < 0.05"
fi

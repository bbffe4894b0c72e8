#!/usr/bin/env bash
# Notifications over a generated registry-shaped fleet (6,000 images, ~19 findings each, 100,000
# container records of which ~40% run) in a SQLite inventory store: the first webhook's baseline
# (every image compared once), an evaluation after 5% of the findings became known exploited
# (kev.added events queued for the images that run), one with nothing changed, and the delivery
# of the queued events to a local receiver (Python's http.server answering 200). No peer tool
# queues these events from a stored inventory (Clair's notifier sends Clair's own, Trivy's server
# keeps no results): figures only. Never passes or fails.
source "$(dirname "$0")/common.sh"
need python3 python3
need sqlite3 sqlite3
IMAGES=${IMAGES:-6000}
CONTAINERS=${CONTAINERS:-100000}
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
RECV=""
trap '[ -n "$RECV" ] && kill "$RECV" 2> /dev/null; rm -rf "$W"' EXIT
python3 "$BENCH_SRC/tests/tools/gen_fleet.py" --images "$IMAGES" --containers "$CONTAINERS" --seed 1 -o "$W/fleet.json"
S="sqlite:$W/store.sqlite"
"$LADING" inventory list images --store "$S" --format json > /dev/null
python3 "$BENCH_SRC/bench/fleet_store_fill.py" "$W/fleet.json" "$W/store.sqlite"
running=$(sqlite3 "$W/store.sqlite" "SELECT count(DISTINCT image_digest) FROM container WHERE state = 'running'")
echo "store: $IMAGES images, $(sqlite3 "$W/store.sqlite" 'SELECT count(*) FROM finding') findings, $running images with running containers"
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
printf '%-46s %9s %12s\n' run wall_s peak_rss_mb
t0=$EPOCHREALTIME
/usr/bin/time -f "%M" -o "$W/rss" "$LADING" webhook add --store "$S" --url "http://127.0.0.1:$(cat "$W/port")/" \
  --secret-file "$W/secret" > /dev/null
printf '%-46s %9s %12s\n' "webhook add (baseline, running images)" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}')" \
  "$(awk '{printf "%.1f", $1/1024}' "$W/rss")"
echo '{"containers":[]}' > "$W/empty.json"
sqlite3 "$W/store.sqlite" "UPDATE finding SET kev = 1 WHERE kev = 0 AND abs(random()) % 20 = 0"
# a snapshot evaluates the running images (the webhook watches those)
t0=$EPOCHREALTIME
/usr/bin/time -f "%M" -o "$W/rss" "$LADING" inventory containers --store "$S" --from "$W/empty.json" --source bench \
  > /dev/null 2> "$W/eval.err"
printf '%-46s %9s %12s\n' "evaluation: 5% of findings newly KEV" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}')" \
  "$(awk '{printf "%.1f", $1/1024}' "$W/rss")"
sed -n 's/^notifications: /  queued: /p' "$W/eval.err"
read -r t m < <(COLD=0 measure "$LADING" inventory containers --store "$S" --from "$W/empty.json" --source bench)
printf '%-46s %9s %12s\n' "evaluation: nothing changed (median of $RUNS)" "$t" "$m"
n=$(sqlite3 "$W/store.sqlite" "SELECT count(*) FROM webhook_delivery WHERE state = 'queued'")
t0=$EPOCHREALTIME
"$LADING" webhook deliver --store "$S" > "$W/deliver.out"
t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}')
printf '%-46s %9s\n' "webhook deliver ($n deliveries)" "$t"
echo "  $(cat "$W/deliver.out"); $(awk -v n="$n" -v t="$t" 'BEGIN{ if (t > 0) printf "%.0f", n/t; else print "n/a" }') deliveries/s (one sender)"

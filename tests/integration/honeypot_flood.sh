#!/usr/bin/env bash
# Flood: eight loopback sources (127.0.0.2-9) open 100 connections each against a honeypot capped
# at 300 sessions and 30 per source; the connections drip a request header a byte at a time,
# push junk lines past the parser limits, or (three per source) pipeline requests with large
# replies without ever reading them.
# Meanwhile another source (127.0.0.200) keeps asking. Asserts: the other source is always
# answered, the flood is refused and cut by the limits (events say so), buffers stay under
# --max-buffered and the peak resident memory stays bounded. No root needed.
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need python3 "apt-get install python3"
need jq "apt-get install jq"

W=$(hp_workdir honeypot_flood)
hp_start "$W" -- --redis 127.0.0.1:0 --docker 127.0.0.1:0 --max-sessions 300 --source-conns 30 \
  --source-conn-rate 0 --source-byte-rate 1M --idle-timeout 3 --session-timeout 6 --max-buffered 16M
R=$(hp_port redis); D=$(hp_port docker)

python3 - "$R" "$D" >"$W/flood.out" <<'EOF'
import selectors, socket, sys, time, threading
R, D = int(sys.argv[1]), int(sys.argv[2])
DURATION = 8.0
stop = time.time() + DURATION

def good_client(res):
    """The bystander: a PING on a new connection every 0.2 s, and one HTTP request."""
    ok = tries = 0
    while time.time() < stop:
        tries += 1
        try:
            s = socket.socket()
            s.settimeout(3)
            s.bind(("127.0.0.200", 0))
            s.connect(("127.0.0.1", R))
            s.sendall(b"PING\r\n")
            ok += s.recv(16) == b"+PONG\r\n"
            s.close()
            h = socket.create_connection(("127.0.0.1", D), timeout=3, source_address=("127.0.0.200", 0))
            h.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            ok += h.recv(4096).startswith(b"HTTP/1.1 200 OK")
            h.close()
            tries += 1
        except OSError:
            pass
        time.sleep(0.2)
    res.extend([ok, tries])

res = []
t = threading.Thread(target=good_client, args=(res,))
t.start()

sel = selectors.DefaultSelector()
conns = []
opened = refused = 0
for src in range(2, 10):
    for i in range(100):
        kind = 2 if i < 3 else i % 2
        s = socket.socket()
        s.setblocking(False)
        s.bind(("127.0.0.%d" % src, 0))
        try:
            s.connect(("127.0.0.1", R if kind == 1 else D))
        except BlockingIOError:
            pass
        conns.append([s, kind, 0])
        opened += 1
# kind 0: slow drip of an HTTP header; 1: junk past the inline limit; 2: pipelined GET /info
# (2 KiB replies), never reading
junk = b"x" * 65536
infos = b"GET /v1.41/info HTTP/1.1\r\nHost: x\r\n\r\n" * 500
last = 0.0
while time.time() < stop:
    now = time.time()
    drip = now - last >= 0.5
    if drip:
        last = now
    for c in conns:
        s, kind, sent = c
        if s is None:
            continue
        try:
            if kind == 0 and drip:
                s.send(b"GET / HTTP/1.1\r\nX-Drip: " if sent == 0 else b"a")
                c[2] += 1
            elif kind == 1 and sent < 4:
                c[2] += 1 if s.send(junk) else 0
            elif kind == 2 and sent < 4:
                c[2] += 1 if s.send(infos) else 0
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            s.close()
            c[0] = None
            refused += 1
    time.sleep(0.05)
t.join()
alive = sum(1 for c in conns if c[0] is not None)
print(res[0], res[1], opened, refused, alive)
EOF
read -r ok tries opened cut alive <"$W/flood.out"
rss=$(hp_peak_rss_kb "$HP_PID")
hp_stop
echo "bystander answered $ok/$tries; flood: $opened connections, $cut cut or refused, $alive still open at the end; peak RSS ${rss} kB"
[ "$tries" -ge 10 ] || fail "the bystander got few tries ($tries)"
[ "$ok" = "$tries" ] || fail "the bystander was not always answered: $ok of $tries"
[ "$cut" -gt 0 ] || fail "no flood connection was cut"
# one pass over the log
hp_cat | jq -s '{
  stop: (map(select(.eventid=="honeypot.stop"))[0]),
  timeouts: (map(select(.eventid=="session.closed" and .request.reason=="session timeout")) | length),
  output_limit: (map(select(.eventid=="session.closed" and (.request.reason=="output limit" or .request.reason=="memory limit"))) | length),
  too_big: (map(select(.eventid=="redis.protocol_error" and .request.error=="too big inline request")) | length),
  limited: (map(select(.eventid=="honeypot.limit" and .reason=="source-conns" and .src_ip!="127.0.0.200")) | length),
  bystander_limited: (map(select(.eventid=="honeypot.limit" and .src_ip=="127.0.0.200")) | length),
  bystander_closed_by_limit: (map(select(.eventid=="session.closed" and .src_ip=="127.0.0.200" and (.request.reason|test("timeout|limit")))) | length)
}' >"$W/summary.json"
echo "summary: $(jq -c '{timeouts,output_limit,too_big,limited,stop:{refused:.stop.refused,closed_limit:.stop.closed_limit,sessions_peak:.stop.sessions_peak,buffered_peak:.stop.buffered_peak,events:.stop.events}}' "$W/summary.json")"
jq -e '.stop.refused > 0 and .stop.closed_limit > 0 and .stop.sessions_peak <= 300' "$W/summary.json" >/dev/null || fail "stats"
jq -e '.stop.buffered_peak <= 16777216' "$W/summary.json" >/dev/null || fail "buffers beyond --max-buffered"
[ "$rss" -lt 65536 ] || fail "peak RSS ${rss} kB (limit 64 MiB with 16 MiB of buffers)"
jq -e '.timeouts > 0' "$W/summary.json" >/dev/null || fail "no slow-drip connection closed by the session timeout"
jq -e '.too_big > 0' "$W/summary.json" >/dev/null || fail "no junk line refused by the parser limit"
jq -e '.limited > 0' "$W/summary.json" >/dev/null || fail "no per-source limit events"
jq -e '.bystander_limited == 0 and .bystander_closed_by_limit == 0' "$W/summary.json" >/dev/null || fail "the bystander was limited"

#!/usr/bin/env bash
# The log budget (docs/honeypot.md, "Log budget"): one source pipelining 200,000 Redis commands
# over one connection leaves at most 4 MB of log with the default limits, summaries included (it
# wrote 93 MB before the caps); the session's cap is summarised once (session.capped) and its
# session.closed counts what was left out. A second run with a small source budget and no
# session cap shows the source's byte budget holding across connections, with its summary
# (honeypot.limit, reason source-log).
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need redis-cli "apt-get install redis-tools"
need jq "apt-get install jq"

W=$(hp_workdir honeypot_logcap)
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "PING\r\n" }' >"$W/pings"

# -- defaults
trap 'kill "${HP_PID:-0}" 2>/dev/null || true' EXIT
hp_start "$W" -- --redis 0 --flush-ms 20
R=$(hp_port redis)
redis-cli -p "$R" --pipe <"$W/pings" >"$W/pipe.out" 2>&1 || true
# the honeypot answered every command, also those it did not log
grep -q "replies: 200000" "$W/pipe.out" || fail "redis-cli --pipe: $(cat "$W/pipe.out")"
hp_stop
size=$(hp_files | xargs cat | wc -c)
[ "$size" -le 4000000 ] || fail "log of 200,000 PINGs: $size bytes (> 4 MB)"
cmds=$(hp_count '.eventid=="redis.command"')
[ "$cmds" -ge 900 ] && [ "$cmds" -le 1000 ] || fail "redis.command events: $cmds (the session cap is 1000 events)"
[ "$(hp_count '.eventid=="session.capped" and .request.cap=="session-events" and .request.limit==1000')" = 1 ] \
  || fail "no single session.capped summary"
sup=$(hp_cat | jq -s 'map(select(.eventid=="session.closed"))[0].request.events_suppressed')
[ "$((sup + cmds))" -ge 200000 ] || fail "suppressed $sup + logged $cmds < 200,000 commands"
echo "defaults: 200,000 PINGs -> $size bytes of log, $cmds commands logged, $sup suppressed"

# -- a small source budget, no session cap: the source's budget holds over several connections
W2=$(hp_workdir honeypot_logcap2)
hp_start "$W2" -- --redis 0 --flush-ms 20 --session-events 0 --source-log-burst 64K --source-log-rate 1K
R=$(hp_port redis)
for _ in 1 2 3; do
  head -c 120000 "$W/pings" | redis-cli -p "$R" --pipe >/dev/null 2>&1 || true
done
[ "$(redis-cli -p "$R" PING)" = PONG ] || fail "a capped source is still answered"
hp_stop
src=$(hp_cat | jq -c 'select(.src_ip=="127.0.0.1")' | wc -c)
start=$(hp_cat | jq -r 'select(.eventid=="honeypot.start") | .timestamp')
# 64 KiB burst + 1 KiB/s over the run (seconds, rounded up), plus the one event that may straddle
secs=$(( $(date +%s) - $(date -d "$start" +%s) + 1 ))
[ "$src" -le $((65536 + 1024 * secs + 1024)) ] || fail "source wrote $src bytes in ${secs}s with a 64K budget"
[ "$(hp_count '.eventid=="honeypot.limit" and .reason=="source-log" and .suppressed > 0 and .suppressed_bytes > 0')" -ge 1 ] \
  || fail "no source-log summary"
echo "ok: source budget 64K: $src bytes of the source's events in ${secs}s"

# -- IPv6 sources count per /64 (needs root for a network namespace with several addresses)
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v python3 >/dev/null &&
   ip netns add "lhc$$" 2>/dev/null; then
  trap 'kill -TERM "${HP_PID:-0}" 2>/dev/null || true; ip netns del "lhc$$" 2>/dev/null || true' EXIT
  ip -n "lhc$$" link set lo up
  for a in 2001:db8:1:2::1 2001:db8:1:2::10 2001:db8:1:2::20 2001:db8:1:3::30; do
    ip -n "lhc$$" addr add "$a/64" dev lo nodad
  done
  W3=$(hp_workdir honeypot_logcap3)
  hp_start "$W3" ip netns exec "lhc$$" -- --redis '[2001:db8:1:2::1]:6379' --source-conns 2
  res=$(ip netns exec "lhc$$" python3 - <<'PY'
import socket
def conn(src):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.bind((src, 0)); s.settimeout(5)
    try:
        s.connect(("2001:db8:1:2::1", 6379)); s.sendall(b"PING\r\n")
        return s, s.recv(64) == b"+PONG\r\n"
    except OSError: return s, False
held = [conn("2001:db8:1:2::10"), conn("2001:db8:1:2::10")]
same64 = conn("2001:db8:1:2::20")
other64 = conn("2001:db8:1:3::30")
print(held[0][1], held[1][1], same64[1], other64[1])
PY
)
  hp_stop
  [ "$res" = "True True False True" ] || fail "per-/64 connection limit: $res (held held same-/64 other-/64)"
  [ "$(hp_count '.eventid=="honeypot.limit" and .reason=="source-conns" and .src_ip=="2001:db8:1:2::/64"')" = 1 ] \
    || fail "limit event not per /64"
  [ "$(hp_count '.eventid=="session.connect" and .src_ip=="2001:db8:1:2::10"')" = 2 ] || fail "connection addresses are not the full address"
  echo "ok: IPv6 sources per /64"
fi

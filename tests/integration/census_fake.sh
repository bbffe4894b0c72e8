#!/usr/bin/env bash
# `lading probe` against fake servers (census_fake.py) replaying the documented responses of
# services with no Debian server here (MongoDB old and new, Elasticsearch with and without
# security, Docker Engine, Kubernetes, Consul, CouchDB, Valkey) and refusals that are hard to
# provoke from a real server, then against hostile servers (slow drip, endless banner, garbage,
# huge length fields, silence, resets): every probe ends, memory stays small, reads stay capped.
set -euo pipefail
source "$(dirname "$0")/census_lib.bash"
census_setup census_fake

fake_start mongodb mongodb-old mongodb-auth elasticsearch elasticsearch-auth docker kubernetes \
	consul couchdb mysql mysql-denied postgres-trust valkey redis memcached ssh ftp unknown-banner \
	drip endless garbage garbage-reply hugelen-mysql hugelen-redis hugelen-mongodb hugelen-http \
	hugelen-chunked silent closer reset

good=(mongodb mongodb-old mongodb-auth elasticsearch elasticsearch-auth docker kubernetes consul
	couchdb mysql mysql-denied postgres-trust valkey redis memcached ssh ftp unknown-banner)
hostile=(drip endless garbage garbage-reply hugelen-mysql hugelen-redis hugelen-mongodb hugelen-http
	hugelen-chunked silent closer reset)
tgt() { for n in "$@"; do printf '127.0.0.1:%s\n' "${FAKE_PORTS[$n]}"; done; }

mapfile -t T < <(tgt "${good[@]}")
"$LADING_BIN" probe "${T[@]}" --banner-wait 300 --timeout 3000 --format json -o "$W/good.json"
rec() { echo ".[] | select(.port == ${FAKE_PORTS[$1]})"; }
is() { # NAME PRODUCT VERSION(or null) [SERVICE]
	check "$(rec "$1") | .product == $( [ "$2" = null ] && echo null || echo "\"$2\"" )" "$W/good.json" "$1: product $2"
	check "$(rec "$1") | .version == $( [ "$3" = null ] && echo null || echo "\"$3\"" )" "$W/good.json" "$1: version $3"
	if [ -n "${4:-}" ]; then
		check "$(rec "$1") | .service == \"$4\"" "$W/good.json" "$1: service $4"
	fi
}
is mongodb mongodb 7.0.2 mongodb
check "$(rec mongodb) | .attrs.max_wire_version == \"21\" and .attrs.wire_release == \"7.0\"" "$W/good.json" \
	"mongodb: hello's wire version"
is mongodb-old mongodb 3.4.24 mongodb
is mongodb-auth mongodb null mongodb
check "$(rec mongodb-auth) | .attrs.error | test(\"requires authentication\")" "$W/good.json" "mongodb-auth: buildInfo refused"
is elasticsearch elasticsearch 7.17.10 http
check "$(rec elasticsearch) | .attrs.lucene_version == \"8.11.1\"" "$W/good.json" "elasticsearch: lucene version"
is elasticsearch-auth elasticsearch null http
check "$(rec elasticsearch-auth) | .note | test(\"authentication\")" "$W/good.json" "elasticsearch-auth: says why"
is docker docker 24.0.7 http
check "$(rec docker) | .attrs.api_version == \"1.43\" and .attrs.kernel == \"6.1.0-13-amd64\"" "$W/good.json" \
	"docker: /version details"
is kubernetes kubernetes 1.28.2 http
check "$(rec kubernetes) | .attrs.version_raw == \"v1.28.2\" and .attrs.platform == \"linux/amd64\"" "$W/good.json" \
	"kubernetes: gitVersion and platform"
is consul consul 1.15.4 http
is couchdb couchdb 3.3.3 http
is mysql mysql 8.0.36 mysql
check "$(rec mysql) | .distro == \"0ubuntu0.22.04.1\" and .attrs.auth_plugin == \"caching_sha2_password\"" \
	"$W/good.json" "mysql: Ubuntu build and auth plugin"
is mysql-denied mysql null mysql
check "$(rec mysql-denied) | .attrs.error_code == \"1130\"" "$W/good.json" "mysql-denied: error 1130"
is postgres-trust postgresql 16.1 postgresql
check "$(rec postgres-trust) | .attrs.auth == \"trust\" and (.note | test(\"trust\")) and .distro == null" \
	"$W/good.json" "postgres-trust: version only because it let us in; a pgdg build is no backport"
is valkey valkey 8.0.1 redis
is redis redis 6.2.14 redis
is memcached memcached 1.6.21 memcached
is ssh openssh 8.9p1 ssh
check "$(rec ssh) | .distro == \"Ubuntu-3ubuntu0.10\"" "$W/good.json" "ssh: Ubuntu revision"
is ftp vsftpd 3.0.3 ftp
is unknown-banner null null
check "$(rec unknown-banner) | .service == null and (.evidence | startswith(\"WELCOME TO THE ACME\")) and (.evidence | contains(\"\\\\x01\\\\x02\\\\r\\\\n\"))" \
	"$W/good.json" "unknown banner: kept, escaped"

# hostile servers: every probe ends, memory and bytes stay bounded
mapfile -t T < <(tgt "${hostile[@]}")
MAXB=65536
/usr/bin/time -f '%M' -o "$W/hostile.rss" "$LADING_BIN" probe "${T[@]}" --banner-wait 300 --timeout 1500 \
	--max-bytes $MAXB --format json -o "$W/hostile.json" -v 2> "$W/hostile.err" ||
	{ cat "$W/hostile.err"; fail "probe of hostile servers failed"; }
check "length == ${#hostile[@]}" "$W/hostile.json" "one record per hostile server"
check "all(.[]; (.evidence // \"\" | length) <= 4 * 512 + 3)" "$W/hostile.json" "evidence capped"
check "all(.[]; .product == null)" "$W/hostile.json" "no product invented from junk"
read_bytes=$(sed -n 's/.* \([0-9]*\) bytes read$/\1/p' "$W/hostile.err")
conns=$(sed -n 's/.*; \([0-9]*\) connections,.*/\1/p' "$W/hostile.err")
if [ -z "$read_bytes" ] || [ -z "$conns" ] || [ "$read_bytes" -gt $((${#hostile[@]} * MAXB)) ]; then
	fail "bytes read ($read_bytes) above the cap of $MAXB per service: $(cat "$W/hostile.err")"
fi
rss=$(tail -n 1 "$W/hostile.rss")
if [ "$rss" -gt 65536 ]; then
	fail "peak RSS $rss KiB probing hostile servers"
fi
echo "hostile: $read_bytes bytes read over $conns connections, peak RSS $rss KiB"

# refused, and usage errors
port=$(free_port)
"$LADING_BIN" probe "127.0.0.1:$port" --format json -o "$W/refused.json" -v 2> "$W/refused.err"
check 'length == 0' "$W/refused.json" "a refused port has no record"
grep -q '1 refused' "$W/refused.err" || fail "refused port not counted: $(cat "$W/refused.err")"
for bad in "127.0.0.1:0" "127.0.0.1:70000" "[::1" "10.0.0.0/33"; do
	rc=0
	"$LADING_BIN" probe "$bad" > /dev/null 2> "$W/bad.err" || rc=$?
	[ "$rc" = 2 ] || fail "probe '$bad': exit $rc, want 2 ($(cat "$W/bad.err"))"
done
rc=0
"$LADING_BIN" probe 127.0.0.1 --ports 0 > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--ports 0: exit $rc, want 2"
rc=0
"$LADING_BIN" probe 10.0.0.0/8 --ports 1-65535 > /dev/null 2> "$W/limit.err" || rc=$?
[ "$rc" = 3 ] && grep -q 'host:port pairs' "$W/limit.err" || fail "a /8 x 65535 ports: exit $rc ($(cat "$W/limit.err"))"
rc=0
"$LADING_BIN" probe no-such-host.invalid:80 > /dev/null 2> "$W/nx.err" || rc=$?
[ "$rc" = 3 ] || fail "unknown host: exit $rc, want 3 ($(cat "$W/nx.err"))"
finish

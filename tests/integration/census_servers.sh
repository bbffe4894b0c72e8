#!/usr/bin/env bash
# `lading probe` against real servers from Debian packages, started here on free ports of
# 127.0.0.1 (as 'nobody' when the test runs as root) and stopped at the end: the versions read
# from the wire must be the package versions dpkg reports. The ports are not the services' usual
# ones, so each service is found by the generic probe chain, not by a port hint. Then the records
# go into a census store and the report assesses them against the test vulnerability database.
set -euo pipefail
source "$(dirname "$0")/census_lib.bash"
census_setup census_servers

for bin in redis-server mariadbd nginx apache2 /usr/sbin/sshd memcached docker-registry; do
	command -v "$bin" > /dev/null || { echo "SKIP: $bin is not installed (scripts/apt-packages.txt)"; exit 77; }
done
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/postgres" ] || { echo "SKIP: postgresql is not installed"; exit 77; }
pkg_of() { dpkg -S "$1" | head -n 1 | cut -d: -f1; }

declare -A P
for s in redis redisauth mariadb nginx apache ssh memcached postgres registry etcd etcdpeer; do
	P[$s]=$(free_port)
done

# --- PostgreSQL first: initdb is the slowest step
mkdir -p "$W/pg" "$W/pgsock"
echo secret > "$W/pgpw"
server_owns "$W/pg" "$W/pgsock" "$W/pgpw"
as_server_user "$PG_BIN/initdb" -D "$W/pg/data" -U postgres -A scram-sha-256 --pwfile="$W/pgpw" \
	--no-sync > "$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; fail "initdb"; }
start_server postgres --user "$PG_BIN/postgres" -D "$W/pg/data" -p "${P[postgres]}" -k "$W/pgsock" \
	-c listen_addresses=127.0.0.1 -c fsync=off

# --- Redis, and one that wants a password
mkdir -p "$W/redis" && server_owns "$W/redis"
start_server redis --user redis-server --port "${P[redis]}" --bind 127.0.0.1 --save '' \
	--appendonly no --dir "$W/redis"
start_server redisauth --user redis-server --port "${P[redisauth]}" --bind 127.0.0.1 --save '' \
	--appendonly no --dir "$W/redis" --requirepass census-secret

# --- MariaDB: no system tables needed to send the handshake
mkdir -p "$W/mysql" && server_owns "$W/mysql"
start_server mariadb --user mariadbd --no-defaults --datadir="$W/mysql" --port="${P[mariadb]}" \
	--bind-address=127.0.0.1 --socket="$W/mysql/sock" --pid-file="$W/mysql/pid" \
	--tmpdir="$W/mysql" --skip-grant-tables --skip-log-bin --innodb-buffer-pool-size=8M

# --- nginx (Debian's default server_tokens: the version is shown)
mkdir -p "$W/nginx/tmp"
cat > "$W/nginx/nginx.conf" << EOF
daemon off;
master_process off;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $W/nginx/tmp/body;
	proxy_temp_path $W/nginx/tmp/proxy;
	fastcgi_temp_path $W/nginx/tmp/fastcgi;
	uwsgi_temp_path $W/nginx/tmp/uwsgi;
	scgi_temp_path $W/nginx/tmp/scgi;
	server { listen 127.0.0.1:${P[nginx]}; location / { return 200 "hello\n"; } }
}
EOF
server_owns "$W/nginx"
start_server nginx --user nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/error.log"

# --- Apache httpd, ServerTokens OS as Debian configures it
mkdir -p "$W/apache/www"
echo hello > "$W/apache/www/index.html"
cat > "$W/apache/httpd.conf" << EOF
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
Listen 127.0.0.1:${P[apache]}
ServerName 127.0.0.1
ServerTokens OS
PidFile $W/apache/httpd.pid
ErrorLog $W/apache/error.log
DefaultRuntimeDir $W/apache
Mutex file:$W/apache default
DocumentRoot $W/apache/www
<Directory $W/apache/www>
	Require all granted
</Directory>
EOF
server_owns "$W/apache"
start_server apache --user apache2 -f "$W/apache/httpd.conf" -DFOREGROUND

# --- OpenSSH
mkdir -p "$W/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/hostkey"
printf 'HostKey %s\nListenAddress 127.0.0.1:%s\nPidFile none\nUsePAM no\n' "$W/ssh/hostkey" "${P[ssh]}" \
	> "$W/ssh/sshd_config"
server_owns "$W/ssh"
start_server ssh --user /usr/sbin/sshd -D -e -f "$W/ssh/sshd_config"

# --- memcached
start_server memcached --user memcached -l 127.0.0.1 -p "${P[memcached]}" -U 0

# --- Docker registry (distribution)
mkdir -p "$W/registry/data"
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
	"$W/registry/data" "${P[registry]}" > "$W/registry/config.yml"
server_owns "$W/registry"
start_server registry --user docker-registry serve "$W/registry/config.yml"

# --- etcd, where it starts
HAVE_ETCD=0
if command -v etcd > /dev/null; then
	mkdir -p "$W/etcd" && server_owns "$W/etcd"
	start_server etcd --user etcd --name census --data-dir "$W/etcd/data" \
		--listen-client-urls "http://127.0.0.1:${P[etcd]}" \
		--advertise-client-urls "http://127.0.0.1:${P[etcd]}" \
		--listen-peer-urls "http://127.0.0.1:${P[etcdpeer]}" \
		--initial-advertise-peer-urls "http://127.0.0.1:${P[etcdpeer]}" \
		--initial-cluster "census=http://127.0.0.1:${P[etcdpeer]}"
	HAVE_ETCD=1
fi

targets=()
for s in redis redisauth mariadb nginx apache ssh memcached postgres registry etcd; do
	if [ "$s" = etcd ] && [ "$HAVE_ETCD" = 1 ] && ! wait_port "${P[etcd]}" 20; then
		echo "note: etcd did not start here ($(tail -n 2 "$W/etcd.log" | tr '\n' ' ')); left out"
		HAVE_ETCD=0
	fi
	[ "$s" = etcd ] && [ "$HAVE_ETCD" = 0 ] && continue
	if ! wait_port "${P[$s]}" 30; then
		fail "$s did not start: $(tail -n 5 "$W/$s.log" 2> /dev/null | tr '\n' ' ')"
		continue
	fi
	targets+=("127.0.0.1:${P[$s]}")
done

"$LADING_BIN" probe "${targets[@]}" --banner-wait 300 --timeout 3000 --format json \
	-o "$W/probe.json" --save --census "$W/census.sqlite" 2> "$W/probe.err" || {
	cat "$W/probe.err"; fail "lading probe failed"; finish; }
cat "$W/probe.err"

rec() { echo ".[] | select(.port == ${P[$1]})"; }
expect() { # SERVICE-KEY PRODUCT VERSION [DISTRO]
	local s=$1 prod=$2 ver=$3 distro=${4:-}
	check "[$(rec "$s")] | length == 1" "$W/probe.json" "$s: one record"
	check "$(rec "$s") | .product == \"$prod\"" "$W/probe.json" "$s: product $prod"
	if [ "$ver" = null ]; then
		check "$(rec "$s") | .version == null and (.note | length > 0)" "$W/probe.json" \
			"$s: no version, and a note that says why"
	else
		check "$(rec "$s") | .version == \"$ver\"" "$W/probe.json" "$s: version $ver (dpkg)"
	fi
	if [ -n "$distro" ]; then
		check "$(rec "$s") | .distro == \"$distro\"" "$W/probe.json" "$s: distro hint $distro"
	fi
}

expect redis redis "$(upstream_version redis-server)"
check "$(rec redis) | .service == \"redis\" and .attrs.mode == \"standalone\" and (.attrs.os | length > 0)" \
	"$W/probe.json" "redis: INFO's mode and os"
expect redisauth redis null
check "$(rec redisauth) | .note | test(\"authentication\")" "$W/probe.json" "redis with a password: NOAUTH"
expect mariadb mariadb "$(upstream_version mariadb-server)" "$(debian_revision mariadb-server)"
check "$(rec mariadb) | .attrs.server_version | startswith(\"5.5.5-\")" "$W/probe.json" \
	"mariadb: the raw server_version is kept"
expect nginx nginx "$(upstream_version "$(pkg_of /usr/sbin/nginx)")"
expect apache apache-httpd "$(upstream_version "$(pkg_of /usr/sbin/apache2)")" Debian
expect ssh openssh "$(upstream_version openssh-server)" "Debian-$(debian_revision openssh-server)"
check "$(rec ssh) | .cpe == \"cpe:2.3:a:openbsd:openssh:$(upstream_version openssh-server):*:*:*:*:*:*:*\"" \
	"$W/probe.json" "ssh: CPE 2.3"
expect memcached memcached "$(upstream_version memcached)"
expect postgres postgresql null
check "$(rec postgres) | .note | test(\"no version before authentication\")" "$W/probe.json" \
	"postgresql: says it tells no version rather than guessing"
check "$(rec postgres) | .attrs.auth == \"sasl\"" "$W/probe.json" "postgresql: the auth method asked"
expect registry docker-registry null
if [ "$HAVE_ETCD" = 1 ]; then
	expect etcd etcd "$(upstream_version etcd-server)"
fi
check 'all(.[]; (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and .source == "probe" and .transport == "tcp")' \
	"$W/probe.json" "every record: time, source, transport"

# the same ports by host + --ports, and as a /32 range, in table form
ports=$(IFS=,; echo "${P[redis]},${P[ssh]},${P[nginx]}")
"$LADING_BIN" probe 127.0.0.1/32 --ports "$ports" --banner-wait 300 --format table > "$W/table.txt" 2> /dev/null
for w in redis openssh nginx; do
	grep -q " $w " "$W/table.txt" || fail "CIDR + --ports table lacks $w: $(cat "$W/table.txt")"
done

# the census report over these records, against the test vulnerability database
DB=$(bash "$LADING_SRC/tests/setup/vulndb.sh")
"$LADING_BIN" census report --census "$W/census.sqlite" --db "$DB" --format json -o "$W/report.json"
check '.records >= 9 and (.products | length) >= 8' "$W/report.json" "report: every product"
check '.products[] | select(.product == "redis") | .newest_source == "bitnami" and .behind == 1 and (.versions[0].cves | length) > 0' \
	"$W/report.json" "report: Redis from Debian is behind Bitnami's newest and has upstream CVEs"
check '.products[] | select(.product == "openssh") | .vulnerable == 0 and .kev == 0' \
	"$W/report.json" "report: a Debian OpenSSH is never called vulnerable outright"
check '.products[] | select(.product == "postgresql") | .versioned == 0 and .versions[0].version == null' \
	"$W/report.json" "report: PostgreSQL counted, no version"
finish

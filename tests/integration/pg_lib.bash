# Sourced by tests that need a real PostgreSQL: Debian's PostgreSQL 15 started by the test itself
# (initdb + pg_ctl) in a temp directory, listening on 127.0.0.1 and a free port only, stopped at
# exit.
#   pg_start            start a cluster; sets PG_DIR, PG_PORT, PG_URL_BASE
#                       (postgres://lading@127.0.0.1:PORT); installs `trap pg_stop EXIT` unless
#                       PG_NO_TRAP=1 (a test with its own EXIT trap calls pg_stop from it).
#                       Returns 77 (the CTest skip code) when PostgreSQL is not installed.
#   pg_newdb NAME       create database NAME; prints its URL (PG_URL_BASE/NAME)
#   pg_psql NAME ARGS   psql on database NAME (e.g. pg_psql db -tAc 'SELECT 1')
#   pg_stop             stop the cluster and remove its directory (idempotent)
# As root, the server runs as the `postgres` user (else `nobody`): initdb refuses root.
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR=""
PG_PORT=""
PG_URL_BASE=""

pg_as_user() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
	elif id postgres > /dev/null 2>&1; then
		setpriv --reuid=postgres --regid="$(id -g postgres)" --clear-groups -- "$@"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	fi
}

pg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
	local tries
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || {
		echo "SKIP: PostgreSQL 15 is not installed ($PG_BIN)"
		return 77
	}
	# initdb's own checks write to /dev/null as the server user: a /dev/null that something
	# replaced with a root-owned regular file (e.g. an atomic rename over it) is restored
	if [ ! -c /dev/null ] && [ "$(id -u)" = 0 ]; then
		mknod -m 666 /dev/null.lading.$$ c 1 3 && mv -f /dev/null.lading.$$ /dev/null
	fi
	PG_DIR=$(mktemp -d /tmp/lading-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	mkdir -p "$PG_DIR/data" "$PG_DIR/sock"
	if [ "$(id -u)" = 0 ]; then
		if id postgres > /dev/null 2>&1; then chown -R postgres "$PG_DIR"; else chown -R nobody "$PG_DIR"; fi
	fi
	[ "${PG_NO_TRAP:-0}" = 1 ] || trap pg_stop EXIT
	pg_as_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U lading --auth=trust -E UTF8 --locale=C.UTF-8 \
		> "$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2
		return 1
	}
	# a port taken between choosing and binding: try another
	for tries in 1 2 3; do
		PG_PORT=$(pg_free_port)
		if pg_as_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
			-o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR/sock -c fsync=off -c full_page_writes=off -c max_connections=100" \
			> "$PG_DIR/pg_ctl.log" 2>&1; then
			PG_URL_BASE="postgres://lading@127.0.0.1:$PG_PORT"
			return 0
		fi
	done
	cat "$PG_DIR/server.log" >&2
	return 1
}

pg_newdb() {
	"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U lading "$1" || return 1
	echo "$PG_URL_BASE/$1"
}

pg_psql() {
	local db="$1"
	shift
	psql -h 127.0.0.1 -p "$PG_PORT" -U lading -d "$db" -v ON_ERROR_STOP=1 "$@"
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		pg_as_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop > /dev/null 2>&1 || true
	fi
	rm -rf "$PG_DIR"
	PG_DIR=""
}

# Sourced by the census tests: servers on 127.0.0.1, started and stopped by the test itself.
#   census_setup NAME     scratch dir $W (fresh), a cleanup trap that stops every server started
#   free_port             print a port nobody listens on
#   start_server NAME [--user] CMD...   run CMD in the background (log $W/NAME.log), remember
#                         its pid; --user: as 'nobody' when we are root (databases refuse root)
#   wait_port PORT [SECONDS]   wait until PORT accepts connections (default 20 s); 1 if it never does
#   as_server_user CMD... run CMD as 'nobody' when we are root (databases refuse root), else as is
#   upstream_version PKG  dpkg version of PKG without epoch and Debian revision
#   debian_revision PKG   the Debian revision of PKG ("2+deb12u3")
#   fake_start SPEC...    census_fake.py with SPECs (NAME[:PORT]); sets FAKE_PORTS[NAME]
#   fail MSG / check COND MSG   count failures; finish prints them and exits 1 when there are any
CENSUS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CENSUS_FAKE_PY="$CENSUS_DIR/census_fake.py"
declare -a CENSUS_PIDS=()
declare -A FAKE_PORTS=()
FAILS=0

census_setup() {
	: "${LADING_BIN:?}" "${LADING_WORK:?}"
	W="$LADING_WORK/$1"
	rm -rf "$W" && mkdir -p "$W"
	chmod 755 "$W"
	trap census_cleanup EXIT
}

census_cleanup() {
	local p
	for p in "${CENSUS_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${CENSUS_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {
	local name="$1"
	shift
	if [ "$1" = --user ]; then
		shift
		if [ "$(id -u)" = 0 ]; then
			set -- setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
		fi
	fi
	"$@" > "$W/$name.log" 2>&1 &
	CENSUS_PIDS+=("$!")
}

wait_port() {
	local port="$1" secs="${2:-20}" i
	for ((i = 0; i < secs * 10; i++)); do
		if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

as_server_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

# chown to the server user when we are root
server_owns() {
	if [ "$(id -u)" = 0 ]; then chown -R nobody:nogroup "$@"; fi
}

upstream_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' "$1")
	v=${v#*:}
	echo "${v%-*}"
}

debian_revision() {
	local v
	v=$(dpkg-query -W -f='${Version}' "$1")
	echo "${v##*-}"
}

fake_start() {
	local portfile="$W/fake.ports" spec name
	rm -f "$portfile"
	python3 "$CENSUS_FAKE_PY" --ports-file "$portfile" "$@" > "$W/fake.log" 2>&1 &
	CENSUS_PIDS+=("$!")
	for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.1; done
	[ -s "$portfile" ] || { echo "fake server did not start: $(cat "$W/fake.log")"; return 1; }
	while read -r name port; do FAKE_PORTS[$name]=$port; done < "$portfile"
}

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

# check JQ-EXPRESSION FILE MESSAGE: the expression must print true
check() {
	local r
	r=$(jq -e "$1" "$2" 2> /dev/null) || true
	if [ "$r" != true ]; then
		fail "$3 (jq: $1 => ${r:-error})"
	fi
}

finish() {
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
}

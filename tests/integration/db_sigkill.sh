#!/usr/bin/env bash
# A `lading db update` killed with SIGKILL at any moment leaves the previous database intact and
# usable: after each kill, `lading db info` must read the database it read before (same build
# time, same record counts) and SQLite must find it intact. Kills land in the download phase
# (cold cache, slow server) and in the build phase (warm cache: 304s, then the import).
set -euo pipefail
. "$(dirname "$0")/feedserver.bash"

W="$LADING_WORK/db_sigkill"
rm -rf "$W"
mkdir -p "$W"
feeds_www "$W/www"
feeds_start "$W/www"
DB="$W/db/vuln.sqlite"
export LADING_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
sources=(--source "osv=$FEEDS_URL/osv" --source "alpine-secdb=$FEEDS_URL/alpine-secdb"
	 --source "debian=$FEEDS_URL/debian" --source "kev=$FEEDS_URL/kev" --source "epss=$FEEDS_URL/epss")

check_db() {
	local want_built="$1" info
	info=$("$LADING_BIN" db info --db "$DB" --json) || fail "db info cannot read the database after a kill"
	[ "$(jq -r .built_at <<< "$info")" = "$want_built" ] || fail "the database changed: $(jq -r .built_at <<< "$info")"
	[ "$(jq -r '.feeds[] | select(.name == "osv/AlmaLinux") | .records' <<< "$info")" = 5637 ] || fail "records"
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
	[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM affected WHERE ecosystem = 'AlmaLinux:8'")" = 39984 ] || fail "rows"
}

"$LADING_BIN" db update --db "$DB" "${sources[@]}" > /dev/null 2>&1 || fail "initial update"
built=$("$LADING_BIN" db info --db "$DB" --json | jq -r .built_at)
check_db "$built"

killed=0
i=0
for t in 0.2 0.5 1.0 0.3 0.8 1.5 2.0 2.5 3.0 4.0 0.1 0.6 1.2 1.8 2.2 3.5; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then
		# cold cache and a slow server: the kill lands among the downloads
		rm -rf "$DB.feeds"
		feeds_control '{"delay": 0.05}'
	else
		feeds_control '{}'
	fi
	sleep 1 # a later build time for any update that completes
	"$LADING_BIN" db update --db "$DB" "${sources[@]}" > "$W/out.$i" 2>&1 &
	pid=$!
	sleep "$t"
	kill -9 "$pid" 2> /dev/null || true
	set +e
	wait "$pid"
	rc=$?
	set -e
	if [ "$rc" = 137 ]; then
		now=$("$LADING_BIN" db info --db "$DB" --json | jq -r .built_at) || fail "db info after a kill"
		if [ "$now" = "$built" ]; then
			killed=$((killed + 1))
		else
			# the kill landed after the rename: the new database is the complete one
			built=$now
		fi
		check_db "$built"
	elif [ "$rc" = 0 ]; then
		# finished before the kill: the new database is in place and complete
		built=$("$LADING_BIN" db info --db "$DB" --json | jq -r .built_at)
		check_db "$built"
	else
		cat "$W/out.$i"
		fail "update exited $rc"
	fi
done
echo "kills that interrupted an update: $killed of $i"
[ "$killed" -ge 6 ] || fail "too few kills landed mid-update to test anything ($killed)"

# readers that have the database open keep reading it while an update replaces it
exec 3< "$DB"
old_inode=$(stat -c %i "$DB")
"$LADING_BIN" db update --db "$DB" "${sources[@]}" > /dev/null 2>&1 || fail "update after the kills"
[ "$(stat -c %i "$DB")" != "$old_inode" ] || fail "the database was not replaced by a rename"
exec 3<&-
check_db "$("$LADING_BIN" db info --db "$DB" --json | jq -r .built_at)"
# nothing left behind by the killed runs
leftovers=$(find "$(dirname "$DB")" -name 'vuln.sqlite.tmp-*' | wc -l)
[ "$leftovers" = 0 ] || fail "temporary files left: $leftovers"
[ -z "$(ls -A "$DB.feeds/.tmp")" ] || fail "partial downloads left"
echo "db_sigkill: ok"

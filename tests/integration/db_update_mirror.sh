#!/usr/bin/env bash
# One layout: the ../shared/vulndata tree served as it is by `python3 -m http.server` (a plain
# static file server: its HTML directory listing, no index file of our own) updates every source
# with `db update --source NAME=URL` into exactly the database `db build --mirror` makes of the
# same tree, table by table; EPSS's per-year CSV files included. A second update finds every file
# not modified (304) and keeps every feed as it is, exit 0.
set -euo pipefail
. "$(dirname "$0")/feedserver.bash"

W="$LADING_WORK/db_update_mirror"
rm -rf "$W"
mkdir -p "$W"
export LADING_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
V="$LADING_SHARED/vulndata"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$V" "$port" > "$W/server.log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
U="http://127.0.0.1:$port"

"$LADING_BIN" db build --mirror "$V" --db "$W/built.sqlite" > /dev/null 2>&1 || fail "build"
sources=()
for s in osv alpine-secdb debian kev epss nvd; do sources+=(--source "$s=$U/$s"); done

# a database that holds every feed of the mirror already: the update refreshes them all
cp "$W/built.sqlite" "$W/up.sqlite"
"$LADING_BIN" db update --db "$W/up.sqlite" "${sources[@]}" --json > "$W/u1.json" 2> "$W/err1" \
	|| { cat "$W/err1"; fail "update from the served mirror"; }
db_tables "$W/built.sqlite" > "$W/built.tables"
db_tables "$W/up.sqlite" > "$W/up.tables"
diff "$W/built.tables" "$W/up.tables" || fail "update and build differ"
[ "$(jq '[.feeds[] | select(.status == "ok")] | length' "$W/u1.json")" = \
	"$("$LADING_BIN" db info --db "$W/built.sqlite" --json | jq '.feeds | length')" ] || fail "feeds not all ok"
[ "$(jq -r '.feeds[] | select(.name == "epss") | "\(.records) \(.http.downloaded)"' "$W/u1.json")" = "360142 28" ] \
	|| fail "EPSS per-year files: $(jq -c '.feeds[] | select(.name == "epss")' "$W/u1.json")"
[ "$(jq '.stale' "$W/u1.json")" = 0 ] || fail "stale feeds"
db_records_check "$W/up.sqlite" || fail "records"

# again: every file is not modified; every feed keeps its data, status ok, exit 0
"$LADING_BIN" db update --db "$W/up.sqlite" "${sources[@]}" --json > "$W/u2.json" 2> "$W/err2" \
	|| { cat "$W/err2"; fail "not-modified update: exit $?"; }
[ "$(jq '[.feeds[].http.downloaded] | add' "$W/u2.json")" = 0 ] || fail "files downloaded again"
[ "$(jq '[.feeds[].http.not_modified] | add' "$W/u2.json")" -ge 100 ] || fail "no 304s"
[ "$(jq '[.feeds[] | select(.status != "ok" and .status != "absent")] | length' "$W/u2.json")" = 0 ] \
	|| fail "feeds not ok after not modified"
db_tables "$W/up.sqlite" > "$W/up2.tables"
diff "$W/built.tables" "$W/up2.tables" || fail "not-modified update changed the tables"
echo "db_update_mirror: ok"

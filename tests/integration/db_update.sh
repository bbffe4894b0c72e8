#!/usr/bin/env bash
# lading db update against a local feed server serving (part of) the mirror through --source:
# a 503-then-200 retry, conditional requests (304) on the second update, gzip Content-Encoding,
# a proxy from the environment, a feed that fails (its previous rows carried over), --source
# limiting the update to some sources, and usage errors.
set -euo pipefail
. "$(dirname "$0")/feedserver.bash"

W="$LADING_WORK/db_update"
rm -rf "$W"
mkdir -p "$W"
feeds_www "$W/www"
feeds_start "$W/www"
DB="$W/db/vuln.sqlite"
export LADING_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }

sources=(--source "osv=$FEEDS_URL/osv" --source "alpine-secdb=$FEEDS_URL/alpine-secdb"
	 --source "debian=$FEEDS_URL/debian" --source "kev=$FEEDS_URL/kev" --source "epss=$FEEDS_URL/epss")
feed() { jq -r --arg n "$2" ".feeds[] | select(.name == \$n) | $3" "$1"; }

# 1. first update: the KEV file answers 503 once (Retry-After: 1), then 200; JSON is gzip-encoded
feeds_control '{"gzip": true, "faults": {"/kev/known_exploited_vulnerabilities.json": {"status": 503, "count": 1, "retry_after": 1}}}'
feeds_mark
"$LADING_BIN" db update --db "$DB" "${sources[@]}" --json > "$W/r1.json" || fail "first update failed"
feeds_log > "$W/log1"
grep -q '^GET /kev/known_exploited_vulnerabilities.json 503$' "$W/log1" || fail "no 503 served"
grep -q '^GET /kev/known_exploited_vulnerabilities.json 200 gzip$' "$W/log1" || fail "no retry after the 503"
[ "$(feed "$W/r1.json" kev .status)" = ok ] || fail "kev not imported"
[ "$(feed "$W/r1.json" kev .http.retries)" -ge 1 ] || fail "kev retry not reported"
[ "$(feed "$W/r1.json" kev .records)" = 1404 ] || fail "kev records: $(feed "$W/r1.json" kev .records)"
[ "$(feed "$W/r1.json" osv/crates.io .records)" = 1193 ] || fail "crates.io records"
[ "$(feed "$W/r1.json" osv/AlmaLinux .records)" = 5637 ] || fail "AlmaLinux records"
[ "$(feed "$W/r1.json" osv/PyPI .records)" = 2651 ] || fail "PyPI records"
[ "$(feed "$W/r1.json" alpine-secdb .status)" = ok ] || fail "secdb"
[ "$(feed "$W/r1.json" debian-dsa .records)" = 5406 ] || fail "DSA records"
[ "$(feed "$W/r1.json" epss .records)" = 2000 ] || fail "epss records: $(feed "$W/r1.json" epss .records)"
# ecosystems the server does not publish are absent, not failed
[ "$(feed "$W/r1.json" osv/npm .status)" = absent ] || fail "npm should be absent"
[ "$(jq .failed "$W/r1.json")" = 0 ] || fail "failed feeds in the first update"
[ "$(jq '[.feeds[].http.downloaded] | add' "$W/r1.json")" -ge 20 ] || fail "downloads not counted"
built1=$("$LADING_BIN" db info --db "$DB" --json | jq -r .built_at)

# 2. second update: every file already held is asked for conditionally and answered 304
sleep 1
feeds_control '{}'
feeds_mark
"$LADING_BIN" db update --db "$DB" "${sources[@]}" --json > "$W/r2.json" || fail "second update failed"
feeds_log > "$W/log2"
n304=$(grep -c ' 304$' "$W/log2" || true)
n200=$(grep -c ' 200$' "$W/log2" || true)
[ "$n304" -ge 20 ] || fail "expected conditional requests answered 304, got $n304"
[ "$n200" = 0 ] || fail "files downloaded again: $n200"
[ "$(jq '[.feeds[].http.not_modified] | add' "$W/r2.json")" = "$n304" ] || fail "304s not reported"
[ "$(jq '[.feeds[].http.downloaded] | add' "$W/r2.json")" = 0 ] || fail "downloads reported"
[ "$(feed "$W/r2.json" osv/AlmaLinux .records)" = 5637 ] || fail "rebuild from the cache"
[ "$(jq .failed "$W/r2.json")" = 0 ] || fail "failed feeds in the second update"
built2=$("$LADING_BIN" db info --db "$DB" --json | jq -r .built_at)
[ "$built1" != "$built2" ] || fail "the database was not rebuilt"
# the cache is laid out like the mirror
[ -f "$DB.feeds/osv/crates.io/all.zip" ] || fail "cache layout"
cmp -s "$DB.feeds/kev/known_exploited_vulnerabilities.json" "$LADING_SHARED/vulndata/kev/known_exploited_vulnerabilities.json" \
	|| fail "the gzip-encoded download was not stored decoded"

# 3. a feed that keeps failing: its rows are carried over from the previous database, exit 3
rows_before=$(sqlite3 "$DB" "SELECT COUNT(*) FROM affected WHERE ecosystem = 'crates.io'")
feeds_control '{"faults": {"/osv/crates.io/all.zip": {"status": 503, "count": -1}}}'
feeds_mark
set +e
"$LADING_BIN" db update --db "$DB" "${sources[@]}" --retries 1 --json > "$W/r3.json" 2> "$W/err3"
rc=$?
set -e
# the new database is installed, and the exit status says a feed could not be refreshed
[ "$rc" = 3 ] || fail "update with a failing feed: exit $rc"
grep -q 'osv/crates.io could not be refreshed (.*HTTP 503.*); its previous data is kept' "$W/err3" || fail "stale feed not named"
[ "$(feed "$W/r3.json" osv/crates.io .stale)" = true ] || fail "stale flag"
[ "$(jq .stale "$W/r3.json")" = 1 ] || fail "stale count"
[ "$(feed "$W/r3.json" osv/crates.io .status)" = carried ] || fail "crates.io not carried over"
feed "$W/r3.json" osv/crates.io .message | grep -q 'HTTP 503' || fail "carry-over reason missing"
[ "$(feed "$W/r3.json" osv/crates.io .records)" = 1193 ] || fail "carried record count"
[ "$(feed "$W/r3.json" osv/PyPI .status)" = ok ] || fail "other feeds affected"
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM affected WHERE ecosystem = 'crates.io'")" = "$rows_before" ] || fail "carried rows"
"$LADING_BIN" db info --db "$DB" | grep -q 'osv/crates.io.*carried' || fail "db info does not show the carried feed"
"$LADING_BIN" db update --db "$DB" "${sources[@]}" --retries 1 > "$W/r3.txt" 2> /dev/null && fail "text report: exit 0"
grep -q 'previous data kept: .*HTTP 503' "$W/r3.txt" || fail "text report lacks the carry-over"

# 4. --source limits the update; a proxy from the environment carries the request
feeds_control '{}'
feeds_mark
http_proxy="$FEEDS_URL" no_proxy="" "$LADING_BIN" db update --db "$DB" \
	--source "kev=http://feeds.example.invalid/kev" --json > "$W/r4.json" || fail "update through the proxy"
feeds_log > "$W/log4"
grep -q '^GET /kev/known_exploited_vulnerabilities.json [23]0[04] proxy$' "$W/log4" || fail "proxy not used"
[ "$(grep -vc proxy "$W/log4" || true)" = 0 ] || fail "requests for other sources"
[ "$(feed "$W/r4.json" kev .status)" = ok ] || fail "kev through the proxy"
[ "$(feed "$W/r4.json" osv/AlmaLinux .status)" = carried ] || fail "unselected source not carried"
[ "$(feed "$W/r4.json" osv/AlmaLinux .records)" = 5637 ] || fail "unselected source rows"
[ "$(feed "$W/r4.json" osv/crates.io .status)" = carried ] || fail "crates.io (carried twice)"
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM affected WHERE ecosystem = 'crates.io'")" = "$rows_before" ] || fail "rows carried twice"

# 5. usage errors exit 2; an unreachable server with nothing to keep exits 3
set +e
"$LADING_BIN" db update --db "$DB" --source bogus=http://x/ > /dev/null 2>&1; [ $? = 2 ] || fail "unknown source"
"$LADING_BIN" db update --db "$DB" --source kev=ftp://x/ > /dev/null 2>&1; [ $? = 2 ] || fail "ftp URL"
"$LADING_BIN" db update --db "$DB" --retries x > /dev/null 2>&1; [ $? = 2 ] || fail "bad --retries"
"$LADING_BIN" db update --db "$W/fresh.sqlite" --source "kev=http://127.0.0.1:1/kev" --retries 0 \
	--connect-timeout 2 > /dev/null 2> "$W/err5"
rc=$?
set -e
[ "$rc" = 3 ] || fail "unreachable server with no previous data: exit $rc"
grep -q 'failed with no previous data' "$W/err5" || fail "message"
echo "db_update: ok"

#!/usr/bin/env bash
# The failure matrix of `lading db update`: for each source, each way a fetch can go wrong (404,
# 500, a stall before the answer, a stall mid-body, a body cut short, a damaged body, an HTML
# error page served as the file, a file cut in half served as complete) at each point (the first request: the directory listing or the
# file; a data file; the import), the database before and after is compared table by table:
# nothing lost, nothing half-written, `db info` records equal to the tables, exit status 3 naming
# the feed. Then "not modified" (every file 304) keeps every feed as it was, exit 0.
# A small mirror (a subset of ../shared/vulndata) keeps each update under a second or two.
set -euo pipefail
. "$(dirname "$0")/feedserver.bash"

W="$LADING_WORK/db_update_faults"
rm -rf "$W"
mkdir -p "$W"
export LADING_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
V="$LADING_SHARED/vulndata"
www="$W/www"
mkdir -p "$www/osv" "$www/alpine-secdb" "$www/debian" "$www/kev" "$www/epss" "$www/nvd"
ln -s "$V/osv/crates.io" "$www/osv/crates.io"
ln -s "$V/alpine-secdb/v3.10" "$www/alpine-secdb/v3.10"
ln -s "$V/alpine-secdb/v3.11" "$www/alpine-secdb/v3.11"
ln -s "$V/debian/DSA.list" "$www/debian/DSA.list"
ln -s "$V/kev/known_exploited_vulnerabilities.json" "$www/kev/"
for y in 2002 2003 2004; do ln -s "$V/epss/CVE_${y}_EPSS.csv" "$www/epss/"; done
for f in nvdcve-1.1-2002.json.gz nvdcve-1.1-2002.meta nvdcve-1.1-2003.json.gz nvdcve-1.1-2003.meta; do
	ln -s "$V/nvd/$f" "$www/nvd/"
done
feeds_start "$www"
DB="$W/db.sqlite"
"$LADING_BIN" db build --mirror "$www" --db "$DB" > /dev/null 2>&1 || fail "build"
db_tables "$DB" > "$W/before"
db_records_check "$DB" || fail "records after the build"

# the feeds each source holds in this database
feeds_of() {
	case "$1" in
	osv) echo osv/crates.io ;;
	debian) echo debian-dsa ;;
	*) echo "$1" ;;
	esac
}

# one_case SOURCE PATH KIND [STATUS] EXPECTED-EXIT
n=0
one_case() {
	local src="$1" path="$2" kind="$3" status="$4" want="$5" rc f
	n=$((n + 1))
	feeds_control "{\"listing\": true, \"faults\": {\"$path\": {\"kind\": \"$kind\", \"status\": $status, \"count\": -1, \"seconds\": 3}}}"
	set +e
	"$LADING_BIN" db update --db "$DB" --source "$src=$FEEDS_URL/$src" --retries 0 \
		--read-timeout 1 --connect-timeout 2 --json > "$W/out.json" 2> "$W/err"
	rc=$?
	set -e
	local what="$src $path $kind${status:+ $status}"
	[ "$rc" = "$want" ] || { cat "$W/err"; fail "$what: exit $rc, expected $want"; }
	db_tables "$DB" > "$W/after"
	diff "$W/before" "$W/after" > "$W/diff" || { cat "$W/diff"; fail "$what: the tables changed"; }
	db_records_check "$DB" || fail "$what: records"
	[ "$(jq .failed "$W/out.json")" = 0 ] || fail "$what: a feed failed"
	for f in $(feeds_of "$src"); do
		if [ "$want" = 3 ]; then
			[ "$(jq -r --arg n "$f" '.feeds[] | select(.name == $n) | "\(.status) \(.stale)"' "$W/out.json")" = "carried true" ] \
				|| fail "$what: $f not reported stale"
			grep -q "^lading: $f could not be refreshed (.*); its previous data is kept" "$W/err" \
				|| { cat "$W/err"; fail "$what: $f not named"; }
		else
			[ "$(jq -r --arg n "$f" '.feeds[] | select(.name == $n) | .status' "$W/out.json")" = ok ] \
				|| fail "$what: $f not ok"
		fi
	done
}

# a data file of each source (for directory sources, one of several)
declare -A file=(
	[osv]=/osv/crates.io/all.zip
	[alpine-secdb]=/alpine-secdb/v3.11/main.json
	[debian]=/debian/DSA.list
	[kev]=/kev/known_exploited_vulnerabilities.json
	[epss]=/epss/CVE_2003_EPSS.csv
	[nvd]=/nvd/nvdcve-1.1-2003.json.gz
)
for src in osv alpine-secdb debian kev epss nvd; do
	# the first request: a directory source's listing (404 there means "no listing": the files
	# are asked for by their known names and the update succeeds with the same data)
	if [ "$src" != debian ]; then
		one_case "$src" "/$src/" status 404 0
		one_case "$src" "/$src/" status 500 3
		one_case "$src" "/$src/" stall 0 3
	fi
	f="${file[$src]}"
	one_case "$src" "$f" status 404 3
	one_case "$src" "$f" status 500 3
	one_case "$src" "$f" stall 0 3
	# mid-body
	one_case "$src" "$f" stall_body 0 3
	one_case "$src" "$f" truncate 0 3
	# the import
	one_case "$src" "$f" corrupt 0 3
	one_case "$src" "$f" html 0 3
	# a file of the right format cut in half, served as complete: a parse error where the format
	# can tell (zip, gzip, JSON); a CSV or list cut at a line is a shorter file, not an error
	case "$src" in osv | alpine-secdb | kev | nvd) one_case "$src" "$f" cut 0 3 ;; esac
done

# not modified: an update of every source right after a good one gets 304 for every file and
# keeps every feed as it was (status ok, exit 0)
all=()
for src in osv alpine-secdb debian kev epss nvd; do all+=(--source "$src=$FEEDS_URL/$src"); done
feeds_control '{"listing": true}'
"$LADING_BIN" db update --db "$DB" "${all[@]}" --json > "$W/good.json" 2> "$W/err" || { cat "$W/err"; fail "good update"; }
db_tables "$DB" > "$W/after"
diff "$W/before" "$W/after" || fail "good update changed the tables"
feeds_mark
"$LADING_BIN" db update --db "$DB" "${all[@]}" --json > "$W/nm.json" 2> "$W/err" || { cat "$W/err"; fail "not-modified update: exit $?"; }
feeds_log > "$W/log"
grep -q ' 200$' <(grep -v '/ 200$' "$W/log") && fail "files downloaded again"
[ "$(jq '[.feeds[].http.not_modified] | add' "$W/nm.json")" -ge 10 ] || fail "no 304s"
[ "$(jq '[.feeds[] | select(.status != "ok" and .status != "absent")] | length' "$W/nm.json")" = 0 ] || fail "not-modified feeds not ok"
db_tables "$DB" > "$W/after"
diff "$W/before" "$W/after" || fail "not-modified update changed the tables"
db_records_check "$DB" || fail "records after not-modified"
echo "db_update_faults: ok ($n failure cases)"

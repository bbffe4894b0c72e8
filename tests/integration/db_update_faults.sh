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
D="$DB"
O="$W"
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

# one_case SOURCE PATH KIND [STATUS] EXPECTED-EXIT, on database $D with outputs in $O
n=0
one_case() {
	local src="$1" path="$2" kind="$3" status="$4" want="$5" rc f
	n=$((n + 1))
	feeds_control "{\"listing\": true, \"faults\": {\"$path\": {\"kind\": \"$kind\", \"status\": $status, \"count\": -1, \"seconds\": 3}}}"
	set +e
	"$LADING_BIN" db update --db "$D" --source "$src=$FEEDS_URL/$src" --retries 0 \
		--read-timeout 1 --connect-timeout 2 --json > "$O/out.json" 2> "$O/err"
	rc=$?
	set -e
	local what="$src $path $kind${status:+ $status}"
	[ "$rc" = "$want" ] || { cat "$O/err"; fail "$what: exit $rc, expected $want"; }
	db_tables "$D" > "$O/after"
	diff "$W/before" "$O/after" > "$O/diff" || { cat "$O/diff"; fail "$what: the tables changed"; }
	db_records_check "$D" || fail "$what: records"
	[ "$(jq .failed "$O/out.json")" = 0 ] || fail "$what: a feed failed"
	for f in $(feeds_of "$src"); do
		if [ "$want" = 3 ]; then
			[ "$(jq -r --arg n "$f" '.feeds[] | select(.name == $n) | "\(.status) \(.stale)"' "$O/out.json")" = "carried true" ] \
				|| fail "$what: $f not reported stale"
			grep -q "^lading: $f could not be refreshed (.*); its previous data is kept" "$O/err" \
				|| { cat "$O/err"; fail "$what: $f not named"; }
		else
			[ "$(jq -r --arg n "$f" '.feeds[] | select(.name == $n) | .status' "$O/out.json")" = ok ] \
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

# the cases of one source, on its own copy of the database with its own server (the sources run
# side by side: most of a case's time is waiting for the disk)
run_source() {
	local src="$1" f
	O="$W/$src"
	mkdir -p "$O"
	ln -s "$www" "$O/www"
	feeds_start "$O/www"
	D="$O/db.sqlite"
	cp "$DB" "$D"
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
	echo "$n" > "$O/cases"
}

srcs=(osv alpine-secdb debian kev epss nvd)
pids=()
for src in "${srcs[@]}"; do
	(run_source "$src") > "$W/$src.log" 2>&1 &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { cat "$W/${srcs[$i]}.log"; fail "source ${srcs[$i]}"; }
	n=$((n + $(cat "$W/${srcs[$i]}/cases")))
done

# upstream (no URL): every source through a proxy that is not there (so that no test depends on
# the network): every feed that had data is kept and named, exit 3
set +e
https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 no_proxy="" "$LADING_BIN" db update --db "$DB" \
	--retries 0 --connect-timeout 2 --read-timeout 2 --json > "$W/up.json" 2> "$W/err"
rc=$?
set -e
[ "$rc" = 3 ] || { cat "$W/err"; fail "upstream unreachable: exit $rc"; }
db_tables "$DB" > "$W/after"
diff "$W/before" "$W/after" || fail "upstream failure changed the tables"
[ "$(jq '[.feeds[] | select(.status == "carried" and .stale)] | length' "$W/up.json")" = 6 ] \
	|| fail "upstream: not every feed carried and stale: $(jq -c '[.feeds[] | [.name, .status, .stale]]' "$W/up.json")"

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

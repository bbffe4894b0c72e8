#!/usr/bin/env bash
# lading db build from the full mirror (../shared/vulndata): record counts per OSV ecosystem
# against ../shared/README.md (minus withdrawn records), spot checks of known records, db info,
# the default database path, a damaged feed (fails alone; carried over when a previous database
# has it), and exit codes.
set -euo pipefail
W="$LADING_WORK/db_build"
rm -rf "$W"
mkdir -p "$W"
V="$LADING_SHARED/vulndata"
DB="$W/vuln.sqlite"
export LADING_NO_PROGRESS=1
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 "$DB" "$1"; }

"$LADING_BIN" db build --mirror "$V" --db "$DB" --json > "$W/build.json" 2> "$W/build.err" || {
	cat "$W/build.err"; fail "full build"; }
feed() { jq -r --arg n "$1" ".feeds[] | select(.name == \$n) | $2" "$W/build.json"; }

# README.md: records per zip, and how many of them are withdrawn
while read -r eco total withdrawn; do
	want=$((total - withdrawn))
	[ "$(feed "osv/$eco" .status)" = ok ] || fail "osv/$eco not imported"
	[ "$(feed "osv/$eco" .records)" = "$want" ] || fail "osv/$eco: $(feed "osv/$eco" .records) records, want $want"
	[ "$(feed "osv/$eco" .withdrawn)" = "$withdrawn" ] || fail "osv/$eco withdrawn"
	[ "$(feed "osv/$eco" .skipped)" = 0 ] || fail "osv/$eco skipped records"
	[ "$(q "SELECT COUNT(*) FROM advisories a JOIN feeds f ON f.id = a.feed WHERE f.name = 'osv/$eco'")" = "$want" ] \
		|| fail "osv/$eco rows"
done <<'EOF'
AlmaLinux 5637 0
Bitnami 7444 0
PyPI 2661 10
Go 4291 17
crates.io 1206 13
EOF
[ "$(jq .failed "$W/build.json")" = 0 ] || fail "failed feeds"
# per-ecosystem split of AlmaLinux (affected entries as in the zip)
[ "$(q "SELECT SUM(affected) FROM stats WHERE feed = 'osv/AlmaLinux'")" = 69160 ] || fail "AlmaLinux entries"
[ "$(q "SELECT COUNT(*) FROM stats WHERE feed = 'osv/AlmaLinux'")" = 3 ] || fail "AlmaLinux releases"

# a PYSEC record: ECOSYSTEM range and explicit versions, GIT ranges left out
[ "$(q "SELECT ranges FROM affected WHERE ecosystem = 'PyPI' AND package = 'trac' AND advisory_id = 'PYSEC-2005-1'")" \
	= '[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"0.10"}]}]' ] || fail "PYSEC-2005-1 ranges"
[ "$(q "SELECT versions FROM affected WHERE advisory_id = 'PYSEC-2005-1'")" = '["0.8.4","0.9"]' ] || fail "PYSEC versions"
[ "$(q "SELECT COUNT(*) FROM affected WHERE ecosystem = 'PyPI' AND ranges LIKE '%GIT%'")" = 0 ] || fail "GIT ranges stored"
# PEP 503 names: the key is normalized, the feed's spelling kept
[ "$(q "SELECT COUNT(*) FROM affected WHERE ecosystem = 'PyPI' AND package GLOB '*[A-Z_.]*'")" = 0 ] || fail "PEP 503"
# an ALSA record: its CVE comes from `related`; its rating from the summary
[ "$(q "SELECT alias || '/' || kind FROM aliases s JOIN advisories a ON a.id = s.advisory WHERE a.advisory = 'ALSA-2019:0975'")" \
	= "CVE-2019-5736/related" ] || fail "ALSA related CVE"
[ "$(q "SELECT severity || '/' || severity_raw FROM advisories WHERE advisory = 'ALSA-2019:0975'")" = "high/Important" ] \
	|| fail "ALSA rating"
# one entry per module stream, in feed order
[ "$(q "SELECT COUNT(*) FROM affected WHERE ecosystem = 'AlmaLinux:8' AND package = 'oci-systemd-hook' AND advisory_id = 'ALSA-2019:0975'")" \
	= 3 ] || fail "ALSA entries"
[ "$(q "SELECT ranges FROM affected WHERE ecosystem = 'AlmaLinux:8' AND package = 'oci-systemd-hook' AND advisory_id = 'ALSA-2019:0975' ORDER BY seq LIMIT 1")" \
	= '[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:0.1.15-2.git2d0b8a3.module_el8.5.0+119+9a9ec082"}]}]' ] \
	|| fail "ALSA ranges"
# a RUSTSEC informational notice is kept and marked
[ "$(q "SELECT informational FROM advisories WHERE advisory = 'RUSTSEC-2016-0004'")" = unmaintained ] || fail "RUSTSEC notice"
[ "$(q "SELECT informational FROM affected WHERE advisory_id = 'RUSTSEC-2016-0004'")" = unmaintained ] || fail "notice on entry"
want=$(unzip -p "$V/osv/crates.io/all.zip" \
	| jq -r 'select(.withdrawn | not) | select([.affected[]?.database_specific.informational // empty] | length > 0) | .id' \
	| wc -l)
[ "$want" -gt 400 ] || fail "reading the crates.io zip with jq"
[ "$(q "SELECT COUNT(*) FROM advisories WHERE advisory LIKE 'RUSTSEC-%' AND informational IS NOT NULL")" = "$want" ] \
	|| fail "informational notices: want $want"
# Bitnami: severity per package computed from its vector; the source's own rating kept
[ "$(q "SELECT severity || ' ' || cvss_score FROM affected WHERE advisory_id = 'BIT-airflow-2023-46288'")" = "medium 4.3" ] \
	|| fail "Bitnami package severity: $(q "SELECT severity || ' ' || cvss_score FROM affected WHERE advisory_id = 'BIT-airflow-2023-46288'")"
[ "$(q "SELECT severity_raw FROM advisories WHERE advisory = 'BIT-airflow-2023-46288'")" = Medium ] || fail "Bitnami rating"
# Go: custom ranges kept as refining ranges; the standard library is package stdlib
q "SELECT ranges FROM affected WHERE package = 'github.com/pubnub/go/v5' AND advisory_id = 'GO-2023-2385'" \
	| grep -q '"custom":true,"events":\[{"introduced":"0"},{"fixed":"5.0.4-0.20231016150651-428517fef5b9"}\]' || fail "Go custom"
[ "$(q "SELECT COUNT(*) FROM affected WHERE ecosystem = 'Go' AND package = 'stdlib'")" -gt 100 ] || fail "Go stdlib"
# withdrawn records are not stored
for id in $(unzip -p "$V/osv/PyPI/all.zip" | jq -r 'select(.withdrawn) | .id' 2> /dev/null || true); do
	[ "$(q "SELECT COUNT(*) FROM advisories WHERE advisory = '$id'")" = 0 ] || fail "withdrawn $id stored"
done
# other feeds are there
for f in alpine-secdb debian-dsa debian-dla kev epss nvd; do
	[ "$(feed "$f" .status)" = ok ] || fail "$f: $(feed "$f" .status) $(feed "$f" .message)"
done
[ "$(feed epss .records)" = 360142 ] || fail "EPSS rows"
[ "$(feed kev .records)" = 1404 ] || fail "KEV entries"

# db info: text and JSON
"$LADING_BIN" db info --db "$DB" > "$W/info.txt"
grep -q '^osv/PyPI  *ok  *2024-10-10T17:22:00.587279Z  *2651' "$W/info.txt" || fail "info text"
grep -q 'AlmaLinux:8 .* advisories' "$W/info.txt" || fail "info per ecosystem"
"$LADING_BIN" db info --db "$DB" --json > "$W/info.json"
[ "$(jq .schema_version "$W/info.json")" = 2 ] || fail "schema version"
[ "$(jq '.age_seconds < 3600' "$W/info.json")" = true ] || fail "age"
[ "$(jq -r '.feeds[] | select(.name == "osv/AlmaLinux") | .ecosystems | map(.ecosystem) | join(",")' "$W/info.json")" \
	= "AlmaLinux:10,AlmaLinux:8,AlmaLinux:9" ] || fail "ecosystems in info"

# default path: $LADING_DB, else $XDG_CACHE_HOME/lading/db.sqlite, else ~/.cache/lading/db.sqlite
mkdir -p "$W/small/osv"
ln -s "$V/osv/crates.io" "$W/small/osv/crates.io"
ln -s "$V/kev" "$W/small/kev"
XDG_CACHE_HOME="$W/xdg" "$LADING_BIN" db build --mirror "$W/small" > /dev/null || fail "build to the XDG path"
[ -f "$W/xdg/lading/db.sqlite" ] || fail "XDG default path"
env -u XDG_CACHE_HOME HOME="$W/home" "$LADING_BIN" db build --mirror "$W/small" > /dev/null || fail "build to ~/.cache"
[ -f "$W/home/.cache/lading/db.sqlite" ] || fail "HOME default path"
LADING_DB="$W/env.sqlite" XDG_CACHE_HOME="$W/xdg2" "$LADING_BIN" db build --mirror "$W/small" > /dev/null || fail "LADING_DB"
[ -f "$W/env.sqlite" ] && [ ! -e "$W/xdg2/lading/db.sqlite" ] || fail "LADING_DB override"
LADING_DB="$W/env.sqlite" "$LADING_BIN" db info | grep -q "^database  $W/env.sqlite" || fail "info with LADING_DB"
"$LADING_BIN" db info --db "$W/xdg/lading/db.sqlite" --json | jq -e '.feeds | length == 2' > /dev/null || fail "small db"

# a damaged feed fails alone; with a previous database its rows are carried over
mkdir -p "$W/bad/osv/crates.io" "$W/bad/kev"
head -c 100000 "$V/osv/crates.io/all.zip" > "$W/bad/osv/crates.io/all.zip"
echo '{"catalogVersion": "x", "vulnerabilities": [' > "$W/bad/kev/known_exploited_vulnerabilities.json"
set +e
"$LADING_BIN" db build --mirror "$W/bad" --db "$W/fresh.sqlite" > "$W/bad1.txt" 2>&1
rc=$?
set -e
[ "$rc" = 3 ] || fail "damaged feeds with no previous data: exit $rc"
grep -q 'osv/crates.io  *failed' "$W/bad1.txt" || fail "failed feed not reported"
cp "$W/xdg/lading/db.sqlite" "$W/prev.sqlite"
"$LADING_BIN" db build --mirror "$W/bad" --db "$W/prev.sqlite" --json > "$W/bad2.json" 2> /dev/null \
	|| fail "damaged feeds with previous data should succeed"
[ "$(jq -r '.feeds[] | select(.name == "osv/crates.io") | .status' "$W/bad2.json")" = carried ] || fail "not carried"
[ "$(jq -r '.feeds[] | select(.name == "kev") | .status' "$W/bad2.json")" = carried ] || fail "kev not carried"
[ "$(jq -r '.feeds[] | select(.name == "osv/crates.io") | .records' "$W/bad2.json")" = 1193 ] || fail "carried count"
[ "$(sqlite3 "$W/prev.sqlite" "SELECT COUNT(*) FROM advisories WHERE source = 'osv'")" = 1193 ] || fail "carried rows"
[ "$(sqlite3 "$W/prev.sqlite" "SELECT COUNT(*) FROM kev")" = 1404 ] || fail "carried KEV rows"

# exit codes
set +e
"$LADING_BIN" db build --db "$W/x.sqlite" > /dev/null 2>&1; [ $? = 2 ] || fail "build without --mirror"
"$LADING_BIN" db build --mirror "$W/nonexistent" --db "$W/x.sqlite" > /dev/null 2>&1; [ $? = 3 ] || fail "missing mirror"
"$LADING_BIN" db frobnicate > /dev/null 2>&1; [ $? = 2 ] || fail "unknown subcommand"
"$LADING_BIN" db info --db "$W/nonexistent.sqlite" > /dev/null 2> "$W/err"; [ $? = 3 ] || fail "info on no database"
grep -q "lading db build" "$W/err" || fail "the message should say how to get a database"
echo "not a database" > "$W/junk.sqlite"
"$LADING_BIN" db info --db "$W/junk.sqlite" > /dev/null 2>&1; [ $? = 3 ] || fail "info on junk"
set -e
[ ! -e "$W/x.sqlite" ] || fail "a failed build left a database"
[ -z "$(find "$W" -name '*.tmp-*')" ] || fail "temporary files left"
echo "db_build: ok"

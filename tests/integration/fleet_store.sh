#!/usr/bin/env bash
# lading report fleet over the inventory store, on SQLite and on a real PostgreSQL 15
# (pg_lib.bash): images of ../shared recorded with a database whose KEV catalog names musl's
# CVE-2019-14697, container snapshots (one container gone), then the report: image identity
# (OCI layout and docker archive are one image), the base image by layer prefix, KEV shares,
# containers at risk, the census section from the store's census records (with the census
# command's own behind/vulnerable/known-exploited figures when a database is given), the history
# kept per group of every grouping, the same report from both backends, and --export then --from
# giving the same report again.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/pg_lib.bash"
W="$LADING_WORK/fleet_store"
rm -rf "$W"
mkdir -p "$W"
export LADING_NO_PROGRESS=1
L="$LADING_BIN"
SH="$LADING_SHARED"
NOW=2026-12-07T00:00:00Z
FAILS=0
fail() { echo "FAIL [$BACKEND]: $*"; FAILS=$((FAILS + 1)); }
check() { jq -e "$1" "$2" > /dev/null || fail "$3 ($(jq -c "$1" "$2" 2>&1 | head -c 300))"; }
command -v jq > /dev/null || { echo "SKIP: jq"; exit 77; }

mkdir -p "$W/m/alpine-secdb" "$W/m/kev"
for v in v3.6 v3.7 v3.8 v3.9; do
	mkdir -p "$W/m/alpine-secdb/$v"
	cp "$SH/vulndata/alpine-secdb/$v/main.json" "$W/m/alpine-secdb/$v/"
done
jq '.vulnerabilities = [.vulnerabilities[0] | .cveID = "CVE-2019-14697"] | .count = 1' \
	"$SH/vulndata/kev/known_exploited_vulnerabilities.json" > "$W/m/kev/known_exploited_vulnerabilities.json"
"$L" db build --mirror "$W/m" --db "$W/db.sqlite" > "$W/db.log" 2>&1 || { cat "$W/db.log"; exit 1; }
# the whole ../shared database (NVD included) for the census assessment
FULLDB=$(bash "$LADING_SRC/tests/setup/vulndb.sh")

AL="$SH/images/alpine"
IMAGES=("$AL/alpine-minirootfs-3.6.5-x86_64.tar.gz" "$AL/alpine-minirootfs-3.7.3-x86_64.tar.gz"
	"$AL/alpine-minirootfs-3.8.5-x86_64.tar.gz" "$SH/images/docker-archive/alpine-3.9.6.tar"
	"$SH/images/oci/alpine-3.20.3" "$SH/images/docker-archive/alpine-3.20.3.tar"
	"$SH/images/docker-archive/alpine-3.20.3-twolayer.tar")

# the same layers with config labels: another image (another config digest)
python3 "$HERE/../tools/oci_relabel.py" "$SH/images/oci/alpine-3.20.3" "$W/labelled" team=payments tier=web

run_backend() {
	local url=$1 d373 d396
	for img in "${IMAGES[@]}"; do
		"$L" inventory add --store "$url" --db "$W/db.sqlite" "$img" > /dev/null 2>> "$W/add.log" || fail "add $img"
	done
	d373=$("$L" inventory list images --store "$url" --format json |
		jq -r '[.images[] | select(.os_version == "3.7.3")][0].digest')
	d396=$("$L" inventory list images --store "$url" --format json |
		jq -r '[.images[] | select(.os_version == "3.9.6")][0].digest')
	printf '{"containers":[{"id":"c1","name":"web","image_digest":"%s","state":"running"},{"id":"c2","name":"old","image_digest":"%s","state":"running"}]}' \
		"$d373" "$d396" > "$W/snap1.json"
	printf '{"containers":[{"id":"c1","name":"web","image_digest":"%s","state":"running"}]}' "$d373" > "$W/snap2.json"
	"$L" inventory containers --store "$url" --from "$W/snap1.json" --source host1 > /dev/null
	"$L" inventory containers --store "$url" --from "$W/snap2.json" --source host1 > /dev/null
	"$L" census import --store "$url" "$LADING_TESTDATA/census/shodan.jsonl" > /dev/null 2>&1 || fail "census import"
	"$L" report fleet --store "$url" --now "$NOW" --format json -o "$W/$BACKEND.json" || { fail "report"; return; }
	local r="$W/$BACKEND.json"
	check '.overall.images == 6' "$r" "6 images (the OCI layout and the docker archive of 3.20.3 are one)"
	check '.overall.images_matched == 6' "$r" "every image matched"
	check '.overall.staleness.images_with_base == 1' "$r" "the two-layer 3.20.3 is built on 3.20.3"
	check '.overall.known_exploited.images >= 1' "$r" "an image with the KEV musl finding"
	check '[.overall.top_known_exploited[].id] == ["CVE-2019-14697"]' "$r" "the KEV vulnerability named"
	check '.overall.containers.running == 1 and .overall.containers.gone == 1' "$r" "containers by state"
	check '.overall.vulnerabilities_per_image.mean > 0' "$r" "findings read from the store"
	local recs
	recs=$("$L" census list --store "$url" --format json | jq 'length')
	check ".census.records == $recs and (.census.products | length) > 0 and ([.census.products[].hosts] | add) <= $recs" \
		"$r" "the census section counts the store's census records ($recs)"
	"$L" report fleet --store "$url" --export "$W/$BACKEND.export.json" || fail "export"
	"$L" report fleet --from "$W/$BACKEND.export.json" --now "$NOW" --format json -o "$W/$BACKEND.again.json" || fail "from export"
	diff <(jq 'del(.data_generated)' "$r") <(jq 'del(.data_generated)' "$W/$BACKEND.again.json") > /dev/null ||
		fail "--export then --from: another report"
	"$L" report fleet --store "$url" --now "$NOW" --format html -o "$W/$BACKEND.html" || fail "html"
	# recording times differ between the two runs; everything else must not
	jq 'del(.data_generated) | walk(if type == "object" then del(.first_seen, .last_seen) else . end)' "$r" \
		> "$W/$BACKEND.cmp.json"
	# image config labels: stored, listed, grouped by
	"$L" inventory add --store "$url" --db "$W/db.sqlite" "oci:$W/labelled" > /dev/null 2>> "$W/add.log" || fail "add labelled"
	"$L" inventory list images --store "$url" --format json > "$W/$BACKEND.images.json"
	check '[.images[] | select(.labels.team == "payments" and .labels.tier == "web")] | length == 1' \
		"$W/$BACKEND.images.json" "list images shows the config labels"
	check '[.images[] | select(.labels == {})] | length == 6' "$W/$BACKEND.images.json" "unlabelled images have none"
	"$L" report fleet --store "$url" --now "$NOW" --group-by label:team --format json -o "$W/$BACKEND.lab.json" || fail "group by label"
	check '.groups.payments.images == 1 and .overall.images == 7' "$W/$BACKEND.lab.json" "grouped by the stored label"
	# an image recorded before labels were kept (none stored): add meets it again, labels filled in
	"$SQL" "DELETE FROM image_label"
	"$L" inventory add --store "$url" --db "$W/db.sqlite" "oci:$W/labelled" > /dev/null 2>> "$W/add.log" || fail "add labelled again"
	"$L" inventory list images --store "$url" --format json > "$W/$BACKEND.images2.json"
	check '[.images[] | select(.labels.team == "payments" and .labels.tier == "web")] | length == 1' \
		"$W/$BACKEND.images2.json" "labels of a stored image without them filled in by add"
	history_checks "$url"
	census_checks "$url"
}

# a rescan keeps a summary per group of every grouping: --history --group-by G shows them, and
# the newest ones agree with the report's own groups and with the store's references
history_checks() {
	local url=$1 h g
	"$L" inventory rescan --store "$url" --db "$W/db.sqlite" > /dev/null || fail "rescan"
	for g in official registry repo namespace source label:team label:tier; do
		h="$W/$BACKEND.hist.$g.json"
		"$L" report fleet --store "$url" --now "$NOW" --history --group-by "$g" --format json -o "$h" ||
			{ fail "history --group-by $g"; continue; }
		check '(.history | length) > 0 and ([.history[] | select(.group == null)] | length) >= 1' "$h" \
			"$g: overall rows"
		# the newest summary of each group = the group's figures in the report itself
		# (the add of the same UTC day may have written a summary in the same second: rows are in
		# writing order, so the last row of each group at that time is the rescan's)
		check '.groups as $G | (.history | map(.time) | max) as $t
			| [reduce (.history[] | select(.time == $t and .group != null)) as $x ({}; .[$x.group] = $x) | .[]] as $r
			| ($r | length) == ($G | length) and all($r[]; . as $x | $x.images == $G[$x.group].images)' \
			"$h" "$g: the newest summaries are the report's groups"
	done
	# registries recomputed from the stored references
	jq -S '[.images[] | if (.refs | length) == 0 then "(no reference)" else .refs[] | split("/")[0] end] | unique' \
		"$W/$BACKEND.images.json" > "$W/$BACKEND.reg.want"
	jq -S '(.history | map(.time) | max) as $t | [.history[] | select(.time == $t and .group != null) | .group] | unique' \
		"$W/$BACKEND.hist.registry.json" > "$W/$BACKEND.reg.got"
	diff "$W/$BACKEND.reg.want" "$W/$BACKEND.reg.got" > /dev/null ||
		fail "registry history groups $(tr -d ' \n' < "$W/$BACKEND.reg.got") != references $(tr -d ' \n' < "$W/$BACKEND.reg.want")"
	check '(.history | map(.time) | max) as $t | [.history[] | select(.time == $t and .group == "payments")][0].images == 1' \
		"$W/$BACKEND.hist.label:team.json" "label:team history: the payments group"
}

# the census section: the census command's own assessment with a database, "not assessed" without
census_checks() {
	local url=$1
	"$L" report fleet --store "$url" --now "$NOW" --db "$FULLDB" --format json -o "$W/$BACKEND.cen.json" ||
		{ fail "report --db"; return; }
	"$L" census report --store "$url" --db "$FULLDB" --format json -o "$W/$BACKEND.cr.json" || { fail "census report"; return; }
	jq -S '[.products[] | {product, hosts, versioned, behind, vulnerable, kev}] | sort_by(.product)' "$W/$BACKEND.cr.json" \
		> "$W/$BACKEND.cen.want"
	jq -S '[.census.products[] | {product, hosts, versioned, behind, vulnerable, kev}] | sort_by(.product)' \
		"$W/$BACKEND.cen.json" > "$W/$BACKEND.cen.got"
	diff "$W/$BACKEND.cen.want" "$W/$BACKEND.cen.got" > "$W/$BACKEND.cen.diff" ||
		fail "census columns differ from lading census report: $(head -c 400 "$W/$BACKEND.cen.diff")"
	check '[.census.products[] | select(.behind > 0)] | length > 0' "$W/$BACKEND.cen.json" "some census product is behind"
	LADING_DB="$W/none.sqlite" "$L" report fleet --store "$url" --now "$NOW" --format json -o "$W/$BACKEND.cen0.json" ||
		fail "report without a database"
	check 'all(.census.products[]; .behind == null and .vulnerable == null and .kev == null)' "$W/$BACKEND.cen0.json" \
		"without a database the census columns are not assessed"
}

BACKEND=sqlite
sq_sql() { sqlite3 "$W/s.sqlite" "$1" > /dev/null; }
SQL=sq_sql
run_backend "sqlite:$W/s.sqlite"
empty="sqlite:$W/empty.sqlite"
"$L" report fleet --store "$empty" > "$W/empty.txt" || fail "empty store: exit status"
grep -q "nothing to report" "$W/empty.txt" || fail "empty store: says so"

BACKEND=postgres
if pg_start; then
	pg_sql() { pg_psql fleet -q -c "$1" > /dev/null; }
	SQL=pg_sql
	run_backend "$(pg_newdb fleet)"
	diff "$W/sqlite.cmp.json" "$W/postgres.cmp.json" > "$W/backends.diff" || fail "SQLite and PostgreSQL give different reports: $(head -c 600 "$W/backends.diff")"
else
	echo "SKIP [postgres]: PostgreSQL not installed"
fi
[ "$FAILS" = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all fleet store checks passed"

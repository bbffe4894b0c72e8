# Sourced by the db update tests: a local feed server (feedserver.py) on 127.0.0.1.
#   feeds_www DIR       lay out a mirror-like tree in DIR from $LADING_SHARED (no NVD: it is slow)
#   feeds_start DIR     serve DIR; sets FEEDS_URL, FEEDS_LOG, FEEDS_CTL, FEEDS_PID
#   feeds_control JSON  replace the fault/delay settings
#   feeds_mark          start a new section of the request log (feeds_log prints it)
FEEDS_PY="$(dirname "${BASH_SOURCE[0]}")/feedserver.py"

feeds_www() {
	local w="$1" v="$LADING_SHARED/vulndata"
	mkdir -p "$w/osv" "$w/debian" "$w/epss"
	for e in AlmaLinux PyPI crates.io; do ln -sfn "$v/osv/$e" "$w/osv/$e"; done
	ln -sfn "$v/alpine-secdb" "$w/alpine-secdb"
	ln -sfn "$v/kev" "$w/kev"
	ln -sfn "$v/debian/DSA.list" "$w/debian/DSA.list"
	ln -sfn "$v/debian/DLA.list" "$w/debian/DLA.list"
	# the upstream daily EPSS form, made from real rows of the mirror's per-year form
	{
		echo "#model_version:v2025.03.14,score_date:2026-08-16T00:00:00+0000"
		echo "cve,epss,percentile"
		head -n 2000 "$v/epss/CVE_2021_EPSS.csv" | tr ';' ','
	} | gzip -9 > "$w/epss/epss_scores-current.csv.gz"
}

feeds_start() {
	local root="$1" d
	d="$(dirname "$root")/server"
	mkdir -p "$d"
	FEEDS_LOG="$d/requests.log"
	FEEDS_CTL="$d/control.json"
	: > "$FEEDS_LOG"
	echo '{}' > "$FEEDS_CTL"
	rm -f "$d/port"
	python3 "$FEEDS_PY" --root "$root" --port-file "$d/port" --log "$FEEDS_LOG" --control "$FEEDS_CTL" &
	FEEDS_PID=$!
	for _ in $(seq 100); do [ -s "$d/port" ] && break; sleep 0.1; done
	[ -s "$d/port" ] || { echo "feed server did not start"; return 1; }
	FEEDS_URL="http://127.0.0.1:$(cat "$d/port")"
	trap 'kill $FEEDS_PID 2>/dev/null || true' EXIT
}

feeds_control() {
	# a new mtime even within the same second: write a new file and rename it
	printf '%s\n' "$1" > "$FEEDS_CTL.new" && mv "$FEEDS_CTL.new" "$FEEDS_CTL"
	touch -d "@$(date +%s.%N)" "$FEEDS_CTL"
}

feeds_mark() { echo "--- mark" >> "$FEEDS_LOG"; }
feeds_log() { awk '/^--- mark/{buf=""; next} {buf=buf $0 "\n"} END{printf "%s", buf}' "$FEEDS_LOG"; }

# db_tables DB: one line per table, "<table> <rows> <digest of its content>", with the row IDs
# left out (a feed re-imported or carried over gets new advisory and feed IDs), so that two
# databases holding the same data print the same lines.
db_tables() {
	local db="$1" t q
	local -a tabs=(
		"feeds|SELECT name, records, snapshot, withdrawn, origin IS NULL FROM feeds WHERE status <> 'failed'"
		"advisories|SELECT f.name, a.source, a.advisory, a.summary, a.details, a.published, a.modified, a.url, a.severity, a.severity_raw, a.cvss_vector, a.cvss_version, a.cvss_score, a.informational, a.extra FROM advisories a JOIN feeds f ON f.id = a.feed"
		"aliases|SELECT a.source, a.advisory, l.alias, l.kind FROM aliases l JOIN advisories a ON a.id = l.advisory"
		"affected|SELECT ecosystem, package, seq, source, advisory_id, informational, name, purl, ranges, versions, status, severity, severity_raw, cvss_vector, cvss_score, extra FROM affected"
		"affected_packed|SELECT ecosystem, package, entries, length(data) FROM affected_packed"
		"kev|SELECT cve, vendor, product, name, date_added, due_date, required_action, ransomware, description FROM kev"
		"epss|SELECT cve, score, percentile FROM epss"
		"nvd|SELECT cve, published, modified, description, v3_vector, v3_score, v3_severity, v2_vector, v2_score, v2_severity FROM nvd"
		"cpe_match|SELECT cve, cpe23, part, vendor, product, version, start_incl, start_excl, end_incl, end_excl FROM cpe_match"
		"stats|SELECT feed, ecosystem, advisories, packages, affected FROM stats")
	for t in "${tabs[@]}"; do
		q="${t#*|}"
		printf '%s %s %s\n' "${t%%|*}" "$(sqlite3 "$db" "SELECT COUNT(*) FROM (${q})")" \
			"$(sqlite3 "$db" "$q" | LC_ALL=C sort | sha256sum | cut -c1-16)"
	done
}

# db_records_check DB: `db info --json` feeds[].records equal what the tables hold for each feed.
db_records_check() {
	local db="$1" a b
	a=$("$LADING_BIN" db info --db "$db" --json | jq -r '.feeds[] | "\(.name) \(.records)"' | LC_ALL=C sort)
	b=$(sqlite3 -separator ' ' "$db" "SELECT f.name, (SELECT COUNT(*) FROM advisories WHERE feed = f.id)
		+ (SELECT COUNT(*) FROM kev WHERE feed = f.id) + (SELECT COUNT(*) FROM epss WHERE feed = f.id)
		+ (SELECT COUNT(*) FROM nvd WHERE feed = f.id) FROM feeds f" | LC_ALL=C sort)
	[ "$a" = "$b" ] || { echo "db info records differ from the tables:"; diff <(echo "$a") <(echo "$b"); return 1; }
}

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

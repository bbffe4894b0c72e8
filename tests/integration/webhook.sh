#!/usr/bin/env bash
# Notifications end to end, on SQLite (`lading serve` runs the jobs) and on a real PostgreSQL
# (pg_lib.bash: `serve --workers 0` and two `lading worker` processes): a webhook receiver started
# here (webhook_receiver.py) checks the HMAC signature of every body with the secret and answers
# 500 to its first request. Images are added; the vulnerability database file is replaced
# (databases built from a reduced mirror, as inventory.sh does) and the scheduler of the running
# processes queues one rescan per database build for the whole fleet; finding.new,
# finding.resolved and kev.added arrive, each once per webhook, signed, the Slack-compatible body
# to the webhook that asked for it; the delivery log shows the retry; `inventory rescan` from the
# CLI queues events that `webhook deliver` sends.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
W="$LADING_WORK/webhook"
rm -rf "$W"
mkdir -p "$W"
PG_NO_TRAP=1
source "$HERE/pg_lib.bash"
for c in jq python3 curl; do command -v "$c" > /dev/null || { echo "SKIP: $c"; exit 77; }; done
L="$LADING_BIN"
SH="$LADING_SHARED"
export LADING_NO_PROGRESS=1 LADING_CACHE_DIR="$W/cache" XDG_CACHE_HOME="$W/cache"
FAILS=0
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
	pg_stop
}
trap cleanup EXIT
fail() {
	echo "FAIL [$BACKEND]: $*"
	FAILS=$((FAILS + 1))
}
wait_for() { # SECONDS MESSAGE CMD...: until CMD succeeds
	local t=$1 msg=$2 i
	shift 2
	for i in $(seq $((t * 10))); do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "timed out: $msg"
}

# --- three databases: C with the Alpine 3.7 and 3.9 advisories; B also with a KEV catalog (the
# real file reduced to one entry) naming the musl CVE; A without the musl and busybox advisories
mkdir -p "$W/mA/alpine-secdb" "$W/mC/alpine-secdb" "$W/mB/alpine-secdb" "$W/mB/kev"
for v in v3.7 v3.9; do
	mkdir -p "$W/mA/alpine-secdb/$v" "$W/mC/alpine-secdb/$v" "$W/mB/alpine-secdb/$v"
	cp "$SH/vulndata/alpine-secdb/$v/main.json" "$W/mC/alpine-secdb/$v/"
	cp "$SH/vulndata/alpine-secdb/$v/main.json" "$W/mB/alpine-secdb/$v/"
	jq 'del(.packages[] | select(.pkg.name == "musl" or .pkg.name == "busybox"))' \
		"$SH/vulndata/alpine-secdb/$v/main.json" > "$W/mA/alpine-secdb/$v/main.json"
done
jq '.vulnerabilities = [.vulnerabilities[0] | .cveID = "CVE-2019-14697"] | .count = 1' \
	"$SH/vulndata/kev/known_exploited_vulnerabilities.json" > "$W/mB/kev/known_exploited_vulnerabilities.json"
for d in A C B; do
	"$L" db build --mirror "$W/m$d" --db "$W/$d.sqlite" > "$W/db$d.log" 2>&1 || { cat "$W/db$d.log"; exit 1; }
	sleep 1 # distinct build times: a build is named by its time
done
IMG_373="$SH/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz"
IMG_396="$SH/images/docker-archive/alpine-3.9.6.tar"
KEV_CVE=CVE-2019-14697
printf 'a shared secret for the test\n' > "$W/secret"

use_db() { # A|B|C: the database file the running processes watch is replaced
	cp "$W/$1.sqlite" "$W/db.tmp"
	mv -f "$W/db.tmp" "$W/db.sqlite"
}
received() { # JQ-FILTER over the records (slurped) -> its output
	[ -s "$W/recv.log" ] || { echo null; return; }
	jq -s "$1" "$W/recv.log"
}
got() { # JQ-BOOL: true over the received records
	[ -s "$W/recv.log" ] && jq -se "$1" "$W/recv.log" > /dev/null
}
# A (vuln, type) pair received on PATH (200 answers with a good signature only)
has_event() { # PATH TYPE VULN [CHANGE]
	got "[.[] | select(.status == 200 and .sig_ok and .path == \"$1\" and .event == \"$2\")
		| .body | select((.findings // [] | map(.vulnerability) | index(\"$3\")) != null)] | length > 0"
}
has_slack() { # TYPE VULN: the Slack body on /slack names the vulnerability
	got "[.[] | select(.status == 200 and .sig_ok and .path == \"/slack\" and .event == \"$1\")
		| .body | select(.text != null and (.blocks | tostring | contains(\"$2\")))] | length > 0"
}

start_receiver() {
	rm -f "$W/recv.log" "$W/recv.port"
	python3 "$HERE/webhook_receiver.py" "$W/secret" "$W/recv.port" "$W/recv.log" 2> "$W/recv.err" &
	PIDS+=("$!")
	for i in $(seq 100); do [ -s "$W/recv.port" ] && break; sleep 0.05; done
	RECV="http://127.0.0.1:$(cat "$W/recv.port")"
}

check_api() { # STORE: the webhooks and the delivery log through the API (admin tokens only)
	local url admin write
	url="http://$(sed -n 's/.*listening on //p' "$SERVE_OUT")"
	admin=$("$L" token create --store "$1" --name "admin-$BACKEND" --scope admin | tail -1)
	write=$("$L" token create --store "$1" --name "write-$BACKEND" --scope write | tail -1)
	curl -s -H "Authorization: Bearer $admin" "$url/api/v1/webhooks/deliveries?limit=500" > "$W/api.json"
	"$L" webhook deliveries --store "$1" --limit 500 --format json > "$W/cli.json"
	jq -e '.deliveries | length > 3' "$W/api.json" > /dev/null || fail "API delivery log: $(head -c 300 "$W/api.json")"
	cmp -s "$W/api.json" "$W/cli.json" || fail "the API's delivery log is not the command's"
	curl -s -H "Authorization: Bearer $admin" "$url/api/v1/webhooks" | jq -e '.webhooks | length == 2' > /dev/null \
		|| fail "API webhooks"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $write" "$url/api/v1/webhooks/deliveries")" = 403 ] \
		|| fail "a write token read the delivery log"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" "$url/api/v1/webhooks/deliveries?limit=x")" = 400 ] \
		|| fail "a bad limit"
}

run_backend() { # STORE: the whole scenario; the processes that run jobs are started by the caller
	local st=$1 d373
	# the first webhook: every image, the lading body, every event; the second: images with
	# running containers, the Slack body, kev.added only
	"$L" webhook add --store "$st" --url "$RECV/all" --secret-file "$W/secret" --all-images > /dev/null \
		|| fail "webhook add"
	"$L" webhook add --store "$st" --url "$RECV/slack" --secret-file "$W/secret" --events kev.added \
		--format slack > /dev/null || fail "webhook add slack"
	"$L" webhook list --store "$st" --format json > "$W/hooks.json"
	jq -e '.webhooks | length == 2 and (tostring | contains("a shared secret") | not)' "$W/hooks.json" > /dev/null \
		|| fail "webhook list: two webhooks, no secret"
	use_db C
	"$L" inventory add --store "$st" --db "$W/db.sqlite" "$IMG_373" "$IMG_396" > "$W/add.out" 2> "$W/add.err" \
		|| { cat "$W/add.err"; fail "inventory add"; }
	grep -q 'notifications: .* queued' "$W/add.err" || fail "add queued no event: $(cat "$W/add.err")"
	d373=$("$L" inventory query --store "$st" --package musl@1.1.18-r3 --format json | jq -r '.images[0].digest')
	printf '{"containers":[{"id":"c1","name":"web","image_ref":"alpine:3.7","image_digest":"%s","state":"running"}]}\n' \
		"$d373" > "$W/snap.json"
	"$L" inventory containers --store "$st" --from "$W/snap.json" --source host1 > /dev/null || fail "snapshot"
	start_jobs "$st"
	# the add's events (the images' findings are new to the webhooks): the first attempt is
	# answered 500 and retried after its backoff
	wait_for 60 "finding.new $KEV_CVE of the add" has_event /all finding.new "$KEV_CVE"
	wait_for 30 "the retry delivered" \
		sh -c "\"$L\" webhook deliveries --store \"$st\" --format json | jq -e '[.deliveries[] | select(.attempts == 2 and .state == \"done\" and .status == 200)] | length == 1'"
	# B: the musl CVE becomes known exploited: the scheduler of the running processes rescans;
	# kev.added to both webhooks (3.7.3 runs a container)
	use_db B
	wait_for 60 "kev.added $KEV_CVE" has_event /all kev.added "$KEV_CVE"
	wait_for 30 "kev.added as a Slack body" has_slack kev.added "$KEV_CVE"
	got "[.[] | select(.event == \"kev.added\" and .path == \"/all\") | .body.findings[]
		| select(.vulnerability == \"$KEV_CVE\") | .change == \"kev\" and .kev] | all" \
		|| fail "kev.added: the finding is known now and was reported before"
	# A: the musl and busybox advisories are gone: resolved
	use_db A
	wait_for 60 "finding.resolved $KEV_CVE" has_event /all finding.resolved "$KEV_CVE"
	check_api "$st"
	stop_jobs
	# the CLI's own rescan queues its events; webhook deliver sends them
	"$L" inventory rescan --store "$st" --db "$W/C.sqlite" > /dev/null 2> "$W/rescan.err" || fail "inventory rescan"
	grep -q 'notifications: .* queued' "$W/rescan.err" || fail "rescan queued no event: $(cat "$W/rescan.err")"
	n=$(received '[.[] | select(.status == 200 and .event == "finding.new")] | length')
	"$L" webhook deliver --store "$st" > "$W/deliver.out" || fail "webhook deliver"
	grep -q '^[1-9][0-9]* delivered, 0 failed' "$W/deliver.out" || fail "webhook deliver: $(cat "$W/deliver.out")"
	[ "$(received '[.[] | select(.status == 200 and .event == "finding.new")] | length')" -gt "$n" ] \
		|| fail "the CLI rescan's finding.new was not delivered"
	# every body signed and well formed; once per event and webhook; the Slack webhook got only
	# kev.added; nothing for the image without running containers went to it
	got 'all(.[]; .sig_ok)' || fail "a body with a bad signature"
	got 'all(.[]; .content_type == "application/json" and (.timestamp | test("^[0-9]+$")))' || fail "headers"
	got 'all(.[] | select(.path == "/all"); .body.id == .event_id and .body.type == .event
		and (.body.image.digest | startswith("sha256:")) and (.body.findings | length) > 0
		and .body.findings_total >= (.body.findings | length))' || fail "lading bodies"
	got '[.[] | select(.status == 200) | [.path, .event_id]] | group_by(.) | all(length == 1)' \
		|| fail "an event delivered twice to one webhook"
	got '[.[] | select(.status == 500)] | length == 1' || fail "one 500 answer"
	got "all(.[] | select(.path == \"/slack\"); .event == \"kev.added\" and .body.text != null
		and (.body.text | contains(\"running container\")))" || fail "the Slack webhook got other events"
	"$L" webhook deliveries --store "$st" --format json > "$W/log.json"
	jq -e 'all(.deliveries[]; .state == "done" and .delivered != null)' "$W/log.json" > /dev/null \
		|| fail "delivery log: not all done ($(jq -c '[.deliveries[] | select(.state != "done")]' "$W/log.json"))"
	"$L" webhook deliveries --store "$st" > "$W/log.txt" || fail "delivery log table"
	grep -q 'kev.added' "$W/log.txt" || fail "delivery log table"
	"$L" inventory check --store "$st" > /dev/null || fail "inventory check"
}

prune_check() { # STORE: the delivered log and its events go with the images
	"$L" inventory prune --store "$1" --before 2999-01-01 > /dev/null || fail "prune"
	"$L" webhook deliveries --store "$1" --format json | jq -e '.deliveries | length == 0' > /dev/null \
		|| fail "prune left deliveries"
	"$L" inventory check --store "$1" > /dev/null || fail "inventory check after prune"
}

# ================= SQLite: serve runs the jobs, the scheduler and the deliverer =================
BACKEND=sqlite
SERVE_OUT="$W/serve.out"
start_jobs() {
	"$L" serve --store "$1" --listen 127.0.0.1:0 --db "$W/db.sqlite" --rescan-interval 1h \
		> "$W/serve.out" 2> "$W/serve.log" &
	JOB_PIDS=("$!")
	PIDS+=("$!")
}
stop_jobs() {
	local p
	for p in "${JOB_PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
	for p in "${JOB_PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
}
start_receiver
run_backend "sqlite:$W/store.sqlite"
grep -q 'rescan queued' "$W/serve.log" || fail "the scheduler logged no rescan"
prune_check "sqlite:$W/store.sqlite"
echo "sqlite: $FAILS failures"

# ================= PostgreSQL: serve without jobs, two workers =================
BACKEND=postgres
SERVE_OUT="$W/serve-pg.out"
pg_start || { rc=$?; [ "$FAILS" = 0 ] && exit "$rc"; exit 1; }
P=$(pg_newdb notify)
start_jobs() {
	JOB_PIDS=()
	"$L" serve --store "$1" --listen 127.0.0.1:0 --workers 0 --db "$W/db.sqlite" \
		> "$W/serve-pg.out" 2> "$W/serve-pg.log" &
	JOB_PIDS+=("$!")
	for n in 1 2; do
		"$L" worker --store "$1" --db "$W/db.sqlite" --rescan-interval 1h --max-rescans 1 2> "$W/w$n.log" &
		JOB_PIDS+=("$!")
	done
	# rescans running at once, sampled while the workers run (--max-rescans 1 for the fleet)
	while :; do
		pg_psql notify -tAc "SELECT count(*) FROM job WHERE kind = 'rescan' AND state = 'running'"
		sleep 0.05
	done > "$W/rescans.samples" 2> /dev/null &
	JOB_PIDS+=("$!")
	PIDS+=("${JOB_PIDS[@]}")
}
start_receiver
run_backend "$P"
# one rescan per key for the fleet: two schedulers asked for each
[ "$(pg_psql notify -tAc "SELECT count(*) FROM job WHERE kind = 'rescan'")" = \
	"$(pg_psql notify -tAc "SELECT count(*) FROM schedule_slot")" ] || fail "rescans queued more than once per key"
[ "$(pg_psql notify -tAc "SELECT count(*) FROM schedule_slot WHERE key LIKE 'rescan:db:%'")" -ge 3 ] \
	|| fail "a rescan per database build"
[ "$(sort -n "$W/rescans.samples" | tail -1)" -le 1 ] || fail "more than one rescan ran at once"
[ "$(grep -c . "$W/rescans.samples")" -ge 5 ] || fail "too few samples of the running rescans"
[ "$(pg_psql notify -tAc "SELECT count(*) FROM webhook_delivery WHERE state <> 'done'")" = 0 ] || fail "deliveries left"
prune_check "$P"
[ "$(pg_psql notify -tAc "SELECT count(*) FROM notify_event")" = 0 ] || fail "prune left events"
echo "total: $FAILS failures"
[ "$FAILS" = 0 ]

#!/usr/bin/env bash
# lading serve / token / worker against real parts: a local docker-registry with three images,
# a SQLite store served with its own job threads, then a real PostgreSQL (pg_lib.bash) with three
# `lading worker` processes, one SIGKILLed mid-job. The API with curl: every endpoint, 401/403,
# hostile requests (oversized, chunked oversized, malformed JSON, unknown and revoked tokens, a
# token in the query string, slowloris), each a clean status with nothing written; the access log
# names tokens, never prints them.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
W="$LADING_WORK/serve"
rm -rf "$W"
mkdir -p "$W"
source "$HERE/../registry/lib.sh"
PG_NO_TRAP=1
source "$HERE/pg_lib.bash"
reg_require docker-registry skopeo curl jq python3
L="$LADING_BIN"
SH="$LADING_SHARED"
export LADING_NO_PROGRESS=1 LADING_CACHE_DIR="$W/cache" XDG_CACHE_HOME="$W/cache"
FAILS=0
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2> /dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
	pg_stop
	reg_cleanup
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
expect() { # STATUS CURL-ARGS...: the status of one request
	local want=$1 got
	shift
	got=$(curl -s -o "$W/body" -w '%{http_code}' --max-time 20 "$@") || true
	[ "$got" = "$want" ] || fail "curl $*: status $got, want $want ($(head -c 300 "$W/body"))"
}

# --- a vulnerability database (Alpine 3.9-3.11 advisories of the mirror) and the registry
mkdir -p "$W/mirror/alpine-secdb"
for v in v3.9 v3.10 v3.11; do cp -r "$SH/vulndata/alpine-secdb/$v" "$W/mirror/alpine-secdb/"; done
# Alpine 3.9.6 has every 3.9 fix: the test's database says musl is fixed later only, so that the
# 3.9.6 image has a finding to query (CVE-2019-14697)
jq '(.packages[] | select(.pkg.name == "musl") | .pkg.secfixes) = {"9.9.9-r0": ["CVE-2019-14697"]}' \
	"$SH/vulndata/alpine-secdb/v3.9/main.json" > "$W/mirror/alpine-secdb/v3.9/main.json"
"$L" db build --mirror "$W/mirror" --db "$W/db.sqlite" > "$W/db.log" 2>&1 || { cat "$W/db.log"; exit 1; }
reg_start reg config.yml
REG="127.0.0.1:$REG_PORT"
IMAGES=(alpine-3.9.6 alpine-3.12.12 alpine-3.20.3)
for i in "${IMAGES[@]}" alpine-3.20.3-twolayer; do reg_push "docker-archive:$SH/images/docker-archive/$i.tar" "$REG/lib/$i:1"; done

# serve STORE LOG [options]: starts `lading serve` on a free port; sets URL, SERVE_PID
serve() {
	local store=$1 log=$2 i
	shift 2
	rm -f "$W/serve.out"
	"$L" serve --store "$store" --listen 127.0.0.1:0 --db "$W/db.sqlite" --insecure-registry "$REG" "$@" \
		> "$W/serve.out" 2> "$log" &
	SERVE_PID=$!
	PIDS+=("$SERVE_PID")
	for i in $(seq 200); do grep -q listening "$W/serve.out" 2> /dev/null && break; sleep 0.05; done
	URL="http://$(sed -n 's/.*listening on //p' "$W/serve.out")"
	[ "$URL" != "http://" ] || { cat "$log"; exit 1; }
}
token() { # STORE NAME SCOPE -> the token (the last line of the output)
	"$L" token create --store "$1" --name "$2" --scope "$3" | tail -1
}
wait_jobs() { # TOKEN IDS...: every job done or failed (60 s at most)
	local tok=$1 id st i
	shift
	for id in "$@"; do
		for i in $(seq 600); do
			st=$(curl -s -H "Authorization: Bearer $tok" "$URL/api/v1/jobs/$id" | jq -r .state)
			[ "$st" = done ] || [ "$st" = failed ] && break
			sleep 0.1
		done
		[ "$st" = done ] || fail "job $id: $st ($(curl -s -H "Authorization: Bearer $tok" "$URL/api/v1/jobs/$id"))"
	done
}

# ================= SQLite: serve runs the jobs =================
S="sqlite:$W/store.sqlite"
WT=$(token "$S" ci write)
RT=$(token "$S" dash read)
AT=$(token "$S" ops admin)
[[ "$WT" =~ ^ldt_[0-9a-f]{64}$ ]] || fail "token format: $WT"
"$L" token create --store "$S" --name ci --scope read > /dev/null 2>&1 && fail "a second token named ci"
"$L" token create --store "$S" --name x --scope root > /dev/null 2>&1 && fail "scope root accepted"
"$L" token list --store "$S" --format json > "$W/tokens.json"
jq -e '.tokens | length == 3' "$W/tokens.json" > /dev/null || fail "token list"
grep -q "${WT#ldt_}" "$W/store.sqlite" && fail "the store holds a token in clear"
serve "$S" "$W/serve.log" --fail-on unknown

expect 401 "$URL/api/v1/images"
expect 401 -H "Authorization: Bearer ldt_$(printf '0%.0s' $(seq 64))" "$URL/api/v1/images"
expect 401 -H "Authorization: Basic Zm9vOmJhcg==" "$URL/api/v1/images"
expect 400 "$URL/api/v1/images?token=$RT"
expect 400 "$URL/api/v1/query?cve=x&access_token=$RT"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/images"
jq -e '.images == []' "$W/body" > /dev/null || fail "empty store lists images"
expect 403 -H "Authorization: Bearer $RT" -d "{\"ref\":\"$REG/lib/alpine-3.9.6:1\"}" "$URL/api/v1/images"
expect 404 -H "Authorization: Bearer $RT" "$URL/api/v1/nothing"
expect 405 -H "Authorization: Bearer $WT" -X DELETE "$URL/api/v1/images"
expect 404 -H "Authorization: Bearer $RT" "$URL/api/v1/jobs/99"
IDS=()
for i in "${IMAGES[@]}"; do
	expect 202 -H "Authorization: Bearer $WT" -d "{\"ref\":\"$REG/lib/$i:1\"}" "$URL/api/v1/images"
	jq -e '.state == "queued" and (.id|type) == "number"' "$W/body" > /dev/null || fail "202 body"
	IDS+=("$(jq .id "$W/body")")
done
# the same image again: a second job, one image
expect 202 -H "Authorization: Bearer $AT" -d "{\"ref\":\"$REG/lib/alpine-3.9.6:1\"}" "$URL/api/v1/images"
IDS+=("$(jq .id "$W/body")")
wait_jobs "$RT" "${IDS[@]}"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/jobs/${IDS[0]}"
jq -e '.state == "done" and (.image | startswith("sha256:")) and .error == null' "$W/body" > /dev/null || fail "job document"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/images"
jq -e '.images | length == 3' "$W/body" > /dev/null || fail "3 images ($(jq -c '.images|length' "$W/body"))"
NIMG_SQLITE=4 # after the admission of a new image below
"$L" inventory list images --store "$S" --format json > "$W/cli-images.json"
cmp -s "$W/body" "$W/cli-images.json" || fail "GET /api/v1/images differs from inventory list images"
"$L" inventory query --store "$S" --cve CVE-2019-14697 --format json > "$W/cli-q.json"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/query?cve=CVE-2019-14697"
cmp -s "$W/body" "$W/cli-q.json" || fail "query differs from inventory query"
jq -e '.images | length >= 1' "$W/body" > /dev/null || fail "CVE-2019-14697 (musl, alpine 3.9) found in no image"
expect 400 -H "Authorization: Bearer $RT" "$URL/api/v1/query"
# containers: a docker inspect snapshot
expect 201 -H "Authorization: Bearer $WT" --data-binary @"$HERE/../data/containers/docker-inspect.json" \
	"$URL/api/v1/containers?source=host1"
jq -e '.source == "host1" and .seen >= 1' "$W/body" > /dev/null || fail "snapshot answer"
NCONT=$(jq .seen "$W/body")
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/containers"
jq -e ".containers | length == $NCONT" "$W/body" > /dev/null || fail "containers listed"
# an agent: `inventory containers --push` sends its snapshot (token from a file, never argv)
printf '%s\n' "$WT" > "$W/wt.token"
printf '%s\n' "$RT" > "$W/rt.token"
"$L" inventory containers --from "$HERE/../data/containers/docker-inspect.json" --source agent1 \
	--push "$URL" --token-file "$W/wt.token" --format json > "$W/push.json" 2> "$W/push.err" ||
	fail "push: $(cat "$W/push.err")"
jq -e '.source == "agent1" and .seen == '"$NCONT" "$W/push.json" > /dev/null || fail "push answer: $(cat "$W/push.json")"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/containers"
jq -e '[.containers[] | select(.source == "agent1")] | length == '"$NCONT" "$W/body" > /dev/null ||
	fail "pushed containers not listed"
# a read token is refused (exit 1, a message naming the scope), and nothing is written
if LADING_TOKEN="$RT" "$L" inventory containers --from "$HERE/../data/containers/docker-inspect.json" \
	--source agent2 --push "$URL/api/v1/containers" > /dev/null 2> "$W/push2.err"; then
	fail "push with a read token succeeded"
fi
grep -q "write scope" "$W/push2.err" || fail "push with a read token: $(cat "$W/push2.err")"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/containers"
jq -e '[.containers[] | select(.source == "agent2")] | length == 0' "$W/body" > /dev/null ||
	fail "a refused push wrote containers"
"$L" inventory containers --from "$HERE/../data/containers/docker-inspect.json" --push "$URL" \
	> /dev/null 2> "$W/push3.err" && fail "push without a token succeeded"
grep -q "needs a write token" "$W/push3.err" || fail "push without a token: $(cat "$W/push3.err")"
# the fleet report and the dashboard: what `lading report fleet` gives for the same store
if "$L" report fleet --store "$S" --format json > "$W/fleet-cli.json" 2> "$W/fleet-cli.err"; then
	expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/report/fleet"
	expect 200 -H "Authorization: Bearer $RT" "$URL/"
	cp "$W/body" "$W/dash.html"
	if command -v chromium > /dev/null; then
		chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$W/dash.html" > "$W/dom.html" 2> /dev/null || true
		grep -qi "<table" "$W/dom.html" || fail "the dashboard renders no table in chromium"
	fi
else
	# the store has no fleet loader in this build: the API says what the CLI says
	expect 422 -H "Authorization: Bearer $RT" "$URL/api/v1/report/fleet"
	grep -qF "$(sed 's/^lading: //' "$W/fleet-cli.err" | head -c 60)" "$W/body" || fail "fleet error differs from the CLI's"
	expect 422 -H "Authorization: Bearer $RT" "$URL/"
fi

# --- admission: AdmissionReview v1 as the API server sends it (?timeout=), uid echoed
review() { # UID IMAGE INIT-IMAGE
	jq -n --arg uid "$1" --arg a "$2" --arg b "$3" '{apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
	  request: {uid: $uid, kind: {group: "", version: "v1", kind: "Pod"},
	    resource: {group: "", version: "v1", resource: "pods"}, requestKind: {group: "", version: "v1", kind: "Pod"},
	    requestResource: {group: "", version: "v1", resource: "pods"}, name: "web", namespace: "default",
	    operation: "CREATE", userInfo: {username: "admin", groups: ["system:authenticated"]},
	    object: {apiVersion: "v1", kind: "Pod", metadata: {name: "web", namespace: "default"},
	      spec: {containers: [{name: "app", image: $a}], initContainers: [{name: "init", image: $b}],
	        ephemeralContainers: []}}, oldObject: null, dryRun: false,
	    options: {apiVersion: "meta.k8s.io/v1", kind: "CreateOptions"}}}' > "$W/review.json"
}
review 3f0c1a2b-ok "$REG/lib/alpine-3.20.3:1" "$REG/lib/alpine-3.12.12:1"
expect 200 -H "Authorization: Bearer $RT" --data-binary @"$W/review.json" "$URL/api/v1/admission?timeout=10s"
jq -e '.apiVersion == "admission.k8s.io/v1" and .kind == "AdmissionReview" and .response.uid == "3f0c1a2b-ok"
	and .response.allowed == true' "$W/body" > /dev/null || fail "admission allowed: $(cat "$W/body")"
review 77e2-deny "$REG/lib/alpine-3.20.3:1" "$REG/lib/alpine-3.9.6:1"
expect 200 -H "Authorization: Bearer $RT" --data-binary @"$W/review.json" "$URL/api/v1/admission?timeout=10s"
jq -e '.response.uid == "77e2-deny" and .response.allowed == false and .response.status.code == 403
	and (.response.status.message | contains("CVE-2019-14697") and contains("alpine-3.9.6"))' "$W/body" > /dev/null ||
	fail "admission denied: $(cat "$W/body")"
# an image not in the store yet is scanned within the webhook's timeout
review new-1 "$REG/lib/alpine-3.20.3-twolayer:1" "$REG/lib/alpine-3.20.3:1"
expect 200 -H "Authorization: Bearer $RT" --data-binary @"$W/review.json" "$URL/api/v1/admission?timeout=10s"
jq -e '.response.uid == "new-1" and .response.allowed == true' "$W/body" > /dev/null || fail "admission of a new image: $(cat "$W/body")"
review gone-1 "127.0.0.1:9/none/x:1" "$REG/lib/alpine-3.20.3:1"
expect 200 -H "Authorization: Bearer $RT" --data-binary @"$W/review.json" "$URL/api/v1/admission?timeout=3s"
jq -e '.response.uid == "gone-1" and .response.allowed == false' "$W/body" > /dev/null || fail "unknown image allowed"
expect 401 --data-binary @"$W/review.json" "$URL/api/v1/admission"
expect 400 -H "Authorization: Bearer $RT" -d '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}' "$URL/api/v1/admission"
expect 400 -H "Authorization: Bearer $RT" -d '{"kind":"AdmissionReview"' "$URL/api/v1/admission"

# --- hostile requests: each a clean status, nothing written
before=$(sqlite3 "$W/store.sqlite" 'SELECT (SELECT count(*) FROM job) || "/" || (SELECT count(*) FROM image) || "/" || (SELECT count(*) FROM container) || "/" || (SELECT count(*) FROM snapshot)')
head -c 100000 /dev/zero | tr '\0' 'a' > "$W/big"
expect 413 -H "Authorization: Bearer $WT" --data-binary @"$W/big" "$URL/api/v1/images"
expect 413 -H "Authorization: Bearer $WT" -H "Transfer-Encoding: chunked" --data-binary @"$W/big" "$URL/api/v1/images"
expect 413 -H "Authorization: Bearer $RT" --data-binary @"$W/big" -X GET "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '{"ref":' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '{"ref":"/etc/passwd"}' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '{"ref":"oci:/tmp/x"}' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '{"ref":"docker-archive:/tmp/x.tar"}' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '{"ref":"dir:."}' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d '{"ref":42}' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d 'not json at all' "$URL/api/v1/containers"
expect 400 -H "Authorization: Bearer $WT" -d '{"containers":[{"name":"no id"}]}' "$URL/api/v1/containers"
expect 401 -H "Authorization: Bearer ${WT}0" -d '{}' "$URL/api/v1/images"
expect 400 -H "Authorization: Bearer $WT" -d "{\"ref\":\"$REG/x\"}" "$URL/api/v1/images?token=$WT"
expect 404 -H "Authorization: Bearer $RT" "$URL/api/v1/jobs/99999999999999999999999"
# headers over the connection's memory: 431 (MHD may close before curl has sent them all)
code=$(curl -s -o "$W/body" -w '%{http_code}' -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' b)" "$URL/api/v1/images" || true)
[ "$code" = 431 ] || grep -q "too big" "$W/body" || fail "oversized headers: $code"
# slowloris: 24 connections that send half a request and stall (fewer than the per-IP cap of 32,
# which keeps one address from taking more); the server keeps answering and drops them when idle
cat > "$W/slow.py" << 'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
socks = []
for _ in range(24):
    try:
        s = socket.create_connection((host, int(port)), timeout=2)
        s.sendall(b"GET /api/v1/images HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    except OSError:
        pass
open(sys.argv[2], "w").write(str(len(socks)))
closed = 0
for _ in range(30):  # a header byte every 0.5 s would keep an idle timer alive: send nothing
    time.sleep(0.5)
for s in socks:
    try:
        s.settimeout(0.5)
        closed += s.recv(1) == b""
    except OSError:
        closed += 1
open(sys.argv[3], "w").write(str(closed))
PY
python3 "$W/slow.py" "${URL#http://}" "$W/slow.open" "$W/slow.closed" &
SLOW=$!
sleep 1
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/images"
wait "$SLOW"
[ "$(cat "$W/slow.closed")" -ge 1 ] || fail "slowloris connections still open after the idle timeout"
after=$(sqlite3 "$W/store.sqlite" 'SELECT (SELECT count(*) FROM job) || "/" || (SELECT count(*) FROM image) || "/" || (SELECT count(*) FROM container) || "/" || (SELECT count(*) FROM snapshot)')
[ "$before" = "$after" ] || fail "hostile requests wrote to the store: $before -> $after"
# revoked: 401
"$L" token revoke --store "$S" dash > /dev/null
expect 401 -H "Authorization: Bearer $RT" "$URL/api/v1/images"
# the access log names tokens, never prints them
grep -q "token=ci" "$W/serve.log" || fail "access log does not name the token"
for t in "$WT" "$RT" "$AT" "${WT#ldt_}"; do grep -qF "$t" "$W/serve.log" && fail "a token is in the log"; done
"$L" inventory check --store "$S" > /dev/null || fail "inventory check (sqlite)"
kill "$SERVE_PID"
wait "$SERVE_PID" 2> /dev/null || true

# ================= PostgreSQL: three workers, one SIGKILLed mid-job =================
pg_start || exit $?
P=$(pg_newdb service)
PT=$(token "$P" ci write)
serve "$P" "$W/serve-pg.log" --workers 0
IDS=()
for i in "${IMAGES[@]}" "${IMAGES[@]}"; do
	expect 202 -H "Authorization: Bearer $PT" -d "{\"ref\":\"$REG/lib/$i:1\"}" "$URL/api/v1/images"
	IDS+=("$(jq .id "$W/body")")
done
# the registry stops answering; the first worker takes a job and hangs in it; SIGKILL
REGPID=${REG_PIDS[-1]} # env execs docker-registry: the same process
kill -STOP "$REGPID"
"$L" worker --store "$P" --db "$W/db.sqlite" --insecure-registry "$REG" --jobs 1 --lease 4 2> "$W/w0.log" &
W0=$!
PIDS+=("$W0")
for i in $(seq 100); do
	[ "$(pg_psql service -tAc "SELECT count(*) FROM job WHERE state = 'running'")" = 1 ] && break
	sleep 0.1
done
[ "$(pg_psql service -tAc "SELECT count(*) FROM job WHERE state = 'running'")" = 1 ] || fail "worker 0 took no job"
kill -9 "$W0"
wait "$W0" 2> /dev/null || true
kill -CONT "$REGPID"
for n in 1 2 3; do
	"$L" worker --store "$P" --db "$W/db.sqlite" --insecure-registry "$REG" --jobs 1 --lease 4 2> "$W/w$n.log" &
	PIDS+=("$!")
done
wait_jobs "$PT" "${IDS[@]}"
[ "$(pg_psql service -tAc "SELECT count(*) FROM image")" = 3 ] || fail "PostgreSQL: images recorded $(pg_psql service -tAc 'SELECT count(*) FROM image') times, want 3"
[ "$(pg_psql service -tAc "SELECT count(*) FROM job WHERE attempts > 1")" -ge 1 ] || fail "the orphaned job was not taken again"
"$L" inventory check --store "$P" > "$W/check-pg.txt" || { cat "$W/check-pg.txt"; fail "inventory check (postgres)"; }
workers_used=$(cat "$W"/w[123].log | grep -c ': done' || true)
[ "$workers_used" -ge "${#IDS[@]}" ] || fail "workers finished $workers_used jobs"

if [ "$FAILS" -gt 0 ]; then
	echo "serve: $FAILS failures"
	exit 1
fi
echo "serve: all checks passed"

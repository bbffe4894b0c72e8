#!/usr/bin/env bash
# POST /api/v1/sboms and admission with scan's suppressions, on a real `lading serve`:
# - an SBOM (CycloneDX, SPDX, lading JSON) is recorded as an image-like record and matched:
#   201 with its id (the image digest the SBOM names, else its package list's content digest)
#   and finding summary, 200 when known; its findings are the ones `lading scan sbom:` gives;
#   `lading inventory add sbom:FILE` records the same id; hostile uploads write nothing;
# - admission (AdmissionReview v1) of the image the SBOM names: --fail-on denies naming the
#   CVE; --ignore-file and --vex (OpenVEX) suppress as `scan` does (the same exit decisions),
#   per package purl; a bad ignore file is refused at start.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}"
L=$LADING_BIN
SH=$LADING_SHARED
W="$LADING_WORK/serve_sbom"
rm -rf "$W"
mkdir -p "$W/mirror"
export LADING_NO_PROGRESS=1 XDG_CACHE_HOME="$W/cache"
for t in curl jq; do command -v $t > /dev/null || { echo "SKIP: $t missing"; exit 77; }; done
FAILS=0
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
expect() { # STATUS CURL-ARGS...
	local want=$1 got
	shift
	got=$(curl -s -o "$W/body" -w '%{http_code}' --max-time 30 "$@") || true
	[ "$got" = "$want" ] || fail "curl $*: status $got, want $want ($(head -c 300 "$W/body"))"
}
serve() { # LOG [options]: sets URL
	local log=$1 i
	shift
	rm -f "$W/serve.out"
	"$L" serve --store "$S" --listen 127.0.0.1:0 --db "$DB" --workers 0 "$@" > "$W/serve.out" 2> "$log" &
	SERVE_PID=$!
	PIDS+=("$SERVE_PID")
	for i in $(seq 200); do grep -q listening "$W/serve.out" 2> /dev/null && break; sleep 0.05; done
	URL="http://$(sed -n 's/.*listening on //p' "$W/serve.out")"
	[ "$URL" != "http://" ] || { cat "$log"; exit 1; }
}
stop() { kill "$SERVE_PID"; wait "$SERVE_PID" 2> /dev/null || true; }

# --- a database with the Alpine feeds: Alpine 3.7.3's musl has CVE-2019-14697 (musl, musl-utils)
ln -s "$SH/vulndata/alpine-secdb" "$W/mirror/alpine-secdb"
"$L" db build --mirror "$W/mirror" --db "$W/db.sqlite" > "$W/db.log" 2>&1 || { cat "$W/db.log"; exit 1; }
DB="$W/db.sqlite"
IMG="rootfs-tar:$SH/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz"
APP=registry.example/team/app:1.0
# the SBOMs name the image as a CI pipeline would (its reference), so admission finds it
for f in cyclonedx spdx json; do
	"$L" sbom -q -f $f "$IMG" -o "$W/raw.$f"
done
jq --arg n "$APP" '.metadata.component.name = $n' "$W/raw.cyclonedx" > "$W/app.cyclonedx"
jq --arg n "$APP" '(.packages[] | select(.primaryPackagePurpose == "CONTAINER") | .name) = $n' "$W/raw.spdx" > "$W/app.spdx"
jq --arg n "$APP" '.source.ref = $n' "$W/raw.json" > "$W/app.json"
# without the image: identified by the package list only
jq 'del(.metadata.component)' "$W/raw.cyclonedx" > "$W/anon.cyclonedx"
jq 'del(.packages[] | select(.primaryPackagePurpose == "CONTAINER")) | del(.relationships) | del(.packages[].comment)' \
	"$W/raw.spdx" > "$W/anon.spdx"

S="sqlite:$W/store.sqlite"
WT=$("$L" token create --store "$S" --name ci --scope write | tail -1)
RT=$("$L" token create --store "$S" --name kube --scope read | tail -1)
serve "$W/serve1.log"
AUTH=(-H "Authorization: Bearer $WT")
count() { sqlite3 "$W/store.sqlite" 'SELECT (SELECT count(*) FROM image) || "/" || (SELECT count(*) FROM package)'; }

# --- uploads
"$L" scan -q --db "$DB" -f json "sbom:$W/app.cyclonedx" -o "$W/scan.json" || true
want_total=$(jq '.summary.total' "$W/scan.json")
[ "$want_total" -gt 0 ] || fail "the scan of the SBOM has no findings: the test says little"
expect 201 "${AUTH[@]}" -H 'Content-Type: application/json' --data-binary @"$W/app.cyclonedx" "$URL/api/v1/sboms"
ID=$(jq -r .id "$W/body")
jq -e --argjson t "$want_total" '.new == true and .format == "cyclonedx-1.5" and .findings.total == $t
	and (.id | startswith("sha256:")) and .packages > 10' "$W/body" > /dev/null || fail "upload answer: $(cat "$W/body")"
[ "$(jq -r '.findings.unknown + .findings.low + .findings.medium + .findings.high + .findings.critical' "$W/body")" = "$want_total" ] ||
	fail "finding summary by severity does not add up"
for f in spdx json; do
	expect 200 "${AUTH[@]}" --data-binary @"$W/app.$f" "$URL/api/v1/sboms"
	jq -e --arg id "$ID" '.id == $id and .new == false' "$W/body" > /dev/null || fail "$f upload of the same image: $(cat "$W/body")"
done
# the record: listed, queryable by the reference the SBOM names, with the scan's findings
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/images"
jq -e --arg id "$ID" '.images[] | select(.digest == $id) | .source_type == "sbom"' "$W/body" > /dev/null || fail "image not listed as an sbom record: $(head -c 400 "$W/body")"
expect 200 -H "Authorization: Bearer $RT" "$URL/api/v1/query?image=$APP"
diff <(jq -r '.images[0].findings[] | .id + " " + .package' "$W/body" | sort) \
	<(jq -r '.vulnerabilities[] | .id + " " + .package' "$W/scan.json" | sort) > /dev/null ||
	fail "stored findings differ from scan sbom:"
# no image digest: the package list's content digest, the same whatever the format
expect 201 "${AUTH[@]}" --data-binary @"$W/anon.cyclonedx" "$URL/api/v1/sboms"
AID=$(jq -r .id "$W/body")
[ "$AID" != "$ID" ] || fail "an SBOM without the image got the image's id"
expect 200 "${AUTH[@]}" --data-binary @"$W/anon.spdx" "$URL/api/v1/sboms"
[ "$(jq -r .id "$W/body")" = "$AID" ] || fail "SPDX of the same package list: $(jq -r .id "$W/body"), want $AID"
# the CLI records the same thing under the same id
"$L" inventory add --store "sqlite:$W/cli.sqlite" --db "$DB" "sbom:$W/app.spdx" > /dev/null 2> "$W/add.err" || fail "inventory add sbom: $(cat "$W/add.err")"
"$L" inventory list images --store "sqlite:$W/cli.sqlite" --format json | jq -e --arg id "$ID" '.images[0].digest == $id' > /dev/null ||
	fail "inventory add sbom: recorded another id"

# --- hostile uploads: clean statuses, nothing written
before=$(count)
expect 401 --data-binary @"$W/app.cyclonedx" "$URL/api/v1/sboms"
expect 403 -H "Authorization: Bearer $RT" --data-binary @"$W/app.cyclonedx" "$URL/api/v1/sboms"
expect 400 "${AUTH[@]}" --data-binary '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[' "$URL/api/v1/sboms"
expect 400 "${AUTH[@]}" --data-binary '{"bomFormat":"CycloneDX","specVersion":"9.9"}' "$URL/api/v1/sboms"
expect 400 "${AUTH[@]}" --data-binary '{"hello":"world"}' "$URL/api/v1/sboms"
python3 -c 'print("[" * 100000)' > "$W/deep.json"
expect 400 "${AUTH[@]}" --data-binary @"$W/deep.json" "$URL/api/v1/sboms"
head -c $((65 * 1024 * 1024)) /dev/zero > "$W/big"
expect 413 "${AUTH[@]}" --data-binary @"$W/big" "$URL/api/v1/sboms"
expect 413 "${AUTH[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$W/big" "$URL/api/v1/sboms"
rm -f "$W/big"
[ "$(count)" = "$before" ] || fail "hostile uploads wrote to the store: $before -> $(count)"
stop

# --- admission with scan's policy
review() { # UID IMAGE
	jq -n --arg uid "$1" --arg a "$2" '{apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
	  request: {uid: $uid, kind: {group: "", version: "v1", kind: "Pod"},
	    resource: {group: "", version: "v1", resource: "pods"}, name: "web", namespace: "default",
	    operation: "CREATE", userInfo: {username: "admin"},
	    object: {apiVersion: "v1", kind: "Pod", metadata: {name: "web", namespace: "default"},
	      spec: {containers: [{name: "app", image: $a}]}}, dryRun: false}}' > "$W/review.json"
}
review uid-1 "$APP"
admit() { # EXPECTED(true|false) WHAT [serve options...]: one review through a server with those options
	local want=$1 what=$2
	shift 2
	serve "$W/serve-adm.log" --fail-on unknown "$@"
	expect 200 -H "Authorization: Bearer $RT" --data-binary @"$W/review.json" "$URL/api/v1/admission?timeout=10s"
	jq -e --argjson w "$want" '.response.uid == "uid-1" and .response.allowed == $w' "$W/body" > /dev/null ||
		fail "admission ($what): $(cat "$W/body"), want allowed=$want"
	cp "$W/body" "$W/adm-last.json"
	stop
}
scan_allows() { # [scan options]: true when scan --fail-on unknown passes the SBOM
	if "$L" scan -q --db "$DB" --fail-on unknown "$@" "sbom:$W/app.cyclonedx" > /dev/null 2>&1; then echo true; else echo false; fi
}
admit false "no policy"
grep -q "CVE-2019-14697" "$W/adm-last.json" || fail "the denial does not name the CVE: $(cat "$W/adm-last.json")"
[ "$(scan_allows)" = false ] || fail "scan allows what admission denies"
# ignore file: the CVE for the musl source package (musl and musl-utils)
printf 'CVE-2019-14697 musl # accepted until the base image moves\n' > "$W/ignore"
admit true "ignore file" --ignore-file "$W/ignore"
[ "$(scan_allows --ignore-file "$W/ignore")" = true ] || fail "scan denies what admission allows (ignore file)"
# OpenVEX naming one package: the other one still blocks, and is the one named
cat > "$W/vex1.json" <<'EOF'
{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"sec","timestamp":"2026-01-01T00:00:00Z","version":1,
 "statements":[{"vulnerability":{"name":"CVE-2019-14697"},"products":[{"@id":"pkg:apk/alpine/musl"}],"status":"not_affected",
  "justification":"vulnerable_code_not_in_execute_path"}]}
EOF
admit false "VEX for musl only" --vex "$W/vex1.json"
jq -r .response.status.message "$W/adm-last.json" | grep -q "musl-utils" || fail "VEX: musl-utils should block: $(cat "$W/adm-last.json")"
jq -r .response.status.message "$W/adm-last.json" | grep -q "(musl " && fail "VEX: musl should not be named: $(cat "$W/adm-last.json")"
[ "$(scan_allows --vex "$W/vex1.json")" = false ] || fail "scan allows what admission denies (VEX, one package)"
jq '.statements[0].products += [{"@id":"pkg:apk/alpine/musl-utils"}]' "$W/vex1.json" > "$W/vex2.json"
admit true "VEX for both packages" --vex "$W/vex1.json" --vex "$W/vex2.json"
[ "$(scan_allows --vex "$W/vex2.json")" = true ] || fail "scan denies what admission allows (VEX, both)"
# an ignore file or VEX document that cannot be read is refused at start
for opt in --ignore-file --vex; do
	if timeout 20 "$L" serve --store "$S" --listen 127.0.0.1:0 --db "$DB" --workers 0 $opt "$W/missing$opt" > /dev/null 2> "$W/bad.err"; then
		fail "serve started with $opt of a missing file"
	fi
	grep -q "missing$opt" "$W/bad.err" || fail "the refusal does not name the file: $(cat "$W/bad.err")"
done
printf '{"statements": 5}' > "$W/bad-vex.json"
if timeout 20 "$L" serve --store "$S" --listen 127.0.0.1:0 --db "$DB" --workers 0 --vex "$W/bad-vex.json" > /dev/null 2> "$W/bad.err"; then
	fail "serve started with a VEX document that is not one"
fi

[ "$FAILS" = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "ok"

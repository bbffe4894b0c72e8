#!/usr/bin/env bash
# lading serve at its edges, with real clients:
# - TLS with --tls-client-ca (certificates made here with openssl): a client certificate the CA
#   signed calls admission without a token (as the Kubernetes API server does with its webhook's
#   client configuration); a certificate of another CA, none, or a certificate on another route
#   is 401; tokens still work; the access log names the certificate's CN;
# - the total header deadline: slow clients (tests/integration/slowloris.py) that send a header
#   byte every second, inside the idle timeout, are cut before their headers end while the
#   server keeps answering others;
# - the dashboard at / opened in headless Chromium through the running server (the token sent
#   as a header over the DevTools protocol): status 200, a table, a non-empty screenshot, no
#   console message and no script error.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
L=$LADING_BIN
SH=$LADING_SHARED
W="$LADING_WORK/serve_edge"
rm -rf "$W"
mkdir -p "$W/mirror"
export LADING_NO_PROGRESS=1 XDG_CACHE_HOME="$W/cache"
for t in curl jq openssl python3; do command -v $t > /dev/null || { echo "SKIP: $t missing"; exit 77; }; done
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
serve() { # LOG [options]: sets ADDR
	local log=$1 i
	shift
	rm -f "$W/serve.out"
	"$L" serve --store "$S" --listen 127.0.0.1:0 --db "$DB" --workers 0 "$@" > "$W/serve.out" 2> "$log" &
	SERVE_PID=$!
	PIDS+=("$SERVE_PID")
	for i in $(seq 200); do grep -q listening "$W/serve.out" 2> /dev/null && break; sleep 0.05; done
	ADDR=$(sed -n 's/.*listening on //p' "$W/serve.out")
	[ -n "$ADDR" ] || { cat "$log"; exit 1; }
}
stop() { kill "$SERVE_PID"; wait "$SERVE_PID" 2> /dev/null || true; }

ln -s "$SH/vulndata/alpine-secdb" "$W/mirror/alpine-secdb"
"$L" db build --mirror "$W/mirror" --db "$W/db.sqlite" > "$W/db.log" 2>&1 || { cat "$W/db.log"; exit 1; }
DB="$W/db.sqlite"
S="sqlite:$W/store.sqlite"
WT=$("$L" token create --store "$S" --name ci --scope write | tail -1)
RT=$("$L" token create --store "$S" --name wall --scope read | tail -1)
# one image in the store (Alpine 3.7.3: musl's CVE-2019-14697), named as a registry image
APP=registry.example/team/app:1.0
"$L" sbom -q -f cyclonedx "rootfs-tar:$SH/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz" |
	jq --arg n "$APP" '.metadata.component.name = $n' > "$W/app.cdx"

# ================= TLS with client certificates =================
cd "$W"
cnf() { printf '[req]\ndistinguished_name=dn\n[dn]\n[ext]\n%s\n' "$1" > "$W/$2.cnf"; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lading test CA" -keyout ca.key -out ca.pem 2> /dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" -keyout ca2.key -out ca2.pem 2> /dev/null
cnf "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth" server
cnf "extendedKeyUsage=clientAuth" client
mk() { # NAME CN CA EXT: a key and a certificate signed by CA
	openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2> /dev/null
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 2 -extfile "$4.cnf" -extensions ext \
		-out "$1.pem" 2> /dev/null
}
mk server 127.0.0.1 ca server
mk apiserver kube-apiserver ca client
mk rogue kube-apiserver ca2 client
mk srvonly not-a-client ca server # a certificate of the right CA, but for servers only
cd - > /dev/null
review() { # UID IMAGE
	jq -n --arg uid "$1" --arg a "$2" '{apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
	  request: {uid: $uid, kind: {group: "", version: "v1", kind: "Pod"},
	    resource: {group: "", version: "v1", resource: "pods"}, name: "web", namespace: "default",
	    operation: "CREATE", userInfo: {username: "admin"},
	    object: {apiVersion: "v1", kind: "Pod", metadata: {name: "web", namespace: "default"},
	      spec: {containers: [{name: "app", image: $a}]}}, dryRun: false}}' > "$W/review.json"
}
review uid-tls "$APP"

if "$L" serve --store "$S" --listen 127.0.0.1:0 --tls-client-ca "$W/ca.pem" > /dev/null 2> "$W/noTLS.err"; then
	fail "--tls-client-ca without TLS was accepted"
fi
serve "$W/tls.log" --tls-cert "$W/server.pem" --tls-key "$W/server.key" --tls-client-ca "$W/ca.pem" --fail-on unknown
U="https://$ADDR"
C=(--cacert "$W/ca.pem")
expect 201 "${C[@]}" -H "Authorization: Bearer $WT" --data-binary @"$W/app.cdx" "$U/api/v1/sboms"
expect 200 "${C[@]}" --cert "$W/apiserver.pem" --key "$W/apiserver.key" --data-binary @"$W/review.json" "$U/api/v1/admission?timeout=10s"
jq -e '.response.uid == "uid-tls" and .response.allowed == false' "$W/body" > /dev/null || fail "admission by certificate: $(cat "$W/body")"
grep -q "token=cert:kube-apiserver" "$W/tls.log" || fail "the access log does not name the certificate"
expect 401 "${C[@]}" --cert "$W/rogue.pem" --key "$W/rogue.key" --data-binary @"$W/review.json" "$U/api/v1/admission"
expect 401 "${C[@]}" --cert "$W/srvonly.pem" --key "$W/srvonly.key" --data-binary @"$W/review.json" "$U/api/v1/admission"
expect 401 "${C[@]}" --data-binary @"$W/review.json" "$U/api/v1/admission"
expect 401 "${C[@]}" --cert "$W/apiserver.pem" --key "$W/apiserver.key" "$U/api/v1/images"
expect 401 "${C[@]}" --cert "$W/apiserver.pem" --key "$W/apiserver.key" --data-binary @"$W/app.cdx" "$U/api/v1/sboms"
expect 200 "${C[@]}" -H "Authorization: Bearer $RT" --data-binary @"$W/review.json" "$U/api/v1/admission"
expect 200 "${C[@]}" -H "Authorization: Bearer $RT" "$U/api/v1/images"
stop

# ================= the header deadline =================
serve "$W/plain.log"
U="http://$ADDR"
python3 "$HERE/slowloris.py" "${ADDR%:*}" "${ADDR##*:}" 8 40 > "$W/slow.out" 2>&1 &
SLOW=$!
PIDS+=("$SLOW")
# others are served meanwhile (the clients hold 8 of the 32 connections of this address)
for i in 1 2 3 4 5; do
	sleep 2
	expect 200 -H "Authorization: Bearer $RT" "$U/api/v1/images"
done
wait "$SLOW" || fail "slow clients were not cut before their headers ended: $(cat "$W/slow.out")"
cat "$W/slow.out"
grep -q "connection cut: request headers not complete" "$W/plain.log" || fail "no cut in the server's log"
# a client that sends its headers at once is never cut, however slow its response
expect 200 -H "Authorization: Bearer $RT" "$U/api/v1/images"

# ================= the dashboard in Chromium, through the server =================
CHROME=$(python3 -c "import sys; sys.path.insert(0, '$LADING_SRC/tests/tools'); import cdp; print(cdp.binary() or '')")
if [ -z "$CHROME" ]; then
	fail "chromium is not installed (Debian's chromium)"
else
	python3 - "$CHROME" "$U/" "$RT" "$W/dashboard.png" > "$W/chrome.out" 2>&1 <<-'EOF' || fail "dashboard in Chromium: $(cat "$W/chrome.out")"
		import json, os, sys
		sys.path.insert(0, os.path.join(os.environ["LADING_SRC"], "tests", "tools"))
		import cdp
		chrome, url, tok, png = sys.argv[1:5]
		r = cdp.visit(chrome, url, {"Authorization": "Bearer " + tok}, png)
		print(json.dumps(r)[:2000])
		ok = (r["status"] == 200 and r["tables"] and r["tables"] > 0 and not r["console"] and not r["errors"]
		      and os.path.getsize(png) > 10000)
		sys.exit(0 if ok else 1)
	EOF
	# the same page without the token: 401, never the dashboard
	expect 401 "$U/"
fi
stop

[ "$FAILS" = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "ok"

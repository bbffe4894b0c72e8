#!/usr/bin/env bash
# --insecure-registry HOST:PORT (repeatable) on inventory add / crawl / containers and sbom: a
# local docker-registry serving TLS with a self-signed certificate is refused (certificate
# verified), refused too when another registry is named, and read when it is named; crawl, a
# Kubernetes snapshot's image (read by digest, the cluster served by containers_kube.py) and sbom
# likewise.
set -euo pipefail
W="$LADING_WORK/inventory_insecure"
rm -rf "$W"
mkdir -p "$W"
source "$LADING_SRC/tests/registry/lib.sh"
reg_require docker-registry skopeo curl jq openssl
export LADING_NO_PROGRESS=1 XDG_CACHE_HOME="$W/cache"
L="$LADING_BIN"
SH="$LADING_SHARED"
FAILS=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls.key" -out "$W/tls.crt" -subj /CN=localhost \
	-days 2 > /dev/null 2>&1
reg_start tls config.yml REGISTRY_HTTP_TLS_CERTIFICATE="$W/tls.crt" REGISTRY_HTTP_TLS_KEY="$W/tls.key"
R="127.0.0.1:$REG_PORT"
OTHER="127.0.0.1:$(reg_free_port)"
reg_push "oci:$SH/images/oci/alpine-3.9.6:3.9.6" "$R/library/alpine:latest"
S="sqlite:$W/store.sqlite"
inv() { "$L" inventory "$@"; }
images() { inv list images --store "$S" --format json | jq '.images | length'; }

if inv add --store "$S" --no-match --no-cache "$R/library/alpine:latest" > /dev/null 2> "$W/e1"; then
	fail "self-signed TLS accepted without --insecure-registry"
fi
grep -qi 'certificate\|tls\|ssl' "$W/e1" || fail "the refusal names the certificate: $(cat "$W/e1")"
if inv add --store "$S" --no-match --no-cache --insecure-registry "$OTHER" "$R/library/alpine:latest" > /dev/null 2> "$W/e2"; then
	fail "another registry named: TLS still verified for $R"
fi
[ "$(images)" = 0 ] || fail "nothing recorded by the refused adds"
inv add --store "$S" --no-match --no-cache --insecure-registry "$OTHER" --insecure-registry "$R" \
	"$R/library/alpine:latest" > "$W/a3.out" 2> "$W/e3" || fail "named: refused ($(cat "$W/e3"))"
[ "$(images)" = 1 ] || fail "named: the image recorded"
grep -q '"GET /v2/library/alpine/blobs/' "$W/tls.log" || fail "no blob fetched over TLS"
# the registry's name is compared without case, as a host name
inv add --store "sqlite:$W/s2.sqlite" --no-match --no-cache --insecure-registry "LOCALHOST:$REG_PORT" \
	"localhost:$REG_PORT/library/alpine:latest" > /dev/null 2> "$W/e4" || fail "host name without case ($(cat "$W/e4"))"

# crawl: the catalog over TLS likewise
if inv crawl "$R" --store "sqlite:$W/c.sqlite" --no-match > /dev/null 2> "$W/c1"; then
	fail "crawl: self-signed TLS accepted without --insecure-registry"
fi
inv crawl "$R" --store "sqlite:$W/c.sqlite" --no-match --insecure-registry "$R" > /dev/null 2> "$W/c2" ||
	fail "crawl with --insecure-registry ($(cat "$W/c2"))"
[ "$(inv list images --store "sqlite:$W/c.sqlite" --format json | jq '.images | length')" = 1 ] || fail "crawl: the image recorded"

# containers: a Kubernetes snapshot's image the store lacks is read from its registry by digest
MD=$(skopeo inspect --tls-verify=false "docker://$R/library/alpine:latest" | jq -r .Digest)
jq -n --arg img "$R/library/alpine:latest" --arg id "docker-pullable://$R/library/alpine@$MD" \
	'{kind: "List", items: [{metadata: {name: "web-0", namespace: "prod"}, spec: {nodeName: "n1",
	  containers: [{name: "web", image: $img}]}, status: {containerStatuses: [{name: "web",
	  image: $img, imageID: $id, containerID: "containerd://c1", state: {running: {}}}]}}]}' > "$W/pods.json"
# served by the Kubernetes API test server (tests/integration/containers_kube.py; the cluster's own
# TLS is skipped by its kubeconfig, which says nothing of registries)
KPORT=$(reg_free_port)
python3 "$LADING_SRC/tests/integration/containers_kube.py" --port "$KPORT" --cert "$W/tls.crt" --key "$W/tls.key" \
	--client-ca "$W/tls.crt" --token tok --pods "$W/pods.json" --log "$W/kube.log" > "$W/kube.out" 2>&1 &
REG_PIDS+=("$!")
for i in $(seq 200); do curl -sk -o /dev/null "https://127.0.0.1:$KPORT/" && break; sleep 0.05; done
cat > "$W/kubeconfig" << EOC
apiVersion: v1
kind: Config
current-context: t
clusters: [{name: c, cluster: {server: "https://127.0.0.1:$KPORT", insecure-skip-tls-verify: true}}]
contexts: [{name: t, context: {cluster: c, user: u}}]
users: [{name: u, user: {token: tok}}]
EOC
K="sqlite:$W/k.sqlite"
inv containers --store "$K" --no-match --no-cache --kubeconfig "$W/kubeconfig" > "$W/k1.out" 2> "$W/k1.err" || true
grep -q '1 containers' "$W/k1.out" || fail "containers: the pod read ($(cat "$W/k1.out" "$W/k1.err"))"
[ "$(inv list images --store "$K" --format json | jq '.images | length')" = 0 ] ||
	fail "containers: the image read over unverified TLS without --insecure-registry"
inv containers --store "$K" --no-match --no-cache --insecure-registry "$R" --kubeconfig "$W/kubeconfig" > "$W/k2.out" 2> "$W/k2.err" ||
	fail "containers --insecure-registry ($(cat "$W/k2.err"))"
[ "$(inv list images --store "$K" --format json | jq '.images | length')" = 1 ] ||
	fail "containers --insecure-registry: the snapshot's image recorded ($(cat "$W/k2.out" "$W/k2.err"))"

# scan takes it too
if "$L" sbom --format json --no-cache "$R/library/alpine:latest" > /dev/null 2>&1; then fail "sbom: TLS not verified"; fi
"$L" sbom --format json --no-cache --insecure-registry "$R" "$R/library/alpine:latest" > "$W/sbom.json" 2> "$W/e5" ||
	fail "sbom --insecure-registry ($(cat "$W/e5"))"
# a malformed value is a usage error
"$L" inventory add --store "$S" --insecure-registry "http://$R" x > /dev/null 2>&1 && fail "URL accepted as a registry"
[ "$FAILS" = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "insecure registries: verified unless named"

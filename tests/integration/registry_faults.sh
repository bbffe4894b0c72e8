#!/usr/bin/env bash
# Registry faults, injected by tests/registry/proxy.py in front of a local docker-registry: 429
# and 503 with Retry-After are retried; a connection dropped in the middle of a layer resumes
# (the reader sees each byte once); a tampered or over-long blob is rejected naming its digest,
# also when only the second read of a layer (a symlinked os-release) is tampered
# and never cached; blob downloads redirected to another host get no Authorization header; a
# server without the v2 API is named as such; two processes filling one cache at once agree; TLS
# is verified unless --insecure, and --insecure covers the registry named only (not a host a blob
# is redirected to).
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}"
W="$LADING_WORK/registry_faults"
rm -rf "$W"; mkdir -p "$W"
. "$LADING_SRC/tests/registry/lib.sh"
reg_require docker-registry skopeo jq python3 curl htpasswd openssl
fail=0
bad() { echo "FAIL: $*"; fail=1; }
S="$LADING_SHARED/images"
export XDG_CACHE_HOME="$W/cache"
unset LADING_REGISTRY_USERNAME LADING_REGISTRY_PASSWORD LADING_REGISTRY_HOST
export DOCKER_CONFIG="$W/no-docker-config"

reg_start reg config.yml
reg_push "oci:$S/oci/alpine-3.20.3-twolayer:3.20.3-twolayer" "127.0.0.1:$REG_PORT/alpine:2l"
reg_proxy_start proxy "$REG_PORT"
P="127.0.0.1:$PROXY_PORT"
RULES="$W/proxy/rules.json"
PLOG="$W/proxy/requests.jsonl"
"$LADING_BIN" sbom --format json --no-cache "docker-archive:$S/docker-archive/alpine-3.20.3-twolayer.tar" -o "$W/archive.json"
L1=$(jq -r '.manifests[0].digest' "$S/oci/alpine-3.20.3-twolayer/index.json")
L1=$(jq -r '.layers[0].digest' "$S/oci/alpine-3.20.3-twolayer/blobs/sha256/${L1:7}")

rules() { printf '%s\n' "$1" > "$RULES.tmp"; mv "$RULES.tmp" "$RULES"; : > "$PLOG"; }
count() { jq -r --arg re "$1" 'select((.method + " " + .path) | test($re)) | .status' "$PLOG" | grep -c "${2:-.}" || true; }
scan_ok() { # what: a scan through the proxy that must succeed and equal the archive
  if ! "$LADING_BIN" sbom --format json --no-cache "$P/alpine:2l" -o "$W/out.json" 2> "$W/err"; then
    bad "$1: scan failed: $(cat "$W/err")"; return 1; fi
  cmp -s <(reg_norm "$W/out.json") <(reg_norm "$W/archive.json") || { bad "$1: result differs from the archive"; return 1; }
}
scan_fails() { # what grep-pattern...: a scan that must fail (exit 3) with all patterns in its error
  local what=$1 rc p
  shift
  set +e; "$LADING_BIN" sbom "$@" > /dev/null 2> "$W/err"; rc=$?; set -e
  [ $rc -eq 3 ] || { bad "$what: exit $rc, expected 3: $(cat "$W/err")"; return; }
  for p in "${PATTERNS[@]}"; do grep -q -- "$p" "$W/err" || bad "$what: error lacks '$p': $(cat "$W/err")"; done
}

# 429 then 503, each with Retry-After: retried, then fine
rules '[{"match": "GET /v2/alpine/manifests/", "times": 1, "action": "status", "status": 429, "retry_after": 1}]'
scan_ok "429 + Retry-After on the manifest" &&
  { [ "$(count 'GET /v2/alpine/manifests/' 429)" -eq 1 ] && [ "$(count 'GET /v2/alpine/manifests/' 200)" -eq 1 ] ||
    bad "429: expected one refused and one good manifest request"; }
rules "[{\"match\": \"GET /v2/alpine/blobs/$L1\", \"times\": 1, \"action\": \"status\", \"status\": 503, \"retry_after\": 1}]"
scan_ok "503 + Retry-After on a layer" && { [ "$(count "blobs/$L1" 503)" -eq 1 ] && [ "$(count "blobs/$L1" 200)" -eq 1 ] ||
  bad "503: expected one refused and one good layer request"; }
echo "429/503: retried"

# a connection dropped half-way through a layer: the retry's bytes continue where it stopped
rules "[{\"match\": \"GET /v2/alpine/blobs/$L1\", \"times\": 1, \"action\": \"drop\"}]"
scan_ok "dropped connection mid-layer" && { [ "$(count "blobs/$L1")" -eq 2 ] || bad "drop: expected two requests for layer 1"; }
echo "dropped connection: resumed"

# a tampered layer, and one with extra bytes: rejected naming the digest, nothing cached
rules "[{\"match\": \"GET /v2/alpine/blobs/$L1\", \"action\": \"tamper\"}]"
PATTERNS=("digest mismatch" "$L1")
scan_fails "tampered layer" "$P/alpine:2l"
[ ! -e "$XDG_CACHE_HOME/lading/blobs/sha256/${L1:7}" ] || bad "tampered layer entered the blob cache"
[ -z "$(find "$XDG_CACHE_HOME" -name 'tmp.*')" ] || bad "a partial download was left in the cache"
rules "[{\"match\": \"GET /v2/alpine/blobs/$L1\", \"action\": \"extra\", \"bytes\": 1000}]"
PATTERNS=("$L1" "longer than")
scan_fails "over-long layer" --no-cache "$P/alpine:2l"
echo "tampered and over-long blobs: rejected"

# a layer read twice (its os-release is a symlink to a file nobody asked for while streaming):
# served right the first time and tampered the second, the re-read fails on the digest instead of
# feeding the scan or the layer cache
python3 - "$W/symimg" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["LADING_SRC"], "tests", "tools"))
import mkimage as mk
layer = [("usr/share/real-os-release", "file", b'ID=alpine\nVERSION_ID=3.99.1\n'),
         ("etc/os-release", "symlink", "../usr/share/real-os-release"),
         ("lib/apk/db/installed", "file", b"P:musl\nV:1.2.3-r0\nA:x86_64\n\n"),
         ("opt/padding", "file", os.urandom(300000))]
mk.oci_layout(sys.argv[1], [mk.Image().add_layer(layer)], tags=["sym"])
PY
reg_push "oci:$W/symimg:sym" "127.0.0.1:$REG_PORT/alpine:sym"
LS=$(jq -r '.manifests[0].digest' "$W/symimg/index.json")
LS=$(jq -r '.layers[0].digest' "$W/symimg/blobs/sha256/${LS:7}")
rules '[]'
"$LADING_BIN" sbom --format json --no-cache "$P/alpine:sym" -o "$W/sym.json" 2> "$W/err" || bad "symlinked os-release: scan failed: $(cat "$W/err")"
[ "$(jq -r .image.os.version "$W/sym.json")" = 3.99.1 ] || bad "symlinked os-release: not read"
[ "$(count "blobs/$LS")" -eq 2 ] || bad "symlinked os-release: expected the layer read twice, got $(count "blobs/$LS")"
rules "[{\"match\": \"GET /v2/alpine/blobs/$LS\", \"after\": 1, \"action\": \"tamper\"}]"
PATTERNS=("digest mismatch" "$LS")
scan_fails "layer tampered between its first read and its re-read" --no-cache "$P/alpine:sym"
[ "$(count "blobs/$LS")" -eq 2 ] || bad "re-read tamper: expected two requests for the layer"
rules '[]'
echo "a re-read layer: verified before use"

# not a registry
rules '[{"match": "GET /v2/$", "action": "status", "status": 404}]'
PATTERNS=("does not speak the registry API v2")
scan_fails "no v2 API" --no-cache "$P/alpine:2l"

# two processes filling one empty cache at once: both right, the cache whole
rules '[]'
export XDG_CACHE_HOME="$W/shared-cache"
"$LADING_BIN" sbom --format json "$P/alpine:2l" -o "$W/p1.json" 2> "$W/p1.err" & p1=$!
"$LADING_BIN" sbom --format json "$P/alpine:2l" -o "$W/p2.json" 2> "$W/p2.err" & p2=$!
wait $p1 || bad "concurrent scan 1 failed: $(cat "$W/p1.err")"
wait $p2 || bad "concurrent scan 2 failed: $(cat "$W/p2.err")"
cmp -s "$W/p1.json" "$W/p2.json" || bad "concurrent scans differ"
[ -z "$(find "$XDG_CACHE_HOME" -name 'tmp.*')" ] || bad "concurrent scans left temporary files"
: > "$PLOG"
"$LADING_BIN" sbom --format json "$P/alpine:2l" -o "$W/p3.json"
cmp -s "$W/p1.json" "$W/p3.json" || bad "scan from the concurrently filled cache differs"
[ "$(count '/blobs/')" -eq 0 ] || bad "the concurrently filled cache was incomplete: $(count '/blobs/') blob requests"
echo "concurrent processes: one consistent cache"

# TLS: verified unless --insecure (a self-signed certificate)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls.key" -out "$W/tls.crt" -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -days 2 2>/dev/null
reg_start tls config.yml REGISTRY_HTTP_TLS_CERTIFICATE="$W/tls.crt" REGISTRY_HTTP_TLS_KEY="$W/tls.key"
reg_push "oci:$S/oci/alpine-3.20.3-twolayer:3.20.3-twolayer" "127.0.0.1:$REG_PORT/alpine:2l"
PATTERNS=("HTTPS" "certificate")
scan_fails "self-signed TLS without --insecure" --no-cache "127.0.0.1:$REG_PORT/alpine:2l"
if "$LADING_BIN" sbom --format json --no-cache --insecure "127.0.0.1:$REG_PORT/alpine:2l" -o "$W/tls.json" 2> "$W/err"; then
  cmp -s <(reg_norm "$W/tls.json") <(reg_norm "$W/archive.json") || bad "TLS --insecure: result differs"
  grep -q "\"GET /v2/alpine/blobs/" "$W/tls.log" || bad "TLS --insecure: no blob was fetched over TLS"
else
  bad "self-signed TLS with --insecure failed: $(cat "$W/err")"
fi
# --insecure names one host: a blob redirected from it to another host keeps TLS verification
# (the proxy answers plain HTTP for 127.0.0.1:PROXY_PORT; blobs move to https://localhost:TLS)
rules '[{"match": "GET /v2/.*/blobs/", "action": "redirect", "location": "https://localhost:'"$REG_PORT"'"}]'
PATTERNS=("certificate")
scan_fails "--insecure for the registry, redirect to another TLS host" --no-cache --insecure "$P/alpine:2l"
[ "$(count 'GET /v2/.*/blobs/' 307)" -ge 1 ] || bad "insecure scope: no blob was redirected"
rules '[]'
echo "TLS: verified, --insecure accepted for the registry named only"

# blob storage behind a redirect (an authenticated registry): no Authorization follows there
export XDG_CACHE_HOME="$W/cache-redirect"
htpasswd -Bbn carol "pw-$$" > "$W/htpasswd"
reg_start auth config-htpasswd.yml REGISTRY_AUTH_HTPASSWD_PATH="$W/htpasswd"
reg_push "oci:$S/oci/alpine-3.20.3-twolayer:3.20.3-twolayer" "127.0.0.1:$REG_PORT/alpine:2l" "carol:pw-$$"
reg_proxy_start proxy2 "$REG_PORT" "carol:pw-$$"
echo '[{"match": "GET /v2/.*/blobs/", "action": "redirect"}]' > "$W/proxy2/rules.json"
if printf 'pw-%s\n' "$$" | "$LADING_BIN" sbom --format json --username carol --password-stdin \
  "127.0.0.1:$PROXY_PORT/alpine:2l" -o "$W/redirect.json" 2> "$W/err"; then
  cmp -s <(reg_norm "$W/redirect.json") <(reg_norm "$W/archive.json") || bad "redirected blobs: result differs"
  R2="$W/proxy2/requests.jsonl"
  [ "$(jq -r 'select(.storage) | .path' "$R2" | wc -l)" -ge 3 ] || bad "blobs were not fetched from the storage port"
  [ "$(jq -r 'select(.storage and .auth) | .path' "$R2" | wc -l)" -eq 0 ] || bad "Authorization was sent to the storage host"
  [ "$(jq -r 'select((.storage | not) and (.path | test("/blobs/"))) | .auth' "$R2" | sort -u)" = true ] ||
    bad "blob requests to the registry itself should carry Authorization"
else
  bad "redirected blobs: scan failed: $(cat "$W/err")"
fi
echo "redirects: Authorization stays with the registry"
exit $fail

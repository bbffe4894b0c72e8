#!/usr/bin/env bash
# Registry caches: `lading sbom 127.0.0.1:PORT/IMAGE` against a local docker-registry.
# (1) a multi-layer image (debian-multi, 4 layers, ~340 MB compressed): first scan with empty
#     caches vs second scan (target: >= 10x faster), median of $RUNS, with the bytes downloaded
#     and the layers analyzed by each;
# (2) two images sharing a base (debian-minbase, then debian-multi whose layer 1 is minbase's):
#     the shared base is downloaded and analyzed once;
# (3) the same for a local docker-archive (uncompressed layers): first vs second sbom.
# Prints figures; never passes or fails. Needs docker-registry, skopeo, and the Debian test images
# (tests/setup/debian-images.sh: root and a Debian mirror the first time).
source "$(dirname "$0")/common.sh"
need docker-registry docker-registry
need skopeo skopeo
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
. "$BENCH_SRC/tests/registry/lib.sh"
trap 'reg_cleanup; rm -rf "$W"' EXIT
T=${LADING_TESTIMAGES:-$BUILD/testimages}
LADING_BUILD=$BUILD bash "$BENCH_SRC/tests/setup/debian-images.sh" "$T" >/dev/null 2>&1 ||
  { echo "bench: the Debian test images are missing and cannot be built here" >&2; exit 2; }

reg_start reg config.yml
R="127.0.0.1:$REG_PORT"
LOG="$W/reg.log"
for img in debian-minbase debian-multi; do reg_push "oci:$T/$img:latest" "$R/$img:latest"; done

# blob bytes and requests served since line $1 of the access log: "requests bytes"
served() {
  tail -n +"$(( $1 + 1 ))" "$LOG" | awk '/"GET \/v2\/[^ ]*\/blobs\// { for (i = 1; i < NF; i++) if ($i ~ /HTTP\/1/) { n++; b += $(i + 2) } }
    END { printf "%d %d\n", n, b }'
}
lines() { wc -l < "$LOG"; }
entries() { find "$1/lading/layers" -type f 2>/dev/null | wc -l; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

echo "== (1) debian-multi from the registry: empty caches vs warm caches (median of $RUNS)"
export XDG_CACHE_HOME="$W/c1"
read -r first rss1 < <(COLD=0 BEFORE="rm -rf '$W/c1'" measure "$LADING" sbom --format json "$R/debian-multi:latest")
rm -rf "$W/c1"
l0=$(lines); "$LADING" sbom --format json "$R/debian-multi:latest" > /dev/null
read -r n1 b1 < <(served "$l0"); e1=$(entries "$W/c1")
l0=$(lines)
read -r second rss2 < <(COLD=0 measure "$LADING" sbom --format json "$R/debian-multi:latest")
read -r n2 b2 < <(served "$l0")
read -r nocache _ < <(COLD=0 measure "$LADING" sbom --format json --no-cache "$R/debian-multi:latest")
printf '%-28s %9s %8s %14s %16s\n' scan seconds rss_mb blob_requests downloaded_mb
printf '%-28s %9s %8s %14s %16s\n' "first (empty caches)" "$first" "$rss1" "$n1" "$(mb "$b1")"
printf '%-28s %9s %8s %14s %16s\n' "second (caches)" "$second" "$rss2" "$((n2 / RUNS))" "$(mb $((b2 / RUNS)))"
printf '%-28s %9s\n' "--no-cache (for reference)" "$nocache"
echo "layers analyzed: first $e1 of 4, second 0 (entries unchanged: $(entries "$W/c1"))"
echo "second scan: $(ratio "$first" "$second")x faster than the first"

echo
echo "== (2) two images sharing a base: debian-minbase, then debian-multi, one cache"
export XDG_CACHE_HOME="$W/c2"
base=$(skopeo inspect --tls-verify=false "docker://$R/debian-multi:latest" | jq -r '.Layers[0]')
base_gets() { tail -n +"$(( $1 + 1 ))" "$LOG" | grep -c "\"GET /v2/[^ ]*/blobs/$base" || true; }
l0=$(lines); "$LADING" sbom --format json "$R/debian-minbase:latest" > /dev/null
read -r na ba < <(served "$l0"); ea=$(entries "$W/c2"); ga=$(base_gets "$l0")
l0=$(lines); "$LADING" sbom --format json "$R/debian-multi:latest" > /dev/null
read -r nb bb < <(served "$l0"); eb=$(( $(entries "$W/c2") - ea )); gb=$(base_gets "$l0")
printf '%-16s %14s %16s %16s\n' image blob_requests downloaded_mb layers_analyzed
printf '%-16s %14s %16s %16s\n' debian-minbase "$na" "$(mb "$ba")" "$ea"
printf '%-16s %14s %16s %16s\n' debian-multi "$nb" "$(mb "$bb")" "$eb of 4"
echo "shared base ${base:0:19}: downloaded by debian-minbase $ga time(s), by debian-multi $gb time(s)"

echo
echo "== (3) a local docker-archive (debian-multi.tar, $(du -m "$T/debian-multi.tar" | cut -f1) MB uncompressed)"
export XDG_CACHE_HOME="$W/c3"
read -r lf _ < <(COLD=0 BEFORE="rm -rf '$W/c3'" measure "$LADING" sbom --format json "$T/debian-multi.tar")
"$LADING" sbom --format json "$T/debian-multi.tar" > /dev/null
read -r ls _ < <(COLD=0 measure "$LADING" sbom --format json "$T/debian-multi.tar")
echo "first ${lf}s, second ${ls}s: $(ratio "$lf" "$ls")x"
echo "cache size after all: $(du -sm "$W/c1" | cut -f1) MB for debian-multi (blobs $(du -sm "$W/c1/lading/blobs" | cut -f1) MB, layers $(du -sk "$W/c1/lading/layers" | cut -f1) KB)"

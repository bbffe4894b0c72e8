#!/usr/bin/env bash
# lading sbom vs Trivy's offline inventory (CycloneDX), on the same image files in the same run,
# with a bare decompression of the same layers as the floor. Prints median wall time and peak
# RSS over $RUNS runs, page cache dropped before each run (as root), Trivy with a fresh cache dir
# each run. Images: Alpine 3.20.3, the Debian multi-layer image of tests/setup, and the javago
# image of bench/mkjavago.sh (a fat jar, nested jars, a venv, an npm tree, Go binaries) both as a
# docker-archive and as an OCI layout (skipped when it cannot be built: needs root and npm;
# JAVAGO=0 skips it). ONLY=REGEX measures only the images whose label matches (e.g. ONLY=javago).
source "$(dirname "$0")/common.sh"
need igzip isal
TRIVY=$(trivy_bin)
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
T=$BUILD/testimages
LADING_BUILD=$BUILD bash "$BENCH_SRC/tests/setup/debian-images.sh" "$T" >&2

# the same file for both tools: docker archives that keep the OCI layouts' gzip layers (Trivy
# 0.44 cannot read an oci-archive tar from --input)
bash "$BENCH_SRC/bench/oci2docker.sh" "$SHARED/images/oci/alpine-3.20.3" "$W/alpine.tar" bench/alpine:3.20.3
bash "$BENCH_SRC/bench/oci2docker.sh" "$T/debian-multi" "$W/debian.tar" bench/debian-multi:latest
# label, the input both tools read, the OCI layout whose blobs it holds (for the floor)
images=("alpine $W/alpine.tar $SHARED/images/oci/alpine-3.20.3" "debian $W/debian.tar $T/debian-multi")
if [ "${JAVAGO:-1}" = 1 ] && LADING_BUILD=$BUILD bash "$BENCH_SRC/bench/mkjavago.sh" "$T" >&2; then
  images+=("javago-docker $T/javago.tar $T/javago" "javago-oci $T/javago $T/javago")
fi

floor() { # decompress every layer blob of an OCI layout, sequentially
  local dir=$1 m
  m=$(jq -r '.manifests[0].digest' "$dir/index.json"); m=${m#sha256:}
  for l in $(jq -r '.layers[].digest' "$dir/blobs/sha256/$m"); do igzip -dc < "$dir/blobs/sha256/${l#sha256:}" > /dev/null; done
}
export -f floor

if [ -n "${ONLY:-}" ]; then
  kept=(); for spec in "${images[@]}"; do [[ ${spec%% *} =~ $ONLY ]] && kept+=("$spec"); done; images=("${kept[@]}")
fi
printf '%-14s %-9s %10s %10s %12s %12s %10s %10s %12s\n' image size lading_s trivy_s speedup floor_s vs_floor lading_MB trivy_MB
for spec in "${images[@]}"; do
  read -r img f dir <<< "$spec"
  size=$(du -sm "$f" | cut -f1)MB
  read -r lt lr < <(measure "$LADING" sbom --no-cache --format cyclonedx "$f") # cold: no layer cache
  read -r tt tr < <(BEFORE="rm -rf $W/tcache; trivy_stub_cache $W/tcache" measure unshare -n "$TRIVY" image --input "$f" --format cyclonedx \
      --output "$W/t.json" --cache-dir "$W/tcache" --skip-db-update --skip-java-db-update --offline-scan --quiet --no-progress)
  read -r ft _ < <(measure bash -c "floor $dir")
  printf '%-14s %-9s %10s %10s %11sx %12s %9sx %10s %10s  (rss ratio %s)\n' "$img" "$size" "$lt" "$tt" "$(ratio "$tt" "$lt")" \
    "$ft" "$(ratio "$lt" "$ft")" "$lr" "$tr" "$(ratio "$lr" "$tr")"
done
echo "targets: speedup >= 5x, lading RSS <= 1/4 of Trivy's, lading within 1.4x of the decompression floor"
for spec in "${images[@]}"; do
  read -r img f _ <<< "$spec"
  rm -rf "$W/tcache"; trivy_stub_cache "$W/tcache"
  unshare -n "$TRIVY" image --input "$f" --format cyclonedx --output "$W/t.json" --cache-dir "$W/tcache" \
    --skip-db-update --skip-java-db-update --offline-scan --quiet --no-progress >/dev/null 2>&1 || true
  echo "packages in $img: lading $("$LADING" sbom --no-cache --format json "$f" | jq '.packages | length')," \
    "by type $("$LADING" sbom --no-cache --format json "$f" | jq -c '[.packages[].type] | group_by(.) | map({(.[0]): length}) | add')" \
    "vs trivy (cyclonedx library components) $(jq '[.. | objects | select(.type? == "library")] | length' "$W/t.json")"
done

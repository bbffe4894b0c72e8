#!/usr/bin/env bash
# lading sbom vs Trivy's offline inventory on one generated layer of N empty files (a
# node_modules tree, bench/mkmanyfiles.py) at 10k, 100k, 1M and 5M files: median wall time and
# peak RSS of $RUNS runs, the same docker-archive for both tools, page cache dropped before each
# run (as root), lading with --no-cache, Trivy with a fresh cache dir. SIZES overrides the list.
source "$(dirname "$0")/common.sh"
need jq jq
TRIVY=$(trivy_bin)
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
SIZES=${SIZES:-10000 100000 1000000 5000000}

printf '%-9s %9s %10s %10s %9s %10s %10s %9s\n' files archive lading_s trivy_s speedup lading_MB trivy_MB rss_ratio
for n in $SIZES; do
  python3 "$BENCH_SRC/bench/mkmanyfiles.py" "$n" "$W/oci-$n"
  bash "$BENCH_SRC/bench/oci2docker.sh" "$W/oci-$n" "$W/many-$n.tar" "bench/many:$n"
  rm -rf "$W/oci-$n"
  f="$W/many-$n.tar"
  size=$(du -m "$f" | cut -f1)MB
  read -r lt lr < <(measure "$LADING" sbom --no-cache --format cyclonedx "$f")
  read -r tt tr < <(BEFORE="rm -rf $W/tcache; trivy_stub_cache $W/tcache" measure unshare -n "$TRIVY" image --input "$f" \
      --format cyclonedx --output "$W/t.json" --cache-dir "$W/tcache" --skip-db-update --skip-java-db-update \
      --offline-scan --quiet --no-progress)
  printf '%-9s %9s %10s %10s %8sx %10s %10s %9s\n' "$n" "$size" "$lt" "$tt" "$(ratio "$tt" "$lt")" "$lr" "$tr" \
    "$(ratio "$lr" "$tr")"
  rm -f "$f"
done
echo "targets at 1M files: speedup >= 5x, lading RSS <= 1/4 of Trivy's (rss_ratio <= 0.25)"

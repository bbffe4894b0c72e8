#!/usr/bin/env bash
# Scan benchmark: (1) the match stage on 10,000 packages (bench/match_bench.c; target <= 50 ms);
# (2) `lading scan` wall time against `lading sbom` on the same images (target <= 1.1x), warm
# page cache, median of $RUNS runs. Prints figures; never passes or fails.
source "$(dirname "$0")/common.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
DB=$(LADING_BUILD=$BUILD LADING_BIN=$LADING LADING_SHARED=$SHARED bash "$BENCH_SRC/tests/setup/vulndb.sh")
LIB="$BUILD/src/lib/liblading.a"
cc -O2 -std=c11 -D_GNU_SOURCE -I"$BENCH_SRC/src/lib" -I"$BENCH_SRC/include" "$BENCH_SRC/bench/match_bench.c" "$LIB" \
  $(pkg-config --libs libarchive libzstd libisal libcrypto libcurl yaml-0.1 zlib sqlite3) -lpthread -lm -o "$W/match_bench"
"$W/match_bench" "$DB" 10000 10
LADING_BUILD=$BUILD bash "$BENCH_SRC/tests/setup/debian-images.sh" "$BUILD/testimages" >/dev/null 2>&1
PAIRS=${PAIRS:-11}
# twice: with the layer cache (the usual second look at an image) and without it (every layer read)
printf '%-34s %-10s %10s %10s %8s\n' image layers sbom_s scan_s ratio
for cache in cached --no-cache; do
  flag=(); [ "$cache" = --no-cache ] && flag=(--no-cache)
  for img in "$SHARED/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz" "$SHARED/images/oci/alpine-3.9.6" \
             "$BUILD/testimages/debian-multi"; do
    # sbom and scan alternate, one run each per round, so the machine's drift hits both alike;
    # the ratio is the median of the rounds' ratios
    sts=(); cts=(); rs=()
    for _ in $(seq "$PAIRS"); do
      read -r st _ < <(RUNS=1 COLD=0 measure "$LADING" sbom "${flag[@]}" --format json "$img")
      read -r ct _ < <(RUNS=1 COLD=0 measure "$LADING" scan "${flag[@]}" --db "$DB" --format json "$img")
      sts+=("$st"); cts+=("$ct"); rs+=("$(ratio "$ct" "$st")")
    done
    printf '%-34s %-10s %10s %10s %7sx\n' "$(basename "$img")" "$cache" "$(median "${sts[@]}")" \
      "$(median "${cts[@]}")" "$(median "${rs[@]}")"
  done
done

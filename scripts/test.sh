#!/usr/bin/env bash
# Run the test suite: configure + build (if needed) and CTest.
#   scripts/test.sh              all tests on the normal build (build/)
#   scripts/test.sh --sanitize   an ASan+UBSan build (build-asan/) running the unit tests, the
#                                fuzz-corpus replays and the image-parsing integration tests
#   scripts/test.sh --minimal    only the build without the optional components (build-min/:
#                                -DLADING_CENSUS=OFF -DLADING_HONEYPOT=OFF) and its checks
# The normal run does the --minimal one first (library and CLI only, no test suite).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jobs=$(nproc)
if [ "${1:-}" = "--sanitize" ]; then
  b="$here/build-asan"
  cmake -S "$here" -B "$b" -DCMAKE_BUILD_TYPE=Debug -DLADING_SANITIZE=ON -DLADING_WERROR=ON >/dev/null
  cmake --build "$b" -j"$jobs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  exec ctest --test-dir "$b" --output-on-failure -j"$jobs" \
    -R "${LADING_ASAN_TESTS:-unit|fuzz|images_hostile|images_shared|sbom_schemas}"
fi
minimal() {
  local m="$here/build-min" lib
  cmake -S "$here" -B "$m" -DLADING_WERROR=ON -DLADING_TESTS=OFF -DLADING_CENSUS=OFF \
    -DLADING_HONEYPOT=OFF >/dev/null
  cmake --build "$m" -j"$jobs" --target lading_cli
  lib=$(readlink -f "$m/src/lib/liblading.so")
  # the scanner library without the optional components links none of their libraries ...
  if readelf -d "$lib" | grep -E 'NEEDED.*(libexpat|libmaxminddb|libnghttp2|libssl)\.'; then
    echo "build-min: liblading links a library of an optional component" >&2; return 1
  fi
  # ... and its CLI has none of their commands
  if "$m/lading" --help | grep -E '^  (honeypot|probe|census) '; then
    echo "build-min: lading --help lists a command that was left out" >&2; return 1
  fi
  "$m/lading" vercmp deb 1.0 1.1 >/dev/null
}
if [ "${1:-}" = "--minimal" ]; then
  minimal
  exit 0
fi
# the files that already follow .clang-format keep doing so (scripts/format-clean.txt)
"$here/scripts/format-check.sh"
minimal
b="$here/build"
cmake -S "$here" -B "$b" -DLADING_WERROR=ON >/dev/null
cmake --build "$b" -j"$jobs"
exec ctest --test-dir "$b" --output-on-failure -j"$jobs"

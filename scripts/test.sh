#!/usr/bin/env bash
# Run the test suite: configure + build (if needed) and CTest.
#   scripts/test.sh              all tests on the normal build (build/)
#   scripts/test.sh --sanitize   an ASan+UBSan build (build-asan/) running the unit tests, the
#                                fuzz-corpus replays and the image-parsing integration tests
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
# the files that already follow .clang-format keep doing so (scripts/format-clean.txt)
"$here/scripts/format-check.sh"
b="$here/build"
cmake -S "$here" -B "$b" -DLADING_WERROR=ON >/dev/null
cmake --build "$b" -j"$jobs"
exec ctest --test-dir "$b" --output-on-failure -j"$jobs"

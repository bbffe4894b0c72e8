#!/usr/bin/env bash
# A vulnerability database built once from ../shared/vulndata for the tests that need one
# (cached under the build dir; several tests may ask at once). Prints its path.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_BUILD:?}"
d="$LADING_BUILD/testdb"
mkdir -p "$d"
exec 9>"$d/.lock"
flock 9
# rebuilt when the CLI or the shared library it runs on (src/lib/liblading.so.*) is newer
stale=0
for f in "$LADING_BIN" "$LADING_BUILD"/src/lib/liblading.so.*; do
  [ -e "$f" ] && [ "$f" -nt "$d/db.sqlite" ] && stale=1
done
if [ ! -s "$d/db.sqlite" ] || [ "$stale" = 1 ]; then
  "$LADING_BIN" db build --mirror "$LADING_SHARED/vulndata" --db "$d/db.sqlite" > "$d/build.log" 2>&1 || {
    cat "$d/build.log" >&2; exit 1; }
fi
echo "$d/db.sqlite"

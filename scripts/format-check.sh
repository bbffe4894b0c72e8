#!/usr/bin/env bash
# Check C formatting against .clang-format (clang-format 14, Debian's clang-format package).
#   scripts/format-check.sh              the files listed in scripts/format-clean.txt (those that
#                                        conform today; scripts/test.sh runs this)
#   scripts/format-check.sh --all        every C file of src/ include/ tests/unit/ fuzz/
#   scripts/format-check.sh FILE...      the files given
#   --count                              print how many lines would change instead of the diff
# Exit status: 0 all conform, 1 some would change, 2 no clang-format.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cf=""
for c in clang-format-14 clang-format; do
  if command -v "$c" >/dev/null 2>&1; then cf=$c; break; fi
done
if [ -z "$cf" ]; then
  echo "format-check: clang-format not found (apt-get install clang-format)" >&2
  exit 2
fi
count=0
files=()
for a in "$@"; do
  case $a in
    --count) count=1 ;;
    --all) mapfile -t -O "${#files[@]}" files < <(git ls-files 'src/*.[ch]' 'include/*.h' 'tests/unit/*.[ch]' 'fuzz/*.[ch]') ;;
    *) files+=("$a") ;;
  esac
done
if [ "${#files[@]}" -eq 0 ]; then
  mapfile -t files < <(grep -v '^#' scripts/format-clean.txt | grep .)
fi
changed=0 bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "format-check: $f: no such file" >&2; bad=$((bad + 1)); continue; }
  d=$("$cf" --style=file "$f" | diff -u "$f" - || true)
  [ -n "$d" ] || continue
  bad=$((bad + 1))
  n=$(printf '%s\n' "$d" | grep -c '^-\([^-]\|$\)' || true)
  changed=$((changed + n))
  if [ "$count" = 1 ]; then echo "$n $f"; else printf '%s\n' "$d"; fi
done
if [ "$bad" -gt 0 ]; then
  echo "format-check: ${bad} of ${#files[@]} file(s) differ from .clang-format (${changed} line(s)); fix with: $cf -i --style=file FILE" >&2
  exit 1
fi
echo "format-check: ${#files[@]} file(s) conform"

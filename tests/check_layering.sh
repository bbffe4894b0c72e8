#!/usr/bin/env bash
# Data flows one way: util <- version <- source <- layer <- catalog <- vulndb <- match <- store <- census <- honeypot
# <- report <- api <- service.
# A stage may include headers of itself and of stages before it, never of a later stage; the CLI
# includes only public headers (lading/...). Also checks that no library file includes banned.h-
# breaking system headers after util/common.h is impossible to check cheaply, so we only check order.
set -euo pipefail
src="${1:-.}"
order=(util version source layer catalog vulndb match store census honeypot report api service)
fail=0
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
for stage in "${order[@]}"; do
  r=$(rank "$stage")
  for f in "$src"/src/lib/"$stage"/*.[ch]; do
    [ -e "$f" ] || continue
    while IFS= read -r inc; do
      dep=${inc%%/*}
      dr=$(rank "$dep")
      [ "$dr" -lt 0 ] && continue
      if [ "$dr" -gt "$r" ]; then echo "layering: $f includes $inc (stage $dep comes after $stage)"; fail=1; fi
    done < <(sed -n 's/^#include "\([a-z_]*\/[^"]*\)".*/\1/p' "$f")
  done
done
for f in "$src"/src/cli/*.[ch]; do
  [ -e "$f" ] || continue
  if grep -nE '^#include "(util|version|source|layer|catalog|vulndb|match|store|census|honeypot|report|api|service)/' "$f"; then
    echo "layering: $f includes a library-internal header (the CLI uses only the public API)"; fail=1
  fi
done
exit $fail

#!/usr/bin/env bash
# The library's stages as a dependency graph: each stage lists the stages whose headers it may
# include (besides its own and the public lading/ headers); an include of any other stage fails.
# The image pipeline runs util -> version -> source -> layer -> catalog -> vulndb -> match ->
# report -> api; the inventory store, census, honeypot and service hang off it where they use it.
# The optional components (census, honeypot: -DLADING_CENSUS=OFF, -DLADING_HONEYPOT=OFF) must be
# included by nothing but the api's format table (census, under LADING_HAVE_CENSUS), so leaving
# them out leaves the rest whole. The CLI includes only public headers (lading/...).
set -euo pipefail
src="${1:-.}"
declare -A may=(
  [util]=""
  [version]="util"
  [source]="util"
  [layer]="util source"
  [catalog]="util source layer"
  [vulndb]="util version"
  [match]="util version source layer catalog vulndb"
  [store]="util"
  [census]="util version vulndb match store"
  [honeypot]="util"
  [report]="util version source layer catalog vulndb match store"
  [api]="util version source layer catalog vulndb match store census report"
  [service]="util store api"
)
stages="util version source layer catalog vulndb match store census honeypot report api service"
fail=0
allowed() { # allowed STAGE DEP
  local d
  [ "$1" = "$2" ] && return 0
  for d in ${may[$1]}; do [ "$d" = "$2" ] && return 0; done
  return 1
}
for stage in $stages; do
  for f in "$src"/src/lib/"$stage"/*.[ch]; do
    [ -e "$f" ] || continue
    while IFS= read -r inc; do
      dep=${inc%%/*}
      [ -n "${may[$dep]+x}" ] || continue # not a stage (lading/, system)
      if ! allowed "$stage" "$dep"; then
        echo "layering: $f includes $inc ($stage may include: ${may[$stage]:-nothing})"; fail=1
      fi
    done < <(sed -n 's/^#include "\([a-z_]*\/[^"]*\)".*/\1/p' "$f")
  done
done
# an optional component's headers only under its LADING_HAVE_ guard
for f in "$src"/src/lib/api/*.[ch]; do
  [ -e "$f" ] || continue
  if grep -q '^#include "census/' "$f" && ! grep -q '^#ifdef LADING_HAVE_CENSUS' "$f"; then
    echo "layering: $f includes census/ outside #ifdef LADING_HAVE_CENSUS"; fail=1
  fi
done
for f in "$src"/src/cli/*.[ch]; do
  [ -e "$f" ] || continue
  if grep -nE '^#include "(util|version|source|layer|catalog|vulndb|match|store|census|honeypot|report|api|service)/' "$f"; then
    echo "layering: $f includes a library-internal header (the CLI uses only the public API)"; fail=1
  fi
done
exit $fail

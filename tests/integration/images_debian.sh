#!/usr/bin/env bash
# Real Debian images made by tests/setup/debian-images.sh (debootstrap bookworm minbase, and a
# four-layer image with apt-get installs and a purge): the inventory equals dpkg-query on the
# same root filesystem; OCI and docker-archive agree; packages are attributed to the layer
# whose apt-get brought them; the purged package is gone.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_BUILD:?}" "${LADING_WORK:?}" "${LADING_SRC:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: building Debian images needs root"; exit 77; fi
T=${LADING_TESTIMAGES:-$LADING_BUILD/testimages}
bash "$LADING_SRC/tests/setup/debian-images.sh" "$T"
W="$LADING_WORK/images_debian"; rm -rf "$W"; mkdir -p "$W"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

for img in debian-minbase debian-multi; do
  # reference: installed packages (files on disk) as dpkg-query lists them
  awk -F'\t' '$4 ~ /^.[UFWti]/ {print $1"\t"$2"\t"$3"\t"$5"\t"$6}' "$T/$img.expected" | sort > "$W/$img.expected"
  for ref in "$T/$img" "docker-archive:$T/$img.tar"; do
    n=$(basename "${ref#docker-archive:}")
    "$LADING_BIN" sbom --format json "$ref" -o "$W/$n.json" || { bad "$ref: sbom failed"; continue; }
    jq -r '.packages[] | select(.type == "deb") | [.name, .version, .arch, .source.name, .source.version] | @tsv' "$W/$n.json" | sort > "$W/$n.ours"
    if ! diff -u "$W/$img.expected" "$W/$n.ours" > "$W/$n.diff"; then bad "$ref differs from dpkg-query"; head -20 "$W/$n.diff"; fi
    [ "$(jq -r .image.os.id "$W/$n.json")" = debian ] || bad "$ref: OS not debian"
    [ "$(jq -r .image.os.codename "$W/$n.json")" = bookworm ] || bad "$ref: codename not bookworm"
    jq -e '[.packages[] | select(.type == "deb") | .purl | startswith("pkg:deb/debian/")] | all' "$W/$n.json" >/dev/null || bad "$ref: purls"
  done
  jq -S 'del(.source)' "$W/$img.json" > "$W/a"; jq -S 'del(.source)' "$W/$img.tar.json" > "$W/b"
  cmp -s "$W/a" "$W/b" || bad "$img: OCI and docker-archive JSON differ"
done
echo "minbase: $(wc -l < "$W/debian-minbase.expected") packages, multi: $(wc -l < "$W/debian-multi.expected") packages"

m="$W/debian-multi.json"
layer_of() { jq -r --arg n "$1" '.packages[] | select(.name == $n) | .layer.index' "$m"; }
[ "$(layer_of bash)" = 0 ] || bad "bash should come from layer 0 (debootstrap), got $(layer_of bash)"
[ "$(layer_of python3)" = 1 ] || bad "python3 should come from layer 1, got $(layer_of python3)"
[ "$(layer_of git)" = 2 ] || bad "git should come from layer 2, got $(layer_of git)"
[ -z "$(layer_of curl)" ] || bad "curl was purged in layer 3 but is listed"
[ "$(jq '.image.layers | length' "$m")" = 4 ] || bad "debian-multi should have 4 layers"
jq -e '.image.layers[3].created_by | test("purge curl")' "$m" >/dev/null || bad "created_by of layer 4"
# owned files from info/*.list
[ "$(jq -r '.packages[] | select(.name == "bash") | .file_count' "$m")" -gt 50 ] || bad "bash owns no files"
"$LADING_BIN" sbom --format json --files "$T/debian-multi" | jq -e '.packages[] | select(.name == "bash") | .files | index("/bin/bash") != null' >/dev/null \
  || bad "bash's files do not include /bin/bash"
exit $fail

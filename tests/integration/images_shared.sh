#!/usr/bin/env bash
# Every image in ../shared/images: the inventory equals the image's own package database
# (read here independently with tar+awk); OCI and docker-archive forms give identical JSON apart
# from "source"; output is byte-identical across runs; the two-layer image has no /etc/motd.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}"
W="$LADING_WORK/images_shared"
rm -rf "$W"; mkdir -p "$W"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

expected_apk() { # name version arch origin, from an installed DB on stdin
  awk 'BEGIN{RS=""; FS="\n"} { n=v=a=o=""; for(i=1;i<=NF;i++){ k=substr($i,1,2); x=substr($i,3);
       if(k=="P:")n=x; else if(k=="V:")v=x; else if(k=="A:")a=x; else if(k=="o:")o=x }
       if(n!=""&&v!="") print n"\t"v"\t"a"\t"(o==""?n:o) }' | sort
}
ours() { jq -r '.packages[] | [.name, .version, .arch, .source.name] | @tsv' "$1" | sort; }

for t in "$LADING_SHARED"/images/alpine/*.tar.gz; do
  b=$(basename "$t" .tar.gz)
  "$LADING_BIN" sbom --format json "$t" > "$W/$b.json" || { bad "$b: sbom failed"; continue; }
  tar -xzOf "$t" ./lib/apk/db/installed | expected_apk > "$W/$b.expected"
  ours "$W/$b.json" > "$W/$b.ours"
  if ! diff -u "$W/$b.expected" "$W/$b.ours" > "$W/$b.diff"; then bad "$b: inventory differs"; cat "$W/$b.diff"; fi
  rel=$(tar -xzOf "$t" ./etc/alpine-release | head -1)
  [ "$(jq -r .image.os.version "$W/$b.json")" = "$rel" ] || bad "$b: OS version is not $rel"
  [ "$(jq -r '.source.layers[0].compression' "$W/$b.json")" = gzip ] || bad "$b: compression not detected"
  sum=$(cd "$LADING_SHARED/images/alpine" && sha256sum "$b.tar.gz" | cut -d' ' -f1)
  [ "$(jq -r '.image.layers[0].digest' "$W/$b.json")" = "sha256:$sum" ] || bad "$b: layer digest is not the file's sha256"
done
echo "alpine root filesystems: $(ls "$LADING_SHARED"/images/alpine/*.tar.gz | wc -l) checked"

for d in "$LADING_SHARED"/images/oci/*; do
  b=$(basename "$d")
  "$LADING_BIN" sbom --format json "$d" > "$W/oci-$b.json" || { bad "oci $b: sbom failed"; continue; }
  "$LADING_BIN" sbom --format json "docker-archive:$LADING_SHARED/images/docker-archive/$b.tar" > "$W/da-$b.json" \
    || { bad "docker-archive $b failed"; continue; }
  jq -S 'del(.source)' "$W/oci-$b.json" > "$W/oci-$b.nosrc"
  jq -S 'del(.source)' "$W/da-$b.json" > "$W/da-$b.nosrc"
  cmp -s "$W/oci-$b.nosrc" "$W/da-$b.nosrc" || { bad "$b: OCI and docker-archive differ"; diff "$W/oci-$b.nosrc" "$W/da-$b.nosrc" | head; }
  "$LADING_BIN" sbom --format json "$d" > "$W/oci-$b.again.json"
  cmp -s "$W/oci-$b.json" "$W/oci-$b.again.json" || bad "$b: output not byte-identical across runs"
  # the inventory equals the image's own DB (layer 1 is the minirootfs it was built from)
  ver=${b#alpine-}; ver=${ver%-twolayer}
  tar -xzOf "$LADING_SHARED/images/alpine/alpine-minirootfs-$ver-x86_64.tar.gz" ./lib/apk/db/installed | expected_apk > "$W/oci-$b.expected"
  ours "$W/oci-$b.json" > "$W/oci-$b.ours"
  diff -u "$W/oci-$b.expected" "$W/oci-$b.ours" || bad "oci $b: inventory differs"
  [ "$(jq -r '.source.manifest_digest' "$W/oci-$b.json")" = "$(jq -r '.manifests[0].digest' "$d/index.json")" ] || bad "$b: manifest digest"
done

# the two-layer image: /etc/motd whited out, alpine-baselayout still attributed to layer 1
tl="$W/oci-alpine-3.20.3-twolayer.json"
[ "$(jq '.image.layers | length' "$tl")" = 2 ] || bad "twolayer: not 2 layers"
[ "$(jq -r '[.packages[].layer.index] | unique | join(",")' "$tl")" = "0" ] || bad "twolayer: packages not from layer 0"
echo "oci/docker-archive pairs: $(ls -d "$LADING_SHARED"/images/oci/* | wc -l) checked"
exit $fail

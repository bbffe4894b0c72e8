#!/usr/bin/env bash
# The studies' method on the images at hand (docs/fleet-study.md): every image of ../shared (18
# Alpine minirootfs releases, the OCI layouts and docker archives) and the Debian and language
# test images of tests/setup, scanned with the test database built from ../shared/vulndata,
# gathered into a fleet export (tests/tools/scan_to_fleet.py), and `lading report fleet` run on
# it grouped official/community (the Alpine and Debian images under docker.io/library/ names,
# the test builds under a private registry's). Prints the report (table) and writes the JSON and
# HTML to $OUT (default: a temporary directory). A demonstration of the method, not a claim.
source "$(dirname "$0")/common.sh"
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/lading-study.XXXXXX")}
mkdir -p "$OUT"
T=${LADING_TESTIMAGES:-$BUILD/testimages}
DB=${LADING_TESTDB:-$(LADING_BIN=$LADING LADING_SHARED=$SHARED LADING_BUILD=$BUILD bash "$BENCH_SRC/tests/setup/vulndb.sh")}
NOW=${NOW:-2026-12-07T00:00:00Z}
specs=()
scan() { # scan IMAGE NAME REFS [CREATED]
  "$LADING" scan --db "$DB" --format json -o "$OUT/$2.scan.json" "$1" >/dev/null 2>>"$OUT/scan.log" || true
  [ -s "$OUT/$2.scan.json" ] && specs+=("$OUT/$2.scan.json=$3${4:+@$4}")
}
for f in "$SHARED"/images/alpine/alpine-minirootfs-*-x86_64.tar.gz; do
  v=${f##*/alpine-minirootfs-}; v=${v%-x86_64.tar.gz}
  # no image config: the newest file of the root filesystem stands in for its creation time
  created=$(python3 -c "import tarfile,sys,datetime; print(datetime.datetime.fromtimestamp(max(m.mtime for m in tarfile.open(sys.argv[1])), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$f")
  scan "$f" "alpine-$v" "docker.io/library/alpine:$v" "$created"
done
for d in "$SHARED"/images/oci/*/; do
  n=$(basename "$d"); tag=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$d/index.json")
  scan "oci:$d" "oci-$n" "docker.io/library/alpine:$tag"
done
for f in "$SHARED"/images/docker-archive/*.tar; do
  n=$(basename "$f" .tar); scan "docker-archive:$f" "da-$n" "docker.io/library/alpine:${n#alpine-}"
done
for img in debian-minbase debian-multi; do
  [ -d "$T/$img" ] && scan "oci:$T/$img:latest" "$img" "registry.example.com:5000/lading/$img:latest"
done
[ -d "$T/lang" ] && scan "oci:$T/lang" lang "registry.example.com:5000/lading/lang:latest"
python3 "$BENCH_SRC/tests/tools/scan_to_fleet.py" -o "$OUT/fleet.json" --generated "$NOW" "${specs[@]}"
echo "$(jq '.images | length' "$OUT/fleet.json") images from ${#specs[@]} scans; outputs in $OUT"
"$LADING" report fleet --from "$OUT/fleet.json" --now "$NOW" | tee "$OUT/report.txt"
"$LADING" report fleet --from "$OUT/fleet.json" --now "$NOW" --format json -o "$OUT/report.json"
"$LADING" report fleet --from "$OUT/fleet.json" --now "$NOW" --format html -o "$OUT/report.html"

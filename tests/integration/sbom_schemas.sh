#!/usr/bin/env bash
# CycloneDX 1.5 and SPDX 2.3 output validates against the official schemas.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}"
W="$LADING_WORK/sbom_schemas"; rm -rf "$W"; mkdir -p "$W"
V="$LADING_SRC/tests/tools/validate.sh"
fail=0
for img in "$LADING_SHARED/images/oci/alpine-3.20.3-twolayer" "docker-archive:$LADING_SHARED/images/docker-archive/alpine-3.9.6.tar" \
           "dir:$LADING_SHARED/fixtures/rpmdb/sle15-bci" "dir:$LADING_SHARED/fixtures/dpkg/ubuntu1804"; do
  n=$(echo "$img" | tr -c 'a-zA-Z0-9.\n' '_')
  "$LADING_BIN" sbom --format cyclonedx --files "$img" -o "$W/$n.cdx.json"
  "$LADING_BIN" sbom --format spdx "$img" -o "$W/$n.spdx.json"
  bash "$V" cyclonedx-1.5 "$W/$n.cdx.json" || fail=1
  bash "$V" spdx-2.3 "$W/$n.spdx.json" || fail=1
  # the validators must be able to fail: a broken document is rejected
  jq '.specVersion = 5' "$W/$n.cdx.json" > "$W/$n.broken.json"
  if bash "$V" cyclonedx-1.5 "$W/$n.broken.json" >/dev/null 2>&1; then echo "FAIL: broken CycloneDX accepted"; fail=1; fi
done
exit $fail

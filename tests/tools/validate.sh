#!/usr/bin/env bash
# Validate a JSON document against an official schema of ../shared/schemas with
# ../shared/tools/validate-json.mjs (Ajv from the npm registry, installed once under the build dir).
# Usage: validate.sh cyclonedx-1.5|spdx-2.3|sarif-2.1.0|openvex DOCUMENT
set -euo pipefail
kind=$1 doc=$2
: "${LADING_SHARED:?}" "${LADING_BUILD:?}"
nd="$LADING_BUILD/node-validate"
if [ ! -d "$nd/node_modules/ajv-draft-04" ]; then
  mkdir -p "$nd"
  (cd "$nd" && npm install --silent --no-audit --no-fund ajv@8 ajv-formats@2 ajv-draft-04@1 >/dev/null 2>&1) || {
    echo "cannot install the JSON-schema validator from the npm registry" >&2; exit 2; }
fi
s="$LADING_SHARED/schemas"
doc=$(cd "$(dirname "$doc")" && pwd)/$(basename "$doc")
cd "$nd"
case "$kind" in
  cyclonedx-1.5) exec node "$LADING_SHARED/tools/validate-json.mjs" "$s/bom-1.5.schema.json" "$doc" "$s/spdx.schema.json" "$s/jsf-0.82.schema.json" ;;
  spdx-2.3) exec node "$LADING_SHARED/tools/validate-json.mjs" "$s/spdx-2.3-schema.json" "$doc" ;;
  sarif-2.1.0) exec node "$LADING_SHARED/tools/validate-json.mjs" "$s/sarif-schema-2.1.0.json" "$doc" ;;
  openvex) exec node "$LADING_SHARED/tools/validate-json.mjs" "$s/openvex_json_schema.json" "$doc" ;;
  *) echo "unknown schema kind $kind" >&2; exit 2 ;;
esac

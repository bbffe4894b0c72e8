#!/usr/bin/env bash
# Make a docker-archive (Docker 25+ layout: manifest.json naming blobs/sha256/...) that keeps an
# OCI layout's compressed layers as they are, so both lading and Trivy read the same gzip blobs.
# Usage: oci2docker.sh OCI_DIR OUT.tar TAG
set -euo pipefail
dir=$(cd "$1" && pwd) out=$2 tag=$3
m=$(jq -r '.manifests[0].digest' "$dir/index.json"); m=${m#sha256:}
cfg=$(jq -r '.config.digest' "$dir/blobs/sha256/$m")
layers=$(jq -c '[.layers[].digest | "blobs/sha256/" + ltrimstr("sha256:")]' "$dir/blobs/sha256/$m")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":%s}]' "${cfg#sha256:}" "$tag" "$layers" > "$tmp/manifest.json"
tar -cf "$out" -C "$tmp" manifest.json -C "$dir" blobs

#!/usr/bin/env bash
# Go binaries against `go version -m` (tests/integration/bin_go.py).
set -euo pipefail
command -v go >/dev/null || { echo "golang-go is not installed (scripts/apt-packages.txt)"; exit 1; }
cd "$LADING_SRC/tests/integration"
exec python3 bin_go.py

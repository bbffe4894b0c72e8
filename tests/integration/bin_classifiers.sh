#!/usr/bin/env bash
# Binary classifiers on Debian's real binaries, copied vs dpkg-owned (tests/integration/bin_classifiers.py).
set -euo pipefail
cd "$LADING_SRC/tests/integration"
exec python3 bin_classifiers.py

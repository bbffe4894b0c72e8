#!/usr/bin/env bash
# Sparse reads of large ELF files (tests/integration/bin_sparse.py).
set -euo pipefail
cd "$LADING_SRC/tests/integration"
exec python3 bin_sparse.py

#!/usr/bin/env bash
# cargo-auditable .dep-v0 sections (tests/integration/bin_rust_audit.py).
set -euo pipefail
cd "$LADING_SRC/tests/integration"
exec python3 bin_rust_audit.py

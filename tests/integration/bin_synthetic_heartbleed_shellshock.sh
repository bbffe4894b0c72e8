#!/usr/bin/env bash
# Heartbleed and Shellshock on hand-built binaries; SYNTHETIC version-string binaries, see the .py.
set -euo pipefail
cd "$LADING_SRC/tests/integration"
exec python3 bin_synthetic_heartbleed_shellshock.py

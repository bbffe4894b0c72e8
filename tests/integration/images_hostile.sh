#!/usr/bin/env bash
# Hostile and unusual images built by tests/tools/mkimage.py: every case must end in a clear
# error or a safe skip, never a crash, a write outside, or unbounded memory.
set -euo pipefail
exec python3 "$LADING_SRC/tests/integration/images_hostile.py"

#!/usr/bin/env bash
# lading report fleet end to end on a generated fleet export: figures recomputed independently,
# the HTML dashboard in headless Chromium, bad input (tests/integration/fleet_report.py).
set -euo pipefail
exec python3 "$LADING_SRC/tests/integration/fleet_report.py"

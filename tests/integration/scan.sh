#!/usr/bin/env bash
# lading scan end to end: real images and feeds of ../shared, synthetic images for the rules
# (tests/integration/scan.py), exit codes, ignore files, VEX, and the report formats.
set -euo pipefail
export LADING_TESTDB=$(bash "$LADING_SRC/tests/setup/vulndb.sh")
exec python3 "$LADING_SRC/tests/integration/scan.py"

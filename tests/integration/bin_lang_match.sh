#!/usr/bin/env bash
# Language packages against OSV feeds; os_managed (tests/integration/bin_lang_match.py).
set -euo pipefail
cd "$LADING_SRC/tests/integration"
exec python3 bin_lang_match.py

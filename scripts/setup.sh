#!/usr/bin/env bash
# Set up a fresh Debian bookworm machine for lading and build it (Release, into build/).
# Usage: scripts/setup.sh            (as root, or with sudo available)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

pkgs=$(sed -e 's/#.*//' "$here/scripts/apt-packages.txt" | tr -s ' \n' ' ')
missing=""
for p in $pkgs; do
  # A machine's own Node.js (e.g. NodeSource's nodejs, which bundles npm and conflicts with
  # Debian's npm package) is used as it is.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    # a kubectl the machine already has (e.g. the package `kubectl` of another repository owns
    # /usr/bin/kubectl, and kubernetes-client would conflict with it) is used as it is
    kubernetes-client) command -v kubectl >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # docker.io is installed for its CLI only (the honeypot tests): no package may start a daemon
  # while installing (policy-rc.d 101 = "action forbidden"; invoke-rc.d and deb-systemd-invoke
  # honour it), and the engine's units are disabled afterwards
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
  [ -n "$policy_added" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
  fi
fi
# Node.js is only needed by tests (schema validation); the machine's own is used when present.
if ! command -v node >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm || true
fi

cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${LADING_CMAKE_ARGS:-} >/dev/null
cmake --build "$here/build" -j"$(nproc)"
echo "built: $here/build/lading"

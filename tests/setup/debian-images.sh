#!/usr/bin/env bash
# Build real Debian images for tests and benchmarks (idempotent, cached outside the source
# tree): bookworm minbase (one layer) and a multi-layer image with a few hundred packages,
# made with debootstrap + apt-get in a chroot + umoci (layer diffs with real whiteouts), also
# converted to docker-archive with skopeo. Next to each image: the final root filesystem's own
# dpkg-query listing, the reference the tests compare with.
#
# Usage: debian-images.sh [OUTDIR]   (default $LADING_BUILD/testimages); needs root.
set -euo pipefail
OUT=${1:-${LADING_TESTIMAGES:-${LADING_BUILD:?}/testimages}}
MIRROR=${LADING_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${LADING_DEBIAN_SUITE:-bookworm}
mkdir -p "$OUT"
cd "$OUT"
# several tests may ask at once: one builds, the others wait for it
exec 9>"$OUT/.lock"
flock 9
log() { echo "[debian-images] $*" >&2; }

query() { # rootfs -> reference listing
  dpkg-query --admindir="$1/var/lib/dpkg" -W \
    -f='${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\t${source:Package}\t${source:Version}\n' | sort
}

in_chroot() { # rootfs, command...
  # in a mount and PID namespace of its own: the mounts vanish and every process started in the
  # chroot (gpg-agent, dirmngr...) dies when the command ends, so umoci never sees them. The host's
  # /dev is NOT bind-mounted: a maintainer script that replaces /dev/null would break the host;
  # debootstrap made the device nodes the chroot needs.
  local r=$1; shift
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod +x "$r/usr/sbin/policy-rc.d"
  local rc=0
  unshare --mount --pid --fork --propagation private /bin/sh -c '
    r=$1; shift
    mount -t proc proc "$r/proc" &&
    exec chroot "$r" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' sh "$r" "$@" || rc=$?
  rm -f "$r/usr/sbin/policy-rc.d"
  return $rc
}

# --- layer 1: debootstrap minbase -------------------------------------------------------------
if [ ! -f minbase.stamp ]; then
  log "debootstrap $SUITE minbase from $MIRROR"
  rm -rf rootfs-minbase
  debootstrap --variant=minbase "$SUITE" rootfs-minbase "$MIRROR" > debootstrap.log 2>&1 || {
    tail -20 debootstrap.log >&2; exit 1; }
  rm -rf rootfs-minbase/var/cache/apt/archives/*.deb
  touch minbase.stamp
fi

# --- OCI image: minbase -----------------------------------------------------------------------
if [ ! -f debian-minbase.stamp ]; then
  log "packing debian-minbase"
  rm -rf debian-minbase bundle
  umoci init --layout debian-minbase
  umoci new --image debian-minbase:latest
  umoci unpack --image debian-minbase:latest bundle >/dev/null
  cp -a rootfs-minbase/. bundle/rootfs/
  umoci repack --history.created_by "debootstrap --variant=minbase $SUITE" --image debian-minbase:latest bundle
  umoci config --image debian-minbase:latest --config.cmd /bin/bash --os linux --architecture amd64 >/dev/null
  query bundle/rootfs > debian-minbase.expected
  rm -rf bundle
  rm -f debian-minbase.tar
  skopeo copy -q oci:debian-minbase:latest docker-archive:debian-minbase.tar:lading-test/debian-minbase:latest
  touch debian-minbase.stamp
fi

# --- multi-layer image: + runtime, + toolchain, - a purge (whiteouts) --------------------------
if [ ! -f debian-multi.stamp ]; then
  log "building debian-multi (apt-get in a chroot, one umoci layer per step)"
  rm -rf debian-multi bundle
  cp -a debian-minbase debian-multi
  umoci unpack --image debian-multi:latest bundle >/dev/null
  step() { # created_by, command...
    local what=$1; shift
    log "  layer: $what"
    in_chroot bundle/rootfs "$@" > step.log 2>&1 || { tail -30 step.log >&2; exit 1; }
    rm -rf bundle/rootfs/var/cache/apt/archives/*.deb bundle/rootfs/var/lib/apt/lists/*_Packages
    umoci repack --refresh-bundle --history.created_by "$what" --image debian-multi:latest bundle
  }
  step "apt-get update && apt-get install python3 curl ca-certificates openssl" \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 curl ca-certificates openssl libsqlite3-0'
  step "apt-get install build-essential git perl python3-pip ..." \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends build-essential git perl xz-utils bzip2 file python3-pip python3-venv libssl-dev zlib1g-dev gnupg less procps iproute2 vim-tiny libxml2 libcurl4 liblog4j2-java'
  step "apt-get purge curl" sh -c 'apt-get purge -y -qq curl && rm -rf /usr/share/doc/*'
  query bundle/rootfs > debian-multi.expected
  rm -rf bundle step.log
  rm -f debian-multi.tar
  skopeo copy -q oci:debian-multi:latest docker-archive:debian-multi.tar:lading-test/debian-multi:latest
  touch debian-multi.stamp
fi
log "ready: $OUT/debian-minbase ($(wc -l < debian-minbase.expected) packages), $OUT/debian-multi ($(wc -l < debian-multi.expected) packages)"

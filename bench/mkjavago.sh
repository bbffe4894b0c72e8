#!/usr/bin/env bash
# Build the "javago" benchmark image (idempotent, cached next to the test images): on top of the
# lang test image (tests/setup/lang-images.sh: Debian minbase + Python/Java/Ruby packages + an
# npm project), with Debian's tools and mirror and the npm registry only, one umoci layer per step:
#   1. Java: Debian's Java libraries (apt-get), then a fat jar of all the image's jars' classes
#      and pom.properties, written by `jar` (data descriptors, as the JDK's tool writes them), and
#      a spring-boot-style jar whose BOOT-INF/lib holds every jar stored (nested jars)
#   2. Python: a venv (python3 -m venv) with Debian's dist-packages copied into its site-packages
#   3. npm: a tree installed from the npm registry at pinned versions
#   4. Go: Debian packages built with Go (the Go 1.19 toolchain, rclone, restic, etcd, skopeo, ...)
# Writes OUTDIR/javago (OCI layout) and OUTDIR/javago.tar (docker-archive of the same blobs).
# Usage: mkjavago.sh [OUTDIR]   (default $LADING_BUILD/testimages); needs root, npm, umoci.
set -euo pipefail
OUT=${1:-${LADING_TESTIMAGES:-${LADING_BUILD:?}/testimages}}
SRC=$(cd "$(dirname "$0")/.." && pwd)
LADING_BUILD=${LADING_BUILD:-$SRC/build} bash "$SRC/tests/setup/lang-images.sh" "$OUT" >&2
cd "$OUT"
exec 9>"$OUT/.javago.lock"
flock 9
[ -f javago.stamp ] && exit 0
log() { echo "[javago] $*" >&2; }

in_chroot() { # rootfs, command... (as in lang-images.sh)
  local r=$1; shift
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod +x "$r/usr/sbin/policy-rc.d"
  local rc=0
  unshare --mount --pid --fork --propagation private /bin/sh -c '
    r=$1; shift
    mount --bind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
    exec chroot "$r" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' sh "$r" "$@" || rc=$?
  rm -f "$r/usr/sbin/policy-rc.d"
  return $rc
}
apt_in() { # rootfs, packages...
  local r=$1; shift
  in_chroot "$r" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $*" > "$OUT/javago-step.log" 2>&1 ||
    { tail -30 "$OUT/javago-step.log" >&2; exit 1; }
  rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*_Packages
}

log "building javago (apt-get, jar, venv, npm install; a few minutes)"
rm -rf javago javago.tar bundle-javago
cp -a lang javago
umoci unpack --image javago:latest bundle-javago >/dev/null
R=bundle-javago/rootfs
repack() { umoci repack --refresh-bundle --history.created_by "$1" --image javago:latest bundle-javago; }

log "  layer 1: Java libraries, a fat jar, a spring-boot jar"
apt_in $R openjdk-17-jdk-headless libguava-java libjackson2-databind-java libnetty-java libbcprov-java \
  libjetty9-java libcommons-compress-java libhttpclient-java libspring-core-java libhibernate-validator-java
mkdir -p $R/opt/fat $R/opt/boot
tmp=$(mktemp -d)
(
  cd "$tmp"
  for j in "$OLDPWD"/$R/usr/share/java/*.jar; do
    [ -L "$j" ] && continue
    unzip -qo "$j" -x 'META-INF/*.SF' 'META-INF/*.RSA' 'META-INF/*.DSA' 'module-info.class' 2>/dev/null || true
  done
  rm -f META-INF/MANIFEST.MF
)
in_chroot $R true # resolv.conf etc. in place for the jar tool below
cp -a "$tmp" $R/tmp/fat
in_chroot $R jar cf /opt/fat/shop-fat-1.0.jar -C /tmp/fat .
rm -rf $R/tmp/fat "$tmp"
python3 - $R <<'PY'
import os, sys, zipfile
r = sys.argv[1]
java = os.path.join(r, "usr/share/java")
with zipfile.ZipFile(os.path.join(r, "opt/boot/shop-boot-2.1.jar"), "w") as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\n"
               "Start-Class: shop.App\nImplementation-Version: 2.1\n")
    z.writestr("META-INF/maven/shop/shop-boot/pom.properties", "groupId=shop\nartifactId=shop-boot\nversion=2.1\n")
    for name in sorted(os.listdir(java)):
        p = os.path.join(java, name)
        if name.endswith(".jar") and not os.path.islink(p):
            z.write(p, "BOOT-INF/lib/" + name, compress_type=zipfile.ZIP_STORED)
    z.writestr("BOOT-INF/classes/shop/App.class", b"\xca\xfe\xba\xbe" + bytes(4096), compress_type=zipfile.ZIP_DEFLATED)
PY
repack "apt-get install openjdk-17-jdk-headless libguava-java ...; jar cf shop-fat-1.0.jar; shop-boot-2.1.jar"

log "  layer 2: a Python venv"
apt_in $R python3-venv
in_chroot $R python3 -m venv --without-pip /opt/venv
sp=$(ls -d $R/opt/venv/lib/python3*/site-packages)
cp -a $R/usr/lib/python3/dist-packages/. "$sp"/
repack "python3 -m venv /opt/venv; Debian dist-packages copied in"

log "  layer 3: an npm tree"
mkdir -p $R/opt/web
printf '{"name":"bench-web","version":"1.0.0","private":true}\n' > $R/opt/web/package.json
(cd $R/opt/web && npm install --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error \
  express@4.18.2 webpack@5.88.2 typescript@5.1.6 eslint@8.45.0 lodash@4.17.21 axios@1.4.0 >/dev/null)
repack "npm install express webpack typescript eslint lodash axios"

log "  layer 4: Go binaries from Debian packages"
apt_in $R golang-1.19-go rclone restic etcd-server etcd-client skopeo docker-registry
repack "apt-get install golang-1.19-go rclone restic etcd-server skopeo docker-registry"

rm -rf bundle-javago
bash "$SRC/bench/oci2docker.sh" javago javago.tar bench/javago:latest
touch javago.stamp
log "done: $OUT/javago (OCI) and $OUT/javago.tar (docker-archive)"

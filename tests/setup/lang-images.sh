#!/usr/bin/env bash
# Build the language-package test image (idempotent, cached next to the Debian images): on top of
# debian-minbase (tests/setup/debian-images.sh), one umoci layer per step:
#   1. apt-get: Python distributions (python3-yaml, -requests, -six, pip), jars (liblog4j2-java,
#      libcommons-lang3-java), Ruby with its default and Debian gems
#   2. an npm project installed from the npm registry at pinned old versions (/app), lockfile-only
#      projects (yarn classic and berry, pnpm 9), Composer, Cargo and .NET files, a war with
#      nested jars, a zipped egg
#   3. npm: lodash upgraded, moment removed (a whiteout)
# Next to the image: reference inventories made by the ecosystems' own tools on the final root
# filesystem (lang.expected.*), which tests/integration/lang_image.sh compares with.
#
# Usage: lang-images.sh [OUTDIR]   (default $LADING_BUILD/testimages); needs root, npm.
set -euo pipefail
OUT=${1:-${LADING_TESTIMAGES:-${LADING_BUILD:?}/testimages}}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
bash "$SRC/tests/setup/debian-images.sh" "$OUT"
cd "$OUT"
exec 8>"$OUT/.lang.lock"
flock 8
log() { echo "[lang-images] $*" >&2; }

in_chroot() { # rootfs, command... (as in debian-images.sh: own mount and PID namespace)
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

npm_q() { npm --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error "$@"; }

if [ ! -f lang.stamp ]; then
  log "building lang (apt-get, npm install, lockfiles, archives)"
  rm -rf lang bundle
  cp -a debian-minbase lang
  umoci unpack --image lang:latest bundle >/dev/null
  R=bundle/rootfs
  repack() { umoci repack --refresh-bundle --history.created_by "$1" --image lang:latest bundle; }

  log "  layer 1: apt-get"
  in_chroot $R sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-pip python3-yaml python3-requests python3-six liblog4j2-java libcommons-lang3-java ruby' \
    > step.log 2>&1 || { tail -30 step.log >&2; exit 1; }
  rm -rf $R/var/cache/apt/archives/*.deb $R/var/lib/apt/lists/*_Packages
  repack "apt-get install python3-yaml python3-requests liblog4j2-java ruby ..."

  log "  layer 2: npm project, lockfiles, archives"
  mkdir -p $R/app
  cat > $R/app/package.json <<'JSON'
{
  "name": "lading-test-app",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "express": "4.16.0",
    "lodash": "4.17.4",
    "minimist": "0.0.8",
    "moment": "2.19.1",
    "handlebars": "4.0.11",
    "axios": "0.18.0",
    "@babel/code-frame": "7.0.0",
    "node-fetch": "2.6.0",
    "ws": "5.2.0",
    "string-width-cjs": "npm:string-width@4.2.3"
  },
  "devDependencies": {
    "left-pad": "1.3.0"
  }
}
JSON
  (cd $R/app && npm_q install --omit=dev > /dev/null)
  L=$SRC/tests/data/lang
  mkdir -p $R/srv/yarn-classic $R/srv/yarn-berry $R/srv/pnpm $R/srv/php/vendor/composer $R/srv/rust $R/srv/dotnet
  cp $L/npm/yarn-v1.lock $R/srv/yarn-classic/yarn.lock
  cp $L/npm/yarn-berry.lock $R/srv/yarn-berry/yarn.lock
  cp $L/npm/pnpm-lock-v9.yaml $R/srv/pnpm/pnpm-lock.yaml
  cp $L/php/installed-v2.json $R/srv/php/vendor/composer/installed.json
  cp $L/cargo/Cargo-v3.lock $R/srv/rust/Cargo.lock
  cp $L/dotnet/app.deps.json $R/srv/dotnet/App.deps.json
  # a war with Debian's jars nested (stored, as Spring Boot does) and a zipped egg
  python3 - "$R" <<'PY'
import sys, zipfile
r = sys.argv[1]
with zipfile.ZipFile(r + "/srv/shop-1.4.war", "w", zipfile.ZIP_STORED) as w:
    w.writestr("WEB-INF/web.xml", "<web-app/>")
    for j in ("log4j-core.jar", "commons-lang3.jar"):
        w.write(r + "/usr/share/java/" + j, "WEB-INF/lib/" + j)
with zipfile.ZipFile(r + "/srv/Tiny_Egg-0.1-py3.11.egg", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("EGG-INFO/PKG-INFO", "Metadata-Version: 1.1\nName: Tiny_Egg\nVersion: 0.1\n")
    z.writestr("tiny_egg/__init__.py", "")
PY
  repack "npm install (pinned old versions), lockfile-only projects, war, egg"

  log "  layer 3: npm upgrade and removal"
  (cd $R/app && npm_q install lodash@4.17.21 > /dev/null && npm_q uninstall moment > /dev/null)
  repack "npm install lodash@4.17.21 && npm uninstall moment"

  rm -rf bundle step.log
  touch lang.stamp
fi

if [ ! -f lang.expected.stamp ]; then
  log "reference inventories from the final root filesystem"
  rm -rf bundle
  umoci unpack --image lang:latest bundle >/dev/null
  R=bundle/rootfs
  # Python: the distributions the image's own interpreter sees (importlib.metadata)
  in_chroot $R python3 -c 'import importlib.metadata as m
for d in m.distributions(): print(d.metadata["Name"] + "\t" + d.version)' | sort -u > lang.expected.pypi
  # npm: the installed tree as npm itself loads it (location, name, version)
  (cd $R/app && npm query '*' 2>/dev/null) |
    jq -r '.[] | select(.location != "") | ["/app/" + .location + "/package.json", .name, .version] | @tsv' | sort > lang.expected.npm
  # Ruby: gem list (default and installed gems)
  in_chroot $R gem list --local 2>/dev/null | sed -n 's/^\([^ ]*\) (\(.*\))$/\1\t\2/p' |
    awk -F'\t' '{n=split($2, v, ", "); for (i = 1; i <= n; i++) { sub(/^default: /, "", v[i]); print $1 "\t" v[i] }}' | sort > lang.expected.gem
  # Java: every pom.properties of every jar, and of the jars nested in the war (unzip -p)
  pom() { # archive location
    local a=$1 loc=$2 p
    for p in $(unzip -Z1 "$a" 2>/dev/null | grep '^META-INF/maven/.*/pom.properties$' || true); do
      unzip -p "$a" "$p" | tr -d '\r' |
        awk -F= -v loc="$loc" '/^groupId=/{g=$2} /^artifactId=/{a=$2} /^version=/{v=$2} END{print loc "\t" g ":" a "\t" v}'
    done
  }
  {
    find $R -name '*.jar' -type f | sort | while read -r j; do pom "$j" "${j#$R}"; done
    rm -rf war.x; mkdir war.x; (cd war.x && unzip -q "../$R/srv/shop-1.4.war")
    for j in war.x/WEB-INF/lib/*.jar; do pom "$j" /srv/shop-1.4.war; done
    rm -rf war.x
  } | sort -u > lang.expected.maven
  rm -rf bundle
  touch lang.expected.stamp
fi
log "ready: $OUT/lang ($(wc -l < lang.expected.npm) npm, $(wc -l < lang.expected.pypi) pypi, $(wc -l < lang.expected.maven) maven, $(wc -l < lang.expected.gem) gem)"

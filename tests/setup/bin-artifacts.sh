#!/usr/bin/env bash
# Binaries for the bin_* integration tests, built or fetched once and cached under the build dir
# (several tests may ask at once: one builds, the others wait). Prints the directory.
#   go/      a Go module built offline by Debian's golang-go (directory and module replacements,
#            -ldflags -X), the same binary strip'ped and with its section table removed, a
#            binary named traefik with its version set through -ldflags; `go version -m` of each
#   npm/     esbuild's Go binaries from the npm registry: 0.11.23 (Go 1.16, the pre-1.18 build
#            info layout) and 0.19.12 (Go 1.20)
#   debs/    Debian packages (apt-get download) extracted to debroot/<package>/: Go binaries
#            (skopeo, docker-registry) and the software the binary classifiers know
#   rust/    an ELF with a cargo-auditable .dep-v0 section added by objcopy, and a 3 MiB one
#   go/hello-nonote  hello without its Go build ID note and string (sparse-read tests)
#   synthetic/  tiny programs that only carry the version strings of OpenSSL 1.0.1f and bash
#            4.3.24: those sources are not on the Debian mirror (see docs/catalogers.md)
set -euo pipefail
: "${LADING_BUILD:?}" "${LADING_SRC:?}"
OUT=${LADING_BIN_ARTIFACTS:-$LADING_BUILD/bin-artifacts}
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9
log() { echo "[bin-artifacts] $*" >&2; }
cd "$OUT"

# Debian packages whose binaries the tests use, pinned by name (the mirror's current version)
DEBS="skopeo docker-registry nginx apache2-bin redis-tools mariadb-server-core postgresql-15
  memcached haproxy busybox bash openssl libssl3 curl libcurl4 libsqlite3-0 python3.11-minimal
  libnode108"

if [ ! -f go.stamp ]; then
  log "go build (offline, vendored)"
  rm -rf go && mkdir -p go/src
  cp -r "$LADING_SRC/tests/data/binary/gomod/." go/src/
  export GOCACHE="$OUT/gocache" GOPATH="$OUT/gopath" GOFLAGS=-mod=vendor GOPROXY=off GO111MODULE=on
  (cd go/src && go build -trimpath -ldflags "-X main.version=1.2.3" -o ../hello .)
  # a Go product the classifier table knows, version set at link time like traefik's releases
  # (without -trimpath: with it, Go leaves -ldflags out of the build info)
  (cd go/src && go build -ldflags "-X github.com/traefik/traefik/v2/pkg/version.Version=2.10.4" -o ../traefik .)
  strip -o go/hello-stripped go/hello
  # no section table at all (as sstrip or some packers leave a binary)
  python3 - go/hello go/hello-nosections <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<Q", b, 0x28, 0)          # e_shoff
struct.pack_into("<HHH", b, 0x3a, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
open(sys.argv[2], "wb").write(b)
EOF
  chmod +x go/hello-nosections
  for f in hello traefik; do go version -m "go/$f" > "go/$f.gomod"; done
  touch go.stamp
fi

if [ ! -f npm.stamp ]; then
  log "npm pack esbuild binaries"
  rm -rf npm && mkdir -p npm && cd npm
  npm pack --silent esbuild-linux-64@0.11.23 @esbuild/linux-x64@0.19.12 >/dev/null
  for t in esbuild-linux-64-0.11.23 esbuild-linux-x64-0.19.12; do
    mkdir -p "$t" && tar -xzf "$t.tgz" -C "$t" && cp "$t/package/bin/esbuild" "esbuild-$t" && rm -rf "$t"
  done
  cd "$OUT"
  touch npm.stamp
fi

if [ ! -f debs.stamp ]; then
  log "apt-get download: $(echo $DEBS | wc -w) packages"
  rm -rf debs debroot && mkdir -p debs debroot
  (cd debs && apt-get download -q=2 $DEBS 2>&1 | grep -v "unsandboxed" >&2 || true)
  for p in $DEBS; do
    deb=$(ls debs/${p}_*.deb 2>/dev/null | head -1)
    [ -n "$deb" ] || { echo "apt-get download $p failed" >&2; exit 1; }
    mkdir -p "debroot/$p"
    dpkg-deb -x "$deb" "debroot/$p"
    dpkg-deb -f "$deb" Package Version Architecture Source > "debroot/$p.control"
    dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' > "debroot/$p.list"
  done
  rm -rf debs
  touch debs.stamp
fi

if [ ! -f rust.stamp ]; then
  log "cargo-auditable style .dep-v0 section (objcopy)"
  rm -rf rust && mkdir -p rust
  printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' > rust/main.c
  cc -O1 -o rust/plain rust/main.c
  # the JSON cargo-auditable 0.6 writes (defaults omitted), zlib-compressed as it does
  cat > rust/dep-v0.json <<'EOF'
{"packages":[{"name":"ansi_term","version":"0.12.1","source":"crates.io"},{"name":"audited-app","version":"0.1.0","source":"local","dependencies":[0,2,3],"root":true},{"name":"cc","version":"1.0.79","source":"crates.io","kind":"build"},{"name":"smallvec","version":"1.6.0","source":"crates.io"}]}
EOF
  python3 -c 'import sys, zlib; open(sys.argv[2], "wb").write(zlib.compress(open(sys.argv[1], "rb").read().strip(), 9))' \
    rust/dep-v0.json rust/dep-v0.z
  objcopy --add-section .dep-v0=rust/dep-v0.z --set-section-flags .dep-v0=noload,readonly rust/plain rust/audited-app
  touch rust.stamp
fi

if [ ! -f sparse.stamp ]; then
  # large ELF files take the sparse read (layer.h, ld_plan_fn): a Go binary with its build ID
  # note and string scrubbed (so it is not read whole as a Go binary) and a 3 MiB C program with
  # a .dep-v0 section
  log "sparse-read binaries"
  python3 - go/hello go/hello-nonote <<'EOF2'
import re, sys
b = open(sys.argv[1], "rb").read()
b2 = b.replace(b'\xff Go build ID: "', b'\xff Gx build ID: "')
b2, n = re.subn(rb'(\x04\x00\x00\x00.{4}\x04\x00\x00\x00)Go\x00\x00', lambda m: m.group(1) + b'Gx\x00\x00',
               b2, flags=re.S)
assert n == 1 and b'\xff Go build ID' not in b2
open(sys.argv[2], "wb").write(b2)
EOF2
  chmod +x go/hello-nonote
  printf '#include <stdio.h>\nstatic unsigned char big[3 << 20] = {1};\nint main(int c, char **v) { (void)v; printf("%%d\\n", big[c]); return 0; }\n' > rust/big.c
  cc -O1 -o rust/plain-big rust/big.c
  objcopy --add-section .dep-v0=rust/dep-v0.z --set-section-flags .dep-v0=noload,readonly rust/plain-big rust/audited-big
  touch sparse.stamp
fi

if [ ! -f synthetic.stamp ]; then
  log "synthetic version-string binaries (OpenSSL 1.0.1f, bash 4.3.24)"
  rm -rf synthetic && mkdir -p synthetic
  cat > synthetic/crypto.c <<'EOF'
/* The strings OpenSSL 1.0.1f's libcrypto carries (opensslv.h OPENSSL_VERSION_TEXT and the
 * per-module banners); not OpenSSL code. */
const char *SSLeay_version(int t)
{
	static const char v[] = "OpenSSL 1.0.1f 6 Jan 2014";
	static const char sha[] = "SHA1 part of OpenSSL 1.0.1f 6 Jan 2014";
	return t ? sha : v;
}
EOF
  cat > synthetic/openssl.c <<'EOF'
#include <stdio.h>
const char *SSLeay_version(int t);
int main(void) { puts(SSLeay_version(0)); return 0; }
EOF
  cat > synthetic/bash.c <<'EOF'
/* What bash 4.3's version.c compiles to at patch level 24 (before bash43-025, the Shellshock
 * fix): the sccs_version string. Not bash code. */
#include <stdio.h>
const char *const sccs_version = "@(#)Bash version 4.3.24(1) release GNU";
int main(void) { printf("GNU bash, version %s\n", sccs_version + 18); return 0; }
EOF
  cc -shared -fPIC -o synthetic/libcrypto.so.1.0.0 synthetic/crypto.c
  cc -o synthetic/openssl synthetic/openssl.c synthetic/libcrypto.so.1.0.0
  cc -o synthetic/bash synthetic/bash.c
  touch synthetic.stamp
fi
echo "$OUT"

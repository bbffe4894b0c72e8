#!/usr/bin/env bash
# Large Java archives are read sparsely (the Java analyzer's sweep, layer.h ld_sweep_fn): a 200 MB
# jar of stored filler entries around a MANIFEST.MF, a pom.properties and spring-boot-style nested
# jars (stored, one deflated), and a 100 MB jar written with data descriptors (sizes after the
# data, as `jar` and streaming writers do), are cataloged with a peak RSS far below their size,
# and give the same packages as when read whole (LADING_ANALYZE_SPARSE_MIN above their size).
# Peak RSS comes from getrusage of the child (python), never wall time.
set -euo pipefail
: "${LADING_BIN:?}"
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-javasparse.XXXXXX")
trap 'rm -rf "$W"' EXIT
export LADING_NO_PROGRESS=1
MAX_RSS_MB=${MAX_RSS_MB:-64}

python3 - "$W" <<'PY'
import io, os, sys, tarfile, zipfile
w = sys.argv[1]
MB = 1 << 20

def small_jar(name, ver, deflate=True):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        z.writestr(f"META-INF/maven/org.example/{name}/pom.properties",
                   f"groupId=org.example\nartifactId={name}\nversion={ver}\n")
        z.writestr("org/example/A.class", os.urandom(2000))
    return b.getvalue()

def fill(z, prefix, n, size, how):
    block = b"\0" * size
    for i in range(n):
        z.writestr(zipfile.ZipInfo(f"{prefix}/filler{i:04}.bin"), block, compress_type=how)

class Unseekable(io.RawIOBase):
    """zipfile writes data descriptors (flag bit 3) when it cannot seek back"""
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)

root = os.path.join(w, "root", "app")
os.makedirs(root)
with zipfile.ZipFile(os.path.join(root, "big-app-1.0.jar"), "w") as z:
    fill(z, "BOOT-INF/classes/a", 100, MB, zipfile.ZIP_STORED)
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Version: 1.0\n")
    z.writestr("META-INF/maven/org.example/big-app/pom.properties",
               "groupId=org.example\nartifactId=big-app\nversion=1.0\n")
    z.writestr(zipfile.ZipInfo("BOOT-INF/lib/inner-stored-2.0.jar"), small_jar("inner-stored", "2.0"),
               compress_type=zipfile.ZIP_STORED)
    fill(z, "BOOT-INF/classes/b", 100, MB, zipfile.ZIP_STORED)
    z.writestr(zipfile.ZipInfo("BOOT-INF/lib/inner-deflated-3.0.jar"), small_jar("inner-deflated", "3.0"),
               compress_type=zipfile.ZIP_DEFLATED)
with open(os.path.join(root, "streamed-4.0.jar"), "wb") as f, zipfile.ZipFile(Unseekable(f), "w") as z:
    fill(z, "x", 50, MB, zipfile.ZIP_STORED)
    z.writestr("META-INF/maven/org.example/streamed/pom.properties", "version=4.0\n",
               compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo("lib/inner-desc-5.0.jar"), small_jar("inner-desc", "5.0"),
               compress_type=zipfile.ZIP_DEFLATED)
    fill(z, "y", 50, MB, zipfile.ZIP_DEFLATED)
with tarfile.open(os.path.join(w, "jars.tar"), "w") as t:
    t.add(os.path.join(w, "root", "app"), arcname="app")
PY

# peak RSS in KiB and exit code: "RSS RC" (stdout to $W/out, stderr to $W/err)
run() {
  python3 - "$W" "$@" <<'PY'
import resource, subprocess, sys
w = sys.argv[1]
with open(w + "/out", "wb") as o, open(w + "/err", "wb") as e:
    rc = subprocess.run(sys.argv[2:], stdout=o, stderr=e).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
PY
}
pkgs() { jq -r '.packages[] | [.location, .name, .version] | @tsv' "$W/out" | sort; }

read -r rss rc < <(run "$LADING_BIN" sbom --no-cache --format json "rootfs-tar:$W/jars.tar")
[ "$rc" = 0 ] || { echo "sbom: exit $rc"; cat "$W/err"; exit 1; }
pkgs > "$W/sparse"
cat > "$W/want" <<'EOF'
/app/big-app-1.0.jar	org.example:big-app	1.0
/app/big-app-1.0.jar	org.example:inner-deflated	3.0
/app/big-app-1.0.jar	org.example:inner-stored	2.0
/app/streamed-4.0.jar	org.example:inner-desc	5.0
/app/streamed-4.0.jar	org.example:streamed	4.0
EOF
diff -u "$W/want" "$W/sparse" || { echo "packages of the large jars (read sparsely) differ"; exit 1; }
size_mb=$(( $(stat -c %s "$W/jars.tar") >> 20 ))
echo "peak RSS $(( rss / 1024 )) MB for $size_mb MB of jars (bound $MAX_RSS_MB MB)"
[ $(( rss / 1024 )) -le "$MAX_RSS_MB" ] || { echo "peak RSS over the bound"; exit 1; }

# read whole: the same packages (and the whole read really costs the size: the bound means something)
read -r rss_whole rc < <(LADING_ANALYZE_SPARSE_MIN=$((1 << 40)) run "$LADING_BIN" sbom --no-cache --format json "rootfs-tar:$W/jars.tar")
[ "$rc" = 0 ] || { echo "sbom (whole): exit $rc"; cat "$W/err"; exit 1; }
pkgs > "$W/whole"
diff -u "$W/whole" "$W/sparse" || { echo "sparse and whole reads differ"; exit 1; }
echo "read whole: peak RSS $(( rss_whole / 1024 )) MB"
[ $(( rss_whole / 1024 )) -gt "$MAX_RSS_MB" ] || { echo "the whole read stayed under the bound too: the test proves nothing"; exit 1; }

# within a small budget: the sweep charges what it keeps, not the file's size
read -r _ rc < <(run "$LADING_BIN" sbom --no-cache --max-memory 48M --format json "rootfs-tar:$W/jars.tar")
[ "$rc" = 0 ] || { echo "sbom --max-memory 48M: exit $rc"; cat "$W/err"; exit 1; }
pkgs | diff -u "$W/want" - || { echo "packages within a 48M budget differ"; exit 1; }
echo "ok"

#!/usr/bin/env bash
# The scan's memory budget (--max-memory) and the cost of entries: a budget too small ends in a
# clean error (exit 3) naming what did not fit; a layer of 200,000 files nothing asks for stays
# under a peak-RSS bound (its entries are kept as 8-byte hashes, not records and nodes). Peak RSS
# comes from getrusage of the child (python), so no /usr/bin/time is needed.
set -euo pipefail
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-budget.XXXXXX")
trap 'rm -rf "$W"' EXIT
export LADING_NO_PROGRESS=1

# peak RSS in KiB and exit code of a command: "RSS RC" (stdout to $W/out, stderr to $W/err)
run() {
  python3 - "$W" "$@" <<'PY'
import resource, subprocess, sys
w = sys.argv[1]
with open(w + "/out", "wb") as o, open(w + "/err", "wb") as e:
    rc = subprocess.run(sys.argv[2:], stdout=o, stderr=e).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
PY
}

# a Debian-like image whose dpkg status has one 8 MiB field
python3 - "$W/big" <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["LADING_SRC"] + "/tests/tools")
import mkimage
st = (b"Package: big\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nDescription: x\n "
      + b"a" * (8 << 20) + b"\n\nPackage: small\nStatus: install ok installed\nVersion: 2.0\nArchitecture: amd64\n\n")
im = mkimage.Image()
im.add_layer([("etc/os-release", "file", b'ID=debian\nVERSION_ID="12"\n'), ("var/lib/dpkg/status", "file", st)])
mkimage.oci_layout(sys.argv[1], [im])
PY

read -r _ rc < <(run "$LADING_BIN" sbom --no-cache --max-memory 4M --format json "$W/big")
[ "$rc" = 3 ] || { echo "a 4M budget on an 8 MiB database: exit $rc, want 3"; cat "$W/err"; exit 1; }
grep -q "memory budget of 4.0 MiB exceeded: capturing /var/lib/dpkg/status in layer 1" "$W/err" ||
  { echo "unclear message:"; cat "$W/err"; exit 1; }
read -r _ rc < <(run "$LADING_BIN" sbom --no-cache --max-memory 64M --format json "$W/big")
[ "$rc" = 0 ] || { echo "a 64M budget should do: exit $rc"; cat "$W/err"; exit 1; }
[ "$(jq -r '[.packages[].name] | join(",")' "$W/out")" = "big,small" ] || { echo "packages:"; cat "$W/out"; exit 1; }
read -r _ rc < <(run "$LADING_BIN" sbom --no-cache --max-memory lots "$W/big")
[ "$rc" = 2 ] || { echo "--max-memory lots: exit $rc, want 2"; exit 1; }
read -r _ rc < <(run "$LADING_BIN" scan --no-cache --max-memory 4M --db "$W/none.db" "$W/big")
[ "$rc" = 3 ] && grep -q "memory budget of 4.0 MiB exceeded" "$W/err" ||
  { echo "scan with a 4M budget: exit $rc, want 3 and the budget named"; cat "$W/err"; exit 1; }

# a 20 MiB package database in six layers (each adds a package): the copies of the lower layers
# are let go after their layer is read and read again one at a time for attribution, so the peak
# stays near twice the file (it was six copies); attribution unchanged
python3 - "$W/layers6" <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["LADING_SRC"] + "/tests/tools")
import mkimage
big = (b"Package: big\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nDescription: x\n"
       + (b" " + b"d" * 62 + b"\n") * ((20 << 20) // 64) + b"\n")
im = mkimage.Image()
for k in range(6):
    st = big + b"".join(b"Package: l%d\nStatus: install ok installed\nVersion: 1\n\n" % j for j in range(k + 1))
    im.add_layer([("etc/os-release", "file", b'ID=debian\nVERSION_ID="12"\n'), ("var/lib/dpkg/status", "file", st)])
mkimage.oci_layout(sys.argv[1], [im])
PY
read -r rss rc < <(run "$LADING_BIN" sbom --no-cache --format json "$W/layers6")
[ "$rc" = 0 ] || { echo "six copies: exit $rc"; cat "$W/err"; exit 1; }
echo "20 MiB database in six layers: peak RSS $((rss / 1024)) MiB"
[ "$rss" -lt $((75 * 1024)) ] || { echo "peak RSS $rss KiB over the 75 MiB bound (six copies: ~140)"; exit 1; }
[ "$(jq -c '[.packages[] | select(.name == "big" or .name == "l0" or .name == "l5") | .layer.index]' "$W/out")" = "[0,0,5]" ] ||
  { echo "attribution:"; jq -c '[.packages[] | {name, l: .layer.index}]' "$W/out"; exit 1; }

# a 23 MB package-lock.json (matched by a glob) in six layers: as for package databases, the
# copies are let go after their layer and the top one read again after the merge (it was six
# copies held until the merge: 221 MB against 107 MB for one layer); the same packages, from the
# top copy, in its layer. Measured against the same lockfile in a single layer.
python3 - "$W" <<'PY'
import json, sys
sys.path.insert(0, __import__("os").environ["LADING_SRC"] + "/tests/tools")
import mkimage
for n in (1, 6):
    im = mkimage.Image()
    for k in range(6 - n, 6):
        pk = {"": {"name": "app", "version": "1.0.0"}}
        for j in range(100000):
            pk[f"node_modules/p{j}"] = {"version": f"1.{k}.{j}", "integrity": "sha512-" + "A" * 88,
                                        "resolved": f"https://registry.npmjs.org/p{j}/-/p{j}-1.{k}.{j}.tgz"}
        lock = json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": pk}).encode()
        im.add_layer([("srv/app/package-lock.json", "file", lock)])
    mkimage.oci_layout(f"{sys.argv[1]}/locks{n}", [im])
PY
read -r rss1 rc < <(run "$LADING_BIN" sbom --no-cache --format json "$W/locks1")
[ "$rc" = 0 ] || { echo "one lockfile: exit $rc"; cat "$W/err"; exit 1; }
read -r rss rc < <(run "$LADING_BIN" sbom --no-cache --format json "$W/locks6")
[ "$rc" = 0 ] || { echo "six lockfiles: exit $rc"; cat "$W/err"; exit 1; }
echo "23 MB lockfile: peak RSS $((rss1 / 1024)) MiB in one layer, $((rss / 1024)) MiB in six"
[ "$rss" -lt $((rss1 + 25 * 1024)) ] || { echo "six layers cost more than one copy more (six copies: +115 MiB)"; exit 1; }
[ "$(jq -c '[.packages[] | select(.name == "p0" or .name == "p99999") | [.version, .layer.index]]' "$W/out")" = '[["1.5.0",5],["1.5.99999",5]]' ] ||
  { echo "lockfile packages:"; jq -c '[.packages[] | select(.name == "p0") | {version, l: .layer.index}]' "$W/out"; exit 1; }
rm -rf "$W/locks1" "$W/locks6"

# 200,000 empty files in one layer (a node_modules tree): before entries were hashes this took
# ~63 MB; now ~20 MB (the binary and its libraries alone take ~12 MB)
python3 "$LADING_SRC/bench/mkmanyfiles.py" 200000 "$W/many"
read -r rss rc < <(run "$LADING_BIN" sbom --no-cache --format json "$W/many")
[ "$rc" = 0 ] || { echo "200k files: exit $rc"; cat "$W/err"; exit 1; }
echo "200,000 files: peak RSS $((rss / 1024)) MiB"
[ "$rss" -lt $((40 * 1024)) ] || { echo "peak RSS $rss KiB over the 40 MiB bound"; exit 1; }
[ "$(jq -r '.image.os.id' "$W/out")" = debian ] || { echo "os not found among the files"; exit 1; }
# the budget holds on it too: 8 bytes per file fit in 4M, records of every file would not
read -r _ rc < <(run "$LADING_BIN" sbom --no-cache --max-memory 4M --format json "$W/many")
[ "$rc" = 0 ] || { echo "200k files in a 4M budget: exit $rc"; cat "$W/err"; exit 1; }
echo ok

#!/usr/bin/env python3
import gzip
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.environ["LADING_SRC"], "tests", "tools"))
sys.path.insert(0, os.path.join(os.environ["LADING_SRC"], "tests", "integration"))
import mkimage as mk  # noqa: E402

BIN = os.environ["LADING_BIN"]
WORK = os.path.join(os.environ.get("LADING_WORK", tempfile.gettempdir()), "hostile")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
# a layer cache of its own: cases check warnings that a warm cache (from an earlier run of an
# older build) would not repeat
os.environ["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
failures = []

APK_DB = b"P:musl\nV:1.2.3-r0\nA:x86_64\no:musl\n\nP:zlib\nV:1.3-r0\nA:x86_64\n\n"
BASE = [("etc", "dir", None), ("etc/os-release", "file", b'ID=alpine\nVERSION_ID=3.99.0\n'),
        ("lib/apk/db/installed", "file", APK_DB)]


def run(args, max_rss_mb=None):
    """Run lading; returns (exit code, stdout, stderr, peak RSS in MB)."""
    cmd = ["/usr/bin/time", "-f", "%M", BIN] + args
    p = subprocess.run(cmd, capture_output=True, cwd=WORK, timeout=600)
    err = [l for l in p.stderr.decode(errors="replace").rstrip().split("\n")
           if not l.startswith("Command exited with non-zero status")]
    rss = int(err[-1]) / 1024 if err and err[-1].isdigit() else 0
    stderr = "\n".join(err[:-1])
    if p.returncode < 0 or p.returncode > 3:
        failures.append(f"{args}: crashed or bad exit code {p.returncode}: {stderr[-500:]}")
    if max_rss_mb and rss > max_rss_mb:
        failures.append(f"{args}: peak RSS {rss:.0f} MB > {max_rss_mb} MB")
    return p.returncode, p.stdout.decode(errors="replace"), stderr, rss


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name + ": " + detail)


def oci(name, images, **kw):
    path = os.path.join(WORK, name)
    mk.oci_layout(path, images, **kw)
    return path


def sbom_json(ref, *extra):
    rc, out, err, rss = run(["sbom", "--format", "json", ref] + list(extra))
    return rc, (json.loads(out) if rc == 0 else None), err, rss


# --- a sane image, in every container format --------------------------------------------------
good = mk.Image().add_layer(BASE).add_layer([("opt/new", "file", b"x")], how="zstd")
p = oci("good", [good])
rc, doc, err, _ = sbom_json(p)
check("oci layout readable", rc == 0, err)
names = sorted(x["name"] for x in doc["packages"]) if doc else []
check("packages found", names == ["musl", "zlib"], str(names))
check("zstd layer detected", doc and doc["source"]["layers"][1]["compression"] == "zstd", str(doc and doc["source"]))
da = os.path.join(WORK, "good-docker.tar")
mk.docker_archive(da, good)
rc2, doc2, err2, _ = sbom_json("docker-archive:" + da)
check("docker-archive (legacy) readable", rc2 == 0, err2)
if doc and doc2:
    a, b = dict(doc), dict(doc2)
    a.pop("source"), b.pop("source")
    check("docker-archive equals OCI apart from source", a == b, "")
da2 = os.path.join(WORK, "good-docker25.tar")
mk.docker_archive(da2, good, oci_in_tar=True)
rc3, doc3, err3, _ = sbom_json(da2)
check("docker-archive (Docker 25+ OCI-in-tar) readable", rc3 == 0, err3)
gz_legacy = mk.Image().add_layer(BASE, how="gzip")
da3 = os.path.join(WORK, "gz-legacy.tar")
mk.docker_archive(da3, gz_legacy)
rc, d, err, _ = sbom_json(da3)
check("docker-archive with a gzip layer (diff_id checked after decompression)", rc == 0, err)
oa = os.path.join(WORK, "good-oci-archive.tar")
mk.tar_dir(p, oa)
rc, d, err, _ = sbom_json("oci-archive:" + oa)
check("oci-archive readable", rc == 0 and d["source"]["type"] == "oci-archive", err)

# --- multi-platform index ---------------------------------------------------------------------
arm = mk.Image(arch="arm64").add_layer([("lib/apk/db/installed", "file", b"P:armonly\nV:1-r0\nA:aarch64\n\n")])
mp = oci("multiplatform", [good, arm])
rc, d, err, _ = sbom_json(mp)
check("index picks linux/amd64 by default", rc == 0 and [x["name"] for x in d["packages"]] == ["musl", "zlib"], err)
rc, d, err, _ = sbom_json(mp, "--platform", "linux/arm64")
check("--platform linux/arm64", rc == 0 and [x["name"] for x in d["packages"]] == ["armonly"], err)
rc, d, err, _ = sbom_json(mp, "--platform", "linux/s390x")
check("missing platform is a clear error", rc == 3 and "platform" in err, err)
tagged = oci("tagged", [good, arm], tags=["one", "two"])
rc, d, err, _ = sbom_json(tagged + ":two")
check("oci:DIR:TAG picks the tag", rc == 0 and [x["name"] for x in d["packages"]] == ["armonly"], err)
rc, d, err, _ = sbom_json(tagged + ":three")
check("unknown tag names the tags there are", rc == 3 and "one" in err and "two" in err, err)

# --- hostile paths ----------------------------------------------------------------------------
evil = mk.Image().add_layer(BASE + [
    ("../../../../tmp/lading-escape", "file", b"x"), ("/abs/path", "file", b"y"),
    ("a/../../b", "file", b"z"), ("loop1", "symlink", "loop2"), ("loop2", "symlink", "loop1"),
    ("etc/.wh...", "file", b""), ("usr/lib/os-release", "symlink", "../../usr/lib/os-release")])
rc, d, err, _ = sbom_json(oci("evil-paths", [evil]), "-v")
check("'../' and absolute entries: skipped or kept inside, with warnings",
      rc == 0 and "'..' component" in err and not os.path.exists("/tmp/lading-escape"), err)
loop = mk.Image().add_layer([("etc/os-release", "symlink", "os-release2"), ("etc/os-release2", "symlink", "os-release"),
                             ("lib/apk/db/installed", "file", APK_DB)])
rc, d, err, _ = sbom_json(oci("symlink-loop", [loop]))
check("symlink loop on os-release: no OS, no hang", rc == 0 and d["image"]["os"]["id"] is None, err)
wh = mk.Image().add_layer(BASE).add_layer([("etc/.wh...", "file", b""), (".wh..", "file", b""),
                                           ("lib/apk/db/.wh..wh..opq", "file", b"")])
rc, d, err, _ = sbom_json(oci("whiteout-dotdot", [wh]))
check("whiteout of '..' skipped; opaque dir hides the DB", rc == 0 and d["packages"] == [], err)

# --- integrity ---------------------------------------------------------------------------------
p = oci("tampered", [good])
layer_digest = json.load(open(os.path.join(p, "blobs", "sha256", json.load(open(os.path.join(p, "index.json")))["manifests"][0]["digest"][7:])))["layers"][0]["digest"]
blob = os.path.join(p, "blobs", "sha256", layer_digest[7:])
data = bytearray(open(blob, "rb").read())
data[len(data) // 2] ^= 0xFF
open(blob, "wb").write(data)
rc, d, err, _ = sbom_json(p)
check("tampered layer blob: digest mismatch naming blob and both digests",
      rc == 3 and "digest mismatch" in err and layer_digest in err and "content has sha256:" in err, err)

trunc_tar = mk.tar_layer(BASE + [("big", "file", os.urandom(200000))])
trunc = gzip.compress(trunc_tar)[:-5000]


class Trunc(mk.Image):
    def oci_manifest(self, blobs):
        man = super().oci_manifest(blobs)
        m = json.loads(man)
        old = m["layers"][0]["digest"]
        del blobs[old]
        blobs[mk.sha(trunc)] = trunc
        m["layers"][0].update(digest=mk.sha(trunc), size=len(trunc))
        man = json.dumps(m).encode()
        blobs[mk.sha(man)] = man
        return man


rc, d, err, _ = sbom_json(oci("truncated-gzip", [Trunc().add_layer(trunc_tar)]))
check("truncated gzip layer: clear error", rc == 3 and "gzip" in err, err)

p = oci("missing-blob", [good])
os.remove(blob.replace("tampered", "missing-blob"))
rc, d, err, _ = sbom_json(p)
check("manifest naming a missing blob: clear error", rc == 3 and "missing" in err, err)

cfgbad = oci("tampered-config", [good])
idx = json.load(open(os.path.join(cfgbad, "index.json")))
man = json.load(open(os.path.join(cfgbad, "blobs", "sha256", idx["manifests"][0]["digest"][7:])))
cfgp = os.path.join(cfgbad, "blobs", "sha256", man["config"]["digest"][7:])
open(cfgp, "ab").write(b" ")
rc, d, err, _ = sbom_json(cfgbad)
check("tampered config: rejected", rc == 3 and ("mismatch" in err or "longer" in err), err)

# --- resource limits ---------------------------------------------------------------------------
many = oci("100k-layers", [good])
idx = json.load(open(os.path.join(many, "index.json")))
mp_ = os.path.join(many, "blobs", "sha256", idx["manifests"][0]["digest"][7:])
m = json.load(open(mp_))
m["layers"] = [m["layers"][0]] * 100000
raw = json.dumps(m).encode()
os.remove(mp_)
open(os.path.join(many, "blobs", "sha256", mk.sha(raw)[7:]), "wb").write(raw)
idx["manifests"][0].update(digest=mk.sha(raw), size=len(raw))
json.dump(idx, open(os.path.join(many, "index.json"), "w"))
rc, d, err, rss = run(["sbom", many], max_rss_mb=300)
check("manifest with 100k layers: refused by the layer limit", rc == 3 and "limit" in err, err)

# sparse: a 1 TiB file (GNU sparse), once where nobody wants it and once as the dpkg status
sp = os.path.join(WORK, "sparse")
os.makedirs(os.path.join(sp, "var/lib/dpkg"), exist_ok=True)
with open(os.path.join(sp, "huge"), "wb") as f:
    f.truncate(1 << 40)
with open(os.path.join(sp, "var/lib/dpkg/status"), "wb") as f:
    f.truncate(1 << 40)
sparse_tar = os.path.join(WORK, "sparse.tar")
subprocess.run(["tar", "--sparse", "--format=posix", "-C", sp, "-cf", sparse_tar, "huge", "var"], check=True)
shutil.rmtree(sp)
rc, d, err, rss = sbom_json(oci("sparse", [mk.Image().add_layer(open(sparse_tar, "rb").read(), how="gzip")]))
check("1 TiB sparse entries: skipped, wanted one reported too big", rc == 0 and "over the" in err, err)
check("sparse: memory bounded", rss < 300, f"{rss:.0f} MB")

# gzip bomb: 600 MB of zeros in a few hundred KB
bomb_dir = os.path.join(WORK, "bombsrc")
os.makedirs(bomb_dir, exist_ok=True)
with open(os.path.join(bomb_dir, "zeros"), "wb") as f:
    for _ in range(600):
        f.write(bytes(1 << 20))
bomb_tar = os.path.join(WORK, "bomb.tar")
subprocess.run(["tar", "-C", bomb_dir, "-cf", bomb_tar, "zeros"], check=True)
shutil.rmtree(bomb_dir)
bomb_gz = subprocess.run(["gzip", "-9", "-c", bomb_tar], check=True, stdout=subprocess.PIPE).stdout
os.remove(bomb_tar)


class Bomb(mk.Image):
    def oci_manifest(self, blobs):
        man = super().oci_manifest(blobs)
        m = json.loads(man)
        blobs[mk.sha(bomb_gz)] = bomb_gz
        m["layers"][0].update(digest=mk.sha(bomb_gz), size=len(bomb_gz))
        man = json.dumps(m).encode()
        blobs[mk.sha(man)] = man
        return man


rc, d, err, rss = sbom_json(oci("gzip-bomb", [Bomb().add_layer(b"")]))
check("gzip bomb: refused by the ratio limit", rc == 3 and "ratio" in err, err)
check("gzip bomb: memory bounded", rss < 300, f"{rss:.0f} MB")

# schema 1 manifests
s1 = oci("schema1", [good])
idx = json.load(open(os.path.join(s1, "index.json")))
raw = json.dumps({"schemaVersion": 1, "mediaType": "application/vnd.docker.distribution.manifest.v1+prettyjws",
                  "name": "x", "tag": "y", "fsLayers": []}).encode()
open(os.path.join(s1, "blobs", "sha256", mk.sha(raw)[7:]), "wb").write(raw)
idx["manifests"][0].update(digest=mk.sha(raw), size=len(raw), mediaType="application/vnd.docker.distribution.manifest.v1+prettyjws")
json.dump(idx, open(os.path.join(s1, "index.json"), "w"))
rc, d, err, _ = sbom_json(s1)
check("schema 1 manifest: clear 'unsupported' error", rc == 3 and "schema 1" in err, err)

rc, out, err, _ = run(["sbom", os.path.join(WORK, "does-not-exist")])
check("missing image: exit 3 with one line", rc == 3 and err.count("\n") == 0 and "no such" in err, err)
rc, out, err, _ = run(["sbom", "--format", "nope", "x"])
check("bad usage: exit 2", rc == 2, err)

# --- every codec: decoded under the same limits, digests checked on the right bytes -------------
import hostile_more  # noqa: E402  (the cases added for issue 13, in tests/integration/)
hostile_more.main(sys.modules[__name__])

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("all hostile-image checks passed")

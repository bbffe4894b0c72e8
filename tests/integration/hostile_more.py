"""More hostile images (issue 13), run by images_hostile.py with its helpers: every codec under
the same limits, links to host files, lies in sizes and digests, deep nesting, poisoned package
databases, control characters. Every case must end (clean error or result) within CASE_TIMEOUT,
never read a host file nor write outside the work directory, and stay under MAX_RSS_MB."""
import bz2
import io
import json
import lzma
import os
import subprocess
import tarfile
import time
import zipfile

CASE_TIMEOUT = 60  # seconds, each case
MAX_RSS_MB = 300   # peak RSS of any case (ASan builds included)

h = None  # images_hostile, set by main()


def timed(name, fn):
    t0 = time.monotonic()
    try:
        fn()
    except subprocess.TimeoutExpired:
        h.check(name + ": ends in time", False, f"over {CASE_TIMEOUT} s")
        return
    # the ASan build is slower: a case that takes longer than its budget is a hang to look at
    dt = time.monotonic() - t0
    h.check(name + ": ended in time", dt < CASE_TIMEOUT, f"{dt:.1f} s")


def sbom(ref, *extra, fmt="json"):
    rc, out, err, rss = h.run(["sbom", "--format", fmt, ref] + list(extra), max_rss_mb=MAX_RSS_MB)
    doc = None
    if rc == 0 and fmt == "json":
        doc = json.loads(out)
    return rc, doc, out, err, rss


def names(doc):
    return sorted(p["name"] for p in doc["packages"]) if doc else []


def raw_image(mk, blobs_per_layer, diff_ids=None):
    """An Image whose layer blobs are given as bytes (bombs, lies), diff_ids optional."""
    class Raw(mk.Image):
        def config(self):
            c = json.loads(super().config())
            if diff_ids is not None:
                c["rootfs"]["diff_ids"] = diff_ids
            return json.dumps(c, sort_keys=True).encode()

        def oci_manifest(self, blobs):
            man = json.loads(super().oci_manifest(blobs))
            for i, b in enumerate(blobs_per_layer):
                blobs[mk.sha(b)] = b
                man["layers"][i].update(digest=mk.sha(b), size=len(b))
            raw = json.dumps(man).encode()
            blobs[mk.sha(raw)] = raw
            return raw

    im = Raw()
    for _ in blobs_per_layer:
        im.add_layer(b"", how="none")
    return im


def tar_header(name, size):
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.mtime = 0
    return ti.tobuf(format=tarfile.PAX_FORMAT)


def bomb_stream(codec, total_mb=640):
    """A tar holding one entry of total_mb MiB of zeros, compressed as concatenated streams of
    one 64 MiB chunk each (every codec here decodes concatenations), so it is built in a
    second."""
    chunk = bytes(64 << 20)
    n = total_mb // 64
    hdr = tar_header("zeros", n * len(chunk))
    if codec == "xz":
        c = lambda b: lzma.compress(b, preset=0)  # noqa: E731
    elif codec == "bzip2":
        c = lambda b: bz2.compress(b, 1)  # noqa: E731
    else:
        c = lambda b: subprocess.run(["zstd", "-q", "-1", "-c"], input=b, check=True,  # noqa: E731
                                     stdout=subprocess.PIPE).stdout
    one = c(chunk)
    return c(hdr) + one * n


def codecs(mk):
    for how in ("xz", "bzip2"):
        im = mk.Image().add_layer(h.BASE, how=how).add_layer([("opt/x", "file", b"x")], how=how)
        rc, doc, _, err, _ = sbom(h.oci(f"{how}-layers", [im]))
        h.check(f"OCI image with {how} layers: read", rc == 0 and names(doc) == ["musl", "zlib"], err)
        h.check(f"{how} layer reported as {how}",
                doc is not None and doc["source"]["layers"][0]["compression"] == how, str(doc and doc["source"]))
        # docker-archive (legacy): the diff_id is checked on the decoded tar, not the xz bytes
        da = os.path.join(h.WORK, f"{how}-legacy.tar")
        mk.docker_archive(da, im)
        rc, doc, _, err, _ = sbom("docker-archive:" + da)
        h.check(f"docker-archive with {how} layers: no false digest mismatch",
                rc == 0 and names(doc) == ["musl", "zlib"], err)
    for how in ("xz", "bzip2", "zstd"):
        def case(how=how):
            bomb = bomb_stream(how)
            rc, _, _, err, rss = sbom(h.oci(f"{how}-bomb", [raw_image(mk, [bomb])]))
            h.check(f"{how} bomb ({len(bomb)} bytes -> 640 MiB): refused by the ratio limit",
                    rc == 3 and "ratio" in err, err)
        timed(f"{how} bomb", case)


def main(hostile):
    global h
    h = hostile
    mk = h.mk
    for part in (codecs,):
        part(mk)

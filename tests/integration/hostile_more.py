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
peak = [0.0, ""]  # the largest peak RSS of any run here, and which


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
    if rss > peak[0]:
        peak[0], peak[1] = rss, os.path.basename(ref)
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



def raw_run(args):
    """Run lading keeping stdout and stderr as bytes (terminal checks)."""
    p = subprocess.run([h.BIN] + args, capture_output=True, cwd=h.WORK, timeout=CASE_TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def term_safe(b):
    """No C0 control but newline, no DEL, valid UTF-8 without C1 controls."""
    if any((c < 0x20 and c != 0x0A) or c == 0x7F for c in b):
        return False
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(0x80 <= ord(ch) <= 0x9F for ch in t)


def terminal(mk):
    esc = "\x1b[31mred\x1b]0;pwned\x07\x1b[2J"
    db = ("P:evil" + esc + "\nV:1.0" + esc + "\xc2\x9b" + "\nA:x86_64\no:o" + esc + "\n\n").encode("utf-8", "surrogateescape")
    db += b"P:rawc1\x9b31m\nV:2\x1b[0m\nA:x86_64\n\n"
    im = mk.Image().add_layer([("etc/os-release", "file", ("ID=alpine\nPRETTY_NAME=\"Alpine" + esc + "\"\n").encode()),
                               ("lib/apk/db/installed", "file", db),
                               ("tmp/a" + esc + "/../../../b", "file", b"x")],
                              created_by="RUN echo " + esc)
    p = h.oci("terminal", [im])
    rc, out, err = raw_run(["sbom", "--format", "table", "-v", p])
    h.check("escape sequences in names, versions, OS, created_by, tar names: table still printed", rc == 0,
            err.decode(errors="replace"))
    h.check("table output carries no raw control character", term_safe(out), repr(out[:400]))
    h.check("table output shows them escaped", b"\\x1b[31m" in out, repr(out[:400]))
    h.check("warnings on stderr carry no raw control character", term_safe(err) and b"\\x1b" in err, repr(err[:400]))
    # an error message naming an image-controlled tag
    rc, out, err = raw_run(["sbom", p + ":tag\x1b[2Jx"])
    h.check("errors on stderr carry no raw control character", rc != 0 and term_safe(err), repr(err[:300]))


def host_files(mk):
    canary = os.path.join(h.WORK, "host-canary")
    with open(canary, "w") as f:
        f.write("P:host-secret\nV:6.6.6-r0\nA:x86_64\n\n")
    im = mk.Image().add_layer([
        ("etc/os-release", "symlink", "/etc/os-release/../../etc/shadow"),
        ("lib/apk/db/installed", "symlink", canary),                      # absolute host path
        ("var/lib/dpkg/status", "symlink", "../../../../../../../etc/passwd"),
        ("usr/lib/os-release", "hardlink", "../../../../etc/os-release"),
        ("etc/hl", "hardlink", "/etc/shadow"),
        ("proc/self/environ", "symlink", "/proc/self/environ"),
    ])
    rc, doc, out, err, _ = sbom(h.oci("host-links", [im]))
    h.check("symlinks and hardlinks to host files: no host file read",
            rc == 0 and names(doc) == [] and doc["image"]["os"]["id"] is None and "host-secret" not in out
            and "root:" not in out, err + out[:300])
    rc, doc, out, err, _ = sbom("dir:" + os.path.join(h.WORK, "no-such-dir"))
    h.check("dir: source that does not exist: clear error", rc == 3, err)
    # a rootfs directory whose symlinks point at host files: not followed out of the tree
    root = os.path.join(h.WORK, "rootfs-links")
    os.makedirs(os.path.join(root, "lib/apk/db"), exist_ok=True)
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    os.symlink(canary, os.path.join(root, "lib/apk/db/installed"))
    os.symlink("/etc/os-release", os.path.join(root, "etc/os-release"))
    rc, doc, out, err, _ = sbom("dir:" + root)
    h.check("dir: source with symlinks to host files: not followed",
            rc == 0 and "host-secret" not in out and doc["image"]["os"]["id"] is None, err + out[:300])


def sizes(mk):
    # declared sizes the data does not back: a wanted 1 TiB file cut short, a 3 GiB one
    for name, size in (("1tib", 1 << 40), ("3gib", 3 << 30)):
        tar = tar_header("lib/apk/db/installed", size) + b"P:x\nV:1\n\n" + bytes(512 - 9)
        im = raw_image(mk, [mk.compress(tar, "gzip")])
        def case(im=im, name=name):
            rc, _, _, err, rss = sbom(h.oci("declared-" + name, [im]))
            h.check(f"wanted file declared {name}, data cut short: clean end", rc in (0, 3) and rss < MAX_RSS_MB,
                    f"rc {rc}, {rss:.0f} MB: {err}")
        timed("declared " + name, case)
    # os-release as a hardlink to an unwanted 8 MiB file: re-read within the link's own cap
    # (64 KiB), not uncapped
    big = bytes(8 << 20)
    im = mk.Image().add_layer([("data/blob", "file", big), ("etc/os-release", "hardlink", "data/blob"),
                               ("lib/apk/db/installed", "file", h.APK_DB)])
    # --no-cache: the warnings checked come from reading the layer, not from a cached analysis
    rc, doc, _, err, rss = sbom(h.oci("hardlink-over-cap", [im]), "-v", "--no-cache")
    h.check("hardlink to an 8 MiB file as os-release: not read (over its 64 KiB cap)",
            rc == 0 and "etc/os-release" in err and "limit" in err and doc["image"]["os"]["id"] is None, err)
    # a symlinked os-release in a layer that also has a symlinked dpkg status (256 MiB cap)
    im = mk.Image().add_layer([("usr/lib/big-release", "file", b"ID=debian\n" + bytes(1 << 20)),
                               ("etc/os-release", "symlink", "../usr/lib/big-release"),
                               ("var/lib/dpkg/real-status", "file", b"Package: a\nStatus: install ok installed\nVersion: 1\n\n"),
                               ("var/lib/dpkg/status", "symlink", "real-status")])
    rc, doc, _, err, rss = sbom(h.oci("symlink-own-cap", [im]), "-v", "--no-cache")
    h.check("file reached through a symlink gets its own cap, not the largest of its layer",
            rc == 0 and "usr/lib/big-release" in err and "limit" in err and doc["image"]["os"]["id"] is None
            and names(doc) == ["a"], err)


def nesting(mk):
    # JSON nested 100,000 deep as the config, the manifest and the index
    deep = b"[" * 100000 + b"]" * 100000
    good = mk.Image().add_layer(h.BASE)
    for which in ("config", "manifest", "index"):
        p = h.oci("deep-" + which, [good])
        idx_p = os.path.join(p, "index.json")
        idx = json.load(open(idx_p))
        if which == "index":
            open(idx_p, "wb").write(b'{"schemaVersion":2,"manifests":' + deep + b"}")
        else:
            man_p = os.path.join(p, "blobs", "sha256", idx["manifests"][0]["digest"][7:])
            man = json.load(open(man_p))
            if which == "config":
                blob = b'{"architecture":"amd64","os":"linux","x":' + deep + b"}"
                man["config"].update(digest=mk.sha(blob), size=len(blob))
                open(os.path.join(p, "blobs", "sha256", mk.sha(blob)[7:]), "wb").write(blob)
                raw = json.dumps(man).encode()
            else:
                raw = json.dumps(man)[:-1].encode() + b',"x":' + deep + b"}"
            open(os.path.join(p, "blobs", "sha256", mk.sha(raw)[7:]), "wb").write(raw)
            idx["manifests"][0].update(digest=mk.sha(raw), size=len(raw))
            json.dump(idx, open(idx_p, "w"))
        rc, _, _, err, _ = sbom(p)
        h.check(f"{which} JSON nested 100,000 deep: clean error", rc == 3 and err, err)
    # jars nested 12 deep, each with a pom.properties (3 levels are read); a jar with 20,000
    # entries; a pom.properties of 512 MiB of zeros (deflated to 0.5 MB)
    inner = b""
    for d in range(12, 0, -1):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"META-INF/maven/g/level{d}/pom.properties", f"version={d}\ngroupId=g\nartifactId=level{d}\n")
            if inner:
                z.writestr(f"lib/level{d + 1}-1.0.jar", inner)
        inner = buf.getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(20000):
            z.writestr(f"c/C{i}.class", b"\xca\xfe\xba\xbe")
    many = buf.getvalue()
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("META-INF/maven/g/zbomb/pom.properties", "w", force_zip64=True) as f:
            chunk = bytes(8 << 20)
            for _ in range(64):
                f.write(chunk)
    im = mk.Image().add_layer(h.BASE + [("opt/deep-1.0.jar", "file", inner), ("opt/many-1.0.jar", "file", many),
                                        ("opt/zbomb-1.0.jar", "file", zb.getvalue())])

    def case():
        rc, doc, _, err, rss = sbom(h.oci("jars", [im]))
        got = names(doc)
        h.check("jars nested 12 deep, 20,000 entries, a 512 MiB pom.properties: bounded result",
                rc == 0 and "g:level3" in got and "g:level4" not in got and "g:zbomb" not in got, err + str(got))
    timed("nested jars", case)


def lies(mk):
    good = mk.Image().add_layer(h.BASE)
    # a layer descriptor whose size is smaller than the blob
    p = h.oci("size-lie", [good])
    idx = json.load(open(os.path.join(p, "index.json")))
    man_p = os.path.join(p, "blobs", "sha256", idx["manifests"][0]["digest"][7:])
    man = json.load(open(man_p))
    man["layers"][0]["size"] -= 100
    raw = json.dumps(man).encode()
    open(os.path.join(p, "blobs", "sha256", mk.sha(raw)[7:]), "wb").write(raw)
    idx["manifests"][0].update(digest=mk.sha(raw), size=len(raw))
    json.dump(idx, open(os.path.join(p, "index.json"), "w"))
    rc, _, _, err, _ = sbom(p)
    h.check("layer descriptor size smaller than the blob: rejected", rc == 3, err)
    # the index names a manifest with the wrong digest (its bytes changed after)
    p = h.oci("manifest-lie", [good])
    idx = json.load(open(os.path.join(p, "index.json")))
    man_p = os.path.join(p, "blobs", "sha256", idx["manifests"][0]["digest"][7:])
    data = open(man_p, "rb").read()
    open(man_p, "wb").write(data.replace(b'"schemaVersion": 2', b'"schemaVersion":  2'))
    rc, _, _, err, _ = sbom(p)
    h.check("manifest bytes not matching the index digest: rejected", rc == 3 and ("mismatch" in err or "longer" in err), err)
    # a docker-archive whose config lists diff_ids the layers do not have
    da = os.path.join(h.WORK, "diffid-lie.tar")
    lie = raw_image(mk, [mk.tar_layer(h.BASE)], diff_ids=["sha256:" + "ab" * 32])
    lie.layers = [(mk.tar_layer(h.BASE), "none")]
    mk.docker_archive(da, lie)
    rc, _, _, err, _ = sbom("docker-archive:" + da)
    h.check("docker-archive layer not matching its diff_id: rejected", rc == 3 and "mismatch" in err, err)


def layers_and_whiteouts(mk):
    # whiteout of the root: an opaque marker at '/', and a whiteout naming '/'
    im = mk.Image().add_layer(h.BASE).add_layer([(".wh..wh..opq", "file", b""), ("./.wh..wh..opq", "file", b""),
                                                 ("/.wh.", "file", b""), ("new", "file", b"x")])
    rc, doc, _, err, _ = sbom(h.oci("whiteout-root", [im]))
    h.check("opaque marker at the root hides every lower layer", rc == 0 and names(doc) == [], err)
    # duplicate entries: the last one of a layer wins
    im = mk.Image().add_layer([("lib/apk/db/installed", "file", b"P:first\nV:1-r0\nA:x86_64\n\n"),
                               ("lib/apk/db/installed", "file", b"P:second\nV:2-r0\nA:x86_64\n\n")])
    rc, doc, _, err, _ = sbom(h.oci("duplicates", [im]))
    h.check("duplicate entries in a layer: the last wins", rc == 0 and names(doc) == ["second"], err)
    # 1,025 layers (one over the limit) of one tiny blob
    p = h.oci("1025-layers", [mk.Image().add_layer([("x", "file", b"x")])])
    idx = json.load(open(os.path.join(p, "index.json")))
    man_p = os.path.join(p, "blobs", "sha256", idx["manifests"][0]["digest"][7:])
    man = json.load(open(man_p))
    man["layers"] = man["layers"] * 1025
    raw = json.dumps(man).encode()
    open(os.path.join(p, "blobs", "sha256", mk.sha(raw)[7:]), "wb").write(raw)
    idx["manifests"][0].update(digest=mk.sha(raw), size=len(raw))
    json.dump(idx, open(os.path.join(p, "index.json"), "w"))
    rc, _, _, err, _ = sbom(p)
    h.check("1,025 layers: refused", rc == 3, err)


def poisoned_dbs(mk):
    # an apk database with a 4 MiB package name, one with 50,000 packages
    apk = b"P:" + b"n" * (4 << 20) + b"\nV:1-r0\nA:x86_64\n\n" + h.APK_DB
    many = b"".join(b"P:p%d\nV:1-r0\nA:x86_64\n\n" % i for i in range(50000))
    # a dpkg status with one 16 MiB field
    dpkg = b"Package: big\nStatus: install ok installed\nVersion: 1\nDescription: x\n" + b" " + b"d" * (16 << 20) + b"\n\n"
    for name, entries in (("apk-huge-name", [("lib/apk/db/installed", "file", apk)]),
                          ("apk-50k", [("lib/apk/db/installed", "file", many)]),
                          ("dpkg-huge-field", [("var/lib/dpkg/status", "file", dpkg)])):
        im = mk.Image().add_layer(entries)

        def case(im=im, name=name):
            rc, doc, _, err, rss = sbom(h.oci(name, [im]))
            h.check(f"poisoned package DB ({name}): result or clean error within the memory bound",
                    rc in (0, 3) and rss < MAX_RSS_MB and (rc == 3 or len(names(doc)) >= 1), f"rc {rc} {rss:.0f} MB {err}")
        timed(name, case)


def main(hostile):
    global h
    h = hostile
    mk = h.mk
    t0 = time.monotonic()
    for part in (codecs, terminal, host_files, sizes, nesting, lies, layers_and_whiteouts, poisoned_dbs):
        part(mk)
    print(f"hostile_more: {time.monotonic() - t0:.1f} s, largest peak RSS {peak[0]:.0f} MB ({peak[1]})")

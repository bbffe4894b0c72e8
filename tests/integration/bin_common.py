"""Shared by the bin_*.py integration tests: the cached binaries (tests/setup/bin-artifacts.sh),
images made of them (tests/tools/mkimage.py, layers as uncompressed tars with real file modes),
and running lading."""
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

SRC = os.environ["LADING_SRC"]
BIN = os.environ["LADING_BIN"]
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
import mkimage as mk  # noqa: E402

failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:3000]))
    if not cond:
        failures.append(name)
    return cond


def finish():
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


def workdir(name):
    w = os.path.join(os.environ["LADING_WORK"], name)
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    return w


def artifacts():
    out = subprocess.run(["bash", os.path.join(SRC, "tests/setup/bin-artifacts.sh")], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return out.strip().splitlines()[-1]


def testdb():
    out = subprocess.run(["bash", os.path.join(SRC, "tests/setup/vulndb.sh")], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return out.strip().splitlines()[-1]


def layer(entries):
    """entries: (image path, host file | bytes | None for a directory, mode) or
    (image path, "->target") for a symlink. Parent directories are added."""
    buf = io.BytesIO()
    seen = set()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        def mkdirs(path):
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d and d not in seen:
                    seen.add(d)
                    ti = tarfile.TarInfo(d)
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                    t.addfile(ti)
        for e in entries:
            path = e[0].lstrip("/")
            mkdirs(path)
            ti = tarfile.TarInfo(path)
            if isinstance(e[1], str) and e[1].startswith("->"):
                ti.type = tarfile.SYMTYPE
                ti.linkname = e[1][2:]
                t.addfile(ti)
                continue
            data = e[1]
            if data is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = e[2] if len(e) > 2 else 0o755
                seen.add(path)
                t.addfile(ti)
                continue
            if isinstance(data, str):
                with open(data, "rb") as f:
                    data = f.read()
            ti.size = len(data)
            ti.mode = e[2] if len(e) > 2 else 0o644
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def image(work, name, layers):
    """An OCI layout from a list of layer entry lists; returns its path."""
    im = mk.Image()
    for entries in layers:
        im.add_layer(layer(entries), how="none")
    path = os.path.join(work, name)
    mk.oci_layout(path, [im])
    return path


def run(args, cwd=None):
    p = subprocess.run([BIN] + args, capture_output=True, text=True, cwd=cwd, timeout=900)
    return p.returncode, p.stdout, p.stderr


def sbom(ref, *extra):
    rc, out, err = run(["sbom", "--format", "json", ref] + list(extra))
    return rc, (json.loads(out) if rc == 0 and out.strip() else None), err


def scan(ref, db, *extra):
    rc, out, err = run(["scan", "--format", "json", "--db", db, ref] + list(extra))
    return rc, (json.loads(out) if out.strip().startswith("{") else None), err


def dpkg_db(packages):
    """var/lib/dpkg/status and info/*.list entries owning the given files, as dpkg writes them:
    packages = [(name, version, [paths])]."""
    status = "".join(f"Package: {n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n"
                     f"Maintainer: t <t@example.invalid>\nDescription: test\n\n" for n, v, _ in packages)
    entries = [("var/lib/dpkg/status", status.encode())]
    for n, _, files in packages:
        entries.append((f"var/lib/dpkg/info/{n}.list", ("".join(f + "\n" for f in files)).encode()))
    return entries

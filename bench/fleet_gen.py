#!/usr/bin/env python3
"""Generate a fleet of OCI image layouts for bench/fleet.sh.

Every image is a real Alpine base (a minirootfs tarball of ../shared, as the layer blob, shared by
hardlink as images on a registry share their bases) plus one small distinct top layer: Python
distributions (*.dist-info/METADATA) chosen from PyPI releases that OSV records name (so that a
database with the PyPI feed finds something), a few at versions no advisory names, and a file
unique to the image. Prints nothing; writes OUT/img-N/ (oci layout) and OUT/refs.txt.

usage: fleet_gen.py SHARED OUT COUNT [SEED]
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile
import zipfile


def sha256_file(path, gunzip=False):
    h = hashlib.sha256()
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pypi_releases(shared, limit=400):
    """(name, version) pairs that some PyPI OSV record lists as affected."""
    out = []
    with zipfile.ZipFile(os.path.join(shared, "vulndata/osv/PyPI/all.zip")) as z:
        for n in sorted(z.namelist()):
            rec = json.loads(z.read(n))
            for a in rec.get("affected", []):
                name = a.get("package", {}).get("name")
                vers = a.get("versions") or []
                if name and vers:
                    out.append((name, vers[len(vers) // 2]))
                    break
            if len(out) >= limit:
                break
    return out


def top_layer(i, pkgs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        def add(path, data):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
        add("etc/fleet-id", f"{i}\n".encode())
        for name, ver in pkgs:
            d = f"usr/lib/python3.11/site-packages/{name.replace('-', '_')}-{ver}.dist-info"
            meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n\n".encode()
            add(f"{d}/METADATA", meta)
    return buf.getvalue()


def main():
    shared, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    adir = os.path.join(shared, "images/alpine")
    bases = []
    for f in sorted(os.listdir(adir)):
        if f.startswith("alpine-minirootfs-") and f.endswith(".tar.gz"):
            p = os.path.join(adir, f)
            bases.append((p, sha256_file(p), sha256_file(p, gunzip=True), os.path.getsize(p)))
    rel = pypi_releases(shared)
    # versions no advisory names: most deployments run something newer than the vulnerable one
    clean = [(n, "9999.0." + str(k)) for k, (n, _) in enumerate(rel)]
    os.makedirs(out, exist_ok=True)
    refs = []
    for i in range(count):
        base, bdig, bdiff, bsize = bases[i % len(bases)]
        pkgs = rnd.sample(rel, 2) + rnd.sample(clean, 3)
        top = top_layer(i, pkgs)
        tdig = hashlib.sha256(top).hexdigest()
        d = os.path.join(out, f"img-{i}")
        blobs = os.path.join(d, "blobs/sha256")
        os.makedirs(blobs, exist_ok=True)
        bpath = os.path.join(blobs, bdig)
        if not os.path.exists(bpath):
            os.link(base, bpath)
        with open(os.path.join(blobs, tdig), "wb") as f:
            f.write(top)
        config = {
            "architecture": "amd64", "os": "linux",
            "created": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
            "config": {"Labels": {"fleet.id": str(i)}},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + bdiff, "sha256:" + tdig]},
            "history": [{"created_by": "ADD " + os.path.basename(base)}, {"created_by": "COPY app"}],
        }
        cb = json.dumps(config, sort_keys=True).encode()
        cdig = hashlib.sha256(cb).hexdigest()
        with open(os.path.join(blobs, cdig), "wb") as f:
            f.write(cb)
        man = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + cdig, "size": len(cb)},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                 "digest": "sha256:" + bdig, "size": bsize},
                {"mediaType": "application/vnd.oci.image.layer.v1.tar",
                 "digest": "sha256:" + tdig, "size": len(top)},
            ],
        }
        mb = json.dumps(man, sort_keys=True).encode()
        mdig = hashlib.sha256(mb).hexdigest()
        with open(os.path.join(blobs, mdig), "wb") as f:
            f.write(mb)
        index = {"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + mdig,
            "size": len(mb), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
        with open(os.path.join(d, "index.json"), "w") as f:
            json.dump(index, f)
        with open(os.path.join(d, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        refs.append(f"oci:{d}:latest sha256:{cdig}")
    with open(os.path.join(out, "refs.txt"), "w") as f:
        f.write("\n".join(refs) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Copy an OCI layout, setting config labels on each image: oci_relabel.py SRC DST KEY=VALUE...
The layers are copied as they are; the config, manifests and index are rewritten
with their new digests, so the copy is another image (another config digest) with the same
layers. Standard library only."""
import hashlib
import json
import os
import shutil
import sys


def blob_path(root, digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(root, "blobs", algo, hexd)


def put_blob(root, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    p = blob_path(root, d)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if os.path.exists(p):
        os.unlink(p)
    with open(p, "wb") as f:
        f.write(data)
    return d, len(data)


def relabel_manifest(src, dst, desc, labels):
    with open(blob_path(src, desc["digest"]), "rb") as f:
        man = json.load(f)
    with open(blob_path(src, man["config"]["digest"]), "rb") as f:
        cfg = json.load(f)
    cfg.setdefault("config", {})
    cfg["config"]["Labels"] = dict(cfg["config"].get("Labels") or {}, **labels)
    man["config"]["digest"], man["config"]["size"] = put_blob(dst, json.dumps(cfg).encode())
    out = dict(desc)
    # another tag name too: a tag is one image in the store
    ann = dict(out.get("annotations") or {})
    if "org.opencontainers.image.ref.name" in ann:
        ann["org.opencontainers.image.ref.name"] += "-relabelled"
        out["annotations"] = ann
    out["digest"], out["size"] = put_blob(dst, json.dumps(man).encode())
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: oci_relabel.py SRC DST KEY=VALUE...")
    src, dst = sys.argv[1], sys.argv[2]
    labels = dict(a.split("=", 1) for a in sys.argv[3:])
    # copies, never hard links: writing the copy's index must not touch the source's files
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for root, dirs, _ in os.walk(dst):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    os.chmod(dst, 0o755)
    with open(os.path.join(src, "index.json")) as f:
        index = json.load(f)
    index["manifests"] = [relabel_manifest(src, dst, m, labels) for m in index["manifests"]]
    os.unlink(os.path.join(dst, "index.json"))
    with open(os.path.join(dst, "index.json"), "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    main()

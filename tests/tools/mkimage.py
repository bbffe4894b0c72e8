#!/usr/bin/env python3
"""Build small container images for tests: OCI layouts, oci-archives and docker-archives
(legacy and Docker 25+ OCI-in-tar), from layers described in Python. Hostile variants are made
by the callers (tampered blobs, bad manifests...). Standard library only."""
import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import subprocess
import tarfile


def tar_layer(entries):
    """entries: list of (path, kind, data) with kind in file|dir|symlink|hardlink; data is bytes
    for files, the target for links."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, data in entries:
            ti = tarfile.TarInfo(path)
            ti.mtime = 0
            if kind == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
                continue
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = data
            elif kind == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = data
            t.addfile(ti)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, check=True, stdout=subprocess.PIPE).stdout
    if how == "xz":
        return lzma.compress(data, preset=1)
    if how == "bzip2":
        return bz2.compress(data, 9)
    return data


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


MT = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "xz": "application/vnd.oci.image.layer.v1.tar+xz",  # not in the spec: a hostile or odd image
    "bzip2": "application/vnd.oci.image.layer.v1.tar+bzip2",
    "none": "application/vnd.oci.image.layer.v1.tar",
}


class Image:
    """An image being assembled: layers (raw tar bytes), blobs (digest -> bytes), config."""

    def __init__(self, arch="amd64", os_="linux"):
        self.layers = []  # (tar bytes, compression)
        self.history = []
        self.arch = arch
        self.os = os_

    def add_layer(self, entries_or_tar, how="gzip", created_by="test"):
        tar = entries_or_tar if isinstance(entries_or_tar, (bytes, bytearray)) else tar_layer(entries_or_tar)
        self.layers.append((bytes(tar), how))
        self.history.append({"created_by": created_by})
        return self

    def config(self):
        return json.dumps({
            "architecture": self.arch, "os": self.os, "created": "2024-01-02T03:04:05Z",
            "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": [sha(t) for t, _ in self.layers]},
            "history": self.history,
        }, sort_keys=True).encode()

    def oci_manifest(self, blobs):
        cfg = self.config()
        blobs[sha(cfg)] = cfg
        layers = []
        for tar, how in self.layers:
            b = compress(tar, how)
            blobs[sha(b)] = b
            layers.append({"mediaType": MT[how], "digest": sha(b), "size": len(b)})
        man = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg), "size": len(cfg)},
            "layers": layers,
        }, sort_keys=True).encode()
        blobs[sha(man)] = man
        return man


def write_layout(root, blobs, index):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    for d, b in blobs.items():
        with open(os.path.join(root, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(b)
    with open(os.path.join(root, "index.json"), "wb") as f:
        f.write(json.dumps(index).encode())


def oci_layout(root, images, tags=None):
    """images: list of Image; one index entry each, with a platform and optional tag."""
    blobs = {}
    manifests = []
    for i, im in enumerate(images):
        man = im.oci_manifest(blobs)
        d = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man), "size": len(man),
             "platform": {"os": im.os, "architecture": im.arch}}
        if tags and tags[i]:
            d["annotations"] = {"org.opencontainers.image.ref.name": tags[i]}
        manifests.append(d)
    write_layout(root, blobs, {"schemaVersion": 2, "manifests": manifests})
    return blobs


def tar_dir(src, out):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for name in sorted(os.listdir(src)):
            t.add(os.path.join(src, name), arcname=name)


def docker_archive(out, im, tag="example.test/img:1", oci_in_tar=False):
    """`docker save` layout: legacy (<diffid>.tar layers, uncompressed unless told) or, with
    oci_in_tar, Docker 25+ (blobs/sha256/..., index.json beside manifest.json)."""
    cfg = im.config()
    members = {}
    layer_names = []
    if oci_in_tar:
        blobs = {}
        man = im.oci_manifest(blobs)
        for d, b in blobs.items():
            members["blobs/sha256/" + d[7:]] = b
        cfgname = "blobs/sha256/" + sha(cfg)[7:]
        for l in json.loads(man)["layers"]:
            layer_names.append("blobs/sha256/" + l["digest"][7:])
        members["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}'
        members["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man), "size": len(man),
             "annotations": {"io.containerd.image.name": tag}}]}).encode()
    else:
        cfgname = sha(cfg)[7:] + ".json"
        members[cfgname] = cfg
        for tar, how in im.layers:
            name = sha(tar)[7:] + ".tar"
            members[name] = compress(tar, how)
            layer_names.append(name)
    members["manifest.json"] = json.dumps([{"Config": cfgname, "RepoTags": [tag], "Layers": layer_names}]).encode()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for name, data in members.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))

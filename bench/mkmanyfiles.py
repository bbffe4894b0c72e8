#!/usr/bin/env python3
"""Write an OCI layout holding one gzip layer of N empty files (plus their directories and an
/etc/os-release), laid out as a node_modules tree: app/node_modules/pkgNNNNN/lib/fNNN.js, 100
files per directory. Tar headers are written by hand (ustar): tarfile needs minutes for 5M
entries. Usage: mkmanyfiles.py N OUT_DIR. Standard library only."""
import gzip
import hashlib
import json
import os
import sys

PER_DIR = 100


def header(name, typeflag=b"0", size=0, mode=0o644):
    name = name.encode()
    if len(name) > 100:
        raise SystemExit("name too long: %r" % name)
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"00000000000\0"
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


class Sink:
    """Counts and hashes the tar (diff_id) and its gzip form (blob digest) as they are written."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.blob = hashlib.sha256()
        self.size = 0
        self.diff = hashlib.sha256()
        self.gz = gzip.GzipFile(fileobj=self, mode="wb", compresslevel=6, mtime=0)

    def write(self, b):  # called by GzipFile with compressed bytes
        self.blob.update(b)
        self.size += len(b)
        self.f.write(b)

    def flush(self):
        pass

    def add(self, b):
        self.diff.update(b)
        self.gz.write(b)

    def close(self):
        self.gz.close()
        self.f.close()


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    bdir = os.path.join(out, "blobs", "sha256")
    os.makedirs(bdir, exist_ok=True)
    tmp = os.path.join(bdir, "layer.tmp")
    s = Sink(tmp)
    osr = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
    for d in ("etc/", "app/", "app/node_modules/"):
        s.add(header(d, b"5", mode=0o755))
    s.add(header("etc/os-release", size=len(osr)) + osr + b"\0" * (512 - len(osr)))
    chunk = []
    for i in range(n):
        if i % PER_DIR == 0:
            pkg = "app/node_modules/pkg%05d/" % (i // PER_DIR)
            chunk.append(header(pkg, b"5", mode=0o755))
            chunk.append(header(pkg + "lib/", b"5", mode=0o755))
        chunk.append(header("%slib/f%03d.js" % (pkg, i % PER_DIR)))
        if len(chunk) >= 4096:
            s.add(b"".join(chunk))
            chunk = []
    s.add(b"".join(chunk) + b"\0" * 1024)
    s.close()
    blob = "sha256:" + s.blob.hexdigest()
    os.replace(tmp, os.path.join(bdir, blob[7:]))

    def put(obj):
        b = json.dumps(obj, sort_keys=True).encode()
        d = "sha256:" + hashlib.sha256(b).hexdigest()
        with open(os.path.join(bdir, d[7:]), "wb") as f:
            f.write(b)
        return d, len(b)

    cfg, cfglen = put({"architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
                       "config": {"Cmd": ["/bin/sh"]},
                       "rootfs": {"type": "layers", "diff_ids": ["sha256:" + s.diff.hexdigest()]},
                       "history": [{"created_by": "many files: %d" % n}]})
    man, manlen = put({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg,
                                  "size": cfglen},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob,
                                   "size": s.size}]})
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man, "size": manlen,
             "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, f)


if __name__ == "__main__":
    main()

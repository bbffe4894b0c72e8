#!/usr/bin/env python3
"""Push the OCI layouts of bench/fleet_gen.py into a plain-HTTP registry, fast.

One `skopeo copy` per image costs a process start and a dozen requests, far too slow for a
6,000-image fleet on a shared 2-core machine; this speaks the distribution API directly on
kept-alive connections from a few threads. Each image goes to its own repository (REPO_PREFIX/img-N,
tag latest), as a fleet's images live in many repositories; a blob the registry already holds in
another repository (the shared bases) is mounted from there (cross-repository mount), as docker
push does. Prints "HOST:PORT/REPO_PREFIX/img-N:latest" per image to OUT_REFS, in input order.

usage: fleet_push.py REFS_TXT HOST:PORT REPO_PREFIX OUT_REFS [THREADS]
"""
import http.client
import json
import os
import sys
import threading
import urllib.parse


class Pusher:
    def __init__(self, hostport, seen, lock):
        self.hostport, self.seen, self.lock = hostport, seen, lock
        self.conn = http.client.HTTPConnection(hostport, timeout=120)

    def req(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body, headers or {})
        r = self.conn.getresponse()
        data = r.read()
        return r, data

    def blob(self, repo, layout, digest):
        with self.lock:
            src = self.seen.get(digest)
        if src is not None:
            q = urllib.parse.urlencode({"mount": digest, "from": src})
            r, _ = self.req("POST", f"/v2/{repo}/blobs/uploads/?{q}")
            if r.status == 201:
                return
            loc = r.getheader("Location")  # 202: not mountable, upload instead
        else:
            r, _ = self.req("POST", f"/v2/{repo}/blobs/uploads/")
            loc = r.getheader("Location")
        if r.status != 202 or not loc:
            raise RuntimeError(f"upload start {repo}: {r.status}")
        u = urllib.parse.urlsplit(loc)
        sep = "&" if u.query else "?"
        path = (u.path + ("?" + u.query if u.query else "") + sep +
                urllib.parse.urlencode({"digest": digest}))
        with open(os.path.join(layout, "blobs/sha256", digest.split(":", 1)[1]), "rb") as f:
            data = f.read()
        r, _ = self.req("PUT", path, data, {"Content-Type": "application/octet-stream",
                                             "Content-Length": str(len(data))})
        if r.status != 201:
            raise RuntimeError(f"upload {repo} {digest}: {r.status}")
        with self.lock:
            self.seen.setdefault(digest, repo)

    def image(self, layout, repo):
        with open(os.path.join(layout, "index.json")) as f:
            desc = json.load(f)["manifests"][0]
        mdig = desc["digest"]
        with open(os.path.join(layout, "blobs/sha256", mdig.split(":", 1)[1]), "rb") as f:
            mb = f.read()
        man = json.loads(mb)
        for d in [man["config"]] + man["layers"]:
            self.blob(repo, layout, d["digest"])
        r, _ = self.req("PUT", f"/v2/{repo}/manifests/latest", mb,
                        {"Content-Type": man["mediaType"], "Content-Length": str(len(mb))})
        if r.status != 201:
            raise RuntimeError(f"manifest {repo}: {r.status}")


def main():
    refs, hostport, prefix, out = sys.argv[1:5]
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    layouts = []
    with open(refs) as f:
        for line in f:
            if line.strip():
                # "oci:PATH:latest sha256:..." -> PATH
                layouts.append(line.split()[0][len("oci:"):].rsplit(":", 1)[0])
    seen, lock = {}, threading.Lock()
    repos = [f"{prefix}/{os.path.basename(p)}" for p in layouts]
    # the first images one after another, so every base blob is in some repository before the
    # threads start mounting (fleet_gen.py cycles through the bases)
    first = Pusher(hostport, seen, lock)
    k = 0
    while k < len(layouts) and k < 64:
        first.image(layouts[k], repos[k])
        k += 1
    errors = []

    def work(start):
        p = Pusher(hostport, seen, lock)
        try:
            for i in range(start, len(layouts), threads):
                p.image(layouts[i], repos[i])
        except Exception as e:  # noqa: BLE001 -- reported below, the push fails
            errors.append(str(e))

    ts = [threading.Thread(target=work, args=(k + t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        sys.exit("fleet_push: " + errors[0])
    with open(out, "w") as f:
        for r in repos:
            f.write(f"{hostport}/{r}:latest\n")


if __name__ == "__main__":
    main()

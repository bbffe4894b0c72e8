#!/usr/bin/env python3
"""Generate a synthetic fleet export (the fleet JSON of docs/fleet.md) for tests and benchmarks.

Shaped like a public registry plus the clusters that pull from it: base images (Alpine,
Debian, Ubuntu lines) whose layers start most application images, official (docker.io/library/)
and community repositories with several tags each, findings inherited from the base plus the
image's own, drawn with a skewed popularity from a pool of vulnerability ids (some KEV, some
famous ones, GHSA ids aliasing CVEs), container records of many hosts and namespaces (running,
exited, created, gone), and weekly history summaries. Deterministic for a given --seed.

usage: gen_fleet.py --images N --containers M [--seed S] [--history WEEKS] -o FILE
"""
import argparse
import json
import random
from datetime import datetime, timedelta, timezone

FAMOUS = ["CVE-2014-0160", "CVE-2014-6271", "CVE-2014-7169", "CVE-2021-44228", "CVE-2024-3094",
          "CVE-2024-6387", "CVE-2023-4911", "CVE-2022-22965", "CVE-2015-0235", "CVE-2016-5195"]
SEVERITIES = ["critical", "high", "medium", "low", "unknown"]
SEV_WEIGHTS = [8, 30, 40, 17, 5]
TYPES = ["apk", "deb", "npm", "python", "go", "java-archive", "gem"]
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def ts(d):
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(rng):
    return "sha256:%064x" % rng.getrandbits(256)


class Pool:
    """Vulnerabilities with a skewed popularity (a few in many images, most in few)."""

    def __init__(self, rng, n):
        self.v = []
        # famous ids sit at spread popularity ranks, as old vulnerabilities do in real fleets
        famous_at = {min(n - 1, 3 + i * i * 7): f for i, f in enumerate(FAMOUS)}
        for i in range(n):
            vid = famous_at.get(i) or "CVE-%d-%05d" % (rng.randint(2014, 2026), i)
            sev = rng.choices(SEVERITIES, SEV_WEIGHTS)[0]
            if vid in FAMOUS:
                sev = "critical"
            pkg = {"name": "pkg%d" % rng.randint(0, n // 6), "version": "%d.%d" % (rng.randint(0, 9), rng.randint(0, 30)),
                   "type": rng.choice(TYPES)}
            f = {"id": vid, "severity": sev, "kev": rng.random() < 0.02 or vid in FAMOUS[:4],
                 "fixable": rng.random() < 0.6, "package": pkg}
            if rng.random() < 0.1:
                f["aliases"] = ["GHSA-%04x-%04x" % (rng.getrandbits(16), rng.getrandbits(16))]
            if rng.random() < 0.5:
                f["epss"] = round(rng.random() ** 3, 5)
            self.v.append(f)
        self.weights = [1.0 / (i + 1) ** 0.8 for i in range(n)]

    def draw(self, rng, k):
        return rng.choices(self.v, self.weights, k=k)


def bases(rng, pool):
    out = []
    for line, tags in (("alpine", 8), ("debian", 5), ("ubuntu", 4)):
        for t in range(tags):
            created = NOW - timedelta(days=60 + (tags - t) * 120 + rng.randint(0, 30))
            layers = [digest(rng)] + ([digest(rng)] if line != "alpine" else [])
            findings = pool.draw(rng, rng.randint(0, 3 if line == "alpine" else 12) * (tags - t))
            out.append({"digest": digest(rng), "refs": ["docker.io/library/%s:%s.%d" % (line, line[0], t)],
                        "sources": ["crawl:docker.io"], "labels": {}, "created": ts(created),
                        "first_seen": ts(created), "last_seen": ts(NOW), "layers": layers,
                        "findings": findings})
    return out


def repos(rng, n_images):
    out = []
    n_repos = max(4, n_images // 8)
    for i in range(n_repos):
        r = rng.random()
        if r < 0.2:
            name = "docker.io/library/app%d" % i
        elif r < 0.85:
            name = "docker.io/user%d/app%d" % (rng.randint(0, n_repos // 3), i)
        else:
            name = "registry.corp.example:5000/team%d/svc%d" % (rng.randint(0, 9), i)
        out.append(name)
    return out


def images(rng, pool, n, base_list):
    out = list(base_list)
    rs = repos(rng, n)
    tagno = {}
    while len(out) < n:
        repo = rng.choice(rs)
        base = rng.choice(base_list[: max(1, len(base_list))])
        tagno[repo] = tagno.get(repo, 0) + 1
        created = NOW - timedelta(days=int(rng.expovariate(1 / 240.0)))
        own = pool.draw(rng, int(rng.lognormvariate(1.8, 1.1)) % 400)
        team = rng.choice(["web", "data", "platform", "payments"])
        out.append({"digest": digest(rng), "manifest_digests": [digest(rng)],
                    "refs": ["%s:%d.0" % (repo, tagno[repo])],
                    "sources": [rng.choice(["crawl:docker.io", "crawl:registry.corp.example:5000", "docker:build1"])],
                    "labels": {"team": team} if rng.random() < 0.7 else {},
                    "created": ts(created), "first_seen": ts(created), "last_seen": ts(NOW - timedelta(days=rng.randint(0, 40))),
                    "layers": base["layers"] + [digest(rng) for _ in range(rng.randint(1, 4))],
                    "findings": base["findings"] + own})
    return out


def containers(rng, n, imgs):
    states = ["running", "exited", "created", "gone"]
    out = []
    for i in range(n):
        im = rng.choice(imgs)
        first = NOW - timedelta(days=rng.randint(1, 300))
        st = rng.choices(states, [40, 10, 5, 45])[0]
        last = NOW if st != "gone" else first + timedelta(days=rng.randint(0, (NOW - first).days))
        out.append({"id": "%012x" % rng.getrandbits(48), "name": "c%d" % i,
                    "source": "k8s:cluster%d" % rng.randint(0, 9) if i % 3 else "docker:host%d" % rng.randint(0, 40),
                    "namespace": "ns%d" % rng.randint(0, 29) if i % 3 else None,
                    "image_digest": im["digest"] if rng.random() < 0.7 else im["manifest_digests"][0] if im.get("manifest_digests") else im["digest"],
                    "image_ref": im["refs"][0], "state": st, "first_seen": ts(first), "last_seen": ts(last)})
    return out


def history(rng, weeks, n_images):
    out = []
    for w in range(weeks):
        t = NOW - timedelta(weeks=weeks - w)
        for group, share in ((None, 1.0), ("official", 0.3), ("community", 0.7)):
            imgs = int(n_images * share * (0.6 + 0.4 * w / max(1, weeks)))
            vpi = (40 if group == "community" else 16 if group == "official" else 33) * (1.2 - 0.3 * w / max(1, weeks))
            out.append({"time": ts(t), "group_by": "official", "group": group, "images": imgs,
                        "vulnerabilities": int(imgs * vpi), "vulnerabilities_median": round(vpi * 0.7, 1),
                        "vulnerabilities_p90": round(vpi * 2.5, 1), "new_findings": rng.randint(0, imgs),
                        "fixed_findings": rng.randint(0, imgs), "kev_images": int(imgs * (0.3 - 0.1 * w / max(1, weeks))),
                        "critical_images": int(imgs * 0.4), "fixable_images": int(imgs * 0.6),
                        "containers_running": rng.randint(0, 1000)})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--containers", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--history", type=int, default=12)
    ap.add_argument("--census", action="store_true")
    ap.add_argument("-o", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pool = Pool(rng, max(200, a.images))
    imgs = images(rng, pool, a.images, bases(rng, pool))
    doc = {"lading_fleet": 1, "generated": ts(NOW), "images": imgs,
           "containers": containers(rng, a.containers, imgs), "history": history(rng, a.history, len(imgs))}
    if a.census:
        doc["census"] = {"records": 120, "products": [
            {"product": "openssh", "name": "OpenSSH", "hosts": 70, "versioned": 68, "behind": 50, "vulnerable": 30, "kev": 2},
            {"product": "redis", "name": "Redis", "hosts": 50, "versioned": 41}]}
    with open(a.o, "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Binary classifiers on real binaries: Debian bookworm's packages (apt-get download) copied into
an image where no package manager knows them must each be reported with the upstream version
of the package they came from; the same files installed with a dpkg database that owns them
must not be reported as binaries."""
import glob
import json
import os
import re
import subprocess

from bin_common import SRC, artifacts, check, dpkg_db, finish, image, run, sbom, scan, testdb, workdir

W = workdir("bin_classifiers")
A = artifacts()
DEB = os.path.join(A, "debroot")

# package -> (file inside the package (glob), product)
CASES = {
    "nginx": ("usr/sbin/nginx", "nginx"),
    "apache2-bin": ("usr/sbin/apache2", "httpd"),
    "redis-tools": ("usr/bin/redis-check-rdb", "redis"),
    "mariadb-server-core": ("usr/sbin/mariadbd", "mariadb"),
    "postgresql-15": ("usr/lib/postgresql/15/bin/postgres", "postgresql"),
    "memcached": ("usr/bin/memcached", "memcached"),
    "haproxy": ("usr/sbin/haproxy", "haproxy"),
    "busybox": ("bin/busybox", "busybox"),
    "bash": ("bin/bash", "bash"),
    "openssl": ("usr/bin/openssl", "openssl"),
    "libssl3": ("usr/lib/x86_64-linux-gnu/libcrypto.so.3", "openssl"),
    "curl": ("usr/bin/curl", "curl"),
    "libcurl4": ("usr/lib/x86_64-linux-gnu/libcurl.so.4.*", "curl"),
    "libsqlite3-0": ("usr/lib/x86_64-linux-gnu/libsqlite3.so.0.*", "sqlite"),
    "python3.11-minimal": ("usr/bin/python3.11", "python"),
    "libnode108": ("usr/lib/x86_64-linux-gnu/libnode.so.108", "node"),
}


def upstream(deb_version):
    """"1:1.35.0-4+deb12u1+b1" -> "1.35.0", "18.20.4+dfsg-1~deb12u3" -> "18.20.4"."""
    return re.match(r"(?:\d+:)?([0-9][0-9.]*[0-9])", deb_version).group(1)


def control(pkg):
    fields = {}
    for line in open(os.path.join(DEB, pkg + ".control")):
        k, _, v = line.partition(": ")
        fields[k] = v.strip()
    return fields


copied, owned, dpkg, want = [], [], [], {}
for pkg, (pattern, product) in CASES.items():
    files = [f for f in glob.glob(os.path.join(DEB, pkg, pattern)) if not os.path.islink(f)]
    if not check(f"{pkg}: {pattern} is in the package", len(files) == 1, files):
        continue
    rel = os.path.relpath(files[0], os.path.join(DEB, pkg))
    ver = control(pkg)["Version"]
    copied.append(("/opt/copied/" + rel, files[0], 0o755))
    owned.append(("/" + rel, files[0], 0o755))
    want["/opt/copied/" + rel] = (product, upstream(ver))
    dpkg.append((pkg, ver, [l.strip() for l in open(os.path.join(DEB, pkg + ".list")) if l.strip()]))

# --- copied in by hand: every product found, with the version of the package it came from ----
ref = image(W, "copied", [copied])
rc, doc, err = sbom(ref)
check("sbom of copied binaries", rc == 0, err)
got = {p["location"]: (p["name"], p["version"]) for p in (doc or {}).get("packages", []) if p["type"] == "binary"}
for loc, w in sorted(want.items()):
    check(f"{loc}: {w[0]} {w[1]}", got.get(loc) == w, got.get(loc))
check("nothing else classified", set(got) == set(want), set(got) ^ set(want))
bins = [p for p in (doc or {}).get("packages", []) if p["type"] == "binary"]
check("purl pkg:generic and a CPE on each", all(p["purl"] == f"pkg:generic/{p['name']}@{p['version']}" and
                                                p.get("cpe", "").startswith("cpe:2.3:a:") for p in bins), bins[:2])
check("found_by binary-classifier", all(p["found_by"] == "binary-classifier" for p in bins))

# CycloneDX carries the CPE too
rc, out, err = run(["sbom", "--format", "cyclonedx", ref])

cdx = json.loads(out) if rc == 0 else {}
check("CycloneDX components have cpe", sum(1 for c in cdx.get("components", []) if c.get("cpe")) == len(bins), err)
open(os.path.join(W, "sbom.cdx.json"), "w").write(out)
v = subprocess.run(["bash", os.path.join(SRC, "tests/tools/validate.sh"), "cyclonedx-1.5", os.path.join(W, "sbom.cdx.json")],
                   capture_output=True, text=True)
check("CycloneDX SBOM with CPEs validates against the 1.5 schema", v.returncode == 0, v.stdout + v.stderr)

# --- installed by dpkg: the package manager knows them, so no binary packages ----------------
ref2 = image(W, "owned", [owned + dpkg_db(dpkg)])
rc, doc2, err = sbom(ref2)
check("sbom of dpkg-owned binaries", rc == 0, err)
check("dpkg packages listed", sum(1 for p in (doc2 or {}).get("packages", []) if p["type"] == "deb") == len(dpkg))
check("no binary packages for owned files",
      [p for p in (doc2 or {}).get("packages", []) if p["type"] == "binary"] == [],
      [p["location"] for p in (doc2 or {}).get("packages", []) if p["type"] == "binary"])

# --- scanned: NVD CPE ranges and Bitnami records apply to copied binaries --------------------
db = testdb()
rc, s, err = scan(ref, db)
check("scan of copied binaries", s is not None and rc == 0, err)
if s:
    check("every copied binary checked against the database", s["summary"]["packages_checked"] >= len(want), s["summary"])
    vulns = s["vulnerabilities"]
    check("findings carry NVD or Bitnami advisories",
          vulns and all(any(a.startswith(("nvd:", "osv:BIT-")) for a in v["advisories"]) for v in vulns), vulns[:1])
    check("no Heartbleed on OpenSSL 3", not any(v["id"] == "CVE-2014-0160" for v in vulns))
    check("no Shellshock on bash 5.2", not any(v["id"] == "CVE-2014-6271" for v in vulns))
for fmt, schema in (("cyclonedx", "cyclonedx-1.5"), ("sarif", "sarif-2.1.0")):
    rc, out, err = run(["scan", "--format", fmt, "--db", db, ref])
    doc_path = os.path.join(W, "scan." + fmt + ".json")
    open(doc_path, "w").write(out)
    v = subprocess.run(["bash", os.path.join(SRC, "tests/tools/validate.sh"), schema, doc_path], capture_output=True, text=True)
    check(f"scan {fmt} of binaries validates ({schema})", rc == 0 and v.returncode == 0, (err, v.stdout + v.stderr))
finish()

#!/usr/bin/env python3
"""Go binaries: the modules lading reads from each binary's build info equal what Debian's
`go version -m` prints for it (toolchain as stdlib, main module, dependencies with replacements),
for a module built here, the same binary stripped and without a section table, esbuild from the
npm registry (Go 1.16: the pre-1.18 layout; Go 1.20) and Debian's skopeo and docker-registry;
then the Go and stdlib findings of a scan, and the traefik classifier fed by -ldflags -X."""
import os
import struct
import subprocess

from bin_common import artifacts, check, finish, image, sbom, scan, testdb, workdir

W = workdir("bin_go")
A = artifacts()
DEB = os.path.join(A, "debroot")

binaries = {
    "/usr/local/bin/hello": f"{A}/go/hello",
    "/usr/local/bin/hello-stripped": f"{A}/go/hello-stripped",
    "/usr/local/bin/hello-nosections": f"{A}/go/hello-nosections",
    "/usr/local/bin/traefik": f"{A}/go/traefik",
    "/opt/esbuild-0.11.23/esbuild": f"{A}/npm/esbuild-esbuild-linux-64-0.11.23",
    "/opt/esbuild-0.19.12/esbuild": f"{A}/npm/esbuild-esbuild-linux-x64-0.19.12",
    "/usr/bin/skopeo": f"{DEB}/skopeo/usr/bin/skopeo",
    "/usr/bin/docker-registry": f"{DEB}/docker-registry/usr/bin/docker-registry",
}


def reference(path):
    """`go version -m`, turned into what lading reports: (name, version, replaced-from)."""
    out = subprocess.run(["go", "version", "-m", path], check=True, capture_output=True, text=True).stdout
    mods = []
    for line in out.splitlines()[1:]:
        f = line.strip("\n").split("\t")
        if len(f) < 3 or f[1] not in ("mod", "dep", "=>"):
            continue
        if f[1] == "=>":
            name, ver, _ = mods[-1]
            if f[2].startswith((".", "/")):
                mods[-1] = (name, "(devel)", (name, ver))
            else:
                mods[-1] = (f[2], f[3], (name, ver))
        else:
            mods.append((f[2], f[3] if len(f) > 3 else "", None))
    toolchain = out.splitlines()[0].split(": ", 1)[1].split()[0]
    mods.append(("stdlib", toolchain[2:], None))
    return sorted((n, v, r) for n, v, r in mods)


ref = image(W, "go", [[(p, h, 0o755) for p, h in binaries.items()]])
rc, doc, err = sbom(ref)
check("sbom runs", rc == 0, err)
pkgs = doc["packages"] if doc else []
for path, host in binaries.items():
    got = sorted((p["name"], p["version"], (p["source"]["name"], p["source"]["version"]) if p["source"] else None)
                 for p in pkgs if p["type"] == "golang" and p["location"] == path)
    want = reference(host)
    check(f"{path}: modules as go version -m lists them ({len(want)})", got == want, (got, want))
    check(f"{path}: purls and layer", all(p["purl"].startswith("pkg:golang/") and p["layer"]["index"] == 0
                                          for p in pkgs if p["location"] == path and p["type"] == "golang"), path)

# the module built here: a directory replacement and a module replacement, kept in "source"
hello = {p["name"]: p for p in pkgs if p["location"] == "/usr/local/bin/hello"}
check("main module (devel)", hello.get("example.com/hello", {}).get("version") == "(devel)", hello.keys())
check("module replacement reported as the replacement",
      hello.get("example.com/newlog", {}).get("source") == {"name": "example.com/oldlog", "version": "v0.9.0"}, hello)
check("directory replacement keeps the module path", hello.get("example.com/greet", {}).get("version") == "(devel)", hello)
check("stdlib version without the go prefix", hello.get("stdlib", {}).get("version", "").startswith("1."), hello)
check("pre-1.18 layout (esbuild 0.11.23, go1.16.3)",
      any(p["name"] == "stdlib" and p["version"] == "1.16.3" for p in pkgs), [p for p in pkgs if p["name"] == "stdlib"])

# traefik: a Go product whose main module is (devel); its version comes from -ldflags -X
tr = [p for p in pkgs if p["type"] == "binary" and p["location"] == "/usr/local/bin/traefik"]
check("traefik classified from its -ldflags version", [(p["name"], p["version"]) for p in tr] == [("traefik", "2.10.4")], tr)
check("no other binary packages", sorted(p["location"] for p in pkgs if p["type"] == "binary") == ["/usr/local/bin/traefik"],
      [p for p in pkgs if p["type"] == "binary"])

# a Go product whose build info already names it with a version is left to the Go cataloger:
# two generated ELF files with the same -ldflags evidence, main module versioned vs (devel)
def go_elf(main_version):
    mod = (f"path\tgithub.com/traefik/traefik/v2/cmd/traefik\nmod\tgithub.com/traefik/traefik/v2\t{main_version}\t\n"
           "build\t-ldflags=\"-X github.com/traefik/traefik/v2/pkg/version.Version=2.10.4\"\n").encode()
    framed = b"0" * 16 + mod + b"\xf9" * 16
    hdr = b"\xff Go buildinf:" + bytes([8, 2]) + bytes(16)
    n, varint = len(framed), b""
    while n >= 0x80:
        varint += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    blob = hdr + bytes([8]) + b"go1.21.3" + varint + bytes([n]) + framed
    out = bytearray(0x2000)
    out[0:4] = b"\x7fELF"
    out[4:7] = bytes([2, 1, 1])
    struct.pack_into("<HHIQ", out, 16, 2, 62, 1, 0)
    struct.pack_into("<Q", out, 32, 64)  # e_phoff; no section table
    struct.pack_into("<HHH", out, 52, 64, 56, 1)
    struct.pack_into("<IIQQQQQQ", out, 64, 1, 6, 0, 0x400000, 0x400000, len(out), len(out), 0x1000)
    out[0x100:0x100 + len(blob)] = blob
    return bytes(out)


gref = image(W, "go-product", [[("/opt/a/traefik", go_elf("v2.10.4"), 0o755), ("/opt/b/traefik", go_elf("(devel)"), 0o755)]])
rc, gdoc, err = sbom(gref)
gp = sorted((p["location"], p["type"], p["name"], p["version"]) for p in (gdoc or {}).get("packages", []) if p["name"] != "stdlib")
check("Go product with a versioned main module: reported once, by the Go cataloger", gp == [
    ("/opt/a/traefik", "golang", "github.com/traefik/traefik/v2", "v2.10.4"),
    ("/opt/b/traefik", "binary", "traefik", "2.10.4"),
    ("/opt/b/traefik", "golang", "github.com/traefik/traefik/v2", "(devel)")], gp)

# a Go binary owned by dpkg: still listed, marked os_managed, not matched by default
owned = image(W, "go-owned", [[("/usr/bin/skopeo", binaries["/usr/bin/skopeo"], 0o755),
                               ("/usr/local/bin/hello", binaries["/usr/local/bin/hello"], 0o755),
                               ("var/lib/dpkg/status", b"Package: skopeo\nStatus: install ok installed\nVersion: 1.9.3+ds1-1\n"
                                b"Architecture: amd64\n\n"),
                               ("var/lib/dpkg/info/skopeo.list", b"/usr\n/usr/bin\n/usr/bin/skopeo\n")]])
rc, odoc, err = sbom(owned)
opk = (odoc or {}).get("packages", [])
sk = [p for p in opk if p["location"] == "/usr/bin/skopeo"]
check("dpkg-owned Go binary: its modules are os_managed", sk and all(p.get("os_managed") for p in sk), sk)
check("an unowned Go binary's are not", all(not p.get("os_managed") for p in opk if p["location"] == "/usr/local/bin/hello"), opk)

# findings: Go's own feed for modules and the toolchain (stdlib)
db = testdb()
rc, s, err = scan(ref, db)
check("scan runs", rc == 0 and s is not None, err)
vulns = s["vulnerabilities"] if s else []
std = [v for v in vulns if v["package"] == "stdlib" and v["version"] == "1.16.3"]
check("stdlib 1.16.3 has Go advisories (GO-...)", len(std) > 10 and all(any(a.startswith("osv:GO-") for a in v["advisories"]) for v in std),
      std[:2])
xsys = [v for v in vulns if v["package"] == "golang.org/x/sys" and v["version"] == "v0.0.0-20200501145240-bc7a7d42d5c3"]
check("golang.org/x/sys pseudo-version before the GO-2022-0493 fix", any("GO-2022-0493" in v["aliases"] + [v["id"]] for v in xsys), xsys)
check("(devel) modules are not matched", not any(v["version"] == "(devel)" for v in vulns))
rc, s2, err = scan(owned, db)
std2 = [v for v in (s2 or {}).get("vulnerabilities", []) if v["package"] == "stdlib"]
check("os_managed stdlib (skopeo) not matched by default, the unowned one is",
      s2 and len({v["id"] for v in std2}) == len(std2) and len(std2) > 0 and any("include-os-managed" in n for n in s2["notes"]),
      ((s2 or {}).get("notes"), len(std2)))
rc, s3, err = scan(owned, db, "--include-os-managed")
std3 = [v for v in (s3 or {}).get("vulnerabilities", []) if v["package"] == "stdlib"]
check("--include-os-managed matches the owned binary's stdlib too", len(std3) > len(std2), (len(std3), len(std2)))
finish()

#!/usr/bin/env python3
import json
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["LADING_SRC"], "tests", "tools"))
import mkimage as mk  # noqa: E402

BIN = os.environ["LADING_BIN"]
SHARED = os.environ["LADING_SHARED"]
DB = os.environ["LADING_TESTDB"]
SRC = os.environ["LADING_SRC"]
WORK = os.path.join(os.environ["LADING_WORK"], "scan")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:2000]))
    if not cond:
        failures.append(name)


def scan(image, *args, db=DB, env=None):
    e = dict(os.environ)
    e.pop("LADING_MIRROR", None)
    e.update(env or {})
    cmd = [BIN, "scan", image] + (["--db", db] if db else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=WORK, timeout=600)
    return p.returncode, p.stdout, p.stderr


def scan_json(image, *args, **kw):
    rc, out, err = scan(image, "--format", "json", *args, **kw)
    return rc, (json.loads(out) if out.strip() else None), err


def ids(doc, pkg=None):
    return sorted({v["id"] for v in doc["vulnerabilities"] if (pkg is None or v["package"] == pkg) and not v["suppressed"]})


def apk_db(pkgs):
    return "".join(f"P:{n}\nV:{v}\nA:x86_64\no:{o}\n\n" for n, v, o in pkgs).encode()


def alpine_image(name, release, pkgs):
    im = mk.Image().add_layer([("etc/alpine-release", "file", (release + "\n").encode()),
                               ("etc/os-release", "file", f"ID=alpine\nVERSION_ID={release}\n".encode()),
                               ("lib/apk/db/installed", "file", apk_db(pkgs))])
    path = os.path.join(WORK, name)
    mk.oci_layout(path, [im])
    return path


# --- real image, real feed: Alpine 3.7.3 has musl 1.1.18-r3; v3.7 secdb fixes CVE-2019-14697 in -r4
rootfs373 = os.path.join(SHARED, "images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz")
rc, doc, err = scan_json(rootfs373)
check("alpine 3.7.3 scans", rc == 0, err)
musl = [v for v in doc["vulnerabilities"] if v["id"] == "CVE-2019-14697"]
check("musl and musl-utils report CVE-2019-14697", sorted(v["package"] for v in musl) == ["musl", "musl-utils"], musl)
check("with the fix 1.1.18-r4", all(v["fixed_versions"] == ["1.1.18-r4"] and v["status"] == "fixed" for v in musl), musl)
check("layer and version recorded", all(v["layer"]["index"] == 0 and v["version"] == "1.1.18-r3" for v in musl), musl)
check("summary counts", doc["summary"]["total"] == len(doc["vulnerabilities"]) and doc["summary"]["fixable"] >= 2, doc["summary"])
check("EPSS attached", all(v["epss"] and 0 <= v["epss"]["score"] <= 1 for v in musl), musl)

# images whose packages are at or past every fix report nothing
for img in ["images/oci/alpine-3.9.6", "images/docker-archive/alpine-3.9.6.tar", "images/alpine/alpine-minirootfs-3.11.13-x86_64.tar.gz"]:
    rc, doc, err = scan_json(os.path.join(SHARED, img))
    check(f"{img}: nothing to report", rc == 0 and doc["vulnerabilities"] == [] and doc["summary"]["packages_checked"] > 0,
          (err, doc and doc["vulnerabilities"][:3]))
# a release the database has no feed for says so instead of claiming a clean bill
rc, doc, err = scan_json(os.path.join(SHARED, "images/oci/alpine-3.20.3"))
check("alpine 3.20 (no secdb in the mirror): a note, nothing checked",
      rc == 0 and doc["summary"]["packages_checked"] == 0 and any("Alpine:v3.20" in n for n in doc["notes"]), doc and doc["notes"])

# --- rules on synthetic images -------------------------------------------------------------------
p = alpine_image("at-fix", "3.7.3", [("musl", "1.1.18-r4", "musl"), ("musl-utils", "1.1.18-r2", "musl")])
rc, doc, err = scan_json(p)
check("a package exactly at the fixed version is not reported", "CVE-2019-14697" not in ids(doc, "musl"), ids(doc, "musl"))
check("its older sibling still is", "CVE-2019-14697" in ids(doc, "musl-utils"), ids(doc, "musl-utils"))

# KEV: exim 4.90.1-r0 on v3.10 (CVE-2019-10149 and CVE-2019-16928 are known exploited)
p = alpine_image("kev", "3.10.9", [("exim", "4.90.1-r0", "exim"), ("musl", "1.1.22-r4", "musl")])
rc, doc, err = scan_json(p)
kev = [v for v in doc["vulnerabilities"] if v["kev"]]
check("known-exploited findings carry KEV data", any(v["id"] == "CVE-2019-10149" for v in kev) and
      all(v["kev"]["date_added"] for v in kev), [v["id"] for v in kev])
first = doc["vulnerabilities"][0]
check("fix-first order puts KEV first", first["kev"] is not None, first)
order_ok = all((a["kev"] is not None) >= (b["kev"] is not None) for a, b in zip(doc["vulnerabilities"], doc["vulnerabilities"][1:]))
check("KEV findings before all others", order_ok)
SEV = ["unknown", "low", "medium", "high", "critical"]


def fix_first(v):
    """The documented order: KEV, EPSS (unknown last), severity, fixable, package name, ID."""
    e = v["epss"]["score"] if v.get("epss") else -1.0
    return (v["kev"] is None, -e, -SEV.index(v["severity"]), not v["fixed_versions"], v["package"])


def check_fix_first(name, vulns):
    bad = [(a["id"], b["id"]) for a, b in zip(vulns, vulns[1:]) if fix_first(a) > fix_first(b)]
    check(name, not bad, bad[:5])


check_fix_first("findings in fix-first order (KEV, EPSS, severity, fixable, package)", doc["vulnerabilities"])
e6789 = [v for v in doc["vulnerabilities"] if v["id"] == "CVE-2018-6789"]
check("two secdb fixes for one CVE: reported once with the fix above the installed version",
      len(e6789) == 1 and e6789[0]["fixed_versions"] == ["4.91-r0"], e6789)
rc2, _, err = scan(p, "--fail-on-kev")
check("--fail-on-kev exits 1", rc2 == 1, err)
rc2, _, _ = scan(p, "--fail-on", "unknown")
check("--fail-on unknown exits 1 when anything is reported", rc2 == 1)
rc2, _, _ = scan(os.path.join(SHARED, "images/oci/alpine-3.9.6"), "--fail-on", "unknown", "--fail-on-kev")
check("no findings: exit 0 under every gate", rc2 == 0)
sevs = {v["severity"] for v in doc["vulnerabilities"]}
top = max(["unknown", "low", "medium", "high", "critical"].index(s) for s in sevs)
above = ["unknown", "low", "medium", "high", "critical"][min(top + 1, 4)]
rc2, _, _ = scan(p, "--fail-on", above)
check(f"--fail-on above every finding ({above}) exits 0", rc2 == (1 if top == 4 else 0))
rc2, _, _ = scan(p, "--fail-on", "nonsense")
check("--fail-on with a bad value exits 2", rc2 == 2)
rc2, d2, _ = scan_json(p, "--severity", "critical")
check("--severity filters", rc2 == 0 and all(v["severity"] == "critical" for v in d2["vulnerabilities"]))
rc2, d2, _ = scan_json(p, "--ignore-unfixed")
check("--ignore-unfixed keeps only fixable", all(v["fixed_versions"] for v in d2["vulnerabilities"]))

# ignore file: a live entry suppresses (kept in json with the reason), an expired one is reported
ign = os.path.join(WORK, "ignore")
with open(ign, "w") as f:
    f.write("CVE-2019-10149 exim until 2999-01-01 # patched in our build\nCVE-2019-16928 until 2020-01-01 # old\n")
rc2, d2, err = scan_json(p, "--ignore-file", ign)
s = {v["id"]: v["suppressed"] for v in d2["vulnerabilities"]}
check("ignore entry suppresses with its reason", s.get("CVE-2019-10149") == {"by": "ignore-file", "reason": "patched in our build"}, s.get("CVE-2019-10149"))
check("expired entry stops applying", s.get("CVE-2019-16928") is None)
check("expired entry is reported", any("CVE-2019-16928" in x for x in d2["expired_ignores"]) and "expired" in err, err)
rc2, d3, _ = scan_json(p, "--ignore-file", ign, env={"LADING_TODAY": "2019-06-01"})
check("before its date the entry applies", {v["id"]: v["suppressed"] for v in d3["vulnerabilities"]}.get("CVE-2019-16928") is not None)
check("suppressed findings do not count", d2["summary"]["suppressed"] >= 1 and d2["summary"]["total"] == doc["summary"]["total"] - d2["summary"]["suppressed"])
rc2, _, _ = scan(p, "--ignore-file", ign, "--fail-on-kev", env={"LADING_TODAY": "2019-06-01"})
kev_left = [v for v in doc["vulnerabilities"] if v["kev"] and v["id"] not in ("CVE-2019-10149", "CVE-2019-16928")]
check("gates ignore suppressed findings", rc2 == (1 if kev_left else 0), kev_left)

# VEX: OpenVEX not_affected and CycloneDX resolved
ovex = os.path.join(WORK, "vex.openvex.json")
json.dump({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex-1", "author": "test",
           "timestamp": "2024-01-01T00:00:00Z", "version": 1,
           "statements": [{"vulnerability": {"name": "CVE-2019-10149"}, "products": [{"@id": "pkg:apk/alpine/exim"}],
                           "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}, open(ovex, "w"))
r = subprocess.run(["bash", os.path.join(SRC, "tests/tools/validate.sh"), "openvex", ovex], capture_output=True, text=True)
check("the test's OpenVEX document is valid OpenVEX", r.returncode == 0, r.stdout + r.stderr)
cvex = os.path.join(WORK, "vex.cdx.json")
json.dump({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "vulnerabilities": [
    {"id": "CVE-2019-16928", "analysis": {"state": "resolved", "detail": "backported"}, "affects": [{"ref": "pkg:apk/alpine/exim@4.90.1-r0"}]}]},
    open(cvex, "w"))
rc2, d4, err = scan_json(p, "--vex", ovex, "--vex", cvex)
s = {v["id"]: v["suppressed"] for v in d4["vulnerabilities"]}
check("OpenVEX not_affected suppresses", (s.get("CVE-2019-10149") or {}).get("by") == "vex" and "vulnerable_code_not_in_execute_path" in s["CVE-2019-10149"]["reason"], s.get("CVE-2019-10149"))
check("CycloneDX VEX resolved suppresses", (s.get("CVE-2019-16928") or {}).get("by") == "vex", s.get("CVE-2019-16928"))
cvex2 = os.path.join(WORK, "vex-other.cdx.json")
json.dump({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "vulnerabilities": [
    {"id": "CVE-2019-16928", "analysis": {"state": "not_affected"}, "affects": [{"ref": "pkg:apk/alpine/exim@4.92-r0"}]}]},
    open(cvex2, "w"))
rc2, d5, _ = scan_json(p, "--vex", cvex2)
s5 = {v["id"]: v["suppressed"] for v in d5["vulnerabilities"]}
check("VEX about another version does not apply", "CVE-2019-16928" in s5 and s5["CVE-2019-16928"] is None, s5.get("CVE-2019-16928"))

# Debian: source-package mapping (libssl1.1 is built from openssl) on bullseye
status = b"""Package: libssl1.1
Status: install ok installed
Architecture: amd64
Source: openssl (1.1.1n-0+deb11u3)
Version: 1.1.1n-0+deb11u3+b1

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 1.1.1n-0+deb11u3

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.11.dfsg-2+deb11u2

"""
deb = mk.Image().add_layer([("etc/os-release", "file", b'ID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n'),
                            ("etc/debian_version", "file", b"11.7\n"), ("var/lib/dpkg/status", "file", status)])
dp = os.path.join(WORK, "debian11")
mk.oci_layout(dp, [deb])
rc, doc, err = scan_json(dp)
libssl = ids(doc, "libssl1.1")
check("Debian binary matched through its source package", "CVE-2023-0286" in libssl, libssl)
check("source version used: DSA-5169-1 (fixed in deb11u3) not reported", "CVE-2022-2068" not in libssl, libssl)
check("binary and source package get the same findings", libssl == ids(doc, "openssl"), (libssl, ids(doc, "openssl")))
v = [x for x in doc["vulnerabilities"] if x["id"] == "CVE-2023-0286" and x["package"] == "libssl1.1"][0]
check("DSA ID among the aliases, fix named", "DSA-5343-1" in v["aliases"] and v["fixed_versions"] == ["1.1.1n-0+deb11u4"], v)
check("source package shown", v["source_package"] == {"name": "openssl", "version": "1.1.1n-0+deb11u3"}, v["source_package"])
check_fix_first(f"Debian 11: {len(doc['vulnerabilities'])} findings in fix-first order", doc["vulnerabilities"])

# AlmaLinux path: the real sqlite rpmdb fixture under an AlmaLinux 9 os-release (synthetic pairing)
rpmdb = open(os.path.join(SHARED, "fixtures/rpmdb/cbl-mariner-2.0/var/lib/rpm/rpmdb.sqlite"), "rb").read()
alma = mk.Image().add_layer([("etc/os-release", "file", b'ID="almalinux"\nVERSION_ID="9.1"\n'),
                             ("var/lib/rpm/rpmdb.sqlite", "file", rpmdb)])
ap = os.path.join(WORK, "alma-synthetic")
mk.oci_layout(ap, [alma])
rc, doc, err = scan_json(ap)
bash = [x for x in doc["vulnerabilities"] if x["package"] == "bash"]
check("synthetic AlmaLinux 9: bash 5.1.8-1 matched by ALSA-2023:0340 (fix 5.1.8-6.el9_1, rpm rules)",
      any("ALSA-2023:0340" in x["aliases"] and x["fixed_versions"] == ["5.1.8-6.el9_1"] for x in bash), bash)

# --- report formats ------------------------------------------------------------------------------
kevimg = os.path.join(WORK, "kev")
for fmt, schema in (("sarif", "sarif-2.1.0"), ("cyclonedx", "cyclonedx-1.5")):
    out = os.path.join(WORK, f"report.{fmt}.json")
    rc, _, err = scan(kevimg, "--format", fmt, "-o", out)
    r = subprocess.run(["bash", os.path.join(SRC, "tests/tools/validate.sh"), schema, out], capture_output=True, text=True)
    check(f"{fmt} validates against the official schema", rc == 0 and r.returncode == 0, r.stdout[-1500:] + err)
sarif = json.load(open(os.path.join(WORK, "report.sarif.json")))
res = sarif["runs"][0]["results"]
check("sarif: one result per finding, rules with security-severity",
      len(res) == doc_total if (doc_total := json.loads(scan(kevimg, "--format", "json")[1])["summary"]["total"]) else False,
      len(res))
check("sarif rules carry security-severity", all("security-severity" in r["properties"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]))
cdx = json.load(open(os.path.join(WORK, "report.cyclonedx.json")))
refs = {c["bom-ref"] for c in cdx["components"]}
check("cyclonedx vulnerabilities point at components", cdx["vulnerabilities"] and all(a["ref"] in refs for v in cdx["vulnerabilities"] for a in v["affects"]))
rc, table, _ = scan(kevimg)
check("table: grouped by package with a summary line", rc == 0 and "exim 4.90.1-r0" in table and "known exploited:" in table.splitlines()[-1], table[-500:])

# HTML: self-contained, rendered by headless Chromium
html = os.path.join(WORK, "report.html")
rc, _, err = scan(kevimg, "--format", "html", "-o", html)
text = open(html).read()
check("html: no external assets", rc == 0 and "<script" not in text and "src=\"http" not in text and "<link" not in text and "<svg" in text)
chrome = shutil.which("chromium") or shutil.which("chromium-browser")
if chrome:
    png = os.path.join(WORK, "report.png")
    ud = os.path.join(WORK, "chrome-profile")
    r = subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={ud}", "--window-size=1280,1600", f"--screenshot={png}", "file://" + html],
                       capture_output=True, text=True, timeout=120)
    check("html renders in headless Chromium (screenshot taken)", r.returncode == 0 and os.path.getsize(png) > 20000,
          r.stderr[-800:])
else:
    check("chromium is installed for the HTML test", False, "install Debian's chromium")

# --- database on first use, and staleness --------------------------------------------------------
fresh = os.path.join(WORK, "fresh", "db.sqlite")
rc, out, err = scan(rootfs373, db=fresh, env={"LADING_MIRROR": os.path.join(SHARED, "vulndata")}, )
rc_, out_, err_ = scan(rootfs373, "--db", fresh, db=None, env={"LADING_MIRROR": os.path.join(SHARED, "vulndata")})
check("no database yet + LADING_MIRROR: built on first use", os.path.exists(fresh) and "CVE-2019-14697" in out, err[-500:])
rc, out, err = scan(rootfs373, db=os.path.join(WORK, "none", "db.sqlite"),
                    env={"LADING_DB": "", "XDG_CACHE_HOME": WORK, "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
check("no database and no way to get one: exit 3 with how to build one", rc == 3 and "lading db build" in err, err[-600:])
old = os.path.join(WORK, "old.sqlite")
shutil.copy(DB, old)
c = sqlite3.connect(old)
c.execute("UPDATE meta SET value = ? WHERE key = 'built_epoch'", (str(1700000000),))
c.commit()
c.close()
rc, out, err = scan(rootfs373, db=old)
check("a database older than 7 days gives a warning", rc == 0 and "days old" in err, err)
# a database of another schema version (an older lading's) is rebuilt from the mirror, not used
other = os.path.join(WORK, "other-schema.sqlite")
shutil.copy(fresh, other)
c = sqlite3.connect(other)
c.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
c.commit()
c.close()
rc, out, err = scan(rootfs373, db=other, env={"LADING_MIRROR": os.path.join(SHARED, "vulndata")})
c = sqlite3.connect(other)
ver = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
c.close()
check("a database of another schema version is rebuilt (LADING_MIRROR) and the scan goes on",
      rc == 0 and "another schema version" in err and "CVE-2019-14697" in out and ver != "1", (rc, ver, err[-500:]))
c = sqlite3.connect(other)
c.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
c.commit()
c.close()
rc, out, err = scan(rootfs373, db=other, env={"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
check("another schema version and no way to rebuild: exit 3 with how to build one",
      rc == 3 and "lading db build" in err, err[-600:])

if failures:
    print(f"{len(failures)} failure(s): {failures}")
    sys.exit(1)
print("all scan checks passed")

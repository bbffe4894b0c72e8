#!/usr/bin/env python3
"""Hand-built OpenSSL 1.0.1f in /usr/local must report Heartbleed (CVE-2014-0160) and a bash 4.3
before patch 25 Shellshock (CVE-2014-6271). SYNTHETIC: OpenSSL 1.0.1f's and bash 4.3's sources
are not on the Debian mirror this project can reach (bookworm has OpenSSL 3.0 and bash 5.2), so
the binaries are tiny programs compiled here that carry the real version strings
(tests/setup/bin-artifacts.sh). Real Debian bash 5.2 and OpenSSL 3.0 binaries copied beside them
are the controls."""
import json

from bin_common import artifacts, check, finish, image, run, scan, testdb, workdir

W = workdir("bin_synthetic_heartbleed_shellshock")
A = artifacts()
D = f"{A}/debroot"
ref = image(W, "handbuilt", [
    [("/usr/local/ssl/lib/libcrypto.so.1.0.0", f"{A}/synthetic/libcrypto.so.1.0.0", 0o755),
     ("/usr/local/ssl/bin/openssl", f"{A}/synthetic/openssl", 0o755),
     ("/usr/local/bin/bash", f"{A}/synthetic/bash", 0o755)],
    [("/opt/debian/bin/bash", f"{D}/bash/bin/bash", 0o755),
     ("/opt/debian/lib/libcrypto.so.3", f"{D}/libssl3/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0o644)],
])
db = testdb()
rc, s, err = scan(ref, db)
check("scan runs", rc == 0 and s is not None, err)
vulns = (s or {}).get("vulnerabilities", [])


def find(cve, pkg, version):
    return [v for v in vulns if v["id"] == cve and v["package"] == pkg and v["version"] == version]


hb = find("CVE-2014-0160", "openssl", "1.0.1f")
# the library carries the version text; its `openssl` program asks the library for it
check("Heartbleed on the hand-built OpenSSL 1.0.1f", len(hb) == 1, hb)
check("Heartbleed: fixed in 1.0.1g, known exploited, rated by NVD",
      all(v["fixed_versions"] == ["1.0.1g"] and v["status"] == "fixed" and v["kev"] and v["severity"] == "high"
          and v["severity_source"] == "nvd" and "nvd:CVE-2014-0160" in v["advisories"] for v in hb), hb)
check("Heartbleed attributed to the first layer", all(v["layer"]["index"] == 0 for v in hb), hb)
ss = find("CVE-2014-6271", "bash", "4.3.24")
check("Shellshock on the hand-built bash 4.3.24", len(ss) == 1, ss)
check("Shellshock known exploited, critical", all(v["kev"] and v["severity"] == "critical" for v in ss), ss)
check("controls: Debian's bash 5.2.15 and OpenSSL 3.0 have neither",
      not [v for v in vulns if v["id"] in ("CVE-2014-0160", "CVE-2014-6271") and not v["version"] in ("1.0.1f", "4.3.24")])
check("fix-first order: known exploited findings first", vulns and all(v["kev"] for v in vulns[:3]), [v["id"] for v in vulns[:3]])

# the same findings in every report format
for fmt, needle in (("sarif", "CVE-2014-0160"), ("cyclonedx", "CVE-2014-6271"), ("table", "CVE-2014-0160"),
                    ("html", "CVE-2014-6271")):
    rc, out, err = run(["scan", "--format", fmt, "--db", db, ref])
    check(f"{fmt} report has {needle}", rc == 0 and needle in out, err)
rc, out, err = run(["scan", "--format", "sarif", "--db", db, ref])
sarif = json.loads(out) if rc == 0 else {}
locs = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif.get("runs", [{}])[0].get("results", []) if r.get("locations")}
check("SARIF results point at the binaries", {"usr/local/ssl/lib/libcrypto.so.1.0.0", "usr/local/bin/bash"} <= locs,
      sorted(locs)[:5])
rc, out, err = run(["scan", "--fail-on", "critical", "--db", db, ref])
check("--fail-on critical fails on Shellshock", rc == 1, (rc, err))
finish()

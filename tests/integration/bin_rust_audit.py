#!/usr/bin/env python3
"""cargo-auditable: an ELF whose .dep-v0 section (zlib-compressed JSON, added with objcopy as
cargo-auditable writes it) lists the crates it was built from; they are reported as cargo
packages and matched against RustSec's crates.io feed, without its informational notices and
without the binary's own (local) crate."""
import json
import os

from bin_common import artifacts, check, finish, image, sbom, scan, testdb, workdir

W = workdir("bin_rust_audit")
A = artifacts()
ref = image(W, "rust", [[("/usr/local/bin/audited-app", f"{A}/rust/audited-app", 0o755),
                         ("/usr/local/bin/plain", f"{A}/rust/plain", 0o755)]])
rc, doc, err = sbom(ref)
check("sbom runs", rc == 0, err)
want = sorted((p["name"], p["version"]) for p in json.load(open(f"{A}/rust/dep-v0.json"))["packages"])
got = sorted((p["name"], p["version"]) for p in (doc or {}).get("packages", [])
             if p["type"] == "cargo" and p["location"] == "/usr/local/bin/audited-app")
check("the crates of .dep-v0", got == want, (got, want))
check("nothing from the binary without the section",
      not any(p["location"] == "/usr/local/bin/plain" for p in (doc or {}).get("packages", [])))
check("purls pkg:cargo", all(p["purl"] == f"pkg:cargo/{p['name']}@{p['version']}"
                             for p in (doc or {}).get("packages", []) if p["type"] == "cargo"))

rc, s, err = scan(ref, testdb())
check("scan runs", rc == 0 and s is not None, err)
vulns = (s or {}).get("vulnerabilities", [])
sv = [v for v in vulns if v["package"] == "smallvec"]
check("smallvec 1.6.0: RUSTSEC-2021-0003 (CVE-2021-25900), fixed in 1.6.1",
      any(v["id"] == "CVE-2021-25900" and "RUSTSEC-2021-0003" in v["aliases"] and v["fixed_versions"] == ["1.6.1"]
          for v in sv), sv)
check("no informational notice (ansi_term is unmaintained)", not any(v["package"] == "ansi_term" for v in vulns),
      [v["id"] for v in vulns if v["package"] == "ansi_term"])
finish()

#!/usr/bin/env python3
"""Language packages against their ecosystem's feed, and ownership: a Django installed by pip
(/usr/local/lib/python3.11/site-packages) is matched against PyPI's advisories; the same Django
installed by a Debian package (its METADATA listed in the package's dpkg .list) is marked
os_managed and left to the distribution's feed unless --include-os-managed."""
from bin_common import check, dpkg_db, finish, image, sbom, scan, testdb, workdir

W = workdir("bin_lang_match")
meta = b"Metadata-Version: 2.1\nName: Django\nVersion: 2.2.0\nSummary: web\nLicense: BSD\n\n"
pip_meta = "/usr/local/lib/python3.11/site-packages/Django-2.2.0.dist-info/METADATA"
deb_meta = "/usr/lib/python3/dist-packages/Django-2.2.0.dist-info/METADATA"
ref = image(W, "django", [[(pip_meta, meta), (deb_meta, meta)] +
                          dpkg_db([("python3-django", "2:2.2.0-1", ["/usr/lib/python3/dist-packages", deb_meta])])])
rc, doc, err = sbom(ref)
check("sbom runs", rc == 0, err)
dj = {p["location"]: p for p in (doc or {}).get("packages", []) if p["type"] == "pypi"}
check("both copies listed", set(dj) == {pip_meta, deb_meta}, sorted(dj))
check("the dpkg-owned copy is os_managed", dj.get(deb_meta, {}).get("os_managed") is True, dj.get(deb_meta))
check("the pip copy is not", not dj.get(pip_meta, {}).get("os_managed"), dj.get(pip_meta))

db = testdb()
rc, s, err = scan(ref, db)
check("scan runs", rc == 0 and s is not None, err)
vulns = [v for v in (s or {}).get("vulnerabilities", []) if v["type"] == "pypi"]
check("Django 2.2.0 (pip) has PyPI advisories", len(vulns) > 5 and all(any(a.startswith("osv:PYSEC-") for a in v["advisories"])
                                                                        for v in vulns), [v["id"] for v in vulns[:5]])
ids_default = sorted(v["id"] for v in vulns)
check("each once: only the pip copy is matched", len(ids_default) == len(set(ids_default)), ids_default[:10])
check("a note says why the other copy was not", any("include-os-managed" in n for n in s["notes"]), s["notes"])
rc, s2, err = scan(ref, db, "--include-os-managed")
ids_all = sorted(v["id"] for v in s2["vulnerabilities"] if v["type"] == "pypi")
check("--include-os-managed matches both copies", ids_all == sorted(ids_default * 2), (len(ids_all), len(ids_default)))
finish()

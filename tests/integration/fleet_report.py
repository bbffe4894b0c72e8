#!/usr/bin/env python3
"""lading report fleet end to end on a generated fleet export: every figure of the JSON report
recomputed here independently from the export with the definitions of docs/fleet.md, the HTML
rendered by headless Chromium (screenshot, no script error), and the bad-input rules."""
import json
import math
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

BIN = os.environ["LADING_BIN"]
SRC = os.environ["LADING_SRC"]
WORK = os.path.join(os.environ["LADING_WORK"], "fleet_report")
NOW = "2026-12-07T00:00:00Z"
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:2000]))
    if not cond:
        failures.append(name)


def lading(*args):
    p = subprocess.run([BIN, "report", "fleet", "--now", NOW] + list(args), capture_output=True, text=True,
                       cwd=WORK, timeout=600)
    return p.returncode, p.stdout, p.stderr


def when(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() if s else None


# --- an independent reference of the definitions ------------------------------------------------
SEV = {"unknown": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def vuln_keys(images):
    """Vulnerability of each finding: its CVE (id, else smallest CVE alias), else the union of
    the non-CVE ids it shares with other CVE-less findings, named by the smallest."""
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def union(a, b):
        a, b = find(a), find(b)
        if a != b:
            lo, hi = min(a, b), max(a, b)
            parent[hi] = lo

    keyed = []
    for im in images:
        ks = []
        for f in im.get("findings") or []:
            ids = [f["id"]] + f.get("aliases", [])
            cves = [i for i in ids if i.startswith("CVE-")]
            if f["id"].startswith("CVE-"):
                ks.append(("cve", f["id"]))
            elif cves:
                ks.append(("cve", min(cves)))
            else:
                for a in f.get("aliases", []):
                    union(f["id"], a)
                ks.append(("other", f["id"]))
        keyed.append(ks)
    return [[k if kind == "cve" else find(k) for kind, k in ks] for ks in keyed]


def median(v):
    v = sorted(v)
    n = len(v)
    if not n:
        return 0
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def p90(v):
    v = sorted(v)
    return v[math.ceil(0.9 * len(v)) - 1] if v else 0


def official(im):
    for r in im.get("refs", []):
        name = r.split("@")[0]
        first = name.split("/")[0]
        if "/" in name and ("." in first or ":" in first or first == "localhost"):
            host, path = first, name.split("/", 1)[1]
        else:
            host, path = "docker.io", name
        path = path.rsplit(":", 1)[0] if ":" in path.split("/")[-1] else path
        if host == "docker.io" and ("/" not in path or (path.startswith("library/") and path.count("/") == 1)):
            return True
    return False


def reference(doc, famous_ids):
    now = when(NOW)
    images = doc["images"]
    keys = vuln_keys(images)
    per = []
    for im, ks in zip(images, keys):
        pairs = {}
        for f, k in zip(im.get("findings") or [], ks):
            s, kev, fix = pairs.get(k, (0, False, False))
            fixable = f.get("fixable", bool(f.get("fixed_versions")))
            pairs[k] = (max(s, SEV[f.get("severity", "unknown")]), kev or bool(f.get("kev")), fix or fixable)
        ids = {i for f in im.get("findings") or [] for i in [f["id"]] + f.get("aliases", [])}
        per.append({"pairs": pairs, "ids": ids})
    by_digest = {im["digest"]: i for i, im in enumerate(images)}
    for i, im in enumerate(images):
        for m in im.get("manifest_digests", []):
            by_digest.setdefault(m, i)
    groups = {"official": [], "community": []}
    for i, im in enumerate(images):
        groups["official" if official(im) else "community"].append(i)
    groups["overall"] = list(range(len(images)))
    out = {}
    for g, members in groups.items():
        nv = [len(per[i]["pairs"]) for i in members]
        pairs = [p for i in members for p in per[i]["pairs"].values()]
        r = {"images": len(members), "mean": sum(nv) / len(nv) if nv else 0, "median": median(nv), "p90": p90(nv),
             "findings": len(pairs),
             "critical_share": sum(1 for p in pairs if p[0] == 4) / len(pairs) if pairs else 0,
             "img_critical": sum(1 for i in members if any(p[0] == 4 for p in per[i]["pairs"].values())),
             "img_high": sum(1 for i in members if any(p[0] == 3 for p in per[i]["pairs"].values())),
             "img_kev": sum(1 for i in members if any(p[1] for p in per[i]["pairs"].values())),
             "img_fixable": sum(1 for i in members if any(p[2] for p in per[i]["pairs"].values()))}
        for name, ids in famous_ids.items():
            r["famous:" + name] = sum(1 for i in members if per[i]["ids"] & ids)
        ages = [(now - when(images[i]["created"])) // 86400 for i in members if images[i].get("created")]
        r["age_median"] = median(ages)
        r["older_365"] = sum(1 for a in ages if a > 365)
        mset = set(members)
        cs = [c for c in doc["containers"] if g == "overall" or by_digest.get(c.get("image_digest")) in mset]
        r["running"] = sum(1 for c in cs if c["state"] == "running")
        r["gone"] = sum(1 for c in cs if c["state"] == "gone")

        def risky(c):
            i = by_digest.get(c.get("image_digest"))
            return i is not None and any(p[1] or p[0] == 4 for p in per[i]["pairs"].values())
        r["risky_running"] = sum(1 for c in cs if c["state"] == "running" and risky(c))
        r["risky_gone"] = sum(1 for c in cs if c["state"] == "gone" and risky(c))
        out[g] = r
    # base images: the longest proper layer prefix among stored images
    full = {}
    for i, im in enumerate(images):
        full.setdefault(tuple(im["layers"]), []).append(i)
    with_base = 0
    for im in images:
        ls = tuple(im["layers"])
        for k in range(len(ls) - 1, 0, -1):
            if ls[:k] in full:
                with_base += 1
                break
    out["overall"]["with_base"] = with_base
    return out


# --- the generated fleet -------------------------------------------------------------------------
export = os.path.join(WORK, "fleet.json")
subprocess.run([sys.executable, os.path.join(SRC, "tests/tools/gen_fleet.py"), "--images", "400", "--containers",
                "3000", "--seed", "7", "--census", "-o", export], check=True)
doc = json.load(open(export))
famous = {"Heartbleed": {"CVE-2014-0160"},
          "Shellshock": {"CVE-2014-6271", "CVE-2014-6277", "CVE-2014-6278", "CVE-2014-7169", "CVE-2014-7186",
                         "CVE-2014-7187"},
          "Log4Shell": {"CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832"},
          "Mine": {doc["images"][-1]["findings"][0]["id"] if doc["images"][-1]["findings"] else "CVE-0"}}
mine = os.path.join(WORK, "mine.tsv")
open(mine, "w").write("# a team's own list\nname\tids\tdescription\nMine\t%s\tours\n" % ",".join(famous["Mine"]))
rc, out, err = lading("--from", export, "--format", "json", "--famous", mine, "--history")
check("json report: exit 0", rc == 0, err)
rep = json.loads(out) if rc == 0 else {}
ref = reference(doc, famous)
for g in ("overall", "official", "community"):
    G = rep["overall"] if g == "overall" else rep["groups"].get(g, {})
    R = ref[g]
    check(f"{g}: G starts with images, vulnerabilities_per_image", list(G)[:2] == ["images", "vulnerabilities_per_image"], list(G)[:3])
    check(f"{g}: images {R['images']}", G.get("images") == R["images"], G.get("images"))
    v = G.get("vulnerabilities_per_image", {})
    check(f"{g}: vulnerabilities per image mean/median/p90 = {R['mean']:.2f}/{R['median']}/{R['p90']}",
          abs(v.get("mean", -1) - R["mean"]) < 0.006 and v.get("median") == R["median"] and v.get("p90") == R["p90"], v)
    check(f"{g}: findings {R['findings']}", G.get("findings") == R["findings"], G.get("findings"))
    check(f"{g}: critical share of findings", abs(G["severity_mix"]["critical"]["share"] - R["critical_share"]) < 6e-5,
          (G["severity_mix"]["critical"], R["critical_share"]))
    for k, jk in (("img_critical", "images_with_critical"), ("img_high", "images_with_high"),
                  ("img_kev", "known_exploited"), ("img_fixable", "fixable")):
        check(f"{g}: {jk} {R[k]}", G[jk]["images"] == R[k], (G[jk], R[k]))
    fam = {f["name"]: f["images"] for f in G["famous"]}
    for name in famous:
        check(f"{g}: famous {name} {R['famous:' + name]}", fam.get(name) == R["famous:" + name], (fam.get(name), R["famous:" + name]))
    st = G["staleness"]
    check(f"{g}: median age {R['age_median']} days, older than 365: {R['older_365']}",
          st["age_median_days"] == R["age_median"] and st["older_than_365_days"]["images"] == R["older_365"], st)
    c = G["containers"]
    check(f"{g}: containers running {R['running']} gone {R['gone']}", c["running"] == R["running"] and c["gone"] == R["gone"], c)
    ar = G["containers_at_risk"]
    check(f"{g}: at risk running {R['risky_running']} gone {R['risky_gone']}",
          ar["running"] == R["risky_running"] and ar["gone"] == R["risky_gone"], ar)
check("base images: images with a stored base", rep["overall"]["staleness"]["images_with_base"] == ref["overall"]["with_base"],
      (rep["overall"]["staleness"]["images_with_base"], ref["overall"]["with_base"]))
check("history: the stored summaries of this grouping", len(rep.get("history", [])) == len(doc["history"]))
check("census section present", rep.get("census", {}) and rep["census"]["records"] == 120)

# --- export round trip: the data re-exported gives the same report ---------------------------------
again = os.path.join(WORK, "again.json")
rc1, _, err1 = lading("--from", export, "--export", again)
rc2, out2, err2 = lading("--from", again, "--format", "json", "--famous", mine, "--history")
rc3, out3, _ = lading("--from", export, "--format", "json", "--famous", mine, "--history")
check("--export then --from: the same report", rc1 == 0 and rc2 == 0 and out2 == out3, (err1, err2))

# --- table and HTML ------------------------------------------------------------------------------
rc, out, err = lading("--from", export)
check("table: exit 0 with a row per group", rc == 0 and "\nofficial " in out and "\ncommunity " in out and "Heartbleed" in out, err + out[:500])
html = os.path.join(WORK, "fleet.html")
rc, out, err = lading("--from", export, "--format", "html", "--history", "-o", html)
text = open(html).read() if rc == 0 else ""
check("html: written, under 2 MB", rc == 0 and 0 < len(text) < 2 * 1024 * 1024, (rc, err, len(text)))
check("html: self-contained (no link, no external src or url)",
      "<link" not in text and "src=" not in text and "http://" not in text and "https://" not in text and "url(" not in text)
check("html: inline SVG charts (severity, histograms, history)", text.count("<svg") >= 5, text.count("<svg"))
chrome = shutil.which("chromium") or shutil.which("chromium-browser")
if chrome:
    ud = os.path.join(WORK, "chrome-profile")
    flags = [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
             f"--user-data-dir={ud}", "--enable-logging=stderr", "--v=0"]
    png = os.path.join(WORK, "fleet.png")
    r = subprocess.run(flags + ["--window-size=1280,2400", f"--screenshot={png}", "file://" + html],
                       capture_output=True, text=True, timeout=180)
    check("html: headless Chromium takes a screenshot", r.returncode == 0 and os.path.exists(png) and os.path.getsize(png) > 20000,
          r.stderr[-800:])
    console = [l for l in r.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
    check("html: no console message while rendering", not console, console)
    r = subprocess.run(flags + ["--dump-dom", "file://" + html], capture_output=True, text=True, timeout=180)
    body = r.stdout[r.stdout.find("<body"):][:200]
    check("html: the inline script ran (sortable tables set up) and met no error",
          'data-js-ok="1"' in body and "data-js-errors" not in body, body)
    # the tables sort when a header is clicked (numbers by their data-v), twice = the other way
    sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
    import cdp  # noqa: E402
    col = ("(function(){var t=document.querySelector('table.sortable');t.tHead.rows[0].cells[1].click();"
           "return JSON.stringify([...t.tBodies[0].rows].map(function(r){return parseFloat(r.cells[1]"
           ".getAttribute('data-v'));}));})()")
    try:
        ready, asc, desc = cdp.evaluate(cdp.binary(), "file://" + html,
                                        ["document.readyState === 'complete' ? document.body.getAttribute('data-js-ok') : null",
                                         col, col])
        asc, desc = json.loads(asc), json.loads(desc)
        check("html: a click on a header sorts the table, a second click reverses it",
              ready == "1" and len(asc) >= 3 and asc == sorted(asc) and desc == sorted(asc, reverse=True), (asc, desc))
    except Exception as e:  # noqa: BLE001
        check("html: a click on a header sorts the table", False, repr(e))
    pdf = os.path.join(WORK, "fleet.pdf")
    r = subprocess.run(flags + [f"--print-to-pdf={pdf}", "file://" + html], capture_output=True, text=True, timeout=180)
    check("html: prints (headless Chromium --print-to-pdf)", os.path.exists(pdf) and os.path.getsize(pdf) > 10000,
          r.stderr[-500:])
else:
    check("chromium is installed for the HTML test", False, "install Debian's chromium")

# --- groups, since, bad input --------------------------------------------------------------------
rc, out, err = lading("--from", export, "--format", "json", "--group-by", "label:team")
rep = json.loads(out) if rc == 0 else {"groups": {}}
check("label:team groups (and the images without the label)", rc == 0 and "(no label team)" in rep["groups"]
      and sum(g["images"] for g in rep["groups"].values()) == len(doc["images"]), list(rep["groups"]))
rc, out, err = lading("--from", export, "--group-by", "label:nothing-has-this")
check("a group key matching nothing is reported, exit 0", rc == 0 and "no image matches the group key" in out, err + out[:300])
rc, out, err = lading("--from", export, "--format", "json", "--since", "2026-11-20")
rep = json.loads(out) if rc == 0 else {}
left = sum(1 for im in doc["images"] if when(im["last_seen"]) < when("2026-11-20T00:00:00Z"))
check(f"--since: {left} images last seen before are left out", rc == 0 and rep["images_before_since"] == left
      and rep["overall"]["images"] == len(doc["images"]) - left, (rc, err, rep.get("images_before_since")))
empty = os.path.join(WORK, "empty.json")
open(empty, "w").write('{"lading_fleet":1,"images":[],"containers":[]}')
rc, out, err = lading("--from", empty)
check("empty store: an empty report that says so, exit 0", rc == 0 and "nothing to report" in out, (rc, out, err))
rc, out, err = lading("--from", empty, "--format", "json")
check("empty store: JSON says empty", rc == 0 and json.loads(out)["empty"] is True, out[:300])
bad = os.path.join(WORK, "bad.tsv")
open(bad, "w").write("name\tids\tdescription\nGood\tCVE-2020-1\tok\nBroken line without tabs\n")
rc, out, err = lading("--from", export, "--famous", bad)
check("malformed famous line: exit 3 naming file and line", rc == 3 and "bad.tsv:3:" in err, (rc, err))
rc, out, err = lading("--from", export, "--group-by", "colour")
check("unknown --group-by: usage error", rc == 2 and "label:KEY" in err, (rc, err))
rc, out, err = lading("--from", os.path.join(WORK, "missing.json"))
check("missing export: exit 3 naming it", rc == 3 and "missing.json" in err, (rc, err))
broken = os.path.join(WORK, "broken.json")
open(broken, "w").write('{"lading_fleet":1,"images":[{"digest":"sha256:a","findings":[{"id":"X","severity":"dire"}]}]}')
rc, out, err = lading("--from", broken)
check("malformed export: exit 3 naming the record", rc == 3 and "images[0].findings[0]" in err, (rc, err))

if failures:
    print(f"{len(failures)} failure(s): {failures}")
    sys.exit(1)
print("all fleet report checks passed")

#!/usr/bin/env python3
"""Fill an (empty, migrated) SQLite inventory store with a generated fleet export
(tests/tools/gen_fleet.py) through the store's own tables, for bench/fleet_report.sh: recording
6,000 images with `inventory add` takes long; the report only reads these tables.
usage: fleet_store_fill.py FLEET.json STORE.sqlite
       fleet_store_fill.py --copy-from STORE.sqlite > COPY.sql   (the same rows for PostgreSQL)"""
import csv
import hashlib
import io
import json
import sqlite3
import sys

if sys.argv[1] == "--copy-from":
    src = sqlite3.connect(sys.argv[2])
    out = io.StringIO()
    for t in ["layer", "os", "package", "dbbuild", "pkglist", "pkglist_item", "image", "image_layer", "image_ref",
              "pkglist_match", "finding", "container"]:
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({t})")]
        rows = src.execute(f"SELECT {','.join(cols)} FROM {t}").fetchall()
        if rows:
            out.write(f"COPY {t}({','.join(cols)}) FROM STDIN WITH (FORMAT csv);\n")
            w = csv.writer(out, lineterminator="\n")
            for r in rows:
                w.writerow(["" if v is None else v for v in r])
            out.write("\\.\n")
    sys.stdout.write(out.getvalue())
    sys.exit(0)

SEV = {"unknown": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
doc = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
c = db.cursor()
now = doc.get("generated") or "2026-12-01T00:00:00Z"
c.execute("INSERT INTO dbbuild(built_at, first_used) VALUES(?, ?)", (now, now))
build = c.lastrowid
c.execute("INSERT INTO os(hash, os_id, version_id) VALUES('os', 'alpine', '3.20')")
os_id = c.lastrowid
layers, packages, seen_findings = {}, {}, set()
for n, im in enumerate(doc["images"]):
    h = hashlib.sha256(im["digest"].encode()).hexdigest()[:32]
    c.execute("INSERT INTO pkglist(hash, os_id, npkgs, created, dbbuild_id) VALUES(?, ?, 0, ?, ?)", (h, os_id, now, build))
    pl = c.lastrowid
    c.execute("INSERT INTO image(digest, os, created, source_type, pkglist_id, first_seen, last_seen)"
              " VALUES(?, 'linux', ?, ?, ?, ?, ?)", (im["digest"], im.get("created"), (im.get("sources") or ["registry"])[0],
                                                   pl, im.get("first_seen") or now, im.get("last_seen") or now))
    img = c.lastrowid
    for pos, l in enumerate(im["layers"]):
        if l not in layers:
            c.execute("INSERT INTO layer(digest, first_seen, last_seen) VALUES(?, ?, ?)", (l, now, now))
            layers[l] = c.lastrowid
        c.execute("INSERT INTO image_layer(image_id, position, layer_id) VALUES(?, ?, ?)", (img, pos, layers[l]))
    for r in im.get("refs", []):
        c.execute("INSERT OR IGNORE INTO image_ref(image_id, kind, ref, first_seen, last_seen) VALUES(?, 'tag', ?, ?, ?)", (img, r, now, now))
    for m in im.get("manifest_digests", []):
        c.execute("INSERT OR IGNORE INTO image_ref(image_id, kind, ref, first_seen, last_seen) VALUES(?, 'manifest', ?, ?, ?)", (img, m, now, now))
    mine = set()
    for f in im.get("findings") or []:
        p = f["package"]
        key = (p["type"], p["name"], p["version"])
        if key not in packages:
            c.execute("INSERT INTO package(hash, type, name, version, epoch, flags) VALUES(?, ?, ?, ?, 0, 0)",
                      ("|".join(key), *key))
            packages[key] = c.lastrowid
        pid = packages[key]
        if pid not in mine:
            mine.add(pid)
            c.execute("INSERT INTO pkglist_item(pkglist_id, package_id, layer) VALUES(?, ?, 0)", (pl, pid))
        if (pid, f["id"]) not in seen_findings:
            seen_findings.add((pid, f["id"]))
            c.execute("INSERT INTO finding(dbbuild_id, os_id, package_id, vuln, severity, kev, epss, fixed, aliases)"
                      " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)", (build, os_id, pid, f["id"], SEV[f["severity"]], int(bool(f.get("kev"))),
                                                         f.get("epss"), "9.9" if f.get("fixable") else None,
                                                         " ".join(f.get("aliases", [])) or None))
    c.execute("UPDATE pkglist SET npkgs = ? WHERE id = ?", (len(mine), pl))
    c.execute("INSERT INTO pkglist_match(pkglist_id, dbbuild_id, matched_at) VALUES(?, ?, ?)", (pl, build, now))
for ct in doc["containers"]:
    c.execute("INSERT INTO container(source, cid, name, namespace, image_ref, image_digest, state, first_seen, last_seen)"
              " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)", (ct["source"], ct["id"], ct["name"], ct.get("namespace"), ct.get("image_ref"),
                                                    ct.get("image_digest"), ct["state"], ct["first_seen"], ct["last_seen"]))
db.commit()

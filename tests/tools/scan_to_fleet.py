#!/usr/bin/env python3
"""Build a fleet export (docs/fleet.md, "The fleet JSON") from `lading scan --format json`
documents, one per image, for `lading report fleet --from FILE` without an inventory store.

usage: scan_to_fleet.py -o FLEET.json [--generated TIME] IMAGE...
  IMAGE is SCAN.json=REF[,REF...][@CREATED]: the scan document, the references the image is
  known under (HOST/REPO:TAG), and optionally its creation time (RFC 3339) when the image has
  no config (a root filesystem tarball).

The image identity is its config digest; without one (root filesystem tarballs) the digest of
its single layer stands in. Layers are the diff_ids scan reports (image.layers[].digest), so
an OCI layout and a docker-archive of the same image are one image, and an image built on
another one has that one as its base. Findings are scan's vulnerabilities[] unchanged (the
report reads id, aliases, severity, kev, epss, fixed_versions, package/version/type)."""
import argparse
import json
import sys


def image_of(spec):
    path, _, rest = spec.partition("=")
    refs, _, created = rest.partition("@")
    doc = json.load(open(path))
    img = doc.get("image") or {}
    layers = [l["digest"] for l in img.get("layers") or [] if l.get("digest")]
    if not layers:
        layers = [l["blob_digest"] for l in (doc.get("source") or {}).get("layers") or [] if l.get("blob_digest")]
    digest = img.get("digest") or (layers[0] if len(layers) == 1 else None)
    if not digest:
        sys.exit(f"{path}: no config digest and not a single-layer image: cannot identify it")
    src = doc.get("source") or {}
    out = {"digest": digest, "refs": [r for r in refs.split(",") if r], "sources": [src.get("type") or "scan"],
           "labels": {}, "created": created or img.get("created"), "layers": layers,
           "findings": [v for v in doc.get("vulnerabilities") or [] if not v.get("suppressed")]}
    if src.get("manifest_digest"):
        out["manifest_digests"] = [src["manifest_digest"]]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", required=True)
    ap.add_argument("--generated")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    seen = {}
    for spec in a.images:
        im = image_of(spec)
        if im["digest"] in seen:  # the same image recorded twice (archive and layout): merge refs
            prev = seen[im["digest"]]
            prev["refs"] += [r for r in im["refs"] if r not in prev["refs"]]
            prev["sources"] += [s for s in im["sources"] if s not in prev["sources"]]
            continue
        seen[im["digest"]] = im
    doc = {"lading_fleet": 1, "generated": a.generated, "images": list(seen.values()), "containers": []}
    with open(a.o, "w") as f:
        json.dump(doc, f)


if __name__ == "__main__":
    main()

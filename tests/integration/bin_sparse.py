#!/usr/bin/env python3
"""Large ELF files are read sparsely (only the ranges the Go and cargo-auditable analyzers plan
from the head; layer.h ld_plan_fn): what they find must not change. A Go binary without its
build ID note (so not read whole) still gives its modules, a 3 MiB binary its .dep-v0 crates,
and every binary of the test artifacts (Debian's Go programs and the classifier's products,
esbuild with Go 1.16's pointer layout, stripped and section-less Go binaries) gives the same
inventory read sparsely at every size, at the default threshold and read whole."""
import json
import os
import subprocess

from bin_common import BIN, artifacts, check, finish, image, sbom, workdir

W = workdir("bin_sparse")
A = artifacts()


def packages(doc, location):
    return sorted((p["type"], p["name"], p["version"]) for p in (doc or {}).get("packages", [])
                  if p.get("location") == location)


ref = image(W, "sparse", [[("/usr/bin/hello", f"{A}/go/hello", 0o755),
                           ("/usr/bin/hello-nonote", f"{A}/go/hello-nonote", 0o755),
                           ("/usr/bin/audited-big", f"{A}/rust/audited-big", 0o755),
                           ("/usr/bin/plain-big", f"{A}/rust/plain-big", 0o755)]])
rc, doc, err = sbom(ref, "--no-cache")
check("sbom runs", rc == 0, err)
hello = packages(doc, "/usr/bin/hello")
check("hello: Go modules found", len(hello) >= 2 and any(t == "golang" for t, _, _ in hello), hello)
check("hello without its build ID note (read sparsely): the same modules",
      packages(doc, "/usr/bin/hello-nonote") == hello, packages(doc, "/usr/bin/hello-nonote"))
want = sorted(("cargo", p["name"], p["version"])
              for p in json.load(open(f"{A}/rust/dep-v0.json"))["packages"])
got = [p for p in packages(doc, "/usr/bin/audited-big") if p[0] == "cargo"]
check("3 MiB binary read sparsely: the crates of its .dep-v0", got == want, (got, want))
check("nothing from the same binary without the section", not packages(doc, "/usr/bin/plain-big"))


def sbom_env(threshold):
    env = dict(os.environ)
    if threshold is not None:
        env["LADING_ANALYZE_SPARSE_MIN"] = str(threshold)
    p = subprocess.run([BIN, "sbom", "--no-cache", "--format", "json", f"dir:{A}"], env=env,
                       capture_output=True, text=True, timeout=900)
    return p.returncode, p.stdout, p.stderr


outs = {}
for name, t in (("sparse at any size", 0), ("default threshold", None), ("whole", 1 << 60)):
    rc, out, err = sbom_env(t)
    check(f"sbom of every artifact ({name}) runs", rc == 0, err)
    outs[name] = out
doc = json.loads(outs["whole"] or "{}")
types = {p["type"] for p in doc.get("packages", [])}
check("the artifacts give Go, cargo and binary packages", {"golang", "cargo", "binary"} <= types, types)
for name in ("sparse at any size", "default threshold"):
    check(f"{name}: the same inventory as read whole", outs[name] == outs["whole"],
          f"{len(outs[name])} vs {len(outs['whole'])} bytes")
finish()

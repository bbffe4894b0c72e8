#!/usr/bin/env bash
# docs/openapi.yaml against the server: every path and method of the document is answered (not
# 404/405) with one of its documented status codes, unauthenticated requests get the documented
# 401, and every route of the server's table (src/lib/service/route.c) is in the document.
set -euo pipefail
W="$LADING_WORK/serve_openapi"
rm -rf "$W"
mkdir -p "$W"
L="$LADING_BIN"
SRC="$LADING_SRC"
command -v python3 > /dev/null && python3 -c 'import yaml' 2> /dev/null || { echo "SKIP: python3-yaml"; exit 77; }
S="sqlite:$W/store.sqlite"
T=$("$L" token create --store "$S" --name doc --scope admin | tail -1)
"$L" serve --store "$S" --listen 127.0.0.1:0 --workers 0 > "$W/out" 2> "$W/log" &
PID=$!
trap 'kill $PID 2> /dev/null || true; wait $PID 2> /dev/null || true' EXIT
for _ in $(seq 200); do grep -q listening "$W/out" 2> /dev/null && break; sleep 0.05; done
URL="http://$(sed -n 's/.*listening on //p' "$W/out")"
python3 - "$SRC/docs/openapi.yaml" "$SRC/src/lib/service/route.c" "$URL" "$T" << 'PY'
import re, sys, urllib.request, urllib.error, yaml
doc, routes_c, url, tok = sys.argv[1:5]
spec = yaml.safe_load(open(doc))
fails = 0
def fail(m):
    global fails
    fails += 1
    print("FAIL:", m)
def call(method, path, auth, body=None):
    req = urllib.request.Request(url + path, method=method, data=body)
    if auth:
        req.add_header("Authorization", "Bearer " + tok)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        return urllib.request.urlopen(req, timeout=20).status
    except urllib.error.HTTPError as e:
        return e.code
samples = {"/api/v1/images": b'{"ref": "127.0.0.1:9/none/x:1"}', "/api/v1/containers": b'{"containers": []}',
           "/api/v1/sboms": b'{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"musl","version":"1.1.20-r4","purl":"pkg:apk/alpine/musl@1.1.20-r4?distro=alpine-3.9.4"}]}',
           "/api/v1/admission": b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"kind":"Pod","spec":{"containers":[]}}}}'}
documented = set()
for path, ops in spec["paths"].items():
    for method, op in ops.items():
        documented.add((method.upper(), path))
        codes = {int(c) for c in op["responses"]}
        concrete = path.replace("{id}", "1")
        q = "?cve=CVE-2019-14697" if path == "/api/v1/query" else ""
        body = samples.get(path) if method == "post" else None
        st = call(method.upper(), concrete + q, True, body)
        if st in (404, 405) and st not in codes:
            fail(f"{method.upper()} {path}: {st} (not served)")
        elif st not in codes:
            fail(f"{method.upper()} {path}: {st}, documented {sorted(codes)}")
        st = call(method.upper(), concrete + q, False, body)
        if st != 401 or 401 not in codes:
            fail(f"{method.upper()} {path} without a token: {st}")
served = set(re.findall(r'\{"(GET|POST|PUT|DELETE|PATCH)", "([^"]+)"', open(routes_c).read()))
for m, p in sorted(served - documented):
    fail(f"{m} {p} is served but not in docs/openapi.yaml")
for m, p in sorted(documented - served):
    fail(f"{m} {p} is documented but not served")
print(f"openapi: {len(documented)} operations checked, {fails} failures")
sys.exit(1 if fails else 0)
PY

#!/usr/bin/env bash
# lading serve / worker figures (docs/benchmarks.md): jobs per second with 1 and 2 workers on a
# PostgreSQL queue fed from a local docker-registry, and `wrk` on GET /api/v1/query?cve=... of a
# SQLite store. Figures only. No peer here keeps results behind an HTTP API the same way (Trivy's
# server answers scans, not inventory queries), so no ratio is printed.
#   JOBS=N (default 120) jobs per run; WRK_SECONDS (default 10)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need wrk wrk
need docker-registry docker-registry
need skopeo skopeo
W=$(mktemp -d /tmp/lading-bench-serve.XXXXXX)
source "$BENCH_SRC/tests/registry/lib.sh"
PG_NO_TRAP=1
source "$BENCH_SRC/tests/integration/pg_lib.bash"
PIDS=()
cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null; done
	pg_stop
	reg_cleanup
	rm -rf "$W"
}
trap cleanup EXIT
JOBS=${JOBS:-120}
export XDG_CACHE_HOME="$W/cache"

mkdir -p "$W/mirror/alpine-secdb"
for v in v3.9 v3.10 v3.11; do cp -r "$SHARED/vulndata/alpine-secdb/$v" "$W/mirror/alpine-secdb/"; done
"$LADING" db build --mirror "$W/mirror" --db "$W/db.sqlite" > /dev/null 2>&1
reg_start reg config.yml
REG="127.0.0.1:$REG_PORT"
IMGS=(alpine-3.9.6 alpine-3.12.12 alpine-3.20.3 alpine-3.20.3-twolayer)
for i in "${IMGS[@]}"; do reg_push "docker-archive:$SHARED/images/docker-archive/$i.tar" "$REG/lib/$i:1"; done

serve() { # STORE [options] -> URL
	"$LADING" serve --store "$1" --listen 127.0.0.1:0 --db "$W/db.sqlite" --insecure-registry "$REG" "${@:2}" \
		> "$W/serve.out" 2> "$W/serve.log" &
	PIDS+=("$!")
	for _ in $(seq 200); do grep -q listening "$W/serve.out" 2> /dev/null && break; sleep 0.05; done
	URL="http://$(sed -n 's/.*listening on //p' "$W/serve.out")"
}

pg_start > /dev/null
echo "== jobs per second (PostgreSQL queue, $JOBS jobs over ${#IMGS[@]} registry images; the first"
echo "   job of each image reads it, the others find it known and only touch its references)"
for n in 1 2; do
	P=$(pg_newdb "jobs$n")
	T=$("$LADING" token create --store "$P" --name bench --scope write | tail -1)
	serve "$P" --workers 0
	for k in $(seq "$JOBS"); do
		i=${IMGS[$((k % ${#IMGS[@]}))]}
		curl -s -o /dev/null -H "Authorization: Bearer $T" -d "{\"ref\":\"$REG/lib/$i:1\"}" "$URL/api/v1/images"
	done
	t0=$EPOCHREALTIME
	"$LADING" worker --store "$P" --db "$W/db.sqlite" --insecure-registry "$REG" --jobs "$n" --once 2> "$W/worker$n.log"
	t1=$EPOCHREALTIME
	done_n=$(grep -c ': done' "$W/worker$n.log" || true)
	awk -v n="$n" -v j="$done_n" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "  %d worker thread(s): %d jobs in %.2f s = %.1f jobs/s\n", n, j, b - a, j / (b - a) }'
	kill "${PIDS[-1]}"
done

echo "== wrk: GET /api/v1/query?cve=CVE-2019-14697 (SQLite store, ${#IMGS[@]} images, 2 HTTP threads)"
S="sqlite:$W/store.sqlite"
T=$("$LADING" token create --store "$S" --name bench --scope write | tail -1)
for i in "${IMGS[@]}"; do
	"$LADING" inventory add --store "$S" --db "$W/db.sqlite" --insecure "$REG/lib/$i:1" > /dev/null 2>&1 || true
done
serve "$S" --workers 0 --threads 2 --token-rate 10000000 --fail-on high
wrk -t2 -c32 -d"${WRK_SECONDS:-10}"s --latency -H "Authorization: Bearer $T" \
	"$URL/api/v1/query?cve=CVE-2019-14697" | sed 's/^/  /'

echo "== admission decision for a stored image (AdmissionReview of a pod with 2 containers, 1000"
echo "   requests one after another on a kept-alive connection)"
python3 - "${URL#http://}" "$T" "$REG/lib/alpine-3.9.6:1" "$REG/lib/alpine-3.20.3:1" << 'PY'
import http.client, json, sys, time
hostport, tok, a, b = sys.argv[1:5]
host, port = hostport.rsplit(":", 1)
body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "bench", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "operation": "CREATE",
        "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "a", "image": a},
            {"name": "b", "image": b}]}}}}).encode()
c = http.client.HTTPConnection(host, int(port), timeout=30)
lat = []
for _ in range(1000):
    t0 = time.perf_counter()
    c.request("POST", "/api/v1/admission?timeout=10s", body, {"Authorization": "Bearer " + tok,
              "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    lat.append((time.perf_counter() - t0) * 1000)
    assert r.status == 200, r.status
lat.sort()
print("  p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (lat[499], lat[989], lat[-1]))
PY

#!/usr/bin/env bash
# lading serve / worker figures (docs/benchmarks.md): jobs per second with 1 and 2 workers on a
# PostgreSQL queue fed from a local docker-registry (4 images reused, then the generated fleet), and
# `wrk` on GET /api/v1/query?cve=... of a SQLite store. Figures only. No peer here keeps results
# behind an HTTP API the same way (Trivy's server answers scans, not inventory queries), so no ratio
# is printed.
#   JOBS=N (default 120) jobs per run; WRK_SECONDS (default 10); FLEET_N (default 6000, 0 skips)
#   images of the generated fleet for jobs/s with 1 and 2 worker processes (end of this file);
#   FLEET_BASES_STORED=0 skips its second pair of runs (bases stored first); FLEET_PUSH_THREADS (8)
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

# The fleet: FLEET_N (default 6000; 0 skips) OCI images of bench/fleet_gen.py (the 18 Alpine
# minirootfs bases of ../shared shared as registries share bases, each with its own small top layer)
# pushed to the registry, one repository each (bench/fleet_push.py). Per run: a fresh PostgreSQL
# database and layer cache, `lading serve --workers 0` and N separate `lading worker --jobs 1`
# processes waiting on the queue; every image is submitted with its own POST /api/v1/images on a
# kept-alive connection (as a CI pipeline would), and the time runs from the first submit until the
# store has no job queued or running. CPU seconds of the workers, the server and PostgreSQL (its
# postmaster with its ended backends) over the run; on a shared machine the wall time includes
# waiting for a core, the CPU time does not.
FLEET_N=${FLEET_N:-6000}
[ "$FLEET_N" -gt 0 ] || exit 0
need python3 python3
# CPU seconds (user + system) of a process and its waited-for children
proc_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$1/stat" 2> /dev/null || echo 0; }
pg_cpu() { proc_cpu "$(head -1 "$PG_DIR/data/postmaster.pid")"; }
t0=$EPOCHREALTIME
python3 "$BENCH_SRC/bench/fleet_gen.py" "$SHARED" "$W/fleet" "$FLEET_N"
t1=$EPOCHREALTIME
python3 "$BENCH_SRC/bench/fleet_push.py" "$W/fleet/refs.txt" "$REG" fleet "$W/fleet.refs" "${FLEET_PUSH_THREADS:-8}"
t2=$EPOCHREALTIME
NB=$(ls "$SHARED"/images/alpine/alpine-minirootfs-*.tar.gz | wc -l)
echo "== jobs per second on the fleet: $FLEET_N images ($NB Alpine bases + a distinct top layer each),"
awk -v a="$t0" -v b="$t1" -v c="$t2" \
	'BEGIN { printf "   generated in %.0f s, pushed to docker-registry in %.0f s; one worker process per thread\n", b - a, c - b }'

# submit.py HOST:PORT TOKEN REFS PGPORT DB: one POST per image, then polls the store until no
# image job is queued or running; prints "submit_seconds start end"
cat > "$W/submit.py" << 'PY'
import http.client, json, subprocess, sys, time
hostport, tok, refs, port, db = sys.argv[1:6]
host, p = hostport.rsplit(":", 1)
refs = open(refs).read().split()
c = http.client.HTTPConnection(host, int(p), timeout=60)
t0 = time.time()
for r in refs:
    c.request("POST", "/api/v1/images", json.dumps({"ref": r}),
              {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    resp = c.getresponse()
    resp.read()
    assert resp.status == 202, resp.status
t_sub = time.time()
q = "SELECT count(*) FILTER (WHERE state IN ('queued', 'running')) FROM job WHERE kind = 'image'"
while True:
    left = subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "lading", "-d", db, "-tAc", q],
                          capture_output=True, text=True, check=True).stdout.strip()
    if left == "0":
        break
    time.sleep(0.2)
print("%.3f %.3f %.3f" % (t_sub - t0, t0, time.time()))
PY

# fleet_run N BASES: N worker processes; BASES=1 stores the first $NB images (every base layer)
# with `inventory add` before the clock starts and submits the others
fleet_run() {
	local n=$1 bases=$2 P T k sv wp=() c0 t0 t1 st w_cpu=0 sv_cpu c1 refs=$W/fleet.refs
	P=$(pg_newdb "fleet${n}b$bases")
	export XDG_CACHE_HOME="$W/cache-fleet${n}b$bases"
	T=$("$LADING" token create --store "$P" --name bench --scope write | tail -1)
	if [ "$bases" = 1 ]; then
		head -n "$NB" "$W/fleet.refs" | xargs "$LADING" inventory add --store "$P" --db "$W/db.sqlite" \
			--insecure > /dev/null 2>&1
		tail -n +"$((NB + 1))" "$W/fleet.refs" > "$W/fleet.rest"
		refs=$W/fleet.rest
	fi
	c0=$(pg_cpu)
	serve "$P" --workers 0 --threads 2 --token-rate 10000000
	sv=${PIDS[-1]}
	for k in $(seq "$n"); do
		"$LADING" worker --store "$P" --db "$W/db.sqlite" --insecure-registry "$REG" --jobs 1 \
			2> "$W/fleet-worker$n-$bases-$k.log" &
		wp+=("$!")
		PIDS+=("$!")
	done
	read -r st t0 t1 < <(python3 "$W/submit.py" "${URL#http://}" "$T" "$refs" "$PG_PORT" "${P##*/}")
	for k in "${wp[@]}"; do w_cpu=$(awk -v a="$w_cpu" -v b="$(proc_cpu "$k")" 'BEGIN { printf "%.2f", a + b }'); done
	sv_cpu=$(proc_cpu "$sv")
	for k in "${wp[@]}" "$sv"; do kill "$k"; wait "$k" 2> /dev/null || true; done
	sleep 0.5 # the backends end after their clients
	c1=$(pg_cpu)
	local jobs done_n failed
	read -r jobs done_n failed < <(pg_psql "${P##*/}" -tAF' ' -c "SELECT count(*), count(*) FILTER (WHERE state = 'done'),
		count(*) FILTER (WHERE state = 'failed') FROM job WHERE kind = 'image'")
	awk -v n="$n" -v b="$bases" -v j="$jobs" -v d="$done_n" -v f="$failed" -v s="$st" -v a="$t0" -v e="$t1" \
		-v w="$w_cpu" -v sv="$sv_cpu" -v pg="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" 'BEGIN {
		printf "  %d worker(s), bases %s: %d jobs (%d done, %d failed) in %.1f s = %.1f jobs/s (submits took %.1f s)\n",
			n, b ? "stored first" : "not stored", j, d, f, e - a, j / (e - a), s
		printf "      CPU s: workers %.1f, serve %.1f, PostgreSQL %.1f\n", w, sv, pg }'
	pg_psql "${P##*/}" -tAc "SELECT count(*) FROM image" | awk '{ print "      images in the store: " $1 }'
}
fleet_run 1 0
fleet_run 2 0
if [ "${FLEET_BASES_STORED:-1}" = 1 ]; then
	fleet_run 1 1
	fleet_run 2 1
fi

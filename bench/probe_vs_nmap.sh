#!/usr/bin/env bash
# Probe throughput: `lading probe` against `nmap -sV` (Debian's nmap) on the same local listeners
# in the same run: PORTS ports on 127.0.0.1 (default 1000) served by one small test server
# (tests/integration/census_fake.py) mixing SSH, HTTP (nginx), Redis, MySQL and memcached
# personalities on ports no service is expected on, so neither tool can go by port numbers.
# Prints probes per second, peak RSS, services identified (product named) and versions read by
# each, and the ratio of rates. Figures only: never passes or fails. Target: >= 10x nmap's rate
# for at least the same services identified.
#   PORTS=1000 CONCURRENCY=512 RUNS=1 bench/probe_vs_nmap.sh
source "$(dirname "$0")/common.sh"
need nmap nmap
need jq jq
PORTS=${PORTS:-1000}
CONCURRENCY=${CONCURRENCY:-512}
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
FAKE_PID=
cleanup() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2> /dev/null; rm -rf "$W"; }
trap cleanup EXIT

per=$((PORTS / 5))
python3 "$BENCH_SRC/tests/integration/census_fake.py" --ports-file "$W/ports" \
	"ssh*$per" "nginx*$per" "redis*$per" "mysql*$per" "memcached*$((PORTS - 4 * per))" > "$W/fake.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 300); do [ -s "$W/ports" ] && break; sleep 0.1; done
[ -s "$W/ports" ] || { echo "bench: the test server did not start: $(cat "$W/fake.log")"; exit 2; }
ports=$(awk '{print $2}' "$W/ports" | sort -n | paste -sd, -)
n=$(wc -l < "$W/ports")
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

run_lading() {
	/usr/bin/time -f "%e %M" -o "$W/lading.time" "$LADING" probe 127.0.0.1 --ports "$ports" \
		--concurrency "$CONCURRENCY" --format json -o "$W/lading.json" 2> "$W/lading.err"
}
run_nmap() {
	/usr/bin/time -f "%e %M" -o "$W/nmap.time" nmap -sV -Pn -n -p "$ports" 127.0.0.1 -oX "$W/nmap.xml" \
		> "$W/nmap.out" 2>&1
}
run_lading
run_nmap

read -r lt lm < "$W/lading.time"
read -r nt nm < "$W/nmap.time"
l_id=$(jq '[.[] | select(.product != null)] | length' "$W/lading.json")
l_ver=$(jq '[.[] | select(.version != null)] | length' "$W/lading.json")
n_id=$(grep -o '<service [^>]*product="[^"]*"' "$W/nmap.xml" | wc -l)
n_ver=$(grep -o '<service [^>]*version="[^"]*"' "$W/nmap.xml" | wc -l)
l_rate=$(awk -v n="$n" -v t="$lt" 'BEGIN{printf "%.0f", n / (t > 0 ? t : 0.001)}')
n_rate=$(awk -v n="$n" -v t="$nt" 'BEGIN{printf "%.1f", n / (t > 0 ? t : 0.001)}')
echo "probe throughput: $n local ports (5 kinds of service), lading --concurrency $CONCURRENCY vs nmap -sV"
printf '%-8s %9s %12s %12s %11s %10s\n' tool wall_s probes/s peak_rss_mb identified versions
printf '%-8s %9s %12s %12s %11s %10s\n' lading "$lt" "$l_rate" "$(awk -v m="$lm" 'BEGIN{printf "%.1f", m/1024}')" "$l_id/$n" "$l_ver/$n"
printf '%-8s %9s %12s %12s %11s %10s\n' nmap "$nt" "$n_rate" "$(awk -v m="$nm" 'BEGIN{printf "%.1f", m/1024}')" "$n_id/$n" "$n_ver/$n"
echo "rate ratio lading/nmap: $(ratio "$l_rate" "$n_rate")x"
echo "by service (identified by lading / by nmap):"
for kind in ssh nginx redis mysql memcached; do
	mine=$(grep "^$kind#" "$W/ports" | awk '{print $2}')
	li=$(jq --argjson p "$(printf '%s\n' $mine | jq -s .)" '[.[] | select((.port as $x | $p | index($x)) and .product != null)] | length' "$W/lading.json")
	ni=0
	for p in $mine; do
		grep -q "portid=\"$p\"><state state=\"open\"[^>]*/><service [^>]*product=" "$W/nmap.xml" && ni=$((ni + 1))
	done
	printf '  %-10s %5s / %5s\n' "$kind" "$li" "$ni"
done

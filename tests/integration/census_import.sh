#!/usr/bin/env bash
# `lading census import` of sample files in each documented format (tests/data/census: Shodan
# banners as JSON lines and as an API response, Censys host records and an API response, zgrab2
# output, a real `nmap -sV -oX`, lading's own JSON), bad lines skipped with warnings, gzip input,
# truncated and hostile XML; then `census list` and `census report` (table, JSON, HTML) against
# the test vulnerability database.
set -euo pipefail
source "$(dirname "$0")/census_lib.bash"
census_setup census_import
D="$LADING_TESTDATA/census"
S="$W/census.sqlite"

imp() { # FILE EXPECTED-SUMMARY [ARGS...]
	local f=$1 want=$2 rc=0
	shift 2
	"$LADING_BIN" census import --census "$S" "$f" "$@" 2> "$W/imp.err" || rc=$?
	grep -qF -- "$want" "$W/imp.err" || fail "import $(basename "$f"): want '$want', got: $(cat "$W/imp.err") (exit $rc)"
	[ "$rc" = 0 ] || fail "import $(basename "$f"): exit $rc"
}
imp "$D/shodan.jsonl" "(shodan): 10 records imported, 2 skipped, 0 without a service"
grep -q "line 8 is not JSON" "$W/imp.err" || fail "shodan: the bad line is named: $(cat "$W/imp.err")"
imp "$D/shodan-api.json" "(shodan): 2 records imported, 0 skipped"
imp "$D/censys.jsonl" "(censys): 3 records imported, 2 skipped, 1 without a service"
imp "$D/censys-api.json" "(censys): 1 records imported, 0 skipped"
imp "$D/zgrab2.jsonl" "(zgrab2): 9 records imported, 2 skipped, 1 without a service"
imp "$D/nmap-sV.xml" "(nmap): 5 records imported, 0 skipped"
gzip -c "$D/shodan.jsonl" > "$W/shodan.jsonl.gz"
imp "$W/shodan.jsonl.gz" "(shodan): 10 records imported, 2 skipped" # same keys: replaced, not added

"$LADING_BIN" census list --census "$S" --format json -o "$W/list.json"
check 'length == 30' "$W/list.json" "30 distinct (target, port) records"
r() { echo ".[] | select(.target == \"$1\" and .port == $2)"; }
check "$(r 192.0.2.10 22) | .product == \"openssh\" and .version == \"7.4p1\" and .distro == \"Debian-10+deb9u7\" and .attrs.host == \"gw.example.net\" and .time == \"2023-05-01T12:00:00Z\" and .source == \"shodan\"" \
	"$W/list.json" "shodan: OpenSSH with its Debian revision, host name, time"
check "$(r 192.0.2.11 22) | .version == \"7.4\" and .distro == null" "$W/list.json" "shodan: OpenSSH without a distribution"
check "$(r 192.0.2.13 443) | .product == \"apache-httpd\" and .version == \"2.4.41\" and .distro == \"Ubuntu\" and .service == \"http\"" \
	"$W/list.json" "shodan: Apache from the http.server field"
check "$(r 192.0.2.14 3306) | .product == \"mysql\" and .version == \"5.7.33\" and .distro == \"0ubuntu0.16.04.1\"" \
	"$W/list.json" "shodan: MySQL with an Ubuntu build"
check "$(r 192.0.2.15 6379) | .product == \"redis\" and .version == \"6.0.9\" and .attrs.mode == \"standalone\"" \
	"$W/list.json" "shodan: Redis version read from the INFO text in data"
check "$(r 192.0.2.17 11211) | .product == \"memcached\" and .version == \"1.4.25\"" "$W/list.json" \
	"shodan: the numeric ip and a Memcache product"
check "$(r 2001:db8::17 9200) | .product == \"elasticsearch\" and .version == \"6.8.23\"" "$W/list.json" "shodan: IPv6, Elastic"
check "$(r 198.51.100.21 5432) | .product == \"postgresql\" and .version == null and (.note | test(\"authentication\"))" \
	"$W/list.json" "shodan API response: PostgreSQL, product only"
check "$(r 203.0.113.30 22) | .product == \"openssh\" and .version == \"8.2p1\" and .distro == \"Ubuntu-4ubuntu0.5\" and .source == \"censys\"" \
	"$W/list.json" "censys: software + banner"
check "$(r 203.0.113.30 80) | .product == \"nginx\" and .version == \"1.20.1\"" "$W/list.json" "censys: version from the Server header"
check "$(r 203.0.113.30 6380) | .product == null and (.evidence | length > 0)" "$W/list.json" "censys: unknown banner kept"
check "$(r 203.0.113.40 6379) | .product == \"redis\" and .version == \"5.0.7\"" "$W/list.json" "censys API: hits"
check "$(r 198.51.100.50 8080) | .product == \"apache-httpd\" and .version == \"2.4.38\" and .distro == \"Debian\"" \
	"$W/list.json" "zgrab2: port from the request URL"
check "$(r 198.51.100.50 27017) | .version == \"6.0.5\" and .attrs.max_wire_version == \"17\"" "$W/list.json" "zgrab2: mongodb"
check "$(r 198.51.100.50 5432) | .product == \"postgresql\" and .version == null" "$W/list.json" "zgrab2: postgres"
check "$(r 198.51.100.51 2323) | .service == \"smtp\" and .product == \"postfix\" and .distro == \"Debian\"" \
	"$W/list.json" "zgrab2: port from the scanner name, SMTP greeting"
check "$(r 198.51.100.51 9200) | .product == \"elasticsearch\" and .version == \"8.11.1\"" "$W/list.json" "zgrab2: JSON body"
check "[.[] | select(.source == \"nmap\")] | length == 5" "$W/list.json" "nmap: five open ports"
check ".[] | select(.source == \"nmap\" and .service == \"mysql\") | .product == \"mariadb\" and .version == \"10.11.19\" and .distro == \"0+deb12u1\"" \
	"$W/list.json" "nmap: MariaDB behind MySQL's 5.5.5- prefix"
check ".[] | select(.source == \"nmap\" and .service == \"ssh\") | .version == \"9.2p1\" and (.distro | startswith(\"Debian-2+deb12u\"))" \
	"$W/list.json" "nmap: OpenSSH version and Debian revision split"

# lading's own JSON round-trips
"$LADING_BIN" census import --census "$W/copy.sqlite" "$W/list.json" 2> "$W/imp.err"
grep -q "(lading): 30 records imported" "$W/imp.err" || fail "lading JSON: $(cat "$W/imp.err")"
"$LADING_BIN" census list --census "$W/copy.sqlite" --format json -o "$W/list2.json"
jq -S 'map(del(.source))' "$W/list.json" > "$W/a.json"
jq -S 'map(del(.source))' "$W/list2.json" > "$W/b.json"
cmp -s "$W/a.json" "$W/b.json" || fail "lading JSON round trip differs: $(diff "$W/a.json" "$W/b.json" | head -5)"

# unreadable, unknown, truncated, hostile
rc=0
printf 'hello\nworld\n' > "$W/plain.txt"
"$LADING_BIN" census import --census "$S" "$W/plain.txt" 2> "$W/imp.err" || rc=$?
[ "$rc" = 3 ] && grep -q "not a format lading reads" "$W/imp.err" || fail "unknown format: exit $rc $(cat "$W/imp.err")"
rc=0
"$LADING_BIN" census import --census "$S" "$W/no-such-file.json" 2> "$W/imp.err" || rc=$?
[ "$rc" = 3 ] || fail "missing file: exit $rc"
# two hosts, the second cut short: the first is kept
awk '/<host /{h=1} h{print > "/dev/stderr"} /<\/host>/{h=0} {print}' "$D/nmap-sV.xml" 2> "$W/host.xml" > /dev/null
{
	sed -n '1,/<\/host>/p' "$D/nmap-sV.xml"
	sed 's/127\.0\.0\.1/192.0.2.200/' "$W/host.xml" | head -c 700
} > "$W/cut.xml"
imp "$W/cut.xml" "(nmap): 5 records imported, 1 skipped"
grep -q "XML error" "$W/imp.err" || fail "truncated nmap XML: no warning"
cat > "$W/lol.xml" << 'EOF2'
<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<nmaprun><host><address addr="192.0.2.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="1"><state state="open"/><service name="x" product="&b;"/></port></ports></host></nmaprun>
EOF2
rc=0
"$LADING_BIN" census import --census "$S" "$W/lol.xml" 2> "$W/imp.err" || rc=$?
[ "$rc" = 3 ] && grep -q "entity declarations are refused" "$W/imp.err" || fail "XML entities: exit $rc $(cat "$W/imp.err")"

# the report
DB=$(bash "$LADING_SRC/tests/setup/vulndb.sh")
"$LADING_BIN" census report --census "$S" --db "$DB" --format json -o "$W/report.json"
p() { echo ".products[] | select(.product == \"$1\")"; }
check '.records == 30 and .unidentified == 1' "$W/report.json" "report: record counts"
check 'all(.products[]; .behind <= .versioned and .behind_branch <= .behind and .vulnerable + .possibly_backported <= .versioned and .kev <= .vulnerable and .kev_possibly_backported <= .possibly_backported and .versioned <= .hosts)' \
	"$W/report.json" "report: the counts nest"
check 'all(.products[]; all(.behind_share, .vulnerable_share, .kev_share; . == null or (. >= 0 and . <= 1)))' \
	"$W/report.json" "report: shares are fractions"
check "$(p openssh) | .hosts == 6 and .vulnerable == 1 and .possibly_backported == 4 and .newest_source == \"records\"" \
	"$W/report.json" "report: only the OpenSSH without a distribution build is called vulnerable"
check "$(p nginx) | .kev == 3 and (.versions[] | select(.version == \"1.18.0\") | .kev_cves | index(\"CVE-2023-44487\"))" \
	"$W/report.json" "report: nginx 1.18.0 is on a known-exploited CVE (HTTP/2 rapid reset)"
check "$(p apache-httpd) | .vulnerable == 0 and .kev == 0 and .kev_possibly_backported == 2" \
	"$W/report.json" "report: Debian/Ubuntu Apache is possibly backported, not vulnerable"
check "$(p redis) | .newest_source == \"bitnami\" and .behind == .versioned and .versioned == 3" \
	"$W/report.json" "report: Redis behind Bitnami's newest release"
check "$(p postgresql) | .versioned == 0 and .hosts == 2" "$W/report.json" "report: PostgreSQL counted without versions"
"$LADING_BIN" census report --census "$S" --db "$DB" --format html -o "$W/report.html"
python3 - "$W/report.html" "$W/report.json" << 'EOF2' || fail "HTML report"
import html.parser, json, sys
doc = open(sys.argv[1]).read()
products = len(json.load(open(sys.argv[2]))["products"])
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.svgs = 0; self.bad = []
    def handle_starttag(self, t, a):
        if t == "svg": self.svgs += 1
        if t not in ("meta", "br", "rect"): self.stack.append(t)
    def handle_endtag(self, t):
        if t == "rect": return
        if not self.stack or self.stack.pop() != t: self.bad.append(t)
p = P(); p.feed(doc)
assert not p.bad and not p.stack, ("unbalanced", p.bad, p.stack)
assert p.svgs == products, (p.svgs, products)
assert "<b>Evil" not in doc and "&lt;b&gt;evil&lt;/b&gt;" in doc.lower(), "scan data not escaped"
EOF2
"$LADING_BIN" census report --census "$S" --db "$DB" > "$W/report.txt"
grep -q '^OpenSSH ' "$W/report.txt" || fail "table report: $(head -3 "$W/report.txt")"
rc=0
"$LADING_BIN" census report --census "$W/none.sqlite" --db "$DB" 2> "$W/err" || rc=$?
[ "$rc" = 3 ] && grep -q "no census store" "$W/err" || fail "report without a store: exit $rc $(cat "$W/err")"
finish

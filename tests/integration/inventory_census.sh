#!/usr/bin/env bash
# The census lives in the inventory store: `census import/list/report` and `probe --save` on
# --store (SQLite and PostgreSQL), --census FILE as a deprecated alias, and a census file of the
# old format (under the cache directory, or named) imported once with a message.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/pg_lib.bash"
W="$LADING_WORK/inventory_census"
rm -rf "$W"
mkdir -p "$W"
export LADING_NO_PROGRESS=1
L="$LADING_BIN"
D="$LADING_TESTDATA/census"
FAILS=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
command -v sqlite3 > /dev/null && command -v jq > /dev/null || { echo "SKIP: sqlite3, jq"; exit 77; }

# a census file of the old format: the schema lading wrote before the census moved into the store
old_census() {
	sqlite3 "$1" << 'EOF2'
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES('schema_version', '1');
CREATE TABLE records(target TEXT NOT NULL, port INTEGER NOT NULL, transport TEXT NOT NULL,
 service TEXT, product TEXT, version TEXT, distro TEXT, cpe TEXT, evidence TEXT,
 time TEXT, source TEXT, origin TEXT, note TEXT, attrs TEXT, PRIMARY KEY (target, port, transport));
CREATE TABLE imports(id INTEGER PRIMARY KEY, origin TEXT, format TEXT, imported_at TEXT, records INTEGER,
 skipped INTEGER, ignored INTEGER);
INSERT INTO records VALUES('192.0.2.1', 6379, 'tcp', 'redis', 'redis', '7.0.15', NULL, NULL, 'redis_version:7.0.15',
 '2024-01-02T00:00:00Z', 'probe', 'probe', NULL, '{"mode":"standalone"}');
INSERT INTO records VALUES('192.0.2.2', 22, 'tcp', 'ssh', 'openssh', '9.2p1', 'debian', NULL, 'SSH-2.0-OpenSSH_9.2p1',
 '2024-01-03T00:00:00Z', 'probe', 'probe', NULL, NULL);
EOF2
}

# --- the old default file under the cache directory, the default store under XDG_DATA_HOME
export XDG_CACHE_HOME="$W/cache" XDG_DATA_HOME="$W/data"
unset LADING_STORE LADING_CENSUS
mkdir -p "$W/cache/lading"
old_census "$W/cache/lading/census.sqlite"
"$L" census list --format json -o "$W/l1.json" 2> "$W/l1.err" || { cat "$W/l1.err"; fail "census list (default)"; }
grep -q "imported 2 census records from the old census file" "$W/l1.err" || fail "import message: $(cat "$W/l1.err")"
jq -e '.records | length == 2' "$W/l1.json" > /dev/null || jq -e 'length == 2' "$W/l1.json" > /dev/null \
	|| fail "the old records in the store"
[ -f "$W/data/lading/store.sqlite" ] || fail "the store is under XDG_DATA_HOME"
"$L" census list --format json -o "$W/l2.json" 2> "$W/l2.err" || fail "census list again"
grep -q "imported" "$W/l2.err" && fail "imported twice"
cmp -s "$W/l1.json" "$W/l2.json" || fail "same records the second time"
# the census and the inventory share the store
"$L" inventory check --format json > "$W/check.json" || fail "inventory check on the shared store"

# --- a named old-format file (deprecated --census) becomes a store in place
old_census "$W/named.sqlite"
"$L" census list --census "$W/named.sqlite" --format json -o "$W/n.json" 2> "$W/n.err" || { cat "$W/n.err"; fail "named old file"; }
grep -q "deprecated" "$W/n.err" || fail "--census says it is deprecated"
grep -q "imported 2 census records" "$W/n.err" || fail "named old file imported: $(cat "$W/n.err")"
"$L" inventory check --store "$W/named.sqlite" > /dev/null || fail "named old file is a consistent store now"

# --- import on SQLite and on PostgreSQL: the same records
"$L" census import --store "$W/s.sqlite" "$D/shodan.jsonl" 2> /dev/null || fail "import sqlite"
"$L" census list --store "$W/s.sqlite" --format json -o "$W/s.json" || fail "list sqlite"
if pg_start; then
	U=$(pg_newdb census)
	"$L" census import --store "$U" "$D/shodan.jsonl" 2> /dev/null || fail "import postgres"
	"$L" census import --store "$U" "$D/shodan.jsonl" 2> /dev/null || fail "import postgres again"
	"$L" census list --store "$U" --format json -o "$W/p.json" || fail "list postgres"
	cmp -s "$W/s.json" "$W/p.json" || fail "the same census on SQLite and PostgreSQL: $(diff "$W/s.json" "$W/p.json" | head -5)"
	"$L" inventory check --store "$U" > /dev/null || fail "postgres store consistent"
else
	echo "PostgreSQL part skipped"
fi
echo "$FAILS failures"
[ "$FAILS" = 0 ]

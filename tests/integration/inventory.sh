#!/usr/bin/env bash
# lading inventory on SQLite and on a real PostgreSQL 15 (pg_lib.bash): images of ../shared
# added (a known image is not read again), listed and queried; container snapshots (absent ->
# gone); rescan after a database change (two databases built from subsets of the mirror: new,
# resolved and newly known-exploited findings, with the containers on those images); two `add`
# processes at once; SIGKILL in the middle of an add then a re-run; malformed input and a store
# of a newer schema refused with the store untouched; `inventory check` after each.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/pg_lib.bash"
W="$LADING_WORK/inventory"
rm -rf "$W"
mkdir -p "$W"
export LADING_NO_PROGRESS=1
L="$LADING_BIN"
SH="$LADING_SHARED"
FAILS=0
fail() {
	echo "FAIL [$BACKEND]: $*"
	FAILS=$((FAILS + 1))
}
check() { # check JQ-EXPR FILE MESSAGE
	jq -e "$1" "$2" > /dev/null || fail "$3"
}
command -v jq > /dev/null || { echo "SKIP: jq"; exit 77; }

# --- two databases from subsets of the mirror: A without musl/busybox advisories nor KEV; B with
# them, and a KEV catalog (real file, reduced to one entry) naming the musl CVE
mkdir -p "$W/mA/alpine-secdb" "$W/mB/alpine-secdb" "$W/mB/kev"
for v in v3.6 v3.7 v3.8 v3.9 v3.10 v3.11; do
	mkdir -p "$W/mA/alpine-secdb/$v" "$W/mB/alpine-secdb/$v"
	cp "$SH/vulndata/alpine-secdb/$v/main.json" "$W/mB/alpine-secdb/$v/"
	jq 'del(.packages[] | select(.pkg.name == "musl" or .pkg.name == "busybox"))' \
		"$SH/vulndata/alpine-secdb/$v/main.json" > "$W/mA/alpine-secdb/$v/main.json"
done
jq '.vulnerabilities = [.vulnerabilities[0] | .cveID = "CVE-2019-14697"] | .count = 1' \
	"$SH/vulndata/kev/known_exploited_vulnerabilities.json" > "$W/mB/kev/known_exploited_vulnerabilities.json"
"$L" db build --mirror "$W/mA" --db "$W/A.sqlite" > "$W/dbA.log" 2>&1 || { cat "$W/dbA.log"; exit 1; }
sleep 1 # the two builds get distinct build times (a build is named by its time)
"$L" db build --mirror "$W/mB" --db "$W/B.sqlite" > "$W/dbB.log" 2>&1 || { cat "$W/dbB.log"; exit 1; }

AL="$SH/images/alpine"
IMG_373="$AL/alpine-minirootfs-3.7.3-x86_64.tar.gz"
IMAGES=("$AL/alpine-minirootfs-3.6.5-x86_64.tar.gz" "$IMG_373" "$AL/alpine-minirootfs-3.8.5-x86_64.tar.gz"
	"$SH/images/docker-archive/alpine-3.9.6.tar" "$SH/images/oci/alpine-3.20.3"
	"$SH/images/docker-archive/alpine-3.20.3.tar" "$SH/images/docker-archive/alpine-3.20.3-twolayer.tar")
# 3.20.3 as an OCI layout and as a docker archive is one image (one config digest); the two-layer
# 3.20.3 is another image with the same packages and the same base layer
NIMG=6
NLAYERS=6

new_store() { # NAME -> a store URL of the current backend
	if [ "$BACKEND" = sqlite ]; then echo "sqlite:$W/$1.sqlite"; else pg_newdb "$1"; fi
}
inv() { "$L" inventory "$@"; }
count_images() { inv list images --store "$1" --format json | jq '.images | length'; }
consistent() { # STORE WHAT
	inv check --store "$1" --format json > "$W/check.json" || { cat "$W/check.json"; fail "$2: check"; return; }
	check '.ok' "$W/check.json" "$2: check says not ok"
}

suite_basic() {
	local st digest373 D396 want
	st=$(new_store basic)
	inv add --store "$st" --db "$W/A.sqlite" --jobs 2 "${IMAGES[@]}" > "$W/add1.out" || fail "add"
	[ "$(count_images "$st")" = $NIMG ] || fail "$NIMG images after add"
	# the same images again: known, not read again
	inv add --store "$st" --db "$W/A.sqlite" "${IMAGES[@]}" > "$W/add2.out" || fail "add again"
	[ "$(grep -c 'known, not read again' "$W/add2.out")" = 4 ] || fail "known images (config digests) not read again"
	[ "$(count_images "$st")" = $NIMG ] || fail "still $NIMG images"
	inv list images --store "$st" --format json > "$W/images.json"
	check "[.images[].digest] | unique | length == $NIMG" "$W/images.json" "distinct digests"
	check '.images[] | select(.refs | index("docker.io/library/alpine:3.20.3")) | .manifests | length == 1' \
		"$W/images.json" "3.20.3 recorded from OCI and docker-archive: one image with its tag and manifest"
	check '.images[] | select(.refs | index("docker.io/library/alpine:3.9.6")) | .os == "alpine" and .packages == 14' \
		"$W/images.json" "3.9.6 with its tag, OS and packages"
	check '[.images[] | select(.os_version == "3.20.3") | .layers] | sort == [1, 2]' "$W/images.json" "3.20.3 images"
	digest373=$(jq -r '.images[] | select(.os_version == "3.7.3") | .digest' "$W/images.json")
	D396=$(jq -r '.images[] | select(.os_version == "3.9.6") | .digest' "$W/images.json")
	# a known image and a new database build: matched from its stored package list, not read
	inv add --store "$st" --db "$W/B.sqlite" "${IMAGES[3]}" > "$W/add3.out" || fail "add with another build"
	grep -q 'known, not read again' "$W/add3.out" || fail "known image read again for a new build: $(cat "$W/add3.out")"
	inv list images --store "$st" --format json > "$W/images3.json"
	[ "$(jq -r ".images[] | select(.digest == \"$D396\") | .db_built_at" "$W/images3.json")" != \
		"$(jq -r ".images[] | select(.digest == \"$D396\") | .db_built_at" "$W/images.json")" ] \
		|| fail "the stored list matched with the new build"
	inv add --store "$st" --db "$W/A.sqlite" "${IMAGES[3]}" > /dev/null || fail "back to build A"
	inv list layers --store "$st" --format json > "$W/layers.json"
	check ".layers | length == $NLAYERS" "$W/layers.json" "$NLAYERS layers"
	check '[.layers[] | select(.images == 2)] | length == 1' "$W/layers.json" "the shared base layer"
	# queries
	inv query --store "$st" --image docker.io/library/alpine:3.9.6 --format json > "$W/q.json"
	check '.images | length == 1' "$W/q.json" "query --image by tag"
	inv query --store "$st" --image alpine:3.9.6 --format json > "$W/q.json"
	check '.images | length == 1' "$W/q.json" "query --image by short tag"
	inv query --store "$st" --image "$digest373" --format json > "$W/q.json"
	check '.images | length == 1' "$W/q.json" "query --image by digest"
	inv query --store "$st" --package musl@1.1.18-r3 --format json > "$W/q.json"
	check ".images | length == 1 and .[0].digest == \"$digest373\"" "$W/q.json" "query --package NAME@VERSION"
	inv query --store "$st" --package musl --type apk --format json > "$W/q.json"
	check ".images | length == $NIMG" "$W/q.json" "query --package NAME --type"
	inv query --store "$st" --cve CVE-2019-14697 --format json > "$W/q.json"
	check '.images | length == 0' "$W/q.json" "database A knows no musl advisory"
	# snapshots: aaa on 3.7.3 (by image ID), bbb on 3.9.6; then aaa vanishes
	cat > "$W/snap1.json" << EOF
{"containers":[
 {"id":"aaa111","name":"web","image_ref":"alpine:3.7","image_digest":"$digest373","state":"running","labels":{"app":"web"}},
 {"id":"bbb222","name":"db","namespace":"prod","pod":"db-0","node":"n1","owner":"StatefulSet/db","image_ref":"alpine:3.9.6","image_digest":"$D396","state":"exited"}
]}
EOF
	jq '.containers |= map(select(.id != "aaa111"))' "$W/snap1.json" > "$W/snap2.json"
	inv containers --store "$st" --from "$W/snap1.json" --source host1 > "$W/c1.out" || fail "snapshot 1"
	grep -q '2 containers, 2 new, 0 updated, 0 gone' "$W/c1.out" || fail "snapshot 1 counts: $(cat "$W/c1.out")"
	inv containers --store "$st" --from - --source host1 < "$W/snap2.json" > "$W/c2.out" || fail "snapshot 2"
	grep -q '1 containers, 0 new, 1 updated, 1 gone' "$W/c2.out" || fail "snapshot 2 counts: $(cat "$W/c2.out")"
	inv list containers --store "$st" --format json > "$W/cl.json"
	check '.containers | length == 2' "$W/cl.json" "2 containers kept"
	check '.containers[] | select(.id == "aaa111") | .state == "gone" and .labels.app == "web"' "$W/cl.json" "aaa111 gone"
	check '.containers[] | select(.id == "bbb222") | .state == "exited" and .namespace == "prod" and .image_digest != null' \
		"$W/cl.json" "bbb222 kept"
	# lading's own container list reads back
	inv containers --store "$st" --from "$W/cl.json" --source host2 > /dev/null || fail "list containers output read back"

	# rescan after the database changed: no image is read (the files are hidden meanwhile)
	inv rescan --store "$st" --db "$W/B.sqlite" --format json > "$W/r1.json" 2> "$W/r1.err" || { cat "$W/r1.err"; fail "rescan B"; }
	check ".new | map(select(.id == \"CVE-2019-14697\" and .digest == \"$digest373\" and .kev and .newly_kev)) | length == 1" \
		"$W/r1.json" "rescan: the musl CVE is new on 3.7.3, known exploited"
	check '.new[0].kev' "$W/r1.json" "rescan: newly known exploited first"
	check '.resolved | length == 0' "$W/r1.json" "rescan: nothing resolved"
	check '.containers | map(select(.id == "aaa111" and .state == "gone")) | length == 1' "$W/r1.json" \
		"rescan: the gone container on the image"
	# each distinct package version of an OS once: the two 3.20.3 images share theirs
	want=$(jq '[.images | unique_by(.os_version)[] | .packages] | add' "$W/images.json")
	check ".counts.packages_matched == $want" "$W/r1.json" "rescan: distinct packages matched once ($want)"
	inv rescan --store "$st" --db "$W/B.sqlite" --format json > "$W/r2.json" 2> /dev/null || fail "rescan B again"
	check '(.new | length) == 0 and (.resolved | length) == 0' "$W/r2.json" "rescan again: no change"
	inv query --store "$st" --cve CVE-2019-14697 --format json > "$W/q.json"
	check ".images | length == 1 and .[0].digest == \"$digest373\" and (.[0].findings | length) >= 1" "$W/q.json" \
		"query --cve after rescan"
	check '.containers | length == 1 and .[0].id == "aaa111" and .[0].state == "gone" and .[0].last_seen != null' \
		"$W/q.json" "query --cve: the containers that ran it"
	inv query --store "$st" --kev --format json > "$W/q.json"
	check '.images | length == 1' "$W/q.json" "query --kev"
	inv rescan --store "$st" --db "$W/A.sqlite" --format json > "$W/r3.json" 2> /dev/null || fail "rescan A"
	check ".resolved | map(select(.id == \"CVE-2019-14697\" and .digest == \"$digest373\")) | length == 1" "$W/r3.json" \
		"rescan back to A: resolved"
	inv rescan --store "$st" --db "$W/B.sqlite" > "$W/r4.txt" 2> /dev/null || fail "rescan table"
	grep -q 'CVE-2019-14697' "$W/r4.txt" || fail "rescan table names the CVE"
	# the fleet history: one overall summary per rescan (after the add's one of the day), new and
	# fixed findings as each rescan reported them, per "official" group too
	"$L" report fleet --store "$st" --history --format json -o "$W/hist.json" || fail "report fleet --history"
	n1=$(jq '.new | length' "$W/r1.json")
	n3=$(jq '.resolved | length' "$W/r3.json")
	check "[.history[] | select(.group == null)] | length >= 5" "$W/hist.json" "a summary per rescan and the add's"
	check "[.history[] | select(.group == null)][-4:] | map([.new_findings, .fixed_findings]) == [[$n1, 0], [0, 0], [0, $n3], [$n3, 0]]" \
		"$W/hist.json" "history: new and fixed findings of each rescan ($n1 new, $n3 fixed)"
	check "$n1 > 0 and $n3 > 0" "$W/hist.json" "the rescans changed something"
	check "[.history[] | select(.group != null and .new_findings > 0)] | length >= 2" "$W/hist.json" \
		"history: the groups' rows carry the new findings too"
	check "[.history[] | select(.group == null)][-1].images == (.overall.images)" "$W/hist.json" \
		"history: the last summary counts the fleet's images"
	consistent "$st" basic

	# malformed snapshots: a clear error with the byte offset, the store untouched
	inv check --store "$st" --format json | jq -c .counts > "$W/counts.before"
	printf '{"containers":[{"id":"x","state":"running"}' > "$W/bad.json"
	if inv containers --store "$st" --from "$W/bad.json" 2> "$W/bad.err"; then fail "truncated snapshot accepted"; fi
	grep -q 'bad.json.*byte' "$W/bad.err" || fail "error names the file and byte: $(cat "$W/bad.err")"
	printf '{"containers":[{"id":"x","state":"running"},{"id":"x","state":"exited"}]}' > "$W/dup.json"
	if inv containers --store "$st" --from "$W/dup.json" 2> "$W/dup.err"; then fail "duplicate ids accepted"; fi
	inv check --store "$st" --format json | jq -c .counts > "$W/counts.after"
	cmp -s "$W/counts.before" "$W/counts.after" || fail "a refused snapshot changed the store"
	# prune: nothing before 2000, everything before 2999
	inv prune --store "$st" --before 2000-01-01 > /dev/null || fail "prune 2000"
	[ "$(count_images "$st")" = $NIMG ] || fail "prune 2000 kept everything"
	inv prune --store "$st" --before 2999-01-01 > "$W/prune.out" || fail "prune 2999"
	[ "$(count_images "$st")" = 0 ] || fail "prune 2999 removed every image: $(cat "$W/prune.out")"
	consistent "$st" "after prune"
}

suite_concurrent() {
	local st a b
	st=$(new_store concurrent)
	inv add --store "$st" --db "$W/B.sqlite" "${IMAGES[@]}" > "$W/ca.out" 2>&1 &
	a=$!
	inv add --store "$st" --db "$W/B.sqlite" --jobs 2 "${IMAGES[@]}" > "$W/cb.out" 2>&1 &
	b=$!
	wait "$a" || { cat "$W/ca.out"; fail "concurrent add 1"; }
	wait "$b" || { cat "$W/cb.out"; fail "concurrent add 2"; }
	[ "$(count_images "$st")" = $NIMG ] || fail "concurrent adds: each image once"
	inv list layers --store "$st" --format json | jq -e ".layers | length == $NLAYERS" > /dev/null || fail "layers once"
	consistent "$st" concurrent
}

suite_sigkill() {
	local st pid i
	st=$(new_store sigkill)
	for i in 1 2 3 4; do
		inv add --store "$st" --db "$W/B.sqlite" --no-cache "${IMAGES[@]}" > /dev/null 2>&1 &
		pid=$!
		sleep "0.0$((i * 2))"
		kill -9 "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
		consistent "$st" "after SIGKILL $i"
	done
	inv add --store "$st" --db "$W/B.sqlite" "${IMAGES[@]}" > "$W/k.out" || fail "add after SIGKILL"
	[ "$(count_images "$st")" = $NIMG ] || fail "after SIGKILL and re-run: $NIMG images"
	inv list images --store "$st" --format json | jq -e '[.images[].layers] | add == 7' > /dev/null || fail "layer rows once"
	consistent "$st" "after re-run"
}

suite_future() {
	local st before after
	st=$(new_store future)
	inv add --store "$st" --no-match "${IMAGES[0]}" > /dev/null || fail "add (future)"
	if [ "$BACKEND" = sqlite ]; then
		sqlite3 "${st#sqlite:}" "PRAGMA journal_mode=DELETE; INSERT INTO schema_migration VALUES(99, 'x', 'y');" > /dev/null
		before=$(sha256sum "${st#sqlite:}")
	else
		pg_psql future -qc "INSERT INTO schema_migration VALUES(99, 'x', 'y')"
		before=$(pg_psql future -tAc "SELECT (SELECT count(*) FROM image), (SELECT count(*) FROM schema_migration)")
	fi
	if inv list images --store "$st" > /dev/null 2> "$W/future.err"; then fail "a newer store opened"; fi
	grep -q 'newer lading' "$W/future.err" || fail "newer-schema message: $(cat "$W/future.err")"
	if inv add --store "$st" --no-match "${IMAGES[1]}" > /dev/null 2>&1; then fail "a newer store written"; fi
	if [ "$BACKEND" = sqlite ]; then
		after=$(sha256sum "${st#sqlite:}")
	else
		after=$(pg_psql future -tAc "SELECT (SELECT count(*) FROM image), (SELECT count(*) FROM schema_migration)")
	fi
	[ "$before" = "$after" ] || fail "the newer store was modified"
}

BACKEND=sqlite
suite_basic
suite_concurrent
suite_sigkill
suite_future
echo "sqlite: $FAILS failures"

BACKEND=postgres
pg_start || { rc=$?; [ "$FAILS" = 0 ] && exit "$rc"; exit 1; }
suite_basic
suite_concurrent
suite_sigkill
suite_future
echo "total: $FAILS failures"
[ "$FAILS" = 0 ]

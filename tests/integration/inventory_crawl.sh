#!/usr/bin/env bash
# lading inventory crawl against a local Debian docker-registry: the catalog and the tags lists
# page by page (a page size of 2 makes every listing several pages), --repos and --tags
# selection, every image recorded once, a re-run fetching no layer and no config again, a crawl
# killed with SIGKILL then re-run (nothing duplicated, nothing missing, `inventory check` passes).
set -euo pipefail
W="$LADING_WORK/inventory_crawl"
rm -rf "$W"
mkdir -p "$W"
source "$LADING_SRC/tests/registry/lib.sh"
reg_require docker-registry skopeo curl jq
export LADING_NO_PROGRESS=1 XDG_CACHE_HOME="$W/cache"
L="$LADING_BIN"
SH="$LADING_SHARED"
FAILS=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

reg_start reg config.yml
R="127.0.0.1:$REG_PORT"
# 4 repositories, 7 tags, 4 distinct images (the same image under several names)
reg_push "oci:$SH/images/oci/alpine-3.9.6:3.9.6" "$R/library/alpine:3.9.6"
reg_push "oci:$SH/images/oci/alpine-3.12.12:3.12.12" "$R/library/alpine:3.12.12"
reg_push "oci:$SH/images/oci/alpine-3.20.3:3.20.3" "$R/library/alpine:3.20.3"
reg_push "oci:$SH/images/oci/alpine-3.20.3:3.20.3" "$R/library/alpine:latest"
reg_push "oci:$SH/images/oci/alpine-3.20.3-twolayer:3.20.3-twolayer" "$R/team/app:latest"
reg_push "oci:$SH/images/oci/alpine-3.12.12:3.12.12" "$R/team/tool:v1"
reg_push "oci:$SH/images/oci/alpine-3.9.6:3.9.6" "$R/zz/old:latest"
S="$W/store.sqlite"
inv() { "$L" inventory "$@"; }

# --tags latest (default): library/alpine:latest, team/app:latest, zz/old:latest
inv crawl "$R" --store "$S" --no-match --page-size 2 > "$W/c1.out" 2> "$W/c1.err" || { cat "$W/c1.err"; fail "crawl latest"; }
grep -q "3 images selected" "$W/c1.err" || fail "latest: $(cat "$W/c1.err")"
inv list images --store "$S" --format json > "$W/i1.json"
jq -e '.images | length == 3' "$W/i1.json" > /dev/null || fail "3 images"
jq -e ".images[] | select(.refs | index(\"$R/zz/old:latest\"))" "$W/i1.json" > /dev/null || fail "the last page's repository"
# --repos and --tags all: the library repository's 4 tags, 3 images (3.20.3 under two tags)
inv crawl "$R" --store "$S" --no-match --page-size 2 --repos 'library/*' --tags all > /dev/null 2> "$W/c2.err" \
	|| { cat "$W/c2.err"; fail "crawl all"; }
grep -q "4 images selected" "$W/c2.err" || fail "library/* all: $(cat "$W/c2.err")"
inv list images --store "$S" --format json > "$W/i2.json"
jq -e '.images | length == 4' "$W/i2.json" > /dev/null || fail "4 images after library/*"
jq -e ".images[] | select(.refs | index(\"$R/library/alpine:latest\")) | .refs | index(\"$R/library/alpine:3.20.3\")" \
	"$W/i2.json" > /dev/null || fail "one image, two tags"
# --tags 1: the last tag of each repository
inv crawl "$R" --store "$S" --no-match --tags 1 > /dev/null 2> "$W/c3.err" || fail "crawl 1"
grep -q "4 images selected" "$W/c3.err" || fail "--tags 1: $(cat "$W/c3.err")"
# a re-run of everything reads no layer and no config again
n0=$(reg_blob_gets "$W/reg.log")
inv crawl "$R" --store "$S" --no-match --tags all --jobs 2 > "$W/c4.out" 2>&1 || fail "crawl again"
[ "$(reg_blob_gets "$W/reg.log")" = "$n0" ] || fail "a re-run fetched blobs"
[ "$(grep -c 'known, not read again' "$W/c4.out")" = 7 ] || fail "every known image skipped: $(cat "$W/c4.out")"
inv check --store "$S" > /dev/null || fail "check"

# SIGKILL in the middle of a crawl, then a re-run
S2="$W/killed.sqlite"
for d in 0.05 0.2 0.4; do
	inv crawl "$R" --store "$S2" --no-match --tags all --no-cache > /dev/null 2>&1 &
	p=$!
	sleep "$d"
	kill -9 "$p" 2> /dev/null || true
	wait "$p" 2> /dev/null || true
	inv check --store "$S2" > /dev/null || fail "check after SIGKILL at $d s"
done
inv crawl "$R" --store "$S2" --no-match --tags all > /dev/null 2>&1 || fail "crawl after SIGKILL"
inv list images --store "$S2" --format json | jq -e '.images | length == 4' > /dev/null || fail "4 images after the re-run"
inv list layers --store "$S2" --format json | jq -e '.layers | length == 4' > /dev/null || fail "4 layers after the re-run"
inv check --store "$S2" > /dev/null || fail "check after the re-run"

# bad input: not a host
if inv crawl "http://$R/x" --store "$S" 2> "$W/bad.err"; then fail "a URL accepted as REGISTRY"; fi
grep -q "HOST\[:PORT\]" "$W/bad.err" || fail "bad REGISTRY message: $(cat "$W/bad.err")"
echo "$FAILS failures"
[ "$FAILS" = 0 ]

#!/usr/bin/env bash
# inventory crawl beyond n/last: a multi-platform OCI index in a local Debian docker-registry (two
# real images, amd64 and an arm64/v8 one whose config says so) recorded as one image per platform,
# --platform filters, a re-run that asks the registry for no manifest by digest and no blob;
# Link headers (absolute, relative, several link-values, a foreign host, a loop) from
# tests/registry/linkserver.py in front of the registry; and a docker-registry with Bearer token
# authentication, whose catalog needs a registry:catalog:* token (tests/registry/tokenserver.py).
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}"
W="$LADING_WORK/inventory_crawl_index"
rm -rf "$W"
mkdir -p "$W"
source "$LADING_SRC/tests/registry/lib.sh"
reg_require docker-registry skopeo curl jq python3 openssl
export LADING_NO_PROGRESS=1 XDG_CACHE_HOME="$W/cache"
unset LADING_REGISTRY_USERNAME LADING_REGISTRY_PASSWORD LADING_REGISTRY_HOST
export DOCKER_CONFIG="$W/no-docker-config"
L="$LADING_BIN"
SH="$LADING_SHARED/images/oci"
FAILS=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
inv() { "$L" inventory "$@"; }

# --- a multi-platform index -----------------------------------------------------------------------
reg_start reg config.yml
R="127.0.0.1:$REG_PORT"
# an arm64/v8 image: the real 3.12.12 layer, its config saying arm64 (copied, never linked)
python3 - "$SH/alpine-3.12.12" "$W/arm64" << 'EOF'
import hashlib, json, os, shutil, sys
src, dst = sys.argv[1:3]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def put(obj):
    b = json.dumps(obj, separators=(",", ":")).encode()
    h = hashlib.sha256(b).hexdigest()
    open(os.path.join(blobs, h), "wb").write(b)
    return "sha256:" + h, len(b)
idx = json.load(open(os.path.join(dst, "index.json")))
md = idx["manifests"][0]
man = json.load(open(os.path.join(blobs, md["digest"][7:])))
cfg = json.load(open(os.path.join(blobs, man["config"]["digest"][7:])))
cfg["architecture"], cfg["variant"] = "arm64", "v8"
man["config"]["digest"], man["config"]["size"] = put(cfg)
md["digest"], md["size"] = put(man)
md.pop("platform", None)
json.dump(idx, open(os.path.join(dst, "index.json"), "w"))
EOF
reg_push "oci:$SH/alpine-3.20.3:3.20.3" "$R/multi/alpine:amd64"
reg_push "oci:$W/arm64:3.12.12" "$R/multi/alpine:arm64"
# the index: both images, and a buildx attestation entry (not an image)
python3 - "$R" > "$W/index.json" << 'EOF'
import hashlib, json, sys, urllib.request
r = sys.argv[1]
acc = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
def desc(tag, plat):
    resp = urllib.request.urlopen(urllib.request.Request("http://%s/v2/multi/alpine/manifests/%s" % (r, tag),
                                                         headers={"Accept": acc}))
    b = resp.read()
    return {"mediaType": resp.headers["Content-Type"], "digest": "sha256:" + hashlib.sha256(b).hexdigest(),
            "size": len(b), "platform": plat}
a = desc("amd64", {"os": "linux", "architecture": "amd64"})
b = desc("arm64", {"os": "linux", "architecture": "arm64"})  # no variant: arm64's default, v8
att = dict(a, platform={"os": "unknown", "architecture": "unknown"},
           annotations={"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": a["digest"]})
print(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [a, b, att]}))
EOF
curl -sf -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" --data-binary "@$W/index.json" \
	"http://$R/v2/multi/alpine/manifests/latest" > /dev/null || fail "PUT of the index"
AMD=$(jq -r '.manifests[0].digest' "$W/index.json")
ARM=$(jq -r '.manifests[1].digest' "$W/index.json")
S="$W/store.sqlite"

inv crawl "$R" --store "$S" --no-match > "$W/m1.out" 2> "$W/m1.err" || { cat "$W/m1.err"; fail "crawl of the index"; }
grep -q "2 images selected" "$W/m1.err" || fail "one image per platform, none for the attestation: $(cat "$W/m1.err")"
inv list images --store "$S" --format json > "$W/m1.json"
jq -e --arg d "$ARM" --arg t "$R/multi/alpine:latest" \
	'.images[] | select(.manifests | index($d)) | select(.architecture == "arm64" and .variant == "v8" and .platform_os == "linux") | .refs | index($t)' \
	"$W/m1.json" > /dev/null || fail "the arm64/v8 image, by its manifest digest, tagged latest: $(cat "$W/m1.json")"
jq -e --arg d "$AMD" --arg t "$R/multi/alpine:latest" \
	'.images[] | select(.manifests | index($d)) | select(.architecture == "amd64") | .refs | index($t)' \
	"$W/m1.json" > /dev/null || fail "the amd64 image, by its manifest digest, tagged latest"
jq -e '.images | length == 2' "$W/m1.json" > /dev/null || fail "2 images"
# --platform: index entries by their platform, single images by their config
inv crawl "$R" --store "$W/p1.sqlite" --no-match --platform linux/arm64 > /dev/null 2> "$W/p1.err" || fail "crawl --platform"
grep -q "1 images selected" "$W/p1.err" || fail "--platform linux/arm64: $(cat "$W/p1.err")"
inv list images --store "$W/p1.sqlite" --format json | jq -e --arg d "$ARM" '.images | length == 1 and (.[0].manifests | index($d))' \
	> /dev/null || fail "--platform linux/arm64 recorded the arm64 image"
inv crawl "$R" --store "$W/p2.sqlite" --no-match --tags all --platform linux/arm64/v8 --platform linux/amd64 > /dev/null \
	2> "$W/p2.err" || fail "crawl two --platform"
grep -q "4 images selected" "$W/p2.err" || fail "two platforms, all tags: $(cat "$W/p2.err")"
inv crawl "$R" --store "$W/p3.sqlite" --no-match --tags all --platform linux/arm64/v7 --platform linux/s390x > /dev/null \
	2> "$W/p3.err" || fail "crawl other platforms"
grep -q "0 images selected" "$W/p3.err" || fail "no image of these platforms: $(cat "$W/p3.err")"
if inv crawl "$R" --store "$W/p4.sqlite" --platform linux > /dev/null 2> "$W/p4.err"; then fail "--platform linux accepted"; fi
grep -q "OS/ARCH" "$W/p4.err" || fail "bad --platform message: $(cat "$W/p4.err")"
# a re-run, without caches: the stored digests are not fetched (no manifest by digest, no blob)
grep -c "GET /v2/multi/alpine/manifests/sha256\|GET /v2/[^ ]*/blobs/" "$W/reg.log" > "$W/n0" || true
inv crawl "$R" --store "$S" --no-match --no-cache > "$W/m2.out" 2> "$W/m2.err" || fail "crawl again"
[ "$(grep -c 'known, not read again' "$W/m2.out")" = 2 ] || fail "known images: $(cat "$W/m2.out" "$W/m2.err")"
[ "$(grep -c "GET /v2/multi/alpine/manifests/sha256\|GET /v2/[^ ]*/blobs/" "$W/reg.log" || true)" = "$(cat "$W/n0")" ] ||
	fail "a re-run fetched manifests by digest or blobs"
inv check --store "$S" > /dev/null || fail "check"
# the same on PostgreSQL (the store's lookup by manifest digest is a statement of each backend)
source "$LADING_SRC/tests/integration/pg_lib.bash"
if PG_NO_TRAP=1 pg_start; then
	trap 'reg_cleanup; pg_stop' EXIT
	PGS=$(pg_newdb crawlindex)
	inv crawl "$R" --store "$PGS" --no-match > /dev/null 2>&1 || fail "crawl into PostgreSQL"
	inv crawl "$R" --store "$PGS" --no-match > "$W/pg2.out" 2>&1 || fail "crawl into PostgreSQL again"
	[ "$(grep -c 'known, not read again' "$W/pg2.out")" = 2 ] || fail "PostgreSQL: known images: $(cat "$W/pg2.out")"
	inv list images --store "$PGS" --format json | jq -e '.images | length == 2' > /dev/null || fail "PostgreSQL: 2 images"
	inv check --store "$PGS" > /dev/null || fail "PostgreSQL: check"
	pg_stop
else
	echo "note: PostgreSQL not installed: the crawl was checked on SQLite only"
fi

# --- Link headers ---------------------------------------------------------------------------------
for t in a:1 b:1 b:2 b:3 c:x d:1; do
	reg_push "oci:$SH/alpine-3.9.6:3.9.6" "$R/lnk/${t%%:*}:${t#*:}"
done
cat > "$W/catalog.json" << 'EOF'
{"repositories": {"lnk/a": ["1"], "lnk/b": ["1", "2", "3"], "lnk/c": ["x"], "lnk/d": ["1"], "multi/alpine": ["amd64", "arm64", "latest"]}}
EOF
link_start() { # MODE: sets LINK
	local m=$1
	rm -f "$W/link-$m.port"
	python3 "$LADING_SRC/tests/registry/linkserver.py" "$W/link-$m.port" "$REG_PORT" "$W/catalog.json" "$m" \
		"$W/link-$m.jsonl" 2> "$W/link-$m.stderr" &
	REG_PIDS+=("$!")
	reg_wait_file "$W/link-$m.port" || { cat "$W/link-$m.stderr"; exit 1; }
	LINK="127.0.0.1:$(cat "$W/link-$m.port")"
}
for m in absolute relative; do
	link_start "$m"
	inv crawl "$LINK" --store "$W/link-$m.sqlite" --no-match --tags all > /dev/null 2> "$W/link-$m.err" ||
		{ cat "$W/link-$m.err"; fail "crawl with $m links"; }
	# 5 repositories on 3 pages; lnk/b's 3 tags on 2 pages; multi/alpine: 1 + 1 + 2 platforms
	grep -q "10 images selected" "$W/link-$m.err" || fail "$m links: $(cat "$W/link-$m.err")"
	[ "$(grep -c '/v2/_catalog' "$W/link-$m.jsonl")" = 3 ] || fail "$m: 3 catalog pages: $(grep _catalog "$W/link-$m.jsonl")"
	grep -q '"path": "/v2/_catalog?n=2&last=lnk/d"' "$W/link-$m.jsonl" || fail "$m: the Link was followed as sent"
	grep -q '"path": "/v2/lnk/b/tags/list?n=2&last=2"' "$W/link-$m.jsonl" || fail "$m: the tags list's second page"
	inv list images --store "$W/link-$m.sqlite" --format json |
		jq -e '[.images[].refs[]] | map(select(test("/lnk/b:"))) | length == 3' > /dev/null || fail "$m: lnk/b's 3 tags"
done
link_start foreign
if inv crawl "$LINK" --store "$W/foreign.sqlite" --no-match > /dev/null 2> "$W/foreign.err"; then
	fail "a Link to another host was followed"
fi
grep -q "leaves the registry" "$W/foreign.err" || fail "foreign link message: $(cat "$W/foreign.err")"
grep -q "elsewhere" "$W/link-foreign.jsonl" && fail "a request for the foreign page reached the server"
link_start loop
inv crawl "$LINK" --store "$W/loop.sqlite" --no-match > /dev/null 2> "$W/loop.err" || fail "crawl with a looping Link"
grep -q "goes nowhere new" "$W/loop.err" || fail "loop warning: $(cat "$W/loop.err")"
[ "$(grep -c '/v2/_catalog' "$W/link-loop.jsonl")" = 1 ] || fail "a looping Link asked again"

# a tag whose manifest cannot be used (Docker schema 1) is a warning; the rest is crawled
reg_push "oci:$SH/alpine-3.9.6:3.9.6" "$R/old/s1:v1" "" --format v2s1
reg_push "oci:$SH/alpine-3.9.6:3.9.6" "$R/old/s2:v1"
inv crawl "$R" --store "$W/old.sqlite" --no-match --repos 'old/*' --tags all > /dev/null 2> "$W/old.err" ||
	fail "crawl with a schema 1 tag: $(cat "$W/old.err")"
grep -q "1 images selected" "$W/old.err" && grep -q "old/s1.*schema 1" "$W/old.err" ||
	fail "schema 1 tag: a warning and the other image: $(cat "$W/old.err")"

# --- progress on a terminal (script(1) gives one): the listing (repositories i/n), then the images
if command -v script > /dev/null; then
	tty_crawl() { # OUT ARGS...
		local out=$1
		shift
		env -u LADING_NO_PROGRESS script -qec "$(printf '%q ' "$L" inventory crawl "$R" --no-match --tags all "$@")" \
			/dev/null > "$out" < /dev/null
	}
	tty_crawl "$W/tty.out" --store "$W/tty.sqlite" || fail "crawl on a terminal"
	grep -qaE $'\r''crawl: listing repositories [0-9]+/[0-9]+' "$W/tty.out" || fail "no listing progress on a terminal"
	grep -qaE $'\r''images [0-9]+/[0-9]+' "$W/tty.out" || fail "no images progress on a terminal"
	tty_crawl "$W/ttyq.out" --store "$W/ttyq.sqlite" --quiet || fail "crawl --quiet on a terminal"
	grep -qa 'crawl: listing' "$W/ttyq.out" && fail "--quiet: progress drawn"
else
	echo "note: no script(1): progress on a terminal not checked"
fi

# --- Bearer tokens for the catalog ----------------------------------------------------------------
SECRET="Crawl-$RANDOM-$$"
printf 'carol:%s\n' "$SECRET" > "$W/users"
reg_token_start token "$W/users"
reg_start bearer config-token.yml REGISTRY_AUTH_TOKEN_REALM="http://127.0.0.1:$TOKEN_PORT/token" \
	REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE="$TOKEN_CERT"
B="127.0.0.1:$REG_PORT"
reg_push "oci:$SH/alpine-3.9.6:3.9.6" "$B/team/a:latest" "carol:$SECRET"
reg_push "oci:$SH/alpine-3.12.12:3.12.12" "$B/team/b:latest" "carol:$SECRET"
if inv crawl "$B" --store "$W/bearer.sqlite" --no-match > /dev/null 2> "$W/anon.err"; then fail "anonymous catalog listed"; fi
grep -q "requires authentication for its catalog" "$W/anon.err" || fail "anonymous: $(cat "$W/anon.err")"
: > "$W/token/requests.jsonl"
printf '%s\n' "$SECRET" | inv crawl "$B" --store "$W/bearer.sqlite" --no-match --page-size 1 --username carol \
	--password-stdin > "$W/bearer.out" 2> "$W/bearer.err" || { cat "$W/bearer.err"; fail "crawl with a token"; }
grep -q "2 images selected" "$W/bearer.err" || fail "bearer: $(cat "$W/bearer.err")"
grep -q '"user": "carol", "valid": true, "scope": \["registry:catalog:\*"\]' "$W/token/requests.jsonl" ||
	fail "no registry:catalog:* token asked for: $(cat "$W/token/requests.jsonl")"
grep -q '"user": "carol", "valid": true, "scope": \["repository:team/b:pull"\]' "$W/token/requests.jsonl" ||
	fail "no pull token for team/b"
inv list images --store "$W/bearer.sqlite" --format json | jq -e '.images | length == 2' > /dev/null || fail "2 images recorded"
# the secret is never printed
grep -q "$SECRET" "$W/bearer.out" "$W/bearer.err" "$W/anon.err" && fail "the password was printed"

echo "$FAILS failures"
[ "$FAILS" = 0 ]

#!/usr/bin/env bash
# lading sbom REGISTRY/REPO[:TAG|@DIGEST] against a local docker-registry holding real images
# pushed with skopeo (the Alpine images of ../shared, the Debian images of tests/setup when they
# can be built, a multi-arch index): the result equals the one of the archive file apart from
# "source", by tag and by digest; the index gives the --platform asked; a second scan is served
# from the caches (no blob request reaches the registry) and is byte-identical; images sharing a
# base download it once; a tampered blob is rejected naming its digest and never cached; a
# schema 1 manifest is refused as unsupported.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}" "${LADING_BUILD:?}"
W="$LADING_WORK/registry_basic"
rm -rf "$W"; mkdir -p "$W"
. "$LADING_SRC/tests/registry/lib.sh"
reg_require docker-registry skopeo jq python3 curl
fail=0
bad() { echo "FAIL: $*"; fail=1; }
S="$LADING_SHARED/images"
export XDG_CACHE_HOME="$W/cache" # never the user's cache
L() { "$LADING_BIN" "$@"; }

reg_start reg config.yml
R="127.0.0.1:$REG_PORT"
LOG="$W/reg.log"
echo "registry on $R"

# --- the Alpine images: OCI layouts pushed as they are, one docker-archive converted by skopeo
for d in "$S"/oci/*; do
  b=$(basename "$d"); tag=${b#alpine-}
  reg_push "oci:$d:$tag" "$R/alpine:$tag"
done
reg_push "docker-archive:$S/docker-archive/alpine-3.12.12.tar" "$R/from-archive:3.12.12"

check_equal() { # registry-ref archive-ref what
  local out="$W/$(echo "$3" | tr -c 'a-zA-Z0-9.\n-' _)"
  if ! L sbom --format json "$1" -o "$out.reg.json" 2> "$out.err"; then
    bad "$3: sbom of $1 failed: $(cat "$out.err")"; return; fi
  L sbom --format json --no-cache "$2" -o "$out.arc.json"
  reg_norm "$out.reg.json" > "$out.reg"; reg_norm "$out.arc.json" > "$out.arc"
  cmp -s "$out.reg" "$out.arc" || { bad "$3: registry and archive differ"; diff "$out.reg" "$out.arc" | head; }
  [ "$(jq -r .source.type "$out.reg.json")" = registry ] || bad "$3: source type"
  [ "$(jq '.packages | length' "$out.reg.json")" -gt 5 ] || bad "$3: no packages"
}

for d in "$S"/oci/*; do
  b=$(basename "$d"); tag=${b#alpine-}
  # by tag, from the network (no cache), and against the docker-archive file
  L sbom --format json --no-cache "$R/alpine:$tag" -o "$W/$b.reg.json" || { bad "$b: sbom failed"; continue; }
  L sbom --format json --no-cache "docker-archive:$S/docker-archive/$b.tar" -o "$W/$b.arc.json"
  cmp -s <(reg_norm "$W/$b.reg.json") <(reg_norm "$W/$b.arc.json") || bad "$b: registry (tag) and archive differ"
  dig=$(curl -s -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/alpine/manifests/$tag" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}')
  [ "$(jq -r .source.manifest_digest "$W/$b.reg.json")" = "$dig" ] || bad "$b: manifest digest is not the registry's $dig"
  [ "$(jq -r .source.manifest_digest "$W/$b.reg.json")" = "$(jq -r '.manifests[0].digest' "$d/index.json")" ] ||
    bad "$b: manifest digest differs from the OCI layout's"
  # by digest, and with the explicit prefixes
  check_equal "$R/alpine@$dig" "docker-archive:$S/docker-archive/$b.tar" "$b by digest"
  check_equal "docker://$R/alpine:$tag" "docker-archive:$S/docker-archive/$b.tar" "$b docker://"
done
check_equal "registry:$R/from-archive:3.12.12" "docker-archive:$S/docker-archive/alpine-3.12.12.tar" \
  "docker schema 2 made by skopeo from a docker-archive"
[ "$(jq -r '.source.layers[0].compression' "$W/docker_schema_2_made_by_skopeo_from_a_docker-archive.reg.json")" = gzip ] ||
  bad "skopeo compresses layers on push: compression should be gzip"
echo "alpine: $(ls -d "$S"/oci/* | wc -l) images by tag and digest"

# --- a multi-arch index: linux/amd64 (the 3.20.3 image) and a linux/arm64 twin ------------------
python3 - "$S/oci/alpine-3.20.3" "$W/multi" <<'EOF'
import hashlib, json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def put(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    d = hashlib.sha256(raw).hexdigest()
    open(os.path.join(blobs, d), "wb").write(raw)
    return {"digest": "sha256:" + d, "size": len(raw)}
def get(desc):
    return json.load(open(os.path.join(blobs, desc["digest"][7:])))
amd = json.load(open(os.path.join(dst, "index.json")))["manifests"][0]
man = get(amd)
cfg = get(man["config"])
cfg["architecture"] = "arm64"
cfg["variant"] = "v8"
arm_man = dict(man, config=dict(man["config"], **put(cfg)))
arm = dict(mediaType=man.get("mediaType", "application/vnd.oci.image.manifest.v1+json"), **put(arm_man))
arm["platform"] = {"os": "linux", "architecture": "arm64", "variant": "v8"}
amd_desc = {k: v for k, v in amd.items() if k != "annotations"}
amd_desc["platform"] = {"os": "linux", "architecture": "amd64"}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [arm, amd_desc]}
idx = dict(mediaType="application/vnd.oci.image.index.v1+json", **put(index))
idx["annotations"] = {"org.opencontainers.image.ref.name": "multi"}
json.dump({"schemaVersion": 2, "manifests": [idx]}, open(os.path.join(dst, "index.json"), "w"))
EOF
reg_push "oci:$W/multi:multi" "$R/multi:latest" "" --all
check_equal "$R/multi:latest" "docker-archive:$S/docker-archive/alpine-3.20.3.tar" "index, default platform"
L sbom --format json --platform linux/arm64 "$R/multi:latest" -o "$W/arm.json" || bad "--platform linux/arm64 failed"
[ "$(jq -r .image.platform "$W/arm.json")" = linux/arm64/v8 ] || bad "arm64 image not chosen ($(jq -r .image.platform "$W/arm.json"))"
if L sbom --platform linux/s390x "$R/multi:latest" > /dev/null 2> "$W/s390x.err"; then bad "s390x should not exist"; fi
grep -q "platform linux/s390x" "$W/s390x.err" || bad "missing platform: unclear error: $(cat "$W/s390x.err")"

# --- caches: a second scan makes no blob request and gives the same bytes ---------------------
export XDG_CACHE_HOME="$W/cache2"
n0=$(reg_blob_gets "$LOG")
L sbom --format json "$R/alpine:3.20.3" -o "$W/c1.json"
n1=$(reg_blob_gets "$LOG")
L sbom --format json "$R/alpine:3.20.3" -o "$W/c2.json"
n2=$(reg_blob_gets "$LOG")
[ $((n1 - n0)) -eq 2 ] || bad "first scan should fetch config + 1 layer, fetched $((n1 - n0)) blobs"
[ "$n2" -eq "$n1" ] || bad "second scan reached the registry for $((n2 - n1)) blobs"
cmp -s "$W/c1.json" "$W/c2.json" || bad "second (cached) scan differs from the first"
[ -n "$(ls "$XDG_CACHE_HOME/lading/layers")" ] && [ -n "$(ls "$XDG_CACHE_HOME/lading/blobs/sha256")" ] ||
  bad "caches were not filled"
# a shared base: the two-layer image downloads only its own second layer
l1=$(jq -r '.source.layers[0].blob_digest' "$W/c1.json")
L sbom --format json "$R/alpine:3.20.3-twolayer" -o "$W/c3.json"
n3=$(reg_blob_gets "$LOG")
[ $((n3 - n2)) -eq 2 ] || bad "two-layer image after the base: should fetch config + layer 2, fetched $((n3 - n2))"
cmp -s <(reg_norm "$W/c3.json") <(reg_norm "$W/alpine-3.20.3-twolayer.arc.json") || bad "two-layer image from caches differs"
# --no-cache goes to the registry again and writes nothing
before=$(find "$W/cache2" -type f | wc -l)
L sbom --format json --no-cache "$R/alpine:3.20.3" -o "$W/c4.json"
[ "$(reg_blob_gets "$LOG")" -gt "$n3" ] || bad "--no-cache did not download"
[ "$(find "$W/cache2" -type f | wc -l)" -eq "$before" ] || bad "--no-cache wrote to the cache"
cmp -s "$W/c1.json" "$W/c4.json" || bad "--no-cache result differs"

# --- errors --------------------------------------------------------------------------------------
if L sbom "$R/alpine:nope" > /dev/null 2> "$W/nope.err"; then bad "unknown tag accepted"; fi
grep -q "not found" "$W/nope.err" || bad "unknown tag: unclear error: $(cat "$W/nope.err")"
reg_push "oci:$S/oci/alpine-3.9.6:3.9.6" "$R/old:v2s1" "" --format v2s1
set +e; L sbom "$R/old:v2s1" > /dev/null 2> "$W/v1.err"; rc=$?; set -e
[ $rc -eq 3 ] && grep -q "schema 1" "$W/v1.err" && grep -q unsupported "$W/v1.err" ||
  bad "schema 1: expected an 'unsupported' error (rc $rc): $(cat "$W/v1.err")"
if L sbom "localhost:1/nothing:here" > /dev/null 2> "$W/down.err"; then bad "a closed port worked"; fi
grep -q "cannot reach localhost:1" "$W/down.err" || bad "unreachable registry: unclear error: $(cat "$W/down.err")"

# --- the Debian images (built by tests/setup/debian-images.sh; root and a Debian mirror) -------
T=${LADING_TESTIMAGES:-$LADING_BUILD/testimages}
if [ -f "$T/debian-multi.stamp" ] || { [ "$(id -u)" -eq 0 ] && bash "$LADING_SRC/tests/setup/debian-images.sh" "$T"; }; then
  export XDG_CACHE_HOME="$W/cache3"
  for img in debian-minbase debian-multi; do
    reg_push "oci:$T/$img:latest" "$R/$img:latest"
    check_equal "$R/$img:latest" "docker-archive:$T/$img.tar" "$img"
  done
  # the shared first layer was downloaded once (minbase first, then multi)
  base=$(jq -r '.source.layers[0].blob_digest' "$W/debian-multi.reg.json")
  [ "$(jq -r '.source.layers[0].blob_digest' "$W/debian-minbase.reg.json")" = "$base" ] || bad "debian images do not share layer 1"
  [ "$(reg_blob_gets "$LOG" "$base")" -eq 1 ] || bad "shared Debian base downloaded $(reg_blob_gets "$LOG" "$base") times"
  echo "debian: minbase and multi equal their archives; shared base downloaded once"
else
  echo "debian images not available (need root to build them): skipped that part"
fi

# --- a tampered blob (edited in the registry's storage): last, it spoils every repository ------
export XDG_CACHE_HOME="$W/cache4"
tl=$(jq -r '.source.layers[0].blob_digest' "$W/alpine-3.12.12.reg.json")
data="$W/reg/docker/registry/v2/blobs/sha256/${tl:7:2}/${tl:7}/data"
[ -f "$data" ] || bad "cannot find $tl in the registry storage"
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xFF; open(p, "wb").write(b)' "$data"
set +e; L sbom "$R/alpine:3.12.12" > /dev/null 2> "$W/tamper.err"; rc=$?; set -e
[ $rc -eq 3 ] && grep -q "digest mismatch" "$W/tamper.err" && grep -q "$tl" "$W/tamper.err" ||
  bad "tampered blob: expected a digest mismatch naming $tl (rc $rc): $(cat "$W/tamper.err")"
[ ! -e "$XDG_CACHE_HOME/lading/blobs/sha256/${tl:7}" ] || bad "tampered blob entered the cache"
[ -z "$(ls "$XDG_CACHE_HOME/lading/blobs/sha256" | grep '^tmp\.' || true)" ] || bad "partial download left behind"
[ -z "$(ls "$XDG_CACHE_HOME/lading/layers" 2>/dev/null)" ] || bad "a layer cache entry was written for a tampered blob"
exit $fail

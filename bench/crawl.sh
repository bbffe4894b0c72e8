#!/usr/bin/env bash
# inventory crawl of a local docker-registry holding REPOS x TAGS distinct images (default 30 x 20:
# each tag its own config, all on the Alpine 3.20.3 layer of ../shared, so the base is analyzed
# once, as on a public registry where images share their bases): a first crawl into an empty
# store, a second one (everything known), and a second one without caches. With BASELINE=PATH
# (another lading binary, e.g. main's) the same runs are made with it in the same run, each with
# its own cache. Peer: Trivy has no registry crawler; its per-image cost is given as `trivy image`
# of SAMPLE (default 5) of the same images from the same registry, scaled to the whole registry.
# Prints figures; never passes or fails.
source "$(dirname "$0")/common.sh"
need docker-registry docker-registry
need skopeo skopeo
REPOS=${REPOS:-30}
TAGS=${TAGS:-20}
SAMPLE=${SAMPLE:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
. "$BENCH_SRC/tests/registry/lib.sh"
trap 'reg_cleanup; rm -rf "$W"' EXIT

reg_start reg config.yml
R="127.0.0.1:$REG_PORT"
reg_push "oci:$SHARED/images/oci/alpine-3.20.3:3.20.3" "$R/seed/a:1"
# every tag a distinct image: its own config (a label), the seed's layer mounted, not re-sent
python3 - "$R" "$REPOS" "$TAGS" << 'EOF'
import hashlib, json, sys, urllib.request
reg, nrepo, ntag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def req(url, method="GET", data=None, headers={}):
    return urllib.request.urlopen(urllib.request.Request("http://%s%s" % (reg, url) if url[0] == "/" else url,
                                                         method=method, data=data, headers=headers))
r = req("/v2/seed/a/manifests/1", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
ct, man = r.headers["Content-Type"], json.loads(r.read())
cfg = json.loads(req("/v2/seed/a/blobs/%s" % man["config"]["digest"]).read())
for i in range(nrepo):
    repo = "fleet/app%03d" % i
    for l in man["layers"]:
        req("/v2/%s/blobs/uploads/?mount=%s&from=seed/a" % (repo, l["digest"]), "POST", b"")
    for t in range(ntag):
        c = dict(cfg, config=dict(cfg.get("config", {}), Labels={"n": "%d-%d" % (i, t)}))
        b = json.dumps(c).encode()
        d = "sha256:" + hashlib.sha256(b).hexdigest()
        loc = req("/v2/%s/blobs/uploads/" % repo, "POST", b"").headers["Location"]
        loc = ("http://" + reg + loc) if loc.startswith("/") else loc
        req(loc + ("&" if "?" in loc else "?") + "digest=" + d, "PUT", b, {"Content-Type": "application/octet-stream"})
        m = dict(man, config=dict(man["config"], digest=d, size=len(b)))
        req("/v2/%s/manifests/v%d" % (repo, t), "PUT", json.dumps(m).encode(), {"Content-Type": ct})
EOF
N=$((REPOS * TAGS))
echo "registry: $REPOS repositories x $TAGS tags = $N distinct images (+1 seed), one shared layer"

# runs BIN NAME: first crawl, again, again without caches; prints seconds and images/s
runs() {
  local bin=$1 name=$2 t0 t1 s
  export XDG_CACHE_HOME="$W/cache-$name"
  rm -rf "$XDG_CACHE_HOME" "$W/store-$name".*
  for run in first again again-no-cache; do
    t0=$EPOCHREALTIME
    "$bin" inventory crawl "$R" --tags all --no-match --jobs 2 --store "$W/store-$name.sqlite" \
      $([ $run = again-no-cache ] && echo --no-cache) > "$W/$name-$run.out" 2>&1 || echo "($name $run failed)"
    t1=$EPOCHREALTIME
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
    printf '%-10s %-16s %8s s %8s images/s  (%s recorded, %s known)\n' "$name" "$run" "$s" \
      "$(awk -v n="$((N + 1))" -v s="$s" 'BEGIN{printf "%.0f", n/s}')" \
      "$(grep -c ': recorded' "$W/$name-$run.out" || true)" "$(grep -c 'known, not read again' "$W/$name-$run.out" || true)"
    eval "T_${name}_${run//-/_}=$s"
  done
}
runs "$LADING" lading
if [ -n "${BASELINE:-}" ]; then
  runs "$BASELINE" baseline
  echo "speedup over the baseline: first $(ratio "$T_baseline_first" "$T_lading_first")x, again $(ratio "$T_baseline_again" "$T_lading_again")x, again without caches $(ratio "$T_baseline_again_no_cache" "$T_lading_again_no_cache")x"
fi

if TRIVY=$(trivy_bin 2> /dev/null); then
  trivy_stub_cache "$W/tcache"
  t0=$EPOCHREALTIME
  for i in $(seq 0 $((SAMPLE - 1))); do
    "$TRIVY" image --insecure --format cyclonedx --output /dev/null --cache-dir "$W/tcache" --skip-db-update \
      --skip-java-db-update --offline-scan --quiet --no-progress "$R/fleet/app$(printf %03d "$i"):v0" > /dev/null 2>&1 ||
      echo "(trivy failed on fleet/app$(printf %03d "$i"):v0)"
  done
  t1=$EPOCHREALTIME
  per=$(awk -v a="$t0" -v b="$t1" -v n="$SAMPLE" 'BEGIN{printf "%.3f", (b-a)/n}')
  echo "trivy image, $SAMPLE of these images: $per s each; the registry at that rate: $(awk -v p="$per" -v n="$N" 'BEGIN{printf "%.0f", p*n}') s ($(ratio "$(awk -v p="$per" -v n="$N" 'BEGIN{print p*n}')" "$T_lading_first")x lading's first crawl)"
else
  echo "trivy: not available here (no per-image peer figure)"
fi

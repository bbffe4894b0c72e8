#!/usr/bin/env bash
# Language package inventory, lading vs Trivy, on the same image file in the same run: the lang
# test image (tests/setup/lang-images.sh: Debian + Python/Java/Ruby packages, an npm project,
# lockfile-only projects) plus one layer of five big npm projects installed from the npm
# registry at pinned versions (react-scripts 4.0.3, gatsby 3.14.6, @vue/cli 4.5.15, jest 26.6.3,
# @angular/cli 12.2.18: over 5,000 installed packages). Prints median wall time and peak RSS
# over $RUNS runs (page cache dropped before each run as root, Trivy with a fresh cache dir and
# the stub Java DB each run), then packages per purl type for both tools: all entries and
# distinct purls. Needs root (umoci, chroot) and npm for the first build.
source "$(dirname "$0")/common.sh"
TRIVY=$(trivy_bin)
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
T=$BUILD/testimages
LADING_BUILD=$BUILD bash "$BENCH_SRC/tests/setup/lang-images.sh" "$T" >&2

# --- the image: lang + big npm projects (cached) ----------------------------------------------
(
  cd "$T"
  exec 7>"$T/.lang-big.lock"
  flock 7
  [ -f lang-big.stamp ] && exit 0
  echo "[bench] building lang-big (npm install of five projects, a few minutes)" >&2
  rm -rf lang-big bundle-big
  cp -a lang lang-big
  umoci unpack --image lang-big:latest bundle-big >/dev/null
  for p in react-scripts@4.0.3 gatsby@3.14.6 @vue/cli@4.5.15 jest@26.6.3 @angular/cli@12.2.18; do
    d=bundle-big/rootfs/opt/apps/$(echo "${p%@*}" | tr -d '@' | tr '/' '-')
    mkdir -p "$d"
    printf '{"name":"bench-app","version":"1.0.0","private":true}\n' > "$d/package.json"
    (cd "$d" && npm install --no-audit --no-fund --no-update-notifier --ignore-scripts --omit=dev --loglevel=error "$p" >/dev/null)
  done
  umoci repack --refresh-bundle --history.created_by "npm install react-scripts gatsby @vue/cli jest @angular/cli" \
    --image lang-big:latest bundle-big
  rm -rf bundle-big
  touch lang-big.stamp
)
bash "$BENCH_SRC/bench/oci2docker.sh" "$T/lang-big" "$W/lang-big.tar" bench/lang-big:latest
f=$W/lang-big.tar

printf '%-10s %-7s %10s %10s %9s %10s %10s\n' cache size lading_s trivy_s speedup lading_MB trivy_MB
# cold: no layer cache (lading --no-cache; Trivy gets a fresh cache dir every run)
read -r lt lr < <(measure "$LADING" sbom --no-cache --format json "$f")
read -r tt tr < <(BEFORE="rm -rf $W/tcache; trivy_stub_cache $W/tcache" measure unshare -n "$TRIVY" image --input "$f" \
    --format cyclonedx --output "$W/t.json" --cache-dir "$W/tcache" --skip-db-update --skip-java-db-update \
    --offline-scan --quiet --no-progress)
printf '%-10s %-7s %10s %10s %8sx %10s %10s\n' "cold" "$(du -m "$f" | cut -f1)MB" "$lt" "$tt" "$(ratio "$tt" "$lt")" "$lr" "$tr"
# warm: both tools' layer caches filled by a first run (lading's in its own XDG_CACHE_HOME)
rm -rf "$W/tcache" "$W/xdg"; trivy_stub_cache "$W/tcache"
XDG_CACHE_HOME=$W/xdg "$LADING" sbom --format json "$f" > /dev/null 2>&1
unshare -n "$TRIVY" image --input "$f" --format cyclonedx --output "$W/t.json" --cache-dir "$W/tcache" \
  --skip-db-update --skip-java-db-update --offline-scan --quiet --no-progress
read -r lw lwr < <(XDG_CACHE_HOME=$W/xdg measure "$LADING" sbom --format json "$f")
read -r tw twr < <(measure unshare -n "$TRIVY" image --input "$f" --format cyclonedx --output "$W/t.json" \
    --cache-dir "$W/tcache" --skip-db-update --skip-java-db-update --offline-scan --quiet --no-progress)
printf '%-10s %-7s %10s %10s %8sx %10s %10s\n' "warm" "" "$lw" "$tw" "$(ratio "$tw" "$lw")" "$lwr" "$twr"
# the floor: decompressing the largest layer alone (layers are read in parallel, one is 870 MB)
big=$(jq -r '.layers | max_by(.size) | .digest' "$T/lang-big/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/lang-big/index.json" | cut -d: -f2)")
read -r ft _ < <(measure sh -c "igzip -dc < '$T/lang-big/blobs/sha256/${big#sha256:}' > /dev/null")
echo "decompressing the largest layer alone (igzip): ${ft} s"

# --- what each found, per purl type (purls percent-decoded, qualifiers cut) -----------------------
"$LADING" sbom --no-cache --format json "$f" > "$W/l.json"
rm -rf "$W/tcache"; trivy_stub_cache "$W/tcache"
unshare -n "$TRIVY" image --input "$f" --format cyclonedx --output "$W/t.json" --cache-dir "$W/tcache" \
  --skip-db-update --skip-java-db-update --offline-scan --quiet --no-progress
python3 - "$W/l.json" "$W/t.json" <<'PY'
import json, sys, urllib.parse, collections
ours = [p["purl"] for p in json.load(open(sys.argv[1]))["packages"]]
theirs = []
def walk(o):
    if isinstance(o, dict):
        if "purl" in o: theirs.append(o["purl"])
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(json.load(open(sys.argv[2])))
norm = lambda p: urllib.parse.unquote(p.split("?")[0])
typ = lambda p: p[4:].split("/")[0]
def table(purls):
    all_, distinct = collections.Counter(map(typ, purls)), collections.defaultdict(set)
    for p in purls: distinct[typ(p)].add(norm(p))
    return all_, distinct
ta, td = table(theirs)
la, ld = table(ours)
print("\n%-10s %10s %10s %16s %16s" % ("type", "trivy", "lading", "trivy_distinct", "lading_distinct"))
for t in sorted(set(ta) | set(la)):
    print("%-10s %10d %10d %16d %16d" % (t, ta[t], la[t], len(td[t]), len(ld[t])))
lang = lambda c: sum(v for k, v in c.items() if k not in ("deb", "apk", "rpm"))
print("language packages: lading %d, trivy %d" % (lang(la), lang(ta)))
for t in sorted(set(td) - {"deb", "apk", "rpm"}):
    only = sorted(td[t] - ld[t])
    if only:
        print("%s: %d distinct purls only Trivy has: %s" % (t, len(only), " ".join(only[:40])))
PY
echo "target: every type Trivy finds, lading finds as many, at >= 5x Trivy's speed (cold, no layer cache)"

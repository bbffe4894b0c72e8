# Helpers of the honeypot integration tests (sourced; not a test itself).
# Needs LADING_BIN, LADING_BUILD, LADING_WORK from CTest.

HP_GEOIP_PKG="@ip-location-db/geo-whois-asn-country-mmdb"
HP_GEOIP_VERSION="2.3.2026061719" # pinned: countries asserted below come from this build (CC0)
# the registry's integrity of that version's tarball (checked when fetched without npm)
HP_GEOIP_SHA512="xemBDNQl4mCYDuVbqe3jKGKsVDykZGkfvebhtOh/3VGLadq8vsp7t7ontpMUt3hH7sAGT0eLDyJ99SV+0waxZg=="

fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 not installed ($2)"; exit 77; }; }

# A work directory the honeypot can write as the user it drops to when started as root.
hp_workdir() {
  local d="$LADING_WORK/$1"
  rm -rf "$d"
  mkdir -p "$d"
  chmod 0777 "$d"
  echo "$d"
}

# hp_start DIR [PREFIX...] -- OPTIONS...: start `lading honeypot` (optionally under PREFIX, such as
# "ip netns exec NS"), wait for its ready file; sets HP_PID and HP_DIR.
hp_start() {
  HP_DIR="$1"; shift
  local prefix=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do prefix+=("$1"); shift; done
  shift
  rm -f "$HP_DIR/ready"
  "${prefix[@]}" "$LADING_BIN" honeypot --sensor itest --log "$HP_DIR/events.jsonl" \
    --ready-file "$HP_DIR/ready" "$@" 2>"$HP_DIR/stderr" &
  HP_PID=$!
  for _ in $(seq 100); do
    [ -s "$HP_DIR/ready" ] && return 0
    kill -0 "$HP_PID" 2>/dev/null || { cat "$HP_DIR/stderr" >&2; fail "honeypot exited at start"; }
    sleep 0.05
  done
  fail "honeypot not ready"
}

# The bound port of a service ("redis" ...), the first listener of it.
hp_port() { awk -v s="$1" '$1==s { n=split($2,a,":"); print a[n]; exit }' "$HP_DIR/ready"; }

hp_stop() {
  kill -TERM "$HP_PID" 2>/dev/null || true
  wait "$HP_PID" || fail "honeypot exited with $?: $(cat "$HP_DIR/stderr")"
  grep -q '"eventid":"honeypot.stop"' "$HP_DIR/events.jsonl" || fail "no honeypot.stop event"
}

# The log files of the run, oldest first (FILE.N ... FILE.1 FILE).
hp_files() {
  local i
  for i in $(seq 1000 -1 1); do [ -f "$HP_DIR/events.jsonl.$i" ] && echo "$HP_DIR/events.jsonl.$i"; done
  echo "$HP_DIR/events.jsonl"
}
hp_cat() { hp_files | xargs cat; }

# Number of events (all log files of the run) matching a jq filter.
# A filter jq cannot compile prints nothing, so the comparison that uses the count fails too;
# an event the filter cannot be applied to (a test on a missing field) does not match.
hp_count() {
  jq -n "empty | select($1)" </dev/null >/dev/null || { echo "FAIL: jq filter: $1" >&2; return 1; }
  hp_cat | jq -c "select(try ($1) catch false)" | wc -l
}

# The GeoIP database from the npm registry, cached under the build dir; empty when unavailable.
hp_geoip() {
  local cache="$LADING_BUILD/honeypot-geoip"
  local f="$cache/node_modules/$HP_GEOIP_PKG/geo-whois-asn-country.mmdb"
  if [ ! -s "$f" ] && command -v npm >/dev/null 2>&1; then
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error \
      "$HP_GEOIP_PKG@$HP_GEOIP_VERSION" >/dev/null 2>&1 || true
  fi
  if [ ! -s "$f" ] && command -v curl >/dev/null 2>&1; then
    # no npm (Debian's nodejs comes without it): the same tarball from the registry, verified
    local tgz="$cache/geoip.tgz" name=${HP_GEOIP_PKG#*/}
    mkdir -p "$cache/node_modules/$HP_GEOIP_PKG"
    if curl -fsSL --retry 2 -o "$tgz" "https://registry.npmjs.org/$HP_GEOIP_PKG/-/$name-$HP_GEOIP_VERSION.tgz" &&
       [ "$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)" = "$HP_GEOIP_SHA512" ]; then
      tar -xzf "$tgz" -C "$cache/node_modules/$HP_GEOIP_PKG" --strip-components=1 package/geo-whois-asn-country.mmdb
    fi
    rm -f "$tgz"
  fi
  [ -s "$f" ] && echo "$f"
}

# Largest resident set a process has had (kB).
hp_peak_rss_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

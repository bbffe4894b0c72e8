#!/usr/bin/env bash
# -o PATH and the honeypot's --ready-file: a regular file (or a new path) is replaced through a
# temporary beside it + rename, keeping its permissions and leaving no temporary behind; a
# character device, /dev/stdout, a FIFO or a symlink the user named is written in place and stays
# what it was (as root, replacing /dev/null with a file breaks the machine).
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}"
W="$LADING_WORK/output_files"
rm -rf "$W"; mkdir -p "$W/out" "$W/elsewhere"
IMG="docker-archive:$LADING_SHARED/images/docker-archive/alpine-3.20.3.tar"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
sbom() { "$LADING_BIN" sbom --format json "$IMG" "$@"; }
is_json() { jq -e '.packages | length > 0' "$1" >/dev/null 2>&1; }

# a regular file: replaced, its mode kept, nothing else left in the directory
echo old > "$W/out/sbom.json"; chmod 0640 "$W/out/sbom.json"
sbom -o "$W/out/sbom.json" || bad "regular file: sbom failed"
is_json "$W/out/sbom.json" || bad "regular file: no SBOM written"
[ "$(stat -c %a "$W/out/sbom.json")" = 640 ] || bad "regular file: mode not kept ($(stat -c %a "$W/out/sbom.json"))"
# a new path
sbom -o "$W/out/new.json" || bad "new path: sbom failed"
is_json "$W/out/new.json" || bad "new path: no SBOM written"
[ "$(ls -A "$W/out" | wc -l)" = 2 ] || bad "temporaries left behind: $(ls -A "$W/out")"

# a symlink to a file elsewhere: the link stays, the file it names gets the SBOM
echo old > "$W/elsewhere/target.json"
ln -s "$W/elsewhere/target.json" "$W/out/link.json"
sbom -o "$W/out/link.json" || bad "symlink: sbom failed"
[ -L "$W/out/link.json" ] || bad "symlink: replaced by a file"
is_json "$W/elsewhere/target.json" || bad "symlink: target not written"
# a dangling symlink is followed too (the user pointed it there)
ln -s "$W/elsewhere/later.json" "$W/out/dangling.json"
sbom -o "$W/out/dangling.json" || bad "dangling symlink: sbom failed"
[ -L "$W/out/dangling.json" ] && is_json "$W/elsewhere/later.json" || bad "dangling symlink: not followed"

# a FIFO: written in place, still a FIFO afterwards
mkfifo "$W/out/fifo"
timeout 20 cat "$W/out/fifo" > "$W/fifo.read" &  # a regression would leave it waiting
reader=$!
sbom -o "$W/out/fifo" || bad "fifo: sbom failed"
wait "$reader" || bad "fifo: reader failed"
[ -p "$W/out/fifo" ] || bad "fifo: replaced"
is_json "$W/fifo.read" || bad "fifo: the reader got no SBOM"

# /dev/stdout-like symlinks and a character device: first private copies (a symlink to
# /proc/self/fd/1, a device node made as root), and only when those stayed what they were the
# machine's own /dev/stdout and /dev/null, so that a regression cannot break the machine
ln -s /proc/self/fd/1 "$W/out/stdout"
sbom -o "$W/out/stdout" > "$W/stdout.json" || bad "stdout link: sbom failed"
is_json "$W/stdout.json" || bad "stdout link: nothing on stdout"
[ -L "$W/out/stdout" ] || bad "stdout link: replaced by a file"
n=$(sbom -o "$W/out/stdout" | jq '.packages | length') || bad "stdout link to a pipe failed"
[ "${n:-0}" -gt 0 ] || bad "stdout link to a pipe: no packages"
if [ "$fail" = 0 ]; then
  sbom -o /dev/stdout > "$W/stdout2.json" || bad "/dev/stdout: sbom failed"
  is_json "$W/stdout2.json" || bad "/dev/stdout: nothing on stdout"
  [ -L /dev/stdout ] || [ -c /dev/stdout ] || bad "/dev/stdout changed type"
fi

if [ "$(id -u)" = 0 ] && mknod "$W/out/null" c 1 3 2>/dev/null; then
  sbom -o "$W/out/null" || bad "device: sbom failed"
  [ -c "$W/out/null" ] || bad "device node replaced by a file"
else
  echo "note: not root, the private device node case is skipped"
fi
if [ "$fail" = 0 ]; then
  sbom -o /dev/null || bad "/dev/null: sbom failed"
  [ -c /dev/null ] || bad "/dev/null is no longer a character device"
fi

# the honeypot's ready file through a symlink: the link stays, its target gets the listeners
mkdir -p "$W/hp"; chmod 0777 "$W/hp" "$W/elsewhere"
ln -s "$W/elsewhere/ready" "$W/hp/ready"
"$LADING_BIN" honeypot --sensor itest --log "$W/hp/events.jsonl" --redis 127.0.0.1:0 \
  --ready-file "$W/hp/ready" 2>"$W/hp/stderr" &
hp=$!
for _ in $(seq 100); do [ -s "$W/elsewhere/ready" ] && break; sleep 0.05; done
kill -TERM "$hp" 2>/dev/null || true
wait "$hp" || bad "honeypot exited with $?: $(cat "$W/hp/stderr")"
[ -L "$W/hp/ready" ] || bad "ready file: symlink replaced"
grep -q '^redis 127.0.0.1:[0-9]' "$W/elsewhere/ready" || bad "ready file: target has no listener line"

[ "$fail" = 0 ] && echo "output files: all cases passed"
exit "$fail"

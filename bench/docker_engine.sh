#!/usr/bin/env bash
# lading sbom docker:NAME (an image read from a Docker-compatible Engine API: Debian's podman
# serving it on a socket) vs Trivy's `image --image-src docker` on the same engine and image, in
# the same run, with lading on the docker-archive file of the same image and the engine's bare
# export (curl GET /images/NAME/get > /dev/null) as floors. Prints median wall time and peak RSS
# over $RUNS runs, and the peak of shared memory (the memfd lading spools the archive into is
# shmem, not RSS) sampled from /proc/meminfo during lading's engine runs.
source "$(dirname "$0")/common.sh"
need podman curl
TRIVY=$(trivy_bin)
W=$(mktemp -d "${TMPDIR:-/tmp}/lading-bench.XXXXXX")
T=$BUILD/testimages
LADING_BUILD=$BUILD bash "$BENCH_SRC/tests/setup/debian-images.sh" "$T" >&2
cat > "$W/containers.conf" << EOC
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOC
export CONTAINERS_CONF="$W/containers.conf"
mkdir -p "$W/tmp"
P() { podman --root "$W/root" --runroot "$W/run" --storage-driver vfs --cgroup-manager cgroupfs \
	--events-backend file --tmpdir "$W/tmp" "$@"; }
SVC=""
trap '[ -n "$SVC" ] && kill "$SVC" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
P load -q -i "$SHARED/images/docker-archive/alpine-3.20.3.tar" >&2
P load -q -i "$T/debian-multi.tar" >&2
P system service --time=0 "unix://$W/sock" > "$W/svc.log" 2>&1 &
SVC=$!
for _ in $(seq 100); do [ -S "$W/sock" ] && break; sleep 0.1; done

shmem_peak() { # CMD...: run it, print the peak rise of Shmem in MB while it ran
	local base peak=0 cur pid
	base=$(awk '/^Shmem:/{print $2}' /proc/meminfo)
	"$@" > /dev/null 2>&1 & pid=$!
	while kill -0 "$pid" 2> /dev/null; do
		cur=$(awk '/^Shmem:/{print $2}' /proc/meminfo); [ "$cur" -gt "$peak" ] && peak=$cur; sleep 0.05
	done
	wait "$pid" || true
	awk -v p="$peak" -v b="$base" 'BEGIN{printf "%.0f", (p > b ? p - b : 0) / 1024}'
}

printf '%-8s %8s %10s %10s %9s %10s %10s %10s %10s %9s\n' image size engine_s archive_s export_s trivy_s speedup lading_MB trivy_MB shmem_MB
for pair in "alpine docker.io/library/alpine:3.20.3 $SHARED/images/docker-archive/alpine-3.20.3.tar" \
	"debian docker.io/lading-test/debian-multi:latest $T/debian-multi.tar"; do
	set -- $pair
	size=$(du -m "$3" | cut -f1)MB
	read -r et er < <(measure "$LADING" sbom --no-cache --format cyclonedx --docker-host "unix://$W/sock" "docker:$2")
	read -r at _ < <(measure "$LADING" sbom --no-cache --format cyclonedx "$3")
	read -r xt _ < <(measure curl -s --unix-socket "$W/sock" -o /dev/null "http://d/images/$2/get")
	read -r tt tr < <(BEFORE="rm -rf $W/tcache; trivy_stub_cache $W/tcache" measure unshare -n "$TRIVY" image \
		--image-src docker --docker-host "unix://$W/sock" --format cyclonedx --output "$W/t.json" \
		--cache-dir "$W/tcache" --skip-db-update --skip-java-db-update --offline-scan --quiet --no-progress "$2")
	sh=$(shmem_peak "$LADING" sbom --no-cache --format cyclonedx --docker-host "unix://$W/sock" "docker:$2")
	printf '%-8s %8s %10s %10s %9s %10s %9sx %10s %10s %9s\n' "$1" "$size" "$et" "$at" "$xt" "$tt" \
		"$(ratio "$tt" "$et")" "$er" "$tr" "$sh"
done
echo "engine_s: lading sbom docker:NAME; archive_s: lading on the docker-archive file; export_s: the"
echo "engine's own export of the archive (floor of any reader of /images/NAME/get); shmem_MB: the"
echo "memfd spool (the archive size), which RSS does not count"

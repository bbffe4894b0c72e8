#!/usr/bin/env bash
# The Docker Engine API source against a real one: Debian's podman serving its Docker-compatible
# API on a socket in a temp dir (vfs storage, cgroupfs, file events: it runs as root in a
# sandbox without systemd). Images go in with `podman load` of the ../shared docker-archives,
# containers with `podman create` (they cannot be started here: no cgroup access). Checked:
# `lading containers list --docker-host` against podman's own view; the real docker CLI's
# `docker ps --format json` and `docker inspect` files read back to the same containers; a removed
# container vanishes; `sbom docker:NAME`, `docker:ID` and the skopeo/podman `dir` layouts equal
# `sbom docker-archive:FILE` apart from "source"; a directory that is neither a root filesystem nor
# a layout, a missing image and a truncated snapshot are clear errors.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}"
for t in podman docker skopeo jq; do
	command -v "$t" > /dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
W="$LADING_WORK/containers_docker"
rm -rf "$W"; mkdir -p "$W"
T=$(mktemp -d /tmp/lading-podman.XXXXXX)
export XDG_CACHE_HOME="$W/cache"
S="$LADING_SHARED/images/docker-archive"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
L() { "$LADING_BIN" "$@"; }

cat > "$T/containers.conf" << EOC
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOC
export CONTAINERS_CONF="$T/containers.conf"
mkdir -p "$T/tmp"
P() { podman --root "$T/root" --runroot "$T/run" --storage-driver vfs --cgroup-manager cgroupfs \
	--events-backend file --tmpdir "$T/tmp" "$@"; }
SVC="" SVC2=""
cleanup() {
	[ -n "$SVC2" ] && kill "$SVC2" 2> /dev/null || true
	[ -n "$SVC" ] && kill "$SVC" 2> /dev/null && wait "$SVC" 2> /dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

P load -q -i "$S/alpine-3.12.12.tar" > /dev/null
P load -q -i "$S/alpine-3.20.3-twolayer.tar" > /dev/null
P system service --time=0 "unix://$T/sock" > "$W/service.log" 2>&1 &
SVC=$!
for i in $(seq 100); do [ -S "$T/sock" ] && break; sleep 0.1; done
[ -S "$T/sock" ] || { echo "FAIL: podman service did not start"; cat "$W/service.log"; exit 1; }
export DOCKER_HOST="unix://$T/sock"
H=(--docker-host "unix://$T/sock")

c1=$(P create --name web1 --label app=web --label tier=front docker.io/library/alpine:3.12.12 sleep 100)
c2=$(P create --name worker docker.io/library/alpine:3.20.3-twolayer true)
id12=$(P image inspect --format '{{.Id}}' docker.io/library/alpine:3.12.12)
id20=$(P image inspect --format "{{.Id}}" docker.io/library/alpine:3.20.3-twolayer)

# --- the API snapshot
L containers list "${H[@]}" --format json > "$W/api.json" || bad "containers list failed"
[ "$(jq '.containers | length' "$W/api.json")" = 2 ] || bad "API: want 2 containers"
[ "$(jq -r '.format' "$W/api.json")" = docker-api ] || bad "API: format"
key_ids() { jq -c '[.containers[] | {id, name, state, image_digest}]' "$1"; }
jq -e --arg id "$c1" --arg d "sha256:$id12" '.containers[] | select(.id == $id) |
	.name == "web1" and .state == "created" and .image_digest == $d and .image_ref == "docker.io/library/alpine:3.12.12"
	and .labels.app == "web" and .labels.tier == "front" and (.created | test("^20[0-9-]+T[0-9:]+Z$"))' \
	"$W/api.json" > /dev/null || bad "API: web1 record wrong: $(jq -c . "$W/api.json")"
jq -e --arg id "$c2" --arg d "sha256:$id20" '.containers[] | select(.id == $id) | .name == "worker" and
	.image_digest == $d' "$W/api.json" > /dev/null || bad "API: worker record wrong"
[ "$(L containers list "${H[@]}" --source host-a --format json | jq -r '[.containers[].source] | unique | .[0]')" = host-a ] ||
	bad "--source not in the records"
L containers list "${H[@]}" | grep -q "2 containers" || bad "table output"

# --- the same engine over tcp://
TP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
P system service --time=0 "tcp://127.0.0.1:$TP" > "$W/service-tcp.log" 2>&1 &
SVC2=$!
for i in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$TP") 2> /dev/null && break; sleep 0.1; done
L containers list --docker-host "tcp://127.0.0.1:$TP" --format json > "$W/tcp.json" || bad "tcp:// list failed"
[ "$(key_ids "$W/tcp.json")" = "$(key_ids "$W/api.json")" ] || bad "tcp:// and unix:// snapshots differ"
L sbom --format json --docker-host "tcp://127.0.0.1:$TP" docker:alpine:3.12.12 > /dev/null || bad "sbom over tcp://"

# --- the same engine over TLS (a dockerd --tlsverify: client certificates required), Docker's
# DOCKER_TLS_VERIFY / DOCKER_CERT_PATH conventions; podman cannot serve TLS itself, so socat
# terminates it in front of the tcp:// service, with a CA made here
if command -v socat > /dev/null && command -v openssl > /dev/null; then
	C="$T/certs" X="$T/other"
	mkdir -p "$C" "$X"
	mkca() { # DIR: a CA, a server certificate for 127.0.0.1, a client certificate
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca-key.pem" -out "$1/ca.pem" -days 2 \
			-subj /CN=lading-test-ca 2> /dev/null
		openssl req -newkey rsa:2048 -nodes -keyout "$1/server-key.pem" -out "$1/server.csr" -subj /CN=127.0.0.1 2> /dev/null
		printf 'subjectAltName=IP:127.0.0.1\n' > "$1/ext"
		openssl x509 -req -in "$1/server.csr" -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" -CAcreateserial -days 2 \
			-extfile "$1/ext" -out "$1/server.pem" 2> /dev/null
		openssl req -newkey rsa:2048 -nodes -keyout "$1/key.pem" -out "$1/client.csr" -subj /CN=client 2> /dev/null
		printf 'extendedKeyUsage=clientAuth\n' > "$1/ext"
		openssl x509 -req -in "$1/client.csr" -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" -CAcreateserial -days 2 \
			-extfile "$1/ext" -out "$1/cert.pem" 2> /dev/null
	}
	mkca "$C"
	mkca "$X"
	SP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	socat "openssl-listen:$SP,bind=127.0.0.1,reuseaddr,fork,cert=$C/server.pem,key=$C/server-key.pem,cafile=$C/ca.pem,verify=1" \
		"tcp:127.0.0.1:$TP" 2> "$W/socat.log" &
	SOCAT=$!
	for i in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$SP") 2> /dev/null && break; sleep 0.1; done
	DOCKER_CERT_PATH="$C" L containers list --docker-host "tcp://127.0.0.1:$SP" --tls-verify --format json > "$W/tls.json" ||
		bad "TLS: list with --tls-verify failed"
	[ "$(key_ids "$W/tls.json")" = "$(key_ids "$W/api.json")" ] || bad "TLS and unix:// snapshots differ"
	DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$C" L sbom --format json --docker-host "tcp://127.0.0.1:$SP" docker:alpine:3.12.12 \
		> "$W/tls-sbom.json" || bad "TLS: sbom with DOCKER_TLS_VERIFY failed"
	DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$C" L inventory containers --store "$W/tls.sqlite" --no-match \
		--docker-host "tcp://127.0.0.1:$SP" > "$W/tls-inv.out" 2>&1 || bad "TLS: inventory containers failed: $(cat "$W/tls-inv.out")"
	# refusals: plain HTTP to a TLS port, another CA, no client certificate, no ca.pem
	if L containers list --docker-host "tcp://127.0.0.1:$SP" > /dev/null 2> "$W/tls1.err"; then bad "TLS port read without TLS"; fi
	grep -q -- "--tls-verify" "$W/tls1.err" || bad "TLS port without TLS: no hint: $(cat "$W/tls1.err")"
	if DOCKER_CERT_PATH="$X" L containers list --docker-host "tcp://127.0.0.1:$SP" --tls-verify > /dev/null 2> "$W/tls2.err"; then
		bad "TLS: an engine certificate of another CA accepted"
	fi
	grep -qi "certificate" "$W/tls2.err" || bad "TLS: unclear message for another CA: $(cat "$W/tls2.err")"
	mkdir -p "$T/caonly" && cp "$C/ca.pem" "$T/caonly/"
	if DOCKER_CERT_PATH="$T/caonly" L containers list --docker-host "tcp://127.0.0.1:$SP" --tls-verify > /dev/null 2> "$W/tls3.err"; then
		bad "TLS: the engine accepted a client without a certificate"
	fi
	if DOCKER_CERT_PATH="$T/none" L containers list --docker-host "tcp://127.0.0.1:$SP" --tls-verify > /dev/null 2> "$W/tls4.err"; then
		bad "TLS: no ca.pem accepted"
	fi
	grep -q "DOCKER_CERT_PATH" "$W/tls4.err" || bad "TLS: no ca.pem: unclear message: $(cat "$W/tls4.err")"
	kill "$SOCAT" 2> /dev/null; wait "$SOCAT" 2> /dev/null || true
else
	echo "note: socat or openssl missing: TLS engine not checked"
fi
kill "$SVC2" 2> /dev/null; wait "$SVC2" 2> /dev/null || true

# --- the docker CLI's files, read back to the same containers
docker ps -a --format '{{json .}}' > "$W/ps.jsonl"
docker inspect "$c1" "$c2" > "$W/inspect.json"
L containers list --from "$W/ps.jsonl" --format json > "$W/ps.json" || bad "docker ps file not read"
L containers list --from "$W/inspect.json" --format json > "$W/inspect.out.json" || bad "docker inspect file not read"
[ "$(jq -r .format "$W/ps.json")" = docker-ps ] || bad "ps: format"
[ "$(jq -r .format "$W/inspect.out.json")" = docker-inspect ] || bad "inspect: format"
key() { jq -c '[.containers[] | {name, state, image_digest, labels}] | sort_by(.name)' "$1"; }
[ "$(key "$W/inspect.out.json")" = "$(key "$W/api.json")" ] || bad "inspect file and API differ: $(key "$W/inspect.out.json")"
[ "$(jq -c '[.containers[] | {name, state, labels, id: .id[0:12]}] | sort_by(.name)' "$W/ps.json")" = \
  "$(jq -c '[.containers[] | {name, state, labels, id: .id[0:12]}] | sort_by(.name)' "$W/api.json")" ] ||
	bad "ps file and API differ"
L containers list --from - --format json < "$W/ps.jsonl" | jq -e '.containers | length == 2' > /dev/null ||
	bad "--from - (standard input)"

# --- the inventory: a snapshot of the engine records its containers and reads the images the
# store lacks from the engine itself (the config digest is the image's identity)
ST="$W/store.sqlite"
L inventory containers "${H[@]}" --store "$ST" --no-match > "$W/inv1.out" 2> "$W/inv1.err" ||
	bad "inventory containers --docker-host: $(cat "$W/inv1.err")"
grep -q "2 containers, 2 new" "$W/inv1.out" || bad "inventory snapshot counts: $(cat "$W/inv1.out")"
grep -q "images of the snapshot: 2 recorded" "$W/inv1.out" || bad "engine images not recorded: $(cat "$W/inv1.out" "$W/inv1.err")"
L inventory list images --store "$ST" --format json > "$W/inv-images.json"
for d in "sha256:$id12" "sha256:$id20"; do
	jq -e --arg d "$d" '.images | map(select(.digest == $d)) | length == 1' "$W/inv-images.json" > /dev/null ||
		bad "image $d not in the store: $(jq -c '[.images[].digest]' "$W/inv-images.json")"
done
L inventory containers "${H[@]}" --store "$ST" --no-match > "$W/inv2.out" || bad "second inventory snapshot"
grep -q "images of the snapshot" "$W/inv2.out" && bad "known images read again: $(cat "$W/inv2.out")"
L inventory check --store "$ST" > /dev/null || bad "inventory check after engine snapshots"

# --- a removed container vanishes from the next snapshot
P rm web1 > /dev/null
L containers list "${H[@]}" --format json > "$W/api2.json"
[ "$(jq -r '[.containers[].name] | join(",")' "$W/api2.json")" = worker ] || bad "web1 still listed after podman rm"
L inventory containers "${H[@]}" --store "$ST" --no-match | grep -q "1 containers, 0 new, 1 updated, 1 gone" ||
	bad "inventory: web1 not marked gone"
L inventory list containers --store "$ST" --format json |
	jq -e '.containers | map(select(.name == "web1" and .state == "gone" and .last_seen != null)) | length == 1' > /dev/null ||
	bad "inventory: web1 record not kept as gone"

# --- images from the engine equal the archive files
norm() { jq -S 'del(.source)' "$1"; }
for pair in "alpine:3.12.12 alpine-3.12.12.tar" "docker.io/library/alpine:3.20.3-twolayer alpine-3.20.3-twolayer.tar" \
	"sha256:$id12 alpine-3.12.12.tar"; do
	set -- $pair
	out="$W/$(echo "$1" | tr -c 'a-zA-Z0-9.\n' _)"
	L sbom --format json "${H[@]}" "docker:$1" -o "$out.eng.json" 2> "$out.err" || { bad "sbom docker:$1: $(cat "$out.err")"; continue; }
	L sbom --format json --no-cache "docker-archive:$S/$2" -o "$out.arc.json"
	cmp -s <(norm "$out.eng.json") <(norm "$out.arc.json") || { bad "docker:$1 differs from $2"; diff <(norm "$out.eng.json") <(norm "$out.arc.json") | head; }
	[ "$(jq -r .source.type "$out.eng.json")" = docker ] || bad "docker:$1: source type"
	[ "$(jq '.packages | length' "$out.eng.json")" -gt 5 ] || bad "docker:$1: no packages"
done
DOCKER_HOST="unix://$T/sock" L sbom --format json docker:alpine:3.12.12 > /dev/null || bad "DOCKER_HOST not used"
L sbom "${H[@]}" docker:no-such-image 2> "$W/nf.err" && bad "missing image accepted"
grep -q "no image 'no-such-image'" "$W/nf.err" || bad "missing image message: $(cat "$W/nf.err")"
L sbom --docker-host "unix://$T/nosock" docker:alpine 2> "$W/ns.err" && bad "missing socket accepted"
grep -q "nosock" "$W/ns.err" || bad "missing socket message: $(cat "$W/ns.err")"

# --- skopeo dir: and podman save --format docker-dir are images, detected from the path
skopeo copy -q "docker-archive:$S/alpine-3.20.3-twolayer.tar" "dir:$W/skopeo-dir"
P save -q --format docker-dir -o "$W/podman-dir" docker.io/library/alpine:3.12.12
L sbom --format json --no-cache "docker-archive:$S/alpine-3.20.3-twolayer.tar" -o "$W/two.arc.json"
for d in skopeo-dir podman-dir; do
	ref=$([ $d = skopeo-dir ] && echo two || echo alpine_3.12.12)
	L sbom --format json --no-cache "$W/$d" -o "$W/$d.json" 2> "$W/$d.err" || { bad "$d: $(cat "$W/$d.err")"; continue; }
	[ "$(jq -r .source.type "$W/$d.json")" = docker-dir ] || bad "$d: source type $(jq -r .source.type "$W/$d.json")"
	cmp -s <(norm "$W/$d.json") <(norm "$W/$ref.arc.json") || { bad "$d differs from its archive"; diff <(norm "$W/$d.json") <(norm "$W/$ref.arc.json") | head; }
done
L sbom --format json --no-cache "docker-dir:$W/skopeo-dir" > /dev/null || bad "docker-dir: prefix"
# a tampered blob is refused
cp -r "$W/skopeo-dir" "$W/tampered"
cfg=$(jq -r .config.digest "$W/tampered/manifest.json"); cfg=${cfg#sha256:}
sed -i 's/amd64/arm64/' "$W/tampered/$cfg"
L sbom --no-cache "$W/tampered" 2> "$W/tampered.err" && bad "tampered config accepted"
grep -qi "digest" "$W/tampered.err" || bad "tampered message: $(cat "$W/tampered.err")"
# neither a root filesystem nor a layout: an error, never an empty inventory
mkdir -p "$W/neither/docs"; echo hello > "$W/neither/README"
L sbom "$W/neither" 2> "$W/neither.err" && bad "a directory that is no image gave an inventory"
grep -q "neither a root filesystem" "$W/neither.err" || bad "neither message: $(cat "$W/neither.err")"
L sbom --format json "dir:$W/neither" > /dev/null || bad "dir: prefix still reads any directory"

# --- malformed snapshot files name the file and the byte offset
head -c 150 "$W/inspect.json" > "$W/cut.json"
L containers list --from "$W/cut.json" 2> "$W/cut.err" && bad "truncated snapshot accepted"
grep -q "cut.json" "$W/cut.err" && grep -q "byte" "$W/cut.err" || bad "truncated message: $(cat "$W/cut.err")"

[ $fail = 0 ] && echo "containers_docker: ok"
exit $fail

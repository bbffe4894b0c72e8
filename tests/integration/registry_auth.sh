#!/usr/bin/env bash
# Registry authentication against local docker-registry instances: HTTP Basic (htpasswd) and
# Bearer tokens from tests/registry/tokenserver.py. Credentials from --username/--password-stdin,
# LADING_REGISTRY_USERNAME/PASSWORD (and LADING_REGISTRY_HOST) and docker's config.json; no
# credentials and wrong ones give clear errors; the secrets (password, base64 auth, tokens) never
# appear in anything lading prints, even with -v.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}"
W="$LADING_WORK/registry_auth"
rm -rf "$W"; mkdir -p "$W"
. "$LADING_SRC/tests/registry/lib.sh"
reg_require docker-registry skopeo jq python3 curl htpasswd openssl
fail=0
bad() { echo "FAIL: $*"; fail=1; }
S="$LADING_SHARED/images"
export XDG_CACHE_HOME="$W/cache"
unset LADING_REGISTRY_USERNAME LADING_REGISTRY_PASSWORD LADING_REGISTRY_HOST DOCKER_CONFIG
export DOCKER_CONFIG="$W/no-docker-config" # not the user's
SECRET_A="Sesame-$RANDOM-$$-alpha"
SECRET_B="Tulip-$RANDOM-$$-bravo"
OUTS="$W/outs"; mkdir -p "$OUTS"
n=0
# run EXPECT_RC ARGS...: lading with stdout/stderr kept for the secret check; sets OUT, ERR
run() {
  local want=$1 rc
  shift
  n=$((n + 1)); OUT="$OUTS/$n.out"; ERR="$OUTS/$n.err"
  set +e; "$LADING_BIN" "$@" > "$OUT" 2> "$ERR" < "${STDIN:-/dev/null}"; rc=$?; set -e
  [ "$rc" -eq "$want" ] || { bad "lading $* exited $rc, expected $want: $(head -c 400 "$ERR")"; return 1; }
}

"$LADING_BIN" sbom --format json --no-cache "docker-archive:$S/docker-archive/alpine-3.20.3.tar" -o "$W/archive.json"
same_as_archive() { cmp -s <(reg_norm "$OUT") <(reg_norm "$W/archive.json") || bad "$1: differs from the archive"; }

# --- HTTP Basic (htpasswd) -----------------------------------------------------------------------
htpasswd -Bbn alice "$SECRET_A" > "$W/htpasswd"
reg_start basic config-htpasswd.yml REGISTRY_AUTH_HTPASSWD_PATH="$W/htpasswd"
R="127.0.0.1:$REG_PORT"
reg_push "oci:$S/oci/alpine-3.20.3:3.20.3" "$R/alpine:3.20.3" "alice:$SECRET_A"

run 3 sbom "$R/alpine:3.20.3" && grep -q "requires authentication" "$ERR" && grep -q -- "--password-stdin" "$ERR" ||
  bad "basic, no credentials: unclear error: $(cat "$ERR")"
printf '%s\n' "$SECRET_A" > "$W/pw-a"
STDIN="$W/pw-a" run 0 sbom --format json -v --no-cache --username alice --password-stdin "$R/alpine:3.20.3" &&
  same_as_archive "basic, --password-stdin"
printf 'wrong-%s\n' "$SECRET_A" > "$W/pw-wrong"
STDIN="$W/pw-wrong" run 3 sbom -v --username alice --password-stdin "$R/alpine:3.20.3" &&
  grep -q "refused user 'alice'" "$ERR" && grep -q "wrong user name or password" "$ERR" ||
  bad "basic, wrong password: unclear error: $(cat "$ERR")"
run 2 sbom --username alice "$R/alpine:3.20.3" || true # a password must come from stdin
run 2 sbom --password "$SECRET_A" "$R/alpine:3.20.3" && ! grep -q "$SECRET_A" "$ERR" || bad "--password on the command line must be refused"
LADING_REGISTRY_USERNAME=alice LADING_REGISTRY_PASSWORD="$SECRET_A" run 0 sbom --format json --no-cache "$R/alpine:3.20.3" &&
  same_as_archive "basic, environment"
LADING_REGISTRY_USERNAME=alice LADING_REGISTRY_PASSWORD="$SECRET_A" LADING_REGISTRY_HOST=elsewhere.example \
  run 3 sbom --no-cache "$R/alpine:3.20.3" && grep -q "requires authentication" "$ERR" ||
  bad "LADING_REGISTRY_HOST for another registry: its credentials must not be used"
mkdir -p "$W/docker"
printf '{"auths": {"%s": {"auth": "%s"}}, "credsStore": "desktop"}\n' "$R" "$(printf 'alice:%s' "$SECRET_A" | base64 -w0)" > "$W/docker/config.json"
DOCKER_CONFIG="$W/docker" run 0 sbom --format json --no-cache -v "$R/alpine:3.20.3" && same_as_archive "basic, docker config"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$R" "$(printf 'alice:wrong%s' "$SECRET_A" | base64 -w0)" > "$W/docker/config.json"
DOCKER_CONFIG="$W/docker" run 3 sbom --no-cache -v "$R/alpine:3.20.3" && grep -q "docker config" "$ERR" ||
  bad "wrong docker config credentials: the error should say where they came from: $(cat "$ERR")"
echo "basic auth: checked"

# --- Bearer tokens --------------------------------------------------------------------------------
printf 'bob:%s\n' "$SECRET_B" > "$W/users"
reg_token_start token "$W/users"
reg_start bearer config-token.yml REGISTRY_AUTH_TOKEN_REALM="http://127.0.0.1:$TOKEN_PORT/token" \
  REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE="$TOKEN_CERT"
R="127.0.0.1:$REG_PORT"
reg_push "oci:$S/oci/alpine-3.20.3:3.20.3" "$R/team/alpine:3.20.3" "bob:$SECRET_B"

run 3 sbom --no-cache "$R/team/alpine:3.20.3" && grep -q "requires authentication" "$ERR" ||
  bad "bearer, anonymous: unclear error: $(cat "$ERR")"
printf '%s\n' "$SECRET_B" > "$W/pw-b"
STDIN="$W/pw-b" run 0 sbom --format json -v --username bob --password-stdin "$R/team/alpine:3.20.3" &&
  same_as_archive "bearer, --password-stdin"
grep -q '"user": "bob", "valid": true, "scope": \["repository:team/alpine:pull"\]' "$W/token/requests.jsonl" ||
  bad "the token server was not asked for repository:team/alpine:pull by bob"
# cached: served without downloading again, still authenticated (the manifest is asked for)
STDIN="$W/pw-b" run 0 sbom --format json --username bob --password-stdin "$R/team/alpine:3.20.3" &&
  same_as_archive "bearer, from the caches"
printf 'bad\n' > "$W/pw-bad"
STDIN="$W/pw-bad" run 3 sbom --no-cache --username bob --password-stdin "$R/team/alpine:3.20.3" &&
  grep -q "token server of $R refused user 'bob'" "$ERR" && grep -q "wrong user name or password" "$ERR" ||
  bad "bearer, wrong password: unclear error: $(cat "$ERR")"
echo "bearer auth: checked"

# --- secrets never shown ----------------------------------------------------------------------------
tokens=$(jq -r 'select(.valid) | .user' "$W/token/requests.jsonl" | wc -l)
[ "$tokens" -ge 2 ] || bad "expected tokens to have been issued"
b64a=$(printf 'alice:%s' "$SECRET_A" | base64 -w0)
b64b=$(printf 'bob:%s' "$SECRET_B" | base64 -w0)
for s in "$SECRET_A" "$SECRET_B" "$b64a" "$b64b" "eyJ0eXAiOiJKV1Qi"; do # (the JWT header's base64)
  if grep -rlF -- "$s" "$OUTS" > "$W/leak"; then bad "a secret appears in lading's output: $(cat "$W/leak")"; fi
done
echo "$n runs; no secret in any output"
exit $fail

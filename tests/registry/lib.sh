# Shared set-up of the registry tests and bench (sourced): local docker-registry instances on
# 127.0.0.1, the token server and the fault-injecting proxy of this folder, pushes with skopeo.
# Everything started here is stopped when the sourcing script exits. Needs $W (a work dir).

REG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REG_PIDS=()

reg_cleanup() {
  local p
  for p in "${REG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${REG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap reg_cleanup EXIT

reg_require() { # tools...: skip the test (exit 77) when one is missing
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed (scripts/apt-packages.txt)"; exit 77; }
  done
}

reg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

reg_wait_file() { # file: wait (10 s at most) until it exists
  local i
  for i in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  return 1
}

# reg_start NAME CONFIG [VAR=VALUE...]: a registry storing in $W/NAME, its log in $W/NAME.log.
# Sets REG_PORT.
reg_start() {
  local name=$1 cfg=$2 try i pid
  shift 2
  mkdir -p "$W/$name"
  for try in 1 2 3 4 5; do
    REG_PORT=$(reg_free_port)
    env "$@" REGISTRY_HTTP_ADDR="127.0.0.1:$REG_PORT" REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$W/$name" \
      docker-registry serve "$REG_LIB_DIR/$cfg" > "$W/$name.log" 2>&1 &
    pid=$!
    REG_PIDS+=("$pid")
    for i in $(seq 200); do
      curl -s -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && return 0
      curl -s -k -o /dev/null "https://127.0.0.1:$REG_PORT/v2/" && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
  done
  echo "cannot start docker-registry with $cfg:"; tail -20 "$W/$name.log"
  exit 1
}

# reg_token_start NAME USERS_FILE: the token server with a fresh RSA key and certificate in
# $W/NAME/. Sets TOKEN_PORT and TOKEN_CERT.
reg_token_start() {
  local name=$1 users=$2
  mkdir -p "$W/$name"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/$name/key.pem" -out "$W/$name/cert.pem" \
    -subj /CN=lading-test-token -days 2 2>/dev/null
  rm -f "$W/$name/port"
  python3 "$REG_LIB_DIR/tokenserver.py" "$W/$name/port" "$W/$name/key.pem" "$W/$name/cert.pem" "$users" \
    "$W/$name/requests.jsonl" 2> "$W/$name/stderr" &
  REG_PIDS+=("$!")
  reg_wait_file "$W/$name/port" || { echo "token server did not start"; cat "$W/$name/stderr"; exit 1; }
  TOKEN_PORT=$(cat "$W/$name/port")
  TOKEN_CERT="$W/$name/cert.pem"
}

# reg_proxy_start NAME UPSTREAM_PORT [USER:PASSWORD]: proxy.py with rules in $W/NAME/rules.json
# (initially none) and its request log in $W/NAME/requests.jsonl. Sets PROXY_PORT, STORAGE_PORT.
reg_proxy_start() {
  local name=$1 up=$2 creds=${3:-}
  mkdir -p "$W/$name"
  echo '[]' > "$W/$name/rules.json"
  : > "$W/$name/requests.jsonl"
  rm -f "$W/$name/port" "$W/$name/storage-port"
  python3 "$REG_LIB_DIR/proxy.py" "$W/$name/port" "$up" "$W/$name/rules.json" "$W/$name/requests.jsonl" \
    "$W/$name/storage-port" ${creds:+"$creds"} 2> "$W/$name/stderr" &
  REG_PIDS+=("$!")
  reg_wait_file "$W/$name/port" && reg_wait_file "$W/$name/storage-port" ||
    { echo "proxy did not start"; cat "$W/$name/stderr"; exit 1; }
  PROXY_PORT=$(cat "$W/$name/port")
  STORAGE_PORT=$(cat "$W/$name/storage-port")
}

reg_push() { # SRC REF [USER:PASSWORD] [skopeo options...]
  local src=$1 ref=$2 creds=${3:-}
  shift 3 2>/dev/null || shift $#
  skopeo copy -q --dest-tls-verify=false ${creds:+--dest-creds "$creds"} "$@" "$src" "docker://$ref"
}

# Layer/config blob downloads (GET .../blobs/) in a registry access log, optionally of one digest.
reg_blob_gets() { # LOG [DIGEST]
  grep -c "\"GET /v2/[^ ]*/blobs/${2:-}" "$1" || true
}

reg_norm() { jq -S 'del(.source)' "$1"; } # the sbom without its "source" part

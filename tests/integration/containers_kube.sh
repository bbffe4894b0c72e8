#!/usr/bin/env bash
# The Kubernetes API source against a test API server (containers_kube.py) over TLS with a CA made
# here by openssl: pods of all namespaces page by page, the server holding the pods recorded in
# tests/data/containers/pods.json. kubeconfigs with certificate-authority-data + token, a CA file
# (relative path) + client certificate and key files, client certificate/key data, and
# insecure-skip-tls-verify. The snapshot equals the one of the same document read as a file.
# Refusals: a wrong token (401), an unknown CA, a truncated page (URL and byte offset named).
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SRC:?}" "${LADING_WORK:?}" "${LADING_TESTDATA:?}"
for t in openssl python3 jq; do
	command -v "$t" > /dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
. "$LADING_SRC/tests/integration/census_lib.bash"
W="$LADING_WORK/containers_kube"
rm -rf "$W"; mkdir -p "$W/pki"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
L() { "$LADING_BIN" "$@"; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done' EXIT

cd "$W/pki"
mk_ca() { # NAME
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days 2 -subj "/CN=$1" 2> /dev/null
}
mk_cert() { # NAME CA SUBJECT EXT
	openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$3" 2> /dev/null
	printf '%s\n' "$4" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -out "$1.crt" -days 2 \
		-extfile "$1.ext" 2> /dev/null
}
mk_ca ca
mk_ca otherca
mk_cert server ca "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,DNS:localhost"
mk_cert client ca "/CN=admin/O=system:masters" "extendedKeyUsage=clientAuth"
cd - > /dev/null
TOKEN="lading-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

start_api() { # NAME EXTRA-ARGS... ; sets PORT
	PORT=$(free_port)
	python3 "$LADING_SRC/tests/integration/containers_kube.py" --port "$PORT" --cert "$W/pki/server.crt" \
		--key "$W/pki/server.key" --client-ca "$W/pki/ca.crt" --token "$TOKEN" \
		--pods "$LADING_TESTDATA/containers/pods.json" --log "$W/$1.log" "${@:2}" > "$W/$1.out" 2>&1 &
	PIDS+=($!)
	wait_port "$PORT" 20 || { echo "FAIL: test API server $1 did not start"; cat "$W/$1.out"; exit 1; }
}
b64() { base64 -w0 "$1"; }
kubeconfig() { # FILE PORT CLUSTER-LINES USER-LINES
	cat > "$1" << EOC
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: unused
  cluster:
    server: https://192.0.2.1:6443
- name: test-cluster
  cluster:
    server: https://127.0.0.1:$2
$3
contexts:
- name: other
  context: {cluster: unused, user: nobody}
- name: test
  context:
    cluster: test-cluster
    user: test-user
    namespace: default
users:
- name: test-user
  user:
$4
EOC
}

start_api paged --max-page 1
P=$PORT
kubeconfig "$W/token.yaml" "$P" "    certificate-authority-data: $(b64 "$W/pki/ca.crt")" "    token: $TOKEN"
kubeconfig "$W/pki/certfiles.yaml" "$P" "    certificate-authority: ca.crt" \
	"    client-certificate: client.crt
    client-key: client.key"
kubeconfig "$W/certdata.yaml" "$P" "    certificate-authority-data: $(b64 "$W/pki/ca.crt")" \
	"    client-certificate-data: $(b64 "$W/pki/client.crt")
    client-key-data: $(b64 "$W/pki/client.key")"
kubeconfig "$W/insecure.yaml" "$P" "    insecure-skip-tls-verify: true" "    token: $TOKEN"
kubeconfig "$W/wrongtoken.yaml" "$P" "    certificate-authority-data: $(b64 "$W/pki/ca.crt")" "    token: nope"
kubeconfig "$W/wrongca.yaml" "$P" "    certificate-authority-data: $(b64 "$W/pki/otherca.crt")" "    token: $TOKEN"

L containers list --from "$LADING_TESTDATA/containers/pods.json" --format json > "$W/file.json"
norm() { jq -S '.containers | map(del(.source))' "$1"; }
for k in token pki/certfiles certdata insecure; do
	: > "$W/paged.log"
	if ! L containers list --kubeconfig "$W/$k.yaml" --format json > "$W/$(basename $k).json" 2> "$W/$(basename $k).err"; then
		bad "$k: $(cat "$W/$(basename $k).err")"; continue
	fi
	cmp -s <(norm "$W/$(basename $k).json") <(norm "$W/file.json") || { bad "$k: API snapshot differs from the file"; diff <(norm "$W/$(basename $k).json") <(norm "$W/file.json") | head; }
	[ "$(jq -r .format "$W/$(basename $k).json")" = kubernetes ] || bad "$k: format"
	[ "$(jq -r '.containers[0].source' "$W/$(basename $k).json")" = kube:test-cluster ] || bad "$k: source name"
	# 4 pods, one per page: 4 requests, the later ones with the continue token
	[ "$(grep -c '^/api/v1/pods?limit=500' "$W/paged.log")" = 4 ] || bad "$k: want 4 page requests: $(cat "$W/paged.log")"
	[ "$(grep -c 'continue=' "$W/paged.log")" = 3 ] || bad "$k: continue token not sent"
	case $k in *cert*) want=cert ;; *) want=token ;; esac
	[ "$(grep -c "auth=$want" "$W/paged.log")" = 4 ] || bad "$k: not authenticated by $want: $(cat "$W/paged.log")"
done
[ "$(jq '[.containers[] | select(.namespace == "shop")] | length' "$W/token.json")" = 2 ] || bad "shop pods"
jq -e '.containers[] | select(.name == "proxy") | .owner == "ReplicaSet/shop-frontend-7d9c6b5f4" and .node == "worker-1" and
	.image_digest == "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c"' "$W/token.json" > /dev/null ||
	bad "proxy record"
L containers list --kubeconfig "$W/token.yaml" --source prod-eu | grep -q "6 containers from prod-eu" || bad "--source"

L containers list --kubeconfig "$W/wrongtoken.yaml" 2> "$W/wt.err" && bad "wrong token accepted"
grep -qi "refused\|401\|auth" "$W/wt.err" || bad "wrong token message: $(cat "$W/wt.err")"
grep -q "$TOKEN\|nope" "$W/wt.err" && bad "a token appears in the message"
L containers list --kubeconfig "$W/wrongca.yaml" 2> "$W/wc.err" && bad "unknown CA accepted"
grep -qi "certificate\|SSL" "$W/wc.err" || bad "unknown CA message: $(cat "$W/wc.err")"
L containers list --kubeconfig "$W/token.yaml" --context other 2> "$W/ctx.err" && bad "context with unknown user accepted"
grep -q "nobody" "$W/ctx.err" || bad "context message: $(cat "$W/ctx.err")"

start_api broken --max-page 2 --break-page 2
kubeconfig "$W/broken.yaml" "$PORT" "    certificate-authority-data: $(b64 "$W/pki/ca.crt")" "    token: $TOKEN"
L containers list --kubeconfig "$W/broken.yaml" 2> "$W/br.err" && bad "truncated page accepted"
grep -q "127.0.0.1:$PORT/api/v1/pods" "$W/br.err" && grep -q "byte" "$W/br.err" || bad "truncated page message: $(cat "$W/br.err")"
grep -q "$TOKEN" "$W/br.err" && bad "token in message"

# --- exec credential plugins (client.authentication.k8s.io), as kubectl runs them: the command
# (relative to the kubeconfig's directory, or looked up in PATH) with its args and env, the
# ExecCredential in KUBERNETES_EXEC_INFO, a token or a client certificate printed back
mkdir -p "$W/plugins" "$W/bin"
cat > "$W/plugins/token.sh" << EOP
#!/bin/sh
printf '%s\n' "\$*" > "$W/plugin-args"
printf '%s\n' "\$LADING_PLUGIN_ENV" > "$W/plugin-env"
printf '%s\n' "\$KUBERNETES_EXEC_INFO" > "$W/plugin-info"
[ "\$1" = --cluster ] && [ "\$2" = test ] && [ "\$LADING_PLUGIN_ENV" = ok ] || { echo "bad arguments" >&2; exit 2; }
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2030-01-01T00:00:00Z"}}\n' \
	"\${API:-client.authentication.k8s.io/v1}" "$TOKEN"
EOP
jq -n --rawfile c "$W/pki/client.crt" --rawfile k "$W/pki/client.key" \
	'{apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: {clientCertificateData: $c, clientKeyData: $k}}' \
	> "$W/plugins/cert.json"
printf '#!/bin/sh\ncat "%s"\n' "$W/plugins/cert.json" > "$W/bin/lading-cert-plugin"
printf '#!/bin/sh\necho "error: token expired, run login first" >&2\nexit 1\n' > "$W/plugins/fail.sh"
printf '#!/bin/sh\nhead -c 3000000 /dev/zero\n' > "$W/plugins/big.sh"
chmod +x "$W/plugins/"*.sh "$W/bin/lading-cert-plugin"
execcfg() { # FILE API COMMAND [ARGS-AND-ENV-LINES]
	kubeconfig "$1" "$P" "    certificate-authority-data: $(b64 "$W/pki/ca.crt")" "    exec:
      apiVersion: $2
      command: $3
      interactiveMode: Never
      provideClusterInfo: true
${4:-}"
}
execcfg "$W/exec-token.yaml" client.authentication.k8s.io/v1 ./plugins/token.sh "      args: [--cluster, test]
      env:
      - name: LADING_PLUGIN_ENV
        value: ok"
execcfg "$W/exec-cert.yaml" client.authentication.k8s.io/v1beta1 lading-cert-plugin
execcfg "$W/exec-fail.yaml" client.authentication.k8s.io/v1 ./plugins/fail.sh
execcfg "$W/exec-big.yaml" client.authentication.k8s.io/v1 ./plugins/big.sh
execcfg "$W/exec-api.yaml" client.authentication.k8s.io/v1beta1 ./plugins/token.sh "      args: [--cluster, test]
      env:
      - name: LADING_PLUGIN_ENV
        value: ok"
execcfg "$W/exec-missing.yaml" client.authentication.k8s.io/v1 ./plugins/none.sh
execcfg "$W/exec-old.yaml" client.authentication.k8s.io/v1alpha1 ./plugins/token.sh
: > "$W/paged.log"
L containers list --kubeconfig "$W/exec-token.yaml" --format json > "$W/exec-token.json" 2> "$W/exec-token.err" ||
	bad "exec token plugin: $(cat "$W/exec-token.err")"
cmp -s <(norm "$W/exec-token.json") <(norm "$W/file.json") || bad "exec token: snapshot differs from the file"
[ "$(grep -c "auth=token" "$W/paged.log")" = 4 ] || bad "exec token: not authenticated by the token: $(cat "$W/paged.log")"
[ "$(cat "$W/plugin-args")" = "--cluster test" ] || bad "exec: args $(cat "$W/plugin-args")"
jq -e --arg s "https://127.0.0.1:$P" '.kind == "ExecCredential" and .apiVersion == "client.authentication.k8s.io/v1" and
	.spec.interactive == false and .spec.cluster.server == $s and (.spec.cluster["certificate-authority-data"] | length > 0)' \
	"$W/plugin-info" > /dev/null || bad "exec: KUBERNETES_EXEC_INFO $(cat "$W/plugin-info")"
: > "$W/paged.log"
PATH="$W/bin:$PATH" L containers list --kubeconfig "$W/exec-cert.yaml" --format json > "$W/exec-cert.json" 2> "$W/exec-cert.err" ||
	bad "exec certificate plugin (PATH, v1beta1): $(cat "$W/exec-cert.err")"
[ "$(grep -c "auth=cert" "$W/paged.log")" = 4 ] || bad "exec cert: not authenticated by the certificate: $(cat "$W/paged.log")"
L containers list --kubeconfig "$W/exec-fail.yaml" > /dev/null 2> "$W/exec-fail.err" && bad "a failing plugin accepted"
grep -q "exited with status 1: error: token expired, run login first" "$W/exec-fail.err" || bad "failing plugin message: $(cat "$W/exec-fail.err")"
L containers list --kubeconfig "$W/exec-big.yaml" > /dev/null 2> "$W/exec-big.err" && bad "a 3 MB plugin answer accepted"
grep -q "wrote more than" "$W/exec-big.err" || bad "big plugin message: $(cat "$W/exec-big.err")"
API=client.authentication.k8s.io/v1 L containers list --kubeconfig "$W/exec-api.yaml" > /dev/null 2> "$W/exec-api.err" &&
	bad "an ExecCredential of another apiVersion accepted"
grep -q "did not print an ExecCredential of client.authentication.k8s.io/v1beta1" "$W/exec-api.err" || bad "apiVersion message: $(cat "$W/exec-api.err")"
L containers list --kubeconfig "$W/exec-missing.yaml" > /dev/null 2> "$W/exec-missing.err" && bad "a missing plugin accepted"
grep -q "cannot run .*plugins/none.sh" "$W/exec-missing.err" || bad "missing plugin message: $(cat "$W/exec-missing.err")"
L containers list --kubeconfig "$W/exec-old.yaml" > /dev/null 2> "$W/exec-old.err" && bad "v1alpha1 accepted"
grep -q "apiVersion" "$W/exec-old.err" || bad "v1alpha1 message: $(cat "$W/exec-old.err")"
grep -q "$TOKEN" "$W"/exec-*.err "$W"/exec-*.json && bad "a token appears in the output"

[ $fail = 0 ] && echo "containers_kube: ok"
exit $fail

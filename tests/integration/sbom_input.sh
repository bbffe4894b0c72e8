#!/usr/bin/env bash
# SBOM documents as input: for each image, `lading sbom IMAGE -f cyclonedx|spdx|json` and then
# `lading scan sbom:THAT` give the same findings as `lading scan IMAGE` (id, package, version,
# type, severity, status, fixed versions, KEV), and the same OS and image digest. The database
# is the shared feeds plus a Debian list that names a bookworm fix for every source package of
# the Debian images (the shared lists end before bookworm), so Debian findings exist to compare;
# the PyPI feed checks that os-managed Python packages stay left to the distribution's feed.
# Also: --sbom FILE, standard input, `lading sbom sbom:FILE` conversions, and refusals.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_SHARED:?}" "${LADING_WORK:?}" "${LADING_SRC:?}" "${LADING_BUILD:?}"
L=$LADING_BIN
SH=$LADING_SHARED
W="$LADING_WORK/sbom_input"
rm -rf "$W"
mkdir -p "$W/mirror/debian"
FAILS=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

IMAGES=("rootfs-tar:$SH/images/alpine/alpine-minirootfs-3.7.3-x86_64.tar.gz"
	"docker-archive:$SH/images/docker-archive/alpine-3.9.6.tar"
	"oci:$SH/images/oci/alpine-3.20.3-twolayer")
TI=${LADING_TESTIMAGES:-$LADING_BUILD/testimages}
if [ "$(id -u)" -eq 0 ]; then
	bash "$LADING_SRC/tests/setup/debian-images.sh" "$TI" > "$W/setup.log" 2>&1 || { cat "$W/setup.log"; exit 1; }
	bash "$LADING_SRC/tests/setup/lang-images.sh" "$TI" >> "$W/setup.log" 2>&1 || { cat "$W/setup.log"; exit 1; }
	IMAGES+=("$TI/debian-minbase" "docker-archive:$TI/debian-multi.tar" "$TI/lang")
else
	echo "note: not root, the Debian test images are skipped"
fi

# --- SBOMs of every image (also the input of the synthetic Debian list)
n=0
for img in "${IMAGES[@]}"; do
	n=$((n + 1))
	for f in cyclonedx spdx json; do
		"$L" sbom -q -f $f "$img" -o "$W/$n.$f" || fail "sbom -f $f $img"
	done
done
# every source package of the Debian images gets a bookworm fix above any real version
{
	for j in "$W"/*.json; do
		jq -r 'select(.image.os.id == "debian") | .packages[] | select(.type == "deb") | .source.name' "$j"
	done
} | sort -u | awk '{ printf "[01 Jan 2030] DSA-9%04d-1 %s - security update\n\t{CVE-2099-%05d}\n\t[bookworm] - %s 99:0-1\n", NR, $1, NR, $1 }' \
	> "$W/mirror/debian/DSA.list"
cp "$SH/vulndata/debian/DLA.list" "$W/mirror/debian/"
for d in alpine-secdb osv kev epss nvd; do ln -s "$SH/vulndata/$d" "$W/mirror/$d"; done
"$L" db build --mirror "$W/mirror" --db "$W/db.sqlite" > "$W/db.log" 2>&1 || { cat "$W/db.log"; exit 1; }
DB="$W/db.sqlite"

# the findings as a sorted list of what must survive the round trip
findings() {
	jq -c '[.vulnerabilities[] | [.id, .package, .version, .type, .source_package, .layer.index, .severity,
		.status, .fixed_versions, .kev, .suppressed]] | sort' "$1"
}
head_of() { jq -c '[.image.os.id, .image.os.version, .image.digest, .summary.packages]' "$1"; }

n=0
total=0
for img in "${IMAGES[@]}"; do
	n=$((n + 1))
	"$L" scan -q --db "$DB" -f json "$img" -o "$W/$n.scan" || fail "scan $img"
	findings "$W/$n.scan" > "$W/$n.want"
	head_of "$W/$n.scan" > "$W/$n.whead"
	c=$(jq length "$W/$n.want")
	total=$((total + c))
	for f in cyclonedx spdx json; do
		"$L" scan -q --db "$DB" -f json "sbom:$W/$n.$f" -o "$W/$n.$f.scan" || { fail "scan sbom:$n.$f ($img)"; continue; }
		findings "$W/$n.$f.scan" > "$W/$n.$f.got"
		if ! cmp -s "$W/$n.want" "$W/$n.$f.got"; then
			fail "$img: scan of its $f SBOM differs from the image's scan ($c findings)"
			diff <(jq -c '.[]' "$W/$n.want") <(jq -c '.[]' "$W/$n.$f.got") | head -5
		fi
		head_of "$W/$n.$f.scan" > "$W/$n.$f.head"
		cmp -s "$W/$n.whead" "$W/$n.$f.head" || fail "$img ($f): OS/digest/packages $(cat "$W/$n.$f.head"), want $(cat "$W/$n.whead")"
		[ "$(jq -r .source.type "$W/$n.$f.scan")" = sbom ] || fail "$f: source type is not sbom"
	done
	echo "$img: $c findings, same from cyclonedx, spdx and json"
done
[ "$total" -gt 50 ] || fail "only $total findings in all: the comparison says little"

# every SBOM records in an inventory store (SPDX names only the layers that hold packages)
for f in "$W"/[0-9]*.cyclonedx "$W"/[0-9]*.spdx "$W"/[0-9]*.json; do
	"$L" inventory add -q --store "sqlite:$W/inv.sqlite" --db "$DB" "sbom:$f" > /dev/null 2> "$W/inv.err" ||
		fail "inventory add sbom:$(basename "$f"): $(cat "$W/inv.err")"
done
"$L" inventory check --store "sqlite:$W/inv.sqlite" > "$W/check.out" 2>&1 || fail "inventory check: $(cat "$W/check.out")"

# --sbom FILE and standard input give the same
"$L" scan -q --db "$DB" -f json --sbom "$W/1.cyclonedx" -o "$W/opt.scan" || fail "scan --sbom"
cmp -s <(findings "$W/opt.scan") "$W/1.want" || fail "scan --sbom differs"
"$L" scan -q --db "$DB" -f json sbom:- < "$W/1.spdx" > "$W/stdin.scan" || fail "scan sbom:- (stdin)"
cmp -s <(findings "$W/stdin.scan") "$W/1.want" || fail "scan sbom:- differs"
# policy gates work on an SBOM as on an image
if [ "$(jq length "$W/1.want")" -gt 0 ]; then
	rc=0
	"$L" scan -q --db "$DB" --fail-on unknown "sbom:$W/1.json" > /dev/null || rc=$?
	[ "$rc" = 1 ] || fail "--fail-on on an SBOM: exit $rc, want 1"
fi
# conversion: cyclonedx -> spdx -> json keeps the packages
"$L" sbom -q -f spdx "sbom:$W/1.cyclonedx" -o "$W/conv.spdx" || fail "sbom sbom:cyclonedx -f spdx"
"$L" sbom -q -f json "sbom:$W/conv.spdx" -o "$W/conv.json" || fail "sbom sbom:spdx -f json"
pk() { jq -c '[.packages[] | [.type, .name, .version, .purl]] | sort' "$1"; }
cmp -s <(pk "$W/1.json") <(pk "$W/conv.json") || fail "cyclonedx -> spdx -> json changed the packages"

# refusals: clean messages, exit 3
printf '{"bomFormat":"CycloneDX","specVersion":"2.0","components":[]}' > "$W/bad1"
printf '{"hello":1}' > "$W/bad2"
printf '{"spdxVersion":"SPDX-2.3","packages":[' > "$W/bad3"
for b in bad1 bad2 bad3 missing; do
	rc=0
	"$L" scan -q --db "$DB" "sbom:$W/$b" > /dev/null 2> "$W/$b.err" || rc=$?
	[ "$rc" = 3 ] || fail "sbom:$b: exit $rc, want 3"
	grep -q "$b" "$W/$b.err" || fail "sbom:$b: the message does not name the file: $(cat "$W/$b.err")"
done

# an SBOM another scanner wrote (Trivy's shapes: bare distro qualifier, SrcName properties)
cat > "$W/trivy.cdx" <<'EOF'
{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"type":"container","name":"alpine:3.7",
 "properties":[{"name":"aquasecurity:trivy:ImageID","value":"sha256:1111111111111111111111111111111111111111111111111111111111111111"}]}},
 "components":[{"type":"library","name":"musl","version":"1.1.18-r3","purl":"pkg:apk/alpine/musl@1.1.18-r3?arch=x86_64&distro=3.7.3",
 "properties":[{"name":"aquasecurity:trivy:SrcName","value":"musl"},{"name":"aquasecurity:trivy:SrcVersion","value":"1.1.18-r3"}]}]}
EOF
"$L" scan -q --db "$DB" -f json "sbom:$W/trivy.cdx" -o "$W/trivy.scan" || fail "scan of a Trivy-shaped SBOM"
[ "$(jq -r .image.os.id "$W/trivy.scan")" = alpine ] || fail "Trivy SBOM: OS from the distro qualifier"
[ "$(jq -r .image.digest "$W/trivy.scan")" = "sha256:$(printf '1%.0s' $(seq 64))" ] || fail "Trivy SBOM: image ID"
jq -e '[.vulnerabilities[] | select(.package == "musl")] | length > 0' "$W/trivy.scan" > /dev/null ||
	fail "Trivy SBOM: musl 1.1.18-r3 on Alpine 3.7 has no finding"

[ "$FAILS" = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "ok: $total findings compared"

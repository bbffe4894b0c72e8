#!/usr/bin/env bash
# Language packages in a real image built by tests/setup/lang-images.sh (Debian minbase + apt-get
# Python/Java/Ruby packages + an npm project installed from the registry + lockfile-only
# projects + a war + an egg, then an npm upgrade and removal): the inventory equals what each
# ecosystem's own tool reports on the same root filesystem (Python's importlib.metadata, npm
# query, unzip -p of pom.properties, gem list), lockfile-only projects give their lockfiles'
# packages, and packages are attributed to the layer that brought them.
set -euo pipefail
: "${LADING_BIN:?}" "${LADING_BUILD:?}" "${LADING_WORK:?}" "${LADING_SRC:?}" "${LADING_TESTDATA:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: building images needs root"; exit 77; fi
command -v npm >/dev/null || { echo "SKIP: needs npm"; exit 77; }
T=${LADING_TESTIMAGES:-$LADING_BUILD/testimages}
bash "$LADING_SRC/tests/setup/lang-images.sh" "$T"
W="$LADING_WORK/lang_image"; rm -rf "$W"; mkdir -p "$W"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
same() { # what expected ours
  if ! diff -u "$2" "$3" > "$W/$1.diff"; then bad "$1 differs from the reference"; head -30 "$W/$1.diff"; fi
}

J="$W/lang.json"
"$LADING_BIN" sbom --format json "$T/lang" -o "$J"
pk() { jq -r ".packages[] | select($1) | $2 | @tsv" "$J"; }

# Python: what the image's interpreter sees on its sys.path
pk '.type == "pypi" and (.location | startswith("/usr/lib/python3"))' '[.name, .version]' | sort -u > "$W/pypi"
same pypi "$T/lang.expected.pypi" "$W/pypi"
[ "$(pk '.type == "pypi" and .location == "/srv/Tiny_Egg-0.1-py3.11.egg"' '[.name, .version, .purl]')" = \
  "$(printf 'Tiny_Egg\t0.1\tpkg:pypi/tiny-egg@0.1')" ] || bad "zipped egg"
[ "$(pk '.name == "PyYAML"' '[.purl, .found_by]')" = "$(printf 'pkg:pypi/pyyaml@6.0\tpython')" ] || bad "PyYAML purl"

# npm: the installed tree of /app as npm query loads it (location, name, version)
pk '.type == "npm" and .found_by == "npm" and (.location | startswith("/app/"))' '[.location, .name, .version]' |
  sort > "$W/npm"
same npm "$T/lang.expected.npm" "$W/npm"
# /app's lockfile lists only what is installed (and development packages): nothing from it
[ -z "$(pk '.location == "/app/package-lock.json"' '[.name]')" ] || bad "/app/package-lock.json entries reported besides the installed ones"
# lockfile-only projects: their lockfiles' packages (yarn records no development flag)
cp "$LADING_TESTDATA/lang/npm/expected-lock.tsv" "$W/lock.expected"
(cat "$W/lock.expected"; printf 'left-pad\t1.3.0\n') | sort > "$W/lock.expected.yarn"
for p in yarn-classic:yarn.lock:yarn-lock:lock.expected.yarn yarn-berry:yarn.lock:yarn-lock:lock.expected.yarn \
         pnpm:pnpm-lock.yaml:pnpm-lock:lock.expected; do
  IFS=: read -r dir file by exp <<< "$p"
  pk ".location == \"/srv/$dir/$file\" and .found_by == \"$by\"" '[.name, .version]' | sort > "$W/$dir"
  same "$dir" "$W/$exp" "$W/$dir"
done
[ "$(pk '.name == "@babel/code-frame" and .found_by == "npm"' '[.purl]')" = "pkg:npm/%40babel/code-frame@7.0.0" ] || bad "scoped purl"
[ "$(pk '.location == "/app/node_modules/string-width-cjs/package.json"' '[.name, .version]')" = "$(printf 'string-width\t4.2.3')" ] ||
  bad "an npm alias is the real package"

# Java: every pom.properties, in jars and in the jars nested in the war
pk '.type == "maven"' '[.location, .name, .version]' | sort -u > "$W/maven.all"
cut -f1 "$T/lang.expected.maven" | sort -u > "$W/maven.files"
# (the war itself has no pom.properties: it is named after its file)
war_self=$(printf '/srv/shop-1.4.war\tshop\t1.4')
grep -x -F "$war_self" "$W/maven.all" >/dev/null || bad "the war's own package from its file name"
grep -F -f "$W/maven.files" "$W/maven.all" | grep -v -x -F "$war_self" > "$W/maven" || true
same maven "$T/lang.expected.maven" "$W/maven"
# jars without pom.properties: at most one package each, from their manifest or file name
grep -v -F -f "$W/maven.files" "$W/maven.all" > "$W/maven.rest" || true
[ "$(cut -f1 "$W/maven.rest" | sort | uniq -d)" = "" ] || bad "a jar without pom.properties gave several packages"
echo "jars without pom.properties: $(wc -l < "$W/maven.rest") packages from manifests/file names"

# Ruby: gem list (default gems included)
pk '.type == "gem"' '[.name, .version]' | sort -u > "$W/gem"
same gem "$T/lang.expected.gem" "$W/gem"

# Composer, Cargo, .NET (files copied from tests/data/lang)
[ "$(pk '.type == "composer"' '[.purl]' | sort | tr '\n' ' ')" = "pkg:composer/monolog/monolog@2.9.1 pkg:composer/phpunit/phpunit@9.6.8 pkg:composer/psr/log@3.0.0 pkg:composer/symfony/polyfill-mbstring@v1.27.0 " ] ||
  bad "composer packages"
[ "$(pk '.type == "cargo"' '[.name]' | wc -l)" = 5 ] || bad "Cargo.lock packages"
[ "$(pk '.type == "nuget"' '[.purl]' | sort | tr '\n' ' ')" = "pkg:nuget/Newtonsoft.Json@13.0.1 pkg:nuget/Serilog@2.10.0 " ] || bad "nuget packages"

# layers: 0 debootstrap, 1 apt-get, 2 npm install and files, 3 npm upgrade/removal
layer() { pk "$1" '[.layer.index]' | sort -u | tr '\n' ' '; }
[ "$(layer '.name == "PyYAML"')" = "1 " ] || bad "PyYAML should come from layer 1: $(layer '.name == "PyYAML"')"
[ "$(layer '.name == "org.apache.logging.log4j:log4j-core" and .location == "/usr/share/java/log4j-core.jar"')" = "1 " ] || bad "log4j-core layer"
[ "$(layer '.name == "express"')" = "2 " ] || bad "express should come from layer 2"
[ "$(layer '.location == "/srv/shop-1.4.war"')" = "2 " ] || bad "war layer"
[ "$(pk '.name == "lodash" and .found_by == "npm"' '[.version, .layer.index]')" = "$(printf '4.17.21\t3')" ] ||
  bad "lodash 4.17.21 should come from layer 3: $(pk '.name == "lodash"' '[.version, .layer.index]')"
[ -z "$(pk '.name == "moment"' '[.version]')" ] || bad "moment was removed in layer 3 but is listed"

# every language package has a location and a purl of its type
jq -e '[.packages[] | select(.type != "deb") | .type as $t | (.location | startswith("/")) and (.purl | startswith("pkg:" + $t + "/"))] | all' "$J" >/dev/null ||
  bad "locations or purls"
echo "$(jq -c .summary.by_type "$J")"
exit $fail

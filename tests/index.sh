#!/bin/sh
# index.sh - engines.json and the packages: digests and sizes equal
# sha256sum and stat, latest versions in each version scheme, the cache
# (warm runs read nothing; stale, damaged or missing caches are rebuilt),
# lastUpdated, verify, determinism, and the JSON Schema (ajv).
set -u
top=$(pwd)
gen="${GEN:-$top/build/gen}"
tmp="$top/build/tmp/index"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL index: $*" >&2; }

rm -rf "$tmp"
mkdir -p "$tmp"
/usr/bin/python3 scripts/mksamples "$tmp/packages" >/dev/null || { echo "index: 0 passed, 1 failed"; exit 1; }
g() { "$gen" -q -p "$tmp/packages" -o "$tmp/site" "$@"; }

g index && ok || no "gen index on the samples"
json="$tmp/site/engines.json"

# Every package's size and digest are those of stat and sha256sum.
n=0
bad=0
for f in $(find "$tmp/packages" -name '*.baiengine' | sort); do
	n=$((n + 1))
	sum=$(sha256sum "$f" | cut -c1-64)
	size=$(stat -c %s "$f")
	base=$(basename "$f")
	/usr/bin/python3 - "$json" "$base" "$sum" "$size" <<'PY' || bad=$((bad + 1))
import json, sys
d = json.load(open(sys.argv[1]))
hits = [p for e in d["engines"] for v in e["versions"] for p in v["packages"]
        if p["filename"] == sys.argv[2]]
sys.exit(0 if hits and all(p["sha256"] == sys.argv[3] and p["size"] == int(sys.argv[4])
                           for p in hits) else 1)
PY
done
[ "$n" -ge 40 ] && [ "$bad" = 0 ] && ok || no "sizes or digests differ from stat/sha256sum ($bad of $n)"

# latestVersion in each scheme: build numbers, semver with a pre-release, CalVer.
latest=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (e["id"], e["latestVersion"]) for e in d["engines"]))' "$json")
[ "$latest" = "llama-cpp=b4620 whisper-cpp=1.8.0 sd-cpp=26.4.20" ] && ok || no "latest versions: $latest"
order=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(v["version"] for e in d["engines"] for v in e["versions"]))' "$json")
[ "$order" = "b4620 b4618 1.8.0 1.8.0-rc.1 1.7.4 26.4.20 26.1.29" ] && ok || no "version order: $order"
# packages is the latest version's list.
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(e["packages"] == e["versions"][0]["packages"] for e in d["engines"]) else 1)' "$json" && ok || no "packages is not the latest version's"

# The JSON Schema published beside it, checked by a real validator.
[ -f "$tmp/site/schema/engines.schema.json" ] && ok || no "schema not published"
node tests/validate-schema.js "$tmp/site/schema/engines.schema.json" "$json" && ok || no "engines.json fails its schema"

# Warm: nothing is read; same bytes.
cp "$json" "$tmp/first.json"
"$gen" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err" && ok || no "warm index"
grep -q 'none changed since the last index' "$tmp/err" && ok || no "warm run did not see that nothing changed: $(cat "$tmp/err")"
# Without the last index's stamp, the cache still spares every read.
rm -f "$top"/.gen/index-*
"$gen" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q ', 0 read$' "$tmp/err" && ok || no "warm run read packages: $(grep 'from the cache' "$tmp/err")"
cmp -s "$json" "$tmp/first.json" && ok || no "warm run changed engines.json"

# lastUpdated is carried over when nothing changed, and follows SOURCE_DATE_EPOCH.
SOURCE_DATE_EPOCH=1736467200 g index && grep -q '"lastUpdated": "2025-01-10T00:00:00Z"' "$json" && ok || no "SOURCE_DATE_EPOCH ignored"
SOURCE_DATE_EPOCH=1736467200 g index && cmp -s "$json" "$tmp/site/engines.json" && ok || no "rerun differs"
g index && grep -q '"lastUpdated": "2025-01-10T00:00:00Z"' "$json" && ok || no "lastUpdated not carried over when nothing changed"
SOURCE_DATE_EPOCH=soon g index 2>/dev/null; [ $? = 65 ] && ok || no "bad SOURCE_DATE_EPOCH accepted"

# The kept index is not fooled: an engines.json edited by hand, or a manifest
# whose description changed, makes a new one.
sed -i 's/"llama.cpp"/"llama-edited"/' "$json"
g index && grep -q '"name": "llama.cpp"' "$json" && ok || no "an edited engines.json was kept"
cp manifest.yml "$tmp/manifest.yml"
cp -R docs "$tmp/docs"
sed -i 's/^    description: LLM inference/    description: Fast LLM inference/' "$tmp/manifest.yml"
"$gen" -q -m "$tmp/manifest.yml" -p "$tmp/packages" -o "$tmp/site" index &&
	grep -q '"description": "Fast LLM inference' "$json" && ok || no "a manifest change did not reach engines.json"
g index

# A damaged cache is rebuilt, not trusted: rewrite a digest in it (and drop
# the last index's stamp, so that the cache is read at all).
rm -f "$top"/.gen/index-*
sed -i '2s/\t[0-9a-f]\{64\}\t/\t0000000000000000000000000000000000000000000000000000000000000000\t/' "$tmp/packages/.gen-cache"
"$gen" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q 'damaged; rebuilding' "$tmp/err" && ok || no "damaged cache not noticed"
grep -q 0000000000000000000000000 "$json" && no "damaged cache trusted" || ok
# A stale entry (file changed, same size) is re-read.
f=$(find "$tmp/packages" -name 'sd-cpp-26.4.20-linux-x86_64-cpu.baiengine')
"$gen" -v -p "$tmp/packages" -o "$tmp/site" index 2>/dev/null
touch -d '2020-01-01' "$f"
"$gen" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q ', 1 read$' "$tmp/err" && ok || no "stale entry not re-read: $(grep 'from the cache' "$tmp/err")"
"$gen" -v --no-cache -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q ', 0 from the cache' "$tmp/err" && ok || no "--no-cache used the cache"

# verify: 0 when all match; 1 naming the file after one byte changes.
g verify && ok || no "verify on a fresh index"
cp "$f" "$tmp/keep"
printf 'Z' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
"$gen" -p "$tmp/packages" -o "$tmp/site" verify >"$tmp/out" 2>&1
[ $? = 1 ] && ok || no "verify did not exit 1 after a change"
grep -q "sd-cpp-26.4.20-linux-x86_64-cpu.baiengine" "$tmp/out" && ok || no "verify did not name the file"
cp "$tmp/keep" "$f"
rm "$f"
"$gen" -p "$tmp/packages" -o "$tmp/site" verify >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q '^missing: sd-cpp-26.4.20-linux-x86_64-cpu.baiengine' "$tmp/out" && ok || no "verify missing file"
cp "$tmp/keep" "$f"

# Deterministic: a copy of the packages elsewhere gives the same index.
cp -R "$tmp/packages" "$tmp/packages2"
rm -f "$tmp/packages2/.gen-cache"
SOURCE_DATE_EPOCH=1736467200 "$gen" -q -p "$tmp/packages2" -o "$tmp/site2" index && ok || no "index of a copy"
SOURCE_DATE_EPOCH=1736467200 g index
cmp -s "$tmp/site/engines.json" "$tmp/site2/engines.json" && ok || no "same packages, different engines.json"

# One worker or many: same output.
SOURCE_DATE_EPOCH=1736467200 "$gen" -q -j 1 --no-cache -p "$tmp/packages2" -o "$tmp/site3" index
cmp -s "$tmp/site2/engines.json" "$tmp/site3/engines.json" && ok || no "-j 1 differs"

# The catalog: a failing template leaves site/ exactly as it was (pages are
# written as they are made, so this checks that they are taken back), and
# pages the packages no longer produce are removed, but only those.
SOURCE_DATE_EPOCH=1736467200 "$gen" -q -p "$tmp/packages" -o "$tmp/site" -g "$tmp/generated" build && ok || no "build"
echo keep >"$tmp/site/mine.txt"
cp -R "$tmp/site" "$tmp/site.before"
cp -R templates "$tmp/templates"
echo '{{no_such_key}}' >>"$tmp/templates/site/platforms.html.mustache"
"$gen" -q -t "$tmp/templates" -p "$tmp/packages" -o "$tmp/site" -g "$tmp/generated" build 2>/dev/null
[ $? = 65 ] && ok || no "a broken catalog template did not fail"
diff -r "$tmp/site.before" "$tmp/site" >/dev/null && ok || no "a failed run changed site/"
[ -z "$(find "$tmp/site" -name '.gen-*')" ] && ok || no "gen's own files in site/"
mv "$tmp/packages/sd-cpp" "$tmp/sd-cpp.away"
SOURCE_DATE_EPOCH=1736467200 "$gen" -q -p "$tmp/packages" -o "$tmp/site" -g "$tmp/generated" build && ok || no "build without sd-cpp"
[ ! -e "$tmp/site/engines/sd-cpp/index.html" ] && ok || no "the page of a removed engine stayed"
[ -e "$tmp/site/mine.txt" ] && ok || no "a file gen never wrote was removed"
mv "$tmp/sd-cpp.away" "$tmp/packages/sd-cpp"

echo "index: $pass passed, $fail failed"
[ $fail = 0 ]

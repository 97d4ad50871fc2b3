#!/bin/sh
# index.sh - engines.json and the packages: digests and sizes equal
# sha256sum and stat, latest versions in each version scheme, the cache
# (warm runs read nothing; stale, damaged or missing caches are rebuilt),
# lastUpdated, verify, determinism, the JSON Schema (ajv), and releaseDate
# across rebuilds (issue 8).
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
# Every run is made with SOURCE_DATE_EPOCH set, unless a check unsets it;
# gen's state folder is $tmp/state, not the repository's .gen/.
export SOURCE_DATE_EPOCH=1736467200
g() { "$gen" --state "$tmp/state" -q -p "$tmp/packages" -o "$tmp/site" "$@"; }

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
"$gen" --state "$tmp/state" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err" && ok || no "warm index"
grep -q 'none changed since the last index' "$tmp/err" && ok || no "warm run did not see that nothing changed: $(cat "$tmp/err")"
# Without the last index's stamp, the cache still spares every read.
rm -f "$tmp"/state/index-*
"$gen" --state "$tmp/state" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q ', 0 read$' "$tmp/err" && ok || no "warm run read packages: $(grep 'from the cache' "$tmp/err")"
cmp -s "$json" "$tmp/first.json" && ok || no "warm run changed engines.json"

# lastUpdated is carried over when nothing changed, and follows SOURCE_DATE_EPOCH.
SOURCE_DATE_EPOCH=1736467200 g index && grep -q '"lastUpdated": "2025-01-10T00:00:00Z"' "$json" && ok || no "SOURCE_DATE_EPOCH ignored"
SOURCE_DATE_EPOCH=1736467200 g index && cmp -s "$json" "$tmp/site/engines.json" && ok || no "rerun differs"
(unset SOURCE_DATE_EPOCH; g index) && grep -q '"lastUpdated": "2025-01-10T00:00:00Z"' "$json" && ok || no "lastUpdated not carried over when nothing changed"
SOURCE_DATE_EPOCH=soon g index 2>/dev/null; [ $? = 65 ] && ok || no "bad SOURCE_DATE_EPOCH accepted"

# The kept index is not fooled: an engines.json edited by hand, or a manifest
# whose description changed, makes a new one.
sed -i 's/"llama\.cpp"/"llama-edited"/' "$json"
g index && grep -q '"name": "llama.cpp"' "$json" && ok || no "an edited engines.json was kept"
cp manifest.yml "$tmp/manifest.yml"
cp -R docs "$tmp/docs"
sed -i 's/^    description: LLM inference/    description: Fast LLM inference/' "$tmp/manifest.yml"
"$gen" --state "$tmp/state" -q -m "$tmp/manifest.yml" -p "$tmp/packages" -o "$tmp/site" index &&
	grep -q '"description": "Fast LLM inference' "$json" && ok || no "a manifest change did not reach engines.json"
g index

# A damaged cache is rebuilt, not trusted: rewrite a digest in it (and drop
# the last index's stamp, so that the cache is read at all).
rm -f "$tmp"/state/index-*
sed -i '2s/\t[0-9a-f]\{64\}\t/\t0000000000000000000000000000000000000000000000000000000000000000\t/' "$tmp"/state/cache-*
"$gen" --state "$tmp/state" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q 'damaged; rebuilding' "$tmp/err" && ok || no "damaged cache not noticed"
grep -q 0000000000000000000000000 "$json" && no "damaged cache trusted" || ok
# A stale entry (file changed, same size) is re-read.
f=$(find "$tmp/packages" -name 'sd-cpp-26.4.20-linux-x86_64-cpu.baiengine')
"$gen" --state "$tmp/state" -v -p "$tmp/packages" -o "$tmp/site" index 2>/dev/null
touch -d '2020-01-01' "$f"
"$gen" --state "$tmp/state" -v -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q ', 1 read$' "$tmp/err" && ok || no "stale entry not re-read: $(grep 'from the cache' "$tmp/err")"
"$gen" --state "$tmp/state" -v --no-cache -p "$tmp/packages" -o "$tmp/site" index 2>"$tmp/err"
grep -q ', 0 from the cache' "$tmp/err" && ok || no "--no-cache used the cache"

# verify: 0 when all match; 1 naming the file after one byte changes.
g verify && ok || no "verify on a fresh index"
cp "$f" "$tmp/keep"
printf 'Z' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
"$gen" --state "$tmp/state" -p "$tmp/packages" -o "$tmp/site" verify >"$tmp/out" 2>&1
[ $? = 1 ] && ok || no "verify did not exit 1 after a change"
grep -q "sd-cpp-26.4.20-linux-x86_64-cpu.baiengine" "$tmp/out" && ok || no "verify did not name the file"
cp "$tmp/keep" "$f"
rm "$f"
"$gen" --state "$tmp/state" -p "$tmp/packages" -o "$tmp/site" verify >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q '^missing: sd-cpp-26.4.20-linux-x86_64-cpu.baiengine' "$tmp/out" && ok || no "verify missing file"
cp "$tmp/keep" "$f"

# Deterministic: a copy of the packages elsewhere gives the same index.
cp -R "$tmp/packages" "$tmp/packages2"
SOURCE_DATE_EPOCH=1736467200 "$gen" --state "$tmp/state" -q -p "$tmp/packages2" -o "$tmp/site2" index && ok || no "index of a copy"
SOURCE_DATE_EPOCH=1736467200 g index
cmp -s "$tmp/site/engines.json" "$tmp/site2/engines.json" && ok || no "same packages, different engines.json"

# One worker or many: same output.
SOURCE_DATE_EPOCH=1736467200 "$gen" --state "$tmp/state" -q -j 1 --no-cache -p "$tmp/packages2" -o "$tmp/site3" index
cmp -s "$tmp/site2/engines.json" "$tmp/site3/engines.json" && ok || no "-j 1 differs"

# The catalog: a failing template leaves site/ exactly as it was (pages are
# written as they are made, so this checks that they are taken back), and
# pages the packages no longer produce are removed, but only those.
SOURCE_DATE_EPOCH=1736467200 "$gen" --state "$tmp/state" -q -p "$tmp/packages" -o "$tmp/site" -g "$tmp/generated" build && ok || no "build"
echo keep >"$tmp/site/mine.txt"
cp -R "$tmp/site" "$tmp/site.before"
cp -R templates "$tmp/templates"
echo '{{no_such_key}}' >>"$tmp/templates/site/platforms.html.mustache"
"$gen" --state "$tmp/state" -q -t "$tmp/templates" -p "$tmp/packages" -o "$tmp/site" -g "$tmp/generated" build 2>/dev/null
[ $? = 65 ] && ok || no "a broken catalog template did not fail"
diff -r "$tmp/site.before" "$tmp/site" >/dev/null && ok || no "a failed run changed site/"
[ -z "$(find "$tmp/site" -name '.gen-*')" ] && ok || no "gen's own files in site/"
mv "$tmp/packages/sd-cpp" "$tmp/sd-cpp.away"
SOURCE_DATE_EPOCH=1736467200 "$gen" --state "$tmp/state" -q -p "$tmp/packages" -o "$tmp/site" -g "$tmp/generated" build && ok || no "build without sd-cpp"
[ ! -e "$tmp/site/engines/sd-cpp/index.html" ] && ok || no "the page of a removed engine stayed"
[ -e "$tmp/site/mine.txt" ] && ok || no "a file gen never wrote was removed"
mv "$tmp/sd-cpp.away" "$tmp/packages/sd-cpp"

# releaseDate (issue 8): each version carries the SOURCE_DATE_EPOCH (or,
# without one, the newest input's mtime) of the run that first listed it,
# and every rebuild carries it over, whatever its own SOURCE_DATE_EPOCH:
# from the state folder, or from site/engines.json when the state folder is
# gone.  Losing both loses the history: the dates start again from the
# current run (expected: restore engines.json from the CDN first).
# lastUpdated moves only when something but the time changes.
rd=$tmp/rd
mkdir -p "$rd"
cp -R manifest.yml docs templates "$rd/"
/usr/bin/python3 scripts/mksamples "$rd/packages" >/dev/null || no "mksamples for the releaseDate checks"
r() { (cd "$rd" && "$gen" -q "$@"); }
d1=2023-11-14T22:13:20Z d2=2027-01-15T08:00:00Z d3=2030-03-17T17:46:40Z
d5=2033-05-18T03:33:20Z
# dates: "lastUpdated version=releaseDate ..." of $rd/site/engines.json.
dates() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["lastUpdated"], " ".join("%s=%s" % (v["version"], v.get("releaseDate"))
    for e in d["engines"] for v in e["versions"]))' "$rd/site/engines.json"
}
# repack SRC DEST SED: DEST made with scripts/mkpackage from SRC's content,
# its manifest.json edited by the sed script SED.
repack() {
	_d=$(mktemp -d "$tmp/repack.XXXXXX")
	tar -xzf "$1" -C "$_d" && sed -i "$3" "$_d/package/manifest.json" &&
		/usr/bin/python3 scripts/mkpackage "$_d/package" "$2" >/dev/null
	_st=$?
	rm -rf "$_d"
	return $_st
}
old="b4620=D b4618=D 1.8.0=D 1.8.0-rc.1=D 1.7.4=D 26.4.20=D 26.1.29=D"
all() { echo "$old" | sed "s/=D/=$1/g"; }
# expect MESSAGE WANT: the dates are WANT.
expect() {
	_got=$(dates 2>&1)
	[ "$_got" = "$2" ] && ok || no "$1: releaseDate/lastUpdated are \"$_got\", expected \"$2\""
}

SOURCE_DATE_EPOCH=1700000000 r index && ok || no "releaseDate: first index"
expect "first index" "$d1 $(all $d1)"
cp "$rd/site/engines.json" "$tmp/rd-first.json"
SOURCE_DATE_EPOCH=1800000000 r index && ok || no "releaseDate: index with a later SOURCE_DATE_EPOCH"
expect "nothing but SOURCE_DATE_EPOCH changed" "$d1 $(all $d1)"
cmp -s "$rd/site/engines.json" "$tmp/rd-first.json" && ok || no "engines.json changed when only SOURCE_DATE_EPOCH did"

# A new version gets the run's date; lastUpdated moves; the others keep theirs.
llama=$rd/packages/llama-cpp
repack "$llama/llama-cpp-b4620-linux-x86_64-cpu.baiengine" "$llama/llama-cpp-b4700-linux-x86_64-cpu.baiengine" \
	's/"version": "b4620"/"version": "b4700"/' || no "repack b4700"
SOURCE_DATE_EPOCH=1800000000 r index && ok || no "releaseDate: index with a new version"
expect "a new version" "$d2 b4700=$d2 $(all $d1)"
# A new package of a listed version: the version keeps its date.
repack "$llama/llama-cpp-b4618-linux-x86_64-cpu.baiengine" "$llama/llama-cpp-b4618-linux-aarch64-cpu.baiengine" \
	's/"arch": "x86_64"/"arch": "aarch64"/' || no "repack b4618 aarch64"
SOURCE_DATE_EPOCH=1900000000 r index && ok || no "releaseDate: index with a new package of b4618"
expect "a new package of an old version" "$d3 b4700=$d2 $(all $d1)"
grep -q 'llama-cpp-b4618-linux-aarch64-cpu.baiengine' "$rd/site/engines.json" && ok || no "the new package of b4618 is not listed"

# Without the state folder the dates come back from site/engines.json; and
# gen build keeps them as gen index does.
rm -rf "$rd/.gen"
SOURCE_DATE_EPOCH=1950000000 r index && ok || no "releaseDate: index without .gen"
expect "the state folder deleted" "$d3 b4700=$d2 $(all $d1)"
cp "$rd/site/engines.json" "$tmp/rd-kept.json"
SOURCE_DATE_EPOCH=1950000000 r -g generated build && ok || no "releaseDate: build"
expect "gen build" "$d3 b4700=$d2 $(all $d1)"
cmp -s "$rd/site/engines.json" "$tmp/rd-kept.json" && ok || no "gen build changed the engines.json gen index made"
# A damaged stamp (and an engines.json hand-edited since it was written)
# costs only time: the dates come back from site/engines.json.
for f in "$rd"/.gen/index-*; do printf 'gen-index 3\nfingerprint x\n\001\377' >"$f"; done
SOURCE_DATE_EPOCH=1950000000 r index && ok || no "releaseDate: index with a damaged stamp"
expect "the stamp damaged" "$d3 b4700=$d2 $(all $d1)"
touch "$rd/site/engines.json"
SOURCE_DATE_EPOCH=1950000000 r index && ok || no "releaseDate: index after engines.json was touched"
expect "engines.json touched" "$d3 b4700=$d2 $(all $d1)"
# A previous engines.json that fails the read-back checks stops the run:
# its dates would otherwise be lost.
cp "$rd/site/engines.json" "$tmp/rd-good.json"
sed -i 's/"releaseDate": "2023-11-14T22:13:20Z"/"releaseDate": "soon"/' "$rd/site/engines.json"
rm -rf "$rd/.gen"
st=0
(cd "$rd" && SOURCE_DATE_EPOCH=1950000000 "$gen" -q index) >"$tmp/rd.out" 2>"$tmp/rd.err" || st=$?
[ "$st" = 65 ] && grep -q 'the previous index cannot be read back' "$tmp/rd.err" && ok ||
	no "a damaged previous engines.json: status $st, $(cat "$tmp/rd.err")"
cp "$tmp/rd-good.json" "$rd/site/engines.json"
# A version whose packages are all gone is no longer listed, and lastUpdated
# moves.  (Which date it gets when it comes back is not specified: not checked.)
mv "$llama/llama-cpp-b4700-linux-x86_64-cpu.baiengine" "$tmp/b4700.away"
SOURCE_DATE_EPOCH=1950000000 r index && ok || no "releaseDate: index without b4700"
expect "b4700 removed" "2031-10-17T10:40:00Z $(all $d1)"
mv "$tmp/b4700.away" "$llama/llama-cpp-b4700-linux-x86_64-cpu.baiengine"
SOURCE_DATE_EPOCH=2000000000 r index && ok || no "releaseDate: index with b4700 back"
case "$(dates)" in
"$d5 b4700="*" $(all $d1)") ok ;;
*) no "b4700 back: the other versions lost their dates: $(dates)" ;;
esac

# Both gone: every version is new (expected; see above).
rm -rf "$rd/.gen" "$rd/site/engines.json"
SOURCE_DATE_EPOCH=2000000000 r index && ok || no "releaseDate: index without .gen and engines.json"
expect "state folder and engines.json deleted" "$d5 b4700=$d5 $(all $d5)"

# Without SOURCE_DATE_EPOCH: the newest input's mtime, for the dates too.
rm -rf "$rd/.gen" "$rd/site"
find "$rd" -exec touch -h -d @1700000000 {} +
(unset SOURCE_DATE_EPOCH; r index) && ok || no "releaseDate: index without SOURCE_DATE_EPOCH"
expect "no SOURCE_DATE_EPOCH, every input from $d1" "$d1 b4700=$d1 $(all $d1)"
repack "$llama/llama-cpp-b4620-linux-x86_64-cpu.baiengine" "$llama/llama-cpp-b4800-linux-x86_64-cpu.baiengine" \
	's/"version": "b4620"/"version": "b4800"/' || no "repack b4800"
touch -d @1800000000 "$llama/llama-cpp-b4800-linux-x86_64-cpu.baiengine"
(unset SOURCE_DATE_EPOCH; r index) && ok || no "releaseDate: index of b4800 without SOURCE_DATE_EPOCH"
expect "no SOURCE_DATE_EPOCH, a new version from $d2" "$d2 b4800=$d2 b4700=$d1 $(all $d1)"

echo "index: $pass passed, $fail failed"
[ $fail = 0 ]

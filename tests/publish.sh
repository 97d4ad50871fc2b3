#!/bin/sh
# publish.sh - the compressed twins and the publishing order (issue 12,
# items 4 and 5).
#
# Twins: every text file of site/ (.json .html .xml .txt .css .js .svg .md)
# has FILE.gz beside it that gunzips to the file, with no name, mtime 0 and
# OS byte 3; nothing else has one and generated/ has none; two fresh builds
# give the same twins; a second build writes nothing; `gen check` finds a
# twin damaged, missing or extra; a build repairs it (also the twin of a
# kept engines.json); a file's twin is pruned with it; a twin written
# piecewise (a large engines.json, eager) is the one `gen check` computes
# whole.
#
# Order: a build of B over A (pages added in a new folder and in an old
# one, pages and assets changed) is traced with strace (rename calls).
# Replaying the renames over tree A, every page renamed into place finds
# every local file it links to (href, src) already there; each twin comes
# just before its file; packages.json, engines.json, *.sig, the release
# file and index.html come last, in that order; deletions come after.
set -u
. tests/lib.sh
lib_init publish

t=$tmp/t
scratch "$t" || { echo "publish: 0 passed, 1 failed"; exit 1; }
cd "$t" || exit 1

(timed "$gen" -q build) || no "first build failed"

# ---- twins --------------------------------------------------------------
/usr/bin/python3 - site generated <<'PY' >"$tmp/twins.out" 2>&1
import gzip, os, sys
site, generated = sys.argv[1], sys.argv[2]
text = (".json", ".html", ".xml", ".txt", ".css", ".js", ".svg", ".md")
bad, n = [], 0
for d, _, fs in os.walk(site):
    if "/.gen" in d:
        continue
    for f in fs:
        p = os.path.join(d, f)
        if f.endswith(".gz"):
            plain = p[:-3]
            if not os.path.exists(plain) or not plain.endswith(text):
                bad.append("twin of no text file: " + p)
            continue
        if not f.endswith(text):
            if os.path.exists(p + ".gz"):
                bad.append("twin of a non-text file: " + p)
            continue
        n += 1
        z = p + ".gz"
        if not os.path.exists(z):
            bad.append("no twin: " + p)
            continue
        b = open(z, "rb").read()
        # magic, deflate, FLG 0 (no name, no comment), MTIME 0, OS 3
        if b[:4] != b"\x1f\x8b\x08\x00" or b[4:8] != b"\0\0\0\0" or b[9] != 3:
            bad.append("header not fixed: " + z)
        if gzip.decompress(b) != open(p, "rb").read():
            bad.append("twin does not gunzip to its file: " + z)
for d, _, fs in os.walk(generated):
    for f in fs:
        if f.endswith(".gz"):
            bad.append("twin in generated/: " + os.path.join(d, f))
print(n, "text files")
for x in bad[:20]:
    print(x)
sys.exit(1 if bad or n < 50 else 0)
PY
[ $? = 0 ] && ok || no "twins: $(tr '\n' ' ' <"$tmp/twins.out" | cut -c1-400)"

# gzip(1) agrees: no name stored, and it decompresses to the file.
z=site/engines.json.gz
if gzip -t "$z" && gzip -dc "$z" | cmp -s - site/engines.json &&
	gzip -lN "$z" | tail -n 1 | grep -q ' site/engines.json$' &&
	! file "$z" | grep -q 'was "'; then
	ok
else
	no "gzip(1) or file(1) disagree on $z: $(file "$z")"
fi

# Deterministic: a second fresh build gives the same twins.
find site -name '*.gz' -exec sha256sum {} + | sort >"$tmp/z1"
rm -rf "$tmp/t2" && cp -a "$t" "$tmp/t2" && rm -rf "$tmp/t2/site" "$tmp/t2/.gen"
(cd "$tmp/t2" && timed "$gen" -q build && find site -name '*.gz' -exec sha256sum {} + |
	sort >"$tmp/z2") && cmp -s "$tmp/z1" "$tmp/z2" && ok ||
	no "two fresh builds give different twins"
rm -rf "$tmp/t2"

# Skip-unchanged: a second build writes nothing, twins keep their inodes.
ls -i site/index.html.gz site/engines.json.gz >"$tmp/i1"
timed "$gen" build 2>"$tmp/err" || no "second build failed"
grep -q 'site: .* 0 written' "$tmp/err" && ls -i site/index.html.gz \
	site/engines.json.gz | cmp -s - "$tmp/i1" && ok ||
	no "a second build rewrites twins: $(tr '\n' ' ' <"$tmp/err")"
timed "$gen" check 2>/dev/null >/dev/null && ok || no "gen check after a build fails"

# gen check sees a damaged, a missing and an extra twin; build repairs.
printf x >>site/index.html.gz
rm site/search.json.gz
page=$(find site -name index.html -path '*/*/*' | head -n 1)
rm "$page.gz"
timed "$gen" check >"$tmp/check" 2>/dev/null
st=$?
if [ $st = 1 ] && grep -q '^stale: site/index.html.gz$' "$tmp/check" &&
	grep -q '^missing: site/search.json.gz$' "$tmp/check" &&
	grep -q "^missing: $page.gz\$" "$tmp/check"; then
	ok
else
	no "gen check on damaged twins: exit $st: $(tr '\n' ' ' <"$tmp/check")"
fi
timed "$gen" -q build && timed "$gen" -q check >/dev/null &&
	gzip -dc site/index.html.gz | cmp -s - site/index.html && ok ||
	no "build does not repair the twins"

# The twin of a kept engines.json (packages unchanged: not rewritten) is
# made from the file on disk when it is missing or not ours.
rm site/engines.json.gz
timed "$gen" -q build && gzip -dc site/engines.json.gz | cmp -s - site/engines.json &&
	ok || no "the twin of a kept engines.json is not remade"
printf '\037\213\010\000\000\000\000\000\000\003junk' >site/engines.json.gz
timed "$gen" -q build && gzip -dc site/engines.json.gz 2>/dev/null |
	cmp -s - site/engines.json && ok || no "a foreign engines.json.gz is kept"

# A file's twin is pruned with it (ledger), and an extra twin left by
# hand is reported by check as the file would be? (Only files gen wrote
# are pruned: a hand-made .gz is left, as any foreign file.)
cp manifest.yml B.yml
/usr/bin/python3 - B.yml <<'PY'
import sys
s = open(sys.argv[1]).read()
assert "ENGINE_PORT=8080" in s
open(sys.argv[1], "w").write(s.replace("ENGINE_PORT=8080", "ENGINE_PORT=9090"))
PY
ledger=$(ls .gen/files-* 2>/dev/null | head -n 1)
if [ -n "$ledger" ] && grep -q '\.gz$' "$ledger"; then ok; else no "the ledger does not list the twins"; fi
# A page the ledger lists that B no longer makes goes with its twin:
# the ledger is given a made-up page and twin, then B is built.
mkdir -p site/gone && echo old >site/gone/index.html && gzip -nc site/gone/index.html >site/gone/index.html.gz
printf 'gone/index.html\ngone/index.html.gz\n' >>"$ledger"
timed "$gen" -q -m B.yml build
[ ! -e site/gone/index.html ] && [ ! -e site/gone/index.html.gz ] && ok ||
	no "a page no longer made is pruned without its twin"

# Piecewise twin = whole twin: with a ~2 MB description, engines.json and
# pages span many compression blocks; check (which compresses whole)
# agrees with what build (eager, piecewise for engines.json) wrote.
/usr/bin/python3 - B.yml <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "description: LLM inference in C/C++ with GGUF models, from laptops to multi-GPU servers."
assert old in s
open(sys.argv[1], "w").write(s.replace(old, 'description: "' + " ".join("w%d" % i for i in range(250000)) + '"', 1))
PY
timed "$gen" -q -m B.yml build || no "build with a large description failed"
sz=$(wc -c <site/engines.json)
timed "$gen" -q -m B.yml check >"$tmp/check" 2>&1 && [ "$sz" -gt 1000000 ] &&
	gzip -dc site/engines.json.gz | cmp -s - site/engines.json && ok ||
	no "a large engines.json ($sz bytes): check disagrees with build: $(head -c 300 "$tmp/check")"

# ---- the publishing order -----------------------------------------------
# Tree A: the repository's manifest, with the whisper-cpp pages of docker/
# removed (a new folder for B) and one page of an existing folder removed
# (a new file).  B: another port (Dockerfiles and their pages change) and
# a longer description (engines.json, packages.json and index.html change).
cp manifest.yml A.yml
/usr/bin/python3 - A.yml B.yml <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "description: LLM inference in C/C++ with GGUF models, from laptops to multi-GPU servers."
assert old in s and "ENGINE_PORT=8080" in s
s = s.replace(old, old[:-1] + ", and more.", 1).replace("ENGINE_PORT=8080", "ENGINE_PORT=9090")
open(sys.argv[2], "w").write(s)
PY
timed "$gen" -q -m A.yml build || no "build of A failed"
newdir=site/docker/whisper-cpp
newpage=$(find site/docker/llama-cpp -name index.html | sort | head -n 1)
rm -rf "$newdir" "$newpage" "$newpage.gz"
find site -type f | sort >"$tmp/A.files"
rm -rf "$tmp/A" && cp -a site "$tmp/A"
# (LeakSanitizer cannot run under ptrace: off for this run under ASan.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=rename,renameat,renameat2,unlink,unlinkat -o "$tmp/trace" \
	"$gen" -q -m B.yml build >/dev/null 2>"$tmp/err" || no "traced build of B failed: $(head -c 300 "$tmp/err")"
/usr/bin/python3 - "$tmp/trace" "$tmp/A" site <<'PY' >"$tmp/order.out" 2>&1
import os, re, sys
from urllib.parse import urlsplit, unquote
trace, treeA, siteB = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(siteB)
present = set()
for d, _, fs in os.walk(treeA):
    for f in fs:
        present.add(os.path.relpath(os.path.join(d, f), treeA))
B = {}
for d, _, fs in os.walk(siteB):
    if "/.gen" in d:
        continue
    for f in fs:
        B[os.path.relpath(os.path.join(d, f), siteB)] = os.path.join(d, f)
steps = []
for line in open(trace):
    m = re.search(r'rename(?:at2?)?\((?:[^,]*, )?"([^"]*)", (?:[^,]*, )?"([^"]*)"', line)
    if m:
        to = m.group(2)
        if to.startswith("site/"):
            steps.append(("R", to[5:]))
        continue
    m = re.search(r'unlink(?:at)?\((?:[^,]*, )?"([^"]*)"', line)
    if m and m.group(1).startswith("site/") and "/.gen-" not in m.group(1):
        steps.append(("U", m.group(1)[5:]))
bad = []
link = re.compile(r'(?:href|src)="([^"]*)"')
def links(rel):
    try:
        text = open(B[rel], encoding="utf-8", errors="replace").read()
    except KeyError:
        return []
    out = []
    for u in link.findall(text):
        s = urlsplit(u)
        if s.scheme or s.netloc or not s.path:
            continue
        p = unquote(s.path)
        base = "" if p.startswith("/") else os.path.dirname(rel)
        t = os.path.normpath(os.path.join(base, p.lstrip("/")))
        if p.endswith("/") or t in (".", ""):
            t = os.path.join(t, "index.html") if t not in (".", "") else "index.html"
        out.append(t)
    return out
order, single = [], set()
seen_unlink = False
for op, rel in steps:
    if op == "U":
        seen_unlink = True
        present.discard(rel)
        continue
    if seen_unlink:
        bad.append("rename after a deletion: " + rel)
    if rel in B:
        present.add(rel)
        order.append(rel)
        single.add(rel)
    else:			# a new folder moved in whole
        for k in B:
            if k.startswith(rel + "/"):
                present.add(k)
                order.append(k)
    for r in ([rel] if rel in B else [k for k in B if k.startswith(rel + "/")]):
        if r.endswith(".html"):
            for t in links(r):
                if t not in present and os.path.normpath(t) in B:
                    bad.append("%s renamed before %s, which it links to" % (r, t))
# twins just before their file (when both are renamed one by one)
pos = {r: i for i, r in enumerate(order)}
for r, i in pos.items():
    if r in single and r.endswith(".gz") and r[:-3] in single and pos[r[:-3]] != i + 1:
        bad.append("twin %s not just before its file" % r)
last = [r for r in ("packages.json", "engines.json", "index.html") if r in pos]
last += [r for r in pos if r.endswith(".sig") or r.lower().startswith(("release", "inrelease"))]
tail = sorted((pos[r] for r in last))
others = [i for r, i in pos.items() if r not in last and r[:-3] not in last]
if others and tail and max(others) > min(tail):
    bad.append("a page or asset renamed after the indexes")
if "index.html" in pos and any(pos[r] > pos["index.html"] for r in last):
    bad.append("index.html is not last")
if "engines.json" in pos and "packages.json" in pos and pos["packages.json"] > pos["engines.json"]:
    bad.append("packages.json after engines.json")
print(len(steps), "steps,", len(order), "files renamed")
for x in bad[:20]:
    print(x)
sys.exit(1 if bad or len(order) < 20 or "index.html" not in pos else 0)
PY
[ $? = 0 ] && ok || no "publishing order: $(tr '\n' ' ' <"$tmp/order.out" | cut -c1-600)"
grep -q "files renamed" "$tmp/order.out" && echo "publish: order: $(head -n 1 "$tmp/order.out")"
# The new folder was moved in whole, and the tree is B's.
timed "$gen" -q -m B.yml check >/dev/null 2>&1 && ok || no "after the traced build, check fails"

cd "$top" || exit 1
rm -rf "$t" "$tmp/A"
summary

#!/bin/sh
# concurrency.sh - two `gen build` with different manifests started together
# in one tree (issue 7, defect 8).  Runs on one tree take a lock
# (.gen/lock): the second waits for it, or with --no-wait stops before
# writing anything.
#
# Manifests A and B differ in a description (~200 KB each, so that a build
# lasts) and an envar; the references are built alone, each in a folder of
# its own.  Then, 10 times on a fresh tree and 10 times on an existing one
# (built from the repository's manifest, which is neither A nor B):
#
#   both runs exit 0; generated/ and site/ (file list + SHA-256) are both
#   wholly A or both wholly B; no staging is left;
#
# and 5 + 5 times with --no-wait on the second run: it exits 0, or 75 with
# a message naming .gen/lock, in which case it wrote nothing: the tree is
# wholly the first run's.  Which run starts first and the gap between the
# two starts (0 to 40 ms) vary from one round to the next.
set -u
. tests/lib.sh
lib_init concurrency

scratch "$tmp/src" || { echo "concurrency: 0 passed, 1 failed"; exit 1; }
/usr/bin/python3 - "$tmp/src/manifest.yml" "$tmp/src" <<'PY'
import sys
src = open(sys.argv[1]).read()
old = "description: LLM inference in C/C++ with GGUF models, from laptops to multi-GPU servers."
assert old in src and "ENGINE_PORT=8080" in src
for name, word, port in (("A", "alpha ", "8081"), ("B", "bravo ", "8082")):
    out = src.replace(old, 'description: "' + (word * 33000).strip() + '"', 1)
    out = out.replace("ENGINE_PORT=8080", "ENGINE_PORT=" + port)
    open(sys.argv[2] + "/" + name + ".yml", "w").write(out)
PY

for m in A B; do
	cp -a "$tmp/src" "$tmp/ref$m"
	(cd "$tmp/ref$m" && timed "$gen" -q -m $m.yml build) || no "build of reference $m failed"
	snap_outputs "$tmp/ref$m" >"$tmp/$m.snap"
	rm -rf "$tmp/ref$m"
done
cp -a "$tmp/src" "$tmp/existing"
(cd "$tmp/existing" && timed "$gen" -q build) || no "build of the existing tree failed"

r=$tmp/r
which_tree() {
	snap_outputs "$r" >"$tmp/now.snap"
	if cmp -s "$tmp/now.snap" "$tmp/A.snap"; then echo A
	elif cmp -s "$tmp/now.snap" "$tmp/B.snap"; then echo B
	else echo torn
	fi
}

# pair KIND ROUND [--no-wait]: start two builds and check the outcome.
pair() {
	kind=$1 round=$2 nowait=${3:-}
	rm -rf "$r"
	if [ "$kind" = fresh ]; then cp -a "$tmp/src" "$r"; else cp -a "$tmp/existing" "$r"; fi
	if [ $((round % 2)) = 0 ]; then first=A second=B; else first=B second=A; fi
	gap=$(awk -v i="$round" 'BEGIN { printf "%.3f", (i % 5) * 0.01 }')
	what="$kind tree, round $round: $first then $second${nowait:+ $nowait} after ${gap}s"
	(cd "$r" && exec timeout -k 5 20 "$gen" -q -m $first.yml build) >"$tmp/out1" 2>"$tmp/err1" &
	p1=$!
	sleep "$gap"
	# shellcheck disable=SC2086
	(cd "$r" && exec timeout -k 5 20 "$gen" -q $nowait -m $second.yml build) >"$tmp/out2" 2>"$tmp/err2" &
	p2=$!
	wait $p1
	s1=$?
	wait $p2
	s2=$?
	tree=$(which_tree)
	left=$(leftovers "$r" | tr '\n' ' ')
	good=1
	[ "$s1" = 0 ] || { no "$what: $first exits $s1: $(head -n 2 "$tmp/err1" | tr "\n" " " | cut -c1-300)"; good=0; }
	if [ -z "$nowait" ]; then
		[ "$s2" = 0 ] || { no "$what: $second exits $s2: $(head -n 2 "$tmp/err2" | tr "\n" " " | cut -c1-300)"; good=0; }
	elif [ "$s2" = 75 ]; then
		grep -q '\.gen/lock' "$tmp/err2" ||
			{ no "$what: $second refused without naming .gen/lock: $(head -n 2 "$tmp/err2" | tr "\n" " " | cut -c1-300)"; good=0; }
		[ "$tree" = "$first" ] || { no "$what: $second refused, but the tree is $tree, not $first"; good=0; }
	elif [ "$s2" != 0 ]; then
		no "$what: $second exits $s2, expected 0 or 75: $(head -n 2 "$tmp/err2" | tr "\n" " " | cut -c1-300)"
		good=0
	fi
	[ "$tree" = torn ] && {
		no "$what: the tree is neither A nor B: $(diff "$tmp/A.snap" "$tmp/now.snap" | grep -c '^>') entries differ from A, $(diff "$tmp/B.snap" "$tmp/now.snap" | grep -c '^>') from B"
		good=0
	}
	[ -z "$left" ] || { no "$what: staging left: $(echo "$left" | cut -c1-200)"; good=0; }
	[ $good = 1 ] && ok
	echo "$what: $s1 $s2 tree $tree" >>"$tmp/rounds"
}

i=0
while [ $i -lt 10 ]; do
	pair fresh $i
	pair existing $i
	i=$((i + 1))
done
i=0
while [ $i -lt 5 ]; do
	pair fresh $i --no-wait
	pair existing $i --no-wait
	i=$((i + 1))
done
rm -rf "$r"
summary

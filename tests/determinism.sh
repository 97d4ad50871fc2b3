#!/bin/sh
# determinism.sh - issue 8: two fresh clones of the repository, each with
# its sample packages (scripts/mksamples) and `gen build` under the same
# SOURCE_DATE_EPOCH (what `make release` does, with the built gen rather
# than one compiled in each clone), give the same site/ and generated/,
# byte for byte; site/ holds only what a CDN serves (no .gen* name: gen's
# bookkeeping lives in the state folder .gen/ beside the manifest) and
# packages/ only packages.  A second build over the first changes nothing.
# The clones are of the committed HEAD: uncommitted changes are not in them.
set -u
. tests/lib.sh
lib_init determinism
sde=1700000000

# release DIR: clone the repository into DIR and build it there.
release() {
	git clone --quiet "$top" "$1" &&
		(cd "$1" && /usr/bin/python3 scripts/mksamples packages >/dev/null &&
		SOURCE_DATE_EPOCH=$sde timed "$gen" -q build)
}

# Nothing under DIR/site or DIR/generated is gen's bookkeeping.
clean_outputs() {
	_x=$(cd "$1" && find site generated -name '.gen*' | head -n 5)
	[ -z "$_x" ] && ok || no "$2: gen's own files among the outputs: $_x"
	_x=$(cd "$1" && find packages -mindepth 1 ! -type d ! \( -type f -name '*.baiengine' \) | head -n 5)
	[ -z "$_x" ] && ok || no "$2: packages/ holds what is not a package: $_x"
	[ -d "$1/.gen" ] && ok || no "$2: no state folder .gen beside the manifest"
}

for c in A B; do
	if release "$tmp/$c"; then ok; else
		no "clone $c: make release failed"
		summary
		exit 1
	fi
done
[ -s "$tmp/A/site/engines.json" ] && ok || no "no site/engines.json"
for o in site generated; do
	if diff -r "$tmp/A/$o" "$tmp/B/$o" >"$tmp/diff-$o" 2>&1; then ok; else
		no "two clones give different $o/:"
		head -n 20 "$tmp/diff-$o" >&2
	fi
done
clean_outputs "$tmp/A" A
clean_outputs "$tmp/B" B
grep -q "\"lastUpdated\": \"2023-11-14T22:13:20Z\"" "$tmp/A/site/engines.json" &&
	ok || no "lastUpdated is not SOURCE_DATE_EPOCH's"
# The build leaves the clone as git sees it: the committed generated/ is
# what gen makes, and every output or state file is ignored.
_x=$(git -C "$tmp/A" status --porcelain | head -n 5)
[ -z "$_x" ] && ok || no "the build changed or added files git tracks: $_x"

# Again over the first build: the same bytes, nothing new in site/.
snap_outputs "$tmp/A" >"$tmp/before"
(cd "$tmp/A" && SOURCE_DATE_EPOCH=$sde timed "$gen" -q build) && ok || no "second build failed"
snap_outputs "$tmp/A" >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" >"$tmp/diff-again" && ok || {
	no "a second build changed the outputs:"
	head -n 20 "$tmp/diff-again" >&2
}
clean_outputs "$tmp/A" "A, built twice"
summary

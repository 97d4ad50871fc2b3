#!/bin/sh
# repo.sh - the repository's own manifest: it validates, and the committed
# generated/ is exactly what it produces.
set -u
pass=0
fail=0
if build/gen -q validate; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL repo: manifest.yml does not validate" >&2; fi
# generated/ alone: a site/ left by an earlier local build is not what
# this test is about (-o names a folder that does not exist).
if build/gen -q -o build/tmp/repo-no-site check; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL repo: generated/ is stale: run make release and commit" >&2; fi
echo "repo: $pass passed, $fail failed"
[ $fail = 0 ]

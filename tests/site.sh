#!/bin/sh
# site.sh - the catalog in a real browser: build a site from the sample
# packages and the repository's registries, then tests/browser/run.js
# (headless Chromium via playwright-core: search, filters, copy buttons,
# console errors, a crawl of every internal link, html-validate, axe-core,
# the registry pages, the deployment pages, hostile input, screenshots under
# build/).
set -u
top=$(pwd)
gen="${GEN:-$top/build/gen}"
tmp="$top/build/tmp/site"
rm -rf "$tmp"
mkdir -p "$tmp"
if ! /usr/bin/python3 scripts/mksamples "$tmp/packages" >/dev/null; then
	echo "site: 0 passed, 1 failed"
	exit 1
fi
if ! SOURCE_DATE_EPOCH=1736467200 "$gen" -q -p "$tmp/packages" -o "$tmp/site" \
    -g "$tmp/generated" build; then
	echo "site: 0 passed, 1 failed"
	exit 1
fi
# The registry pages are checked when the repository has registries.
reg=0
for f in registries/frameworks.yml registries/models.yml registries/instances.yml; do
	[ -f "$f" ] && reg=1
done
# The container-registry page is checked when the repository lists some.
cr=0
for f in registries/container-registries/*.json; do
	[ -f "$f" ] && cr=1
done
# The deployment pages are checked when the repository has records.
dep=0
for f in deployments/*.json; do
	[ -f "$f" ] && dep=1
done
SITE_REGISTRIES=$reg SITE_CR=$cr SITE_DEPLOY=$dep exec node tests/browser/run.js "$tmp/site"

#!/bin/sh
# sign.sh - gen verify --pubkey against a site signed with nothing but the
# stock tools a client has (issue 12): the release file made with
# sha256sum and stat, the signatures with `openssl pkeyutl -sign -rawin`.
# gen accepts the site; it exits 1 once one byte changes in engines.json,
# in a JSON file the release file lists, in a signature, or in a package,
# or when a JSON file is published but not listed, or another key is
# given; a release file that is no release file is 65, a key of another
# kind 65.  (gen's own --sign-key is the other half: see the README.)
set -u
. tests/lib.sh
lib_init sign
r="$tmp/repo"
scratch "$r"
(cd "$r" && timed "$gen" -q build) || no "gen build failed"
keys="$tmp/keys"
mkdir -p "$keys"
openssl genpkey -algorithm ed25519 -out "$keys/k.pem" 2>/dev/null &&
    openssl pkey -in "$keys/k.pem" -pubout -out "$keys/k.pub" &&
    openssl genpkey -algorithm ed25519 -out "$keys/o.pem" 2>/dev/null &&
    openssl pkey -in "$keys/o.pem" -pubout -out "$keys/o.pub" &&
    openssl genpkey -algorithm rsa -out "$keys/rsa.pem" 2>/dev/null &&
    openssl pkey -in "$keys/rsa.pem" -pubout -out "$keys/rsa.pub" ||
    no "openssl could not make the keys"

# sign SITE KEY: release.json for every JSON in SITE, and the signatures.
sign() {
	(cd "$1" && rm -f release.json release.json.sig engines.json.sig &&
	    { printf '{"schemaVersion": 1, "files": ['; sep=
	      find . -name '*.json' ! -name release.json -type f | sed 's|^\./||' | LC_ALL=C sort |
	      while read -r f; do
		printf '%s{"path": "%s", "sha256": "%s", "size": %s}' "$sep" "$f" \
		    "$(sha256sum "$f" | cut -c1-64)" "$(stat -c %s "$f")"
		sep=', '
	      done; printf ']}\n'; } > release.json &&
	    openssl pkeyutl -sign -rawin -inkey "$2" -in release.json \
		-out release.json.sig &&
	    openssl pkeyutl -sign -rawin -inkey "$2" -in engines.json \
		-out engines.json.sig)
}

# verify [KEY] [SITE]: gen verify --pubkey; the status.
verify() {
	(cd "$r" && timed "$gen" verify "${2:-site}" --pubkey "${1:-$keys/k.pub}" \
	    >"$tmp/out" 2>"$tmp/err")
}

expect() {	# expect STATUS WHAT [PATTERN]
	_want=$1 _what=$2
	verify "${4:-}" && _st=0 || _st=$?
	if [ "$_st" != "$_want" ]; then
		no "$_what: exit $_st, expected $_want: $(cat "$tmp/err")"
	elif [ -n "${3:-}" ] && ! grep -q -- "$3" "$tmp/err"; then
		no "$_what: no '$3' in: $(cat "$tmp/err")"
	else ok; fi
}

sign "$r/site" "$keys/k.pem" || no "signing with openssl failed"
expect 0 "a site signed with openssl"
# The same signatures check with openssl itself (what a client runs).
(cd "$r/site" && openssl pkeyutl -verify -rawin -pubin -inkey "$keys/k.pub" \
    -in engines.json -sigfile engines.json.sig >/dev/null 2>&1) && ok ||
    no "openssl pkeyutl -verify refused engines.json.sig"
expect 1 "another key" "does not sign" "$keys/o.pub"
expect 65 "an RSA key" "an RSA key" "$keys/rsa.pub"

# flip FILE: change one byte (the 10th) of FILE.
flip() {
	python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[9] ^= 1
open(p, "wb").write(b)' "$1"
}

cp -a "$r/site" "$tmp/good"
restore() { rm -rf "$r/site"; cp -a "$tmp/good" "$r/site"; }

flip "$r/site/engines.json"
expect 1 "one byte of engines.json" "engines.json.sig does not sign"
restore
listed=$(cd "$r/site" && find . -name '*.json' ! -name engines.json \
    ! -name release.json | sed 's|^\./||' | LC_ALL=C sort | head -1)
flip "$r/site/$listed"
expect 1 "one byte of $listed" "$listed: .* bytes, SHA-256"
restore
flip "$r/site/engines.json.sig"
expect 1 "one byte of the signature" "does not sign"
restore
flip "$r/site/release.json"
expect 1 "one byte of the release file" "release.json.sig does not sign"
restore
echo '{}' > "$r/site/extra.json"
expect 1 "a JSON file not listed" "published but not listed"
restore
rm "$r/site/$listed"
expect 1 "a listed file missing" "missing"
restore
pkg=$(find "$r/packages" -name '*.baiengine' | LC_ALL=C sort | head -1)
cp "$pkg" "$tmp/pkg"
flip "$pkg"
expect 1 "one byte of a package" ""
cp "$tmp/pkg" "$pkg"
expect 0 "the package back"
# A release file that is no release file, signed: bad input.
(cd "$r/site" && echo '{"schemaVersion": 1, "files": [{"path": "../x"}]}' \
    > release.json && openssl pkeyutl -sign -rawin -inkey "$keys/k.pem" \
    -in release.json -out release.json.sig)
expect 65 "a release file naming ../x" "files\[0\]"
restore
summary

#!/bin/sh
# cr.sh - the container-registry listing through the command line, and
# what the build publishes of it:
#   - the reference's example entry (tests/cr/example.json, the JSON of
#     the AIOS document) loads, validates and round-trips through create
#     and get, byte for byte;
#   - create without an id assigns a UUID v4;
#   - update with $set, with a dotted $set and with a plain partial object;
#   - update, get and delete of an unknown id exit 66 and insert nothing;
#   - queries: equality on dotted paths, $in, $all, $exists, $ne, a tag;
#   - --json envelopes, for success and failure;
#   - the site's api/ files validate against their schemas (ajv), the
#     last health results reach the list and the page, and two builds
#     give the same bytes.
# Prints "cr: N passed, N failed".
set -u
. tests/lib.sh
lib_init cr
ex=b3c38f52-8f2e-43a3-9aa9-bd9a4c75e509
unknown=0e9a8b7c-6d5e-4f3a-9b2c-1d0e9f8a7b6c
schemas="$top/templates/site/schema"
validate() { node "$top/tests/validate-schema.js" "$@" >&2; }
# py 'EXPRESSION' FILE...: a Python check over the files' JSON (J[0]...).
py() {
	_e=$1
	shift
	python3 -c "import json, sys, re
J = [json.load(open(f)) for f in sys.argv[1:]]
sys.exit(0 if ($_e) else 1)" "$@"
}

repo="$tmp/repo"
mkdir -p "$repo"
cd "$repo" || exit 1
g() { "$gen" -r registries "$@"; }
dir=registries/container-registries

# ---- the reference's example --------------------------------------------
if g cr create "$top/tests/cr/example.json" >out 2>err && [ "$(cat out)" = $ex ] &&
    [ -f "$dir/$ex.json" ]; then ok; else no "create the example: $(cat err)"; fi
python3 -c "import json, sys
print(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True))" \
    "$top/tests/cr/example.json" >canon
if g cr get $ex >got 2>err && cmp -s got canon; then ok; else
	no "get of the example differs from its JSON (sorted keys, 2 spaces)"; fi
if cmp -s "$dir/$ex.json" canon; then ok; else
	no "the example's file differs from its JSON (sorted keys, 2 spaces)"; fi
if g cr get $ex --json >got.json && py 'J[0] == {"success": True, "data": J[1]}' \
    got.json "$top/tests/cr/example.json"; then ok; else no "get --json envelope"; fi
if validate "$schemas/container_registry.schema.json" got.json; then ok; else
	no "get --json against container_registry.schema.json"; fi
before=$(snap registries)
st=0
g cr create "$top/tests/cr/example.json" >/dev/null 2>&1 || st=$?
if [ $st = 65 ] && [ "$(snap registries)" = "$before" ]; then ok; else
	no "create of the example again: exit $st, expected 65 and nothing written"; fi

# ---- create without an id -------------------------------------------------
python3 -c "import json, sys
e = json.load(open(sys.argv[1])); del e['container_registry_id']
e['container_registry_name'] = 'no-id'
e['container_registry_public_url'] = 'https://registry.example.org:5000'
e['container_registry_image_prefix'] = 'registry.example.org:5000/team'
e['container_registry_metadata'] = {'environment': 'staging', 'region': 'eu-central-1'}
e['container_registry_tags'] = ['ai', 'gpu']
e['container_registry_storage_info']['storage_type'] = 'fs'
print(json.dumps(e))" "$top/tests/cr/example.json" >noid.json
if g cr create noid.json >out 2>err; then ok; else no "create without an id: $(cat err)"; fi
new=$(cat out)
if printf '%s\n' "$new" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' &&
    [ -f "$dir/$new.json" ]; then ok; else no "assigned id \"$new\" is not a UUID v4 naming its file"; fi
g cr create noid.json >out2 2>/dev/null
st=$?
if [ $st = 65 ]; then ok; else no "a second create of the same name: exit $st, expected 65"; fi

# ---- update ---------------------------------------------------------------
printf '{"$set": {"container_registry_name": "updated-name"}}\n' >set.json
if g cr update $ex set.json >/dev/null 2>err && g cr get $ex >got &&
    py 'J[0]["container_registry_name"] == "updated-name" and
        J[0]["container_registry_tags"] == ["ai", "training", "internal", "fast-pull"]' got
then ok; else no "update with \$set: $(cat err)"; fi
printf '{"container_registry_metadata": {"owner": "platform-team"}}\n' >plain.json
if g cr update $ex plain.json >/dev/null 2>err && g cr get $ex >got &&
    py 'J[0]["container_registry_metadata"] == {"owner": "platform-team"} and
        J[0]["container_registry_name"] == "updated-name"' got
then ok; else no "update with a plain partial object: $(cat err)"; fi
printf '{"$set": {"container_registry_storage_info.memory_size": 16384}}\n' >dotted.json
if g cr update $ex dotted.json >/dev/null 2>err && g cr get $ex >got &&
    py 'J[0]["container_registry_storage_info"] == {"storage_type": "s3",
        "storage_size": -1, "memory_size": 16384, "registry_type": "aios"}' got
then ok; else no "update with a dotted \$set: $(cat err)"; fi
if g cr update $ex set.json --json >got.json && py 'J[0]["success"] is True and
    J[0]["data"]["container_registry_id"] == "'$ex'"' got.json; then ok; else
	no "update --json envelope"; fi

# ---- an unknown id ----------------------------------------------------------
for c in "update $unknown set.json" "get $unknown" "delete $unknown"; do
	before=$(snap registries)
	st=0
	# shellcheck disable=SC2086
	g cr $c >/dev/null 2>&1 || st=$?
	if [ $st = 66 ] && [ "$(snap registries)" = "$before" ] && [ ! -e "$dir/$unknown.json" ]
	then ok; else no "cr $c: exit $st, expected 66 and nothing inserted"; fi
done
st=0
g cr update $unknown set.json --json >got.json 2>/dev/null || st=$?
if [ $st = 66 ] && py 'J[0]["success"] is False and isinstance(J[0]["error"], str) and
    len(J[0]) == 2' got.json; then ok; else no "an unknown id with --json: {success: false, error}"; fi

# ---- query ----------------------------------------------------------------
mk() {	# mk NAME REGION|- STORAGE TYPE TAGS...
	_n=$1 _r=$2 _s=$3 _t=$4
	shift 4
	python3 -c "import json, sys
n, r, s, t = sys.argv[1:5]
e = {'container_registry_name': n, 'container_registry_tags': sys.argv[5:],
     'container_registry_public_url': 'http://%s.example.net:5000' % n,
     'container_registry_metadata': {} if r == '-' else {'region': r},
     'container_registry_config': {},
     'container_registry_storage_info': {'storage_type': s, 'storage_size': -1,
         'memory_size': 2048, 'registry_type': t}}
print(json.dumps(e))" "$_n" "$_r" "$_s" "$_t" "$@" >"q-$_n.json"
	g cr create "q-$_n.json" >/dev/null 2>&1 || no "create $_n"
}
mk alpha us-west-2 fs aios ai training
mk beta us-east-1 object-store external gpu public
mk gamma - unknown external public
# q FILTER NAMES...: the names the filter matches, sorted.
q() {
	_f=$1
	shift
	printf '%s\n' "$_f" >filter.json
	_want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	_got=$(g cr query filter.json 2>err | python3 -c "import json, sys
print(' '.join(sorted(e['container_registry_name'] for e in json.load(sys.stdin))) + ' ')" 2>/dev/null)
	if [ "$_got" = "$_want" ]; then ok; else
		no "query $_f: got [$_got], expected [$_want] $(cat err)"; fi
}
q '{}' alpha beta gamma no-id updated-name
q '{"container_registry_metadata.region": "us-west-2"}' alpha
q '{"container_registry_storage_info.storage_type": "fs"}' alpha no-id
q '{"container_registry_storage_info.storage_type": "fs", "container_registry_tags": "gpu"}' no-id
q '{"container_registry_tags": "public"}' beta gamma
q '{"container_registry_tags": {"$in": ["gpu", "fast-pull"]}}' beta no-id updated-name
q '{"container_registry_tags": {"$all": ["ai", "training"]}}' alpha updated-name
q '{"container_registry_metadata.region": {"$exists": false}}' gamma updated-name
q '{"container_registry_metadata.region": {"$exists": true}}' alpha beta no-id
q '{"container_registry_storage_info.registry_type": {"$ne": "aios"}}' beta gamma
q '{"container_registry_name": "nobody"}'
printf '{"container_registry_tags": {"$in": ["ai"]}}\n' >filter.json
if g cr query filter.json --json >got.json && py 'J[0]["success"] is True and
    isinstance(J[0]["data"], list) and len(J[0]["data"]) == 3' got.json &&
    validate "$schemas/container_registries.schema.json" got.json; then ok; else
	no "query --json envelope"; fi

# ---- delete -----------------------------------------------------------------
if g cr delete "$new" >/dev/null 2>err && [ ! -e "$dir/$new.json" ]; then ok; else
	no "delete: $(cat err)"; fi
st=0
g cr get "$new" >/dev/null 2>&1 || st=$?
if [ $st = 66 ]; then ok; else no "get after delete: exit $st, expected 66"; fi

# ---- what the build publishes -----------------------------------------------
site="$tmp/site"
scratch "$site" || no "scratch repository"
mkdir -p "$site/$dir"
# The registries the scratch manifest's images are pushed to must be listed.
for f in "$top/$dir"/*.json; do
	[ "$(basename "$f")" = $ex.json ] || cp "$f" "$site/$dir/"
done
cp "$repo/$dir"/*.json "$site/$dir/"
cat >"$site/registries/container-registries-health.json" <<EOF
{
  "checkedAt": "2026-12-03T16:00:00Z",
  "results": {
    "$ex": {
      "apiVersion": "registry/2.0",
      "checkedAt": "2026-12-03T16:00:00Z",
      "healthy": true,
      "latencyMs": 12.3,
      "reason": "ok",
      "status": 200
    }
  },
  "schemaVersion": 1
}
EOF
build() {	# build OUT: the site into $site/OUT
	(cd "$site" && "$gen" -q -o "$1" -g "gen-$1" build) 2>"$tmp/build.err"
}
if build out1; then ok; else no "build with a listing: $(cat "$tmp/build.err")"; fi
api="$site/out1/api"
for f in "$api"/container_registry/*.json; do
	validate "$schemas/container_registry.schema.json" "$f" || no "$f against its schema"
done
# Six records, each with its compressed twin (FILE.json.gz).
if [ "$(ls "$api"/container_registry | grep -c '\.json$')" = 6 ] &&
	[ "$(ls "$api"/container_registry | grep -c '\.json\.gz$')" = 6 ] &&
	[ "$(ls "$api"/container_registry | wc -l)" = 12 ]; then ok; else
	no "api/container_registry/ has $(ls "$api"/container_registry | wc -l) files, expected 6 and their 6 twins"; fi
if validate "$schemas/container_registries.schema.json" "$api/container_registries.json"
then ok; else no "api/container_registries.json against its schema"; fi
for f in "$api"/container_registries/tags/*.json; do
	validate "$schemas/container_registries_tags.schema.json" "$f" ||
		no "$f against its schema"
done
if [ -f "$api/container_registries/tags/fast-pull.json" ] &&
    py 'sorted(e["container_registry_name"] for e in J[0]["data"]) == ["alpha", "updated-name"] and
        [e["container_registry_id"] for e in J[0]["data"]] ==
        sorted(e["container_registry_id"] for e in J[0]["data"])' \
    "$api/container_registries/tags/training.json"; then ok; else no "the tag files"; fi
if py 'J[0]["data"] == J[1]' "$api/container_registry/$ex.json" "$site/$dir/$ex.json"
then ok; else no "the GET file's data is not the entry"; fi
if py '[e["container_registry_id"] for e in J[0]["data"]] ==
    sorted(e["container_registry_id"] for e in J[0]["data"]) and
    [("health" in e) for e in J[0]["data"]].count(True) == 1 and
    [e["health"] for e in J[0]["data"] if "health" in e][0]["latencyMs"] == 12.3' \
    "$api/container_registries.json"; then ok; else
	no "the list: by id, health on the checked entry only"; fi
if py '"health" not in J[0]["data"]' "$api/container_registry/$ex.json"; then ok; else
	no "the GET file carries health"; fi
for f in container_registry container_registries container_registries_tags; do
	cmp -s "$schemas/$f.schema.json" "$site/out1/schema/$f.schema.json" ||
		no "schema/$f.schema.json is not the template's"
done
page="$site/out1/container-registries.html"
if [ -f "$page" ] && grep -q '✓ healthy' "$page" && [ "$(grep -c 'not checked' "$page")" = 5 ] &&
    grep -q 'href="container-registries.html"' "$site/out1/index.html"; then ok; else
	no "container-registries.html: the health result, 'not checked', the links"; fi
if build out2 && diff -r "$site/out1" "$site/out2" >&2; then ok; else
	no "two builds differ"; fi
# Without a listing there is no API and no page.
rm -rf "$site/registries"
if build out3 && [ ! -e "$site/out3/api" ] && [ ! -e "$site/out3/container-registries.html" ] &&
    ! grep -q 'container-registries.html' "$site/out3/index.html"; then ok; else
	no "a repository without a listing publishes no API and no page"; fi

cd "$top" || exit 1
summary

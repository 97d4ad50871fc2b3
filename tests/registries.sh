#!/bin/sh
# registries.sh - the repository's own tested-configuration registries
# (registries/*.yml): `gen registries` accepts them (with the manifest's
# images checked) without a warning; the four files it publishes validate
# against their JSON Schemas (templates/site/schema/, copied beside them);
# a second run, into a new folder, gives the same bytes; and a copy with
# the frameworks, their versions and the models written in reverse order
# publishes the same files and matches every model id to the same entry.
set -u
. tests/lib.sh
lib_init registries
kinds="frameworks models instances compat"
ids="meta-llama/Meta-Llama-3-8B-Instruct meta-llama/meta-llama-3-70b-instruct
meta-llama/Llama-3.1-8B-Instruct meta-llama/Llama-3.1-70B-Instruct
mistralai/Mixtral-8x7B-Instruct-v0.1 mistralai/Mistral-7B-Instruct-v0.3
mistralai/Mistral-Large-Instruct-2407 google/gemma-2-9b-it google/gemma-7b
Qwen/Qwen2.5-7B-Instruct microsoft/phi-3-mini-4k-instruct
openai/whisper-large-v3 black-forest-labs/FLUX.1-schnell unknown/model"

# publish NAME [REGISTRIES]: gen registries into $tmp/NAME (the state
# beside it), stderr in $tmp/NAME.err.
publish() {
	timed "$gen" -r "${2:-registries}" -o "$tmp/$1" --state "$tmp/state-$1" \
	    registries 2>"$tmp/$1.err"
}

# matches REGISTRIES: the entry each of $ids resolves to, one a line.
matches() {
	for _id in $ids; do
		printf '%s ' "$_id"
		timed "$gen" -r "$1" resolve --framework vllm --model "$_id" \
		    2>/dev/null | grep '"entry"' || echo none
	done
}

if publish a; then ok; else no "gen registries failed: $(cat "$tmp/a.err")"; fi
if grep -q 'warning' "$tmp/a.err"; then
	no "warnings for the repository's own registries: $(grep warning "$tmp/a.err")"
else ok; fi
for k in $kinds; do
	if node tests/validate-schema.js "templates/site/schema/$k.schema.json" \
	    "$tmp/a/registries/$k.json" >"$tmp/ajv-$k" 2>&1; then ok; else
		no "registries/$k.json does not validate: $(head -5 "$tmp/ajv-$k")"
	fi
	if cmp -s "templates/site/schema/$k.schema.json" "$tmp/a/schema/$k.schema.json"; then
		ok
	else no "schema/$k.schema.json is not the template's"; fi
done

# The same inputs, the same bytes.
if publish b && diff -r "$tmp/a" "$tmp/b" >"$tmp/diff-ab" 2>&1; then ok; else
	no "a second run differs: $(head -20 "$tmp/diff-ab")"
fi

# The same registries in reverse order (anchors and merges resolved).
mkdir -p "$tmp/rev"
cp registries/instances.yml "$tmp/rev/"
# The container-registry listing is published by the same command.
[ -d registries/container-registries ] && cp -R registries/container-registries "$tmp/rev/"
if /usr/bin/python3 - registries "$tmp/rev" <<'PY'
import sys, yaml
src, dst = sys.argv[1], sys.argv[2]
def rev(d):
    return dict(reversed(list(d.items())))
fw = yaml.safe_load(open(src + "/frameworks.yml"))
fw = rev({k: rev(v) for k, v in fw.items()})
models = rev(yaml.safe_load(open(src + "/models.yml")))
for name, data in (("frameworks", fw), ("models", models)):
    with open("%s/%s.yml" % (dst, name), "w") as f:
        yaml.safe_dump(data, f, sort_keys=False, allow_unicode=True, width=1 << 30)
PY
then ok; else no "could not write the reversed registries"; fi
if publish r "$tmp/rev"; then
	if diff -r "$tmp/a" "$tmp/r" >"$tmp/diff-ar" 2>&1; then ok; else
		no "reordered registries publish differently: $(head -20 "$tmp/diff-ar")"
	fi
else no "gen registries refused the reordered copy: $(head -5 "$tmp/r.err")"; fi
matches registries >"$tmp/match-a"
matches "$tmp/rev" >"$tmp/match-r"
if [ "$(grep -c '"entry"' "$tmp/match-a")" -ge 12 ]; then ok; else
	no "too few model ids matched: $(cat "$tmp/match-a")"
fi
if diff -u "$tmp/match-a" "$tmp/match-r" >"$tmp/diff-match"; then ok; else
	no "model matching depends on the order: $(cat "$tmp/diff-match")"
fi
summary

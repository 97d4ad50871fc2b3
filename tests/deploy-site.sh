#!/bin/sh
# deploy-site.sh - what the deployment registry publishes: records
# registered by gen itself (architectures http, triton, diffusors and one
# no list names, a roleArn, a secret in the environment) beside the
# browser tests' hostile records, published by `gen registries` with the
# hostile registries (so that verdicts are compatible, incompatible and
# unknown).  site/deployments.json validates against its JSON Schema (ajv,
# as registries.sh does; ML Container Creator's schema refused
# architectures its own script produced), its schema is the template's,
# its records are sorted by configId and each is its file without roleArn
# plus "compatibility", no roleArn and no secret reaches site/, a second
# run gives the same bytes, and an empty folder publishes an empty list
# that validates too.
set -u
. tests/lib.sh
lib_init deploy-site
schema=templates/site/schema/deployments.schema.json
secret=hf_deploySiteSecretValue0123456789

mkdir -p "$tmp/reg" "$tmp/dep" "$tmp/empty"
cp tests/browser/hostile/registries/*.yml "$tmp/reg/"
cp tests/browser/hostile/deployments/*.json "$tmp/dep/"

# register NAME CONFIG INSTANCE [SET...]: a project $tmp/NAME, registered
# into $tmp/dep.
register() {
	_n=$1 _c=$2 _i=$3
	shift 3
	mkdir -p "$tmp/$_n/do"
	cat >"$tmp/$_n/do/config" <<EOF
PROJECT_NAME=$_n
DEPLOYMENT_CONFIG=$_c
INSTANCE_TYPE=$_i
AWS_REGION=eu-central-1
DEPLOYMENT_TARGET=realtime-inference
ROLE_ARN=arn:aws:iam::123456789012:role/SageMakerRole
EOF
	HF_TOKEN=$secret timed "$gen" deploy register --project "$tmp/$_n" \
	    --deployments "$tmp/dep" --notes "$_n <b>registered</b>" "$@" \
	    2>>"$tmp/register.err"
}

if register web http-fastapi ml.m5.xlarge &&
    register trt triton-tensorrt-llm ml.g5.xlarge --set modelName=org/model &&
    register sd diffusors-vllm ml.g5.xlarge --status partial &&
    register odd my2arch-vllm ml.inf2.xlarge --set modelName=evil/hostile-model &&
    register odd my2arch-vllm ml.inf2.xlarge --set modelName=evil/hostile-model --ci; then
	ok
else no "gen deploy register failed: $(cat "$tmp/register.err")"; fi

# publish NAME DEPLOYMENTS: gen registries into $tmp/NAME.
publish() {
	timed "$gen" -r "$tmp/reg" --deployments "$2" -o "$tmp/$1" \
	    --state "$tmp/state-$1" registries 2>"$tmp/$1.err"
}

if publish a "$tmp/dep"; then ok; else no "gen registries failed: $(cat "$tmp/a.err")"; fi
if node tests/validate-schema.js "$schema" "$tmp/a/deployments.json" \
    >"$tmp/ajv-a" 2>&1; then ok; else
	no "deployments.json does not validate: $(head -5 "$tmp/ajv-a")"
fi
if cmp -s "$schema" "$tmp/a/schema/deployments.schema.json"; then ok; else
	no "schema/deployments.schema.json is not the template's"
fi
if grep -rqE --exclude-dir=schema 'roleArn|123456789012|SageMakerRole' "$tmp/a"; then
	no "a roleArn reached the site: $(grep -rlE 'roleArn|123456789012' "$tmp/a")"
else ok; fi
if grep -rq "$secret" "$tmp/a" "$tmp/dep"; then
	no "the secret reached a file: $(grep -rl "$secret" "$tmp/a" "$tmp/dep")"
else ok; fi

# Each record as its file holds it, minus roleArn, plus its verdict.
if /usr/bin/python3 - "$tmp/a/deployments.json" "$tmp/dep" >"$tmp/cmp" 2>&1 <<'PY'
import json, os, sys
pub = json.load(open(sys.argv[1]))
assert list(pub) == ["deployments", "schemaVersion"], list(pub)
recs = pub["deployments"]
ids = [r["configId"] for r in recs]
files = sorted(f[:-5] for f in os.listdir(sys.argv[2]) if f.endswith(".json"))
assert ids == files, (ids, files)
verdicts = set()
arns = 0
for r in recs:
    c = r.pop("compatibility")
    verdicts.add(c["verdict"])
    assert (c["verdict"] == "incompatible") == ("reason" in c), (r["configId"], c)
    f = json.load(open(os.path.join(sys.argv[2], r["configId"] + ".json")))
    arns += f.pop("roleArn", None) is not None
    assert f == r, r["configId"]
assert arns >= 2, "no record with a roleArn to leave out"
assert verdicts == {"compatible", "incompatible", "unknown"}, verdicts
archs = {r["architecture"] for r in recs}
assert {"http", "triton", "diffusors", "my2arch"} <= archs, archs
odd = [r for r in recs if r["architecture"] == "my2arch"][0]
assert len(odd["history"]) == 2 and odd["testStatus"] == "untested", odd
PY
then ok; else no "deployments.json is not the records: $(tail -5 "$tmp/cmp")"; fi

# The same inputs, the same bytes.
if publish b "$tmp/dep" && cmp -s "$tmp/a/deployments.json" "$tmp/b/deployments.json"; then
	ok
else no "a second run gives other bytes"; fi

# An empty folder: an empty list, valid.
if publish e "$tmp/empty" && node tests/validate-schema.js "$schema" \
    "$tmp/e/deployments.json" >"$tmp/ajv-e" 2>&1 &&
    [ "$(tr -d ' \n' <"$tmp/e/deployments.json")" = '{"deployments":[],"schemaVersion":1}' ]; then
	ok
else no "an empty folder: $(cat "$tmp/e.err" "$tmp/ajv-e" 2>/dev/null | head -5)"; fi

# The schema refuses what must not be published.
for bad in roleArn:'"arn:aws:iam::1:role/x"' architecture:'"Transformers"' \
    status:'"deployed"' configId:'"XYZ"'; do
	k=${bad%%:*} v=${bad#*:}
	/usr/bin/python3 - "$tmp/a/deployments.json" "$k" "$v" >"$tmp/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["deployments"][0][sys.argv[2]] = json.loads(sys.argv[3])
print(json.dumps(d))
PY
	if node tests/validate-schema.js "$schema" "$tmp/bad.json" >/dev/null 2>&1; then
		no "the schema accepts $k: $v"
	else ok; fi
done
summary

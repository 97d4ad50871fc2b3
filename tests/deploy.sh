#!/bin/sh
# deploy.sh - the deployment registry through the command line, in a
# scratch repository (the repository's registries, manifest and docs, no
# packages) with project folders beside it:
#   - the round trip register -> list -> show -> export -> import: the
#     record's fields, its file (sorted keys, two spaces, a final newline,
#     named by its configId), --json, two registrations leaving a history
#     of two, mark passed|failed, --ci setting testStatus back to untested;
#   - do/config < the environment < --set; do/ic and do/adapters;
#     --deployments DIR and -C DIR;
#   - show by a unique prefix; an ambiguous or unknown one exits 66;
#   - list's filters, --json, and --untested --json as a GitHub Actions
#     matrix;
#   - export (success only by default, no roleArn, no region) and import
#     --skip, --merge and --replace;
#   - the same inputs and SOURCE_DATE_EPOCH give the same bytes;
#   - do/config is never run;
#   - secrets set in the environment and do/config reach no file under
#     deployments/ or site/, tuning values stay in clear;
#   - gen validate warns about a stale reference with a suggestion.
# Prints "deploy: N passed, N failed".
set -u
. tests/lib.sh
lib_init deploy
ex=3ea2aeeb3ba9aa7e		# ML Container Creator's vector
# ml.g6.2xlarge Mistral on vLLM and ml.g5.2xlarge Phi-3 on SGLang, both in
# us-east-1: two ids beginning a8ad.
amb1=a8ad1a4550a0c450
amb2=a8ad55c3454682e4
role=arn:aws:iam::123456789012:role/SageMakerRole
# SOURCE_DATE_EPOCH (tests/lib.sh) as the records write it.
t0=2025-01-10T00:00:00Z
unset PROJECT_NAME DEPLOYMENT_CONFIG MODEL_NAME INSTANCE_TYPE AWS_REGION \
    DEPLOYMENT_TARGET BASE_IMAGE ROLE_ARN AWS_DEFAULT_REGION

# py 'EXPRESSION' FILE...: a Python check over the files' JSON (J[0]...).
py() {
	_e=$1
	shift
	python3 -c "import json, sys, re
J = [json.load(open(f)) for f in sys.argv[1:]]
sys.exit(0 if ($_e) else 1)" "$@"
}
# canonical FILE: the file is its JSON with sorted keys, two spaces and a
# final newline.
canonical() {
	python3 -c "import json, sys
t = open(sys.argv[1], encoding='utf-8').read()
sys.exit(0 if t == json.dumps(json.loads(t), indent=2, sort_keys=True,
    ensure_ascii=False) + '\n' else 1)" "$1"
}
# project DIR LINE...: a project folder whose do/config holds the lines.
project() {
	_p=$1
	shift
	mkdir -p "$_p/do"
	printf '%s\n' "$@" >"$_p/do/config"
}
# newrepo DIR: a scratch repository: registries, manifest, docs.
newrepo() {
	mkdir -p "$1/registries" &&
	    cp "$top"/registries/*.yml "$1/registries/" &&
	    cp -R "$top/manifest.yml" "$top/docs" "$1/"
}

repo=$tmp/repo
newrepo "$repo"
cd "$repo" || exit 1
g() { timed "$gen" -r registries -t "$top/templates" "$@"; }
D=deployments

project p1 'export PROJECT_NAME="llama2-vllm"' \
    'export DEPLOYMENT_CONFIG="transformers-vllm"' \
    'export MODEL_NAME="meta-llama/Llama-2-7b-chat-hf"' \
    'export INSTANCE_TYPE="ml.g5.xlarge"' \
    'export AWS_REGION="us-east-1"' \
    'export DEPLOYMENT_TARGET="realtime-inference"' \
    'export BASE_IMAGE="vllm/vllm-openai:v0.8.5"' \
    "export ROLE_ARN=\"$role\"" \
    'VLLM_MAX_MODEL_LEN=4096' \
    'HF_MODEL_ID=meta-llama/Llama-2-7b-chat-hf'

# ---- register ---------------------------------------------------------------
if g deploy register --project p1 --notes "Initial deployment" >out 2>err &&
    [ -f "$D/$ex.json" ]; then ok; else
	no "register p1: $(cat err)"; fi
if grep -q "deployments/$ex.json: registered" err; then ok; else
	no "register says \"gen: deployments/$ex.json: registered ...\": $(cat err)"; fi
if [ ! -s out ]; then ok; else no "register without --json wrote to stdout"; fi
if [ "$(ls $D)" = "$ex.json" ]; then ok; else no "deployments/ holds $(ls $D | tr '\n' ' ')"; fi
if canonical "$D/$ex.json"; then ok; else no "$ex.json: not sorted keys, two spaces, a final newline"; fi
if py "J[0]['configId'] == '$ex' and J[0]['schemaVersion'] == 1 and
    J[0]['projectName'] == 'llama2-vllm' and
    J[0]['deploymentConfig'] == 'transformers-vllm' and
    J[0]['architecture'] == 'transformers' and J[0]['backend'] == 'vllm' and
    J[0]['modelName'] == 'meta-llama/Llama-2-7b-chat-hf' and
    J[0]['instanceType'] == 'ml.g5.xlarge' and J[0]['region'] == 'us-east-1' and
    J[0]['deploymentTarget'] == 'realtime-inference' and
    J[0]['baseImage'] == 'vllm/vllm-openai:v0.8.5' and
    J[0]['roleArn'] == '$role' and J[0]['notes'] == 'Initial deployment' and
    J[0]['status'] == 'success' and J[0]['testStatus'] == 'untested' and
    'testedAt' not in J[0] and
    J[0]['registeredAt'] == '$t0' and J[0]['firstRegisteredAt'] == '$t0' and
    J[0]['icCount'] == 1 and J[0]['adapterCount'] == 0 and
    J[0]['ciIc'] == 'default' and [c['name'] for c in J[0]['icList']] == ['default'] and
    J[0]['genVersion'] == '$("$gen" --version | cut -d' ' -f2)' and
    len(J[0]['history']) == 1 and J[0]['history'][0]['time'] == '$t0' and
    J[0]['history'][0]['status'] == 'success' and J[0]['history'][0]['ci'] is False and
    J[0]['history'][0]['notes'] == 'Initial deployment' and
    J[0]['parameters'].get('VLLM_MAX_MODEL_LEN') == '4096' and
    J[0]['parameters'].get('HF_MODEL_ID') == 'meta-llama/Llama-2-7b-chat-hf'" \
    "$D/$ex.json"; then ok; else no "the record's fields: $(cat "$D/$ex.json")"; fi
if py "J[0]['buildStrategy'] == 'codebuild-submit' == J[0]['history'][0]['buildStrategy']" \
    "$D/$ex.json"; then ok; else no "the default build strategy is codebuild-submit"; fi

# --json prints the record; a second registration appends to its history.
if SOURCE_DATE_EPOCH=1736553600 g deploy register --project p1 --status partial \
    --notes "Tune OOM" --build-strategy local-docker --json >second.json 2>err &&
    py "J[0] == J[1]" second.json "$D/$ex.json"; then ok; else
	no "register --json does not print the record: $(cat err)"; fi
if py "len(J[0]['history']) == 2 and J[0]['status'] == 'partial' and
    J[0]['notes'] == 'Tune OOM' and J[0]['buildStrategy'] == 'local-docker' and
    J[0]['firstRegisteredAt'] == '$t0' and
    J[0]['registeredAt'] == '2025-01-11T00:00:00Z' and
    [h['status'] for h in J[0]['history']] == ['success', 'partial'] and
    [h['time'] for h in J[0]['history']] == ['$t0', '2025-01-11T00:00:00Z'] and
    J[0]['history'][1]['buildStrategy'] == 'local-docker'" "$D/$ex.json"; then ok; else
	no "two registrations: history of two, the last one's status: $(cat "$D/$ex.json")"; fi

# ---- mark, and --ci back to untested ------------------------------------------
if g deploy mark $ex passed 2>err && py "J[0]['testStatus'] == 'passed' and
    re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', J[0]['testedAt'])" "$D/$ex.json"; then
	ok; else no "mark passed: $(cat err)"; fi
if g deploy mark "${ex%????????}" failed 2>err && py "J[0]['testStatus'] == 'failed' and
    len(J[0]['history']) == 2" "$D/$ex.json"; then ok; else
	no "mark failed by a prefix (history unchanged): $(cat err)"; fi
g deploy mark $ex passed 2>/dev/null
if SOURCE_DATE_EPOCH=1736640000 g deploy register --project p1 2>err &&
    py "J[0]['testStatus'] == 'passed' and len(J[0]['history']) == 3" "$D/$ex.json"; then
	ok; else no "registering again without --ci keeps testStatus: $(cat err)"; fi
if SOURCE_DATE_EPOCH=1736726400 g deploy register --project p1 --ci 2>err &&
    py "J[0]['testStatus'] == 'untested' and len(J[0]['history']) == 4 and
    J[0]['history'][3]['ci'] is True and J[0]['status'] == 'success'" "$D/$ex.json"; then
	ok; else no "register --ci sets testStatus back to untested: $(cat err)"; fi

# ---- more projects: components and adapters, no model, precedence ----------
project p2 'PROJECT_NAME=qwen-sglang' 'DEPLOYMENT_CONFIG=transformers-sglang' \
    "MODEL_NAME='Qwen/Qwen2.5-7B-Instruct'" 'INSTANCE_TYPE=ml.g5.xlarge' \
    'AWS_REGION=us-west-2' 'DEPLOYMENT_TARGET=realtime-inference' \
    'BASE_IMAGE=lmsysorg/sglang:v0.4.6.post1-cu124' 'SGLANG_MEM_FRACTION_STATIC=0.85'
mkdir -p p2/do/ic p2/do/adapters
printf 'IC_NAME=main\nIMAGE=qwen-main\nGPU_COUNT=1\nCOPY_COUNT=2\n' >p2/do/ic/main.conf
printf 'IC_NAME=canary\nIMAGE=qwen-canary\nGPU_COUNT=1\nCOPY_COUNT=1\n' >p2/do/ic/canary.conf
printf 'ADAPTER_NAME=tuned-sft\nBASE_IC_NAME=main\nARTIFACT_URL=s3://bucket/sft/\n' \
    >p2/do/adapters/tuned-sft.conf
# The environment beats do/config, --set beats both.
if INSTANCE_TYPE=ml.g5.4xlarge g deploy register --project p2 \
    --set instanceType=ml.g5.2xlarge --json >p2.json 2>err; then ok; else
	no "register p2: $(cat err)"; fi
p2=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["configId"])' p2.json 2>/dev/null)
if [ -n "$p2" ] && [ -f "$D/$p2.json" ] && py "J[0]['instanceType'] == 'ml.g5.2xlarge' and
    J[0]['region'] == 'us-west-2'" "$D/$p2.json"; then ok; else
	no "--set instanceType beats the environment and do/config: $(cat p2.json)"; fi
if py "J[0]['icCount'] == 2 and J[0]['adapterCount'] == 1 and
    [c['name'] for c in J[0]['icList']] == ['canary', 'main', 'tuned-sft'] and
    J[0]['icList'][2].get('isAdapter') is True and
    not J[0]['icList'][0].get('isAdapter') and J[0]['ciIc'] == 'canary' and
    J[0]['parameters'].get('SGLANG_MEM_FRACTION_STATIC') == '0.85'" p2.json; then ok; else
	no "components, adapters, ciIc: $(cat p2.json)"; fi
if python3 -c "import hashlib, sys
k = 'transformers-sglang:Qwen/Qwen2.5-7B-Instruct:ml.g5.2xlarge:us-west-2:realtime-inference:ic2:adapt1'
sys.exit(0 if hashlib.sha256(k.encode()).hexdigest()[:16] == sys.argv[1] else 1)" "$p2"; then
	ok; else no "p2's configId $p2 is not SHA-256 of its key text"; fi
if INSTANCE_TYPE=ml.g5.4xlarge g deploy register --project p2 --json >p2b.json 2>err &&
    py "J[0]['instanceType'] == 'ml.g5.4xlarge'" p2b.json; then ok; else
	no "the environment beats do/config: $(cat err)"; fi
p2b=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["configId"])' p2b.json 2>/dev/null)

project p3 'PROJECT_NAME=tgi-nomodel' 'DEPLOYMENT_CONFIG=transformers-tgi' \
    'INSTANCE_TYPE=ml.g6.xlarge' 'AWS_REGION=eu-west-1' \
    'DEPLOYMENT_TARGET=realtime-inference' \
    'BASE_IMAGE=ghcr.io/huggingface/text-generation-inference:2.4.0'
if g deploy register --project p3 --status failed --notes "OOM at load" --json \
    >p3.json 2>err && py "'modelName' not in J[0] and J[0]['status'] == 'failed'" p3.json; then
	ok; else no "register p3 without a model: $(cat err)"; fi
p3=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["configId"])' p3.json 2>/dev/null)
if python3 -c "import hashlib, sys
k = 'transformers-tgi:none:ml.g6.xlarge:eu-west-1:realtime-inference:ic1:adapt0'
sys.exit(0 if hashlib.sha256(k.encode()).hexdigest()[:16] == sys.argv[1] else 1)" "$p3"; then
	ok; else no "without a model the id hashes 'none': $p3"; fi

# Every value from --set alone, in a project with no do/config at all.
mkdir -p p4
if g deploy register --project p4 --set projectName=mistral-vllm \
    --set deploymentConfig=transformers-vllm \
    --set modelName=mistralai/Mistral-7B-Instruct-v0.3 \
    --set instanceType=ml.g6.2xlarge --set region=us-east-1 \
    --set deploymentTarget=realtime-inference 2>err && [ -f "$D/$amb1.json" ]; then
	ok; else no "register from --set alone ($amb1): $(cat err)"; fi
project p5 'PROJECT_NAME=phi3-sglang' 'DEPLOYMENT_CONFIG=transformers-sglang' \
    'MODEL_NAME=microsoft/Phi-3-mini-4k-instruct' 'INSTANCE_TYPE=ml.g5.2xlarge' \
    'AWS_REGION=us-east-1' 'DEPLOYMENT_TARGET=realtime-inference'
if g deploy register --project p5 2>err && [ -f "$D/$amb2.json" ]; then ok; else
	no "register p5 ($amb2): $(cat err)"; fi
for f in $D/*.json; do
	if canonical "$f" && [ "$(basename "$f" .json)" = "$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["configId"])' "$f")" ]; then ok; else
		no "$f: not canonical or not named by its configId"; fi
done
if [ -z "$(find $D -name '.*' -o -name '*.tmp' -o -name '*~')" ]; then ok; else
	no "staging files left in deployments/: $(find $D -name '.*')"; fi

# ---- show -----------------------------------------------------------------
if g deploy show $ex >out 2>err && grep -q "$ex" out && grep -q llama2-vllm out; then
	ok; else no "show $ex: $(cat err)"; fi
if g deploy show 3ea2 --json >out.json 2>err && py "J[0].pop('compatibility')['verdict'] in
    ('compatible', 'incompatible', 'unknown') and J[0] == J[1]" out.json "$D/$ex.json"; then
	ok; else no "show 3ea2 --json is the record with its verdict: $(cat err)"; fi
st=0; g deploy show a8ad >out 2>err || st=$?
if [ $st = 66 ] && [ ! -s out ] && grep -q a8ad err; then ok; else
	no "show of an ambiguous prefix: exit $st, expected 66: $(cat err)"; fi
if g deploy show a8ad5 --json >out.json 2>err && py "J[0]['configId'] == '$amb2'" out.json; then
	ok; else no "show a8ad5 (unique): $(cat err)"; fi
st=0; g deploy show ffff >out 2>err || st=$?
if [ $st = 66 ] && [ ! -s out ]; then ok; else no "show of an unknown prefix: exit $st, expected 66"; fi
st=0; g deploy mark ffff0000ffff0000 passed >out 2>err || st=$?
if [ $st = 66 ]; then ok; else no "mark of an unknown id: exit $st, expected 66"; fi

# ---- list -----------------------------------------------------------------
# ids COMMAND...: the configIds the command's --json array (or matrix)
# lists, sorted.
ids() {
	g "$@" --json 2>err | python3 -c 'import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(r["configId"] for r in (j["include"] if isinstance(j, dict) else j))))'
}
srt() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
all=$(srt $ex $p2 $p2b $p3 $amb1 $amb2)
if [ "$(ids deploy list)" = "$all" ]; then ok; else no "list --json: $(ids deploy list), expected $all"; fi
if g deploy list >out 2>err; then ok; else no "list: $(cat err)"; fi
for i in $ex $p2 $p3 $amb1 $amb2; do
	if grep -q "$i" out; then ok; else no "list's table lacks $i"; fi
done
if [ "$(ids deploy list --deployment-config transformers-vllm)" = "$(srt $ex $amb1)" ]; then
	ok; else no "list --deployment-config transformers-vllm"; fi
if [ "$(ids deploy list --status failed)" = "$p3" ]; then ok; else no "list --status failed"; fi
if [ "$(ids deploy list --status partial)" = "" ]; then ok; else no "list --status partial (p1 is success again)"; fi
if [ "$(ids deploy list --model 'Qwen/*')" = "$(srt $p2 $p2b)" ]; then ok; else no "list --model 'Qwen/*'"; fi
if [ "$(ids deploy list --model '*Llama-2*')" = "$ex" ]; then ok; else no "list --model '*Llama-2*'"; fi
if [ "$(ids deploy list --instance ml.g5.2xlarge)" = "$(srt $p2 $amb2)" ]; then ok; else
	no "list --instance ml.g5.2xlarge: $(ids deploy list --instance ml.g5.2xlarge)"; fi
if [ "$(ids deploy list --instance ml.g5.2xlarge --deployment-config transformers-sglang \
    --model 'Qwen/*')" = "$p2" ]; then ok; else no "list with three filters"; fi
g deploy mark $amb2 passed 2>/dev/null
want=$(srt $ex $p2 $p2b $p3 $amb1)
if [ "$(ids deploy list --untested)" = "$want" ]; then ok; else
	no "list --untested: $(ids deploy list --untested), expected $want"; fi
g deploy list --untested --json >matrix.json 2>err
if py "list(J[0]) == ['include'] and isinstance(J[0]['include'], list) and
    all(set(e) == {'configId', 'deploymentConfig', 'modelName', 'instanceType',
        'region', 'deploymentTarget', 'ic'} and
        all(isinstance(v, str) and v for v in e.values()) for e in J[0]['include']) and
    sorted(e['configId'] for e in J[0]['include']) == '$want'.split()" matrix.json; then
	ok; else no "list --untested --json is no GitHub Actions matrix: $(cat matrix.json err)"; fi
if py "[(e['deploymentConfig'], e['modelName'], e['instanceType'], e['region'],
    e['deploymentTarget'], e['ic']) for e in J[0]['include'] if e['configId'] == '$p2'] ==
    [('transformers-sglang', 'Qwen/Qwen2.5-7B-Instruct', 'ml.g5.2xlarge', 'us-west-2',
    'realtime-inference', 'canary')]" matrix.json; then ok; else
	no "the matrix's entry for p2 (ic: the first component)"; fi
st=0; g deploy list --status bogus >/dev/null 2>&1 || st=$?
if [ $st = 65 ]; then ok; else no "list --status bogus: exit $st, expected 65"; fi

# A record changed by hand (a reviewed edit) is read again, not taken
# from the state cache.
python3 - "$D/$p3.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["notes"] = d["history"][-1]["notes"] = "edited by hand"
open(sys.argv[1], "w").write(json.dumps(d, indent=2, sort_keys=True) + "\n")
PY
if g deploy show "$p3" --json >out.json 2>err && py "J[0]['notes'] == 'edited by hand'" out.json; then
	ok; else no "a record edited by hand is not read again: $(cat err)"; fi

# -C and --deployments.
if timed "$gen" -C "$repo" -r registries deploy show $ex >/dev/null 2>err; then ok; else
	no "-C DIR deploy show: $(cat err)"; fi
before=$(snap $D)
if g --deployments other deploy register --project p3 2>err && [ -f "other/$p3.json" ] &&
    [ "$(snap $D)" = "$before" ] && [ "$(ls other)" = "$p3.json" ]; then ok; else
	no "--deployments other: $(cat err)"; fi

# ---- export and import --------------------------------------------------------
if g deploy export >export.json 2>err; then ok; else no "export: $(cat err)"; fi
if py "J[0]['schemaVersion'] == 1 and set(J[0]) == {'schemaVersion', 'deployments'} and
    all(r['status'] == 'success' for r in J[0]['deployments']) and
    all('roleArn' not in r and 'region' not in r for r in J[0]['deployments']) and
    sorted(r['configId'] for r in J[0]['deployments']) == '$(srt $ex $p2 $p2b $amb1 $amb2)'.split()" \
    export.json; then ok; else no "export: success only, without roleArn and region"; fi
if ! grep -q "123456789012" export.json; then ok; else no "export holds the account id"; fi
if g deploy export --status failed >ef.json 2>err &&
    py "[r['configId'] for r in J[0]['deployments']] == ['$p3']" ef.json; then ok; else
	no "export --status failed: $(cat err)"; fi
if g deploy export "$ex" >e1.json 2>err &&
    py "[r['configId'] for r in J[0]['deployments']] == ['$ex']" e1.json; then ok; else
	no "export ID: $(cat err)"; fi

repo2=$tmp/repo2
newrepo "$repo2"
if (cd "$repo2" && g deploy import "$repo/export.json") 2>err; then ok; else
	no "import into an empty registry: $(cat err)"; fi
if [ "$(ls "$repo2/$D" | sort | tr '\n' ' ' | sed 's/ $//')" = \
    "$(srt $ex.json $p2.json $p2b.json $amb1.json $amb2.json)" ]; then ok; else
	no "import wrote $(ls "$repo2/$D" | tr '\n' ' ')"; fi
if py "all(J[0]['deployments'][i] == json.load(open('$repo2/$D/' + J[0]['deployments'][i]['configId'] + '.json'))
    for i in range(len(J[0]['deployments'])))" export.json; then ok; else
	no "the imported records are not the exported ones"; fi
if (cd "$repo2" && g deploy list --json >/dev/null && g deploy show $ex >/dev/null) 2>err; then
	ok; else no "imported records (no region) list and show: $(cat err)"; fi
for f in "$repo2/$D"/*.json; do
	if canonical "$f"; then ok; else no "$f: imported, not canonical"; fi
done
# Importing the same file again changes nothing.
before=$(snap "$repo2/$D")
if (cd "$repo2" && g deploy import "$repo/export.json") 2>err &&
    [ "$(snap "$repo2/$D")" = "$before" ]; then ok; else
	no "a second import of the same file wrote: $(cat err)"; fi

# A newer export of the same configuration: --skip keeps, --merge joins
# the histories, --replace takes the import.
SOURCE_DATE_EPOCH=1736812800 g deploy register --project p1 --notes "vLLM upgrade" 2>/dev/null
g deploy export "$ex" >newer.json 2>/dev/null
before=$(snap "$repo2/$D")
if (cd "$repo2" && g deploy import "$repo/newer.json" --skip) 2>err &&
    [ "$(snap "$repo2/$D")" = "$before" ]; then ok; else
	no "import --skip changed an existing record: $(cat err)"; fi
if (cd "$repo2" && g deploy import "$repo/newer.json") 2>err &&
    [ "$(snap "$repo2/$D")" = "$before" ]; then ok; else
	no "import (the default --skip) changed an existing record: $(cat err)"; fi
cp -R "$repo2" "$tmp/repo3"
python3 - "$repo2/$D/$ex.json" <<'PY'
# An entry only the importing side has: merge keeps it.
import json, sys
d = json.load(open(sys.argv[1]))
d["history"].insert(0, {"ci": False, "genVersion": "0.1.0", "notes": "local only",
    "status": "failed", "time": "2024-12-01T00:00:00Z"})
d["firstRegisteredAt"] = "2024-12-01T00:00:00Z"
open(sys.argv[1], "w").write(json.dumps(d, indent=2, sort_keys=True) + "\n")
PY
if (cd "$repo2" && g deploy import "$repo/newer.json" --merge) 2>err; then ok; else
	no "import --merge: $(cat err)"; fi
if py "[h['time'] for h in J[0]['history']] == sorted({h['time'] for h in J[1]['deployments'][0]['history']} |
    {'2024-12-01T00:00:00Z'}) and J[0]['history'][0]['notes'] == 'local only' and
    J[0]['firstRegisteredAt'] == '2024-12-01T00:00:00Z' and J[0]['notes'] == 'vLLM upgrade' and
    J[0]['registeredAt'] == J[1]['deployments'][0]['registeredAt']" \
    "$repo2/$D/$ex.json" newer.json; then ok; else
	no "import --merge: the union of both histories, oldest first, the newest registration's fields: $(cat "$repo2/$D/$ex.json")"; fi
if (cd "$tmp/repo3" && g deploy import "$repo/newer.json" --replace) 2>err &&
    py "J[0] == J[1]['deployments'][0]" "$tmp/repo3/$D/$ex.json" newer.json; then ok; else
	no "import --replace: the record is the imported one: $(cat err)"; fi
if canonical "$repo2/$D/$ex.json" && canonical "$tmp/repo3/$D/$ex.json"; then ok; else
	no "merged or replaced record not canonical"; fi
# A secret that comes in by import is redacted again.
python3 - newer.json >secret-import.json <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
r = e["deployments"][0]
r["parameters"]["NGC_API_KEY"] = "nvapi-Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE"
r["parameters"]["VLLM_EXTRA"] = "hf_ImportedSecretAbCdEfGhIjKlMnOpQrSt"
r["configId"] = "0000000000000000"	# an exported record keeps its id
print(json.dumps(e, indent=2))
PY
mkdir -p "$tmp/repo4"
if (cd "$tmp/repo4" && g deploy import "$repo/secret-import.json") 2>err &&
    ! grep -rq -e nvapi-Zx9 -e hf_ImportedSecret "$tmp/repo4/$D" &&
    py "J[0]['parameters']['NGC_API_KEY'] == J[0]['parameters']['VLLM_EXTRA'] == '***REDACTED***'" \
    "$tmp/repo4/$D/0000000000000000.json"; then ok; else
	no "import does not redact secrets again: $(cat err)"; fi

# ---- registrations at once ----------------------------------------------------
conc=$tmp/conc
mkdir -p "$conc"
for n in 1 2 3 4 5 6; do
	project "$conc/p$n" "PROJECT_NAME=conc-$n" 'DEPLOYMENT_CONFIG=transformers-vllm' \
	    "MODEL_NAME=meta-llama/Llama-3.1-8B-Instruct" 'INSTANCE_TYPE=ml.g5.xlarge' \
	    "AWS_REGION=region-$n" 'DEPLOYMENT_TARGET=realtime-inference'
done
(cd "$conc" && for n in 1 2 3 4 5 6; do
	g deploy register --project "p$n" 2>/dev/null &
done; wait)
if [ "$(find "$conc/$D" -name '*.json' | wc -l)" = 6 ] &&
    (cd "$conc" && g deploy list --json >all.json 2>/dev/null) &&
    py "len(J[0]) == 6" "$conc/all.json"; then ok; else
	no "six registrations at once do not leave six records"; fi
(cd "$conc" && for n in 1 2 3 4 5 6; do
	g deploy register --project p1 --notes "run $n" 2>/dev/null &
done; wait)
if py "len(J[0]['history']) == 7" "$(find "$conc/$D" -name '*.json' -exec grep -l conc-1 {} +)"; then
	ok; else no "six registrations of one configuration at once lose history entries"; fi

# ---- determinism -------------------------------------------------------------
for n in a b; do
	mkdir -p "$tmp/det-$n"
	cp -R p1 p2 "$tmp/det-$n/"
	(cd "$tmp/det-$n" && g deploy register --project p1 --notes x &&
	    g deploy register --project p2 &&
	    SOURCE_DATE_EPOCH=1736553600 g deploy register --project p1 --ci &&
	    g deploy mark $ex passed) 2>/dev/null
done
if [ -n "$(ls "$tmp/det-a/$D" 2>/dev/null)" ] &&
    diff -r "$tmp/det-a/$D" "$tmp/det-b/$D" >/dev/null; then ok; else
	no "the same registrations give different bytes"; fi
if py "J[0]['testedAt'] == '$t0'" "$tmp/det-a/$D/$ex.json"; then ok; else
	no "mark's testedAt is not SOURCE_DATE_EPOCH"; fi

# ---- do/config is never run ------------------------------------------------------
project p6 'PROJECT_NAME=never-run' 'DEPLOYMENT_CONFIG=transformers-vllm' \
    'MODEL_NAME=meta-llama/Llama-2-7b-chat-hf' 'INSTANCE_TYPE=ml.g5.xlarge' \
    'AWS_REGION=us-east-1' 'DEPLOYMENT_TARGET=realtime-inference' \
    "VLLM_EXTRA_ARGS=\"\$(touch $tmp/ran-1)\"" \
    "export VLLM_MORE=\"\`touch $tmp/ran-2\`\"" \
    "VLLM_WORKER=\"\${X:-\$(touch $tmp/ran-3)}\""
if g deploy register --project p6 --deployments never --json >never.json 2>err; then ok; else
	no "register with \$(...) in quoted values: $(cat err)"; fi
if [ ! -e "$tmp/ran-1" ] && [ ! -e "$tmp/ran-2" ] && [ ! -e "$tmp/ran-3" ]; then ok; else
	no "do/config was run"; fi
if py "J[0]['parameters'].get('VLLM_EXTRA_ARGS') == '\$(touch $tmp/ran-1)'" never.json; then
	ok; else no "a quoted \$(...) is not kept as text: $(cat never.json)"; fi
project p7 'PROJECT_NAME=never-run' "VLLM_X=\$(touch $tmp/ran-4)"
st=0; g deploy register --project p7 --deployments never7 >/dev/null 2>&1 || st=$?
if [ $st = 65 ] && [ ! -e "$tmp/ran-4" ] && [ ! -e never7 ]; then ok; else
	no "a bare \$(...) in do/config: exit $st, expected 65, nothing run or written"; fi

# ---- secrets in the environment never reach a file -------------------------------
sec=$tmp/secrets
newrepo "$sec"
project "$sec/p" 'PROJECT_NAME=secrets' 'DEPLOYMENT_CONFIG=transformers-vllm' \
    'MODEL_NAME=meta-llama/Llama-2-7b-chat-hf' 'INSTANCE_TYPE=ml.g5.xlarge' \
    'AWS_REGION=us-east-1' 'DEPLOYMENT_TARGET=realtime-inference' \
    'export HF_TOKEN="hf_DoConfigTokenAbCdEfGhIjKlMnOpQrStUv"' \
    'VLLM_HF_TOKEN=hf_DoConfigVllmTokenAbCdEfGhIjKlMnOpQ' \
    "ROLE_ARN=$role"
mkdir -p "$sec/p/do/adapters"
printf 'ADAPTER_NAME=sft\nBASE_IC_NAME=default\nARTIFACT_URL="https://user:AdapterPassw0rd@artifacts.example.com/sft.tar"\n' \
    >"$sec/p/do/adapters/sft.conf"
pem='-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA75SecretPemBodyLineOneAbCdEfGhIjKlMnOpQrStUvWxYz
-----END RSA PRIVATE KEY-----'
jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c
secrets="hf_EnvTokenAbCdEfGhIjKlMnOpQrStUvWx0123
wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY0
VllmApiKeyValue-7f3a9c2e1b
nvapi-NgcApiKeyValue-Zx9yW8vU7tS6rQ5p
OpenAiKeyValueQwErTy0123456789
Db-PassW0rd-Value-42
$jwt
MIIEpAIBAAKCAQEA75SecretPemBodyLineOneAbCdEfGhIjKlMnOpQrStUvWxYz
UrlPassw0rdValue
ghp_EnvGithubTokenAbCdEfGhIjKlMnOpQrStUvWx
sk-EnvOpenAiStyleKeyAbCdEfGhIjKlMnOpQrSt
hf_HiddenUnderHarmlessNameAbCdEfGhIjKlMn
AKIAIOSFODNN7SECRET0
hf_DoConfigTokenAbCdEfGhIjKlMnOpQrStUv
hf_DoConfigVllmTokenAbCdEfGhIjKlMnOpQ
SglangAuthTokenValue-55aa
AdapterPassw0rd
ImagePassw0rd"
(
	cd "$sec" || exit 1
	export HF_TOKEN=hf_EnvTokenAbCdEfGhIjKlMnOpQrStUvWx0123
	export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY0
	export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7SECRET0
	export VLLM_API_KEY=VllmApiKeyValue-7f3a9c2e1b
	export NGC_API_KEY=nvapi-NgcApiKeyValue-Zx9yW8vU7tS6rQ5p
	export OPENAI_API_KEY=OpenAiKeyValueQwErTy0123456789
	export DB_PASSWORD=Db-PassW0rd-Value-42
	export VLLM_DB_PASSWORD=Db-PassW0rd-Value-42
	export VLLM_AUTH_JWT="$jwt"
	export VLLM_SSL_KEY_PEM="$pem"
	export VLLM_UPSTREAM=https://admin:UrlPassw0rdValue@models.example.com/v1
	export VLLM_GH=ghp_EnvGithubTokenAbCdEfGhIjKlMnOpQrStUvWx
	export VLLM_OPENAI=sk-EnvOpenAiStyleKeyAbCdEfGhIjKlMnOpQrSt
	export VLLM_EXTRA=hf_HiddenUnderHarmlessNameAbCdEfGhIjKlMn
	export VLLM_AWS=AKIAIOSFODNN7SECRET0
	export SGLANG_AUTH_TOKEN=SglangAuthTokenValue-55aa
	export VLLM_NGC_API_KEY=nvapi-NgcApiKeyValue-Zx9yW8vU7tS6rQ5p
	export VLLM_OPENAI_API_KEY=OpenAiKeyValueQwErTy0123456789
	export BASE_IMAGE=https://robot:ImagePassw0rd@registry.example.com/vllm/vllm-openai:v0.8.5
	export VLLM_MAX_NUM_BATCHED_TOKENS=8192
	export VLLM_MAX_TOTAL_TOKENS=16384
	export VLLM_TOKENIZER_MODE=auto
	g deploy register --project p --notes "with secrets around" >"$sec/reg.out" 2>"$sec/reg.err" &&
	    g deploy register --project p --ci --json >"$sec/reg.json" 2>>"$sec/reg.err" &&
	    g deploy export >"$sec/export.json" 2>>"$sec/reg.err" &&
	    g deploy list --json >"$sec/list.json" 2>>"$sec/reg.err" &&
	    g deploy list --untested --json >"$sec/matrix.json" 2>>"$sec/reg.err" &&
	    g -o site build 2>>"$sec/reg.err"
) && [ -f "$sec/site/deployments.json" ]
st=$?
if [ $st = 0 ]; then ok; else no "register and build with secrets around: $(cat "$sec/reg.err")"; fi
found=
# Every file gen wrote: the records, the site, and what it printed.
printf '%s\n' "$secrets" >"$tmp/secret-list"
while IFS= read -r s; do
	[ -n "$s" ] || continue
	if grep -rqF -e "$s" "$sec/$D" "$sec/site" "$sec/reg.out" "$sec/reg.json" \
	    "$sec/export.json" "$sec/list.json" "$sec/matrix.json" 2>/dev/null; then
		found="$found $s"
	fi
done <"$tmp/secret-list"
if [ -z "$found" ]; then ok; else no "secrets reached a file:$found"; fi
if ! grep -rqF "123456789012" "$sec/site"; then ok; else no "the role's account id reached site/"; fi
if py "J[0]['parameters'].get('VLLM_MAX_NUM_BATCHED_TOKENS') == '8192' and
    J[0]['parameters'].get('VLLM_MAX_TOTAL_TOKENS') == '16384' and
    J[0]['parameters'].get('VLLM_TOKENIZER_MODE') == 'auto'" "$sec/reg.json"; then ok; else
	no "tuning values not in clear: $(cat "$sec/reg.json")"; fi
if py "all(J[0]['parameters'].get(k) == '***REDACTED***' for k in ('VLLM_API_KEY',
    'VLLM_EXTRA', 'VLLM_AUTH_JWT', 'VLLM_SSL_KEY_PEM', 'VLLM_UPSTREAM', 'VLLM_GH',
    'VLLM_OPENAI', 'VLLM_AWS', 'VLLM_DB_PASSWORD', 'VLLM_NGC_API_KEY',
    'VLLM_OPENAI_API_KEY', 'VLLM_HF_TOKEN'))" "$sec/reg.json"; then ok; else
	no "the engine's secrets are not all stored as ***REDACTED***: $(cat "$sec/reg.json")"; fi
if py "not any(k.startswith(('AWS_', 'OPENAI_', 'NGC_', 'DB_')) and J[0]['parameters'][k] != '***REDACTED***'
        for k in J[0]['parameters'])" "$sec/reg.json"; then ok; else
	no "an unprefixed secret kept in clear"; fi

# A credential given as the role's ARN is not stored either.
mkdir -p "$tmp/role"
cp -R p1 "$tmp/role/"
(cd "$tmp/role" && g deploy register --project p1 \
    --set roleArn=ghp_RoleGithubTokenAbCdEfGhIjKlMnOpQrStUv) >/dev/null 2>&1
if [ -d "$tmp/role/$D" ] && ! grep -rq ghp_RoleGithubToken "$tmp/role/$D"; then ok; else
	no "a credential in roleArn is stored in clear (or nothing was written)"; fi

# ---- the site ----------------------------------------------------------------------
if py "[r['configId'] for r in J[0]['deployments']] == sorted(r['configId'] for r in J[0]['deployments']) and
    J[0]['schemaVersion'] == 1 and
    all('roleArn' not in r and r['compatibility']['verdict'] in ('compatible', 'incompatible', 'unknown')
        for r in J[0]['deployments'])" "$sec/site/deployments.json"; then ok; else
	no "site/deployments.json: sorted, without roleArn, with a verdict"; fi
if [ -f "$sec/site/schema/deployments.schema.json" ] &&
    node "$top/tests/validate-schema.js" "$sec/site/schema/deployments.schema.json" \
    "$sec/site/deployments.json" >"$tmp/ajv" 2>&1; then ok; else
	no "site/deployments.json against its schema: $(head -5 "$tmp/ajv" 2>/dev/null)"; fi

# ---- a stale reference --------------------------------------------------------------
stale=$tmp/stale
newrepo "$stale"
cp -R p1 "$stale/"
if (cd "$stale" && g deploy register --project p1 --set instanceType=ml.g5.xlarg) \
    >/dev/null 2>"$tmp/stale-reg.err"; then ok; else
	no "register with an unknown instance type: $(cat "$tmp/stale-reg.err")"; fi
if grep -q "ml.g5.xlarg" "$tmp/stale-reg.err" && grep -q "did you mean 'ml.g5.xlarge'" "$tmp/stale-reg.err"; then
	ok; else no "register: no warning with a suggestion: $(cat "$tmp/stale-reg.err")"; fi
if (cd "$stale" && g deploy register --project p1 --set deploymentConfig=transformers-vlm) \
    >/dev/null 2>"$tmp/stale-fw.err" && grep -q "'vlm'" "$tmp/stale-fw.err" &&
    grep -q "did you mean 'vllm'" "$tmp/stale-fw.err"; then ok; else
	no "register with an unknown backend: no warning with a suggestion: $(cat "$tmp/stale-fw.err")"; fi
if (cd "$stale" && timed "$gen" -r registries validate) >/dev/null 2>"$tmp/stale.err"; then ok; else
	no "gen validate with a stale reference fails: $(cat "$tmp/stale.err")"; fi
if grep -q "warning" "$tmp/stale.err" && grep -q "deployments/.*ml.g5.xlarg" "$tmp/stale.err" &&
    grep -q "did you mean 'ml.g5.xlarge'" "$tmp/stale.err"; then ok; else
	no "gen validate does not report the stale instance type with a suggestion: $(cat "$tmp/stale.err")"; fi

summary

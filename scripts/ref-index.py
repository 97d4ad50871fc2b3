#!/usr/bin/python3
"""ref-index.py - the Python reference of `gen index`, for the benchmark.

    scripts/ref-index.py [--base-url URL] PACKAGES_DIR > engines.json

Walks PACKAGES_DIR (sorted, recursively, skipping dot files and folders)
and, one file after the other in this one process, for every *.baiengine:

  - computes its size and SHA-256 with hashlib, reading 1 MiB at a time;
  - reads package/manifest.json with tarfile in streaming mode ('r|gz'),
    stopping at the first file member (which must be package/manifest.json);
  - checks that the file name is {engineId}-{version}-{os}-{arch}-{accel}
    [-{variant}].baiengine (accel: accelerator + major of acceleratorVersion).

It then writes an engines.json-like index to stdout: schemaVersion 1,
lastUpdated (SOURCE_DATE_EPOCH, else the newest package mtime), baseUrl,
and per engine id: latestVersion (the highest release, pre-releases only
when there is nothing else), modelFormats and the packages (sorted by
version, then file name).  Unlike gen it does not read manifest.yml (no
engine names, descriptions or platform checks) and keeps no cache: it is
the straightforward sequential program gen's throughput is compared with.

Exit status: 0 ok, 2 usage, 65 when a package was bad (reported on stderr
and left out), 66 when PACKAGES_DIR is missing.
"""

import hashlib
import json
import os
import re
import sys
import tarfile
import time

CHUNK = 1 << 20
FIELDS = ("engineId", "version", "accelerator", "acceleratorVersion", "os",
          "arch", "serverBinary", "modelFormats", "minAppVersion")


def sha256_file(path):
    h = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as f:
        while True:
            b = f.read(CHUNK)
            if not b:
                break
            size += len(b)
            h.update(b)
    return size, h.hexdigest()


def read_manifest(path):
    with tarfile.open(path, mode="r|gz") as tar:
        for m in tar:
            if m.isdir():
                continue
            if m.name != "package/manifest.json" or not m.isfile():
                raise ValueError("first file is %s, expected package/manifest.json"
                                 % m.name)
            if m.size > 64 * 1024:
                raise ValueError("package/manifest.json is over 64 KiB")
            return json.loads(tar.extractfile(m).read().decode("utf-8"))
    raise ValueError("no package/manifest.json")


def check(man, filename):
    if not isinstance(man, dict):
        raise ValueError("package/manifest.json: not an object")
    for k in FIELDS:
        if k not in man:
            raise ValueError("package/manifest.json: %s is missing" % k)
    av = man["acceleratorVersion"]
    token = man["accelerator"] + ("" if av is None else av.split(".")[0])
    want = "%s-%s-%s-%s-%s%s.baiengine" % (
        man["engineId"], man["version"], man["os"], man["arch"], token,
        "-" + man["variant"] if man.get("variant") else "")
    if want != filename:
        raise ValueError("package/manifest.json says %s" % want)


def version_key(v):
    """Numeric-aware key; a release sorts after its pre-releases."""
    core, dash, pre = v.partition("-")

    def parts(s):
        return [(0, int(t), "") if t.isdigit() else (1, 0, t)
                for t in re.findall(r"\d+|[^\d.]+", s)]
    return (parts(core), 0 if dash else 1, parts(pre))


def main(argv):
    args = argv[1:]
    base_url = "https://github.com/baiengines/registry/releases/download"
    if len(args) == 3 and args[0] == "--base-url":
        base_url = args[1]
        args = args[2:]
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: ref-index.py [--base-url URL] PACKAGES_DIR\n")
        return 2
    top = args[0]
    if not os.path.isdir(top):
        sys.stderr.write("ref-index.py: %s: no such folder\n" % top)
        return 66

    bad = 0
    newest = 0
    engines = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(".baiengine"):
                continue
            path = os.path.join(dirpath, name)
            try:
                newest = max(newest, int(os.stat(path).st_mtime))
                size, digest = sha256_file(path)
                man = read_manifest(path)
                check(man, name)
            except (OSError, ValueError, tarfile.TarError, KeyError,
                    AttributeError, TypeError) as e:
                sys.stderr.write("ref-index.py: %s: %s\n" % (path, e))
                bad += 1
                continue
            e = engines.setdefault(man["engineId"], {"formats": [], "pkgs": []})
            for fmt in man["modelFormats"]:
                if fmt not in e["formats"]:
                    e["formats"].append(fmt)
            pkg = {
                "os": man["os"],
                "arch": man["arch"],
                "accelerator": man["accelerator"],
                "acceleratorVersion": man["acceleratorVersion"],
            }
            if man.get("variant"):
                pkg["variant"] = man["variant"]
            pkg.update(version=man["version"], filename=name, size=size,
                       sha256=digest, minAppVersion=man["minAppVersion"])
            e["pkgs"].append(pkg)

    sde = os.environ.get("SOURCE_DATE_EPOCH", "")
    stamp = int(sde) if sde.isdigit() else newest
    out = {
        "schemaVersion": 1,
        "lastUpdated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)),
        "baseUrl": base_url,
        "engines": [],
    }
    for eid in sorted(engines):
        e = engines[eid]
        versions = sorted({p["version"] for p in e["pkgs"]}, key=version_key)
        releases = [v for v in versions if "-" not in v] or versions
        pkgs = sorted(e["pkgs"],
                      key=lambda p: (version_key(p["version"]), p["filename"]))
        out["engines"].append({
            "id": eid,
            "latestVersion": releases[-1],
            "modelFormats": e["formats"],
            "packages": pkgs,
        })
    sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return 65 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

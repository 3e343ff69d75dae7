#!/usr/bin/env python3
"""Runs two builds of blastmap over the same inputs and compares every byte.

    scripts/compare-binaries.py OLD_DIR NEW_DIR [--sizes 1000,10000]

OLD_DIR and NEW_DIR each hold a `blastmap` and a `blastmap-synth` binary
(for example a copy of `target/release` from before a change, and
`target/release` after it). For every fixture, the real-world systems of the
shared corpus (`../shared/real-world`, when present) and synthetic
inventories of the given sizes (generated once, by OLD_DIR's
`blastmap-synth`), it runs every command in every format with both and
compares standard output, standard error and the exit code.

`--rename OLD=NEW` (repeatable) declares an intended rename of a JSON key:
a JSON output that differs only by it counts as "renamed", not as a
difference. Exit code 0 when nothing else differs, 1 otherwise.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, NO_COLOR="1", COLUMNS="100", BLASTMAP_TODAY="2026-05-01")


def run(binary, args, cwd):
    p = subprocess.run([str(binary), *args], cwd=cwd, env=ENV, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def ids_of(binary, path):
    code, out, _ = run(binary, ["report", str(path), "--format", "json", "--analyses", "blast-radius"], ROOT)
    if code != 0:
        return []
    comps = json.loads(out)["components"]
    ranked = sorted(comps, key=lambda c: (-c["blast_radius"]["down"], c["id"]))
    picks = [ranked[0]["id"]] if ranked else []
    if len(comps) > 2:
        picks.append(comps[len(comps) // 2]["id"])
    return picks


def commands(path, ids, foreign, big):
    p = str(path)
    yield ["validate", p]
    yield ["validate", p, "--format", "json"]
    if foreign:
        yield ["import", p]
        yield ["import", p, "--format", "json"]
    for fmt in ["text", "markdown", "json"]:
        yield ["report", p, "--format", fmt]
    yield ["report", p, "--format", "json", "--detail"]
    yield ["report", p, "--format", "html", "--diagram", "builtin"]
    if not big:
        yield ["report", p, "--format", "html"]
        yield ["report", p, "--analyses", "spof,cold-start"]
    for fmt in ["text", "json", "sarif", "junit", "github"]:
        yield ["check", p, "--format", fmt]
    for fmt in ["dot", "mermaid"]:
        yield ["graph", p, "--format", fmt]
    yield ["graph", p, "--format", "dot", "--cluster-by", "owner"]
    for x in ids:
        for fmt in ["text", "json", "dot", "mermaid"]:
            yield ["simulate", p, "--fail", x, "--format", fmt]
        yield ["graph", p, "--format", "mermaid", "--focus", x, "--depth", "2"]
        yield ["graph", p, "--format", "dot", "--fail", x]
    if len(ids) == 2:
        yield ["simulate", p, "--fail", ids[0], "--fail", ids[1]]


def renamed(a, b, renames):
    def walk(v):
        if isinstance(v, dict):
            return {renames.get(k, k): walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    try:
        return walk(json.loads(a)) == json.loads(b)
    except ValueError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--rename", action="append", default=[])
    args = ap.parse_args()
    old, new = Path(args.old) / "blastmap", Path(args.new) / "blastmap"
    renames = dict(r.split("=", 1) for r in args.rename)
    scratch = Path(tempfile.mkdtemp(prefix="blastmap-compare-"))

    inputs = []  # (path, foreign, big)
    for sub in ["valid", "invalid", "warnings", "policy", "hostile", "hostile-terminal", "observed", "fuzz-regressions"]:
        for f in sorted((ROOT / "fixtures" / sub).rglob("*")):
            if f.is_file():
                inputs.append((f, sub in ("observed",), False))
    inputs.append((ROOT / "fixtures" / "shop", False, False))
    shared = ROOT.parent / "shared" / "real-world"
    if shared.is_dir():
        for system in sorted(p for p in shared.iterdir() if p.is_dir()):
            inputs.append((system / "files", True, False))
    else:
        print(f"note: {shared} not found; real-world systems not compared")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        f = scratch / f"synth-{n}.yaml"
        with open(f, "wb") as out:
            subprocess.run([str(Path(args.old) / "blastmap-synth"), "--components", str(n),
                            "--requirements", str(5 * n), "--seed", "7"], stdout=out, check=True)
        inputs.append((f, False, n > 2000))
    pairs = [(ROOT / "fixtures" / "shop", ROOT / "fixtures" / "policy" / "spof.yaml")]
    synth = [p for p, _, _ in inputs if p.parent == scratch]
    if len(synth) >= 1:
        pairs.append((ROOT / "fixtures" / "shop", synth[0]))

    same = renamed_count = 0
    differ = []
    runs = []
    for path, foreign, big in inputs:
        ids = ids_of(new, path)
        runs += [c for c in commands(path, ids, foreign, big)]
    for a, b in pairs:
        for fmt in ["text", "markdown", "json"]:
            runs.append(["diff", str(a), str(b), "--format", fmt])
    for cmd in runs:
        o, n = run(old, cmd, ROOT), run(new, cmd, ROOT)
        if o == n:
            same += 1
        elif renames and o[0] == n[0] and o[2] == n[2] and renamed(o[1], n[1], renames):
            renamed_count += 1
        else:
            differ.append(cmd)
    print(f"{len(runs)} runs: {same} identical, {renamed_count} differ only by the declared renames, {len(differ)} differ")
    for cmd in differ[:50]:
        print("  differs: blastmap " + " ".join(cmd))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

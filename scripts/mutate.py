#!/usr/bin/env python3
"""Mutation fuzzer for the whole blastmap process, as an outside tester runs it.

Takes the inventories under fixtures/ (and ../shared/real-world when it is
there), mutates them (bytes, lines, YAML/JSON structure, numbers, ids,
unicode, nesting, anchors), runs one command on each mutant with a time
limit, and checks what SECURITY.md promises: no panic or abort, exit code
0, 1 or 2, no hang, output that parses in the format asked for, and no
partial `-o` file when the run fails. Findings are written to OUT/.

    python3 scripts/mutate.py --binary target/release/blastmap \
        --target report-json --minutes 10 --seed 1 --out /tmp/fuzz

Targets: validate, report-json, report-detail, check-sarif, check-junit, import, html,
simulate-json, diff-json. Deterministic for a seed (the mutants, not the
timing).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import xml.dom.minidom
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKENS = [
    "{", "}", "[", "]", ": ", "- ", ",", "&a ", "*a", "<<: *a", "!!str ", "!custom ", "~", "null", "''",
    '"', "\\u0000", "\x1b[31m", "\u202e", "é", "𝄞", "\t", "\r\n", "#", "---\n", "...\n", "?", "|\n  x",
    ">-\n  y", "1e309", "-0", "0x1F", "99999999999999999999", "tier: 0", "kind: zone", "depends_on: [",
    "any_of: [", "quorum: 3", "of: [", "runs_in: ", "within: ", "mode: soft", "slo: 100.5",
    "availability: 2", "${VAR:?boom}", "$(VAR)", "{{ .Values.x }}", "apiVersion: v1\nkind: Service\n",
    "services:\n  x:\n    image: nginx\n", "blastmap: 1\n", "blastmap: 2\n",
]


def corpus():
    files = []
    for base in [ROOT / "fixtures", ROOT.parent / "shared" / "real-world"]:
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".toml") and p.stat().st_size < 2_000_000:
                    files.append(p)
    return files


def mutate(rng, text):
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        if op == 0 and text:  # flip bytes
            b = bytearray("\n".join(lines).encode("utf-8", "surrogatepass"))
            for _ in range(rng.randint(1, 8)):
                if b:
                    b[rng.randrange(len(b))] = rng.randrange(256)
            lines = b.decode("utf-8", "replace").split("\n")
        elif op == 1 and lines:  # delete lines
            del lines[rng.randrange(len(lines))]
        elif op == 2 and lines:  # duplicate a line (duplicate keys, repeated ids)
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
        elif op == 3 and len(lines) > 1:  # swap lines
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 4 and lines:  # insert a token
            i = rng.randrange(len(lines))
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rng.choice(TOKENS) + lines[i][at:]
        elif op == 5 and lines:  # re-indent
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randint(0, 12) + lines[i].lstrip()
        elif op == 6:  # deep nesting
            depth = rng.choice([50, 500, 5000])
            lines.insert(rng.randint(0, len(lines)), "x: " + "[" * depth + "]" * depth)
        elif op == 7 and lines:  # a long line
            i = rng.randrange(len(lines))
            lines[i] += rng.choice(["a", "é", "-", " "]) * rng.choice([1000, 100000])
        elif op == 8 and lines:  # numbers
            i = rng.randrange(len(lines))
            lines[i] = "".join(rng.choice(["0", "-1", "1e9", "4294967296", "NaN"]) if ch.isdigit() else ch for ch in lines[i])
    return "\n".join(lines)


def check_output(target, out):
    """Whether stdout is valid for the format asked for (None when fine)."""
    if target in ("report-json", "report-detail", "check-sarif", "simulate-json", "diff-json"):
        try:
            json.loads(out)
        except ValueError as e:
            return f"stdout is not JSON: {e}"
    elif target == "check-junit":
        try:
            xml.dom.minidom.parseString(out)
        except Exception as e:  # noqa: BLE001 (any parser error is a finding)
            return f"stdout is not XML: {e}"
    elif target == "html":
        if out and not out.rstrip().endswith(b"</html>"):
            return "page does not end in </html>"
    return None


def command(binary, target, path, base, out_file):
    return {
        "validate": [binary, "validate", path],
        "report-json": [binary, "report", "--format", "json", path],
        # Windows of 64 ids: most inventories stream in several.
        "report-detail": [binary, "report", "--format", "json", "--detail", "--max-pairs", "64", path],
        "check-sarif": [binary, "check", "--format", "sarif", path],
        "check-junit": [binary, "check", "--format", "junit", path],
        "import": [binary, "import", path],
        "html": [binary, "report", "--format", "html", "--diagram", "builtin", path, "-o", out_file],
        "simulate-json": [binary, "simulate", "--format", "json", "--fail", "db", path],
        "diff-json": [binary, "diff", "--format", "json", base, path],
    }[target]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(ROOT / "target/release/blastmap"))
    ap.add_argument("--target", required=True)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--out", default="fuzz-findings")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    seeds = corpus()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="blastmap-fuzz-"))
    runs = findings = 0
    codes = {}
    deadline = time.monotonic() + args.minutes * 60
    try:
        while time.monotonic() < deadline:
            src = rng.choice(seeds)
            try:
                text = src.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            mutant = mutate(rng, text)
            case = work / f"case{src.suffix}"
            case.write_text(mutant, encoding="utf-8", errors="surrogatepass")
            out_file = work / "out.html"
            if out_file.exists():
                out_file.unlink()
            cmd = command(args.binary, args.target, str(case), str(src), str(out_file))
            env = dict(os.environ, NO_COLOR="1", BLASTMAP_TODAY="2026-05-01")
            problem = None
            try:
                p = subprocess.run(cmd, capture_output=True, timeout=args.timeout, env=env, cwd=work)
                codes[p.returncode] = codes.get(p.returncode, 0) + 1
                err = p.stderr.decode("utf-8", "replace")
                if p.returncode not in (0, 1, 2):
                    problem = f"exit code {p.returncode}"
                elif "panicked" in err or "RUST_BACKTRACE" in err or "memory allocation" in err:
                    problem = "panic or abort"
                elif p.returncode in (0, 1):
                    stdout = out_file.read_bytes() if args.target == "html" and out_file.exists() else p.stdout
                    problem = check_output(args.target, stdout)
                elif args.target == "html" and out_file.exists():
                    problem = "a failed run left an output file"
            except subprocess.TimeoutExpired:
                problem = f"no answer within {args.timeout} s"
            runs += 1
            if problem:
                findings += 1
                keep = out_dir / f"{args.target}-{findings}{src.suffix}"
                shutil.copy(case, keep)
                (out_dir / f"{args.target}-{findings}.txt").write_text(f"{problem}\nfrom {src}\n{' '.join(cmd)}\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = {"target": args.target, "seed": args.seed, "minutes": args.minutes, "runs": runs,
               "findings": findings, "exit_codes": {str(k): v for k, v in sorted(codes.items())}}
    print(json.dumps(summary))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""blastmap against networkx, igraph and rustworkx on one --hard-only inventory.

With every requirement a plain hard dependency, the blast radius of X is
exactly the set of components that transitively depend on X: the ancestors
of X in the graph "component -> what it needs". This script

1. builds that graph in networkx, igraph and rustworkx from the
   inventory's JSON (not timed: the peers get their graphs for free),
2. times, interleaved in the same rounds so that the shared machine's load
   hits every tool alike, the ancestors of every node in each library and
   the whole `blastmap report --format json --analyses blast-radius`
   process (parse, sweep and output included) on the YAML and JSON files,
3. checks that every peer's ancestors and blastmap's
   `report --format json --detail` `down_ids` are equal for every
   component (and that nothing is degraded),

and prints medians and ratios as a Markdown table, with the machine's load
before and after. Exit status 1 if any radius differs.

Usage: peers.py BLASTMAP INVENTORY.json [INVENTORY.yaml] [--rounds N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import igraph
import networkx as nx
import rustworkx as rx


def edges_of(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    ids = list(doc["components"])
    index = {cid: i for i, cid in enumerate(ids)}
    edges = []
    for cid, comp in doc["components"].items():
        needs = list(comp.get("depends_on", []))
        needs += comp.get("runs_in", [])
        if "within" in comp:
            needs.append(comp["within"])
        for target in needs:
            if not isinstance(target, str):
                sys.exit(f"{path}: {cid} has a non-plain requirement; generate with --hard-only")
            edges.append((index[cid], index[target]))
    return ids, edges


def peers(ids, edges):
    """Each peer: (name, version, the timed call, what turns its result into
    the ancestor sets by index, not timed)."""
    n = len(ids)
    nxg = nx.DiGraph()
    nxg.add_nodes_from(range(n))
    nxg.add_edges_from(edges)
    ig = igraph.Graph(n=n, edges=edges, directed=True)
    rxg = rx.PyDiGraph()
    rxg.add_nodes_from(range(n))
    rxg.add_edges_from_no_data(edges)

    def with_networkx():
        return [nx.ancestors(nxg, x) for x in range(n)]

    def with_igraph():
        # The vertices that reach x along the edges, x itself included.
        return ig.neighborhood(order=n, mode="in")

    def with_rustworkx():
        return [rx.ancestors(rxg, x) for x in range(n)]

    return [
        ("igraph", igraph.__version__, with_igraph, lambda reach: [set(r) - {x} for x, r in enumerate(reach)]),
        ("rustworkx", rx.__version__, with_rustworkx, lambda found: [set(a) for a in found]),
        ("networkx", nx.__version__, with_networkx, lambda found: found),
    ]


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blastmap")
    parser.add_argument("json_inventory")
    parser.add_argument("yaml_inventory", nargs="?")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--networkx-every", type=int, default=3, help="run networkx in one round of this many")
    args = parser.parse_args()

    ids, edges = edges_of(args.json_inventory)
    tools = peers(ids, edges)
    inputs = [("JSON", args.json_inventory)]
    if args.yaml_inventory:
        inputs.insert(0, ("YAML", args.yaml_inventory))
    before = load()

    times = {name: [] for name, _, _, _ in tools}
    for syntax, _ in inputs:
        times[f"blastmap {syntax}"] = []
    radii = {}
    for round_ in range(args.rounds):
        for syntax, path in inputs:
            argv = [args.blastmap, "report", "--format", "json", "--analyses", "blast-radius", path]
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[f"blastmap {syntax}"].append(time.perf_counter() - start)
        for name, _, run, sets in tools:
            if name == "networkx" and round_ % args.networkx_every:
                continue
            start = time.perf_counter()
            result = run()
            times[name].append(time.perf_counter() - start)
            if name not in radii:
                radii[name] = sets(result)
    after = load()

    # Every radius, every tool (not timed).
    out = subprocess.run(
        [args.blastmap, "report", "--format", "json", "--detail", "--analyses", "blast-radius", args.json_inventory],
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ).stdout
    report = json.loads(out)
    index = {cid: i for i, cid in enumerate(ids)}
    ours = [None] * len(ids)
    for comp in report["components"]:
        radius = comp["blast_radius"]
        if radius["degraded"] != 0 or radius["down"] != len(radius["down_ids"]):
            ours[index[comp["id"]]] = None
        else:
            ours[index[comp["id"]]] = {index[d] for d in radius["down_ids"]}
    mismatches = 0
    for name, result in radii.items():
        differ = [ids[x] for x in range(len(ids)) if result[x] != ours[x]]
        if differ:
            mismatches += len(differ)
            print(f"{name} differs from blastmap on {len(differ)} components, first {differ[:5]}", file=sys.stderr)
    pairs = sum(len(r) for r in ours if r is not None)

    versions = ", ".join(f"{name} {version}" for name, version, _, _ in tools)
    print(f"inventory: {len(ids)} components, {len(edges)} requirements, mean blast radius "
          f"{pairs / len(ids):.1f}; {versions}; Python {sys.version.split()[0]}; "
          f"{os.cpu_count()} cores, load {before} before, {after} after")
    print()
    print("| work | runs | median | best | ÷ blastmap (JSON), medians |")
    print("| --- | ---: | ---: | ---: | ---: |")
    base = statistics.median(times["blastmap JSON"])
    for name, spent in times.items():
        label = (f"blastmap process: `report --format json --analyses blast-radius` ({name.split()[1]})"
                 if name.startswith("blastmap") else f"{name}: ancestors of every node, graph built")
        median = statistics.median(spent)
        print(f"| {label} | {len(spent)} | {median * 1000:.0f} ms | {min(spent) * 1000:.0f} ms | "
              f"{median / base:.2f} |")
    print()
    if mismatches:
        print(f"blast radii differ ({mismatches} component results)", file=sys.stderr)
        return 1
    print(f"blast radii equal for all {len(ids)} components in every tool ({pairs} (failure, down) pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

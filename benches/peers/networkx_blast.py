#!/usr/bin/env python3
"""blastmap against networkx on the same --hard-only inventory (BENCHMARKS.md#targets).

With every requirement a plain hard dependency, the blast radius of X is
exactly the set of components that transitively depend on X: networkx's
`ancestors(G, X)` on the graph "component -> what it needs". This script

1. builds that graph from the inventory's JSON (not timed),
2. times `ancestors` of every node with the graph already built,
3. times the whole `blastmap report --analyses blast-radius` process on the
   YAML and JSON files of the same inventory (median of --runs runs),
4. checks that blastmap's `report --format json --detail` down counts and
   ids equal networkx's ancestors for every component,

and prints the figures and ratios as a Markdown table. Exit status 1 if the
radii differ.

Usage: networkx_blast.py BLASTMAP INVENTORY.json [INVENTORY.yaml] [--runs N]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

import networkx as nx


def build_graph(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    graph = nx.DiGraph()
    for cid, comp in doc["components"].items():
        graph.add_node(cid)
        needs = list(comp.get("depends_on", []))
        needs += comp.get("runs_in", [])
        if "within" in comp:
            needs.append(comp["within"])
        for target in needs:
            if not isinstance(target, str):
                sys.exit(f"{path}: {cid} has a non-plain requirement; generate with --hard-only")
            graph.add_edge(cid, target)
    return graph


def time_process(argv, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blastmap")
    parser.add_argument("json_inventory")
    parser.add_argument("yaml_inventory", nargs="?")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--nx-runs", type=int, default=3)
    args = parser.parse_args()

    graph = build_graph(args.json_inventory)
    nodes = list(graph.nodes)

    nx_times = []
    for _ in range(args.nx_runs):
        start = time.perf_counter()
        radii = {x: nx.ancestors(graph, x) for x in nodes}
        nx_times.append(time.perf_counter() - start)
    nx_time = statistics.median(nx_times)

    inputs = [("JSON", args.json_inventory)]
    if args.yaml_inventory:
        inputs.insert(0, ("YAML", args.yaml_inventory))
    bm = []
    for syntax, path in inputs:
        argv = [args.blastmap, "report", path, "--analyses", "blast-radius"]
        median, best = time_process(argv, args.runs)
        bm.append((syntax, median, best))

    # Equality of every blast radius (not timed).
    out = subprocess.run(
        [args.blastmap, "report", args.json_inventory, "--analyses", "blast-radius", "--format", "json", "--detail"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    report = json.loads(out)
    mismatches = 0
    seen = 0
    for comp in report["components"]:
        seen += 1
        radius = comp["blast_radius"]
        expected = radii[comp["id"]]
        if radius["down"] != len(expected) or set(radius["down_ids"]) != expected or radius["degraded"] != 0:
            mismatches += 1
            if mismatches <= 5:
                print(f"differs: {comp['id']}: blastmap {radius['down']}, networkx {len(expected)}", file=sys.stderr)
    if seen != len(nodes):
        mismatches += 1
        print(f"blastmap reported {seen} components, networkx has {len(nodes)}", file=sys.stderr)
    total = sum(len(r) for r in radii.values())

    print(f"inventory: {len(nodes)} components, {graph.number_of_edges()} requirements, "
          f"mean blast radius {total / len(nodes):.1f} (networkx {nx.__version__}, "
          f"Python {sys.version.split()[0]})")
    print()
    print("| work | median | best | networkx ÷ blastmap |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| networkx: `ancestors` of every node, graph built | {nx_time * 1000:.0f} ms | "
          f"{min(nx_times) * 1000:.0f} ms | 1 |")
    for syntax, median, best in bm:
        print(f"| blastmap process: `report --analyses blast-radius` ({syntax}) | {median * 1000:.0f} ms | "
              f"{best * 1000:.0f} ms | {nx_time / median:.0f}× |")
    print()
    if mismatches:
        print(f"blast radii differ for {mismatches} components", file=sys.stderr)
        return 1
    print(f"blast radii equal for all {seen} components ({total} (failure, down) pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

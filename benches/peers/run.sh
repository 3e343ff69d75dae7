#!/usr/bin/env bash
# Reproduces the networkx comparison of BENCHMARKS.md: builds the release
# binaries, generates the 10k-component / 50k-requirement --hard-only
# inventory (seed 1) in YAML and JSON, and runs networkx_blast.py on it.
#
# Usage: benches/peers/run.sh [COMPONENTS REQUIREMENTS [RUNS]]
# Needs Python 3 with networkx (`pip install networkx`).
set -euo pipefail
cd "$(dirname "$0")/../.."

components=${1:-10000}
requirements=${2:-50000}
runs=${3:-10}

cargo build --release --locked --bin blastmap --bin blastmap-synth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
synth=(target/release/blastmap-synth --components "$components" --requirements "$requirements" --seed 1 --hard-only)
"${synth[@]}" --format yaml >"$work/inventory.yaml"
"${synth[@]}" --format json >"$work/inventory.json"

echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
python3 benches/peers/networkx_blast.py --runs "$runs" target/release/blastmap "$work/inventory.json" "$work/inventory.yaml"
echo "load after: $(uptime | sed 's/.*load average: //')"

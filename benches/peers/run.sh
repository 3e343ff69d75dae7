#!/usr/bin/env bash
# Reproduces the peer comparison of BENCHMARKS.md: builds the release
# binaries, generates the 10k-component / 50k-requirement --hard-only
# inventory (seed 7) in YAML and JSON, and runs peers.py on it.
#
# Usage: benches/peers/run.sh [COMPONENTS REQUIREMENTS [ROUNDS [SEED]]]
# Needs Python 3 with the pinned peers: pip install -r benches/peers/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/../.."

components=${1:-10000}
requirements=${2:-50000}
rounds=${3:-10}
seed=${4:-7}

cargo build --release --locked -p blastmap-cli -p blastmap-synth-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
synth=(target/release/blastmap-synth --components "$components" --requirements "$requirements" --seed "$seed" --hard-only)
"${synth[@]}" --format yaml >"$work/inventory.yaml"
"${synth[@]}" --format json >"$work/inventory.json"

python3 benches/peers/peers.py --rounds "$rounds" target/release/blastmap "$work/inventory.json" "$work/inventory.yaml"

#!/usr/bin/env bash
# The scaling table of BENCHMARKS.md: validate, report, check and simulate
# on generated inventories of 1k, 10k, 100k and 1M components (5
# requirements each), time and peak memory of the whole process.
#   benches/scaling.sh [DIR]      (DIR holds the inventories; default /tmp/blastmap-scale)
# Prints `components|command|seconds|peak KB` lines; medians by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/blastmap-scale}
mkdir -p "$dir"
cargo build --release --locked -p blastmap-cli -p blastmap-synth-cli
bin=target/release/blastmap
for n in 1000 10000 100000 1000000; do
  [ -f "$dir/s$n.json" ] || target/release/blastmap-synth --components "$n" --requirements $((n * 5)) --seed 7 --format json > "$dir/s$n.json"
done
for n in 1000 10000 100000 1000000; do
  f="$dir/s$n.json"
  reps=3; [ "$n" = 1000000 ] && reps=1
  for args in "validate $f" "report $f --format json -o $dir/report.json" "check $f --format json -o $dir/check.json" "simulate $f --fail zone-000000 --format json -o $dir/simulate.json"; do
    for _ in $(seq "$reps"); do
      # shellcheck disable=SC2086 # the arguments are split on purpose
      /usr/bin/time -f "$n|${args%% *}|%e|%M" "$bin" $args --quiet > /dev/null || true
    done
  done
done

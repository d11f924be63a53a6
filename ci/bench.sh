#!/usr/bin/env bash
# Kernel benchmarks -> results/kernels/<machine>.json (Google Benchmark JSON with the run's
# context) and the ratio tables results/tables/kernels-<machine>.md (this machine: every
# registered implementation vs its baselines, same run, per thread count, % of roofline) and
# results/tables/kernels-across-machines.md (every machine's committed run side by side).
#
#   ci/bench.sh BUILD_DIR [tnn_kernel_bench flags...]
#     e.g. ci/bench.sh build/release --suite=gemv,stack --threads=1
#
# <machine> is the slug of tnn_kernel_bench --machine-slug: vendor, micro-architecture and CPU
# count (amd-zen4-2c, intel-icx-2c, ...).
#
# This script never pauses, stops or signals other processes. What else the machine was doing
# is recorded instead: the benchmark writes the load average and the busy processes (sampled
# before timing) into the JSON context, and this script prints them before and after the run.
# To time on a quiet machine, stop other work yourself before running it.
#
# Environment:
#   MIN_TIME=0.1            --benchmark_min_time per benchmark (seconds; a plain number in GB 1.7)
#   OUT_DIR=results         where kernels/ and tables/ go
set -euo pipefail

build=${1:?usage: ci/bench.sh BUILD_DIR [tnn_kernel_bench flags...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$build/kernels/bench/tnn_kernel_bench"
table="$build/kernels/bench/tnn_kernel_table"
if [[ ! -x "$bench" || ! -x "$table" ]]; then
  echo "ci/bench.sh: $bench or $table is missing (configure found no Google Benchmark?)" >&2
  exit 1
fi

machine=$("$bench" --machine-slug)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
# Uncommitted results (e.g. training runs writing checkpoints) do not change what is measured.
if ! git -C "$root" diff --quiet HEAD -- . ':!results' 2>/dev/null; then commit="$commit-dirty"; fi
out_dir=${OUT_DIR:-$root/results}
mkdir -p "$out_dir/kernels" "$out_dir/tables"
json="$out_dir/kernels/$machine.json"
md="$out_dir/tables/kernels-$machine.md"

echo "ci/bench.sh: machine $machine, commit $commit -> $json"
echo "ci/bench.sh: before: $("$bench" --machine-load)"
export OMP_PROC_BIND=${OMP_PROC_BIND:-true}
"$bench" --commit="$commit" --benchmark_min_time="${MIN_TIME:-0.1}" \
  --benchmark_out="$json.tmp" --benchmark_out_format=json "$@"
mv "$json.tmp" "$json"
echo "ci/bench.sh: after: $("$bench" --machine-load)"
"$table" "$json" "$md"
echo "ci/bench.sh: table -> $md"
"$table" --across "$out_dir/kernels" "$root/experiments/kernels/across.json" \
  "$out_dir/tables/kernels-across-machines.md"
echo "ci/bench.sh: across machines -> $out_dir/tables/kernels-across-machines.md"

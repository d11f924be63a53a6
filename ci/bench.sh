#!/usr/bin/env bash
# Kernel benchmarks -> results/kernels/<machine>.json (Google Benchmark JSON with the run's
# context) and the ratio table results/tables/kernels-<machine>.md (ternary vs oneDNN / dense,
# same run, per thread count, % of roofline).
#
#   ci/bench.sh BUILD_DIR [tnn_kernel_bench flags...]
#     e.g. ci/bench.sh build/release --suite=gemv,stack --threads=1
#
# Environment:
#   MIN_TIME=0.1            --benchmark_min_time per benchmark (seconds; a plain number in GB 1.7)
#   TNN_BENCH_PAUSE=1       SIGSTOP the background `tnn run` / `tnn reproduce` jobs while timing
#                           (always SIGCONT'ed on exit, even on failure)
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
if ! git -C "$root" diff --quiet HEAD 2>/dev/null; then commit="$commit-dirty"; fi
out_dir=${OUT_DIR:-$root/results}
mkdir -p "$out_dir/kernels" "$out_dir/tables"
json="$out_dir/kernels/$machine.json"
md="$out_dir/tables/kernels-$machine.md"

paused=""
resume() { if [[ -n "$paused" ]]; then kill -CONT $paused 2>/dev/null || true; fi; }
trap resume EXIT INT TERM
if [[ "${TNN_BENCH_PAUSE:-0}" == 1 ]]; then
  paused=$(pgrep -f 'tnn run|tnn reproduce|tnn-run-binary' | grep -vx "$$" | tr '\n' ' ' || true)
  if [[ -n "$paused" ]]; then
    echo "ci/bench.sh: pausing background jobs $paused while timing"
    kill -STOP $paused
  fi
fi

echo "ci/bench.sh: machine $machine, commit $commit -> $json"
export OMP_PROC_BIND=${OMP_PROC_BIND:-true}
"$bench" --commit="$commit" --benchmark_min_time="${MIN_TIME:-0.1}" \
  --benchmark_out="$json.tmp" --benchmark_out_format=json "$@"
mv "$json.tmp" "$json"
resume
paused=""
"$table" "$json" "$md"
echo "ci/bench.sh: table -> $md"

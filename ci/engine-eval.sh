#!/usr/bin/env bash
# Packs every finished run of a profile into a .tnn model and runs it through the packed-model
# engine with each implementation: top-1 on the CIFAR-10 test set, agreement with the LibTorch
# checkpoint, latency at batch 1 and 128, MAC-weighted zeros and the ideal zero-skipping speed-up.
#
#   ci/engine-eval.sh BUILD_DIR [PROFILE [EXPERIMENT]]   (PROFILE default: quick; EXPERIMENT:
#                                                          one run, e.g. resnet20-ttq-ft; default all)
#
# Writes results/models/<exp>-<profile>.tnn, results/inference/<machine>/<exp>-<profile>.<impl>.json
# and results/tables/inference-<machine>.md, for every engine implementation `tnn infer
# --list-impls` offers (the registry's families and per-layer autotuning; references are too
# slow for the whole test set). Never pauses or signals other processes: each result records the
# load average and the busy processes while it was timed.
set -euo pipefail
build=${1:?usage: ci/engine-eval.sh BUILD_DIR [PROFILE]}
profile=${2:-quick}
only=${3:-*}
root=$(cd "$(dirname "$0")/.." && pwd)
tnn="$build/bin/tnn"
machine=$("$build/kernels/bench/tnn_kernel_bench" --machine-slug)
out="$root/results/inference/$machine"
mkdir -p "$out" "$root/results/models"

impls=$("$tnn" infer --list-impls)

for result in "$root"/results/runs/cifar10/$only/"$profile"/seed1/result.json; do
  [[ -f "$result" ]] || { echo "engine-eval: no run $only in profile $profile" >&2; exit 1; }
  grep -q '"status": "finished"' "$result" || continue
  run=$(dirname "$result")
  exp=$(basename "$(dirname "$(dirname "$run")")")
  model="$root/results/models/$exp-$profile.tnn"
  "$tnn" pack --checkpoint "$run/checkpoints/final.pt" --output "$model"
  "$tnn" tune --model "$model"  # per-layer choices for --impl auto, cached in $model.tune.json
  for impl in $impls; do
    "$tnn" infer --model "$model" --impl "$impl" --checkpoint "$run/checkpoints/final.pt" \
      --out "$out/$exp-$profile.$impl.json"
  done
done
/usr/bin/python3 "$root/lib/report/inference_table.py" "$out" "$root/results/tables/inference-$machine.md"

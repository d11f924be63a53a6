#!/usr/bin/env bash
# Packs every finished run of a profile into a .tnn model and runs it through the packed-model
# engine with each implementation: top-1 on the CIFAR-10 test set, agreement with the LibTorch
# checkpoint, latency at batch 1 and 128, MAC-weighted zeros and the ideal zero-skipping speed-up.
#
#   ci/engine-eval.sh BUILD_DIR [PROFILE [EXPERIMENT]]   (PROFILE default: quick; EXPERIMENT:
#                                                          one run, e.g. resnet20-ttq-ft; default all)
#
# Writes results/models/<exp>-<profile>.tnn, results/inference/<machine>/<exp>-<profile>.<impl>.json
# and results/tables/inference-<machine>.md. TNN_BENCH_PAUSE=1 pauses background `tnn run` jobs
# while timing (always resumed).
set -euo pipefail
build=${1:?usage: ci/engine-eval.sh BUILD_DIR [PROFILE]}
profile=${2:-quick}
only=${3:-*}
root=$(cd "$(dirname "$0")/.." && pwd)
tnn="$build/bin/tnn"
machine=$("$build/kernels/bench/tnn_kernel_bench" --machine-slug)
out="$root/results/inference/$machine"
mkdir -p "$out" "$root/results/models"

paused=""
resume() { if [[ -n "$paused" ]]; then kill -CONT $paused 2>/dev/null || true; fi; }
trap resume EXIT INT TERM
if [[ "${TNN_BENCH_PAUSE:-0}" == 1 ]]; then
  paused=$(pgrep -f 'tnn run|tnn reproduce|tnn-run-binary' | tr '\n' ' ' || true)
  [[ -n "$paused" ]] && echo "engine-eval: pausing $paused while timing" && kill -STOP $paused
fi

for result in "$root"/results/runs/cifar10/$only/"$profile"/seed1/result.json; do
  [[ -f "$result" ]] || { echo "engine-eval: no run $only in profile $profile" >&2; exit 1; }
  grep -q '"status": "finished"' "$result" || continue
  run=$(dirname "$result")
  exp=$(basename "$(dirname "$(dirname "$run")")")
  model="$root/results/models/$exp-$profile.tnn"
  "$tnn" pack --checkpoint "$run/checkpoints/final.pt" --output "$model"
  for impl in ternary_f32 ternary_s8 onednn_f32; do
    "$tnn" infer --model "$model" --impl "$impl" --checkpoint "$run/checkpoints/final.pt" \
      --out "$out/$exp-$profile.$impl.json"
  done
done
/usr/bin/python3 "$root/lib/report/inference_table.py" "$out" "$root/results/tables/inference-$machine.md"

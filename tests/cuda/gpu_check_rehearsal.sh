#!/usr/bin/env bash
# CTest gpu-check/rehearsal: ci/gpu-check.sh on a machine without a GPU, so the script cannot rot
# between GPU runs. It configures a fresh kernel-only tree the way a GPU host does (header-only
# deps from a staged .gpu-deps copy, the Debian packages hidden), checks that tree's build plan
# for the CUDA targets with a dry run, then runs the tests, benchmark, memcheck and training
# stages against BUILD_DIR, which CI has already built (a real build would cost minutes).
# Passes when the script exits 0, configure and build-cuda are ok, the host tests passed and
# every GPU stage says "skipped (no GPU)". Exits 77 (skipped) where a GPU is visible: there, run
# ci/gpu-check.sh itself.
# Usage: gpu_check_rehearsal.sh SOURCE_DIR BUILD_DIR SCRATCH_DIR
set -uo pipefail
src=${1:?usage: gpu_check_rehearsal.sh SOURCE_DIR BUILD_DIR SCRATCH_DIR}
prebuilt=${2:?}
scratch=${3:?}
if nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  echo "rehearsal: a GPU is visible here; run ci/gpu-check.sh itself"
  exit 77
fi
rm -rf "$scratch"
mkdir -p "$scratch"
"$src/ci/stage-gpu-deps.sh" "$scratch/gpu-deps" > "$scratch/stage-gpu-deps.log" 2>&1 ||
  { cat "$scratch/stage-gpu-deps.log"; echo "rehearsal: ci/stage-gpu-deps.sh failed"; exit 1; }

hide=""  # what a GPU host lacks: the Debian packages of these (CLI11: not looked for kernel-only)
for p in nlohmann_json Catch2 dnnl benchmark; do hide="$hide -DCMAKE_DISABLE_FIND_PACKAGE_$p=ON"; done
TNN_GPU_DEPS="$scratch/gpu-deps" TNN_GPU_BUILD_DIR="$scratch/build" TNN_GPU_PREBUILT="$prebuilt" \
  TNN_GPU_CMAKE_ARGS="$hide" TNN_GPU_BUDGET_S=300 \
  "$src/ci/gpu-check.sh" "$scratch/out" > "$scratch/gpu-check.out" 2>&1
rc=$?
log="$scratch/out/gpu-check.log"
sed -n '/^=== gpu-check summary/,$p' "$log"

fail=0
expect() {  # expect STAGE VERDICT-REGEX
  if ! grep -qE "^$1 +$2" "$log"; then
    echo "rehearsal: stage $1 should say '$2':"
    grep -E "^$1 " "$log" || echo "  (no such row)"
    fail=1
  fi
}
[ "$rc" -eq 0 ] || { echo "rehearsal: ci/gpu-check.sh exited $rc, want 0"; fail=1; }
expect configure "ok"
expect build-cuda "ok"
for s in tests bench memcheck nccl-smoke train; do expect "$s" "skipped \(no GPU\)"; done
grep -q 'header deps: .*gpu-deps' "$log" || { echo "rehearsal: the staged header copies were not found"; fail=1; }
grep -q 'header copy in' "$log" || { echo "rehearsal: CMake did not use the header copies"; fail=1; }
grep -qE '^  tests: 100% tests passed' "$log" || { echo "rehearsal: the host tests did not all pass"; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- full output: $scratch/gpu-check.out"
  tail -60 "$scratch/gpu-check.out"
fi
exit "$fail"

#!/usr/bin/env bash
# The one prepared GPU check (docs/gpu.md). On a fresh lent H100/H200, within TNN_GPU_BUDGET_S
# (default 470 s, under the 8 minutes a session plans for):
#   a) configure + build the CUDA build (the `cuda` preset's settings) with the carried header
#      deps (.gpu-deps, -DTNN_VENDOR_DIR) and pip's LibTorch; kernel-only when LibTorch fails
#   b) run the CUDA tests (ctest -R cuda; JUnit in OUTDIR)
#   c) run the kernel benchmarks into OUTDIR/<gpu-slug>.json (e.g. h100-sxm.json), then
#      compute-sanitizer memcheck over the kernel tests if time is left
#   d) time-boxed: train ResNet-20 fp and wacv19 (`tnn run ... --profile paper`) on CIFAR-10
#      joined from the carried .gpu-data parts, each run cut off by the budget; the run folders
#      come back as OUTDIR/runs.tar.gz (tnn run resumes them in a later session)
# Every stage prints its time; a failing stage is reported and the next ones still run. The
# summary table comes last, so the device tool's output tail holds it. Runs here too (no GPU):
# the GPU stages then report "skipped".
# Usage: ci/gpu-check.sh OUTDIR [--no-train] [--no-bench]
# Env: TNN_GPU_BUDGET_S, TNN_GPU_BUILD_DIR (default build/cuda), TNN_DATA_DIR (a CIFAR-10 folder),
#      TNN_TRAIN_EXPERIMENTS (default "resnet20-fp resnet20-wacv19"), TNN_BENCH_ARGS (extra args)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)

out=${1:?usage: ci/gpu-check.sh OUTDIR [--no-train] [--no-bench]}
shift
train=1
bench=1
for a in "$@"; do
  case $a in
    --no-train) train=0 ;;
    --no-bench) bench=0 ;;
    *) echo "gpu-check: unknown option $a" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec > >(tee "$out/gpu-check.log") 2>&1

budget=${TNN_GPU_BUDGET_S:-470}
build=${TNN_GPU_BUILD_DIR:-build/cuda}
jobs=$(nproc)
summary=()
failed=0
SECONDS=0

left() { echo $((budget - SECONDS)); }
# stage NAME CMD...: runs CMD, records "NAME  ok|FAILED rc|skipped  seconds".
stage() {
  local name=$1 t0=$SECONDS rc
  shift
  echo
  echo "=== [$name] $(date +%T), $(left) s of budget left"
  "$@"
  rc=$?
  local verdict="ok"
  if [ $rc -eq 77 ]; then verdict="skipped (no GPU)"
  elif [ $rc -ne 0 ]; then verdict="FAILED rc=$rc"; failed=1; fi
  summary+=("$(printf '%-16s %-22s %5d s' "$name" "$verdict" $((SECONDS - t0)))")
  echo "=== [$name] $verdict in $((SECONDS - t0)) s"
  return "$rc"
}
skip() { summary+=("$(printf '%-16s %-22s %5s' "$1" "skipped: $2" "-")"); echo "=== [$1] skipped: $2"; }

# ---- environment ----------------------------------------------------------------------------
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"
echo "gpu-check: $(date -Is) on $(hostname), $jobs cores, budget ${budget} s, build $build"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader \
  2>/dev/null || echo "nvidia-smi: no GPU visible"
nvcc --version 2>/dev/null | tail -1
cmake --version | head -1

torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
echo "LibTorch: ${torch_prefix:-<no python3 torch>}"
# cuDNN: next to the toolkit, else pip's nvidia-cudnn wheel (no unversioned libcudnn.so there).
cudnn_root=""
for d in /usr/local/cuda "$(python3 -c 'import nvidia.cudnn as m; print(m.__path__[0])' 2>/dev/null)"; do
  if [ -n "$d" ] && [ -f "$d/include/cudnn.h" ]; then cudnn_root=$d; break; fi
done
cudnn_lib=$(ls "$cudnn_root"/lib*/libcudnn.so* 2>/dev/null | head -1)
echo "cuDNN: ${cudnn_root:-<not found>} ${cudnn_lib}"

cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DTNN_REQUIRE_CUDA=ON
            -DCMAKE_CUDA_ARCHITECTURES=90a)
[ -d .gpu-deps/include ] && cmake_args+=(-DTNN_VENDOR_DIR="$repo/.gpu-deps")
if [ -n "$cudnn_root" ]; then
  # Ours reads CUDNN_ROOT; LibTorch's FindCUDNN takes its results as given when they are set.
  cmake_args+=(-DCUDNN_ROOT="$cudnn_root" -DCUDNN_INCLUDE_PATH="$cudnn_root/include")
  [ -n "$cudnn_lib" ] && cmake_args+=(-DCUDNN_LIBRARY_PATH="$cudnn_lib")
fi

# ---- a) configure + build -------------------------------------------------------------------
# shellcheck disable=SC2317  # called through `stage`
configure() {
  if [ "$1" = ON ]; then
    cmake -S . -B "$build" "${cmake_args[@]}" -DTNN_BUILD_TRAINING=ON \
      -DCMAKE_PREFIX_PATH="$torch_prefix"
  else
    cmake -S . -B "$build" "${cmake_args[@]}" -DTNN_BUILD_TRAINING=OFF
  fi
}
training=OFF
if [ "$train" = 1 ] && [ -n "$torch_prefix" ]; then
  if stage configure configure ON; then training=ON
  else
    echo "gpu-check: configure with LibTorch failed (above); kernel-only build instead"
    rm -rf "$build"
  fi
fi
if [ $training = OFF ]; then
  stage configure configure OFF || { printf '%s\n' "${summary[@]}"; exit 1; }
fi

kernel_targets=(tnn_cuda_bench cuda_tests cuda_layout_tests)
stage build-cuda cmake --build "$build" -j "$jobs" --target "${kernel_targets[@]}" ||
  { printf '%s\n' "${summary[@]}"; exit 1; }
# The LibTorch build overlaps the tests (CPU vs GPU) and must end before the benchmark, whose
# launch-bound timings a busy CPU would distort.
train_build_pid=""
if [ $training = ON ]; then
  t_train0=$SECONDS
  cmake --build "$build" -j "$jobs" --target tnn_cli > "$build/train-build.log" 2>&1 &
  train_build_pid=$!
fi

# ---- b) tests -------------------------------------------------------------------------------
cuda_tests() {
  ctest --test-dir "$build" -R '^cuda' --output-on-failure --timeout 300 \
    --output-junit "$out/cuda-tests.xml"
  local rc=$?
  # ctest passes when every GPU test is skipped: say so instead of "ok".
  if ! nvidia-smi -L > /dev/null 2>&1; then return 77; fi
  return "$rc"
}
stage tests cuda_tests

if [ -n "$train_build_pid" ]; then
  wait_train_build() {
    wait "$train_build_pid"
    local rc=$?
    tail -5 "$build/train-build.log"
    echo "(LibTorch build took $((SECONDS - t_train0)) s in all)"
    return "$rc"
  }
  stage build-train wait_train_build || training=OFF
fi

# ---- c) benchmarks, then memcheck -----------------------------------------------------------
if [ $bench = 1 ]; then
  # shellcheck disable=SC2086  # TNN_BENCH_ARGS is a word list on purpose
  stage bench "$build/bin/tnn_cuda_bench" --shapes experiments/kernels/gpu.json --out-dir "$out" \
    --graph ${TNN_BENCH_ARGS:-}
else
  skip bench "--no-bench"
fi

sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null)
if [ -z "$sanitizer" ]; then skip memcheck "no compute-sanitizer"
elif [ "$(left)" -lt 150 ]; then skip memcheck "$(left) s left"
elif ! nvidia-smi -L > /dev/null 2>&1; then skip memcheck "no GPU"
else
  stage memcheck timeout 90 "$sanitizer" --tool memcheck --error-exitcode 3 \
    "$build/tests/cuda_tests" "[gemv],[gemm],[conv]"
fi

# ---- d) training, time-boxed ----------------------------------------------------------------
# CIFAR-10: $TNN_DATA_DIR, else the parts that ci/stage-gpu-data.sh made and earlier calls
# carried (.gpu-data/p1 .. pN, SHA256SUMS in p1), joined once into .gpu-data/cifar/.
find_data() {
  if [ -n "${TNN_DATA_DIR:-}" ] && [ -f "$TNN_DATA_DIR/test_batch.bin" ]; then
    data_dir=$TNN_DATA_DIR; return 0
  fi
  data_dir=$(ls -d .gpu-data/cifar/*/ 2>/dev/null | head -1)
  data_dir=${data_dir%/}
  [ -n "$data_dir" ] && [ -f "$data_dir/test_batch.bin" ] && return 0
  [ -f .gpu-data/p1/SHA256SUMS ] || { echo "no CIFAR-10: no TNN_DATA_DIR, no .gpu-data parts"; return 1; }
  (cd .gpu-data && sha256sum --quiet -c p1/SHA256SUMS) ||
    { echo "CIFAR-10 parts missing or corrupt (see docs/gpu.md: one call per part)"; return 1; }
  mkdir -p .gpu-data/cifar
  cat .gpu-data/p*/cifar.tar.part* | tar -x -C .gpu-data/cifar || return 1
  data_dir=$(ls -d .gpu-data/cifar/*/ | head -1)
  data_dir=${data_dir%/}
}

train_one() {
  local exp=$1 seconds=$2
  echo "tnn run $exp --profile paper for at most $seconds s"
  timeout --signal=INT --kill-after=15 "$seconds" "$build/bin/tnn" run \
    "experiments/cifar10/$exp.json" --profile paper --out "$runs" --data "$data_dir"
  local rc=$?
  [ "$rc" -eq 124 ] && { echo "(cut off by the time box: resume with the same command)"; rc=0; }
  return "$rc"
}

runs=$(mktemp -d)/runs
if [ "$train" = 0 ]; then skip train "--no-train"
elif [ $training = OFF ]; then skip train "no LibTorch build"
elif ! nvidia-smi -L > /dev/null 2>&1; then skip train "no GPU"
elif ! find_data; then skip train "no data"
else
  # Resume runs a previous session brought back (carry .gpu-data/runs.tar.gz).
  [ -f .gpu-data/runs.tar.gz ] && tar -xzf .gpu-data/runs.tar.gz -C "$(dirname "$runs")"
  read -r -a exps <<< "${TNN_TRAIN_EXPERIMENTS:-resnet20-fp resnet20-wacv19}"
  for i in "${!exps[@]}"; do
    remaining=$(( $(left) - 20 ))
    share=$(( remaining / (${#exps[@]} - i) ))
    if [ "$share" -lt 60 ]; then skip "${exps[$i]}" "$remaining s left"; continue; fi
    stage "${exps[$i]}" train_one "${exps[$i]}" "$share"
  done
  [ -d "$runs" ] && tar -czf "$out/runs.tar.gz" -C "$(dirname "$runs")" runs &&
    echo "run folders: $out/runs.tar.gz ($(du -h "$out/runs.tar.gz" | cut -f1))"
fi

echo
echo "=== gpu-check summary ($SECONDS s of $budget s; files in $out)"
printf '%s\n' "${summary[@]}"
ls -l "$out"
exit $failed

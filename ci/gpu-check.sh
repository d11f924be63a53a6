#!/usr/bin/env bash
# The one prepared GPU check (docs/gpu.md). On a fresh lent H100/H200, within TNN_GPU_BUDGET_S
# (default 360 s: with a machine's start, ~8 of a task's 15 device minutes, leaving a rerun):
#   a) configure + build the CUDA build (the `cuda` preset's settings) with the carried header
#      deps (.gpu-deps, -DTNN_VENDOR_DIR) and pip's LibTorch and cuDNN; kernel-only when the
#      LibTorch configure fails, and again kernel-only in a fresh tree when the CUDA targets do not
#      build in the LibTorch-configured one
#   b) run the CUDA tests (ctest -R ^cuda) and the CUDA entries of the kernel ops registry
#      (test_ops: ops/<op>/<impl>/cuda against the CPU references); JUnit in OUTDIR
#   c) run the kernel benchmarks into OUTDIR/<gpu-slug>.json (e.g. h100-sxm.json), then
#      compute-sanitizer memcheck over the kernel tests if time is left
#   (issue #15) a 1-rank NCCL smoke run of the data-parallel trainer (before d, at most 120 s)
#   d) time-boxed: train ResNet-20 fp and wacv19 (`tnn run ... --profile paper`) on CIFAR-10
#      joined from the carried .gpu-data parts, each run cut off by the budget; the run folders
#      come back as OUTDIR/runs.tar.gz (tnn run resumes them in a later session)
# It first prints what it found (GPU, toolkit, LibTorch, cuDNN, header copies). Every stage is
# timed; a failing stage is reported and the next ones still run. The summary table comes last,
# so the device tool's output tail holds it. Verdicts: ok, FAILED rc=N, skipped (why),
# "failed rc=N (fallback used)" for a LibTorch step that has a kernel-only fallback, and
# "TIMED OUT" for a time box that ran out (memcheck). Where nvidia-smi lists a GPU, a CUDA
# program that finds no device (exit 77, a skipped test) is a failure, not a skip.
# Exit status: 0 everything asked for passed (GPU stages may be "skipped (no GPU)"), 1 a stage
# FAILED, 3 nothing failed but something fell back or timed out (DEGRADED), 2 usage error.
# Runs here too (no GPU): the GPU stages then report "skipped (no GPU)"; CTest gpu-check/rehearsal
# does that on every CI run (tests/cuda/gpu_check_rehearsal.sh).
# Usage: ci/gpu-check.sh OUTDIR [--no-train] [--no-bench]
# Env: TNN_GPU_BUDGET_S, TNN_GPU_BUILD_DIR (default build/cuda), TNN_DATA_DIR (a CIFAR-10 folder),
#      TNN_TRAIN_EXPERIMENTS (default "resnet20-fp resnet20-wacv19"), TNN_BENCH_ARGS (extra args),
#      TNN_GPU_DEPS (header copies, default .gpu-deps), CUDNN_ROOT (a cuDNN to prefer),
#      TNN_GPU_CMAKE_ARGS (extra configure args), TNN_GPU_PREBUILT (rehearsal only: after the
#      configure and a dry run of the build, take the binaries from this already-built tree)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)
# shellcheck source=ci/gpu-check-lib.sh
. ci/gpu-check-lib.sh

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
# Everything also goes to gpu-check.log; finish waits for tee so that no line is lost when the
# device tool ends what is left of the call.
exec 3>&1 4>&2
exec > >(tee "$out/gpu-check.log") 2>&1
tee_pid=$!

budget=${TNN_GPU_BUDGET_S:-360}
build=${TNN_GPU_BUILD_DIR:-build/cuda}
prebuilt=${TNN_GPU_PREBUILT:-}
jobs=$(nproc)
notes=()
SECONDS=0

left() { echo $((budget - SECONDS)); }
# The driver's tools are mounted under /usr/local/nvidia on the lent machines.
[ -x /usr/local/nvidia/bin/nvidia-smi ] && export PATH="$PATH:/usr/local/nvidia/bin"
have_gpu() { nvidia-smi -L 2>/dev/null | grep -q '^GPU'; }
# stage [--optional|--boxed] NAME CMD...: runs CMD and records its verdict (gc_classify). A CMD
# that returns 77 for another reason than a missing GPU sets skip_why.
skip_why=""
stage() {
  local mode=check
  case $1 in
    --optional) mode=optional; shift ;;
    --boxed) mode=boxed; shift ;;
  esac
  local name=$1 t0=$SECONDS rc cv
  shift
  echo
  echo "=== [$name] $(date +%T), $(left) s of budget left"
  "$@"
  rc=$?
  if [ "$rc" -eq 77 ] && [ -z "$skip_why" ] && have_gpu; then
    echo "gpu-check: nvidia-smi lists a GPU, but $name found no CUDA device (exit 77)"
    rc=1
  fi
  cv=$(gc_classify "$rc" "$mode" "${skip_why:-no GPU}")
  skip_why=""
  gc_record "$name" "${cv%%|*}" "${cv#*|}" $((SECONDS - t0))
  echo "=== [$name] ${cv#*|} in $((SECONDS - t0)) s"
  return "$rc"
}
skip() { gc_record "$1" skipped "skipped ($2)" -; echo "=== [$1] skipped ($2)"; }
finish() {
  echo
  echo "=== gpu-check summary ($SECONDS s of $budget s; files in $out)"
  gc_print_table
  if [ ${#notes[@]} -gt 0 ]; then printf '  %s\n' "${notes[@]}"; fi
  ls -l "$out"
  gc_result_line
  local rc
  rc=$(gc_exit_status)
  exec 1>&3 2>&4 3>&- 4>&-  # ends tee's input: wait for it to write the last lines
  wait "$tee_pid" 2> /dev/null
  exit "$rc"
}

# ---- what is here ---------------------------------------------------------------------------
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"
echo "gpu-check: $(date -Is) on $(hostname), $jobs cores, budget ${budget} s, build $build"
echo "--- found"
if have_gpu; then
  gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)
elif command -v nvidia-smi > /dev/null; then
  gpu="none visible (nvidia-smi -L: $(nvidia-smi -L 2>&1 | head -1))"
else
  gpu="none visible (no nvidia-smi)"
fi
echo "GPU:               $gpu"
nvcc_path=$(command -v nvcc)
echo "nvcc:              ${nvcc_path:-none} $(nvcc --version 2>/dev/null | tail -1)"
echo "cmake, ninja:      $(cmake --version | head -1), ninja $(ninja --version 2>/dev/null || echo none)"
echo "host compiler:     $(c++ --version 2>/dev/null | head -1 || echo none)"
if [ -n "$nvcc_path" ]; then
  tk=$(dirname "$(dirname "$(readlink -f "$nvcc_path")")")
  cublas=$(ls "$tk"/lib/libcublas.so* 2>/dev/null || ls "$tk"/lib64/libcublas.so* 2>/dev/null)
  echo "cuBLAS:            $(echo "${cublas:-none in $tk/lib*}" | tr '\n' ' ')(CUBLAS_ROOT overrides)"
fi

torch_prefix=""
if [ "$train" = 1 ]; then
  torch_info=$(python3 -c 'import torch; print(torch.__version__, torch.version.cuda, torch.utils.cmake_prefix_path)' 2>/dev/null)
  torch_prefix=${torch_info##* }
  echo "LibTorch (python3): ${torch_info:-none: no importable torch, so a kernel-only build}"
else
  echo "LibTorch:          not wanted (--no-train): kernel-only build"
fi

# cuDNN: CUDNN_ROOT, else pip's nvidia-cudnn wheel (next to torch or in site-packages; only
# libcudnn.so.9 there), else next to the toolkit.
cudnn_candidates=("${CUDNN_ROOT:-}")
while IFS= read -r d; do cudnn_candidates+=("$d"); done < <(python3 - 2>/dev/null <<'PY'
import importlib.util, os, site
seen = []
def add(p):
    if p and p not in seen:
        seen.append(p)
try:
    s = importlib.util.find_spec("nvidia.cudnn")
    for p in (s.submodule_search_locations or []) if s else []:
        add(p)
except Exception:
    pass
try:
    import torch
    add(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), "nvidia", "cudnn"))
except Exception:
    pass
try:
    for d in site.getsitepackages() + [site.getusersitepackages()]:
        add(os.path.join(d, "nvidia", "cudnn"))
except Exception:
    pass
print("\n".join(seen))
PY
)
cudnn_candidates+=(/usr/local/cuda /usr)
cudnn_root=$(gc_find_cudnn "${cudnn_candidates[@]}")
cudnn_lib=""
if [ -n "$cudnn_root" ]; then
  cudnn_lib=$(gc_cudnn_library "$cudnn_root")
  echo "cuDNN:             $(gc_cudnn_version "$cudnn_root"): $cudnn_root/include/cudnn.h, $cudnn_lib"
  # pip's cuDNN loads its sub-libraries (libcudnn_cnn.so.9, ...) from the library path.
  LD_LIBRARY_PATH="$(dirname "$cudnn_lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
else
  echo "cuDNN:             NOT FOUND (looked in: ${cudnn_candidates[*]}); the configure will fail"
fi

deps=${TNN_GPU_DEPS:-$repo/.gpu-deps}
vendor=""
if [ -d "$deps" ]; then
  missing=$(gc_check_vendor "$deps")
  if [ -z "$missing" ]; then
    vendor=$deps
    echo "header deps:       $deps ($(tr '\t\n' '= ' < "$deps/VERSIONS" 2>/dev/null))"
  else
    echo "header deps:       $deps is missing $missing (rerun ci/stage-gpu-deps.sh here)"
  fi
else
  echo "header deps:       no $deps: system packages must provide nlohmann_json, Catch2 (and CLI11)"
fi
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer \
  /usr/local/cuda/compute-sanitizer/compute-sanitizer 2>/dev/null | head -1)
echo "compute-sanitizer: ${sanitizer:-none}"
[ -n "$prebuilt" ] && echo "rehearsal:         binaries from $prebuilt (TNN_GPU_PREBUILT)"
echo "---"

cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DTNN_REQUIRE_CUDA=ON
            -DCMAKE_CUDA_ARCHITECTURES=90a)
# A named nvcc spares check_language(CUDA) its test project (half of a kernel-only configure).
[ -n "$nvcc_path" ] && cmake_args+=(-DCMAKE_CUDA_COMPILER="$nvcc_path")
[ -n "$vendor" ] && cmake_args+=(-DTNN_VENDOR_DIR="$vendor")
torch_args=(-DTNN_BUILD_TRAINING=ON -DCMAKE_PREFIX_PATH="$torch_prefix")
if [ -n "$cudnn_root" ]; then
  # Ours reads CUDNN_ROOT; LibTorch's FindCUDNN takes its results as given when they are set.
  cmake_args+=(-DCUDNN_ROOT="$cudnn_root")
  torch_args+=(-DCUDNN_INCLUDE_PATH="$cudnn_root/include" -DCUDNN_LIBRARY_PATH="$cudnn_lib")
fi
# shellcheck disable=SC2206  # a word list on purpose
[ -n "${TNN_GPU_CMAKE_ARGS:-}" ] && cmake_args+=(${TNN_GPU_CMAKE_ARGS})

# ---- a) configure + build -------------------------------------------------------------------
# shellcheck disable=SC2317  # called through `stage`
configure() {
  local dir=$1 training=$2
  if [ "$training" = ON ]; then
    cmake -S . -B "$dir" "${cmake_args[@]}" "${torch_args[@]}"
  else
    cmake -S . -B "$dir" "${cmake_args[@]}" -DTNN_BUILD_TRAINING=OFF
  fi
}
kernel_targets=(tnn_cuda_bench cuda_tests cuda_layout_tests test_ops)
# shellcheck disable=SC2317
build_kernels() {
  if [ -n "$prebuilt" ]; then
    # Rehearsal: check the freshly configured tree's build plan without compiling (ninja -n),
    # then bring the already-built tree up to date (normally a no-op) and use its binaries.
    cmake --build "$1" --target "${kernel_targets[@]}" -- -n > "$out/build-plan.txt" || return 1
    echo "build plan of $1: $(grep -c '^\[' "$out/build-plan.txt") steps (dry run, nothing compiled)"
    cmake --build "$prebuilt" -j "$jobs" --target "${kernel_targets[@]}"
  else
    cmake --build "$1" -j "$jobs" --target "${kernel_targets[@]}"
  fi
}

training=OFF
if [ "$train" = 1 ] && [ -n "$torch_prefix" ]; then
  if stage --optional configure-torch configure "$build" ON; then
    training=ON
    # c10d.cpp failing its test compile turns data-parallel training off: bring back why.
    [ -f "$build/c10d-check.log" ] && cp "$build/c10d-check.log" "$out/"
  else
    echo "gpu-check: the configure with LibTorch failed (above); kernel-only build instead"
    rm -rf "$build"
  fi
fi
if [ $training = OFF ]; then
  stage configure configure "$build" OFF || finish
fi

if [ $training = ON ]; then
  if ! stage --optional build-cuda-torch build_kernels "$build"; then
    # The CUDA targets do not need LibTorch; its CMake config may be what broke them.
    echo "gpu-check: the CUDA targets did not build in the LibTorch tree; kernel-only tree instead"
    training=OFF
    build="${build}-kernels"
    stage configure configure "$build" OFF || finish
    stage build-cuda build_kernels "$build" || finish
  fi
else
  stage build-cuda build_kernels "$build" || finish
fi
[ -n "$prebuilt" ] && build=$prebuilt
# The LibTorch build overlaps the tests (CPU vs GPU) and must end before the benchmark, whose
# launch-bound timings a busy CPU would distort.
train_build_pid=""
if [ $training = ON ]; then
  t_train0=$SECONDS
  # ninja itself (the configure is -G Ninja), so that stopping it stops its compilers too.
  ninja -C "$build" -j "$jobs" tnn_cli > "$build/train-build.log" 2>&1 &
  train_build_pid=$!
fi

# ---- b) tests -------------------------------------------------------------------------------
# shellcheck disable=SC2317
cuda_tests() {
  # From tests/: its own Testing/ folder, so a CTest that runs this script stays undisturbed.
  # In parallel: the tests' CPU references take longer than their kernels. A hung kernel fails
  # its test after 120 s; the whole stage gets at most 240 s, leaving the benchmark its time.
  local box=$(( $(left) - 200 ))
  [ "$box" -gt 240 ] && box=240
  [ "$box" -lt 60 ] && box=60
  # Many test processes at once: a few OpenMP threads each for the CPU references.
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} timeout "$box" ctest --test-dir "$build/tests" \
    -R '^cuda|^ops/.*/cuda$' --parallel "$jobs" --no-tests=error --output-on-failure \
    --timeout 120 --output-junit "$out/cuda-tests.xml" | tee "$out/.ctest.txt"
  local rc=${PIPESTATUS[0]} skipped
  skipped=$(gc_ctest_skipped "$out/.ctest.txt")
  notes+=("tests: $(grep -E 'tests passed|No tests were found' "$out/.ctest.txt" | tail -1), $skipped skipped")
  rm -f "$out/.ctest.txt"
  [ "$rc" -ne 0 ] && return "$rc"  # a host test failed, GPU or not
  have_gpu || return 77            # the GPU tests were skipped (exit 77), not passed
  if [ "$skipped" -gt 0 ]; then
    echo "gpu-check: nvidia-smi lists a GPU, but $skipped CUDA tests found no device (exit 77)"
    return 1
  fi
  return 0
}
stage tests cuda_tests

if [ -n "$train_build_pid" ]; then
  # shellcheck disable=SC2317
  wait_train_build() {
    # Not past the point where the benchmark (and memcheck) would lose their time.
    while kill -0 "$train_build_pid" 2> /dev/null && [ "$(left)" -gt 200 ]; do sleep 2; done
    if kill -0 "$train_build_pid" 2> /dev/null; then
      kill "$train_build_pid"
      wait "$train_build_pid"
      tail -5 "$build/train-build.log"
      echo "(LibTorch build stopped after $((SECONDS - t_train0)) s: $(left) s of budget left)"
      return 124
    fi
    wait "$train_build_pid"
    local rc=$?
    if [ "$rc" -ne 0 ]; then
      # The compiler's messages come back whole in OUTDIR; the tail here is a pointer.
      cp "$build/train-build.log" "$out/train-build.log"
      tail -30 "$build/train-build.log"
    else
      tail -5 "$build/train-build.log"
    fi
    echo "(LibTorch build took $((SECONDS - t_train0)) s in all)"
    return "$rc"
  }
  stage --optional build-train wait_train_build || training=OFF
fi

# ---- c) benchmarks, then memcheck -----------------------------------------------------------
# shellcheck disable=SC2317
run_bench() {
  # Boxed so that the summary still comes within the budget; the results file is rewritten
  # after every shape, so a cut-off run keeps what it measured.
  local box=$(( $(left) - 30 ))
  [ "$box" -lt 60 ] && box=60
  # shellcheck disable=SC2086  # TNN_BENCH_ARGS is a word list on purpose
  timeout --signal=INT --kill-after=10 "$box" "$build/bin/tnn_cuda_bench" \
    --shapes experiments/kernels/gpu.json --out-dir "$out" --graph ${TNN_BENCH_ARGS:-} |
    tee "$out/.bench.txt"
  local rc=${PIPESTATUS[0]}
  while IFS= read -r l; do notes+=("bench: ${l#summary: }"); done < <(grep '^summary: ' "$out/.bench.txt")
  rm -f "$out/.bench.txt"
  return "$rc"
}
if [ $bench = 1 ]; then
  stage --boxed bench run_bench
else
  skip bench "--no-bench"
fi

if ! have_gpu; then skip memcheck "no GPU"
elif [ -z "$sanitizer" ]; then skip memcheck "no compute-sanitizer"
elif [ "$(left)" -lt 150 ]; then skip memcheck "$(left) s left"
else
  # shellcheck disable=SC2317
  memcheck() {
    # The [large] shapes (M past the old grid limit) would not finish under memcheck.
    timeout 90 "$sanitizer" --tool memcheck --error-exitcode 3 \
      "$build/tests/cuda_tests" "[gemv],[gemm]~[large],[conv]~[large]" 2>&1 | tee "$out/.memcheck.txt"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] && [ "$rc" -ne 124 ] && gc_sanitizer_unusable "$out/.memcheck.txt"; then
      skip_why="compute-sanitizer cannot use this GPU"
      rc=77
    fi
    rm -f "$out/.memcheck.txt"
    return "$rc"
  }
  stage --boxed memcheck memcheck
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
  # In the order of the parts' numbers (cifar.tar.part00, 01, ...), not of their folders' names.
  local parts
  parts=$(ls .gpu-data/p*/cifar.tar.part* | awk -F/ '{print $NF "\t" $0}' | sort | cut -f2)
  # shellcheck disable=SC2086  # one path per word
  cat $parts | tar -x -C .gpu-data/cifar || return 1
  data_dir=$(ls -d .gpu-data/cifar/*/ | head -1)
  data_dir=${data_dir%/}
}

# shellcheck disable=SC2317
train_one() {
  local exp=$1 seconds=$2
  echo "tnn run $exp --profile paper for at most $seconds s"
  timeout --signal=INT --kill-after=15 "$seconds" "$build/bin/tnn" run \
    "experiments/cifar10/$exp.json" --profile paper --out "$runs" --data "$data_dir"
  local rc=$?
  [ "$rc" -eq 124 ] && { echo "(cut off by the time box: resume with the same command)"; rc=0; }
  return "$rc"
}

# ---- 1-rank NCCL smoke (data-parallel training on torch c10d, docs/distributed.md) ----------
# One data-parallel rank (torchrun's variables, WORLD_SIZE=1) on the GPU: its process group is
# ProcessGroupNCCL, so this checks that lib/dist/c10d.cpp built against this LibTorch 2.x and that
# NCCL's broadcast and bucketed all-reduce run in the trainer. More ranks need more GPUs.
# shellcheck disable=SC2317
nccl_smoke() {
  local d
  d=$(mktemp -d)
  WORLD_SIZE=1 RANK=0 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29531 \
    timeout --signal=INT --kill-after=10 120 "$build/bin/tnn" run experiments/cifar10/resnet20-fp.json \
    --profile smoke --seed 1 --out "$d" --data "$data_dir" --dist-timeout 60 2>&1 | tee "$d/out.txt"
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    # The configure already said why (c10d-check.log in OUTDIR); single-process training works.
    grep -q "this build has no torch c10d" "$d/out.txt" &&
      { skip_why="this build has no c10d: see c10d-check.log"; return 77; }
    return 1
  fi
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
d = r["distributed"]
print("nccl-smoke: backend", d["backend"], "world", d["world_size"], "comm s/step", d["comm_seconds_per_step"],
      "final top-1", r["final"]["top1"])
sys.exit(0 if d["backend"] == "nccl" and r["status"] == "finished" else 1)' \
    "$d/cifar10/resnet20-fp/smoke/seed1/result.json"
}
if [ "$train" = 0 ]; then skip nccl-smoke "--no-train"
elif ! have_gpu; then skip nccl-smoke "no GPU"
elif [ $training = OFF ]; then skip nccl-smoke "no LibTorch build"
elif ! find_data; then skip nccl-smoke "no data"
else stage nccl-smoke nccl_smoke
fi

runs=$(mktemp -d)/runs
if [ "$train" = 0 ]; then skip train "--no-train"
elif ! have_gpu; then skip train "no GPU"
elif [ $training = OFF ]; then skip train "no LibTorch build"
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

finish

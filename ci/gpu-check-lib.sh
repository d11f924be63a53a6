#!/usr/bin/env bash
# Pieces of ci/gpu-check.sh that decide what a stage's exit status means and what the whole check
# reports, plus the searches for cuDNN and the carried header copies. Sourced by gpu-check.sh;
# tests/cuda/gpu_check_lib_test.sh checks them on machines without a GPU (CTest gpu-check/lib).
# Functions are prefixed gc_; the summary lives in the arrays gc_names, gc_classes, gc_verdicts,
# gc_times.

gc_names=()
gc_classes=()
gc_verdicts=()
gc_times=()

# gc_classify RC MODE [WHY] -> "CLASS|VERDICT". CLASS is ok, skipped, degraded or failed.
#   MODE check:    a real check; any failure is FAILED (124: its time box ran out, e.g. a hang)
#   MODE optional: a failure has a fallback (e.g. LibTorch configure -> kernel-only build): degraded
#   MODE boxed:    run under `timeout`; 124 means the box ran out, not that the check failed
# 77 is what every GPU program of the project exits with when it finds no CUDA device; a stage
# returns it too when a tool cannot run here, saying why in WHY (default "no GPU").
gc_classify() {
  local rc=$1 mode=$2 why=${3:-no GPU}
  if [ "$rc" -eq 0 ]; then echo "ok|ok"
  elif [ "$rc" -eq 77 ]; then echo "skipped|skipped ($why)"
  elif [ "$mode" != check ] && [ "$rc" -eq 124 ]; then echo "degraded|TIMED OUT (box ran out; incomplete)"
  elif [ "$mode" = optional ]; then echo "degraded|failed rc=$rc (fallback used)"
  elif [ "$rc" -eq 124 ]; then echo "failed|FAILED rc=124 (time box ran out)"
  else echo "failed|FAILED rc=$rc"
  fi
}

# gc_ctest_skipped FILE: how many tests a ctest output in FILE reports as skipped (exit 77: no
# CUDA device). Where nvidia-smi lists a GPU, any is a failure: the programs cannot use it.
gc_ctest_skipped() {
  grep -c -- '\*\*\*Skipped' "$1"
}

# gc_sanitizer_unusable FILE: true when compute-sanitizer's output in FILE says that it cannot
# run on this machine (seen on the gVisor H200: "Device not supported", then error 999), which
# says nothing about our kernels.
gc_sanitizer_unusable() {
  grep -qE 'Device not supported|Failed to initialize the (sanitizer|profiler)' "$1"
}

# gc_record NAME CLASS VERDICT SECONDS: one row of the summary table.
gc_record() {
  gc_names+=("$1")
  gc_classes+=("$2")
  gc_verdicts+=("$3")
  gc_times+=("$4")
}

# gc_rows_with CLASS: the stage names of that class, space-separated.
gc_rows_with() {
  local i out=""
  for i in "${!gc_classes[@]}"; do
    [ "${gc_classes[$i]}" = "$1" ] && out="$out ${gc_names[$i]}"
  done
  echo "${out# }"
}

# gc_exit_status: 1 if a stage FAILED, else 3 if one was degraded (fallback, time box), else 0.
gc_exit_status() {
  if [ -n "$(gc_rows_with failed)" ]; then echo 1
  elif [ -n "$(gc_rows_with degraded)" ]; then echo 3
  else echo 0
  fi
}

# gc_result_line: the last line of the check, e.g. "gpu-check: FAILED (tests)".
gc_result_line() {
  case $(gc_exit_status) in
    1) echo "gpu-check: FAILED ($(gc_rows_with failed))" ;;
    3) echo "gpu-check: DEGRADED ($(gc_rows_with degraded)); nothing failed" ;;
    *) echo "gpu-check: OK" ;;
  esac
}

gc_print_table() {
  local i
  printf '%-22s %-48s %6s\n' stage verdict seconds
  for i in "${!gc_names[@]}"; do
    printf '%-22s %-48s %6s\n' "${gc_names[$i]}" "${gc_verdicts[$i]}" "${gc_times[$i]}"
  done
}

# gc_find_cudnn DIR...: the first DIR with include/cudnn.h and a libcudnn.so* under lib*/ or
# lib/<triplet>/ (pip's nvidia/cudnn has include/ and lib/libcudnn.so.9 only).
gc_find_cudnn() {
  local d lib
  for d in "$@"; do
    if [ -z "$d" ] || [ ! -f "$d/include/cudnn.h" ]; then continue; fi
    lib=$(gc_cudnn_library "$d")
    [ -n "$lib" ] && { echo "$d"; return 0; }
  done
  return 1
}

# gc_cudnn_library DIR: its libcudnn (the unversioned link if there is one, else libcudnn.so.N).
gc_cudnn_library() {
  local f
  for f in "$1"/lib*/libcudnn.so "$1"/lib/*-linux-gnu/libcudnn.so "$1"/lib*/libcudnn.so.[0-9]* \
           "$1"/lib/*-linux-gnu/libcudnn.so.[0-9]*; do
    [ -e "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}

# gc_cudnn_version DIR: "9.19.0" from DIR/include/cudnn_version.h (or cudnn.h for old ones).
gc_cudnn_version() {
  local h v=""
  for h in "$1/include/cudnn_version.h" "$1/include/cudnn.h"; do
    [ -f "$h" ] || continue
    v=$(awk '/#define CUDNN_MAJOR /{a=$3} /#define CUDNN_MINOR /{b=$3} /#define CUDNN_PATCHLEVEL /{c=$3}
             END{if (a != "") print a "." b "." c}' "$h")
    [ -n "$v" ] && break
  done
  echo "${v:-unknown}"
}

# gc_check_vendor DIR: the header-only deps the GPU host lacks, as ci/stage-gpu-deps.sh stages
# them. Prints what is missing (nothing when complete); returns 1 when something is.
gc_check_vendor() {
  local f missing=""
  for f in include/nlohmann/json.hpp include/catch2/catch.hpp include/CLI/CLI.hpp \
           cmake/Catch.cmake cmake/CatchAddTests.cmake; do
    [ -f "$1/$f" ] || missing="$missing $f"
  done
  [ -z "$missing" ] && return 0
  echo "${missing# }"
  return 1
}

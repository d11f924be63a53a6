#!/usr/bin/env bash
# CTest gpu-check/lib: the status logic and searches of ci/gpu-check-lib.sh, which a machine
# without a GPU never reaches through the script itself (a memcheck time box running out, a
# LibTorch configure falling back, pip's cuDNN layout).
# Usage: gpu_check_lib_test.sh SOURCE_DIR
set -u
# shellcheck source=../../ci/gpu-check-lib.sh
. "${1:?usage: gpu_check_lib_test.sh SOURCE_DIR}/ci/gpu-check-lib.sh"
fails=0
is() {  # is WHAT GOT WANT
  if [ "$2" != "$3" ]; then echo "FAIL $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}

is "rc 0" "$(gc_classify 0 check)" "ok|ok"
is "rc 77 (no GPU)" "$(gc_classify 77 check)" "skipped|skipped (no GPU)"
is "check failing" "$(gc_classify 2 check)" "failed|FAILED rc=2"
is "time box ran out" "$(gc_classify 124 boxed)" "degraded|TIMED OUT (box ran out; incomplete)"
is "memcheck errors" "$(gc_classify 3 boxed)" "failed|FAILED rc=3"
is "a check's box running out is a failure" "$(gc_classify 124 check)" "failed|FAILED rc=124 (time box ran out)"
is "fallback" "$(gc_classify 1 optional)" "degraded|failed rc=1 (fallback used)"
is "stopped LibTorch build" "$(gc_classify 124 optional)" "degraded|TIMED OUT (box ran out; incomplete)"
is "benchmark MISMATCH" "$(gc_classify 2 boxed)" "failed|FAILED rc=2"
is "a tool that cannot run here" "$(gc_classify 77 boxed "sanitizer unusable here")" \
  "skipped|skipped (sanitizer unusable here)"

gc_record configure ok ok 3
gc_record tests skipped "skipped (no GPU)" 1
is "all ok" "$(gc_exit_status)" 0
is "all ok line" "$(gc_result_line)" "gpu-check: OK"
gc_record configure-torch degraded "failed rc=1 (fallback used)" 5
gc_record memcheck degraded "TIMED OUT (box ran out; incomplete)" 90
is "degraded" "$(gc_exit_status)" 3
is "degraded line" "$(gc_result_line)" "gpu-check: DEGRADED (configure-torch memcheck); nothing failed"
gc_record bench failed "FAILED rc=2" 40
is "failed" "$(gc_exit_status)" 1
is "failed line" "$(gc_result_line)" "gpu-check: FAILED (bench)"
is "table rows" "$(gc_print_table | wc -l | tr -d ' ')" 6

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# pip's nvidia-cudnn wheel: include/ and lib/libcudnn.so.9 only, no unversioned link.
mkdir -p "$tmp/site/nvidia/cudnn/include" "$tmp/site/nvidia/cudnn/lib" "$tmp/empty"
printf '#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 13\n#define CUDNN_PATCHLEVEL 1\n' \
  > "$tmp/site/nvidia/cudnn/include/cudnn_version.h"
touch "$tmp/site/nvidia/cudnn/include/cudnn.h" "$tmp/site/nvidia/cudnn/lib/libcudnn.so.9"
is "pip cuDNN found" "$(gc_find_cudnn "" "$tmp/empty" "$tmp/site/nvidia/cudnn")" "$tmp/site/nvidia/cudnn"
is "pip cuDNN library" "$(gc_cudnn_library "$tmp/site/nvidia/cudnn")" "$tmp/site/nvidia/cudnn/lib/libcudnn.so.9"
is "cuDNN version" "$(gc_cudnn_version "$tmp/site/nvidia/cudnn")" "9.13.1"
is "no cuDNN" "$(gc_find_cudnn "$tmp/empty" || echo none)" "none"
mkdir -p "$tmp/hdr/include"
touch "$tmp/hdr/include/cudnn.h"  # headers without a library do not count
is "headers only" "$(gc_find_cudnn "$tmp/hdr" || echo none)" "none"

# The header copies ci/stage-gpu-deps.sh makes.
mkdir -p "$tmp/deps/include/nlohmann" "$tmp/deps/include/catch2" "$tmp/deps/include/CLI" "$tmp/deps/cmake"
touch "$tmp/deps/include/nlohmann/json.hpp" "$tmp/deps/include/catch2/catch.hpp" \
  "$tmp/deps/include/CLI/CLI.hpp" "$tmp/deps/cmake/Catch.cmake"
is "vendor incomplete" "$(gc_check_vendor "$tmp/deps")" "cmake/CatchAddTests.cmake"
touch "$tmp/deps/cmake/CatchAddTests.cmake"
is "vendor complete" "$(gc_check_vendor "$tmp/deps" && echo complete)" "complete"

# What ctest prints for tests that exit 77 (SKIP_RETURN_CODE), and for tests that ran.
printf '%s\n' "1/2 Test #163: cuda/bench copies wait ....***Skipped   0.08 sec" \
  "2/2 Test #164: cuda/bench reference kernels are exact ....   Passed    0.08 sec" \
  "100% tests passed, 0 tests failed out of 2" "The following tests did not run:" \
  "	163 - cuda/bench copies wait (Skipped)" > "$tmp/ctest-skipped.txt"
is "ctest skipped" "$(gc_ctest_skipped "$tmp/ctest-skipped.txt")" 1
printf '%s\n' "1/1 Test #164: cuda/bench reference kernels are exact ....   Passed    0.08 sec" \
  "100% tests passed, 0 tests failed out of 1" > "$tmp/ctest-ran.txt"
is "ctest none skipped" "$(gc_ctest_skipped "$tmp/ctest-ran.txt")" 0
printf '%s\n' "========= COMPUTE-SANITIZER" "========= Error: Device not supported" > "$tmp/san.txt"
is "sanitizer unusable" "$(gc_sanitizer_unusable "$tmp/san.txt" && echo yes)" yes
printf '%s\n' "========= Invalid __global__ write of size 4 bytes" "========= ERROR SUMMARY: 1 error" \
  > "$tmp/san-err.txt"
is "sanitizer found an error" "$(gc_sanitizer_unusable "$tmp/san-err.txt" || echo usable)" usable

[ "$fails" -eq 0 ] && echo "gpu-check-lib: all checks passed"
exit $((fails > 0))

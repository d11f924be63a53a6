#!/bin/sh
# CTest consumer/*: configures, builds and runs tests/consumer the way another project would use
# ternary-bench. No build type is given, so the programs compile fast (-O0) and the subproject
# check sees whether ternary-bench imposes one.
#   run.sh find-package     BUILD_DIR PREFIX       (after consumer/install filled PREFIX)
#   run.sh add-subdirectory BUILD_DIR SOURCE_TREE  (tnn::kernels only: LibTorch is not rebuilt)
set -eu
mode=$1 build=$2 where=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$build"
case $mode in
  find-package)
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_PREFIX_PATH="$where" ;;
  add-subdirectory)
    cmake -S "$here" -B "$build" -G Ninja -DCONSUMER_TNN_SOURCE_DIR="$where" \
          -DCONSUMER_WITH_TORCH=OFF -DTNN_ENABLE_CUDA=OFF ;;
  *) echo "run.sh: unknown mode '$mode' (find-package | add-subdirectory)" >&2; exit 2 ;;
esac
cmake --build "$build" -j 2
"$build/use_kernels"
if [ -x "$build/use_tnn" ]; then "$build/use_tnn"; fi

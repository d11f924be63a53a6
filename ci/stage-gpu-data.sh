#!/usr/bin/env bash
# Splits the project's CIFAR-10 copy into parts small enough for the device tool, which sends at
# most 64 MiB per call (working tree included). The 184 MB barely compress (zstd -19: 88 %), so
# the parts are a plain tar cut into 48 MiB pieces: 4 parts, carried by 4 calls to a machine that
# stays warm between them; ci/gpu-check.sh joins them on the GPU host once all are there
# (checking SHA256SUMS) and extracts them into .gpu-data/cifar/. docs/gpu.md has the calls.
# Usage: ci/stage-gpu-data.sh [SRC]   (default ../shared/data/cifar-10-jpeg75-bin or $TNN_DATA_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-${TNN_DATA_DIR:-../shared/data/cifar-10-jpeg75-bin}}
[ -f "$src/test_batch.bin" ] || { echo "stage-gpu-data: $src is not a CIFAR-10 binary folder" >&2; exit 1; }
src=$(cd "$src" && pwd)
out=.gpu-data
rm -rf "$out"/p[0-9]*
mkdir -p "$out"
name=$(basename "$src")
tar -C "$(dirname "$src")" -cf - "$name" | split -b 48M -d -a 1 - "$out/cifar.tar.part"
i=0
for f in "$out"/cifar.tar.part*; do
  i=$((i + 1))
  mkdir -p "$out/p$i"
  mv "$f" "$out/p$i/"
done
(cd "$out" && sha256sum p*/cifar.tar.part* > SHA256SUMS && cp SHA256SUMS p1/)
echo "stage-gpu-data: $i parts of $name in $out (each carried by one call):"
du -sh "$out"/p*

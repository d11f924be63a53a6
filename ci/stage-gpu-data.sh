#!/usr/bin/env bash
# Splits the project's CIFAR-10 copy into parts small enough for the device tool, which sends at
# most 64 MiB per call, the working tree included. The 184 MB barely compress (zstd -19: 88 %),
# so the parts are a plain tar cut into pieces of 64 MiB minus what travels anyway (the tree
# git sees and .gpu-deps, which the last call carries) minus a margin; one call per part, to a
# machine that stays warm between them. ci/gpu-check.sh joins them on the GPU host once all are
# there (checking SHA256SUMS, in the order of the parts' numbers) into .gpu-data/cifar/.
# Prints the calls to make (docs/gpu.md).
# Usage: ci/stage-gpu-data.sh [SRC]   (default ../shared/data/cifar-10-jpeg75-bin or $TNN_DATA_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-${TNN_DATA_DIR:-../shared/data/cifar-10-jpeg75-bin}}
[ -f "$src/test_batch.bin" ] || { echo "stage-gpu-data: $src is not a CIFAR-10 binary folder" >&2; exit 1; }
src=$(cd "$src" && pwd)
out=.gpu-data
rm -rf "$out"/p[0-9]* "$out/SHA256SUMS"
mkdir -p "$out"

mib=$((1 << 20))
# What git would send: tracked and untracked-not-ignored files that exist (a deleted tracked file
# is still listed); hard links counted each time (-l), as a copy sends them.
tree=$(git ls-files -co --exclude-standard -z | xargs -0 -r ls -d 2> /dev/null | tr '\n' '\0' |
  du -clb --files0-from=- | tail -1 | cut -f1)
deps=$(du -sb .gpu-deps 2> /dev/null | cut -f1 || true)
part_mib=$(((64 * mib - tree - ${deps:-0}) / mib - 4))
if [ "$part_mib" -lt 8 ]; then
  echo "stage-gpu-data: the tree ($((tree / mib)) MiB) leaves under 8 MiB per call for data" >&2
  exit 1
fi

name=$(basename "$src")
tar -C "$(dirname "$src")" -cf - "$name" | split -b "${part_mib}M" -d -a 2 - "$out/cifar.tar.part"
i=0
for f in "$out"/cifar.tar.part*; do
  i=$((i + 1))
  mkdir -p "$out/p$i"
  mv "$f" "$out/p$i/"
done
(cd "$out" && sha256sum p*/cifar.tar.part* > SHA256SUMS && cp SHA256SUMS p1/)
echo "stage-gpu-data: $i parts of $part_mib MiB of $name in $out (tree $((tree / mib)) MiB," \
  "header deps $((${deps:-0} / mib)) MiB)"
echo "the calls, each within 30 s of the last (docs/gpu.md):"
for p in $(seq 1 $((i - 1))); do
  echo "  run(command=\"ls -l .gpu-data/p$p\", carry=[\".gpu-data/p$p\"], timeout_s=60)"
done
echo "  run(command=\"ci/gpu-check.sh \$OUT\", carry=[\".gpu-deps\", \".gpu-data/p$i\"], timeout_s=420)"

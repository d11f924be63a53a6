#!/usr/bin/env bash
# Formatting check (CTest format/changed-lines): every C++ line changed since a base commit must
# be as clang-format writes it (.clang-format). Lines untouched since the base are not checked, so
# the rule holds for all new work without reformatting the whole tree in one go.
#   ci/check-format.sh [BASE]    BASE: the argument, else $TNN_FORMAT_BASE, else ci/format-base
# Fix what it reports with: git clang-format BASE
# Exits 77 (CTest: skipped) when the base commit is not in this clone (e.g. a shallow one).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-${TNN_FORMAT_BASE:-$(grep -o '^[0-9a-f]\{7,40\}' ci/format-base | head -1)}}
if ! command -v git-clang-format >/dev/null || ! command -v clang-format >/dev/null; then
  echo "check-format: git-clang-format / clang-format not found (Debian: clang-format; ci/install-deps.sh)" >&2
  exit 1
fi
if ! git rev-parse -q --verify "${base}^{commit}" >/dev/null; then
  echo "check-format: base commit '$base' is not in this clone; skipped" >&2
  exit 77
fi
out=$(git clang-format --diff --extensions cpp,hpp,h,cu,cuh "$base" -- 2>&1) || true
case "$out" in
  *"no modified files to format"* | *"clang-format did not modify any files"*)
    echo "check-format: C++ lines changed since ${base:0:10} are clang-format clean"
    exit 0 ;;
esac
printf '%s\n' "$out"
echo "check-format: the lines above changed since ${base:0:10} are not clang-format clean; run: git clang-format $base" >&2
exit 1

#!/usr/bin/env bash
# Copies the header-only dependencies that the lent GPU machines lack (they have no apt and none
# of our Debian packages) from this machine's Debian packages into a git-ignored folder, which
# the device tool's `carry` sends along and CMake reads through -DTNN_VENDOR_DIR (cmake/deps.cmake).
# Nothing here is committed: the copies come from the packages each time.
# Usage: ci/stage-gpu-deps.sh [DEST]   (default .gpu-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-.gpu-deps}

need() { [ -e "$1" ] || { echo "stage-gpu-deps: $1 missing (run ci/install-deps.sh)" >&2; exit 1; }; }
need /usr/include/nlohmann/json.hpp
need /usr/include/catch2/catch.hpp
need /usr/include/CLI/CLI.hpp
need /usr/lib/cmake/Catch2/Catch.cmake

rm -rf "$dest"
mkdir -p "$dest/include/catch2" "$dest/cmake" "$dest/licenses"
cp -r /usr/include/nlohmann "$dest/include/"
cp /usr/include/catch2/catch.hpp "$dest/include/catch2/"
cp -r /usr/include/CLI "$dest/include/"
# include(Catch) / catch_discover_tests come from these two CMake scripts of the Catch2 package.
cp /usr/lib/cmake/Catch2/Catch.cmake /usr/lib/cmake/Catch2/CatchAddTests.cmake "$dest/cmake/"
for p in nlohmann-json3-dev catch2 libcli11-dev; do
  [ -f "/usr/share/doc/$p/copyright" ] && cp "/usr/share/doc/$p/copyright" "$dest/licenses/$p"
done
dpkg-query -W nlohmann-json3-dev catch2 libcli11-dev > "$dest/VERSIONS" 2>/dev/null || true
# The same completeness check ci/gpu-check.sh makes on the GPU host.
# shellcheck source=ci/gpu-check-lib.sh
. ci/gpu-check-lib.sh
if ! missing=$(gc_check_vendor "$dest"); then
  echo "stage-gpu-deps: $dest lacks $missing" >&2
  exit 1
fi
echo "stage-gpu-deps: $(du -sh "$dest" | cut -f1) in $dest:"
cat "$dest/VERSIONS" 2>/dev/null || true

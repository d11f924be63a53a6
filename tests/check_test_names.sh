#!/usr/bin/env bash
# CTest splits a discovered Catch2 test name at ';' and then runs a filter that matches nothing, so
# such a test "passes" without running. Fail when any Catch2 binary given here has one.
set -euo pipefail
bad=0
for bin in "$@"; do
  while IFS= read -r name; do
    case "$name" in
      *';'*) echo "$bin: test name has ';' (CTest would split it and run nothing): $name"; bad=1 ;;
    esac
  done < <("$bin" --list-test-names-only)
done
[ "$bad" -eq 0 ] && echo "checked the test names of $# Catch2 binaries: no ';'"
exit "$bad"

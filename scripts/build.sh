#!/usr/bin/env bash
# Configures and builds ternc in build/ with Ninja. Incremental: a second run
# only rebuilds what changed (configuring again is a no-op when nothing did).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${TERNC_BUILD_DIR:-$root/build}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTERNC_ENABLE_COMPILER=ON -DTERNC_SANITIZE=OFF >/dev/null
cmake --build "$build"

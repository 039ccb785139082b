#!/bin/sh
# Configures (Ninja when available) and builds leadflow into ./build, or $BUILD_DIR.
# Extra arguments go to the configure step, e.g. ./scripts/build.sh -DLEADFLOW_BENCH=ON
set -eu
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

# The generator of an existing build dir cannot change, so choose it only on first configure.
generator=""
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
  generator="-G Ninja"
fi
# shellcheck disable=SC2086 # $generator is deliberately split into two words
cmake -S . -B "$build_dir" $generator -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@"
cmake --build "$build_dir" -j "$jobs"

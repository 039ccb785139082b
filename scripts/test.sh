#!/bin/sh
# Builds everything and runs the whole test suite (what CI runs): ctest, then the fuzz smoke run.
set -eu
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

./scripts/build.sh "$@"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"

# ---- fuzz hook -------------------------------------------------------------------------
# When fuzz/ has a CMakeLists.txt: fuzz/run.sh builds the .flow fuzzer with clang + libFuzzer
# in its own build dir (FUZZ_BUILD_DIR, default build-fuzz), replays tests/fuzz_regressions/
# and fuzzes for 60 s; then fuzz/corrupt_stdlib.sh feeds truncated and byte-flipped stdlib
# files to the leadflow just built. fuzz/ owns both; this only drives them.
# LEADFLOW_SKIP_FUZZ=1 skips this part.
if [ -f fuzz/CMakeLists.txt ] && [ "${LEADFLOW_SKIP_FUZZ:-0}" != "1" ]; then
  fuzz/run.sh 60
  LEADFLOW="$build_dir/leadflow" fuzz/corrupt_stdlib.sh
fi
# ---- end fuzz hook ---------------------------------------------------------------------

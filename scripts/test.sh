#!/bin/sh
# Builds everything and runs the whole test suite (what CI runs): ctest, then the fuzz smoke run.
set -eu
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

./scripts/build.sh "$@"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"

# ---- fuzz hook -------------------------------------------------------------------------
# When fuzz/ has a CMakeLists.txt, build it with clang + libFuzzer in its own build dir and
# run every fuzz_* target for 60 s. fuzz/ owns its targets; this only drives them.
if [ -f fuzz/CMakeLists.txt ] && [ "${LEADFLOW_SKIP_FUZZ:-0}" != "1" ]; then
  fuzz_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
  CC=clang-14 CXX=clang++-14 BUILD_DIR="$fuzz_dir" BUILD_TYPE=RelWithDebInfo \
    ./scripts/build.sh -DLEADFLOW_FUZZ=ON -DLEADFLOW_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++-14
  mkdir -p fuzz-out
  for fuzzer in "$fuzz_dir"/fuzz/fuzz_*; do
    [ -x "$fuzzer" ] || continue
    name=$(basename "$fuzzer")
    corpus="fuzz/corpus/${name#fuzz_}"
    mkdir -p "fuzz-out/$name"
    echo "test.sh: running $name for 60 s"
    if [ -d "$corpus" ]; then
      "$fuzzer" -max_total_time=60 -artifact_prefix="fuzz-out/$name/" "fuzz-out/$name" "$corpus"
    else
      "$fuzzer" -max_total_time=60 -artifact_prefix="fuzz-out/$name/" "fuzz-out/$name"
    fi
  done
fi
# ---- end fuzz hook ---------------------------------------------------------------------

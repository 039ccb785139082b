#!/bin/sh
# Builds the .flow fuzzer (clang, libFuzzer, ASan + UBSan) when needed, replays the saved
# regressions, seeds the corpus from the repo and fuzzes for SECONDS (default 60).
# Exit status is non-zero when anything crashes, hangs (10 s), leaks or runs out of memory;
# the input that did it is kept in fuzz-out/flow_parser/ (crash-*, timeout-*, leak-*, oom-*).
# Environment: FUZZ_BUILD_DIR (build-fuzz), JOBS, FUZZ_ARGS (extra libFuzzer flags).
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
fuzzer="$build_dir/fuzz/fuzz_flow_parser"
out=fuzz-out/flow_parser
corpus=fuzz-out/corpus/flow_parser

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLEADFLOW_FUZZ=ON -DLEADFLOW_TESTS=OFF -DLEADFLOW_PCH=OFF
fi
cmake --build "$build_dir" --target fuzz_flow_parser -j "$jobs"

mkdir -p "$out" "$corpus"
# stdin is /dev/null: nothing the fuzzer runs may wait on a terminal.
exec </dev/null

# Inputs that once failed must keep passing (each is run once, without fuzzing).
regressions=$(find tests/fuzz_regressions -type f ! -name '*.md' 2>/dev/null | sort)
if [ -n "$regressions" ]; then
  echo "fuzz/run.sh: replaying $(echo "$regressions" | wc -l) saved inputs from tests/fuzz_regressions"
  # shellcheck disable=SC2086 # one argument per file; the names have no spaces
  "$fuzzer" -timeout=10 -rss_limit_mb=2048 $regressions
fi

fuzz/seed_corpus.sh "$corpus"
echo "fuzz/run.sh: fuzzing for $seconds s (findings go to $out/)"
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -dict=fuzz/flow.dict -artifact_prefix="$out/" -print_final_stats=1 -print_funcs=0 ${FUZZ_ARGS:-} "$corpus"

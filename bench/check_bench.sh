#!/bin/sh
# The `leadflow check` benchmark of issue 2: builds a Release leadflow in build-bench (g++),
# generates N workflows (default 10,000) into /tmp/leadflow-bench and reports wall time, CPU
# time and peak RSS of `leadflow check` over them (best/median of REPEAT runs).
# Targets: under 1 s wall and under 300 MB peak RSS for 10,000 workflows on 2 cores.
# Environment: N, REPEAT (5), BENCH_BUILD_DIR (build-bench), BENCH_DIR (/tmp/leadflow-bench),
# JOBS, SKIP_BUILD=1 to use the binary as it is.
set -eu
cd "$(dirname "$0")/.."
n="${N:-10000}"
build_dir="${BENCH_BUILD_DIR:-build-bench}"
out="${BENCH_DIR:-/tmp/leadflow-bench}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    CC=gcc CXX=g++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFLOW_TESTS=OFF
  fi
  cmake --build "$build_dir" --target leadflow -j "$jobs"
fi

python3 bench/gen_workflows.py "$out" -n "$n"
echo "check_bench.sh: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "check_bench.sh: $build_dir/leadflow check $out"
python3 bench/measure.py --repeat "${REPEAT:-5}" --quiet-output -- "$build_dir/leadflow" check "$out"

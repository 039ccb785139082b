#!/bin/sh
# The `leadflow dry-run` benchmark of issue 3 item 11b: builds a Release leadflow (g++), generates
# N leads (default 100,000) x E events (10) over 90 virtual days for stdlib-workflows into
# /tmp/leadflow-dry-run-bench, and reports wall time, CPU time and peak RSS of
#   leadflow dry-run stdlib-workflows --leads ... --events ... --until 90d --format jsonl >/dev/null
# (best/median of REPEAT runs, via bench/measure.py). Targets: under 5 s wall, under 1 GiB peak.
# Environment: N, E, CAPTURES and INTENTS (passed to gen_dry_run_data.py; default 0.1% of the
# events each), REPEAT (5), BENCH_BUILD_DIR (build-bench), BENCH_DIR (/tmp/leadflow-dry-run-bench),
# JOBS, SKIP_BUILD=1 to use the binary as it is, SKIP_GEN=1 to reuse the data already in BENCH_DIR.
set -eu
cd "$(dirname "$0")/.."
n="${N:-100000}"
e="${E:-10}"
build_dir="${BENCH_BUILD_DIR:-build-bench}"
out="${BENCH_DIR:-/tmp/leadflow-dry-run-bench}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    CC=gcc CXX=g++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEADFLOW_TESTS=OFF
  fi
  cmake --build "$build_dir" --target leadflow -j "$jobs"
fi

set -- "$out" -n "$n" -e "$e"
[ -n "${CAPTURES:-}" ] && set -- "$@" --captures "$CAPTURES"
[ -n "${INTENTS:-}" ] && set -- "$@" --intents "$INTENTS"
if [ "${SKIP_GEN:-0}" != "1" ] || [ ! -f "$out/events.jsonl" ]; then
  python3 bench/gen_dry_run_data.py "$@"
fi
echo "dry_run_bench.sh: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
cmd="$build_dir/leadflow dry-run stdlib-workflows --leads $out/leads.jsonl --events $out/events.jsonl --until 90d --format jsonl"
echo "dry_run_bench.sh: $cmd >/dev/null"
# One run outside the timing to count the output (and to see that it succeeds).
$cmd | wc -l | sed 's/^/dry_run_bench.sh: effect lines: /'
python3 bench/measure.py --repeat "${REPEAT:-5}" --warmup 0 --quiet-output -- $cmd

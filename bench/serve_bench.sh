#!/usr/bin/env bash
# `leadflow serve` benchmarks of issue 5 item 10, on fresh temporary databases with the standard
# workflows and the default durability (synchronous=FULL in WAL):
#   a) sustained ingestion: NDJSON batches over HTTP, closed loop, events/s;
#   b) speed-to-lead: one event per request at an open-loop 1,000 events/s; the latency of a request
#      carrying a new (hot) form submission is the time to its `assign` effect being durable, since
#      the answer is sent only after the batch (outbox row included) committed;
#   c) restart with N pending timers: builds a store with `serve --ingest`, then times
#      start -> GET /healthz 200.
# Usage: bench/serve_bench.sh [a] [b] [c]   (default: all three)
# Environment: BUILD_DIR (default build), PORT (18080), SEEDED (10000 leads before a and b),
#   DURATION (20 s), CONNECTIONS (4), BATCH (1000); scenario c: C_LEADS (hot form submissions
#   ingested; about 4 pending timers each) and C_NOW (the clock of the ingest and the restarts).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
PORT="${PORT:-18080}"
SEEDED="${SEEDED:-10000}"
DURATION="${DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-4}"
BATCH="${BATCH:-1000}"
C_LEADS="${C_LEADS:-250000}"
C_NOW="${C_NOW:-2026-01-05T09:00:00Z}"
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(a b c)

cmake --build "$BUILD_DIR" -j2 --target leadflow serve_load >/dev/null
LEADFLOW="$BUILD_DIR/leadflow"
LOAD="$BUILD_DIR/bench/serve/serve_load"
tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

wait_healthy() {  # prints the seconds it took
  local start now
  start=$(date +%s.%N)
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    if ! kill -0 "$server" 2>/dev/null; then echo "leadflow serve died; log:" >&2; tail "$tmp/serve.log" >&2; exit 1; fi
    sleep 0.01
  done
  now=$(date +%s.%N)
  echo "$now - $start" | bc
}
start_server() {  # $1: database, then extra options
  "$LEADFLOW" serve --workflows stdlib-workflows --db "$@" --listen "127.0.0.1:$PORT" 2>>"$tmp/serve.log" &
  server=$!
}
stop_server() {
  kill "$server"
  wait "$server" || true
  server=""
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load:$(uptime | sed 's/.*load average://')"
for s in "${scenarios[@]}"; do
  case "$s" in
    a)
      echo "== a) sustained ingestion: $CONNECTIONS connections, $BATCH events/request, ${DURATION}s, $SEEDED seeded leads"
      rm -f "$tmp"/a.db*
      start_server "$tmp/a.db"
      wait_healthy >/dev/null
      "$LOAD" --url "http://127.0.0.1:$PORT" --phase seed --seeded "$SEEDED" --batch 1000 | sed 's/^/seed: /'
      "$LOAD" --url "http://127.0.0.1:$PORT" --phase mix --seeded "$SEEDED" --connections "$CONNECTIONS" \
        --batch "$BATCH" --duration "$DURATION" --run 1
      stop_server
      ;;
    b)
      echo "== b) speed-to-lead: 1 event/request, open loop at 1000 events/s, ${DURATION}s, $SEEDED seeded leads"
      rm -f "$tmp"/b.db*
      start_server "$tmp/b.db"
      wait_healthy >/dev/null
      "$LOAD" --url "http://127.0.0.1:$PORT" --phase seed --seeded "$SEEDED" --batch 1000 >/dev/null
      "$LOAD" --url "http://127.0.0.1:$PORT" --phase mix --seeded "$SEEDED" --connections 32 --batch 1 \
        --rate 1000 --duration "$DURATION" --run 2
      stop_server
      # Every hot lead the mix created must have its assign effect in the outbox (same transaction).
      echo "assign rows in the outbox: $(sqlite3 "$tmp/b.db" "SELECT count(*) FROM outbox WHERE action='assign'")"
      ;;
    c)
      echo "== c) restart with the pending timers of $C_LEADS ingested leads"
      rm -f "$tmp"/c.db*
      # Hot form submissions, all at --now: the timers they leave (SLA steps, task reminders,
      # cadence waits) are due after it, so they stay pending across the restart (same --now).
      "$LOAD" --phase seed --seeded "$C_LEADS" --batch 1000 --print >"$tmp/c.jsonl"
      begin=$(date +%s.%N)
      "$LEADFLOW" serve --workflows stdlib-workflows --db "$tmp/c.db" --ingest "$tmp/c.jsonl" --now "$C_NOW" \
        2>>"$tmp/serve.log"
      echo "built by serve --ingest in $(echo "$(date +%s.%N) - $begin" | bc) s: $(sqlite3 "$tmp/c.db" \
        'SELECT (SELECT count(*) FROM timers), (SELECT count(*) FROM leads)' | tr '|' ' ' | awk '{print $1 " timers, " $2 " leads"}')"
      for round in 1 2 3; do
        start_server "$tmp/c.db" --now "$C_NOW"
        echo "restart $round: start -> /healthz 200 in $(wait_healthy) s"
        stop_server
      done
      ;;
    *) echo "unknown scenario '$s' (a, b or c)" >&2; exit 2 ;;
  esac
done

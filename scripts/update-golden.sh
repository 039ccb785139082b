#!/bin/sh
# Regenerates tests/diagnostics/*.expected from the built binary; review `git diff` afterwards.
# Usage: scripts/update-golden.sh [NAME...]   (default: every tests/diagnostics/*.flow)
set -eu
cd "$(dirname "$0")/.."
binary="${BUILD_DIR:-build}/leadflow"
if [ ! -x "$binary" ]; then
  echo "update-golden: $binary not found; run scripts/build.sh first" >&2
  exit 2
fi
if [ "$#" -eq 0 ]; then
  set -- $(for f in tests/diagnostics/*.flow; do [ -e "$f" ] && basename "$f" .flow; done)
fi
for name in "$@"; do
  name=$(basename "$name" .flow)
  flow="tests/diagnostics/$name.flow"
  # Exit status 1 is expected for fail_* cases; anything else must still leave a file behind.
  status=0
  "$binary" check --color never "$flow" > "tests/diagnostics/$name.expected" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "update-golden: $flow: leadflow exited $status" >&2
    exit 1
  fi
  echo "updated tests/diagnostics/$name.expected"
done

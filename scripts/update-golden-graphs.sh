#!/bin/sh
# Regenerates tests/golden/graphs/NAME.{dot,mmd,json} from NAME.flow with the built binary
# (`leadflow graph NAME.flow --workflow NAME`); review `git diff` afterwards.
# Usage: scripts/update-golden-graphs.sh [NAME...]   (default: every tests/golden/graphs/*.flow)
set -eu
cd "$(dirname "$0")/.."
binary="${BUILD_DIR:-build}/leadflow"
if [ ! -x "$binary" ]; then
  echo "update-golden-graphs: $binary not found; run scripts/build.sh first (or set BUILD_DIR)" >&2
  exit 2
fi
dir=tests/golden/graphs
if [ "$#" -eq 0 ]; then
  set -- $(for f in "$dir"/*.flow; do [ -e "$f" ] && basename "$f" .flow; done)
fi
for name in "$@"; do
  name=$(basename "$name" .flow)
  # Each NAME.flow draws its workflow NAME; the other workflows in it are only there to compile.
  for format in dot:dot mermaid:mmd json:json; do
    "$binary" graph "$dir/$name.flow" --workflow "$name" --format "${format%%:*}" > "$dir/$name.${format#*:}"
    echo "updated $dir/$name.${format#*:}"
  done
done

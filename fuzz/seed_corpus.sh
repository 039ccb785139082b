#!/bin/sh
# Fills a libFuzzer corpus dir with every .flow file in the repo and every ```flow block of the
# docs, one file each, named by content hash (so re-running adds nothing twice).
# Usage: fuzz/seed_corpus.sh CORPUS_DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 CORPUS_DIR" >&2; exit 2; }
cd "$(dirname "$0")/.."
corpus=$1
mkdir -p "$corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# .flow files anywhere but in build and fuzz output dirs.
find . \( -path './build*' -o -path './fuzz-out' -o -path './.git' \) -prune -o -name '*.flow' -type f -print |
  while IFS= read -r f; do
    sum=$(sha1sum "$f" | cut -c1-40)
    cp "$f" "$corpus/$sum"
  done

# Each ```flow ... ``` block of docs/*.md as a file of its own.
for md in docs/*.md; do
  [ -f "$md" ] || continue
  awk -v dir="$tmp" -v base="$(basename "$md" .md)" '
    /^```flow[ \t]*$/ { inside = 1; n++; out = dir "/" base "_" n ".flow"; printf "" > out; next }
    /^```/ && inside { inside = 0; close(out); next }
    inside { print > out }
  ' "$md"
done
for f in "$tmp"/*.flow; do
  [ -f "$f" ] || continue
  sum=$(sha1sum "$f" | cut -c1-40)
  cp "$f" "$corpus/$sum"
done
echo "seed_corpus.sh: $(find "$corpus" -type f | wc -l) files in $corpus"

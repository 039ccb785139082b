#!/bin/sh
# Installs every build, test and benchmark dependency from Debian 12 packages (run as root).
# Idempotent: packages already present are skipped by apt.
set -eu
packages="
  build-essential cmake ninja-build pkg-config git
  tao-pegtl-dev
  libboost1.81-dev
  libspdlog-dev libfmt-dev
  catch2
  libcli11-dev
  libsqlite3-dev sqlite3
  libssl-dev
  libpq-dev
  libhowardhinnant-date-dev
  libbenchmark-dev
  clang-14 libclang-rt-14-dev
  graphviz
  python3
  tzdata
  curl bc valgrind
"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing; run this script as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
fi

#!/usr/bin/env bash
# Set-up command 1: install the packages, build Release and run edgegw in the foreground on
# the defaults of etc/edgegw.ini (extra arguments are passed to edgegw, e.g. --set ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEDGEGW_TESTS=OFF
cmake --build build -j"$(nproc)" --target edgegw
exec ./build/edgegw -c etc/edgegw.ini "$@"

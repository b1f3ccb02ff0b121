#!/usr/bin/env bash
# Set-up command 2: install the packages, build with ASan+UBSan and warnings as errors, run
# every unit and scenario test, then build the libFuzzer targets with clang and run each
# briefly on its seed corpus. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
JOBS=$(nproc)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DEDGEGW_SANITIZE=ON -DEDGEGW_WERROR=ON \
  -DEDGEGW_BENCH=OFF
cmake --build build-test -j"$JOBS"
# npm peers for the interoperability tests, kept inside the build tree.
npm install --silent --no-save --no-audit --no-fund --prefix build-test/npm mqtt@5 coap@1 \
  @stomp/stompjs@7 ws@8 playwright-core >/dev/null
export NODE_PATH="$PWD/build-test/npm/node_modules"
ctest --test-dir build-test --output-on-failure -j"$JOBS" --timeout 300

# Fuzzers: clang + libFuzzer, a short run each (EDGEGW_FUZZ_SECONDS, default 20).
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEGW_FUZZ=ON \
  -DEDGEGW_TESTS=OFF -DEDGEGW_BENCH=OFF -DEDGEGW_FUZZ_SECONDS="${EDGEGW_FUZZ_SECONDS:-20}"
# Only the fuzz targets (they pull in the codec libraries they need, nothing else).
FUZZ_TARGETS=$(cmake --build build-fuzz --target help | sed -n 's/^\.\.\. \(fuzz_[a-z0-9_]*\).*/\1/p')
cmake --build build-fuzz -j"$JOBS" --target $FUZZ_TARGETS
ctest --test-dir build-fuzz --output-on-failure -j"$JOBS"

# The Release build a user gets must compile warning-free too.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEDGEGW_WERROR=ON -DEDGEGW_TESTS=OFF
cmake --build build -j"$JOBS"

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
  @stomp/stompjs@7 @stomp/tcp-wrapper@1 ws@8 playwright-core >/dev/null
export NODE_PATH="$PWD/build-test/npm/node_modules"
ctest --test-dir build-test --output-on-failure -j"$JOBS" --timeout 300

# Fuzzers: clang + libFuzzer, a short run each (EDGEGW_FUZZ_SECONDS, default 20). Release
# (no -g) keeps the instrumented build short enough for CI's time budget.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DEDGEGW_FUZZ=ON \
  -DEDGEGW_TESTS=OFF -DEDGEGW_BENCH=OFF -DEDGEGW_FUZZ_SECONDS="${EDGEGW_FUZZ_SECONDS:-20}"
# Only the fuzz targets (they pull in the codec libraries they need, nothing else).
FUZZ_TARGETS=$(cmake --build build-fuzz --target help | sed -n 's/^\.\.\. \(fuzz_[a-z0-9_]*\).*/\1/p')
cmake --build build-fuzz -j"$JOBS" --target $FUZZ_TARGETS
ctest --test-dir build-fuzz --output-on-failure -j"$JOBS"

# The Release build a user gets must compile warning-free too.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEDGEGW_WERROR=ON -DEDGEGW_TESTS=OFF
cmake --build build -j"$JOBS"

# The Debian package of that build: control fields, contents, conffile, and what it unpacks
# (--check on the packaged config, systemd-analyze verify on the unit).
(cd build && rm -f edgegw_*.deb && cpack -G DEB >/dev/null)
bash scripts/check_package.sh build

# ARM (docs/APPLIANCE.md): cross-built, unit tests, a pub/sub smoke test and (arm64) the spec
# scenarios against the emulated binary (about 3 min) under qemu-user,
# and the .deb checked. arm64 is required. armhf is allowed to fail: its Debian index is
# sometimes broken on the mirrors; the reason is printed and the architecture removed again
# so that later apt-get updates keep working.
# Opt-in for now (EDGEGW_CROSS=1): a cold arm64 cross build plus the emulated tests does not
# yet fit CI's 40-minute budget on 2 cores next to the native ASan, fuzz and Release builds.
if [ "${EDGEGW_CROSS:-0}" != 1 ]; then
  echo "== cross builds skipped (EDGEGW_CROSS=1 runs scripts/cross.sh arm64 and armhf)"
  exit 0
fi
bash scripts/cross.sh arm64 --spec
mkdir -p build-armhf
if ! bash scripts/cross.sh armhf >build-armhf/cross.log 2>&1; then
  echo "== cross armhf: FAILED (allowed to fail); last lines of build-armhf/cross.log:"
  tail -n 25 build-armhf/cross.log
  dpkg-query -W -f='${Package}:${Architecture}\n' 2>/dev/null | grep -q ':armhf$' ||
    dpkg --remove-architecture armhf 2>/dev/null || true
else
  echo "== cross armhf: ok"
fi

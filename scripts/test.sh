#!/usr/bin/env bash
# Set-up command 2: install the packages, build with ASan+UBSan and warnings as errors, run
# every unit and scenario test, build the libFuzzer targets with clang and run each briefly on
# its seed corpus, then cross-build for arm64 and run its unit tests, a smoke test and the
# package check under qemu-user. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
JOBS=$(nproc)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DEDGEGW_SANITIZE=ON -DEDGEGW_WERROR=ON \
  -DEDGEGW_BENCH=OFF
cmake --build build-test -j"$JOBS"

# The arm64 cross build (docs/APPLIANCE.md) compiles in the background while the native tests
# run: the scenario tests mostly wait on sockets and leave about half of the CPU idle. It runs
# at idle priority (SCHED_IDLE, else nice 19) so that it takes only what the tests leave and
# cannot slow them. Killed with its process group if this script exits early.
mkdir -p build-arm64
IDLE=(nice -n 19)
chrt -i 0 true 2>/dev/null && IDLE=(chrt -i 0 nice -n 19)
setsid "${IDLE[@]}" env JOBS="$JOBS" bash scripts/cross.sh arm64 --no-install --build-only \
  >build-arm64/build.log 2>&1 &
CROSS_PID=$!
trap 'kill -- -"$CROSS_PID" 2>/dev/null || true' EXIT

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

# arm64, required: the background build above (MinSizeRel, warnings as errors: it is also the
# optimised build that must compile warning-free), then its unit tests and a pub/sub smoke test
# under qemu-user, and its .deb checked (control fields, contents, conffile, --check on the
# packaged config under qemu). CI builds no native Release: the first README command does.
echo "== waiting for the arm64 build (log: build-arm64/build.log)"
if ! wait "$CROSS_PID"; then
  tail -n 40 build-arm64/build.log
  echo "== cross arm64: build FAILED"
  exit 1
fi
trap - EXIT
tail -n 3 build-arm64/build.log
bash scripts/cross.sh arm64 --test-only

# armhf is allowed to fail until Debian's armhf indexes install (they did not on 2026-11-24:
# the bookworm-security armhf index fails its size check, so libssl3:armhf cannot match
# amd64's). Opt-in (EDGEGW_ARMHF=1): a second cold cross build does not fit CI's 40 minutes.
if [ "${EDGEGW_ARMHF:-0}" != 1 ]; then
  echo "== cross armhf skipped (EDGEGW_ARMHF=1 runs scripts/cross.sh armhf, allowed to fail)"
  exit 0
fi
mkdir -p build-armhf
if ! bash scripts/cross.sh armhf >build-armhf/cross.log 2>&1; then
  echo "== cross armhf: FAILED (allowed to fail); last lines of build-armhf/cross.log:"
  tail -n 25 build-armhf/cross.log
  dpkg-query -W -f='${Package}:${Architecture}\n' 2>/dev/null | grep -q ':armhf$' ||
    dpkg --remove-architecture armhf 2>/dev/null || true
else
  echo "== cross armhf: ok"
fi

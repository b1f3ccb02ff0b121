#!/usr/bin/env bash
# Cross-build edgegw for one Debian target architecture and test it under qemu-user:
#   scripts/cross.sh arm64|armhf [--no-install] [--spec] [--build-only|--test-only|--packages]
# 1. installs the cross toolchain, qemu-user and the <pkg>-dev:<arch> libraries (multiarch,
#    idempotent: apt runs only when something is missing; see shared CROSS.md section 5),
# 2. builds edgegw and the unit tests (MinSizeRel, no sanitizers, warnings as errors except
#    GCC 12's -Os false positives of maybe-uninitialized on std::optional) into
#    build-<arch>/ with toolchains/<triplet>.cmake,
# 3. runs the unit tests through qemu (ctest, CMAKE_CROSSCOMPILING_EMULATOR),
# 4. runs scripts/cross_smoke.py: the emulated edgegw on 127.0.0.1:0 against the native
#    mosquitto_pub/mosquitto_sub,
# 5. builds the .deb (cpack) and checks it with scripts/check_package.sh under qemu,
# 6. with --spec, also the spec scenarios against the emulated binary (154 in about 3 min
#    for arm64; scripts/test.sh passes it for arm64).
# --build-only stops after step 2 and --test-only starts at step 3, so that CI can build in the
# background while the native tests run; --packages prints the Debian packages of step 1.
# Exits non-zero at the first failure, saying which step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=${1:-arm64}
shift || true
INSTALL=1
SPEC=0
BUILD_STEP=1
TEST_STEP=1
PACKAGES=0
for a in "$@"; do
  case "$a" in
    --no-install) INSTALL=0 ;;
    --spec) SPEC=1 ;;
    --build-only) TEST_STEP=0 ;;
    --test-only) BUILD_STEP=0 INSTALL=0 ;;
    --packages) PACKAGES=1 ;;
    *) echo "cross.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
case "$ARCH" in
  arm64 | aarch64) ARCH=arm64 TRIPLET=aarch64-linux-gnu QEMU=qemu-aarch64 ;;
  armhf) TRIPLET=arm-linux-gnueabihf QEMU=qemu-arm ;;
  *) echo "cross.sh: unknown architecture $ARCH (arm64|armhf)" >&2; exit 2 ;;
esac
step() { echo "== cross $ARCH: $*"; }

LIBS=(libboost-dev libmbedtls-dev libcoap3-dev libpaho-mqttpp-dev libpaho-mqtt-dev libssl-dev
      libinih-dev libsqlite3-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev)
want=(cmake crossbuild-essential-"$ARCH" pkgconf:"$ARCH" qemu-user nlohmann-json3-dev
      libcli11-dev mosquitto-clients python3 "${LIBS[@]/%/:$ARCH}")
if [ "$PACKAGES" = 1 ]; then
  echo "${want[@]}"
  exit 0
fi
if [ "$INSTALL" = 1 ]; then
  missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
    dpkg --print-foreign-architectures | grep -qx "$ARCH" || $SUDO dpkg --add-architecture "$ARCH"
    for i in 1 2 3; do
      "${APT[@]}" update -q && break || { echo "apt-get update failed (try $i)"; sleep 10; }
    done
    # A broken foreign index shows up here as "unmet dependencies": fail loudly.
    "${APT[@]}" install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

BUILD=build-$ARCH
LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [ "$BUILD_STEP" = 1 ]; then
  step "configure $BUILD"
  # EDGEGW_CROSS_CMAKE_ARGS: extra configure arguments (CI passes its build options here).
  # shellcheck disable=SC2086
  cmake -S . -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="toolchains/$TRIPLET.cmake" \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DEDGEGW_WERROR=ON -DEDGEGW_BENCH=OFF -DEDGEGW_SANITIZE=OFF \
    -DCMAKE_CXX_FLAGS=-Wno-error=maybe-uninitialized ${EDGEGW_CROSS_CMAKE_ARGS:-} \
    "${LAUNCHER[@]}" >/dev/null
  step "build (edgegw and the unit tests)"
  cmake --build "$BUILD" -j"${JOBS:-2}"
  file "$BUILD/edgegw"
fi
if [ "$TEST_STEP" = 0 ]; then
  step "built"
  exit 0
fi
[ -x "$BUILD/edgegw" ] || { echo "cross.sh: $BUILD/edgegw is missing: build first" >&2; exit 1; }

EMU=("$QEMU" -L /)
[ -e "$( [ "$ARCH" = arm64 ] && echo /lib/ld-linux-aarch64.so.1 || echo /lib/ld-linux-armhf.so.3)" ] ||
  EMU=("$QEMU" -L "/usr/$TRIPLET")

step "unit tests under $QEMU"
# Each GoogleTest executable runs whole, in its build directory as under ctest: one emulated
# start per executable instead of one per test case (ctest's discovered tests) takes about a
# fifth of the time. Then the other ctest tests (scripted end-to-end tests; discovered test
# names contain a '.'), without the spec scenarios, which run below through a wrapper.
find "$PWD/$BUILD/tests/unit" -type f -name 'test_*' -perm -u+x | sort >"$BUILD/unit-tests.txt"
[ -s "$BUILD/unit-tests.txt" ] || { echo "cross.sh: no unit test executables in $BUILD" >&2; exit 1; }
# shellcheck disable=SC2016
xargs -P"${JOBS:-2}" -I{} sh -c 'cd "${0%/*}" && if "$@" "$0" --gtest_brief=1 >"$0.log" 2>&1
  then echo "passed ${0##*/}"; else cat "$0.log"; echo "FAILED $0"; exit 255; fi' {} "${EMU[@]}" \
  <"$BUILD/unit-tests.txt"
ctest --test-dir "$BUILD" --output-on-failure -j"${JOBS:-2}" --timeout 300 -LE spec -E '[.]'

step "smoke test: emulated edgegw, native mosquitto clients"
python3 scripts/cross_smoke.py "$BUILD/edgegw" "${EMU[@]}"

step "package: cpack -G DEB, then check_package.sh"
(cd "$BUILD" && rm -f edgegw_*.deb && cpack -G DEB >/dev/null)
bash scripts/check_package.sh "$BUILD" "${EMU[@]}"

if [ "$SPEC" = 1 ]; then
  step "spec scenarios against the emulated edgegw"
  wrapper="$PWD/$BUILD/edgegw-qemu"
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${EMU[*]}" "$PWD/$BUILD/edgegw" >"$wrapper"
  chmod +x "$wrapper"
  EDGEGW_BIN="$wrapper" EDGEGW_SPEC_TARGET=edgegw /usr/bin/python3 tests/spec/run.py
fi
step "ok"

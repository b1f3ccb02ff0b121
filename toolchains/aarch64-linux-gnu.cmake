# CMake toolchain: cross-compile on Debian bookworm amd64 for Debian arm64 (aarch64), using
# Debian multiarch (target libraries installed as <pkg>:arm64 next to the amd64 ones).
#   scripts/cross.sh arm64        (installs the packages, builds, runs the tests under qemu)
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(_triplet aarch64-linux-gnu)
set(_loader /lib/ld-linux-aarch64.so.1)
set(_qemu_name qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/multiarch-common.cmake)

# CMake toolchain: cross-compile on Debian bookworm amd64 for Debian armhf (ARMv7, hard
# float, Thumb-2; 32-bit long, time_t and off_t in bookworm), using Debian multiarch.
#   scripts/cross.sh armhf
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(_triplet arm-linux-gnueabihf)
set(_loader /lib/ld-linux-armhf.so.3)
set(_qemu_name qemu-arm)
# GCC notes "parameter passing for argument of type ... changed in GCC 7.1" on ARM32: an ABI
# note about std:: containers of double, not a bug.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
include(${CMAKE_CURRENT_LIST_DIR}/multiarch-common.cmake)

# Shared part of the Debian multiarch toolchain files; the including file sets _triplet,
# _loader and _qemu_name. No CMAKE_SYSROOT and no CMAKE_FIND_ROOT_PATH: the target's headers
# and libraries are in the host's /usr/include and /usr/lib/${_triplet}, which the Debian
# cross gcc searches by itself, and a find root of /usr/${_triplet} would hide every
# <pkg>:<arch> -dev package. With CMAKE_LIBRARY_ARCHITECTURE set, find_library and
# find_package(CONFIG) search /usr/lib/${_triplet}[/cmake], never /usr/lib/x86_64-linux-gnu.
set(CMAKE_C_COMPILER ${_triplet}-gcc)
set(CMAKE_CXX_COMPILER ${_triplet}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${_triplet})

# pkg-config: the plain one silently returns the HOST's libraries. pkgconf:<arch> provides
# ${_triplet}-pkg-config, which searches only the target's directories.
find_program(_xpkgconf ${_triplet}-pkg-config)
if(_xpkgconf)
  set(PKG_CONFIG_EXECUTABLE ${_xpkgconf} CACHE FILEPATH "pkg-config for ${_triplet}")
else()
  set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${_triplet}/pkgconfig:/usr/share/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
endif()

# Target binaries (add_test of executable targets, gtest_discover_tests, try_run) run through
# qemu-user. -L is where qemu finds the target's loader and libraries: "/" once libc6:<arch>
# is installed (every <pkg>-dev:<arch> pulls it in), else the cross toolchain's own copy.
find_program(_qemu ${_qemu_name})
if(_qemu)
  if(EXISTS ${_loader})
    set(CMAKE_CROSSCOMPILING_EMULATOR ${_qemu} -L /)
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR ${_qemu} -L /usr/${_triplet})
  endif()
endif()

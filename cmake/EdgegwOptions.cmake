# Compiler flags shared by every edgegw target (applied through edgegw_options).
add_library(edgegw_options INTERFACE)
target_compile_options(edgegw_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wno-psabi
  # Asio 1.18 coroutines under clang need these (STYLE.md toolchain traps).
  $<$<CXX_COMPILER_ID:Clang>:-Wno-unused-private-field>)
target_compile_definitions(edgegw_options INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  $<$<CXX_COMPILER_ID:Clang>:BOOST_ASIO_HAS_CO_AWAIT BOOST_ASIO_HAS_STD_COROUTINE>)
if(EDGEGW_WERROR)
  target_compile_options(edgegw_options INTERFACE -Werror)
endif()
if(EDGEGW_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(EDGEGW_FUZZ)
  # Everything gets coverage instrumentation; only fuzz targets link the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

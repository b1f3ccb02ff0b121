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
# Footprint (docs/BENCHMARKS.md, "Appliance footprint"): one section per function and object
# so the linker drops what nothing references; each mapped page of the executable counts in
# the daemon's RSS. Not with sanitizers or fuzzing, whose runtimes look up symbols the
# linker cannot see used.
if(NOT EDGEGW_SANITIZE AND NOT EDGEGW_FUZZ)
  target_compile_options(edgegw_options INTERFACE -ffunction-sections -fdata-sections)
  add_link_options(LINKER:--gc-sections)
endif()
